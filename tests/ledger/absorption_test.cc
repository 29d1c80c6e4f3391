// Tests for ledger/absorption.h: pagu in force, realisation, remaining and percent, the
// monthly cumulative curve against the RAK plan with its deviation band (boundaries
// included), the account-group split, the non-cash share, and totals that equal the sum
// of the OPD rows. Every expected number is worked out by hand in the comments.
#include "ledger/absorption.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace jejak::ledger {
namespace {

constexpr const char* kOpdA = "1.02.0.00.0.00.01.0000";
constexpr const char* kOpdB = "1.01.0.00.0.00.01.0000";
constexpr const char* kSubActivity = "1.02.01.2.02.0001";
constexpr const char* kPegawai = "5.1.01.01.01.0001";
constexpr const char* kBarangJasa = "5.1.02.01.01.0024";
constexpr const char* kModal = "5.2.02.05.01.0001";
constexpr const char* kTakTerduga = "5.3.01.01.01.0001";
constexpr const char* kTransfer = "5.4.01.05.01.0001";
constexpr std::int64_t kRupiah = 100;  // One rupiah in sen.
constexpr std::int64_t kMillion = 1'000'000 * kRupiah;

using Plan = std::array<std::int64_t, 12>;

Plan Flat(std::int64_t per_month_sen) {
  Plan plan{};
  plan.fill(per_month_sen);
  return plan;
}

BudgetLine Line(const std::string& opd, const std::string& account, std::int64_t pagu_sen,
                std::optional<Plan> plan = std::nullopt) {
  return BudgetLine{opd, kSubActivity, account, pagu_sen, plan};
}

// What the store passes for payments of one line in one month: the row by account group
// and instrument, and the same amount by budget line (for the band).
struct Paid {
  RealisationRow row;
  LineRealisationRow line;
};

Paid Spent(const std::string& opd, const std::string& account, const std::string& instrument,
           const std::string& month, std::int64_t amount_sen, std::int64_t entries = 1) {
  return Paid{RealisationRow{opd, AccountGroup(account), instrument, month, amount_sen, entries},
              LineRealisationRow{opd, kSubActivity, account, month, amount_sen}};
}

AbsorptionInput Input(const std::string& as_of, std::vector<BudgetLine> budgets,
                      std::vector<Paid> paid) {
  AbsorptionInput input;
  input.fiscal_year = 2026;
  input.as_of = as_of;
  input.budgets = std::move(budgets);
  for (const Paid& payment : paid) {
    input.realisation.push_back(payment.row);
    input.line_realisation.push_back(payment.line);
  }
  input.opd_names = {{kOpdA, "Dinas Kesehatan"}, {kOpdB, "Dinas Pendidikan"}};
  return input;
}

AbsorptionReport Compute(const AbsorptionInput& input) {
  Result<AbsorptionReport> report = ComputeAbsorption(input);
  EXPECT_TRUE(report.has_value()) << (report ? "" : report.error().ToString());
  return report ? std::move(report).value() : AbsorptionReport{};
}

const Absorption& Row(const AbsorptionReport& report, const std::string& opd) {
  for (const Absorption& row : report.opds) {
    if (row.opd == opd) return row;
  }
  ADD_FAILURE() << "no row for " << opd;
  static const Absorption kNone;
  return kNone;
}

// One OPD with a plan of `plan_sen` cumulative at the end of March (spread evenly over
// the first three months, nothing later) and `realised_sen` spent in March, as of 31 March.
Absorption AtMarch(std::int64_t plan_sen, std::int64_t realised_sen) {
  Plan plan{};
  plan[0] = plan_sen / 3;
  plan[1] = plan_sen / 3;
  plan[2] = plan_sen - 2 * (plan_sen / 3);
  AbsorptionReport report =
      Compute(Input("2026-03-31", {Line(kOpdA, kBarangJasa, 100 * kMillion, plan)},
                    {Spent(kOpdA, kBarangJasa, "cms_transfer", "2026-03", realised_sen)}));
  EXPECT_EQ(report.opds.size(), 1u);
  return report.opds.empty() ? Absorption{} : report.opds.front();
}

// ----- AccountGroup, BandName, FormatBasisPoints --------------------------------------

TEST(AccountGroupTest, GroupsByAccountPrefix) {
  EXPECT_STREQ(AccountGroup(kPegawai), "pegawai");
  EXPECT_STREQ(AccountGroup(kBarangJasa), "barang_jasa");
  EXPECT_STREQ(AccountGroup(kModal), "modal");
  EXPECT_STREQ(AccountGroup("5.2.03.01.01.0001"), "modal");
  EXPECT_STREQ(AccountGroup(kTakTerduga), "lainnya");
  EXPECT_STREQ(AccountGroup(kTransfer), "lainnya");
  // Other operating spending (5.1.05 hibah) is neither pegawai nor barang dan jasa.
  EXPECT_STREQ(AccountGroup("5.1.05.05.01.0001"), "lainnya");
  EXPECT_STREQ(AccountGroup(""), "lainnya");
}

TEST(BandNameTest, NamesEveryBand) {
  EXPECT_STREQ(BandName(Band::kBlue), "blue");
  EXPECT_STREQ(BandName(Band::kGreen), "green");
  EXPECT_STREQ(BandName(Band::kYellow), "yellow");
  EXPECT_STREQ(BandName(Band::kRed), "red");
}

TEST(FormatBasisPointsTest, FormatsPositiveWithTwoDecimals) {
  EXPECT_EQ(FormatBasisPoints(4567), "45.67");
  EXPECT_EQ(FormatBasisPoints(10000), "100.00");
  EXPECT_EQ(FormatBasisPoints(12345), "123.45");
  EXPECT_EQ(FormatBasisPoints(100), "1.00");
}

TEST(FormatBasisPointsTest, FormatsZeroAndSmallValues) {
  EXPECT_EQ(FormatBasisPoints(0), "0.00");
  EXPECT_EQ(FormatBasisPoints(1), "0.01");
  EXPECT_EQ(FormatBasisPoints(5), "0.05");
  EXPECT_EQ(FormatBasisPoints(10), "0.10");
  EXPECT_EQ(FormatBasisPoints(99), "0.99");
}

TEST(FormatBasisPointsTest, FormatsNegativeWithLeadingMinus) {
  EXPECT_EQ(FormatBasisPoints(-1250), "-12.50");
  EXPECT_EQ(FormatBasisPoints(-1), "-0.01");
  EXPECT_EQ(FormatBasisPoints(-5), "-0.05");
  EXPECT_EQ(FormatBasisPoints(-100), "-1.00");
  EXPECT_EQ(FormatBasisPoints(-3000), "-30.00");
}

TEST(FormatBasisPointsTest, ExtremesDoNotOverflow) {
  EXPECT_EQ(FormatBasisPoints(std::numeric_limits<std::int64_t>::max()), "92233720368547758.07");
  EXPECT_EQ(FormatBasisPoints(std::numeric_limits<std::int64_t>::min()), "-92233720368547758.08");
}

// ----- Pagu, realisation, remaining, percent ------------------------------------------

TEST(AbsorptionTest, PaguInForceSumsTheLinesOfEachOpd) {
  AbsorptionReport report = Compute(Input(
      "2026-12-31",
      {Line(kOpdA, kPegawai, 60 * kMillion), Line(kOpdA, kBarangJasa, 40 * kMillion + 25),
       Line(kOpdB, kModal, 300 * kMillion)},
      {}));
  ASSERT_EQ(report.opds.size(), 2u);
  // Rows by OPD code: 1.01... (B) before 1.02... (A).
  EXPECT_EQ(report.opds[0].opd, kOpdB);
  EXPECT_EQ(report.opds[1].opd, kOpdA);
  EXPECT_EQ(Row(report, kOpdA).pagu_sen, 100 * kMillion + 25);
  EXPECT_EQ(Row(report, kOpdB).pagu_sen, 300 * kMillion);
  EXPECT_EQ(report.total.pagu_sen, 400 * kMillion + 25);
  EXPECT_EQ(report.fiscal_year, 2026);
  EXPECT_EQ(report.as_of, "2026-12-31");
}

TEST(AbsorptionTest, NamesRowsFromTheRegistryAndTheTotalTotal) {
  AbsorptionInput input = Input("2026-12-31", {Line(kOpdA, kPegawai, kMillion)}, {});
  input.budgets.push_back(Line("1.03.0.00.0.00.01.0000", kPegawai, kMillion));
  AbsorptionReport report = Compute(input);
  EXPECT_EQ(Row(report, kOpdA).name, "Dinas Kesehatan");
  EXPECT_EQ(Row(report, "1.03.0.00.0.00.01.0000").name, "");  // Not registered.
  EXPECT_EQ(report.total.opd, "");
  EXPECT_EQ(report.total.name, "Total");
}

TEST(AbsorptionTest, RemainingIsPaguMinusRealisation) {
  AbsorptionReport report =
      Compute(Input("2026-12-31", {Line(kOpdA, kBarangJasa, 10 * kMillion)},
                    {Spent(kOpdA, kBarangJasa, "kkpd", "2026-02", 2 * kMillion + 37)}));
  EXPECT_EQ(Row(report, kOpdA).realisation_sen, 2 * kMillion + 37);
  EXPECT_EQ(Row(report, kOpdA).remaining_sen, 8 * kMillion - 37);
}

TEST(AbsorptionTest, RemainingIsNegativeWhenOverPagu) {
  AbsorptionReport report =
      Compute(Input("2026-12-31", {Line(kOpdA, kBarangJasa, 10 * kMillion)},
                    {Spent(kOpdA, kBarangJasa, "cms_transfer", "2026-02", 12 * kMillion)}));
  const Absorption& row = Row(report, kOpdA);
  EXPECT_EQ(row.remaining_sen, -2 * kMillion);
  EXPECT_EQ(row.percent_basis_points, 12000);  // 120.00%.
  EXPECT_EQ(report.total.remaining_sen, -2 * kMillion);
}

TEST(AbsorptionTest, PercentIsExactBasisPoints) {
  // 57,750,000 / 190,000,000 = 0.3039473... -> 3039 basis points, "30.39".
  AbsorptionReport report =
      Compute(Input("2026-12-31", {Line(kOpdA, kBarangJasa, 190 * kMillion)},
                    {Spent(kOpdA, kBarangJasa, "cms_transfer", "2026-03", 57'750'000 * kRupiah)}));
  ASSERT_TRUE(Row(report, kOpdA).percent_basis_points.has_value());
  EXPECT_EQ(*Row(report, kOpdA).percent_basis_points, 3039);
  EXPECT_EQ(FormatBasisPoints(*Row(report, kOpdA).percent_basis_points), "30.39");
}

TEST(AbsorptionTest, PercentRoundsHalfAwayFromZero) {
  // Pagu 20,000 sen: each sen is half a basis point.
  auto percent = [](std::int64_t realised_sen) {
    AbsorptionReport report =
        Compute(Input("2026-12-31", {Line(kOpdA, kBarangJasa, 20000)},
                      {Spent(kOpdA, kBarangJasa, "kkpd", "2026-01", realised_sen)}));
    return Row(report, kOpdA).percent_basis_points;
  };
  EXPECT_EQ(percent(1), 1);    // 0.5 -> 1.
  EXPECT_EQ(percent(3), 2);    // 1.5 -> 2.
  EXPECT_EQ(percent(5), 3);    // 2.5 -> 3 (not banker's 2).
  EXPECT_EQ(percent(2), 1);    // 1.0 exactly.
  EXPECT_EQ(percent(-1), -1);  // -0.5 -> -1: away from zero, not up.
  EXPECT_EQ(percent(-3), -2);  // -1.5 -> -2.
  // Pagu 30,000 sen: one sen is 0.333 basis points -> 0; two are 0.667 -> 1.
  AbsorptionReport thirds =
      Compute(Input("2026-12-31", {Line(kOpdA, kBarangJasa, 30000)},
                    {Spent(kOpdA, kBarangJasa, "kkpd", "2026-01", 1)}));
  EXPECT_EQ(Row(thirds, kOpdA).percent_basis_points, 0);
  AbsorptionReport two_thirds =
      Compute(Input("2026-12-31", {Line(kOpdA, kBarangJasa, 30000)},
                    {Spent(kOpdA, kBarangJasa, "kkpd", "2026-01", 2)}));
  EXPECT_EQ(Row(two_thirds, kOpdA).percent_basis_points, 1);
}

TEST(AbsorptionTest, PercentIsExactForAmountsNearTheMoneyLimit) {
  // 999,999,999,999,999,999 sen of pagu (the largest amount) and one third of it spent:
  // 3333.33... basis points -> 3333, with no int64 overflow in realisation * 10000.
  constexpr std::int64_t kPagu = 999'999'999'999'999'999;
  AbsorptionReport report =
      Compute(Input("2026-12-31", {Line(kOpdA, kModal, kPagu)},
                    {Spent(kOpdA, kModal, "sp2d_ls", "2026-06", kPagu / 3)}));
  EXPECT_EQ(Row(report, kOpdA).percent_basis_points, 3333);
}

TEST(AbsorptionTest, PercentSaturatesInsteadOfWrapping) {
  // A pagu of one sen against the largest amount spent: 10^22 basis points, past int64.
  // It once wrapped to a meaningless number; it now stays at the largest percent.
  constexpr std::int64_t kLargest = 999'999'999'999'999'999;
  AbsorptionReport report =
      Compute(Input("2026-12-31", {Line(kOpdA, kModal, 1)},
                    {Spent(kOpdA, kModal, "sp2d_ls", "2026-06", kLargest)}));
  EXPECT_EQ(Row(report, kOpdA).percent_basis_points, std::numeric_limits<std::int64_t>::max());
}

TEST(AbsorptionTest, OpdWithRealisationButNoBudget) {
  AbsorptionReport report =
      Compute(Input("2026-12-31", {Line(kOpdA, kBarangJasa, 10 * kMillion)},
                    {Spent(kOpdB, kBarangJasa, "qris", "2026-04", 3 * kMillion)}));
  ASSERT_EQ(report.opds.size(), 2u);
  const Absorption& row = Row(report, kOpdB);
  EXPECT_EQ(row.name, "Dinas Pendidikan");
  EXPECT_EQ(row.pagu_sen, 0);
  EXPECT_EQ(row.realisation_sen, 3 * kMillion);
  EXPECT_EQ(row.remaining_sen, -3 * kMillion);
  EXPECT_FALSE(row.percent_basis_points.has_value());  // No pagu: no percent.
  EXPECT_FALSE(row.plan_sen.has_value());
  EXPECT_FALSE(row.band.has_value());
  EXPECT_EQ(row.groups.at("barang_jasa"), std::make_pair(std::int64_t{0}, 3 * kMillion));
  // The total still has a pagu (A's), so a percent: 3,000,000 / 10,000,000.
  EXPECT_EQ(report.total.percent_basis_points, 3000);
  EXPECT_EQ(report.total.remaining_sen, 7 * kMillion);
}

TEST(AbsorptionTest, OpdWithBudgetButNoRealisation) {
  AbsorptionReport report = Compute(
      Input("2026-04-15", {Line(kOpdA, kPegawai, 12 * kMillion, Flat(kMillion))}, {}));
  ASSERT_EQ(report.opds.size(), 1u);
  const Absorption& row = Row(report, kOpdA);
  EXPECT_EQ(row.realisation_sen, 0);
  EXPECT_EQ(row.remaining_sen, 12 * kMillion);
  EXPECT_EQ(row.percent_basis_points, 0);
  for (int m = 0; m < 4; ++m) EXPECT_EQ(row.monthly_sen[m], 0) << m;
  for (int m = 4; m < 12; ++m) EXPECT_FALSE(row.monthly_sen[m].has_value()) << m;
  EXPECT_EQ(row.deviation_basis_points, -10000);  // Nothing of the 4,000,000 planned.
  EXPECT_EQ(row.band, Band::kRed);
  EXPECT_EQ(row.non_cash.amount_sen, 0);
  EXPECT_EQ(row.cash.amount_sen, 0);
  EXPECT_FALSE(row.non_cash_share_basis_points.has_value());  // Nothing spent.
}

TEST(AbsorptionTest, EmptyInputGivesAnEmptyReportWithAZeroTotal) {
  AbsorptionReport report = Compute(Input("2026-06-30", {}, {}));
  EXPECT_TRUE(report.opds.empty());
  EXPECT_EQ(report.total.pagu_sen, 0);
  EXPECT_EQ(report.total.realisation_sen, 0);
  EXPECT_FALSE(report.total.percent_basis_points.has_value());
  for (int m = 0; m < 6; ++m) EXPECT_EQ(report.total.monthly_sen[m], 0) << m;
  for (int m = 6; m < 12; ++m) EXPECT_FALSE(report.total.monthly_sen[m].has_value()) << m;
  EXPECT_EQ(report.total.instruments.size(), 5u);
  EXPECT_EQ(report.total.groups.size(), 4u);
}

TEST(AbsorptionTest, OverflowingPaguIsInvalidArgument) {
  const std::int64_t big = std::numeric_limits<std::int64_t>::max() / 2 + 1;
  Result<AbsorptionReport> report = ComputeAbsorption(
      Input("2026-12-31", {Line(kOpdA, kPegawai, big), Line(kOpdA, kModal, big)}, {}));
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, Code::kInvalidArgument);
}

