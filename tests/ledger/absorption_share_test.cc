// Tests for the non-cash share of ledger/absorption.h at its ends: a handful of cash
// payments among hundreds of thousands of non-cash ones is not "100.00%", and a handful of
// non-cash payments among cash ones is not "0.00%"; exact all-or-nothing shares stay
// 100.00 and 0.00, and shares away from the ends keep their ordinary rounding.
#include "ledger/absorption.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace jejak::ledger {
namespace {

constexpr const char* kOpd = "1.02.0.00.0.00.01.0000";
constexpr const char* kAccount = "5.1.02.01.01.0024";
constexpr std::int64_t kMillion = 100'000'000;  // Rp 1,000,000 in sen.

// One OPD's realisation rows by instrument for March: (instrument, amount, count).
struct Paid {
  const char* instrument;
  std::int64_t amount_sen;
  std::int64_t entries;
};

Absorption Share(const std::vector<Paid>& paid) {
  AbsorptionInput input;
  input.fiscal_year = 2026;
  input.as_of = "2026-12-31";
  input.budgets.push_back(BudgetLine{kOpd, "1.02.01.2.02.0001", kAccount, 1'000'000 * kMillion, std::nullopt});
  for (const Paid& p : paid) {
    input.realisation.push_back(
        RealisationRow{kOpd, AccountGroup(kAccount), p.instrument, "2026-03", p.amount_sen, p.entries});
  }
  Result<AbsorptionReport> report = ComputeAbsorption(input);
  EXPECT_TRUE(report.has_value());
  if (!report || report->opds.size() != 1) return Absorption{};
  EXPECT_EQ(report->total.non_cash_share_basis_points, report->opds[0].non_cash_share_basis_points);
  return report->opds[0];
}

TEST(AbsorptionShareTest, EightCashPaymentsAmongFourHundredThousandAreNotAHundredPercent) {
  // 399,992 non-cash payments of Rp 2.5 million and 8 cash payments of Rp 2.5 million:
  // 399,992 / 400,000 = 99.998%, which rounds to 10000 basis points.
  const Absorption row = Share({{"cms_transfer", 399'992 * 250'000'000LL, 399'992},
                                {"cash", 8 * 250'000'000LL, 8}});
  EXPECT_EQ(row.cash.entries, 8);
  EXPECT_EQ(row.non_cash.entries, 399'992);
  EXPECT_EQ(row.non_cash_share_basis_points, 9999);
  EXPECT_EQ(FormatBasisPoints(*row.non_cash_share_basis_points), "99.99");
}

TEST(AbsorptionShareTest, AFewNonCashPaymentsAmongCashAreNotZeroPercent) {
  const Absorption row = Share({{"qris", 2 * kMillion, 2}, {"cash", 400'000 * kMillion, 400'000}});
  EXPECT_EQ(row.non_cash_share_basis_points, 1);
  EXPECT_EQ(FormatBasisPoints(*row.non_cash_share_basis_points), "0.01");
}

TEST(AbsorptionShareTest, AllOrNothingStaysExact) {
  EXPECT_EQ(Share({{"kkpd", 3 * kMillion, 3}}).non_cash_share_basis_points, 10000);
  EXPECT_EQ(Share({{"cash", 3 * kMillion, 3}}).non_cash_share_basis_points, 0);
}

TEST(AbsorptionShareTest, SharesAwayFromTheEndsRoundAsBefore) {
  // 99.994% rounds down to 9999 and 99.995% rounds half up to 10000 -> held at 9999; 0.005%
  // rounds up to 1; 50.005% rounds to 5001.
  EXPECT_EQ(Share({{"sp2d_ls", 99'994, 1}, {"cash", 6, 1}}).non_cash_share_basis_points, 9999);
  EXPECT_EQ(Share({{"sp2d_ls", 99'995, 1}, {"cash", 5, 1}}).non_cash_share_basis_points, 9999);
  EXPECT_EQ(Share({{"sp2d_ls", 5, 1}, {"cash", 99'995, 1}}).non_cash_share_basis_points, 1);
  EXPECT_EQ(Share({{"sp2d_ls", 50'005, 1}, {"cash", 49'995, 1}}).non_cash_share_basis_points, 5001);
  EXPECT_EQ(Share({{"sp2d_ls", 1, 1}, {"cash", 3, 1}}).non_cash_share_basis_points, 2500);
}

}  // namespace
}  // namespace jejak::ledger
