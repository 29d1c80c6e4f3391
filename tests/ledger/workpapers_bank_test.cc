// Rekonsiliasi Bank's rows (ledger/workpapers.h BankWorkpaperLines): every statement line
// with what a reconciliation made of it, and the Indonesian status labels.
#include <gtest/gtest.h>

#include "ledger/workpapers.h"

namespace jejak::ledger {
namespace {

BankLine Line(std::int64_t index, bool debit, const char* type = "transfer") {
  BankLine line;
  line.index = index;
  line.date = "2026-02-0" + std::to_string(index + 1);
  line.value_date = line.date;
  line.debit = debit;
  line.amount_sen = (index + 1) * 100;
  line.type = type;
  line.source_line = 20 + index;
  return line;
}

TEST(BankWorkpaperLinesTest, EveryLineHasItsMatchAndStatus) {
  ReconcileInput input;
  BankStatementFacts rkud;
  rkud.seq = 7;
  rkud.account_no = "001";
  rkud.account_role = kAccountRoleRkud;
  rkud.lines = {Line(0, true), Line(1, true), Line(2, true), Line(3, true), Line(4, false)};
  BankStatementFacts treasurer;
  treasurer.seq = 9;
  treasurer.account_no = "002";
  treasurer.account_role = kAccountRoleTreasurer;
  treasurer.opd = "1.02.0.00.0.00.01.0000";
  treasurer.lines = {Line(0, false), Line(1, true, "cash_withdrawal")};
  input.statements = {rkud, treasurer};
  Reconciliation reconciliation;
  LineMatch by_ref{7, 0, kMatchBankRef, 3, "expenditure", 100, 100, 0, 0};
  LineMatch mismatch{7, 1, kMatchBankRef, 4, "expenditure", 200, 150, 0, 0};
  LineMatch by_amount{7, 2, kMatchAmountDate, 5, "tax_deposit", 300, 300, 0, 0};
  LineMatch transfer{7, 3, kMatchTransfer, 0, "", 400, 400, 9, 0};
  reconciliation.matches = {by_ref, mismatch, by_amount, transfer};
  reconciliation.cash_withdrawals = {{9, 1}};
  const std::vector<WorkpaperBankLine> rows = BankWorkpaperLines(input, reconciliation);
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0].status, "bank_ref");
  EXPECT_EQ(rows[0].entry_seq, 3);
  EXPECT_EQ(rows[1].status, "amount_mismatch");
  EXPECT_EQ(rows[2].status, "amount_date_account");
  EXPECT_EQ(rows[2].entry_seq, 5);
  EXPECT_EQ(rows[3].status, "internal_transfer");
  EXPECT_FALSE(rows[3].entry_seq.has_value());
  EXPECT_EQ(rows[4].status, "credit");  // The RKUD's credit matched nothing.
  EXPECT_EQ(rows[5].status, "internal_transfer");  // The transfer's other side.
  EXPECT_EQ(rows[5].method, kMatchTransfer);
  EXPECT_EQ(rows[5].opd, "1.02.0.00.0.00.01.0000");
  EXPECT_EQ(rows[6].status, "cash_withdrawal");
  EXPECT_EQ(rows[6].source_line, 21);
  for (const WorkpaperBankLine& row : rows) EXPECT_FALSE(BankLineStatusLabel(row.status).empty()) << row.status;
  EXPECT_EQ(BankLineStatusLabel("unmatched_debit"), "Debit tanpa entri");
  EXPECT_EQ(BankLineStatusLabel("nonsense"), "");
}

TEST(BankWorkpaperLinesTest, AnUnmatchedDebitIsSaidSo) {
  ReconcileInput input;
  BankStatementFacts statement;
  statement.seq = 4;
  statement.lines = {Line(0, true)};
  input.statements = {statement};
  const std::vector<WorkpaperBankLine> rows = BankWorkpaperLines(input, Reconciliation{});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, "unmatched_debit");
  EXPECT_TRUE(rows[0].method.empty());
}

}  // namespace
}  // namespace jejak::ledger