// ----- Monthly cumulative realisation -------------------------------------------------

std::vector<Paid> SpreadOverTheYear() {
  // 1,000,000 in January, 2,000,000 in March (two rows), 500,000 in June, 4,000,000 in
  // December.
  return {Spent(kOpdA, kBarangJasa, "cms_transfer", "2026-01", kMillion),
          Spent(kOpdA, kBarangJasa, "kkpd", "2026-03", kMillion),
          Spent(kOpdA, kPegawai, "sp2d_ls", "2026-03", kMillion),
          Spent(kOpdA, kBarangJasa, "qris", "2026-06", kMillion / 2),
          Spent(kOpdA, kModal, "sp2d_ls", "2026-12", 4 * kMillion)};
}

TEST(AbsorptionTest, MonthlyIsCumulativeAndNullAfterAsOfMonth) {
  // As of 15 May: January..May have started; June on are null. The rows are what the store
  // passes for value dates up to as_of, so nothing after May is in them.
  std::vector<Paid> rows = SpreadOverTheYear();
  rows.resize(3);
  AbsorptionReport report =
      Compute(Input("2026-05-15", {Line(kOpdA, kBarangJasa, 100 * kMillion)}, rows));
  const Absorption& row = Row(report, kOpdA);
  const std::array<std::optional<std::int64_t>, 12> expected = {
      kMillion, kMillion, 3 * kMillion, 3 * kMillion, 3 * kMillion, std::nullopt,
      std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt};
  EXPECT_EQ(row.monthly_sen, expected);
  EXPECT_EQ(report.total.monthly_sen, expected);
  EXPECT_EQ(row.realisation_sen, 3 * kMillion);
}

