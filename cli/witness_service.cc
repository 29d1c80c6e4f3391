// The witness's request handler (cli/witness_service.h). add-checkpoint opens the
// submitted note (ledger::OpenSubmittedCheckpoint), then decides and persists in one
// store transaction (db::WitnessStore::Submit) so concurrent submissions never roll the
// witness back; a refused checkpoint that contradicts what it cosigned is kept as evidence.
#include "cli/witness_service.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "crypto/sha256.h"
#include "ledger/cosignature.h"
#include "ledger/witness.h"
#include "server/clock.h"
#include "server/request.h"

namespace jejak::cli {
namespace {

using nlohmann::json;
using server::HttpRequest;
using server::HttpResponse;

constexpr const char* kTextType = "text/plain; charset=utf-8";
// Evidence rows per answer of GET /evidence, and bytes (db::kWitnessEvidencePageBytes);
// ?after=<last id> reads the next page.
constexpr std::size_t kEvidencePageRows = 1000;

HttpResponse Text(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = kTextType;
  response.body = std::move(body);
  if (response.body.empty() || response.body.back() != '\n') response.body += '\n';
  return response;
}

HttpResponse Json(int status, const json& body) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  return response;
}

std::string Dump(const json& line) { return line.dump(-1, ' ', false, json::error_handler_t::replace); }

// The cosignature's timestamp: now in POSIX seconds, never 0 (tlog-witness.md).
std::uint64_t CosignatureTime() {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  return static_cast<std::uint64_t>(std::max<std::int64_t>(seconds, 1));
}

}  // namespace

WitnessService::WitnessService(WitnessConfig config, std::unique_ptr<db::WitnessStore> store,
                               crypto::PrivateKey key)
    : config_(std::move(config)), store_(std::move(store)), key_(key) {}

void WitnessService::Handle(const HttpRequest& request, const server::Responder& respond) {
  std::array<std::uint8_t, 8> id{};
  crypto::RandomBytes(id);
  const std::string request_id = crypto::ToHex(id);
  HttpResponse response;
  try {
    response = Route(request);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n",
                 Dump({{"event", "witness.exception"}, {"request_id", request_id}, {"error", e.what()}}).c_str());
    response = Text(500, "internal error");
  }
  response.headers.emplace_back("X-Request-Id", request_id);
  const double millis =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - request.received_at).count();
  // One line per request, like the service's: never the body or the query string.
  const std::string path = request.target.substr(0, request.target.find('?'));
  std::fprintf(stdout, "%s\n",
               Dump({{"time", server::NowRfc3339()},
                     {"request_id", request_id},
                     {"method", request.method},
                     {"path", path.size() > 200 ? path.substr(0, 200) : path},
                     {"status", response.status},
                     {"duration_ms", std::round(millis * 1000) / 1000}})
                   .c_str());
  std::fflush(stdout);
  respond(std::move(response));
}

HttpResponse WitnessService::Route(const HttpRequest& request) {
  Result<server::Target> target = server::ParseTarget(request.target);
  if (!target) return Text(400, target.error().message);
  const std::string& path = target->path;
  const auto only = [&](const char* method) -> std::optional<HttpResponse> {
    if (request.method == method) return std::nullopt;
    HttpResponse refused = Text(405, std::string("use ") + method);
    refused.headers.emplace_back("Allow", method);
    return refused;
  };
  if (path == "/add-checkpoint") {
    if (auto refused = only("POST")) return *refused;
    return AddCheckpoint(request);
  }
  if (path == "/healthz") {
    if (auto refused = only("GET")) return *refused;
    return Json(200, {{"status", "ok"}});
  }
  if (path == "/evidence") {
    if (auto refused = only("GET")) return *refused;
    server::Query query(target->query);
    if (Result<void> allowed = query.Allow({"origin", "after"}); !allowed) return Text(400, allowed.error().message);
    Result<std::optional<std::int64_t>> after = query.Integer("after", 0, std::numeric_limits<std::int64_t>::max());
    if (!after) return Text(400, after.error().message);
    return Evidence(query.Text("origin").value_or(""), after->value_or(0));
  }
  if (path == "/checkpoint") {
    if (auto refused = only("GET")) return *refused;
    server::Query query(target->query);
    if (Result<void> allowed = query.Allow({"origin"}); !allowed) return Text(400, allowed.error().message);
    std::optional<std::string> origin = query.Text("origin");
    if (!origin) return Text(400, "origin is required");
    return LatestCheckpoint(*origin);
  }
  // /<lowercase hex SHA-256 of the origin>/checkpoint (tlog-witness.md "Monitor Retrieval").
  constexpr std::string_view kSuffix = "/checkpoint";
  if (path.size() == 1 + 64 + kSuffix.size() && path.ends_with(kSuffix)) {
    if (auto refused = only("GET")) return *refused;
    const std::string hash = path.substr(1, 64);
    for (const ledger::WitnessedLog& log : config_.logs) {
      if (crypto::ToHex(crypto::Sha256(log.origin)) == hash) return LatestCheckpoint(log.origin);
    }
    return Text(404, "no checkpoint for that origin hash");
  }
  return Text(404, "not found");
}

