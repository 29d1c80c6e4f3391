// The sheets of the audit workpapers as typed cells (server/workpapers_render.cc writes
// them as XLSX or CSV): a sheet is a header and a row generator, and these helpers add
// one cell of each kind. Internal to the workpaper renderers (workpapers_render.cc,
// workpapers_bank.cc).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/workpapers.h"

namespace jejak::server {

// One cell of a sheet: rendered as a typed XLSX cell or a CSV field.
struct Cell {
  // kDate: text "YYYY-MM-DD", a date cell in the XLSX (text if it is not a real date).
  enum class Type { kEmpty, kText, kMoney, kInteger, kPercent, kDate };
  Type type = Type::kEmpty;
  std::string text;
  std::int64_t value = 0;  // Sen, integer or basis points.
};
using Row = std::vector<Cell>;

struct Column {
  const char* header;
  double width;  // In Excel character widths.
};

// A sheet as a header and a row generator, so that a million rows are rendered one at a
// time from ledger::WorkpaperData rather than held twice.
struct Sheet {
  const char* name;
  std::vector<Column> columns;
  std::size_t rows = 0;
  std::function<void(std::size_t, Row&)> fill;  // Appends row i's cells to an empty Row.
};

inline void AddText(Row& row, std::string text) { row.push_back(Cell{Cell::Type::kText, std::move(text), 0}); }
inline void AddDate(Row& row, std::string date) { row.push_back(Cell{Cell::Type::kDate, std::move(date), 0}); }
// An OPD code and, in the next column, its name from the registry ("" if unregistered).
inline void AddOpd(Row& row, const ledger::WorkpaperData& data, const std::string& opd) {
  AddText(row, opd);
  const auto name = data.opd_names.find(opd);
  AddText(row, name == data.opd_names.end() ? std::string() : name->second);
}
// A code and, in the next column, its Indonesian label (ledger/labels.h); an empty code
// has an empty label.
inline void AddCode(Row& row, const std::string& code, std::string_view (*label)(std::string_view)) {
  AddText(row, code);
  AddText(row, code.empty() ? std::string() : std::string(label(code)));
}
inline void AddMoney(Row& row, std::int64_t sen) { row.push_back(Cell{Cell::Type::kMoney, {}, sen}); }
inline void AddInteger(Row& row, std::int64_t value) { row.push_back(Cell{Cell::Type::kInteger, {}, value}); }
inline void AddEmpty(Row& row) { row.push_back(Cell{}); }
inline void AddOptionalMoney(Row& row, const std::optional<std::int64_t>& sen) {
  if (sen) {
    AddMoney(row, *sen);
  } else {
    AddEmpty(row);
  }
}

// Rekonsiliasi Bank (server/workpapers_bank.cc): one row per statement line of the year.
Sheet RekonsiliasiBank(const ledger::WorkpaperData& data);

}  // namespace jejak::server
