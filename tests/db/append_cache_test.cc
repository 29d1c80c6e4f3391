// What the append keeps between groups, held to the database: the OPD registry it
// remembers (dropped with a rolled-back group, never filled by a refused entry, and
// re-read when another Store on the same file wrote), the inclusion proofs a group makes
// in memory (equal to the proofs from stored nodes for every entry, across power-of-two
// boundaries), and the streamed all-or-nothing append of the CLI.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "db/store.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "tests/db/db_test_util.h"

namespace jejak::db {
namespace {

namespace fs = std::filesystem;

constexpr const char* kOrigin = "jejak.test/kabupaten-contoh";
constexpr const char* kOpd = "1.02.0.00.0.00.01.0000";
constexpr const char* kOtherOpd = "1.03.0.00.0.00.01.0000";
constexpr const char* kTime = "2026-02-03T08:00:00.000Z";

using test_support::Body;

ledger::NoteSigner TestSigner() { return test_support::SeededSigner(kOrigin, 9); }

PendingEntry Genesis() {
  return {Body(test_support::GenesisBody("cache-test", kOrigin, TestSigner())), "jejak-init", "",
          ""};
}

PendingEntry Opd(const char* code, const std::string& recorded_by = "admin") {
  return {Body(test_support::OpdBody(code, "Dinas")), recorded_by, "", ""};
}

PendingEntry Expenditure(int n, const char* opd = kOpd) {
  return {Body({{"kind", "expenditure"},
                {"fiscal_year", 2026},
                {"opd", opd},
                {"sub_activity", "1.02.02.2.01.0014"},
                {"account", "5.1.02.01.01.0024"},
                {"mechanism", "GU"},
                {"instrument", "cms_transfer"},
                {"value_date", "2026-02-03"},
                {"gross", "1250000.00"},
                {"taxes", nlohmann::json::array({{{"type", "PPh22"}, {"amount", "18750"}}})},
                {"net", "1231250"},
                {"payee",
                 {{"name", "CV Sinar Rejang"},
                  {"npwp", "012345678901000"},
                  {"bank", "Bank Bengkulu"},
                  {"account_no", "0012034567"},
                  {"account_name", "CV SINAR REJANG"}}},
                {"bank_ref", "CACHE-" + std::to_string(n)},
                {"documents", {{"evidence_no", "KW-" + std::to_string(n)}}},
                {"description", "Belanja alat tulis kantor"}}),
          "bendahara", "", ""};
}

class AppendCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_support::FreshTestDirectory("jejak-append-cache-test");
    store_ = OpenStore();
    Must(store_->Append({Genesis(), Opd(kOpd)}, kTime));
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  std::unique_ptr<Store> OpenStore() {
    return test_support::OpenTestStore(dir_ / "ledger.db", TestSigner());
  }

  static void Must(const Result<BatchReceipt>& receipt) {
    EXPECT_TRUE(receipt.has_value()) << (receipt ? "" : receipt.error().ToString());
  }

