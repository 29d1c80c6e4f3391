// Tests for ledger/audit.h: each rule fires with exact amounts, seqs and severity, and
// stays quiet just past its thresholds; plus ordering and a 100,000-expenditure run
// (FormatRupiah and TaxDepositDeadline: audit_format_test.cc).
#include "ledger/audit.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

namespace jejak::ledger {
namespace {

constexpr const char* kOpd = "1.02.0.00.0.00.01.0000";
constexpr const char* kOtherOpd = "1.02.0.00.0.00.02.0000";
constexpr const char* kSubActivity = "1.02.01.2.02.0001";
constexpr const char* kAccount = "5.1.02.01.01.0024";
constexpr std::int64_t kMillion = 1'000'000LL * 100;  // Rp1 million in sen.

// An unreversed transfer of `gross_sen` on `value_date`, recorded the same day, to a
// payee of its own (so no two defaults look like one payee).
ExpenditureFacts Spend(std::int64_t seq, const std::string& value_date, std::int64_t gross_sen) {
  ExpenditureFacts e;
  e.seq = seq;
  e.fiscal_year = 2025;
  e.opd = kOpd;
  e.sub_activity = kSubActivity;
  e.account = kAccount;
  e.instrument = "cms_transfer";
  e.value_date = value_date;
  e.recorded_at = value_date + "T03:00:00.000Z";
  e.payee_account = "bri:" + std::to_string(1000 + seq);
  e.gross_sen = gross_sen;
  return e;
}

AuditInput Input(std::vector<ExpenditureFacts> expenditures) {
  AuditInput input;
  input.fiscal_year = 2025;
  input.expenditures = std::move(expenditures);
  input.as_of = "2025-12-31";
  return input;
}

std::vector<Finding> Audit(const AuditInput& input, const AuditRules& rules = AuditRules{}) {
  return RunAuditRules(input, rules);
}

std::vector<Finding> OfRule(const std::vector<Finding>& findings, const std::string& rule) {
  std::vector<Finding> out;
  for (const Finding& f : findings) {
    if (f.rule == rule) out.push_back(f);
  }
  return out;
}

std::vector<Finding> RunRule(const AuditInput& input, const std::string& rule,
                             const AuditRules& rules = AuditRules{}) {
  return OfRule(Audit(input, rules), rule);
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void ExpectTexts(const Finding& finding) {
  EXPECT_FALSE(finding.kondisi.empty());
  EXPECT_FALSE(finding.kriteria.empty());
  EXPECT_FALSE(finding.sebab.empty());
  EXPECT_FALSE(finding.akibat.empty());
  EXPECT_TRUE(Contains(finding.rekomendasi, "BPK merekomendasikan Kepala Daerah agar memerintahkan "
                                            "Kepala OPD "))
      << finding.rekomendasi;
  EXPECT_TRUE(Contains(finding.rekomendasi, "selaku Pengguna Anggaran untuk"));
}

using Seqs = std::vector<std::int64_t>;


// ----- OVER_PAGU ------------------------------------------------------------------------

AuditInput WithBudget(AuditInput input, std::int64_t pagu_sen) {
  input.budgets.push_back(BudgetFacts{7, kOpd, kSubActivity, kAccount, pagu_sen});
  return input;
}

TEST(OverPaguTest, FiresOnRealisationAbovePagu) {
  const AuditInput input = WithBudget(
      Input({Spend(10, "2025-03-01", 60 * kMillion), Spend(11, "2025-03-05", 50 * kMillion)}),
      100 * kMillion);
  const std::vector<Finding> findings = RunRule(input, kRuleOverPagu);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, "high");
  EXPECT_EQ(findings[0].opd, kOpd);
  EXPECT_EQ(findings[0].seqs, (Seqs{10, 11}));
  EXPECT_EQ(findings[0].amount_sen, 10 * kMillion);
  EXPECT_TRUE(Contains(findings[0].kondisi, "Rp 110.000.000,00")) << findings[0].kondisi;
  EXPECT_TRUE(Contains(findings[0].kondisi, "Rp 100.000.000,00"));
  EXPECT_TRUE(Contains(findings[0].kondisi, "Rp 10.000.000,00"));
  EXPECT_TRUE(Contains(findings[0].kriteria, "Peraturan Pemerintah Nomor 12 Tahun 2019"));
  ExpectTexts(findings[0]);
}

TEST(OverPaguTest, RealisationEqualToPaguDoesNotFire) {
  const AuditInput input = WithBudget(
      Input({Spend(10, "2025-03-01", 60 * kMillion), Spend(11, "2025-03-05", 40 * kMillion)}),
      100 * kMillion);
  EXPECT_TRUE(RunRule(input, kRuleOverPagu).empty());
}

TEST(OverPaguTest, ReversedExpenditureDoesNotCount) {
  AuditInput input = WithBudget(
      Input({Spend(10, "2025-03-01", 60 * kMillion), Spend(11, "2025-03-05", 50 * kMillion)}),
      100 * kMillion);
  input.expenditures[1].reversed_by = 12;
  EXPECT_TRUE(RunRule(input, kRuleOverPagu).empty());
}

TEST(OverPaguTest, FiresOnRealisationWithoutBudgetLine) {
  AuditInput input = WithBudget(
      Input({Spend(10, "2025-03-01", 5 * kMillion), Spend(11, "2025-03-05", 3 * kMillion)}),
      100 * kMillion);
  input.expenditures[1].sub_activity = "1.02.01.2.02.0002";  // No budget line.
  const std::vector<Finding> findings = RunRule(input, kRuleOverPagu);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].seqs, (Seqs{11}));
  EXPECT_EQ(findings[0].amount_sen, 3 * kMillion);
  EXPECT_EQ(findings[0].severity, "high");
  EXPECT_TRUE(Contains(findings[0].kondisi, "tidak terdapat pagu")) << findings[0].kondisi;
  EXPECT_TRUE(Contains(findings[0].kondisi, "Rp 3.000.000,00"));
}

