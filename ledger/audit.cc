// BPK-style audit rules over the facts of one fiscal year (ledger/audit.h). Pure: the
// store gathers the facts and the caller passes the thresholds, holidays and as_of date;
// nothing here reads a file or the clock. Every rule groups by sorting (or a hash map
// keyed by seq), so RunAuditRules costs O(n log n) in the number of expenditures.
// The rules themselves live in ledger/audit_rules_spending.cc,
// ledger/audit_rules_compliance.cc, ledger/audit_rules_tax.cc and ledger/audit_rules_bank.cc;
// this file parses and interns the input once, runs them and orders the findings.
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
// Bounds the walk past weekends and holidays; a year of consecutive holidays is a
// config error, and the walk then stops rather than loop.
constexpr int kWorkingDaySearchDaysMax = 366;
// The LPJ of a month is due on this day of the next month (Permendagri 77/2020).
constexpr unsigned kLpjDayOfMonth = 10;
// A tax type without a deadline rule: the 15th of the next month (PMK 81/2024 Pasal 94).
constexpr int kDefaultDepositDay = 15;

const char* const kMonthNames[] = {"Januari",   "Februari", "Maret",    "April",
                                   "Mei",       "Juni",     "Juli",     "Agustus",
                                   "September", "Oktober",  "November", "Desember"};

void AppendPadded(std::string& out, unsigned value, std::size_t width) {
  std::string digits = std::to_string(value);
  if (digits.size() < width) out.append(width - digits.size(), '0');
  out += digits;
}


// Deadline rules parsed and sorted by (type, date); malformed dates are skipped (the
// config loader validates them).
std::vector<ParsedTaxDeadline> ParseTaxDeadlines(const std::vector<TaxDeadlineRule>& rules) {
  std::vector<ParsedTaxDeadline> parsed;
  for (const TaxDeadlineRule& rule : rules) {
    const std::optional<Days> from = ParseDate(rule.effective_from);
    if (from) parsed.push_back(ParsedTaxDeadline{rule.tax_type, *from, rule.day_of_next_month});
  }
  // Stable: of two rules of one type and date, the later listed (the config's over the
  // built-in one) comes last and wins in the lookup.
  std::stable_sort(parsed.begin(), parsed.end(), [](const auto& a, const auto& b) {
    return std::tie(a.tax_type, a.effective_from) < std::tie(b.tax_type, b.effective_from);
  });
  return parsed;
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

Days DepositDeadline(const std::string& tax_type, Days value_date,
                     const std::vector<ParsedTaxDeadline>& deadlines,
                     const std::vector<Days>& holidays) {
  // The newest rule of the type in force on the value date; before the first, the first.
  int day_of_next_month = kDefaultDepositDay;
  bool found = false;
  for (const ParsedTaxDeadline& rule : deadlines) {
    if (rule.tax_type != tax_type) continue;
    if (found && rule.effective_from > value_date) break;
    day_of_next_month = rule.day_of_next_month;
    found = true;
  }
  const std::chrono::year_month_day date{value_date};
  Days deadline = value_date;
  if (day_of_next_month > 0) {
    // year_month arithmetic carries December into January of the next year.
    const std::chrono::year_month next = date.year() / date.month() + std::chrono::months{1};
    deadline = Days{next / std::chrono::day{static_cast<unsigned>(day_of_next_month)}};
  }
  for (int step = 0; step < kWorkingDaySearchDaysMax; ++step) {
    const std::chrono::weekday weekday{deadline};
    const bool weekend = weekday == std::chrono::Saturday || weekday == std::chrono::Sunday;
    if (!weekend && !std::binary_search(holidays.begin(), holidays.end(), deadline)) break;
    deadline += std::chrono::days{1};
  }
  return deadline;
}

Days LpjDeadline(Days day) {
  const std::chrono::year_month_day date{day};
  if (date.month() == std::chrono::December) {
    return Days{date.year() / std::chrono::December / std::chrono::day{31}};
  }
  const std::chrono::year_month next = date.year() / date.month() + std::chrono::months{1};
  return Days{next / std::chrono::day{kLpjDayOfMonth}};
}

std::optional<Days> LocalDay(std::string_view rfc3339_utc, int utc_offset_minutes) {
  // "YYYY-MM-DDTHH:MM..." in UTC.
  if (rfc3339_utc.size() < 16 || rfc3339_utc[10] != 'T' || rfc3339_utc[13] != ':') {
    return std::nullopt;
  }
  const std::optional<Days> day = ParseDate(rfc3339_utc.substr(0, 10));
  if (!day) return std::nullopt;
  int clock[2] = {0, 0};
  for (int f = 0; f < 2; ++f) {
    for (std::size_t i = 0; i < 2; ++i) {
      const char c = rfc3339_utc[static_cast<std::size_t>(11 + f * 3) + i];
      if (c < '0' || c > '9') return std::nullopt;
      clock[f] = clock[f] * 10 + (c - '0');
    }
  }
  constexpr int kMinutesPerDay = 24 * 60;
  const int minutes = clock[0] * 60 + clock[1] + utc_offset_minutes;
  // Floor division: offsets are within a day, so the day moves by at most one.
  const int day_shift = minutes >= 0 ? minutes / kMinutesPerDay
                                     : -((-minutes + kMinutesPerDay - 1) / kMinutesPerDay);
  return *day + std::chrono::days{day_shift};
}

std::string OpdLabel(const Context& context, const std::string& opd) {
  const auto found = context.input.opd_names.find(opd);
  if (found != context.input.opd_names.end() && !found->second.empty()) return found->second;
  return "OPD " + opd;
}

std::string Rekomendasi(const Context& context, const std::string& opd, const std::string& action) {
  return "BPK merekomendasikan " + context.region_head + " agar memerintahkan Kepala " +
         OpdLabel(context, opd) + " selaku Pengguna Anggaran untuk " + action;
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
  const auto& order = kAuditRuleIds;
  for (std::size_t i = 0; i < std::size(order); ++i) {
    if (rule == order[i]) return i;
  }
  return std::size(order);
}

}  // namespace

