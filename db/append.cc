// The append transaction (a group commit): idempotency, the ledger rules, sealing each
// entry (ledger/seal.h), the realisation aggregates and year totals, Merkle nodes, one
// signed checkpoint per commit, and the checkpoint kept outside the database.
#include "db/store.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <utility>

#include "crypto/encoding.h"
#include "db/audit_facts.h"
#include "db/kept_checkpoint.h"
#include "db/sql_util.h"
#include "db/store_impl.h"
#include "ledger/canonical.h"
#include "ledger/entry.h"
#include "ledger/limits.h"
#include "ledger/seal.h"

namespace jejak::db {

namespace {

// Where a group on a ledger of `tree_size` entries starts, read from the database: the
// stored chain hash and recorded_at of the newest entry, and the frontier from stored
// nodes. kDataLoss if the chain hash is missing or not a hash, or a node is missing.
Result<GroupStart> LoadGroupStart(StoreImpl& impl, std::uint64_t tree_size) {
  GroupStart start;
  start.tip = ledger::ChainTip{tree_size, ledger::kChainSeed};
  if (tree_size > 0) {
    long long last = static_cast<long long>(tree_size - 1);
    NativeStatement& read = impl.Statements().entry_tip;
    NativeStatement::RunScope run(read);
    read.Bind(1, last);
    const bool found = read.Step();
    // Never chain onto zeros: a tip that is not a hash stops every append.
    std::optional<ledger::Digest> chain_hash =
        found ? crypto::DigestFromHex(read.Text(0)) : std::nullopt;
    if (!chain_hash) {
      return Error{Code::kDataLoss,
                   "the chain hash of seq " + std::to_string(last) + " is missing or not a hash",
                   {}};
    }
    start.tip.chain_hash = *chain_hash;
    start.last_recorded_at = read.Text(1);
  }
  const ledger::NodeReader stored = impl.Reader();
  Result<ledger::MerkleFrontier> frontier = ledger::MerkleFrontier::Load(
      tree_size, [&](ledger::NodeId id) -> Result<ledger::Digest> {
        Result<ledger::Digest> hash = stored(id);
        if (hash) start.frontier_nodes.push_back({id, *hash});
        return hash;
      });
  if (!frontier) return frontier.error();
  start.frontier = std::move(frontier).value();
  return start;
}

// Time never runs backwards (DESIGN): with the clock behind the newest entry, every
// append is refused (kUnavailable) until it catches up, rather than stamped into the past.
Result<void> CheckClock(const std::string& recorded_at, const GroupStart& start) {
  if (recorded_at < start.last_recorded_at) {
    return Error{Code::kUnavailable,
                 "the clock (" + recorded_at + ") is behind the newest entry (" +
                     start.last_recorded_at + "); appends wait until it catches up",
                 {}};
  }
  return Ok();
}

// A perfect subtree (level, index), the key of the nodes a group's proofs are made from.
using NodeKey = std::pair<std::uint32_t, std::uint64_t>;

// How a group runs (RunGroup): all or nothing (stop at the first failure) or each entry
// on its own; with inclusion proofs computed for its outcomes; and how a failed entry is
// named in an all-or-nothing error ("entry I: ", I counted from `first_index`).
struct GroupOptions {
  bool all_or_nothing = true;
  bool proofs = false;
  std::size_t first_index = 0;
  bool name_entries = false;
};

// One group commit in progress, inside the caller's write transaction: appends or
// replays each pending entry, then signs and records one checkpoint over them. Holds
// references to `impl` and `entries`, which must outlive it.
class GroupAppend {
 public:
  GroupAppend(StoreImpl& impl, const std::vector<PendingEntry>& entries,
              const std::string& recorded_at, const ledger::ChainTip& tip,
              ledger::MerkleFrontier frontier, std::map<NodeKey, ledger::Digest>* nodes)
      : impl_(impl),
        entries_(entries),
        recorded_at_(recorded_at),
        tip_(tip),
        frontier_(std::move(frontier)),
        writer_(impl.Statements(), impl.View()),
        view_(impl.View()),
        nodes_(nodes) {
    JEJAK_CHECK(frontier_.size() == tip_.tree_size);
    receipt_.outcomes.reserve(entries.size());
  }

