// `jejak import-csv`: a bulk import of expenditures from a CSV or XLSX file straight into a
// ledger's database, with the same reading, mapping and row checks as POST /v1/imports
// (server/imports.h) and the same ledger rules as `jejak append`.
#pragma once

#include "cli/args.h"

namespace jejak::cli {

// `jejak import-csv --data DIR --opd CODE --mapping FILE.json [--commit] [--sub NAME]
// FILE.(csv|xlsx)`. Without --commit, a dry run: every row's errors on stdout (in
// Indonesian) and exit 2 if there is any, else exit 0 with nothing written. With
// --commit, the file's rows are appended in one transaction with one checkpoint, all or
// nothing (exit 2 and nothing written on any error). --sub (default "import-csv") is the
// entries' recorded_by.
int ImportCsv(const Args& args);

}  // namespace jejak::cli
