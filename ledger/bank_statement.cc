// The `bank_statement` entry kind (ledger/bank_statement.h, docs/bank-statements.md): the
// validation of its body (ValidateBody dispatches here), its query columns, its checks
// against the earlier statements of the same account, and StatementFacts, which reads a
// stored one back. Pure: the ledger's state comes through LedgerView.
#include "ledger/bank_statement.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/check.h"
#include "base/result.h"
#include "ledger/audit_internal.h"
#include "ledger/entry.h"
#include "ledger/entry_checker.h"
#include "ledger/entry_internal.h"
#include "ledger/limits.h"
#include "ledger/money.h"

namespace jejak::ledger {
namespace {

using nlohmann::json;
using entry_internal::Checker;
using entry_internal::Index;
using entry_internal::Presence;

constexpr std::array<std::string_view, 2> kAccountRoles = {kAccountRoleRkud,
                                                           kAccountRoleTreasurer};
constexpr std::array<std::string_view, 2> kDirections = {"debit", "credit"};
// Statements of the RKUD and the treasurers' accounts are in rupiah only.
constexpr std::array<std::string_view, 1> kCurrencies = {"IDR"};
// IBAN's longest account number; Indonesian banks write 10 to 16 digits.
constexpr std::size_t kAccountNoBytesMax = 34;
// A transfer booked on the last day of a period may be valued a few days later (and a
// clearing valued before its booking); a week covers both, a month would hide errors.
constexpr int kValueDateSlackDays = 7;

bool IsAccountNo(std::string_view text) {
  if (text.empty() || text.size() > kAccountNoBytesMax) return false;
  const bool allowed = std::all_of(text.begin(), text.end(), [](char c) {
    return entry_internal::IsDigit(c) || c == '-' || c == '.';
  });
  return allowed && std::any_of(text.begin(), text.end(), entry_internal::IsDigit);
}

bool IsSha256Hex(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return entry_internal::IsDigit(c) || (c >= 'a' && c <= 'f');
         });
}

// `date` (a calendar date) moved by `days`.
std::string ShiftDate(std::string_view date, int days) {
  const std::optional<audit_internal::Days> day = audit_internal::ParseDate(date);
  JEJAK_CHECK(day.has_value());  // Checked as a calendar date before.
  return audit_internal::FormatIsoDate(*day + std::chrono::days(days));
}

// The period of a statement whose dates are good: what its lines' dates are checked against.
struct Period {
  std::string start, end;
  std::string value_from, value_to;  // The period widened by kValueDateSlackDays.
};

// What the balance check needs of one good line.
struct LineMoney {
  bool debit = false;
  std::int64_t amount_sen = 0;
  std::optional<std::int64_t> balance_sen;
};

// Checks lines[index]; its money when every member the balances need is good.
std::optional<LineMoney> CheckLine(Checker& check, json& line, std::size_t index,
                                   const std::optional<Period>& period) {
  static constexpr std::array<std::string_view, 11> kFields = {
      "date",         "value_date",  "direction", "amount",     "bank_ref", "counter_account",
      "counter_name", "description", "type",      "source_line", "balance"};
  const std::string path = Index("lines", index);
  if (!line.is_object()) {
    check.Add(path, "must be an object");
    return std::nullopt;
  }
  check.OnlyKnown(line, path, kFields);
  const std::optional<std::string_view> date = check.Date(line, "date", path);
  if (date && period && (*date < period->start || *date > period->end)) {
    check.Add(path + ".date", "must lie in the statement's period " + period->start + " to " +
                                  period->end);
  }
  const std::optional<std::string_view> value_date = check.Date(line, "value_date", path);
  if (value_date && period && (*value_date < period->value_from || *value_date > period->value_to)) {
    check.Add(path + ".value_date", "must lie in the statement's period or at most " +
                                        std::to_string(kValueDateSlackDays) +
                                        " days outside it (" + period->value_from + " to " +
                                        period->value_to + ")");
  }
  const std::optional<std::string_view> direction = check.Enum(line, "direction", path, kDirections);
  const std::optional<std::int64_t> amount = check.Money(line, "amount", path, /*positive=*/true);
  check.Identifier(line, "bank_ref", path, Presence::kOptional);
  check.Identifier(line, "counter_account", path, Presence::kOptional);
  check.Text(line, "counter_name", path, Presence::kOptional);
  check.Text(line, "description", path, Presence::kOptional);
  check.Enum(line, "type", path, kBankLineTypes);
  if (line.contains("source_line")) {
    check.Integer(line, "source_line", path, 1, std::numeric_limits<std::int64_t>::max());
  }
  const bool has_balance = line.contains("balance");
  const std::optional<std::int64_t> balance =
      check.Money(line, "balance", path, /*positive=*/false, Presence::kOptional);
  if (!direction || !amount || (has_balance && !balance)) return std::nullopt;
  return LineMoney{*direction == "debit", *amount, balance};
}

