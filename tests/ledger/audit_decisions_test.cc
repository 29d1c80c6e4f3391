// Tests for the decisions issue #16 asks of the audit rules (ledger/audit.h): the
// six-vendor split, contract instalments, caps by type and effective date, national vs
// regional holidays and the pre-2025 deposit deadlines, unpaid vs paid late, the LPJ
// deadline in the regency's time zone, TAX_NOT_COLLECTED, PAYMENT_BEFORE_EVIDENCE, a
// prior year's utang belanja, REVERSAL_HEAVY as a low internal-control signal, and BPK's
// form of the texts.
#include "ledger/audit.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace jejak::ledger {
namespace {

constexpr const char* kOpd = "1.03.0.00.0.00.01.0000";
constexpr const char* kOtherOpd = "1.03.0.00.0.00.02.0000";
constexpr const char* kOpdName = "Dinas Pekerjaan Umum dan Penataan Ruang";
constexpr const char* kSub = "1.03.10.2.01.0015";
constexpr const char* kGoodsAccount = "5.1.02.01.01.0024";
constexpr const char* kRoadAccount = "5.2.04.01.01.0012";
constexpr std::int64_t kMillion = 1'000'000LL * 100;  // Rp1 million in sen.

using Seqs = std::vector<std::int64_t>;

ExpenditureFacts Spend(std::int64_t seq, const std::string& value_date, std::int64_t gross_sen,
                       const std::string& account = kGoodsAccount) {
  ExpenditureFacts e;
  e.seq = seq;
  e.fiscal_year = 2025;
  e.opd = kOpd;
  e.sub_activity = kSub;
  e.account = account;
  e.instrument = "sp2d_ls";
  e.value_date = value_date;
  e.recorded_at = value_date + "T03:00:00.000Z";
  e.payee_account = "bri:" + std::to_string(1000 + seq);
  e.payee_npwp = "0123456789" + std::to_string(10000 + seq);
  e.payee_name = "CV Penyedia " + std::to_string(seq);
  e.gross_sen = gross_sen;
  return e;
}

ExpenditureFacts Pl(ExpenditureFacts e, const std::string& contract_no = "") {
  e.procurement_method = "PL";
  e.contract_no = contract_no;
  return e;
}

AuditInput Input(std::vector<ExpenditureFacts> expenditures) {
  AuditInput input;
  input.fiscal_year = 2025;
  input.expenditures = std::move(expenditures);
  input.as_of = "2026-03-31";
  input.region = "Pemerintah Kabupaten Rejang Lebong";
  input.opd_names = {{kOpd, kOpdName}};
  return input;
}

std::vector<Finding> RunRule(const AuditInput& input, const std::string& rule,
                             const AuditRules& rules = AuditRules{}) {
  std::vector<Finding> out;
  for (Finding& f : RunAuditRules(input, rules)) {
    if (f.rule == rule) out.push_back(std::move(f));
  }
  return out;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// ----- OVER_PAGU nets refunds ----------------------------------------------------------------

RefundFacts Refund(std::int64_t seq, std::int64_t refunds, std::int64_t amount_sen,
                   std::int64_t original_fiscal_year = 2025) {
  RefundFacts refund;
  refund.seq = seq;
  refund.refunds = refunds;
  refund.original_fiscal_year = original_fiscal_year;
  refund.opd = kOpd;
  refund.sub_activity = kSub;
  refund.account = kGoodsAccount;
  refund.instrument = "sp2d_ls";
  refund.value_date = "2025-06-02";
  refund.amount_sen = amount_sen;
  return refund;
}

TEST(OverPaguDecisionTest, RefundsOfTheYearsPaymentsLowerTheLine) {
  // Pagu 100 juta, two payments of 60 juta: 20 juta over. A refund of 20 juta of one of
  // them brings the line to its pagu (as absorption shows it): no finding.
  AuditInput input = Input({Spend(10, "2025-03-01", 60 * kMillion), Spend(11, "2025-03-05", 60 * kMillion)});
  input.budgets.push_back(BudgetFacts{7, kOpd, kSub, kGoodsAccount, 100 * kMillion});
  ASSERT_EQ(RunRule(input, kRuleOverPagu).size(), 1u);
  input.refunds.push_back(Refund(12, 11, 20 * kMillion));
  EXPECT_TRUE(RunRule(input, kRuleOverPagu).empty());
  // A refund of 5 juta leaves 15 juta over, and the kondisi says what was netted.
  input.refunds = {Refund(12, 11, 5 * kMillion)};
  const std::vector<Finding> partly = RunRule(input, kRuleOverPagu);
  ASSERT_EQ(partly.size(), 1u);
  EXPECT_EQ(partly[0].amount_sen, 15 * kMillion);
  EXPECT_TRUE(Contains(partly[0].kondisi, "pengembalian belanja sebesar Rp 5.000.000,00")) << partly[0].kondisi;
}

TEST(OverPaguDecisionTest, RefundsOfAnEarlierYearsPaymentDoNotCount) {
  // Pendapatan lain-lain of this year: it lowers no line of this year's budget.
  AuditInput input = Input({Spend(10, "2025-03-01", 60 * kMillion), Spend(11, "2025-03-05", 60 * kMillion)});
  input.budgets.push_back(BudgetFacts{7, kOpd, kSub, kGoodsAccount, 100 * kMillion});
  input.refunds.push_back(Refund(12, 11, 20 * kMillion, 2024));
  const std::vector<Finding> findings = RunRule(input, kRuleOverPagu);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].amount_sen, 20 * kMillion);
}

