// `jejak import-csv` (cli/import_commands.h).
#include "cli/import_commands.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/ledger_commands.h"
#include "ledger/canonical.h"
#include "ledger/import_mapping.h"
#include "ledger/limits.h"
#include "ledger/messages_id.h"
#include "server/clock.h"
#include "server/imports.h"

namespace jejak::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::uintmax_t kMappingFileBytesMax = 64 * 1024;

// "baris 7, kolom "Nilai Bruto" (gross): harus ..." for one row error.
std::string RowErrorLine(const ledger::RowError& error) {
  std::string line = error.row > 0 ? "baris " + std::to_string(error.row) : "berkas";
  if (!error.column.empty()) line += ", kolom \"" + error.column + "\"";
  if (!error.field.empty()) line += " (" + error.field + ")";
  return line + ": " + error.message;
}

// `errors` are the first of `total` (server::kImportErrorsMax at most are kept).
int PrintRowErrors(const std::vector<ledger::RowError>& errors, std::int64_t total, bool commit) {
  for (const ledger::RowError& error : errors) std::printf("%s\n", RowErrorLine(error).c_str());
  total = std::max<std::int64_t>(total, static_cast<std::int64_t>(errors.size()));
  const std::string listed = total > static_cast<std::int64_t>(errors.size())
                                 ? " (the first " + std::to_string(errors.size()) + " listed)"
                                 : "";
  std::fprintf(stderr, "jejak: import-csv: %lld error(s)%s; nothing written%s\n",
               static_cast<long long>(total), listed.c_str(), commit ? "" : " (dry run)");
  return kExitUsage;
}

}  // namespace

int ImportCsv(const Args& args) {
  const std::optional<std::string> opd = args.Get("opd");
  const std::optional<std::string> mapping_path = args.Get("mapping");
  const std::string sub = args.Get("sub").value_or("import-csv");
  const bool commit = args.switches.count("commit") != 0;
  if (!opd) return Usage("import-csv: --opd CODE is required");
  if (!mapping_path) return Usage("import-csv: --mapping FILE.json is required");
  if (sub.empty() || sub.size() > ledger::kIdentifierBytesMax) {
    return Usage("import-csv: --sub must be 1 to 64 bytes");
  }
  if (args.positional.size() != 1) return Usage("import-csv: exactly one FILE (.csv or .xlsx) is required");
  const std::string& file = args.positional[0];
  const std::optional<server::ImportFormat> format = server::FormatOfPath(file);
  if (!format) return Usage("import-csv: " + file + " is neither .csv nor .xlsx");
  std::optional<std::string> mapping_text = ReadFile(*mapping_path, kMappingFileBytesMax);
  if (!mapping_text) return Usage("import-csv: cannot read " + *mapping_path);
  Result<json> mapping_json = ledger::ParseStrict(*mapping_text);
  if (!mapping_json) return Usage("import-csv: " + *mapping_path + ": " + mapping_json.error().ToString());
  Result<ledger::ImportMapping> mapping = ledger::ParseMapping(*mapping_json);
  if (!mapping) return Usage("import-csv: " + *mapping_path + ": " + mapping.error().ToString());

  Failure failure;
  std::optional<Ledger> ledger = OpenLedger(args, /*need_signer=*/true, failure);
  if (!ledger) return Fail(failure);
  std::optional<std::string> bytes = ReadFile(file, ledger->config.import_body_max_bytes);
  if (!bytes) {
    return Usage("import-csv: cannot read " + file + " (missing, or larger than import_body_max_bytes " +
                 std::to_string(ledger->config.import_body_max_bytes) + ")");
  }
  Result<server::ImportPlan> plan =
      server::PlanImport(*bytes, *format, *mapping, *opd, ledger->config.import_rows_max);
  if (!plan) {
    std::string reason = ledger::Indonesian(plan.error().message);
    for (const FieldError& field : plan.error().fields) reason += ": " + ledger::Indonesian(field.message);
    return Usage("import-csv: " + reason);
  }
  if (!plan->errors.empty()) return PrintRowErrors(plan->errors, plan->errors_total, commit);

  // The ledger's own checks (OPD registered, bank_ref unused, the year's totals) on every
  // row, in one transaction: rolled back for a dry run, committed with --commit.
  std::vector<db::PendingEntry> entries;
  entries.reserve(plan->bodies.size());
  for (const json& body : plan->bodies) {
    entries.push_back(db::PendingEntry{std::make_shared<const json>(body), sub, "", ""});
  }
  Result<db::BatchReceipt> receipt = ledger->store->Append(entries, server::NowRfc3339(), !commit);
  if (!receipt) {
    std::vector<ledger::RowError> rows = server::LedgerRowErrors(receipt.error(), *plan);
    if (rows.empty()) return Usage("import-csv: nothing written: " + receipt.error().ToString());
    return PrintRowErrors(rows, 0, commit);
  }
  if (!commit) {
    std::printf("dry run: %lld rows, all valid; nothing written (--commit appends them)\n",
                static_cast<long long>(plan->rows));
    return kExitOk;
  }
  std::printf("imported %zu entries, seq %lld to %lld\n", receipt->entries.size(),
              static_cast<long long>(receipt->entries.front().seq),
              static_cast<long long>(receipt->entries.back().seq));
  std::printf("%s", receipt->checkpoint.c_str());
  return kExitOk;
}

}  // namespace jejak::cli
