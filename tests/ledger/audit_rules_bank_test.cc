// Tests of the bank audit rules (ledger/audit_rules_bank.cc through RunAuditRules): each
// rule fires on its case and not on its near miss — the due-days boundary and the statement
// coverage of ENTRY_WITHOUT_BANK_DEBIT, a teller withdrawal on the RKUD reported as money
// out without an SP2D rather than as CASH_WITHDRAWAL, the severity thresholds — and no
// bank rule runs without statements.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "ledger/audit.h"
#include "tests/ledger/bank_fixture.h"

namespace jejak::ledger {
namespace {

using namespace bank_fixture;  // NOLINT: test builders.
using Seqs = std::vector<std::int64_t>;

constexpr const char* kOpdName = "Dinas Kesehatan";

AuditInput Input(std::vector<BankStatementFacts> statements, std::vector<BankPaymentFacts> payments,
                 const std::string& as_of = "2025-12-31") {
  AuditInput input;
  input.fiscal_year = 2025;
  input.as_of = as_of;
  input.region = "Pemerintah Kabupaten Rejang Lebong";
  input.opd_names = {{kOpd, kOpdName}};
  input.bank.fiscal_year = 2025;
  input.bank.statements = std::move(statements);
  input.bank.payments = std::move(payments);
  return input;
}

std::vector<Finding> Of(const std::vector<Finding>& findings, const std::string& rule) {
  std::vector<Finding> out;
  for (const Finding& f : findings) {
    if (f.rule == rule) out.push_back(f);
  }
  return out;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(AuditRulesBankTest, UnmatchedRkudDebitIsMoneyOutWithoutSp2d) {
  BankStatementFacts rkud = Statement(100, true, "2025-03-01", "2025-03-31",
                                      {Debit("2025-03-05", 4 * kMillion, "LS-1"),
                                       Debit("2025-03-07", 13 * kMillion, "TRX-77", "9988")});
  const std::vector<Finding> findings =
      RunAuditRules(Input({rkud}, {Expenditure(10, "2025-03-05", 4 * kMillion, "LS", "LS-1")}), AuditRules{});
  const std::vector<Finding> debits = Of(findings, kRuleBankDebitWithoutEntry);
  ASSERT_EQ(debits.size(), 1u);  // The matched debit is no finding.
  const Finding& f = debits[0];
  EXPECT_EQ(f.severity, "high");
  EXPECT_EQ(f.opd, "");
  EXPECT_EQ(f.opd_name, "Kas Daerah (RKUD)");
  EXPECT_EQ(f.seqs, (Seqs{100}));
  EXPECT_EQ(f.amount_sen, 13 * kMillion);
  EXPECT_TRUE(Has(f.kondisi, kRkudAccount)) << f.kondisi;
  EXPECT_TRUE(Has(f.kondisi, "7 Maret 2025")) << f.kondisi;
  EXPECT_TRUE(Has(f.kondisi, "Rp 13.000.000,00")) << f.kondisi;
  EXPECT_TRUE(Has(f.kondisi, "referensi bank TRX-77")) << f.kondisi;
  EXPECT_TRUE(Has(f.kondisi, "baris 11 berkas mutasi")) << f.kondisi;
  EXPECT_TRUE(Has(f.kondisi, "tanpa SP2D")) << f.kondisi;
  EXPECT_TRUE(Has(f.kriteria, "Peraturan Pemerintah Nomor 12 Tahun 2019")) << f.kriteria;
  EXPECT_TRUE(Has(f.kriteria, "Nomor 77 Tahun 2020")) << f.kriteria;
  EXPECT_TRUE(Has(f.rekomendasi, "BPK merekomendasikan Bupati Rejang Lebong")) << f.rekomendasi;
  EXPECT_TRUE(Has(f.rekomendasi, "Bendahara Umum Daerah")) << f.rekomendasi;
  EXPECT_EQ(f.id.size(), 2 * kFindingIdBytes);
}

TEST(AuditRulesBankTest, TellerWithdrawalOnTheRkudIsADebitWithoutEntryNotACashWithdrawal) {
  const std::vector<Finding> findings = RunAuditRules(
      Input({Statement(100, true, "2025-03-01", "2025-03-31",
                       {Debit("2025-03-05", kMillion, "", "", "cash_withdrawal")})},
            {}),
      AuditRules{});
  EXPECT_EQ(Of(findings, kRuleBankDebitWithoutEntry).size(), 1u);
  EXPECT_TRUE(Of(findings, kRuleCashWithdrawal).empty());
  EXPECT_TRUE(Has(Of(findings, kRuleBankDebitWithoutEntry)[0].kondisi, "penarikan tunai"));
}

TEST(AuditRulesBankTest, TreasurerCashWithdrawalIsMediumUpToTheCapAndHighAbove) {
  AuditRules rules;
  rules.cash_cap_sen = 2 * kMillion;
  const std::vector<Finding> findings = RunAuditRules(
      Input({Statement(101, false, "2025-03-01", "2025-03-31",
                       {Debit("2025-03-05", 2 * kMillion, "", "", "cash_withdrawal"),
                        Debit("2025-03-06", 2 * kMillion + 1, "", "", "cash_withdrawal")})},
            {}),
      rules);
  const std::vector<Finding> cash = Of(findings, kRuleCashWithdrawal);
  ASSERT_EQ(cash.size(), 2u);
  std::vector<std::string> severities = {cash[0].severity, cash[1].severity};
  std::sort(severities.begin(), severities.end());
  EXPECT_EQ(severities, (std::vector<std::string>{"high", "medium"}));
  for (const Finding& f : cash) {
    EXPECT_EQ(f.opd, kOpd);
    EXPECT_EQ(f.opd_name, kOpdName);
    EXPECT_EQ(f.seqs, (Seqs{101}));
    EXPECT_TRUE(Has(f.kriteria, "910/1867/SJ")) << f.kriteria;
    EXPECT_TRUE(Has(f.kondisi, "Bendahara Pengeluaran Dinas Kesehatan")) << f.kondisi;
  }
  EXPECT_TRUE(Of(findings, kRuleBankDebitWithoutEntry).empty());  // Not counted twice.
}

TEST(AuditRulesBankTest, EntryWithoutBankDebitWaitsTheDueDays) {
  // Paid (booked) on 10 March; the March statement holds no such debit.
  const std::vector<BankStatementFacts> statements = {
      Statement(100, false, "2025-03-01", "2025-03-31", {Debit("2025-03-02", kMillion, "OTHER")})};
  const std::vector<BankPaymentFacts> payments = {Expenditure(10, "2025-03-10", 8 * kMillion, "GU", "TRX-8"),
                                                  Expenditure(11, "2025-03-02", kMillion, "GU", "OTHER")};
  // 17 March is exactly seven days later: not yet; 18 March: overdue.
  EXPECT_TRUE(Of(RunAuditRules(Input(statements, payments, "2025-03-17"), AuditRules{}),
                 kRuleEntryWithoutBankDebit)
                  .empty());
  const std::vector<Finding> due =
      Of(RunAuditRules(Input(statements, payments, "2025-03-18"), AuditRules{}), kRuleEntryWithoutBankDebit);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].severity, "high");
  EXPECT_EQ(due[0].seqs, (Seqs{10, 100}));
  EXPECT_EQ(due[0].amount_sen, 8 * kMillion);
  EXPECT_EQ(due[0].opd_name, kOpdName);
  EXPECT_TRUE(Has(due[0].kondisi, "10 Maret 2025")) << due[0].kondisi;
  EXPECT_TRUE(Has(due[0].kondisi, "TRX-8")) << due[0].kondisi;
  // A shorter due time from the config.
  AuditRules rules;
  rules.bank_debit_due_days = 6;
  EXPECT_EQ(Of(RunAuditRules(Input(statements, payments, "2025-03-17"), rules), kRuleEntryWithoutBankDebit)
                .size(),
            1u);
}

TEST(AuditRulesBankTest, EntryWithoutBankDebitNeedsAStatementCoveringItsDate) {
  // Only an April statement of the treasurer, and nothing of the RKUD: a March GU payment and
  // a March LS payment cannot be judged.
  const std::vector<BankStatementFacts> statements = {
      Statement(100, false, "2025-04-01", "2025-04-30", {})};
  const std::vector<BankPaymentFacts> payments = {Expenditure(10, "2025-03-10", kMillion, "GU"),
                                                  Expenditure(11, "2025-04-10", kMillion, "LS"),
                                                  TaxDeposit(12, "2025-04-11", kMillion, "NTPN-1")};
  const std::vector<Finding> findings = Of(RunAuditRules(Input(statements, payments), AuditRules{}),
                                           kRuleEntryWithoutBankDebit);
  ASSERT_EQ(findings.size(), 1u);  // The April tax deposit on the treasurer's account.
  EXPECT_EQ(findings[0].seqs, (Seqs{12, 100}));
  EXPECT_TRUE(Has(findings[0].kondisi, "setoran pajak")) << findings[0].kondisi;
}

TEST(AuditRulesBankTest, AmountMismatchOnlyForAReferenceMatchWithDifferentAmounts) {
  const std::vector<Finding> findings = RunAuditRules(
      Input({Statement(100, false, "2025-03-01", "2025-03-31",
                       {Debit("2025-03-05", 7 * kMillion, "TRX-1"), Debit("2025-03-06", 3 * kMillion, "TRX-2")})},
            {Expenditure(10, "2025-03-05", 5 * kMillion, "GU", "TRX-1"),
             Expenditure(11, "2025-03-06", 3 * kMillion, "GU", "TRX-2")}),
      AuditRules{});
  const std::vector<Finding> mismatches = Of(findings, kRuleAmountMismatch);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].severity, "high");
  EXPECT_EQ(mismatches[0].seqs, (Seqs{10, 100}));
  EXPECT_EQ(mismatches[0].amount_sen, 2 * kMillion);
  EXPECT_TRUE(Has(mismatches[0].kondisi, "Rp 5.000.000,00")) << mismatches[0].kondisi;
  EXPECT_TRUE(Has(mismatches[0].kondisi, "Rp 7.000.000,00")) << mismatches[0].kondisi;
  EXPECT_TRUE(Of(findings, kRuleBankDebitWithoutEntry).empty());
  EXPECT_TRUE(Of(findings, kRuleEntryWithoutBankDebit).empty());
}