  // Refused because `opd` is not registered.
  static void ExpectUnregistered(const Result<BatchReceipt>& receipt, const char* opd) {
    ASSERT_FALSE(receipt.has_value());
    EXPECT_NE(receipt.error().ToString().find(std::string("OPD ") + opd + " is not registered"),
              std::string::npos)
        << receipt.error().ToString();
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(AppendCacheTest, ARolledBackBatchLeavesNoRegisteredOpdBehind) {
  // The batch registers the OPD, spends from it (which finds it registered), then fails.
  Result<BatchReceipt> failed =
      store_->Append({Opd(kOtherOpd), Expenditure(1, kOtherOpd), Expenditure(1)}, kTime);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, Code::kConflict);  // The bank_ref of entry 1 again.
  ExpectUnregistered(store_->Append({Expenditure(2, kOtherOpd)}, kTime), kOtherOpd);
  // A dry run rolls back too.
  Result<BatchReceipt> dry =
      store_->Append({Opd(kOtherOpd), Expenditure(3, kOtherOpd)}, kTime, /*dry_run=*/true);
  ASSERT_TRUE(dry.has_value()) << dry.error().ToString();
  ExpectUnregistered(store_->Append({Expenditure(3, kOtherOpd)}, kTime), kOtherOpd);
  // And the registration itself is still possible: nothing remembered says otherwise.
  Must(store_->Append({Opd(kOtherOpd)}, kTime));
  Must(store_->Append({Expenditure(4, kOtherOpd)}, kTime));
  EXPECT_EQ(*store_->TreeSize(), 4u);
}

TEST_F(AppendCacheTest, ARefusedEntryOfAGroupDoesNotRegisterItsOpd) {
  // The registration is refused (no recorded_by) after its ledger checks passed; the
  // entries after it in the same group must not see the OPD.
  Result<GroupReceipt> group = store_->AppendGroup(
      {Opd(kOtherOpd, ""), Expenditure(1, kOtherOpd), Expenditure(2)}, kTime);
  ASSERT_TRUE(group.has_value()) << group.error().ToString();
  ASSERT_EQ(group->outcomes.size(), 3u);
  EXPECT_FALSE(group->outcomes[0].receipt.has_value());
  ASSERT_FALSE(group->outcomes[1].receipt.has_value());
  EXPECT_NE(group->outcomes[1].receipt.error().ToString().find("is not registered"),
            std::string::npos);
  EXPECT_TRUE(group->outcomes[2].receipt.has_value());
  ExpectUnregistered(store_->Append({Expenditure(3, kOtherOpd)}, kTime), kOtherOpd);
}

TEST_F(AppendCacheTest, AGroupOfOnlyRefusedEntriesChangesNothingRemembered) {
  Result<GroupReceipt> group = store_->AppendGroup({Opd(kOtherOpd, "")}, kTime);
  ASSERT_TRUE(group.has_value());
  EXPECT_TRUE(group->checkpoint.empty());
  ExpectUnregistered(store_->Append({Expenditure(1, kOtherOpd)}, kTime), kOtherOpd);
  Must(store_->Append({Expenditure(1)}, kTime));
}

TEST_F(AppendCacheTest, TwoStoresOnOneFileSeeEachOthersCommits) {
  std::unique_ptr<Store> other = OpenStore();
  // This store looks the OPD up and remembers the ledger as it was.
  ExpectUnregistered(store_->Append({Expenditure(1, kOtherOpd)}, kTime), kOtherOpd);
  Must(store_->Append({Expenditure(1)}, kTime));
  // The other writer registers it and appends.
  Must(other->Append({Opd(kOtherOpd), Expenditure(2, kOtherOpd)}, kTime));
  // This store sees both: the registration, and the tip it must chain onto.
  Must(store_->Append({Expenditure(3, kOtherOpd)}, kTime));
  Result<BatchReceipt> twice = store_->Append({Expenditure(2)}, kTime);
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code, Code::kConflict);  // The other store's bank_ref.
  // And the other sees this one's commits.
  Result<BatchReceipt> again = other->Append({Expenditure(3)}, kTime);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, Code::kConflict);
  Result<VerifyReport> report = store_->Verify(ledger::VerifierOf(TestSigner()), std::nullopt);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << (report->problem ? report->problem->what : "");
  EXPECT_EQ(report->entries, 6u);
}

TEST_F(AppendCacheTest, GroupProofsEqualTheProofsFromStoredNodes) {
  const ledger::NoteVerifier verifier = ledger::VerifierOf(TestSigner());
  int n = 0;
  // Group sizes that start and end on both sides of powers of two (the ledger holds 2).
  for (int size : {1, 1, 3, 1, 8, 15, 1, 2, 30, 64, 1, 5, 127}) {
    std::vector<PendingEntry> entries;
    for (int i = 0; i < size; ++i) entries.push_back(Expenditure(++n));
    Result<GroupReceipt> group = store_->AppendGroup(entries, kTime);
    ASSERT_TRUE(group.has_value()) << group.error().ToString();
    Result<ledger::Checkpoint> checkpoint = ledger::OpenCheckpoint(group->checkpoint, verifier);
    ASSERT_TRUE(checkpoint.has_value());
    for (const EntryOutcome& outcome : group->outcomes) {
      ASSERT_TRUE(outcome.receipt.has_value());
      ASSERT_TRUE(outcome.inclusion_proof.has_value());
      const auto seq = static_cast<std::uint64_t>(outcome.receipt->seq);
      Result<std::vector<ledger::Digest>> stored = store_->InclusionProof(seq, group->tree_size);
      ASSERT_TRUE(stored.has_value());
      EXPECT_EQ(*outcome.inclusion_proof, *stored) << "seq " << seq << " of " << group->tree_size;
      EXPECT_TRUE(ledger::VerifyInclusion(seq, group->tree_size, outcome.receipt->leaf_hash,
                                          *outcome.inclusion_proof, checkpoint->root_hash));
    }
  }
  EXPECT_EQ(*store_->TreeSize(), static_cast<std::uint64_t>(n + 2));
}

