// What every HTTPS program of the binary does around its handler (`jejak serve` and
// `jejak witness`): the listen address, the TLS files, the transport limits from the
// config, and serving until SIGTERM or SIGINT with a graceful stop. One copy, so both
// programs keep the same limits and shutdown.
#pragma once

#include <signal.h>

#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "server/config.h"
#include "server/http.h"

namespace boost::asio::ssl {
class context;
}

namespace jejak::server {

// Blocks SIGTERM, SIGINT and SIGUSR1 in the calling thread, and so in every thread it
// starts afterwards (threads inherit the mask): call it first, before any thread exists.
// ServeUntilSignal takes them with sigwait(), so no default handler can end the process
// half-way through a write. Returns the set to pass to ServeUntilSignal.
sigset_t BlockShutdownSignals();

struct ListenAddress {
  std::string host;  // Without IPv6 brackets.
  std::uint16_t port = 0;
};
// "HOST:PORT" or "[V6]:PORT" (port 0 to 65535). kInvalidArgument saying what is wrong.
Result<ListenAddress> ParseListenAddress(const std::string& listen);

// A server TLS context from the PEM files `certificate_path` and `key_path`.
// kInvalidArgument naming the files if they cannot be read or do not make a context.
Result<std::shared_ptr<boost::asio::ssl::context>> LoadServerTls(const std::string& certificate_path,
                                                                 const std::string& key_path);

// The transport limits `config` sets (body and header sizes, timeouts, connections,
// worker threads; 0 worker threads: twice the cores), with connections_max lowered (and a
// warning on stderr naming `command`) if the open-file limit cannot hold that many.
ServerLimits TransportLimits(const Config& config, const char* command);

// Listens on `address`, prints "listening on https://HOST:PORT" on stdout once bound,
// serves `handler` until one of `signals` (BlockShutdownSignals) arrives, then stops
// gracefully (HttpServer::Run). Returns 0, or 2 after printing why on stderr (prefixed
// "jejak: COMMAND: ") if it cannot listen.
int ServeUntilSignal(const char* command, const ServerLimits& limits,
                     std::shared_ptr<boost::asio::ssl::context> context, const ListenAddress& address,
                     Handler handler, TransportErrorHook on_transport_error, const sigset_t& signals);

}  // namespace jejak::server
