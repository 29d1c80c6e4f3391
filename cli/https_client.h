// The auditor's HTTPS client (`jejak audit`, cli/audit_client.cc): one request per
// connection (its URL parsing and TLS connect are server/https_client.h's) to a server named by an https:// URL, trusting the given anchors and checking
// the host name, with a deadline on every network step and a bound on every answer.
// Synchronous from the caller's view; every step is an asynchronous Beast operation run to
// completion on a private io_context, because only those honour beast::tcp_stream's
// deadlines.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "cli/exit_codes.h"
#include "server/https_client.h"

namespace jejak::cli {

// --server https://HOST[:PORT][/PREFIX] (server/https_client.h parses it).
using server::ParseServerUrl;
using server::ServerUrl;

// A 2xx answer: its status and body.
struct Reply {
  unsigned status = 0;
  std::string body;
};

// One HTTPS request per connection (Connection: close), verified against the trust
// anchors in `context` and the host name in the URL.
class HttpsClient {
 public:
  HttpsClient(ServerUrl url, std::shared_ptr<boost::asio::ssl::context> context, std::string token)
      : url_(std::move(url)), context_(std::move(context)), token_(std::move(token)) {}

  // The body of a 2xx answer of at most kResponseBytesMax bytes; any other status,
  // a larger body or a network error is a Failure with exit code 2.
  std::optional<Failure> Request(boost::beast::http::verb verb, const std::string& target,
                                 const std::string& body, Reply& reply);

  // Streams a 200 answer's body to `on_line`, one line (without "\n") at a time, each at
  // most `line_bytes_max` bytes and at most `lines_max` lines; an `on_line` failure or a
  // broken limit stops the download. Constant memory.
  std::optional<Failure> StreamLines(const std::string& target, std::size_t line_bytes_max,
                                     std::uint64_t lines_max,
                                     const std::function<std::optional<Failure>(std::string_view)>& on_line);

 private:
  using Stream = server::TlsStream;

  // Starts one asynchronous operation and runs the io_context until it completes.
  template <typename Start>
  boost::beast::error_code Run(Start start) {
    return server::RunOperation(ioc_, std::move(start));
  }

  Failure NetworkError(const std::string& what, const boost::beast::error_code& ec) const;

  std::optional<Failure> Connect(Stream& stream);

  std::optional<Failure> Send(Stream& stream, boost::beast::http::verb verb, const std::string& target,
                              const std::string& body);

  // Best effort: the answer is complete, and servers often close without close_notify.
  void Shutdown(Stream& stream);

  ServerUrl url_;
  std::shared_ptr<boost::asio::ssl::context> context_;
  std::string token_;
  boost::asio::io_context ioc_;
};

}  // namespace jejak::cli