  // Appends (or replays) every pending entry in order. With `options.all_or_nothing`,
  // stops at the first failure and returns it, prefixed by "entry I: " if
  // `options.name_entries`; otherwise a failed entry's outcome holds its error and the
  // rest go on.
  Result<void> AppendAll(const GroupOptions& options) {
    const bool all_or_nothing = options.all_or_nothing;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      JEJAK_CHECK(entries_[i].body != nullptr);
      const PendingEntry& pending = entries_[i];
      EntryOutcome outcome{Error{Code::kInternal, "not appended", {}}, false, 0, std::nullopt};
      outcome.receipt = AppendOne(pending, outcome);
      if (!outcome.receipt && all_or_nothing) {
        Error error = outcome.receipt.error();
        if (options.name_entries) {
          error.message = "entry " + std::to_string(options.first_index + i) + ": " + error.message;
        }
        return error;
      }
      if (!pending.idempotency_key.empty() && outcome.receipt && !outcome.replayed) {
        group_keys_[{pending.recorded_by, pending.idempotency_key}] = receipt_.outcomes.size();
      }
      receipt_.outcomes.push_back(std::move(outcome));
    }
    return Ok();
  }

  // Signs the checkpoint over every entry appended and records it, with the
  // Idempotency-Keys of the new entries. Only after at least one entry was appended.
  Result<void> SignAndRecord() {
    JEJAK_CHECK(appended_ > 0);
    Result<std::string> origin =
        genesis_origin_.empty() ? impl_.LoadOrigin() : Result<std::string>(genesis_origin_);
    if (!origin) return origin.error();
    ledger::Checkpoint checkpoint{*origin, frontier_.size(), frontier_.Root(), tip_.chain_hash,
                                  recorded_at_};
    receipt_.checkpoint = ledger::SignCheckpoint(checkpoint, *impl_.signer);
    receipt_.tree_size = frontier_.size();
    soci::session& sql = impl_.sql;
    long long checkpoint_size = static_cast<long long>(frontier_.size());
    {
      NativeStatement& insert = impl_.Statements().insert_checkpoint;
      NativeStatement::RunScope run(insert);
      insert.Bind(1, checkpoint_size);
      insert.Bind(2, std::string_view(receipt_.checkpoint));
      insert.Execute();
    }
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      EntryOutcome& outcome = receipt_.outcomes[i];
      if (!outcome.receipt || outcome.replayed) continue;
      outcome.tree_size = frontier_.size();
      if (entries_[i].idempotency_key.empty()) continue;
      long long seq = outcome.receipt->seq;
      sql << "INSERT INTO idempotency (sub, idempotency_key, request_hash, seq, tree_size)"
             " VALUES (:s, :k, :h, :q, :t)",
          soci::use(entries_[i].recorded_by), soci::use(entries_[i].idempotency_key),
          soci::use(entries_[i].request_hash), soci::use(seq), soci::use(checkpoint_size);
    }
    for (EntryOutcome& outcome : receipt_.outcomes) {
      if (outcome.replayed && outcome.receipt && outcome.tree_size == 0) {
        outcome.tree_size = frontier_.size();  // Replay of an entry of this very group.
      }
    }
    return Ok();
  }

  std::size_t appended() const { return appended_; }
  const ledger::ChainTip& tip() const { return tip_; }
  const ledger::MerkleFrontier& frontier() const { return frontier_; }
  const std::string& genesis_origin() const { return genesis_origin_; }
  GroupReceipt& receipt() { return receipt_; }

 private:
  Result<AppendReceipt> AppendOne(const PendingEntry& pending, EntryOutcome& outcome) {
    if (!pending.idempotency_key.empty()) {
      std::optional<Result<AppendReceipt>> replayed = Replay(pending, outcome);
      if (replayed) return std::move(*replayed);
    }
    return AppendNew(pending);
  }