TEST(AbsorptionTest, MonthlyAsOfFirstDayOfMonthIncludesThatMonth) {
  AbsorptionReport report =
      Compute(Input("2026-03-01", {Line(kOpdA, kBarangJasa, 100 * kMillion)},
                    {Spent(kOpdA, kBarangJasa, "kkpd", "2026-03", kMillion)}));
  const Absorption& row = Row(report, kOpdA);
  EXPECT_EQ(row.monthly_sen[0], 0);
  EXPECT_EQ(row.monthly_sen[1], 0);
  EXPECT_EQ(row.monthly_sen[2], kMillion);
  EXPECT_FALSE(row.monthly_sen[3].has_value());
}

TEST(AbsorptionTest, MonthlyIsAllNullBeforeTheFiscalYear) {
  AbsorptionReport report = Compute(Input(
      "2025-12-31", {Line(kOpdA, kBarangJasa, 100 * kMillion, Flat(kMillion))}, {}));
  const Absorption& row = Row(report, kOpdA);
  for (int m = 0; m < 12; ++m) EXPECT_FALSE(row.monthly_sen[m].has_value()) << m;
  for (int m = 0; m < 12; ++m) EXPECT_FALSE(report.total.monthly_sen[m].has_value()) << m;
  EXPECT_FALSE(row.deviation_basis_points.has_value());  // "None ... before the year."
  EXPECT_FALSE(row.band.has_value());
  EXPECT_TRUE(row.plan_sen.has_value());  // The plan itself is still reported.
}

