// The auditor's HTTPS client (cli/https_client.h): one bounded request or a streamed
// line-by-line answer, each step under its own deadline.
#include "cli/https_client.h"

#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

namespace jejak::cli {

namespace beast = boost::beast;
namespace http = boost::beast::http;

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
  return UsageError(server::NetworkErrorText(url_, what, ec));
}

std::optional<Failure> HttpsClient::Connect(Stream& stream) {
  if (Result<void> connected = server::ConnectTls(ioc_, stream, url_, kConnectTimeout); !connected) {
    return UsageError(connected.error().message);
  }
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
