// The HTTPS client side shared by the auditor's CLI (cli/https_client.h) and the log's
// witness pusher (server/witness_pusher.h): https:// URL parsing, a verified TLS connect
// under a deadline, and HttpsConnection, one keep-alive connection to one server that
// reconnects when the server closed it. Synchronous from the caller's view; every step is
// an asynchronous Beast operation run to completion on the caller's io_context, because
// only those honour beast::tcp_stream's deadlines.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.h"

namespace jejak::server {

// An https://HOST[:PORT][/PREFIX] URL: plain HTTP is refused, so is anything a proxy
// could reinterpret (user info, query, fragment).
struct ServerUrl {
  std::string host;         // Without brackets for an IPv6 literal.
  std::string port = "443";
  std::string host_header;  // As sent in Host: with brackets and a non-default port.
  std::string prefix;       // Path prefix without a trailing '/'; "" for the root.
};

// Parses https://HOST[:PORT][/PREFIX]; nullopt for plain HTTP, user info, a query or
// fragment, a bad port or control characters.
std::optional<ServerUrl> ParseServerUrl(std::string_view url);

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// Starts one asynchronous operation on `ioc` and runs it until it completes; its error.
template <typename Start>
boost::beast::error_code RunOperation(boost::asio::io_context& ioc, Start start) {
  boost::beast::error_code result = boost::asio::error::would_block;
  ioc.restart();
  start([&result](boost::beast::error_code ec, auto&&...) { result = ec; });
  ioc.run();
  return result;
}

// "network error WHAT at HOST: REASON" (a timeout says so in words).
std::string NetworkErrorText(const ServerUrl& url, const std::string& what,
                             const boost::beast::error_code& ec);

// Resolves, connects and completes the TLS handshake of `stream` to `url` within
// `timeout` per step, with SNI for a host name and the certificate checked against the
// stream's context and the URL's host. kUnavailable with NetworkErrorText's message.
Result<void> ConnectTls(boost::asio::io_context& ioc, TlsStream& stream, const ServerUrl& url,
                        std::chrono::seconds timeout);

// An answer of any status, its body bounded.
struct HttpsReply {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

// One keep-alive HTTPS connection to one server. A request reuses the open connection;
// if that fails before any answer arrived (the server closed an idle connection), it is
// sent once more on a new connection. Any error closes the connection, and the next
// request opens another. Not thread-safe: one owner thread.
class HttpsConnection {
 public:
  // `context` holds the trust anchors (crypto::tls::MakeClientContext).
  HttpsConnection(ServerUrl url, std::shared_ptr<boost::asio::ssl::context> context,
                  std::chrono::seconds step_timeout, std::size_t body_bytes_max);
  ~HttpsConnection();
  HttpsConnection(const HttpsConnection&) = delete;
  HttpsConnection& operator=(const HttpsConnection&) = delete;

  // POSTs `body` (of `content_type`) to the URL's prefix + `target`, and reads the answer,
  // each step (connect, handshake, write, read) within the step timeout. kUnavailable
  // with a message naming the step for a network error, a timeout or an answer larger
  // than the bound.
  Result<HttpsReply> Post(const std::string& target, const std::string& content_type,
                          const std::string& body);

  // Closes the connection, if open.
  void Close();

  // From any thread: ends the exchange in flight (its I/O is stopped; Post answers
  // kUnavailable at once) and every later one. The connection is not usable again.
  void Cancel();

  const ServerUrl& url() const { return url_; }

 private:
  // One attempt on the current connection (opened if needed). `reused` is set when it
  // went on a connection opened by an earlier request: a failure there before any answer
  // byte may be the server's close of an idle connection, worth one more try.
  Result<HttpsReply> Attempt(const std::string& target, const std::string& content_type,
                             const std::string& body, bool& reused);

  ServerUrl url_;
  std::shared_ptr<boost::asio::ssl::context> context_;
  std::chrono::seconds step_timeout_;
  std::size_t body_bytes_max_;
  std::atomic<bool> cancelled_{false};
  boost::asio::io_context ioc_;
  std::unique_ptr<TlsStream> stream_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace jejak::server