// ----- Texts in BPK's form -----------------------------------------------------------------

TEST(AuditTextsTest, RegionHeadFromTheRegion) {
  EXPECT_EQ(RegionHead("Pemerintah Kabupaten Rejang Lebong"), "Bupati Rejang Lebong");
  EXPECT_EQ(RegionHead("Kabupaten Lebong"), "Bupati Lebong");
  EXPECT_EQ(RegionHead("Pemerintah Kota Bengkulu"), "Wali Kota Bengkulu");
  EXPECT_EQ(RegionHead("Pemerintah Provinsi Bengkulu"), "Gubernur Bengkulu");
  EXPECT_EQ(RegionHead("Otorita Ibu Kota Nusantara"), "Kepala Daerah Otorita Ibu Kota Nusantara");
  EXPECT_EQ(RegionHead(""), "Kepala Daerah");
}

TEST(AuditTextsTest, FindingNamesTheOpdAndCarriesAllFiveElements) {
  AuditInput input = Input({Spend(1, "2025-06-02", 3 * kMillion)});
  input.expenditures[0].instrument = "cash";
  const std::vector<Finding> findings = RunRule(input, kRuleCashPayment);
  ASSERT_EQ(findings.size(), 1u);
  const Finding& f = findings[0];
  EXPECT_EQ(f.opd, kOpd);
  EXPECT_EQ(f.opd_name, kOpdName);
  EXPECT_TRUE(Contains(f.kondisi, kOpdName)) << f.kondisi;
  EXPECT_FALSE(Contains(f.kondisi, kOpd)) << f.kondisi;
  EXPECT_FALSE(f.sebab.empty());
  EXPECT_FALSE(f.akibat.empty());
  EXPECT_EQ(f.rekomendasi.rfind("BPK merekomendasikan Bupati Rejang Lebong agar memerintahkan "
                                "Kepala Dinas Pekerjaan Umum dan Penataan Ruang selaku Pengguna "
                                "Anggaran untuk ",
                                0),
            0u)
      << f.rekomendasi;
}

TEST(AuditTextsTest, UnregisteredOpdFallsBackToItsCode) {
  AuditInput input = Input({Spend(1, "2025-06-02", 3 * kMillion)});
  input.expenditures[0].instrument = "cash";
  input.opd_names.clear();
  const std::vector<Finding> findings = RunRule(input, kRuleCashPayment);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].opd_name, "");
  EXPECT_TRUE(Contains(findings[0].rekomendasi, std::string("Kepala OPD ") + kOpd + " selaku"));
}

// ----- SPLIT_PACKAGE ------------------------------------------------------------------------