  // The outcome of an Idempotency-Key seen before (in this group or in an earlier
  // commit): the first entry again, or kConflict for another request. Nullopt if new.
  std::optional<Result<AppendReceipt>> Replay(const PendingEntry& pending, EntryOutcome& outcome) {
    auto in_group = group_keys_.find({pending.recorded_by, pending.idempotency_key});
    if (in_group != group_keys_.end()) {
      const EntryOutcome& first = receipt_.outcomes[in_group->second];
      if (entries_[in_group->second].request_hash != pending.request_hash) {
        return Error{Code::kConflict, "Idempotency-Key reused with a different request", {}};
      }
      if (!first.receipt) return first.receipt.error();
      outcome.replayed = true;
      return first.receipt.value();
    }
    soci::session& sql = impl_.sql;
    FlushWrites(sql);  // The entry it names may be one this transaction wrote.
    std::string stored_hash;
    long long stored_seq = 0;
    long long stored_size = 0;
    sql << "SELECT request_hash, seq, tree_size FROM idempotency"
           " WHERE sub = :s AND idempotency_key = :k",
        soci::into(stored_hash), soci::into(stored_seq), soci::into(stored_size),
        soci::use(pending.recorded_by), soci::use(pending.idempotency_key);
    if (!sql.got_data()) return std::nullopt;
    if (stored_hash != pending.request_hash) {
      return Error{Code::kConflict,
                   "Idempotency-Key already used for a different request (seq " +
                       std::to_string(stored_seq) + ")",
                   {}};
    }
    std::string canonical, leaf_hex, chain_hex;
    sql << "SELECT canonical, leaf_hash, chain_hash FROM entries WHERE seq = :s",
        soci::into(canonical), soci::into(leaf_hex), soci::into(chain_hex),
        soci::use(stored_seq);
    Result<ledger::Digest> leaf_hash = StoredDigest(leaf_hex, stored_seq, "leaf_hash");
    if (!leaf_hash) return leaf_hash.error();
    Result<ledger::Digest> chain_hash = StoredDigest(chain_hex, stored_seq, "chain_hash");
    if (!chain_hash) return chain_hash.error();
    outcome.replayed = true;
    outcome.tree_size = static_cast<std::uint64_t>(stored_size);
    return AppendReceipt{stored_seq, std::move(canonical), *leaf_hash, *chain_hash};
  }

  // Checks `pending` against the ledger and the group so far, seals it onto the tip and
  // writes it. Any error leaves nothing of this entry written.
  Result<AppendReceipt> AppendNew(const PendingEntry& pending) {
    const nlohmann::json& body = *pending.body;
    const std::int64_t seq = static_cast<std::int64_t>(frontier_.size());
    const bool is_genesis = body.is_object() && body.value("kind", "") == "genesis";
    if (is_genesis != (seq == 0)) {
      return InvalidArgument(seq == 0 ? "the first entry must be the genesis entry"
                                      : "the ledger already has a genesis entry",
                             {{"kind", "genesis only as seq 0"}});
    }
    if (!is_genesis) {
      Result<void> checked = ledger::CheckAgainstLedger(body, view_);
      if (!checked) return checked.error();
    }
    if (pending.recorded_by.empty() ||
        pending.recorded_by.size() > ledger::kIdentifierBytesMax) {
      return InvalidArgument("recorded_by must be 1 to 64 bytes",
                             {{"recorded_by", "bad length"}});
    }
    const nlohmann::json entry = ledger::StampAt(tip_, body, recorded_at_, pending.recorded_by);
    Result<ledger::EntryColumns> columns = ledger::DeriveColumns(entry);
    if (!columns) {
      return InvalidArgument("entry does not validate: " + columns.error().message,
                             columns.error().fields);
    }
    std::string canonical = ledger::Canonicalize(entry);
    if (const std::size_t limit = ledger::EntryBytesMaxOfKind(columns->kind);
        canonical.size() > limit) {
      return Error{Code::kTooLarge, "entry is larger than " + std::to_string(limit) + " bytes",
                   {}};
    }
    // A reversal takes its original's amount out of the aggregates: find it before
    // anything is written, so a failure here leaves nothing half-written in the group.
    Result<std::optional<ledger::EntryColumns>> reversed = writer_.ReversedOriginal(*columns);
    if (!reversed) return reversed.error();
    // The last check before writing: the year totals (ledger/totals.h). Past it,
    // only a database error (which fails the whole group) can stop this entry.
    if (columns->fiscal_year && !impl_.totals_years.contains(*columns->fiscal_year)) {
      if (Result<void> year = impl_.LoadYearTotals(*columns->fiscal_year); !year) {
        return year.error();
      }
    }
    if (Result<void> within = impl_.totals.Add(*columns); !within) return within.error();

    ledger::SealedEntry sealed = ledger::Seal(tip_, std::move(canonical));
    const std::vector<ledger::MerkleFrontier::CompletedNode> completed =
        frontier_.Append(sealed.leaf_hash);
    writer_.Write(*columns, sealed, *reversed, completed);
    if (nodes_ != nullptr) {
      for (const ledger::MerkleFrontier::CompletedNode& node : completed) {
        nodes_->emplace(NodeKey{node.id.level, node.id.index}, node.hash);
      }
    }
    tip_ = ledger::ChainTip{frontier_.size(), sealed.chain_hash};
    if (is_genesis) genesis_origin_ = body["origin"].get<std::string>();
    ++appended_;
    return AppendReceipt{sealed.seq, std::move(sealed.canonical), sealed.leaf_hash,
                         sealed.chain_hash};
  }

