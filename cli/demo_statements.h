// The demo regency's bank statements (cli/demo_bank.h) as the files a bank sends: each
// month of each account in its format (camt.053 for the RKUD, MT940 or CSV for the
// treasurers, cli/statement_writers.h) with the CSV column mapping beside them, in a
// directory a user can open and import from.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "cli/demo_bank.h"

namespace jejak::cli {

// The file of `statement` in its format (the treasurers' CSV through `mapping`).
std::string DemoStatementFile(const DemoStatement& statement, const ledger::StatementCsvMapping& mapping);

// Writes every statement of `bank` under its file_name, and the CSV mapping as
// <mapping name>.json, into `dir` (created; files of the same names replaced). Answers the
// files' contents in the order of bank.statements. kUnavailable naming the path it could
// not write.
Result<std::vector<std::string>> WriteDemoStatements(const DemoBank& bank, const std::string& dir);

}  // namespace jejak::cli
