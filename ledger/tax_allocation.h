// Allocation of tax deposits to the tax withheld on expenditures: the one arithmetic
// behind the TAX_NOT_DEPOSITED rule (ledger/audit_rules_compliance.cc) and the workpapers'
// Pajak sheet (ledger/workpapers.cc). Pure: it reads the audit facts and nothing else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ledger/audit.h"

namespace jejak::ledger {

// An amount of one deposit counted against the withheld tax of one expenditure.
struct TaxAllocation {
  std::size_t expenditure = 0;  // Index into the expenditures passed in.
  std::int64_t amount_sen = 0;  // > 0.
};

// What one deposit allocated.
struct DepositAllocation {
  std::size_t deposit = 0;                 // Index into the deposits passed in.
  std::vector<TaxAllocation> allocations;  // In ascending seq of the covered expenditures.
  // The deposit's amount less what it allocated: an overpayment, or money for covered
  // seqs that are unknown, reversed or already paid. The whole amount for a deposit that
  // takes no part (see below).
  std::int64_t unallocated_sen = 0;
};

// Allocates `deposits` to the tax withheld on `expenditures`. Deposits are taken in
// (deposit_date, seq) order, so earlier money counts first; each fills the withheld tax of
// its own tax type on its covered expenditures in ascending seq order (duplicates in
// `covers` count once), each up to what is still open. The deposit's OPD is not compared
// with the expenditure's: `covers` names the seqs. Withheld tax is ExpenditureFacts's
// taxes_sen summed per type; a covered seq that is not among `expenditures`, is reversed
// (a reversed payment needs no deposit) or has nothing of the type open gets nothing.
// A deposit whose deposit_date, and an expenditure whose value_date, is not a calendar date
// YYYY-MM-DD takes no part (validation never stores one). Returns one DepositAllocation per
// deposit, in allocation order. Sums are exact: an allocation is at most the deposit's
// amount, and open amounts are kept in 128 bits. Cost O((e + c) log) for e expenditures and
// c covered seqs.
std::vector<DepositAllocation> AllocateTaxDeposits(const std::vector<ExpenditureFacts>& expenditures,
                                                   const std::vector<TaxDepositFacts>& deposits);

}  // namespace jejak::ledger