// The running balance line by line from `opening_sen`: every stated balance must equal it,
// and the last must equal `closing_sen`. Checked arithmetic: a running balance past the
// largest amount (either sign) ends the check with an error on the line that took it there.
void CheckBalances(Checker& check, std::int64_t opening_sen, std::int64_t closing_sen,
                   const std::vector<LineMoney>& lines) {
  std::int64_t running = opening_sen;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const LineMoney& line = lines[i];
    const std::optional<std::int64_t> next =
        line.debit ? CheckedSub(running, line.amount_sen) : CheckedAdd(running, line.amount_sen);
    if (!next || *next > kMoneySenMax || *next < -kMoneySenMax) {
      check.Add(Index("lines", i) + ".amount",
                "the running balance after this line is beyond the largest amount, " +
                    FormatMoney(kMoneySenMax));
      return;
    }
    running = *next;
    if (line.balance_sen && *line.balance_sen != running) {
      check.Add(Index("lines", i) + ".balance",
                "must equal the running balance after this line, " + FormatMoney(running));
    }
  }
  if (running != closing_sen) {
    check.Add("closing_balance", "must equal opening_balance plus credits minus debits: " +
                                     FormatMoney(running) + " (the statement says " +
                                     FormatMoney(closing_sen) + ")");
  }
}

// period_start and period_end; the period when both are good.
std::optional<Period> CheckPeriod(Checker& check, json& body) {
  const std::optional<std::string_view> start_view = check.Date(body, "period_start", "");
  const std::optional<std::string> start =
      start_view ? std::optional<std::string>(*start_view) : std::nullopt;
  const std::optional<std::string_view> end_view = check.Date(body, "period_end", "");
  const std::optional<std::string> end =
      end_view ? std::optional<std::string>(*end_view) : std::nullopt;
  bool good = start && end;
  if (start) {
    const int year = entry_internal::DigitsValue(std::string_view(*start).substr(0, 4));
    if (year < kFiscalYearMin || year > kFiscalYearMax) {
      check.Add("period_start", "must be in a fiscal year from " + std::to_string(kFiscalYearMin) +
                                    " to " + std::to_string(kFiscalYearMax));
      good = false;
    }
  }
  if (start && end) {
    if (*end < *start) {
      check.Add("period_end", "must not be before period_start " + *start);
      good = false;
    } else if (end->substr(0, 4) != start->substr(0, 4)) {
      check.Add("period_end", "must be in the same year as period_start " + *start);
      good = false;
    }
  }
  if (!good) return std::nullopt;
  return Period{*start, *end, ShiftDate(*start, -kValueDateSlackDays),
                ShiftDate(*end, kValueDateSlackDays)};
}

Error DataLoss(std::int64_t seq, const std::string& why) {
  return Error{Code::kDataLoss,
               "stored entry " + std::to_string(seq) + " is not a bank statement: " + why, {}};
}

// A stored money value in sen; nullopt if it is not one.
std::optional<std::int64_t> StoredMoney(const json& value) {
  if (!value.is_string()) return std::nullopt;
  Result<std::int64_t> sen = ParseMoneySen(value.get_ref<const std::string&>());
  if (!sen) return std::nullopt;
  return *sen;
}

