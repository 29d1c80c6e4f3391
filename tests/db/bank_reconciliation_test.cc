// The stored bank reconciliation (db/bank_reconciliation.cc) in a real store (SQLite, and
// PostgreSQL as pg.*): a refresh stores the year's canonical result at the ledger's size,
// verify recomputes it, and verify fails naming the fiscal year and the first differing
// member when the stored result is edited by SQL, and at the statement's seq when one of
// its lines is edited.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "db/store.h"
#include "ledger/canonical.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/money.h"
#include "tests/db/db_test_util.h"

namespace jejak::db {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kOrigin = "jejak.test/kabupaten-rekonsiliasi";
constexpr const char* kOpd = "1.02.0.00.0.00.01.0000";
constexpr const char* kAccount = "0020102000999";

ledger::NoteSigner TestSigner() { return test_support::SeededSigner(kOrigin, 43); }

json Line(const char* date, const char* direction, const char* amount, const char* ref) {
  return {{"date", date}, {"value_date", date}, {"direction", direction}, {"amount", amount},
          {"type", "transfer"}, {"bank_ref", ref}, {"source_line", 7}};
}

// The treasurer's February: a debit paying expenditure CMS-1 (net 1000.00) and a debit no
// entry paid.
json Statement() {
  return {{"kind", "bank_statement"}, {"bank", "BPD Bengkulu"}, {"account_no", kAccount},
          {"account_role", "bendahara_pengeluaran"}, {"opd", kOpd},
          {"period_start", "2026-02-01"}, {"period_end", "2026-02-28"}, {"currency", "IDR"},
          {"opening_balance", "10000.00"}, {"closing_balance", "8500.00"}, {"format", "mt940"},
          {"file_sha256", std::string(64, 'c')},
          {"lines", {Line("2026-02-03", "debit", "1000.00", "CMS-1"), Line("2026-02-05", "debit", "500.00", "FT-X")}}};
}

json Expenditure() {
  return {{"kind", "expenditure"}, {"fiscal_year", 2026}, {"opd", kOpd},
          {"sub_activity", "1.02.02.2.01.0014"}, {"account", "5.1.02.01.01.0024"},
          {"mechanism", "GU"}, {"instrument", "cms_transfer"}, {"value_date", "2026-02-03"},
          {"gross", "1000.00"}, {"taxes", json::array()}, {"net", "1000.00"},
          {"payee", {{"name", "CV Maju"}, {"bank", "Bank Bengkulu"}, {"account_no", "00120-7"},
                     {"account_name", "CV Maju"}}},
          {"bank_ref", "CMS-1"}, {"documents", {{"evidence_no", "BKT-1"}}}, {"description", "Belanja"}};
}

class BankReconciliationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_support::FreshTestDirectory("jejak-reconciliation-test");
    Open();
    Record(test_support::GenesisBody("rekonsiliasi-test", kOrigin, TestSigner()));
    Record(test_support::OpdBody(kOpd, "Dinas Kesehatan"));
    Record(Expenditure());
    statement_seq_ = Record(Statement());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  void Open() {
    store_ = test_support::OpenTestStore(dir_ / "ledger.db", TestSigner());
    ASSERT_NE(store_, nullptr);
  }
  std::int64_t Record(const json& body) {
    Result<BatchReceipt> receipt =
        store_->Append({PendingEntry{test_support::Body(body), "bpkad", "", ""}}, "2026-03-02T03:00:00.000Z");
    EXPECT_TRUE(receipt.has_value()) << (receipt ? "" : receipt.error().ToString());
    return receipt ? receipt->entries.at(0).seq : -1;
  }
  VerifyReport MustVerify() {
    Result<VerifyReport> report = store_->Verify(ledger::VerifierOf(TestSigner()), std::nullopt);
    EXPECT_TRUE(report.has_value()) << (report ? "" : report.error().ToString());
    return report ? std::move(report).value() : VerifyReport{};
  }
  // Runs SQL as an attacker with file access would: the append-only triggers off.
  void Tamper(const std::string& statement) {
    store_.reset();
    {
      std::unique_ptr<soci::session> session = test_support::OpenSession(dir_ / "ledger.db", true);
      *session << statement;
    }
    Open();
  }
  // The stored result replaced by `result` with its true hash (an editor who knows the format).
  void StoreResult(const std::string& result) {
    const std::string hash = crypto::ToHex(crypto::Sha256(result));
    store_.reset();
    {
      std::unique_ptr<soci::session> session = test_support::OpenSession(dir_ / "ledger.db", true);
      std::string text = result;
      std::string digest = hash;
      *session << "UPDATE bank_reconciliations SET result = :r, result_sha256 = :h WHERE fiscal_year = 2026",
          soci::use(text), soci::use(digest);
    }
    Open();
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  std::int64_t statement_seq_ = 0;
};

TEST_F(BankReconciliationTest, ARefreshStoresTheYearAtTheLedgersSizeAndVerifies) {
  ledger::ReconcileParams params;
  params.window_days = 3;
  ReconciledYear computed;
  Result<StoredReconciliation> stored = store_->RefreshReconciliation(2026, params, &computed);
  ASSERT_TRUE(stored.has_value()) << stored.error().ToString();
  EXPECT_EQ(stored->tree_size, 4u);
  EXPECT_EQ(stored->window_days, 3);
  EXPECT_EQ(stored->result, ledger::Canonicalize(ledger::ReconciliationJson(computed.reconciliation)));
  EXPECT_EQ(stored->result_sha256, crypto::ToHex(crypto::Sha256(stored->result)));
  ASSERT_EQ(computed.input.statements.size(), 1u);
  EXPECT_EQ(computed.reconciliation.matches.size(), 1u);          // CMS-1.
  EXPECT_EQ(computed.reconciliation.unmatched_debits.size(), 1u);  // FT-X.
  Result<std::vector<StoredReconciliation>> rows = store_->StoredReconciliations();
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).result, stored->result);
  const VerifyReport report = MustVerify();
  EXPECT_TRUE(report.ok) << report.problem->what;
  // A later refresh replaces the row with the newer tree size.
  Record(test_support::OpdBody("1.01.0.00.0.00.01.0000", "Dinas Pendidikan"));
  Result<StoredReconciliation> later = store_->RefreshReconciliation(2026, params);
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(later->tree_size, 5u);
  rows = store_->StoredReconciliations();
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).tree_size, 5u);
}

