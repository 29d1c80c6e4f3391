// Rendering of the audit workpapers: the sheets of ledger::WorkpaperData (computed in
// ledger/workpapers.h, gathered at a checkpoint by server/workpapers.h) as an XLSX workbook
// or as one sheet of RFC 4180 CSV, for GET /v1/export/workpapers.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "base/result.h"
#include "ledger/workpapers.h"

namespace jejak::server {

// The sheet names, in workbook order; also the valid values of `sheet=` for CSV.
inline constexpr std::array<const char*, 6> kWorkpaperSheets = {
    "Ringkasan", "Transaksi", "Realisasi", "Pajak", "Temuan", "Koreksi"};

// The workbook as XLSX bytes. Amounts are numbers in rupiah with the format "#,##0.00";
// a double holds every sen exactly up to 15 significant digits (below Rp 10 trillion), and
// an amount at or above that is written as its exact decimal text instead. Dates are text
// "YYYY-MM-DD", exactly as in the ledger. Each data sheet opens with a line naming the
// checkpoint, then a bold, frozen header row with an autofilter. Writes through a private
// temporary directory it removes. kInternal if libxlsxwriter or the file system fails.
Result<std::string> RenderXlsx(const ledger::WorkpaperData& data);

// One sheet as RFC 4180 CSV: UTF-8 without a byte order mark, CRLF line ends, the header
// row then one row per sheet row, the same columns as the XLSX sheet; a field with a
// comma, quote, CR or LF is quoted and its quotes doubled. Amounts are exact decimal
// strings ("12500000.00"), percentages "45.67". No checkpoint line (the table stays
// uniform): the caller sends data.checkpoint in response headers. `sheet` is one of
// kWorkpaperSheets (exact case); otherwise kInvalidArgument naming the valid sheets.
Result<std::string> RenderCsv(const ledger::WorkpaperData& data, std::string_view sheet);

}  // namespace jejak::server