std::string StringOr(const json& object, std::string_view key) {
  const auto it = object.find(key);
  return it == object.end() ? std::string() : it->get<std::string>();
}

}  // namespace

namespace entry_internal {

void CheckBankStatement(Checker& check, json& body) {
  static constexpr std::array<std::string_view, 14> kFields = {
      "kind",   "bank",       "account_no",      "account_role",    "opd",
      "statement_no", "period_start", "period_end", "currency", "opening_balance",
      "closing_balance", "format", "file_sha256", "lines"};
  check.OnlyKnown(body, "", kFields);
  check.Text(body, "bank", "");
  if (std::optional<std::string_view> account = check.String(body, "account_no", "",
                                                             Presence::kRequired)) {
    if (!IsAccountNo(*account)) {
      check.Add("account_no", "must be 1 to 34 characters, digits, '-' or '.' (no spaces)");
    }
  }
  const std::optional<std::string_view> role = check.Enum(body, "account_role", "", kAccountRoles);
  // A treasurer's account belongs to an OPD; the RKUD to the region. When the role is bad,
  // the opd is checked only for its form.
  const bool treasurer = role.has_value() && *role == kAccountRoleTreasurer;
  if (treasurer || (!role && body.contains("opd"))) {
    check.Pattern(body, "opd", "", IsOpdCode, "1.02.0.00.0.00.01.0000");
  } else if (role && body.contains("opd")) {
    check.Add("opd", "allowed only with account_role bendahara_pengeluaran");
  }
  check.Identifier(body, "statement_no", "", Presence::kOptional);
  const std::optional<Period> period = CheckPeriod(check, body);
  check.Enum(body, "currency", "", kCurrencies);
  const std::optional<std::int64_t> opening =
      check.Money(body, "opening_balance", "", /*positive=*/false);
  const std::optional<std::int64_t> closing =
      check.Money(body, "closing_balance", "", /*positive=*/false);
  check.Enum(body, "format", "", kStatementFormats);
  if (std::optional<std::string_view> sha = check.String(body, "file_sha256", "",
                                                         Presence::kRequired)) {
    if (!IsSha256Hex(*sha)) check.Add("file_sha256", "must be 64 lowercase hexadecimal digits");
  }
  json* lines = check.Array(body, "lines", "", Presence::kRequired, 0, kStatementLinesMax);
  if (lines == nullptr) return;
  std::vector<LineMoney> money;
  money.reserve(lines->size());
  bool all_money = true;
  for (std::size_t i = 0; i < lines->size(); ++i) {
    std::optional<LineMoney> line = CheckLine(check, (*lines)[i], i, period);
    if (line) {
      money.push_back(*line);
    } else {
      all_money = false;
    }
  }
  // The balances only when every amount is known: one bad line would fail them all.
  if (all_money && opening && closing) CheckBalances(check, *opening, *closing, money);
}

void StatementColumns(const json& body, EntryColumns& columns) {
  const std::string period_start = body.at("period_start").get<std::string>();
  columns.fiscal_year = DigitsValue(std::string_view(period_start).substr(0, 4));
  columns.opd = StringOr(body, "opd");  // Empty for the RKUD.
  columns.value_date = body.at("period_end").get<std::string>();
  const std::optional<std::int64_t> closing = StoredMoney(body.at("closing_balance"));
  JEJAK_CHECK(closing.has_value());  // Validated before.
  columns.amount_sen = *closing;
}

Result<void> CheckStatementAgainstLedger(const json& body, LedgerView& view) {
  const std::string account_no = body.at("account_no").get<std::string>();
  const std::string start = body.at("period_start").get<std::string>();
  const std::string end = body.at("period_end").get<std::string>();
  Result<std::vector<StatementPeriod>> earlier = view.StatementsOfAccount(account_no);
  if (!earlier) return earlier.error();
  auto conflict = [](std::string field, std::string message) {
    return Error{Code::kConflict, message, {FieldError{std::move(field), message}}};
  };
  for (const StatementPeriod& statement : *earlier) {
    if (statement.period_start <= end && start <= statement.period_end) {
      return conflict("period_start", "the period " + start + " to " + end +
                                          " overlaps the statement of account " + account_no +
                                          " in entry " + std::to_string(statement.seq) + " (" +
                                          statement.period_start + " to " +
                                          statement.period_end + ")");
    }
  }
  if (earlier->empty()) return Ok();
  // The newest statement says who holds the account; every earlier one agreed with it.
  const StatementPeriod& newest = earlier->front();
  const std::string seq = std::to_string(newest.seq);
  if (const std::string bank = body.at("bank").get<std::string>(); bank != newest.bank) {
    return conflict("bank", "account " + account_no + " is held at " + newest.bank +
                                " (entry " + seq + ")");
  }
  if (const std::string role = body.at("account_role").get<std::string>();
      role != newest.account_role) {
    return conflict("account_role", "account " + account_no + " has account_role " +
                                        newest.account_role + " (entry " + seq + ")");
  }
  if (const std::string opd = StringOr(body, "opd"); opd != newest.opd) {
    return conflict("opd", "account " + account_no + " belongs to OPD " + newest.opd +
                               " (entry " + seq + ")");
  }
  return Ok();
}

}  // namespace entry_internal

