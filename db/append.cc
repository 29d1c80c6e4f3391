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

// The prepared statements that write one entry, its share of the realisation aggregates
// and the Merkle nodes it completes, each bound once to the members it reads.
class EntryWriter {
 public:
  explicit EntryWriter(soci::session& sql)
      : insert_entry_(
            (sql.prepare << "INSERT INTO entries (" << kEntryColumnNames
                         << ") VALUES (:seq, :canonical, :leaf_hash, :chain_hash, :kind,"
                            " :recorded_at, :recorded_by, :fiscal_year, :opd, :sub_activity,"
                            " :account, :instrument, :mechanism, :value_date, :bank_ref,"
                            " :payee_account, :payee_npwp, :tax_type, :amount_sen, :net_sen,"
                            " :tax_sen, :reverses, :evidence_no, :evidence_date, :tax_detail,"
                            " :covers, :monthly_plan, :refunds)",
             soci::use(row_.seq), soci::use(row_.canonical), soci::use(row_.leaf_hash),
             soci::use(row_.chain_hash), soci::use(row_.kind), soci::use(row_.recorded_at),
             soci::use(row_.recorded_by), soci::use(row_.fiscal_year.value, row_.fiscal_year.indicator),
             soci::use(row_.opd.value, row_.opd.indicator),
             soci::use(row_.sub_activity.value, row_.sub_activity.indicator),
             soci::use(row_.account.value, row_.account.indicator),
             soci::use(row_.instrument.value, row_.instrument.indicator),
             soci::use(row_.mechanism.value, row_.mechanism.indicator),
             soci::use(row_.value_date.value, row_.value_date.indicator),
             soci::use(row_.bank_ref.value, row_.bank_ref.indicator),
             soci::use(row_.payee_account.value, row_.payee_account.indicator),
             soci::use(row_.payee_npwp.value, row_.payee_npwp.indicator),
             soci::use(row_.tax_type.value, row_.tax_type.indicator),
             soci::use(row_.amount_sen.value, row_.amount_sen.indicator),
             soci::use(row_.net_sen.value, row_.net_sen.indicator),
             soci::use(row_.tax_sen.value, row_.tax_sen.indicator),
             soci::use(row_.reverses.value, row_.reverses.indicator),
             soci::use(row_.evidence_no.value, row_.evidence_no.indicator),
             soci::use(row_.evidence_date.value, row_.evidence_date.indicator),
             soci::use(row_.tax_detail.value, row_.tax_detail.indicator),
             soci::use(row_.covers.value, row_.covers.indicator),
             soci::use(row_.monthly_plan.value, row_.monthly_plan.indicator),
             soci::use(row_.refunds.value, row_.refunds.indicator))),
        // Realisation aggregates: one upsert per table for each expenditure (+) or
        // reversal (- the original's amount); refunds are read from the entries.
        upsert_monthly_(
            (sql.prepare << "INSERT INTO realisation_monthly (fiscal_year, opd, account_group,"
                            " instrument, month, amount_sen, entries)"
                            " VALUES (:y, :o, :g, :i, :m, :a, :n)"
                            " ON CONFLICT (fiscal_year, opd, account_group, instrument, month)"
                            " DO UPDATE SET amount_sen = realisation_monthly.amount_sen + excluded.amount_sen,"
                            " entries = realisation_monthly.entries + excluded.entries",
             soci::use(delta_.fiscal_year), soci::use(delta_.opd), soci::use(delta_.account_group),
             soci::use(delta_.instrument), soci::use(delta_.month), soci::use(delta_.amount_sen),
             soci::use(delta_.entries))),
        upsert_daily_(
            (sql.prepare << "INSERT INTO realisation_daily (fiscal_year, value_date, opd,"
                            " account_group, instrument, amount_sen, entries)"
                            " VALUES (:y, :d, :o, :g, :i, :a, :n)"
                            " ON CONFLICT (fiscal_year, value_date, opd, account_group, instrument)"
                            " DO UPDATE SET amount_sen = realisation_daily.amount_sen + excluded.amount_sen,"
                            " entries = realisation_daily.entries + excluded.entries",
             soci::use(delta_.fiscal_year), soci::use(delta_.value_date), soci::use(delta_.opd),
             soci::use(delta_.account_group), soci::use(delta_.instrument), soci::use(delta_.amount_sen),
             soci::use(delta_.entries))),
        upsert_lines_(
            (sql.prepare << "INSERT INTO realisation_lines (fiscal_year, opd, sub_activity,"
                            " account, month, amount_sen, entries)"
                            " VALUES (:y, :o, :s, :a, :m, :v, :n)"
                            " ON CONFLICT (fiscal_year, opd, sub_activity, account, month)"
                            " DO UPDATE SET amount_sen = realisation_lines.amount_sen + excluded.amount_sen,"
                            " entries = realisation_lines.entries + excluded.entries",
             soci::use(delta_.fiscal_year), soci::use(delta_.opd), soci::use(delta_.sub_activity),
             soci::use(delta_.account), soci::use(delta_.month), soci::use(delta_.amount_sen),
             soci::use(delta_.entries))),
        insert_node_(
            (sql.prepare << "INSERT INTO merkle_nodes (level, node_index, completed_seq, hash)"
                            " VALUES (:l, :i, :c, :h)",
             soci::use(node_level_), soci::use(node_index_), soci::use(node_completed_),
             soci::use(node_hash_))) {}

