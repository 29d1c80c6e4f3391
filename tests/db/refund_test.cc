// Refunds (pengembalian belanja) and pinned absorption reports in a real SQLite store: the
// append rules of a refund, where a refund lands in absorption (its own month, or other
// revenue of a later year), that absorption from the aggregates and from the entries
// agree, that a report pinned to a tree size never changes, and that a ledger from before
// the refunds column opens and verifies.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

#include "crypto/ed25519.h"
#include "db/store.h"
#include "ledger/absorption.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/money.h"
#include "tests/db/db_test_util.h"

namespace jejak::db {
namespace {

namespace fs = std::filesystem;

constexpr const char* kOrigin = "jejak.test/kabupaten-refund";
constexpr const char* kOpdA = "1.02.0.00.0.00.01.0000";
constexpr const char* kOpdB = "1.01.0.00.0.00.01.0000";
constexpr const char* kSubActivity = "1.02.02.2.01.0014";
constexpr const char* kPegawai = "5.1.01.01.01.0001";
constexpr const char* kBarangJasa = "5.1.02.01.01.0024";
constexpr const char* kModal = "5.2.02.05.01.0001";
constexpr std::int64_t kMillion = 1'000'000LL * 100;

ledger::NoteSigner TestSigner() { return test_support::SeededSigner(kOrigin, 23); }

std::string Money(std::int64_t sen) { return ledger::FormatMoney(sen); }

class RefundTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_support::FreshTestDirectory("jejak-refund-test");
    Open();
    BuildLedger();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  void Open() {
    store_ = test_support::OpenTestStore(dir_ / "ledger.db", TestSigner());
    ASSERT_NE(store_, nullptr);
  }

  // Appends one entry recorded at 03:00 UTC on `date`; remembers its seq as `name`.
  Result<BatchReceipt> Try(const std::string& name, const nlohmann::json& body,
                           const std::string& date, const std::string& by = "bendahara") {
    Result<nlohmann::json> valid = body.value("kind", "") == "genesis" ? ledger::ValidateGenesis(body)
                                                                       : ledger::ValidateBody(body);
    if (!valid) return valid.error();
    Result<BatchReceipt> receipt = store_->Append(
        {PendingEntry{std::make_shared<const nlohmann::json>(*valid), by}}, date + "T03:00:00.000Z");
    if (receipt) seq_[name] = receipt->entries.at(0).seq;
    return receipt;
  }
  void Record(const std::string& name, const nlohmann::json& body, const std::string& date,
              const std::string& by = "bendahara") {
    Result<BatchReceipt> receipt = Try(name, body, date, by);
    ASSERT_TRUE(receipt.has_value()) << name << ": " << receipt.error().ToString();
  }
  nlohmann::json Expenditure(const std::string& opd, const std::string& account,
                             const std::string& instrument, std::int64_t year,
                             const std::string& value_date, std::int64_t gross_sen) {
    ++bank_refs_;
    return {{"kind", "expenditure"},
            {"fiscal_year", year},
            {"opd", opd},
            {"sub_activity", kSubActivity},
            {"account", account},
            {"mechanism", instrument == "sp2d_ls" ? "LS" : "GU"},
            {"instrument", instrument},
            {"value_date", value_date},
            {"gross", Money(gross_sen)},
            {"taxes", nlohmann::json::array()},
            {"net", Money(gross_sen)},
            {"payee",
             {{"name", "CV Maju"}, {"bank", "Bank Bengkulu"}, {"account_no", "00120"},
              {"account_name", "CV Maju"}}},
            {"bank_ref", "REF-R-" + std::to_string(bank_refs_)},
            {"documents", {{"evidence_no", "BKT-" + std::to_string(bank_refs_)}}},
            {"description", "Belanja"}};
  }
  void Pay(const std::string& name, const std::string& opd, const std::string& account,
           const std::string& instrument, std::int64_t year, const std::string& value_date,
           std::int64_t gross_sen, const std::string& recorded = "") {
    Record(name, Expenditure(opd, account, instrument, year, value_date, gross_sen),
           recorded.empty() ? value_date : recorded);
  }
  static nlohmann::json RefundBody(std::int64_t target, const std::string& date,
                                   std::int64_t amount_sen) {
    return {{"kind", "refund"},        {"refunds", target},         {"value_date", date},
            {"amount", Money(amount_sen)}, {"sts_no", "STS/" + date}, {"reason", "kelebihan bayar"}};
  }
  void Budget(const std::string& name, const std::string& opd, const std::string& account,
              std::int64_t year, std::int64_t pagu_sen, bool with_plan, const std::string& date) {
    nlohmann::json body = {{"kind", "budget"}, {"fiscal_year", year},   {"opd", opd},
                           {"sub_activity", kSubActivity}, {"account", account},
                           {"pagu", Money(pagu_sen)},       {"stage", "murni"}};
    if (with_plan) {
      nlohmann::json months = nlohmann::json::array();
      for (int m = 0; m < 12; ++m) months.push_back(Money(pagu_sen / 12));
      body["monthly_plan"] = months;
    }
    Record(name, body, date, "admin");
  }
  std::int64_t S(const std::string& name) const { return seq_.at(name); }

