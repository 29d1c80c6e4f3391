// The audit facts table (audit_expenditures): one narrow row per expenditure holding every
// input the audit rules read from it, written in the append transaction, filled for an
// existing ledger by schema migration 4, read by Store::AuditInputs (no JSON, no entry
// rows) and checked against the entries by `jejak verify`. Internal to db/.
#pragma once

#include <soci/soci.h>

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

// Writes the facts of each expenditure in the append transaction, with one statement
// prepared for the writer's life. Throws soci_error like the session.
class NativeStatement;  // db/audit_facts.cc: a statement on SQLite's own connection.

class AuditFactsWriter {
 public:
  explicit AuditFactsWriter(soci::session& sql);
  ~AuditFactsWriter();
  AuditFactsWriter(const AuditFactsWriter&) = delete;
  AuditFactsWriter& operator=(const AuditFactsWriter&) = delete;

  // Inserts the row of the expenditure with `columns` whose canonical bytes are
  // `canonical` (made by this process, so they scan: JEJAK_CHECK). Other kinds: nothing.
  void Add(const ledger::EntryColumns& columns, std::string_view canonical);
  // Inserts the row of the expenditure with `columns` and `texts`.
  void AddTexts(const ledger::EntryColumns& columns, const ledger::ExpenditureTexts& texts);

 private:
  AuditFactsRow row_;  // Bound before the statement is prepared.
  std::unique_ptr<NativeStatement> native_;  // On SQLite.
  std::optional<soci::statement> insert_;    // Elsewhere.
};

// Schema migration 4: inserts the row of every stored expenditure, from its stored columns
// and bytes. kDataLoss if an expenditure's bytes do not scan; throws soci_error.
Result<void> FillAuditFacts(soci::session& sql);

// For `jejak verify` over a whole ledger, after every entry's columns were checked against
// its bytes: every expenditure has exactly the row its columns and bytes give, and no
// other row exists. nullopt if so, else the first problem (the lowest bad seq). Reads the
// expenditures once, a page at a time. Throws soci_error.
std::optional<ledger::Problem> CheckAuditFacts(soci::session& sql);

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
