// Budget absorption (ledger/absorption.h): sums the store's rows per OPD and in total, with
// the RAK curve, the TEPRA band, refunds, corrections and other revenue.
#include "ledger/absorption.h"

#include <algorithm>
#include <array>
#include <limits>
#include <set>
#include <tuple>
#include <utility>

#include "base/check.h"
#include "ledger/money.h"

namespace jejak::ledger {
namespace {

// 128-bit intermediates keep percent arithmetic on sen exact (GCC extension).
__extension__ typedef __int128 Int128;

// numerator / denominator in basis points, rounded half away from zero, exactly (128-bit
// intermediate: sen values reach 10^18).
std::int64_t BasisPoints(std::int64_t numerator, std::int64_t denominator) {
  JEJAK_CHECK(denominator > 0);
  const Int128 scaled = static_cast<Int128>(numerator) * 10000;
  const Int128 half = denominator / 2;
  const Int128 rounded = scaled >= 0 ? (scaled + half) / denominator : -((-scaled + half) / denominator);
  // A realisation of trillions against a pagu of a few sen is 10^16 % and more: saturate
  // at the int64 range rather than wrap into a wrong (even negative) percent.
  const Int128 max = std::numeric_limits<std::int64_t>::max();
  const Int128 min = std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(rounded > max ? max : rounded < min ? min : rounded);
}

// Compares realisation - plan against `percent` of plan exactly: true iff
// (realisation - plan) / plan > percent / 100.
bool DeviationAbove(std::int64_t realisation, std::int64_t plan, int percent) {
  const Int128 left = (static_cast<Int128>(realisation) - plan) * 100;
  const Int128 right = static_cast<Int128>(percent) * plan;
  return left > right;
}
bool DeviationAtLeast(std::int64_t realisation, std::int64_t plan, int percent) {
  const Int128 left = (static_cast<Int128>(realisation) - plan) * 100;
  const Int128 right = static_cast<Int128>(percent) * plan;
  return left >= right;
}

struct Adder {
  bool overflow = false;
  void Add(std::int64_t& total, std::int64_t value) {
    std::optional<std::int64_t> sum = CheckedAdd(total, value);
    if (!sum) {
      overflow = true;
      return;
    }
    total = *sum;
  }
};

// Index 0..11 of "YYYY-MM" inside `year`, or -1.
int MonthIndex(const std::string& month, std::int64_t year) {
  if (month.size() != 7 || month.compare(0, 4, std::to_string(year)) != 0) return -1;
  const int index = (month[5] - '0') * 10 + (month[6] - '0') - 1;
  return index >= 0 && index < 12 ? index : -1;
}

// Months of the fiscal year that have started by as_of: 0 before the year, 12 after.
int MonthsStarted(const std::string& as_of, std::int64_t year) {
  const std::string year_text = std::to_string(year);
  if (as_of.compare(0, 4, year_text) < 0) return 0;
  if (as_of.compare(0, 4, year_text) > 0) return 12;
  return (as_of[5] - '0') * 10 + (as_of[6] - '0');
}

int DigitsOf(const std::string& text, std::size_t at, std::size_t count) {
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

// True iff `date` (YYYY-MM-DD, a real date) is the last day of its month.
bool IsLastDayOfMonth(const std::string& date) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int year = DigitsOf(date, 0, 4);
  const int month = DigitsOf(date, 5, 2);
  const int day = DigitsOf(date, 8, 2);
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int last = month == 2 && leap ? 29 : kDays[static_cast<std::size_t>(month - 1)];
  return day == last;
}

// The month (0..11) whose end the TEPRA band compares at: the last month of the year that
// has ended by as_of; -1 before the first has ended.
int BandMonth(const std::string& as_of, std::int64_t year) {
  const int started = MonthsStarted(as_of, year);
  if (started == 0) return -1;
  if (as_of.compare(0, 4, std::to_string(year)) > 0) return 11;
  return IsLastDayOfMonth(as_of) ? started - 1 : started - 2;
}

void SetBand(Absorption& row) {
  const std::int64_t plan = row.band_plan_sen;
  const std::int64_t real = row.band_realisation_sen;
  if (!row.plan_sen || !row.band_month || plan <= 0) return;
  row.deviation_basis_points = BasisPoints(real - plan, plan);
  // Blue better than -10%, green -10% to -20%, yellow -20% to -30%, red worse than -30%.
  if (DeviationAbove(real, plan, -10)) {
    row.band = Band::kBlue;
  } else if (DeviationAtLeast(real, plan, -20)) {
    row.band = Band::kGreen;
  } else if (DeviationAtLeast(real, plan, -30)) {
    row.band = Band::kYellow;
  } else {
    row.band = Band::kRed;
  }
}

// The non-cash share of `spent` in basis points, rounded as BasisPoints but never to
// 100.00% while a cash payment counts nor to 0.00% while a non-cash one does: 8 cash
// payments among 400,000 are 99.998%, which rounds to 100.00 and would read as "no cash".
// Such a share is held at 99.99% (or 0.01%), the nearest value that is not a claim of all
// or nothing.
std::int64_t NonCashShare(const Absorption& row, std::int64_t spent) {
  std::int64_t share = BasisPoints(row.non_cash.amount_sen, spent);
  if (row.cash.entries > 0 && share >= 10000) share = 9999;
  if (row.non_cash.entries > 0 && share <= 0) share = 1;
  return share;
}

void Finish(Absorption& row, int months_started, int band_month, bool mid_month,
            Adder& adder) {
  row.remaining_sen = row.pagu_sen;
  adder.Add(row.remaining_sen, -row.realisation_sen);
  if (row.pagu_sen > 0) row.percent_basis_points = BasisPoints(row.realisation_sen, row.pagu_sen);
  std::int64_t spent = 0;
  adder.Add(spent, row.non_cash.amount_sen);
  adder.Add(spent, row.cash.amount_sen);
  if (spent > 0) row.non_cash_share_basis_points = NonCashShare(row, spent);
  if (band_month >= 0) {
    row.band_month = band_month;
    if (row.plan_sen) row.band_plan_sen = (*row.plan_sen)[static_cast<std::size_t>(band_month)];
    SetBand(row);
  }
  if (mid_month && months_started > 0) {
    const std::size_t at = static_cast<std::size_t>(months_started - 1);
    std::int64_t so_far = row.monthly_sen[at].value_or(0);
    if (at > 0) adder.Add(so_far, -row.monthly_sen[at - 1].value_or(0));
    row.month_to_date_sen = so_far;
  }
}

void AddAmounts(Amounts& total, const Amounts& more, Adder& adder) {
  adder.Add(total.amount_sen, more.amount_sen);
  adder.Add(total.entries, more.entries);
}

using LineKey = std::tuple<std::string, std::string, std::string>;  // opd, sub, account.

// Adds `row` (an OPD's, finished) into `total`.
void AddToTotal(Absorption& total, const Absorption& row, int months_started, Adder& adder) {
  adder.Add(total.pagu_sen, row.pagu_sen);
  adder.Add(total.realisation_sen, row.realisation_sen);
  adder.Add(total.planned_pagu_sen, row.planned_pagu_sen);
  for (const auto& [group, amounts] : row.groups) {
    adder.Add(total.groups[group].first, amounts.first);
    adder.Add(total.groups[group].second, amounts.second);
  }
  for (const auto& [name, amounts] : row.instruments) AddAmounts(total.instruments[name], amounts, adder);
  AddAmounts(total.cash, row.cash, adder);
  AddAmounts(total.non_cash, row.non_cash, adder);
  AddAmounts(total.corrections, row.corrections, adder);
  AddAmounts(total.refunds, row.refunds, adder);
  AddAmounts(total.other_revenue, row.other_revenue, adder);
  for (int m = 0; m < months_started; ++m) {
    const std::size_t i = static_cast<std::size_t>(m);
    std::int64_t month_total = total.monthly_sen[i].value_or(0);
    adder.Add(month_total, *row.monthly_sen[i]);
    total.monthly_sen[i] = month_total;
  }
  if (row.plan_sen) {
    if (!total.plan_sen) total.plan_sen = std::array<std::int64_t, 12>{};
    for (std::size_t m = 0; m < 12; ++m) adder.Add((*total.plan_sen)[m], (*row.plan_sen)[m]);
    adder.Add(total.band_realisation_sen, row.band_realisation_sen);
  }
}

}  // namespace

const char* AccountGroup(std::string_view account) {
  if (account.rfind("5.1.01", 0) == 0) return "pegawai";
  if (account.rfind("5.1.02", 0) == 0) return "barang_jasa";
  if (account.rfind("5.2", 0) == 0) return "modal";
  return "lainnya";
}

const char* BandName(Band band) {
  switch (band) {
    case Band::kBlue: return "blue";
    case Band::kGreen: return "green";
    case Band::kYellow: return "yellow";
    case Band::kRed: return "red";
  }
  return "red";
}

std::string FormatBasisPoints(std::int64_t basis_points) {
  const bool negative = basis_points < 0;
  const std::uint64_t magnitude =
      negative ? static_cast<std::uint64_t>(-(basis_points + 1)) + 1 : static_cast<std::uint64_t>(basis_points);
  std::string text = std::to_string(magnitude / 100) + "." + (magnitude % 100 < 10 ? "0" : "") +
                     std::to_string(magnitude % 100);
  return negative ? "-" + text : text;
}

namespace {

// The OPD rows of a report being computed, created on first use with every group and
// instrument at zero.
class RowBook {
 public:
  explicit RowBook(const AbsorptionInput& input) : input_(input) {}
  Absorption& Of(const std::string& opd) {
    Absorption& row = rows_[opd];
    if (row.opd.empty()) {
      row.opd = opd;
      auto name = input_.opd_names.find(opd);
      row.name = name == input_.opd_names.end() ? "" : name->second;
      for (const char* group : kAccountGroups) row.groups[group] = {0, 0};
      for (const char* instrument : kInstruments) row.instruments[instrument] = {};
    }
    return row;
  }
  std::map<std::string, Absorption>& rows() { return rows_; }
  // Realisation per month of the year, per OPD.
  std::array<std::int64_t, 12>& Months(const std::string& opd) {
    return per_month_.try_emplace(opd, std::array<std::int64_t, 12>{}).first->second;
  }
  const std::array<std::int64_t, 12>* FindMonths(const std::string& opd) const {
    auto it = per_month_.find(opd);
    return it == per_month_.end() ? nullptr : &it->second;
  }

