// The field checks that entry validation is built from: the Checker that collects every
// field error of one body under its JSON path, and the small helpers it needs (code
// patterns, calendar dates, enumerations). Internal to jejak_ledger (ledger/entry.cc and
// ledger/bank_statement.cc validate with it); nothing outside ledger/ includes it.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "ledger/entry_internal.h"
#include "ledger/limits.h"
#include "ledger/money.h"

namespace jejak::ledger::entry_internal {

using nlohmann::json;

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// True iff `text` has the shape of `form`, position by position: 'd' is an ASCII digit,
// 'x' a digit or 'X', anything else itself. (Hand-written: a regex per code cost more
// than the rest of an entry's validation.)
inline bool HasForm(std::string_view text, std::string_view form) {
  if (text.size() != form.size()) return false;
  for (std::size_t i = 0; i < form.size(); ++i) {
    const char c = text[i];
    switch (form[i]) {
      case 'd':
        if (!IsDigit(c)) return false;
        break;
      case 'x':
        if (!IsDigit(c) && c != 'X') return false;
        break;
      default:
        if (c != form[i]) return false;
    }
  }
  return true;
}

// Permendagri 90/2019 codes as SIPD writes them (DESIGN gives the patterns):
// \d\.\d{2}\.\d\.\d{2}\.\d\.\d{2}\.\d{2}\.\d{4}
inline bool IsOpdCode(std::string_view text) { return HasForm(text, "d.dd.d.dd.d.dd.dd.dddd"); }
// [0-9X]\.(\d{2}|XX)\.\d{2}\.\d\.\d{2}\.\d{4}
inline bool IsSubActivityCode(std::string_view text) {
  return (HasForm(text, "x.dd.dd.d.dd.dddd") || HasForm(text, "x.XX.dd.d.dd.dddd"));
}
// 5\.\d\.\d{2}\.\d{2}\.\d{2}\.\d{4}
inline bool IsAccountCode(std::string_view text) { return HasForm(text, "5.d.dd.dd.dd.dddd"); }

inline bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsDigit);
}

template <std::size_t N>
inline bool OneOf(std::string_view value, const std::array<std::string_view, N>& allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

template <std::size_t N>
inline std::string ListOf(const std::array<std::string_view, N>& allowed) {
  std::string text;
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) text += ", ";
    text += allowed[i];
  }
  return text;
}

inline bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

inline int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[static_cast<std::size_t>(month - 1)];
}

inline int DigitsValue(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

// "YYYY-MM-DD" naming a real day of the Gregorian calendar.
inline bool IsCalendarDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  const std::string_view year = text.substr(0, 4);
  const std::string_view month = text.substr(5, 2);
  const std::string_view day = text.substr(8, 2);
  if (!AllDigits(year) || !AllDigits(month) || !AllDigits(day)) return false;
  const int month_value = DigitsValue(month);
  const int day_value = DigitsValue(day);
  if (month_value < 1 || month_value > 12) return false;
  return day_value >= 1 && day_value <= DaysInMonth(DigitsValue(year), month_value);
}

inline bool HasControlCharacter(std::string_view text, bool allow_line_breaks) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (allow_line_breaks && (c == '\n' || c == '\t')) continue;
    if (byte < 0x20 || byte == 0x7F) return true;
  }
  return false;
}

inline std::string Join(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return path + "." + std::string(key);
}

enum class Presence { kRequired, kOptional };

// Collects every field error of one body. Each check reads one member of a (mutable copy
// of the) body, reports what is wrong with it under its JSON path, and returns the value
// when it is good; money members are rewritten in their stored form.
class Checker {
 public:
  // kStored checks a stored entry as it is: its server fields are skipped at the top
  // level (instead of erased from a copy), and money is compared with its stored form
  // instead of rewritten, so nothing is written to the body.
  enum class Mode { kClientBody, kStored };
  explicit Checker(Mode mode = Mode::kClientBody) : mode_(mode) {}