  // Inserts the sealed entry with its derived `columns`.
  void InsertEntry(const ledger::EntryColumns& columns, const ledger::SealedEntry& sealed) {
    row_.Set(columns);
    JEJAK_CHECK(row_.seq == sealed.seq);  // Stamped and sealed at the same seq.
    row_.canonical = sealed.canonical;
    row_.leaf_hash = Hex(sealed.leaf_hash);
    row_.chain_hash = Hex(sealed.chain_hash);
    insert_entry_.execute(true);
  }

  // Adds `expenditure` (its columns) with `sign` to both realisation tables.
  void AddRealisation(const ledger::EntryColumns& expenditure, int sign) {
    delta_.Set(expenditure, sign);
    upsert_monthly_.execute(true);
    upsert_daily_.execute(true);
    upsert_lines_.execute(true);
  }

  // Inserts `node`, completed by the leaf of `seq`.
  void InsertNode(const ledger::MerkleFrontier::CompletedNode& node, std::int64_t seq) {
    node_level_ = static_cast<int>(node.id.level);
    node_index_ = static_cast<long long>(node.id.index);
    node_completed_ = seq;
    node_hash_ = Hex(node.hash);
    insert_node_.execute(true);
  }

 private:
  // Bound values first: the statements below are prepared with their addresses.
  EntryRow row_;
  RealisationDelta delta_;
  int node_level_ = 0;
  long long node_index_ = 0;
  long long node_completed_ = 0;
  std::string node_hash_;
  soci::statement insert_entry_;
  soci::statement upsert_monthly_;
  soci::statement upsert_daily_;
  soci::statement upsert_lines_;
  soci::statement insert_node_;
};

// The tip a group is sealed onto: the stored chain hash of the newest entry. Refuses
// (kUnavailable) while the clock is behind the newest entry; kDataLoss if its chain hash
// is missing or not a hash.
Result<ledger::ChainTip> LoadTip(soci::session& sql, std::uint64_t tree_size,
                                 const std::string& recorded_at) {
  ledger::ChainTip tip{tree_size, ledger::kChainSeed};
  if (tree_size == 0) return tip;
  std::string hex;
  std::string last_recorded_at;
  long long last = static_cast<long long>(tree_size - 1);
  sql << "SELECT chain_hash, recorded_at FROM entries WHERE seq = :s", soci::into(hex),
      soci::into(last_recorded_at), soci::use(last);
  // Never chain onto zeros: a tip that is not a hash stops every append.
  std::optional<ledger::Digest> chain_hash = crypto::DigestFromHex(hex);
  if (!sql.got_data() || !chain_hash) {
    return Error{Code::kDataLoss,
                 "the chain hash of seq " + std::to_string(last) + " is missing or not a hash",
                 {}};
  }
  tip.chain_hash = *chain_hash;
  // Time never runs backwards (DESIGN): with the clock behind the newest entry, every
  // append is refused until it catches up, rather than stamped into the past.
  if (recorded_at < last_recorded_at) {
    return Error{Code::kUnavailable,
                 "the clock (" + recorded_at + ") is behind the newest entry (" +
                     last_recorded_at + "); appends wait until it catches up",
                 {}};
  }
  return tip;
}

