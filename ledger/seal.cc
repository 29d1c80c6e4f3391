#include "ledger/seal.h"

#include <limits>
#include <utility>

#include "base/check.h"
#include "ledger/entry.h"
#include "ledger/limits.h"

namespace jejak::ledger {

nlohmann::json StampAt(const ChainTip& tip, const nlohmann::json& body,
                       const std::string& recorded_at, const std::string& recorded_by) {
  JEJAK_CHECK(tip.tree_size <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
  // The new entry's seq is the old count.
  return StampEntry(body, Stamp{static_cast<std::int64_t>(tip.tree_size), recorded_at, recorded_by});
}

SealedEntry Seal(const ChainTip& tip, std::string canonical) {
  JEJAK_CHECK(!canonical.empty());
  JEJAK_CHECK(canonical.size() <= kStoredEntryBytesMax);  // The caller rejected larger.
  JEJAK_CHECK(tip.tree_size <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
  SealedEntry sealed;
  sealed.seq = static_cast<std::int64_t>(tip.tree_size);  // The new entry's index is the old count.
  sealed.leaf_hash = LeafHash(canonical);  // RFC 9162 §2.1.1: SHA-256(0x00 || bytes).
  sealed.chain_hash = ChainHash(tip.chain_hash, sealed.leaf_hash);
  sealed.canonical = std::move(canonical);
  return sealed;
}

}  // namespace jejak::ledger
