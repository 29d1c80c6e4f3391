// Validation of the entry kinds of DESIGN ("Entries and the chain") and the server's stamp.
// The query columns derived from a stored entry and the checks against the ledger so far
// are in ledger/entry_columns.cc.
// Every rejection names its field as a JSON path ("payee.account_no", "taxes[1].amount").
#include "ledger/entry.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/check.h"
#include "base/result.h"
#include "ledger/entry_internal.h"
#include "ledger/limits.h"
#include "ledger/money.h"

namespace jejak::ledger {
namespace {

using nlohmann::json;
using entry_internal::Index;
using entry_internal::kServerFields;
using entry_internal::IsRecordedAt;

constexpr std::array<std::string_view, 5> kTaxTypes = {"PPN", "PPh21", "PPh22", "PPh23",
                                                       "PPh4(2)"};
constexpr std::array<std::string_view, 3> kStages = {"murni", "pergeseran", "perubahan"};
constexpr std::array<std::string_view, 4> kMechanisms = {"UP", "GU", "TU", "LS"};
constexpr std::array<std::string_view, 5> kInstruments = {"cms_transfer", "sp2d_ls", "kkpd",
                                                          "qris", "cash"};
constexpr std::array<std::string_view, 4> kProcurementTypes = {"barang", "jasa_lainnya",
                                                              "konsultansi", "konstruksi"};
constexpr std::array<std::string_view, 4> kProcurementMethods = {"PL", "tender", "epurchasing",
                                                                 "swakelola"};
// RAK: one cash plan amount per month.
constexpr std::size_t kMonthsPerYear = 12;
// C2SP signed-note key names are short; 255 bytes bounds what a checkpoint line carries.
constexpr std::size_t kKeyNameBytesMax = 255;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// True iff `text` has the shape of `form`, position by position: 'd' is an ASCII digit,
// 'x' a digit or 'X', anything else itself. (Hand-written: a regex per code cost more
// than the rest of an entry's validation.)
bool HasForm(std::string_view text, std::string_view form) {
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
bool IsOpdCode(std::string_view text) { return HasForm(text, "d.dd.d.dd.d.dd.dd.dddd"); }
// [0-9X]\.(\d{2}|XX)\.\d{2}\.\d\.\d{2}\.\d{4}
bool IsSubActivityCode(std::string_view text) {
  return (HasForm(text, "x.dd.dd.d.dd.dddd") || HasForm(text, "x.XX.dd.d.dd.dddd"));
}
// 5\.\d\.\d{2}\.\d{2}\.\d{2}\.\d{4}
bool IsAccountCode(std::string_view text) { return HasForm(text, "5.d.dd.dd.dd.dddd"); }

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsDigit);
}

template <std::size_t N>
bool OneOf(std::string_view value, const std::array<std::string_view, N>& allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

template <std::size_t N>
std::string ListOf(const std::array<std::string_view, N>& allowed) {
  std::string text;
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) text += ", ";
    text += allowed[i];
  }
  return text;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[static_cast<std::size_t>(month - 1)];
}

int DigitsValue(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

// "YYYY-MM-DD" naming a real day of the Gregorian calendar.
bool IsCalendarDate(std::string_view text) {
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

bool HasControlCharacter(std::string_view text, bool allow_line_breaks) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (allow_line_breaks && (c == '\n' || c == '\t')) continue;
    if (byte < 0x20 || byte == 0x7F) return true;
  }
  return false;
}