  StoreImpl& impl_;
  const std::vector<PendingEntry>& entries_;
  const std::string& recorded_at_;
  ledger::ChainTip tip_;
  ledger::MerkleFrontier frontier_;
  LedgerRowWriter writer_;
  SqlLedgerView& view_;
  std::map<NodeKey, ledger::Digest>* nodes_;  // Completed nodes are added here, if set.
  std::string genesis_origin_;  // Set when this group holds the genesis entry.
  GroupReceipt receipt_;
  // Idempotency keys first seen in this group: (sub, key) -> outcome index.
  std::map<std::pair<std::string, std::string>, std::size_t> group_keys_;
  std::size_t appended_ = 0;
};

// Drops what the store remembers of the ledger (StoreImpl::DropCaches) on scope exit
// unless `valid` was set (the transaction committed, or changed nothing).
struct CacheGuard {
  StoreImpl& impl;
  bool valid = false;
  ~CacheGuard() {
    if (!valid) impl.DropCaches();
  }
};

// One group inside the caller's open write transaction: starts where the store's last
// group left the ledger if it still has that size (StoreImpl::next_group), else reads the
// tip and the frontier; appends (or replays) every entry and signs one checkpoint over
// them; and records where the next group starts (the caller's CacheGuard drops it unless
// the transaction commits). With `options.proofs`, every outcome at the group's tree size
// gets its inclusion proof, computed from the frontier's nodes and the nodes the group
// completed (no stored node is read again). `appended` receives the number of entries
// written and `tip` the new tip.
Result<GroupReceipt> RunGroup(StoreImpl& impl, const std::vector<PendingEntry>& entries,
                              const std::string& recorded_at, const GroupOptions& options,
                              std::size_t& appended, ledger::ChainTip& tip) {
  const bool proofs = options.proofs;
  const std::uint64_t first_size = impl.Size();
  // What this store remembers is of the ledger it last wrote. Entries another process
  // appended since are added to it (CatchUp: only those entries are read); anything else
  // (a rolled-back group, an unreadable entry) means reading it all again.
  if (impl.totals_tree_size && *impl.totals_tree_size < first_size) {
    if (Result<void> caught_up = impl.CatchUp(*impl.totals_tree_size, first_size); !caught_up) {
      impl.DropCaches();
    }
  } else if (impl.totals_tree_size != first_size) {
    impl.DropCaches();
  }
  if (!impl.next_group || impl.next_group->tip.tree_size != first_size) {
    Result<GroupStart> loaded = LoadGroupStart(impl, first_size);
    if (!loaded) return loaded.error();
    impl.next_group = std::move(loaded).value();
  }
  const GroupStart& start = *impl.next_group;
  if (Result<void> clock = CheckClock(recorded_at, start); !clock) return clock.error();
  std::map<NodeKey, ledger::Digest> nodes;  // The frontier's, then the group's.
  for (const ledger::MerkleFrontier::CompletedNode& node : start.frontier_nodes) {
    nodes.emplace(NodeKey{node.id.level, node.id.index}, node.hash);
  }

  GroupAppend group(impl, entries, recorded_at, start.tip, start.frontier, &nodes);
  if (Result<void> all = group.AppendAll(options); !all) return all.error();
  GroupReceipt& receipt = group.receipt();
  appended = group.appended();
  tip = group.tip();
  if (appended == 0) {
    receipt.tree_size = first_size;  // Only failures and replays: nothing to sign.
    return std::move(receipt);
  }
  if (Result<void> signed_checkpoint = group.SignAndRecord(); !signed_checkpoint) {
    return signed_checkpoint.error();
  }
  if (!group.genesis_origin().empty()) impl.origin = group.genesis_origin();
  GroupStart next{group.tip(), recorded_at, group.frontier(), {}};
  for (const ledger::NodeId& id : ledger::MerkleFrontier::FrontierNodes(tip.tree_size)) {
    auto found = nodes.find(NodeKey{id.level, id.index});
    JEJAK_CHECK(found != nodes.end());  // The old frontier's or completed by the group.
    next.frontier_nodes.push_back({id, found->second});
  }
  impl.next_group = std::move(next);
  if (proofs) {
    const ledger::NodeReader in_memory = [&nodes](ledger::NodeId id) -> Result<ledger::Digest> {
      auto found = nodes.find(NodeKey{id.level, id.index});
      JEJAK_CHECK(found != nodes.end());  // Every node a proof at this size needs is here.
      return found->second;
    };
    for (EntryOutcome& outcome : receipt.outcomes) {
      if (!outcome.receipt || outcome.tree_size != receipt.tree_size) continue;
      Result<std::vector<ledger::Digest>> proof = ledger::InclusionProof(
          static_cast<std::uint64_t>(outcome.receipt->seq), receipt.tree_size, in_memory);
      if (!proof) return proof.error();
      outcome.inclusion_proof = std::move(proof).value();
    }
  }
  return std::move(receipt);
}

