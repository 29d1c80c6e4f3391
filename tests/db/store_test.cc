// Storage tests against a real SQLite database: append, group commit, ledger checks,
// append-only triggers, proofs, verification of tampered databases, and the 100,000-entry
// append and verify run whose rates the closing note records.
#include "db/store.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "tests/db/db_test_util.h"

namespace jejak::db {
namespace {

namespace fs = std::filesystem;

constexpr const char* kOrigin = "jejak.test/kabupaten-contoh";
constexpr const char* kOpd = "1.02.0.00.0.00.01.0000";
constexpr const char* kTime = "2026-02-03T08:00:00.000Z";

using test_support::Body;

ledger::NoteSigner TestSigner() { return test_support::SeededSigner(kOrigin, 7); }

PendingEntry Genesis() {
  return {Body(test_support::GenesisBody("test-ledger", kOrigin, TestSigner())), "jejak-init"};
}

PendingEntry Opd() { return {Body(test_support::OpdBody(kOpd, "Dinas Kesehatan")), "admin"}; }

nlohmann::json ExpenditureBody(int n) {
  return {{"kind", "expenditure"},
          {"fiscal_year", 2026},
          {"opd", kOpd},
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
          {"bank_ref", "CMS-" + std::to_string(n)},
          {"documents", {{"evidence_no", "KW-" + std::to_string(n)}, {"evidence_date", "2026-02-02"}}},
          {"description", "Belanja alat tulis kantor"}};
}

PendingEntry Expenditure(int n) { return {Body(ExpenditureBody(n)), "bendahara.dinkes"}; }

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_support::FreshTestDirectory("jejak-store-test");
    store_ = OpenStore();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  std::string DatabasePath() const { return (dir_ / "ledger.db").string(); }

  std::unique_ptr<Store> OpenStore() {
    return test_support::OpenTestStore(DatabasePath(), TestSigner());
  }

  BatchReceipt MustAppend(const std::vector<PendingEntry>& entries) {
    Result<BatchReceipt> receipt = store_->Append(entries, kTime);
    EXPECT_TRUE(receipt.has_value()) << (receipt ? "" : receipt.error().ToString());
    return receipt ? std::move(receipt).value() : BatchReceipt{};
  }

  VerifyReport MustVerify(const std::optional<std::string>& trusted = std::nullopt) {
    Result<VerifyReport> report = store_->Verify(ledger::VerifierOf(TestSigner()), trusted);
    EXPECT_TRUE(report.has_value()) << (report ? "" : report.error().ToString());
    return report ? std::move(report).value() : VerifyReport{};
  }