std::string Join(const std::string& path, std::string_view key) {
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

void CheckOpd(Checker& check, json& body) {
  static constexpr std::array<std::string_view, 3> kFields = {"kind", "code", "name"};
  check.OnlyKnown(body, "", kFields);
  check.Pattern(body, "code", "", IsOpdCode, "1.02.0.00.0.00.01.0000");
  check.Text(body, "name", "");
}

void CheckBudget(Checker& check, json& body) {
  static constexpr std::array<std::string_view, 10> kFields = {
      "kind",    "fiscal_year",  "opd",  "sub_activity",  "account",
      "pagu",    "stage",        "monthly_plan", "effective_date", "note"};
  check.OnlyKnown(body, "", kFields);
  const std::optional<std::int64_t> year = check.FiscalYear(body, "");
  // The date of the DPA, DPPA or Perkada the ceiling comes from (DESIGN "budget"): it is in
  // force from that date, whenever it was recorded. A budget for a year is set before
  // that year ends.
  const std::optional<std::string_view> effective =
      check.Date(body, "effective_date", "", Presence::kOptional);
  if (year && effective && *effective > std::to_string(*year) + "-12-31") {
    check.Add("effective_date", "must be on or before the end of fiscal year " +
                                    std::to_string(*year));
  }
  check.Pattern(body, "opd", "", IsOpdCode, "1.02.0.00.0.00.01.0000");
  check.Pattern(body, "sub_activity", "", IsSubActivityCode, "1.02.01.2.02.0001");
  check.Pattern(body, "account", "", IsAccountCode, "5.1.02.01.01.0024");
  check.Money(body, "pagu", "", /*positive=*/false);
  check.Enum(body, "stage", "", kStages);
  if (json* plan = check.Array(body, "monthly_plan", "", Presence::kOptional, kMonthsPerYear,
                               kMonthsPerYear)) {
    // Every month is checked on its own; the sum only when all of them are amounts.
    std::int64_t plan_sen = 0;
    bool all_amounts = true;
    bool overflow = false;
    for (std::size_t i = 0; i < plan->size(); ++i) {
      const std::optional<std::int64_t> month =
          check.MoneyValue((*plan)[i], Index("monthly_plan", i), /*positive=*/false);
      if (!month) {
        all_amounts = false;
        continue;
      }
      const std::optional<std::int64_t> sum = CheckedAdd(plan_sen, *month);
      if (!sum) {
        overflow = true;
      } else {
        plan_sen = *sum;
      }
    }
    if (all_amounts && (overflow || plan_sen > kMoneySenMax)) {
      check.Add("monthly_plan", "the months add up to more than the largest amount, " +
                                    FormatMoney(kMoneySenMax));
    }
  }
  check.Text(body, "note", "", Presence::kOptional);
}

void CheckPayee(Checker& check, json& payee, bool cash) {
  static constexpr std::array<std::string_view, 6> kFields = {"name", "npwp", "pkp", "bank",
                                                              "account_no", "account_name"};
  const std::string path = "payee";
  check.OnlyKnown(payee, path, kFields);
  check.Text(payee, "name", path);
  // pkp: true for a VAT-registered enterprise (Pengusaha Kena Pajak); optional.
  if (json* pkp = check.Member(payee, "pkp", path, Presence::kOptional)) {
    if (!pkp->is_boolean()) check.Add("payee.pkp", "must be true or false");
  }
  if (std::optional<std::string_view> npwp = check.String(payee, "npwp", path, Presence::kOptional)) {
    if ((npwp->size() != 15 && npwp->size() != 16) || !AllDigits(*npwp)) {
      check.Add("payee.npwp", "must be 15 or 16 digits");
    }
  }
  // A cash payment has no bank account; every other instrument moves money between accounts.
  const Presence bank = cash ? Presence::kOptional : Presence::kRequired;
  check.Text(payee, "bank", path, bank);
  check.Identifier(payee, "account_no", path, bank);
  check.Text(payee, "account_name", path, bank);
}

void CheckDocuments(Checker& check, json& documents) {
  static constexpr std::array<std::string_view, 5> kFields = {"spp", "spm", "sp2d",
                                                              "evidence_no", "evidence_date"};
  const std::string path = "documents";
  check.OnlyKnown(documents, path, kFields);
  check.Identifier(documents, "spp", path, Presence::kOptional);
  check.Identifier(documents, "spm", path, Presence::kOptional);
  check.Identifier(documents, "sp2d", path, Presence::kOptional);
  check.Identifier(documents, "evidence_no", path, Presence::kOptional);
  check.Date(documents, "evidence_date", path, Presence::kOptional);
}

void CheckProcurement(Checker& check, json& procurement) {
  static constexpr std::array<std::string_view, 4> kFields = {"method", "type", "contract_no",
                                                              "contract_value"};
  const std::string path = "procurement";
  check.OnlyKnown(procurement, path, kFields);
  check.Enum(procurement, "method", path, kProcurementMethods);
  // type (optional): sets the direct-procurement cap SPLIT_PACKAGE applies.
  if (procurement.contains("type")) check.Enum(procurement, "type", path, kProcurementTypes);
  check.Identifier(procurement, "contract_no", path);
  check.Money(procurement, "contract_value", path, /*positive=*/true);
}

// The sum of the taxes, or nullopt if any tax is bad (reported).
std::optional<std::int64_t> CheckTaxes(Checker& check, json& body) {
  json* taxes = check.Array(body, "taxes", "", Presence::kRequired, 0, kTaxesMax);
  if (taxes == nullptr) return std::nullopt;
  static constexpr std::array<std::string_view, 2> kFields = {"type", "amount"};
  std::optional<std::int64_t> total = 0;
  for (std::size_t i = 0; i < taxes->size(); ++i) {
    const std::string path = Index("taxes", i);
    json& tax = (*taxes)[i];
    if (!tax.is_object()) {
      check.Add(path, "must be an object {type, amount}");
      total = std::nullopt;
      continue;
    }
    check.OnlyKnown(tax, path, kFields);
    check.Enum(tax, "type", path, kTaxTypes);
    const std::optional<std::int64_t> amount = check.Money(tax, "amount", path, true);
    if (!amount) {
      total = std::nullopt;
    } else if (total) {
      // Sixteen maximal amounts pass int64, and even a sum that fits must stay a money
      // amount: the taxes are part of the gross, which is at most kMoneySenMax.
      total = CheckedAdd(*total, *amount);
      if (!total || *total > kMoneySenMax) {
        check.Add("taxes", "the taxes add up to more than the largest amount, " +
                               FormatMoney(kMoneySenMax));
        total = std::nullopt;
        break;
      }
    }
  }
  return total;
}

void CheckExpenditure(Checker& check, json& body) {
  static constexpr std::array<std::string_view, 17> kFields = {
      "kind",     "fiscal_year", "opd",    "sub_activity", "account",  "mechanism",
      "instrument", "cash_reason", "value_date", "gross", "taxes",   "net",
      "payee",    "bank_ref",    "documents", "procurement", "description"};
  check.OnlyKnown(body, "", kFields);
  check.FiscalYear(body, "");
  check.Pattern(body, "opd", "", IsOpdCode, "1.02.0.00.0.00.01.0000");
  check.Pattern(body, "sub_activity", "", IsSubActivityCode, "1.02.01.2.02.0001");
  check.Pattern(body, "account", "", IsAccountCode, "5.1.02.01.01.0024");
  check.Enum(body, "mechanism", "", kMechanisms);
  const std::optional<std::string_view> instrument = check.Enum(body, "instrument", "", kInstruments);
  // When the instrument is bad, whether it is cash is unknown: the cash-dependent fields
  // are then checked only for their own form.
  const bool cash = instrument.has_value() && *instrument == "cash";
  const bool known = instrument.has_value();
  if (cash || !known) {
    check.Text(body, "cash_reason", "", cash ? Presence::kRequired : Presence::kOptional);
  } else if (body.contains("cash_reason")) {
    check.Add("cash_reason", "allowed only with instrument cash");
  }
  check.Date(body, "value_date", "");
  const std::optional<std::int64_t> gross = check.Money(body, "gross", "", /*positive=*/true);
  const std::optional<std::int64_t> taxes = CheckTaxes(check, body);
  const std::optional<std::int64_t> net = check.Money(body, "net", "", /*positive=*/false);
  if (gross && taxes && net) {
    // Both are in [0, kMoneySenMax] (CheckTaxes bounds the sum), so this cannot overflow;
    // checked anyway, since input reaches it.
    const std::optional<std::int64_t> expected = CheckedSub(*gross, *taxes);
    if (!expected || *taxes > *gross) {
      check.Add("taxes", "the taxes add up to more than the gross");
    }
    if (expected && *net != *expected) {
      check.Add("net", "must equal gross minus taxes (" + FormatMoney(*expected) + ")");
    }
  }
  if (json* payee = check.Object(body, "payee", "", Presence::kRequired)) {
    CheckPayee(check, *payee, cash || !known);
  }
  check.Identifier(body, "bank_ref", "",
                   cash || !known ? Presence::kOptional : Presence::kRequired);
  if (json* documents = check.Object(body, "documents", "", Presence::kRequired)) {
    CheckDocuments(check, *documents);
  }
  if (json* procurement = check.Object(body, "procurement", "", Presence::kOptional)) {
    CheckProcurement(check, *procurement);
  }
  check.Text(body, "description", "");
}

void CheckReversal(Checker& check, json& body) {
  static constexpr std::array<std::string_view, 3> kFields = {"kind", "reverses", "reason"};
  check.OnlyKnown(body, "", kFields);
  check.Integer(body, "reverses", "", 1, std::numeric_limits<std::int64_t>::max());
  check.Text(body, "reason", "");
}

// Pengembalian belanja: cash of an expenditure paid back to the kas daerah (STS slip).
void CheckRefund(Checker& check, json& body) {
  static constexpr std::array<std::string_view, 6> kFields = {"kind",   "refunds", "value_date",
                                                              "amount", "sts_no",  "reason"};
  check.OnlyKnown(body, "", kFields);
  check.Integer(body, "refunds", "", 1, std::numeric_limits<std::int64_t>::max());
  // The year the cash came back is the refund's fiscal year (its query column).
  if (std::optional<std::string_view> date = check.Date(body, "value_date", "")) {
    const int year = DigitsValue(std::string_view(*date).substr(0, 4));
    if (year < kFiscalYearMin || year > kFiscalYearMax) {
      check.Add("value_date", "must be in a fiscal year from " + std::to_string(kFiscalYearMin) +
                                  " to " + std::to_string(kFiscalYearMax));
    }
  }
  check.Money(body, "amount", "", /*positive=*/true);
  check.Identifier(body, "sts_no", "");
  check.Text(body, "reason", "");
}

void CheckTaxDeposit(Checker& check, json& body) {
  static constexpr std::array<std::string_view, 9> kFields = {
      "kind",        "fiscal_year", "opd",          "tax_type", "amount",
      "billing_code", "ntpn",       "deposit_date", "covers"};
  check.OnlyKnown(body, "", kFields);
  check.FiscalYear(body, "");
  check.Pattern(body, "opd", "", IsOpdCode, "1.02.0.00.0.00.01.0000");
  check.Enum(body, "tax_type", "", kTaxTypes);
  check.Money(body, "amount", "", /*positive=*/true);
  if (std::optional<std::string_view> billing = check.String(body, "billing_code", "",
                                                         Presence::kRequired)) {
    if (billing->size() != 15 || !AllDigits(*billing)) {
      check.Add("billing_code", "must be exactly 15 digits");
    }
  }
  if (std::optional<std::string_view> ntpn = check.String(body, "ntpn", "", Presence::kRequired)) {
    const bool well_formed =
        ntpn->size() == 16 && std::all_of(ntpn->begin(), ntpn->end(), [](char c) {
          return IsDigit(c) || (c >= 'A' && c <= 'Z');
        });
    if (!well_formed) check.Add("ntpn", "must be exactly 16 characters 0-9 or A-Z");
  }
  check.Date(body, "deposit_date", "");
  if (json* covers = check.Array(body, "covers", "", Presence::kRequired, 1, kCoversMax)) {
    std::set<std::int64_t> seen;
    for (std::size_t i = 0; i < covers->size(); ++i) {
      const std::string field = Index("covers", i);
      const std::optional<std::int64_t> seq = check.IntegerValue(
          (*covers)[i], field, 1, std::numeric_limits<std::int64_t>::max());
      if (seq && !seen.insert(*seq).second) {
        check.Add(field, "seq " + std::to_string(*seq) + " is listed twice");
      }
    }
  }
}

void CheckGenesis(Checker& check, json& body) {
  static constexpr std::array<std::string_view, 5> kFields = {"kind", "ledger_id", "origin",
                                                              "region", "checkpoint_key"};
  check.OnlyKnown(body, "", kFields);
  check.Identifier(body, "ledger_id", "");
  if (std::optional<std::string_view> origin = check.String(body, "origin", "", Presence::kRequired)) {
    // C2SP signed-note: a key name is non-empty and has no spaces and no '+'. Printable
    // ASCII keeps Unicode spaces out too.
    const bool well_formed =
        !origin->empty() && origin->size() <= kKeyNameBytesMax &&
        std::all_of(origin->begin(), origin->end(),
                    [](char c) { return c > ' ' && c < 0x7F && c != '+'; });
    if (!well_formed) {
      check.Add("origin", "must be a signed-note key name: 1 to 255 printable ASCII "
                          "characters, no spaces, no '+'");
    }
  }
  check.Text(body, "region", "");
  if (std::optional<std::string_view> key =
          check.String(body, "checkpoint_key", "", Presence::kRequired)) {
    if (key->empty()) check.Add("checkpoint_key", "must not be empty");
  }
}

// The kind named by `body`, reporting a missing or unknown one.
std::optional<Kind> CheckKind(Checker& check, json& body) {
  std::optional<std::string_view> name = check.String(body, "kind", "", Presence::kRequired);
  if (!name) return std::nullopt;
  std::optional<Kind> kind = ParseKind(*name);
  if (!kind) check.Add("kind", "unknown kind; expected opd, budget, expenditure, reversal, "
                               "refund or tax_deposit");
  return kind;
}

void CheckNoServerFields(Checker& check, const json& body) {
  for (std::string_view field : kServerFields) {
    if (body.contains(field)) check.Add(std::string(field), "set by the server");
  }
}

// A client body of any kind but genesis, without server fields.
void CheckClientBody(Checker& check, json& body) {
  const std::optional<Kind> kind = CheckKind(check, body);
  if (!kind) return;
  switch (*kind) {
    case Kind::kGenesis:
      check.Add("kind", "genesis is written only by jejak init");
      break;
    case Kind::kOpd: CheckOpd(check, body); break;
    case Kind::kBudget: CheckBudget(check, body); break;
    case Kind::kExpenditure: CheckExpenditure(check, body); break;
    case Kind::kReversal: CheckReversal(check, body); break;
    case Kind::kTaxDeposit: CheckTaxDeposit(check, body); break;
    case Kind::kRefund: CheckRefund(check, body); break;
  }
}

void CheckGenesisBody(Checker& check, json& body) {
  if (std::optional<std::string_view> kind = check.String(body, "kind", "", Presence::kRequired)) {
    if (*kind != "genesis") check.Add("kind", "must be genesis");
  }
  CheckGenesis(check, body);
}

Result<json> Finish(Checker& check, json body) {
  if (!check.ok()) return InvalidArgument("invalid entry", check.TakeErrors());
  return body;
}

}  // namespace

