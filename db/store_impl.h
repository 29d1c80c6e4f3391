// The Store's state and the reads its source files share (db/store.cc, append.cc,
// verify.cc, summaries.cc): the database session, the signer, the year totals the append
// keeps, Merkle node reads, and the ledger view the append rules query. Internal to db/.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "base/result.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
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
class SqlLedgerView final : public ledger::LedgerView {
 public:
  explicit SqlLedgerView(soci::session& sql) : sql_(sql) {}

  Result<std::optional<std::int64_t>> SeqOfBankRef(std::string_view bank_ref) override;
  Result<std::optional<ledger::EntryColumns>> Columns(std::int64_t seq) override;
  Result<std::optional<std::int64_t>> ReversalOf(std::int64_t seq) override;
  Result<bool> OpdRegistered(std::string_view code) override;
  Result<Refunded> RefundsOf(std::int64_t seq) override;

 private:
  Result<std::optional<std::int64_t>> OptionalSeq(const char* query, const std::string& value);

  soci::session& sql_;
};

// A Store's state (Store::impl_). Its methods throw soci_error like the session; the
// Store's public methods catch at their boundary.
struct StoreImpl {
  soci::session sql;
  std::optional<ledger::NoteSigner> signer;
  std::string kept_checkpoint;  // StoreOptions::kept_checkpoint.
  std::string origin;  // From the genesis entry, once there is one.

  // The year totals (ledger/totals.h) of the first `totals_tree_size` entries, for the
  // fiscal years in `totals_years` (loaded on first use). Dropped whenever the ledger may
  // have changed without this store (another process appended, a transaction rolled back).
  ledger::YearTotals totals;
  std::set<std::int64_t> totals_years;
  std::optional<std::uint64_t> totals_tree_size;

  void DropTotals();
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
};

}  // namespace jejak::db