TEST(OverPaguTest, NewestBudgetOfLineIsInForce) {
  AuditInput input = WithBudget(Input({Spend(10, "2025-03-01", 60 * kMillion)}), 100 * kMillion);
  input.budgets.push_back(BudgetFacts{3, kOpd, kSubActivity, kAccount, 50 * kMillion});
  const std::vector<Finding> findings = RunRule(input, kRuleOverPagu);
  EXPECT_TRUE(findings.empty());  // Seq 7 (Rp100 million) is newer than seq 3.
}

// ----- SPLIT_PACKAGE --------------------------------------------------------------------

// A direct procurement (PL) to the payee with `npwp`.
ExpenditureFacts ToPayee(ExpenditureFacts e, const std::string& npwp) {
  e.payee_npwp = npwp;
  e.procurement_method = "PL";
  return e;
}

TEST(SplitPackageTest, FiresOnPaymentsSplitUnderTheCap) {
  const AuditInput input = Input({ToPayee(Spend(5, "2025-04-01", 80 * kMillion), "01.234"),
                                  ToPayee(Spend(6, "2025-04-10", 80 * kMillion), "01.234"),
                                  ToPayee(Spend(9, "2025-04-21", 80 * kMillion), "01.234")});
  const std::vector<Finding> findings = RunRule(input, kRuleSplitPackage);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, "high");
  EXPECT_EQ(findings[0].seqs, (Seqs{5, 6, 9}));
  EXPECT_EQ(findings[0].amount_sen, 240 * kMillion);
  EXPECT_TRUE(Contains(findings[0].kondisi, "Rp 240.000.000,00")) << findings[0].kondisi;
  EXPECT_TRUE(Contains(findings[0].kondisi, "Rp 200.000.000,00"));
  EXPECT_TRUE(Contains(findings[0].kondisi, "3 paket pengadaan langsung"));
  EXPECT_TRUE(Contains(findings[0].kondisi, "kepada 1 penyedia"));
  EXPECT_TRUE(Contains(findings[0].kondisi, "1 April 2025 s.d. 21 April 2025"));
  EXPECT_TRUE(Contains(findings[0].kriteria, "Pasal 20 ayat (2) huruf d")) << findings[0].kriteria;
  ExpectTexts(findings[0]);
}

TEST(SplitPackageTest, SumAtTheCapDoesNotFire) {
  const AuditInput input = Input({ToPayee(Spend(5, "2025-04-01", 100 * kMillion), "01.234"),
                                  ToPayee(Spend(6, "2025-04-10", 100 * kMillion), "01.234")});
  EXPECT_TRUE(RunRule(input, kRuleSplitPackage).empty());
}

TEST(SplitPackageTest, ConfiguredWindowThirtyDaysApartFiresThirtyOneDoesNot) {
  AuditRules rules;
  rules.split_window_days = 30;
  const AuditInput thirty = Input({ToPayee(Spend(5, "2025-04-01", 150 * kMillion), "01.234"),
                                   ToPayee(Spend(6, "2025-05-01", 150 * kMillion), "01.234")});
  EXPECT_EQ(RunRule(thirty, kRuleSplitPackage, rules).size(), 1u);
  const AuditInput thirty_one = Input({ToPayee(Spend(5, "2025-04-01", 150 * kMillion), "01.234"),
                                       ToPayee(Spend(6, "2025-05-02", 150 * kMillion), "01.234")});
  EXPECT_TRUE(RunRule(thirty_one, kRuleSplitPackage, rules).empty());
  // The default window is the whole fiscal year.
  const AuditInput year = Input({ToPayee(Spend(5, "2025-01-02", 150 * kMillion), "01.234"),
                                 ToPayee(Spend(6, "2025-12-30", 150 * kMillion), "01.234")});
  EXPECT_EQ(RunRule(year, kRuleSplitPackage).size(), 1u);
}

TEST(SplitPackageTest, DifferentPayeesOnOneLineStillSplit) {
  const AuditInput input = Input({ToPayee(Spend(5, "2025-04-01", 150 * kMillion), "01.234"),
                                  ToPayee(Spend(6, "2025-04-02", 150 * kMillion), "09.876")});
  const std::vector<Finding> findings = RunRule(input, kRuleSplitPackage);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(Contains(findings[0].kondisi, "kepada 2 penyedia")) << findings[0].kondisi;
}

TEST(SplitPackageTest, DifferentAccountSubActivityOrOpdDoesNotFire) {
  AuditInput input = Input({ToPayee(Spend(5, "2025-04-01", 150 * kMillion), "01.234"),
                            ToPayee(Spend(6, "2025-04-02", 150 * kMillion), "01.234")});
  input.expenditures[1].account = "5.1.02.01.01.0025";
  EXPECT_TRUE(RunRule(input, kRuleSplitPackage).empty());
  input.expenditures[1].account = kAccount;
  input.expenditures[1].sub_activity = "1.02.01.2.02.0009";
  EXPECT_TRUE(RunRule(input, kRuleSplitPackage).empty());
  input.expenditures[1].sub_activity = kSubActivity;
  input.expenditures[1].opd = kOtherOpd;
  EXPECT_TRUE(RunRule(input, kRuleSplitPackage).empty());
}

