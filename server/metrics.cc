#include "server/metrics.h"

#include <cstdio>
#include <sstream>

namespace jejak::server {

void Metrics::Histogram::Observe(double value) {
  std::size_t bucket = 0;
  while (bucket < bounds.size() && value > bounds[bucket]) ++bucket;
  ++counts[bucket];
  sum += value;
  ++count;
}

Metrics::Metrics() {
  append_latency_.bounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
  append_latency_.counts.assign(append_latency_.bounds.size() + 1, 0);
  batch_sizes_.bounds = {1, 2, 4, 8, 16, 32, 64, 128, 256};
  batch_sizes_.counts.assign(batch_sizes_.bounds.size() + 1, 0);
}

namespace {

// /metrics is unauthenticated, so its label sets must not grow with what clients send:
// a method outside RFC 9110's (and "-" for requests refused before parsing) counts as
// "other", and past kSeriesMax (method, route) pairs new ones count as ("other", "other").
constexpr std::size_t kSeriesMax = 256;

std::string MethodLabel(const std::string& method) {
  static constexpr const char* kMethods[] = {"GET",     "HEAD",    "POST",  "PUT", "DELETE",
                                             "CONNECT", "OPTIONS", "TRACE", "PATCH", "-"};
  for (const char* known : kMethods) {
    if (method == known) return method;
  }
  return "other";
}

// Routes are the service's templates; anything else (not starting with '/', too long or
// with characters that would need escaping) is "other".
std::string RouteLabel(const std::string& route) {
  constexpr std::size_t kRouteBytesMax = 64;
  if (route.size() > kRouteBytesMax) return "other";
  for (char c : route) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '-' ||
                       c == '.' || c == '{' || c == '}';
    if (!plain) return "other";
  }
  return route;
}

}  // namespace

void Metrics::CountRequest(const std::string& method, const std::string& route, int status) {
  std::pair<std::string, std::string> key{MethodLabel(method), RouteLabel(route)};
  std::lock_guard<std::mutex> lock(mutex_);
  if (requests_.size() >= kSeriesMax && !requests_.contains(key)) key = {"other", "other"};
  // Statuses are the service's own (100-599); anything else would be a bug, counted apart.
  if (status < 100 || status > 599) status = 0;
  ++requests_[key][status];
}

void Metrics::ObserveAppendLatency(std::chrono::duration<double> latency) {
  std::lock_guard<std::mutex> lock(mutex_);
  append_latency_.Observe(latency.count());
}

void Metrics::ObserveBatchSize(std::size_t entries) {
  std::lock_guard<std::mutex> lock(mutex_);
  batch_sizes_.Observe(static_cast<double>(entries));
}

void Metrics::SetLedgerSize(std::uint64_t tree_size) {
  std::lock_guard<std::mutex> lock(mutex_);
  tree_size_ = tree_size;
}

void Metrics::SetCheckpointTime(std::chrono::system_clock::time_point signed_at) {
  std::lock_guard<std::mutex> lock(mutex_);
  checkpoint_time_ = signed_at;
}

void Metrics::CountWitnessPush(const std::string& witness) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++witnesses_[witness].pushes;
}

void Metrics::CountWitnessCosignature(const std::string& witness) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++witnesses_[witness].cosignatures;
}

void Metrics::CountWitnessRefusal(const std::string& witness) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++witnesses_[witness].refusals;
}

namespace {

// A label value: backslash, double quote and newline escaped (exposition format 0.0.4).
std::string LabelValue(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string Number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

}  // namespace

std::string Metrics::Render(std::chrono::system_clock::time_point now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::ostringstream out;
  out << "# HELP jejak_http_requests_total HTTP requests by method, route and status.\n"
      << "# TYPE jejak_http_requests_total counter\n";
  for (const auto& [key, statuses] : requests_) {
    for (const auto& [status, count] : statuses) {
      out << "jejak_http_requests_total{method=\"" << key.first << "\",route=\"" << key.second
          << "\",status=\"" << status << "\"} " << count << "\n";
    }
  }
  auto histogram = [&out](const char* name, const char* help, const Histogram& h) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " histogram\n";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < h.bounds.size(); ++i) {
      cumulative += h.counts[i];
      out << name << "_bucket{le=\"" << Number(h.bounds[i]) << "\"} " << cumulative << "\n";
    }
    cumulative += h.counts.back();
    out << name << "_bucket{le=\"+Inf\"} " << cumulative << "\n"
        << name << "_sum " << Number(h.sum) << "\n"
        << name << "_count " << h.count << "\n";
  };
  histogram("jejak_append_latency_seconds",
            "Time from an append request's arrival to its commit.", append_latency_);
  histogram("jejak_append_batch_entries", "Entries per group commit.", batch_sizes_);
  out << "# HELP jejak_ledger_entries Entries in the ledger (tree size).\n"
      << "# TYPE jejak_ledger_entries gauge\n"
      << "jejak_ledger_entries " << tree_size_ << "\n";
  out << "# HELP jejak_checkpoint_age_seconds Seconds since the newest checkpoint was signed.\n"
      << "# TYPE jejak_checkpoint_age_seconds gauge\n";
  if (checkpoint_time_) {
    out << "jejak_checkpoint_age_seconds "
        << Number(std::chrono::duration<double>(now - *checkpoint_time_).count()) << "\n";
  }
  const auto per_witness = [&out, this](const char* name, const char* help,
                                        std::uint64_t WitnessCounts::*member) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n";
    for (const auto& [witness, counts] : witnesses_) {
      out << name << "{witness=\"" << LabelValue(witness) << "\"} " << counts.*member << "\n";
    }
  };
  per_witness("jejak_witness_pushes_total", "add-checkpoint requests sent to each witness.",
              &WitnessCounts::pushes);
  per_witness("jejak_witness_cosignatures_total",
              "Cosignatures received from each witness, verified and stored.",
              &WitnessCounts::cosignatures);
  per_witness("jejak_witness_refusals_total",
              "Checkpoints each witness refused as a rollback or fork (alarms).",
              &WitnessCounts::refusals);
  return out.str();
}

}  // namespace jejak::server
