// Absorption over a small regency built by hand in a real SQLite store (summary_fixture.h):
// three OPDs, budgets with RAK plans (a pergeseran recorded later that replaces a line, a
// perubahan recorded after some as_of dates), expenditures on every instrument across
// months and account groups, two reversals and three tax deposits (on time, on the
// deadline day, late) plus one tax never deposited. Every number below was worked out from
// the entries in BuildRegency, independently of absorption.cc. The audit findings over the
// same regency are in summary_audit_test.cc.
#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ledger/absorption.h"
#include "tests/db/summary_fixture.h"

namespace jejak::db::summary_test {
namespace {

using ledger::Band;

// Every number of one absorption row.
struct Expected {
  std::string opd;
  std::int64_t pagu;
  std::int64_t realisation;
  std::int64_t remaining;
  std::optional<std::int64_t> percent;
  std::array<std::optional<std::int64_t>, 12> monthly;
  std::optional<Plan> plan;
  std::int64_t planned_pagu;
  std::optional<std::int64_t> deviation;
  std::optional<Band> band;
  std::array<std::int64_t, 8> groups;        // (pagu, realisation) per kAccountGroups.
  std::array<std::int64_t, 10> instruments;  // (amount, count) per kInstruments.
  std::array<std::int64_t, 2> non_cash;
  std::array<std::int64_t, 2> cash;
  std::optional<std::int64_t> share;
};

void ExpectRow(const ledger::Absorption& row, const Expected& e) {
  SCOPED_TRACE("row " + (e.opd.empty() ? std::string("total") : e.opd));
  EXPECT_EQ(row.opd, e.opd);
  EXPECT_EQ(row.pagu_sen, e.pagu);
  EXPECT_EQ(row.realisation_sen, e.realisation);
  EXPECT_EQ(row.remaining_sen, e.remaining);
  EXPECT_EQ(row.percent_basis_points, e.percent);
  EXPECT_EQ(row.monthly_sen, e.monthly);
  EXPECT_EQ(row.plan_sen, e.plan);
  EXPECT_EQ(row.planned_pagu_sen, e.planned_pagu);
  EXPECT_EQ(row.deviation_basis_points, e.deviation);
  EXPECT_EQ(row.band, e.band);
  ASSERT_EQ(row.groups.size(), 4u);
  for (std::size_t g = 0; g < 4; ++g) {
    const auto& [pagu, realisation] = row.groups.at(ledger::kAccountGroups[g]);
    EXPECT_EQ(pagu, e.groups[2 * g]) << ledger::kAccountGroups[g];
    EXPECT_EQ(realisation, e.groups[2 * g + 1]) << ledger::kAccountGroups[g];
  }
  ASSERT_EQ(row.instruments.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    const ledger::Amounts& amounts = row.instruments.at(ledger::kInstruments[i]);
    EXPECT_EQ(amounts.amount_sen, e.instruments[2 * i]) << ledger::kInstruments[i];
    EXPECT_EQ(amounts.entries, e.instruments[2 * i + 1]) << ledger::kInstruments[i];
  }
  EXPECT_EQ(row.non_cash.amount_sen, e.non_cash[0]);
  EXPECT_EQ(row.non_cash.entries, e.non_cash[1]);
  EXPECT_EQ(row.cash.amount_sen, e.cash[0]);
  EXPECT_EQ(row.cash.entries, e.cash[1]);
  EXPECT_EQ(row.non_cash_share_basis_points, e.share);
}

void ExpectReport(const ledger::AbsorptionReport& report, const std::vector<Expected>& rows,
                  const Expected& total) {
  ASSERT_EQ(report.opds.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) ExpectRow(report.opds[i], rows[i]);
  ExpectRow(report.total, total);
}


// As of 31 March: the murni budgets (the pergeseran is recorded on 1 April). The band
// counts only the lines with a RAK: planned to March A 45,000,000, B 12,000,000,
// C 100,000,000; realised on those lines A 55,250,000 (57,750,000 less a9's 2,500,000 on
// the unplanned 5.3 line: +22.78%, blue), B 6,000,000 (-50%, red), C nothing (c1 and c2
// are on the unplanned 5.1.02 line: -100%, red); total 61,250,000 against 157,000,000
// (-60.99%, red).
TEST_F(SummaryTest, AbsorptionAsOfEndOfMarchUsesTheMurniBudgets) {
  const std::vector<Expected> rows = {
  {kOpdB,
   /*pagu=*/35000000000, /*realisation=*/600000000, /*remaining=*/34400000000, /*percent=*/171,
   /*monthly=*/{600000000, 600000000, 600000000, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
   /*plan=*/Plan{400000000, 800000000, 1200000000, 1600000000, 2000000000, 12400000000, 12800000000, 13200000000, 23600000000, 24000000000, 24500000000, 35000000000},
   /*planned_pagu=*/35000000000, /*deviation=*/-5000, /*band=*/Band::kRed,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{0, 0, 5000000000, 600000000, 30000000000, 0, 0, 0},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{600000000, 1, 0, 0, 0, 0, 0, 0, 0, 0},
   /*non_cash=*/{600000000, 1}, /*cash=*/{0, 0}, /*share=*/10000},
  {kOpdA,
   /*pagu=*/19000000000, /*realisation=*/5775000000, /*remaining=*/13225000000, /*percent=*/3039,
   /*monthly=*/{980000000, 3965000000, 5775000000, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
   /*plan=*/Plan{1500000000, 3000000000, 4500000000, 6000000000, 7500000000, 9000000000, 10500000000, 12000000000, 13500000000, 15000000000, 16500000000, 18000000000},
   /*planned_pagu=*/18000000000, /*deviation=*/2278, /*band=*/Band::kBlue,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{6000000000, 1115000000, 12000000000, 4410000000, 0, 0, 1000000000, 250000000},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{4110000000, 4, 965000000, 2, 300000000, 1, 250000000, 1, 150000000, 1},
   /*non_cash=*/{5625000000, 8}, /*cash=*/{150000000, 1}, /*share=*/9740},
  {kOpdC,
   /*pagu=*/102000000000, /*realisation=*/2300000000, /*remaining=*/99700000000, /*percent=*/225,
   /*monthly=*/{0, 1500000000, 2300000000, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
   /*plan=*/Plan{0, 0, 10000000000, 20000000000, 30000000000, 40000000000, 50000000000, 60000000000, 70000000000, 80000000000, 90000000000, 100000000000},
   /*planned_pagu=*/100000000000, /*deviation=*/-10000, /*band=*/Band::kRed,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{0, 0, 2000000000, 2300000000, 100000000000, 0, 0, 0},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{1500000000, 1, 0, 0, 800000000, 1, 0, 0, 0, 0},
   /*non_cash=*/{2300000000, 2}, /*cash=*/{0, 0}, /*share=*/10000},
  };
  const Expected total =
  {"",
   /*pagu=*/156000000000, /*realisation=*/8675000000, /*remaining=*/147325000000, /*percent=*/556,
   /*monthly=*/{1580000000, 6065000000, 8675000000, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
   /*plan=*/Plan{1900000000, 3800000000, 15700000000, 27600000000, 39500000000, 61400000000, 73300000000, 85200000000, 107100000000, 119000000000, 131000000000, 153000000000},
   /*planned_pagu=*/153000000000, /*deviation=*/-6099, /*band=*/Band::kRed,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{6000000000, 1115000000, 19000000000, 7310000000, 130000000000, 0, 1000000000, 250000000},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{6210000000, 6, 965000000, 2, 1100000000, 2, 250000000, 1, 150000000, 1},
   /*non_cash=*/{8525000000, 11}, /*cash=*/{150000000, 1}, /*share=*/9827};
  ledger::AbsorptionReport report = Absorption("2026-03-31");
  EXPECT_EQ(report.fiscal_year, 2026);
  EXPECT_EQ(report.as_of, "2026-03-31");
  ExpectReport(report, rows, total);
  EXPECT_EQ(report.opds.at(0).name, "Dinas Pendidikan");
  EXPECT_EQ(report.opds.at(1).name, "Dinas Kesehatan");
  EXPECT_EQ(report.opds.at(2).name, "Dinas PUPR");
  EXPECT_EQ(ledger::FormatBasisPoints(*report.total.percent_basis_points), "5.56");
}

// As of 31 August: the pergeseran is in force for A (pagu 154,000,000), the perubahan
// not yet for B. The RAK lines' realisation against their cumulative plan to August:
// A 60,300,000 of 100,000,000 (its 10,000,000 on 5.3 has no RAK: -39.70%, red),
// B 78,050,000 of 132,000,000 (-40.87%, red), C 490,500,000 of 600,000,000 (without its
// 23,000,000 on 5.1.02: -18.25%, green); total 628,850,000 of 832,000,000 (-24.42%,
// yellow).
TEST_F(SummaryTest, AbsorptionAsOfEndOfAugustHasEveryBand) {
  const std::vector<Expected> rows = {
  {kOpdB,
   /*pagu=*/35000000000, /*realisation=*/7805000000, /*remaining=*/27195000000, /*percent=*/2230,
   /*monthly=*/{600000000, 600000000, 600000000, 600000000, 1155000000, 7155000000, 7805000000, 7805000000, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
   /*plan=*/Plan{400000000, 800000000, 1200000000, 1600000000, 2000000000, 12400000000, 12800000000, 13200000000, 23600000000, 24000000000, 24500000000, 35000000000},
   /*planned_pagu=*/35000000000, /*deviation=*/-4087, /*band=*/Band::kRed,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{0, 0, 5000000000, 1805000000, 30000000000, 6000000000, 0, 0},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{1155000000, 2, 6000000000, 1, 400000000, 1, 0, 0, 250000000, 1},
   /*non_cash=*/{7555000000, 4}, /*cash=*/{250000000, 1}, /*share=*/9680},
  {kOpdA,
   /*pagu=*/15400000000, /*realisation=*/7030000000, /*remaining=*/8370000000, /*percent=*/4565,
   /*monthly=*/{980000000, 3965000000, 5775000000, 6280000000, 6280000000, 7030000000, 7030000000, 7030000000, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
   /*plan=*/Plan{1500000000, 3000000000, 4500000000, 5600000000, 6700000000, 7800000000, 8900000000, 10000000000, 11100000000, 12200000000, 13300000000, 14400000000},
   /*planned_pagu=*/14400000000, /*deviation=*/-3970, /*band=*/Band::kRed,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{6000000000, 1115000000, 8400000000, 4915000000, 0, 0, 1000000000, 1000000000},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{4110000000, 4, 1715000000, 3, 600000000, 2, 455000000, 2, 150000000, 1},
   /*non_cash=*/{6880000000, 11}, /*cash=*/{150000000, 1}, /*share=*/9787},
  {kOpdC,
   /*pagu=*/102000000000, /*realisation=*/51350000000, /*remaining=*/50650000000, /*percent=*/5034,
   /*monthly=*/{0, 1500000000, 2300000000, 2300000000, 18250000000, 26350000000, 36350000000, 51350000000, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
   /*plan=*/Plan{0, 0, 10000000000, 20000000000, 30000000000, 40000000000, 50000000000, 60000000000, 70000000000, 80000000000, 90000000000, 100000000000},
   /*planned_pagu=*/100000000000, /*deviation=*/-1825, /*band=*/Band::kGreen,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{0, 0, 2000000000, 2300000000, 100000000000, 49050000000, 0, 0},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{25550000000, 4, 25000000000, 2, 800000000, 1, 0, 0, 0, 0},
   /*non_cash=*/{51350000000, 7}, /*cash=*/{0, 0}, /*share=*/10000},
  };
  const Expected total =
  {"",
   /*pagu=*/152400000000, /*realisation=*/66185000000, /*remaining=*/86215000000, /*percent=*/4343,
   /*monthly=*/{1580000000, 6065000000, 8675000000, 9180000000, 25685000000, 40535000000, 51185000000, 66185000000, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
   /*plan=*/Plan{1900000000, 3800000000, 15700000000, 27200000000, 38700000000, 60200000000, 71700000000, 83200000000, 104700000000, 116200000000, 127800000000, 149400000000},
   /*planned_pagu=*/149400000000, /*deviation=*/-2442, /*band=*/Band::kYellow,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{6000000000, 1115000000, 15400000000, 9020000000, 130000000000, 55050000000, 1000000000, 1000000000},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{30815000000, 10, 32715000000, 6, 1800000000, 4, 455000000, 2, 400000000, 2},
   /*non_cash=*/{65785000000, 22}, /*cash=*/{400000000, 2}, /*share=*/9940};
  ExpectReport(Absorption("2026-08-31"), rows, total);
}

// As of 31 December: every budget in force (B's perubahan too), every month filled. The
// band: A 60,300,000 of 144,000,000 (-58.13%), B 80,800,000 of 450,000,000 (-82.04%),
// C 490,500,000 of 1,000,000,000 (-50.95%); total 631,600,000 of 1,594,000,000
// (-60.38%): all red.
TEST_F(SummaryTest, AbsorptionAsOfEndOfYear) {
  const std::vector<Expected> rows = {
  {kOpdB,
   /*pagu=*/45000000000, /*realisation=*/8080000000, /*remaining=*/36920000000, /*percent=*/1796,
   /*monthly=*/{600000000, 600000000, 600000000, 600000000, 1155000000, 7155000000, 7805000000, 7805000000, 7905000000, 8080000000, 8080000000, 8080000000},
   /*plan=*/Plan{400000000, 800000000, 1200000000, 1600000000, 2000000000, 12400000000, 12800000000, 13200000000, 23600000000, 24000000000, 24500000000, 45000000000},
   /*planned_pagu=*/45000000000, /*deviation=*/-8204, /*band=*/Band::kRed,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{0, 0, 5000000000, 2080000000, 40000000000, 6000000000, 0, 0},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{1330000000, 3, 6000000000, 1, 400000000, 1, 100000000, 1, 250000000, 1},
   /*non_cash=*/{7830000000, 6}, /*cash=*/{250000000, 1}, /*share=*/9691},
  {kOpdA,
   /*pagu=*/15400000000, /*realisation=*/7030000000, /*remaining=*/8370000000, /*percent=*/4565,
   /*monthly=*/{980000000, 3965000000, 5775000000, 6280000000, 6280000000, 7030000000, 7030000000, 7030000000, 7030000000, 7030000000, 7030000000, 7030000000},
   /*plan=*/Plan{1500000000, 3000000000, 4500000000, 5600000000, 6700000000, 7800000000, 8900000000, 10000000000, 11100000000, 12200000000, 13300000000, 14400000000},
   /*planned_pagu=*/14400000000, /*deviation=*/-5813, /*band=*/Band::kRed,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{6000000000, 1115000000, 8400000000, 4915000000, 0, 0, 1000000000, 1000000000},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{4110000000, 4, 1715000000, 3, 600000000, 2, 455000000, 2, 150000000, 1},
   /*non_cash=*/{6880000000, 11}, /*cash=*/{150000000, 1}, /*share=*/9787},
  {kOpdC,
   /*pagu=*/102000000000, /*realisation=*/51550000000, /*remaining=*/50450000000, /*percent=*/5054,
   /*monthly=*/{0, 1500000000, 2300000000, 2300000000, 18250000000, 26350000000, 36350000000, 51350000000, 51350000000, 51350000000, 51350000000, 51550000000},
   /*plan=*/Plan{0, 0, 10000000000, 20000000000, 30000000000, 40000000000, 50000000000, 60000000000, 70000000000, 80000000000, 90000000000, 100000000000},
   /*planned_pagu=*/100000000000, /*deviation=*/-5095, /*band=*/Band::kRed,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{0, 0, 2000000000, 2500000000, 100000000000, 49050000000, 0, 0},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{25550000000, 4, 25000000000, 2, 800000000, 1, 200000000, 1, 0, 0},
   /*non_cash=*/{51550000000, 8}, /*cash=*/{0, 0}, /*share=*/10000},
  };
  const Expected total =
  {"",
   /*pagu=*/162400000000, /*realisation=*/66660000000, /*remaining=*/95740000000, /*percent=*/4105,
   /*monthly=*/{1580000000, 6065000000, 8675000000, 9180000000, 25685000000, 40535000000, 51185000000, 66185000000, 66285000000, 66460000000, 66460000000, 66660000000},
   /*plan=*/Plan{1900000000, 3800000000, 15700000000, 27200000000, 38700000000, 60200000000, 71700000000, 83200000000, 104700000000, 116200000000, 127800000000, 159400000000},
   /*planned_pagu=*/159400000000, /*deviation=*/-6038, /*band=*/Band::kRed,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{6000000000, 1115000000, 15400000000, 9495000000, 140000000000, 55050000000, 1000000000, 1000000000},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{30990000000, 11, 32715000000, 6, 1800000000, 4, 755000000, 4, 400000000, 2},
   /*non_cash=*/{66260000000, 25}, /*cash=*/{400000000, 2}, /*share=*/9940};
  ExpectReport(Absorption("2026-12-31"), rows, total);
}

// The pergeseran (recorded 1 April) replaces A's barang dan jasa line from that day on:
// A's pagu goes from 190,000,000 to 154,000,000 and its plan to April from 60,000,000
// to 56,000,000 (barang dan jasa 36,000,000 + pegawai 20,000,000).
TEST_F(SummaryTest, PergeseranReplacesTheEarlierLineFromItsRecordingDay) {
  ledger::AbsorptionReport before = Absorption("2026-03-31");
  ledger::AbsorptionReport after = Absorption("2026-04-01");
  ASSERT_EQ(before.opds.size(), 3u);
  ASSERT_EQ(after.opds.size(), 3u);
  EXPECT_EQ(before.opds[1].pagu_sen, 190 * kMillion);
  EXPECT_EQ(before.opds[1].groups.at("barang_jasa").first, 120 * kMillion);
  EXPECT_EQ(after.opds[1].opd, kOpdA);
  EXPECT_EQ(after.opds[1].pagu_sen, 154 * kMillion);
  EXPECT_EQ(after.opds[1].groups.at("barang_jasa").first, 84 * kMillion);
  EXPECT_EQ(after.opds[1].planned_pagu_sen, 144 * kMillion);
  EXPECT_EQ((*after.opds[1].plan_sen)[3], 56 * kMillion);
  EXPECT_EQ((*after.opds[1].plan_sen)[11], 144 * kMillion);
  // 1 April is inside April: the band compares at the end of March, where the shifted
  // plan (3 x 10,000,000 + 3 x 5,000,000) equals the murni one: 55,250,000 of 45,000,000
  // on the RAK lines, +22.78%. Nothing of April is spent yet.
  EXPECT_EQ(after.opds[1].band_month, 2);
  EXPECT_EQ(after.opds[1].deviation_basis_points, 2278);
  EXPECT_EQ(after.opds[1].band, Band::kBlue);
  EXPECT_EQ(after.opds[1].month_to_date_sen, 0);
  EXPECT_EQ(after.opds[1].percent_basis_points, 3750);  // 57,750,000 / 154,000,000.
  EXPECT_EQ(after.total.pagu_sen, 1524 * kMillion);
  EXPECT_EQ(after.total.percent_basis_points, 569);
  EXPECT_EQ(after.total.deviation_basis_points, -6099);
}

// B's perubahan is recorded on 15 September: as of the 14th it does not count yet.
TEST_F(SummaryTest, BudgetRecordedAfterAsOfDoesNotCountYet) {
  ledger::AbsorptionReport day_before = Absorption("2026-09-14");
  ledger::AbsorptionReport same_day = Absorption("2026-09-15");
  ASSERT_EQ(day_before.opds.size(), 3u);
  ASSERT_EQ(same_day.opds.size(), 3u);
  const ledger::Absorption& b_before = day_before.opds[0];
  const ledger::Absorption& b_after = same_day.opds[0];
  EXPECT_EQ(b_before.opd, kOpdB);
  EXPECT_EQ(b_before.pagu_sen, 350 * kMillion);
  EXPECT_EQ(b_before.groups.at("modal").first, 300 * kMillion);
  EXPECT_EQ(b_before.remaining_sen, 270'950'000LL * 100);
  EXPECT_EQ(b_before.percent_basis_points, 2259);
  EXPECT_EQ((*b_before.plan_sen)[11], 350 * kMillion);
  EXPECT_EQ(b_after.pagu_sen, 450 * kMillion);
  EXPECT_EQ(b_after.groups.at("modal").first, 400 * kMillion);
  EXPECT_EQ(b_after.remaining_sen, 370'950'000LL * 100);
  EXPECT_EQ(b_after.percent_basis_points, 1757);
  EXPECT_EQ((*b_after.plan_sen)[11], 450 * kMillion);
  EXPECT_EQ(b_after.planned_pagu_sen, 450 * kMillion);
  // Mid-September the band compares at the end of August, where the plan is the same in
  // both, so is the deviation: 78,050,000 of 132,000,000 planned.
  EXPECT_EQ(b_before.band_month, 7);
  EXPECT_EQ(b_before.deviation_basis_points, -4087);
  EXPECT_EQ(b_after.deviation_basis_points, -4087);
  EXPECT_EQ(b_after.month_to_date_sen, 1 * kMillion);  // b7 on 3 September.
  EXPECT_EQ(day_before.total.pagu_sen, 1524 * kMillion);
  EXPECT_EQ(same_day.total.pagu_sen, 1624 * kMillion);
  EXPECT_EQ(day_before.total.percent_basis_points, 4349);
  EXPECT_EQ(same_day.total.percent_basis_points, 4082);
  // C's RAK line is 18.25% behind plan at the end of August: green.
  EXPECT_EQ(same_day.opds[2].deviation_basis_points, -1825);
  EXPECT_EQ(same_day.opds[2].band, Band::kGreen);
}

// Budget entries with an effective_date (the DPA/DPPA date) are in force from that date,
// whenever they were recorded: here both are entered in January 2027.
TEST_F(SummaryTest, EffectiveDateDecidesWhenABudgetIsInForce) {
  const std::int64_t a_before = Absorption("2026-03-31", kOpdA).opds.at(0).pagu_sen;
  const std::int64_t a_december = Absorption("2026-12-30", kOpdA).opds.at(0).pagu_sen;
  nlohmann::json late_dpa = {{"kind", "budget"},     {"fiscal_year", 2026},
                             {"opd", kOpdA},         {"sub_activity", SubActivityOf(kOpdA)},
                             {"account", kModal},    {"pagu", Money(5 * kMillion)},
                             {"stage", "murni"},     {"effective_date", "2026-02-01"}};
  Record("a_mod_late", late_dpa, "2027-01-10", "admin");
  nlohmann::json year_end = {{"kind", "budget"},        {"fiscal_year", 2026},
                             {"opd", kOpdA},            {"sub_activity", SubActivityOf(kOpdA)},
                             {"account", kTakTerduga},  {"pagu", Money(15 * kMillion)},
                             {"stage", "perubahan"},    {"effective_date", "2026-12-31"}};
  Record("a_lain_late", year_end, "2027-01-10", "admin");
  // The late DPA counts from 1 February, back-dated over what was reported before.
  const auto modal_pagu = [&](const std::string& as_of) -> std::int64_t {
    const auto& groups = Absorption(as_of, kOpdA).opds.at(0).groups;
    const auto modal = groups.find("modal");
    return modal == groups.end() ? 0 : modal->second.first;
  };
  EXPECT_EQ(modal_pagu("2026-01-31"), 0);
  EXPECT_EQ(modal_pagu("2026-02-01"), 5 * kMillion);
  EXPECT_EQ(Absorption("2026-03-31", kOpdA).opds.at(0).pagu_sen, a_before + 5 * kMillion);
  // The perubahan replaces the 10,000,000 line from 31 December only.
  EXPECT_EQ(Absorption("2026-12-30", kOpdA).opds.at(0).pagu_sen, a_december + 5 * kMillion);
  EXPECT_EQ(Absorption("2026-12-31", kOpdA).opds.at(0).pagu_sen, a_december + 10 * kMillion);
  // The columns still agree with the bytes.
  Result<VerifyReport> report = store_->Verify(ledger::VerifierOf(TestSigner()), std::nullopt);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->problem->what;
}

// Mid-year: months after June are null. The band compares at the end of May: A's RAK
// lines are exactly 10% behind (60,300,000 of 67,000,000: green), B (11,550,000 of
// 20,000,000) and C (159,500,000 of 300,000,000) red; total 231,350,000 of 387,000,000.
TEST_F(SummaryTest, AbsorptionMidYearHasNullMonthsAfterAsOf) {
  ledger::AbsorptionReport report = Absorption("2026-06-25");
  ASSERT_EQ(report.opds.size(), 3u);
  const std::array<std::optional<std::int64_t>, 12> a = {
      980000000, 3965000000, 5775000000, 6280000000, 6280000000, 7030000000,
      std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt};
  const std::array<std::optional<std::int64_t>, 12> total = {
      1580000000, 6065000000, 8675000000, 9180000000, 25685000000, 40535000000,
      std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt};
  EXPECT_EQ(report.opds[1].monthly_sen, a);
  EXPECT_EQ(report.total.monthly_sen, total);
  EXPECT_EQ(report.opds[0].deviation_basis_points, -4225);
  EXPECT_EQ(report.opds[0].band, Band::kRed);
  EXPECT_EQ(report.opds[1].deviation_basis_points, -1000);
  EXPECT_EQ(report.opds[1].band, Band::kGreen);
  EXPECT_EQ(report.opds[2].deviation_basis_points, -4683);
  EXPECT_EQ(report.opds[2].band, Band::kRed);
  EXPECT_EQ(report.total.realisation_sen, 40535000000);
  EXPECT_EQ(report.total.band_month, 4);
  EXPECT_EQ(report.total.deviation_basis_points, -4022);
  // June to the 25th: 405,350,000 - 256,850,000 = 148,500,000 (c5, b3 and a13).
  EXPECT_EQ(report.total.month_to_date_sen, 40535000000 - 25685000000);
  EXPECT_EQ(report.total.non_cash_share_basis_points, 9963);
}

TEST_F(SummaryTest, AbsorptionBeforeTheFiscalYearHasNothingInForce) {
  // The budgets were recorded on 5 January 2026 and nothing was spent in 2025.
  ledger::AbsorptionReport report = Absorption("2025-12-31");
  EXPECT_TRUE(report.opds.empty());
  EXPECT_EQ(report.total.pagu_sen, 0);
  EXPECT_EQ(report.total.realisation_sen, 0);
  EXPECT_FALSE(report.total.percent_basis_points.has_value());
  for (std::size_t m = 0; m < 12; ++m) EXPECT_FALSE(report.total.monthly_sen[m].has_value()) << m;
  EXPECT_FALSE(report.total.plan_sen.has_value());
  EXPECT_FALSE(report.total.band.has_value());
}

TEST_F(SummaryTest, AbsorptionAfterTheFiscalYearFillsEveryMonth) {
  ledger::AbsorptionReport report = Absorption("2027-02-01");
  ASSERT_EQ(report.opds.size(), 3u);
  const std::array<std::optional<std::int64_t>, 12> total = {
      1580000000,  6065000000,  8675000000,  9180000000,  25685000000, 40535000000,
      51185000000, 66185000000, 66285000000, 66460000000, 66460000000, 66660000000};
  EXPECT_EQ(report.total.monthly_sen, total);
  EXPECT_EQ(report.total.realisation_sen, 66660000000);
  EXPECT_EQ(report.total.pagu_sen, 162400000000);
  EXPECT_EQ(report.total.remaining_sen, 95740000000);
  EXPECT_EQ(report.total.percent_basis_points, 4105);
  EXPECT_EQ(report.total.deviation_basis_points, -6038);  // December's band.
  EXPECT_EQ(report.total.band_month, 11);
  EXPECT_EQ(report.total.band, Band::kRed);
  EXPECT_EQ(report.opds[2].monthly_sen[11], 51550000000);
  EXPECT_EQ(report.opds[0].deviation_basis_points, -8204);
}

// a11 (cash, 3,700,000, 5 May) is reversed: as of its own value date it is not in A's
// realisation, nor in the 5.3 group, nor among cash payments.
TEST_F(SummaryTest, ReversalRemovesTheAmountFromRealisation) {
  ledger::AbsorptionReport report = Absorption("2026-05-05");
  ASSERT_EQ(report.opds.size(), 3u);
  const ledger::Absorption& a = report.opds[1];
  EXPECT_EQ(a.realisation_sen, 6280000000);  // 62,800,000: January to April only.
  EXPECT_EQ(a.monthly_sen[4], 6280000000);
  EXPECT_EQ(a.groups.at("lainnya").second, 250000000);  // a9 only.
  EXPECT_EQ(a.instruments.at("cash").amount_sen, 150000000);
  EXPECT_EQ(a.instruments.at("cash").entries, 1);
  EXPECT_EQ(a.cash.entries, 1);
  // b4 (20,000,000, 20 June) likewise: B's modal realisation is b3's 60,000,000 alone.
  ledger::AbsorptionReport june = Absorption("2026-06-20");
  const ledger::Absorption& b = june.opds[0];
  EXPECT_EQ(b.realisation_sen, 7155000000);
  EXPECT_EQ(b.groups.at("modal").second, 60 * kMillion);
  EXPECT_EQ(b.instruments.at("sp2d_ls").amount_sen, 60 * kMillion);
  EXPECT_EQ(b.instruments.at("sp2d_ls").entries, 1);
}

// c2 is dated 2 March and recorded on the 10th: absorption goes by value date, so as of
// 5 March it is in C's realisation already; a8 (5 March) is in as of the 5th, not the 4th.
TEST_F(SummaryTest, RealisationGoesByValueDateUpToAsOf) {
  ledger::AbsorptionReport fourth = Absorption("2026-03-04");
  ledger::AbsorptionReport fifth = Absorption("2026-03-05");
  EXPECT_EQ(fourth.opds[2].realisation_sen, 23 * kMillion);
  EXPECT_EQ(fourth.opds[1].realisation_sen, 4265000000);
  EXPECT_EQ(fifth.opds[1].realisation_sen, 5375000000);  // + a8's 11,100,000.
  EXPECT_EQ(fifth.opds[1].instruments.at("cms_transfer").entries, 4);
  EXPECT_EQ(fourth.opds[1].instruments.at("cms_transfer").entries, 3);
  EXPECT_EQ(fifth.total.realisation_sen, 8275000000);
  // The band is February's (5 March is inside March): 45,650,000 of 38,000,000 planned.
  EXPECT_EQ(fifth.total.band_month, 1);
  EXPECT_EQ(fifth.total.deviation_basis_points, 2013);
}

TEST_F(SummaryTest, OpdFilterNarrowsToThatOpd) {
  ledger::AbsorptionReport all = Absorption("2026-08-31");
  ledger::AbsorptionReport only_b = Absorption("2026-08-31", std::string(kOpdB));
  ASSERT_EQ(only_b.opds.size(), 1u);
  const ledger::Absorption& b = only_b.opds[0];
  const ledger::Absorption& b_all = all.opds.at(0);
  EXPECT_EQ(b.opd, kOpdB);
  EXPECT_EQ(b.name, "Dinas Pendidikan");
  for (const ledger::Absorption* row : {&b, static_cast<const ledger::Absorption*>(&only_b.total)}) {
    EXPECT_EQ(row->pagu_sen, b_all.pagu_sen);
    EXPECT_EQ(row->realisation_sen, b_all.realisation_sen);
    EXPECT_EQ(row->remaining_sen, b_all.remaining_sen);
    EXPECT_EQ(row->percent_basis_points, b_all.percent_basis_points);
    EXPECT_EQ(row->monthly_sen, b_all.monthly_sen);
    EXPECT_EQ(row->plan_sen, b_all.plan_sen);
    EXPECT_EQ(row->deviation_basis_points, b_all.deviation_basis_points);
    EXPECT_EQ(row->band, b_all.band);
    EXPECT_EQ(row->groups, b_all.groups);
    EXPECT_EQ(row->non_cash.amount_sen, b_all.non_cash.amount_sen);
    EXPECT_EQ(row->cash.amount_sen, b_all.cash.amount_sen);
    EXPECT_EQ(row->non_cash_share_basis_points, b_all.non_cash_share_basis_points);
  }
  EXPECT_EQ(b.pagu_sen, 350 * kMillion);
  EXPECT_EQ(b.realisation_sen, 78'050'000LL * 100);
}

// FiscalYears: the budget lines (distinct keys: a pergeseran or perubahan of a line is the
// same line) and unreversed expenditures per year, newest first; a year whose only payment
// was reversed drops out, and a year with budgets but no payment is listed.
TEST_F(SummaryTest, FiscalYearsCountBudgetLinesAndUnreversedExpenditures) {
  Result<ledger::AuditInput> facts = store_->AuditInputs(2026, "2026-12-31", std::nullopt, true);
  ASSERT_TRUE(facts.has_value());
  std::int64_t unreversed = 0;
  for (const ledger::ExpenditureFacts& e : facts->expenditures) unreversed += e.reversed_by ? 0 : 1;
  EXPECT_EQ(unreversed, 27);  // 29 payments in BuildRegency, a11 and b4 reversed.
  Result<std::vector<FiscalYearCounts>> years = store_->FiscalYears();
  ASSERT_TRUE(years.has_value()) << years.error().ToString();
  EXPECT_EQ(*years, (std::vector<FiscalYearCounts>{{2026, 7, unreversed}}));

  nlohmann::json closed = ExpenditureBody({kOpdA, kBarangJasa, "cms_transfer", "2025-12-15", 2 * kMillion, {},
                                           {"Toko Lama", "", "BSI", "0011000001"}, "L-001"},
                                          9001);
  closed["fiscal_year"] = 2025;
  Record("closed", closed, "2026-12-30");
  nlohmann::json next = {{"kind", "budget"},          {"fiscal_year", 2027},  {"opd", kOpdB},
                         {"sub_activity", SubActivityOf(kOpdB)}, {"account", kModal},
                         {"pagu", Money(500 * kMillion)}, {"stage", "murni"}};
  Record("next_budget", next, "2026-12-30", "admin");
  years = store_->FiscalYears();
  ASSERT_TRUE(years.has_value());
  EXPECT_EQ(*years, (std::vector<FiscalYearCounts>{{2027, 1, 0}, {2026, 7, unreversed}, {2025, 0, 1}}));

  Reverse("r_closed", "closed", "2026-12-31");
  years = store_->FiscalYears();
  ASSERT_TRUE(years.has_value());
  EXPECT_EQ(*years, (std::vector<FiscalYearCounts>{{2027, 1, 0}, {2026, 7, unreversed}}));
}

}  // namespace
}  // namespace jejak::db::summary_test