TEST(SplitPackageTest, ReversedPaymentDoesNotCount) {
  AuditInput input = Input({ToPayee(Spend(5, "2025-04-01", 150 * kMillion), "01.234"),
                            ToPayee(Spend(6, "2025-04-02", 150 * kMillion), "01.234")});
  input.expenditures[0].reversed_by = 7;
  EXPECT_TRUE(RunRule(input, kRuleSplitPackage).empty());
}

TEST(SplitPackageTest, PaymentAboveTheCapIsNotPartOfASplit) {
  // Seq 5 would have needed a tender anyway; 10 million alone is no split.
  const AuditInput input = Input({ToPayee(Spend(5, "2025-04-01", 250 * kMillion), "01.234"),
                                  ToPayee(Spend(6, "2025-04-02", 10 * kMillion), "01.234")});
  EXPECT_TRUE(RunRule(input, kRuleSplitPackage).empty());
}

TEST(SplitPackageTest, OnlyDirectProcurementsCount) {
  AuditInput input = Input({ToPayee(Spend(5, "2025-04-01", 150 * kMillion), "01.234"),
                            ToPayee(Spend(6, "2025-04-02", 150 * kMillion), "01.234")});
  input.expenditures[1].procurement_method = "epurchasing";
  EXPECT_TRUE(RunRule(input, kRuleSplitPackage).empty());
  input.expenditures[1].procurement_method.clear();  // No procurement block: not seen.
  EXPECT_TRUE(RunRule(input, kRuleSplitPackage).empty());
}

TEST(SplitPackageTest, OverlappingWindowsMergeIntoOneCluster) {
  // With a 30-day window, windows {5, 6} and {6, 7} both exceed the cap and share seq 6:
  // one finding, though seqs 5 and 7 are 40 days apart.
  AuditRules rules;
  rules.split_window_days = 30;
  const AuditInput input = Input({ToPayee(Spend(5, "2025-04-01", 120 * kMillion), "01.234"),
                                  ToPayee(Spend(6, "2025-04-21", 120 * kMillion), "01.234"),
                                  ToPayee(Spend(7, "2025-05-11", 120 * kMillion), "01.234")});
  const std::vector<Finding> findings = RunRule(input, kRuleSplitPackage, rules);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].seqs, (Seqs{5, 6, 7}));
  EXPECT_EQ(findings[0].amount_sen, 360 * kMillion);
}

TEST(SplitPackageTest, DisjointClustersAreSeparateFindings) {
  AuditRules rules;
  rules.split_window_days = 30;
  const AuditInput input = Input({ToPayee(Spend(5, "2025-02-01", 120 * kMillion), "01.234"),
                                  ToPayee(Spend(6, "2025-02-10", 120 * kMillion), "01.234"),
                                  ToPayee(Spend(7, "2025-03-13", 120 * kMillion), "01.234"),
                                  ToPayee(Spend(8, "2025-03-20", 120 * kMillion), "01.234")});
  const std::vector<Finding> findings = RunRule(input, kRuleSplitPackage, rules);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].seqs, (Seqs{5, 6}));
  EXPECT_EQ(findings[1].seqs, (Seqs{7, 8}));
  EXPECT_EQ(findings[1].amount_sen, 240 * kMillion);
}

TEST(SplitPackageTest, SmallPaymentOutsideHotWindowIsNotIncluded) {
  // Seq 4 is 31 days before seq 6, so no 30-day window holds it with a sum above the cap.
  AuditRules rules;
  rules.split_window_days = 30;
  const AuditInput input = Input({ToPayee(Spend(4, "2025-03-01", 1 * kMillion), "01.234"),
                                  ToPayee(Spend(5, "2025-03-05", 10 * kMillion), "01.234"),
                                  ToPayee(Spend(6, "2025-04-01", 195 * kMillion), "01.234")});
  const std::vector<Finding> findings = RunRule(input, kRuleSplitPackage, rules);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].seqs, (Seqs{5, 6}));
  EXPECT_EQ(findings[0].amount_sen, 205 * kMillion);
}

// ----- DUPLICATE_PAYMENT ----------------------------------------------------------------

ExpenditureFacts ToAccount(ExpenditureFacts e, const std::string& payee_account) {
  e.payee_account = payee_account;
  return e;
}

TEST(DuplicatePaymentTest, FiresOnSamePayeeAmountAndAccount) {
  // Seven days apart: inside the default window.
  const AuditInput input = Input({ToAccount(Spend(20, "2025-05-01", 5 * kMillion), "bri:1"),
                                  ToAccount(Spend(23, "2025-05-08", 5 * kMillion), "bri:1")});
  const std::vector<Finding> findings = RunRule(input, kRuleDuplicatePayment);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, "high");
  EXPECT_EQ(findings[0].seqs, (Seqs{20, 23}));
  EXPECT_EQ(findings[0].amount_sen, 5 * kMillion);
  EXPECT_TRUE(Contains(findings[0].kondisi, "bri:1")) << findings[0].kondisi;
  EXPECT_TRUE(Contains(findings[0].kondisi, "Rp 5.000.000,00"));
  EXPECT_TRUE(Contains(findings[0].kondisi, "seq 20 dan 23"));
  ExpectTexts(findings[0]);
}

