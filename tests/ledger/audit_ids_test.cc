// Tests for the finding ids of ledger/audit.h (FindingId, AssignFindingIds): the id is
// the documented hash of rule, OPD, seqs and ordinal; it is stable, changes with any seq,
// and tells apart findings that share rule, OPD and seqs.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "ledger/audit.h"

namespace jejak::ledger {
namespace {

Finding Make(const std::string& rule, const std::string& opd, std::vector<std::int64_t> seqs) {
  Finding finding;
  finding.rule = rule;
  finding.opd = opd;
  finding.seqs = std::move(seqs);
  return finding;
}

TEST(FindingIdTest, IsTheFirstSixteenBytesOfTheCanonicalEncodingsHash) {
  const Finding finding = Make(kRuleLateRecording, "1.02.0.00.0.00.01.0000", {5, 12, 300});
  const std::string expected =
      crypto::ToHex(crypto::Sha256("jejak-finding-id/v1\nLATE_RECORDING\n1.02.0.00.0.00.01.0000\n5,12,300\n0"))
          .substr(0, 32);
  EXPECT_EQ(FindingId(finding, 0), expected);
  EXPECT_EQ(FindingId(finding, 0).size(), 2 * kFindingIdBytes);
  EXPECT_EQ(FindingId(finding, 0), FindingId(finding, 0));  // Stable.
}

TEST(FindingIdTest, ChangesWithEverySeqTheRuleTheOpdAndTheOrdinal) {
  const Finding base = Make(kRuleSplitPackage, "1.03.0.00.0.00.01.0000", {7, 8, 9});
  const std::string id = FindingId(base, 0);
  EXPECT_NE(FindingId(Make(kRuleSplitPackage, "1.03.0.00.0.00.01.0000", {7, 8}), 0), id);
  EXPECT_NE(FindingId(Make(kRuleSplitPackage, "1.03.0.00.0.00.01.0000", {7, 8, 9, 10}), 0), id);
  EXPECT_NE(FindingId(Make(kRuleSplitPackage, "1.03.0.00.0.00.01.0000", {7, 8, 19}), 0), id);
  // "78,9" and "7,89" must not collide: the separators are part of the encoding.
  EXPECT_NE(FindingId(Make(kRuleSplitPackage, "1.03.0.00.0.00.01.0000", {78, 9}), 0),
            FindingId(Make(kRuleSplitPackage, "1.03.0.00.0.00.01.0000", {7, 89}), 0));
  EXPECT_NE(FindingId(Make(kRuleDuplicatePayment, "1.03.0.00.0.00.01.0000", {7, 8, 9}), 0), id);
  EXPECT_NE(FindingId(Make(kRuleSplitPackage, "1.02.0.00.0.00.01.0000", {7, 8, 9}), 0), id);
  EXPECT_NE(FindingId(base, 1), id);
}

TEST(AssignFindingIdsTest, TellsApartFindingsSharingRuleOpdAndSeqsAndFillsOpdNames) {
  AuditInput input;
  input.opd_names = {{"1.02.0.00.0.00.01.0000", "Dinas Kesehatan"}};
  // Two tax types of one payment: the same rule, OPD and seqs.
  std::vector<Finding> findings = {Make(kRuleTaxNotDeposited, "1.02.0.00.0.00.01.0000", {4}),
                                   Make(kRuleTaxNotDeposited, "1.02.0.00.0.00.01.0000", {4}),
                                   Make(kRuleTaxNotDeposited, "1.03.0.00.0.00.01.0000", {4})};
  findings[2].opd_name = "kept";
  AssignFindingIds(input, findings);
  EXPECT_EQ(findings[0].id, FindingId(findings[0], 0));
  EXPECT_EQ(findings[1].id, FindingId(findings[1], 1));
  EXPECT_EQ(findings[2].id, FindingId(findings[2], 0));
  EXPECT_NE(findings[0].id, findings[1].id);
  EXPECT_EQ(findings[0].opd_name, "Dinas Kesehatan");
  EXPECT_EQ(findings[2].opd_name, "kept");  // Not in the registry: left as the rule set it.
}

TEST(AssignFindingIdsTest, RunAuditRulesGivesEveryFindingItsId) {
  AuditInput input;
  input.fiscal_year = 2025;
  input.as_of = "2025-12-31";
  input.opd_names = {{"1.02.0.00.0.00.01.0000", "Dinas Kesehatan"}};
  for (std::int64_t seq = 1; seq <= 3; ++seq) {
    ExpenditureFacts e;
    e.seq = seq;
    e.fiscal_year = 2025;
    e.opd = "1.02.0.00.0.00.01.0000";
    e.sub_activity = "1.02.01.2.02.0001";
    e.account = "5.1.02.01.01.0024";
    e.instrument = "cash";
    e.value_date = "2025-03-0" + std::to_string(seq);
    e.recorded_at = "2025-09-01T03:00:00.000Z";
    e.gross_sen = 5'000'000LL * 100;
    input.expenditures.push_back(e);
  }
  const std::vector<Finding> findings = RunAuditRules(input, AuditRules{});
  ASSERT_FALSE(findings.empty());
  std::vector<Finding> copy = findings;
  AssignFindingIds(input, copy);
  for (std::size_t i = 0; i < findings.size(); ++i) {
    EXPECT_EQ(findings[i].id.size(), 2 * kFindingIdBytes) << findings[i].rule;
    EXPECT_EQ(findings[i].id, copy[i].id);
    EXPECT_EQ(findings[i].opd_name, "Dinas Kesehatan");
  }
}

}  // namespace
}  // namespace jejak::ledger
