#include "server/http.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <boost/asio/executor_work_guard.hpp>

#if defined(__GLIBC__)
#include <malloc.h>  // malloc_trim
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "base/check.h"
#include "server/log_line.h"
#include "server/problem.h"

namespace jejak::server {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

// After refusing a request, how much of its unread body to swallow, and for how long,
// before closing (a lingering close, so that the client reads the answer).
constexpr std::size_t kLingerBytesMax = 1024 * 1024;
constexpr std::chrono::seconds kLingerTime{2};
// One read of a lingering close. The buffer is allocated only while lingering: a session
// that never lingers (nearly all) should not carry it.
constexpr std::size_t kLingerChunkBytes = 16 * 1024;
static_assert(kLingerChunkBytes <= kLingerBytesMax);

// Room in the read buffer past header_bytes_max. The parser must be able to hold a header
// just over the limit, so that it answers 431 rather than failing on a full buffer, and
// one read may bring the start of the body (or of a pipelined request) with the header.
// The body itself never accumulates here: the parser moves it into the request as it goes.
constexpr std::size_t kReadBufferSlackBytes = 4 * 1024;

// Refused and shed connections are logged at most once per this interval, with the count
// since the previous line, so a flood of connections cannot flood the log.
constexpr std::chrono::seconds kConnectionLogInterval{1};

// How often the server checks whether to give freed memory back to the system, and how
// far the open connections must have dropped since their peak for it to do so (by at
// least kTrimDropMin and at least a quarter of the peak). glibc keeps memory freed in its
// per-thread arenas for reuse and returns little of it by itself, so without this the
// memory of a burst of connections would stay with the process after they close. Trimming
// locks each arena in turn, hence only after a real drop, not on every tick.
constexpr std::chrono::seconds kTrimInterval{5};
constexpr std::size_t kTrimDropMin = 64;

// Set in the idle tickets of sessions that have answered a request, so that they sort
// after every session that has not. The counter below it would need centuries of
// connections to reach it.
constexpr std::uint64_t kAnsweredTicketBit = std::uint64_t{1} << 63;

// RFC 9112 §3.2. Stable texts: clients and tests may match them.
constexpr const char* kHostRequiredDetail = "an HTTP/1.1 request needs exactly one Host header";
constexpr const char* kHostRepeatedDetail = "a request may carry at most one Host header";
constexpr const char* kMalformedDetail = "malformed HTTP request";

// Header fields handlers read; everything else is dropped at the boundary.
constexpr const char* kKeptHeaders[] = {"authorization", "content-type", "idempotency-key",
                                        "accept", "accept-language", "x-request-id"};

class Session;

void LogNetwork(const char* what, const beast::error_code& ec) {
  // Routine disconnects are not worth a line.
  if (ec == net::error::operation_aborted || ec == beast::error::timeout ||
      ec == ssl::error::stream_truncated || ec == net::error::eof ||
      ec == net::error::connection_reset) {
    return;
  }
  std::fprintf(stderr, "{\"event\":\"net.%s\",\"error\":%s}\n", what,
               JsonString(ec.message()).c_str());
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  ServerLimits limits;
  std::shared_ptr<ssl::context> context;
  Handler handler;
  net::io_context ioc;
  net::thread_pool workers;
  tcp::acceptor acceptor;
  std::atomic<std::size_t> in_flight{0};
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> draining{false};
  // Requests with a raised body limit now being read or handled (limits.large_bodies_max).
  std::atomic<std::size_t> large_bodies{0};
  std::uint16_t port = 0;
  // Keeps ioc.run() going while handlers work on the worker pool; released by the drain
  // thread, which then stops the context.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  TransportErrorHook on_transport_error;

  // Sessions in their TLS handshake or waiting for a request, by ticket: first those that
  // have not been answered yet, then keep-alive sessions between requests, each group by
  // the order in which they began to wait. The first entry is the one closed to make room
  // when connections_max is reached. A session enters when it starts waiting and leaves
  // when a request arrives or it ends.
  std::mutex idle_mutex;
  std::map<std::uint64_t, std::weak_ptr<Session>> idle;  // Guarded by idle_mutex.
  std::uint64_t idle_next = 1;                           // Guarded by idle_mutex; 0 is "none".

  // Open connections per client address; an address leaves when its last one closes, so
  // the map is never larger than the open connections.
  std::mutex clients_mutex;
  std::map<net::ip::address, std::size_t> connections_by_client;  // Guarded by clients_mutex.

  // Used on the acceptor's strand only. Their "remote" is the address of the connection
  // refused, or of the one let in by closing an idle one.
  ThrottledLog refused_log{"net.client_cap", kConnectionLogInterval};
  ThrottledLog shed_log{"net.shed_idle", kConnectionLogInterval};

  // Highest connection count since the last trim, and the timer that checks it.
  std::atomic<std::size_t> connections_peak{0};
  net::steady_timer trim_timer;

  Impl(ServerLimits server_limits, std::shared_ptr<ssl::context> ssl_context,
       Handler request_handler, TransportErrorHook hook)
      : limits(server_limits),
        context(std::move(ssl_context)),
        handler(std::move(request_handler)),
        ioc(server_limits.io_threads),
        workers(static_cast<std::size_t>(server_limits.worker_threads)),
        acceptor(net::make_strand(ioc)),
        on_transport_error(std::move(hook)),
        trim_timer(net::make_strand(ioc)) {}

  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void Admit(tcp::socket socket);
  void BeginShutdown();

  // False if `client` already holds connections_per_client_max connections; else counts
  // one more for it, which ReleaseClient() gives back.
  bool TakeClientSlot(const net::ip::address& client);
  void ReleaseClient(const net::ip::address& client);

  // Registers `session` as idle; returns its ticket (never 0) for LeaveIdle(). A session
  // that has `answered` a request is shed only after every idle session that has not.
  std::uint64_t EnterIdle(std::weak_ptr<Session> session, bool answered);
  void LeaveIdle(std::uint64_t ticket);
  // Asks the oldest idle session to close (on its own strand). False if none is idle.
  bool ShedOldestIdle();

  void CountConnection();
  void ScheduleTrim();
  void TrimIfShrunk();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `socket` is accepted and its client already counted (TakeClientSlot); the session
  // releases that count when it ends.
  Session(tcp::socket&& socket, std::shared_ptr<HttpServer::Impl> server,
          const net::ip::address& client, bool over_limit)
      : stream_(std::move(socket), *server->context),
        buffer_(server->limits.header_bytes_max + kReadBufferSlackBytes),
        server_(std::move(server)),
        client_(client),
        remote_address_(client.to_string()),
        remote_is_loopback_(client.is_loopback()),
        over_limit_(over_limit) {
    server_->CountConnection();
  }
  ~Session() {
    ReleaseLargeBody();
    if (idle_ticket_ != 0) server_->LeaveIdle(idle_ticket_);
    server_->ReleaseClient(client_);
    --server_->connections;
  }

  void Run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::OnRun, shared_from_this()));
  }

  // Closes the connection if the session is still in the idle wait `ticket` names; a
  // session that has received its request since it was picked keeps its connection.
  // Runs on the session's strand (ShedOldestIdle posts it there).
  void CloseIfIdle(std::uint64_t ticket) {
    if (idle_ticket_ != ticket) return;
    idle_ticket_ = 0;  // ShedOldestIdle already took the entry out of the registry.
    // No TLS close_notify: that would wait on the client, and the point is to free the
    // connection now. The pending handshake or read completes with operation_aborted.
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
  }

  auto executor() { return stream_.get_executor(); }

 private:
  void OnRun() {
    EnterIdle(/*answered=*/false);
    beast::get_lowest_layer(stream_).expires_after(server_->limits.handshake_timeout);
    stream_.async_handshake(ssl::stream_base::server,
                            beast::bind_front_handler(&Session::OnHandshake, shared_from_this()));
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return LogNetwork("handshake", ec);
    DoRead(/*first=*/true);
  }

  // Idle from the start of the handshake until the first request arrives, and again
  // between requests; the handshake and the first read are one wait.
  void EnterIdle(bool answered) {
    if (idle_ticket_ == 0) idle_ticket_ = server_->EnterIdle(weak_from_this(), answered);
  }
  void LeaveIdle() {
    if (idle_ticket_ != 0) server_->LeaveIdle(idle_ticket_);
    idle_ticket_ = 0;
  }

  void DoRead(bool first) {
    ReleaseLargeBody();  // The previous request, if it was an upload, is answered.
    EnterIdle(/*answered=*/!first);
    // A connection waiting for its next request holds no read buffer.
    if (!first && buffer_.size() == 0) buffer_.shrink_to_fit();
    parser_.emplace();
    // Until the header names the route, the largest limit of any route (the parser checks
    // Content-Length against it as the header ends); OnHeader then sets the route's own.
    body_limit_ = server_->limits.LargestBodyBytes();
    parser_->body_limit(body_limit_);
    parser_->header_limit(static_cast<std::uint32_t>(server_->limits.header_bytes_max));
    // The first request must arrive within the request timeout; later ones may wait
    // for the idle timeout. Either deadline covers the whole request, so a client
    // trickling bytes is still cut off.
    beast::get_lowest_layer(stream_).expires_after(first ? server_->limits.request_timeout
                                                         : server_->limits.idle_timeout);
    // The header first: its route decides the body limit (POST /v1/imports takes files).
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  // The body limit of the request whose header the parser holds.
  std::size_t RouteBodyLimit() const {
    const auto& header = parser_->get();
    const std::string_view target(header.target().data(), header.target().size());
    return server_->limits.BodyBytesFor(
        std::string_view(header.method_string().data(), header.method_string().size()),
        target.substr(0, target.find('?')));
  }

  void OnHeader(beast::error_code ec, std::size_t bytes) {
    if (ec) return OnRead(ec, bytes);
    body_limit_ = RouteBodyLimit();
    // No body byte has been parsed yet: a chunked body counts against this limit from here.
    parser_->body_limit(body_limit_);
    if (parser_->content_length() && *parser_->content_length() > body_limit_) {
      return OnRead(http::error::body_limit, bytes);
    }
    // An upload route: refused before its body is read when it carries no token, or when
    // large_bodies_max uploads are already being read or handled.
    if (body_limit_ > server_->limits.body_bytes_max && !parser_->is_done()) {
      if (parser_->get()[http::field::authorization].empty()) {
        LeaveIdle();
        return WriteError(401, "Unauthorized", "missing Authorization: Bearer token", /*linger=*/true);
      }
      if (server_->large_bodies.fetch_add(1) >= server_->limits.large_bodies_max) {
        --server_->large_bodies;
        LeaveIdle();
        return WriteError(503, "Service Unavailable",
                          "too many uploads at once; try again in a moment", /*linger=*/true);
      }
      holds_large_body_ = true;
    }
    if (parser_->is_done()) return OnRead(ec, bytes);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t /*bytes*/) {
    LeaveIdle();
    if (ec == net::error::operation_aborted) return;  // Closed to make room (CloseIfIdle).
    if (ec == http::error::end_of_stream) return DoClose();
    // The errors below leave part of the request unread: linger so that the client,
    // possibly still sending, reads the answer.
    if (ec == http::error::body_limit) {
      body_limit_ = RouteBodyLimit();  // Also when Content-Length passed every route's.
      const auto language = parser_->get()[http::field::accept_language];
      const auto [title, detail] = TooLargeText(body_limit_, std::string_view(language.data(), language.size()));
      return WriteError(413, title, detail, /*linger=*/true);
    }
    if (ec == http::error::header_limit) {
      return WriteError(431, "Request Header Fields Too Large",
                        "the request header is larger than " +
                            std::to_string(server_->limits.header_bytes_max) + " bytes",
                        /*linger=*/true);
    }
    if (ec == beast::error::timeout) return DoClose();
    if (ec == net::error::eof || ec == ssl::error::stream_truncated) return DoClose();
    if (ec) {
      // A malformed request: say so once, then close, since the stream is out of step.
      // The parser's own words go to the log only; the client gets a stable text.
      if (std::string(ec.category().name()) == "beast.http") {
        return WriteError(400, "Bad Request", kMalformedDetail, /*linger=*/true, ec.message());
      }
      LogNetwork("read", ec);
      return DoClose();
    }
    http::request<http::string_body> request = parser_->release();
    version_ = request.version();
    keep_alive_ = request.keep_alive() && !server_->draining.load();
    // RFC 9112 §3.2: a server must answer 400 to an HTTP/1.1 request without a Host
    // header, and to any request with more than one. HTTP/1.0 did not require it.
    const std::size_t hosts = request.count(http::field::host);
    if (request.version() >= 11 && hosts != 1) {
      return WriteError(400, "Bad Request", kHostRequiredDetail, /*linger=*/false);
    }
    if (hosts > 1) return WriteError(400, "Bad Request", kHostRepeatedDetail, /*linger=*/false);
    if (over_limit_) {
      return WriteError(503, "Service Unavailable", "too many open connections; retry shortly",
                        /*linger=*/false);
    }
    // Counted before the draining check, so a shutdown either waits for this request or
    // this request sees the shutdown and is never handed to a handler.
    ++server_->in_flight;
    if (server_->draining.load()) {
      --server_->in_flight;
      return WriteError(503, "Service Unavailable", "the server is shutting down; retry shortly",
                        /*linger=*/false);
    }
    beast::get_lowest_layer(stream_).expires_never();  // The handler may take a while.

    HttpRequest converted;
    converted.method = std::string(request.method_string());
    converted.target = std::string(request.target());
    converted.body = std::move(request.body());
    for (const char* name : kKeptHeaders) {
      auto field = request.find(name);
      if (field != request.end()) converted.headers[name] = std::string(field->value());
    }
    converted.remote_address = remote_address_;
    converted.remote_is_loopback = remote_is_loopback_;
    converted.received_at = std::chrono::steady_clock::now();

    // Handlers may touch the database or sign: run them on the worker pool, then come
    // back to this session's strand to write.
    net::post(server_->workers, [self = shared_from_this(), converted = std::move(converted)]() mutable {
      auto respond = [self](HttpResponse response) {
        net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
          self->Write(std::move(response));
        });
      };
      try {
        self->server_->handler(std::move(converted), respond);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "{\"event\":\"handler.exception\",\"error\":%s}\n",
                     JsonString(e.what()).c_str());
        HttpResponse response;
        response.status = 500;
        response.content_type = "application/problem+json";
        response.body = TransportProblemBody(500, "Internal Server Error", "internal error");
        respond(std::move(response));
      }
    });
  }

  // Answers a request the transport itself refused (malformed, Host missing or repeated,
  // too large, too many connections, shutting down), then closes. These never reach the
  // handler, so the request id, the log line and the count happen here. `linger` when part
  // of the request may be unread; `reason` is for the log only.
  void WriteError(int status, const std::string& title, const std::string& detail, bool linger,
                  const std::string& reason = "") {
    keep_alive_ = false;
    // The client may still be sending a body we will not read: drain it before closing,
    // or the reset would destroy the answer before the client reads it.
    linger_ = linger;
    std::array<std::uint8_t, 8> id{};
    crypto::RandomBytes(id);
    const std::string request_id = crypto::ToHex(id);
    HttpResponse response;
    response.status = status;
    response.content_type = "application/problem+json";
    response.body = TransportProblemBody(status, title, detail);
    response.headers.emplace_back("X-Request-Id", request_id);
    const std::string reason_field = reason.empty() ? "" : ",\"reason\":" + JsonString(reason);
    std::fprintf(stdout,
                 "{\"event\":\"transport\",\"request_id\":\"%s\",\"remote\":%s,"
                 "\"status\":%d,\"detail\":%s%s}\n",
                 request_id.c_str(), JsonString(remote_address_).c_str(), status,
                 JsonString(detail).c_str(), reason_field.c_str());
    std::fflush(stdout);
    if (server_->on_transport_error) server_->on_transport_error(status);
    ++server_->in_flight;
    Write(std::move(response));
  }

  void Write(HttpResponse response) {
    if (response.stream) return WriteStream(std::move(response));
    auto message = std::make_shared<http::response<http::string_body>>();
    message->version(version_);
    message->result(static_cast<unsigned>(response.status));
    message->set(http::field::server, "jejak");
    message->set(http::field::content_type, response.content_type);
    message->set("Strict-Transport-Security", "max-age=31536000");
    message->set("X-Content-Type-Options", "nosniff");
    for (auto& [name, value] : response.headers) message->set(name, value);
    message->body() = std::move(response.body);
    const bool keep_alive = keep_alive_ && !server_->draining.load();
    message->keep_alive(keep_alive);
    message->prepare_payload();
    response_ = message;
    beast::get_lowest_layer(stream_).expires_after(server_->limits.write_timeout);
    http::async_write(stream_, *message,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this(), keep_alive));
  }

  // A streamed body: the header with chunked encoding, then chunks produced one at a time
  // on the worker pool (the producer may read the database), each written before the
  // next is produced, so memory stays constant whatever the body's size.
  void WriteStream(HttpResponse response) {
    auto header = std::make_shared<http::response<http::empty_body>>();
    header->version(version_);
    header->result(static_cast<unsigned>(response.status));
    header->set(http::field::server, "jejak");
    header->set(http::field::content_type, response.content_type);
    header->set("Strict-Transport-Security", "max-age=31536000");
    header->set("X-Content-Type-Options", "nosniff");
    for (auto& [name, value] : response.headers) header->set(name, value);
    header->chunked(true);
    stream_keep_alive_ = keep_alive_ && !server_->draining.load();
    header->keep_alive(stream_keep_alive_);
    producer_ = std::move(response.stream);
    header_ = header;
    header_serializer_.emplace(*header);
    beast::get_lowest_layer(stream_).expires_after(server_->limits.write_timeout);
    http::async_write_header(stream_, *header_serializer_,
                             beast::bind_front_handler(&Session::OnStreamWritten, shared_from_this()));
  }

  void OnStreamWritten(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return EndStream(ec);
    net::post(server_->workers, [self = shared_from_this()]() {
      auto chunk = std::make_shared<std::string>();
      Result<bool> more = self->producer_(*chunk);
      net::post(self->stream_.get_executor(), [self, chunk, more = std::move(more)]() mutable {
        self->WriteChunk(std::move(chunk), std::move(more));
      });
    });
  }

  void WriteChunk(std::shared_ptr<std::string> chunk, Result<bool> more) {
    if (!more) {
      // Mid-stream there is no way to send a status any more: log and cut the connection
      // (the client sees a truncated chunked body, never a complete-looking one).
      std::fprintf(stderr, "{\"event\":\"stream.failed\",\"error\":%s}\n",
                   JsonString(more.error().message).c_str());
      return EndStream(beast::error_code(net::error::operation_aborted));
    }
    chunk_ = std::move(chunk);
    beast::get_lowest_layer(stream_).expires_after(server_->limits.write_timeout);
    if (chunk_->empty() && !*more) {
      return net::async_write(stream_, http::make_chunk_last(),
                              beast::bind_front_handler(&Session::OnStreamDone, shared_from_this()));
    }
    if (chunk_->empty()) return OnStreamWritten({}, 0);
    const bool last = !*more;
    net::async_write(stream_, http::make_chunk(net::buffer(*chunk_)),
                     [self = shared_from_this(), last](beast::error_code write_ec, std::size_t) {
                       if (write_ec) return self->EndStream(write_ec);
                       if (!last) return self->OnStreamWritten({}, 0);
                       net::async_write(self->stream_, http::make_chunk_last(),
                                        beast::bind_front_handler(&Session::OnStreamDone, self));
                     });
  }

  void OnStreamDone(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return EndStream(ec);
    --server_->in_flight;
    ReleaseStream();
    if (!stream_keep_alive_) return DoClose();
    DoRead(/*first=*/false);
  }

  void EndStream(beast::error_code ec) {
    --server_->in_flight;
    ReleaseStream();
    LogNetwork("stream", ec);
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
  }

  void ReleaseStream() {
    producer_ = nullptr;  // Releases what the producer holds (a database lease).
    chunk_.reset();
    header_serializer_.reset();
    header_.reset();
  }

  void OnWrite(bool keep_alive, beast::error_code ec, std::size_t /*bytes*/) {
    --server_->in_flight;
    response_.reset();
    if (ec) return LogNetwork("write", ec);
    if (linger_) return DoLinger();
    if (!keep_alive) return DoClose();
    DoRead(/*first=*/false);
  }

  // Reads and discards what the client still sends (at most kLingerBytesMax, for at
  // most kLingerTime), then closes.
  void DoLinger() {
    if (lingered_bytes_ >= kLingerBytesMax) return DoClose();
    if (linger_buffer_ == nullptr) {
      beast::get_lowest_layer(stream_).expires_after(kLingerTime);
      linger_buffer_ = std::make_unique_for_overwrite<char[]>(kLingerChunkBytes);
    }
    stream_.async_read_some(net::buffer(linger_buffer_.get(), kLingerChunkBytes),
                            beast::bind_front_handler(&Session::OnLinger, shared_from_this()));
  }

  void OnLinger(beast::error_code ec, std::size_t bytes) {
    lingered_bytes_ += bytes;
    if (ec) return DoClose();  // EOF, timeout or reset: either way, done.
    DoLinger();
  }

  void DoClose() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    stream_.async_shutdown(beast::bind_front_handler(&Session::OnShutdown, shared_from_this()));
  }

  void OnShutdown(beast::error_code /*ec*/) {
    // The peer may vanish without a close_notify (ssl::error::stream_truncated); there
    // is nothing left to do either way.
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::size_t body_limit_ = 0;  // The current request's (its route's) body limit.
  bool holds_large_body_ = false;  // This request counts in server_->large_bodies.

  void ReleaseLargeBody() {
    if (!holds_large_body_) return;
    holds_large_body_ = false;
    --server_->large_bodies;
  }
  std::shared_ptr<http::response<http::string_body>> response_;
  std::shared_ptr<HttpServer::Impl> server_;
  net::ip::address client_;
  std::string remote_address_;
  bool remote_is_loopback_ = false;
  bool over_limit_ = false;
  // This session's entry in the idle registry, 0 while it is busy. Strand only.
  std::uint64_t idle_ticket_ = 0;
  bool keep_alive_ = true;
  // A streamed response in progress.
  StreamProducer producer_;
  std::shared_ptr<http::response<http::empty_body>> header_;
  std::optional<http::response_serializer<http::empty_body>> header_serializer_;
  std::shared_ptr<std::string> chunk_;
  bool stream_keep_alive_ = false;
  bool linger_ = false;
  std::size_t lingered_bytes_ = 0;
  std::unique_ptr<char[]> linger_buffer_;  // kLingerChunkBytes, only while lingering.
  unsigned version_ = 11;
};

}  // namespace

