// Tests of ledger/money.h: DESIGN's money strings, their stored form, checked arithmetic.
#include "ledger/money.h"

#include <cstdint>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "base/result.h"
#include "ledger/limits.h"

namespace jejak::ledger {
namespace {

TEST(ParseMoneySenTest, AcceptsWholeRupiah) {
  Result<std::int64_t> sen = ParseMoneySen("12500000");
  ASSERT_TRUE(sen.has_value());
  EXPECT_EQ(*sen, 1'250'000'000);
}

TEST(ParseMoneySenTest, AcceptsTwoFractionDigits) {
  Result<std::int64_t> sen = ParseMoneySen("280713172441.23");
  ASSERT_TRUE(sen.has_value());
  EXPECT_EQ(*sen, 28'071'317'244'123);
}

TEST(ParseMoneySenTest, AcceptsOneFractionDigitAsTenSen) {
  Result<std::int64_t> sen = ParseMoneySen("1.5");
  ASSERT_TRUE(sen.has_value());
  EXPECT_EQ(*sen, 150);
}

TEST(ParseMoneySenTest, AcceptsZeroAndZeroRupiahWithSen) {
  EXPECT_EQ(*ParseMoneySen("0"), 0);
  EXPECT_EQ(*ParseMoneySen("0.00"), 0);
  EXPECT_EQ(*ParseMoneySen("0.05"), 5);
}

TEST(ParseMoneySenTest, AcceptsSixteenIntegerDigits) {
  Result<std::int64_t> sen = ParseMoneySen("9999999999999999.99");
  ASSERT_TRUE(sen.has_value());
  EXPECT_EQ(*sen, kMoneySenMax);
}

void ExpectRejected(const char* text) {
  Result<std::int64_t> sen = ParseMoneySen(text);
  ASSERT_FALSE(sen.has_value()) << text;
  EXPECT_EQ(sen.error().code, Code::kInvalidArgument) << text;
  EXPECT_FALSE(sen.error().message.empty()) << text;
}

TEST(ParseMoneySenTest, RejectsEmpty) { ExpectRejected(""); }
TEST(ParseMoneySenTest, RejectsSign) {
  ExpectRejected("-5");
  ExpectRejected("+5");
}
TEST(ParseMoneySenTest, RejectsExponent) {
  ExpectRejected("1e5");
  ExpectRejected("1E5");
}
TEST(ParseMoneySenTest, RejectsLeadingZero) {
  ExpectRejected("0123");
  ExpectRejected("00");
  ExpectRejected("00.50");
}
TEST(ParseMoneySenTest, RejectsThreeFractionDigits) { ExpectRejected("1.234"); }
TEST(ParseMoneySenTest, RejectsSeventeenIntegerDigits) { ExpectRejected("10000000000000000"); }
TEST(ParseMoneySenTest, RejectsDotWithoutDigits) {
  ExpectRejected("5.");
  ExpectRejected(".5");
  ExpectRejected(".");
}
TEST(ParseMoneySenTest, RejectsSeparatorsAndSpaces) {
  ExpectRejected("12,500,000");
  ExpectRejected("12.500.000");
  ExpectRejected(" 5");
  ExpectRejected("5 ");
  ExpectRejected("Rp5");
}
TEST(ParseMoneySenTest, RejectsNonAsciiDigits) { ExpectRejected("\xd9\xa1"); }  // Arabic-Indic one.

TEST(FormatMoneyTest, WritesExactlyTwoFractionDigits) {
  EXPECT_EQ(FormatMoney(1'250'000'000), "12500000.00");
  EXPECT_EQ(FormatMoney(28'071'317'244'123), "280713172441.23");
  EXPECT_EQ(FormatMoney(5), "0.05");
  EXPECT_EQ(FormatMoney(0), "0.00");
  EXPECT_EQ(FormatMoney(kMoneySenMax), "9999999999999999.99");
}

TEST(FormatMoneyTest, WritesNegativeWithMinus) {
  EXPECT_EQ(FormatMoney(-150), "-1.50");
  EXPECT_EQ(FormatMoney(std::numeric_limits<std::int64_t>::min()), "-92233720368547758.08");
}

TEST(FormatMoneyTest, RoundTripsThroughParse) {
  for (const char* text : {"1", "1.5", "12500000", "280713172441.23", "0.01"}) {
    Result<std::int64_t> sen = ParseMoneySen(text);
    ASSERT_TRUE(sen.has_value());
    Result<std::int64_t> again = ParseMoneySen(FormatMoney(*sen));
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(*again, *sen);
  }
}

TEST(CheckedAddTest, AddsAndDetectsOverflow) {
  EXPECT_EQ(CheckedAdd(2, 3), 5);
  EXPECT_EQ(CheckedAdd(kMoneySenMax, kMoneySenMax), 2 * kMoneySenMax);
  EXPECT_FALSE(CheckedAdd(std::numeric_limits<std::int64_t>::max(), 1).has_value());
  EXPECT_FALSE(CheckedAdd(std::numeric_limits<std::int64_t>::min(), -1).has_value());
}

TEST(CheckedSubTest, SubtractsAndDetectsOverflow) {
  EXPECT_EQ(CheckedSub(2, 3), -1);
  EXPECT_FALSE(CheckedSub(std::numeric_limits<std::int64_t>::min(), 1).has_value());
  EXPECT_FALSE(CheckedSub(0, std::numeric_limits<std::int64_t>::min()).has_value());
}

}  // namespace
}  // namespace jejak::ledger