Result<BankStatementFacts> StatementFacts(const json& entry) {
  const std::int64_t seq =
      entry.is_object() && entry.contains("seq") && entry["seq"].is_number_integer()
          ? entry["seq"].get<std::int64_t>()
          : 0;
  if (!entry.is_object() || StringOr(entry, "kind") != KindName(Kind::kBankStatement)) {
    return DataLoss(seq, "its kind is not bank_statement");
  }
  // Validated when it was appended, but stored bytes are input too: a member of the wrong
  // type is damage, reported, never an abort.
  try {
    bool money_good = true;
    auto money = [&money_good](const json& value) {
      const std::optional<std::int64_t> sen = StoredMoney(value);
      if (!sen) money_good = false;
      return sen.value_or(0);
    };
    BankStatementFacts facts;
    facts.seq = seq;
    facts.bank = entry.at("bank").get<std::string>();
    facts.account_no = entry.at("account_no").get<std::string>();
    facts.account_role = entry.at("account_role").get<std::string>();
    facts.opd = StringOr(entry, "opd");
    facts.period_start = entry.at("period_start").get<std::string>();
    facts.period_end = entry.at("period_end").get<std::string>();
    if (facts.period_start.size() != 10) return DataLoss(seq, "period_start is not a date");
    facts.fiscal_year = entry_internal::DigitsValue(std::string_view(facts.period_start).substr(0, 4));
    facts.statement_no = StringOr(entry, "statement_no");
    facts.format = entry.at("format").get<std::string>();
    facts.file_sha256 = entry.at("file_sha256").get<std::string>();
    facts.opening_sen = money(entry.at("opening_balance"));
    facts.closing_sen = money(entry.at("closing_balance"));
    const json& lines = entry.at("lines");
    if (!lines.is_array() || lines.size() > kStatementLinesMax) {
      return DataLoss(seq, "lines is not an array of at most " +
                               std::to_string(kStatementLinesMax));
    }
    facts.lines.reserve(lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const json& line = lines[i];
      BankLine out;
      out.index = static_cast<std::int64_t>(i);
      out.date = line.at("date").get<std::string>();
      out.value_date = line.at("value_date").get<std::string>();
      out.debit = line.at("direction").get<std::string>() == "debit";
      out.amount_sen = money(line.at("amount"));
      out.bank_ref = StringOr(line, "bank_ref");
      out.counter_account = StringOr(line, "counter_account");
      out.counter_name = StringOr(line, "counter_name");
      out.description = StringOr(line, "description");
      out.type = line.at("type").get<std::string>();
      if (line.contains("source_line")) out.source_line = line["source_line"].get<std::int64_t>();
      if (line.contains("balance")) out.balance_sen = money(line["balance"]);
      facts.lines.push_back(std::move(out));
    }
    if (!money_good) return DataLoss(seq, "a money member is not a decimal string");
    return facts;
  } catch (const json::exception& e) {
    return DataLoss(seq, e.what());
  }
}

}  // namespace jejak::ledger