// Writes the checkpoint of a committed transaction outside the database
// (StoreOptions::kept_checkpoint), then reads the last entry back and checks it is `tip`.
void AfterCommit(StoreImpl& impl, const ledger::ChainTip& tip, const std::string& checkpoint) {
  if (!impl.kept_checkpoint.empty()) {
    // The commit stands whatever happens here; a failure only weakens the rewind check
    // until the next commit, so it is an alert, not a failed append.
    if (Result<void> kept = KeepCheckpoint(impl.kept_checkpoint, tip.tree_size, checkpoint);
        !kept) {
      // An alert: until a later commit keeps one, a rewind past this commit would go
      // unnoticed at start-up.
      std::fprintf(stderr, "%s\n",
                   nlohmann::json{{"event", "db.keep_checkpoint"}, {"alert", true},
                                  {"error", kept.error().message}}
                       .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                       .c_str());
    }
  }
  // Pair assertion: read the last entry back and check what was committed.
  NativeStatement& read = impl.Statements().entry_tip;
  NativeStatement::RunScope run(read);
  read.Bind(1, static_cast<long long>(tip.tree_size) - 1);
  JEJAK_CHECK(read.Step());
  JEJAK_CHECK(read.Text(0) == Hex(tip.chain_hash));
}

}  // namespace

Result<BatchReceipt> Store::Append(const std::vector<PendingEntry>& entries,
                                   const std::string& recorded_at, bool dry_run) {
  return Append(entries, [&recorded_at]() { return recorded_at; }, dry_run);
}

Result<BatchReceipt> Store::Append(const std::vector<PendingEntry>& entries,
                                   const std::function<std::string()>& clock, bool dry_run) {
  Result<GroupReceipt> group = AppendGroupImpl(entries, clock, dry_run, /*all_or_nothing=*/true);
  if (!group) return group.error();
  BatchReceipt receipt;
  receipt.checkpoint = std::move(group->checkpoint);
  receipt.tree_size = group->tree_size;
  for (EntryOutcome& outcome : group->outcomes) {
    JEJAK_CHECK(outcome.receipt.has_value());  // All or nothing returned early otherwise.
    receipt.entries.push_back(std::move(outcome.receipt).value());
  }
  return receipt;
}

Result<GroupReceipt> Store::AppendGroup(const std::vector<PendingEntry>& entries,
                                        const std::string& recorded_at) {
  return AppendGroupImpl(
      entries, [&recorded_at]() { return recorded_at; }, /*dry_run=*/false,
      /*all_or_nothing=*/false);
}

