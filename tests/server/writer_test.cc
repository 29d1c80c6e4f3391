// Tests of the group-commit writer against a real SQLite store: every submitted entry is
// answered once, after its commit, with a checkpoint and an inclusion proof that verify;
// concurrent submissions share commits; a full queue and a stopped writer refuse.
#include "server/writer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "db/kept_checkpoint.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"

namespace jejak::server {
namespace {

namespace fs = std::filesystem;

constexpr const char* kOpd = "1.02.0.00.0.00.01.0000";

ledger::NoteSigner Signer() {
  std::array<std::uint8_t, 32> seed{};
  seed[1] = 9;
  return ledger::MakeSigner("jejak.test/writer", crypto::KeyFromSeed(seed));
}

std::shared_ptr<const nlohmann::json> Valid(const nlohmann::json& body) {
  Result<nlohmann::json> valid = body.value("kind", "") == "genesis" ? ledger::ValidateGenesis(body)
                                                                     : ledger::ValidateBody(body);
  EXPECT_TRUE(valid.has_value()) << (valid ? "" : valid.error().ToString());
  return std::make_shared<const nlohmann::json>(valid ? *valid : body);
}

nlohmann::json Expenditure(int n) {
  return {{"kind", "expenditure"},
          {"fiscal_year", 2026},
          {"opd", kOpd},
          {"sub_activity", "1.02.02.2.01.0014"},
          {"account", "5.1.02.01.01.0024"},
          {"mechanism", "GU"},
          {"instrument", "qris"},
          {"value_date", "2026-03-01"},
          {"gross", "150000"},
          {"taxes", nlohmann::json::array()},
          {"net", "150000"},
          {"payee", {{"name", "Toko"}, {"bank", "BSI"}, {"account_no", "7123"}, {"account_name", "TOKO"}}},
          {"bank_ref", "QR-" + std::to_string(n)},
          {"documents", nlohmann::json::object()},
          {"description", "Konsumsi rapat"}};
}

class WriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("jejak-writer-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Result<std::unique_ptr<db::Store>> store =
        db::Store::Open({"sqlite:" + (dir_ / "ledger.db").string(), Signer(), ""});
    ASSERT_TRUE(store.has_value());
    const nlohmann::json genesis = {{"kind", "genesis"},
                                    {"ledger_id", "writer-test"},
                                    {"origin", "jejak.test/writer"},
                                    {"region", "Kabupaten Uji"},
                                    {"checkpoint_key", ledger::FormatVerifierKey(ledger::VerifierOf(Signer()))}};
    ASSERT_TRUE((*store)->Append({{Valid(genesis), "init", "", ""}}, "2026-03-01T00:00:00.000Z").has_value());
    ASSERT_TRUE((*store)
                    ->Append({{Valid({{"kind", "opd"}, {"code", kOpd}, {"name", "Dinas Kesehatan"}}),
                               "admin", "", ""}},
                             "2026-03-01T00:00:00.000Z")
                    .has_value());
    store_ = std::move(store).value();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<AppendWriter> MakeWriter(std::size_t queue_max, std::size_t batch_max) {
    return std::make_unique<AppendWriter>(std::move(store_), queue_max, batch_max, metrics_,
                                          []() { return std::string("2026-03-02T00:00:00.000Z"); });
  }

  fs::path dir_;
  std::unique_ptr<db::Store> store_;
  Metrics metrics_;
};

TEST_F(WriterTest, AnswersEveryConcurrentAppendWithAVerifiableProof) {
  auto writer = MakeWriter(10000, 64);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100;
  std::vector<std::promise<Result<AppendResult>>> promises(kThreads * kPerThread);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t]() {
      for (int i = 0; i < kPerThread; ++i) {
        const int n = t * kPerThread + i;
        Result<void> queued = writer->Submit({Valid(Expenditure(n)), "bendahara", "", ""},
                                             std::chrono::steady_clock::now(),
                                             [&promises, n](Result<AppendResult> result) {
                                               promises[static_cast<std::size_t>(n)].set_value(std::move(result));
                                             });
        ASSERT_TRUE(queued.has_value());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<std::int64_t> seqs;
  const ledger::NoteVerifier verifier = ledger::VerifierOf(Signer());
  for (auto& promise : promises) {
    std::future<Result<AppendResult>> future = promise.get_future();
    ASSERT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    Result<AppendResult> result = future.get();
    ASSERT_TRUE(result.has_value()) << result.error().ToString();
    EXPECT_TRUE(seqs.insert(result->receipt.seq).second);
    Result<ledger::Checkpoint> checkpoint = ledger::OpenCheckpoint(result->checkpoint, verifier);
    ASSERT_TRUE(checkpoint.has_value());
    EXPECT_EQ(checkpoint->tree_size, result->tree_size);
    EXPECT_TRUE(ledger::VerifyInclusion(static_cast<std::uint64_t>(result->receipt.seq),
                                        result->tree_size, result->receipt.leaf_hash,
                                        result->inclusion_proof, checkpoint->root_hash));
  }
  EXPECT_EQ(seqs.size(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_EQ(*seqs.begin(), 2);
  EXPECT_EQ(*seqs.rbegin(), 2 + kThreads * kPerThread - 1);
  // Commits were shared: fewer commits than entries.
  const std::string text = metrics_.Render(std::chrono::system_clock::now());
  const std::size_t at = text.find("jejak_append_batch_entries_count ");
  ASSERT_NE(at, std::string::npos);
  const long commits = std::stol(text.substr(at + 33));
  EXPECT_LT(commits, kThreads * kPerThread);
  EXPECT_GE(commits, kThreads * kPerThread / 64);
}

TEST_F(WriterTest, FailedEntryDoesNotSinkItsBatch) {
  auto writer = MakeWriter(100, 16);
  std::promise<Result<AppendResult>> first, duplicate, second;
  auto submit = [&](int n, std::promise<Result<AppendResult>>& promise) {
    ASSERT_TRUE(writer
                    ->Submit({Valid(Expenditure(n)), "bendahara", "", ""}, std::chrono::steady_clock::now(),
                             [&promise](Result<AppendResult> result) { promise.set_value(std::move(result)); })
                    .has_value());
  };
  submit(1, first);
  submit(1, duplicate);  // Same bank_ref.
  submit(2, second);
  Result<AppendResult> a = first.get_future().get();
  Result<AppendResult> b = duplicate.get_future().get();
  Result<AppendResult> c = second.get_future().get();
  ASSERT_TRUE(a.has_value());
  ASSERT_FALSE(b.has_value());
  EXPECT_EQ(b.error().code, Code::kConflict);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->receipt.seq, a->receipt.seq + 1);
}

TEST_F(WriterTest, IdempotencyKeyReplaysTheFirstAnswer) {
  auto writer = MakeWriter(100, 16);
  auto submit = [&](int n, const std::string& hash) {
    std::promise<Result<AppendResult>> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(writer
                    ->Submit({Valid(Expenditure(n)), "bendahara", "key-1", hash},
                             std::chrono::steady_clock::now(),
                             [&promise](Result<AppendResult> result) { promise.set_value(std::move(result)); })
                    .has_value());
    return future.get();
  };
  Result<AppendResult> first = submit(7, "hash-a");
  Result<AppendResult> again = submit(7, "hash-a");
  Result<AppendResult> different = submit(8, "hash-b");
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->receipt.seq, first->receipt.seq);
  EXPECT_EQ(again->checkpoint, first->checkpoint);
  EXPECT_EQ(again->inclusion_proof, first->inclusion_proof);
  ASSERT_FALSE(different.has_value());
  EXPECT_EQ(different.error().code, Code::kConflict);
}

TEST_F(WriterTest, StoppedWriterRefuses) {
  auto writer = MakeWriter(100, 16);
  writer->Stop();
  Result<void> queued = writer->Submit({Valid(Expenditure(1)), "bendahara", "", ""},
                                       std::chrono::steady_clock::now(), [](Result<AppendResult>) {});
  ASSERT_FALSE(queued.has_value());
  EXPECT_EQ(queued.error().code, Code::kUnavailable);
}

// Submits one expenditure; the future holds its answer. An Error if it was not queued.
Result<std::shared_ptr<std::future<Result<AppendResult>>>> SubmitOne(AppendWriter& writer, int n) {
  auto promise = std::make_shared<std::promise<Result<AppendResult>>>();
  auto future = std::make_shared<std::future<Result<AppendResult>>>(promise->get_future());
  Result<void> queued = writer.Submit({Valid(Expenditure(n)), "bendahara", "", ""},
                                      std::chrono::steady_clock::now(),
                                      [promise](Result<AppendResult> result) {
                                        promise->set_value(std::move(result));
                                      });
  if (!queued) return queued.error();
  return future;
}

// Submits one expenditure and waits for its answer.
Result<AppendResult> AppendOne(AppendWriter& writer, int n) {
  Result<std::shared_ptr<std::future<Result<AppendResult>>>> future = SubmitOne(writer, n);
  if (!future) return future.error();
  if ((*future)->wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    return Error{Code::kInternal, "no answer", {}};
  }
  return (*future)->get();
}

TEST_F(WriterTest, HeldAppendsWaitAndGoThroughOnceOpened) {
  auto writer = MakeWriter(1000, 16);
  writer->Hold();
  Result<std::shared_ptr<std::future<Result<AppendResult>>>> submitted = SubmitOne(*writer, 1);
  ASSERT_TRUE(submitted.has_value());
  std::future<Result<AppendResult>>& future = **submitted;
  EXPECT_EQ(future.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  EXPECT_FALSE(writer->Blocked().has_value());  // Held is not refused.
  writer->Open();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_TRUE(future.get().has_value());
}

// The commit hook (the witness pusher's feed) hears every new checkpoint's size, in
// order, before the appends it covers are answered; a failed entry signs nothing.
TEST_F(WriterTest, TheCommitHookHearsEveryNewCheckpointBeforeItsAnswer) {
  auto writer = MakeWriter(1000, 16);
  std::mutex mutex;
  std::vector<std::uint64_t> heard;
  writer->OnCommit([&](std::uint64_t tree_size) {
    std::lock_guard<std::mutex> lock(mutex);
    heard.push_back(tree_size);
  });
  for (int n = 1; n <= 3; ++n) {
    Result<AppendResult> appended = AppendOne(*writer, n);
    ASSERT_TRUE(appended.has_value()) << appended.error().ToString();
    std::lock_guard<std::mutex> lock(mutex);
    ASSERT_FALSE(heard.empty());
    EXPECT_EQ(heard.back(), appended->tree_size);  // Heard before the answer came.
  }
  Result<AppendResult> duplicate = AppendOne(*writer, 3);  // Same bank_ref: refused.
  EXPECT_FALSE(duplicate.has_value());
  std::lock_guard<std::mutex> lock(mutex);
  EXPECT_EQ(heard, (std::vector<std::uint64_t>{3, 4, 5}));
}

TEST_F(WriterTest, ClosedAppendsAreRefusedWithTheReasonAndStayRefused) {
  auto writer = MakeWriter(1000, 16);
  writer->Hold();
  Result<std::shared_ptr<std::future<Result<AppendResult>>>> submitted = SubmitOne(*writer, 1);
  ASSERT_TRUE(submitted.has_value());
  std::future<Result<AppendResult>>& future = **submitted;
  writer->Close("verification found a problem at seq 7");
  ASSERT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  Result<AppendResult> waited = future.get();
  ASSERT_FALSE(waited.has_value());
  EXPECT_EQ(waited.error().code, Code::kUnavailable);
  EXPECT_NE(waited.error().message.find("seq 7"), std::string::npos);
  writer->Open();  // Does not undo Close().
  Result<AppendResult> later = AppendOne(*writer, 2);
  ASSERT_FALSE(later.has_value());
  EXPECT_NE(later.error().message.find("suspended"), std::string::npos);
  ASSERT_TRUE(writer->Blocked().has_value());
  EXPECT_NE(writer->Blocked()->find("seq 7"), std::string::npos);
}

TEST_F(WriterTest, AClockBehindTheNewestEntryRefusesAppendsUntilItCatchesUp) {
  // The ledger's newest entry was recorded at 2026-03-01T00:00:00.000Z.
  auto now = std::make_shared<std::string>("2026-02-28T23:00:00.000Z");
  AppendWriter writer(std::move(store_), 1000, 16, metrics_, [now]() { return *now; });
  ASSERT_TRUE(writer.Blocked().has_value());
  EXPECT_NE(writer.Blocked()->find("behind"), std::string::npos);
  Result<AppendResult> refused = AppendOne(writer, 1);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, Code::kUnavailable);
  EXPECT_NE(refused.error().message.find("behind the newest checkpoint"), std::string::npos);
  *now = "2026-03-01T00:00:00.001Z";
  EXPECT_FALSE(writer.Blocked().has_value());
  EXPECT_TRUE(AppendOne(writer, 2).has_value());
}

TEST_F(WriterTest, EveryAnswerComesAfterItsCheckpointIsKept) {
  // A store that keeps its checkpoint outside the database, as the server's does.
  store_.reset();
  const std::string kept = (dir_ / "state" / "latest-checkpoint").string();
  Result<std::unique_ptr<db::Store>> store =
      db::Store::Open({"sqlite:" + (dir_ / "ledger.db").string(), Signer(), kept});
  ASSERT_TRUE(store.has_value());
  store_ = std::move(store).value();
  auto writer = MakeWriter(1000, 8);
  // What the kept file held when each answer was given.
  std::vector<std::promise<std::pair<Result<AppendResult>, std::optional<std::string>>>> answers(40);
  for (int n = 0; n < 40; ++n) {
    ASSERT_TRUE(writer
                    ->Submit({Valid(Expenditure(n)), "bendahara", "", ""},
                             std::chrono::steady_clock::now(),
                             [&answers, &kept, n](Result<AppendResult> result) {
                               Result<std::optional<std::string>> note = db::ReadKeptCheckpoint(kept);
                               answers[static_cast<std::size_t>(n)].set_value(
                                   {std::move(result), note ? *note : std::nullopt});
                             })
                    .has_value());
  }
  const ledger::NoteVerifier verifier = ledger::VerifierOf(Signer());
  for (auto& answer : answers) {
    auto [result, note] = answer.get_future().get();
    ASSERT_TRUE(result.has_value()) << result.error().ToString();
    ASSERT_TRUE(note.has_value());
    Result<ledger::Checkpoint> checkpoint = ledger::OpenCheckpoint(*note, verifier);
    ASSERT_TRUE(checkpoint.has_value());
    EXPECT_GE(checkpoint->tree_size, result->tree_size);
  }
  writer->Stop();
  Result<std::optional<std::string>> last = db::ReadKeptCheckpoint(kept);
  ASSERT_TRUE(last.has_value() && last->has_value());
  EXPECT_EQ(ledger::OpenCheckpoint(**last, verifier)->tree_size, 42u);
}

// Waits for one answer of SubmitAll.
Result<db::BatchReceipt> RunAll(AppendWriter& writer, std::vector<db::PendingEntry> entries, bool dry_run) {
  auto promise = std::make_shared<std::promise<Result<db::BatchReceipt>>>();
  std::future<Result<db::BatchReceipt>> future = promise->get_future();
  Result<void> queued = writer.SubmitAll(std::move(entries), dry_run, [promise](Result<db::BatchReceipt> receipt) {
    promise->set_value(std::move(receipt));
  });
  if (!queued) return queued.error();
  EXPECT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  return future.get();
}

TEST_F(WriterTest, SubmitAllCommitsConsecutiveSeqsUnderOneCheckpointAmidAppends) {
  const std::string path = (dir_ / "ledger.db").string();
  auto writer = MakeWriter(10000, 8);
  // Single appends race with the bulk one; theirs never land between its entries.
  std::atomic<int> answered{0};
  std::thread singles([&]() {
    for (int n = 0; n < 50; ++n) {
      ASSERT_TRUE(writer->Submit({Valid(Expenditure(n)), "bendahara", "", ""}, std::chrono::steady_clock::now(),
                                 [&answered](Result<AppendResult> result) {
                                   EXPECT_TRUE(result.has_value());
                                   ++answered;
                                 })
                      .has_value());
    }
  });
  std::vector<db::PendingEntry> bulk;
  for (int n = 1000; n < 1300; ++n) bulk.push_back({Valid(Expenditure(n)), "impor", "", ""});
  // A dry run writes nothing, and says so by not changing the size.
  Result<db::BatchReceipt> dry = RunAll(*writer, bulk, /*dry_run=*/true);
  ASSERT_TRUE(dry.has_value()) << dry.error().ToString();
  Result<db::BatchReceipt> receipt = RunAll(*writer, bulk, /*dry_run=*/false);
  singles.join();
  ASSERT_TRUE(receipt.has_value()) << receipt.error().ToString();
  ASSERT_EQ(receipt->entries.size(), 300u);
  for (std::size_t i = 1; i < receipt->entries.size(); ++i) {
    EXPECT_EQ(receipt->entries[i].seq, receipt->entries[0].seq + static_cast<std::int64_t>(i));
  }
  Result<ledger::Checkpoint> checkpoint =
      ledger::OpenCheckpoint(receipt->checkpoint, ledger::VerifierOf(Signer()));
  ASSERT_TRUE(checkpoint.has_value());
  EXPECT_EQ(checkpoint->tree_size, static_cast<std::uint64_t>(receipt->entries.back().seq) + 1);
  // The same rows again: the first bank_ref already recorded refuses all of them.
  Result<db::BatchReceipt> again = RunAll(*writer, bulk, /*dry_run=*/false);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, Code::kConflict);
  EXPECT_EQ(again.error().message.rfind("entry 0: ", 0), 0u) << again.error().message;
  writer->Stop();
  EXPECT_EQ(answered.load(), 50);
  Result<std::unique_ptr<db::Store>> reopened = db::Store::Open({"sqlite:" + path, std::nullopt, ""});
  ASSERT_TRUE(reopened.has_value());
  EXPECT_EQ(*(*reopened)->TreeSize(), 2u + 50u + 300u);  // Genesis, OPD, singles, one bulk.
}

TEST_F(WriterTest, JobsSaveImportMappingsAsNewVersions) {
  auto writer = MakeWriter(100, 8);
  const auto save = [&](const std::string& name, const std::string& mapping) {
    auto promise = std::make_shared<std::promise<Result<db::ImportMappingRecord>>>();
    std::future<Result<db::ImportMappingRecord>> future = promise->get_future();
    EXPECT_TRUE(writer->SubmitJob([=](db::Store& store, const Error* refused) {
                        if (refused != nullptr) return promise->set_value(*refused);
                        promise->set_value(store.SaveImportMapping({kOpd, name, mapping, "2026-03-02T00:00:00Z", "b", 0}));
                      }).has_value());
    return future.get();
  };
  EXPECT_EQ(save("sipd", "{\"v\":1}")->version, 1);
  EXPECT_EQ(save("sipd", "{\"v\":2}")->version, 2);
  EXPECT_EQ(save("excel", "{\"v\":3}")->version, 1);
  auto promise = std::make_shared<std::promise<Result<std::vector<db::ImportMappingRecord>>>>();
  ASSERT_TRUE(writer->SubmitJob([promise](db::Store& store, const Error*) {
                       promise->set_value(store.ImportMappings(kOpd));
                     }).has_value());
  Result<std::vector<db::ImportMappingRecord>> listed = promise->get_future().get();
  ASSERT_TRUE(listed.has_value()) << listed.error().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "excel");
  EXPECT_EQ((*listed)[1].name, "sipd");
  EXPECT_EQ((*listed)[1].mapping, "{\"v\":2}");  // The newest version wins.
  EXPECT_EQ((*listed)[1].version, 2);
}

}  // namespace
}  // namespace jejak::server