TEST(DuplicatePaymentTest, ThreePaymentsCountTwoAsDuplicated) {
  const AuditInput input = Input({ToAccount(Spend(20, "2025-05-01", 5 * kMillion), "bri:1"),
                                  ToAccount(Spend(21, "2025-05-07", 5 * kMillion), "bri:1"),
                                  ToAccount(Spend(22, "2025-05-13", 5 * kMillion), "bri:1")});
  const std::vector<Finding> findings = RunRule(input, kRuleDuplicatePayment);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].seqs, (Seqs{20, 21, 22}));
  EXPECT_EQ(findings[0].amount_sen, 10 * kMillion);
}

TEST(DuplicatePaymentTest, EightDaysApartDoesNotFireUnlessTheWindowIsWider) {
  const AuditInput input = Input({ToAccount(Spend(20, "2025-05-01", 5 * kMillion), "bri:1"),
                                  ToAccount(Spend(21, "2025-05-09", 5 * kMillion), "bri:1")});
  EXPECT_TRUE(RunRule(input, kRuleDuplicatePayment).empty());
  AuditRules rules;
  rules.duplicate_window_days = 8;
  EXPECT_EQ(RunRule(input, kRuleDuplicatePayment, rules).size(), 1u);
}

TEST(DuplicatePaymentTest, DifferentAmountAccountOrPayeeDoesNotFire) {
  AuditInput input = Input({ToAccount(Spend(20, "2025-05-01", 5 * kMillion), "bri:1"),
                            ToAccount(Spend(21, "2025-05-02", 5 * kMillion + 1), "bri:1")});
  EXPECT_TRUE(RunRule(input, kRuleDuplicatePayment).empty());
  input.expenditures[1].gross_sen = 5 * kMillion;
  input.expenditures[1].account = "5.1.02.01.01.0025";
  EXPECT_TRUE(RunRule(input, kRuleDuplicatePayment).empty());
  input.expenditures[1].account = kAccount;
  input.expenditures[1].payee_account = "bri:2";
  EXPECT_TRUE(RunRule(input, kRuleDuplicatePayment).empty());
}

TEST(DuplicatePaymentTest, ReversedPaymentDoesNotCount) {
  AuditInput input = Input({ToAccount(Spend(20, "2025-05-01", 5 * kMillion), "bri:1"),
                            ToAccount(Spend(21, "2025-05-02", 5 * kMillion), "bri:1")});
  input.expenditures[0].reversed_by = 22;
  EXPECT_TRUE(RunRule(input, kRuleDuplicatePayment).empty());
}

TEST(DuplicatePaymentTest, FiresOnReusedEvidenceNumber) {
  AuditInput input =
      Input({Spend(30, "2025-05-01", 3 * kMillion), Spend(31, "2025-08-01", 4 * kMillion),
             Spend(32, "2025-09-01", 2 * kMillion)});
  for (ExpenditureFacts& e : input.expenditures) e.evidence_no = "BKU-001/2025";
  const std::vector<Finding> findings = RunRule(input, kRuleDuplicatePayment);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].seqs, (Seqs{30, 31, 32}));
  EXPECT_EQ(findings[0].amount_sen, 6 * kMillion);  // All but the first (seq 30).
  EXPECT_TRUE(Contains(findings[0].kondisi, "BKU-001/2025")) << findings[0].kondisi;
  EXPECT_TRUE(Contains(findings[0].kondisi, "Rp 6.000.000,00"));
}

TEST(DuplicatePaymentTest, EvidenceNumberReusedByAnotherOpdDoesNotFire) {
  AuditInput input =
      Input({Spend(30, "2025-05-01", 3 * kMillion), Spend(31, "2025-05-02", 4 * kMillion)});
  input.expenditures[0].evidence_no = "001";
  input.expenditures[1].evidence_no = "001";
  input.expenditures[1].opd = kOtherOpd;
  EXPECT_TRUE(RunRule(input, kRuleDuplicatePayment).empty());
}

TEST(DuplicatePaymentTest, ReversedEvidenceReuseDoesNotFire) {
  AuditInput input =
      Input({Spend(30, "2025-05-01", 3 * kMillion), Spend(31, "2025-05-02", 4 * kMillion)});
  input.expenditures[0].evidence_no = "001";
  input.expenditures[1].evidence_no = "001";
  input.expenditures[0].reversed_by = 32;
  EXPECT_TRUE(RunRule(input, kRuleDuplicatePayment).empty());
}

TEST(DuplicatePaymentTest, BothCriteriaMergeIntoOneFinding) {
  // 40/41 match on payee and amount and on evidence number; 41/42 on evidence number only.
  AuditInput input = Input({ToAccount(Spend(40, "2025-05-01", 5 * kMillion), "bri:1"),
                            ToAccount(Spend(41, "2025-05-03", 5 * kMillion), "bri:1"),
                            Spend(42, "2025-07-01", 1 * kMillion)});
  input.expenditures[0].evidence_no = "BKU-9";
  input.expenditures[1].evidence_no = "BKU-9";
  input.expenditures[2].evidence_no = "BKU-9";
  const std::vector<Finding> findings = RunRule(input, kRuleDuplicatePayment);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].seqs, (Seqs{40, 41, 42}));
  EXPECT_EQ(findings[0].amount_sen, 6 * kMillion);
  EXPECT_TRUE(Contains(findings[0].kondisi, "bri:1")) << findings[0].kondisi;
  EXPECT_TRUE(Contains(findings[0].kondisi, "BKU-9"));
}

// ----- CASH_PAYMENT ---------------------------------------------------------------------

