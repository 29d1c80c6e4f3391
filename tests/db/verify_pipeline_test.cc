// Store::Verify over several pages of entries, which it prepares on a helper thread while
// it chains them in seq order: a tampered ledger is reported at the first bad seq with the
// message the sequential ChainVerifier gives, wherever the damage sits in a page, and the
// expected realisation aggregates name the first missing row in key order.
#include "db/store.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <unistd.h>

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "crypto/ed25519.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/money.h"
#include "ledger/verifier.h"
#include "tests/db/db_test_util.h"

namespace jejak::db {
namespace {

namespace fs = std::filesystem;

constexpr const char* kOrigin = "jejak.test/verify-pipeline";
constexpr const char* kOpd = "1.02.0.00.0.00.01.0000";
constexpr const char* kTime = "2026-03-03T08:00:00.000Z";
// More than two pages of kStreamPageEntries (1000).
constexpr int kExpenditures = 2600;

using test_support::Body;

ledger::NoteSigner Signer() { return test_support::SeededSigner(kOrigin, 11); }

// Expenditure n: dated on one of 28 days of February, gross growing with n.
std::string DateOf(int n) {
  const int day = 1 + n % 28;
  return std::string("2026-02-") + (day < 10 ? "0" : "") + std::to_string(day);
}
long long GrossSenOf(int n) { return 100000 + n; }

PendingEntry Expenditure(int n) {
  const std::string gross = ledger::FormatMoney(GrossSenOf(n));
  return {Body({{"kind", "expenditure"},
                {"fiscal_year", 2026},
                {"opd", kOpd},
                {"sub_activity", "1.02.02.2.01.0014"},
                {"account", "5.1.02.01.01.0024"},
                {"mechanism", "GU"},
                {"instrument", "cms_transfer"},
                {"value_date", DateOf(n)},
                {"gross", gross},
                {"taxes", nlohmann::json::array()},
                {"net", gross},
                {"payee",
                 {{"name", "CV Sinar Rejang"},
                  {"bank", "Bank Bengkulu"},
                  {"account_no", "0012034567"},
                  {"account_name", "CV SINAR REJANG"}}},
                {"bank_ref", "CMS-" + std::to_string(n)},
                {"documents", nlohmann::json::object()},
                {"description", "Belanja alat tulis kantor"}}),
          "bendahara.dinkes"};
}

class VerifyPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_support::FreshTestDirectory("jejak-verify-pipeline-test");
    store_ = Open();
    ASSERT_NE(store_, nullptr);
    Append({{Body(test_support::GenesisBody("pipeline", kOrigin, Signer())), "jejak-init"}});
    Append({{Body(test_support::OpdBody(kOpd, "Dinas Kesehatan")), "admin"}});
    std::vector<PendingEntry> batch;
    for (int n = 0; n < kExpenditures; ++n) {
      batch.push_back(Expenditure(n));
      if (batch.size() == 500) {
        Append(std::move(batch));
        batch.clear();
      }
    }
    Append(std::move(batch));
    // Reversals of expenditures 5 (seq 7) and 1500 (seq 1502), both in later pages.
    for (long long seq : {7LL, 1502LL}) {
      Append({{Body({{"kind", "reversal"}, {"reverses", seq}, {"reason", "salah input"}}),
               "bendahara.dinkes"}});
    }
    const VerifyReport report = Verify();
    ASSERT_TRUE(report.ok) << (report.problem ? report.problem->what : "");
    ASSERT_EQ(report.entries, static_cast<std::uint64_t>(kExpenditures + 4));
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  std::string DatabasePath() const { return (dir_ / "ledger.db").string(); }

  std::unique_ptr<Store> Open() { return test_support::OpenTestStore(DatabasePath(), Signer()); }

  void Append(std::vector<PendingEntry> entries) {
    if (entries.empty()) return;
    Result<BatchReceipt> receipt = store_->Append(entries, kTime);
    ASSERT_TRUE(receipt.has_value()) << (receipt ? "" : receipt.error().ToString());
  }

  VerifyReport Verify() {
    Result<VerifyReport> report = store_->Verify(ledger::VerifierOf(Signer()), std::nullopt);
    EXPECT_TRUE(report.has_value()) << (report ? "" : report.error().ToString());
    return report ? std::move(report).value() : VerifyReport{};
  }

  void Tamper(const std::vector<std::string>& statements) {
    store_.reset();
    std::unique_ptr<soci::session> session = test_support::OpenSession(DatabasePath(), true);
    soci::session& sql = *session;
    for (const std::string& statement : statements) sql << statement;
    sql.close();
    store_ = Open();
  }

  // The first Problem the sequential ChainVerifier finds in the stored bytes, one entry at
  // a time in seq order.
  std::optional<ledger::Problem> SequentialProblem() {
    std::unique_ptr<soci::session> session = test_support::OpenSession(DatabasePath());
    soci::session& sql = *session;
    ledger::ChainVerifier chain(ledger::VerifierOf(Signer()));
    std::string canonical;
    soci::statement rows = (sql.prepare << "SELECT canonical FROM entries ORDER BY seq",
                            soci::into(canonical));
    rows.execute();
    while (rows.fetch()) {
      Result<ledger::RecomputedEntry> added = chain.Add(canonical);
      if (!added) return ledger::ProblemOf(added.error());
    }
    return std::nullopt;
  }

