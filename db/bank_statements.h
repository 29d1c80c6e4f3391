// The bank statements table (bank_statements): one row per `bank_statement` entry with
// what the ledger looks statements up by (account, period, balances), written in the
// append transaction, filled for an existing ledger by schema migration 8, checked against
// the entries by `jejak verify`; and the reads reconciliation needs (ReadReconcileInput:
// the year's statements and the payments they are matched against). Internal to db/.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "db/sql_util.h"
#include "ledger/bank_statement.h"
#include "ledger/entry.h"
#include "ledger/reconcile.h"
#include "ledger/verifier.h"

namespace jejak::db {

// The INSERT of one bank_statements row (seq, fiscal_year, account_no, bank, account_role,
// opd, period_start, period_end, opening_sen, closing_sen, line_count: 11 parameters).
std::string BankStatementInsertSql();

// The SELECT of an account's statements as StatementsOfAccount returns them (one
// parameter: the account number's digits): seq, bank, account_role, opd, period_start,
// period_end, newest first. An account is its digits, as reconciliation compares it, so
// "0020-102000123" and "0020102000123" are one account with one chain of periods.
inline constexpr const char* kStatementsOfAccountSql =
    "SELECT seq, bank, account_role, opd, period_start, period_end FROM bank_statements"
    " WHERE REPLACE(REPLACE(account_no, '-', ''), '.', '') = ? ORDER BY seq DESC";

// Inserts the row of the bank statement with `columns` whose canonical bytes are
// `canonical` through `insert` (BankStatementInsertSql). Other kinds: nothing. The bytes
// were made by this process, so they parse and are a statement (JEJAK_CHECK). Throws
// soci_error like the session.
void WriteBankStatementRow(NativeStatement& insert, const ledger::EntryColumns& columns,
                           std::string_view canonical);

// The rows of an account's statements (kStatementsOfAccountSql through `select`), the
// account's digits bound: every spelling of the same number.
std::vector<ledger::StatementPeriod> ReadStatementsOfAccount(NativeStatement& select,
                                                             std::string_view account_no);

// Schema migration 8: inserts the row of every stored bank statement; one whose bytes do
// not parse gets no row (verify names its seq). Throws soci_error.
Result<void> FillBankStatements(soci::session& sql);

// For `jejak verify` over a whole ledger whose entries verified: nullopt if
// bank_statements holds exactly one row per bank_statement entry, each equal in every
// column to what the entry's bytes give; else a Problem naming the lowest seq of an entry
// without its row, of a row that differs (and the column), or of a row of no statement.
// Throws soci_error.
std::optional<ledger::Problem> CheckBankStatementRows(soci::session& sql);

// The bank statements of `fiscal_year` with seq < end_seq (parsed from their entries) and
// the payments they are matched against (ledger/reconcile.h): the year's expenditures
// with their bank_ref and net amount, reversed if a reversal with seq < end_seq names
// them; its tax deposits with their NTPN and billing code; the refunds dated in it with
// their STS number and their expenditure's OPD; all in seq order. Without
// `payments_without_statements`, a year without statements gets no payments either (the
// audit rules then skip the bank rules without reading them). Inside the caller's
// snapshot. kDataLoss for an unreadable stored entry; throws soci_error.
Result<void> ReadReconcileInput(soci::session& sql, long long fiscal_year, long long end_seq,
                                bool payments_without_statements, ledger::ReconcileInput& input);

}  // namespace jejak::db