std::vector<Finding> RunAuditRules(const AuditInput& input, const AuditRules& rules) {
  Context context{input,
                  rules,
                  {},
                  {},
                  {},
                  audit_internal::ParseHolidays(rules.holidays),
                  ParseDate(input.as_of),
                  audit_internal::ParseTaxDeadlines(rules.tax_deadlines),
                  RegionHead(input.region),
                  {},
                  {}};
  context.value_dates.reserve(input.expenditures.size());
  context.keys.reserve(input.expenditures.size());
  context.seqs.reserve(input.expenditures.size());
  context.gross_sen.reserve(input.expenditures.size());
  Interner payees;  // Payee accounts and evidence numbers: equality only.
  payees.Reserve(2 * input.expenditures.size());
  for (const ExpenditureFacts& e : input.expenditures) {
    context.value_dates.push_back(ParseDate(e.value_date));
    ExpenditureKeys keys;
    keys.opd = context.opds.Id(e.opd);
    keys.sub_activity = context.opds.Id(e.sub_activity);
    keys.account = context.opds.Id(e.account);
    keys.payee_account = payees.Id(e.payee_account);
    keys.evidence_no = payees.Id(e.evidence_no);
    context.keys.push_back(keys);
    context.seqs.push_back(e.seq);
    context.gross_sen.push_back(e.gross_sen);
  }
  std::vector<Finding> findings;
  audit_internal::RunOverPagu(context, findings);
  audit_internal::RunSplitPackage(context, findings);
  audit_internal::RunDuplicatePayment(context, findings);
  audit_internal::RunCashPayment(context, findings);
  audit_internal::RunTaxNotDeposited(context, findings);
  audit_internal::RunTaxNotCollected(context, findings);
  audit_internal::RunOutsideFiscalYear(context, findings);
  audit_internal::RunPaymentBeforeEvidence(context, findings);
  audit_internal::RunLateRecording(context, findings);
  audit_internal::RunReversalHeavy(context, findings);
  if (!input.bank.statements.empty()) audit_internal::RunBankRules(context, findings);
  for (Finding& finding : findings) {
    JEJAK_CHECK(!finding.seqs.empty());
    JEJAK_CHECK(std::is_sorted(finding.seqs.begin(), finding.seqs.end()));
    JEJAK_CHECK(!finding.sebab.empty() && !finding.akibat.empty());
    // The bank rules name the RKUD themselves ("Kas Daerah (RKUD)").
    const auto name = input.opd_names.find(finding.opd);
    if (finding.opd_name.empty() && name != input.opd_names.end()) finding.opd_name = name->second;
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

std::string TaxDepositDeadline(const std::string& tax_type, const std::string& value_date,
                               const AuditRules& rules) {
  const std::optional<Days> day = ParseDate(value_date);
  if (!day) return "";
  return audit_internal::FormatIsoDate(audit_internal::DepositDeadline(
      tax_type, *day, audit_internal::ParseTaxDeadlines(rules.tax_deadlines),
      audit_internal::ParseHolidays(rules.holidays)));
}

std::vector<ProcurementCap> DefaultProcurementCaps() {
  constexpr std::int64_t kJutaSen = 1'000'000LL * 100;
  return {
      {kProcurementTypeGoods, "2018-03-22", 200 * kJutaSen},
      {kProcurementTypeOtherServices, "2018-03-22", 200 * kJutaSen},
      {kProcurementTypeConsultancy, "2018-03-22", 100 * kJutaSen},
      {kProcurementTypeWorks, "2018-03-22", 200 * kJutaSen},
      {kProcurementTypeWorks, "2025-04-30", 400 * kJutaSen},
  };
}

std::vector<TaxDeadlineRule> DefaultTaxDeadlines() {
  return {
      {"PPh21", "2015-01-01", 10},   {"PPh23", "2015-01-01", 10}, {"PPh4(2)", "2015-01-01", 10},
      {"PPh22", "2015-01-01", 10},   {"PPN", "2015-01-01", 15},   {"PPh21", "2025-01-01", 15},
      {"PPh23", "2025-01-01", 15},   {"PPh4(2)", "2025-01-01", 15}, {"PPh22", "2025-01-01", 15},
      {"PPN", "2025-01-01", 15},
  };
}

std::int64_t ProcurementCapOn(const std::vector<ProcurementCap>& caps, const std::string& type,
                              const std::string& date) {
  const ProcurementCap* earliest = nullptr;
  const ProcurementCap* in_force = nullptr;
  for (const ProcurementCap& cap : caps) {
    if (cap.type != type) continue;
    if (earliest == nullptr || cap.effective_from < earliest->effective_from) earliest = &cap;
    // ISO dates compare as strings.
    if (cap.effective_from <= date &&
        (in_force == nullptr || cap.effective_from >= in_force->effective_from)) {
      in_force = &cap;
    }
  }
  if (in_force != nullptr) return in_force->cap_sen;
  return earliest != nullptr ? earliest->cap_sen : 0;
}

std::string ProcurementTypeOf(const ExpenditureFacts& e) {
  if (!e.procurement_type.empty()) return e.procurement_type;
  const std::string_view account = e.account;
  if (account.rfind("5.2.03", 0) == 0 || account.rfind("5.2.04", 0) == 0) {
    return kProcurementTypeWorks;
  }
  return kProcurementTypeGoods;
}

std::string RegionHead(const std::string& region) {
  std::string_view rest = region;
  auto strip = [&rest](std::string_view prefix) {
    if (rest.size() > prefix.size() && rest.substr(0, prefix.size()) == prefix) {
      rest.remove_prefix(prefix.size());
      return true;
    }
    return false;
  };
  strip("Pemerintah ");
  if (strip("Kabupaten ") || strip("Pemkab ")) return "Bupati " + std::string(rest);
  if (strip("Kota ") || strip("Pemkot ")) return "Wali Kota " + std::string(rest);
  if (strip("Provinsi ") || strip("Pemprov ")) return "Gubernur " + std::string(rest);
  if (region.empty()) return "Kepala Daerah";
  return "Kepala Daerah " + region;
}

}  // namespace jejak::ledger