  // Runs SQL as an attacker with file access would: triggers dropped first.
  void Tamper(const std::string& statement) {
    store_.reset();
    std::unique_ptr<soci::session> session = test_support::OpenSession(DatabasePath(), true);
    soci::session& sql = *session;
    sql << statement;
    sql.close();
    store_ = OpenStore();
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, AppendsGenesisAndEntriesThatVerify) {
  MustAppend({Genesis()});
  MustAppend({Opd()});
  BatchReceipt receipt = MustAppend({Expenditure(1), Expenditure(2)});
  ASSERT_EQ(receipt.entries.size(), 2u);
  EXPECT_EQ(receipt.entries[0].seq, 2);
  EXPECT_EQ(receipt.entries[1].seq, 3);
  EXPECT_EQ(receipt.tree_size, 4u);

  Result<ledger::Checkpoint> checkpoint =
      ledger::OpenCheckpoint(receipt.checkpoint, ledger::VerifierOf(TestSigner()));
  ASSERT_TRUE(checkpoint.has_value());
  EXPECT_EQ(checkpoint->tree_size, 4u);
  EXPECT_EQ(checkpoint->origin, kOrigin);
  EXPECT_EQ(checkpoint->chain_hash, receipt.entries[1].chain_hash);

  VerifyReport report = MustVerify();
  EXPECT_TRUE(report.ok) << report.problem->what;
  EXPECT_EQ(report.entries, 4u);
  EXPECT_EQ(report.checkpoints, 3u);
  EXPECT_EQ(report.root, checkpoint->root_hash);
}

TEST_F(StoreTest, StoredEntryCarriesServerFieldsInCanonicalForm) {
  MustAppend({Genesis()});
  MustAppend({Opd()});
  Result<StoredEntry> entry = store_->Entry(1);
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->canonical,
            std::string(R"({"code":"1.02.0.00.0.00.01.0000","kind":"opd","name":"Dinas Kesehatan",)") +
                R"("recorded_at":"2026-02-03T08:00:00.000Z","recorded_by":"admin","seq":1,"v":1})");
  EXPECT_EQ(entry->leaf_hash, ledger::LeafHash(entry->canonical));
}

TEST_F(StoreTest, GroupCommitGivesTheSameHashesAsOneAtATime) {
  MustAppend({Genesis()});
  MustAppend({Opd()});
  std::vector<PendingEntry> batch;
  for (int i = 0; i < 20; ++i) batch.push_back(Expenditure(i));
  BatchReceipt grouped = MustAppend(batch);

  store_.reset();
  test_support::ResetTestDatabase(DatabasePath());
  store_ = OpenStore();
  MustAppend({Genesis()});
  MustAppend({Opd()});
  BatchReceipt last;
  for (int i = 0; i < 20; ++i) last = MustAppend({Expenditure(i)});
  EXPECT_EQ(last.entries[0].chain_hash, grouped.entries.back().chain_hash);
  Result<ledger::Digest> root = store_->TreeHash(22);
  ASSERT_TRUE(root.has_value());
  Result<ledger::Checkpoint> checkpoint =
      ledger::OpenCheckpoint(grouped.checkpoint, ledger::VerifierOf(TestSigner()));
  ASSERT_TRUE(checkpoint.has_value());
  EXPECT_EQ(*root, checkpoint->root_hash);
  EXPECT_TRUE(MustVerify().ok);
}

TEST_F(StoreTest, RejectsDuplicateBankRefNamingTheSeqAndWritesNothing) {
  MustAppend({Genesis()});
  MustAppend({Opd()});
  MustAppend({Expenditure(1)});
  Result<BatchReceipt> again = store_->Append({Expenditure(2), Expenditure(1)}, kTime);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, Code::kConflict);
  EXPECT_NE(again.error().message.find("entry 1: "), std::string::npos) << again.error().message;
  EXPECT_NE(again.error().ToString().find("2"), std::string::npos) << again.error().ToString();
  Result<std::uint64_t> size = store_->TreeSize();
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(*size, 3u);  // The good entry of the rejected batch was not written either.
  EXPECT_TRUE(MustVerify().ok);
}

TEST_F(StoreTest, RejectsEntryBeforeGenesisAndSecondGenesis) {
  Result<BatchReceipt> early = store_->Append({Opd()}, kTime);
  ASSERT_FALSE(early.has_value());
  EXPECT_EQ(early.error().code, Code::kInvalidArgument);
  MustAppend({Genesis()});
  Result<BatchReceipt> second = store_->Append({Genesis()}, kTime);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, Code::kInvalidArgument);
}

TEST_F(StoreTest, ReversalOnlyOnceAndOnlyOfAnExpenditure) {
  MustAppend({Genesis()});
  MustAppend({Opd()});
  MustAppend({Expenditure(1)});
  auto reversal = [](std::int64_t seq) {
    return PendingEntry{Body({{"kind", "reversal"}, {"reverses", seq}, {"reason", "salah input"}}),
                        "bendahara.dinkes"};
  };
  Result<BatchReceipt> of_opd = store_->Append({reversal(1)}, kTime);
  ASSERT_FALSE(of_opd.has_value());
  Result<BatchReceipt> missing = store_->Append({reversal(99)}, kTime);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, Code::kNotFound);
  MustAppend({reversal(2)});
  Result<BatchReceipt> twice = store_->Append({reversal(2)}, kTime);
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code, Code::kConflict);
  EXPECT_TRUE(MustVerify().ok);
}

TEST_F(StoreTest, DryRunChecksEverythingAndWritesNothing) {
  MustAppend({Genesis()});
  MustAppend({Opd()});
  Result<BatchReceipt> dry = store_->Append({Expenditure(1), Expenditure(2)}, kTime, true);
  ASSERT_TRUE(dry.has_value());
  EXPECT_EQ(dry->tree_size, 4u);
  Result<std::uint64_t> size = store_->TreeSize();
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(*size, 2u);
  EXPECT_TRUE(MustVerify().ok);
}

