// Reads the first worksheet of an XLSX file (Office Open XML, ECMA-376) into an import
// table: libzip opens the archive in memory, libxml2's streaming reader reads
// xl/workbook.xml, its relationships, xl/styles.xml (which cells are dates),
// xl/sharedStrings.xml and the sheet. Everything is bounded (archive entries, their
// compression ratio, XML depth, rows, columns, cell bytes), and every problem is an Error,
// never an abort.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"
#include "ledger/import_table.h"

namespace jejak::server {

struct XlsxLimits {
  ledger::TableLimits table;
  std::uint64_t entry_bytes_max = 256ull * 1024 * 1024;  // Uncompressed, per part read.
  std::uint64_t ratio_max = 200;            // Uncompressed / compressed, past 1 MiB.
  std::size_t shared_strings_max = 1000000;
  int xml_depth_max = 32;
};

// The first worksheet of `bytes` (an .xlsx file): row 1 (the first row with a cell) is
// the header; each later non-empty row a data row, numbered as the sheet numbers it.
// Cell types: shared strings (t="s"), inline strings, formula strings (str), booleans
// ("TRUE"/"FALSE"), numbers (kNumber), numbers with a date style (kDate, YYYY-MM-DD, in
// the workbook's 1900 or 1904 date system). Errors: ledger::TableError naming the row
// and column where it can ("the XLSX file cannot be read: ..." otherwise).
Result<ledger::ImportTable> ReadXlsx(std::string_view bytes, const XlsxLimits& limits);

}  // namespace jejak::server
