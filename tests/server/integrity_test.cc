// Tests for server/integrity.h: RFC 3339 times to Unix seconds (and refusals), the
// checkpoint's age and staleness at the configured boundary, and the fiscal year a screen
// opens on (the newest with budgets, else the busiest).
#include "server/integrity.h"

#include <gtest/gtest.h>

#include <vector>

namespace jejak::server {
namespace {

TEST(IntegrityTest, UnixSecondsReadsTheLedgersTimes) {
  EXPECT_EQ(UnixSeconds("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(UnixSeconds("1970-01-01T00:00:01.999Z"), 1);  // The fraction is dropped.
  EXPECT_EQ(UnixSeconds("2026-01-31T08:00:00.123Z"), 1769846400);
  EXPECT_EQ(UnixSeconds("2028-02-29T23:59:59.000Z"), 1835481599);
  for (const char* bad : {"", "2026-01-31", "2026-01-31T08:00:00", "2026-01-31T08:00:00+07:00",
                          "2026-02-30T08:00:00Z", "2026-01-31T24:00:00Z", "2026-01-31T08:60:00Z",
                          "2026-01-31T08:00:00.Z", "2026-01-31T08:00:00.12aZ", "2026-1-31T08:00:00Z",
                          "2026-01-31 08:00:00Z"}) {
    EXPECT_FALSE(UnixSeconds(bad).has_value()) << bad;
  }
}

TEST(IntegrityTest, AgeAndStalenessAtTheBoundary) {
  const char* checkpoint = "2026-03-01T10:00:00.500Z";
  std::optional<CheckpointAge> age = AgeOf(checkpoint, "2026-03-02T10:00:00.000Z", 86400);
  ASSERT_TRUE(age.has_value());
  EXPECT_EQ(age->seconds, 86400);
  EXPECT_FALSE(age->stale);  // Exactly the configured age: not yet stale.
  age = AgeOf(checkpoint, "2026-03-02T10:00:01.000Z", 86400);
  ASSERT_TRUE(age.has_value());
  EXPECT_EQ(age->seconds, 86401);
  EXPECT_TRUE(age->stale);
  age = AgeOf(checkpoint, "2026-03-01T10:00:03.000Z", 1);
  ASSERT_TRUE(age.has_value());
  EXPECT_EQ(age->seconds, 3);
  EXPECT_TRUE(age->stale);
  // A clock behind the checkpoint: age 0, never stale.
  age = AgeOf(checkpoint, "2026-03-01T09:00:00.000Z", 1);
  ASSERT_TRUE(age.has_value());
  EXPECT_EQ(age->seconds, 0);
  EXPECT_FALSE(age->stale);
  EXPECT_FALSE(AgeOf("not a time", "2026-03-01T09:00:00.000Z", 1).has_value());
}

TEST(IntegrityTest, DefaultFiscalYearPrefersBudgetsThenTheBusiestYear) {
  using Years = std::vector<db::FiscalYearCounts>;
  EXPECT_FALSE(DefaultFiscalYear(Years{}).has_value());
  // One test payment in 2027 does not beat the budgeted 2026.
  EXPECT_EQ(DefaultFiscalYear(Years{{2027, 0, 1}, {2026, 5000, 400000}, {2025, 4800, 390000}}), 2026);
  // The newest budgeted year, even with fewer payments so far.
  EXPECT_EQ(DefaultFiscalYear(Years{{2027, 10, 3}, {2026, 5000, 400000}}), 2027);
  // No budgets anywhere: the year with the most expenditures; the newer on a tie.
  EXPECT_EQ(DefaultFiscalYear(Years{{2027, 0, 1}, {2026, 0, 300}, {2025, 0, 20}}), 2026);
  EXPECT_EQ(DefaultFiscalYear(Years{{2025, 0, 7}, {2026, 0, 7}}), 2026);
  EXPECT_EQ(DefaultFiscalYear(Years{{2024, 0, 0}}), 2024);
}

}  // namespace
}  // namespace jejak::server