TEST_F(StoreTest, TriggersRefuseUpdateAndDelete) {
  MustAppend({Genesis()});
  MustAppend({Opd()});
  store_.reset();
  std::unique_ptr<soci::session> session = test_support::OpenSession(DatabasePath());
  soci::session& sql = *session;
  EXPECT_THROW(sql << "UPDATE entries SET amount_sen = 1 WHERE seq = 1", soci::soci_error);
  EXPECT_THROW(sql << "DELETE FROM entries WHERE seq = 1", soci::soci_error);
  EXPECT_THROW(sql << "DELETE FROM merkle_nodes", soci::soci_error);
  EXPECT_THROW(sql << "UPDATE checkpoints SET note = 'x'", soci::soci_error);
  long long count = 0;
  sql << "SELECT COUNT(*) FROM entries", soci::into(count);
  EXPECT_EQ(count, 2);
}

TEST_F(StoreTest, ProofsFromStoredNodesVerifyAgainstCheckpoints) {
  MustAppend({Genesis()});
  BatchReceipt first = MustAppend({Opd()});
  std::vector<PendingEntry> batch;
  for (int i = 0; i < 37; ++i) batch.push_back(Expenditure(i));
  BatchReceipt second = MustAppend(batch);
  const ledger::NoteVerifier verifier = ledger::VerifierOf(TestSigner());
  Result<ledger::Checkpoint> old_checkpoint = ledger::OpenCheckpoint(first.checkpoint, verifier);
  Result<ledger::Checkpoint> new_checkpoint = ledger::OpenCheckpoint(second.checkpoint, verifier);
  ASSERT_TRUE(old_checkpoint.has_value());
  ASSERT_TRUE(new_checkpoint.has_value());
  for (std::int64_t seq = 0; seq < 39; ++seq) {
    Result<StoredEntry> entry = store_->Entry(seq);
    ASSERT_TRUE(entry.has_value());
    Result<std::vector<ledger::Digest>> proof = store_->InclusionProof(static_cast<std::uint64_t>(seq), 39);
    ASSERT_TRUE(proof.has_value());
    EXPECT_TRUE(ledger::VerifyInclusion(static_cast<std::uint64_t>(seq), 39, entry->leaf_hash, *proof,
                                        new_checkpoint->root_hash))
        << "seq " << seq;
  }
  Result<std::vector<ledger::Digest>> consistency = store_->ConsistencyProof(2, 39);
  ASSERT_TRUE(consistency.has_value());
  EXPECT_TRUE(ledger::VerifyConsistency(2, 39, *consistency, old_checkpoint->root_hash,
                                        new_checkpoint->root_hash));
  Result<std::vector<ledger::Digest>> beyond = store_->InclusionProof(1, 40);
  ASSERT_FALSE(beyond.has_value());
  EXPECT_EQ(beyond.error().code, Code::kNotFound);
}

TEST_F(StoreTest, ReopenedStoreContinuesTheChain) {
  MustAppend({Genesis()});
  MustAppend({Opd()});
  store_ = OpenStore();
  BatchReceipt receipt = MustAppend({Expenditure(1)});
  EXPECT_EQ(receipt.entries[0].seq, 2);
  EXPECT_TRUE(MustVerify().ok);
}

class StoreTamperTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    MustAppend({Genesis()});
    MustAppend({Opd()});
    for (int i = 0; i < 6; ++i) MustAppend({Expenditure(i)});
    ASSERT_TRUE(MustVerify().ok);
  }

  void ExpectFailureAt(std::int64_t seq, const std::string& words) {
    VerifyReport report = MustVerify();
    ASSERT_FALSE(report.ok);
    ASSERT_TRUE(report.problem.has_value());
    EXPECT_EQ(report.problem->seq, seq) << report.problem->what;
    EXPECT_NE(report.problem->what.find(words), std::string::npos) << report.problem->what;
  }
};

TEST_F(StoreTamperTest, ChangedBodyByteIsNamed) {
  Tamper("UPDATE entries SET canonical = REPLACE(canonical, '1250000.00', '1250001.00') WHERE seq = 4");
  ExpectFailureAt(4, "");
}

TEST_F(StoreTamperTest, ChangedDerivedColumnIsNamed) {
  Tamper("UPDATE entries SET amount_sen = 1 WHERE seq = 5");
  ExpectFailureAt(5, "amount_sen");
}