void HttpServer::Impl::DoAccept() {
  acceptor.async_accept(net::make_strand(ioc),
                        beast::bind_front_handler(&Impl::OnAccept, shared_from_this()));
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec) {
    if (ec == net::error::operation_aborted) return;  // Closed for shutdown.
    LogNetwork("accept", ec);
  } else {
    Admit(std::move(socket));
  }
  if (!draining.load()) DoAccept();
}

// On the acceptor's strand.
void HttpServer::Impl::Admit(tcp::socket socket) {
  beast::error_code ec;
  const tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec) return;  // The client is already gone; the socket closes here.
  // A response goes out as soon as it is written: with Nagle's algorithm on, its last
  // small TLS record waited for the client's delayed ACK (tens of ms per keep-alive
  // request). A failure only costs latency.
  socket.set_option(tcp::no_delay(true), ec);
  if (!TakeClientSlot(remote.address())) {
    // Closed before the TLS handshake, which is the expensive part of a connection.
    socket.close(ec);
    refused_log.Count(remote.address().to_string());
    if (on_transport_error) on_transport_error(429);
    return;
  }
  bool over_limit = false;
  if (connections.load() >= limits.connections_max) {
    if (ShedOldestIdle()) {
      shed_log.Count(remote.address().to_string());
    } else {
      // Nothing idle to close: the connection still gets a clear 503 rather than a reset.
      over_limit = true;
    }
  }
  std::make_shared<Session>(std::move(socket), shared_from_this(), remote.address(), over_limit)
      ->Run();
}

