// The witness's database (db/witness_store.h): the latest cosigned checkpoint and the
// evidence survive a reopen; many threads on separate connections submitting one origin
// at once are serialized (each decision sees the previous one's write, sizes only grow);
// evidence is deduplicated on what it says (not the note's bytes), capped per origin with
// forks always kept, and read in pages bounded by rows and bytes. SQLite only: the witness keeps its own file.
#include "db/witness_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "crypto/sha256.h"

namespace jejak::db {
namespace {

namespace fs = std::filesystem;

class WitnessStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    const char* backend = std::getenv("JEJAK_TEST_BACKEND");
    if (backend != nullptr && std::string(backend) == "postgresql") {
      GTEST_SKIP() << "the witness database is SQLite only";
    }
    dir_ = fs::temp_directory_path() /
           ("jejak-witness-store-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "witness.db").string();
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::unique_ptr<WitnessStore> OpenStore(std::size_t evidence_max = kWitnessEvidenceMaxDefault) {
    Result<std::unique_ptr<WitnessStore>> store = WitnessStore::Open(path_, evidence_max);
    EXPECT_TRUE(store) << store.error().ToString();
    return std::move(store).value();
  }

  static WitnessedCheckpoint Checkpoint(const std::string& origin, std::uint64_t size) {
    return WitnessedCheckpoint{origin, size, crypto::Sha256(std::to_string(size)),
                               "note of " + std::to_string(size), "2026-11-30T04:00:00Z"};
  }
  static WitnessEvidence Evidence(const std::string& origin, std::uint64_t size, std::string note,
                                  std::string reason = "fork") {
    WitnessEvidence evidence;
    evidence.origin = origin;
    evidence.tree_size = size;
    evidence.root_hash = crypto::Sha256(note);
    evidence.old_size = 1;
    evidence.witness_size = 9;
    evidence.reason = std::move(reason);
    evidence.received_at = "2026-11-30T04:00:01Z";
    evidence.checkpoint = std::move(note);
    return evidence;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(WitnessStoreTest, LatestAndEvidenceSurviveReopen) {
  {
    std::unique_ptr<WitnessStore> store = OpenStore();
    Result<std::optional<WitnessedCheckpoint>> none = store->Latest("log.example/a");
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
    ASSERT_TRUE(store->Submit("log.example/a", [](const std::optional<WitnessedCheckpoint>& latest) {
      EXPECT_FALSE(latest);
      return WitnessWrite{Checkpoint("log.example/a", 7), std::nullopt};
    }));
    ASSERT_TRUE(store->Submit("log.example/a", [](const std::optional<WitnessedCheckpoint>& latest) {
      EXPECT_EQ(latest->tree_size, 7u);
      return WitnessWrite{std::nullopt, Evidence("log.example/a", 7, "forked note")};
    }));
  }
  std::unique_ptr<WitnessStore> store = OpenStore();
  Result<std::optional<WitnessedCheckpoint>> latest = store->Latest("log.example/a");
  ASSERT_TRUE(latest);
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->tree_size, 7u);
  EXPECT_EQ((*latest)->root_hash, crypto::Sha256("7"));
  EXPECT_EQ((*latest)->note, "note of 7");
  EXPECT_FALSE(store->Latest("log.example/b")->has_value());
  Result<std::vector<WitnessEvidence>> evidence = store->Evidence(std::nullopt, 0, 100);
  ASSERT_TRUE(evidence);
  ASSERT_EQ(evidence->size(), 1u);
  EXPECT_EQ((*evidence)[0].checkpoint, "forked note");
  EXPECT_EQ((*evidence)[0].reason, "fork");
  EXPECT_EQ((*evidence)[0].witness_size, 9u);
  EXPECT_EQ((*evidence)[0].root_hash, crypto::Sha256("forked note"));
}

TEST_F(WitnessStoreTest, SizesAboveSignedIntegersRoundTrip) {
  std::unique_ptr<WitnessStore> store = OpenStore();
  const std::uint64_t huge = 18446744073709551615ULL;
  ASSERT_TRUE(store->Submit("log.example/a", [&](const std::optional<WitnessedCheckpoint>&) {
    return WitnessWrite{Checkpoint("log.example/a", huge), std::nullopt};
  }));
  EXPECT_EQ((*store->Latest("log.example/a"))->tree_size, huge);
}

TEST_F(WitnessStoreTest, EvidenceIsDeduplicatedOnWhatItSaysAndFiltered) {
  std::unique_ptr<WitnessStore> store = OpenStore();
  const auto keep = [&](const std::string& origin, WitnessEvidence evidence) {
    ASSERT_TRUE(store->Submit(origin, [&](const std::optional<WitnessedCheckpoint>&) {
      return WitnessWrite{std::nullopt, evidence};
    }));
  };
  keep("log.example/a", Evidence("log.example/a", 5, "one", "rollback"));
  // The same checkpoint and reason sent again with other bytes (an added line): one row.
  for (int i = 0; i < 50; ++i) {
    WitnessEvidence replay = Evidence("log.example/a", 5, "one", "rollback");
    replay.checkpoint = "one\njunk line " + std::to_string(i) + "\n";
    keep("log.example/a", replay);
  }
  keep("log.example/a", Evidence("log.example/a", 5, "one", "inconsistent"));  // Another reason.
  keep("log.example/b", Evidence("log.example/b", 5, "one", "rollback"));      // Another origin.
  keep("log.example/a", Evidence("log.example/a", 6, "one", "rollback"));      // Another size.
  std::vector<WitnessEvidence> all = store->Evidence(std::nullopt, 0, 100).value();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].checkpoint, "one");  // The first one kept, not a replay's bytes.
  EXPECT_EQ(all[1].reason, "inconsistent");
  EXPECT_LT(all[0].id, all[1].id);
  std::vector<WitnessEvidence> only_a = store->Evidence(std::string("log.example/a"), 0, 100).value();
  ASSERT_EQ(only_a.size(), 3u);
  EXPECT_EQ(store->Evidence(std::nullopt, 0, 1).value().size(), 1u);
  // Paged by id: after the first row, the other three.
  std::vector<WitnessEvidence> later = store->Evidence(std::nullopt, all[0].id, 100).value();
  ASSERT_EQ(later.size(), 3u);
  EXPECT_EQ(later[0].id, all[1].id);
}

TEST_F(WitnessStoreTest, CapIsPerOriginAndForksAreKeptPastIt) {
  std::unique_ptr<WitnessStore> store = OpenStore(/*evidence_max=*/2);
  const auto keep = [&](const std::string& origin, const std::string& note, const std::string& reason) {
    ASSERT_TRUE(store->Submit(origin, [&](const std::optional<WitnessedCheckpoint>&) {
      return WitnessWrite{std::nullopt, Evidence(origin, 5, note, reason)};
    }));
  };
  keep("log.example/a", "r1", "rollback");
  keep("log.example/a", "r2", "inconsistent");
  keep("log.example/a", "r3", "rollback");  // Past a's cap of 2: logged, not kept.
  keep("log.example/b", "r1", "rollback");  // b has its own cap.
  keep("log.example/b", "r2", "rollback");
  keep("log.example/a", "f1", "fork");  // Forks are kept past the cap...
  keep("log.example/a", "f2", "fork");
  keep("log.example/a", "r4", "rollback");  // ...and do not count towards it.
  std::vector<WitnessEvidence> a = store->Evidence(std::string("log.example/a"), 0, 100).value();
  std::vector<std::string> notes;
  for (const WitnessEvidence& row : a) notes.push_back(row.checkpoint);
  EXPECT_EQ(notes, (std::vector<std::string>{"r1", "r2", "f1", "f2"}));
  EXPECT_EQ(store->Evidence(std::string("log.example/b"), 0, 100).value().size(), 2u);
}

TEST_F(WitnessStoreTest, EvidencePagesAreBoundedByBytes) {
  std::unique_ptr<WitnessStore> store = OpenStore();
  const std::string big(10000, 'x');
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store->Submit("log.example/a", [&](const std::optional<WitnessedCheckpoint>&) {
      return WitnessWrite{std::nullopt, Evidence("log.example/a", 5, big + std::to_string(i))};
    }));
  }
  // Each row counts 10001 + 13 + 256 bytes: a bound of 20000 stops after the second row.
  std::vector<WitnessEvidence> page = store->Evidence(std::nullopt, 0, 100, 20000).value();
  ASSERT_EQ(page.size(), 2u);
  std::vector<WitnessEvidence> next = store->Evidence(std::nullopt, page.back().id, 100, 20000).value();
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].checkpoint, big + "2");
  // A bound below one row still returns one, so paging always advances.
  EXPECT_EQ(store->Evidence(std::nullopt, 0, 100, 1).value().size(), 1u);
  EXPECT_EQ(store->Evidence(std::nullopt, 0, 100).value().size(), 5u);
}