TEST_F(StoreTamperTest, DeletedEntryIsNamed) {
  Tamper("DELETE FROM entries WHERE seq = 3");
  ExpectFailureAt(3, "missing");
}

TEST_F(StoreTamperTest, DeletedLastEntryIsCaughtByItsCheckpoint) {
  Tamper("DELETE FROM entries WHERE seq = 7");
  ExpectFailureAt(7, "missing");
}

TEST_F(StoreTamperTest, SwappedEntriesAreNamed) {
  Tamper(
      "UPDATE entries SET seq = CASE seq WHEN 3 THEN -3 ELSE seq END WHERE seq = 3;");
  Tamper("UPDATE entries SET seq = 3 WHERE seq = 4");
  Tamper("UPDATE entries SET seq = 4 WHERE seq = -3");
  ExpectFailureAt(3, "");
}

TEST_F(StoreTamperTest, ChangedMerkleNodeIsNamed) {
  Tamper("UPDATE merkle_nodes SET hash = '" + std::string(64, '0') + "' WHERE level = 1 AND node_index = 1");
  ExpectFailureAt(3, "Merkle node (1, 1)");
}

TEST_F(StoreTamperTest, ForgedCheckpointIsNamed) {
  Tamper("UPDATE checkpoints SET note = REPLACE(note, 'time 2026', 'time 2027') WHERE tree_size = 5");
  ExpectFailureAt(4, "checkpoint at tree size 5");
}

TEST_F(StoreTamperTest, ChangedRealisationAggregateIsNamed) {
  Tamper("UPDATE realisation_monthly SET amount_sen = amount_sen + 100");
  ExpectFailureAt(7, "realisation_monthly row");
}

TEST_F(StoreTamperTest, DeletedRealisationRowIsNamed) {
  Tamper("DELETE FROM realisation_daily");
  ExpectFailureAt(7, "realisation_daily lacks a row");
}

// Corrupt stored hex is an error naming the seq, never a hash of zeros.
TEST_F(StoreTamperTest, CorruptLeafHashHexIsDataLossFromEntry) {
  Tamper("UPDATE entries SET leaf_hash = 'not-a-hash' WHERE seq = 3");
  Result<StoredEntry> entry = store_->Entry(3);
  ASSERT_FALSE(entry.has_value());
  EXPECT_EQ(entry.error().code, Code::kDataLoss);
  EXPECT_NE(entry.error().message.find("leaf_hash of seq 3"), std::string::npos)
      << entry.error().message;
  EXPECT_TRUE(store_->Entry(2).has_value());  // Its neighbours still read.
}

TEST_F(StoreTamperTest, CorruptChainHashHexIsDataLossFromEntry) {
  Tamper("UPDATE entries SET chain_hash = substr(chain_hash, 1, 63) WHERE seq = 4");
  Result<StoredEntry> entry = store_->Entry(4);
  ASSERT_FALSE(entry.has_value());
  EXPECT_EQ(entry.error().code, Code::kDataLoss);
  EXPECT_NE(entry.error().message.find("chain_hash of seq 4"), std::string::npos)
      << entry.error().message;
}

TEST_F(StoreTamperTest, CorruptHashHexIsDataLossFromListEntries) {
  Tamper("UPDATE entries SET leaf_hash = 'zz' || substr(leaf_hash, 3) WHERE seq = 5");
  EntryFilter filter;
  filter.limit = 100;
  Result<EntryPage> page = store_->ListEntries(filter);
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().code, Code::kDataLoss);
  EXPECT_NE(page.error().message.find("seq 5"), std::string::npos) << page.error().message;
  filter.after_seq = 5;  // A page without it still reads.
  Result<EntryPage> later = store_->ListEntries(filter);
  ASSERT_TRUE(later.has_value()) << later.error().ToString();
  EXPECT_EQ(later->entries.front().seq, 6);
}

TEST_F(StoreTamperTest, CorruptChainHashHexIsDataLossFromListEntries) {
  Tamper("UPDATE entries SET chain_hash = '' WHERE seq = 2");
  EntryFilter filter;
  filter.limit = 10;
  Result<EntryPage> page = store_->ListEntries(filter);
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().code, Code::kDataLoss);
  EXPECT_NE(page.error().message.find("chain_hash of seq 2"), std::string::npos)
      << page.error().message;
}

