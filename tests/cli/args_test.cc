// The option parser of every `jejak` command (cli/args.h): values, switches, positional
// arguments, and the options a command lets be given more than once (`--witness-key`)
// beside the ones it refuses twice.
#include "cli/args.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace jejak::cli {
namespace {

// The shape of `verify-bundle`: valued options, one of them repeatable, positionals.
ArgSpec VerifyBundleLike() {
  return ArgSpec{{"key", "witness-key", "quorum"}, {}, true, {"witness-key"}};
}

std::optional<Failure> Parse(const std::vector<std::string>& args, const ArgSpec& spec, Args& out) {
  out = Args{};
  return ParseArgs(args, spec, out);
}

TEST(ArgsTest, ValuesSwitchesAndPositionals) {
  Args args;
  ASSERT_FALSE(Parse({"--data", "d", "--listen=127.0.0.1:0", "--read-only", "x"},
                     ArgSpec{{"data", "listen"}, {"read-only"}, true}, args));
  EXPECT_EQ(args.Get("data"), "d");
  EXPECT_EQ(args.Get("listen"), "127.0.0.1:0");
  EXPECT_TRUE(args.Has("read-only"));
  EXPECT_FALSE(args.Has("data"));
  EXPECT_EQ(args.positional, std::vector<std::string>{"x"});
  EXPECT_EQ(args.Get("missing"), std::nullopt);
  EXPECT_TRUE(args.GetAll("missing").empty());
  EXPECT_EQ(args.GetAll("data"), std::vector<std::string>{"d"});
}

TEST(ArgsTest, RepeatableOptionKeepsEveryValueInOrder) {
  Args args;
  ASSERT_FALSE(Parse({"bundle", "--witness-key", "a.vkey", "--key", "log.vkey",
                      "--witness-key=b.vkey", "--witness-key", "c.vkey"},
                     VerifyBundleLike(), args));
  EXPECT_EQ(args.GetAll("witness-key"), (std::vector<std::string>{"a.vkey", "b.vkey", "c.vkey"}));
  EXPECT_EQ(args.Get("witness-key"), "a.vkey");
  EXPECT_EQ(args.Get("key"), "log.vkey");
  EXPECT_EQ(args.positional, std::vector<std::string>{"bundle"});
  EXPECT_TRUE(args.flags.find("witness-key") == args.flags.end());
}

TEST(ArgsTest, RepeatableOptionGivenOnceOrNever) {
  Args args;
  ASSERT_FALSE(Parse({"--witness-key", "a.vkey"}, VerifyBundleLike(), args));
  EXPECT_EQ(args.GetAll("witness-key"), std::vector<std::string>{"a.vkey"});
  ASSERT_FALSE(Parse({"--key", "log.vkey"}, VerifyBundleLike(), args));
  EXPECT_TRUE(args.GetAll("witness-key").empty());
  EXPECT_EQ(args.Get("witness-key"), std::nullopt);
}

TEST(ArgsTest, OtherOptionsStillRefuseRepeats) {
  Args args;
  std::optional<Failure> failure =
      Parse({"--witness-key", "a", "--quorum", "1", "--quorum", "2"}, VerifyBundleLike(), args);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->exit_code, kExitUsage);
  EXPECT_EQ(failure->reason, "option --quorum given twice");
  failure = Parse({"--key=a", "--key=b"}, VerifyBundleLike(), args);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->reason, "option --key given twice");
  // A switch is never repeatable.
  failure = Parse({"--full", "--full"}, ArgSpec{{}, {"full"}, false}, args);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->reason, "option --full given twice");
}

TEST(ArgsTest, RepeatableOptionStillNeedsAValueAndADeclaration) {
  Args args;
  std::optional<Failure> failure = Parse({"--witness-key"}, VerifyBundleLike(), args);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->reason, "option --witness-key needs a value");
  // Repeatable only means something for a declared valued option.
  failure = Parse({"--witness-key", "a"}, ArgSpec{{"key"}, {}, true, {"witness-key"}}, args);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->reason, "unknown option --witness-key");
}

TEST(ArgsTest, UsageErrors) {
  Args args;
  std::optional<Failure> failure = Parse({"--nope", "x"}, VerifyBundleLike(), args);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->reason, "unknown option --nope");
  failure = Parse({"x"}, ArgSpec{{"key"}, {}, false}, args);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->reason, "unexpected argument x");
  failure = Parse({"--full=yes"}, ArgSpec{{}, {"full"}, false}, args);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->reason, "option --full takes no value");
}

}  // namespace
}  // namespace jejak::cli