TEST(SplitDecisionTest, SixPackagesToSixVendorsAreFound) {
  std::vector<ExpenditureFacts> six;
  const std::int64_t rupiah[] = {194'850'000, 195'400'000, 193'750'000,
                                 196'200'000, 194'600'000, 195'900'000};
  std::int64_t total_sen = 0;
  for (int i = 0; i < 6; ++i) {
    six.push_back(Pl(Spend(10 + i, "2025-0" + std::to_string(3 + i / 2) + "-1" + std::to_string(i),
                           rupiah[i] * 100)));
    total_sen += rupiah[i] * 100;
  }
  const std::vector<Finding> findings = RunRule(Input(six), kRuleSplitPackage);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].seqs, (Seqs{10, 11, 12, 13, 14, 15}));
  EXPECT_EQ(findings[0].amount_sen, total_sen);
  EXPECT_TRUE(Contains(findings[0].kondisi, "6 paket pengadaan langsung barang/jasa lainnya"))
      << findings[0].kondisi;
  EXPECT_TRUE(Contains(findings[0].kondisi, "kepada 6 penyedia"));
  EXPECT_TRUE(Contains(findings[0].kondisi, std::string("sub kegiatan ") + kSub));
}

TEST(SplitDecisionTest, InstalmentsOfOneContractAreNotASplit) {
  // Two instalments of one Rp180 juta contract: one package, under the cap.
  const AuditInput one = Input({Pl(Spend(20, "2025-04-01", 90 * kMillion), "027/001/SPK-PL"),
                                Pl(Spend(21, "2025-05-02", 90 * kMillion), "027/001/SPK-PL")});
  EXPECT_TRUE(RunRule(one, kRuleSplitPackage).empty());
  // With a second contract of Rp100 juta on the same line: two packages, Rp280 juta.
  AuditInput two = one;
  two.expenditures.push_back(Pl(Spend(22, "2025-06-02", 100 * kMillion), "027/002/SPK-PL"));
  const std::vector<Finding> findings = RunRule(two, kRuleSplitPackage);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].seqs, (Seqs{20, 21, 22}));
  EXPECT_TRUE(Contains(findings[0].kondisi, "2 paket")) << findings[0].kondisi;
  // An instalment contract above the cap is no direct procurement at all.
  const AuditInput big = Input({Pl(Spend(30, "2025-04-01", 150 * kMillion), "K-9"),
                                Pl(Spend(31, "2025-05-02", 150 * kMillion), "K-9"),
                                Pl(Spend(32, "2025-06-02", 20 * kMillion), "K-10")});
  EXPECT_TRUE(RunRule(big, kRuleSplitPackage).empty());
}

TEST(SplitDecisionTest, WorksCapRisesAtPerpres46Of2025) {
  EXPECT_EQ(ProcurementCapOn(DefaultProcurementCaps(), "konstruksi", "2025-04-29"), 200 * kMillion);
  EXPECT_EQ(ProcurementCapOn(DefaultProcurementCaps(), "konstruksi", "2025-04-30"), 400 * kMillion);
  EXPECT_EQ(ProcurementCapOn(DefaultProcurementCaps(), "konsultansi", "2025-06-01"), 100 * kMillion);
  EXPECT_EQ(ProcurementCapOn(DefaultProcurementCaps(), "barang", "2017-01-01"), 200 * kMillion);
  // Two road packages of Rp150 juta (works by the account): a split under the Rp200 juta
  // cap in March, none under Rp400 juta in June.
  const AuditInput march = Input({Pl(Spend(40, "2025-03-03", 150 * kMillion, kRoadAccount)),
                                  Pl(Spend(41, "2025-03-10", 150 * kMillion, kRoadAccount))});
  const std::vector<Finding> findings = RunRule(march, kRuleSplitPackage);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(Contains(findings[0].kondisi, "pekerjaan konstruksi")) << findings[0].kondisi;
  const AuditInput june = Input({Pl(Spend(40, "2025-06-02", 150 * kMillion, kRoadAccount)),
                                 Pl(Spend(41, "2025-06-10", 150 * kMillion, kRoadAccount))});
  EXPECT_TRUE(RunRule(june, kRuleSplitPackage).empty());
  // A configured date moves the change.
  AuditRules later;
  later.procurement_caps.push_back({"konstruksi", "2025-07-01", 400 * kMillion});
  std::erase_if(later.procurement_caps, [](const ProcurementCap& c) {
    return c.type == "konstruksi" && c.effective_from == "2025-04-30";
  });
  EXPECT_EQ(RunRule(june, kRuleSplitPackage, later).size(), 1u);
}