bool HttpServer::Impl::TakeClientSlot(const net::ip::address& client) {
  std::lock_guard<std::mutex> lock(clients_mutex);
  std::size_t& held = connections_by_client[client];
  if (limits.connections_per_client_max != 0 && held >= limits.connections_per_client_max) {
    if (held == 0) connections_by_client.erase(client);
    return false;
  }
  ++held;
  return true;
}

void HttpServer::Impl::ReleaseClient(const net::ip::address& client) {
  std::lock_guard<std::mutex> lock(clients_mutex);
  auto found = connections_by_client.find(client);
  JEJAK_CHECK(found != connections_by_client.end());
  JEJAK_CHECK(found->second > 0);
  if (--found->second == 0) connections_by_client.erase(found);
}

std::uint64_t HttpServer::Impl::EnterIdle(std::weak_ptr<Session> session, bool answered) {
  std::lock_guard<std::mutex> lock(idle_mutex);
  // Connections that have not sent a request yet go first: losing one costs its client a
  // handshake, and under a flood of silent connections (reopened as fast as they are
  // closed, which can be thousands a second) a keep-alive client pausing between
  // requests would otherwise be closed within a fraction of a second.
  JEJAK_CHECK(idle_next < kAnsweredTicketBit);
  const std::uint64_t ticket = (answered ? kAnsweredTicketBit : 0) | idle_next++;
  idle.emplace(ticket, std::move(session));
  return ticket;
}