bool IsInstrument(std::string_view name) {
  return std::find(kInstruments.begin(), kInstruments.end(), name) != kInstruments.end();
}

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kGenesis: return "genesis";
    case Kind::kOpd: return "opd";
    case Kind::kBudget: return "budget";
    case Kind::kExpenditure: return "expenditure";
    case Kind::kReversal: return "reversal";
    case Kind::kTaxDeposit: return "tax_deposit";
    case Kind::kRefund: return "refund";
  }
  JEJAK_CHECK(false);
  return "";
}

std::optional<Kind> ParseKind(std::string_view name) {
  for (Kind kind : {Kind::kGenesis, Kind::kOpd, Kind::kBudget, Kind::kExpenditure,
                    Kind::kReversal, Kind::kTaxDeposit, Kind::kRefund}) {
    if (name == KindName(kind)) return kind;
  }
  return std::nullopt;
}

Result<json> ValidateBody(const json& body) {
  if (!body.is_object()) return FieldInvalid("", "an entry must be a JSON object");
  json copy = body;
  Checker check;
  CheckNoServerFields(check, copy);
  // The server fields are reported once, as server fields, not again as unknown.
  for (std::string_view field : kServerFields) copy.erase(std::string(field));
  CheckClientBody(check, copy);
  return Finish(check, std::move(copy));
}

