// Tests for ledger/audit.h's helpers: FormatRupiah (Indonesian grouping) and
// TaxDepositDeadline (the next month's day, moved past weekends and national holidays).
#include "ledger/audit.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace jejak::ledger {
namespace {

// TaxDepositDeadline with `national_holidays` and the default deadline rules.
std::string Deadline(const std::string& tax_type, const std::string& value_date,
                     std::vector<std::string> national_holidays) {
  AuditRules rules;
  rules.holidays = std::move(national_holidays);
  return TaxDepositDeadline(tax_type, value_date, rules);
}

// ----- FormatRupiah ---------------------------------------------------------------------

TEST(FormatRupiahTest, GroupsThousandsWithDotsAndSenWithComma) {
  EXPECT_EQ(FormatRupiah(123456789), "Rp 1.234.567,89");
}

TEST(FormatRupiahTest, SmallAmounts) {
  EXPECT_EQ(FormatRupiah(0), "Rp 0,00");
  EXPECT_EQ(FormatRupiah(5), "Rp 0,05");
  EXPECT_EQ(FormatRupiah(99999), "Rp 999,99");
  EXPECT_EQ(FormatRupiah(100000), "Rp 1.000,00");
}

TEST(FormatRupiahTest, NegativeAmountsCarryLeadingMinus) {
  EXPECT_EQ(FormatRupiah(-123400), "-Rp 1.234,00");
  EXPECT_EQ(FormatRupiah(-1), "-Rp 0,01");
}

TEST(FormatRupiahTest, ExtremesDoNotOverflow) {
  EXPECT_EQ(FormatRupiah(INT64_MAX), "Rp 92.233.720.368.547.758,07");
  EXPECT_EQ(FormatRupiah(INT64_MIN), "-Rp 92.233.720.368.547.758,08");
}

// ----- TaxDepositDeadline ---------------------------------------------------------------

TEST(TaxDepositDeadlineTest, FifteenthOfNextMonth) {
  EXPECT_EQ(Deadline("PPN", "2025-03-10", {}), "2025-04-15");  // Tuesday.
  EXPECT_EQ(Deadline("PPN", "2025-03-31", {}), "2025-04-15");
}

TEST(TaxDepositDeadlineTest, DecemberRollsIntoJanuaryOfNextYear) {
  EXPECT_EQ(Deadline("PPN", "2025-12-20", {}), "2026-01-15");  // Thursday.
}

TEST(TaxDepositDeadlineTest, SaturdayMovesToMonday) {
  EXPECT_EQ(Deadline("PPN", "2025-10-10", {}), "2025-11-17");  // 15 Nov 2025 is Saturday.
  EXPECT_EQ(Deadline("PPN", "2025-01-31", {}), "2025-02-17");  // 15 Feb 2025 is Saturday.
}

TEST(TaxDepositDeadlineTest, SundayMovesToMonday) {
  EXPECT_EQ(Deadline("PPN", "2025-05-02", {}), "2025-06-16");  // 15 Jun 2025 is Sunday.
}

TEST(TaxDepositDeadlineTest, HolidayChainCrossesWeekend) {
  // 15 Jan 2025 is a Wednesday; holidays Wed-Fri push it past the weekend to Monday.
  EXPECT_EQ(Deadline("PPN", "2024-12-05", {"2025-01-15"}), "2025-01-16");
  EXPECT_EQ(Deadline("PPN", "2024-12-05", {"2025-01-17", "2025-01-15", "2025-01-16"}),
            "2025-01-20");
}

TEST(TaxDepositDeadlineTest, HolidayAfterWeekend) {
  // 15 Mar 2025 is a Saturday; Monday the 17th is a holiday, so Tuesday.
  EXPECT_EQ(Deadline("PPN", "2025-02-03", {"2025-03-17"}), "2025-03-18");
}

TEST(TaxDepositDeadlineTest, MalformedHolidaysAreIgnored) {
  EXPECT_EQ(Deadline("PPN", "2025-03-10", {"15-04-2025", "2025-04-15x"}), "2025-04-15");
}

TEST(TaxDepositDeadlineTest, MalformedValueDateGivesEmpty) {
  EXPECT_EQ(Deadline("PPN", "2025-02-30", {}), "");
  EXPECT_EQ(Deadline("PPN", "", {}), "");
}

}  // namespace
}  // namespace jejak::ledger
