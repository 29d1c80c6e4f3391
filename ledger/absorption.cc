#include "ledger/absorption.h"

#include <algorithm>
#include <limits>
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

void Finish(Absorption& row, int months_started, Adder& adder) {
  row.remaining_sen = row.pagu_sen;
  adder.Add(row.remaining_sen, -row.realisation_sen);
  if (row.pagu_sen > 0) row.percent_basis_points = BasisPoints(row.realisation_sen, row.pagu_sen);
  std::int64_t spent = 0;
  adder.Add(spent, row.non_cash.amount_sen);
  adder.Add(spent, row.cash.amount_sen);
  if (spent > 0) row.non_cash_share_basis_points = BasisPoints(row.non_cash.amount_sen, spent);
  if (row.plan_sen && months_started > 0) {
    const std::size_t at = static_cast<std::size_t>(months_started - 1);
    const std::int64_t plan = (*row.plan_sen)[at];
    const std::int64_t real = row.monthly_sen[at].value_or(0);
    if (plan > 0) {
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

Result<AbsorptionReport> ComputeAbsorption(const AbsorptionInput& input) {
  Adder adder;
  const int months_started = MonthsStarted(input.as_of, input.fiscal_year);
  std::map<std::string, Absorption> rows;
  auto row_of = [&](const std::string& opd) -> Absorption& {
    Absorption& row = rows[opd];
    if (row.opd.empty()) {
      row.opd = opd;
      auto name = input.opd_names.find(opd);
      row.name = name == input.opd_names.end() ? "" : name->second;
      for (const char* group : kAccountGroups) row.groups[group] = {0, 0};
      for (const char* instrument : kInstruments) row.instruments[instrument] = {};
    }
    return row;
  };

  for (const BudgetLine& line : input.budgets) {
    Absorption& row = row_of(line.opd);
    adder.Add(row.pagu_sen, line.pagu_sen);
    adder.Add(row.groups[AccountGroup(line.account)].first, line.pagu_sen);
    if (line.monthly_plan_sen) {
      if (!row.plan_sen) row.plan_sen = std::array<std::int64_t, 12>{};
      std::int64_t cumulative = 0;
      for (std::size_t m = 0; m < 12; ++m) {
        adder.Add(cumulative, (*line.monthly_plan_sen)[m]);
        adder.Add((*row.plan_sen)[m], cumulative);
      }
      adder.Add(row.planned_pagu_sen, line.pagu_sen);
    }
  }

  std::map<std::string, std::array<std::int64_t, 12>> per_month;  // opd -> monthly sums.
  for (const RealisationRow& realised : input.realisation) {
    Absorption& row = row_of(realised.opd);
    adder.Add(row.realisation_sen, realised.amount_sen);
    adder.Add(row.groups[realised.account_group].second, realised.amount_sen);
    Amounts& instrument = row.instruments[realised.instrument];
    adder.Add(instrument.amount_sen, realised.amount_sen);
    adder.Add(instrument.entries, realised.entries);
    Amounts& kind = realised.instrument == "cash" ? row.cash : row.non_cash;
    adder.Add(kind.amount_sen, realised.amount_sen);
    adder.Add(kind.entries, realised.entries);
    const int month = MonthIndex(realised.month, input.fiscal_year);
    if (month >= 0) {
      auto [it, inserted] = per_month.try_emplace(realised.opd, std::array<std::int64_t, 12>{});
      adder.Add(it->second[static_cast<std::size_t>(month)], realised.amount_sen);
    }
  }

  AbsorptionReport report;
  report.fiscal_year = input.fiscal_year;
  report.as_of = input.as_of;
  Absorption& total = report.total;
  total.name = "Total";
  for (const char* group : kAccountGroups) total.groups[group] = {0, 0};
  for (const char* instrument : kInstruments) total.instruments[instrument] = {};
  for (int m = 0; m < months_started; ++m) total.monthly_sen[static_cast<std::size_t>(m)] = 0;
  for (auto& [opd, row] : rows) {
    std::int64_t cumulative = 0;
    const auto months = per_month.find(opd);
    for (int m = 0; m < months_started; ++m) {
      if (months != per_month.end()) adder.Add(cumulative, months->second[static_cast<std::size_t>(m)]);
      row.monthly_sen[static_cast<std::size_t>(m)] = cumulative;
    }
    Finish(row, months_started, adder);
    // The total is the sum of the rows, so the two always agree.
    adder.Add(total.pagu_sen, row.pagu_sen);
    adder.Add(total.realisation_sen, row.realisation_sen);
    adder.Add(total.planned_pagu_sen, row.planned_pagu_sen);
    for (auto& [group, amounts] : row.groups) {
      adder.Add(total.groups[group].first, amounts.first);
      adder.Add(total.groups[group].second, amounts.second);
    }
    for (auto& [name, amounts] : row.instruments) {
      adder.Add(total.instruments[name].amount_sen, amounts.amount_sen);
      adder.Add(total.instruments[name].entries, amounts.entries);
    }
    adder.Add(total.cash.amount_sen, row.cash.amount_sen);
    adder.Add(total.cash.entries, row.cash.entries);
    adder.Add(total.non_cash.amount_sen, row.non_cash.amount_sen);
    adder.Add(total.non_cash.entries, row.non_cash.entries);
    for (int m = 0; m < months_started; ++m) {
      const std::size_t i = static_cast<std::size_t>(m);
      std::int64_t month_total = total.monthly_sen[i].value_or(0);
      adder.Add(month_total, *row.monthly_sen[i]);
      total.monthly_sen[i] = month_total;
    }
    if (row.plan_sen) {
      if (!total.plan_sen) total.plan_sen = std::array<std::int64_t, 12>{};
      for (std::size_t m = 0; m < 12; ++m) adder.Add((*total.plan_sen)[m], (*row.plan_sen)[m]);
    }
    report.opds.push_back(row);
  }
  Finish(total, months_started, adder);
  if (adder.overflow) return InvalidArgument("amounts overflow: budgets or realisation are not plausible");
  return report;
}

}  // namespace jejak::ledger