  // Two OPDs; budgets of 2025 and 2026 (some lines with a RAK); payments of both years;
  // a reversed payment; a refund in April of a February payment and a refund in 2026 of
  // a 2025 payment.
  void BuildLedger() {
    Record("genesis", test_support::GenesisBody("refund-test", kOrigin, TestSigner()), "2025-01-02",
           "jejak-init");
    Record("opd_a", test_support::OpdBody(kOpdA, "Dinas Kesehatan"), "2025-01-02", "admin");
    Record("opd_b", test_support::OpdBody(kOpdB, "Dinas Pendidikan"), "2025-01-02", "admin");
    Budget("a_bj_2025", kOpdA, kBarangJasa, 2025, 120 * kMillion, true, "2025-01-05");
    Pay("p2025", kOpdA, kBarangJasa, "cms_transfer", 2025, "2025-11-10", 20 * kMillion);
    Budget("a_bj", kOpdA, kBarangJasa, 2026, 120 * kMillion, true, "2026-01-05");
    Budget("a_peg", kOpdA, kPegawai, 2026, 60 * kMillion, false, "2026-01-05");
    Budget("b_mod", kOpdB, kModal, 2026, 240 * kMillion, true, "2026-01-05");
    Pay("feb", kOpdA, kBarangJasa, "cms_transfer", 2026, "2026-02-10", 10 * kMillion);
    Record("refund_closed", RefundBody(S("p2025"), "2026-02-15", 4 * kMillion), "2026-02-15");
    Pay("b_feb", kOpdB, kModal, "sp2d_ls", 2026, "2026-02-20", 50 * kMillion);
    Pay("wrong", kOpdA, kBarangJasa, "kkpd", 2026, "2026-03-01", 3 * kMillion);
    Record("r_wrong", {{"kind", "reversal"}, {"reverses", S("wrong")}, {"reason", "salah input"}}, "2026-03-02");
    Pay("peg", kOpdA, kPegawai, "sp2d_ls", 2026, "2026-03-05", 5 * kMillion);
    Record("refund_april", RefundBody(S("feb"), "2026-04-10", 2 * kMillion), "2026-04-10");
  }

