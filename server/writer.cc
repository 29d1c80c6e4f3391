#include "server/writer.h"

#include <chrono>
#include <cstdio>
#include <utility>

namespace jejak::server {
namespace {

std::string ClockBehind(const std::string& now, const std::string& newest) {
  return "the server's clock (" + now + ") is behind the newest checkpoint (" + newest +
         "); appends resume when it catches up";
}

}  // namespace

AppendWriter::AppendWriter(std::unique_ptr<db::Store> store, std::size_t queue_max,
                           std::size_t batch_max, Metrics& metrics,
                           std::function<std::string()> clock)
    : store_(std::move(store)), queue_max_(queue_max), batch_max_(batch_max),
      metrics_(metrics), clock_(std::move(clock)) {
  JEJAK_CHECK(store_ != nullptr);
  JEJAK_CHECK(batch_max_ >= 1);
  JEJAK_CHECK(queue_max_ >= batch_max_);
  // The newest entry's time: appends stamped before it would make time run backwards.
  Result<std::string> last = store_->LastRecordedAt();
  if (last) last_time_ = std::move(last).value();
  answer_thread_ = std::thread([this]() { AnswerLoop(); });
  thread_ = std::thread([this]() { Loop(); });
}

void AppendWriter::Deliver(std::vector<Reply> answers) {
  if (answers.empty()) return;
  {
    std::lock_guard<std::mutex> lock(answers_mutex_);
    answers_.push_back(std::move(answers));
  }
  answers_wake_.notify_one();
}

void AppendWriter::AnswerLoop() {
  for (;;) {
    std::vector<Reply> answers;
    {
      std::unique_lock<std::mutex> lock(answers_mutex_);
      answers_wake_.wait(lock, [this]() { return answers_stopping_ || !answers_.empty(); });
      if (answers_.empty()) return;  // Stopping and every answer given.
      answers = std::move(answers_.front());
      answers_.pop_front();
    }
    for (Reply& answer : answers) answer.done(std::move(answer.result));
  }
}

void AppendWriter::Hold() {
  std::lock_guard<std::mutex> lock(mutex_);
  held_ = true;
}

void AppendWriter::Open() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    held_ = false;
  }
  wake_.notify_all();
}

void AppendWriter::OnCommit(std::function<void(std::uint64_t tree_size)> hook) {
  std::lock_guard<std::mutex> lock(mutex_);
  commit_hook_ = std::move(hook);
}

void AppendWriter::Close(std::string reason) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!closed_) closed_ = std::move(reason);
    held_ = false;  // The loop wakes to refuse what waits.
  }
  wake_.notify_all();
}

std::optional<std::string> AppendWriter::Blocked() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_) return closed_;
  const std::string now = clock_();
  if (now < last_time_) return ClockBehind(now, last_time_);
  return std::nullopt;
}

void AppendWriter::FailAll(std::vector<Item>& batch, const Error& error) {
  for (Item& item : batch) item.done(error);
}

AppendWriter::~AppendWriter() { Stop(); }

void AppendWriter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard<std::mutex> lock(answers_mutex_);
    answers_stopping_ = true;
  }
  answers_wake_.notify_all();
  if (answer_thread_.joinable()) answer_thread_.join();
}

Result<void> AppendWriter::Submit(db::PendingEntry entry,
                                  std::chrono::steady_clock::time_point received_at,
                                  AppendCallback done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return Error{Code::kUnavailable, "the server is shutting down", {}};
    if (closed_) return Error{Code::kUnavailable, "appends are suspended: " + *closed_, {}};
    if (queue_.size() >= queue_max_) {
      return Error{Code::kUnavailable,
                   "too many appends waiting (" + std::to_string(queue_max_) + "); retry shortly",
                   {}};
    }
    queue_.push_back(Item{std::move(entry), received_at, std::move(done)});
  }
  wake_.notify_one();
  return Ok();
}

Result<void> AppendWriter::SubmitJob(std::function<void(db::Store& store, const Error* refused)> job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return Error{Code::kUnavailable, "the server is shutting down", {}};
    if (jobs_.size() >= kJobsMax) {
      return Error{Code::kUnavailable,
                   "too many imports waiting (" + std::to_string(kJobsMax) + "); retry shortly", {}};
    }
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
  return Ok();
}

Result<void> AppendWriter::SubmitAll(std::vector<db::PendingEntry> entries, bool dry_run,
                                     std::function<void(Result<db::BatchReceipt>)> done) {
  auto shared = std::make_shared<std::vector<db::PendingEntry>>(std::move(entries));
  return SubmitJob([this, shared, dry_run, done = std::move(done)](db::Store&, const Error* refused) {
    if (refused != nullptr) return done(*refused);
    done(CommitAll(*shared, dry_run));
  });
}

Result<db::BatchReceipt> AppendWriter::CommitAll(const std::vector<db::PendingEntry>& entries,
                                                 bool dry_run) {
  const std::string recorded_at = clock_();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (recorded_at < last_time_) {
      return Error{Code::kUnavailable, ClockBehind(recorded_at, last_time_), {}};
    }
  }
  std::string stamped;
  Result<db::BatchReceipt> receipt = store_->Append(
      entries,
      [this, &recorded_at, &stamped]() {
        const std::string now = clock_();
        stamped = now < recorded_at ? recorded_at : now;
        return stamped;
      },
      dry_run);
  if (!receipt || dry_run) return receipt;
  std::function<void(std::uint64_t)> hook;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    last_time_ = stamped;
    hook = commit_hook_;
  }
  if (hook) hook(receipt->tree_size);
  metrics_.ObserveBatchSize(entries.size());
  metrics_.SetLedgerSize(receipt->tree_size);
  metrics_.SetCheckpointTime(std::chrono::system_clock::now());
  return receipt;
}

