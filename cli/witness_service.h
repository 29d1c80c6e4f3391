// The witness's HTTP request handler (used by `jejak witness` behind server::HttpServer):
// POST /add-checkpoint (C2SP tlog-witness), GET /checkpoint?origin=, GET
// /<sha256 hex of origin>/checkpoint, GET /evidence[?origin=][&after=ID] (1000 rows a page)
// and GET /healthz, each
// request logged as one JSON line on stdout like the service's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "cli/witness_config.h"
#include "crypto/ed25519.h"
#include "db/witness_store.h"
#include "server/http.h"

namespace jejak::cli {

class WitnessService {
 public:
  // `key` is the witness's cosigning key for `config.name`.
  WitnessService(WitnessConfig config, std::unique_ptr<db::WitnessStore> store, crypto::PrivateKey key);

  // Answers `request` through `respond` (once, on this thread). Never throws: anything
  // unexpected is a 500 and a log line.
  void Handle(const server::HttpRequest& request, const server::Responder& respond);

 private:
  server::HttpResponse Route(const server::HttpRequest& request);
  server::HttpResponse AddCheckpoint(const server::HttpRequest& request);
  server::HttpResponse LatestCheckpoint(const std::string& origin);
  server::HttpResponse Evidence(const std::string& origin, std::int64_t after_id);

  WitnessConfig config_;
  std::unique_ptr<db::WitnessStore> store_;
  crypto::PrivateKey key_;
};

}  // namespace jejak::cli