TEST_F(StoreTest, ReversalRemovesItsExpenditureFromTheAggregates) {
  MustAppend({Genesis()});
  MustAppend({Opd()});
  MustAppend({Expenditure(1), Expenditure(2)});
  MustAppend({PendingEntry{Body({{"kind", "reversal"}, {"reverses", 2}, {"reason", "salah"}}),
                           "bendahara.dinkes", "", ""}});
  Result<ledger::AbsorptionInput> input = store_->AbsorptionInputs(2026, "2026-12-31", std::nullopt);
  ASSERT_TRUE(input.has_value()) << input.error().ToString();
  std::int64_t realised = 0;
  std::int64_t entries = 0;
  for (const ledger::RealisationRow& row : input->realisation) {
    realised += row.amount_sen;
    entries += row.entries;
  }
  EXPECT_EQ(realised, 125000000);  // One of the two Rp1,250,000.00 payments remains.
  EXPECT_EQ(entries, 1);
  EXPECT_TRUE(MustVerify().ok);
}

// The 100,000-entry run: appends in group commits of 256 and verifies. Rates go to
// stdout for the record; they are not asserted (timings here are noisy).
TEST_F(StoreTest, AppendsAndVerifiesOneHundredThousandEntries) {
  constexpr int kEntries = 100'000;
  constexpr int kBatch = 256;
  MustAppend({Genesis()});
  MustAppend({Opd()});
  std::vector<PendingEntry> bodies;
  bodies.reserve(kEntries);
  for (int i = 0; i < kEntries; ++i) bodies.push_back(Expenditure(i));

  const auto start = std::chrono::steady_clock::now();
  for (int begin = 0; begin < kEntries; begin += kBatch) {
    const int end = std::min(kEntries, begin + kBatch);
    std::vector<PendingEntry> group(bodies.begin() + begin, bodies.begin() + end);
    Result<BatchReceipt> receipt = store_->Append(group, kTime);
    ASSERT_TRUE(receipt.has_value()) << receipt.error().ToString();
  }
  const double append_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const auto verify_start = std::chrono::steady_clock::now();
  VerifyReport report = MustVerify();
  const double verify_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - verify_start).count();
  EXPECT_TRUE(report.ok) << (report.problem ? report.problem->what : "");
  EXPECT_EQ(report.entries, static_cast<std::uint64_t>(kEntries) + 2);

  // Group commits of 1 on a smaller run: every append is its own fsync'd transaction.
  constexpr int kSingles = 2000;
  const auto single_start = std::chrono::steady_clock::now();
  for (int i = 0; i < kSingles; ++i) {
    Result<BatchReceipt> receipt = store_->Append({Expenditure(kEntries + i)}, kTime);
    ASSERT_TRUE(receipt.has_value()) << receipt.error().ToString();
  }
  const double single_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - single_start).count();
  std::printf("[ rates    ] append, group commit 256: %.0f entries/s (%d entries in %.2f s)\n",
              kEntries / append_seconds, kEntries, append_seconds);
  std::printf("[ rates    ] append, group commit 1: %.0f entries/s (%d entries in %.2f s)\n",
              kSingles / single_seconds, kSingles, single_seconds);
  std::printf("[ rates    ] verify: %.0f entries/s (%llu entries in %.2f s)\n",
              static_cast<double>(report.entries) / verify_seconds,
              static_cast<unsigned long long>(report.entries), verify_seconds);
}

// ---- Hardening: year totals, time, the kept checkpoint, corrupt state. ----

PendingEntry MaximalExpenditure(int n) {
  nlohmann::json body = ExpenditureBody(n);
  body["gross"] = "9999999999999999.99";
  body["taxes"] = nlohmann::json::array();
  body["net"] = "9999999999999999.99";
  return {Body(body), "bendahara.dinkes"};
}

