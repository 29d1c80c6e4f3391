// tlog-witness.md add-checkpoint wire format: the spec's example request parses, a
// formatted request parses back to itself, and each malformed shape is refused with a
// reason (a 400 at the witness).
#include "ledger/witness.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/encoding.h"

namespace jejak::ledger {
namespace {

// The example body of tlog-witness.md "add-checkpoint", byte for byte.
constexpr std::string_view kSpecExample =
    "old 20852014\n"
    "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
    "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
    "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n"
    "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n"
    "\n"
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "\xe2\x80\x94 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

TEST(WitnessFormat, ParsesTheSpecExample) {
  Result<AddCheckpointRequest> request = ParseAddCheckpointRequest(kSpecExample);
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->old_size, 20852014u);
  ASSERT_EQ(request->proof.size(), 4u);
  EXPECT_EQ(crypto::Base64Encode(request->proof[0]), "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=");
  EXPECT_EQ(crypto::Base64Encode(request->proof[3]), "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=");
  EXPECT_EQ(request->checkpoint.substr(0, 28), "example.com/behind-the-sofa\n");
  EXPECT_EQ(FormatAddCheckpointRequest(*request), kSpecExample);
}

TEST(WitnessFormat, EmptyProofRoundTrips) {
  AddCheckpointRequest request{0, {}, "o\n1\nAAAA\n\n\xe2\x80\x94 o x\n"};
  const std::string body = FormatAddCheckpointRequest(request);
  EXPECT_EQ(body.substr(0, 7), "old 0\n\n");
  Result<AddCheckpointRequest> parsed = ParseAddCheckpointRequest(body);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->old_size, 0u);
  EXPECT_TRUE(parsed->proof.empty());
  EXPECT_EQ(parsed->checkpoint, request.checkpoint);
}

TEST(WitnessFormat, RefusesMalformedBodies) {
  const std::string hash = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n";
  const std::string checkpoint = "o\n1\nAAAA\n\n\xe2\x80\x94 o x\n";
  std::string too_many = "old 1\n";
  for (std::size_t i = 0; i <= kWitnessProofLinesMax; ++i) too_many += hash;
  too_many += "\n" + checkpoint;
  for (const std::string& body : std::vector<std::string>{
           std::string(""),
           "new 1\n\n" + checkpoint,          // Not "old".
           "old 01\n\n" + checkpoint,         // Leading zero.
           "old -1\n\n" + checkpoint,         // Not a decimal.
           "old 18446744073709551616\n\n" + checkpoint,  // 2^64.
           "old 1\n" + hash,                  // No blank line.
           "old 1\n" + hash + "\n",           // No checkpoint.
           "old 1\nAAAA\n\n" + checkpoint,    // Proof line of 3 bytes.
           "old 1\n!!!!\n\n" + checkpoint,    // Not base64.
           std::string("old 1"),              // No newline at all.
           too_many,
       }) {
    Result<AddCheckpointRequest> parsed = ParseAddCheckpointRequest(body);
    ASSERT_FALSE(parsed) << body;
    EXPECT_EQ(parsed.error().code, Code::kInvalidArgument);
  }
  std::string exactly_max = "old 1\n";
  for (std::size_t i = 0; i < kWitnessProofLinesMax; ++i) exactly_max += hash;
  EXPECT_TRUE(ParseAddCheckpointRequest(exactly_max + "\n" + checkpoint));
}

TEST(WitnessFormat, TreeSizeBody) {
  EXPECT_EQ(FormatTreeSizeBody(42), "42\n");
  EXPECT_EQ(ParseTreeSizeBody("42\n").value(), 42u);
  EXPECT_EQ(ParseTreeSizeBody("0\n").value(), 0u);
  EXPECT_FALSE(ParseTreeSizeBody("42"));
  EXPECT_FALSE(ParseTreeSizeBody("042\n"));
  EXPECT_FALSE(ParseTreeSizeBody("\n"));
  EXPECT_FALSE(ParseTreeSizeBody("4 2\n"));
}

}  // namespace
}  // namespace jejak::ledger
