// The shared HTTPS client side (server/https_client.h): URL parsing, the verified TLS
// connect, and the keep-alive connection the witness pusher sends checkpoints on.
#include "server/https_client.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace jejak::server {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr std::size_t kHeaderBytesMax = 16 * 1024;

}  // namespace

std::optional<ServerUrl> ParseServerUrl(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (!url.starts_with(kScheme)) return std::nullopt;
  url.remove_prefix(kScheme.size());
  const std::size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : url.substr(slash);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  if (url.find_first_of("?#") != std::string_view::npos) return std::nullopt;  // Path or host.
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) return std::nullopt;
  }
  ServerUrl parsed;
  std::string_view port;
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    parsed.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else {
    const std::size_t colon = authority.find(':');
    parsed.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (parsed.host.empty()) return std::nullopt;
  if (!port.empty()) {
    if (port.size() > 5) return std::nullopt;
    unsigned value = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) return std::nullopt;
    parsed.port = std::to_string(value);
  }
  const bool ipv6 = parsed.host.find(':') != std::string::npos;
  parsed.host_header = ipv6 ? "[" + parsed.host + "]" : parsed.host;
  if (parsed.port != "443") parsed.host_header += ":" + parsed.port;
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  parsed.prefix = std::string(path);
  return parsed;
}

std::string NetworkErrorText(const ServerUrl& url, const std::string& what,
                             const beast::error_code& ec) {
  std::string reason = ec.message();
  if (ec == beast::error::timeout) reason = "no answer within the time limit";
  return "network error " + what + " at " + url.host_header + ": " + reason;
}

Result<void> ConnectTls(net::io_context& ioc, TlsStream& stream, const ServerUrl& url,
                        std::chrono::seconds timeout) {
  const auto failed = [&url](const std::string& what, const beast::error_code& ec) {
    return Error{Code::kUnavailable, NetworkErrorText(url, what, ec), {}};
  };
  tcp::resolver resolver(ioc);
  net::steady_timer timer(ioc);
  tcp::resolver::results_type endpoints;
  beast::error_code ec = net::error::would_block;
  bool resolved = false;
  timer.expires_after(timeout);
  timer.async_wait([&](beast::error_code timer_ec) {
    if (!timer_ec && !resolved) resolver.cancel();
  });
  ioc.restart();
  resolver.async_resolve(url.host, url.port,
                         [&](beast::error_code resolve_ec, tcp::resolver::results_type results) {
                           resolved = true;
                           ec = resolve_ec;
                           endpoints = std::move(results);
                           timer.cancel();
                         });
  ioc.run();
  if (ec) return failed("resolving the host name", ec);

  beast::get_lowest_layer(stream).expires_after(timeout);
  ec = RunOperation(ioc, [&](auto handler) {
    beast::get_lowest_layer(stream).async_connect(endpoints, std::move(handler));
  });
  if (ec) return failed("connecting", ec);

  // SNI carries host names only (RFC 6066 §3), never an address literal.
  beast::error_code address_ec;
  net::ip::make_address(url.host, address_ec);
  if (address_ec && !SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
    return Error{Code::kUnavailable, "cannot set the TLS server name " + url.host, {}};
  }
  // The certificate must name the host (or address) of the URL.
  stream.set_verify_callback(ssl::host_name_verification(url.host));
  beast::get_lowest_layer(stream).expires_after(timeout);
  ec = RunOperation(ioc, [&](auto handler) {
    stream.async_handshake(ssl::stream_base::client, std::move(handler));
  });
  if (ec == beast::error::timeout) return failed("in the TLS handshake", ec);
  if (ec) return failed("in the TLS handshake (is the certificate trusted and for this host?)", ec);
  return Ok();
}

HttpsConnection::HttpsConnection(ServerUrl url, std::shared_ptr<ssl::context> context,
                                 std::chrono::seconds step_timeout, std::size_t body_bytes_max)
    : url_(std::move(url)),
      context_(std::move(context)),
      step_timeout_(step_timeout),
      body_bytes_max_(body_bytes_max) {}