void HttpServer::Impl::LeaveIdle(std::uint64_t ticket) {
  std::lock_guard<std::mutex> lock(idle_mutex);
  idle.erase(ticket);
}

bool HttpServer::Impl::ShedOldestIdle() {
  std::shared_ptr<Session> oldest;
  std::uint64_t ticket = 0;
  {
    std::lock_guard<std::mutex> lock(idle_mutex);
    // An entry that no longer locks belongs to a session in its destructor, which is
    // about to remove it; skip it. Bounded by the registry's size.
    while (!idle.empty() && oldest == nullptr) {
      auto first = idle.begin();
      ticket = first->first;
      oldest = first->second.lock();
      idle.erase(first);
    }
  }
  // Released outside the lock: the last reference may run ~Session, which takes it.
  if (oldest == nullptr) return false;
  net::post(oldest->executor(), [oldest, ticket]() { oldest->CloseIfIdle(ticket); });
  return true;
}

void HttpServer::Impl::CountConnection() {
  const std::size_t now = ++connections;
  std::size_t peak = connections_peak.load();
  while (now > peak && !connections_peak.compare_exchange_weak(peak, now)) {
  }
}

void HttpServer::Impl::ScheduleTrim() {
  trim_timer.expires_after(kTrimInterval);
  // A weak reference: a timer still pending when the server is destroyed must not keep it.
  trim_timer.async_wait([weak = weak_from_this()](beast::error_code ec) {
    std::shared_ptr<Impl> self = weak.lock();
    if (ec || self == nullptr || self->draining.load()) return;
    self->TrimIfShrunk();
    self->ScheduleTrim();
  });
}

