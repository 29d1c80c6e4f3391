// BPK-style audit rules over the facts of one fiscal year (ledger/audit.h). Pure: the
// store gathers the facts and the caller passes the thresholds, holidays and as_of date;
// nothing here reads a file or the clock. Every rule groups by sorting (or a hash map
// keyed by seq), so RunAuditRules costs O(n log n) in the number of expenditures.
// The rules themselves live in ledger/audit_rules_spending.cc and
// ledger/audit_rules_compliance.cc; this file parses and interns the input once, runs them
// and orders the findings.
#include "ledger/audit.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/check.h"
#include "ledger/audit_internal.h"

namespace jejak::ledger {
namespace audit_internal {
namespace {

// Kondisi texts list at most this many seqs; the Finding itself carries all of them.
constexpr std::size_t kSeqsInTextMax = 10;
// PMK 242/PMK.03/2014 and PMK 81 Tahun 2024: tax withheld by a government treasurer is
// deposited by the 15th of the month after the tax period (the month of the payment).
constexpr unsigned kTaxDepositDayOfMonth = 15;
// Bounds the walk past weekends and holidays; a year of consecutive holidays is a
// config error, and the walk then stops rather than loop.
constexpr int kWorkingDaySearchDaysMax = 366;

// The order findings are reported in (audit.h: "by rule, in the order above").
constexpr const char* kRuleOrder[] = {
    kRuleOverPagu,        kRuleSplitPackage,      kRuleDuplicatePayment, kRuleCashPayment,
    kRuleTaxNotDeposited, kRuleOutsideFiscalYear, kRuleLateRecording,    kRuleReversalHeavy,
};

const char* const kMonthNames[] = {"Januari",   "Februari", "Maret",    "April",
                                   "Mei",       "Juni",     "Juli",     "Agustus",
                                   "September", "Oktober",  "November", "Desember"};

void AppendPadded(std::string& out, unsigned value, std::size_t width) {
  std::string digits = std::to_string(value);
  if (digits.size() < width) out.append(width - digits.size(), '0');
  out += digits;
}

std::string FormatIsoDate(Days day) {
  const std::chrono::year_month_day date{day};
  std::string out;
  AppendPadded(out, static_cast<unsigned>(static_cast<int>(date.year())), 4);
  out += '-';
  AppendPadded(out, static_cast<unsigned>(date.month()), 2);
  out += '-';
  AppendPadded(out, static_cast<unsigned>(date.day()), 2);
  return out;
}

// Holidays from the config, parsed and sorted; malformed ones are ignored (the config
// loader validates them; an audit must still run).
std::vector<Days> ParseHolidays(const std::vector<std::string>& holidays) {
  std::vector<Days> days;
  days.reserve(holidays.size());
  for (const std::string& text : holidays) {
    const std::optional<Days> day = ParseDate(text);
    if (day) days.push_back(*day);
  }
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  return days;
}

}  // namespace

std::int64_t ClampSen(Wide value) {
  if (value > static_cast<Wide>(std::numeric_limits<std::int64_t>::max())) {
    return std::numeric_limits<std::int64_t>::max();
  }
  if (value < static_cast<Wide>(std::numeric_limits<std::int64_t>::min())) {
    return std::numeric_limits<std::int64_t>::min();
  }
  return static_cast<std::int64_t>(value);
}

std::optional<Days> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int fields[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int f = 0; f < 3; ++f) {
    for (std::size_t i = 0; i < lengths[f]; ++i) {
      const char c = text[starts[f] + i];
      if (c < '0' || c > '9') return std::nullopt;
      fields[f] = fields[f] * 10 + (c - '0');
    }
  }
  const std::chrono::year_month_day date{std::chrono::year{fields[0]},
                                         std::chrono::month{static_cast<unsigned>(fields[1])},
                                         std::chrono::day{static_cast<unsigned>(fields[2])}};
  if (!date.ok()) return std::nullopt;
  return Days{date};
}

// "15 April 2025", as Indonesian reports write dates.
std::string FormatTanggal(Days day) {
  const std::chrono::year_month_day date{day};
  return std::to_string(static_cast<unsigned>(date.day())) + " " +
         kMonthNames[static_cast<unsigned>(date.month()) - 1] + " " +
         std::to_string(static_cast<int>(date.year()));
}

// "Maret 2025".
std::string FormatBulan(Days day) {
  const std::chrono::year_month_day date{day};
  return std::string(kMonthNames[static_cast<unsigned>(date.month()) - 1]) + " " +
         std::to_string(static_cast<int>(date.year()));
}

// "seq 3, 7 dan 9"; past kSeqsInTextMax, "seq 1, 2, ... 10 dan 5 lainnya".
std::string FormatSeqs(const std::vector<std::int64_t>& seqs) {
  std::string out = "seq ";
  const std::size_t shown = std::min(seqs.size(), kSeqsInTextMax);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) out += (i + 1 == shown && shown == seqs.size()) ? " dan " : ", ";
    out += std::to_string(seqs[i]);
  }
  if (shown < seqs.size()) {
    out += " dan " + std::to_string(seqs.size() - shown) + " lainnya";
  }
  return out;
}