HttpsConnection::~HttpsConnection() { Close(); }

void HttpsConnection::Close() {
  if (!stream_) return;
  // No close_notify: the answer is complete, and waiting for the peer's would cost a
  // round trip on every reconnect.
  beast::error_code ignored;
  beast::get_lowest_layer(*stream_).socket().close(ignored);
  stream_.reset();
  buffer_.clear();
}

void HttpsConnection::Cancel() {
  cancelled_ = true;
  ioc_.stop();  // Ends a run() in progress.
  // A run() not yet started (restart() clears the stop) meets this first and stops too.
  net::post(ioc_, [this]() { ioc_.stop(); });
}

namespace {

Error Cancelled(const ServerUrl& url) {
  return Error{Code::kUnavailable, "the exchange with " + url.host_header + " was cancelled", {}};
}

}  // namespace

Result<HttpsReply> HttpsConnection::Post(const std::string& target, const std::string& content_type,
                                         const std::string& body) {
  // After Cancel() the io_context is never run again: handlers of operations it cut short
  // may still be queued, and they point into finished frames.
  if (cancelled_) return Cancelled(url_);
  bool reused = false;
  Result<HttpsReply> reply = Attempt(target, content_type, body, reused);
  if (cancelled_) return Cancelled(url_);
  if (!reply && reused) {
    // The server may have closed the idle connection: once more on a new one.
    bool again = false;
    reply = Attempt(target, content_type, body, again);
  }
  return reply;
}

Result<HttpsReply> HttpsConnection::Attempt(const std::string& target, const std::string& content_type,
                                            const std::string& body, bool& reused) {
  reused = stream_ != nullptr;
  if (!stream_) {
    stream_ = std::make_unique<TlsStream>(ioc_, *context_);
    buffer_.clear();
    if (Result<void> connected = ConnectTls(ioc_, *stream_, url_, step_timeout_); !connected) {
      Close();
      return connected.error();
    }
  }
  if (cancelled_) return Cancelled(url_);
  http::request<http::string_body> request{http::verb::post, url_.prefix + target, 11};
  request.set(http::field::host, url_.host_header);
  request.set(http::field::user_agent, "jejak");
  request.set(http::field::content_type, content_type);
  request.keep_alive(true);
  request.body() = body;
  request.prepare_payload();
  beast::get_lowest_layer(*stream_).expires_after(step_timeout_);
  beast::error_code ec = RunOperation(
      ioc_, [&](auto handler) { http::async_write(*stream_, request, std::move(handler)); });
  if (ec) {
    Close();
    return Error{Code::kUnavailable, NetworkErrorText(url_, "sending " + target, ec), {}};
  }
  if (cancelled_) return Cancelled(url_);
  http::response_parser<http::string_body> parser;
  parser.body_limit(body_bytes_max_);
  parser.header_limit(kHeaderBytesMax);
  beast::get_lowest_layer(*stream_).expires_after(step_timeout_);
  ec = RunOperation(ioc_, [&](auto handler) {
    http::async_read(*stream_, buffer_, parser, std::move(handler));
  });
  if (ec == http::error::body_limit) {
    reused = false;  // The server answered: no second try.
    Close();
    return Error{Code::kUnavailable,
                 "the answer to " + target + " at " + url_.host_header + " is larger than " +
                     std::to_string(body_bytes_max_) + " bytes",
                 {}};
  }
  if (ec) {
    Close();
    return Error{Code::kUnavailable, NetworkErrorText(url_, "reading the answer to " + target, ec), {}};
  }
  http::response<http::string_body> response = parser.release();
  HttpsReply reply;
  reply.status = response.result_int();
  reply.content_type = std::string(response[http::field::content_type]);
  reply.body = std::move(response.body());
  if (!response.keep_alive()) Close();
  return reply;
}

}  // namespace jejak::server