TEST(AuditRulesBankTest, StatementGapIsMediumAndABalanceBreakHigh) {
  BankStatementFacts january = Statement(100, true, "2025-01-01", "2025-01-31", {});
  BankStatementFacts february = Statement(101, true, "2025-02-01", "2025-02-28", {});  // Adjacent.
  BankStatementFacts april = Statement(102, true, "2025-04-01", "2025-04-30", {});     // March missing.
  BankStatementFacts may = Statement(103, true, "2025-05-01", "2025-05-31", {}, april.closing_sen - 3 * kMillion);
  const std::vector<Finding> gaps =
      Of(RunAuditRules(Input({january, february, april, may}, {}), AuditRules{}), kRuleStatementGap);
  ASSERT_EQ(gaps.size(), 2u);
  EXPECT_EQ(gaps[0].seqs, (Seqs{101, 102}));
  EXPECT_EQ(gaps[0].severity, "medium");
  EXPECT_EQ(gaps[0].amount_sen, 0);
  EXPECT_TRUE(Has(gaps[0].kondisi, "1 Maret 2025 s.d. 31 Maret 2025")) << gaps[0].kondisi;
  EXPECT_EQ(gaps[0].opd_name, "Kas Daerah (RKUD)");
  EXPECT_EQ(gaps[1].seqs, (Seqs{102, 103}));
  EXPECT_EQ(gaps[1].severity, "high");
  EXPECT_EQ(gaps[1].amount_sen, 3 * kMillion);
}