TEST_F(AppendCacheTest, AGroupReplayingItsOwnEntryGivesItTheGroupsProof) {
  PendingEntry first = Expenditure(1);
  first.idempotency_key = "k-1";
  first.request_hash = "h-1";
  Result<GroupReceipt> group = store_->AppendGroup({first, Expenditure(2), first}, kTime);
  ASSERT_TRUE(group.has_value());
  ASSERT_TRUE(group->outcomes[2].replayed);
  ASSERT_TRUE(group->outcomes[2].inclusion_proof.has_value());
  EXPECT_EQ(*group->outcomes[2].inclusion_proof, *group->outcomes[0].inclusion_proof);
  // A replay from an earlier commit has no proof from the group: the caller reads it.
  Result<GroupReceipt> later = store_->AppendGroup({first}, kTime);
  ASSERT_TRUE(later.has_value());
  ASSERT_TRUE(later->outcomes[0].replayed);
  EXPECT_FALSE(later->outcomes[0].inclusion_proof.has_value());
  EXPECT_EQ(later->outcomes[0].tree_size, 4u);
}

// An EntrySource over `entries`, `count` at a time.
EntrySource SourceOf(std::vector<PendingEntry> entries) {
  auto remaining = std::make_shared<std::vector<PendingEntry>>(std::move(entries));
  auto next = std::make_shared<std::size_t>(0);
  return [remaining, next](std::size_t count) -> Result<std::vector<PendingEntry>> {
    std::vector<PendingEntry> group;
    while (group.size() < count && *next < remaining->size()) group.push_back((*remaining)[(*next)++]);
    return group;
  };
}

std::string Clock() { return kTime; }

TEST_F(AppendCacheTest, AStreamIsOneTransactionWithACheckpointPerGroup) {
  std::vector<PendingEntry> entries;
  for (int i = 0; i < 10; ++i) entries.push_back(Expenditure(i));
  Result<StreamReceipt> receipt = store_->AppendStream(SourceOf(entries), 4, Clock);
  ASSERT_TRUE(receipt.has_value()) << receipt.error().ToString();
  EXPECT_EQ(receipt->first_seq, 2);
  EXPECT_EQ(receipt->appended, 10u);
  EXPECT_EQ(receipt->tree_size, 12u);
  for (std::uint64_t size : {6u, 10u, 12u}) {
    Result<std::optional<std::string>> note = store_->CheckpointAt(size);
    ASSERT_TRUE(note.has_value());
    EXPECT_TRUE(note->has_value()) << "no checkpoint at " << size;
  }
  EXPECT_EQ(*store_->LatestCheckpoint(), std::optional<std::string>(receipt->checkpoint));
  Result<VerifyReport> report = store_->Verify(ledger::VerifierOf(TestSigner()), std::nullopt);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok);
}

TEST_F(AppendCacheTest, AStreamFailingInALaterGroupWritesNothingAndNamesTheEntry) {
  std::vector<PendingEntry> entries = {Opd(kOtherOpd)};
  for (int i = 0; i < 8; ++i) entries.push_back(Expenditure(i, kOtherOpd));
  entries.push_back(Expenditure(3));  // Entry 9: the bank_ref of entry 4.
  Result<StreamReceipt> receipt = store_->AppendStream(SourceOf(entries), 3, Clock);
  ASSERT_FALSE(receipt.has_value());
  EXPECT_EQ(receipt.error().code, Code::kConflict);
  EXPECT_EQ(receipt.error().message.rfind("entry 9: ", 0), 0u) << receipt.error().message;
  EXPECT_EQ(*store_->TreeSize(), 2u);
  ExpectUnregistered(store_->Append({Expenditure(20, kOtherOpd)}, kTime), kOtherOpd);
  // One entry alone is not numbered, as Append does not number it.
  Result<StreamReceipt> single = store_->AppendStream(SourceOf({Expenditure(20, kOtherOpd)}), 3, Clock);
  ASSERT_FALSE(single.has_value());
  EXPECT_EQ(single.error().message.rfind("entry ", 0), std::string::npos);
}

TEST_F(AppendCacheTest, AStreamStopsAtItsSourcesErrorAndRefusesAnEmptyInput) {
  auto calls = std::make_shared<int>(0);
  EntrySource failing = [calls](std::size_t) -> Result<std::vector<PendingEntry>> {
    if (++*calls == 1) return std::vector<PendingEntry>{Expenditure(1), Expenditure(2)};
    return Error{Code::kInvalidArgument, "line 3: bad", {}};
  };
  Result<StreamReceipt> receipt = store_->AppendStream(failing, 2, Clock);
  ASSERT_FALSE(receipt.has_value());
  EXPECT_EQ(receipt.error().message, "line 3: bad");
  EXPECT_EQ(*store_->TreeSize(), 2u);
  Result<StreamReceipt> empty = store_->AppendStream(SourceOf({}), 2, Clock);
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, Code::kInvalidArgument);
}

}  // namespace
}  // namespace jejak::db
