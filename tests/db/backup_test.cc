// Tests of Store::BackupSqlite (db/backup.cc): the copy of a SQLite ledger taken while
// another connection keeps appending opens, verifies, and has its newest checkpoint's
// root; an existing file is never overwritten; on PostgreSQL the call is refused (pg_dump
// copies those, tested end to end in tests/e2e/backup_test.sh).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "db/store.h"
#include "ledger/checkpoint.h"
#include "tests/db/db_test_util.h"
#include "tests/db/summary_fixture.h"

namespace jejak::db {
namespace {

namespace fs = std::filesystem;

class BackupTest : public summary_test::SummaryTest {
 protected:
  ledger::NoteSigner signer_ = summary_test::TestSigner();
  ledger::NoteVerifier verifier_ = ledger::VerifierOf(signer_);
};

TEST_F(BackupTest, CopiesAConsistentLedgerWhileAnotherConnectionAppends) {
  if (test_support::OnPostgres()) {
    Result<BackupReceipt> refused = store_->BackupSqlite((dir_ / "copy.db").string(), verifier_);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, Code::kInvalidArgument);
    return;
  }
  const std::uint64_t before = *store_->TreeSize();
  // Another connection (as `jejak serve` would) appends while the copy is taken.
  std::atomic<bool> stop{false};
  std::atomic<int> appended{0};
  std::thread writer([&] {
    std::unique_ptr<Store> other = test_support::OpenTestStore(dir_ / "ledger.db", signer_);
    for (int n = 0; !stop.load() && n < 400; ++n) {
      const summary_test::Spend spend{summary_test::kOpdA, summary_test::kPegawai, "sp2d_ls",
                                      "2026-12-20", 1000 + n, {}, {"Gaji", "", "BRI", "0011"},
                                      "W-" + std::to_string(n)};
      if (other->Append({PendingEntry{test_support::Body(summary_test::ExpenditureBody(spend, 5000 + n)),
                                      "bendahara"}},
                        "2026-12-31T04:00:00.000Z")) {
        ++appended;
      }
    }
  });
  while (appended.load() < 5) std::this_thread::yield();
  const std::string copy = (dir_ / "copy.db").string();
  Result<BackupReceipt> receipt = store_->BackupSqlite(copy, verifier_);
  stop = true;
  writer.join();
  ASSERT_TRUE(receipt.has_value()) << receipt.error().ToString();
  EXPECT_GT(receipt->tree_size, before);
  EXPECT_LE(receipt->tree_size, before + static_cast<std::uint64_t>(appended.load()));
  EXPECT_EQ(receipt->bytes, fs::file_size(copy));
  EXPECT_FALSE(fs::exists(copy + ".tmp"));

  Result<std::unique_ptr<Store>> restored = Store::Open({"sqlite:" + copy, std::nullopt, ""});
  ASSERT_TRUE(restored.has_value());
  EXPECT_EQ(*(*restored)->TreeSize(), receipt->tree_size);
  EXPECT_EQ(*(*restored)->TreeHash(receipt->tree_size), *store_->TreeHash(receipt->tree_size));
  Result<VerifyReport> report = (*restored)->Verify(verifier_, std::nullopt);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->problem->what;

  // Never over an existing file, which stays as it was.
  const auto size = fs::file_size(copy);
  Result<BackupReceipt> again = store_->BackupSqlite(copy, verifier_);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, Code::kConflict);
  EXPECT_EQ(fs::file_size(copy), size);
}

TEST_F(BackupTest, RefusesALeftoverTemporaryFile) {
  if (test_support::OnPostgres()) GTEST_SKIP() << "BackupSqlite is SQLite's (its refusal on PostgreSQL is tested above)";
  const std::string copy = (dir_ / "copy.db").string();
  std::ofstream(copy + ".tmp") << "not ours";
  Result<BackupReceipt> receipt = store_->BackupSqlite(copy, verifier_);
  ASSERT_FALSE(receipt.has_value());
  EXPECT_EQ(receipt.error().code, Code::kConflict);
  EXPECT_FALSE(fs::exists(copy));
  EXPECT_TRUE(fs::exists(copy + ".tmp"));  // Not removed: it was not this backup's.
}

}  // namespace
}  // namespace jejak::db
