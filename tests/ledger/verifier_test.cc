// Tests of ledger/verifier.h's rules beyond the hashes: the year totals (ledger/totals.h),
// time that never runs backwards and each kind's size limit (ledger/limits.h), on stored
// entries built here byte for byte as the store would write them (so that only the rule
// under test is broken).
#include "ledger/verifier.h"

#include <array>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crypto/ed25519.h"
#include "ledger/canonical.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/limits.h"
#include "tests/ledger/large_statement.h"

namespace jejak::ledger {
namespace {

using nlohmann::json;

constexpr char kOrigin[] = "jejak.test/verifier";
constexpr char kOpd[] = "1.02.0.00.0.00.01.0000";

NoteSigner Signer() {
  std::array<std::uint8_t, 32> seed{};
  seed[0] = 3;
  return MakeSigner(kOrigin, crypto::KeyFromSeed(seed));
}

json Expenditure(int n, const std::string& gross) {
  return {{"kind", "expenditure"},
          {"fiscal_year", 2026},
          {"opd", kOpd},
          {"sub_activity", "1.02.02.2.01.0014"},
          {"account", "5.1.02.01.01.0024"},
          {"mechanism", "LS"},
          {"instrument", "sp2d_ls"},
          {"value_date", "2026-03-02"},
          {"gross", gross},
          {"taxes", json::array()},
          {"net", gross},
          {"payee", {{"name", "PT Contoh"}, {"bank", "Bank Bengkulu"}, {"account_no", "001"},
                     {"account_name", "PT CONTOH"}}},
          {"bank_ref", "SP2D-" + std::to_string(n)},
          {"documents", {{"evidence_no", "KW-" + std::to_string(n)}}},
          {"description", "Belanja modal"}};
}

// Feeds entries to a ChainVerifier as stored bytes; returns the first problem, if any.
class Ledger {
 public:
  Ledger() : verifier_(VerifierOf(Signer())) {
    EXPECT_TRUE(Add({{"kind", "genesis"},
         {"ledger_id", "verifier-test"},
         {"origin", kOrigin},
         {"region", "Pemerintah Kabupaten Uji"},
         {"checkpoint_key", FormatVerifierKey(VerifierOf(Signer()))}},
        "2026-03-01T00:00:00.000Z").has_value());
    EXPECT_TRUE(Add({{"kind", "opd"}, {"code", kOpd}, {"name", "Dinas Kesehatan"}},
                    "2026-03-01T00:00:00.000Z").has_value());
  }

  Result<RecomputedEntry> Add(const json& body, const std::string& recorded_at) {
    Result<json> valid =
        body["kind"] == "genesis" ? ValidateGenesis(body) : ValidateBody(body);
    EXPECT_TRUE(valid.has_value()) << valid.error().ToString();
    const json entry = StampEntry(*valid, Stamp{seq_++, recorded_at, "tester"});
    last_time_ = recorded_at;
    return verifier_.Add(Canonicalize(entry));
  }

  // `body` (valid) as the store would stamp it next, for a test to alter.
  json Stamped(const json& body, const std::string& recorded_at) const {
    Result<json> valid = ValidateBody(body);
    EXPECT_TRUE(valid.has_value()) << valid.error().ToString();
    return StampEntry(*valid, Stamp{seq_, recorded_at, "tester"});
  }

  // Feeds stored bytes as they are (the seq they name must be the next).
  Result<RecomputedEntry> AddBytes(std::string_view canonical) { return verifier_.Add(canonical); }

  std::optional<Problem> Checkpoint(const std::string& time) {
    const ledger::Checkpoint checkpoint{kOrigin, verifier_.size(), verifier_.root(),
                                        verifier_.chain_hash(), time};
    return verifier_.CheckCheckpoint(SignCheckpoint(checkpoint, Signer()));
  }