Result<json> ValidateGenesis(const json& body) {
  if (!body.is_object()) return FieldInvalid("", "an entry must be a JSON object");
  json copy = body;
  Checker check;
  CheckNoServerFields(check, copy);
  for (std::string_view field : kServerFields) copy.erase(std::string(field));
  CheckGenesisBody(check, copy);
  return Finish(check, std::move(copy));
}

json StampEntry(json body, const Stamp& stamp) {
  JEJAK_CHECK(body.is_object());
  JEJAK_CHECK(stamp.seq >= 0);
  for (std::string_view field : kServerFields) JEJAK_CHECK(!body.contains(field));
  body["v"] = kFormatVersion;
  body["seq"] = stamp.seq;
  body["recorded_at"] = stamp.recorded_at;
  body["recorded_by"] = stamp.recorded_by;
  return body;
}

namespace entry_internal {

// "2026-01-31T08:00:00.000Z": RFC 3339 UTC with milliseconds, as the server stamps it.
bool IsRecordedAt(std::string_view text) {
  if (text.size() != 24) return false;
  if (!IsCalendarDate(text.substr(0, 10))) return false;
  if (text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != '.' ||
      text[23] != 'Z') {
    return false;
  }
  const std::string_view hour = text.substr(11, 2);
  const std::string_view minute = text.substr(14, 2);
  const std::string_view second = text.substr(17, 2);
  if (!AllDigits(hour) || !AllDigits(minute) || !AllDigits(second) ||
      !AllDigits(text.substr(20, 3))) {
    return false;
  }
  // A leap second (":60") is valid RFC 3339, but a server clock in UTC never stamps one.
  return DigitsValue(hour) < 24 && DigitsValue(minute) < 60 && DigitsValue(second) < 60;
}

Result<void> ValidateStored(const json& entry, bool genesis, bool& money_not_stored) {
  JEJAK_CHECK(entry.is_object());
  // A kStored Checker never writes to the body, so the entry may be const.
  json& body = const_cast<json&>(entry);
  Checker check(Checker::Mode::kStored);
  if (genesis) {
    CheckGenesisBody(check, body);
  } else {
    CheckClientBody(check, body);
  }
  money_not_stored = check.money_not_stored();
  if (!check.ok()) return InvalidArgument("invalid entry", check.TakeErrors());
  return Ok();
}

std::string Index(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

}  // namespace entry_internal

}  // namespace jejak::ledger
