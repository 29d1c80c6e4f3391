// RFC 9162 §2.1 Merkle trees over the ledger's leaf hashes. Proof generation walks the
// RFC's recursive definitions iteratively, top-down, and fetches only perfect subtrees
// through the NodeReader, so every proof costs O(log n) reads.
#include "ledger/merkle.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <utility>

#include "base/check.h"

namespace jejak::ledger {
namespace {

// A tree size is a uint64, so a tree has at most 64 levels below its root and the
// binary decomposition of any range has at most 64 perfect subtrees.
inline constexpr std::size_t kLevelsMax = 64;

// RFC 9162 §2.1.1: the split point k is the largest power of two smaller than n (n > 1).
std::uint64_t SplitPoint(std::uint64_t n) {
  JEJAK_CHECK(n > 1);
  return std::bit_floor(n - 1);
}

// The perfect subtree of 2^level leaves starting at leaf `start`.
NodeId PerfectNode(std::uint64_t start, std::uint32_t level) {
  JEJAK_CHECK(level < kLevelsMax);
  JEJAK_CHECK(start % (std::uint64_t{1} << level) == 0);  // Perfect nodes are aligned.
  return NodeId{level, start >> level};
}

// Appends to `out` the binary decomposition of the leaves [start, start + count) into
// perfect subtrees, largest (leftmost) first. Every range the RFC 9162 recursion visits
// starts at a multiple of a power of two that is at least its length, so each piece is
// aligned and therefore a stored perfect node.
template <typename Sink>
void Decompose(std::uint64_t start, std::uint64_t count, Sink&& out) {
  std::uint64_t offset = start;
  for (std::uint32_t level = kLevelsMax; level-- > 0;) {
    const std::uint64_t width = std::uint64_t{1} << level;
    if ((count & width) == 0) continue;
    out(PerfectNode(offset, level));
    offset += width;
  }
  JEJAK_CHECK(offset - start == count);
}

// RFC 9162 §2.1.1 MTH(D[start:start+count]) from stored perfect nodes: the hashes of the
// binary decomposition, folded right to left (the RFC splits off the largest power of
// two on the left each time, so the rightmost pieces combine first).
Result<Digest> RangeHash(std::uint64_t start, std::uint64_t count, const NodeReader& read) {
  JEJAK_CHECK(count > 0);
  std::array<NodeId, kLevelsMax> ids{};
  std::size_t pieces = 0;
  Decompose(start, count, [&](NodeId id) { ids[pieces++] = id; });
  JEJAK_CHECK(pieces > 0);
  Result<Digest> last = read(ids[pieces - 1]);
  if (!last) return last.error();
  Digest hash = *last;
  for (std::size_t i = pieces - 1; i-- > 0;) {
    Result<Digest> left = read(ids[i]);
    if (!left) return left.error();
    hash = NodeHash(*left, hash);
  }
  return hash;
}

// Right-shifts `fn` and `sn` together until LSB(fn) is set or fn is 0 (RFC 9162 §2.1.3.2
// step 4b and §2.1.4.2 step 6b). Bounded by 64 shifts.
void ShiftWhileEven(std::uint64_t& fn, std::uint64_t& sn) {
  while (fn != 0 && (fn & 1) == 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

namespace {

std::string_view Bytes(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

}  // namespace

Digest LeafHash(std::string_view canonical_bytes) {
  return crypto::Sha256Of({std::string_view("\x00", 1), canonical_bytes});
}

Digest NodeHash(const Digest& left, const Digest& right) {
  return crypto::Sha256Of({std::string_view("\x01", 1), Bytes(left), Bytes(right)});
}

Digest ChainHash(const Digest& previous_chain_hash, const Digest& leaf_hash) {
  return crypto::Sha256Of({Bytes(previous_chain_hash), Bytes(leaf_hash)});
}

Digest EmptyTreeHash() { return crypto::Sha256(std::string_view()); }

Digest RootFromLeaves(std::span<const Digest> leaves) {
  if (leaves.empty()) return EmptyTreeHash();
  // Level by level: pair neighbours and carry an odd last node up unchanged. This gives
  // RFC 9162 §2.1.1's tree, whose right edge is left-balanced the same way.
  std::vector<Digest> level(leaves.begin(), leaves.end());
  while (level.size() > 1) {
    std::size_t next = 0;
    for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
      level[next++] = NodeHash(level[i], level[i + 1]);
    }
    if (level.size() % 2 == 1) level[next++] = level.back();
    level.resize(next);
  }
  return level.front();
}

Result<Digest> TreeHash(std::uint64_t tree_size, const NodeReader& read) {
  if (tree_size == 0) return InvalidArgument("tree size must be positive");
  return RangeHash(0, tree_size, read);
}

Result<std::vector<Digest>> InclusionProof(std::uint64_t seq, std::uint64_t tree_size,
                                           const NodeReader& read) {
  if (seq >= tree_size) return InvalidArgument("seq must be below the tree size");
  // RFC 9162 §2.1.3.1 PATH(m, D[start:start+count]), unrolled from the root down. The
  // RFC lists the siblings from the leaf up, so they are reversed at the end.
  std::vector<Digest> proof;
  std::uint64_t start = 0;
  std::uint64_t count = tree_size;
  while (count > 1) {
    JEJAK_CHECK(proof.size() < kLevelsMax);
    const std::uint64_t k = SplitPoint(count);
    Result<Digest> sibling = Digest{};
    if (seq - start < k) {
      // PATH(m, D[0:k]) : MTH(D[k:n]). The right part may be imperfect.
      sibling = RangeHash(start + k, count - k, read);
      count = k;
    } else {
      // PATH(m - k, D[k:n]) : MTH(D[0:k]). The left part is perfect.
      sibling = RangeHash(start, k, read);
      start += k;
      count -= k;
    }
    if (!sibling) return sibling.error();
    proof.push_back(*sibling);
  }
  JEJAK_CHECK(start == seq);
  std::reverse(proof.begin(), proof.end());
  return proof;
}

Result<std::vector<Digest>> ConsistencyProof(std::uint64_t first, std::uint64_t second,
                                             const NodeReader& read) {
  if (first == 0) return InvalidArgument("first tree size must be positive");
  if (first > second) return InvalidArgument("first tree size exceeds the second");
  // RFC 9162 §2.1.4.1 SUBPROOF(m, D[start:start+count], b), unrolled from the root
  // down; the RFC lists the deepest element first, so the list is reversed at the end.
  std::vector<Digest> proof;
  std::uint64_t start = 0;
  std::uint64_t count = second;
  std::uint64_t m = first;  // Relative to `start`.
  bool whole_first_tree = true;  // The RFC's flag b.
  while (m != count) {
    JEJAK_CHECK(m < count);
    JEJAK_CHECK(proof.size() < kLevelsMax);
    const std::uint64_t k = SplitPoint(count);
    Result<Digest> sibling = Digest{};
    if (m <= k) {
      // SUBPROOF(m, D[0:k], b) : MTH(D[k:n]).
      sibling = RangeHash(start + k, count - k, read);
      count = k;
    } else {
      // SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]).
      sibling = RangeHash(start, k, read);
      start += k;
      count -= k;
      m -= k;
      whole_first_tree = false;
    }
    if (!sibling) return sibling.error();
    proof.push_back(*sibling);
  }
  // SUBPROOF(m, D[m], b) with b false contributes MTH(D[m]); with b true, nothing.
  if (!whole_first_tree) {
    Result<Digest> subtree = RangeHash(start, count, read);
    if (!subtree) return subtree.error();
    proof.push_back(*subtree);
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

bool VerifyInclusion(std::uint64_t seq, std::uint64_t tree_size, const Digest& leaf_hash,
                     std::span<const Digest> proof, const Digest& root) {
  // RFC 9162 §2.1.3.2 step 1.
  if (seq >= tree_size) return false;
  // A valid path has one element per level, so at most 64.
  if (proof.size() > kLevelsMax) return false;
  std::uint64_t fn = seq;
  std::uint64_t sn = tree_size - 1;
  Digest r = leaf_hash;
  for (const Digest& p : proof) {
    if (sn == 0) return false;  // Step 4a: the proof is too long.
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      ShiftWhileEven(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // Step 5: a short proof leaves sn above 0.
  return sn == 0 && r == root;
}

bool VerifyConsistency(std::uint64_t first, std::uint64_t second,
                       std::span<const Digest> proof, const Digest& first_root,
                       const Digest& second_root) {
  // RFC 9162 §2.1.4.2 is defined only for 0 < first <= second.
  if (first == 0 || first > second) return false;
  if (first == second) return proof.empty() && first_root == second_root;
  // Step 1: a proof between different sizes is never empty. At most one element per
  // level plus the first tree's subtree.
  if (proof.empty() || proof.size() > kLevelsMax + 1) return false;
  // Step 2: when first is a power of two its root is the first proof element, and the
  // proof omits it.
  const bool first_is_power_of_two = std::has_single_bit(first);
  std::uint64_t fn = first - 1;
  std::uint64_t sn = second - 1;
  // Step 4.
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  // Step 5.
  std::size_t next = 0;
  Digest fr = first_is_power_of_two ? first_root : proof[next++];
  Digest sr = fr;
  // Step 6.
  for (; next < proof.size(); ++next) {
    const Digest& c = proof[next];
    if (sn == 0) return false;  // Step 6a: the proof is too long.
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      ShiftWhileEven(fn, sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // Step 7.
  return fr == first_root && sr == second_root && sn == 0;
}

Result<MerkleFrontier> MerkleFrontier::Load(std::uint64_t size, const NodeReader& read) {
  MerkleFrontier frontier;
  for (const NodeId& id : FrontierNodes(size)) {
    Result<Digest> hash = read(id);
    if (!hash) return hash.error();
    frontier.nodes_.push_back(*hash);
  }
  frontier.size_ = size;
  JEJAK_CHECK(frontier.nodes_.size() == static_cast<std::size_t>(std::popcount(size)));
  return frontier;
}

std::vector<NodeId> MerkleFrontier::FrontierNodes(std::uint64_t size) {
  std::vector<NodeId> ids;
  Decompose(0, size, [&](NodeId id) { ids.push_back(id); });
  return ids;
}

std::vector<MerkleFrontier::CompletedNode> MerkleFrontier::Append(const Digest& leaf_hash) {
  JEJAK_CHECK(size_ < ~std::uint64_t{0});
  JEJAK_CHECK(nodes_.size() == static_cast<std::size_t>(std::popcount(size_)));
  const std::uint64_t seq = size_;
  std::vector<CompletedNode> completed;
  completed.push_back(CompletedNode{NodeId{0, seq}, leaf_hash});
  nodes_.push_back(leaf_hash);
  // Each trailing one bit of the old size is a perfect subtree of that height which the
  // new leaf's subtree now completes (like a carry in binary addition).
  std::uint32_t level = 0;
  while (((seq >> level) & 1) == 1) {
    JEJAK_CHECK(nodes_.size() >= 2);
    const Digest right = nodes_.back();
    nodes_.pop_back();
    const Digest merged = NodeHash(nodes_.back(), right);
    nodes_.back() = merged;
    ++level;
    completed.push_back(CompletedNode{NodeId{level, seq >> level}, merged});
  }
  ++size_;
  JEJAK_CHECK(nodes_.size() == static_cast<std::size_t>(std::popcount(size_)));
  return completed;
}

Digest MerkleFrontier::Root() const {
  if (nodes_.empty()) return EmptyTreeHash();
  // RFC 9162 §2.1.1: the frontier is the binary decomposition of size, so fold right to
  // left.
  Digest hash = nodes_.back();
  for (std::size_t i = nodes_.size() - 1; i-- > 0;) hash = NodeHash(nodes_[i], hash);
  return hash;
}

}  // namespace jejak::ledger