  void Add(std::string field, std::string why) {
    // Unknown fields are named by the client's own keys: a huge key is not echoed whole,
    // and a body with thousands of them gets a bounded list.
    constexpr std::size_t kFieldBytesMax = 128;
    constexpr std::size_t kErrorsMax = 100;
    if (field.size() > kFieldBytesMax) {
      field.resize(kFieldBytesMax);
      field.append("...");
    }
    if (errors_.size() >= kErrorsMax) return;
    errors_.push_back(FieldError{std::move(field), std::move(why)});
  }
  bool ok() const { return errors_.empty(); }
  std::vector<FieldError> TakeErrors() { return std::move(errors_); }

  // Rejects members of `object` that are not in `allowed`.
  template <std::size_t N>
  void OnlyKnown(const json& object, const std::string& path,
                 const std::array<std::string_view, N>& allowed) {
    for (const auto& [key, value] : object.items()) {
      if (OneOf(key, allowed)) continue;
      if (mode_ == Mode::kStored && path.empty() && OneOf(key, kServerFields)) continue;
      Add(Join(path, key), "unknown field");
    }
  }

  // kStored: true iff a money value was not in its stored form.
  bool money_not_stored() const { return money_not_stored_; }

  // The member `key` of `object`, or nullptr if absent (reported when required).
  json* Member(json& object, std::string_view key, const std::string& path,
               Presence presence) {
    const auto it = object.find(key);
    if (it == object.end()) {
      if (presence == Presence::kRequired) Add(Join(path, key), "required");
      return nullptr;
    }
    return &*it;
  }

