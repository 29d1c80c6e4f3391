// AppendWriter: the one writer of the ledger. Appends from every request wait in a
// bounded queue; the writer thread takes all that are waiting (up to a batch limit),
// commits them in one transaction with one signed checkpoint (group commit), and only
// then answers each, with that checkpoint and the entry's inclusion proof to it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "db/store.h"
#include "ledger/base/result.h"
#include "server/metrics.h"

namespace jejak::server {

struct AppendResult {
  db::AppendReceipt receipt;
  std::string checkpoint;  // The note of the commit that first covered the entry.
  std::uint64_t tree_size = 0;
  std::vector<ledger::Digest> inclusion_proof;  // To `checkpoint`'s root.
  bool replayed = false;                        // An Idempotency-Key replay.
};

// Called on the writer thread, exactly once per submitted entry.
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
  // Commits what is queued, then stops the thread. Idempotent.
  void Stop();

 private:
  struct Item {
    db::PendingEntry entry;
    std::chrono::steady_clock::time_point received_at;
    AppendCallback done;
  };
  void Loop();
  void CommitBatch(std::vector<Item>& batch);

  std::unique_ptr<db::Store> store_;
  const std::size_t queue_max_;
  const std::size_t batch_max_;
  Metrics& metrics_;
  std::function<std::string()> clock_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace jejak::server