void HttpServer::Impl::TrimIfShrunk() {
  const std::size_t now = connections.load();
  const std::size_t peak = connections_peak.load();
  if (peak < now + std::max(kTrimDropMin, peak / 4)) return;
  connections_peak.store(now);
#if defined(__GLIBC__)
  // Off the I/O threads: trimming walks every arena.
  net::post(workers, [now, peak]() {
    const int released = malloc_trim(0);
    std::fprintf(stderr,
                 "{\"event\":\"memory.trim\",\"connections_peak\":%zu,"
                 "\"connections\":%zu,\"released\":%s}\n",
                 peak, now, released == 1 ? "true" : "false");
  });
#endif
}

void HttpServer::Impl::BeginShutdown() {
  if (draining.exchange(true)) return;
  std::fprintf(stderr, "{\"event\":\"shutdown.begin\",\"in_flight\":%zu}\n", in_flight.load());
  net::post(acceptor.get_executor(), [self = shared_from_this()]() {
    beast::error_code ignored;
    self->acceptor.close(ignored);
  });
  net::post(trim_timer.get_executor(),
            [self = shared_from_this()]() { self->trim_timer.cancel(); });
  // Waits for in-flight requests off the I/O threads, then stops them.
  std::thread([self = shared_from_this()]() {
    const auto deadline = std::chrono::steady_clock::now() + self->limits.shutdown_grace;
    while (self->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::fprintf(stderr, "{\"event\":\"shutdown.drained\",\"in_flight\":%zu}\n",
                 self->in_flight.load());
    net::post(self->ioc, [self]() { self->work.reset(); });
    self->ioc.stop();
  }).detach();
}

HttpServer::HttpServer(ServerLimits limits, std::shared_ptr<ssl::context> context, Handler handler,
                       TransportErrorHook on_transport_error)
    : impl_(std::make_shared<Impl>(limits, std::move(context), std::move(handler),
                                   std::move(on_transport_error))) {}

HttpServer::~HttpServer() {
  impl_->workers.join();
}

Result<void> HttpServer::Listen(const std::string& host, std::uint16_t port) {
  beast::error_code ec;
  const net::ip::address address = net::ip::make_address(host, ec);
  if (ec) return InvalidArgument("listen address '" + host + "' is not an IP address");
  const tcp::endpoint endpoint(address, port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error{Code::kUnavailable,
                 "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message(), {}};
  }
  impl_->port = impl_->acceptor.local_endpoint().port();
  return Ok();
}

std::uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::Run() {
  impl_->work.emplace(net::make_work_guard(impl_->ioc));
  impl_->DoAccept();
  net::post(impl_->trim_timer.get_executor(), [impl = impl_]() { impl->ScheduleTrim(); });
  std::vector<std::thread> threads;
  for (int i = 1; i < impl_->limits.io_threads; ++i) {
    threads.emplace_back([impl = impl_]() { impl->ioc.run(); });
  }
  impl_->ioc.run();
  for (std::thread& thread : threads) thread.join();
}

void HttpServer::Stop() { impl_->BeginShutdown(); }

std::size_t HttpServer::in_flight() const { return impl_->in_flight.load(); }
std::size_t HttpServer::connections() const { return impl_->connections.load(); }

}  // namespace jejak::server