ExpenditureFacts Cash(ExpenditureFacts e) {
  e.instrument = "cash";
  e.payee_account.clear();
  return e;
}

TEST(CashPaymentTest, AboveCashCapIsHigh) {
  const AuditInput input = Input({Cash(Spend(50, "2025-06-01", 2 * kMillion + 1))});
  const std::vector<Finding> findings = RunRule(input, kRuleCashPayment);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, "high");
  EXPECT_EQ(findings[0].seqs, (Seqs{50}));
  EXPECT_EQ(findings[0].amount_sen, 2 * kMillion + 1);
  EXPECT_TRUE(Contains(findings[0].kondisi, "Rp 2.000.000,01")) << findings[0].kondisi;
  EXPECT_TRUE(Contains(findings[0].kondisi, "1 Juni 2025"));
  ExpectTexts(findings[0]);
}

TEST(CashPaymentTest, AtCashCapWithoutExemptListDoesNotFire) {
  const AuditInput input = Input({Cash(Spend(50, "2025-06-01", 2 * kMillion))});
  EXPECT_TRUE(RunRule(input, kRuleCashPayment).empty());
}

TEST(CashPaymentTest, UnderTheCapOutsideTheExemptTypesIsLow) {
  AuditRules rules;
  rules.cash_exempt_accounts = {"5.1.02.04"};  // Perjalanan dinas, say.
  AuditInput input = Input({Cash(Spend(50, "2025-06-01", 2 * kMillion)),
                            Cash(Spend(51, "2025-06-02", 1 * kMillion))});
  input.expenditures[1].account = "5.1.02.04.01.0001";  // Exempt: no finding.
  const std::vector<Finding> findings = RunRule(input, kRuleCashPayment, rules);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].seqs, (Seqs{50}));
  EXPECT_EQ(findings[0].severity, "low");
  EXPECT_TRUE(Contains(findings[0].kondisi, "tidak dikecualikan")) << findings[0].kondisi;
  EXPECT_TRUE(Contains(findings[0].kriteria, "910/1867/SJ"));
}

TEST(CashPaymentTest, ReversedOrNonCashDoesNotFire) {
  AuditInput input =
      Input({Cash(Spend(50, "2025-06-01", 5 * kMillion)), Spend(51, "2025-06-01", 5 * kMillion)});
  input.expenditures[0].reversed_by = 52;
  EXPECT_TRUE(RunRule(input, kRuleCashPayment).empty());
}

// ----- TAX_NOT_DEPOSITED ----------------------------------------------------------------

ExpenditureFacts Taxed(ExpenditureFacts e, const std::string& type, std::int64_t amount_sen) {
  e.taxes_sen.emplace_back(type, amount_sen);
  return e;
}

TaxDepositFacts Deposit(std::int64_t seq, const std::string& type, std::int64_t amount_sen,
                        const std::string& date, std::vector<std::int64_t> covers) {
  return TaxDepositFacts{
      seq, kOpd, type, amount_sen, date, std::move(covers), "NTPN0000000000" + std::to_string(seq), ""};
}

TEST(TaxNotDepositedTest, FiresHighWhenNothingDepositedAfterDeadline) {
  AuditInput input = Input({Taxed(Spend(60, "2025-03-10", 10 * kMillion), "PPh23", 200000)});
  input.as_of = "2025-04-16";
  const std::vector<Finding> findings = RunRule(input, kRuleTaxNotDeposited);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, "high");
  EXPECT_EQ(findings[0].seqs, (Seqs{60}));
  EXPECT_EQ(findings[0].amount_sen, 200000);
  EXPECT_TRUE(Contains(findings[0].kondisi, "PPh23")) << findings[0].kondisi;
  EXPECT_TRUE(Contains(findings[0].kondisi, "Rp 2.000,00"));
  EXPECT_TRUE(Contains(findings[0].kondisi, "15 April 2025"));
  EXPECT_TRUE(Contains(findings[0].kondisi, "Maret 2025"));
  EXPECT_TRUE(Contains(findings[0].kriteria, "Nomor 81 Tahun 2024")) << findings[0].kriteria;
  EXPECT_TRUE(Contains(findings[0].kriteria, "Pasal 94 ayat (2)"));
  EXPECT_TRUE(Contains(findings[0].kriteria, "Pasal 100"));
  ExpectTexts(findings[0]);
}

TEST(TaxNotDepositedTest, DeadlineNotYetPassedDoesNotFire) {
  AuditInput input = Input({Taxed(Spend(60, "2025-03-10", 10 * kMillion), "PPh23", 200000)});
  input.as_of = "2025-04-15";  // The deadline day itself.
  EXPECT_TRUE(RunRule(input, kRuleTaxNotDeposited).empty());
}

TEST(TaxNotDepositedTest, DepositOnTheDeadlineDoesNotFire) {
  AuditInput input = Input({Taxed(Spend(60, "2025-03-10", 10 * kMillion), "PPh23", 200000)});
  input.tax_deposits.push_back(Deposit(61, "PPh23", 200000, "2025-04-15", {60}));
  EXPECT_TRUE(RunRule(input, kRuleTaxNotDeposited).empty());
}

TEST(TaxNotDepositedTest, LateDepositFiresMedium) {
  AuditInput input = Input({Taxed(Spend(60, "2025-03-10", 10 * kMillion), "PPh23", 200000)});
  input.tax_deposits.push_back(Deposit(61, "PPh23", 200000, "2025-04-16", {60}));
  const std::vector<Finding> findings = RunRule(input, kRuleTaxNotDeposited);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, "medium");
  EXPECT_EQ(findings[0].amount_sen, 200000);
  EXPECT_TRUE(Contains(findings[0].kondisi, "disetor setelah batas waktu")) << findings[0].kondisi;
}