TEST_F(WitnessStoreTest, ConcurrentSubmissionsOfOneOriginNeverRollBack) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::unique_ptr<WitnessStore> shared = OpenStore();
  std::mutex history_mutex;
  // (latest seen, written) per decision, in the order the decisions ran.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> history;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t]() {
      // Half the threads share one store, the others each open their own connection, so
      // both the in-process lock and SQLite's write lock are exercised.
      std::unique_ptr<WitnessStore> own;
      if (t % 2 == 1) own = WitnessStore::Open(path_).value();
      WitnessStore& store = own ? *own : *shared;
      for (int i = 0; i < kPerThread; ++i) {
        const std::uint64_t size = static_cast<std::uint64_t>((i * kThreads + t) * 7 % 997 + 1);
        Result<void> done = store.Submit("log.example/a", [&](const std::optional<WitnessedCheckpoint>& latest) {
          const std::uint64_t before = latest ? latest->tree_size : 0;
          WitnessWrite write;
          if (size > before) write.cosigned = Checkpoint("log.example/a", size);
          std::lock_guard<std::mutex> lock(history_mutex);
          history.emplace_back(before, write.cosigned ? size : before);
          return write;
        });
        if (!done) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(history.size(), static_cast<std::size_t>(kThreads * kPerThread));
  std::uint64_t expected = 0;
  std::uint64_t highest = 0;
  for (const auto& [before, after] : history) {
    // Each decision saw exactly what the one before it left: no interleaving, no lost write.
    ASSERT_EQ(before, expected);
    ASSERT_GE(after, before);
    expected = after;
    highest = std::max(highest, after);
  }
  std::unique_ptr<WitnessStore> reopened = OpenStore();
  EXPECT_EQ((*reopened->Latest("log.example/a"))->tree_size, highest);
}

}  // namespace
}  // namespace jejak::db