Result<GroupReceipt> Store::AppendGroup(const std::vector<PendingEntry>& entries,
                                        const std::function<std::string()>& clock) {
  return AppendGroupImpl(entries, clock, /*dry_run=*/false, /*all_or_nothing=*/false);
}

Result<GroupReceipt> Store::AppendGroupImpl(const std::vector<PendingEntry>& entries,
                                            const std::function<std::string()>& clock,
                                            bool dry_run, bool all_or_nothing) {
  JEJAK_CHECK(impl_->signer.has_value());  // Appending without a key is a wiring bug.
  if (entries.empty()) return InvalidArgument("nothing to append");
  try {
    WriteTransaction transaction(impl_->sql);
    DeferredWrites pipeline(impl_->sql);  // One round trip per query on PostgreSQL, not per row.
    // Read with the lock held: whatever another process committed is older than this.
    const std::string recorded_at = clock();
    CacheGuard cache_guard{*impl_};  // Valid once the group commits.
    std::size_t appended = 0;
    ledger::ChainTip tip;
    GroupOptions options;
    options.all_or_nothing = all_or_nothing;
    options.proofs = !all_or_nothing && !dry_run;  // The server's groups; Append needs none.
    options.name_entries = entries.size() > 1;
    Result<GroupReceipt> group = RunGroup(*impl_, entries, recorded_at, options, appended, tip);
    if (!group) return group.error();
    group->recorded_at = recorded_at;
    if (appended == 0 || dry_run) {
      // Nothing new (only failures and replays; no total changed), or a dry run.
      transaction.Rollback();
      if (appended == 0) {
        impl_->totals_tree_size = tip.tree_size;
        cache_guard.valid = true;
      }
      return group;
    }
    transaction.Commit();
    impl_->totals_tree_size = tip.tree_size;
    cache_guard.valid = true;
    AfterCommit(*impl_, tip, group->checkpoint);
    return group;
  } catch (const std::exception& e) {
    return StorageError("db.append", e);
  }
}

Result<StreamReceipt> Store::AppendStream(const EntrySource& next, std::size_t batch_max,
                                          const std::function<std::string()>& clock) {
  JEJAK_CHECK(impl_->signer.has_value());  // Appending without a key is a wiring bug.
  JEJAK_CHECK(batch_max >= 1);
  try {
    WriteTransaction transaction(impl_->sql);
    DeferredWrites pipeline(impl_->sql);  // One round trip per query on PostgreSQL, not per row.
    CacheGuard cache_guard{*impl_};  // Valid once everything commits.
    StreamReceipt receipt;
    ledger::ChainTip tip;
    std::size_t before = 0;  // Entries taken from `next` in earlier groups.
    Result<std::vector<PendingEntry>> current = next(batch_max);
    while (current && !current->empty()) {
      JEJAK_CHECK(current->size() <= batch_max);
      // One group ahead, to know whether the input holds more than one entry: a failed
      // entry is then named by its place in the whole input, as one big batch would.
      Result<std::vector<PendingEntry>> following = next(batch_max);
      if (!following) return following.error();
      GroupOptions options;
      options.first_index = before;
      options.name_entries = before + current->size() > 1 || !following->empty();
      std::size_t appended = 0;
      Result<GroupReceipt> group = RunGroup(*impl_, *current, clock(), options, appended, tip);
      if (!group) return group.error();
      impl_->totals_tree_size = tip.tree_size;  // The next group builds on this one.
      before += current->size();
      if (receipt.appended == 0) receipt.first_seq = group->outcomes.front().receipt->seq;
      receipt.appended += appended;
      receipt.checkpoint = std::move(group->checkpoint);
      receipt.tree_size = group->tree_size;
      current = std::move(following);
    }
    if (!current) return current.error();
    if (receipt.appended == 0) return InvalidArgument("nothing to append");
    transaction.Commit();
    cache_guard.valid = true;
    AfterCommit(*impl_, tip, receipt.checkpoint);
    return receipt;
  } catch (const std::exception& e) {
    return StorageError("db.append", e);
  }
}

}  // namespace jejak::db
