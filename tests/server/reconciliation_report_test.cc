// GET /v1/reconciliation's answer (server/reconciliation_report.h) from a reconciliation
// written by hand: totals, accounts and months over the filter's scope, the lists and
// their cap, and a total past the int64 range refused.
#include "server/reconciliation_report.h"

#include <gtest/gtest.h>

#include "ledger/limits.h"
#include "ledger/money.h"

namespace jejak::server {
namespace {

using nlohmann::json;

constexpr const char* kDinkes = "1.02.0.00.0.00.01.0000";
constexpr const char* kDisdik = "1.01.0.00.0.00.01.0000";

ledger::BankLine Line(std::int64_t index, const char* date, bool debit, std::int64_t sen, const char* type = "transfer") {
  ledger::BankLine line;
  line.index = index;
  line.date = date;
  line.value_date = date;
  line.debit = debit;
  line.amount_sen = sen;
  line.type = type;
  line.source_line = 10 + index;
  line.bank_ref = "REF-" + std::to_string(index);
  return line;
}

ledger::BankStatementFacts Statement(std::int64_t seq, const char* account, const char* role, const char* opd) {
  ledger::BankStatementFacts statement;
  statement.seq = seq;
  statement.fiscal_year = 2026;
  statement.bank = "BPD Bengkulu";
  statement.account_no = account;
  statement.account_role = role;
  statement.opd = opd;
  statement.period_start = "2026-02-01";
  statement.period_end = "2026-02-28";
  return statement;
}

ledger::BankPaymentFacts Payment(std::int64_t seq, const char* opd, const char* mechanism, const char* date,
                                 std::int64_t sen) {
  ledger::BankPaymentFacts payment;
  payment.seq = seq;
  payment.kind = "expenditure";
  payment.fiscal_year = 2026;
  payment.opd = opd;
  payment.mechanism = mechanism;
  payment.instrument = "cms_transfer";
  payment.date = date;
  payment.amount_sen = sen;
  payment.refs = {"CMS-" + std::to_string(seq)};
  return payment;
}

// The RKUD (seq 10): two debits, one matched to LS payment 3 by reference with another
// amount, one unmatched. Dinkes's treasurer (seq 11): a debit matched by amount to
// payment 4, a cash withdrawal and a credit. Payment 5 (Disdik, GU) and 6 (Dinkes, GU)
// never debited; a gap after the RKUD statement.
struct Fixture {
  ledger::ReconcileInput input;
  ledger::Reconciliation reconciliation;
  Fixture() {
    input.fiscal_year = 2026;
    ledger::BankStatementFacts rkud = Statement(10, "001", ledger::kAccountRoleRkud, "");
    rkud.lines = {Line(0, "2026-02-03", true, 100'00), Line(1, "2026-03-05", true, 50'00)};
    ledger::BankStatementFacts treasurer = Statement(11, "002", ledger::kAccountRoleTreasurer, kDinkes);
    treasurer.lines = {Line(0, "2026-02-04", true, 30'00), Line(1, "2026-02-06", true, 20'00, "cash_withdrawal"),
                       Line(2, "2026-02-07", false, 5'00)};
    input.statements = {rkud, treasurer};
    input.payments = {Payment(3, kDinkes, "LS", "2026-02-03", 90'00), Payment(4, kDinkes, "GU", "2026-02-04", 30'00),
                      Payment(5, kDisdik, "GU", "2026-01-20", 7'00), Payment(6, kDinkes, "GU", "2026-03-02", 8'00)};
    ledger::LineMatch by_ref;
    by_ref.statement_seq = 10;
    by_ref.line_index = 0;
    by_ref.method = ledger::kMatchBankRef;
    by_ref.entry_seq = 3;
    by_ref.entry_kind = "expenditure";
    by_ref.line_amount_sen = 100'00;
    by_ref.entry_amount_sen = 90'00;
    ledger::LineMatch by_amount = by_ref;
    by_amount.statement_seq = 11;
    by_amount.method = ledger::kMatchAmountDate;
    by_amount.entry_seq = 4;
    by_amount.line_amount_sen = 30'00;
    by_amount.entry_amount_sen = 30'00;
    reconciliation.fiscal_year = 2026;
    reconciliation.matches = {by_ref, by_amount};
    reconciliation.unmatched_debits = {{10, 1}};
    reconciliation.cash_withdrawals = {{11, 1}};
    reconciliation.unmatched_payments = {5, 6};
    ledger::ChainBreak gap;
    gap.account_no = "001";
    gap.previous_seq = 10;
    gap.next_seq = 12;
    gap.kind = "gap";
    gap.missing_from = "2026-03-01";
    gap.missing_to = "2026-03-31";
    reconciliation.breaks = {gap};
  }
};

const std::map<std::string, std::string> kNames = {{kDinkes, "Dinas Kesehatan"}, {kDisdik, "Dinas Pendidikan"}};

TEST(ReconciliationReportTest, CountsEveryLineAndPaymentOfTheYear) {
  const Fixture f;
  Result<json> report = ReconciliationReport(f.input, f.reconciliation, {}, kNames);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  const json& totals = (*report)["totals"];
  EXPECT_EQ(totals["debit_lines"], 4);
  EXPECT_EQ(totals["debit_amount"], "200.00");  // 100 + 50 + 30 + 20.
  EXPECT_EQ(totals["matched_lines"], 2);
  EXPECT_EQ(totals["matched_amount"], "130.00");
  EXPECT_EQ(totals["matched_percent"], "65.00");
  EXPECT_EQ(totals["unmatched_debit_lines"], 1);
  EXPECT_EQ(totals["unmatched_debit_amount"], "50.00");
  EXPECT_EQ(totals["unmatched_payments"], 2);
  EXPECT_EQ(totals["unmatched_payment_amount"], "15.00");
  EXPECT_EQ(totals["cash_withdrawals"], 1);
  EXPECT_EQ(totals["cash_withdrawal_amount"], "20.00");
  EXPECT_EQ(totals["amount_mismatches"], 1);
  EXPECT_EQ(totals["breaks"], 1);
  const json& mismatch = (*report)["amount_mismatches"][0];
  EXPECT_EQ(mismatch["line_amount"], "100.00");
  EXPECT_EQ(mismatch["entry_amount"], "90.00");
  EXPECT_EQ(mismatch["entry_seq"], 3);
  const json& accounts = (*report)["accounts"];
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_EQ(accounts[0]["opd_name"], kRkudName);
  EXPECT_EQ(accounts[0]["breaks"], 1);
  EXPECT_EQ(accounts[1]["opd_name"], "Dinas Kesehatan");
  EXPECT_EQ(accounts[1]["debit_lines"], 2);
  EXPECT_EQ(accounts[1]["matched_lines"], 1);
  const json& unmatched = (*report)["unmatched_debits"][0];
  EXPECT_EQ(unmatched["source_line"], 11);
  EXPECT_EQ(unmatched["account_no"], "001");
  EXPECT_EQ(unmatched["bank_ref"], "REF-1");
  // Months: January (payment 5), February (four debits), March (the RKUD's second debit, payment 6).
  const json& months = (*report)["months"];
  ASSERT_EQ(months.size(), 3u);
  EXPECT_EQ(months[0]["month"], "2026-01");
  EXPECT_EQ(months[0]["unmatched_payments"], 1);
  EXPECT_EQ(months[1]["debit_lines"], 3);
  EXPECT_EQ(months[1]["matched_amount"], "130.00");
  EXPECT_EQ(months[2]["unmatched_debit_amount"], "50.00");
  EXPECT_EQ(months[2]["unmatched_payment_amount"], "8.00");
  EXPECT_FALSE((*report)["lists_truncated"].get<bool>());
}

TEST(ReconciliationReportTest, FiltersByAccountAndOpd) {
  const Fixture f;
  ReconciliationFilter treasurer;
  treasurer.account = "002";
  Result<json> by_account = ReconciliationReport(f.input, f.reconciliation, treasurer, kNames);
  ASSERT_TRUE(by_account.has_value());
  EXPECT_EQ((*by_account)["totals"]["debit_lines"], 2);
  EXPECT_EQ((*by_account)["totals"]["amount_mismatches"], 0);
  EXPECT_EQ((*by_account)["totals"]["breaks"], 0);
  // Dinkes's GU payment 6 is expected on its treasurer's account; Disdik's is not.
  ASSERT_EQ((*by_account)["unmatched_payments"].size(), 1u);
  EXPECT_EQ((*by_account)["unmatched_payments"][0]["seq"], 6);
  ReconciliationFilter rkud;
  rkud.account = "001";
  Result<json> on_rkud = ReconciliationReport(f.input, f.reconciliation, rkud, kNames);
  ASSERT_TRUE(on_rkud.has_value());
  EXPECT_EQ((*on_rkud)["totals"]["unmatched_payments"], 0);  // Only the LS payment 3, matched.
  ReconciliationFilter disdik;
  disdik.opd = kDisdik;
  Result<json> of_disdik = ReconciliationReport(f.input, f.reconciliation, disdik, kNames);
  ASSERT_TRUE(of_disdik.has_value());
  EXPECT_EQ((*of_disdik)["totals"]["debit_lines"], 0);
  EXPECT_EQ((*of_disdik)["totals"]["matched_percent"], "0.00");
  EXPECT_EQ((*of_disdik)["totals"]["unmatched_payments"], 1);
  EXPECT_TRUE((*of_disdik)["accounts"].empty());
}

TEST(ReconciliationReportTest, ListsStopAtTheirCapWhileTotalsCountAll) {
  Fixture f;
  ledger::BankStatementFacts& rkud = f.input.statements[0];
  f.reconciliation.unmatched_debits.clear();
  rkud.lines.clear();
  for (std::int64_t i = 0; i < 1001; ++i) {
    rkud.lines.push_back(Line(i, "2026-02-10", true, 1'00));
    f.reconciliation.unmatched_debits.push_back({10, i});
  }
  f.reconciliation.matches.erase(f.reconciliation.matches.begin());  // Its line is gone.
  Result<json> report = ReconciliationReport(f.input, f.reconciliation, {}, kNames);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ((*report)["unmatched_debits"].size(), kReconciliationListMax);
  EXPECT_EQ((*report)["totals"]["unmatched_debit_lines"], 1001);
  EXPECT_TRUE((*report)["lists_truncated"].get<bool>());
}

TEST(ReconciliationReportTest, ATotalPastTheRangeIsRefusedNotWrapped) {
  Fixture f;
  // Ten maximal debits pass int64 sen (kMoneySenMax <= INT64_MAX / 9).
  std::vector<ledger::BankLine>& lines = f.input.statements[1].lines;
  for (std::int64_t i = 0; i < 10; ++i) {
    lines.push_back(Line(static_cast<std::int64_t>(lines.size()), "2026-02-20", true, ledger::kMoneySenMax));
  }
  Result<json> report = ReconciliationReport(f.input, f.reconciliation, {}, kNames);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, Code::kOutOfRange);
}

}  // namespace
}  // namespace jejak::server