TEST(SplitDecisionTest, ProcurementTypeSetsTheCap) {
  // Consultancy: Rp100 juta. Two Rp60 juta studies split; as goods they would not be.
  AuditInput input = Input({Pl(Spend(50, "2025-05-05", 60 * kMillion)),
                            Pl(Spend(51, "2025-05-20", 60 * kMillion))});
  EXPECT_TRUE(RunRule(input, kRuleSplitPackage).empty());
  for (ExpenditureFacts& e : input.expenditures) e.procurement_type = "konsultansi";
  const std::vector<Finding> findings = RunRule(input, kRuleSplitPackage);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(Contains(findings[0].kondisi, "jasa konsultansi"));
  EXPECT_TRUE(Contains(findings[0].kondisi, "Rp 100.000.000,00"));
  // The account fallback: gedung/jalan/irigasi are works, the rest goods.
  ExpenditureFacts road = Spend(1, "2025-01-02", 1, "5.2.03.01.01.0001");
  EXPECT_EQ(ProcurementTypeOf(road), "konstruksi");
  road.account = "5.2.02.05.01.0001";
  EXPECT_EQ(ProcurementTypeOf(road), "barang");
  road.procurement_type = "jasa_lainnya";
  EXPECT_EQ(ProcurementTypeOf(road), "jasa_lainnya");
}

// ----- TAX_NOT_DEPOSITED ---------------------------------------------------------------------

ExpenditureFacts Taxed(ExpenditureFacts e, const std::string& type, std::int64_t amount_sen) {
  e.taxes_sen.emplace_back(type, amount_sen);
  return e;
}

TaxDepositFacts Deposit(std::int64_t seq, const std::string& type, std::int64_t amount_sen,
                        const std::string& date, std::vector<std::int64_t> covers) {
  return TaxDepositFacts{seq, kOpd, type, amount_sen, date, std::move(covers), "NTPN", ""};
}

TEST(TaxDeadlineDecisionTest, DeadlinesByTypeAndPeriod) {
  const AuditRules rules;
  // Before 2025 (PMK 242/2014): PPh 21/23/4(2) by the 10th.
  EXPECT_EQ(TaxDepositDeadline("PPh23", "2024-12-05", rules), "2025-01-10");
  EXPECT_EQ(TaxDepositDeadline("PPh21", "2024-03-20", rules), "2024-04-10");
  EXPECT_EQ(TaxDepositDeadline("PPh4(2)", "2024-07-01", rules), "2024-08-12");  // 10 Aug: Sat.
  // From 2025 (PMK 81/2024 Pasal 94 ayat (2)): the 15th.
  EXPECT_EQ(TaxDepositDeadline("PPh23", "2025-01-06", rules), "2025-02-17");  // 15 Feb: Sat.
  EXPECT_EQ(TaxDepositDeadline("PPh21", "2025-03-20", rules), "2025-04-15");
  // A configured rule: PPh 22 on the payment day itself.
  AuditRules same_day;
  same_day.tax_deadlines.push_back({"PPh22", "2025-01-01", 0});
  EXPECT_EQ(TaxDepositDeadline("PPh22", "2025-03-20", same_day), "2025-03-20");
}

TEST(TaxDeadlineDecisionTest, OnlyNationalHolidaysMoveTheDeadline) {
  // 15 April 2025 is a Tuesday. A deposit on the 16th is late unless the 15th is a
  // national holiday; a regional holiday is not in AuditRules::holidays (the config keeps
  // it apart), so it moves nothing.
  AuditInput input = Input({Taxed(Spend(60, "2025-03-10", 10 * kMillion), "PPh23", 200000)});
  input.tax_deposits.push_back(Deposit(61, "PPh23", 200000, "2025-04-16", {60}));
  const std::vector<Finding> regional = RunRule(input, kRuleTaxNotDeposited);
  ASSERT_EQ(regional.size(), 1u);
  EXPECT_EQ(regional[0].severity, "medium");
  AuditRules national;
  national.holidays = {"2025-04-15"};
  EXPECT_TRUE(RunRule(input, kRuleTaxNotDeposited, national).empty());
}

