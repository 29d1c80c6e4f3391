// Tests of ledger/totals.h: the year totals rule that keeps every sum of a fiscal year in
// int64 (an entry past the bound is refused, naming its field, and changes nothing).
#include "ledger/totals.h"

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "base/result.h"
#include "ledger/limits.h"

namespace jejak::ledger {
namespace {

EntryColumns Expenditure(std::int64_t year, std::int64_t gross_sen) {
  EntryColumns columns;
  columns.kind = "expenditure";
  columns.fiscal_year = year;
  columns.amount_sen = gross_sen;
  return columns;
}

EntryColumns Budget(std::int64_t year, std::int64_t pagu_sen, std::string plan) {
  EntryColumns columns;
  columns.kind = "budget";
  columns.fiscal_year = year;
  columns.amount_sen = pagu_sen;
  columns.monthly_plan = std::move(plan);
  return columns;
}

TEST(YearTotalsTest, AddsUpToTheBoundExactly) {
  YearTotals totals;
  ASSERT_TRUE(totals.Add(Expenditure(2026, kYearTotalSenMax - 1)).has_value());
  ASSERT_TRUE(totals.Add(Expenditure(2026, 1)).has_value());
  EXPECT_EQ(totals.Total(2026, Measure::kGross), kYearTotalSenMax);
}

TEST(YearTotalsTest, RefusesTheEntryThatPassesTheBoundNamingItsField) {
  YearTotals totals;
  ASSERT_TRUE(totals.Add(Expenditure(2026, kMoneySenMax)).has_value());
  Result<void> second = totals.Add(Expenditure(2026, 1));
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, Code::kOutOfRange);
  ASSERT_EQ(second.error().fields.size(), 1u);
  EXPECT_EQ(second.error().fields[0].field, "gross");
  EXPECT_NE(second.error().message.find("fiscal year 2026"), std::string::npos);
  // Nothing was added: the total stays where it was.
  EXPECT_EQ(totals.Total(2026, Measure::kGross), kMoneySenMax);
}

TEST(YearTotalsTest, TenMaximalExpendituresNeverWrap) {
  YearTotals totals;
  int accepted = 0;
  for (int i = 0; i < 10; ++i) {
    if (totals.Add(Expenditure(2026, kMoneySenMax)).has_value()) ++accepted;
  }
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(totals.Total(2026, Measure::kGross), kMoneySenMax);
}

TEST(YearTotalsTest, YearsAndMeasuresAreSeparate) {
  YearTotals totals;
  ASSERT_TRUE(totals.Add(Expenditure(2025, kMoneySenMax)).has_value());
  ASSERT_TRUE(totals.Add(Expenditure(2026, kMoneySenMax)).has_value());
  ASSERT_TRUE(totals.Add(Budget(2026, kMoneySenMax, "")).has_value());
  EntryColumns deposit;
  deposit.kind = "tax_deposit";
  deposit.fiscal_year = 2026;
  deposit.amount_sen = kMoneySenMax;
  ASSERT_TRUE(totals.Add(deposit).has_value());
  Result<void> more = totals.Add(deposit);
  ASSERT_FALSE(more.has_value());
  EXPECT_EQ(more.error().fields.at(0).field, "amount");
}

TEST(YearTotalsTest, BudgetPlansCountOnTheirOwn) {
  YearTotals totals;
  const std::string half = std::to_string(kMoneySenMax / 2);
  std::string plan = half;
  for (int month = 1; month < 12; ++month) plan += ",0";
  ASSERT_TRUE(totals.Add(Budget(2026, 100, plan)).has_value());
  ASSERT_TRUE(totals.Add(Budget(2026, 100, plan)).has_value());
  Result<void> third = totals.Add(Budget(2026, 100, plan));
  ASSERT_FALSE(third.has_value());
  EXPECT_EQ(third.error().fields.at(0).field, "monthly_plan");
  EXPECT_EQ(totals.Total(2026, Measure::kPagu), 200);  // The refused entry added nothing.
}

TEST(YearTotalsTest, ReversalsGenesisAndOpdsAddNothing) {
  YearTotals totals;
  EntryColumns reversal;
  reversal.kind = "reversal";
  reversal.reverses = 5;
  EXPECT_TRUE(totals.Add(reversal).has_value());
  EntryColumns opd;
  opd.kind = "opd";
  EXPECT_TRUE(totals.Add(opd).has_value());
  EXPECT_EQ(totals.Total(2026, Measure::kGross), 0);
}

TEST(YearTotalsTest, SetRefusesStoredTotalsPastTheBound) {
  YearTotals totals;
  EXPECT_TRUE(totals.Set(2026, Measure::kGross, kYearTotalSenMax).has_value());
  Result<void> past = totals.Set(2026, Measure::kGross, kYearTotalSenMax + 1);
  ASSERT_FALSE(past.has_value());
  EXPECT_EQ(past.error().code, Code::kDataLoss);
  EXPECT_FALSE(totals.Set(2026, Measure::kPagu, -1).has_value());
}

TEST(MonthlyPlanTotalTest, SumsAndRejectsMalformedOrOverflowingColumns) {
  EXPECT_EQ(MonthlyPlanTotal("1,2,3"), 6);
  EXPECT_EQ(MonthlyPlanTotal(""), 0);
  EXPECT_FALSE(MonthlyPlanTotal("1,x").has_value());
  EXPECT_FALSE(MonthlyPlanTotal("1,,2").has_value());
  EXPECT_FALSE(MonthlyPlanTotal("-1").has_value());
  EXPECT_FALSE(MonthlyPlanTotal("9223372036854775807,1").has_value());
}

}  // namespace
}  // namespace jejak::ledger