 private:
  ChainVerifier verifier_;
  std::int64_t seq_ = 0;
  std::string last_time_;
};

TEST(ChainVerifierTest, ReportsAYearWhoseExpendituresPassTheBound) {
  Ledger ledger;
  ASSERT_TRUE(ledger.Add(Expenditure(1, "9999999999999999.99"), "2026-03-02T08:00:00.000Z"));
  Result<RecomputedEntry> second =
      ledger.Add(Expenditure(2, "9999999999999999.99"), "2026-03-02T08:00:00.000Z");
  ASSERT_FALSE(second.has_value());
  const Problem problem = ProblemOf(second.error());
  EXPECT_EQ(problem.seq, 3);
  EXPECT_NE(problem.what.find("year totals"), std::string::npos) << problem.what;
}

TEST(ChainVerifierTest, ReportsAnEntryRecordedBeforeTheOneBeforeIt) {
  Ledger ledger;
  ASSERT_TRUE(ledger.Add(Expenditure(1, "100"), "2026-03-02T08:00:00.000Z"));
  Result<RecomputedEntry> earlier = ledger.Add(Expenditure(2, "100"), "2026-03-02T07:59:59.999Z");
  ASSERT_FALSE(earlier.has_value());
  EXPECT_NE(ProblemOf(earlier.error()).what.find("clock ran backwards"), std::string::npos);
}

TEST(ChainVerifierTest, ReportsACheckpointSignedBeforeItsEntriesOrTheCheckpointBefore) {
  Ledger ledger;
  ASSERT_TRUE(ledger.Add(Expenditure(1, "100"), "2026-03-02T08:00:00.000Z"));
  std::optional<Problem> before_entries = ledger.Checkpoint("2026-03-02T07:00:00.000Z");
  ASSERT_TRUE(before_entries.has_value());
  EXPECT_NE(before_entries->what.find("clock ran backwards"), std::string::npos);

  EXPECT_FALSE(ledger.Checkpoint("2026-03-02T09:00:00.000Z").has_value());
  // An entry recorded before the checkpoint that already covered the ledger.
  Result<RecomputedEntry> after = ledger.Add(Expenditure(2, "100"), "2026-03-02T08:30:00.000Z");
  ASSERT_FALSE(after.has_value());
  EXPECT_NE(ProblemOf(after.error()).what.find("earlier than the checkpoint"), std::string::npos);
}

TEST(ChainVerifierTest, AcceptsEqualTimesAndIncreasingCheckpoints) {
  Ledger ledger;
  ASSERT_TRUE(ledger.Add(Expenditure(1, "100"), "2026-03-02T08:00:00.000Z"));
  ASSERT_TRUE(ledger.Add(Expenditure(2, "100"), "2026-03-02T08:00:00.000Z"));
  EXPECT_FALSE(ledger.Checkpoint("2026-03-02T08:00:00.000Z").has_value());
  ASSERT_TRUE(ledger.Add(Expenditure(3, "100"), "2026-03-02T08:00:00.001Z"));
  EXPECT_FALSE(ledger.Checkpoint("2026-03-02T08:00:00.001Z").has_value());
}

// Every kind but bank_statement keeps kEntryBytesMax: a stored expenditure one byte over it
// is flagged by its size before it is validated, one at the limit only by validation (its
// description is far too long). A bank statement may pass kEntryBytesMax, up to
// kStatementEntryBytesMax, and must then validate as one.
TEST(ChainVerifierTest, OnlyABankStatementMayPassTheEntryLimit) {
  Ledger ledger;
  const std::string time = "2026-04-01T08:00:00.000Z";
  json expenditure = ledger.Stamped(Expenditure(1, "100"), time);
  expenditure["description"] = "";
  const std::size_t base = Canonicalize(expenditure).size();
  expenditure["description"] = std::string(kEntryBytesMax + 1 - base, 'a');
  const std::string over = Canonicalize(expenditure);
  ASSERT_EQ(over.size(), kEntryBytesMax + 1);
  Result<RecomputedEntry> flagged = ledger.AddBytes(over);
  ASSERT_FALSE(flagged.has_value());
  EXPECT_EQ(ProblemOf(flagged.error()).seq, 2);
  EXPECT_EQ(ProblemOf(flagged.error()).what,
            "stored entry of 65537 bytes is larger than 65536 bytes");
  // Its kind decides, not what it holds: the same bytes calling themselves a statement are
  // within the statement limit, and fail as an invalid statement instead.
  json relabelled = expenditure;
  relabelled["kind"] = "bank_statement";
  Result<RecomputedEntry> invalid = ledger.AddBytes(Canonicalize(relabelled));
  ASSERT_FALSE(invalid.has_value());
  EXPECT_EQ(ProblemOf(invalid.error()).what.rfind("stored entry is invalid: ", 0), 0u)
      << invalid.error().message;
  expenditure["description"] = std::string(kEntryBytesMax - base, 'a');
  Result<RecomputedEntry> at_limit = ledger.AddBytes(Canonicalize(expenditure));
  ASSERT_FALSE(at_limit.has_value());
  EXPECT_EQ(ProblemOf(at_limit.error()).what.rfind("stored entry is invalid: ", 0), 0u)
      << at_limit.error().message;

  // A statement of 1,000 lines is well past kEntryBytesMax and verifies.
  const std::string statement =
      Canonicalize(ledger.Stamped(test_support::LargeStatement(1000), time));
  ASSERT_GT(statement.size(), kEntryBytesMax);
  Result<RecomputedEntry> added = ledger.AddBytes(statement);
  ASSERT_TRUE(added.has_value()) << added.error().ToString();
  EXPECT_EQ(added->columns.kind, "bank_statement");
  EXPECT_EQ(added->leaf_hash, LeafHash(statement));
}

TEST(ChainVerifierTest, AStatementPastTheStatementLimitIsFlagged) {
  Ledger ledger;
  json statement = ledger.Stamped(test_support::LargeStatement(10), "2026-04-01T08:00:00.000Z");
  statement["statement_no"] = "";
  const std::size_t base = Canonicalize(statement).size();
  statement["statement_no"] = std::string(kStatementEntryBytesMax + 1 - base, '7');
  const std::string over = Canonicalize(statement);
  ASSERT_EQ(over.size(), kStatementEntryBytesMax + 1);
  Result<RecomputedEntry> flagged = ledger.AddBytes(over);
  ASSERT_FALSE(flagged.has_value());
  EXPECT_EQ(ProblemOf(flagged.error()).what,
            "stored bytes are not valid entry JSON: entry of 67108865 bytes exceeds the limit of "
            "67108864 bytes");
}

}  // namespace
}  // namespace jejak::ledger
