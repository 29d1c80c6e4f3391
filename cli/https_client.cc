// The auditor's HTTPS client (cli/https_client.h): URL parsing, connect with SNI and host
// name verification, one bounded request or a streamed line-by-line answer, each step
// under its own deadline.
#include "cli/https_client.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

namespace jejak::cli {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

namespace {

// Deadlines for each network step: a server that stops answering fails the audit with
// exit 2 instead of hanging it.
constexpr std::chrono::seconds kConnectTimeout{30};
constexpr std::chrono::seconds kReadTimeout{30};
constexpr std::chrono::seconds kShutdownTimeout{5};
// A checkpoint note with kNoteSignaturesMax signature lines is under 32 KiB; proofs,
// problem bodies and the cosignature answer (which repeats the note) are smaller.
constexpr std::size_t kResponseBytesMax = 256 * 1024;
constexpr std::size_t kHeaderBytesMax = 16 * 1024;
constexpr std::size_t kBundleReadChunkBytes = 64 * 1024;

// A reason for a non-2xx answer: the status, the problem's detail if there is one, and
// for redirects where they pointed (they are never followed: an auditor's token must
// not travel to a host it did not name).
std::string DescribeStatus(unsigned status, std::string_view body, std::string_view location) {
  std::string reason = "the server answered HTTP " + std::to_string(status);
  if (status >= 300 && status < 400) {
    return reason + " (a redirect to '" + std::string(location.substr(0, 200)) +
           "'; redirects are not followed)";
  }
  try {
    const nlohmann::json problem = nlohmann::json::parse(body);
    for (const char* field : {"detail", "title"}) {
      if (problem.is_object() && problem.contains(field) && problem[field].is_string()) {
        return reason + ": " + problem[field].get<std::string>().substr(0, 500);
      }
    }
  } catch (const nlohmann::json::exception&) {
  }
  return reason;
}

}  // namespace

std::optional<ServerUrl> ParseServerUrl(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (!url.starts_with(kScheme)) return std::nullopt;
  url.remove_prefix(kScheme.size());
  const std::size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : url.substr(slash);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  if (path.find_first_of("?#") != std::string_view::npos) return std::nullopt;
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

template <typename Start>
beast::error_code HttpsClient::Run(Start start) {
  beast::error_code result = net::error::would_block;
  ioc_.restart();
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc_.run();
  return result;
}

std::optional<Failure> HttpsClient::Request(http::verb verb, const std::string& target,
                               const std::string& body, Reply& reply) {
  Stream stream(ioc_, *context_);
  if (std::optional<Failure> failed = Connect(stream)) return failed;
  if (std::optional<Failure> failed = Send(stream, verb, target, body)) return failed;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kResponseBytesMax);
  parser.header_limit(kHeaderBytesMax);
  beast::get_lowest_layer(stream).expires_after(kReadTimeout);
  beast::error_code ec =
      Run([&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
  if (ec == http::error::body_limit) {
    return UsageError("the answer to " + target + " is larger than " +
                      std::to_string(kResponseBytesMax / 1024) + " KiB");
  }
  if (ec) return NetworkError("reading the answer to " + target, ec);
  Shutdown(stream);
  const http::response<http::string_body>& response = parser.get();
  reply.status = response.result_int();
  reply.body = response.body();
  if (reply.status < 200 || reply.status > 299) {
    return UsageError(target + ": " +
                      DescribeStatus(reply.status, reply.body, response[http::field::location]));
  }
  return std::nullopt;
}

std::optional<Failure> HttpsClient::StreamLines(const std::string& target, std::size_t line_bytes_max,
                                   std::uint64_t lines_max,
                                   const std::function<std::optional<Failure>(std::string_view)>& on_line) {
  Stream stream(ioc_, *context_);
  if (std::optional<Failure> failed = Connect(stream)) return failed;
  if (std::optional<Failure> failed = Send(stream, http::verb::get, target, "")) return failed;
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.header_limit(kHeaderBytesMax);
  // Every line is bounded and so is their number; the body can be no larger.
  const std::uint64_t line_cost = line_bytes_max + 1;
  parser.body_limit(lines_max > std::numeric_limits<std::uint64_t>::max() / line_cost
                        ? std::numeric_limits<std::uint64_t>::max()
                        : lines_max * line_cost);
  beast::get_lowest_layer(stream).expires_after(kReadTimeout);
  beast::error_code ec = Run(
      [&](auto handler) { http::async_read_header(stream, buffer, parser, std::move(handler)); });
  if (ec) return NetworkError("reading the answer to " + target, ec);
  const unsigned status = parser.get().result_int();
  const std::string location(parser.get()[http::field::location]);
  std::string error_body;
  std::string line;
  std::uint64_t lines = 0;
  std::vector<char> chunk(kBundleReadChunkBytes);
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    // The deadline is per read: a large bundle may take long, a stalled one may not.
    beast::get_lowest_layer(stream).expires_after(kReadTimeout);
    ec = Run([&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
    if (ec == http::error::need_buffer) ec = {};
    if (ec == http::error::body_limit) {
      return CheckFailed("the answer to " + target + " is longer than " + std::to_string(lines_max) +
                         " lines of at most " + std::to_string(line_bytes_max) + " bytes");
    }
    if (ec) return NetworkError("reading the answer to " + target, ec);
    const std::size_t got = chunk.size() - parser.get().body().size;
    std::string_view data(chunk.data(), got);
    if (status != 200) {
      // Enough of an error answer to quote; the rest is not worth waiting for.
      error_body.append(data.substr(0, kResponseBytesMax - error_body.size()));
      if (error_body.size() >= kResponseBytesMax) break;
      continue;
    }
    while (!data.empty()) {
      const std::size_t newline = data.find('\n');
      const std::string_view piece = data.substr(0, newline);
      if (line.size() + piece.size() > line_bytes_max) {
        return CheckFailed("line " + std::to_string(lines + 1) + " of the answer to " + target +
                           " is longer than " + std::to_string(line_bytes_max) + " bytes");
      }
      line.append(piece);
      if (newline == std::string_view::npos) break;
      data.remove_prefix(newline + 1);
      if (++lines > lines_max) {
        return CheckFailed("the answer to " + target + " has more than " + std::to_string(lines_max) +
                           " lines");
      }
      if (std::optional<Failure> failed = on_line(line)) return failed;
      line.clear();
    }
  }
  Shutdown(stream);
  if (status != 200) return UsageError(target + ": " + DescribeStatus(status, error_body, location));
  if (!line.empty()) {
    // A last line without its newline, as `jejak verify-bundle` also accepts.
    if (++lines > lines_max) {
      return CheckFailed("the answer to " + target + " has more than " + std::to_string(lines_max) + " lines");
    }
    if (std::optional<Failure> failed = on_line(line)) return failed;
  }
  return std::nullopt;
}


Failure HttpsClient::NetworkError(const std::string& what, const beast::error_code& ec) const {
  std::string reason = ec.message();
  if (ec == beast::error::timeout) reason = "no answer within the time limit";
  return UsageError("network error " + what + " at " + url_.host_header + ": " + reason);
}

std::optional<Failure> HttpsClient::Connect(Stream& stream) {
  tcp::resolver resolver(ioc_);
  net::steady_timer timer(ioc_);
  tcp::resolver::results_type endpoints;
  beast::error_code ec = net::error::would_block;
  bool resolved = false;
  timer.expires_after(kConnectTimeout);
  timer.async_wait([&](beast::error_code timer_ec) {
    if (!timer_ec && !resolved) resolver.cancel();
  });
  ioc_.restart();
  resolver.async_resolve(url_.host, url_.port,
                         [&](beast::error_code resolve_ec, tcp::resolver::results_type results) {
                           resolved = true;
                           ec = resolve_ec;
                           endpoints = std::move(results);
                           timer.cancel();
                         });
  ioc_.run();
  if (ec) return NetworkError("resolving the host name", ec);

  beast::get_lowest_layer(stream).expires_after(kConnectTimeout);
  ec = Run([&](auto handler) {
    beast::get_lowest_layer(stream).async_connect(endpoints, std::move(handler));
  });
  if (ec) return NetworkError("connecting", ec);

  // SNI carries host names only (RFC 6066 §3), never an address literal.
  beast::error_code address_ec;
  net::ip::make_address(url_.host, address_ec);
  if (address_ec && !SSL_set_tlsext_host_name(stream.native_handle(), url_.host.c_str())) {
    return UsageError("cannot set the TLS server name " + url_.host);
  }
  // The certificate must name the host (or address) the auditor asked for.
  stream.set_verify_callback(ssl::host_name_verification(url_.host));
  beast::get_lowest_layer(stream).expires_after(kConnectTimeout);
  ec = Run([&](auto handler) { stream.async_handshake(ssl::stream_base::client, std::move(handler)); });
  if (ec == beast::error::timeout) return NetworkError("in the TLS handshake", ec);
  if (ec) return NetworkError("in the TLS handshake (is the certificate trusted and for this host?)", ec);
  return std::nullopt;
}

std::optional<Failure> HttpsClient::Send(Stream& stream, http::verb verb, const std::string& target,
                            const std::string& body) {
  http::request<http::string_body> request{verb, url_.prefix + target, 11};
  request.set(http::field::host, url_.host_header);
  request.set(http::field::user_agent, "jejak-audit");
  request.set(http::field::authorization, "Bearer " + token_);
  request.set(http::field::accept, verb == http::verb::post ? "application/json" : "*/*");
  request.keep_alive(false);
  if (verb == http::verb::post) {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
  }
  request.prepare_payload();
  beast::get_lowest_layer(stream).expires_after(kReadTimeout);
  beast::error_code ec =
      Run([&](auto handler) { http::async_write(stream, request, std::move(handler)); });
  if (ec) return NetworkError("sending " + target, ec);
  return std::nullopt;
}

void HttpsClient::Shutdown(Stream& stream) {
  beast::get_lowest_layer(stream).expires_after(kShutdownTimeout);
  (void)Run([&](auto handler) { stream.async_shutdown(std::move(handler)); });
  beast::error_code ignored;
  beast::get_lowest_layer(stream).socket().close(ignored);
}

}  // namespace jejak::cli
