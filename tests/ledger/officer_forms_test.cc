// The bendahara's form reads (ledger/officer_forms.h): budget lines in force with their
// realisation net of reversals and this year's refunds, and the withholdings deposits do
// not yet cover, allocated as TAX_NOT_DEPOSITED allocates them.
#include "ledger/officer_forms.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace jejak::ledger {
namespace {

constexpr const char* kOpdA = "1.02.0.00.0.00.01.0000";
constexpr const char* kOpdB = "1.01.0.00.0.00.01.0000";
constexpr const char* kSub = "1.02.02.2.01.0014";
constexpr const char* kAtk = "5.1.02.01.01.0024";
constexpr const char* kModal = "5.2.02.05.01.0001";

ExpenditureFacts Spend(std::int64_t seq, const char* opd, const char* account, std::int64_t gross_sen,
                       std::vector<std::pair<std::string, std::int64_t>> taxes = {}) {
  ExpenditureFacts e;
  e.seq = seq;
  e.fiscal_year = 2026;
  e.opd = opd;
  e.sub_activity = kSub;
  e.account = account;
  e.instrument = "cms_transfer";
  e.value_date = "2026-03-01";
  e.recorded_at = "2026-03-01T03:00:00.000Z";
  e.gross_sen = gross_sen;
  e.taxes_sen = std::move(taxes);
  return e;
}

AuditInput Input() {
  AuditInput input;
  input.fiscal_year = 2026;
  input.as_of = "2026-12-31";
  input.budgets = {{3, kOpdA, kSub, kModal, 900}, {2, kOpdA, kSub, kAtk, 1000}, {4, kOpdB, kSub, kAtk, 50}};
  input.expenditures = {Spend(10, kOpdA, kAtk, 300, {{"PPN", 30}, {"PPh22", 5}}),
                        Spend(11, kOpdA, kAtk, 200, {{"PPN", 20}}), Spend(12, kOpdA, kModal, 1200),
                        Spend(13, kOpdB, kAtk, 40, {{"PPN", 4}})};
  input.expenditures[1].reversed_by = 20;
  RefundFacts refund;
  refund.seq = 21;
  refund.refunds = 12;
  refund.original_fiscal_year = 2026;
  refund.opd = kOpdA;
  refund.sub_activity = kSub;
  refund.account = kModal;
  refund.value_date = "2026-04-01";
  refund.amount_sen = 100;
  RefundFacts old_year = refund;  // A closed year's payment: other revenue, not this line.
  old_year.seq = 22;
  old_year.original_fiscal_year = 2025;
  old_year.amount_sen = 7;
  input.refunds = {refund, old_year};
  return input;
}

TEST(BudgetLinesOfTest, NetsReversalsAndRefundsSortedByLine) {
  const std::vector<BudgetLineStatus> lines = BudgetLinesOf(Input(), kOpdA);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].account, kAtk);  // Sorted by (sub_activity, account).
  EXPECT_EQ(lines[0].budget_seq, 2);
  EXPECT_EQ(lines[0].pagu_sen, 1000);
  EXPECT_EQ(lines[0].realisation_sen, 300);  // Seq 11 was reversed.
  EXPECT_EQ(lines[0].remaining_sen, 700);
  EXPECT_EQ(lines[1].account, kModal);
  EXPECT_EQ(lines[1].realisation_sen, 1100);  // 1200 less this year's refund of 100.
  EXPECT_EQ(lines[1].remaining_sen, -200);    // Over the pagu.
}

TEST(BudgetLinesOfTest, NewestSeqWinsAndOtherOpdsStayOut) {
  AuditInput input = Input();
  input.budgets.push_back({7, kOpdA, kSub, kAtk, 400});
  const std::vector<BudgetLineStatus> lines = BudgetLinesOf(input, kOpdA);
  EXPECT_EQ(lines.at(0).budget_seq, 7);
  EXPECT_EQ(lines.at(0).pagu_sen, 400);
  const std::vector<BudgetLineStatus> other = BudgetLinesOf(input, kOpdB);
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].realisation_sen, 40);
  EXPECT_TRUE(BudgetLinesOf(input, "9.99.0.00.0.00.01.0000").empty());
}

TEST(OpenWithholdingsOfTest, DepositsCloseWhatTheyCover) {
  AuditInput input = Input();
  TaxDepositFacts deposit;
  deposit.seq = 30;
  deposit.opd = kOpdA;
  deposit.tax_type = "PPN";
  deposit.amount_sen = 25;
  deposit.deposit_date = "2026-04-10";
  deposit.covers = {10, 11};  // 11 is reversed: it takes nothing.
  input.tax_deposits = {deposit};
  const std::vector<OpenWithholding> open = OpenWithholdingsOf(input, kOpdA);
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(input.expenditures[open[0].expenditure].seq, 10);
  EXPECT_EQ(open[0].tax_type, "PPN");
  EXPECT_EQ(open[0].withheld_sen, 30);
  EXPECT_EQ(open[0].deposited_sen, 25);
  EXPECT_EQ(open[0].open_sen, 5);
  EXPECT_EQ(open[1].tax_type, "PPh22");
  EXPECT_EQ(open[1].deposited_sen, 0);
  input.tax_deposits.push_back(deposit);  // A second 25: PPN of seq 10 is now covered.
  input.tax_deposits.back().seq = 31;
  const std::vector<OpenWithholding> later = OpenWithholdingsOf(input, kOpdA);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].tax_type, "PPh22");
  EXPECT_EQ(OpenWithholdingsOf(input, kOpdB).size(), 1u);
}

}  // namespace
}  // namespace jejak::ledger