TEST_F(StoreTest, RefusesTheExpenditureThatWouldPassTheYearTotalAndVerifiesAfter) {
  MustAppend({Genesis(), Opd()});
  MustAppend({MaximalExpenditure(1)});
  // Ten maximal expenditures once wedged verification (the monthly sum stuck at the int64
  // maximum). Now the second is refused, by itself and inside a group.
  Result<BatchReceipt> second = store_->Append({MaximalExpenditure(2)}, kTime);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, Code::kOutOfRange);
  ASSERT_FALSE(second.error().fields.empty());
  EXPECT_EQ(second.error().fields[0].field, "gross");
  Result<GroupReceipt> group =
      store_->AppendGroup({MaximalExpenditure(3), Expenditure(4), MaximalExpenditure(5)}, kTime);
  ASSERT_TRUE(group.has_value()) << group.error().ToString();
  EXPECT_FALSE(group->outcomes[0].receipt.has_value());
  EXPECT_EQ(group->outcomes[0].receipt.error().code, Code::kOutOfRange);
  EXPECT_FALSE(group->outcomes[1].receipt.has_value());  // 1,250,000 more is past it too.
  EXPECT_FALSE(group->outcomes[2].receipt.has_value());
  EXPECT_EQ(*store_->TreeSize(), 3u);
  // Another year is not affected, and a fresh store (totals read from the database)
  // applies the same rule.
  nlohmann::json next_year = ExpenditureBody(6);
  next_year["fiscal_year"] = 2027;
  next_year["value_date"] = "2027-01-05";
  next_year["documents"]["evidence_date"] = "2027-01-04";
  MustAppend({{Body(next_year), "bendahara.dinkes"}});
  store_ = OpenStore();
  Result<BatchReceipt> again = store_->Append({MaximalExpenditure(7)}, kTime);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, Code::kOutOfRange);
  EXPECT_TRUE(MustVerify().ok);
}

TEST_F(StoreTest, RefusesAppendsStampedBeforeTheNewestEntry) {
  MustAppend({Genesis(), Opd()});
  Result<BatchReceipt> earlier = store_->Append({Expenditure(1)}, "2026-02-03T07:59:59.999Z");
  ASSERT_FALSE(earlier.has_value());
  EXPECT_EQ(earlier.error().code, Code::kUnavailable);
  EXPECT_NE(earlier.error().message.find("behind the newest entry"), std::string::npos);
  EXPECT_TRUE(store_->Append({Expenditure(1)}, kTime).has_value());  // The same time is fine.
  Result<std::string> last = store_->LastRecordedAt();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(*last, kTime);
}

TEST_F(StoreTest, VerifyReportsTimeRunningBackwards) {
  MustAppend({Genesis(), Opd()});
  MustAppend({Expenditure(1)});
  // Rewrite entry 2 (and everything it implies) with an earlier recorded_at, re-signed:
  // what a process with a clock set back would have written before the store refused it.
  ASSERT_TRUE(store_->Append({Expenditure(2)}, "2026-02-03T09:00:00.000Z").has_value());
  Tamper("UPDATE entries SET recorded_at = '2026-02-03T07:00:00.000Z' WHERE seq = 3");
  const VerifyReport report = MustVerify();
  ASSERT_FALSE(report.ok);
  EXPECT_EQ(report.problem->seq, 3);
}

// The witness pusher's memory of each witness's latest cosigned size: the greatest size
// recorded, per witness, kept across reopening, and the table refuses UPDATE and DELETE.
TEST_F(StoreTest, WitnessSizesKeepTheGreatestPerWitnessAndAreAppendOnly) {
  MustAppend({Genesis()});
  Result<std::optional<std::uint64_t>> none = store_->WitnessSize("inspektorat");
  ASSERT_TRUE(none.has_value()) << none.error().ToString();
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(store_->RecordWitnessSize("inspektorat", 5, kTime).has_value());
  ASSERT_TRUE(store_->RecordWitnessSize("inspektorat", 9, kTime).has_value());
  ASSERT_TRUE(store_->RecordWitnessSize("inspektorat", 9, kTime).has_value());  // Again: fine.
  ASSERT_TRUE(store_->RecordWitnessSize("inspektorat", 7, kTime).has_value());  // Older: kept, not latest.
  ASSERT_TRUE(store_->RecordWitnessSize("bpk", 3, kTime).has_value());
  // A size from a witness's answer beyond the column's range is its error, not an abort.
  Result<void> huge = store_->RecordWitnessSize("bpk", std::numeric_limits<std::uint64_t>::max(), kTime);
  ASSERT_FALSE(huge.has_value());
  EXPECT_EQ(huge.error().code, Code::kInvalidArgument);
  EXPECT_FALSE(store_->RecordWitnessSize("bpk", std::uint64_t{1} << 63, kTime).has_value());
  store_ = OpenStore();
  EXPECT_EQ(store_->WitnessSize("inspektorat").value(), std::optional<std::uint64_t>(9));
  EXPECT_EQ(store_->WitnessSize("bpk").value(), std::optional<std::uint64_t>(3));
  EXPECT_FALSE(store_->WitnessSize("dprd").value().has_value());
  // A stored cosignature line is the record of a size too (no second write per push).
  ASSERT_TRUE(store_->AddCosignature(1, "dprd", "\xe2\x80\x94 dprd AAAA\n").has_value());
  EXPECT_EQ(store_->WitnessSize("dprd").value(), std::optional<std::uint64_t>(1));
  EXPECT_EQ(store_->WitnessSize("inspektorat").value(), std::optional<std::uint64_t>(9));
  store_.reset();
  std::unique_ptr<soci::session> session = test_support::OpenSession(DatabasePath());
  soci::session& sql = *session;
  EXPECT_THROW(sql << "UPDATE witness_sizes SET tree_size = 100", soci::soci_error);
  EXPECT_THROW(sql << "DELETE FROM witness_sizes", soci::soci_error);
  long long rows = 0;
  sql << "SELECT COUNT(*) FROM witness_sizes", soci::into(rows);
  EXPECT_EQ(rows, 4);
}

