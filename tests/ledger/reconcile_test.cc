// Tests of bank reconciliation (ledger/reconcile.h): each pass, the precedence of the bank
// reference over the amount, the tie-breaks (day distance, then seq), a payment matched at
// most once, reversed and cash expenditures never matched, LS on the RKUD against UP/GU on
// the treasurer's account, internal transfers, cash withdrawals, chain gaps and balance
// breaks, determinism under a reordered input, the stored JSON form, and a year of 100,000
// payments.
#include "ledger/reconcile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/canonical.h"
#include "tests/ledger/bank_fixture.h"

namespace jejak::ledger {
namespace {

using namespace bank_fixture;  // NOLINT: test builders.
using Seqs = std::vector<std::int64_t>;

Reconciliation Match(const std::vector<BankStatementFacts>& statements,
                   const std::vector<BankPaymentFacts>& payments, int window_days = 3) {
  ReconcileInput input;
  input.fiscal_year = 2025;
  input.statements = statements;
  input.payments = payments;
  ReconcileParams params;
  params.window_days = window_days;
  return Reconcile(input, params);
}

TEST(ReconcileTest, BankReferenceComesBeforeAmountWhateverTheLineOrder) {
  // Line 0 (no reference) comes first, but pass 1 gives seq 10 to line 1 by its reference,
  // so line 0 takes seq 11 by amount rather than seq 10 (the lower seq).
  const std::vector<BankStatementFacts> statements = {Statement(
      100, false, "2025-03-01", "2025-03-31",
      {Debit("2025-03-05", 5 * kMillion), Debit("2025-03-05", 5 * kMillion, "TRX-A")})};
  const Reconciliation r = Match(statements, {Expenditure(10, "2025-03-05", 5 * kMillion, "GU", "TRX-A"),
                                            Expenditure(11, "2025-03-05", 5 * kMillion)});
  ASSERT_EQ(r.matches.size(), 2u);
  EXPECT_EQ(r.matches[0].line_index, 0);
  EXPECT_EQ(r.matches[0].entry_seq, 11);
  EXPECT_EQ(r.matches[0].method, kMatchAmountDate);
  EXPECT_EQ(r.matches[1].entry_seq, 10);
  EXPECT_EQ(r.matches[1].method, kMatchBankRef);
  EXPECT_TRUE(r.unmatched_debits.empty());
  EXPECT_TRUE(r.unmatched_payments.empty());
}

TEST(ReconcileTest, ReferenceMatchesWhateverTheAccountAndAmount) {
  // An LS payment's reference found on the treasurer's account, for a different amount:
  // matched (AMOUNT_MISMATCH reads the two amounts).
  const Reconciliation r =
      Match({Statement(100, false, "2025-03-01", "2025-03-31", {Debit("2025-06-30", 7 * kMillion, "SP2D-9")})},
          {Expenditure(10, "2025-03-02", 9 * kMillion, "LS", "SP2D-9")});
  ASSERT_EQ(r.matches.size(), 1u);
  EXPECT_EQ(r.matches[0].method, kMatchBankRef);
  EXPECT_EQ(r.matches[0].line_amount_sen, 7 * kMillion);
  EXPECT_EQ(r.matches[0].entry_amount_sen, 9 * kMillion);
  EXPECT_EQ(r.matches[0].entry_kind, "expenditure");
}

TEST(ReconcileTest, TaxDepositMatchesByNtpnOrBillingCode) {
  const Reconciliation r = Match(
      {Statement(100, false, "2025-03-01", "2025-03-31",
                 {Debit("2025-03-10", 2 * kMillion, "BILL-1"), Debit("2025-03-11", 3 * kMillion, "NTPN-2")})},
      {TaxDeposit(20, "2025-03-10", 2 * kMillion, "NTPN-1", "BILL-1"),
       TaxDeposit(21, "2025-03-25", 3 * kMillion, "NTPN-2", "BILL-2")});
  ASSERT_EQ(r.matches.size(), 2u);
  EXPECT_EQ(r.matches[0].entry_seq, 20);
  EXPECT_EQ(r.matches[1].entry_seq, 21);  // Outside the window, but its NTPN is on the line.
  EXPECT_EQ(r.matches[1].entry_kind, "tax_deposit");
}

TEST(ReconcileTest, TieBreaksByDayDistanceThenSeq) {
  const std::vector<BankStatementFacts> statements = {Statement(
      100, false, "2025-03-01", "2025-03-31",
      {Debit("2025-03-05", kMillion), Debit("2025-03-05", kMillion), Debit("2025-03-05", kMillion),
       Debit("2025-03-05", kMillion)})};
  const Reconciliation r = Match(statements, {Expenditure(20, "2025-03-06", kMillion),
                                            Expenditure(21, "2025-03-04", kMillion),
                                            Expenditure(22, "2025-03-05", kMillion),
                                            Expenditure(23, "2025-03-09", kMillion)});
  // Same day first; then the two one day away, the lower seq first; four days away: never.
  ASSERT_EQ(r.matches.size(), 3u);
  EXPECT_EQ(r.matches[0].entry_seq, 22);
  EXPECT_EQ(r.matches[1].entry_seq, 20);
  EXPECT_EQ(r.matches[2].entry_seq, 21);
  ASSERT_EQ(r.unmatched_debits.size(), 1u);
  EXPECT_EQ(r.unmatched_debits[0].line_index, 3);
  EXPECT_EQ(r.unmatched_payments, (Seqs{23}));
  // With a window of 4 days the last one matches too.
  EXPECT_EQ(Match(statements, {Expenditure(20, "2025-03-06", kMillion), Expenditure(21, "2025-03-04", kMillion),
                             Expenditure(22, "2025-03-05", kMillion), Expenditure(23, "2025-03-09", kMillion)},
                4)
                .matches.size(),
            4u);
}

TEST(ReconcileTest, APaymentIsNeverMatchedTwice) {
  // Two debits of the same amount and reference, one payment: the second debit stays
  // unmatched (money left twice).
  const Reconciliation r = Match(
      {Statement(100, false, "2025-03-01", "2025-03-31",
                 {Debit("2025-03-05", kMillion, "TRX-1"), Debit("2025-03-05", kMillion, "TRX-1"),
                  Debit("2025-03-05", kMillion)})},
      {Expenditure(10, "2025-03-05", kMillion, "GU", "TRX-1")});
  ASSERT_EQ(r.matches.size(), 1u);
  EXPECT_EQ(r.matches[0].line_index, 0);
  ASSERT_EQ(r.unmatched_debits.size(), 2u);
  EXPECT_EQ(r.unmatched_debits[0].line_index, 1);
  EXPECT_EQ(r.unmatched_debits[1].line_index, 2);
}

TEST(ReconcileTest, ReversedAndCashExpendituresAreNeverMatched) {
  BankPaymentFacts reversed = Expenditure(10, "2025-03-05", kMillion, "GU", "TRX-1");
  reversed.reversed = true;
  BankPaymentFacts cash = Expenditure(11, "2025-03-05", 2 * kMillion, "GU", "TRX-2");
  cash.instrument = "cash";
  const Reconciliation r = Match({Statement(100, false, "2025-03-01", "2025-03-31",
                                          {Debit("2025-03-05", kMillion, "TRX-1"),
                                           Debit("2025-03-05", 2 * kMillion, "TRX-2")})},
                               {reversed, cash});
  EXPECT_TRUE(r.matches.empty());
  EXPECT_EQ(r.unmatched_debits.size(), 2u);
  EXPECT_TRUE(r.unmatched_payments.empty());  // Neither is expected at the bank.
}

TEST(ReconcileTest, LsIsExpectedOnTheRkudAndUpGuOnTheTreasurersAccount) {
  const std::vector<BankStatementFacts> statements = {
      Statement(100, true, "2025-03-01", "2025-03-31", {Debit("2025-03-05", 4 * kMillion)}),
      Statement(101, false, "2025-03-01", "2025-03-31", {Debit("2025-03-05", 6 * kMillion)})};
  // Swapped amounts: the LS payment of 6 cannot match the treasurer's debit of 6, nor the
  // GU payment of 4 the RKUD's debit of 4.
  Reconciliation r = Match(statements, {Expenditure(10, "2025-03-05", 6 * kMillion, "LS"),
                                      Expenditure(11, "2025-03-05", 4 * kMillion, "GU")});
  EXPECT_TRUE(r.matches.empty());
  EXPECT_EQ(r.unmatched_payments, (Seqs{10, 11}));
  r = Match(statements, {Expenditure(10, "2025-03-05", 4 * kMillion, "LS"),
                       Expenditure(11, "2025-03-05", 6 * kMillion, "UP"),
                       TaxDeposit(12, "2025-03-05", 4 * kMillion)});
  ASSERT_EQ(r.matches.size(), 2u);
  EXPECT_EQ(r.matches[0].statement_seq, 100);
  EXPECT_EQ(r.matches[0].entry_seq, 10);
  EXPECT_EQ(r.matches[1].statement_seq, 101);
  EXPECT_EQ(r.matches[1].entry_seq, 11);
  EXPECT_EQ(r.unmatched_payments, (Seqs{12}));  // A tax deposit is the treasurer's.
  // Another OPD's treasurer account is not this OPD's.
  const Reconciliation other =
      Match({Statement(102, false, "2025-03-01", "2025-03-31", {Debit("2025-03-05", 6 * kMillion)},
                     1000 * kMillion, kOtherOpd)},
          {Expenditure(11, "2025-03-05", 6 * kMillion, "GU")});
  EXPECT_TRUE(other.matches.empty());
}

TEST(ReconcileTest, PayeeAccountMustEqualTheCounterAccountAsDigits) {
  const std::vector<BankPaymentFacts> payments = {
      Expenditure(10, "2025-03-05", kMillion, "GU", "", "123-456.789")};
  auto run = [&](const std::string& counter) {
    return Match({Statement(100, false, "2025-03-01", "2025-03-31",
                          {Debit("2025-03-05", kMillion, "", counter)})},
               payments);
  };
  EXPECT_EQ(run("123456789").matches.size(), 1u);
  EXPECT_EQ(run("").matches.size(), 1u);  // The bank names no counter account: amount and date.
  EXPECT_TRUE(run("123456780").matches.empty());
  // A payment without a payee account matches any counter account.
  EXPECT_EQ(Match({Statement(100, false, "2025-03-01", "2025-03-31", {Debit("2025-03-05", kMillion, "", "42")})},
                {Expenditure(10, "2025-03-05", kMillion)})
                .matches.size(),
            1u);
}

TEST(ReconcileTest, InternalTransfersPairADebitWithTheOtherAccountsCredit) {
  // Pelimpahan UP from the RKUD to the treasurer's account (its number written with
  // separators on the RKUD's line), a day later there; a second debit whose credit came
  // too late stays unmatched.
  const std::vector<BankStatementFacts> statements = {
      Statement(100, true, "2025-03-01", "2025-03-31",
                {Debit("2025-03-03", 50 * kMillion, "", "556-677-8899"),
                 Debit("2025-03-10", 20 * kMillion, "", "5566778899")}),
      Statement(101, false, "2025-03-01", "2025-03-31",
                {Credit("2025-03-20", 20 * kMillion), Credit("2025-03-04", 50 * kMillion)})};
  const Reconciliation r = Match(statements, {});
  ASSERT_EQ(r.matches.size(), 1u);
  EXPECT_EQ(r.matches[0].method, kMatchTransfer);
  EXPECT_EQ(r.matches[0].statement_seq, 100);
  EXPECT_EQ(r.matches[0].line_index, 0);
  EXPECT_EQ(r.matches[0].entry_seq, 0);
  EXPECT_EQ(r.matches[0].transfer_statement_seq, 101);
  EXPECT_EQ(r.matches[0].transfer_line_index, 1);
  ASSERT_EQ(r.unmatched_debits.size(), 1u);
  EXPECT_EQ(r.unmatched_debits[0].line_index, 1);
}

TEST(ReconcileTest, RefundCreditsMatchByStsNumberOrAmount) {
  const Reconciliation r = Match(
      {Statement(100, true, "2025-03-01", "2025-03-31",
                 {Credit("2025-03-12", 3 * kMillion, "STS-7"), Credit("2025-03-20", 2 * kMillion)}),
       Statement(101, false, "2025-03-01", "2025-03-31", {Credit("2025-03-21", kMillion)})},
      {Refund(30, "2025-03-01", 3 * kMillion, "STS-7"), Refund(31, "2025-03-19", 2 * kMillion),
       Refund(32, "2025-03-21", kMillion)});
  ASSERT_EQ(r.matches.size(), 3u);
  EXPECT_EQ(r.matches[0].entry_seq, 30);
  EXPECT_EQ(r.matches[0].method, kMatchBankRef);
  EXPECT_EQ(r.matches[1].entry_seq, 31);
  EXPECT_EQ(r.matches[2].entry_seq, 32);  // On the treasurer's account.
  EXPECT_EQ(r.matches[2].entry_kind, "refund");
  EXPECT_TRUE(r.unmatched_payments.empty());  // Refunds are never "unmatched payments".
}

TEST(ReconcileTest, CashWithdrawalsAreNeverMatchedAndOnTheRkudAreUnmatchedDebits) {
  const Reconciliation r = Match(
      {Statement(100, true, "2025-03-01", "2025-03-31",
                 {Debit("2025-03-05", kMillion, "TRX-1", "", "cash_withdrawal")}),
       Statement(101, false, "2025-03-01", "2025-03-31",
                 {Debit("2025-03-05", 2 * kMillion, "TRX-2", "", "cash_withdrawal")})},
      {Expenditure(10, "2025-03-05", kMillion, "LS", "TRX-1"),
       Expenditure(11, "2025-03-05", 2 * kMillion, "GU", "TRX-2")});
  EXPECT_TRUE(r.matches.empty());
  ASSERT_EQ(r.unmatched_debits.size(), 1u);
  EXPECT_EQ(r.unmatched_debits[0].statement_seq, 100);
  ASSERT_EQ(r.cash_withdrawals.size(), 1u);
  EXPECT_EQ(r.cash_withdrawals[0].statement_seq, 101);
  EXPECT_EQ(r.unmatched_payments, (Seqs{10, 11}));
}

TEST(ReconcileTest, ChainReportsGapsAndBalanceBreaksPerAccount) {
  BankStatementFacts january = Statement(100, false, "2025-01-01", "2025-01-31", {Debit("2025-01-05", kMillion)});
  BankStatementFacts february = Statement(101, false, "2025-02-01", "2025-02-28", {}, january.closing_sen);
  BankStatementFacts april = Statement(102, false, "2025-04-01", "2025-04-30", {}, february.closing_sen + 5);
  // Another account (the RKUD), uploaded between them, in order: no break.
  BankStatementFacts rkud = Statement(103, true, "2025-01-01", "2025-01-31", {});
  const Reconciliation r = Match({january, february, rkud, april}, {});
  ASSERT_EQ(r.breaks.size(), 2u);
  EXPECT_EQ(r.breaks[0].kind, "gap");
  EXPECT_EQ(r.breaks[0].account_no, kTreasurerAccount);
  EXPECT_EQ(r.breaks[0].previous_seq, 101);
  EXPECT_EQ(r.breaks[0].next_seq, 102);
  EXPECT_EQ(r.breaks[0].missing_from, "2025-03-01");
  EXPECT_EQ(r.breaks[0].missing_to, "2025-03-31");
  EXPECT_EQ(r.breaks[1].kind, "balance");
  EXPECT_EQ(r.breaks[1].expected_sen, february.closing_sen);
  EXPECT_EQ(r.breaks[1].actual_sen, february.closing_sen + 5);
  // Uploaded out of order (seq), chained by period all the same.
  february.seq = 99;
  const Reconciliation reordered = Match({february, january}, {});
  EXPECT_TRUE(reordered.breaks.empty());
}

// Shuffled statements, lines and payments (each keeping its seq and index) reconcile to the
// same bytes.
TEST(ReconcileTest, DeterministicUnderAReorderedInput) {
  std::vector<BankLine> lines;
  std::vector<BankPaymentFacts> payments;
  for (int i = 0; i < 60; ++i) {
    const std::string day = "2025-03-" + std::string(i % 28 + 1 < 10 ? "0" : "") + std::to_string(i % 28 + 1);
    const std::int64_t amount = (i % 7 + 1) * kMillion;  // Many equal amounts: ties everywhere.
    lines.push_back(Debit(day, amount, i % 5 == 0 ? "R" + std::to_string(i) : ""));
    payments.push_back(Expenditure(10 + i, day, amount, "GU", i % 10 == 0 ? "R" + std::to_string(i) : ""));
  }
  std::vector<BankStatementFacts> statements = {Statement(5, false, "2025-03-01", "2025-03-31", lines),
                                                Statement(6, true, "2025-03-01", "2025-03-31", lines)};
  const std::string expected = Canonicalize(ReconciliationJson(Match(statements, payments)));
  std::mt19937 random(7);
  for (int round = 0; round < 5; ++round) {
    std::vector<BankStatementFacts> shuffled = statements;
    for (BankStatementFacts& s : shuffled) std::shuffle(s.lines.begin(), s.lines.end(), random);
    std::shuffle(shuffled.begin(), shuffled.end(), random);
    std::vector<BankPaymentFacts> shuffled_payments = payments;
    std::shuffle(shuffled_payments.begin(), shuffled_payments.end(), random);
    EXPECT_EQ(Canonicalize(ReconciliationJson(Match(shuffled, shuffled_payments))), expected) << round;
  }
}

TEST(ReconcileTest, JsonHasFixedMembersMoneyStringsAndIntegerSeqs) {
  const Reconciliation r =
      Match({Statement(100, false, "2025-01-01", "2025-01-31", {Debit("2025-01-05", 150, "X"), Debit("2025-01-06", 7)}),
           Statement(101, false, "2025-02-03", "2025-02-28", {})},
          {Expenditure(10, "2025-01-05", 250, "GU", "X"), Expenditure(11, "2025-01-20", 9)}, 2);
  const nlohmann::json j = ReconciliationJson(r);
  EXPECT_EQ(j["fiscal_year"], 2025);
  EXPECT_EQ(j["params"], (nlohmann::json{{"window_days", 2}}));
  EXPECT_EQ(j["matches"][0],
            (nlohmann::json{{"statement_seq", 100}, {"line_index", 0}, {"method", "bank_ref"},
                            {"entry_seq", 10}, {"entry_kind", "expenditure"}, {"line_amount", "1.50"},
                            {"entry_amount", "2.50"}, {"transfer_statement_seq", 0},
                            {"transfer_line_index", 0}}));
  EXPECT_EQ(j["unmatched_debits"], (nlohmann::json::parse(R"([{"statement_seq":100,"line_index":1}])")));
  EXPECT_EQ(j["cash_withdrawals"], nlohmann::json::array());
  EXPECT_EQ(j["unmatched_payments"], (nlohmann::json{11}));
  EXPECT_EQ(j["breaks"][0]["kind"], "gap");
  EXPECT_EQ(j["breaks"][0]["missing_from"], "2025-02-01");
  EXPECT_EQ(j["breaks"][0]["missing_to"], "2025-02-02");
  EXPECT_EQ(j["breaks"][0]["expected"], "0.00");
  EXPECT_EQ(j.size(), 7u);
}

// A year of 100,000 payments (LS on the RKUD, GU on twenty treasurer accounts, a tenth with
// references) against their statements: every line matched, in a loose time bound.
TEST(ReconcileTest, AHundredThousandPaymentsReconcileQuickly) {
  constexpr int kPayments = 100000;
  constexpr int kOpds = 20;
  std::vector<std::vector<BankLine>> by_account(kOpds + 1);
  std::vector<BankPaymentFacts> payments;
  payments.reserve(kPayments);
  for (int i = 0; i < kPayments; ++i) {
    const int day = i % 28 + 1;
    const std::string date = "2025-06-" + std::string(day < 10 ? "0" : "") + std::to_string(day);
    const std::int64_t amount = (i % 500 + 1) * 100'000;  // 500 distinct amounts: heavy ties.
    const bool ls = i % 3 == 0;
    const std::string ref = i % 10 == 0 ? "REF" + std::to_string(i) : "";
    BankPaymentFacts p = Expenditure(1000 + i, date, amount, ls ? "LS" : "GU", ref);
    p.opd = "OPD" + std::to_string(i % kOpds);
    payments.push_back(p);
    by_account[ls ? kOpds : static_cast<std::size_t>(i % kOpds)].push_back(Debit(date, amount, ref));
  }
  std::vector<BankStatementFacts> statements;
  for (int a = 0; a <= kOpds; ++a) {
    BankStatementFacts s = Statement(10 + a, a == kOpds, "2025-06-01", "2025-06-30",
                                     by_account[static_cast<std::size_t>(a)], 100'000 * kMillion,
                                     "OPD" + std::to_string(a));
    if (a < kOpds) s.account_no = "77" + std::to_string(a);
    statements.push_back(std::move(s));
  }
  const auto start = std::chrono::steady_clock::now();
  const Reconciliation r = Match(statements, payments);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("Reconcile of %d payments and lines: %.3f s\n", kPayments, seconds);
  EXPECT_EQ(r.matches.size(), static_cast<std::size_t>(kPayments));
  EXPECT_TRUE(r.unmatched_debits.empty());
  EXPECT_TRUE(r.unmatched_payments.empty());
  EXPECT_LT(seconds, 20.0);  // Loose: quadratic matching would take minutes.
}

}  // namespace
}  // namespace jejak::ledger
