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
inline constexpr std::array<const char*, 7> kWorkpaperSheets = {
    "Ringkasan", "Transaksi", "Realisasi", "Pajak", "Temuan", "Koreksi", "Rekonsiliasi Bank"};

// The workbook as XLSX bytes. Amounts are number cells in rupiah with the format
// "Rp "#,##0.00 when the cell holds them exactly (below Rp 10 trillion: 15 significant
// digits, as many as a spreadsheet keeps); a larger amount is its exact decimal text,
// right-aligned. Dates (value, evidence, deadline, correction and position dates) are date
// cells with the format dd/mm/yyyy; times (recorded_at, the checkpoint's) stay RFC 3339
// text, exactly as in the ledger. Every OPD code has the OPD's name in the next column, and
// every code (rule, severity, account group, mechanism, instrument, tax type, entry kind)
// its Indonesian label (ledger/labels.h). Each data sheet opens with a line naming the
// checkpoint, then a bold, frozen header row with an autofilter and set column widths.
// Writes through a private temporary directory it removes. kInternal if libxlsxwriter or
// the file system fails.
Result<std::string> RenderXlsx(const ledger::WorkpaperData& data);

// One sheet as RFC 4180 CSV: UTF-8 without a byte order mark, CRLF line ends; the first
// record is the line naming the checkpoint (as the XLSX sheet's first row, padded with empty
// fields to the header's width), then the header row, then one row per sheet row, the same
// columns as the XLSX sheet; a field with a comma, quote, CR or LF is quoted and its quotes
// doubled. Amounts are exact decimal strings ("12500000.00"), dates "YYYY-MM-DD",
// percentages "45.67"; the name and label columns as in the XLSX. `sheet` is one of
// kWorkpaperSheets (exact case); otherwise kInvalidArgument naming the valid sheets.
Result<std::string> RenderCsv(const ledger::WorkpaperData& data, std::string_view sheet);

}  // namespace jejak::server