TEST_F(StoreTest, ChainTipThatIsNotAHashStopsAppends) {
  MustAppend({Genesis(), Opd()});
  Tamper("UPDATE entries SET chain_hash = 'zz' WHERE seq = 1");
  Result<BatchReceipt> next = store_->Append({Expenditure(1)}, kTime);
  ASSERT_FALSE(next.has_value());
  EXPECT_EQ(next.error().code, Code::kDataLoss);
  EXPECT_EQ(*store_->TreeSize(), 2u);
}

TEST_F(StoreTest, ImportMappingsAreVersionedAndAppendOnly) {
  ASSERT_TRUE(store_->SaveImportMapping({"1.02.0.00.0.00.01.0000", "sipd", "{\"a\":1}", kTime, "b1", 0}).has_value());
  Result<ImportMappingRecord> second =
      store_->SaveImportMapping({"1.02.0.00.0.00.01.0000", "sipd", "{\"a\":2}", kTime, "b2", 7});
  ASSERT_TRUE(second.has_value()) << second.error().ToString();
  EXPECT_EQ(second->version, 2);  // The given version is ignored.
  ASSERT_TRUE(store_->SaveImportMapping({"1.01.0.00.0.00.01.0000", "sipd", "{\"b\":1}", kTime, "c", 0}).has_value());
  Result<std::vector<ImportMappingRecord>> mine = store_->ImportMappings("1.02.0.00.0.00.01.0000");
  ASSERT_TRUE(mine.has_value()) << mine.error().ToString();
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].mapping, "{\"a\":2}");
  EXPECT_EQ((*mine)[0].saved_by, "b2");
  EXPECT_TRUE(store_->ImportMappings("9.99.0.00.0.00.01.0000")->empty());
  store_.reset();
  std::unique_ptr<soci::session> session = test_support::OpenSession(DatabasePath());
  soci::session& sql = *session;
  EXPECT_THROW(sql << "UPDATE import_mappings SET mapping = '{}'", soci::soci_error);
  EXPECT_THROW(sql << "DELETE FROM import_mappings", soci::soci_error);
  long long rows = 0;
  sql << "SELECT COUNT(*) FROM import_mappings", soci::into(rows);
  EXPECT_EQ(rows, 3);
}