TEST(TaxNotDepositedTest, DeadlineMovedOverWeekendIsNotLate) {
  // 15 Nov 2025 is a Saturday, so Monday 17 Nov is still on time; Tuesday is late.
  AuditInput input = Input({Taxed(Spend(60, "2025-10-10", 10 * kMillion), "PPN", 1100000)});
  input.tax_deposits.push_back(Deposit(61, "PPN", 1100000, "2025-11-17", {60}));
  EXPECT_TRUE(RunRule(input, kRuleTaxNotDeposited).empty());
  input.tax_deposits[0].deposit_date = "2025-11-18";
  EXPECT_EQ(RunRule(input, kRuleTaxNotDeposited).size(), 1u);
}

TEST(TaxNotDepositedTest, DeadlineMovedOverConfiguredHolidayIsNotLate) {
  AuditInput input = Input({Taxed(Spend(60, "2025-03-10", 10 * kMillion), "PPh23", 200000)});
  input.tax_deposits.push_back(Deposit(61, "PPh23", 200000, "2025-04-16", {60}));
  AuditRules rules;
  rules.holidays = {"2025-04-15"};
  EXPECT_TRUE(RunRule(input, kRuleTaxNotDeposited, rules).empty());
}

TEST(TaxNotDepositedTest, ShortDepositIsUnpaidForTheRemainder) {
  AuditInput input = Input({Taxed(Spend(60, "2025-03-10", 10 * kMillion), "PPh23", 200000)});
  input.tax_deposits.push_back(Deposit(61, "PPh23", 150000, "2025-04-10", {60}));
  const std::vector<Finding> findings = RunRule(input, kRuleTaxNotDeposited);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, "high");
  EXPECT_EQ(findings[0].amount_sen, 50000);
  EXPECT_TRUE(Contains(findings[0].kondisi, "Rp 500,00 belum disetor")) << findings[0].kondisi;
  EXPECT_TRUE(Contains(findings[0].kondisi, "(kurang disetor)"));
}

TEST(TaxNotDepositedTest, DepositIsAllocatedInSeqOrder) {
  // One deposit of Rp1,500 covers seqs 62 and 60 (listed out of order): seq 60 gets its
  // Rp1,000 first, seq 62 the remaining Rp500.
  AuditInput input = Input({Taxed(Spend(60, "2025-03-10", kMillion), "PPh22", 100000),
                            Taxed(Spend(62, "2025-03-11", kMillion), "PPh22", 100000)});
  input.tax_deposits.push_back(Deposit(63, "PPh22", 150000, "2025-04-01", {62, 60}));
  const std::vector<Finding> findings = RunRule(input, kRuleTaxNotDeposited);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].seqs, (Seqs{62}));
  EXPECT_EQ(findings[0].amount_sen, 50000);
}

TEST(TaxNotDepositedTest, EarlierDepositIsAllocatedFirst) {
  // A late deposit with a lower seq and an on-time one: the on-time money fills first, so
  // only the remainder is late.
  AuditInput input = Input({Taxed(Spend(60, "2025-03-10", kMillion), "PPh21", 100000)});
  input.tax_deposits.push_back(Deposit(70, "PPh21", 100000, "2025-05-01", {60}));
  input.tax_deposits.push_back(Deposit(71, "PPh21", 60000, "2025-04-02", {60}));
  const std::vector<Finding> findings = RunRule(input, kRuleTaxNotDeposited);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].amount_sen, 40000);
  EXPECT_EQ(findings[0].severity, "medium");
}

TEST(TaxNotDepositedTest, DepositOfAnotherTaxTypeDoesNotCover) {
  AuditInput input = Input({Taxed(Spend(60, "2025-03-10", 10 * kMillion), "PPh23", 200000)});
  input.tax_deposits.push_back(Deposit(61, "PPN", 200000, "2025-04-10", {60}));
  const std::vector<Finding> findings = RunRule(input, kRuleTaxNotDeposited);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, "high");
}

TEST(TaxNotDepositedTest, ReversedExpenditureNeedsNoDeposit) {
  AuditInput input = Input({Taxed(Spend(60, "2025-03-10", 10 * kMillion), "PPh23", 200000)});
  input.expenditures[0].reversed_by = 61;
  EXPECT_TRUE(RunRule(input, kRuleTaxNotDeposited).empty());
}

TEST(TaxNotDepositedTest, GroupsPerOpdTaxTypeAndMonth) {
  AuditInput input =
      Input({Taxed(Spend(60, "2025-03-10", kMillion), "PPh23", 20000),
             Taxed(Spend(61, "2025-03-20", kMillion), "PPh23", 30000),
             Taxed(Spend(62, "2025-04-02", kMillion), "PPh23", 40000),
             Taxed(Taxed(Spend(63, "2025-03-21", kMillion), "PPN", 110000), "PPh23", 20000)});
  input.tax_deposits.push_back(Deposit(64, "PPh23", 20000, "2025-04-01", {60}));
  const std::vector<Finding> findings = RunRule(input, kRuleTaxNotDeposited);
  ASSERT_EQ(findings.size(), 3u);
  // Ordered by seqs: PPh23 March (61, 63), PPh23 April (62), PPN March (63).
  EXPECT_EQ(findings[0].seqs, (Seqs{61, 63}));
  EXPECT_EQ(findings[0].amount_sen, 50000);
  EXPECT_TRUE(Contains(findings[0].kondisi, "PPh23"));
  EXPECT_EQ(findings[1].seqs, (Seqs{62}));
  EXPECT_EQ(findings[2].seqs, (Seqs{63}));
  EXPECT_TRUE(Contains(findings[2].kondisi, "PPN"));
  EXPECT_EQ(findings[2].amount_sen, 110000);
}

