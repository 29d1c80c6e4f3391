// Year totals (DESIGN "What bad input gets": an entry that would push a stored total past
// its range is refused). See ledger/totals.h for the rule and ledger/limits.h for the bound.
#include "ledger/totals.h"

#include <charconv>
#include <string>
#include <string_view>

#include "ledger/limits.h"
#include "ledger/money.h"

namespace jejak::ledger {

const char* MeasureField(Measure measure) {
  switch (measure) {
    case Measure::kGross: return "gross";
    case Measure::kPagu: return "pagu";
    case Measure::kMonthlyPlan: return "monthly_plan";
    case Measure::kTaxDeposit: return "amount";
    case Measure::kRefund: return "amount";
  }
  return "amount";
}

namespace {

const char* MeasureWhat(Measure measure) {
  switch (measure) {
    case Measure::kGross: return "the gross of its expenditures";
    case Measure::kPagu: return "the pagu of its budget entries";
    case Measure::kMonthlyPlan: return "the monthly plans (RAK) of its budget entries";
    case Measure::kTaxDeposit: return "the amounts of its tax deposits";
    case Measure::kRefund: return "the amounts of its refunds";
  }
  return "its amounts";
}

}  // namespace

std::optional<std::int64_t> MonthlyPlanTotal(std::string_view text) {
  std::int64_t total = 0;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view part = text.substr(0, comma);
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (error != std::errc() || end != part.data() + part.size() || value < 0) return std::nullopt;
    const std::optional<std::int64_t> sum = CheckedAdd(total, value);
    if (!sum) return std::nullopt;
    total = *sum;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return total;
}

Result<Contribution> ContributionOf(const EntryColumns& columns) {
  Contribution contribution;
  if (!columns.fiscal_year || !columns.amount_sen) return contribution;
  contribution.fiscal_year = *columns.fiscal_year;
  if (columns.kind == "expenditure") {
    contribution.amounts_sen[Measure::kGross] = *columns.amount_sen;
  } else if (columns.kind == "budget") {
    contribution.amounts_sen[Measure::kPagu] = *columns.amount_sen;
    if (!columns.monthly_plan.empty()) {
      const std::optional<std::int64_t> plan = MonthlyPlanTotal(columns.monthly_plan);
      if (!plan) {
        return Error{Code::kDataLoss,
                     "entry " + std::to_string(columns.seq) + ": monthly_plan is not 12 amounts",
                     {}};
      }
      contribution.amounts_sen[Measure::kMonthlyPlan] = *plan;
    }
  } else if (columns.kind == "tax_deposit") {
    contribution.amounts_sen[Measure::kTaxDeposit] = *columns.amount_sen;
  } else if (columns.kind == "refund") {
    contribution.amounts_sen[Measure::kRefund] = *columns.amount_sen;
  }
  return contribution;
}

Result<void> YearTotals::Add(const EntryColumns& columns) {
  Result<Contribution> contribution = ContributionOf(columns);
  if (!contribution) return contribution.error();
  // Check every measure before adding any, so a refused entry changes nothing.
  for (const auto& [measure, amount_sen] : contribution->amounts_sen) {
    const std::int64_t total = Total(contribution->fiscal_year, measure);
    const std::optional<std::int64_t> sum = CheckedAdd(total, amount_sen);
    if (!sum || *sum > kYearTotalSenMax || amount_sen < 0) {
      // Not the total so far: it is the whole region's, which an officer may not read.
      const std::string message =
          "fiscal year " + std::to_string(contribution->fiscal_year) + ": " +
          MeasureWhat(measure) + " would add up to more than " + FormatMoney(kYearTotalSenMax);
      return Error{Code::kOutOfRange, message, {FieldError{MeasureField(measure), message}}};
    }
  }
  for (const auto& [measure, amount_sen] : contribution->amounts_sen) {
    totals_[{contribution->fiscal_year, measure}] += amount_sen;  // Checked above.
  }
  return Ok();
}

std::int64_t YearTotals::Total(std::int64_t fiscal_year, Measure measure) const {
  const auto found = totals_.find({fiscal_year, measure});
  return found == totals_.end() ? 0 : found->second;
}

Result<void> YearTotals::Set(std::int64_t fiscal_year, Measure measure, std::int64_t total_sen) {
  if (total_sen < 0 || total_sen > kYearTotalSenMax) {
    return Error{Code::kDataLoss,
                 "fiscal year " + std::to_string(fiscal_year) + ": stored " +
                     MeasureWhat(measure) + " add up to " + FormatMoney(total_sen) +
                     ", past the bound " + FormatMoney(kYearTotalSenMax),
                 {}};
  }
  totals_[{fiscal_year, measure}] = total_sen;
  return Ok();
}

}  // namespace jejak::ledger