TEST_F(StoreTest, CheckWritableSeesAReadOnlyDatabase) {
  MustAppend({Genesis()});
  EXPECT_TRUE(store_->CheckWritable().has_value());
  store_.reset();
  if (test_support::OnPostgres()) GTEST_SKIP() << "file permissions are SQLite's (PostgreSQL: tests/e2e roles test)";
  if (::geteuid() == 0) GTEST_SKIP() << "root writes a 0444 file anyway (the e2e test drops to nobody)";
  fs::permissions(DatabasePath(), fs::perms::owner_read);
  store_ = OpenStore();
  Result<void> writable = store_->CheckWritable();
  EXPECT_FALSE(writable.has_value());
  fs::permissions(DatabasePath(), fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(StoreTest, AReadOnlyStoreNeverMigratesAndNeedsThisBuildsSchema) {
  store_.reset();
  test_support::ResetTestDatabase(DatabasePath());
  // An empty database is not migrated by a read-only open: refused, naming the versions.
  Result<std::unique_ptr<Store>> empty =
      Store::Open({test_support::TestDatabaseUrl(DatabasePath()), std::nullopt, "", true});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, Code::kUnavailable);
  EXPECT_NE(empty.error().message.find("schema is version 0"), std::string::npos) << empty.error().message;
  store_ = OpenStore();  // Migrates.
  MustAppend({Genesis()});
  Result<std::unique_ptr<Store>> reader =
      Store::Open({test_support::TestDatabaseUrl(DatabasePath()), std::nullopt, "", true});
  ASSERT_TRUE(reader.has_value()) << reader.error().ToString();
  EXPECT_EQ(*(*reader)->TreeSize(), 1u);
}

class KeptCheckpointTest : public StoreTest {
 protected:
  std::string KeptPath() const { return (dir_ / "state" / "latest-checkpoint").string(); }
  std::unique_ptr<Store> OpenKeeping() {
    Result<std::unique_ptr<Store>> store =
        Store::Open({test_support::TestDatabaseUrl(DatabasePath()), TestSigner(), KeptPath()});
    EXPECT_TRUE(store.has_value());
    return store ? std::move(store).value() : nullptr;
  }
};

TEST_F(KeptCheckpointTest, EveryCommitKeepsTheNewestCheckpointInAPrivateFile) {
  store_ = OpenKeeping();
  BatchReceipt first = MustAppend({Genesis(), Opd()});
  std::ifstream in(KeptPath());
  std::stringstream kept;
  kept << in.rdbuf();
  EXPECT_EQ(kept.str(), first.checkpoint);
  EXPECT_EQ(fs::status(KeptPath()).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs::status(dir_ / "state").permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_TRUE(store_->CheckKeptCheckpoint(ledger::VerifierOf(TestSigner())).has_value());
}

TEST_F(KeptCheckpointTest, ARewoundDatabaseIsRefusedNamingBothSizesAndRoots) {
  if (test_support::OnPostgres()) GTEST_SKIP() << "rewinds by copying the SQLite file";
  store_ = OpenKeeping();
  MustAppend({Genesis(), Opd()});
  store_.reset();
  // The state after two entries, as a damaged WAL or a restored backup would leave it.
  fs::copy_file(DatabasePath(), dir_ / "rewound.db");
  store_ = OpenKeeping();
  BatchReceipt later = MustAppend({Expenditure(1), Expenditure(2)});
  store_.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(DatabasePath() + suffix);
  fs::copy_file(dir_ / "rewound.db", DatabasePath());
  store_ = OpenKeeping();
  Result<void> kept = store_->CheckKeptCheckpoint(ledger::VerifierOf(TestSigner()));
  ASSERT_FALSE(kept.has_value());
  EXPECT_EQ(kept.error().code, Code::kDataLoss);
  EXPECT_NE(kept.error().message.find("holds 2 entries"), std::string::npos) << kept.error().message;
  EXPECT_NE(kept.error().message.find("covers 4 entries"), std::string::npos) << kept.error().message;
  const VerifyReport report = MustVerify();
  ASSERT_FALSE(report.ok);
  EXPECT_NE(report.problem->what.find("rewound"), std::string::npos);
}

TEST_F(KeptCheckpointTest, AReplacedDatabaseIsInconsistentWithTheKeptCheckpoint) {
  store_ = OpenKeeping();
  MustAppend({Genesis(), Opd(), Expenditure(1)});
  store_.reset();
  test_support::ResetTestDatabase(DatabasePath());
  // Another ledger, signed with the same key, of the same size.
  store_ = OpenStore();
  MustAppend({Genesis(), Opd(), Expenditure(2)});
  store_ = OpenKeeping();
  Result<void> kept = store_->CheckKeptCheckpoint(ledger::VerifierOf(TestSigner()));
  ASSERT_FALSE(kept.has_value());
  EXPECT_NE(kept.error().message.find("replaced or rewritten"), std::string::npos);
}

}  // namespace
}  // namespace jejak::db
