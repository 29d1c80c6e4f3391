// The Store's state and the reads its source files share (db/store.cc, append.cc,
// verify.cc, summaries.cc): the database session, the statements prepared once for its
// life, the signer, the year totals and OPD registry the append keeps, Merkle node reads,
// and the ledger view the append rules query. Internal to db/.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "db/audit_facts.h"
#include "db/sql_util.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/seal.h"
#include "ledger/totals.h"

namespace jejak::db {

// One expenditure's (+1) or its reversal's (-1) change to the realisation aggregates.
struct RealisationDelta {
  long long fiscal_year = 0;
  std::string opd, account_group, instrument, month, value_date, sub_activity, account;
  long long amount_sen = 0;
  long long entries = 0;

  // The change `expenditure` (an expenditure's columns) makes with `sign` +1, or its
  // reversal makes with -1.
  void Set(const ledger::EntryColumns& expenditure, int sign);
};

// Ledger state as the append transaction sees it, earlier entries of the batch included.
// Reads through `sql`, which must outlive the view; throws soci_error like the session.
// Its statements are prepared on first use and kept for the view's life. It remembers
// the OPD codes it found registered (a registration is never undone once committed):
// whoever keeps a view across transactions must call ForgetCached() whenever one that
// may have read an uncommitted registration rolls back.
class SqlLedgerView final : public ledger::LedgerView {
 public:
  explicit SqlLedgerView(soci::session& sql);
  ~SqlLedgerView() override;

  Result<std::optional<std::int64_t>> SeqOfBankRef(std::string_view bank_ref) override;
  Result<std::optional<ledger::EntryColumns>> Columns(std::int64_t seq) override;
  Result<std::optional<std::int64_t>> ReversalOf(std::int64_t seq) override;
  Result<bool> OpdRegistered(std::string_view code) override;
  Result<Refunded> RefundsOf(std::int64_t seq) override;
  Result<std::vector<ledger::StatementPeriod>> StatementsOfAccount(
      std::string_view account_no) override;

  // Drops the OPD codes remembered as registered.
  void ForgetCached();

 private:
  struct Statements;  // Prepared on first use.
  Statements& Prepared();

  soci::session& sql_;
  std::unique_ptr<Statements> statements_;
  std::set<std::string, std::less<>> registered_opds_;
};

// The statements the append runs for every entry and every group, and the Merkle node
// read every proof makes, prepared once for the session's life (StoreImpl::Statements).
struct StoreStatements {
  explicit StoreStatements(soci::session& sql);

  NativeStatement insert_entry;    // kEntryColumnNames, in order.
  NativeStatement upsert_monthly;  // fiscal_year, opd, account_group, instrument, month, amount, entries.
  NativeStatement upsert_daily;    // fiscal_year, value_date, opd, account_group, instrument, amount, entries.
  NativeStatement upsert_lines;    // fiscal_year, opd, sub_activity, account, month, amount, entries.
  NativeStatement insert_node;     // level, node_index, completed_seq, hash.
  NativeStatement read_node;       // level, node_index -> hash.
  NativeStatement entry_tip;       // seq -> chain_hash, recorded_at.
  NativeStatement max_seq;         // -> MAX(seq).
  NativeStatement insert_checkpoint;  // tree_size, note.
  NativeStatement insert_fact;        // AuditFactsInsertSql's columns.
  NativeStatement insert_bank_statement;  // BankStatementInsertSql's columns.
};

// Writes one sealed entry's rows, the one path both the append (db/append.cc) and the
// import (db/import.cc) write through: the entry with its derived columns, an
// expenditure's audit facts, a bank statement's bank_statements row, its change to the realisation aggregates (an expenditure
// adds its amount, a reversal takes its original's out) and the Merkle nodes its leaf
// completes. Through the statements the store prepared once (StoreStatements) and the
// store's ledger view; both must outlive it. Throws soci_error like the session.
class LedgerRowWriter {
 public:
  LedgerRowWriter(StoreStatements& statements, SqlLedgerView& view);

