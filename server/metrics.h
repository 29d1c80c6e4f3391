// Prometheus metrics of the service (text exposition format 0.0.4): requests by route and
// status, append latency histogram, group-commit batch sizes, ledger size, checkpoint
// age, and the witness pusher's pushes, cosignatures and refusals per witness. Thread-safe; cheap enough to update on every request.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace jejak::server {

class Metrics {
 public:
  Metrics();

  // `route` is the route template ("/v1/entries/{seq}"), never a raw path, so the number
  // of series stays bounded.
  void CountRequest(const std::string& method, const std::string& route, int status);
  // Time from a request's arrival to its append's commit.
  void ObserveAppendLatency(std::chrono::duration<double> latency);
  void ObserveBatchSize(std::size_t entries);
  void SetLedgerSize(std::uint64_t tree_size);
  // When the newest checkpoint was signed (system clock).
  void SetCheckpointTime(std::chrono::system_clock::time_point signed_at);

  // The witness pusher (server/witness_pusher.h), per witness name: add-checkpoint
  // requests sent, cosignatures received and stored, refusals (alarms).
  void CountWitnessPush(const std::string& witness);
  void CountWitnessCosignature(const std::string& witness);
  void CountWitnessRefusal(const std::string& witness);

  // The exposition text at `now`.
  std::string Render(std::chrono::system_clock::time_point now) const;

 private:
  struct Histogram {
    std::vector<double> bounds;
    std::vector<std::uint64_t> counts;  // Per bucket (not cumulative); +Inf last.
    double sum = 0;
    std::uint64_t count = 0;
    void Observe(double value);
  };

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::map<int, std::uint64_t>> requests_;
  Histogram append_latency_;
  Histogram batch_sizes_;
  std::uint64_t tree_size_ = 0;
  std::optional<std::chrono::system_clock::time_point> checkpoint_time_;
  struct WitnessCounts {
    std::uint64_t pushes = 0;
    std::uint64_t cosignatures = 0;
    std::uint64_t refusals = 0;
  };
  std::map<std::string, WitnessCounts> witnesses_;
};

}  // namespace jejak::server
