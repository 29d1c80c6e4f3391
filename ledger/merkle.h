// Hashes of the ledger: RFC 9162 leaf and node hashes, the chain hash, the Merkle tree
// hash, and inclusion and consistency proofs (generation and verification). Proof
// generation reads stored perfect-subtree nodes through a callback, so a proof costs
// O(log n) node reads and never rehashes the ledger. Pure: no I/O.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/sha256.h"
#include "base/result.h"

namespace jejak::ledger {

using crypto::Digest;

// RFC 9162 §2.1.1: SHA-256(0x00 || canonical_bytes).
Digest LeafHash(std::string_view canonical_bytes);
// RFC 9162 §2.1.1: SHA-256(0x01 || left || right).
Digest NodeHash(const Digest& left, const Digest& right);
// DESIGN: chain_hash(n) = SHA-256(chain_hash(n-1) || leaf_hash(n)), with 32 zero bytes
// standing for chain_hash(-1).
Digest ChainHash(const Digest& previous_chain_hash, const Digest& leaf_hash);
inline constexpr Digest kChainSeed{};  // 32 zero bytes.
// SHA-256 of the empty string: RFC 9162's hash of the empty tree.
Digest EmptyTreeHash();

// Reference tree hash of `leaves` (RFC 9162 §2.1.1), iterative. O(n); for tests and
// for verification of small inputs.
Digest RootFromLeaves(std::span<const Digest> leaves);

// A perfect subtree: the 2^level leaves starting at index * 2^level.
struct NodeId {
  std::uint32_t level = 0;
  std::uint64_t index = 0;
  friend bool operator==(const NodeId&, const NodeId&) = default;
};

// Reads the hash of a perfect subtree from storage. Must only be asked for subtrees that
// lie entirely inside the tree being proved. Returns an Error (e.g. kUnavailable) to abort.
using NodeReader = std::function<Result<Digest>(NodeId)>;

// Tree hash of the first `tree_size` leaves, from O(log n) stored nodes. tree_size > 0.
Result<Digest> TreeHash(std::uint64_t tree_size, const NodeReader& read);
// RFC 9162 §2.1.3.1 audit path for leaf `seq` in a tree of `tree_size`.
// kInvalidArgument unless seq < tree_size.
Result<std::vector<Digest>> InclusionProof(std::uint64_t seq, std::uint64_t tree_size,
                                           const NodeReader& read);
// RFC 9162 §2.1.4.1 consistency proof between `first` and `second`.
// kInvalidArgument unless 0 < first <= second.
Result<std::vector<Digest>> ConsistencyProof(std::uint64_t first, std::uint64_t second,
                                             const NodeReader& read);

// RFC 9162 §2.1.3.2. False (never aborts) for any malformed input.
bool VerifyInclusion(std::uint64_t seq, std::uint64_t tree_size, const Digest& leaf_hash,
                     std::span<const Digest> proof, const Digest& root);
// RFC 9162 §2.1.4.2. False (never aborts) for any malformed input, including first == 0.
bool VerifyConsistency(std::uint64_t first, std::uint64_t second,
                       std::span<const Digest> proof, const Digest& first_root,
                       const Digest& second_root);

// The right edge of a growing tree: the roots of the perfect subtrees that make up the
// first `size` leaves (the binary decomposition of size, largest first). Appending a leaf
// reports every perfect node it completes, so a store can persist them. O(log n) memory.
class MerkleFrontier {
 public:
  struct CompletedNode {
    NodeId id;
    Digest hash;
  };

  MerkleFrontier() = default;
  // Rebuilds the frontier of a tree of `size` leaves from its stored perfect nodes
  // (O(log n) reads).
  static Result<MerkleFrontier> Load(std::uint64_t size, const NodeReader& read);
  // The perfect nodes whose hashes Load() needs, so a store can fetch them in one query.
  static std::vector<NodeId> FrontierNodes(std::uint64_t size);

  // Adds a leaf. Returns the perfect nodes it completes, the leaf itself (level 0) first,
  // then each higher level.
  std::vector<CompletedNode> Append(const Digest& leaf_hash);

  std::uint64_t size() const { return size_; }
  // Tree hash of all leaves so far; EmptyTreeHash() when empty.
  Digest Root() const;

 private:
  std::uint64_t size_ = 0;
  std::vector<Digest> nodes_;  // Frontier roots, largest (leftmost) subtree first.
};

}  // namespace jejak::ledger