  // What writing `columns` needs from earlier entries, read before anything of the entry
  // is written (so a failure leaves nothing half-written): a reversal's original
  // expenditure; nullopt for other kinds. kDataLoss if the reversed entry is not a
  // stored expenditure (CheckAgainstLedger ran before, so only damage gets here).
  Result<std::optional<ledger::EntryColumns>> ReversedOriginal(const ledger::EntryColumns& columns);

  // Writes the entry `sealed` with its derived `columns`, its audit facts, its share of
  // the realisation aggregates (`reversed`: what ReversedOriginal gave) and the Merkle
  // nodes `completed` its leaf completed.
  void Write(const ledger::EntryColumns& columns, const ledger::SealedEntry& sealed,
             const std::optional<ledger::EntryColumns>& reversed,
             const std::vector<ledger::MerkleFrontier::CompletedNode>& completed);

 private:
  void InsertEntry(const ledger::EntryColumns& columns, const ledger::SealedEntry& sealed);
  void AddRealisation(const ledger::EntryColumns& expenditure, int sign);
  void InsertNode(const ledger::MerkleFrontier::CompletedNode& node, std::int64_t seq);

  StoreStatements& statements_;
  SqlLedgerView& view_;
  AuditFactsWriter audit_facts_;
  EntryRow row_;
};

// Where a group starts: the newest entry's chain tip and recorded_at, and the Merkle
// frontier of the ledger with its perfect nodes (what a group's proofs are made from).
struct GroupStart {
  ledger::ChainTip tip;
  std::string last_recorded_at;  // Empty for an empty ledger.
  ledger::MerkleFrontier frontier;
  std::vector<ledger::MerkleFrontier::CompletedNode> frontier_nodes;
};

// A Store's state (Store::impl_). Its methods throw soci_error like the session; the
// Store's public methods catch at their boundary. The session is declared first, so the
// statements prepared on it are finalized before it closes.
struct StoreImpl {
  soci::session sql;
  std::optional<ledger::NoteSigner> signer;
  std::string kept_checkpoint;  // StoreOptions::kept_checkpoint.
  std::string origin;  // From the genesis entry, once there is one.

  // What the append remembers of the first `totals_tree_size` entries: the year totals
  // (ledger/totals.h) of the fiscal years in `totals_years` (loaded on first use), the
  // OPD codes View() found registered, and where the next group starts (set by each
  // group, for that size). Dropped together (DropCaches) whenever the ledger may have
  // changed without this store (another process appended, a transaction rolled back).
  ledger::YearTotals totals;
  std::set<std::int64_t> totals_years;
  std::optional<std::uint64_t> totals_tree_size;
  std::optional<GroupStart> next_group;

  void DropCaches();
  // Brings what the append remembers from the first `from` entries to the first `to`
  // (another process appended entries [from, to), committed): their amounts are added to
  // the loaded years' totals, and the next group's start and the OPD cache are forgotten.
  // Reads only those entries, not each year's again. Inside the caller's transaction.
  // kDataLoss if one of them is unreadable; the caller then drops everything.
  Result<void> CatchUp(std::uint64_t from, std::uint64_t to);
  // Prepared on first use; valid while this StoreImpl lives.
  StoreStatements& Statements();
  // The ledger view the append checks against, kept for this StoreImpl's life.
  SqlLedgerView& View();
  // Reads `fiscal_year`'s totals from the entries (inside the caller's transaction).
  // kDataLoss if the stored monthly plans are unreadable or overflow.
  Result<void> LoadYearTotals(std::int64_t fiscal_year);
  // Reads stored Merkle nodes; kDataLoss for a missing node or one that is not a hash.
  // Valid while this StoreImpl lives.
  ledger::NodeReader Reader();
  // Number of entries (MAX(seq) + 1).
  std::uint64_t Size();
  // The genesis entry's origin (cached). kNotFound without genesis, kDataLoss if unreadable.
  Result<std::string> LoadOrigin();

 private:
  std::unique_ptr<StoreStatements> statements_;
  std::unique_ptr<SqlLedgerView> view_;
};

}  // namespace jejak::db