TEST(TaxDeadlineDecisionTest, UnpaidAndPaidLateAreSeparateFindings) {
  AuditInput input = Input({Taxed(Spend(60, "2025-03-10", 10 * kMillion), "PPh23", 200000),
                            Taxed(Spend(62, "2025-03-12", 10 * kMillion), "PPh23", 300000)});
  input.tax_deposits.push_back(Deposit(63, "PPh23", 300000, "2025-05-02", {62}));
  input.as_of = "2025-06-30";
  const std::vector<Finding> findings = RunRule(input, kRuleTaxNotDeposited);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].severity, "high");  // Unpaid.
  EXPECT_EQ(findings[0].seqs, (Seqs{60}));
  EXPECT_EQ(findings[0].amount_sen, 200000);
  EXPECT_TRUE(Contains(findings[0].kondisi, "belum disetor")) << findings[0].kondisi;
  EXPECT_EQ(findings[1].severity, "medium");  // Paid late.
  EXPECT_EQ(findings[1].seqs, (Seqs{62}));
  EXPECT_EQ(findings[1].amount_sen, 300000);
  EXPECT_TRUE(Contains(findings[1].kondisi, "disetor setelah batas waktu")) << findings[1].kondisi;
  EXPECT_NE(findings[0].sebab, findings[1].sebab);
}

TEST(TaxDeadlineDecisionTest, PreTwentyTwentyFiveCitesPmk242) {
  AuditInput input = Input({Taxed(Spend(60, "2024-11-11", 10 * kMillion), "PPh23", 200000)});
  input.expenditures[0].fiscal_year = 2024;
  input.fiscal_year = 2024;
  input.tax_deposits.push_back(Deposit(61, "PPh23", 200000, "2024-12-12", {60}));
  const std::vector<Finding> findings = RunRule(input, kRuleTaxNotDeposited);
  ASSERT_EQ(findings.size(), 1u);  // Due 10 December 2024; the 12th is late.
  EXPECT_TRUE(Contains(findings[0].kondisi, "10 Desember 2024")) << findings[0].kondisi;
  EXPECT_TRUE(Contains(findings[0].kriteria, "242/PMK.03/2014")) << findings[0].kriteria;
}

// ----- LATE_RECORDING ------------------------------------------------------------------------

ExpenditureFacts RecordedAt(ExpenditureFacts e, const std::string& recorded_at) {
  e.recorded_at = recorded_at;
  return e;
}

TEST(LateRecordingDecisionTest, LpjDeadlineIsInTheRegencysTimeZone) {
  // 17:30 UTC on 10 April is 00:30 WIB on 11 April: past March's LPJ deadline in Jakarta,
  // still on it in UTC.
  const AuditInput input =
      Input({RecordedAt(Spend(80, "2025-03-03", 2 * kMillion), "2025-04-10T17:30:00.000Z")});
  const std::vector<Finding> jakarta = RunRule(input, kRuleLateRecording);
  ASSERT_EQ(jakarta.size(), 1u);
  EXPECT_EQ(jakarta[0].severity, "medium");
  AuditRules utc;
  utc.utc_offset_minutes = 0;
  EXPECT_TRUE(RunRule(input, kRuleLateRecording, utc).empty());
  // 16:59 UTC is 23:59 WIB on the 10th: on time in Jakarta too.
  const AuditInput before =
      Input({RecordedAt(Spend(80, "2025-03-03", 2 * kMillion), "2025-04-10T16:59:59.999Z")});
  EXPECT_TRUE(RunRule(before, kRuleLateRecording).empty());
}

TEST(LateRecordingDecisionTest, DecemberIsDueOnTheThirtyFirstAndThenTheYearIsClosed) {
  const AuditInput on_time =
      Input({RecordedAt(Spend(80, "2025-12-05", 2 * kMillion), "2025-12-31T10:00:00.000Z")});
  EXPECT_TRUE(RunRule(on_time, kRuleLateRecording).empty());
  // 18:00 UTC on 31 December is 01:00 WIB on 1 January: after the year closed.
  const AuditInput late =
      Input({RecordedAt(Spend(80, "2025-12-05", 2 * kMillion), "2025-12-31T18:00:00.000Z")});
  const std::vector<Finding> findings = RunRule(late, kRuleLateRecording);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, "high");
  EXPECT_TRUE(Contains(findings[0].kondisi, "setelah tahun anggaran ditutup")) << findings[0].kondisi;
}

