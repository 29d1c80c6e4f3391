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
#include "ledger/entry_checker.h"
#include "ledger/entry_internal.h"
#include "ledger/limits.h"
#include "ledger/money.h"

namespace jejak::ledger {
namespace {

using nlohmann::json;
using entry_internal::Index;
using entry_internal::kServerFields;
using entry_internal::IsRecordedAt;
using entry_internal::AllDigits;
using entry_internal::Checker;
using entry_internal::DigitsValue;
using entry_internal::IsAccountCode;
using entry_internal::IsCalendarDate;
using entry_internal::IsDigit;
using entry_internal::IsOpdCode;
using entry_internal::IsSubActivityCode;
using entry_internal::Presence;

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
                               "refund, tax_deposit or bank_statement");
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
    case Kind::kBankStatement: entry_internal::CheckBankStatement(check, body); break;
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
    case Kind::kBankStatement: return "bank_statement";
  }
  JEJAK_CHECK(false);
  return "";
}

std::optional<Kind> ParseKind(std::string_view name) {
  for (Kind kind : {Kind::kGenesis, Kind::kOpd, Kind::kBudget, Kind::kExpenditure,
                    Kind::kReversal, Kind::kTaxDeposit, Kind::kRefund, Kind::kBankStatement}) {
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
