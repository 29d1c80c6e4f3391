// Tests of the Prometheus exposition: counters by route and status, cumulative histogram
// buckets, gauges.
#include "server/metrics.h"

#include <gtest/gtest.h>

#include <string>

namespace jejak::server {
namespace {

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(MetricsTest, CountsRequestsByMethodRouteAndStatus) {
  Metrics metrics;
  metrics.CountRequest("GET", "/v1/entries", 200);
  metrics.CountRequest("GET", "/v1/entries", 200);
  metrics.CountRequest("POST", "/v1/entries", 409);
  const std::string text = metrics.Render(std::chrono::system_clock::now());
  EXPECT_TRUE(Has(text, "jejak_http_requests_total{method=\"GET\",route=\"/v1/entries\",status=\"200\"} 2")) << text;
  EXPECT_TRUE(Has(text, "jejak_http_requests_total{method=\"POST\",route=\"/v1/entries\",status=\"409\"} 1"));
  EXPECT_TRUE(Has(text, "# TYPE jejak_http_requests_total counter"));
}

// The witness pusher's counters, one series per configured witness name (a bounded set:
// names come from the config, never from a request), its label value escaped.
TEST(MetricsTest, CountsPushesCosignaturesAndRefusalsPerWitness) {
  Metrics metrics;
  metrics.CountWitnessPush("inspektorat.test");
  metrics.CountWitnessPush("inspektorat.test");
  metrics.CountWitnessCosignature("inspektorat.test");
  metrics.CountWitnessPush("odd\"name\\");
  metrics.CountWitnessRefusal("odd\"name\\");
  const std::string text = metrics.Render(std::chrono::system_clock::now());
  EXPECT_TRUE(Has(text, "# TYPE jejak_witness_pushes_total counter")) << text;
  EXPECT_TRUE(Has(text, "jejak_witness_pushes_total{witness=\"inspektorat.test\"} 2")) << text;
  EXPECT_TRUE(Has(text, "jejak_witness_cosignatures_total{witness=\"inspektorat.test\"} 1")) << text;
  EXPECT_TRUE(Has(text, "jejak_witness_refusals_total{witness=\"inspektorat.test\"} 0")) << text;
  EXPECT_TRUE(Has(text, "jejak_witness_refusals_total{witness=\"odd\\\"name\\\\\"} 1")) << text;
}

TEST(MetricsTest, LabelSetsStayBoundedWhateverClientsSend) {
  Metrics metrics;
  // /metrics is unauthenticated: every distinct method once became a permanent label.
  for (int i = 0; i < 5000; ++i) metrics.CountRequest("M" + std::to_string(i), "/healthz", 405);
  metrics.CountRequest(std::string(10000, 'X'), "unmatched", 405);
  metrics.CountRequest("GET", "/v1/entries?secret=1\"}", 200);
  for (int i = 0; i < 5000; ++i) metrics.CountRequest("GET", "/route/" + std::to_string(i), 200);
  const std::string text = metrics.Render(std::chrono::system_clock::now());
  EXPECT_TRUE(Has(text, "jejak_http_requests_total{method=\"other\",route=\"/healthz\",status=\"405\"} 5000")) << text.substr(0, 2000);
  EXPECT_EQ(text.find("M17"), std::string::npos);
  EXPECT_EQ(text.find("XXXX"), std::string::npos);
  EXPECT_EQ(text.find("secret"), std::string::npos);
  std::size_t series = 0;
  for (std::size_t at = text.find("jejak_http_requests_total{"); at != std::string::npos;
       at = text.find("jejak_http_requests_total{", at + 1)) {
    ++series;
  }
  EXPECT_LE(series, 260u);
  EXPECT_LT(text.size(), 64u * 1024);
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Metrics metrics;
  metrics.ObserveBatchSize(1);
  metrics.ObserveBatchSize(3);
  metrics.ObserveBatchSize(300);
  const std::string text = metrics.Render(std::chrono::system_clock::now());
  EXPECT_TRUE(Has(text, "jejak_append_batch_entries_bucket{le=\"1\"} 1")) << text;
  EXPECT_TRUE(Has(text, "jejak_append_batch_entries_bucket{le=\"4\"} 2"));
  EXPECT_TRUE(Has(text, "jejak_append_batch_entries_bucket{le=\"256\"} 2"));
  EXPECT_TRUE(Has(text, "jejak_append_batch_entries_bucket{le=\"+Inf\"} 3"));
  EXPECT_TRUE(Has(text, "jejak_append_batch_entries_sum 304"));
  EXPECT_TRUE(Has(text, "jejak_append_batch_entries_count 3"));
}

TEST(MetricsTest, LatencyIsObservedInSeconds) {
  Metrics metrics;
  metrics.ObserveAppendLatency(std::chrono::milliseconds(3));
  const std::string text = metrics.Render(std::chrono::system_clock::now());
  EXPECT_TRUE(Has(text, "jejak_append_latency_seconds_bucket{le=\"0.0025\"} 0")) << text;
  EXPECT_TRUE(Has(text, "jejak_append_latency_seconds_bucket{le=\"0.005\"} 1"));
}

TEST(MetricsTest, GaugesReportLedgerSizeAndCheckpointAge) {
  Metrics metrics;
  const auto now = std::chrono::system_clock::now();
  EXPECT_EQ(metrics.Render(now).find("\njejak_checkpoint_age_seconds "), std::string::npos);
  metrics.SetLedgerSize(42);
  metrics.SetCheckpointTime(now - std::chrono::seconds(5));
  const std::string text = metrics.Render(now);
  EXPECT_TRUE(Has(text, "jejak_ledger_entries 42")) << text;
  EXPECT_TRUE(Has(text, "jejak_checkpoint_age_seconds 5")) << text;
}

}  // namespace
}  // namespace jejak::server
