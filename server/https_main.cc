// The HTTPS program's frame (server/https_main.h): listen address, TLS files, limits,
// serving until a signal. Moved here from the service's Serve so the witness uses it too.
#include "server/https_main.h"

#include <pthread.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "crypto/tls/context.h"

namespace jejak::server {
namespace {

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// Open files the server needs besides its connections, as an estimate: standard streams,
// the listening socket, certificate and key files, and the database, where SQLite holds
// the file, its WAL and its shared memory for each session (the writer's, the verifier's,
// and about one per worker thread; a streamed export holds one while it streams, so many
// concurrent exports need more).
std::size_t FileDescriptorsReserved(int worker_threads) {
  constexpr std::size_t kFixed = 64;
  constexpr std::size_t kPerDatabaseSession = 4;
  return kFixed + kPerDatabaseSession * (static_cast<std::size_t>(worker_threads) + 2);
}

// Raises the soft RLIMIT_NOFILE toward the hard one until `connections_max` connections and
// `reserved` other files fit, and returns how many connections fit: `connections_max`, or
// fewer, with a warning, when even the hard limit is too low. Past the limit accept() fails
// (EMFILE), and so would opening the database.
std::size_t FitConnectionsToOpenFileLimit(std::size_t connections_max, std::size_t reserved,
                                          const char* command) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return connections_max;
  const rlim_t needed = static_cast<rlim_t>(connections_max + reserved);
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? needed : std::min(needed, limit.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed) return connections_max;
  const std::size_t available = static_cast<std::size_t>(limit.rlim_cur);
  const std::size_t fit = available > reserved ? available - reserved : 1;
  std::fprintf(stderr,
               "jejak: %s: warning: the open-file limit (RLIMIT_NOFILE, hard limit %llu) "
               "leaves room for %zu connections, not connections_max = %zu; serving with "
               "connections_max = %zu (raise the hard limit, e.g. LimitNOFILE= in a systemd "
               "unit or `ulimit -Hn`)\n",
               command, static_cast<unsigned long long>(limit.rlim_max), fit, connections_max, fit);
  return fit;
}

}  // namespace

sigset_t BlockShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

Result<ListenAddress> ParseListenAddress(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return InvalidArgument("listen address must be HOST:PORT, not " + listen);
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port_text = listen.substr(colon + 1);
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 0 || port > 65535) {
    return InvalidArgument("bad port in " + listen);
  }
  return ListenAddress{host, static_cast<std::uint16_t>(port)};
}

Result<std::shared_ptr<boost::asio::ssl::context>> LoadServerTls(const std::string& certificate_path,
                                                                 const std::string& key_path) {
  std::optional<std::string> certificate =
      certificate_path.empty() ? std::nullopt : ReadWholeFile(certificate_path);
  std::optional<std::string> key = key_path.empty() ? std::nullopt : ReadWholeFile(key_path);
  if (!certificate || !key) {
    return InvalidArgument("cannot read the TLS certificate and key (" + certificate_path + ", " +
                           key_path + ")");
  }
  return crypto::tls::MakeServerContext(*certificate, *key);
}

ServerLimits TransportLimits(const Config& config, const char* command) {
  ServerLimits limits;
  limits.body_bytes_max = config.body_bytes_max;
  limits.header_bytes_max = config.header_bytes_max;
  limits.handshake_timeout = config.handshake_timeout;
  limits.request_timeout = config.request_timeout;
  limits.idle_timeout = config.idle_timeout;
  limits.connections_per_client_max = config.connections_per_client_max;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  limits.io_threads = cores;
  limits.worker_threads = config.worker_threads > 0 ? static_cast<int>(config.worker_threads) : 2 * cores;
  limits.connections_max = FitConnectionsToOpenFileLimit(
      config.connections_max, FileDescriptorsReserved(limits.worker_threads), command);
  return limits;
}

int ServeUntilSignal(const char* command, const ServerLimits& limits,
                     std::shared_ptr<boost::asio::ssl::context> context, const ListenAddress& address,
                     Handler handler, TransportErrorHook on_transport_error, const sigset_t& signals) {
  HttpServer server(limits, std::move(context), std::move(handler), std::move(on_transport_error));
  if (Result<void> listening = server.Listen(address.host, address.port); !listening) {
    std::fprintf(stderr, "jejak: %s: %s\n", command, listening.error().ToString().c_str());
    return 2;
  }
  const std::string& host = address.host;
  std::fprintf(stdout, "listening on https://%s:%u\n",
               host.find(':') != std::string::npos ? ("[" + host + "]").c_str() : host.c_str(),
               static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  std::thread signal_thread([&server, signals]() {
    for (;;) {
      int signal_number = 0;
      if (sigwait(&signals, &signal_number) != 0) continue;
      if (signal_number == SIGUSR1) return;
      server.Stop();  // Idempotent: a second SIGTERM changes nothing.
    }
  });
  server.Run();
  pthread_kill(signal_thread.native_handle(), SIGUSR1);
  signal_thread.join();
  return 0;
}

}  // namespace jejak::server
