// The demo's bank statements as files (cli/demo_statements.h).
#include "cli/demo_statements.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <memory>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/statement_writers.h"
#include "ledger/bank_parse.h"
#include "ledger/canonical.h"
#include "server/bank_statements.h"

namespace jejak::cli {
namespace {

namespace fs = std::filesystem;

Result<void> WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Error{Code::kUnavailable, "cannot write " + path.string(), {}};
  return {};
}

}  // namespace

std::string DemoStatementFile(const DemoStatement& statement, const ledger::StatementCsvMapping& mapping) {
  if (statement.format == "camt053") return WriteCamt053(statement.parsed);
  if (statement.format == "mt940") return WriteMt940(statement.parsed);
  return WriteStatementCsv(statement.parsed, mapping);
}

Result<std::vector<std::string>> WriteDemoStatements(const DemoBank& bank, const std::string& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return Error{Code::kUnavailable, "cannot create " + dir + ": " + error.message(), {}};
  const std::string mapping = ledger::StatementCsvMappingJson(bank.csv_mapping).dump(2) + "\n";
  if (Result<void> written = WriteText(fs::path(dir) / (bank.csv_mapping.name + ".json"), mapping); !written) {
    return written.error();
  }
  std::vector<std::string> files;
  files.reserve(bank.statements.size());
  for (const DemoStatement& statement : bank.statements) {
    files.push_back(DemoStatementFile(statement, bank.csv_mapping));
    if (Result<void> written = WriteText(fs::path(dir) / statement.file_name, files.back()); !written) {
      return written.error();
    }
  }
  return files;
}

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// "2026-01-02T01:00:07.000Z": the index-th second from 08:00 WIB of `day`.
std::string StatementRecordedAt(const std::string& day, std::size_t index) {
  const std::size_t seconds = 3600 + index;
  char text[48];
  std::snprintf(text, sizeof text, "%sT%02zu:%02zu:%02zu.000Z", day.c_str(), seconds / 3600,
                seconds / 60 % 60, seconds % 60);
  return text;
}

}  // namespace

Result<DemoStatementsReport> ImportDemoStatements(db::Store& store, const DemoBank& bank,
                                                  const std::vector<std::string>& files,
                                                  std::int64_t fiscal_year,
                                                  const std::string& recorded_on,
                                                  const ledger::ReconcileParams& params) {
  DemoStatementsReport report;
  // The mapping is saved as an admin would through POST /v1/bank-statements/mappings.
  db::ImportMappingRecord record;
  record.opd = db::kStatementMappingScope;
  record.name = bank.csv_mapping.name;
  record.mapping = ledger::Canonicalize(ledger::StatementCsvMappingJson(bank.csv_mapping));
  record.saved_at = StatementRecordedAt(recorded_on, 0);
  record.saved_by = "admin.bpkad";
  if (Result<db::ImportMappingRecord> saved = store.SaveImportMapping(record); !saved) {
    return saved.error();
  }

  auto start = std::chrono::steady_clock::now();
  static const std::vector<std::string> kNames = {
      "account", "format", "bank", "role", "opd", "mapping", "period_start", "period_end",
      "opening_balance"};
  for (std::size_t i = 0; i < bank.statements.size() && i < files.size(); ++i) {
    const DemoStatement& statement = bank.statements[i];
    server::StatementRequest request;
    request.account_no = statement.parsed.account_no;
    request.format = statement.format;
    Result<std::vector<ledger::StatementPeriod>> earlier =
        store.StatementsOfAccount(request.account_no);
    if (!earlier) return earlier.error();
    if (earlier->empty()) {
      request.bank = statement.bank;
      request.role = statement.account_role;
      if (!statement.opd.empty()) request.opd = statement.opd;
    }
    if (statement.format == "csv") {
      request.mapping = bank.csv_mapping;
      request.period_start = statement.parsed.period_start;
      request.period_end = statement.parsed.period_end;
      request.opening_sen = statement.parsed.opening_sen;
    }
    Result<server::PlannedStatement> plan = server::PlanStatement(files[i], request, *earlier, kNames);
    if (!plan) {
      Error error = plan.error();
      error.message = statement.file_name + ": " + error.message;
      return error;
    }
    const std::vector<db::PendingEntry> entries = {db::PendingEntry{
        std::make_shared<const nlohmann::json>(std::move(plan->body)), "admin.bpkad", "", ""}};
    Result<db::BatchReceipt> receipt = store.Append(entries, StatementRecordedAt(recorded_on, i + 1));
    if (!receipt) {
      Error error = receipt.error();
      error.message = statement.file_name + ": " + error.message;
      return error;
    }
    if (i == 0) report.first_seq = receipt->entries.front().seq;
    report.last_seq = receipt->entries.front().seq;
    report.lines += static_cast<std::size_t>(plan->lines);
  }
  report.import_seconds = SecondsSince(start);

  start = std::chrono::steady_clock::now();
  db::ReconciledYear computed;
  Result<db::StoredReconciliation> stored = store.RefreshReconciliation(fiscal_year, params, &computed);
  if (!stored) return stored.error();
  report.reconcile_seconds = SecondsSince(start);
  Result<nlohmann::json> summary = server::ReconciliationSummary(*stored, computed);
  if (!summary) return summary.error();
  report.matched_percent = (*summary)["totals"]["matched_percent"].get<std::string>();
  return report;
}

}  // namespace jejak::cli
