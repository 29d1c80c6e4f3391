// `jejak bank-import` (cli/bank_commands.h).
#include "cli/bank_commands.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/ledger_commands.h"
#include "ledger/bank_parse.h"
#include "ledger/canonical.h"
#include "ledger/limits.h"
#include "ledger/messages_id.h"
#include "ledger/money.h"
#include "server/bank_statements.h"
#include "server/clock.h"

namespace jejak::cli {
namespace {

using nlohmann::json;

constexpr std::uintmax_t kMappingFileBytesMax = 64 * 1024;

// The option of each StatementRequest member (server/bank_statements.h's order).
const std::vector<std::string>& OptionNames() {
  static const std::vector<std::string> names = {"--account",    "--format",     "--bank",
                                                 "--role",       "--opd",        "--mapping",
                                                 "--period-start", "--period-end", "--opening-balance"};
  return names;
}

// Every problem of `error`, one a line ("line 12: ...", in Indonesian as import-csv
// prints them), then the one-line reason; exit 2.
int PrintProblems(const Error& error) {
  for (const FieldError& field : error.fields) {
    std::printf("%s: %s\n", field.field.c_str(), ledger::Indonesian(field.message).c_str());
  }
  std::fprintf(stderr, "jejak: bank-import: %s (%zu problem(s)); nothing written\n",
               ledger::Indonesian(error.message).c_str(), error.fields.size());
  return kExitUsage;
}

// The request from the options; the mapping file read and parsed.
std::optional<server::StatementRequest> ReadRequest(const Args& args, const std::string& file, int& exit_code) {
  server::StatementRequest request;
  request.account_no = args.Get("account").value_or("");
  const std::optional<std::string> format = args.Get("format");
  const std::optional<std::string> guessed = server::StatementFormatOfPath(file);
  if (!format && !guessed) {
    exit_code = Usage("bank-import: cannot tell the format of " + file + " from its name: give --format");
    return std::nullopt;
  }
  request.format = format.value_or(guessed.value_or(""));
  request.bank = args.Get("bank");
  request.role = args.Get("role");
  request.opd = args.Get("opd");
  request.period_start = args.Get("period-start");
  request.period_end = args.Get("period-end");
  if (std::optional<std::string> opening = args.Get("opening-balance")) {
    Result<std::int64_t> sen = ledger::ParseMoneySen(*opening);
    if (!sen) {
      exit_code = Usage("bank-import: --opening-balance must be an amount such as 1500000.00");
      return std::nullopt;
    }
    request.opening_sen = *sen;
  }
  if (std::optional<std::string> path = args.Get("mapping")) {
    std::optional<std::string> text = ReadFile(*path, kMappingFileBytesMax);
    Result<json> parsed = text ? ledger::ParseStrict(*text) : Result<json>(Error{Code::kInvalidArgument, "cannot read it", {}});
    Result<ledger::StatementCsvMapping> mapping =
        parsed ? ledger::ParseStatementCsvMapping(*parsed) : Result<ledger::StatementCsvMapping>(parsed.error());
    if (!mapping) {
      exit_code = Usage("bank-import: --mapping " + *path + ": " + mapping.error().ToString());
      return std::nullopt;
    }
    request.mapping = std::move(mapping).value();
  }
  return request;
}

}  // namespace

int BankImport(const Args& args) {
  const std::string sub = args.Get("sub").value_or("bank-import");
  if (sub.empty() || sub.size() > ledger::kIdentifierBytesMax) return Usage("bank-import: --sub must be 1 to 64 bytes");
  if (args.positional.size() != 1) return Usage("bank-import: exactly one statement FILE is required");
  const std::string& file = args.positional[0];
  int exit_code = kExitUsage;
  std::optional<server::StatementRequest> request = ReadRequest(args, file, exit_code);
  if (!request) return exit_code;
  if (Result<void> checked = server::CheckStatementRequest(*request, OptionNames()); !checked) {
    return PrintProblems(checked.error());
  }

  Failure failure;
  std::optional<Ledger> ledger = OpenLedger(args, /*need_signer=*/true, failure);
  if (!ledger) return Fail(failure);
  const std::size_t bytes_max = ledger->config.bank_statement_body_max_bytes;
  std::optional<std::string> bytes = ReadFile(file, bytes_max);
  if (!bytes) {
    return Usage("bank-import: cannot read " + file + " (missing, or larger than bank_statement_body_max_bytes " +
                 std::to_string(bytes_max) + ")");
  }
  Result<std::vector<ledger::StatementPeriod>> earlier = ledger->store->StatementsOfAccount(request->account_no);
  if (!earlier) return Usage("bank-import: " + earlier.error().ToString());
  Result<server::PlannedStatement> plan = server::PlanStatement(*bytes, *request, *earlier, OptionNames());
  if (!plan) return PrintProblems(plan.error());

  const std::vector<db::PendingEntry> entries = {
      db::PendingEntry{std::make_shared<const json>(plan->body), sub, "", ""}};
  Result<db::BatchReceipt> receipt = ledger->store->Append(entries, server::NowRfc3339());
  if (!receipt) return PrintProblems(receipt.error());
  std::printf("appended bank statement seq %lld: account %s, %s to %s, %lld lines (%lld debits, %lld credits), "
              "file sha256 %s\n",
              static_cast<long long>(receipt->entries.front().seq), request->account_no.c_str(),
              plan->period_start.c_str(), plan->period_end.c_str(), static_cast<long long>(plan->lines),
              static_cast<long long>(plan->debits), static_cast<long long>(plan->credits),
              plan->file_sha256.c_str());

  ledger::ReconcileParams params;
  params.window_days = static_cast<int>(ledger->config.bank_match_window.count());
  db::ReconciledYear computed;
  Result<db::StoredReconciliation> stored =
      ledger->store->RefreshReconciliation(plan->fiscal_year, params, &computed);
  Result<json> summary = stored ? server::ReconciliationSummary(*stored, computed) : Result<json>(stored.error());
  if (!summary) {
    return Usage("bank-import: the statement is appended, but the reconciliation of " +
                 std::to_string(plan->fiscal_year) + " was not refreshed: " + summary.error().ToString());
  }
  const json& totals = (*summary)["totals"];
  std::printf("reconciliation %lld at tree size %llu: %lld of %lld debits matched (%s%%), %lld unmatched debits, "
              "%lld unmatched payments, %lld cash withdrawals, %lld breaks\n",
              static_cast<long long>(plan->fiscal_year), static_cast<unsigned long long>(stored->tree_size),
              totals["matched_lines"].get<long long>(), totals["debit_lines"].get<long long>(),
              totals["matched_percent"].get<std::string>().c_str(), totals["unmatched_debit_lines"].get<long long>(),
              totals["unmatched_payments"].get<long long>(), totals["cash_withdrawals"].get<long long>(),
              totals["breaks"].get<long long>());
  std::printf("%s", receipt->checkpoint.c_str());
  return kExitOk;
}

}  // namespace jejak::cli