TEST(LateRecordingDecisionTest, MediumAfterTheLpjDeadlineHighAfterTheYearCloses) {
  const AuditInput input =
      Input({RecordedAt(Spend(80, "2025-11-03", 2 * kMillion), "2025-12-15T03:00:00.000Z"),
             RecordedAt(Spend(81, "2025-11-04", 3 * kMillion), "2026-01-05T03:00:00.000Z"),
             RecordedAt(Spend(82, "2025-11-05", 4 * kMillion), "2025-12-10T03:00:00.000Z")});
  const std::vector<Finding> findings = RunRule(input, kRuleLateRecording);
  ASSERT_EQ(findings.size(), 2u);  // Seq 82 is on the deadline day: on time.
  const Finding& high = findings[0].severity == "high" ? findings[0] : findings[1];
  const Finding& medium = findings[0].severity == "high" ? findings[1] : findings[0];
  EXPECT_EQ(high.seqs, (Seqs{81}));
  EXPECT_EQ(medium.severity, "medium");
  EXPECT_EQ(medium.seqs, (Seqs{80}));
}

// ----- TAX_NOT_COLLECTED ---------------------------------------------------------------------

ExpenditureFacts Pkp(ExpenditureFacts e) {
  e.payee_pkp = true;
  return e;
}

