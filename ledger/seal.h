// Sealing an entry: the one place where an entry's seq, leaf hash and chain hash are
// computed from the chain's tip. The store's append seals every new entry with it, and
// ChainVerifier recomputes every stored entry with it, so writing and checking cannot
// drift apart. Pure: no I/O, no clock (the caller passes recorded_at in).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "ledger/merkle.h"

namespace jejak::ledger {

// The end of the chain an entry is sealed onto: how many entries precede it and the
// chain hash of the last one (kChainSeed for an empty ledger).
struct ChainTip {
  std::uint64_t tree_size = 0;
  Digest chain_hash = kChainSeed;
};

// An entry as it is stored: its seq, canonical bytes and both hashes.
struct SealedEntry {
  std::int64_t seq = 0;
  std::string canonical;
  Digest leaf_hash{};
  Digest chain_hash{};
};

// Stamps `body` (a body that passed ValidateBody, or ValidateGenesis) as the entry that
// follows `tip`: seq tip.tree_size, `recorded_at` and `recorded_by`. The caller derives
// the columns from the result and canonicalises it once for Seal().
nlohmann::json StampAt(const ChainTip& tip, const nlohmann::json& body,
                       const std::string& recorded_at, const std::string& recorded_by);

// Seals `canonical` (the canonical bytes of a stamped entry) onto `tip`: seq is
// tip.tree_size, the leaf hash is LeafHash(canonical) and the chain hash
// ChainHash(tip.chain_hash, leaf hash). Preconditions, checked (a broken one aborts):
// `canonical` is not empty and at most kStoredEntryBytesMax bytes (callers reject entries
// larger than their kind's limit first, ledger/limits.h), and tip.tree_size fits a seq.
SealedEntry Seal(const ChainTip& tip, std::string canonical);

}  // namespace jejak::ledger
