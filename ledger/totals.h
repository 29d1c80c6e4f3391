// Year totals: the rule of the format that keeps every sum of the ledger inside int64. For
// each fiscal year, five totals of the entries recorded so far must each stay at most
// kYearTotalSenMax (ledger/limits.h says why that bound is safe). The store applies the
// rule to every append (refusing the entry that would break it, kOutOfRange naming the
// field) and ChainVerifier applies it to every entry it recomputes, so append, verify and
// the summaries agree. Pure: no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

#include "base/result.h"
#include "ledger/entry.h"

namespace jejak::ledger {

// What is totalled per fiscal year. Reversals do not lower a total: every expenditure
// ever recorded counts, so the totals only grow and a reversal never needs checking.
enum class Measure {
  kGross,        // expenditure gross
  kPagu,         // budget pagu
  kMonthlyPlan,  // budget monthly_plan (the sum of its 12 values)
  kTaxDeposit,   // tax_deposit amount
  // refund amount, in the year of its value_date. Refunds of one expenditure never pass
  // its gross, but one year's refunds may return the payments of many earlier years
  // (pendapatan lain-lain), whose sum could pass int64 without this bound.
  kRefund,
};

// The field a client sends for `measure`: "gross", "pagu", "monthly_plan", "amount".
const char* MeasureField(Measure measure);

// The sum of a stored monthly_plan column ("100,200,..."), or nullopt if it is not a
// list of non-negative integers or its sum overflows.
std::optional<std::int64_t> MonthlyPlanTotal(std::string_view column);

// The amounts `columns` adds to its fiscal year's totals (none for genesis, opd and
// reversal entries; a refund's year is that of its value_date). kDataLoss if a stored monthly_plan column is not numbers.
struct Contribution {
  std::int64_t fiscal_year = 0;
  std::map<Measure, std::int64_t> amounts_sen;
};
Result<Contribution> ContributionOf(const EntryColumns& columns);

class YearTotals {
 public:
  // Adds `columns`' amounts to its fiscal year's totals if every total stays at most
  // kYearTotalSenMax. Otherwise adds nothing and returns kOutOfRange with the field that
  // would pass the bound and the year's total so far.
  Result<void> Add(const EntryColumns& columns);
  // The total of `measure` in `fiscal_year` so far (0 if nothing was added).
  std::int64_t Total(std::int64_t fiscal_year, Measure measure) const;
  // Sets a total read from storage. kDataLoss if it is negative or past the bound.
  Result<void> Set(std::int64_t fiscal_year, Measure measure, std::int64_t total_sen);
  void Clear() { totals_.clear(); }

 private:
  std::map<std::pair<std::int64_t, Measure>, std::int64_t> totals_;
};

}  // namespace jejak::ledger
