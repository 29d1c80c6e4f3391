// WitnessPusher: the log's side of C2SP tlog-witness. After each commit the writer tells it
// the new tree size; one thread per witness sends each checkpoint, in order of tree size,
// to POST <url>/add-checkpoint with a consistency proof from the size that witness last
// cosigned, over one keep-alive HTTPS connection, retrying with exponential backoff and
// jitter. Cosignatures returned are verified with the witness's key and stored with the
// checkpoint; a 409 teaches the witness's size (kept in the database), and when nothing
// later is queued that checkpoint itself is sent from it with no proof. A refusal of a
// checkpoint the log signed (a 409 naming a size above the log's, or a 422) is an alarm:
// the refusal hook fails the log closed. Never blocks the writer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "db/store.h"
#include "ledger/cosignature.h"
#include "ledger/note.h"
#include "server/config.h"
#include "server/metrics.h"

namespace jejak::server {

// How the pusher paces itself. The defaults suit a service; tests shorten them.
struct PusherTiming {
  std::chrono::seconds step_timeout{10};  // Each network step (connect, write, read).
  std::chrono::milliseconds backoff_min{250};
  std::chrono::milliseconds backoff_max{30'000};
  // A witness more than this many checkpoints behind skips to the newest (logged): a
  // burst is cosigned checkpoint by checkpoint; a long outage is not replayed.
  std::size_t backlog_max = 4096;
};

// What GET /v1/integrity shows of one witness.
struct WitnessStatus {
  std::string name;
  std::string url;
  std::uint64_t cosigned_size = 0;  // Its latest cosigned size as the log knows it.
  // "ok" (cosigned the newest checkpoint), "pending" (behind, working on it),
  // "unreachable" (the last attempt failed; retrying), "refused" (an alarm).
  std::string state = "pending";
  std::string detail;
};

// A witness refused a checkpoint the log signed.
struct WitnessAlert {
  std::string what;     // Why, in words: the witness's answer and sizes.
  std::string witness;  // Its name.
  std::string at;       // RFC 3339.
};

class WitnessPusher {
 public:
  // Called once per refusal, on the witness's thread. Must not block for long.
  using RefusalHook = std::function<void(const WitnessAlert&)>;
  // Called when an awaited checkpoint has `cosigned` witness cosignatures (or the wait
  // ended), with their lines (sorted by witness name). On the pusher's waiting thread.
  using WaitDone = std::function<void(std::size_t cosigned, std::string lines)>;

  // Starts one thread per witness and the waiting thread. Each witness thread opens its
  // own store on `database` (without a signer). kInvalidArgument if a CA file cannot be
  // read or holds no certificate, or a URL does not parse. `metrics` must outlive it.
  static Result<std::unique_ptr<WitnessPusher>> Make(const std::vector<WitnessConfig>& witnesses,
                                                     std::string database,
                                                     ledger::NoteVerifier verifier,
                                                     Metrics& metrics, RefusalHook on_refusal,
                                                     PusherTiming timing = {});
  ~WitnessPusher();  // Stop().
  WitnessPusher(const WitnessPusher&) = delete;
  WitnessPusher& operator=(const WitnessPusher&) = delete;

  // The writer committed a checkpoint of `tree_size`. Never blocks on the network.
  void Committed(std::uint64_t tree_size);
  // Stops every thread: an exchange in flight is cancelled (its connection's I/O is
  // stopped), so Stop() does not wait for a witness's answer or a step timeout; pending
  // waits complete with what they have. Idempotent.
  void Stop();

  // How many configured witnesses have cosigned the checkpoint of `tree_size`, and their
  // cosignature lines, sorted by witness name: what this process saw, and for a size it
  // does not remember (an older one, or one cosigned before a restart) the lines stored
  // in the database by the configured witnesses' names and key IDs. A database error
  // counts what this process saw.
  std::size_t Cosigned(std::uint64_t tree_size, std::string* lines = nullptr) const;
  // Calls `done` once `count` witnesses cosigned the checkpoint of `tree_size`, or once
  // none that has not may still do so (each is past it or refused), or at `deadline`.
  void WhenCosigned(std::uint64_t tree_size, std::size_t count,
                    std::chrono::steady_clock::time_point deadline, WaitDone done);

  std::vector<WitnessStatus> Statuses() const;
  std::optional<WitnessAlert> Alert() const;

 private:
  struct Witness;
  struct Waiter {
    std::uint64_t tree_size;
    std::size_t count;
    std::chrono::steady_clock::time_point deadline;
    WaitDone done;
  };
  WitnessPusher(std::string database, ledger::NoteVerifier verifier, Metrics& metrics,
                RefusalHook on_refusal, PusherTiming timing);
  // What one add-checkpoint exchange leads to.
  enum class Step { kNext, kAgain, kLater, kRefused };
  void Run(Witness& witness);
  // Sends checkpoint `next` to `witness` and acts on the answer. `store` is the thread's
  // own (opened on first use, dropped after a database error).
  Step Exchange(Witness& witness, std::unique_ptr<db::Store>& store, std::uint64_t next);
  // Marks `witness` unreachable with `detail`.
  Step Unreachable(Witness& witness, std::string detail);
  // The alarm: `witness` refused a checkpoint the log signed.
  Step Refused(Witness& witness, std::string what);
  void WaitLoop();
  // Adds to `by_name` the stored lines of `tree_size` by configured witnesses missing
  // from it (Cosigned's fallback). Takes lookup_mutex_, not mutex_.
  void StoredCosignatures(std::uint64_t tree_size, std::map<std::string, std::string>& by_name) const;
  // Under mutex_: whether waiter `w` can complete now.
  bool Ready(const Waiter& w) const;

  const std::string database_;
  const ledger::NoteVerifier verifier_;
  Metrics& metrics_;
  const RefusalHook on_refusal_;
  const PusherTiming timing_;
  std::vector<std::unique_ptr<Witness>> witnesses_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;       // Witness threads: new work or stopping.
  std::condition_variable wait_wake_;  // The waiting thread: progress, a waiter, stopping.
  bool stopping_ = false;
  std::uint64_t newest_ = 0;  // The newest committed size told.
  std::optional<WitnessAlert> alert_;
  std::vector<Waiter> waiters_;
  std::thread wait_thread_;
  mutable std::mutex lookup_mutex_;                 // Guards lookup_store_.
  mutable std::unique_ptr<db::Store> lookup_store_;  // Cosigned's fallback; opened on use.
};

}  // namespace jejak::server
