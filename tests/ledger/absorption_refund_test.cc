// Tests for the refunds (pengembalian belanja), corrections (reversals) and other revenue
// (refunds of closed years' payments) in ledger/absorption.h: where a refund lowers
// realisation and the band, and what stays out of belanja realisation.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ledger/absorption.h"

namespace jejak::ledger {
namespace {

constexpr const char* kOpdA = "1.02.0.00.0.00.01.0000";
constexpr const char* kOpdB = "1.01.0.00.0.00.01.0000";
constexpr const char* kSubActivity = "1.02.01.2.02.0001";
constexpr const char* kBarangJasa = "5.1.02.01.01.0024";
constexpr std::int64_t kRupiah = 100;  // One rupiah in sen.
constexpr std::int64_t kMillion = 1'000'000 * kRupiah;

std::array<std::int64_t, 12> Flat(std::int64_t per_month_sen) {
  std::array<std::int64_t, 12> plan{};
  plan.fill(per_month_sen);
  return plan;
}

// One budget line of kOpdA, barang dan jasa, with an optional RAK.
BudgetLine Line(std::int64_t pagu_sen, std::optional<std::array<std::int64_t, 12>> plan = {}) {
  return BudgetLine{kOpdA, kSubActivity, kBarangJasa, pagu_sen, plan};
}

// `amount_sen` paid by kkpd on kOpdA's barang dan jasa line in `month`, as the store
// passes it: by account group and instrument, and by budget line.
AbsorptionInput Input(const std::string& as_of, std::vector<BudgetLine> budgets,
                      const std::string& month = "", std::int64_t amount_sen = 0) {
  AbsorptionInput input;
  input.fiscal_year = 2026;
  input.as_of = as_of;
  input.budgets = std::move(budgets);
  if (!month.empty()) {
    input.realisation.push_back(
        RealisationRow{kOpdA, "barang_jasa", "kkpd", month, amount_sen, 1});
    input.line_realisation.push_back(
        LineRealisationRow{kOpdA, kSubActivity, kBarangJasa, month, amount_sen});
  }
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

// ----- Refunds, corrections, other revenue --------------------------------------------

RefundFacts Refund(const std::string& opd, const std::string& account, const std::string& date,
                   std::int64_t amount_sen, std::int64_t original_year = 2026) {
  RefundFacts refund;
  refund.seq = 100;
  refund.refunds = 10;
  refund.original_fiscal_year = original_year;
  refund.opd = opd;
  refund.sub_activity = kSubActivity;
  refund.account = account;
  refund.instrument = "kkpd";
  refund.value_date = date;
  refund.amount_sen = amount_sen;
  return refund;
}

TEST(AbsorptionTest, RefundLowersTheMonthOfItsOwnDateNotTheOriginals) {
  // 10,000,000 paid in February; 2,000,000 of it refunded on 10 April. February (and
  // March) keep 10,000,000; April's cumulative is 8,000,000.
  AbsorptionInput input =
      Input("2026-04-30", {Line(12 * kMillion, Flat(kMillion))}, "2026-02", 10 * kMillion);
  input.refunds.push_back(Refund(kOpdA, kBarangJasa, "2026-04-10", 2 * kMillion));
  AbsorptionReport report = Compute(input);
  const Absorption& row = Row(report, kOpdA);
  EXPECT_EQ(row.monthly_sen[0], 0);
  EXPECT_EQ(row.monthly_sen[1], 10 * kMillion);
  EXPECT_EQ(row.monthly_sen[2], 10 * kMillion);
  EXPECT_EQ(row.monthly_sen[3], 8 * kMillion);
  EXPECT_EQ(row.realisation_sen, 8 * kMillion);
  EXPECT_EQ(row.remaining_sen, 4 * kMillion);
  EXPECT_EQ(row.groups.at("barang_jasa").second, 8 * kMillion);
  EXPECT_EQ(row.instruments.at("kkpd").amount_sen, 8 * kMillion);
  EXPECT_EQ(row.instruments.at("kkpd").entries, 1);  // Still one payment.
  EXPECT_EQ(row.non_cash.amount_sen, 8 * kMillion);
  EXPECT_EQ(row.refunds.amount_sen, 2 * kMillion);
  EXPECT_EQ(row.refunds.entries, 1);
  EXPECT_EQ(row.other_revenue.amount_sen, 0);
  // Band at April: 8,000,000 against 4,000,000 planned.
  EXPECT_EQ(row.band_realisation_sen, 8 * kMillion);
  EXPECT_EQ(report.total.monthly_sen[1], 10 * kMillion);
  EXPECT_EQ(report.total.monthly_sen[3], 8 * kMillion);
  EXPECT_EQ(report.total.refunds.amount_sen, 2 * kMillion);
  EXPECT_EQ(report.total.refunds.entries, 1);
}

TEST(AbsorptionTest, RefundLowersTheBandOnlyFromItsMonth) {
  // As of 15 April the band is March's: the April refund is not in it yet, but in April's
  // month to date (-2,000,000).
  AbsorptionInput input =
      Input("2026-04-15", {Line(12 * kMillion, Flat(kMillion))}, "2026-02", 3 * kMillion);
  input.refunds.push_back(Refund(kOpdA, kBarangJasa, "2026-04-10", 2 * kMillion));
  const Absorption& row = Row(Compute(input), kOpdA);
  EXPECT_EQ(row.band_month, 2);
  EXPECT_EQ(row.band_realisation_sen, 3 * kMillion);
  EXPECT_EQ(row.deviation_basis_points, 0);
  EXPECT_EQ(row.month_to_date_sen, -2 * kMillion);
  input.as_of = "2026-04-30";
  const Absorption& april = Row(Compute(input), kOpdA);
  EXPECT_EQ(april.band_realisation_sen, kMillion);
  EXPECT_EQ(april.deviation_basis_points, -7500);  // 1,000,000 against 4,000,000.
}

TEST(AbsorptionTest, RefundAfterAsOfIsIgnored) {
  AbsorptionInput input = Input("2026-03-31", {Line(12 * kMillion)}, "2026-02", 10 * kMillion);
  input.refunds.push_back(Refund(kOpdA, kBarangJasa, "2026-04-10", 2 * kMillion));
  const Absorption& row = Row(Compute(input), kOpdA);
  EXPECT_EQ(row.realisation_sen, 10 * kMillion);
  EXPECT_EQ(row.refunds.entries, 0);
}

TEST(AbsorptionTest, RefundOfAClosedYearsPaymentIsOtherRevenue) {
  // A 2025 payment refunded on 10 February 2026: pendapatan lain-lain of 2026, outside
  // belanja realisation of both years.
  AbsorptionInput input = Input("2026-12-31", {Line(12 * kMillion)}, "2026-03", 5 * kMillion);
  input.refunds.push_back(Refund(kOpdA, kBarangJasa, "2026-02-10", 3 * kMillion, 2025));
  AbsorptionReport report = Compute(input);
  const Absorption& row = Row(report, kOpdA);
  EXPECT_EQ(row.realisation_sen, 5 * kMillion);
  EXPECT_EQ(row.monthly_sen[1], 0);
  EXPECT_EQ(row.refunds.entries, 0);
  EXPECT_EQ(row.other_revenue.amount_sen, 3 * kMillion);
  EXPECT_EQ(row.other_revenue.entries, 1);
  EXPECT_EQ(report.total.other_revenue.amount_sen, 3 * kMillion);
  EXPECT_EQ(report.total.realisation_sen, 5 * kMillion);

  // The 2025 report leaves it out: its date is not in 2025.
  AbsorptionInput closed = Input("2025-12-31", {}, {});
  closed.fiscal_year = 2025;
  closed.refunds.push_back(Refund(kOpdA, kBarangJasa, "2026-02-10", 3 * kMillion, 2025));
  AbsorptionReport closed_report = Compute(closed);
  EXPECT_EQ(closed_report.total.other_revenue.amount_sen, 0);
  EXPECT_EQ(closed_report.total.refunds.amount_sen, 0);
  EXPECT_EQ(closed_report.total.realisation_sen, 0);
}

TEST(AbsorptionTest, CorrectionsAreCountedPerOpdAndInTotal) {
  AbsorptionInput input = Input("2026-12-31", {Line(12 * kMillion)});
  input.corrections = {{kOpdA, 2 * kMillion}, {kOpdA, kMillion}, {kOpdB, 5 * kMillion}};
  AbsorptionReport report = Compute(input);
  EXPECT_EQ(Row(report, kOpdA).corrections.amount_sen, 3 * kMillion);
  EXPECT_EQ(Row(report, kOpdA).corrections.entries, 2);
  EXPECT_EQ(Row(report, kOpdB).corrections.amount_sen, 5 * kMillion);
  EXPECT_EQ(report.total.corrections.amount_sen, 8 * kMillion);
  EXPECT_EQ(report.total.corrections.entries, 3);
  EXPECT_EQ(report.total.realisation_sen, 0);  // Already out of the realisation rows.
}

}  // namespace
}  // namespace jejak::ledger