void AppendWriter::Loop() {
  std::vector<Item> batch;
  for (;;) {
    std::function<void(db::Store&, const Error*)> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this]() {
        return stopping_ || ((!queue_.empty() || !jobs_.empty()) && !held_);
      });
      if (queue_.empty() && jobs_.empty()) return;  // Stopping and drained.
      if (!jobs_.empty()) {
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      // A job runs alone, before the queued appends (they wait at most for it).
      if (!job && held_) {
        // Stopping while the start-up verification still runs: nothing was checked yet.
        while (!queue_.empty()) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      // Everything waiting now, up to the batch limit: the group commit.
      while (!job && !queue_.empty() && batch.size() < batch_max_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::optional<std::string> closed;
    bool held = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closed = closed_;
      held = held_;
    }
    if (job) {
      const Error refused = closed ? Error{Code::kUnavailable, "appends are suspended: " + *closed, {}}
                                   : Error{Code::kUnavailable, "the server is shutting down", {}};
      job(*store_, closed || held ? &refused : nullptr);
      continue;
    }
    if (closed) {
      FailAll(batch, Error{Code::kUnavailable, "appends are suspended: " + *closed, {}});
    } else if (held) {
      FailAll(batch, Error{Code::kUnavailable, "the server is shutting down", {}});
    } else {
      CommitBatch(batch);
    }
    batch.clear();
  }
}

void AppendWriter::CommitBatch(std::vector<Item>& batch) {
  std::vector<db::PendingEntry> entries;
  entries.reserve(batch.size());
  for (const Item& item : batch) entries.push_back(item.entry);
  const std::string recorded_at = clock_();
  std::string last_time;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    last_time = last_time_;
  }
  if (recorded_at < last_time) {
    // Time never runs backwards: refuse rather than stamp entries (and sign a checkpoint)
    // before the newest one. The operator must fix the clock; say so loudly, once a minute.
    const std::string why = ClockBehind(recorded_at, last_time);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_clock_alert_ >= std::chrono::minutes(1)) {
      last_clock_alert_ = now;
      std::fprintf(stderr,
                   "{\"event\":\"clock.behind\",\"alert\":true,\"now\":\"%s\","
                   "\"newest\":\"%s\"}\n",
                   recorded_at.c_str(), last_time.c_str());
    }
    FailAll(batch, Error{Code::kUnavailable, why, {}});
    return;
  }
  // The store reads the clock again once it holds the ledger's lock: another process may
  // commit newer entries while this one waits for it (several serve processes on one
  // PostgreSQL database). Never earlier than the time checked above.
  Result<db::GroupReceipt> group = store_->AppendGroup(entries, [this, &recorded_at]() {
    const std::string now = clock_();
    return now < recorded_at ? recorded_at : now;
  });
  if (!group) {
    FailAll(batch, group.error());
    return;
  }
  std::function<void(std::uint64_t)> hook;
  if (!group->checkpoint.empty()) {
    std::lock_guard<std::mutex> lock(mutex_);
    last_time_ = group->recorded_at;
    hook = commit_hook_;
  }
  if (hook) hook(group->tree_size);
  JEJAK_CHECK(group->outcomes.size() == batch.size());
  const auto committed_at = std::chrono::steady_clock::now();
  if (!group->checkpoint.empty()) {
    metrics_.ObserveBatchSize(batch.size());
    metrics_.SetLedgerSize(group->tree_size);
    metrics_.SetCheckpointTime(std::chrono::system_clock::now());
  }
  std::vector<Reply> answers;
  answers.reserve(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    answers.push_back(Reply{std::move(batch[i].done), Outcome(group->outcomes[i], *group)});
    if (answers.back().result && !answers.back().result->replayed) {
      metrics_.ObserveAppendLatency(committed_at - batch[i].received_at);
    }
  }
  Deliver(std::move(answers));
}

Result<AppendResult> AppendWriter::Outcome(db::EntryOutcome& outcome,
                                           const db::GroupReceipt& group) {
  if (!outcome.receipt) return outcome.receipt.error();
  AppendResult result;
  result.receipt = std::move(outcome.receipt).value();
  result.tree_size = outcome.tree_size;
  result.replayed = outcome.replayed;
  if (outcome.tree_size == group.tree_size && !group.checkpoint.empty()) {
    result.checkpoint = group.checkpoint;
  } else {
    Result<std::optional<std::string>> note = store_->CheckpointAt(outcome.tree_size);
    if (!note) return note.error();
    if (!note->has_value()) {
      return Error{Code::kDataLoss,
                   "no checkpoint for tree size " + std::to_string(outcome.tree_size), {}};
    }
    result.checkpoint = std::move(**note);
  }
  if (outcome.inclusion_proof) {
    result.inclusion_proof = std::move(*outcome.inclusion_proof);  // Made with the group.
  } else {
    // A replay of an entry of an earlier commit: its proof to that commit's checkpoint.
    Result<std::vector<ledger::Digest>> proof = store_->InclusionProof(
        static_cast<std::uint64_t>(result.receipt.seq), result.tree_size);
    if (!proof) return proof.error();
    result.inclusion_proof = std::move(proof).value();
  }
  return result;
}

}  // namespace jejak::server
