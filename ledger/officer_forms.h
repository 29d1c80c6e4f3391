// What a bendahara's forms read from the ledger: the budget lines of their OPD in force
// with what is left of each pagu (to choose a sub-activity and account), and the withheld
// taxes not yet deposited (to choose what a tax deposit covers). Pure: computed from the
// audit input the store reads (db/ Store::AuditInputs), with the rules the audit uses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/audit.h"

namespace jejak::ledger {

// One budget line in force with its realisation.
struct BudgetLineStatus {
  std::string sub_activity;
  std::string account;
  std::int64_t budget_seq = 0;  // The budget entry in force.
  std::int64_t pagu_sen = 0;
  // Gross of the line's unreversed expenditures in `input` less the refunds of those
  // payments in `input`: what OVER_PAGU compares with the pagu.
  std::int64_t realisation_sen = 0;
  std::int64_t remaining_sen = 0;  // pagu - realisation; negative when over the pagu.
};

// The budget lines of `opd` in `input.budgets` (the lines in force), sorted by
// sub_activity then account, each with its realisation from `input.expenditures` and
// `input.refunds` (refunds of payments of input.fiscal_year only). Every amount fits: the
// ledger keeps a year's gross, pagu and refunds each below ledger::kYearTotalSenMax.
std::vector<BudgetLineStatus> BudgetLinesOf(const AuditInput& input, const std::string& opd);

// The withheld tax of one type on one expenditure that deposits do not cover in full.
struct OpenWithholding {
  std::size_t expenditure = 0;  // Index into input.expenditures.
  std::string tax_type;
  std::int64_t withheld_sen = 0;
  std::int64_t deposited_sen = 0;  // What deposits allocated to it (AllocateTaxDeposits).
  std::int64_t open_sen = 0;       // withheld - deposited, > 0.
};

// The open withholdings of `opd`'s unreversed expenditures in `input`, by allocating
// `input.tax_deposits` with AllocateTaxDeposits (the TAX_NOT_DEPOSITED rule's arithmetic),
// sorted by seq then tax type.
std::vector<OpenWithholding> OpenWithholdingsOf(const AuditInput& input, const std::string& opd);

}  // namespace jejak::ledger
