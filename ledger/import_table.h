// The table an import reads (a header row and data rows of cells), the RFC 4180 CSV reader
// that makes one from bytes, and the normalisation of what spreadsheets hold: amounts
// such as "1.234.567,89" or "Rp 2,750,000.00", dates in a declared format, and XLSX date
// serials. Pure: the bytes come from the caller (XLSX files are read in server/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace jejak::ledger {

struct Cell {
  enum class Type { kText, kNumber, kDate };
  std::string text;  // kNumber: a decimal such as "2750000" or "1.5E7"; kDate: YYYY-MM-DD.
  Type type = Type::kText;
};

struct ImportTable {
  std::vector<std::string> header;       // Row 1, trimmed.
  std::vector<std::vector<Cell>> rows;   // Data rows without the empty ones.
  std::vector<std::int64_t> row_numbers; // Each row's number as the spreadsheet shows it.
};

// Bounds on what an import reads; every one of them is refused with an error naming the
// row (and column) where it was passed.
struct TableLimits {
  std::size_t rows_max = 100000;   // Data rows.
  std::size_t columns_max = 256;
  std::size_t cell_bytes_max = 4096;
  // The whole table in memory: each cell's text plus sizeof(Cell), header and padding
  // cells included. Keeps a small file of many empty or repeated cells from growing
  // into gigabytes once read.
  std::size_t table_bytes_max = 256ull * 1024 * 1024;
};

// The refusal when a table passes TableLimits::table_bytes_max, at `row`.
Error TableTooLarge(std::int64_t row, std::size_t bytes_max);

// The file-level failure of reading a table: kInvalidArgument "invalid import" with one
// field "file" whose message is "row R, column C: why" (or "row R: why", or just "why").
Error TableError(std::int64_t row, std::int64_t column, std::string why);

// True iff `text` is well-formed UTF-8 (no overlongs, surrogates or code points past
// U+10FFFF).
bool IsUtf8(std::string_view text);

// Reads CSV (RFC 4180: quoted cells with "" for a quote, line breaks inside quotes, CRLF or
// LF; a UTF-8 BOM is skipped). `separator` is ',', ';' or '\t', or 0 to detect it from the
// header row (the most frequent of the three outside quotes; ',' if none). Rows whose
// cells are all empty are skipped; their numbers still count. Errors: TableError for text
// that is not UTF-8, an unclosed quote, a stray quote, text after a closing quote, too
// many rows, columns or bytes in a cell, a header without names or with a name twice.
Result<ImportTable> ParseCsv(std::string_view bytes, char separator, const TableLimits& limits);

// Checks a table built by another reader (XLSX) against the same header rules as
// ParseCsv: at least one name, no name twice. Errors: TableError.
Result<void> CheckHeader(const std::vector<std::string>& header);

// An amount as a spreadsheet shows it, to a money string ("1234567.89"), or nullopt if it
// is not one. Text cells: an optional "Rp"/"Rp." prefix and spaces are dropped; `decimal`
// (',' or '.') separates the sen and the other of the two groups thousands ("1.234.567,89"
// with ','; "1,234,567.89" with '.'); groups must be three digits. Number cells: a decimal
// or scientific number read exactly, never rounded: more than two sen digits (trailing
// zeros aside) or more than 16 integer digits is not an amount, except that a double
// written to 15..17 significant digits below 10^13 stands for its shortest decimal
// ("1234567.8899999999" is 1234567.89). The result is not yet range-checked (ParseMoneySen
// does that).
std::optional<std::string> NormaliseAmount(const Cell& cell, char decimal);

// A date as the spreadsheet shows it, to YYYY-MM-DD, or nullopt. `format` is built from
// YYYY, MM and DD with one separator between them ("DD/MM/YYYY", "YYYY-MM-DD",
// "DD.MM.YYYY", "MM/DD/YYYY"); a day or month may have one digit. Date cells are taken as
// they are; YYYY-MM-DD text is always accepted. Whether the day exists is checked later,
// by entry validation.
std::optional<std::string> NormaliseDate(const Cell& cell, std::string_view format);

// True iff `format` is a date format NormaliseDate understands.
bool IsDateFormat(std::string_view format);

// The date of a spreadsheet serial day number (the 1900 date system, with its phantom
// 1900-02-29 as serial 60; `date1904` for the 1904 system), fraction of a day dropped.
// Nullopt outside 1900-01-01 .. 9999-12-31.
std::optional<std::string> SerialToDate(double serial, bool date1904);

}  // namespace jejak::ledger