TEST(AbsorptionTest, MonthlyHasAllTwelveAfterTheFiscalYear) {
  std::vector<Paid> rows = SpreadOverTheYear();
  // A value date in January of the next year charged to 2026 counts in realisation but in
  // no month of the curve ("value dates inside the year").
  rows.push_back(Spent(kOpdA, kBarangJasa, "cms_transfer", "2027-01", 7 * kMillion));
  AbsorptionReport report =
      Compute(Input("2027-02-01", {Line(kOpdA, kBarangJasa, 100 * kMillion)}, rows));
  const Absorption& row = Row(report, kOpdA);
  const std::array<std::optional<std::int64_t>, 12> expected = {
      kMillion,     kMillion,     3 * kMillion, 3 * kMillion, 3 * kMillion, 3'500'000 * kRupiah,
      3'500'000 * kRupiah, 3'500'000 * kRupiah, 3'500'000 * kRupiah, 3'500'000 * kRupiah,
      3'500'000 * kRupiah, 7'500'000 * kRupiah};
  EXPECT_EQ(row.monthly_sen, expected);
  EXPECT_EQ(row.realisation_sen, 14'500'000 * kRupiah);
  EXPECT_EQ(report.total.monthly_sen, expected);
}

// ----- Plan, deviation, bands ---------------------------------------------------------

TEST(AbsorptionTest, PlanIsCumulativeOverTheLinesThatCarryOne) {
  Plan rising{};
  for (std::size_t m = 0; m < 12; ++m) rising[m] = static_cast<std::int64_t>(m + 1) * kMillion;
  AbsorptionReport report = Compute(Input(
      "2026-12-31",
      {Line(kOpdA, kPegawai, 12 * kMillion, Flat(kMillion)),
       Line(kOpdA, kBarangJasa, 78 * kMillion, rising),
       Line(kOpdA, kModal, 500 * kMillion),  // No RAK: outside the plan.
       Line(kOpdB, kModal, 50 * kMillion)},  // No plan at all.
      {}));
  const Absorption& a = Row(report, kOpdA);
  ASSERT_TRUE(a.plan_sen.has_value());
  // Flat: m+1 million; rising: (m+1)(m+2)/2 million.
  Plan expected{};
  for (std::int64_t m = 0; m < 12; ++m) {
    expected[static_cast<std::size_t>(m)] = ((m + 1) + (m + 1) * (m + 2) / 2) * kMillion;
  }
  EXPECT_EQ(*a.plan_sen, expected);
  EXPECT_EQ((*a.plan_sen)[11], 90 * kMillion);
  EXPECT_EQ(a.planned_pagu_sen, 90 * kMillion);
  EXPECT_EQ(a.pagu_sen, 590 * kMillion);
  EXPECT_FALSE(Row(report, kOpdB).plan_sen.has_value());
  EXPECT_EQ(Row(report, kOpdB).planned_pagu_sen, 0);
  ASSERT_TRUE(report.total.plan_sen.has_value());
  EXPECT_EQ(*report.total.plan_sen, expected);
  EXPECT_EQ(report.total.planned_pagu_sen, 90 * kMillion);
}

TEST(AbsorptionTest, DeviationIsAgainstThePlanAtTheAsOfMonth) {
  // Plan 15,000,000 a month; as of 31 March 45,000,000 planned, 57,750,000 realised:
  // (57.75 - 45) / 45 = +28.333...% -> 2833 basis points, blue.
  AbsorptionReport report = Compute(Input(
      "2026-03-31", {Line(kOpdA, kBarangJasa, 180 * kMillion, Flat(15 * kMillion))},
      {Spent(kOpdA, kBarangJasa, "cms_transfer", "2026-01", 20 * kMillion),
       Spent(kOpdA, kBarangJasa, "cms_transfer", "2026-03", 37'750'000 * kRupiah)}));
  const Absorption& row = Row(report, kOpdA);
  EXPECT_EQ(row.deviation_basis_points, 2833);
  EXPECT_EQ(row.band, Band::kBlue);
}

