// ledger::VerifyInclusion and VerifyConsistency (RFC 9162 §2.1.3.2, §2.1.4.2). The first
// input byte picks a mode:
//   0: arbitrary sizes (full uint64 range), hashes and proofs: never a crash or a hang.
//   1: a real tree of up to 300 distinct leaves: generated proofs verify, and a proof
//      with one bit flipped, one digest dropped or one added never does.
//   2: a huge virtual tree (up to 2^63 leaves, all equal, so every node is known): the
//      generated proofs verify for any seq and any pair of sizes.
#include <cstring>
#include <span>

#include "ledger/merkle.h"
#include "tests/fuzz/fuzz.h"

namespace jejak::fuzz {
namespace {

// Reads the input front to back; missing bytes read as zero.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  std::uint64_t U64() {
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value = value << 8 | Byte();
    return value;
  }
  std::uint8_t Byte() {
    if (bytes_.empty()) return 0;
    const auto byte = static_cast<std::uint8_t>(bytes_.front());
    bytes_.remove_prefix(1);
    return byte;
  }
  ledger::Digest Digest() {
    ledger::Digest digest{};
    for (auto& byte : digest) byte = Byte();
    return digest;
  }
  std::size_t remaining() const { return bytes_.size(); }

 private:
  std::string_view bytes_;
};

std::string Describe(std::uint64_t a, std::uint64_t b) {
  return std::to_string(a) + ", " + std::to_string(b);
}

ledger::NodeReader ReaderOf(const std::vector<ledger::Digest>& leaves) {
  return [&leaves](ledger::NodeId id) -> Result<ledger::Digest> {
    const std::uint64_t width = std::uint64_t{1} << id.level;
    const std::uint64_t begin = id.index * width;
    FUZZ_ASSERT(begin + width <= leaves.size(), "proof asked for a node outside the tree");
    return ledger::RootFromLeaves(
        std::span<const ledger::Digest>(leaves).subspan(begin, width));
  };
}

// A proof changed in one way chosen by `choice`; false if `choice` changes nothing.
bool Damage(std::vector<ledger::Digest>& proof, std::uint8_t choice, std::uint8_t where) {
  switch (choice % 3) {
    case 0:
      if (proof.empty()) return false;
      proof[where % proof.size()][where % 32] ^= static_cast<std::uint8_t>(1u << (choice % 8));
      return true;
    case 1:
      if (proof.empty()) return false;
      proof.erase(proof.begin() + where % proof.size());
      return true;
    default:
      proof.insert(proof.begin() + where % (proof.size() + 1), ledger::Digest{where});
      return true;
  }
}

void ArbitraryInputs(Reader& in) {
  const std::uint64_t a = in.U64();
  const std::uint64_t b = in.U64();
  const ledger::Digest first = in.Digest();
  const ledger::Digest second = in.Digest();
  std::vector<ledger::Digest> proof;
  while (in.remaining() > 0 && proof.size() < 80) proof.push_back(in.Digest());
  (void)ledger::VerifyInclusion(a, b, first, proof, second);
  (void)ledger::VerifyConsistency(a, b, proof, first, second);
  // Small sizes reach the interesting paths more often.
  (void)ledger::VerifyInclusion(a % 70, b % 70, first, proof, second);
  (void)ledger::VerifyConsistency(a % 70, b % 70, proof, first, second);
}

