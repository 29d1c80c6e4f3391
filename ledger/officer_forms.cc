#include "ledger/officer_forms.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "base/check.h"
#include "ledger/limits.h"
#include "ledger/tax_allocation.h"

namespace jejak::ledger {

std::vector<BudgetLineStatus> BudgetLinesOf(const AuditInput& input, const std::string& opd) {
  using Line = std::pair<std::string, std::string>;  // (sub_activity, account)
  std::map<Line, BudgetLineStatus> lines;
  for (const BudgetFacts& budget : input.budgets) {
    if (budget.opd != opd) continue;
    BudgetLineStatus& line = lines[{budget.sub_activity, budget.account}];
    // The store passes one line in force per key; should it pass two, the newest seq wins
    // (as OVER_PAGU takes it).
    if (line.budget_seq > budget.seq) continue;
    line.sub_activity = budget.sub_activity;
    line.account = budget.account;
    line.budget_seq = budget.seq;
    line.pagu_sen = budget.pagu_sen;
  }
  for (const ExpenditureFacts& expenditure : input.expenditures) {
    if (expenditure.opd != opd || expenditure.reversed_by) continue;  // A correction is no spending.
    auto line = lines.find({expenditure.sub_activity, expenditure.account});
    if (line != lines.end()) line->second.realisation_sen += expenditure.gross_sen;
  }
  // PSAP 02: a refund of this year's payment lowers its line's belanja when it comes back.
  for (const RefundFacts& refund : input.refunds) {
    if (refund.opd != opd || refund.original_fiscal_year != input.fiscal_year) continue;
    auto line = lines.find({refund.sub_activity, refund.account});
    if (line != lines.end()) line->second.realisation_sen -= refund.amount_sen;
  }
  std::vector<BudgetLineStatus> sorted;
  sorted.reserve(lines.size());
  for (auto& [key, line] : lines) {
    // A year's gross and pagu are each at most kYearTotalSenMax (the append refuses more),
    // so neither the sums above nor this difference leave int64.
    JEJAK_CHECK(line.realisation_sen <= kYearTotalSenMax);
    line.remaining_sen = line.pagu_sen - line.realisation_sen;
    sorted.push_back(std::move(line));
  }
  return sorted;
}

std::vector<OpenWithholding> OpenWithholdingsOf(const AuditInput& input, const std::string& opd) {
  const std::vector<DepositAllocation> allocations =
      AllocateTaxDeposits(input.expenditures, input.tax_deposits);
  // Deposited per (expenditure index, tax type).
  std::map<std::pair<std::size_t, std::string>, std::int64_t> deposited;
  for (const DepositAllocation& deposit : allocations) {
    const std::string& tax_type = input.tax_deposits[deposit.deposit].tax_type;
    for (const TaxAllocation& allocation : deposit.allocations) {
      deposited[{allocation.expenditure, tax_type}] += allocation.amount_sen;
    }
  }
  std::vector<OpenWithholding> open;
  for (std::size_t i = 0; i < input.expenditures.size(); ++i) {
    const ExpenditureFacts& expenditure = input.expenditures[i];
    if (expenditure.opd != opd || expenditure.reversed_by) continue;
    for (const auto& [tax_type, withheld_sen] : expenditure.taxes_sen) {
      const auto found = deposited.find({i, tax_type});
      const std::int64_t paid = found == deposited.end() ? 0 : found->second;
      // AllocateTaxDeposits fills a withholding at most up to what is open.
      JEJAK_CHECK(paid <= withheld_sen);
      if (paid == withheld_sen) continue;
      open.push_back(OpenWithholding{i, tax_type, withheld_sen, paid, withheld_sen - paid});
    }
  }
  std::sort(open.begin(), open.end(), [&input](const OpenWithholding& a, const OpenWithholding& b) {
    return std::tie(input.expenditures[a.expenditure].seq, a.tax_type) <
           std::tie(input.expenditures[b.expenditure].seq, b.tax_type);
  });
  return open;
}

}  // namespace jejak::ledger