TEST(TaxNotCollectedTest, PaymentAboveThresholdToPkpWithoutPpnIsHigh) {
  AuditInput input = Input({Pkp(Spend(70, "2025-05-05", 18'750'000LL * 100)),
                            Pkp(Taxed(Spend(71, "2025-05-06", 5 * kMillion), "PPN", 495'495)),
                            Spend(72, "2025-05-07", 9 * kMillion),           // pkp unknown.
                            Pkp(Spend(73, "2025-05-08", 2 * kMillion))});    // At the threshold.
  input.expenditures[2].payee_pkp = false;
  const std::vector<Finding> findings = RunRule(input, kRuleTaxNotCollected);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, "high");
  EXPECT_EQ(findings[0].seqs, (Seqs{70}));
  EXPECT_EQ(findings[0].amount_sen, 18'750'000LL * 100);
  EXPECT_TRUE(Contains(findings[0].kondisi, "tanpa memungut PPN")) << findings[0].kondisi;
  EXPECT_TRUE(Contains(findings[0].kriteria, "Rp2.000.000"));
}

TEST(TaxNotCollectedTest, GoodsWithPpnButWithoutPph22Fires) {
  AuditInput input = Input({Pkp(Taxed(Spend(70, "2025-05-05", 11 * kMillion), "PPN", 990'990))});
  EXPECT_TRUE(RunRule(input, kRuleTaxNotCollected).empty());
  input.expenditures[0].procurement_type = "barang";
  EXPECT_EQ(RunRule(input, kRuleTaxNotCollected).size(), 1u);
}

TEST(TaxNotCollectedTest, InvoicesSplitUnderTheThresholdOnOneDayAreMedium) {
  AuditInput input = Input({Pkp(Spend(75, "2025-07-01", 1'900'000LL * 100)),
                            Pkp(Spend(76, "2025-07-01", 1'800'000LL * 100)),
                            Pkp(Spend(77, "2025-07-02", 1'900'000LL * 100))});  // Next day.
  for (ExpenditureFacts& e : input.expenditures) e.payee_npwp = "012345678901234";
  const std::vector<Finding> findings = RunRule(input, kRuleTaxNotCollected);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, "medium");
  EXPECT_EQ(findings[0].seqs, (Seqs{75, 76}));
  EXPECT_EQ(findings[0].amount_sen, 3'700'000LL * 100);
  EXPECT_TRUE(Contains(findings[0].kondisi, "pemecahan tagihan")) << findings[0].kondisi;
  // Together at the threshold: no finding.
  input.expenditures[1].gross_sen = 100'000LL * 100;
  EXPECT_TRUE(RunRule(input, kRuleTaxNotCollected).empty());
}

// ----- PAYMENT_BEFORE_EVIDENCE and OUTSIDE_FISCAL_YEAR -----------------------------------------

TEST(PaymentBeforeEvidenceTest, ValueDateBeforeEvidenceDateFires) {
  AuditInput input = Input({Spend(90, "2025-11-18", 3'450'000LL * 100),
                            Spend(91, "2025-11-18", 1 * kMillion),
                            Spend(92, "2025-11-18", 1 * kMillion)});
  input.expenditures[0].evidence_date = "2025-11-23";
  input.expenditures[1].evidence_date = "2025-11-18";  // Same day: fine.
  input.expenditures[2].evidence_date = "2025-11-17";
  const std::vector<Finding> findings = RunRule(input, kRulePaymentBeforeEvidence);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, "medium");
  EXPECT_EQ(findings[0].seqs, (Seqs{90}));
  EXPECT_TRUE(Contains(findings[0].kondisi, "selisih terlama 5 hari")) << findings[0].kondisi;
  EXPECT_TRUE(Contains(findings[0].kriteria, "Pasal 141 ayat (1)"));
}

TEST(OutsideFiscalYearDecisionTest, PriorYearsBillIsUtangBelanja) {
  AuditInput input = Input({Spend(95, "2025-01-14", 6'400'000LL * 100),
                            Spend(96, "2026-01-05", 1 * kMillion)});
  input.expenditures[0].evidence_date = "2024-12-27";
  const std::vector<Finding> findings = RunRule(input, kRuleOutsideFiscalYear);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].seqs, (Seqs{95}));
  EXPECT_EQ(findings[0].severity, "low");
  EXPECT_TRUE(Contains(findings[0].kondisi, "berindikasi pembayaran utang belanja Tahun "
                                            "Anggaran 2024"))
      << findings[0].kondisi;
  EXPECT_EQ(findings[1].seqs, (Seqs{96}));
  EXPECT_EQ(findings[1].severity, "medium");
  EXPECT_TRUE(Contains(findings[1].kondisi, "berindikasi dibebankan di luar tahun anggaran"));
}

// ----- REVERSAL_HEAVY -------------------------------------------------------------------

TEST(ReversalHeavyTest, FiresAboveFivePercentOfRecordedGross) {
  AuditInput input =
      Input({Spend(90, "2025-03-01", 94 * kMillion), Spend(91, "2025-03-02", 6 * kMillion)});
  input.expenditures[1].reversed_by = 92;
  const std::vector<Finding> findings = RunRule(input, kRuleReversalHeavy);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, "low");
  EXPECT_TRUE(Contains(findings[0].kondisi, "Sinyal pengendalian intern")) << findings[0].kondisi;
  EXPECT_EQ(findings[0].seqs, (Seqs{91}));
  EXPECT_EQ(findings[0].amount_sen, 6 * kMillion);
  EXPECT_TRUE(Contains(findings[0].kondisi, "6,00%")) << findings[0].kondisi;
  EXPECT_TRUE(Contains(findings[0].kondisi, "Rp 100.000.000,00"));
  EXPECT_TRUE(Contains(findings[0].akibat, "Sinyal kelemahan pengendalian intern"));
  EXPECT_TRUE(Contains(findings[0].rekomendasi, "BPK merekomendasikan Bupati Rejang Lebong"));
}

TEST(ReversalHeavyTest, ExactlyFivePercentDoesNotFire) {
  AuditInput input =
      Input({Spend(90, "2025-03-01", 95 * kMillion), Spend(91, "2025-03-02", 5 * kMillion)});
  input.expenditures[1].reversed_by = 92;
  EXPECT_TRUE(RunRule(input, kRuleReversalHeavy).empty());
}

TEST(ReversalHeavyTest, OtherOpdsReversalsDoNotCount) {
  AuditInput input =
      Input({Spend(90, "2025-03-01", 94 * kMillion), Spend(91, "2025-03-02", 6 * kMillion)});
  input.expenditures[1].reversed_by = 92;
  input.expenditures[1].opd = kOtherOpd;  // 100% of the other OPD's gross.
  const std::vector<Finding> findings = RunRule(input, kRuleReversalHeavy);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].opd, kOtherOpd);
}

}  // namespace
}  // namespace jejak::ledger