void RealTree(Reader& in) {
  const std::uint64_t size = 1 + in.U64() % 300;
  std::vector<ledger::Digest> leaves;
  for (std::uint64_t i = 0; i < size; ++i) leaves.push_back(ledger::LeafHash(std::to_string(i)));
  const ledger::NodeReader read = ReaderOf(leaves);
  const ledger::Digest root = ledger::RootFromLeaves(leaves);
  Result<ledger::Digest> tree_hash = ledger::TreeHash(size, read);
  FUZZ_ASSERT(tree_hash.has_value() && *tree_hash == root, "TreeHash != RootFromLeaves");

  const std::uint64_t seq = in.U64() % size;
  Result<std::vector<ledger::Digest>> inclusion = ledger::InclusionProof(seq, size, read);
  FUZZ_ASSERT(inclusion.has_value(), "InclusionProof failed for " + Describe(seq, size));
  FUZZ_ASSERT(ledger::VerifyInclusion(seq, size, leaves[seq], *inclusion, root),
              "inclusion proof does not verify: " + Describe(seq, size));
  std::vector<ledger::Digest> damaged = *inclusion;
  if (Damage(damaged, in.Byte(), in.Byte())) {
    FUZZ_ASSERT(!ledger::VerifyInclusion(seq, size, leaves[seq], damaged, root),
                "damaged inclusion proof verifies: " + Describe(seq, size));
  }
  if (size > 1) {
    const std::uint64_t other = (seq + 1 + in.U64() % (size - 1)) % size;
    FUZZ_ASSERT(!ledger::VerifyInclusion(other, size, leaves[seq], *inclusion, root),
                "inclusion proof verifies at another seq: " + Describe(other, size));
  }

  const std::uint64_t first = 1 + in.U64() % size;
  const ledger::Digest first_root =
      ledger::RootFromLeaves(std::span<const ledger::Digest>(leaves).first(first));
  Result<std::vector<ledger::Digest>> consistency = ledger::ConsistencyProof(first, size, read);
  FUZZ_ASSERT(consistency.has_value(), "ConsistencyProof failed for " + Describe(first, size));
  FUZZ_ASSERT(ledger::VerifyConsistency(first, size, *consistency, first_root, root),
              "consistency proof does not verify: " + Describe(first, size));
  damaged = *consistency;
  if (Damage(damaged, in.Byte(), in.Byte())) {
    FUZZ_ASSERT(!ledger::VerifyConsistency(first, size, damaged, first_root, root),
                "damaged consistency proof verifies: " + Describe(first, size));
  }
}

// Every leaf is the same, so the hash of a perfect subtree depends only on its level.
void VirtualTree(Reader& in) {
  static const std::vector<ledger::Digest> levels = [] {
    std::vector<ledger::Digest> hashes = {ledger::LeafHash("same")};
    while (hashes.size() < 64) hashes.push_back(ledger::NodeHash(hashes.back(), hashes.back()));
    return hashes;
  }();
  const ledger::NodeReader read = [](ledger::NodeId id) -> Result<ledger::Digest> {
    FUZZ_ASSERT(id.level < levels.size(), "node level out of range");
    return levels[id.level];
  };
  const std::uint64_t size = 1 + in.U64() % (std::uint64_t{1} << 63);
  const std::uint64_t seq = in.U64() % size;
  Result<ledger::Digest> root = ledger::TreeHash(size, read);
  FUZZ_ASSERT(root.has_value(), "TreeHash failed for " + std::to_string(size));
  Result<std::vector<ledger::Digest>> inclusion = ledger::InclusionProof(seq, size, read);
  FUZZ_ASSERT(inclusion.has_value(), "InclusionProof failed for " + Describe(seq, size));
  FUZZ_ASSERT(ledger::VerifyInclusion(seq, size, levels[0], *inclusion, *root),
              "inclusion proof does not verify: " + Describe(seq, size));
  const std::uint64_t first = 1 + in.U64() % size;
  Result<ledger::Digest> first_root = ledger::TreeHash(first, read);
  FUZZ_ASSERT(first_root.has_value(), "TreeHash failed for " + std::to_string(first));
  Result<std::vector<ledger::Digest>> consistency = ledger::ConsistencyProof(first, size, read);
  FUZZ_ASSERT(consistency.has_value(), "ConsistencyProof failed for " + Describe(first, size));
  FUZZ_ASSERT(ledger::VerifyConsistency(first, size, *consistency, *first_root, *root),
              "consistency proof does not verify: " + Describe(first, size));
}

}  // namespace

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  for (char mode : {'\0', '\1', '\2'}) {
    for (int i = 0; i < 4; ++i) {
      std::string seed(1, mode);
      for (int k = 0; k < 8 + 32 * (i + 1); ++k) seed += static_cast<char>(k * 37 + i * 11);
      seeds.push_back(seed);
    }
  }
  return seeds;
}

}  // namespace jejak::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  jejak::fuzz::Reader in(std::string_view(reinterpret_cast<const char*>(data), size));
  switch (in.Byte() % 3) {
    case 0: jejak::fuzz::ArbitraryInputs(in); break;
    case 1: jejak::fuzz::RealTree(in); break;
    default: jejak::fuzz::VirtualTree(in); break;
  }
  return 0;
}