TEST(AbsorptionTest, DeviationRoundsHalfAwayFromZero) {
  // Plan 20,000 sen: one sen short is -0.5 basis points -> -1.
  EXPECT_EQ(AtMarch(20000, 19999).deviation_basis_points, -1);
  EXPECT_EQ(AtMarch(20000, 20001).deviation_basis_points, 1);
  EXPECT_EQ(AtMarch(20000, 20000).deviation_basis_points, 0);
}

// What the code does at the boundaries (absorption.cc Finish): blue iff deviation > -10%;
// otherwise green iff deviation >= -20%; otherwise yellow iff deviation >= -30%; else red.
// Compared exactly in 128 bits, not on the rounded basis points. So -10% exactly is
// green, -20% exactly green, -30% exactly yellow, and anything below -30% red, as the
// issue's bands read.

TEST(AbsorptionTest, BandIsBlueAboveMinusTenPercent) {
  EXPECT_EQ(AtMarch(10 * kMillion, 9'000'001 * kRupiah).band, Band::kBlue);  // -9.99999%.
  EXPECT_EQ(AtMarch(10 * kMillion, 10 * kMillion).band, Band::kBlue);        // On plan.
  EXPECT_EQ(AtMarch(10 * kMillion, 25 * kMillion).band, Band::kBlue);        // Ahead.
  // One sen short of -10%: the basis points round to -1000 yet the band stays blue.
  Absorption one_sen = AtMarch(10 * kMillion, 9 * kMillion + 1);
  EXPECT_EQ(one_sen.deviation_basis_points, -1000);
  EXPECT_EQ(one_sen.band, Band::kBlue);
}

TEST(AbsorptionTest, BandIsGreenAtExactlyMinusTenPercent) {
  Absorption row = AtMarch(10 * kMillion, 9 * kMillion);
  EXPECT_EQ(row.deviation_basis_points, -1000);
  EXPECT_EQ(row.band, Band::kGreen);
}

TEST(AbsorptionTest, BandIsGreenBetweenMinusTenAndMinusTwenty) {
  EXPECT_EQ(AtMarch(10 * kMillion, 8'500'000 * kRupiah).band, Band::kGreen);
  EXPECT_EQ(AtMarch(10 * kMillion, 9 * kMillion - 1).band, Band::kGreen);
}

TEST(AbsorptionTest, BandIsGreenAtExactlyMinusTwentyPercent) {
  Absorption row = AtMarch(10 * kMillion, 8 * kMillion);
  EXPECT_EQ(row.deviation_basis_points, -2000);
  EXPECT_EQ(row.band, Band::kGreen);
}

TEST(AbsorptionTest, BandIsYellowJustBelowMinusTwentyPercent) {
  Absorption row = AtMarch(10 * kMillion, 8 * kMillion - 1);
  EXPECT_EQ(row.deviation_basis_points, -2000);  // Rounded; the band is exact.
  EXPECT_EQ(row.band, Band::kYellow);
  EXPECT_EQ(AtMarch(10 * kMillion, 7'500'000 * kRupiah).band, Band::kYellow);
}

TEST(AbsorptionTest, BandIsYellowAtExactlyMinusThirtyPercent) {
  Absorption row = AtMarch(10 * kMillion, 7 * kMillion);
  EXPECT_EQ(row.deviation_basis_points, -3000);
  EXPECT_EQ(row.band, Band::kYellow);
}

TEST(AbsorptionTest, BandIsRedJustBelowMinusThirtyPercent) {
  Absorption row = AtMarch(10 * kMillion, 7 * kMillion - 1);
  EXPECT_EQ(row.deviation_basis_points, -3000);
  EXPECT_EQ(row.band, Band::kRed);
  EXPECT_EQ(AtMarch(10 * kMillion, 0).band, Band::kRed);
  EXPECT_EQ(AtMarch(10 * kMillion, 0).deviation_basis_points, -10000);
}

TEST(AbsorptionTest, BandBoundariesHoldForAPlanNotDivisibleByTen) {
  // Plan 3 sen: -10% is 2.7 sen, so 3 sen of realisation is blue, 2 (-33.3%) is red.
  EXPECT_EQ(AtMarch(3, 3).band, Band::kBlue);
  EXPECT_EQ(AtMarch(3, 2).band, Band::kRed);
  EXPECT_EQ(AtMarch(3, 2).deviation_basis_points, -3333);
}

TEST(AbsorptionTest, NoDeviationWithoutAPlan) {
  AbsorptionReport report =
      Compute(Input("2026-06-30", {Line(kOpdA, kBarangJasa, 10 * kMillion)},
                    {Spent(kOpdA, kBarangJasa, "kkpd", "2026-03", kMillion)}));
  EXPECT_FALSE(Row(report, kOpdA).deviation_basis_points.has_value());
  EXPECT_FALSE(Row(report, kOpdA).band.has_value());
  EXPECT_FALSE(report.total.band.has_value());
}

TEST(AbsorptionTest, NoDeviationWhileTheCumulativePlanIsZero) {
  // The RAK plans nothing before June; as of May there is no plan to deviate from, even
  // though 1,000,000 was already spent.
  Plan late{};
  late[5] = 10 * kMillion;
  AbsorptionReport report =
      Compute(Input("2026-05-31", {Line(kOpdA, kModal, 10 * kMillion, late)},
                    {Spent(kOpdA, kModal, "sp2d_ls", "2026-04", kMillion)}));
  EXPECT_FALSE(Row(report, kOpdA).deviation_basis_points.has_value());
  EXPECT_FALSE(Row(report, kOpdA).band.has_value());
}

