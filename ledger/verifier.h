// ChainVerifier: recomputes a ledger from its canonical bytes, one entry at a time, in
// constant memory (the chain hash and an O(log n) Merkle frontier). Both `jejak verify`
// (over the database) and `jejak verify-bundle` (over an offline bundle) feed it, so an
// auditor's offline check and the server's own check are the same code. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/totals.h"

namespace jejak::ledger {

// The first thing found wrong: the seq it concerns (or the tree size, for a checkpoint)
// and what is wrong, in one line.
struct Problem {
  std::int64_t seq = 0;
  std::string what;
};

// What the verifier recomputed for one entry, for the caller to compare with what it
// has stored (hashes, columns, Merkle nodes).
struct RecomputedEntry {
  Digest leaf_hash{};
  Digest chain_hash{};
  EntryColumns columns;
  std::vector<MerkleFrontier::CompletedNode> completed_nodes;
};

// What can be recomputed of one entry from its bytes alone (parse, canonical form,
// validation, derived columns, leaf hash), before the entries before it are known; ChainVerifier
// adds the rest in seq order. Entries are prepared on several threads and added in order.
struct PreparedEntry {
  // Non-empty: why the bytes are not a valid stored entry (a Problem's `what`, without
  // the seq); the other members are then unset.
  std::string problem;
  EntryColumns columns;
  Digest leaf_hash{};
  std::size_t bytes = 0;  // Of the canonical form.
  // A genesis entry's checkpoint_key and origin.
  std::string checkpoint_key;
  std::string origin;
};

// Prepares `canonical_bytes` for ChainVerifier::Add. Pure and thread-safe.
PreparedEntry PrepareEntry(std::string_view canonical_bytes);

class ChainVerifier {
 public:
  // Trusts only `verifier` for checkpoints. The genesis entry must name `verifier` as its
  // checkpoint_key, and checkpoints must carry the genesis entry's origin.
  explicit ChainVerifier(NoteVerifier verifier);

  // Continues a verification from `frontier.size()` entries, trusting the given state
  // of the entries before it (the ledger's origin, the chain hash of the last one, and
  // the Merkle frontier). For checking a range of a ledger without rehashing its past.
  void Resume(std::string origin, const Digest& chain_hash, MerkleFrontier frontier);

  // Feeds the next entry's stored bytes: they must be the canonical form of a valid
  // stored entry of at most its kind's limit of bytes (ledger/limits.h) whose seq is
  // size(), recorded no earlier than the entry and checkpoint before it, and within the
  // year totals of ledger/totals.h. A Problem names the seq and why. (After Resume(), the
  // totals and times before the range are not known, so those two rules are checked from
  // the range's start only.)
  Result<RecomputedEntry> Add(std::string_view canonical_bytes);
  // The same, for an entry prepared by PrepareEntry (the same Problems, in the same order).
  Result<RecomputedEntry> Add(PreparedEntry prepared);
  // Checks a checkpoint note for the current size: signature by the trusted key, origin,
  // tree size, root hash and chain hash, and that its time is not before the last entry's
  // recorded_at nor before the previous checkpoint's time (time never runs backwards).
  // `in_ledger` is false for a note from outside the ledger (an auditor's kept checkpoint,
  // which may have been signed for an export at any later time): it is checked for
  // everything but the time order, and does not take part in it.
  std::optional<Problem> CheckCheckpoint(std::string_view note, bool in_ledger = true);

  std::uint64_t size() const { return frontier_.size(); }
  Digest root() const { return frontier_.Root(); }
  const Digest& chain_hash() const { return chain_hash_; }
  const std::string& origin() const { return origin_; }

 private:
  NoteVerifier verifier_;
  std::string origin_;  // From the genesis entry.
  MerkleFrontier frontier_;
  Digest chain_hash_ = kChainSeed;
  YearTotals totals_;
  std::string last_recorded_at_;      // Of the last entry added.
  std::string last_checkpoint_time_;  // Of the last checkpoint checked, if comparable.
};

// "seq N: what" as an Error of code kDataLoss, the form ChainVerifier::Add returns.
Error ProblemError(const Problem& problem);
// The Problem inside such an Error (seq -1 if the message does not start with "seq ").
Problem ProblemOf(const Error& error);

}  // namespace jejak::ledger
