// CSV reading and the normalisation of spreadsheet amounts and dates for imports
// (ledger/import_table.h).
#include "ledger/import_table.h"

#include <array>
#include <cctype>
#include <cmath>
#include <charconv>
#include <cstdlib>
#include <set>

namespace jejak::ledger {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Trimmed(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

bool IsUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    std::uint32_t point = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      point = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      point = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      point = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      point = (point << 6) | (next & 0x3F);
    }
    if ((extra == 2 && (point < 0x800 || (point >= 0xD800 && point <= 0xDFFF))) ||
        (extra == 3 && (point < 0x10000 || point > 0x10FFFF))) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

namespace {

// The separator of the first record: the most frequent of ',', ';', '\t' outside quotes.
char DetectSeparator(std::string_view bytes) {
  std::array<std::size_t, 3> counts{};
  constexpr std::array<char, 3> kSeparators = {',', ';', '\t'};
  bool quoted = false;
  for (char c : bytes) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n') break;
    for (std::size_t k = 0; k < kSeparators.size(); ++k) {
      if (c == kSeparators[k]) ++counts[k];
    }
  }
  std::size_t best = 0;
  for (std::size_t k = 1; k < counts.size(); ++k) {
    if (counts[k] > counts[best]) best = k;
  }
  return kSeparators[best];
}

// The CSV state machine over one file: records of raw cells.
class CsvReader {
 public:
  CsvReader(std::string_view bytes, char separator, const TableLimits& limits)
      : bytes_(bytes), separator_(separator), limits_(limits) {}

  // The next record into `cells`; false at the end. `error` is set on a failure.
  bool Next(std::vector<std::string>& cells, std::optional<Error>& error) {
    cells.clear();
    if (at_ >= bytes_.size()) return false;
    ++record_;
    std::string cell;
    bool quoted = false;      // Inside a quoted cell.
    bool was_quoted = false;  // The current cell was quoted (and closed).
    while (at_ < bytes_.size()) {
      const char c = bytes_[at_++];
      if (quoted) {
        if (c == '"') {
          if (at_ < bytes_.size() && bytes_[at_] == '"') {
            cell.push_back('"');
            ++at_;
          } else {
            quoted = false;
            was_quoted = true;
          }
        } else {
          cell.push_back(c);
        }
      } else if (c == separator_ || c == '\n' || c == '\r') {
        if (!Push(cells, cell, error)) return true;
        cell.clear();
        was_quoted = false;
        if (c == '\r' && at_ < bytes_.size() && bytes_[at_] == '\n') ++at_;
        if (c != separator_) return true;
        continue;
      } else if (c == '"') {
        if (was_quoted) {
          error = TableError(record_, static_cast<std::int64_t>(cells.size()) + 1,
                             "text after a closing quote");
          return true;
        }
        if (!cell.empty()) {
          error = TableError(record_, static_cast<std::int64_t>(cells.size()) + 1,
                             "a quote inside an unquoted cell");
          return true;
        }
        quoted = true;
      } else if (was_quoted) {
        if (c == ' ' || c == '\t') continue;  // Spaces after a closing quote are dropped.
        error = TableError(record_, static_cast<std::int64_t>(cells.size()) + 1,
                           "text after a closing quote");
        return true;
      } else {
        cell.push_back(c);
      }
      if (cell.size() > limits_.cell_bytes_max) {
        error = TableError(record_, static_cast<std::int64_t>(cells.size()) + 1,
                           "the cell is longer than " + std::to_string(limits_.cell_bytes_max) +
                               " bytes");
        return true;
      }
    }
    if (quoted) {
      error = TableError(record_, static_cast<std::int64_t>(cells.size()) + 1,
                         "a quoted cell is not closed");
      return true;
    }
    Push(cells, cell, error);
    return true;
  }

  std::int64_t record() const { return record_; }

 private:
  bool Push(std::vector<std::string>& cells, std::string& cell, std::optional<Error>& error) {
    if (cells.size() >= limits_.columns_max) {
      error = TableError(record_, -1,
                         "the file has more than " + std::to_string(limits_.columns_max) + " columns");
      return false;
    }
    cells.push_back(std::move(cell));
    return true;
  }

