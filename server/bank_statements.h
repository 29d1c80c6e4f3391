// Bank statement uploads, shared by POST /v1/bank-statements and `jejak bank-import`: a
// statement file (MT940, camt.053, or CSV with a saved column mapping) parsed into a
// validated `bank_statement` entry body for an account, whose bank, role and OPD come from
// the request for the account's first statement and from its earlier statements after
// that. Appending the body is the caller's (the service's writer, or the CLI's store),
// followed by a refresh of the year's stored reconciliation (db::Store::
// RefreshReconciliation).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "db/store.h"
#include "ledger/bank_parse.h"
#include "ledger/bank_statement.h"

namespace jejak::server {

// What the uploader says besides the file (the query parameters, the CLI's options).
struct StatementRequest {
  std::string account_no;
  std::string format;                    // One of ledger::kStatementFormats.
  std::optional<std::string> bank;       // Required for an account's first statement.
  std::optional<std::string> role;       // Likewise: rkud or bendahara_pengeluaran.
  std::optional<std::string> opd;        // Likewise, for a treasurer's account only.
  // CSV only: the column mapping (required), the period (default: the first and last
  // lines' dates) and the opening balance (required without a balance column).
  std::optional<ledger::StatementCsvMapping> mapping;
  std::optional<std::string> period_start;
  std::optional<std::string> period_end;
  std::optional<std::int64_t> opening_sen;
};

// The format of a statement file by its name: .csv is csv, .xml camt053, .mt940, .sta,
// .940 and .txt mt940 (any case); nullopt otherwise.
std::optional<std::string> StatementFormatOfPath(std::string_view path);

// Checks the request's own values (account number, format, role, OPD code, dates, the
// mapping only with csv): kInvalidArgument naming each bad parameter by `names` (the
// query parameter or CLI option of each member: account, format, bank, role, opd,
// mapping, period_start, period_end, opening_balance, in this order).
Result<void> CheckStatementRequest(const StatementRequest& request,
                                   const std::vector<std::string>& names);

struct PlannedStatement {
  nlohmann::json body;  // Validated (ledger::ValidateBody).
  std::int64_t fiscal_year = 0;
  std::string period_start, period_end;
  std::int64_t lines = 0, debits = 0, credits = 0;
  std::string file_sha256;  // Lowercase hex, of `bytes`.
};

// Parses `bytes` as request.format and makes the entry body. `earlier` are the account's
// statements (db::Store::StatementsOfAccount, newest first): with none, request.bank and
// request.role (and opd for a treasurer) are required (kInvalidArgument naming them);
// with some, the newest one's bank, role and OPD are used, and a request value that
// differs is kConflict naming it. A file's problems are kOutOfRange "invalid statement"
// with errors {field: "line N" (or "row N", "file"), message}, as are the body's
// validation errors (a line's member named by that line's source line). `names` as for
// CheckStatementRequest.
Result<PlannedStatement> PlanStatement(std::string_view bytes, const StatementRequest& request,
                                       const std::vector<ledger::StatementPeriod>& earlier,
                                       const std::vector<std::string>& names);

// The answer of a committed statement: {seq, tree_size, account_no, fiscal_year,
// period_start, period_end, lines, debits, credits, file_sha256, checkpoint}; the caller
// adds the inclusion proof and the reconciliation summary.
nlohmann::json StatementAnswer(const PlannedStatement& plan, std::int64_t seq, std::uint64_t tree_size,
                               const std::string& checkpoint);

// The reconciliation summary of a committed statement's year, as stored by
// db::Store::RefreshReconciliation: {fiscal_year, tree_size, window_days, result_sha256,
// totals} (totals as GET /v1/reconciliation's, over the whole year). kOutOfRange if a total
// overflows.
Result<nlohmann::json> ReconciliationSummary(const db::StoredReconciliation& stored,
                                             const db::ReconciledYear& computed);

}  // namespace jejak::server
