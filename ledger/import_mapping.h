// Column mappings of bulk imports: which spreadsheet column (or default value) fills which
// field of an expenditure entry, and the turning of one row into an entry body checked by
// the same ValidateBody as POST /v1/entries. Row errors name the row, the field, the
// column and why, in Indonesian (ledger/messages_id.h). Pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "ledger/import_table.h"

namespace jejak::ledger {

// What kind of value a mappable field holds, which says how a cell is read.
enum class FieldType { kText, kMoney, kDate, kYear, kYesNo, kTax };

struct MappableField {
  std::string_view path;   // "gross", "payee.name", "taxes.PPN".
  std::string_view label;  // Indonesian, for the mapping form.
  FieldType type;
  bool required;           // Needed by every expenditure (from a column or a default).
};

// Every field an import can fill, in form order. The entry's kind is always
// "expenditure"; `opd` defaults to the importing officer's; `net` is gross minus taxes
// when not mapped; `fiscal_year` the year of value_date when not mapped.
const std::vector<MappableField>& MappableFields();

// JSON of MappableFields(): {"fields": [{"path", "label", "type", "required"}]}.
nlohmann::json MappableFieldsJson();

struct ImportMapping {
  std::map<std::string, std::string> columns;   // Field path -> column header.
  std::map<std::string, std::string> defaults;  // Field path -> value when no column.
  std::string date_format = "YYYY-MM-DD";
  char decimal = ',';   // ',' (1.234.567,89) or '.' (1,234,567.89).
  char separator = 0;   // CSV only: ',', ';' or '\t'; 0 detects it.
};

// Reads and checks a mapping ({"columns", "defaults", "date_format", "decimal",
// "separator"}; only "columns" is required). kInvalidArgument "invalid mapping" naming
// each bad member ("columns.gros": unknown field; "decimal": must be one of ",", ".").
// Paths must be MappableFields(); header names and defaults at most 256 bytes.
Result<ImportMapping> ParseMapping(const nlohmann::json& mapping);

// The mapping as JSON, in ParseMapping's form (ParseMapping(MappingJson(m)) == m).
nlohmann::json MappingJson(const ImportMapping& mapping);

// One row's problem. `message` is Indonesian.
struct RowError {
  std::int64_t row = 0;  // As the spreadsheet shows it (header = 1); 0: the whole file.
  std::string field;     // Entry field path ("gross", "payee.npwp"), or "" for the row.
  std::string column;    // The column it came from, or "" for a default or none.
  std::string message;
};

// The JSON of a RowError: {"row", "field", "column", "message"}.
nlohmann::json RowErrorJson(const RowError& error);

// Turns rows of one table into entry bodies with one mapping, for one OPD.
class RowMapper {
 public:
  // `opd`: the importing officer's OPD: rows naming another are refused.
  RowMapper(ImportMapping mapping, const std::vector<std::string>& header, std::string opd);

  // Problems with the mapping against this header (a mapped column missing, a required
  // field neither mapped nor defaulted), as row-0 errors; empty if none.
  std::vector<RowError> HeaderErrors() const;

  // The validated entry body of `cells` (row `row`), or its errors (every one found).
  // The body is ValidateBody's normalised form.
  std::optional<nlohmann::json> Map(const std::vector<Cell>& cells, std::int64_t row,
                                    std::vector<RowError>& errors) const;

  // The column a field error of a mapped body came from ("taxes[1].amount" -> the column
  // of that tax's type; "payee.npwp" -> its column), "" if none.
  std::string ColumnOf(const nlohmann::json& body, const std::string& field) const;

 private:
  // The text of `path` in this row: its column's cell, or its default; nullopt if neither.
  std::optional<Cell> Value(const std::vector<Cell>& cells, const std::string& path) const;

  ImportMapping mapping_;
  std::map<std::string, std::size_t> index_;  // Column header -> cell index.
  std::size_t columns_ = 0;                    // Cells in the header row.
  std::string opd_;
};

}  // namespace jejak::ledger