// ----- OUTSIDE_FISCAL_YEAR --------------------------------------------------------------

TEST(OutsideFiscalYearTest, ValueDateInAnotherYearFires) {
  const AuditInput input = Input({Spend(70, "2026-01-02", 7 * kMillion)});
  const std::vector<Finding> findings = RunRule(input, kRuleOutsideFiscalYear);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, "medium");
  EXPECT_EQ(findings[0].seqs, (Seqs{70}));
  EXPECT_EQ(findings[0].amount_sen, 7 * kMillion);
  EXPECT_TRUE(Contains(findings[0].kondisi, "2 Januari 2026")) << findings[0].kondisi;
  EXPECT_TRUE(Contains(findings[0].kondisi, "Rp 7.000.000,00"));
  ExpectTexts(findings[0]);
}

TEST(OutsideFiscalYearTest, EvidenceDateInPreviousYearFires) {
  AuditInput input = Input({Spend(70, "2025-01-05", 7 * kMillion)});
  input.expenditures[0].evidence_date = "2024-12-28";
  const std::vector<Finding> findings = RunRule(input, kRuleOutsideFiscalYear);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(Contains(findings[0].kondisi, "tanggal bukti 28 Desember 2024"))
      << findings[0].kondisi;
}

TEST(OutsideFiscalYearTest, DatesInsideTheYearDoNotFire) {
  AuditInput input =
      Input({Spend(70, "2025-01-01", 7 * kMillion), Spend(71, "2025-12-31", 7 * kMillion)});
  input.expenditures[1].evidence_date = "2025-12-30";
  EXPECT_TRUE(RunRule(input, kRuleOutsideFiscalYear).empty());
}

TEST(OutsideFiscalYearTest, ReversedExpenditureDoesNotFire) {
  AuditInput input = Input({Spend(70, "2026-01-02", 7 * kMillion)});
  input.expenditures[0].reversed_by = 71;
  EXPECT_TRUE(RunRule(input, kRuleOutsideFiscalYear).empty());
}

// ----- LATE_RECORDING -------------------------------------------------------------------

ExpenditureFacts RecordedAt(ExpenditureFacts e, const std::string& recorded_at) {
  e.recorded_at = recorded_at;
  return e;
}

TEST(LateRecordingTest, GroupsLateEntriesPerOpd) {
  // March's LPJ is due on 10 April (Jakarta time).
  const AuditInput input =
      Input({RecordedAt(Spend(80, "2025-03-01", 2 * kMillion), "2025-04-11T01:00:00.000Z"),
             RecordedAt(Spend(81, "2025-03-01", 3 * kMillion), "2025-04-20T01:00:00.000Z"),
             RecordedAt(Spend(82, "2025-03-01", 4 * kMillion), "2025-04-10T01:00:00.000Z")});
  const std::vector<Finding> findings = RunRule(input, kRuleLateRecording);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, "medium");
  EXPECT_EQ(findings[0].seqs, (Seqs{80, 81}));
  EXPECT_EQ(findings[0].amount_sen, 5 * kMillion);
  EXPECT_TRUE(Contains(findings[0].kondisi, "Sebanyak 2 belanja")) << findings[0].kondisi;
  EXPECT_TRUE(Contains(findings[0].kondisi, "10 hari setelah batas tersebut (seq 81)"));
  EXPECT_TRUE(Contains(findings[0].kondisi, "Rp 5.000.000,00"));
  ExpectTexts(findings[0]);
}

TEST(LateRecordingTest, OneFindingPerOpd) {
  AuditInput input =
      Input({RecordedAt(Spend(80, "2025-03-01", 2 * kMillion), "2025-04-20T00:00:00.000Z"),
             RecordedAt(Spend(81, "2025-03-01", 3 * kMillion), "2025-04-20T00:00:00.000Z")});
  input.expenditures[1].opd = kOtherOpd;
  const std::vector<Finding> findings = RunRule(input, kRuleLateRecording);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].opd, kOpd);
  EXPECT_EQ(findings[1].opd, kOtherOpd);
}

TEST(LateRecordingTest, ReversedEntryDoesNotFire) {
  AuditInput input =
      Input({RecordedAt(Spend(80, "2025-03-01", 2 * kMillion), "2025-05-01T00:00:00.000Z")});
  input.expenditures[0].reversed_by = 81;
  EXPECT_TRUE(RunRule(input, kRuleLateRecording).empty());
}

// ----- The whole run --------------------------------------------------------------------

TEST(AuditRulesTest, EmptyInputHasNoFindings) { EXPECT_TRUE(Audit(Input({})).empty()); }

TEST(AuditRulesTest, CleanYearHasNoFindings) {
  AuditInput input = WithBudget(
      Input({Spend(1, "2025-02-03", 10 * kMillion), Spend(2, "2025-02-04", 20 * kMillion)}),
      100 * kMillion);
  EXPECT_TRUE(Audit(input).empty());
}

