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

#include <array>
#include <atomic>
#include <cstdio>
#include <optional>
#include <thread>

#include "crypto/encoding.h"
#include "crypto/random.h"

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

// Header fields handlers read; everything else is dropped at the boundary.
constexpr const char* kKeptHeaders[] = {"authorization", "content-type", "idempotency-key",
                                        "accept", "x-request-id"};

void LogNetwork(const char* what, const beast::error_code& ec) {
  // Routine disconnects are not worth a line.
  if (ec == net::error::operation_aborted || ec == beast::error::timeout ||
      ec == ssl::error::stream_truncated || ec == net::error::eof ||
      ec == net::error::connection_reset) {
    return;
  }
  std::fprintf(stderr, "{\"event\":\"net.%s\",\"error\":\"%s\"}\n", what, ec.message().c_str());
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
  std::uint16_t port = 0;
  // Keeps ioc.run() going while handlers work on the worker pool; released by the drain
  // thread, which then stops the context.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  TransportErrorHook on_transport_error;

  Impl(ServerLimits server_limits, std::shared_ptr<ssl::context> ssl_context,
       Handler request_handler, TransportErrorHook hook)
      : limits(server_limits),
        context(std::move(ssl_context)),
        handler(std::move(request_handler)),
        ioc(server_limits.io_threads),
        workers(static_cast<std::size_t>(server_limits.worker_threads)),
        acceptor(net::make_strand(ioc)),
        on_transport_error(std::move(hook)) {}

  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void BeginShutdown();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<HttpServer::Impl> server, bool over_limit)
      : stream_(std::move(socket), *server->context), server_(std::move(server)),
        over_limit_(over_limit) {
    ++server_->connections;
    beast::error_code ec;
    const tcp::endpoint remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) {
      remote_address_ = remote.address().to_string();
      remote_is_loopback_ = remote.address().is_loopback();
    }
  }
  ~Session() { --server_->connections; }

  void Run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::OnRun, shared_from_this()));
  }

 private:
  void OnRun() {
    beast::get_lowest_layer(stream_).expires_after(server_->limits.request_timeout);
    stream_.async_handshake(ssl::stream_base::server,
                            beast::bind_front_handler(&Session::OnHandshake, shared_from_this()));
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return LogNetwork("handshake", ec);
    DoRead(/*first=*/true);
  }

  void DoRead(bool first) {
    parser_.emplace();
    parser_->body_limit(server_->limits.body_bytes_max);
    parser_->header_limit(static_cast<std::uint32_t>(server_->limits.header_bytes_max));
    // The first request must arrive within the request timeout; later ones may wait
    // for the idle timeout. Either deadline covers the whole request, so a client
    // trickling bytes is still cut off.
    beast::get_lowest_layer(stream_).expires_after(first ? server_->limits.request_timeout
                                                         : server_->limits.idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec == http::error::end_of_stream) return DoClose();
    if (ec == http::error::body_limit) {
      return WriteError(413, "Payload Too Large",
                        "the request body is larger than " +
                            std::to_string(server_->limits.body_bytes_max) + " bytes");
    }
    if (ec == http::error::header_limit) {
      return WriteError(431, "Request Header Fields Too Large",
                        "the request header is larger than " +
                            std::to_string(server_->limits.header_bytes_max) + " bytes");
    }
    if (ec == beast::error::timeout) return DoClose();
    if (ec == net::error::eof || ec == ssl::error::stream_truncated) return DoClose();
    if (ec) {
      // A malformed request: say so once, then close, since the stream is out of step.
      if (std::string(ec.category().name()) == "beast.http") {
        return WriteError(400, "Bad Request", "malformed HTTP request: " + ec.message());
      }
      LogNetwork("read", ec);
      return DoClose();
    }
    http::request<http::string_body> request = parser_->release();
    keep_alive_ = request.keep_alive() && !server_->draining.load();
    if (over_limit_) {
      return WriteError(503, "Service Unavailable",
                        "too many open connections; retry shortly");
    }
    // Counted before the draining check, so a shutdown either waits for this request or
    // this request sees the shutdown and is never handed to a handler.
    ++server_->in_flight;
    if (server_->draining.load()) {
      --server_->in_flight;
      return WriteError(503, "Service Unavailable", "the server is shutting down; retry shortly");
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
    version_ = request.version();

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
        std::fprintf(stderr, "{\"event\":\"handler.exception\",\"error\":\"%s\"}\n", e.what());
        HttpResponse response;
        response.status = 500;
        response.content_type = "application/problem+json";
        response.body = R"({"type":"about:blank","title":"Internal Server Error","status":500,"detail":"internal error"})";
        respond(std::move(response));
      }
    });
  }

  // Answers a request the transport itself refused (malformed, too large, too many
  // connections, shutting down), then closes. These never reach the handler, so the
  // request id, the log line and the count happen here.
  void WriteError(int status, const char* title, const std::string& detail) {
    keep_alive_ = false;
    // The client may still be sending a body we will not read: drain it before closing,
    // or the reset would destroy the answer before the client reads it.
    linger_ = status == 413 || status == 431 || status == 400;
    std::array<std::uint8_t, 8> id{};
    crypto::RandomBytes(id);
    const std::string request_id = crypto::ToHex(id);
    HttpResponse response;
    response.status = status;
    response.content_type = "application/problem+json";
    response.body = std::string("{\"type\":\"about:blank\",\"title\":\"") + title +
                    "\",\"status\":" + std::to_string(status) + ",\"detail\":\"" + detail + "\"}";
    response.headers.emplace_back("X-Request-Id", request_id);
    std::fprintf(stdout,
                 "{\"event\":\"transport\",\"request_id\":\"%s\",\"remote\":\"%s\","
                 "\"status\":%d,\"detail\":\"%s\"}\n",
                 request_id.c_str(), remote_address_.c_str(), status, detail.c_str());
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
      std::fprintf(stderr, "{\"event\":\"stream.failed\",\"error\":\"%s\"}\n",
                   more.error().message.c_str());
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
    if (lingered_bytes_ == 0) {
      beast::get_lowest_layer(stream_).expires_after(kLingerTime);
    }
    stream_.async_read_some(net::buffer(linger_buffer_),
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
  std::shared_ptr<http::response<http::string_body>> response_;
  std::shared_ptr<HttpServer::Impl> server_;
  std::string remote_address_;
  bool remote_is_loopback_ = false;
  bool over_limit_ = false;
  bool keep_alive_ = true;
  // A streamed response in progress.
  StreamProducer producer_;
  std::shared_ptr<http::response<http::empty_body>> header_;
  std::optional<http::response_serializer<http::empty_body>> header_serializer_;
  std::shared_ptr<std::string> chunk_;
  bool stream_keep_alive_ = false;
  bool linger_ = false;
  std::size_t lingered_bytes_ = 0;
  std::array<char, 16 * 1024> linger_buffer_{};
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
    // Past the limit the connection still gets a clear 503 rather than a reset.
    const bool over_limit = connections.load() >= limits.connections_max;
    std::make_shared<Session>(std::move(socket), shared_from_this(), over_limit)->Run();
  }
  if (!draining.load()) DoAccept();
}

void HttpServer::Impl::BeginShutdown() {
  if (draining.exchange(true)) return;
  std::fprintf(stderr, "{\"event\":\"shutdown.begin\",\"in_flight\":%zu}\n", in_flight.load());
  net::post(acceptor.get_executor(), [self = shared_from_this()]() {
    beast::error_code ignored;
    self->acceptor.close(ignored);
  });
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
