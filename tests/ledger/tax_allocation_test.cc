// Tests of ledger/tax_allocation.h: the allocation of tax deposits to withheld tax that the
// TAX_NOT_DEPOSITED rule and the workpapers' Pajak sheet share (order of deposits and of
// covered seqs, partial and over-payments, reversed and unknown seqs, tax types).
#include "ledger/tax_allocation.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "ledger/audit.h"

namespace jejak::ledger {
namespace {

ExpenditureFacts Expenditure(std::int64_t seq,
                             std::vector<std::pair<std::string, std::int64_t>> taxes_sen,
                             std::string value_date = "2026-03-10") {
  ExpenditureFacts e;
  e.seq = seq;
  e.fiscal_year = 2026;
  e.opd = "1.02.0.00.0.00.01.0000";
  e.value_date = std::move(value_date);
  e.taxes_sen = std::move(taxes_sen);
  return e;
}

TaxDepositFacts Deposit(std::int64_t seq, std::string date, std::int64_t amount_sen,
                        std::vector<std::int64_t> covers, std::string tax_type = "PPN") {
  TaxDepositFacts d;
  d.seq = seq;
  d.opd = "1.02.0.00.0.00.01.0000";
  d.tax_type = std::move(tax_type);
  d.amount_sen = amount_sen;
  d.deposit_date = std::move(date);
  d.covers = std::move(covers);
  d.ntpn = "NTPN" + std::to_string(seq);
  return d;
}

// (expenditure index, amount) of one deposit's allocations.
using Allocated = std::vector<std::pair<std::size_t, std::int64_t>>;

Allocated Pairs(const DepositAllocation& deposit) {
  Allocated pairs;
  for (const TaxAllocation& a : deposit.allocations) pairs.emplace_back(a.expenditure, a.amount_sen);
  return pairs;
}

TEST(AllocateTaxDepositsTest, ExactDepositFillsItsCoveredSeqsInAscendingOrder) {
  const std::vector<ExpenditureFacts> expenditures = {Expenditure(3, {{"PPN", 100}}),
                                                      Expenditure(5, {{"PPN", 50}})};
  const std::vector<DepositAllocation> result =
      AllocateTaxDeposits(expenditures, {Deposit(9, "2026-04-01", 150, {5, 3})});
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0].deposit, 0u);
  EXPECT_EQ(Pairs(result[0]), (Allocated{{0, 100}, {1, 50}}));
  EXPECT_EQ(result[0].unallocated_sen, 0);
}

TEST(AllocateTaxDepositsTest, DepositsGoInDateThenSeqOrderNotInputOrder) {
  const std::vector<ExpenditureFacts> expenditures = {Expenditure(3, {{"PPN", 100}})};
  // Input order: seq 12 (April 20), seq 11 (April 5), seq 10 (April 5).
  const std::vector<DepositAllocation> result = AllocateTaxDeposits(
      expenditures, {Deposit(12, "2026-04-20", 100, {3}), Deposit(11, "2026-04-05", 60, {3}),
                     Deposit(10, "2026-04-05", 30, {3})});
  ASSERT_EQ(result.size(), 3u);
  EXPECT_EQ(result[0].deposit, 2u);  // Seq 10: same date as 11, lower seq.
  EXPECT_EQ(Pairs(result[0]), (Allocated{{0, 30}}));
  EXPECT_EQ(result[1].deposit, 1u);
  EXPECT_EQ(Pairs(result[1]), (Allocated{{0, 60}}));
  EXPECT_EQ(result[2].deposit, 0u);  // Only 10 is still open.
  EXPECT_EQ(Pairs(result[2]), (Allocated{{0, 10}}));
  EXPECT_EQ(result[2].unallocated_sen, 90);
}

TEST(AllocateTaxDepositsTest, ShortDepositStopsAtTheLowestSeqs) {
  const std::vector<ExpenditureFacts> expenditures = {Expenditure(3, {{"PPN", 100}}),
                                                      Expenditure(4, {{"PPN", 100}}),
                                                      Expenditure(5, {{"PPN", 100}})};
  const std::vector<DepositAllocation> result =
      AllocateTaxDeposits(expenditures, {Deposit(9, "2026-04-01", 150, {3, 4, 5})});
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(Pairs(result[0]), (Allocated{{0, 100}, {1, 50}}));
  EXPECT_EQ(result[0].unallocated_sen, 0);
}

