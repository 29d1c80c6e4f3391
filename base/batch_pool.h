// BatchPool: runs the independent items of a batch on helper threads and the calling
// thread together, so that a sequential pass (verification reading pages and chaining
// hashes in seq order) overlaps with the per-item work of the next batch. At most the
// batches the caller has started are in flight: memory stays bounded by the caller.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "base/check.h"

namespace jejak {

// One batch: `work(i)` for every i in [0, size). The items must be independent; `work`
// and whatever it reads must stay alive and unchanged until BatchPool::Finish returns.
struct Batch {
  std::size_t size = 0;
  std::function<void(std::size_t)> work;

 private:
  friend class BatchPool;
  std::atomic<std::size_t> next{0};  // The next item to claim.
  std::size_t done = 0;              // Items finished (under the pool's mutex).
  int helpers = 0;                   // Helpers holding the batch (under the mutex).
};

class BatchPool {
 public:
  // Starts `helpers` threads (0: Finish runs every item on the caller).
  explicit BatchPool(unsigned helpers) {
    for (unsigned i = 0; i < helpers; ++i) threads_.emplace_back([this] { Help(); });
  }

  // One helper per core beyond the caller's, at most `max_helpers`.
  static unsigned HelpersForThisMachine(unsigned max_helpers) {
    const unsigned cores = std::thread::hardware_concurrency();
    return std::min(max_helpers, cores > 1 ? cores - 1 : 0u);
  }

  // Abandons the batches not finished (their items may be left undone) and joins.
  ~BatchPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
      for (Batch* batch : queue_) batch->next.store(batch->size);  // Claim the rest.
      queue_.clear();
    }
    wake_.notify_all();
    for (std::thread& thread : threads_) thread.join();
  }

  BatchPool(const BatchPool&) = delete;
  BatchPool& operator=(const BatchPool&) = delete;

  // Queues `batch` for the helpers, which take batches in the order started.
  void Start(Batch& batch) {
    batch.next.store(0);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      batch.done = 0;
      batch.helpers = 0;
      if (threads_.empty()) return;
      queue_.push_back(&batch);
    }
    wake_.notify_all();
  }

  // Runs the items of `batch` no helper has claimed, then waits for the helpers' items.
  // Afterwards every item has run and no helper touches the batch.
  void Finish(Batch& batch) {
    const std::size_t ran = RunItems(batch);
    std::unique_lock<std::mutex> lock(mutex_);
    batch.done += ran;
    const auto queued = std::find(queue_.begin(), queue_.end(), &batch);
    if (queued != queue_.end()) queue_.erase(queued);
    finished_.wait(lock, [&batch] { return batch.done >= batch.size && batch.helpers == 0; });
  }

 private:
  static std::size_t RunItems(Batch& batch) {
    std::size_t ran = 0;
    for (;;) {
      const std::size_t i = batch.next.fetch_add(1);
      if (i >= batch.size) return ran;
      batch.work(i);
      ++ran;
    }
  }

  void Help() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      Batch* batch = queue_.front();
      ++batch->helpers;
      lock.unlock();
      const std::size_t ran = RunItems(*batch);
      lock.lock();
      // Every item is claimed: no helper needs to take this batch again.
      if (!queue_.empty() && queue_.front() == batch) queue_.pop_front();
      batch->done += ran;
      --batch->helpers;
      JEJAK_CHECK(batch->helpers >= 0);
      finished_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable finished_;
  std::deque<Batch*> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace jejak