  ledger::AbsorptionReport Absorption(std::int64_t year, const std::string& as_of,
                                      const AbsorptionScope& scope = {},
                                      const std::optional<std::string>& opd = std::nullopt) {
    Result<ledger::AbsorptionInput> input = store_->AbsorptionInputs(year, as_of, opd, scope);
    EXPECT_TRUE(input.has_value()) << input.error().ToString();
    if (!input) return {};
    Result<ledger::AbsorptionReport> report = ledger::ComputeAbsorption(*input);
    EXPECT_TRUE(report.has_value()) << report.error().ToString();
    return report ? std::move(report).value() : ledger::AbsorptionReport{};
  }
  std::uint64_t Size() {
    Result<std::uint64_t> size = store_->TreeSize();
    EXPECT_TRUE(size.has_value());
    return size ? *size : 0;
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  std::map<std::string, std::int64_t> seq_;
  int bank_refs_ = 0;
};

const ledger::Absorption& Row(const ledger::AbsorptionReport& report, const std::string& opd) {
  for (const ledger::Absorption& row : report.opds) {
    if (row.opd == opd) return row;
  }
  ADD_FAILURE() << "no row for " << opd;
  static const ledger::Absorption kNone;
  return kNone;
}

TEST_F(RefundTest, RefundInAprilOfAFebruaryPaymentLowersAprilNotFebruary) {
  const ledger::AbsorptionReport april = Absorption(2026, "2026-04-30");
  const ledger::Absorption& a = Row(april, kOpdA);
  // February: the 10,000,000 payment; March: + 5,000,000 (the kkpd one was reversed);
  // April: - 2,000,000 refunded.
  EXPECT_EQ(a.monthly_sen[1], 10 * kMillion);
  EXPECT_EQ(a.monthly_sen[2], 15 * kMillion);
  EXPECT_EQ(a.monthly_sen[3], 13 * kMillion);
  EXPECT_EQ(a.realisation_sen, 13 * kMillion);
  EXPECT_EQ(a.refunds, (ledger::Amounts{2 * kMillion, 1}));
  EXPECT_EQ(a.corrections, (ledger::Amounts{3 * kMillion, 1}));
  EXPECT_EQ(a.groups.at("barang_jasa").second, 8 * kMillion);
  EXPECT_EQ(a.instruments.at("cms_transfer"), (ledger::Amounts{8 * kMillion, 1}));
  // The RAK line barang dan jasa: 10,000,000 - 2,000,000 against 4 x 10,000,000.
  EXPECT_EQ(a.band_realisation_sen, 8 * kMillion);
  EXPECT_EQ(a.band_plan_sen, 40 * kMillion);
  // Before the refund's date nothing of it shows.
  const ledger::AbsorptionReport march = Absorption(2026, "2026-03-31");
  EXPECT_EQ(Row(march, kOpdA).realisation_sen, 15 * kMillion);
  EXPECT_EQ(Row(march, kOpdA).refunds.entries, 0);
  EXPECT_EQ(Row(march, kOpdA).monthly_sen[1], 10 * kMillion);
}

TEST_F(RefundTest, RefundOfLastYearsPaymentIsOtherRevenueAndLeavesLastYearAlone) {
  const ledger::AbsorptionReport this_year = Absorption(2026, "2026-12-31");
  EXPECT_EQ(Row(this_year, kOpdA).other_revenue, (ledger::Amounts{4 * kMillion, 1}));
  EXPECT_EQ(this_year.total.other_revenue, (ledger::Amounts{4 * kMillion, 1}));
  EXPECT_EQ(this_year.total.refunds, (ledger::Amounts{2 * kMillion, 1}));  // April's only.
  EXPECT_EQ(this_year.total.realisation_sen, 63 * kMillion);  // 13,000,000 + 50,000,000.
  const ledger::AbsorptionReport last_year = Absorption(2025, "2025-12-31");
  EXPECT_EQ(last_year.total.realisation_sen, 20 * kMillion);
  EXPECT_EQ(last_year.total.refunds.entries, 0);
  EXPECT_EQ(last_year.total.other_revenue.entries, 0);
  // Another refund of it changes 2026 only: 2025 as of any date stays as it was.
  const ledger::AbsorptionReport later = Absorption(2025, "2026-06-30");
  Record("refund_closed_2", RefundBody(S("p2025"), "2026-05-20", 1 * kMillion), "2026-05-20");
  EXPECT_EQ(Absorption(2025, "2025-12-31"), last_year);
  EXPECT_EQ(Absorption(2025, "2026-06-30"), later);
  EXPECT_EQ(Absorption(2026, "2026-12-31").total.other_revenue, (ledger::Amounts{5 * kMillion, 2}));
}

TEST_F(RefundTest, AggregatesAndEntriesGiveTheSameAbsorption) {
  bool saw_refund = false, saw_other = false, saw_band = false;
  for (std::int64_t year : {2025, 2026}) {
    for (const char* as_of : {"2025-06-15", "2025-12-31", "2026-01-31", "2026-02-28", "2026-03-15",
                              "2026-04-10", "2026-04-30", "2026-12-31", "2027-01-31"}) {
      for (const std::optional<std::string>& opd :
           {std::optional<std::string>(), std::optional<std::string>(kOpdA)}) {
        SCOPED_TRACE(std::to_string(year) + " as of " + as_of + (opd ? " " + *opd : ""));
        const ledger::AbsorptionReport aggregates = Absorption(year, as_of, {}, opd);
        const ledger::AbsorptionReport entries = Absorption(year, as_of, {std::nullopt, true}, opd);
        EXPECT_EQ(aggregates, entries);
        saw_refund = saw_refund || aggregates.total.refunds.entries > 0;
        saw_other = saw_other || aggregates.total.other_revenue.entries > 0;
        saw_band = saw_band || aggregates.total.band.has_value();
      }
    }
  }
  // The ledger exercises what the two paths compute.
  EXPECT_TRUE(saw_refund);
  EXPECT_TRUE(saw_other);
  EXPECT_TRUE(saw_band);
}

TEST_F(RefundTest, PinnedReportDoesNotChangeAfterAppendsOfEveryKind) {
  const std::uint64_t pinned = Size();
  const AbsorptionScope scope{pinned, false};
  const ledger::AbsorptionReport before = Absorption(2026, "2026-12-31", scope);
  const ledger::AbsorptionReport before_2025 = Absorption(2025, "2026-12-31", scope);
  EXPECT_EQ(before, Absorption(2026, "2026-12-31"));  // At the newest size: the same.
  Record("opd_c", {{"kind", "opd"}, {"code", "1.03.0.00.0.00.01.0000"}, {"name", "Dinas PUPR"}}, "2026-06-01", "admin");
  Record("a_mod", nlohmann::json{{"kind", "budget"}, {"fiscal_year", 2026}, {"opd", kOpdA},
                                        {"sub_activity", kSubActivity}, {"account", kModal},
                                        {"pagu", Money(70 * kMillion)}, {"stage", "pergeseran"},
                                        {"effective_date", "2026-01-01"}},
         "2026-06-01", "admin");
  Pay("late", kOpdA, kBarangJasa, "qris", 2026, "2026-03-20", 7 * kMillion, "2026-06-01");
  Pay("late_2025", kOpdA, kBarangJasa, "qris", 2025, "2025-12-20", 1 * kMillion, "2026-06-01");
  Record("refund_peg", RefundBody(S("peg"), "2026-06-02", 1 * kMillion), "2026-06-02");
  Record("refund_2025", RefundBody(S("p2025"), "2026-06-02", 1 * kMillion), "2026-06-02");
  Record("r_b_feb", {{"kind", "reversal"}, {"reverses", S("b_feb")}, {"reason", "salah"}}, "2026-06-03");
  const ledger::AbsorptionReport after = Absorption(2026, "2026-12-31", scope);
  EXPECT_EQ(after, before);
  EXPECT_EQ(Absorption(2025, "2026-12-31", scope), before_2025);
  // Unpinned, every one of those appends shows.
  const ledger::AbsorptionReport now = Absorption(2026, "2026-12-31");
  EXPECT_NE(now.total.realisation_sen, before.total.realisation_sen);
  EXPECT_NE(now.total.pagu_sen, before.total.pagu_sen);
  EXPECT_EQ(now.total.corrections.entries, before.total.corrections.entries + 1);
  EXPECT_EQ(now.total.refunds.entries, before.total.refunds.entries + 1);
  EXPECT_EQ(now.total.other_revenue.entries, before.total.other_revenue.entries + 1);
}

TEST_F(RefundTest, TreeSizePastTheLedgerIsRefused) {
  Result<ledger::AbsorptionInput> input =
      store_->AbsorptionInputs(2026, "2026-12-31", std::nullopt, AbsorptionScope{Size() + 1, false});
  ASSERT_FALSE(input.has_value());
  EXPECT_EQ(input.error().code, Code::kInvalidArgument);
  ASSERT_FALSE(input.error().fields.empty());
  EXPECT_EQ(input.error().fields[0].field, "tree_size");
}

TEST_F(RefundTest, AppendRefusesWhatARefundMayNotDo) {
  // 10,000,000 paid, 2,000,000 refunded: 8,000,000.01 is too much.
  Result<BatchReceipt> over = Try("over", RefundBody(S("feb"), "2026-05-01", 8 * kMillion + 1), "2026-05-01");
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error().code, Code::kOutOfRange);
  EXPECT_NE(over.error().ToString().find("8000000.00"), std::string::npos) << over.error().ToString();
  // A refunded payment is no longer a recording error.
  Result<BatchReceipt> reversal =
      Try("r_feb", {{"kind", "reversal"}, {"reverses", S("feb")}, {"reason", "x"}}, "2026-05-01");
  ASSERT_FALSE(reversal.has_value());
  EXPECT_EQ(reversal.error().code, Code::kConflict);
  // A reversed payment cannot be refunded.
  Result<BatchReceipt> of_reversed = Try("x", RefundBody(S("wrong"), "2026-05-01", kMillion), "2026-05-01");
  ASSERT_FALSE(of_reversed.has_value());
  EXPECT_EQ(of_reversed.error().code, Code::kConflict);
  // The rest of the gross, in two refunds of one group, the second one sen too many.
  Result<nlohmann::json> first = ledger::ValidateBody(RefundBody(S("feb"), "2026-05-01", 5 * kMillion));
  Result<nlohmann::json> second = ledger::ValidateBody(RefundBody(S("feb"), "2026-05-02", 3 * kMillion + 1));
  ASSERT_TRUE(first.has_value() && second.has_value());
  Result<GroupReceipt> group = store_->AppendGroup(
      {PendingEntry{std::make_shared<const nlohmann::json>(*first), "bendahara"},
       PendingEntry{std::make_shared<const nlohmann::json>(*second), "bendahara"}},
      "2026-05-02T03:00:00.000Z");
  ASSERT_TRUE(group.has_value());
  EXPECT_TRUE(group->outcomes[0].receipt.has_value());
  ASSERT_FALSE(group->outcomes[1].receipt.has_value());
  EXPECT_EQ(group->outcomes[1].receipt.error().fields.at(0).field, "amount");
  // The refund is its original's OPD's, and its columns verify.
  Result<std::string> opd = store_->OpdOf(S("refund_april"));
  ASSERT_TRUE(opd.has_value());
  EXPECT_EQ(*opd, kOpdA);
  Result<ledger::EntryColumns> columns = store_->Columns(S("refund_april"));
  ASSERT_TRUE(columns.has_value());
  EXPECT_EQ(columns->refunds, S("feb"));
  EXPECT_EQ(columns->fiscal_year, 2026);
  EntryFilter filter;
  filter.opd = kOpdA;
  filter.kind = "refund";
  Result<EntryPage> page = store_->ListEntries(filter);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->entries.size(), 3u);  // 2026-04-10, the closed year's, 2026-05-01.
  Result<VerifyReport> report = store_->Verify(ledger::VerifierOf(TestSigner()), std::nullopt);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->problem->what;
}