// One group commit in progress, inside the caller's write transaction: appends or
// replays each pending entry, then signs and records one checkpoint over them. Holds
// references to `impl` and `entries`, which must outlive it.
class GroupAppend {
 public:
  GroupAppend(StoreImpl& impl, const std::vector<PendingEntry>& entries,
              const std::string& recorded_at, const ledger::ChainTip& tip,
              ledger::MerkleFrontier frontier)
      : impl_(impl),
        entries_(entries),
        recorded_at_(recorded_at),
        tip_(tip),
        frontier_(std::move(frontier)),
        writer_(impl.sql),
        view_(impl.sql) {
    JEJAK_CHECK(frontier_.size() == tip_.tree_size);
    receipt_.outcomes.reserve(entries.size());
  }

  // Appends (or replays) every pending entry in order. With `all_or_nothing`, stops at
  // the first failure and returns it, prefixed by "entry I: " when there is more than
  // one entry; otherwise a failed entry's outcome holds its error and the rest go on.
  Result<void> AppendAll(bool all_or_nothing) {
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      JEJAK_CHECK(entries_[i].body != nullptr);
      const PendingEntry& pending = entries_[i];
      EntryOutcome outcome{Error{Code::kInternal, "not appended", {}}, false, 0};
      outcome.receipt = AppendOne(pending, outcome);
      if (!outcome.receipt && all_or_nothing) {
        Error error = outcome.receipt.error();
        if (entries_.size() > 1) error.message = "entry " + std::to_string(i) + ": " + error.message;
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
    sql << "INSERT INTO checkpoints (tree_size, note) VALUES (:s, :n)",
        soci::use(checkpoint_size), soci::use(receipt_.checkpoint);
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
    if (canonical.size() > ledger::kEntryBytesMax) {
      return Error{Code::kTooLarge,
                   "entry is larger than " + std::to_string(ledger::kEntryBytesMax) + " bytes",
                   {}};
    }
    // A reversal takes its original's amount out of the aggregates: find it before
    // anything is written, so a failure here leaves nothing half-written in the group.
    std::optional<ledger::EntryColumns> reversed;
    if (columns->kind == "reversal") {
      Result<std::optional<ledger::EntryColumns>> original = view_.Columns(*columns->reverses);
      if (!original) return original.error();
      if (!original->has_value() || (*original)->kind != "expenditure") {
        return Error{Code::kDataLoss, "the reversed entry is not an expenditure", {}};
      }
      reversed = std::move(original).value();
    }
    // The last check before writing: the year totals (ledger/totals.h). Past it,
    // only a database error (which fails the whole group) can stop this entry.
    if (columns->fiscal_year && !impl_.totals_years.contains(*columns->fiscal_year)) {
      if (Result<void> year = impl_.LoadYearTotals(*columns->fiscal_year); !year) {
        return year.error();
      }
    }
    if (Result<void> within = impl_.totals.Add(*columns); !within) return within.error();

    ledger::SealedEntry sealed = ledger::Seal(tip_, std::move(canonical));
    writer_.InsertEntry(*columns, sealed);
    audit_facts_.Add(*columns, sealed.canonical);  // An expenditure's audit facts.
    if (columns->kind == "expenditure") {
      writer_.AddRealisation(*columns, +1);
    } else if (reversed) {
      writer_.AddRealisation(*reversed, -1);
    }
    for (const ledger::MerkleFrontier::CompletedNode& node : frontier_.Append(sealed.leaf_hash)) {
      writer_.InsertNode(node, sealed.seq);
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
  EntryWriter writer_;
  AuditFactsWriter audit_facts_{impl_.sql};
  SqlLedgerView view_;
  std::string genesis_origin_;  // Set when this group holds the genesis entry.
  GroupReceipt receipt_;
  // Idempotency keys first seen in this group: (sub, key) -> outcome index.
  std::map<std::pair<std::string, std::string>, std::size_t> group_keys_;
  std::size_t appended_ = 0;
};

// Drops the store's year totals on scope exit unless `valid` was set (the group
// committed, or changed nothing).
struct TotalsGuard {
  StoreImpl& impl;
  bool valid = false;
  ~TotalsGuard() {
    if (!valid) impl.DropTotals();
  }
};

}  // namespace

Result<BatchReceipt> Store::Append(const std::vector<PendingEntry>& entries,
                                   const std::string& recorded_at, bool dry_run) {
  Result<GroupReceipt> group = AppendGroupImpl(entries, recorded_at, dry_run, /*all_or_nothing=*/true);
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
  return AppendGroupImpl(entries, recorded_at, /*dry_run=*/false, /*all_or_nothing=*/false);
}

Result<GroupReceipt> Store::AppendGroupImpl(const std::vector<PendingEntry>& entries,
                                            const std::string& recorded_at, bool dry_run,
                                            bool all_or_nothing) {
  JEJAK_CHECK(impl_->signer.has_value());  // Appending without a key is a wiring bug.
  if (entries.empty()) return InvalidArgument("nothing to append");
  soci::session& sql = impl_->sql;
  try {
    WriteTransaction transaction(sql);
    const std::uint64_t first_size = impl_->Size();
    Result<ledger::ChainTip> tip = LoadTip(sql, first_size, recorded_at);
    if (!tip) return tip.error();
    // The year totals this store holds are those of the ledger it last wrote; anything
    // else (another writer, a rolled-back group) means reading them again.
    if (impl_->totals_tree_size != first_size) impl_->DropTotals();
    TotalsGuard totals_guard{*impl_};  // Valid once the group commits.
    Result<ledger::MerkleFrontier> frontier =
        ledger::MerkleFrontier::Load(first_size, impl_->Reader());
    if (!frontier) return frontier.error();

    GroupAppend group(*impl_, entries, recorded_at, *tip, std::move(frontier).value());
    if (Result<void> all = group.AppendAll(all_or_nothing); !all) return all.error();
    GroupReceipt& receipt = group.receipt();
    if (group.appended() == 0) {
      // Only failures and replays: nothing to commit or sign, and no total changed.
      transaction.Rollback();
      receipt.tree_size = first_size;
      impl_->totals_tree_size = first_size;
      totals_guard.valid = true;
      return std::move(receipt);
    }
    if (Result<void> signed_checkpoint = group.SignAndRecord(); !signed_checkpoint) {
      return signed_checkpoint.error();
    }
    if (dry_run) {
      transaction.Rollback();
      return std::move(receipt);
    }
    transaction.Commit();
    const std::uint64_t tree_size = group.tip().tree_size;
    impl_->totals_tree_size = tree_size;
    totals_guard.valid = true;
    if (!group.genesis_origin().empty()) impl_->origin = group.genesis_origin();
    if (!impl_->kept_checkpoint.empty()) {
      // The commit stands whatever happens here; a failure only weakens the rewind check
      // until the next commit, so it is an alert, not a failed append.
      if (Result<void> kept = KeepCheckpoint(impl_->kept_checkpoint, tree_size,
                                             receipt.checkpoint);
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
    std::string stored_chain;
    long long last = static_cast<long long>(tree_size) - 1;
    sql << "SELECT chain_hash FROM entries WHERE seq = :s", soci::into(stored_chain),
        soci::use(last);
    JEJAK_CHECK(stored_chain == Hex(group.tip().chain_hash));
    return std::move(receipt);
  } catch (const std::exception& e) {
    return StorageError("db.append", e);
  }
}

}  // namespace jejak::db