  std::string_view bytes_;
  char separator_;
  const TableLimits& limits_;
  std::size_t at_ = 0;
  std::int64_t record_ = 0;
};

// Digits with `group` between groups of three ("1.234.567"); false otherwise. Appends
// the digits to `out`.
bool GroupedDigits(std::string_view text, char group, std::string& out) {
  if (text.empty()) return false;
  if (text.find(group) == std::string_view::npos) {
    for (char c : text) {
      if (!IsDigit(c)) return false;
    }
    out.append(text);
    return true;
  }
  std::size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    std::size_t end = text.find(group, start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view part = text.substr(start, end - start);
    if (part.empty() || part.size() > 3 || (!first && part.size() != 3)) return false;
    for (char c : part) {
      if (!IsDigit(c)) return false;
    }
    out.append(part);
    first = false;
    start = end + 1;
  }
  return true;
}

// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
std::string CivilFromDays(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const auto digits = [](std::int64_t value, std::size_t width) {
    std::string text = std::to_string(value);
    return std::string(text.size() < width ? width - text.size() : 0, '0') + text;
  };
  return digits(year, 4) + "-" + digits(month, 2) + "-" + digits(day, 2);
}

}  // namespace

Error TableTooLarge(std::int64_t row, std::size_t bytes_max) {
  return TableError(row, -1, "the file is too large once opened: its cells take more than " +
                                 std::to_string(bytes_max) + " bytes");
}

Error TableError(std::int64_t row, std::int64_t column, std::string why) {
  std::string where;
  if (row > 0) where = "row " + std::to_string(row);
  if (row > 0 && column > 0) where += ", column " + std::to_string(column);
  return InvalidArgument("invalid import", {{"file", where.empty() ? why : where + ": " + why}});
}

Result<void> CheckHeader(const std::vector<std::string>& header) {
  bool any = false;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i].empty()) continue;
    any = true;
    if (!seen.insert(header[i]).second) {
      return TableError(1, static_cast<std::int64_t>(i) + 1,
                        "the header names column \"" + header[i] + "\" twice");
    }
  }
  if (!any) return TableError(1, -1, "the file has no header row");
  return Ok();
}

Result<ImportTable> ParseCsv(std::string_view bytes, char separator, const TableLimits& limits) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (!IsUtf8(bytes)) return TableError(-1, -1, "the file is not UTF-8 text");
  if (separator == 0) separator = DetectSeparator(bytes);
  CsvReader reader(bytes, separator, limits);
  ImportTable table;
  std::vector<std::string> cells;
  std::optional<Error> error;
  if (!reader.Next(cells, error)) return TableError(-1, -1, "the file has no header row");
  if (error) return *error;
  for (std::string& name : cells) table.header.push_back(Trimmed(name));
  if (Result<void> header = CheckHeader(table.header); !header) return header.error();
  std::size_t table_bytes = 0;
  for (const std::string& name : table.header) table_bytes += sizeof(Cell) + name.size();
  while (reader.Next(cells, error)) {
    if (error) return *error;
    bool empty = true;
    for (const std::string& cell : cells) empty = empty && Trimmed(cell).empty();
    if (empty) continue;
    if (table.rows.size() >= limits.rows_max) {
      return TableError(reader.record(), -1,
                        "the file has more than " + std::to_string(limits.rows_max) + " rows");
    }
    std::vector<Cell> row;
    row.reserve(cells.size());
    for (std::string& cell : cells) {
      row.push_back(Cell{Trimmed(cell), Cell::Type::kText});
      table_bytes += sizeof(Cell) + row.back().text.size();
    }
    if (table_bytes > limits.table_bytes_max) return TableTooLarge(reader.record(), limits.table_bytes_max);
    table.rows.push_back(std::move(row));
    table.row_numbers.push_back(reader.record());
  }
  return table;
}