 private:
  const AbsorptionInput& input_;
  std::map<std::string, Absorption> rows_;
  std::map<std::string, std::array<std::int64_t, 12>> per_month_;
};

// Adds one realisation amount (negative for a refund) of `opd` to its row: total, group,
// instrument, cash or non-cash, and month (if inside the year). `entries` counts payments.
void AddRealised(RowBook& book, const std::string& opd, const std::string& group,
                 const std::string& instrument, int month, std::int64_t amount_sen,
                 std::int64_t entries, Adder& adder) {
  Absorption& row = book.Of(opd);
  adder.Add(row.realisation_sen, amount_sen);
  adder.Add(row.groups[group].second, amount_sen);
  AddAmounts(row.instruments[instrument], Amounts{amount_sen, entries}, adder);
  AddAmounts(instrument == "cash" ? row.cash : row.non_cash, Amounts{amount_sen, entries}, adder);
  if (month >= 0) adder.Add(book.Months(opd)[static_cast<std::size_t>(month)], amount_sen);
}

// Applies the refunds: those of the year's payments lower realisation in their own month
// (and the band, for a RAK line up to the band month); those of closed years' payments
// are other revenue.
void ApplyRefunds(const AbsorptionInput& input, const std::set<LineKey>& planned, int band_month,
                  RowBook& book, Adder& adder) {
  const std::string year_text = std::to_string(input.fiscal_year);
  for (const RefundFacts& refund : input.refunds) {
    if (refund.value_date.compare(0, 4, year_text) != 0 || refund.value_date > input.as_of) continue;
    Absorption& row = book.Of(refund.opd);
    if (refund.original_fiscal_year < input.fiscal_year) {
      AddAmounts(row.other_revenue, Amounts{refund.amount_sen, 1}, adder);
      continue;
    }
    if (refund.original_fiscal_year != input.fiscal_year) continue;  // Refused on append.
    const int month = MonthIndex(refund.value_date.substr(0, 7), input.fiscal_year);
    AddRealised(book, refund.opd, AccountGroup(refund.account), refund.instrument, month,
                -refund.amount_sen, 0, adder);
    AddAmounts(row.refunds, Amounts{refund.amount_sen, 1}, adder);
    if (month >= 0 && month <= band_month &&
        planned.contains({refund.opd, refund.sub_activity, refund.account})) {
      adder.Add(row.band_realisation_sen, -refund.amount_sen);
    }
  }
}

}  // namespace

Result<AbsorptionReport> ComputeAbsorption(const AbsorptionInput& input) {
  Adder adder;
  const int months_started = MonthsStarted(input.as_of, input.fiscal_year);
  const int band_month = BandMonth(input.as_of, input.fiscal_year);
  const bool mid_month = months_started > 0 && band_month == months_started - 2;
  RowBook book(input);

  std::set<LineKey> planned;  // The lines that carry a RAK.
  for (const BudgetLine& line : input.budgets) {
    Absorption& row = book.Of(line.opd);
    adder.Add(row.pagu_sen, line.pagu_sen);
    adder.Add(row.groups[AccountGroup(line.account)].first, line.pagu_sen);
    if (line.monthly_plan_sen) {
      planned.insert({line.opd, line.sub_activity, line.account});
      if (!row.plan_sen) row.plan_sen = std::array<std::int64_t, 12>{};
      std::int64_t cumulative = 0;
      for (std::size_t m = 0; m < 12; ++m) {
        adder.Add(cumulative, (*line.monthly_plan_sen)[m]);
        adder.Add((*row.plan_sen)[m], cumulative);
      }
      adder.Add(row.planned_pagu_sen, line.pagu_sen);
    }
  }
  for (const RealisationRow& realised : input.realisation) {
    AddRealised(book, realised.opd, realised.account_group, realised.instrument,
                MonthIndex(realised.month, input.fiscal_year), realised.amount_sen,
                realised.entries, adder);
  }
  for (const LineRealisationRow& line : input.line_realisation) {
    const int month = MonthIndex(line.month, input.fiscal_year);
    if (month < 0 || month > band_month) continue;
    if (!planned.contains({line.opd, line.sub_activity, line.account})) continue;
    adder.Add(book.Of(line.opd).band_realisation_sen, line.amount_sen);
  }
  ApplyRefunds(input, planned, band_month, book, adder);
  for (const CorrectionFacts& correction : input.corrections) {
    AddAmounts(book.Of(correction.opd).corrections, Amounts{correction.amount_sen, 1}, adder);
  }

  AbsorptionReport report;
  report.fiscal_year = input.fiscal_year;
  report.as_of = input.as_of;
  Absorption& total = report.total;
  total.name = "Total";
  for (const char* group : kAccountGroups) total.groups[group] = {0, 0};
  for (const char* instrument : kInstruments) total.instruments[instrument] = {};
  for (int m = 0; m < months_started; ++m) total.monthly_sen[static_cast<std::size_t>(m)] = 0;
  for (auto& [opd, row] : book.rows()) {
    std::int64_t cumulative = 0;
    const std::array<std::int64_t, 12>* months = book.FindMonths(opd);
    for (int m = 0; m < months_started; ++m) {
      if (months != nullptr) adder.Add(cumulative, (*months)[static_cast<std::size_t>(m)]);
      row.monthly_sen[static_cast<std::size_t>(m)] = cumulative;
    }
    Finish(row, months_started, band_month, mid_month, adder);
    // The total is the sum of the rows, so the two always agree.
    AddToTotal(total, row, months_started, adder);
    report.opds.push_back(row);
  }
  Finish(total, months_started, band_month, mid_month, adder);
  if (adder.overflow) return InvalidArgument("amounts overflow: budgets or realisation are not plausible");
  return report;
}

}  // namespace jejak::ledger