TEST_F(BankReconciliationTest, VerifyFailsWhenTheStoredResultIsEditedNamingTheYearAndMember) {
  ledger::ReconcileParams params;
  Result<StoredReconciliation> stored = store_->RefreshReconciliation(2026, params);
  ASSERT_TRUE(stored.has_value());
  // The hash alone no longer fits.
  Tamper("UPDATE bank_reconciliations SET result = result || ' ' WHERE fiscal_year = 2026");
  VerifyReport report = MustVerify();
  ASSERT_FALSE(report.ok);
  EXPECT_NE(report.problem->what.find("fiscal year 2026"), std::string::npos) << report.problem->what;
  EXPECT_NE(report.problem->what.find("result_sha256"), std::string::npos) << report.problem->what;
  EXPECT_EQ(report.problem->seq, 3);  // tree_size - 1.
  // An edit with its hash redone: the first differing member is named.
  json edited = json::parse(stored->result);
  ASSERT_FALSE(edited["matches"].empty());
  edited["matches"][0]["entry_seq"] = 1;
  StoreResult(ledger::Canonicalize(edited));
  report = MustVerify();
  ASSERT_FALSE(report.ok);
  EXPECT_NE(report.problem->what.find("fiscal year 2026"), std::string::npos) << report.problem->what;
  EXPECT_NE(report.problem->what.find("matches[0].entry_seq"), std::string::npos) << report.problem->what;
  // Put back, it verifies again.
  StoreResult(stored->result);
  report = MustVerify();
  EXPECT_TRUE(report.ok) << report.problem->what;
  // A row claiming a tree the ledger does not have.
  Tamper("UPDATE bank_reconciliations SET tree_size = 99 WHERE fiscal_year = 2026");
  report = MustVerify();
  ASSERT_FALSE(report.ok);
  EXPECT_NE(report.problem->what.find("past the ledger's size"), std::string::npos) << report.problem->what;
}

TEST_F(BankReconciliationTest, VerifyFailsWhenAStatementLineIsEdited) {
  ASSERT_TRUE(store_->RefreshReconciliation(2026, ledger::ReconcileParams{}).has_value());
  ASSERT_TRUE(MustVerify().ok);
  Tamper("UPDATE entries SET canonical = REPLACE(canonical, '\"FT-X\"', '\"FT-Y\"') WHERE seq = " +
         std::to_string(statement_seq_));
  const VerifyReport report = MustVerify();
  ASSERT_FALSE(report.ok);
  EXPECT_EQ(report.problem->seq, statement_seq_);
  EXPECT_NE(report.problem->what.find("leaf hash"), std::string::npos) << report.problem->what;
}

}  // namespace
}  // namespace jejak::db