TEST_F(RefundTest, ALedgerFromBeforeTheRefundsColumnOpensAndVerifies) {
  if (test_support::OnPostgres()) GTEST_SKIP() << "rebuilds a SQLite schema-2 ledger by hand";
  // A ledger of schema version 2 (no refunds column, no line aggregate yet): a few
  // entries, one reversed, then what migration 3 added dropped and the migration
  // forgotten. Reopening migrates again: the column is NULL everywhere and the line
  // aggregate is filled from the entries, so verification (which recomputes both) passes.
  store_.reset();
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  seq_.clear();
  Open();
  Record("genesis", test_support::GenesisBody("refund-test", kOrigin, TestSigner()), "2026-01-02",
         "jejak-init");
  Record("opd_a", test_support::OpdBody(kOpdA, "Dinas Kesehatan"), "2026-01-02", "admin");
  Pay("feb", kOpdA, kBarangJasa, "cms_transfer", 2026, "2026-02-10", 10 * kMillion);
  Pay("mar", kOpdA, kPegawai, "sp2d_ls", 2026, "2026-03-01", 4 * kMillion);
  Pay("wrong", kOpdA, kBarangJasa, "kkpd", 2026, "2026-03-01", 3 * kMillion);
  Record("r_wrong", {{"kind", "reversal"}, {"reverses", S("wrong")}, {"reason", "salah input"}}, "2026-03-02");
  store_.reset();
  {
    std::unique_ptr<soci::session> session = test_support::OpenSession(dir_ / "ledger.db");
    soci::session& sql = *session;
    sql << "DROP INDEX entries_refunds";
    sql << "ALTER TABLE entries DROP COLUMN refunds";
    sql << "DROP TABLE realisation_lines";
    sql << "DELETE FROM schema_migrations WHERE version = 3";
    // Nor what migration 4 added later (the audit facts).
    sql << "DROP TRIGGER audit_expenditures_no_update";
    sql << "DROP TRIGGER audit_expenditures_no_delete";
    sql << "DROP TABLE audit_expenditures";
    sql << "DELETE FROM schema_migrations WHERE version = 4";
    // Nor what migration 5 added (the witnesses' sizes).
    sql << "DROP TABLE witness_sizes";
    sql << "DELETE FROM schema_migrations WHERE version = 5";
    // Nor what migration 6 added (the search indexes).
    for (const char* index : {"entries_evidence_no", "entries_spp", "entries_spm", "entries_sp2d",
                              "entries_payee_npwp", "entries_payee_name", "entries_gross", "entries_instrument"}) {
      sql << std::string("DROP INDEX ") + index;
    }
    sql << "DELETE FROM schema_migrations WHERE version = 6";
    // Nor what migration 7 added (saved import mappings).
    sql << "DROP TABLE import_mappings";
    sql << "DELETE FROM schema_migrations WHERE version = 7";
    // Nor what migration 8 added (the bank statements).
    sql << "DROP TABLE bank_statements";
    sql << "DELETE FROM schema_migrations WHERE version = 8";
    int columns = 0;
    sql << "SELECT COUNT(*) FROM pragma_table_info('entries') WHERE name = 'refunds'", soci::into(columns);
    ASSERT_EQ(columns, 0);
  }
  Open();  // Migrates to version 3, then 4, 5, 6, 7 and 8.
  Result<VerifyReport> report = store_->Verify(ledger::VerifierOf(TestSigner()), std::nullopt);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->problem->what;
  EXPECT_EQ(report->entries, 6u);
  {
    std::unique_ptr<soci::session> session = test_support::OpenSession(dir_ / "ledger.db");
    soci::session& sql = *session;
    long long amount = 0;
    sql << "SELECT SUM(amount_sen) FROM realisation_lines", soci::into(amount);
    EXPECT_EQ(amount, 14 * kMillion);  // The reversed 3,000,000 is not in it.
  }
  Record("refund", RefundBody(S("feb"), "2026-03-02", kMillion), "2026-03-02");
  EXPECT_EQ(Absorption(2026, "2026-03-31").total.realisation_sen, 13 * kMillion);
  EXPECT_EQ(Absorption(2026, "2026-03-31"), Absorption(2026, "2026-03-31", {std::nullopt, true}));
  Result<VerifyReport> again = store_->Verify(ledger::VerifierOf(TestSigner()), std::nullopt);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->ok) << again->problem->what;
}

TEST_F(RefundTest, VerifyNamesALineAggregateThatDisagreesWithTheEntries) {
  Result<VerifyReport> clean = store_->Verify(ledger::VerifierOf(TestSigner()), std::nullopt);
  ASSERT_TRUE(clean.has_value());
  EXPECT_TRUE(clean->ok);
  {
    std::unique_ptr<soci::session> session = test_support::OpenSession(dir_ / "ledger.db");
    soci::session& sql = *session;
    sql << "UPDATE realisation_lines SET amount_sen = amount_sen + 1 WHERE month = '2026-02'"
           " AND account = '" << kBarangJasa << "'";
  }
  Result<VerifyReport> report = store_->Verify(ledger::VerifierOf(TestSigner()), std::nullopt);
  ASSERT_TRUE(report.has_value());
  EXPECT_FALSE(report->ok);
  ASSERT_TRUE(report->problem.has_value());
  EXPECT_NE(report->problem->what.find("realisation_lines"), std::string::npos) << report->problem->what;
}

}  // namespace
}  // namespace jejak::db