TEST(AuditRulesTest, FindingsAreOrderedByRuleThenOpdThenFirstSeq) {
  AuditInput input =
      Input({Cash(Spend(1, "2025-02-03", 3 * kMillion)), Cash(Spend(2, "2026-02-04", 3 * kMillion)),
             Cash(Spend(3, "2025-02-05", 3 * kMillion))});
  input.expenditures[0].opd = kOtherOpd;
  input.budgets.push_back(BudgetFacts{9, kOpd, kSubActivity, kAccount, 100 * kMillion});
  input.budgets.push_back(BudgetFacts{8, kOtherOpd, kSubActivity, kAccount, 100 * kMillion});
  const std::vector<Finding> findings = Audit(input);
  ASSERT_EQ(findings.size(), 4u);
  EXPECT_EQ(findings[0].rule, kRuleCashPayment);
  EXPECT_EQ(findings[0].seqs, (Seqs{2}));
  EXPECT_EQ(findings[1].rule, kRuleCashPayment);
  EXPECT_EQ(findings[1].seqs, (Seqs{3}));
  EXPECT_EQ(findings[2].rule, kRuleCashPayment);
  EXPECT_EQ(findings[2].opd, kOtherOpd);
  EXPECT_EQ(findings[3].rule, kRuleOutsideFiscalYear);
}

TEST(AuditRulesTest, ReversedEntriesCountOnlyForReversalHeavy) {
  AuditInput input =
      Input({RecordedAt(Taxed(Cash(Spend(1, "2026-01-05", 300 * kMillion)), "PPh23", 100000),
                        "2026-03-01T00:00:00.000Z")});
  input.expenditures[0].evidence_no = "X";
  input.expenditures[0].reversed_by = 2;
  const std::vector<Finding> findings = Audit(input);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, kRuleReversalHeavy);
}

bool SameFindings(const std::vector<Finding>& a, const std::vector<Finding>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].rule != b[i].rule || a[i].severity != b[i].severity || a[i].opd != b[i].opd ||
        a[i].seqs != b[i].seqs || a[i].amount_sen != b[i].amount_sen ||
        a[i].kondisi != b[i].kondisi || a[i].kriteria != b[i].kriteria ||
        a[i].rekomendasi != b[i].rekomendasi) {
      return false;
    }
  }
  return true;
}

// A year of `count` expenditures over 40 OPDs with a little of everything wrong.
AuditInput SyntheticYear(std::int64_t count) {
  AuditInput input;
  input.fiscal_year = 2025;
  input.as_of = "2026-03-01";
  std::uint64_t state = 42;
  auto next = [&state](std::uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  };
  for (std::int64_t seq = 1; seq <= count; ++seq) {
    const auto day = std::chrono::sys_days{std::chrono::year{2025} / 1 / 1} +
                     std::chrono::days{static_cast<int>(next(365))};
    const std::chrono::year_month_day date{day};
    char value_date[16];
    std::snprintf(value_date, sizeof value_date, "%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    ExpenditureFacts e = Spend(seq, value_date, static_cast<std::int64_t>(next(150)) * kMillion);
    e.opd = "1.02.0.00.0.00." + std::to_string(10 + next(40)) + ".0000";
    e.account = "5.1.02.01.01.00" + std::to_string(10 + next(20));
    e.payee_account = "bri:" + std::to_string(next(500));
    if (next(3) == 0) e.payee_npwp = "npwp-" + std::to_string(next(300));
    if (next(10) == 0) e.instrument = "cash";
    if (next(20) == 0) e.evidence_no = "BKU-" + std::to_string(next(2000));
    if (next(30) == 0) e.reversed_by = count + seq;
    if (next(15) == 0) e.recorded_at = "2025-12-31T00:00:00.000Z";
    if (next(2) == 0) e.taxes_sen.emplace_back("PPh23", e.gross_sen / 50);
    input.expenditures.push_back(std::move(e));
  }
  for (std::int64_t d = 0; d < count / 10; ++d) {
    std::vector<std::int64_t> covers;
    for (int k = 0; k < 5; ++k)
      covers.push_back(1 + static_cast<std::int64_t>(next(static_cast<std::uint64_t>(count))));
    input.tax_deposits.push_back(
        Deposit(count * 2 + d, "PPh23", static_cast<std::int64_t>(next(10)) * kMillion,
                "2025-" + std::string(next(2) == 0 ? "06" : "11") + "-15", std::move(covers)));
  }
  for (int opd = 10; opd < 50; opd += 2) {
    input.budgets.push_back(BudgetFacts{0, "1.02.0.00.0.00." + std::to_string(opd) + ".0000",
                                        kSubActivity, "5.1.02.01.01.0010", 500 * kMillion});
  }
  return input;
}

TEST(AuditRulesTest, SameInputGivesSameFindings) {
  const AuditInput input = SyntheticYear(3000);
  const std::vector<Finding> first = Audit(input);
  const std::vector<Finding> second = Audit(input);
  EXPECT_FALSE(first.empty());
  EXPECT_TRUE(SameFindings(first, second));
  for (const Finding& f : first) {
    EXPECT_FALSE(f.seqs.empty());
    EXPECT_TRUE(std::is_sorted(f.seqs.begin(), f.seqs.end()));
    EXPECT_TRUE(f.severity == "high" || f.severity == "medium" || f.severity == "low");
  }
}

TEST(AuditRulesTest, HundredThousandExpenditures) {
  const AuditInput input = SyntheticYear(100'000);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<Finding> findings = Audit(input);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  std::cout << "RunAuditRules over 100000 expenditures: " << elapsed.count() << " ms, "
            << findings.size() << " findings\n";
  EXPECT_FALSE(findings.empty());
}

}  // namespace
}  // namespace jejak::ledger
