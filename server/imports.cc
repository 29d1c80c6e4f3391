// Bulk imports: file → table → entry bodies, and the answer (server/imports.h).
#include "server/imports.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "ledger/import_table.h"
#include "ledger/messages_id.h"
#include "server/xlsx_reader.h"

namespace jejak::server {
namespace {

using nlohmann::json;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

std::optional<ImportFormat> FormatOfContentType(std::string_view content_type) {
  constexpr std::string_view kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  const std::string lower = Lower(type);
  if (std::string_view(lower) == std::string_view("text/csv")) return ImportFormat::kCsv;
  if (std::string_view(lower) == kXlsxType) return ImportFormat::kXlsx;
  return std::nullopt;
}

std::optional<ImportFormat> FormatOfPath(std::string_view path) {
  const std::string lower = Lower(path);
  if (EndsWith(lower, ".csv")) return ImportFormat::kCsv;
  if (EndsWith(lower, ".xlsx")) return ImportFormat::kXlsx;
  return std::nullopt;
}

Result<ImportPlan> PlanImport(std::string_view bytes, ImportFormat format,
                              const ledger::ImportMapping& mapping, const std::string& opd,
                              std::size_t rows_max) {
  ledger::TableLimits limits;
  limits.rows_max = rows_max;
  Result<ledger::ImportTable> table = Error{};
  if (format == ImportFormat::kCsv) {
    table = ledger::ParseCsv(bytes, mapping.separator, limits);
  } else {
    XlsxLimits xlsx;
    xlsx.table = limits;
    table = ReadXlsx(bytes, xlsx);
  }
  if (!table) return table.error();
  ImportPlan plan;
  plan.rows = static_cast<std::int64_t>(table->rows.size());
  plan.mapper = std::make_shared<const ledger::RowMapper>(mapping, table->header, opd);
  plan.errors = plan.mapper->HeaderErrors();
  if (!plan.errors.empty()) return plan;  // Every row would fail the same way.
  if (table->rows.empty()) {
    plan.errors.push_back({0, "", "", ledger::Indonesian("the file has no data rows")});
    return plan;
  }
  for (std::size_t i = 0; i < table->rows.size(); ++i) {
    std::vector<ledger::RowError> row_errors;
    std::optional<json> body = plan.mapper->Map(table->rows[i], table->row_numbers[i], row_errors);
    plan.errors_total += static_cast<std::int64_t>(row_errors.size());
    for (ledger::RowError& error : row_errors) {
      if (plan.errors.size() >= kImportErrorsMax) break;  // Counted, not kept.
      plan.errors.push_back(std::move(error));
    }
    if (!body) continue;
    plan.bodies.push_back(std::move(*body));
    plan.body_rows.push_back(table->row_numbers[i]);
  }
  return plan;
}

std::vector<ledger::RowError> LedgerRowErrors(const Error& error, const ImportPlan& plan) {
  std::vector<ledger::RowError> errors;
  if (error.code != Code::kInvalidArgument && error.code != Code::kConflict &&
      error.code != Code::kNotFound && error.code != Code::kOutOfRange) {
    return errors;
  }
  std::size_t index = 0;
  std::string message = error.message;
  if (plan.bodies.size() > 1) {
    // "entry I: why", I the body's place in the batch (db/append.cc).
    if (message.rfind("entry ", 0) != 0) return errors;
    char* end = nullptr;
    index = std::strtoull(message.c_str() + 6, &end, 10);
    if (end == message.c_str() + 6 || std::string_view(end).substr(0, 2) != ": ") return errors;
    message = std::string(end + 2);
  }
  if (index >= plan.bodies.size()) return errors;
  const std::int64_t row = plan.body_rows[index];
  if (error.fields.empty()) {
    errors.push_back({row, "", "", ledger::Indonesian(message)});
  }
  for (const FieldError& field : error.fields) {
    errors.push_back({row, field.field, plan.mapper->ColumnOf(plan.bodies[index], field.field),
                      ledger::Indonesian(field.message)});
  }
  return errors;
}

json ImportAnswer(bool dry_run, const ImportPlan& plan, const db::BatchReceipt* receipt) {
  json errors = json::array();
  for (const ledger::RowError& error : plan.errors) errors.push_back(ledger::RowErrorJson(error));
  json previews = json::array();
  for (std::size_t i = 0; i < plan.bodies.size() && i < kImportPreviewsMax; ++i) {
    previews.push_back(plan.bodies[i]);
  }
  json answer = {{"dry_run", dry_run},
                 {"rows", plan.rows},
                 {"valid", plan.bodies.size()},
                 {"errors", std::move(errors)},
                 {"errors_total", std::max<std::int64_t>(plan.errors_total,
                                                         static_cast<std::int64_t>(plan.errors.size()))},
                 {"entries", std::move(previews)}};
  if (receipt != nullptr && !receipt->entries.empty()) {
    answer["first_seq"] = receipt->entries.front().seq;
    answer["last_seq"] = receipt->entries.back().seq;
    answer["tree_size"] = receipt->tree_size;
    answer["checkpoint"] = receipt->checkpoint;
  }
  return answer;
}

}  // namespace jejak::server