Days DepositDeadline(Days value_date, const std::vector<Days>& holidays) {
  const std::chrono::year_month_day date{value_date};
  // year_month arithmetic carries December into January of the next year.
  const std::chrono::year_month next = date.year() / date.month() + std::chrono::months{1};
  Days deadline{next / std::chrono::day{kTaxDepositDayOfMonth}};
  for (int step = 0; step < kWorkingDaySearchDaysMax; ++step) {
    const std::chrono::weekday weekday{deadline};
    const bool weekend = weekday == std::chrono::Saturday || weekday == std::chrono::Sunday;
    if (!weekend && !std::binary_search(holidays.begin(), holidays.end(), deadline)) break;
    deadline += std::chrono::days{1};
  }
  return deadline;
}

Finding MakeFinding(const char* rule, const char* severity, const std::string& opd,
                    std::vector<std::int64_t> seqs, Wide amount_sen) {
  std::sort(seqs.begin(), seqs.end());
  seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
  Finding finding;
  finding.rule = rule;
  finding.severity = severity;
  finding.opd = opd;
  finding.seqs = std::move(seqs);
  finding.amount_sen = ClampSen(amount_sen);
  return finding;
}

}  // namespace audit_internal

namespace {

using audit_internal::Context;
using audit_internal::Days;
using audit_internal::ExpenditureKeys;
using audit_internal::Interner;
using audit_internal::ParseDate;

std::size_t RuleRank(const std::string& rule) {
  const auto& order = audit_internal::kRuleOrder;
  for (std::size_t i = 0; i < std::size(order); ++i) {
    if (rule == order[i]) return i;
  }
  return std::size(order);
}

}  // namespace

std::vector<Finding> RunAuditRules(const AuditInput& input, const AuditRules& rules) {
  Context context{input, rules, {}, {}, {}, audit_internal::ParseHolidays(rules.holidays),
                  ParseDate(input.as_of)};
  context.value_dates.reserve(input.expenditures.size());
  context.keys.reserve(input.expenditures.size());
  Interner payees;  // Payee accounts, NPWPs and evidence numbers: equality only.
  for (const ExpenditureFacts& e : input.expenditures) {
    context.value_dates.push_back(ParseDate(e.value_date));
    ExpenditureKeys keys;
    keys.opd = context.opds.Id(e.opd);
    keys.sub_activity = context.opds.Id(e.sub_activity);
    keys.account = context.opds.Id(e.account);
    keys.payee_account = payees.Id(e.payee_account);
    keys.payee_npwp = payees.Id(e.payee_npwp);
    keys.evidence_no = payees.Id(e.evidence_no);
    context.keys.push_back(keys);
  }
  std::vector<Finding> findings;
  audit_internal::RunOverPagu(context, findings);
  audit_internal::RunSplitPackage(context, findings);
  audit_internal::RunDuplicatePayment(context, findings);
  audit_internal::RunCashPayment(context, findings);
  audit_internal::RunTaxNotDeposited(context, findings);
  audit_internal::RunOutsideFiscalYear(context, findings);
  audit_internal::RunLateRecording(context, findings);
  audit_internal::RunReversalHeavy(context, findings);
  for (const Finding& finding : findings) {
    JEJAK_CHECK(!finding.seqs.empty());
    JEJAK_CHECK(std::is_sorted(finding.seqs.begin(), finding.seqs.end()));
  }
  // The contract's order; the later keys only break ties (two tax types of one
  // expenditure), so the order never depends on how a rule happened to emit.
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    const std::size_t rank_a = RuleRank(a.rule);
    const std::size_t rank_b = RuleRank(b.rule);
    return std::tie(rank_a, a.opd, a.seqs, a.kondisi) < std::tie(rank_b, b.opd, b.seqs, b.kondisi);
  });
  AssignFindingIds(input, findings);
  return findings;
}

std::string FormatRupiah(std::int64_t sen) {
  const bool negative = sen < 0;
  // Unsigned negation is defined for INT64_MIN too.
  const std::uint64_t magnitude =
      negative ? 0 - static_cast<std::uint64_t>(sen) : static_cast<std::uint64_t>(sen);
  const std::string digits = std::to_string(magnitude / 100);
  const auto fraction = static_cast<unsigned>(magnitude % 100);
  std::string out = negative ? "-Rp " : "Rp ";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  out += ',';
  out += static_cast<char>('0' + fraction / 10);
  out += static_cast<char>('0' + fraction % 10);
  return out;
}

std::string TaxDepositDeadline(const std::string& value_date,
                               const std::vector<std::string>& holidays) {
  const std::optional<Days> day = ParseDate(value_date);
  if (!day) return "";
  return audit_internal::FormatIsoDate(
      audit_internal::DepositDeadline(*day, audit_internal::ParseHolidays(holidays)));
}

}  // namespace jejak::ledger