HttpResponse WitnessService::AddCheckpoint(const HttpRequest& request) {
  Result<ledger::AddCheckpointRequest> parsed = ledger::ParseAddCheckpointRequest(request.body);
  if (!parsed) return Text(400, parsed.error().message);
  ledger::CheckpointOpening opening = ledger::OpenSubmittedCheckpoint(config_.logs, parsed->checkpoint);
  if (opening.status != 0) return Text(opening.status, opening.reason);
  const ledger::SubmittedCheckpoint& submitted = *opening.checkpoint;
  const std::string& origin = submitted.core.origin;
  ledger::AddCheckpointDecision decision;
  std::string cosignature;
  Result<void> stored = store_->Submit(origin, [&](const std::optional<db::WitnessedCheckpoint>& latest) {
    std::optional<ledger::CosignedTree> tree;
    if (latest) tree = ledger::CosignedTree{latest->tree_size, latest->root_hash};
    decision = ledger::DecideAddCheckpoint(*parsed, submitted, tree);
    db::WitnessWrite write;
    if (decision.status == 200) {
      cosignature = ledger::CosignatureLine(submitted.text, config_.name, key_, CosignatureTime());
      write.cosigned = db::WitnessedCheckpoint{origin, submitted.core.tree_size, submitted.core.root_hash,
                                               submitted.text + "\n" + submitted.log_signatures + cosignature,
                                               server::NowRfc3339()};
    }
    if (decision.evidence) {
      db::WitnessEvidence evidence;
      evidence.origin = origin;
      evidence.tree_size = submitted.core.tree_size;
      evidence.root_hash = submitted.core.root_hash;
      evidence.old_size = parsed->old_size;
      evidence.witness_size = decision.latest_size;
      evidence.reason = std::string(ledger::EvidenceReasonName(*decision.evidence));
      evidence.received_at = server::NowRfc3339();
      // Only what the log signed: lines the sender added are not the log's to answer for,
      // and would let one checkpoint be stored again and again.
      evidence.checkpoint = submitted.text + "\n" + submitted.log_signatures;
      write.evidence = std::move(evidence);
    }
    return write;
  });
  if (!stored) return Text(503, "storage unavailable; try again");
  if (decision.evidence) {
    // An alert: the log signed a checkpoint that contradicts one this witness cosigned.
    std::fprintf(stderr, "%s\n",
                 Dump({{"event", "witness.evidence"},
                       {"origin", origin},
                       {"reason", ledger::EvidenceReasonName(*decision.evidence)},
                       {"tree_size", submitted.core.tree_size},
                       {"witness_size", decision.latest_size}})
                     .c_str());
  }
  if (decision.status == 200) return Text(200, cosignature);
  if (decision.status == 409) {
    HttpResponse conflict;
    conflict.status = 409;
    conflict.content_type = std::string(ledger::kTreeSizeMediaType);
    conflict.body = ledger::FormatTreeSizeBody(decision.latest_size);
    return conflict;
  }
  return Text(decision.status, decision.reason);
}

HttpResponse WitnessService::LatestCheckpoint(const std::string& origin) {
  Result<std::optional<db::WitnessedCheckpoint>> latest = store_->Latest(origin);
  if (!latest) return Text(503, "storage unavailable; try again");
  if (!latest->has_value()) return Text(404, "no checkpoint cosigned for that origin");
  HttpResponse response = Text(200, (*latest)->note);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

HttpResponse WitnessService::Evidence(const std::string& origin, std::int64_t after_id) {
  Result<std::vector<db::WitnessEvidence>> rows = store_->Evidence(
      origin.empty() ? std::nullopt : std::optional<std::string>(origin), after_id, kEvidencePageRows,
      db::kWitnessEvidencePageBytes);
  if (!rows) return Text(503, "storage unavailable; try again");
  json list = json::array();
  for (const db::WitnessEvidence& row : *rows) {
    const std::optional<ledger::EvidenceReason> reason = ledger::ParseEvidenceReason(row.reason);
    list.push_back({{"id", row.id},
                    {"origin", row.origin},
                    {"tree_size", row.tree_size},
                    {"root_hash", crypto::ToHex(row.root_hash)},
                    {"old_size", row.old_size},
                    {"witness_size", row.witness_size},
                    {"reason", row.reason},
                    {"proves", reason && ledger::EvidenceIsProof(*reason)},
                    {"meaning", reason ? std::string(ledger::EvidenceMeaning(*reason)) : std::string()},
                    {"received_at", row.received_at},
                    {"checkpoint", row.checkpoint}});
  }
  return Json(200, {{"evidence", list}});
}

}  // namespace jejak::cli