TEST(AbsorptionTest, MidMonthBandComparesAtThePreviousMonthsEnd) {
  // As of 15 March (a month not yet ended) the band compares both sides at the end of
  // February: plan 2,000,000, realised 2,000,000: 0%, blue. March's 500,000 so far is the
  // month to date, shown beside it. (Before, the whole of March's plan was compared with
  // realisation up to the 15th: every OPD looked behind plan early in a month.)
  AbsorptionReport report = Compute(
      Input("2026-03-15", {Line(kOpdA, kBarangJasa, 12 * kMillion, Flat(kMillion))},
            {Spent(kOpdA, kBarangJasa, "kkpd", "2026-01", kMillion),
             Spent(kOpdA, kBarangJasa, "kkpd", "2026-02", kMillion),
             Spent(kOpdA, kBarangJasa, "kkpd", "2026-03", kMillion / 2)}));
  const Absorption& row = Row(report, kOpdA);
  EXPECT_EQ(row.band_month, 1);  // February.
  EXPECT_EQ(row.band_plan_sen, 2 * kMillion);
  EXPECT_EQ(row.band_realisation_sen, 2 * kMillion);
  EXPECT_EQ(row.deviation_basis_points, 0);
  EXPECT_EQ(row.band, Band::kBlue);
  EXPECT_EQ(row.month_to_date_sen, kMillion / 2);
  EXPECT_EQ(report.total.band_month, 1);
  EXPECT_EQ(report.total.month_to_date_sen, kMillion / 2);
}

TEST(AbsorptionTest, MonthEndBandComparesThatMonthWithoutMonthToDate) {
  // 31 March is March's last day: March itself is compared, 3,000,000 planned and
  // 2,500,000 realised: -16.67%, green.
  AbsorptionReport report = Compute(
      Input("2026-03-31", {Line(kOpdA, kBarangJasa, 12 * kMillion, Flat(kMillion))},
            {Spent(kOpdA, kBarangJasa, "kkpd", "2026-01", kMillion),
             Spent(kOpdA, kBarangJasa, "kkpd", "2026-03", 3 * kMillion / 2)}));
  const Absorption& row = Row(report, kOpdA);
  EXPECT_EQ(row.band_month, 2);
  EXPECT_EQ(row.deviation_basis_points, -1667);
  EXPECT_EQ(row.band, Band::kGreen);
  EXPECT_FALSE(row.month_to_date_sen.has_value());
}

TEST(AbsorptionTest, LeapDayEndsFebruary) {
  Plan plan = Flat(kMillion);
  AbsorptionInput input = Input("2028-02-29", {Line(kOpdA, kBarangJasa, 12 * kMillion, plan)}, {});
  input.fiscal_year = 2028;
  EXPECT_EQ(Row(Compute(input), kOpdA).band_month, 1);
  input.as_of = "2028-02-28";  // Not the last day in a leap year: January is compared.
  EXPECT_EQ(Row(Compute(input), kOpdA).band_month, 0);
}

TEST(AbsorptionTest, NoBandBeforeTheFirstMonthHasEnded) {
  AbsorptionReport report = Compute(
      Input("2026-01-20", {Line(kOpdA, kBarangJasa, 12 * kMillion, Flat(kMillion))},
            {Spent(kOpdA, kBarangJasa, "kkpd", "2026-01", kMillion)}));
  const Absorption& row = Row(report, kOpdA);
  EXPECT_FALSE(row.band_month.has_value());
  EXPECT_FALSE(row.band.has_value());
  EXPECT_FALSE(row.deviation_basis_points.has_value());
  EXPECT_EQ(row.month_to_date_sen, kMillion);
  EXPECT_FALSE(report.total.band.has_value());
}

TEST(AbsorptionTest, AfterTheYearTheBandIsDecember) {
  AbsorptionReport report = Compute(
      Input("2027-03-10", {Line(kOpdA, kBarangJasa, 12 * kMillion, Flat(kMillion))},
            {Spent(kOpdA, kBarangJasa, "kkpd", "2026-12", 12 * kMillion)}));
  const Absorption& row = Row(report, kOpdA);
  EXPECT_EQ(row.band_month, 11);
  EXPECT_EQ(row.deviation_basis_points, 0);
  EXPECT_FALSE(row.month_to_date_sen.has_value());
}

TEST(AbsorptionTest, TotalDeviationIsFromSummedPlanAndRealisation) {
  // A: plan 10,000,000 by March, realised 10,000,000 (0%). B: plan 30,000,000, realised
  // 15,000,000 (-50%). Total: 25,000,000 against 40,000,000 = -37.5%, red; not the mean
  // of the rows' deviations (-25%).
  Plan a{};
  a[2] = 10 * kMillion;
  Plan b{};
  b[0] = 30 * kMillion;
  AbsorptionReport report = Compute(Input(
      "2026-03-31",
      {Line(kOpdA, kBarangJasa, 10 * kMillion, a), Line(kOpdB, kBarangJasa, 30 * kMillion, b)},
      {Spent(kOpdA, kBarangJasa, "kkpd", "2026-03", 10 * kMillion),
       Spent(kOpdB, kBarangJasa, "kkpd", "2026-02", 15 * kMillion)}));
  EXPECT_EQ(Row(report, kOpdA).deviation_basis_points, 0);
  EXPECT_EQ(Row(report, kOpdA).band, Band::kBlue);
  EXPECT_EQ(Row(report, kOpdB).deviation_basis_points, -5000);
  EXPECT_EQ(Row(report, kOpdB).band, Band::kRed);
  EXPECT_EQ(report.total.deviation_basis_points, -3750);
  EXPECT_EQ(report.total.band, Band::kRed);
}

TEST(AbsorptionTest, BandCountsOnlyTheLinesThatCarryARak) {
  // Only the pegawai line carries a RAK (1,000,000 a month, 3,000,000 by March). The
  // 2,000,000 spent on the unplanned modal line is outside the band (it once made the OPD
  // look 66.67% ahead): 3,000,000 against 3,000,000, 0%, blue. Realisation still has both.
  AbsorptionReport report = Compute(Input(
      "2026-03-31",
      {Line(kOpdA, kPegawai, 12 * kMillion, Flat(kMillion)), Line(kOpdA, kModal, 50 * kMillion)},
      {Spent(kOpdA, kPegawai, "sp2d_ls", "2026-03", 3 * kMillion),
       Spent(kOpdA, kModal, "sp2d_ls", "2026-03", 2 * kMillion)}));
  const Absorption& row = Row(report, kOpdA);
  EXPECT_EQ(row.band_realisation_sen, 3 * kMillion);
  EXPECT_EQ(row.deviation_basis_points, 0);
  EXPECT_EQ(row.band, Band::kBlue);
  EXPECT_EQ(row.realisation_sen, 5 * kMillion);
  EXPECT_EQ(report.total.band_realisation_sen, 3 * kMillion);
}

