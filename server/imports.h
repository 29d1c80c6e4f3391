// Bulk imports of expenditures from a CSV or XLSX file, shared by POST /v1/imports and
// `jejak import-csv`: read the file into a table (ledger/import_table.h, server/
// xlsx_reader.h), turn each row into a validated entry body with a mapping (ledger/
// import_mapping.h), and say what happened as the answer JSON. Appending the bodies is the
// caller's (the service's writer, or the CLI's store): one transaction, all or nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "db/store.h"
#include "ledger/import_mapping.h"

namespace jejak::server {

enum class ImportFormat { kCsv, kXlsx };

// text/csv (any parameters) or the XLSX media type; nullopt for anything else.
std::optional<ImportFormat> FormatOfContentType(std::string_view content_type);
// By the file name's extension, .csv or .xlsx (any case); nullopt otherwise.
std::optional<ImportFormat> FormatOfPath(std::string_view path);

// Previews of entries an answer carries at most.
inline constexpr std::size_t kImportPreviewsMax = 50;
// Row errors an answer lists; past it they are only counted ("errors_total").
inline constexpr std::size_t kImportErrorsMax = 1000;

struct ImportPlan {
  std::int64_t rows = 0;                  // Data rows read (empty rows aside).
  std::vector<nlohmann::json> bodies;     // The valid rows' entry bodies, in file order.
  std::vector<std::int64_t> body_rows;    // The row number of each body.
  std::vector<ledger::RowError> errors;   // The first kImportErrorsMax problems, by row; Indonesian.
  std::int64_t errors_total = 0;          // Rows' problems found, kept or not.
  std::shared_ptr<const ledger::RowMapper> mapper;  // The file's header with the mapping.
};

// Reads `bytes` as `format` (at most `rows_max` data rows) and maps every row with
// `mapping` for the officer's `opd`. Problems with the mapping against the header are
// row-0 errors; each row's problems are its own errors (a row with any is not in
// `bodies`). A file that cannot be read at all (not UTF-8, an unclosed quote, a broken
// archive, past a bound) is an Error: kInvalidArgument "invalid import" with field
// "file" naming the row and column.
Result<ImportPlan> PlanImport(std::string_view bytes, ImportFormat format,
                              const ledger::ImportMapping& mapping, const std::string& opd,
                              std::size_t rows_max);

// The rows' errors of the ledger's refusal of `plan.bodies` (db::Store::Append's error:
// "entry I: why", or a field error of the only entry), with their row numbers and columns
// as the plan's mapper sees them. Empty if `error` is not about one entry (storage
// trouble).
std::vector<ledger::RowError> LedgerRowErrors(const Error& error, const ImportPlan& plan);

// The answer: {"dry_run", "rows", "valid", "errors": [{row, field, column, message}] (the
// first kImportErrorsMax), "errors_total" (all found),
// "entries": [first kImportPreviewsMax bodies]}, and with a committed `receipt`
// "first_seq", "last_seq", "tree_size" and "checkpoint".
nlohmann::json ImportAnswer(bool dry_run, const ImportPlan& plan,
                            const db::BatchReceipt* receipt);

}  // namespace jejak::server