TEST(AuditRulesBankTest, NoStatementsNoBankRule) {
  const std::vector<Finding> findings =
      RunAuditRules(Input({}, {Expenditure(10, "2025-03-10", kMillion, "GU")}), AuditRules{});
  for (const Finding& f : findings) {
    for (const char* rule : {kRuleBankDebitWithoutEntry, kRuleEntryWithoutBankDebit, kRuleAmountMismatch,
                             kRuleStatementGap, kRuleCashWithdrawal}) {
      EXPECT_NE(f.rule, rule);
    }
  }
}

TEST(AuditRulesBankTest, TheMatchWindowComesFromTheRules) {
  const AuditInput input = Input({Statement(100, false, "2025-03-01", "2025-03-31", {Debit("2025-03-06", kMillion)})},
                                 {Expenditure(10, "2025-03-05", kMillion, "GU")});
  EXPECT_TRUE(Of(RunAuditRules(input, AuditRules{}), kRuleBankDebitWithoutEntry).empty());
  AuditRules strict;
  strict.bank_match_window_days = 0;
  const std::vector<Finding> findings = RunAuditRules(input, strict);
  EXPECT_EQ(Of(findings, kRuleBankDebitWithoutEntry).size(), 1u);
  EXPECT_EQ(Of(findings, kRuleEntryWithoutBankDebit).size(), 1u);
}

TEST(AuditRulesBankTest, BankRulesComeLastInRuleOrder) {
  const std::vector<std::string> expected_tail = {"BANK_DEBIT_WITHOUT_ENTRY", "ENTRY_WITHOUT_BANK_DEBIT",
                                                  "AMOUNT_MISMATCH", "STATEMENT_GAP", "CASH_WITHDRAWAL"};
  const std::size_t count = std::size(kAuditRuleIds);
  ASSERT_EQ(count, 15u);
  for (std::size_t i = 0; i < expected_tail.size(); ++i) {
    EXPECT_EQ(kAuditRuleIds[count - expected_tail.size() + i], expected_tail[i]);
  }
  // One finding of each: reported in that order.
  BankStatementFacts march = Statement(100, false, "2025-03-01", "2025-03-31",
                                       {Debit("2025-03-02", kMillion),
                                        Debit("2025-03-03", 5 * kMillion, "TRX-1"),
                                        Debit("2025-03-04", kMillion, "", "", "cash_withdrawal")});
  BankStatementFacts may = Statement(101, false, "2025-05-01", "2025-05-31", {}, march.closing_sen);
  const std::vector<Finding> findings = RunAuditRules(
      Input({march, may}, {Expenditure(10, "2025-03-03", 4 * kMillion, "GU", "TRX-1"),
                           Expenditure(11, "2025-03-20", 9 * kMillion, "GU")}),
      AuditRules{});
  std::vector<std::string> rules;
  for (const Finding& f : findings) rules.push_back(f.rule);
  EXPECT_EQ(rules, expected_tail);
}

}  // namespace
}  // namespace jejak::ledger
