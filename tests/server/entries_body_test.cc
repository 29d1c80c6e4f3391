// The 201 body of an append (AppendedBody, server/handlers/entries.cc) splices the stored
// canonical bytes instead of parsing and dumping them again: these tests hold it to the
// bytes the parsed-and-dumped body had, for entries with every kind of escape, non-ASCII
// text and extreme integers, and check that a replayed entry is still parsed.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "ledger/canonical.h"
#include "server/handlers/handlers.h"

namespace jejak::server {
namespace {

using nlohmann::json;

// The body as the handler built it before: the canonical entry parsed, then the whole
// response dumped as JsonCreated does.
std::string ParsedAndDumped(const AppendResult& result, const AppendWitnesses& witnesses) {
  Result<json> entry = ledger::ParseStrict(result.receipt.canonical);
  EXPECT_TRUE(entry.has_value());
  std::vector<std::string> proof;
  for (const ledger::Digest& digest : result.inclusion_proof) proof.push_back(crypto::ToHex(digest));
  const json response = {{"entry", entry ? *entry : json()},
                         {"leaf_hash", crypto::ToHex(result.receipt.leaf_hash)},
                         {"chain_hash", crypto::ToHex(result.receipt.chain_hash)},
                         {"tree_size", result.tree_size},
                         {"checkpoint", result.checkpoint + witnesses.lines},
                         {"inclusion_proof", proof},
                         {"warnings", json::array()},
                         {"witnesses", {{"cosigned", witnesses.cosigned}, {"quorum", witnesses.quorum}}}};
  return response.dump(-1, ' ', false, json::error_handler_t::replace);
}

AppendResult ResultFor(const json& entry, std::size_t proof_length) {
  AppendResult result;
  result.receipt.seq = 42;
  result.receipt.canonical = ledger::Canonicalize(entry);
  result.receipt.leaf_hash.fill(0xab);
  result.receipt.chain_hash.fill(0x01);
  result.tree_size = 1234567;
  result.checkpoint = "jejak.test/kabupaten\n1234567\nq83+\n\n\xe2\x80\x94 jejak.test abc=\n";
  for (std::size_t i = 0; i < proof_length; ++i) {
    ledger::Digest digest{};
    digest.fill(static_cast<std::uint8_t>(i));
    result.inclusion_proof.push_back(digest);
  }
  return result;
}

TEST(AppendedBodyTest, EqualsTheParsedAndDumpedBodyForEveryKindOfValue) {
  const std::vector<json> entries = {
      {{"kind", "expenditure"}, {"seq", 42}, {"gross", "1250000.00"}},
      {{"z", "last"}, {"a", "first"}, {"M", "upper"}, {"_", "under"}, {"0", "digit"}},
      {{"text", "quote \" backslash \\ slash / tab \t newline \n return \r"}},
      {{"text", std::string("controls \x01\x02\x1f\b\f and DEL \x7f", 27)}},
      {{"text", "Rp 1.250.000 \xe2\x80\x94 Dinas Kesehatan \xc3\xa9\xf0\x9f\x98\x80"}},
      {{"big", std::numeric_limits<std::int64_t>::max()},
       {"small", std::numeric_limits<std::int64_t>::min()},
       {"zero", 0},
       {"negative", -17}},
      {{"nested", {{"b", json::array({1, "two", nullptr, true, false, json::object()})},
                   {"a", {{"y", json::array()}, {"x", "\xe2\x82\xac"}}}}}},
      {{"empty", ""}, {"null", nullptr}},
  };
  for (const json& entry : entries) {
    for (std::size_t proof_length : {0u, 1u, 17u}) {
      const AppendResult result = ResultFor(entry, proof_length);
      for (const AppendWitnesses& witnesses :
           {AppendWitnesses{}, AppendWitnesses{1, 2, "\xe2\x80\x94 inspektorat.test AAAA\n"}}) {
        Result<std::string> body = AppendedBody(result, witnesses);
        ASSERT_TRUE(body.has_value());
        EXPECT_EQ(*body, ParsedAndDumped(result, witnesses)) << result.receipt.canonical;
      }
    }
  }
}

TEST(AppendedBodyTest, AReplayedEntryIsParsedAndRefusedIfItIsNotJson) {
  AppendResult result = ResultFor({{"kind", "opd"}, {"code", "1"}}, 3);
  result.replayed = true;
  Result<std::string> body = AppendedBody(result, AppendWitnesses{});
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(*body, ParsedAndDumped(result, AppendWitnesses{}));
  result.receipt.canonical = "{\"kind\":";  // Damaged in the database.
  Result<std::string> damaged = AppendedBody(result, AppendWitnesses{});
  ASSERT_FALSE(damaged.has_value());
  EXPECT_EQ(damaged.error().code, Code::kDataLoss);
}

}  // namespace
}  // namespace jejak::server
