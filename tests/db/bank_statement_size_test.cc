// The entry size limits of ledger/limits.h in a real store (SQLite, and PostgreSQL as pg.*):
// a statement of kStatementLinesMax lines, far past kEntryBytesMax, is appended, read back,
// verified, exported as a bundle that the offline checker accepts and imported into an
// empty database; a statement past kStatementEntryBytesMax is refused with nothing
// written; and a stored entry of another kind past kEntryBytesMax still fails `verify`.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "db/bundle_export.h"
#include "db/store.h"
#include "ledger/bank_statement.h"
#include "ledger/bundle.h"
#include "ledger/canonical.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/limits.h"
#include "ledger/money.h"
#include "ledger/reconcile.h"
#include "tests/db/db_test_util.h"
#include "tests/ledger/large_statement.h"

namespace jejak::db {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kOrigin = "jejak.test/kabupaten-statement-size";
constexpr const char* kOpd = "1.02.0.00.0.00.01.0000";
constexpr const char* kTime = "2026-04-02T03:00:00.000Z";

ledger::NoteSigner TestSigner() { return test_support::SeededSigner(kOrigin, 43); }

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class BankStatementSizeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_support::FreshTestDirectory("jejak-statement-size-test");
    store_ = test_support::OpenTestStore(dir_ / "ledger.db", TestSigner());
    ASSERT_NE(store_, nullptr);
    Append(test_support::GenesisBody("statement-size-test", kOrigin, TestSigner()));
    Append(test_support::OpdBody(kOpd, "Dinas Kesehatan"));
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  Result<BatchReceipt> TryAppend(const json& body) {
    return store_->Append({PendingEntry{test_support::Body(body), "bpkad"}}, kTime);
  }
  AppendReceipt Append(const json& body) {
    Result<BatchReceipt> receipt = TryAppend(body);
    EXPECT_TRUE(receipt.has_value()) << receipt.error().ToString();
    return receipt ? receipt->entries.at(0) : AppendReceipt{};
  }

  VerifyReport MustVerify(Store& store) {
    Result<VerifyReport> report = store.Verify(ledger::VerifierOf(TestSigner()), std::nullopt);
    EXPECT_TRUE(report.has_value()) << (report ? "" : report.error().ToString());
    return report ? std::move(report).value() : VerifyReport{};
  }

  // The whole ledger as a bundle closed by its stored checkpoint.
  std::string ExportBundle() {
    Result<std::uint64_t> size = store_->TreeSize();
    EXPECT_TRUE(size.has_value());
    const ledger::NoteSigner signer = TestSigner();
    BundleExportOptions options{kOrigin, ledger::VerifierOf(signer), &signer,
                                static_cast<std::int64_t>(*size) - 1, kTime,
                                BundleCheckpoint::kStoredIfPresent};
    Result<BundleExporter> exporter = BundleExporter::Open(*store_, options);
    EXPECT_TRUE(exporter.has_value()) << exporter.error().ToString();
    std::string bundle;
    for (;;) {
      std::string chunk;
      Result<bool> more = exporter->Next(chunk);
      EXPECT_TRUE(more.has_value()) << more.error().ToString();
      bundle += chunk;
      if (!more || !*more) return bundle;
    }
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
};

// `bundle`'s lines one at a time, as `jejak verify-bundle` and `jejak import` read a file.
ledger::LineSource LinesOf(const std::string& bundle, std::size_t& begin) {
  return [&bundle, &begin](std::string& line) {
    if (begin >= bundle.size()) return ledger::LineRead::kEnd;
    std::size_t end = bundle.find('\n', begin);
    if (end == std::string::npos) end = bundle.size();
    if (end - begin > ledger::kBundleLineBytesMax) return ledger::LineRead::kTooLong;
    line.assign(bundle, begin, end - begin);
    begin = end + 1;
    return ledger::LineRead::kLine;
  };
}

TEST_F(BankStatementSizeTest, AStatementOfTheMostLinesIsStoredVerifiedExportedAndImported) {
  const json body = ledger::test_support::LargeStatement(ledger::kStatementLinesMax);
  auto start = std::chrono::steady_clock::now();
  Result<BatchReceipt> appended = TryAppend(body);
  const double append_seconds = SecondsSince(start);
  ASSERT_TRUE(appended.has_value()) << appended.error().ToString();
  const AppendReceipt& receipt = appended->entries.at(0);
  EXPECT_GT(receipt.canonical.size(), ledger::kEntryBytesMax * 100);
  EXPECT_LE(receipt.canonical.size(), ledger::kStatementEntryBytesMax);

  // Read back as stored: the bytes, the columns, the statement's facts.
  Result<StoredEntry> stored = store_->Entry(receipt.seq);
  ASSERT_TRUE(stored.has_value()) << stored.error().ToString();
  EXPECT_EQ(stored->canonical, receipt.canonical);
  Result<ledger::EntryColumns> columns = store_->Columns(receipt.seq);
  ASSERT_TRUE(columns.has_value()) << columns.error().ToString();
  EXPECT_EQ(columns->kind, "bank_statement");
  Result<ledger::ReconcileInput> inputs = store_->ReconcileInputs(2026, std::nullopt);
  ASSERT_TRUE(inputs.has_value()) << inputs.error().ToString();
  ASSERT_EQ(inputs->statements.size(), 1u);
  EXPECT_EQ(inputs->statements[0].lines.size(), ledger::kStatementLinesMax);
  EXPECT_EQ(inputs->statements[0].closing_sen,
            *ledger::ParseMoneySen(body["closing_balance"].get<std::string>()));

  start = std::chrono::steady_clock::now();
  const VerifyReport report = MustVerify(*store_);
  const double verify_seconds = SecondsSince(start);
  EXPECT_TRUE(report.ok) << (report.problem ? report.problem->what : "");
  EXPECT_EQ(report.entries, 3u);

  // Offline: the bundle's statement line is the stored bytes, and the checker, reading one
  // line at a time, accepts it.
  const std::string bundle = ExportBundle();
  EXPECT_NE(bundle.find("\n" + receipt.canonical + "\n"), std::string::npos);
  ledger::BundleChecker checker(ledger::VerifierOf(TestSigner()));
  std::size_t begin = 0;
  start = std::chrono::steady_clock::now();
  Result<ledger::BundleSummary> summary = ledger::CheckBundle(checker, LinesOf(bundle, begin), 1);
  const double bundle_seconds = SecondsSince(start);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  EXPECT_EQ(summary->entries, 3u);
  EXPECT_EQ(summary->root, report.root);

  // And it imports into an empty database, which verifies to the same root.
  std::unique_ptr<Store> copy = test_support::OpenTestStore(dir_ / "copy.db", TestSigner());
  ASSERT_NE(copy, nullptr);
  begin = 0;
  Result<ImportReceipt> imported = copy->Import(
      ImportOptions{ledger::VerifierOf(TestSigner()), kOrigin, {}, 1, {}}, LinesOf(bundle, begin));
  ASSERT_TRUE(imported.has_value()) << imported.error().ToString();
  EXPECT_EQ(imported->entries, 3u);
  EXPECT_EQ(imported->root, report.root);
  const VerifyReport copied = MustVerify(*copy);
  EXPECT_TRUE(copied.ok) << (copied.problem ? copied.problem->what : "");
  Result<StoredEntry> copied_entry = copy->Entry(receipt.seq);
  ASSERT_TRUE(copied_entry.has_value());
  EXPECT_EQ(copied_entry->canonical, receipt.canonical);

  std::printf("statement of %zu lines: %zu bytes canonical; append %.2f s, verify %.2f s, "
              "bundle check %.2f s\n",
              ledger::kStatementLinesMax, receipt.canonical.size(), append_seconds,
              verify_seconds, bundle_seconds);
  RecordProperty("canonical_bytes", std::to_string(receipt.canonical.size()));
}

// Lines whose texts are as long as they may be and escape to twice their length: a valid
// statement of 17,000 lines (about 4.4 KB each) is past kStatementEntryBytesMax, refused as
// too large.
TEST_F(BankStatementSizeTest, AStatementPastTheStatementLimitIsRefusedWithNothingWritten) {
  json body = ledger::test_support::LargeStatement(17000);
  for (json& line : body["lines"]) {
    line["description"] = std::string(ledger::kTextBytesMax, '"');
    line["counter_name"] = std::string(ledger::kTextBytesMax, '\\');
  }
  Result<BatchReceipt> refused = TryAppend(body);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, Code::kTooLarge);
  EXPECT_EQ(refused.error().message, "entry is larger than 67108864 bytes");
  Result<std::uint64_t> size = store_->TreeSize();
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(*size, 2u);
}

