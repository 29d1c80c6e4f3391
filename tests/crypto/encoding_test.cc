// Hex and strict base64 (RFC 4648).
#include "crypto/encoding.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace jejak::crypto {
namespace {

std::vector<std::uint8_t> Bytes(std::string_view text) { return {text.begin(), text.end()}; }

TEST(EncodingTest, ToHexIsLowercase) {
  const std::vector<std::uint8_t> bytes = {0x00, 0x0f, 0xab, 0xff};
  EXPECT_EQ(ToHex(bytes), "000fabff");
  EXPECT_EQ(ToHex({}), "");
}

TEST(EncodingTest, FromHexAcceptsBothCases) {
  EXPECT_EQ(FromHex("000fABff"), (std::vector<std::uint8_t>{0x00, 0x0f, 0xab, 0xff}));
  EXPECT_EQ(FromHex(""), std::vector<std::uint8_t>{});
}

TEST(EncodingTest, FromHexRejectsOddLength) { EXPECT_FALSE(FromHex("abc").has_value()); }

TEST(EncodingTest, FromHexRejectsNonHexCharacters) {
  EXPECT_FALSE(FromHex("0g").has_value());
  EXPECT_FALSE(FromHex(" 0").has_value());
  EXPECT_FALSE(FromHex("0x00").has_value());
}

TEST(EncodingTest, DigestFromHexRoundTrips) {
  const Digest digest = Sha256("abc");
  EXPECT_EQ(DigestFromHex(ToHex(digest)), digest);
}

TEST(EncodingTest, DigestFromHexRejectsUppercase) {
  std::string hex = ToHex(Sha256("abc"));
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(DigestFromHex(hex).has_value());
}

TEST(EncodingTest, DigestFromHexRejectsWrongLength) {
  const std::string hex = ToHex(Sha256("abc"));
  EXPECT_FALSE(DigestFromHex(hex.substr(0, 62)).has_value());
  EXPECT_FALSE(DigestFromHex(hex + "00").has_value());
  EXPECT_FALSE(DigestFromHex("").has_value());
}

TEST(EncodingTest, DigestFromHexRejectsNonHexCharacters) {
  std::string hex = ToHex(Sha256("abc"));
  hex[10] = 'z';
  EXPECT_FALSE(DigestFromHex(hex).has_value());
}

// RFC 4648 §10 test vectors.
TEST(EncodingTest, Base64EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(Bytes("")), "");
  EXPECT_EQ(Base64Encode(Bytes("f")), "Zg==");
  EXPECT_EQ(Base64Encode(Bytes("fo")), "Zm8=");
  EXPECT_EQ(Base64Encode(Bytes("foo")), "Zm9v");
  EXPECT_EQ(Base64Encode(Bytes("foob")), "Zm9vYg==");
  EXPECT_EQ(Base64Encode(Bytes("fooba")), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode(Bytes("foobar")), "Zm9vYmFy");
}

TEST(EncodingTest, Base64DecodesRfc4648Vectors) {
  EXPECT_EQ(Base64Decode(""), Bytes(""));
  EXPECT_EQ(Base64Decode("Zg=="), Bytes("f"));
  EXPECT_EQ(Base64Decode("Zm8="), Bytes("fo"));
  EXPECT_EQ(Base64Decode("Zm9v"), Bytes("foo"));
  EXPECT_EQ(Base64Decode("Zm9vYg=="), Bytes("foob"));
  EXPECT_EQ(Base64Decode("Zm9vYmE="), Bytes("fooba"));
  EXPECT_EQ(Base64Decode("Zm9vYmFy"), Bytes("foobar"));
}

TEST(EncodingTest, Base64RoundTripsEveryByteValueAndLength) {
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes) << i;
    bytes.push_back(static_cast<std::uint8_t>(i * 7 + 3));
  }
}

TEST(EncodingTest, Base64UsesPlusAndSlash) {
  const std::vector<std::uint8_t> bytes = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(Base64Encode(bytes), "+/+/");
  EXPECT_EQ(Base64Decode("+/+/"), bytes);
}

TEST(EncodingTest, Base64RejectsMissingPadding) {
  EXPECT_FALSE(Base64Decode("Zg").has_value());
  EXPECT_FALSE(Base64Decode("Zm8").has_value());
  EXPECT_FALSE(Base64Decode("Zg=").has_value());
}

TEST(EncodingTest, Base64RejectsExtraPadding) {
  EXPECT_FALSE(Base64Decode("Zm9v====").has_value());
  EXPECT_FALSE(Base64Decode("Z===").has_value());
  EXPECT_FALSE(Base64Decode("====").has_value());
}

TEST(EncodingTest, Base64RejectsPaddingInTheMiddle) {
  EXPECT_FALSE(Base64Decode("Zg==Zm9v").has_value());
  EXPECT_FALSE(Base64Decode("Zm=v").has_value());
  EXPECT_FALSE(Base64Decode("Z=8=").has_value());
}

TEST(EncodingTest, Base64RejectsWhitespace) {
  EXPECT_FALSE(Base64Decode("Zm9v\nYmFy").has_value());
  EXPECT_FALSE(Base64Decode("Zm9v YmFy").has_value());
  EXPECT_FALSE(Base64Decode("Zm9vYmFy\n").has_value());
  EXPECT_FALSE(Base64Decode(" Zm9v").has_value());
}

TEST(EncodingTest, Base64RejectsUrlSafeAlphabet) { EXPECT_FALSE(Base64Decode("-_-_").has_value()); }

TEST(EncodingTest, Base64RejectsNonZeroPadBits) {
  // "Zg==" is "f"; "Zh==" carries the same byte with a stray low bit (RFC 4648 §3.5).
  EXPECT_FALSE(Base64Decode("Zh==").has_value());
  EXPECT_FALSE(Base64Decode("Zm9=").has_value());
}

TEST(EncodingTest, Base64RejectsNonAsciiBytes) {
  EXPECT_FALSE(Base64Decode("Zm9\xc3").has_value());
}

}  // namespace
}  // namespace jejak::crypto