TEST(AbsorptionTest, BandCountsALineOnlyWithItsOwnSubActivity) {
  // The same account under another sub-activity is another line, without a RAK.
  AbsorptionInput input = Input(
      "2026-03-31", {Line(kOpdA, kPegawai, 12 * kMillion, Flat(kMillion))},
      {Spent(kOpdA, kPegawai, "sp2d_ls", "2026-03", 3 * kMillion)});
  input.line_realisation.front().sub_activity = "1.02.01.2.02.0002";
  const Absorption& row = Row(Compute(input), kOpdA);
  EXPECT_EQ(row.band_realisation_sen, 0);
  EXPECT_EQ(row.band, Band::kRed);
}

// ----- Account groups -----------------------------------------------------------------

TEST(AbsorptionTest, SplitsPaguAndRealisationByAccountGroup) {
  AbsorptionReport report = Compute(Input(
      "2026-12-31",
      {Line(kOpdA, kPegawai, 60 * kMillion), Line(kOpdA, kBarangJasa, 40 * kMillion),
       Line(kOpdA, "5.1.02.02.01.0026", 5 * kMillion), Line(kOpdA, kModal, 100 * kMillion),
       Line(kOpdA, kTakTerduga, 3 * kMillion), Line(kOpdA, kTransfer, 2 * kMillion)},
      {Spent(kOpdA, kPegawai, "sp2d_ls", "2026-01", 5 * kMillion),
       Spent(kOpdA, kBarangJasa, "kkpd", "2026-02", 7 * kMillion),
       Spent(kOpdA, kModal, "sp2d_ls", "2026-03", 30 * kMillion),
       Spent(kOpdA, kTakTerduga, "cash", "2026-04", kMillion),
       Spent(kOpdA, kTransfer, "cms_transfer", "2026-04", 2 * kMillion)}));
  const Absorption& row = Row(report, kOpdA);
  using Pair = std::pair<std::int64_t, std::int64_t>;
  ASSERT_EQ(row.groups.size(), 4u);
  EXPECT_EQ(row.groups.at("pegawai"), (Pair{60 * kMillion, 5 * kMillion}));
  EXPECT_EQ(row.groups.at("barang_jasa"), (Pair{45 * kMillion, 7 * kMillion}));
  EXPECT_EQ(row.groups.at("modal"), (Pair{100 * kMillion, 30 * kMillion}));
  EXPECT_EQ(row.groups.at("lainnya"), (Pair{5 * kMillion, 3 * kMillion}));
  EXPECT_EQ(report.total.groups, row.groups);
}

TEST(AbsorptionTest, EveryGroupIsPresentWithZerosWhenUnused) {
  AbsorptionReport report =
      Compute(Input("2026-12-31", {Line(kOpdA, kModal, 10 * kMillion)}, {}));
  using Pair = std::pair<std::int64_t, std::int64_t>;
  const Absorption& row = Row(report, kOpdA);
  ASSERT_EQ(row.groups.size(), 4u);
  EXPECT_EQ(row.groups.at("pegawai"), (Pair{0, 0}));
  EXPECT_EQ(row.groups.at("barang_jasa"), (Pair{0, 0}));
  EXPECT_EQ(row.groups.at("modal"), (Pair{10 * kMillion, 0}));
  EXPECT_EQ(row.groups.at("lainnya"), (Pair{0, 0}));
}

// ----- Instruments and the non-cash share ---------------------------------------------

TEST(AbsorptionTest, NonCashShareCountsCashApart) {
  AbsorptionReport report = Compute(Input(
      "2026-12-31", {Line(kOpdA, kBarangJasa, 100 * kMillion)},
      {Spent(kOpdA, kBarangJasa, "cms_transfer", "2026-01", 40 * kMillion, 3),
       Spent(kOpdA, kBarangJasa, "sp2d_ls", "2026-02", 30 * kMillion, 1),
       Spent(kOpdA, kBarangJasa, "kkpd", "2026-02", 10 * kMillion, 4),
       Spent(kOpdA, kBarangJasa, "qris", "2026-03", 5 * kMillion, 5),
       Spent(kOpdA, kBarangJasa, "cash", "2026-03", 15 * kMillion, 6),
       Spent(kOpdA, kBarangJasa, "cash", "2026-04", 3 * kMillion, 1)}));
  const Absorption& row = Row(report, kOpdA);
  ASSERT_EQ(row.instruments.size(), 5u);
  EXPECT_EQ(row.instruments.at("cms_transfer").amount_sen, 40 * kMillion);
  EXPECT_EQ(row.instruments.at("cms_transfer").entries, 3);
  EXPECT_EQ(row.instruments.at("sp2d_ls").amount_sen, 30 * kMillion);
  EXPECT_EQ(row.instruments.at("sp2d_ls").entries, 1);
  EXPECT_EQ(row.instruments.at("kkpd").amount_sen, 10 * kMillion);
  EXPECT_EQ(row.instruments.at("kkpd").entries, 4);
  EXPECT_EQ(row.instruments.at("qris").amount_sen, 5 * kMillion);
  EXPECT_EQ(row.instruments.at("qris").entries, 5);
  EXPECT_EQ(row.instruments.at("cash").amount_sen, 18 * kMillion);
  EXPECT_EQ(row.instruments.at("cash").entries, 7);
  EXPECT_EQ(row.non_cash.amount_sen, 85 * kMillion);
  EXPECT_EQ(row.non_cash.entries, 13);
  EXPECT_EQ(row.cash.amount_sen, 18 * kMillion);
  EXPECT_EQ(row.cash.entries, 7);
  // 85 / 103 = 0.825242... -> 8252 basis points.
  EXPECT_EQ(row.non_cash_share_basis_points, 8252);
  EXPECT_EQ(row.realisation_sen, 103 * kMillion);
}