namespace {

// A spreadsheet number's text ("1234.5", "1.5E7") as a plain decimal with at most two
// fraction digits and at most 16 integer digits, read digit by digit so no sen is rounded;
// nullopt for anything else. Trailing fraction zeros do not count ("1000.120000").
std::optional<std::string> ExactDecimal(std::string_view text) {
  std::size_t at = 0;
  const auto digits = [&text, &at]() {
    const std::size_t start = at;
    while (at < text.size() && IsDigit(text[at])) ++at;
    return text.substr(start, at - start);
  };
  const std::string_view whole = digits();
  if (whole.empty()) return std::nullopt;
  std::string_view fraction;
  if (at < text.size() && text[at] == '.') {
    ++at;
    fraction = digits();
    if (fraction.empty()) return std::nullopt;
  }
  std::int64_t exponent = 0;
  if (at < text.size() && (text[at] == 'E' || text[at] == 'e')) {
    ++at;
    const bool negative = at < text.size() && text[at] == '-';
    if (at < text.size() && (text[at] == '-' || text[at] == '+')) ++at;
    std::string_view power = digits();
    while (power.size() > 1 && power.front() == '0') power.remove_prefix(1);
    if (power.empty() || power.size() > 4) return std::nullopt;  // |exponent| <= 9999.
    for (char c : power) exponent = exponent * 10 + (c - '0');
    if (negative) exponent = -exponent;
  }
  if (at != text.size()) return std::nullopt;
  std::string significant = std::string(whole) + std::string(fraction);
  std::int64_t point = static_cast<std::int64_t>(whole.size()) + exponent;
  std::size_t lead = 0;
  while (lead < significant.size() && significant[lead] == '0') ++lead;
  significant.erase(0, lead);
  point -= static_cast<std::int64_t>(lead);
  while (!significant.empty() && significant.back() == '0') significant.pop_back();
  if (significant.empty()) return "0";
  const auto size = static_cast<std::int64_t>(significant.size());
  if (point > 16) return std::nullopt;        // More than 16 integer digits.
  if (size - point > 2) return std::nullopt;  // More than two sen digits.
  if (point <= 0) return "0." + std::string(static_cast<std::size_t>(-point), '0') + significant;
  if (point >= size) return significant + std::string(static_cast<std::size_t>(point - size), '0');
  const auto cut = static_cast<std::size_t>(point);
  return significant.substr(0, cut) + "." + significant.substr(cut);
}

}  // namespace

std::optional<std::string> NormaliseAmount(const Cell& cell, char decimal) {
  if (cell.type == Cell::Type::kNumber) {
    if (std::optional<std::string> exact = ExactDecimal(cell.text)) return exact;
    // A double written out to 15..17 significant digits ("1234567.8899999999" for a typed
    // 1234567.89) stands for the shortest decimal of that double. Only below 10^13, where
    // doubles lie closer than half a sen, so that decimal is the one that was typed.
    std::size_t significant = 0;
    for (char c : cell.text) {
      if (c == 'E' || c == 'e') break;
      significant += IsDigit(c) ? 1 : 0;
    }
    if (significant < 15) return std::nullopt;
    char* end = nullptr;
    const double value = std::strtod(cell.text.c_str(), &end);
    if (end == cell.text.c_str() || *end != '\0' || !std::isfinite(value) || value < 0 ||
        value >= 1e13) {
      return std::nullopt;
    }
    char shortest[40];
    const std::to_chars_result written = std::to_chars(shortest, shortest + sizeof shortest, value);
    if (written.ec != std::errc()) return std::nullopt;
    return ExactDecimal(std::string_view(shortest, static_cast<std::size_t>(written.ptr - shortest)));
  }
  std::string_view text = cell.text;
  const auto skip_spaces = [&text]() {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    // A no-break space (U+00A0), as some exports write between "Rp" and the digits.
    while (text.substr(0, 2) == "\xC2\xA0") text.remove_prefix(2);
  };
  skip_spaces();
  if (text.substr(0, 2) == "Rp" || text.substr(0, 2) == "RP" || text.substr(0, 2) == "rp") {
    text.remove_prefix(2);
    if (!text.empty() && text.front() == '.') text.remove_prefix(1);
    skip_spaces();
  }
  if (text.empty()) return std::nullopt;
  const char group = decimal == ',' ? '.' : ',';
  const std::size_t point = text.find(decimal);
  std::string out;
  if (!GroupedDigits(text.substr(0, point), group, out)) return std::nullopt;
  if (point != std::string_view::npos) {
    const std::string_view fraction = text.substr(point + 1);
    if (fraction.empty()) return std::nullopt;
    for (char c : fraction) {
      if (!IsDigit(c)) return std::nullopt;
    }
    out.push_back('.');
    out.append(fraction);
  }
  // Leading zeros ("0050") are dropped; ParseMoneySen then checks the rest.
  std::size_t zeros = 0;
  while (zeros + 1 < out.size() && out[zeros] == '0' && out[zeros + 1] != '.') ++zeros;
  return out.substr(zeros);
}

