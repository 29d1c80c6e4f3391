// `jejak bank-import`: a bank statement file appended straight into a ledger's database as
// one `bank_statement` entry, with the same parsing, account rules and validation as POST
// /v1/bank-statements (server/bank_statements.h), then the year's stored reconciliation
// refreshed.
#pragma once

#include "cli/args.h"

namespace jejak::cli {

// `jejak bank-import --data DIR --account NO [--format mt940|camt053|csv] [--bank B]
// [--role rkud|bendahara_pengeluaran] [--opd CODE] [--mapping FILE.json] [--period-start D]
// [--period-end D] [--opening-balance M] [--sub NAME] FILE`. The format is guessed from
// the file's extension when --format is absent (server::StatementFormatOfPath). Prints the
// entry's seq, its counts and the year's reconciliation totals, then the checkpoint; exit
// 0. On any problem (the file's, by line; the request's; the ledger's refusal) prints
// every one, writes nothing and exits 2 (cli/exit_codes.h: an input error). A statement
// appended whose reconciliation could not be refreshed: exit 2 saying so (the entry
// stays). --sub (default "bank-import") is the entry's recorded_by.
int BankImport(const Args& args);

}  // namespace jejak::cli