// The append keeps kEntryBytesMax for every other kind (no valid expenditure reaches it,
// so the verifier is the one to see one): an expenditure rewritten in the database to one
// byte past it fails `verify` at its seq, by its size.
TEST_F(BankStatementSizeTest, AStoredExpenditurePastTheEntryLimitFailsVerify) {
  const AppendReceipt spent = Append(
      {{"kind", "expenditure"}, {"fiscal_year", 2026}, {"opd", kOpd},
       {"sub_activity", "1.02.02.2.01.0014"}, {"account", "5.1.02.01.01.0024"},
       {"mechanism", "LS"}, {"instrument", "sp2d_ls"}, {"value_date", "2026-03-02"},
       {"gross", "100"}, {"taxes", json::array()}, {"net", "100"},
       {"payee", {{"name", "CV Maju"}, {"bank", "Bank Bengkulu"}, {"account_no", "00120-7"},
                  {"account_name", "CV Maju"}}},
       {"bank_ref", "SP2D-1"}, {"documents", {{"evidence_no", "BKT-1"}}},
       {"description", "Belanja"}});
  ASSERT_TRUE(MustVerify(*store_).ok);
  Result<json> entry = ledger::ParseStrict(spent.canonical);
  ASSERT_TRUE(entry.has_value());
  (*entry)["description"] = "";
  const std::size_t base = ledger::Canonicalize(*entry).size();
  (*entry)["description"] = std::string(ledger::kEntryBytesMax + 1 - base, 'a');
  const std::string over = ledger::Canonicalize(*entry);
  ASSERT_EQ(over.size(), ledger::kEntryBytesMax + 1);
  store_.reset();
  {
    std::unique_ptr<soci::session> session = test_support::OpenSession(dir_ / "ledger.db", true);
    const long long seq = spent.seq;
    *session << "UPDATE entries SET canonical = :c WHERE seq = :s", soci::use(over),
        soci::use(seq);
  }
  store_ = test_support::OpenTestStore(dir_ / "ledger.db", TestSigner());
  ASSERT_NE(store_, nullptr);
  const VerifyReport report = MustVerify(*store_);
  EXPECT_FALSE(report.ok);
  ASSERT_TRUE(report.problem.has_value());
  EXPECT_EQ(report.problem->seq, spent.seq);
  EXPECT_EQ(report.problem->what, "stored entry of 65537 bytes is larger than 65536 bytes");
}

}  // namespace
}  // namespace jejak::db
