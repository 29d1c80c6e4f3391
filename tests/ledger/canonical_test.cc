// Tests of ledger/canonical.h: the strict parser of the entry subset and RFC 8785 output,
// against the cyberphone vectors in tests/testdata/rfc8785 (see tests/testdata/README.md).
#include "ledger/canonical.h"

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/result.h"
#include "ledger/limits.h"

namespace jejak::ledger {
namespace {

using nlohmann::json;

std::string ReadTestdata(const std::string& relative) {
  std::ifstream file(std::string(JEJAK_TESTDATA_DIR) + "/rfc8785/" + relative,
                     std::ios::binary);
  EXPECT_TRUE(file.good()) << relative;
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

std::string FromHex(const std::string& text) {
  std::istringstream in(text);
  std::string bytes;
  std::string pair;
  while (in >> pair) bytes += static_cast<char>(std::stoi(pair, nullptr, 16));
  return bytes;
}

// Parses `text` and returns its canonical bytes, failing the test if it is rejected.
std::string CanonicalOf(const std::string& text) {
  Result<json> value = ParseStrict(text);
  EXPECT_TRUE(value.has_value()) << text << ": "
                                 << (value ? std::string() : value.error().ToString());
  if (!value) return "";
  return Canonicalize(*value);
}

void ExpectRejected(const std::string& text) {
  Result<json> value = ParseStrict(text);
  ASSERT_FALSE(value.has_value()) << text;
  EXPECT_EQ(value.error().code, Code::kInvalidArgument) << text;
  EXPECT_FALSE(value.error().message.empty());
}

std::string Nested(int depth) {
  return std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']');
}

class Rfc8785AcceptedTest : public testing::TestWithParam<const char*> {};

TEST_P(Rfc8785AcceptedTest, ReproducesOutputByteForByte) {
  const std::string name = GetParam();
  const std::string expected = ReadTestdata("output/" + name + ".json");
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(FromHex(ReadTestdata("outhex/" + name + ".txt")), expected);
  EXPECT_EQ(CanonicalOf(ReadTestdata("input/" + name + ".json")), expected);
}

INSTANTIATE_TEST_SUITE_P(Rfc8785, Rfc8785AcceptedTest, testing::Values("arrays", "unicode"));

class Rfc8785RejectedTest : public testing::TestWithParam<const char*> {};

TEST_P(Rfc8785RejectedTest, RejectsFloatsOrNonAsciiKeys) {
  const std::string input = ReadTestdata(std::string("input/") + GetParam() + ".json");
  ASSERT_FALSE(input.empty());
  ExpectRejected(input);
}

INSTANTIATE_TEST_SUITE_P(Rfc8785, Rfc8785RejectedTest,
                         testing::Values("structures", "values", "french", "weird"));

TEST(ParseStrictTest, RejectsFloatWithMessage) {
  Result<json> value = ParseStrict(R"({"a":56.0})");
  ASSERT_FALSE(value.has_value());
  EXPECT_EQ(value.error().code, Code::kInvalidArgument);
  ASSERT_EQ(value.error().fields.size(), 1u);
  EXPECT_EQ(value.error().fields[0].field, "a");
  EXPECT_NE(value.error().message.find("float"), std::string::npos);
}

TEST(ParseStrictTest, RejectsFloatsAndExponents) {
  ExpectRejected("1.0");
  ExpectRejected("1e5");
  ExpectRejected("1E5");
  ExpectRejected("-1.5");
  ExpectRejected("[0.1]");
}

TEST(ParseStrictTest, RejectsNegativeZero) {
  ExpectRejected("-0");
  ExpectRejected(R"({"a":[1,-0]})");
  ExpectRejected("-0.0");
}

TEST(ParseStrictTest, AcceptsMinusZeroInsideStrings) {
  EXPECT_EQ(CanonicalOf(R"({"a":"-0","b":"\"-0"})"), R"({"a":"-0","b":"\"-0"})");
}

TEST(ParseStrictTest, AcceptsInt64Extremes) {
  EXPECT_EQ(CanonicalOf("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(CanonicalOf("-9223372036854775808"), "-9223372036854775808");
}

TEST(ParseStrictTest, RejectsIntegersOutsideInt64) {
  Result<json> value = ParseStrict("9223372036854775808");
  ASSERT_FALSE(value.has_value());
  EXPECT_NE(value.error().message.find("out of range"), std::string::npos);
  ExpectRejected("18446744073709551615");
  ExpectRejected("18446744073709551616");
  ExpectRejected("-9223372036854775809");
  ExpectRejected("123456789012345678901234567890");
}

TEST(ParseStrictTest, RejectsDuplicateKeysNamingThePath) {
  Result<json> value = ParseStrict(R"({"payee":{"name":"a","name":"b"}})");
  ASSERT_FALSE(value.has_value());
  EXPECT_EQ(value.error().code, Code::kInvalidArgument);
  ASSERT_EQ(value.error().fields.size(), 1u);
  EXPECT_EQ(value.error().fields[0].field, "payee.name");
  EXPECT_NE(value.error().message.find("duplicate"), std::string::npos);
}

TEST(ParseStrictTest, NamesArrayIndexInPath) {
  Result<json> value = ParseStrict(R"({"taxes":[{"amount":"1"},{"amount":1.5}]})");
  ASSERT_FALSE(value.has_value());
  ASSERT_EQ(value.error().fields.size(), 1u);
  EXPECT_EQ(value.error().fields[0].field, "taxes[1].amount");
}

TEST(ParseStrictTest, RejectsNonAsciiKeys) {
  ExpectRejected("{\"caf\xc3\xa9\":1}");
  ExpectRejected(R"({"\u00e9":1})");
}

TEST(ParseStrictTest, AcceptsNonAsciiStringValues) {
  EXPECT_EQ(CanonicalOf(R"({"a":"Rp \u20ac caf\u00e9"})"), "{\"a\":\"Rp \xe2\x82\xac caf\xc3\xa9\"}");
}

TEST(ParseStrictTest, AcceptsDepthSixteen) {
  EXPECT_EQ(CanonicalOf(Nested(kJsonDepthMax)), Nested(kJsonDepthMax));
  const std::string objects = R"({"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":)"
                              R"({"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":1})"
                              R"(}}}}}}}}}}}}}}})";
  EXPECT_EQ(CanonicalOf(objects), objects);
}

TEST(ParseStrictTest, RejectsDepthSeventeen) {
  Result<json> value = ParseStrict(Nested(kJsonDepthMax + 1));
  ASSERT_FALSE(value.has_value());
  EXPECT_EQ(value.error().code, Code::kInvalidArgument);
  EXPECT_NE(value.error().message.find("nesting"), std::string::npos);
}

TEST(ParseStrictTest, RejectsVeryDeepNestingWithoutCrashing) {
  ExpectRejected(std::string(60000, '['));
}

TEST(ParseStrictTest, RejectsInvalidUtf8) {
  ExpectRejected("\"\xff\"");
  ExpectRejected("\"\xc3\"");              // Truncated sequence.
  ExpectRejected("\"\xc0\xaf\"");          // Overlong '/'.
  ExpectRejected("\"\xed\xa0\x80\"");      // Surrogate encoded in UTF-8.
  ExpectRejected("{\"a\":\"x\x80y\"}");
}

TEST(ParseStrictTest, RejectsLoneSurrogates) {
  ExpectRejected(R"("\ud800")");
  ExpectRejected(R"("\udc00")");
  ExpectRejected(R"("\ud800x")");
  ExpectRejected(R"("\ud800\u0041")");
}

TEST(ParseStrictTest, AcceptsSurrogatePair) {
  EXPECT_EQ(CanonicalOf(R"("\ud83d\ude02")"), "\"\xf0\x9f\x98\x82\"");
}

TEST(ParseStrictTest, RejectsTrailingGarbage) {
  ExpectRejected("{} x");
  ExpectRejected("{}{}");
  ExpectRejected("1 2");
}

TEST(ParseStrictTest, ReportsBytePositionOfSyntaxErrors) {
  Result<json> value = ParseStrict(R"({"a":tru})");
  ASSERT_FALSE(value.has_value());
  EXPECT_NE(value.error().message.find("byte"), std::string::npos);
}

TEST(ParseStrictTest, RejectsEmptyInput) {
  ExpectRejected("");
  ExpectRejected("   ");
}

TEST(ParseStrictTest, RejectsCommentsAndByteOrderMark) {
  ExpectRejected("{} // note");
  ExpectRejected("/* note */ {}");
  ExpectRejected("\xef\xbb\xbf{}");
}

TEST(ParseStrictTest, RejectsUnescapedControlCharacters) {
  ExpectRejected("\"a\nb\"");
  ExpectRejected(std::string("\"a\0b\"", 5));
}

TEST(ParseStrictTest, RejectsOversizedInputAsTooLarge) {
  const std::string big = "\"" + std::string(kEntryBytesMax, 'a') + "\"";
  Result<json> value = ParseStrict(big);
  ASSERT_FALSE(value.has_value());
  EXPECT_EQ(value.error().code, Code::kTooLarge);
}

TEST(ParseStrictTest, AcceptsInputOfExactlyTheLimit) {
  const std::string exact = "\"" + std::string(kEntryBytesMax - 2, 'a') + "\"";
  EXPECT_TRUE(ParseStrict(exact).has_value());
}

// Request bodies keep kEntryBytesMax (the default); readers of stored entries pass the
// stored-entry limit, which a bank statement may use.
TEST(ParseStrictTest, TheLimitIsAParameterWhoseDefaultIsTheEntryLimit) {
  const std::string over = "\"" + std::string(kEntryBytesMax - 1, 'a') + "\"";
  ASSERT_EQ(over.size(), kEntryBytesMax + 1);
  Result<json> by_default = ParseStrict(over);
  ASSERT_FALSE(by_default.has_value());
  EXPECT_EQ(by_default.error().code, Code::kTooLarge);
  EXPECT_EQ(by_default.error().message, "entry of 65537 bytes exceeds the limit of 65536 bytes");
  EXPECT_TRUE(ParseStrict(over, kEntryBytesMax + 1).has_value());
  EXPECT_TRUE(ParseStrict(over, kStoredEntryBytesMax).has_value());
  Result<json> smaller = ParseStrict("[1,2]", 4);
  ASSERT_FALSE(smaller.has_value());
  EXPECT_EQ(smaller.error().message, "entry of 5 bytes exceeds the limit of 4 bytes");

  const std::string stored_max = "\"" + std::string(kStoredEntryBytesMax - 2, 'b') + "\"";
  EXPECT_TRUE(ParseStrict(stored_max, kStoredEntryBytesMax).has_value());
  Result<json> past = ParseStrict(stored_max + " ", kStoredEntryBytesMax);
  ASSERT_FALSE(past.has_value());
  EXPECT_EQ(past.error().code, Code::kTooLarge);
}

TEST(EntryBytesMaxOfKindTest, OnlyBankStatementsTakeTheLargerLimit) {
  EXPECT_EQ(kEntryBytesMax, 65536u);
  EXPECT_EQ(kStatementEntryBytesMax, 64u * 1024 * 1024);
  EXPECT_EQ(kStoredEntryBytesMax, kStatementEntryBytesMax);
  EXPECT_EQ(EntryBytesMaxOfKind("bank_statement"), kStatementEntryBytesMax);
  for (const char* kind : {"genesis", "opd", "budget", "expenditure", "reversal", "tax_deposit",
                           "refund", "", "bank_statements", "Bank_statement"}) {
    EXPECT_EQ(EntryBytesMaxOfKind(kind), kEntryBytesMax) << kind;
  }
}

TEST(CanonicalizeTest, SortsKeysAndDropsWhitespace) {
  EXPECT_EQ(CanonicalOf("{ \"b\" : [ 1 , true , null ] ,\n \"a\" : { \"d\":false, \"c\":-7 } }"),
            R"({"a":{"c":-7,"d":false},"b":[1,true,null]})");
}

TEST(CanonicalizeTest, SortsKeysByByteNotByLength) {
  EXPECT_EQ(CanonicalOf(R"({"b":1,"a":2,"10":3,"1":4,"A":5,"":6})"),
            R"({"":6,"1":4,"10":3,"A":5,"a":2,"b":1})");
}

TEST(CanonicalizeTest, UsesMinimalEscapes) {
  EXPECT_EQ(CanonicalOf(R"("\"\\\/\b\f\n\r\t\u0001\u001F\u007f\u0041")"),
            "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f" "A\"");
}

TEST(CanonicalizeTest, EscapesControlCharactersInKeys) {
  EXPECT_EQ(CanonicalOf(R"({"\n":1,"\u0000":2})"), R"({"\u0000":2,"\n":1})");
}

TEST(CanonicalizeTest, WritesEmptyContainers) {
  EXPECT_EQ(CanonicalOf(R"({"a":[],"b":{},"c":[{}]})"), R"({"a":[],"b":{},"c":[{}]})");
}

TEST(CanonicalizeTest, IsIdempotent) {
  const std::string once = CanonicalOf(ReadTestdata("input/arrays.json"));
  EXPECT_EQ(CanonicalOf(once), once);
}

TEST(CanonicalizeTest, WritesValuesBuiltInCode) {
  json value = {{"seq", 3}, {"v", 1}, {"neg", -2}, {"s", "x"}};
  EXPECT_EQ(Canonicalize(value), R"({"neg":-2,"s":"x","seq":3,"v":1})");
}

TEST(CanonicalizeDeathTest, FloatAborts) {
  EXPECT_DEATH(Canonicalize(json(1.5)), "is_number_float");
}

TEST(CanonicalizeDeathTest, NonAsciiKeyAborts) {
  json value = json::object();
  value["caf\xc3\xa9"] = 1;
  EXPECT_DEATH(Canonicalize(value), "IsAscii");
}

}  // namespace
}  // namespace jejak::ledger

namespace jejak::ledger {
namespace {

// ParseCanonicalObject reads exactly the canonical bytes of objects ParseStrict accepts.
TEST(ParseCanonicalObjectTest, AcceptsCanonicalObjectsWithTheStrictValue) {
  for (const std::string& text : std::vector<std::string>{
           R"({})", R"({"a":[]})", R"({"":0,"a":{"b":[1,-2,{"c":null}]},"b":true,"c":false})",
           R"({"n":[-9223372036854775808,9223372036854775807,0,10]})",
           "{\"s\":\"\\u0000\\u001f\\b\\t\\n\\f\\r\\\"\\\\/\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}",
           R"({"A":1,"B":2,"a":3,"b":4})",
           R"({"d":[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]})"}) {
    const std::optional<json> fast = ParseCanonicalObject(text);
    ASSERT_TRUE(fast.has_value()) << text;
    const Result<json> strict = ParseStrict(text);
    ASSERT_TRUE(strict.has_value()) << text;
    EXPECT_EQ(*fast, *strict) << text;
    EXPECT_EQ(Canonicalize(*fast), text);
  }
  // Integers keep nlohmann's types: unsigned when not negative.
  const std::optional<json> numbers = ParseCanonicalObject(R"({"a":5,"b":-5})");
  ASSERT_TRUE(numbers.has_value());
  EXPECT_TRUE((*numbers)["a"].is_number_unsigned());
  EXPECT_TRUE((*numbers)["b"].is_number_integer() && !(*numbers)["b"].is_number_unsigned());
}

// Stored entries are read up to the stored-entry limit (a bank statement's), past the
// request limit; one byte more is refused.
TEST(ParseCanonicalObjectTest, ReadsObjectsUpToTheStoredEntryLimit) {
  const std::string prefix = "{\"a\":\"";
  const std::string past_entry = prefix + std::string(kEntryBytesMax, 'x') + "\"}";
  const std::optional<json> read = ParseCanonicalObject(past_entry);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ((*read)["a"].get_ref<const std::string&>().size(), kEntryBytesMax);
  std::string exact = prefix + std::string(kStoredEntryBytesMax - prefix.size() - 2, 'y') + "\"}";
  ASSERT_EQ(exact.size(), kStoredEntryBytesMax);
  EXPECT_TRUE(ParseCanonicalObject(exact).has_value());
  exact.insert(prefix.size(), "y");
  EXPECT_FALSE(ParseCanonicalObject(exact).has_value());
}

TEST(ParseCanonicalObjectTest, RejectsWhatIsNotCanonicalOrNotStrict) {
  for (const std::string& text : {
           std::string(""), std::string("[]"), std::string("1"), std::string("\"a\""),
           std::string(" {}"), std::string("{} "), std::string("{ }"),
           std::string(R"({"a": 1})"), std::string(R"({"b":1,"a":2})"),
           std::string(R"({"a":1,"a":1})"), std::string(R"({"a":-0})"),
           std::string(R"({"a":01})"), std::string(R"({"a":1.0})"), std::string(R"({"a":1e2})"),
           std::string(R"({"a":9223372036854775808})"),
           std::string(R"({"a":-9223372036854775809})"),
           std::string(R"({"a":18446744073709551616})"), std::string(R"({"a":"\/"})"),
           std::string(R"({"a":"\u0041"})"), std::string(R"({"a":"\u000a"})"),
           std::string(R"({"a":"\u001F"})"), std::string(R"({"a":"\ud83d\ude00"})"),
           std::string("{\"a\":\"\t\"}"), std::string("{\"a\":\"\xc3\"}"),
           std::string("{\"a\":\"\xc0\xaf\"}"), std::string("{\"a\":\"\xed\xa0\x80\"}"),
           std::string("{\"a\":\"\xf4\x90\x80\x80\"}"), std::string("{\"\xc3\xa9\":1}"),
           std::string("\xef\xbb\xbf{}"), std::string(R"({"a":tru})"), std::string(R"({"a":1,})"),
           std::string(R"({"a":[1,]})"), std::string(R"({"a":1}{})"),
           std::string(R"({"d":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]})"),
           std::string("{\"a\":\"") + std::string(kStoredEntryBytesMax, 'x') + "\"}"}) {
    EXPECT_FALSE(ParseCanonicalObject(text).has_value()) << text.substr(0, 80);
    // Each is either rejected by ParseStrict or not its canonical form.
    const Result<json> strict = ParseStrict(text);
    EXPECT_TRUE(!strict || !strict->is_object() || Canonicalize(*strict) != text)
        << text.substr(0, 80);
  }
}

}  // namespace
}  // namespace jejak::ledger
