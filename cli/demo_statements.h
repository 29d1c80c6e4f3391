// The demo regency's bank statements (cli/demo_bank.h) as the files a bank sends: each
// month of each account in its format (camt.053 for the RKUD, MT940 or CSV for the
// treasurers, cli/statement_writers.h) with the CSV column mapping beside them, in a
// directory a user can open and import from; and their import into the demo ledger through
// the path of POST /v1/bank-statements and `jejak bank-import` (server/bank_statements.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "cli/demo_bank.h"
#include "db/store.h"
#include "ledger/reconcile.h"

namespace jejak::cli {

// The file of `statement` in its format (the treasurers' CSV through `mapping`).
std::string DemoStatementFile(const DemoStatement& statement, const ledger::StatementCsvMapping& mapping);

// Writes every statement of `bank` under its file_name, and the CSV mapping as
// <mapping name>.json, into `dir` (created; files of the same names replaced). Answers the
// files' contents in the order of bank.statements. kUnavailable naming the path it could
// not write.
Result<std::vector<std::string>> WriteDemoStatements(const DemoBank& bank, const std::string& dir);

struct DemoStatementsReport {
  std::size_t lines = 0;
  std::int64_t first_seq = 0;  // Of the first statement entry.
  std::int64_t last_seq = 0;
  double import_seconds = 0;     // Parsing, validating and appending the files.
  double reconcile_seconds = 0;  // Refreshing the stored reconciliation of the year.
  std::string matched_percent;   // Of the stored reconciliation's totals ("99.12").
};

// Saves the CSV mapping of `bank` as a bank statement mapping and appends the statements
// whose file contents are `files` (WriteDemoStatements's answer) in order, as an admin of
// BPKAD would upload them: one entry each, recorded on `recorded_on` (YYYY-MM-DD, a day
// after the ledger's last entry) from 08:00 WIB a second apart. Then refreshes the stored
// reconciliation of `fiscal_year` with `params`. A refusal is returned with the file it
// concerns named; statements appended before it stay.
Result<DemoStatementsReport> ImportDemoStatements(db::Store& store, const DemoBank& bank,
                                                  const std::vector<std::string>& files,
                                                  std::int64_t fiscal_year,
                                                  const std::string& recorded_on,
                                                  const ledger::ReconcileParams& params);

}  // namespace jejak::cli
