// Service: the ledger API of DESIGN ("HTTP API") behind HttpServer. It builds the
// ServiceContext (server/context.h) and the route table (server/router.h; the handlers are
// in server/handlers/), gives every request an id, metrics and one log line, and turns
// anything that escapes a handler into a 500. Appends go through the AppendWriter; reads
// use a pool of read-only stores so they never wait for the writer.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "server/config.h"
#include "server/http.h"

namespace jejak::server {

class Service {
 public:
  // Opens the stores, loads the keys and issuers named in `config`, and starts the
  // writer. kInvalidArgument / kUnavailable with a reason on failure.
  static Result<std::unique_ptr<Service>> Make(const Config& config);
  ~Service();

  // Thread-safe; called on worker threads.
  void Handle(HttpRequest request, Responder respond);
  // Counts a request the transport refused before routing (metrics). Thread-safe.
  void CountTransportError(int status);
  // Stops the writer after committing what is queued.
  void Stop();

 private:
  struct Impl;
  explicit Service(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads the config, builds the service and the HTTPS server, and serves until SIGTERM or
// SIGINT (graceful). `listen` overrides the config's address when non-empty. Writes
// "listening on https://HOST:PORT" to stdout once bound. Returns the process exit code.
int Serve(const Config& config, const std::string& listen);

}  // namespace jejak::server