bool IsDateFormat(std::string_view format) {
  constexpr std::array<std::string_view, 3> kOrders = {"YYYYMMDD", "DDMMYYYY", "MMDDYYYY"};
  if (format.size() != 10) return false;
  const char separator = format[format[0] == 'Y' ? 4 : 2];
  if (separator != '-' && separator != '/' && separator != '.') return false;
  std::string letters;
  for (char c : format) {
    if (c == separator) continue;
    letters.push_back(c);
  }
  if (letters.size() != 8) return false;
  for (std::string_view order : kOrders) {
    if (letters == order) return true;
  }
  return false;
}

std::optional<std::string> NormaliseDate(const Cell& cell, std::string_view format) {
  const std::string& text = cell.text;
  const auto iso = [](std::string_view value) {
    if (value.size() != 10 || value[4] != '-' || value[7] != '-') return false;
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (i != 4 && i != 7 && !IsDigit(value[i])) return false;
    }
    return true;
  };
  if (iso(text)) return text;
  // A date-time text cell ("2026-03-04 00:00:00") keeps its date.
  if (text.size() > 10 && text[10] == ' ' && iso(std::string_view(text).substr(0, 10))) {
    return text.substr(0, 10);
  }
  if (cell.type != Cell::Type::kText || !IsDateFormat(format)) return std::nullopt;
  const char separator = format[format[0] == 'Y' ? 4 : 2];
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(separator, start);
    if (end == std::string::npos) end = text.size();
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (parts.size() != 3) return std::nullopt;
  std::string year, month, day;
  std::size_t index = 0;
  for (std::size_t i = 0; i < format.size() && index < 3; i += 1) {
    if (format[i] == separator) continue;
    const char letter = format[i];
    (letter == 'Y' ? year : letter == 'M' ? month : day) = parts[index++];
    i += letter == 'Y' ? 3 : 1;
  }
  const auto digits = [](const std::string& value, std::size_t min, std::size_t max) {
    if (value.size() < min || value.size() > max) return false;
    for (char c : value) {
      if (!IsDigit(c)) return false;
    }
    return true;
  };
  if (!digits(year, 4, 4) || !digits(month, 1, 2) || !digits(day, 1, 2)) return std::nullopt;
  if (month.size() == 1) month = "0" + month;
  if (day.size() == 1) day = "0" + day;
  return year + "-" + month + "-" + day;
}

std::optional<std::string> SerialToDate(double serial, bool date1904) {
  // 2958465 is 9999-12-31, the last day spreadsheets know; the bound keeps the cast defined.
  if (!std::isfinite(serial) || serial < 0 || serial >= 2958466) return std::nullopt;
  auto days = static_cast<std::int64_t>(std::floor(serial));
  // Days from 1970-01-01 to the system's day 0.
  std::int64_t epoch = 0;
  if (date1904) {
    epoch = -24107;  // 1904-01-01 is serial 0.
  } else {
    if (days < 1) return std::nullopt;
    if (days == 60) return std::nullopt;  // 1900-02-29 does not exist.
    if (days < 60) days += 1;             // Before the phantom day, one day less to skip.
    epoch = -25569;                       // 1899-12-30 is serial 0 after the phantom day.
  }
  const std::int64_t unix_days = epoch + days;
  if (unix_days > 2932896) return std::nullopt;  // Past 9999-12-31.
  return CivilFromDays(unix_days);
}

}  // namespace jejak::ledger