  std::optional<std::string_view> String(json& object, std::string_view key, const std::string& path,
                                    Presence presence) {
    json* value = Member(object, key, path, presence);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) {
      Add(Join(path, key), "must be a string");
      return std::nullopt;
    }
    // A view into the body: valid while the member is not rewritten (only money is).
    return std::string_view(value->get_ref<const std::string&>());
  }

  // Free text: names, descriptions, reasons. Tabs and line breaks are allowed.
  std::optional<std::string_view> Text(json& object, std::string_view key, const std::string& path,
                                  Presence presence = Presence::kRequired) {
    return Bounded(object, key, path, presence, kTextBytesMax, /*allow_line_breaks=*/true);
  }

  // Short identifiers: references, document and account numbers.
  std::optional<std::string_view> Identifier(json& object, std::string_view key,
                                        const std::string& path,
                                        Presence presence = Presence::kRequired) {
    return Bounded(object, key, path, presence, kIdentifierBytesMax,
                   /*allow_line_breaks=*/false);
  }

  std::optional<std::string_view> Pattern(json& object, std::string_view key, const std::string& path,
                                     bool (*matches)(std::string_view), std::string_view example) {
    std::optional<std::string_view> text = String(object, key, path, Presence::kRequired);
    if (!text) return std::nullopt;
    if (!matches(*text)) {
      Add(Join(path, key), "must be a code like \"" + std::string(example) + "\"");
      return std::nullopt;
    }
    return text;
  }

  template <std::size_t N>
  std::optional<std::string_view> Enum(json& object, std::string_view key, const std::string& path,
                                  const std::array<std::string_view, N>& allowed) {
    std::optional<std::string_view> text = String(object, key, path, Presence::kRequired);
    if (!text) return std::nullopt;
    if (!OneOf(*text, allowed)) {
      Add(Join(path, key), "must be one of " + ListOf(allowed));
      return std::nullopt;
    }
    return text;
  }

  std::optional<std::string_view> Date(json& object, std::string_view key, const std::string& path,
                                  Presence presence = Presence::kRequired) {
    std::optional<std::string_view> text = String(object, key, path, presence);
    if (!text) return std::nullopt;
    if (!IsCalendarDate(*text)) {
      Add(Join(path, key), "must be a calendar date YYYY-MM-DD");
      return std::nullopt;
    }
    return text;
  }

  std::optional<std::int64_t> Integer(json& object, std::string_view key,
                                      const std::string& path, std::int64_t min,
                                      std::int64_t max) {
    json* value = Member(object, key, path, Presence::kRequired);
    if (value == nullptr) return std::nullopt;
    return IntegerValue(*value, Join(path, key), min, max);
  }

  std::optional<std::int64_t> IntegerValue(const json& value, const std::string& field,
                                           std::int64_t min, std::int64_t max) {
    if (!value.is_number_integer()) {
      Add(field, "must be an integer");
      return std::nullopt;
    }
    // Positive integers are parsed as unsigned; ParseStrict keeps them within int64, but
    // a body built in code may not.
    if (value.is_number_unsigned() &&
        value.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
      Add(field, "must be at most " + std::to_string(max));
      return std::nullopt;
    }
    const auto number = value.get<std::int64_t>();
    if (number < min || number > max) {
      Add(field, "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
      return std::nullopt;
    }
    return number;
  }

  std::optional<std::int64_t> FiscalYear(json& object, const std::string& path) {
    return Integer(object, "fiscal_year", path, kFiscalYearMin, kFiscalYearMax);
  }

  // Money: a decimal string (DESIGN), rewritten with exactly two fraction digits.
  std::optional<std::int64_t> Money(json& object, std::string_view key, const std::string& path,
                                    bool positive, Presence presence = Presence::kRequired) {
    json* value = Member(object, key, path, presence);
    if (value == nullptr) return std::nullopt;
    return MoneyValue(*value, Join(path, key), positive);
  }

  std::optional<std::int64_t> MoneyValue(json& value, const std::string& field, bool positive) {
    if (!value.is_string()) {
      Add(field, "money must be a decimal string such as \"12500000\", not a JSON number");
      return std::nullopt;
    }
    Result<std::int64_t> sen = ParseMoneySen(value.get_ref<const std::string&>());
    if (!sen) {
      Add(field, sen.error().message);
      return std::nullopt;
    }
    if (positive && *sen == 0) {
      Add(field, "must be greater than zero");
      return std::nullopt;
    }
    if (mode_ == Mode::kStored) {
      if (value.get_ref<const std::string&>() != FormatMoney(*sen)) money_not_stored_ = true;
    } else {
      value = FormatMoney(*sen);
    }
    return *sen;
  }

  json* Object(json& object, std::string_view key, const std::string& path, Presence presence) {
    json* value = Member(object, key, path, presence);
    if (value == nullptr) return nullptr;
    if (!value->is_object()) {
      Add(Join(path, key), "must be an object");
      return nullptr;
    }
    return value;
  }

  json* Array(json& object, std::string_view key, const std::string& path, Presence presence,
              std::size_t min_size, std::size_t max_size) {
    json* value = Member(object, key, path, presence);
    if (value == nullptr) return nullptr;
    auto field = [&path, key] { return Join(path, key); };  // Built only for an error.
    if (!value->is_array()) {
      Add(field(), "must be an array");
      return nullptr;
    }
    if (value->size() < min_size || value->size() > max_size) {
      if (min_size == max_size) {
        Add(field(), "must have exactly " + std::to_string(min_size) + " elements");
      } else {
        Add(field(), "must have between " + std::to_string(min_size) + " and " +
                       std::to_string(max_size) + " elements");
      }
      return nullptr;
    }
    return value;
  }

 private:
  std::optional<std::string_view> Bounded(json& object, std::string_view key, const std::string& path,
                                     Presence presence, std::size_t max_bytes,
                                     bool allow_line_breaks) {
    std::optional<std::string_view> text = String(object, key, path, presence);
    if (!text) return std::nullopt;
    auto field = [&path, key] { return Join(path, key); };  // Built only for an error.
    if (text->empty()) {
      Add(field(), "must not be empty");
      return std::nullopt;
    }
    if (text->size() > max_bytes) {
      Add(field(), "must be at most " + std::to_string(max_bytes) + " bytes");
      return std::nullopt;
    }
    if (HasControlCharacter(*text, allow_line_breaks)) {
      Add(field(), "must not contain control characters");
      return std::nullopt;
    }
    return text;
  }

  Mode mode_;
  bool money_not_stored_ = false;
  std::vector<FieldError> errors_;
};

// Checks a `bank_statement` body (ledger/bank_statement.cc): its members, every line, the
// period and the line dates, and the balances line by line with checked arithmetic.
void CheckBankStatement(Checker& check, json& body);

}  // namespace jejak::ledger::entry_internal
