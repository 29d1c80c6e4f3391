// The audit facts table (audit_expenditures): one narrow row per expenditure holding every
// input the audit rules read from it, written in the append transaction, filled for an
// existing ledger by schema migration 4, read by Store::AuditInputs (no JSON, no entry
// rows) and checked against the entries by `jejak verify`. Internal to db/.
#pragma once

#include <soci/soci.h>

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "db/sql_util.h"
#include "ledger/audit.h"
#include "ledger/audit_facts.h"
#include "ledger/entry.h"
#include "ledger/verifier.h"

namespace jejak::db {

// One row of audit_expenditures: an expenditure's columns (texts "" when the entry has
// none) and its ledger::ExpenditureTexts.
struct AuditFactsRow {
  long long fiscal_year = 0;
  long long seq = 0;
  std::string opd, sub_activity, account, instrument, value_date, recorded_at, payee_npwp,
      payee_account, evidence_no, evidence_date;
  long long amount_sen = 0;
  std::string tax_detail, payee_name;
  IntColumn payee_pkp;  // 1 true, 0 false, NULL when payee.pkp is absent.
  std::string procurement_method, procurement_type, contract_no;

  // The row of the expenditure with `columns` and `texts`.
  void Set(const ledger::EntryColumns& columns, const ledger::ExpenditureTexts& texts);
};

// The INSERT of one audit_expenditures row (AuditFactsWriter's 19 parameters, in order).
std::string AuditFactsInsertSql();

// Writes the facts of each expenditure in the append transaction through one prepared
// INSERT (AuditFactsInsertSql): its own, prepared for the writer's life, or one the
// store keeps for its session (StoreStatements). Throws soci_error like the session.
class AuditFactsWriter {
 public:
  explicit AuditFactsWriter(soci::session& sql);
  // Writes through `insert`, which must outlive the writer and any write it queued
  // (DeferredWrites).
  explicit AuditFactsWriter(NativeStatement& insert);
  ~AuditFactsWriter();
  AuditFactsWriter(const AuditFactsWriter&) = delete;
  AuditFactsWriter& operator=(const AuditFactsWriter&) = delete;

  // Inserts the row of the expenditure with `columns` whose canonical bytes are
  // `canonical` (made by this process, so they scan: JEJAK_CHECK). Other kinds: nothing.
  void Add(const ledger::EntryColumns& columns, std::string_view canonical);
  // Inserts the row of the expenditure with `columns` and `texts`.
  void AddTexts(const ledger::EntryColumns& columns, const ledger::ExpenditureTexts& texts);

 private:
  AuditFactsRow row_;
  std::unique_ptr<NativeStatement> owned_;  // When the writer prepared its own.
  NativeStatement& insert_;
};

// Schema migration 4: inserts the row of every stored expenditure, from its stored columns
// and bytes; an expenditure whose bytes do not scan gets no row (verify names its seq).
// Throws soci_error.
Result<void> FillAuditFacts(soci::session& sql);

// The columns of audit_expenditures, in the table's order (fiscal_year, seq, ...,
// contract_no): how many, and ", CAST(alias.fiscal_year AS TEXT), ..." to append to a
// select list where the table is named `alias`.
inline constexpr std::size_t kAuditFactsColumns = 19;
std::string AuditFactsSelectList(const std::string& alias);

// One stored row of audit_expenditures as AuditFactsSelectList reads it: column c's text
// ("" when NULL) and whether it is NULL. All NULL when the expenditure has no row.
struct StoredAuditFacts {
  std::array<std::string_view, kAuditFactsColumns> text;
  std::array<bool, kAuditFactsColumns> null{};
};

// For `jejak verify`, once an expenditure's stored columns were found equal to `columns`
// (derived from its canonical bytes `canonical`): nullopt if `stored` is exactly the row
// they give, else what is wrong without the seq ("... has no row in audit_expenditures",
// the first column that differs, or why the bytes do not scan). Pure; thread-safe.
std::optional<std::string> CompareAuditFacts(const ledger::EntryColumns& columns,
                                             std::string_view canonical,
                                             const StoredAuditFacts& stored);

// For `jejak verify` over a whole ledger, after every one of its `expenditures` was found
// with its row by CompareAuditFacts: nullopt if the table holds no other row, else a
// Problem naming the lowest seq of a row of no expenditure. Throws soci_error.
std::optional<ledger::Problem> CheckNoStrayAuditFacts(soci::session& sql, long long expenditures);

// The expenditures of `fiscal_year` with seq < end_seq dated up to `as_of` (every one if
// `whole_year`), in seq order, from audit_expenditures; reversed_by is set from the
// reversals with seq < end_seq. Throws soci_error; std::invalid_argument for an unreadable
// tax_detail.
void ReadAuditExpenditures(soci::session& sql, long long fiscal_year, const std::string& as_of,
                           bool whole_year, long long end_seq,
                           std::vector<ledger::ExpenditureFacts>& expenditures);

// The same expenditures read from the entries: their columns, the texts from their
// canonical JSON by the database (SQLite's json_extract, PostgreSQL's jsonb), and their
// reversals by a join. What audit_expenditures replaces; tests compare the two.
void ReadAuditExpendituresFromEntries(soci::session& sql, long long fiscal_year,
                                      const std::string& as_of, bool whole_year, long long end_seq,
                                      std::vector<ledger::ExpenditureFacts>& expenditures);

}  // namespace jejak::db
