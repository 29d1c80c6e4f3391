// Allocation of tax deposits to withheld tax (ledger/tax_allocation.h). Moved here from the
// TAX_NOT_DEPOSITED rule so that the rule and the workpapers' Pajak sheet share one
// arithmetic; the rule then judges each allocation on time or late, the sheet sums it.
#include "ledger/tax_allocation.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ledger/audit_internal.h"

namespace jejak::ledger {
namespace {

using audit_internal::ParseDate;
using audit_internal::Wide;

// Withheld tax of one type on one expenditure, and how much of it is still open.
struct OpenTax {
  const std::string* tax_type;
  Wide open_sen = 0;
};

}  // namespace

std::vector<DepositAllocation> AllocateTaxDeposits(const std::vector<ExpenditureFacts>& expenditures,
                                                   const std::vector<TaxDepositFacts>& deposits) {
  std::vector<OpenTax> open;
  // open_of[i] = [first, end) of expenditure i's open taxes; each expenditure has a handful.
  std::vector<std::pair<std::size_t, std::size_t>> open_of(expenditures.size(), {0, 0});
  std::unordered_map<std::int64_t, std::size_t> index_of_seq;
  index_of_seq.reserve(expenditures.size());
  for (std::size_t i = 0; i < expenditures.size(); ++i) {
    const ExpenditureFacts& e = expenditures[i];
    index_of_seq.emplace(e.seq, i);
    if (e.reversed_by || !ParseDate(e.value_date)) continue;
    const std::size_t first = open.size();
    for (const auto& [tax_type, amount_sen] : e.taxes_sen) {
      if (amount_sen <= 0) continue;
      // The store sums per type already; merging again keeps the allocation safe if not.
      bool merged = false;
      for (std::size_t k = first; k < open.size(); ++k) {
        if (*open[k].tax_type == tax_type) {
          open[k].open_sen += amount_sen;
          merged = true;
        }
      }
      if (!merged) open.push_back(OpenTax{&tax_type, amount_sen});
    }
    open_of[i] = {first, open.size()};
  }

  std::vector<std::size_t> order(deposits.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(deposits[a].deposit_date, deposits[a].seq) <
           std::tie(deposits[b].deposit_date, deposits[b].seq);
  });
  std::vector<DepositAllocation> result;
  result.reserve(deposits.size());
  for (std::size_t d : order) {
    const TaxDepositFacts& deposit = deposits[d];
    DepositAllocation& allocation = result.emplace_back();
    allocation.deposit = d;
    allocation.unallocated_sen = deposit.amount_sen;
    if (!ParseDate(deposit.deposit_date)) continue;
    std::vector<std::int64_t> covers = deposit.covers;
    std::sort(covers.begin(), covers.end());
    covers.erase(std::unique(covers.begin(), covers.end()), covers.end());
    for (std::int64_t seq : covers) {
      if (allocation.unallocated_sen <= 0) break;
      const auto found = index_of_seq.find(seq);
      if (found == index_of_seq.end()) continue;
      const auto [begin, end] = open_of[found->second];
      for (std::size_t k = begin; k < end; ++k) {
        if (*open[k].tax_type != deposit.tax_type) continue;
        // At most the deposit's remaining amount, so it fits in int64.
        const auto allocated_sen = static_cast<std::int64_t>(
            std::min(open[k].open_sen, static_cast<Wide>(allocation.unallocated_sen)));
        if (allocated_sen <= 0) continue;
        open[k].open_sen -= allocated_sen;
        allocation.unallocated_sen -= allocated_sen;
        allocation.allocations.push_back(TaxAllocation{found->second, allocated_sen});
      }
    }
  }
  return result;
}

}  // namespace jejak::ledger
