// Audit findings over the small regency of summary_fixture.h: the facts the audit rules
// read from the entries (procurement, PKP payees, lines in force, reversals, taxes), every
// finding as of the end of the year, and when a tax not deposited becomes a finding.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/audit.h"
#include "tests/db/summary_fixture.h"

namespace jejak::db::summary_test {
namespace {

using Seqs = std::vector<std::int64_t>;

// Facts no column holds come from the canonical entry: payee name and PKP status, and
// the procurement's method, type and contract number.
TEST_F(SummaryTest, AuditInputsReadProcurementAndPkpFromTheEntry) {
  Result<ledger::AuditInput> year = store_->AuditInputs(2026, "2026-12-31");
  ASSERT_TRUE(year.has_value());
  const ledger::ExpenditureFacts* c3 = nullptr;
  const ledger::ExpenditureFacts* b1 = nullptr;
  for (const ledger::ExpenditureFacts& e : year->expenditures) {
    if (e.seq == S("c3")) c3 = &e;
    if (e.seq == S("b1")) b1 = &e;
  }
  ASSERT_NE(c3, nullptr);
  ASSERT_NE(b1, nullptr);
  EXPECT_EQ(c3->payee_name, "PT Beton Jaya");
  EXPECT_EQ(c3->payee_pkp, std::optional<bool>(true));
  EXPECT_EQ(c3->procurement_method, "PL");
  EXPECT_EQ(c3->contract_no, "SPK-C-003");
  EXPECT_EQ(c3->procurement_type, "");
  EXPECT_EQ(b1->payee_pkp, std::nullopt);
  EXPECT_EQ(b1->procurement_method, "");
}

TEST_F(SummaryTest, AuditInputsCarryTheLinesInForceReversalsAndTaxes) {
  Result<ledger::AuditInput> march = store_->AuditInputs(2026, "2026-03-31");
  Result<ledger::AuditInput> year = store_->AuditInputs(2026, "2026-12-31");
  ASSERT_TRUE(march.has_value());
  ASSERT_TRUE(year.has_value());
  auto line = [](const ledger::AuditInput& input, const std::string& opd, const std::string& account) {
    for (const ledger::BudgetFacts& b : input.budgets) {
      if (b.opd == opd && b.account == account) return b;
    }
    ADD_FAILURE() << "no line " << opd << " " << account;
    return ledger::BudgetFacts{};
  };
  EXPECT_EQ(march->budgets.size(), 7u);
  EXPECT_EQ(year->budgets.size(), 7u);
  EXPECT_EQ(line(*march, kOpdA, kBarangJasa).seq, S("a_bj"));
  EXPECT_EQ(line(*march, kOpdA, kBarangJasa).pagu_sen, 120 * kMillion);
  EXPECT_EQ(line(*year, kOpdA, kBarangJasa).seq, S("a_bj_pergeseran"));
  EXPECT_EQ(line(*year, kOpdA, kBarangJasa).pagu_sen, 84 * kMillion);
  EXPECT_EQ(line(*year, kOpdB, kModal).seq, S("b_mod_perubahan"));
  EXPECT_EQ(year->expenditures.size(), 29u);
  EXPECT_EQ(year->tax_deposits.size(), 3u);
  for (const ledger::ExpenditureFacts& e : year->expenditures) {
    if (e.seq == S("a11")) {
      EXPECT_EQ(e.reversed_by, S("r_a11"));
    } else if (e.seq == S("b4")) {
      EXPECT_EQ(e.reversed_by, S("r_b4"));
    } else {
      EXPECT_FALSE(e.reversed_by.has_value()) << e.seq;
    }
    if (e.seq == S("a8")) {
      using Taxes = std::vector<std::pair<std::string, std::int64_t>>;
      EXPECT_EQ(e.taxes_sen, (Taxes{{"PPN", 100000000}, {"PPh22", 15000000}}));
      EXPECT_EQ(e.payee_account, "Bank Bengkulu:0012034567");
      EXPECT_EQ(e.payee_npwp, "012345678901000");
    }
  }
}

// Every finding as of 31 December, exactly; the near misses in BuildRegency (a6/a7 31
// days apart, a2/c1 sharing an evidence number across OPDs, A's line 5.3 exactly at pagu,
// c6/c7 31 days apart, reversed cash a11, non-cash a9 above the cash cap, a8's taxes on
// time and on the deadline day, c8's tax not yet due, b1's evidence dated 1 January, a12
// recorded exactly 7 days late, A's reversals exactly 5%) raise nothing.
// Issue 16 changed these: a3/a4 are 17 days apart (the duplicate window is now 7 days),
// a10 is cash under the cap (only the cap or a non-exempt type is a finding), c2 is
// recorded before March's LPJ deadline, a1 is a prior year's utang belanja (low), REVERSAL_HEAVY
// is a low internal-control signal, and c3-c5 must be direct procurements to be a split.
TEST_F(SummaryTest, FindingsAsOfEndOfYearAreExactlyTheseTen) {
  struct Want {
    std::string rule, opd;
    Seqs seqs;
    std::int64_t amount_sen;
    std::string severity;
  };
  const std::vector<Want> want = {
      {"OVER_PAGU", kOpdC, {S("c1"), S("c2"), S("c8")}, 5 * kMillion, "high"},
      {"SPLIT_PACKAGE", kOpdC, {S("c3"), S("c4"), S("c5")}, 240'500'000LL * 100, "high"},
      {"DUPLICATE_PAYMENT", kOpdB, {S("b7"), S("b8")}, 1'750'000LL * 100, "high"},
      {"CASH_PAYMENT", kOpdB, {S("b5")}, 2'500'000LL * 100, "high"},
      {"TAX_NOT_DEPOSITED", kOpdB, {S("b2")}, 111'000LL * 100, "medium"},
      {"TAX_NOT_DEPOSITED", kOpdC, {S("c1")}, 135'135'135, "high"},
      {"TAX_NOT_COLLECTED", kOpdC, {S("c3")}, 80 * kMillion, "high"},
      {"OUTSIDE_FISCAL_YEAR", kOpdA, {S("a1")}, 5 * kMillion, "low"},
      {"LATE_RECORDING", kOpdB, {S("b6")}, 4 * kMillion, "medium"},
      {"REVERSAL_HEAVY", kOpdB, {S("b4")}, 20 * kMillion, "low"},
  };
  const std::vector<ledger::Finding> findings = Findings("2026-12-31");
  ASSERT_EQ(findings.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("finding " + std::to_string(i) + " " + want[i].rule + " " + want[i].opd);
    EXPECT_EQ(findings[i].rule, want[i].rule);
    EXPECT_EQ(findings[i].opd, want[i].opd);
    EXPECT_EQ(findings[i].seqs, want[i].seqs);
    EXPECT_EQ(findings[i].amount_sen, want[i].amount_sen);
    EXPECT_EQ(findings[i].severity, want[i].severity);
    EXPECT_NE(findings[i].kondisi.find(ledger::FormatRupiah(want[i].amount_sen)), std::string::npos)
        << findings[i].kondisi;
    EXPECT_FALSE(findings[i].kriteria.empty());
    EXPECT_FALSE(findings[i].sebab.empty());
    EXPECT_FALSE(findings[i].akibat.empty());
    EXPECT_EQ(findings[i].rekomendasi.rfind("BPK merekomendasikan ", 0), 0u) << findings[i].rekomendasi;
  }
}

// c1's PPN (10 February; deadline Monday 16 March 2026, the 15th being a Sunday) is not
// due on the deadline day itself, and is due the day after.
TEST_F(SummaryTest, TaxNotDepositedOnlyOnceTheDeadlineHasPassed) {
  auto c_tax = [&](const std::string& as_of) {
    std::vector<ledger::Finding> out;
    for (const ledger::Finding& f : Findings(as_of)) {
      if (f.rule == "TAX_NOT_DEPOSITED" && f.opd == kOpdC) out.push_back(f);
    }
    return out;
  };
  EXPECT_TRUE(c_tax("2026-03-16").empty());
  std::vector<ledger::Finding> after = c_tax("2026-03-17");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].seqs, (Seqs{S("c1")}));
  EXPECT_EQ(after[0].amount_sen, 135'135'135);
  EXPECT_EQ(after[0].severity, "high");
  // c8's PPh22 (4 December) is due after 15 January 2027.
  std::vector<ledger::Finding> next_year = c_tax("2027-01-16");
  ASSERT_EQ(next_year.size(), 2u);
  EXPECT_EQ(next_year[1].seqs, (Seqs{S("c8")}));
  EXPECT_EQ(next_year[1].amount_sen, 30'000LL * 100);
}

}  // namespace
}  // namespace jejak::db::summary_test
