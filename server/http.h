// The HTTPS transport: requests and responses as plain structs (no Beast in this header),
// and HttpServer, the Boost.Beast listener and sessions that carry them. Handlers run on
// a worker pool and answer through a callback, so a handler may hand its work on (an
// append waits for the group-commit writer) without holding a thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "server/limits.h"

namespace boost::asio::ssl {
class context;
}

namespace jejak::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // As sent: "/v1/entries?opd=...".
  std::string body;
  // Header fields the service reads, lower-case names. Other fields are dropped.
  std::map<std::string, std::string> headers;
  std::string remote_address;
  bool remote_is_loopback = false;
  std::chrono::steady_clock::time_point received_at;
};

// Produces a streamed body one piece at a time: appends the next piece to `chunk` and
// returns true while more follows, false after the last piece. Called on a worker thread,
// never concurrently with itself; an Error cuts the connection (the status is already
// sent). Destroyed when the stream ends, releasing what it holds.
using StreamProducer = std::function<Result<bool>(std::string& chunk)>;

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is streamed with chunked encoding instead of `body`.
  StreamProducer stream;
};

// Called on a worker thread; must call `respond` exactly once, from any thread.
using Responder = std::function<void(HttpResponse)>;
using Handler = std::function<void(HttpRequest, Responder)>;

// Told the status of each request the transport answered itself (400, 413, 431, 503), and
// 429 for each connection closed at accept because its client address already held
// connections_per_client_max connections (that connection gets no answer at all: it is
// closed before the TLS handshake). Called on I/O threads; must be thread-safe.
using TransportErrorHook = std::function<void(int status)>;

// A larger body limit for one route (POST /v1/imports): the header is read first, and
// only a request for exactly this method and path (query aside) gets it.
struct RouteBodyLimit {
  std::string method;
  std::string path;
  std::size_t body_bytes_max = 0;
};

struct ServerLimits {
  std::size_t body_bytes_max = kRequestBodyBytesDefault;
  // Routes whose bodies may exceed body_bytes_max; every other request keeps it.
  std::vector<RouteBodyLimit> route_body_limits;
  // The body limit of a request for `method` and `path` (no query).
  std::size_t BodyBytesFor(std::string_view method, std::string_view path) const {
    for (const RouteBodyLimit& route : route_body_limits) {
      if (route.method == method && route.path == path) return route.body_bytes_max;
    }
    return body_bytes_max;
  }
  // The largest body limit of any request: the parser's until the header is read.
  std::size_t LargestBodyBytes() const {
    std::size_t largest = body_bytes_max;
    for (const RouteBodyLimit& route : route_body_limits) largest = std::max(largest, route.body_bytes_max);
    return largest;
  }
  // Requests with a raised body limit (route_body_limits) read or handled at once, server
  // wide; one more gets 503 before its body is read, so that uploads cannot hold more than
  // this many large bodies in memory. Such a request without an Authorization header gets
  // 401 before its body is read.
  std::size_t large_bodies_max = 2;
  std::size_t header_bytes_max = kRequestHeaderBytesDefault;
  // The whole TLS handshake. Short: a handshake takes milliseconds, and a client that
  // connects and stays silent holds a connection for nothing.
  std::chrono::seconds handshake_timeout = kHandshakeTimeoutDefault;
  // The whole first request read (a trickling client still times out).
  std::chrono::seconds request_timeout = kRequestTimeoutDefault;
  // Waiting for the next request on a keep-alive connection.
  std::chrono::seconds idle_timeout = kIdleTimeoutDefault;
  std::chrono::seconds write_timeout{30};
  // Open connections. A new connection past this closes an idle one (in its TLS handshake
  // or waiting for a request) to make room: the oldest of those that have not sent a
  // request yet, else the oldest keep-alive connection between requests. Only when none
  // is idle does the new one get 503. Connections being closed to make room may exceed
  // it for a moment.
  std::size_t connections_max = 1024;
  // Open connections from one client address; a connection past this is closed at accept,
  // before the TLS handshake. 0: no per-client cap (behind a reverse proxy every client
  // has the proxy's address).
  std::size_t connections_per_client_max = 64;
  int io_threads = 2;
  int worker_threads = 4;
  // How long a graceful shutdown waits for in-flight requests.
  std::chrono::seconds shutdown_grace{30};
};

class HttpServer {
 public:
  // `context` is shared with the sessions and must be fully configured.
  HttpServer(ServerLimits limits, std::shared_ptr<boost::asio::ssl::context> context,
             Handler handler, TransportErrorHook on_transport_error = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens on host:port (port 0 picks a free one). kUnavailable on failure.
  Result<void> Listen(const std::string& host, std::uint16_t port);
  std::uint16_t port() const;

  // Serves until Stop(), then stops accepting, lets in-flight requests finish (up to
  // shutdown_grace), and returns. Blocks the calling thread. Signals are the caller's:
  // Serve() turns SIGTERM and SIGINT into Stop().
  void Run();
  // Asks Run() to shut down gracefully. Thread-safe.
  void Stop();

  // Requests currently being handled, and open connections (for metrics).
  std::size_t in_flight() const;
  std::size_t connections() const;

  struct Impl;  // Public so that sessions (in http.cc) can name it.

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace jejak::server