TEST(AbsorptionTest, AllFiveInstrumentsArePresentWithZeros) {
  AbsorptionReport report =
      Compute(Input("2026-12-31", {Line(kOpdA, kBarangJasa, 10 * kMillion)},
                    {Spent(kOpdB, kBarangJasa, "qris", "2026-05", kMillion, 2)}));
  for (const Absorption* row : {&Row(report, kOpdA), &Row(report, kOpdB), static_cast<const Absorption*>(&report.total)}) {
    ASSERT_EQ(row->instruments.size(), 5u) << row->opd;
    for (const char* instrument : kInstruments) {
      ASSERT_EQ(row->instruments.count(instrument), 1u) << instrument;
    }
  }
  EXPECT_EQ(Row(report, kOpdA).instruments.at("qris").amount_sen, 0);
  EXPECT_EQ(Row(report, kOpdA).instruments.at("cash").entries, 0);
  EXPECT_EQ(Row(report, kOpdB).instruments.at("qris").entries, 2);
  EXPECT_EQ(Row(report, kOpdB).instruments.at("cms_transfer").amount_sen, 0);
  EXPECT_EQ(Row(report, kOpdB).non_cash_share_basis_points, 10000);
  EXPECT_EQ(report.total.instruments.at("qris").amount_sen, kMillion);
}

TEST(AbsorptionTest, AllCashGivesZeroNonCashShare) {
  AbsorptionReport report =
      Compute(Input("2026-12-31", {Line(kOpdA, kBarangJasa, 10 * kMillion)},
                    {Spent(kOpdA, kBarangJasa, "cash", "2026-05", kMillion)}));
  EXPECT_EQ(Row(report, kOpdA).non_cash_share_basis_points, 0);
  EXPECT_EQ(Row(report, kOpdA).non_cash.entries, 0);
}

// ----- Totals -------------------------------------------------------------------------

TEST(AbsorptionTest, TotalsEqualTheSumOfTheRows) {
  const std::string opd_c = "1.03.0.00.0.00.01.0000";
  Plan c_plan{};
  c_plan[1] = 7 * kMillion + 3;
  AbsorptionReport report = Compute(Input(
      "2026-07-10",
      {Line(kOpdA, kPegawai, 60 * kMillion + 1, Flat(5 * kMillion)),
       Line(kOpdA, kBarangJasa, 40 * kMillion), Line(kOpdB, kModal, 300 * kMillion + 33),
       Line(opd_c, kTakTerduga, 9 * kMillion + 7, c_plan)},
      {Spent(kOpdA, kPegawai, "sp2d_ls", "2026-01", 4'800'000 * kRupiah + 17),
       Spent(kOpdA, kBarangJasa, "cash", "2026-03", 1'500'000 * kRupiah, 2),
       Spent(kOpdA, kBarangJasa, "kkpd", "2026-07", 333'333 * kRupiah + 33, 3),
       Spent(kOpdB, kModal, "cms_transfer", "2026-06", 80 * kMillion + 9),
       Spent(kOpdB, kTransfer, "qris", "2026-02", 123'456 * kRupiah + 78),
       Spent(opd_c, kTakTerduga, "cash", "2026-05", 2 * kMillion + 5)}));
  ASSERT_EQ(report.opds.size(), 3u);
  Absorption sum;
  std::array<std::int64_t, 12> plan{};
  std::array<std::int64_t, 12> monthly{};
  for (const Absorption& row : report.opds) {
    sum.pagu_sen += row.pagu_sen;
    sum.realisation_sen += row.realisation_sen;
    sum.remaining_sen += row.remaining_sen;
    sum.planned_pagu_sen += row.planned_pagu_sen;
    sum.non_cash.amount_sen += row.non_cash.amount_sen;
    sum.non_cash.entries += row.non_cash.entries;
    sum.cash.amount_sen += row.cash.amount_sen;
    sum.cash.entries += row.cash.entries;
    for (const auto& [group, amounts] : row.groups) {
      sum.groups[group].first += amounts.first;
      sum.groups[group].second += amounts.second;
    }
    for (const auto& [name, amounts] : row.instruments) {
      sum.instruments[name].amount_sen += amounts.amount_sen;
      sum.instruments[name].entries += amounts.entries;
    }
    for (std::size_t m = 0; m < 12; ++m) {
      if (row.plan_sen) plan[m] += (*row.plan_sen)[m];
      monthly[m] += row.monthly_sen[m].value_or(0);
      EXPECT_EQ(row.monthly_sen[m].has_value(), m < 7) << row.opd << " month " << m;
    }
  }
  const Absorption& total = report.total;
  EXPECT_EQ(total.pagu_sen, sum.pagu_sen);
  EXPECT_EQ(total.pagu_sen, 409 * kMillion + 41);
  EXPECT_EQ(total.realisation_sen, sum.realisation_sen);
  EXPECT_EQ(total.realisation_sen,
            4'800'000 * kRupiah + 17 + 1'500'000 * kRupiah + 333'333 * kRupiah + 33 +
                80 * kMillion + 9 + 123'456 * kRupiah + 78 + 2 * kMillion + 5);
  EXPECT_EQ(total.remaining_sen, sum.remaining_sen);
  EXPECT_EQ(total.planned_pagu_sen, sum.planned_pagu_sen);
  EXPECT_EQ(total.planned_pagu_sen, 69 * kMillion + 8);
  EXPECT_EQ(total.non_cash.amount_sen, sum.non_cash.amount_sen);
  EXPECT_EQ(total.non_cash.entries, sum.non_cash.entries);
  EXPECT_EQ(total.non_cash.entries, 6);
  EXPECT_EQ(total.cash.amount_sen, sum.cash.amount_sen);
  EXPECT_EQ(total.cash.entries, sum.cash.entries);
  EXPECT_EQ(total.cash.entries, 3);
  EXPECT_EQ(total.groups, sum.groups);
  ASSERT_EQ(total.instruments.size(), sum.instruments.size());
  for (const auto& [name, amounts] : sum.instruments) {
    EXPECT_EQ(total.instruments.at(name).amount_sen, amounts.amount_sen) << name;
    EXPECT_EQ(total.instruments.at(name).entries, amounts.entries) << name;
  }
  ASSERT_TRUE(total.plan_sen.has_value());
  EXPECT_EQ(*total.plan_sen, plan);
  for (std::size_t m = 0; m < 12; ++m) {
    if (m < 7) {
      EXPECT_EQ(total.monthly_sen[m], monthly[m]) << m;
    } else {
      EXPECT_FALSE(total.monthly_sen[m].has_value()) << m;
    }
  }
  EXPECT_EQ(total.monthly_sen[6], total.realisation_sen);
}

}  // namespace
}  // namespace jejak::ledger