  void ExpectProblem(std::int64_t seq, const std::string& what) {
    const VerifyReport report = Verify();
    ASSERT_FALSE(report.ok);
    ASSERT_TRUE(report.problem.has_value());
    EXPECT_EQ(report.problem->seq, seq) << report.problem->what;
    EXPECT_EQ(report.problem->what, what);
  }

  // The stored bytes of `seq` changed: the report is the sequential verifier's.
  void ExpectSequentialProblemAt(std::int64_t seq) {
    const std::optional<ledger::Problem> sequential = SequentialProblem();
    ASSERT_TRUE(sequential.has_value());
    EXPECT_EQ(sequential->seq, seq) << sequential->what;
    ExpectProblem(sequential->seq, sequential->what);
  }

  static std::string Update(long long seq, const std::string& from, const std::string& to) {
    return "UPDATE entries SET canonical = REPLACE(canonical, '" + from + "', '" + to +
           "') WHERE seq = " + std::to_string(seq);
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(VerifyPipelineTest, BadEntryAtEachPageEdgeIsReportedAtItsSeq) {
  for (long long seq : {999LL, 1000LL, 1001LL, 1999LL, 2000LL, 2603LL}) {
    SCOPED_TRACE(seq);
    // The entry is no longer canonical JSON (a space before its first key).
    Tamper({"UPDATE entries SET canonical = ' ' || canonical WHERE seq = " + std::to_string(seq)});
    ExpectSequentialProblemAt(seq);
    Tamper({"UPDATE entries SET canonical = SUBSTR(canonical, 2) WHERE seq = " +
            std::to_string(seq)});
    ASSERT_TRUE(Verify().ok);
  }
}

TEST_F(VerifyPipelineTest, FirstOfSeveralBadEntriesIsReported) {
  // A later page broken first, then an earlier one in the middle of a page.
  Tamper({Update(2300, ",\"kind\":", ", \"kind\":"), Update(1500, ",\"kind\":", ", \"kind\":"),
          "UPDATE entries SET amount_sen = 1 WHERE seq = 1800"});
  ExpectSequentialProblemAt(1500);
}

TEST_F(VerifyPipelineTest, InvalidStoredEntryIsReportedWithTheValidationMessage) {
  // Still canonical JSON, but its net is no longer gross minus taxes.
  Tamper({Update(1234, "\"net\":\"" + ledger::FormatMoney(GrossSenOf(1232)) + "\"",
                 "\"net\":\"1.00\"")});
  ExpectSequentialProblemAt(1234);
  EXPECT_NE(SequentialProblem()->what.find("net"), std::string::npos);
}

TEST_F(VerifyPipelineTest, ChangedColumnInALaterPageIsNamed) {
  Tamper({"UPDATE entries SET amount_sen = 1 WHERE seq = 1999"});
  ExpectProblem(1999, "column amount_sen does not match the entry's bytes");
}

TEST_F(VerifyPipelineTest, MissingEntryAtAPageStartIsNamed) {
  Tamper({"DELETE FROM entries WHERE seq = 1000"});
  ExpectProblem(1000, "entry is missing (the next stored seq is 1001)");
}

TEST_F(VerifyPipelineTest, ChangedMerkleNodeInALaterPageIsNamed) {
  // Node (3, 200) covers leaves 1600..1607 and is completed by seq 1607.
  Tamper({"UPDATE merkle_nodes SET hash = '" + std::string(64, '0') +
          "' WHERE level = 3 AND node_index = 200"});
  const VerifyReport report = Verify();
  ASSERT_TRUE(report.problem.has_value());
  EXPECT_EQ(report.problem->seq, 1607);
  EXPECT_EQ(report.problem->what.rfind("Merkle node (3, 200) differs from the recomputed ", 0), 0u)
      << report.problem->what;
}

TEST_F(VerifyPipelineTest, MissingAggregateRowsAreNamedInKeyOrder) {
  // The daily table's first row in key order is 2026-02-01: expenditures n = 0, 28, 56, ...
  // (expenditure 1500, reversed, is dated 2026-02-17 and 5 is 2026-02-06).
  long long amount = 0;
  long long entries = 0;
  for (int n = 0; n < kExpenditures; n += 28) {
    amount += GrossSenOf(n);
    ++entries;
  }
  Tamper({"DELETE FROM realisation_daily"});
  ExpectProblem(kExpenditures + 3, "realisation_daily lacks a row the entries imply (" +
                                       ledger::FormatMoney(amount) + " in " +
                                       std::to_string(entries) + " entries)");
}

TEST_F(VerifyPipelineTest, ChangedAggregateRowIsNamedAsStored) {
  Tamper({"UPDATE realisation_lines SET entries = entries + 1"});
  const VerifyReport report = Verify();
  ASSERT_TRUE(report.problem.has_value());
  EXPECT_EQ(report.problem->what.rfind("realisation_lines row (2026, " + std::string(kOpd) +
                                           ", 1.02.02.2.01.0014, 5.1.02.01.01.0024, 2026-02) says ",
                                       0),
            0u)
      << report.problem->what;
}

}  // namespace
}  // namespace jejak::db
