// AppendWriter: the one writer of the ledger. Appends from every request wait in a
// bounded queue; the writer thread takes all that are waiting (up to a batch limit),
// commits them in one transaction with one signed checkpoint (group commit), and only
// then answers each, with that checkpoint and the entry's inclusion proof to it. The
// answers of a committed group are handed to a second thread, so that formatting them
// never delays the next group.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "db/store.h"
#include "base/result.h"
#include "server/metrics.h"

namespace jejak::server {

struct AppendResult {
  db::AppendReceipt receipt;
  std::string checkpoint;  // The note of the commit that first covered the entry.
  std::uint64_t tree_size = 0;
  std::vector<ledger::Digest> inclusion_proof;  // To `checkpoint`'s root.
  bool replayed = false;                        // An Idempotency-Key replay.
};

// Called exactly once per submitted entry, after its group committed (or failed): on the
// answering thread or the writer thread, never on the submitting one.
using AppendCallback = std::function<void(Result<AppendResult>)>;

class AppendWriter {
 public:
  // `store` must have a signer. `metrics` must outlive the writer.
  AppendWriter(std::unique_ptr<db::Store> store, std::size_t queue_max, std::size_t batch_max,
               Metrics& metrics, std::function<std::string()> clock);
  ~AppendWriter();  // Stops: commits what is queued, then joins.
  AppendWriter(const AppendWriter&) = delete;
  AppendWriter& operator=(const AppendWriter&) = delete;

  // Queues one entry. kUnavailable if the queue is full or the writer is stopping.
  Result<void> Submit(db::PendingEntry entry, std::chrono::steady_clock::time_point received_at,
                      AppendCallback done);
  // Appends `entries` alone, as one transaction with one signed checkpoint
  // (db::Store::Append, all or nothing): they get consecutive seqs, and no other append
  // commits between them. With `dry_run` every check and hash runs and nothing is
  // written. `done` is called once, on the writer thread, with the receipt or the error
  // (kUnavailable if closed, stopping, or the clock is behind the newest entry).
  // kUnavailable at once if kJobsMax jobs wait already, or the writer is stopping.
  Result<void> SubmitAll(std::vector<db::PendingEntry> entries, bool dry_run,
                         std::function<void(Result<db::BatchReceipt>)> done);
  // Runs `job` on the writer thread with the writer's store, between group commits (the
  // saving of import mappings). `job` is given nullptr, or the error that stopped it from
  // running (closed, stopping). Refused like SubmitAll.
  Result<void> SubmitJob(std::function<void(db::Store& store, const Error* refused)> job);
  static constexpr std::size_t kJobsMax = 16;

  // Commits what is queued, then stops the thread. Idempotent.
  void Stop();

  // Calls `hook` with the tree size after every commit that signed a new checkpoint, on
  // the writer thread: it must not block (the witness pusher only queues the size).
  // Thread-safe; replaces any earlier hook.
  void OnCommit(std::function<void(std::uint64_t tree_size)> hook);

  // Fail closed. While held, queued appends wait (the start-up verification is running);
  // Open() lets them through; once closed, appends are refused with kUnavailable and
  // `reason` (a detected tampering, a database that cannot be written) and stay refused:
  // Close() wins over a later Open(). Thread-safe.
  void Hold();
  void Open();
  void Close(std::string reason);
  // Why appends are refused now, if they are: closed, or the clock behind the newest
  // entry (time never runs backwards, so the writer waits for it to catch up).
  std::optional<std::string> Blocked() const;

 private:
  struct Item {
    db::PendingEntry entry;
    std::chrono::steady_clock::time_point received_at;
    AppendCallback done;
  };
  // An answer ready to be given, off the writer thread.
  struct Reply {
    AppendCallback done;
    Result<AppendResult> result;
  };
  void Loop();
  // SubmitAll's work, on the writer thread.
  Result<db::BatchReceipt> CommitAll(const std::vector<db::PendingEntry>& entries, bool dry_run);
  void CommitBatch(std::vector<Item>& batch);
  // The answering thread: gives the answers of committed groups, in order.
  void AnswerLoop();
  void Deliver(std::vector<Reply> answers);
  // The answer for one outcome of `group` (writer thread: may read the store).
  Result<AppendResult> Outcome(db::EntryOutcome& outcome, const db::GroupReceipt& group);

  // Fails every item of `batch` with `error`.
  static void FailAll(std::vector<Item>& batch, const Error& error);

  std::unique_ptr<db::Store> store_;
  const std::size_t queue_max_;
  const std::size_t batch_max_;
  Metrics& metrics_;
  std::function<std::string()> clock_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  std::deque<std::function<void(db::Store&, const Error*)>> jobs_;  // Before the queue.
  bool stopping_ = false;
  bool held_ = false;
  std::optional<std::string> closed_;  // Why appends are refused for good.
  std::function<void(std::uint64_t)> commit_hook_;
  std::string last_time_;              // recorded_at of the newest entry.
  std::chrono::steady_clock::time_point last_clock_alert_{};  // Writer thread only.
  std::thread thread_;
  // Answers waiting for the answering thread, which stops once the writer has stopped
  // and every answer was given.
  std::mutex answers_mutex_;
  std::condition_variable answers_wake_;
  std::deque<std::vector<Reply>> answers_;
  bool answers_stopping_ = false;
  std::thread answer_thread_;
};

}  // namespace jejak::server