TEST(AllocateTaxDepositsTest, OnlyTheDepositsTaxTypeIsFilled) {
  const std::vector<ExpenditureFacts> expenditures = {
      Expenditure(3, {{"PPN", 100}, {"PPh22", 15}})};
  const std::vector<DepositAllocation> result = AllocateTaxDeposits(
      expenditures, {Deposit(9, "2026-04-01", 40, {3}, "PPh22"),
                     Deposit(10, "2026-04-02", 30, {3}, "PPh23")});
  ASSERT_EQ(result.size(), 2u);
  EXPECT_EQ(Pairs(result[0]), (Allocated{{0, 15}}));
  EXPECT_EQ(result[0].unallocated_sen, 25);
  EXPECT_TRUE(result[1].allocations.empty());  // Nothing of PPh23 was withheld.
  EXPECT_EQ(result[1].unallocated_sen, 30);
}

TEST(AllocateTaxDepositsTest, ReversedUnknownAndDuplicateSeqsGetNothing) {
  ExpenditureFacts reversed = Expenditure(4, {{"PPN", 100}});
  reversed.reversed_by = 7;
  const std::vector<ExpenditureFacts> expenditures = {Expenditure(3, {{"PPN", 100}}), reversed};
  const std::vector<DepositAllocation> result =
      AllocateTaxDeposits(expenditures, {Deposit(9, "2026-04-01", 300, {99, 4, 3, 3})});
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(Pairs(result[0]), (Allocated{{0, 100}}));  // Seq 3 once; 4 reversed; 99 unknown.
  EXPECT_EQ(result[0].unallocated_sen, 200);
}

TEST(AllocateTaxDepositsTest, TaxesOfOneTypeAreSummedBeforeAllocation) {
  const std::vector<ExpenditureFacts> expenditures = {
      Expenditure(3, {{"PPN", 60}, {"PPN", 40}, {"PPh23", 0}})};
  const std::vector<DepositAllocation> result =
      AllocateTaxDeposits(expenditures, {Deposit(9, "2026-04-01", 100, {3})});
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(Pairs(result[0]), (Allocated{{0, 100}}));
  EXPECT_EQ(result[0].unallocated_sen, 0);
}

TEST(AllocateTaxDepositsTest, InvalidDatesTakeNoPart) {
  const std::vector<ExpenditureFacts> expenditures = {
      Expenditure(3, {{"PPN", 100}}), Expenditure(4, {{"PPN", 100}}, "2026-02-30")};
  const std::vector<DepositAllocation> result = AllocateTaxDeposits(
      expenditures, {Deposit(9, "2026-13-01", 100, {3}), Deposit(10, "2026-04-01", 200, {3, 4})});
  ASSERT_EQ(result.size(), 2u);
  EXPECT_EQ(result[0].deposit, 1u);  // "2026-04-01" sorts before "2026-13-01".
  EXPECT_EQ(Pairs(result[0]), (Allocated{{0, 100}}));  // Seq 4 has no calendar value date.
  EXPECT_EQ(result[0].unallocated_sen, 100);
  EXPECT_EQ(result[1].deposit, 0u);
  EXPECT_TRUE(result[1].allocations.empty());
  EXPECT_EQ(result[1].unallocated_sen, 100);
}

TEST(AllocateTaxDepositsTest, HugeWithheldTaxStaysExact) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  // Two parts of one type that together pass int64: open amounts are kept in 128 bits.
  const std::vector<ExpenditureFacts> expenditures = {
      Expenditure(3, {{"PPN", kMax}, {"PPN", kMax}})};
  const std::vector<DepositAllocation> result = AllocateTaxDeposits(
      expenditures, {Deposit(9, "2026-04-01", kMax, {3}), Deposit(10, "2026-04-02", kMax, {3})});
  ASSERT_EQ(result.size(), 2u);
  EXPECT_EQ(Pairs(result[0]), (Allocated{{0, kMax}}));
  EXPECT_EQ(Pairs(result[1]), (Allocated{{0, kMax}}));
  EXPECT_EQ(result[1].unallocated_sen, 0);
}

TEST(AllocateTaxDepositsTest, NoDepositsNoAllocations) {
  EXPECT_TRUE(AllocateTaxDeposits({Expenditure(3, {{"PPN", 100}})}, {}).empty());
}

}  // namespace
}  // namespace jejak::ledger
