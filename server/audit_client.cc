// `jejak audit` and `jejak cosigner-key`. The HTTPS client is synchronous from the
// caller's view, but every network step is an asynchronous Beast operation run to
// completion on a private io_context, because only asynchronous operations honour
// beast::tcp_stream's deadlines: each connect, handshake, write and read has one.
#include "server/audit_client.h"

#include <fcntl.h>
#include <openssl/ssl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/tls/context.h"
#include "ledger/bundle.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "server/cli.h"

namespace jejak::server {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace fs = std::filesystem;
using tcp = boost::asio::ip::tcp;

// Deadlines for each network step: a server that stops answering fails the audit with
// exit 2 instead of hanging it.
constexpr std::chrono::seconds kConnectTimeout{30};
constexpr std::chrono::seconds kReadTimeout{30};
constexpr std::chrono::seconds kShutdownTimeout{5};
// A checkpoint note with kNoteSignaturesMax signature lines is under 32 KiB; proofs,
// problem bodies and the cosignature answer (which repeats the note) are smaller.
constexpr std::size_t kResponseBytesMax = 256 * 1024;
constexpr std::size_t kHeaderBytesMax = 16 * 1024;
// An RFC 9162 consistency proof for trees below 2^64 has at most 2 * 64 hashes.
constexpr std::size_t kConsistencyHashesMax = 128;
// Local files: keys and tokens are small; a CA bundle may hold a few hundred certificates.
constexpr std::uintmax_t kKeyFileBytesMax = 64 * 1024;
constexpr std::uintmax_t kTokenFileBytesMax = 16 * 1024;
constexpr std::uintmax_t kCaFileBytesMax = 4 * 1024 * 1024;
constexpr std::uintmax_t kStateNoteBytesMax = 64 * 1024;
constexpr std::size_t kBundleReadChunkBytes = 64 * 1024;
constexpr std::string_view kStateNote = "checkpoint.note";
constexpr std::string_view kAuditLog = "audit.log";

// A failed step: the exit code (1 for a failed check, 2 for usage, input or network) and
// a one-line reason an auditor can quote.
struct Failure {
  int exit_code = kExitUsage;
  std::string reason;
};

Failure UsageError(std::string reason) { return {kExitUsage, std::move(reason)}; }
Failure CheckFailed(std::string reason) { return {kExitVerificationFailed, std::move(reason)}; }

int Report(const Failure& failure) {
  std::fprintf(stderr, "jejak: %s\n", failure.reason.c_str());
  return failure.exit_code;
}

// Options after the command name: "--name value", "--name=value", or a bare switch.
struct Options {
  std::map<std::string, std::string> values;
  std::set<std::string> switches;

  std::optional<std::string> Get(const std::string& name) const {
    auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  }
};

std::optional<Failure> ParseOptions(const std::vector<std::string>& args,
                                    const std::set<std::string>& valued,
                                    const std::set<std::string>& switches, Options& options) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0 || arg.size() <= 2) {
      return UsageError("unexpected argument " + arg);
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (const std::size_t equals = name.find('='); equals != std::string::npos) {
      value = name.substr(equals + 1);
      name.resize(equals);
    }
    if (switches.count(name)) {
      if (value) return UsageError("option --" + name + " takes no value");
      if (!options.switches.insert(name).second) return UsageError("option --" + name + " given twice");
      continue;
    }
    if (!valued.count(name)) return UsageError("unknown option --" + name);
    if (!value) {
      if (i + 1 >= args.size()) return UsageError("option --" + name + " needs a value");
      value = args[++i];
    }
    if (!options.values.emplace(name, *value).second) {
      return UsageError("option --" + name + " given twice");
    }
  }
  return std::nullopt;
}

std::optional<std::string> ReadSmallFile(const std::string& path, std::uintmax_t bytes_max) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec || size > bytes_max) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  if (!in && !in.eof()) return std::nullopt;
  return content.str();
}

std::string TrimSpace(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

std::string UtcNow(bool with_time) {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, with_time ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d", &utc);
  return buffer;
}

// Writes `content` to `path` so that readers see the old file or the new one, never a
// part: a temporary file in the same directory, fsync, rename, fsync of the directory.
bool WriteAtomically(const fs::path& path, std::string_view content, mode_t mode) {
  const fs::path temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return false;
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n <= 0) {
      ::close(fd);
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return false;
  if (::rename(temporary.c_str(), path.c_str()) != 0) return false;
  const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return true;
}

bool AppendLine(const fs::path& path, const std::string& line) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  const std::string text = line + "\n";
  const ssize_t n = ::write(fd, text.data(), text.size());
  const bool ok = n == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  return ::close(fd) == 0 && ok;
}

// --server https://HOST[:PORT][/PREFIX]: plain HTTP is refused, so is anything a proxy
// could reinterpret (user info, query, fragment).
struct ServerUrl {
  std::string host;         // Without brackets for an IPv6 literal.
  std::string port = "443";
  std::string host_header;  // As sent in Host: with brackets and a non-default port.
  std::string prefix;       // Path prefix without a trailing '/'; "" for the root.
};

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

struct Reply {
  unsigned status = 0;
  std::string body;
};

// One HTTPS request per connection (Connection: close), verified against the trust
// anchors in `context` and the host name in the URL.
class HttpsClient {
 public:
  HttpsClient(ServerUrl url, std::shared_ptr<ssl::context> context, std::string token)
      : url_(std::move(url)), context_(std::move(context)), token_(std::move(token)) {}

  // The body of a 2xx answer of at most kResponseBytesMax bytes; any other status,
  // a larger body or a network error is a Failure with exit code 2.
  std::optional<Failure> Request(http::verb verb, const std::string& target,
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

  // Streams a 200 answer's body to `on_line`, one line (without "\n") at a time, each at
  // most `line_bytes_max` bytes and at most `lines_max` lines; an `on_line` failure or a
  // broken limit stops the download. Constant memory.
  std::optional<Failure> StreamLines(const std::string& target, std::size_t line_bytes_max,
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

 private:
  using Stream = beast::ssl_stream<beast::tcp_stream>;

  // Starts one asynchronous operation and runs the io_context until it completes.
  template <typename Start>
  beast::error_code Run(Start start) {
    beast::error_code result = net::error::would_block;
    ioc_.restart();
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.run();
    return result;
  }

  Failure NetworkError(const std::string& what, const beast::error_code& ec) const {
    std::string reason = ec.message();
    if (ec == beast::error::timeout) reason = "no answer within the time limit";
    return UsageError("network error " + what + " at " + url_.host_header + ": " + reason);
  }

  std::optional<Failure> Connect(Stream& stream) {
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

  std::optional<Failure> Send(Stream& stream, http::verb verb, const std::string& target,
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

  // Best effort: the answer is complete, and servers often close without close_notify.
  void Shutdown(Stream& stream) {
    beast::get_lowest_layer(stream).expires_after(kShutdownTimeout);
    (void)Run([&](auto handler) { stream.async_shutdown(std::move(handler)); });
    beast::error_code ignored;
    beast::get_lowest_layer(stream).socket().close(ignored);
  }

  ServerUrl url_;
  std::shared_ptr<ssl::context> context_;
  std::string token_;
  net::io_context ioc_;
};

std::string Hex(const ledger::Digest& digest) { return crypto::ToHex(digest); }

// "(size 120, root ab12..., signed 2026-03-01T08:00:00.000Z)" for messages.
std::string Describe(const ledger::Checkpoint& checkpoint) {
  return "(size " + std::to_string(checkpoint.tree_size) + ", root " + Hex(checkpoint.root_hash) +
         ", signed " + checkpoint.time + ")";
}

std::optional<Failure> CheckConsistencyProof(const std::string& body, const ledger::Checkpoint& kept,
                                             const ledger::Checkpoint& latest) {
  const std::string not_consistent = "NOT CONSISTENT: the checkpoint kept " + Describe(kept) +
                                     " is not a prefix of the server's " + Describe(latest);
  std::vector<ledger::Digest> proof;
  try {
    const nlohmann::json reply = nlohmann::json::parse(body);
    if (!reply.is_object() || !reply.contains("hashes") || !reply["hashes"].is_array()) {
      return CheckFailed(not_consistent + ": the server sent no consistency proof");
    }
    for (const char* field : {"first", "second"}) {
      const std::uint64_t want = std::string_view(field) == "first" ? kept.tree_size : latest.tree_size;
      if (!reply.contains(field) || !reply[field].is_number_unsigned() ||
          reply[field].get<std::uint64_t>() != want) {
        return CheckFailed(not_consistent + ": the server's proof is for other tree sizes");
      }
    }
    const nlohmann::json& hashes = reply["hashes"];
    if (hashes.size() > kConsistencyHashesMax) {
      return CheckFailed(not_consistent + ": the server's proof has too many hashes");
    }
    for (const nlohmann::json& hash : hashes) {
      std::optional<ledger::Digest> digest =
          hash.is_string() ? crypto::DigestFromHex(hash.get<std::string>()) : std::nullopt;
      if (!digest) return CheckFailed(not_consistent + ": the server's proof holds a malformed hash");
      proof.push_back(*digest);
    }
  } catch (const nlohmann::json::exception&) {
    return CheckFailed(not_consistent + ": the server's consistency proof is not JSON");
  }
  if (!ledger::VerifyConsistency(kept.tree_size, latest.tree_size, proof, kept.root_hash,
                                 latest.root_hash)) {
    return CheckFailed(not_consistent + ": the consistency proof does not verify, so the ledger was "
                                        "rewritten");
  }
  return std::nullopt;
}

struct AuditSettings {
  ServerUrl url;
  std::string token;
  ledger::NoteVerifier verifier;
  fs::path state_dir;
  bool full = false;
  std::optional<crypto::PrivateKey> cosigner_key;
  std::string cosigner_name;
  std::optional<std::string> ca_pem;
};

std::optional<Failure> LoadSettings(const Options& options, AuditSettings& settings) {
  for (const char* required : {"server", "token-file", "key", "state"}) {
    if (!options.Get(required)) return UsageError(std::string("--") + required + " is required");
  }
  std::optional<ServerUrl> url = ParseServerUrl(*options.Get("server"));
  if (!url) return UsageError("--server must be https://HOST[:PORT][/PATH] (no user, query or fragment)");
  settings.url = *url;

  const std::string token_path = *options.Get("token-file");
  std::optional<std::string> token = ReadSmallFile(token_path, kTokenFileBytesMax);
  if (!token) return UsageError("cannot read the token file " + token_path);
  settings.token = TrimSpace(*token);
  if (settings.token.empty()) return UsageError("the token file " + token_path + " is empty");
  for (char c : settings.token) {
    // A JWT is base64url and dots; anything else could split the header.
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return UsageError("the token in " + token_path + " holds spaces or control characters");
    }
  }

  const std::string key_path = *options.Get("key");
  std::optional<std::string> vkey = ReadSmallFile(key_path, kKeyFileBytesMax);
  std::optional<ledger::NoteVerifier> verifier =
      vkey ? ledger::ParseVerifierKey(TrimSpace(*vkey)) : std::nullopt;
  if (!verifier) return UsageError(key_path + " is not a readable Ed25519 signed-note verifier key");
  settings.verifier = *verifier;

  settings.state_dir = *options.Get("state");
  settings.full = options.switches.count("full") > 0;

  std::optional<std::string> cosign = options.Get("cosign");
  std::optional<std::string> name = options.Get("cosigner-name");
  if (cosign.has_value() != name.has_value()) {
    return UsageError("--cosign KEYFILE and --cosigner-name NAME go together");
  }
  if (cosign) {
    std::optional<std::string> pem = ReadSmallFile(*cosign, kKeyFileBytesMax);
    settings.cosigner_key = pem ? crypto::ParsePrivateKeyPem(*pem) : std::nullopt;
    if (!settings.cosigner_key) return UsageError(*cosign + " is not a readable Ed25519 private key (PEM)");
    if (!ledger::ValidKeyName(*name)) {
      return UsageError("--cosigner-name must be a key name such as bpk.go.id/auditor-1 (no spaces, no '+')");
    }
    settings.cosigner_name = *name;
  }
  if (std::optional<std::string> ca = options.Get("ca-cert")) {
    settings.ca_pem = ReadSmallFile(*ca, kCaFileBytesMax);
    if (!settings.ca_pem) return UsageError("cannot read the CA certificate file " + *ca);
  }
  return std::nullopt;
}

// The kept checkpoint, if this auditor accepted one before.
std::optional<Failure> LoadKept(const AuditSettings& settings, std::optional<ledger::Checkpoint>& kept) {
  const fs::path path = settings.state_dir / kStateNote;
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  std::optional<std::string> note = ReadSmallFile(path.string(), kStateNoteBytesMax);
  if (!note) return UsageError("cannot read the kept checkpoint " + path.string());
  Result<ledger::Checkpoint> checkpoint = ledger::OpenCheckpoint(*note, settings.verifier);
  if (!checkpoint) {
    return UsageError("the kept checkpoint " + path.string() + " does not verify under the pinned key " +
                      settings.verifier.name + ": " + checkpoint.error().message);
  }
  if (checkpoint->origin != settings.verifier.name) {
    return UsageError("the kept checkpoint " + path.string() + " is for origin " + checkpoint->origin);
  }
  kept = std::move(checkpoint).value();
  return std::nullopt;
}

std::optional<Failure> Audit(const AuditSettings& settings) {
  Result<std::shared_ptr<ssl::context>> context = crypto::tls::MakeClientContext(
      settings.ca_pem ? std::optional<std::string_view>(*settings.ca_pem) : std::nullopt);
  if (!context) return UsageError("--ca-cert: " + context.error().message);
  std::optional<ledger::Checkpoint> kept;
  if (std::optional<Failure> failed = LoadKept(settings, kept)) return failed;
  HttpsClient client(settings.url, *context, settings.token);
  const std::string origin = settings.verifier.name;
  std::vector<std::string> checked;

  // (a) The latest checkpoint, trusting only the pinned key.
  Reply reply;
  if (std::optional<Failure> failed = client.Request(http::verb::get, "/v1/checkpoint", "", reply)) {
    return failed;
  }
  const std::string note = reply.body;
  Result<std::string> text = ledger::OpenNote(note, settings.verifier);
  if (!text) {
    return CheckFailed("the server's checkpoint does not verify under the pinned key " +
                       ledger::FormatVerifierKey(settings.verifier) + ": " + text.error().message);
  }
  Result<ledger::Checkpoint> latest = ledger::ParseCheckpointText(*text);
  if (!latest) return CheckFailed("the server's signed checkpoint is malformed: " + latest.error().message);
  if (latest->origin != origin) {
    return CheckFailed("the server's checkpoint is for origin '" + latest->origin + "', not the pinned " +
                       origin);
  }
  checked.push_back("signature by " + origin);

  // (b) Append-only since the checkpoint kept last time.
  if (kept) {
    if (latest->tree_size < kept->tree_size) {
      return CheckFailed("NOT CONSISTENT: the server's checkpoint " + Describe(*latest) +
                         " is smaller than the checkpoint kept " + Describe(*kept) +
                         ": entries were removed (the ledger was truncated or rolled back)");
    }
    if (latest->tree_size == kept->tree_size) {
      if (latest->root_hash != kept->root_hash) {
        return CheckFailed("NOT CONSISTENT: the server's checkpoint " + Describe(*latest) +
                           " has the size of the checkpoint kept " + Describe(*kept) +
                           " but another root: the ledger was rewritten");
      }
    } else {
      const std::string target = "/v1/proofs/consistency?first=" + std::to_string(kept->tree_size) +
                                 "&second=" + std::to_string(latest->tree_size);
      if (std::optional<Failure> failed = client.Request(http::verb::get, target, "", reply)) return failed;
      if (std::optional<Failure> failed = CheckConsistencyProof(reply.body, *kept, *latest)) return failed;
    }
    checked.push_back("consistent with kept size " + std::to_string(kept->tree_size));
  } else {
    checked.push_back("first audit, nothing kept to compare");
  }

  // (c) Every entry, recomputed from its canonical bytes.
  if (settings.full) {
    ledger::BundleChecker checker(settings.verifier);
    const std::string target = "/v1/export/bundle?to_seq=" + std::to_string(latest->tree_size - 1);
    std::optional<Failure> failed = client.StreamLines(
        target, ledger::kBundleLineBytesMax, latest->tree_size + 2,
        [&checker](std::string_view line) -> std::optional<Failure> {
          Result<void> added = checker.AddLine(line);
          if (!added) return CheckFailed("bundle verification FAILED: " + added.error().message);
          return std::nullopt;
        });
    if (failed) return failed;
    Result<ledger::BundleSummary> summary = checker.Finish();
    if (!summary) return CheckFailed("bundle verification FAILED: " + summary.error().message);
    if (summary->entries != latest->tree_size || summary->root != latest->root_hash ||
        summary->origin != origin) {
      return CheckFailed("bundle verification FAILED: the bundle covers " + std::to_string(summary->entries) +
                         " entries with root " + Hex(summary->root) + ", not the checkpoint " +
                         Describe(*latest));
    }
    checked.push_back("bundle of " + std::to_string(summary->entries) + " entries recomputed");
  }

  // (d) Everything passed: keep this checkpoint for next time.
  std::error_code ec;
  fs::create_directories(settings.state_dir, ec);
  if (ec) return UsageError("cannot create the state directory " + settings.state_dir.string());
  if (!WriteAtomically(settings.state_dir / kStateNote, note, 0644)) {
    return UsageError("cannot write " + (settings.state_dir / kStateNote).string());
  }
  std::string what;
  for (const std::string& item : checked) what += (what.empty() ? "" : "; ") + item;
  if (!AppendLine(settings.state_dir / kAuditLog,
                  UtcNow(true) + " " + origin + " size " + std::to_string(latest->tree_size) + " root " +
                      Hex(latest->root_hash) + " checked: " + what)) {
    return UsageError("cannot append to " + (settings.state_dir / kAuditLog).string());
  }

  // (e) Cosign only what was just proved consistent with what this auditor kept.
  std::string cosigned;
  if (settings.cosigner_key) {
    const auto now = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    const std::string line =
        ledger::CosignatureLine(*text, settings.cosigner_name, *settings.cosigner_key, now);
    const ledger::CosignerKey key{settings.cosigner_name,
                                  ledger::CosignerKeyId(settings.cosigner_name, settings.cosigner_key->public_key),
                                  settings.cosigner_key->public_key};
    const std::string vkey = ledger::FormatCosignerKey(key);
    const nlohmann::json body = {{"tree_size", latest->tree_size}, {"cosignature", line}};
    if (std::optional<Failure> failed =
            client.Request(http::verb::post, "/v1/checkpoint/cosignatures", body.dump(), reply)) {
      failed->reason = "the checks passed and were recorded in " + settings.state_dir.string() +
                       ", but cosigning failed: " + failed->reason +
                       " (the regency's jejak.conf must list: witness_key = " + vkey + ")";
      return failed;
    }
    std::printf("witness_key = %s\n", vkey.c_str());
    cosigned = "; cosigned as " + settings.cosigner_name;
    if (!AppendLine(settings.state_dir / kAuditLog, UtcNow(true) + " " + origin + " size " +
                                                        std::to_string(latest->tree_size) + " cosigned as " +
                                                        settings.cosigner_name)) {
      return UsageError("cannot append to " + (settings.state_dir / kAuditLog).string());
    }
  }
  std::printf("ok: %s size %llu root %s: %s%s\n", origin.c_str(),
              static_cast<unsigned long long>(latest->tree_size), Hex(latest->root_hash).c_str(),
              what.c_str(), cosigned.c_str());
  return std::nullopt;
}

constexpr const char* kAuditUsage =
    "usage: jejak audit --server https://HOST[:PORT] --token-file FILE --key VKEYFILE --state DIR\n"
    "                   [--full] [--cosign KEYFILE --cosigner-name NAME] [--ca-cert FILE]";

}  // namespace

int RunAudit(const std::vector<std::string>& args) {
  try {
    Options options;
    if (std::optional<Failure> failed =
            ParseOptions(args, {"server", "token-file", "key", "state", "cosign", "cosigner-name", "ca-cert"},
                         {"full"}, options)) {
      return Report(UsageError("audit: " + failed->reason + "\n" + kAuditUsage));
    }
    AuditSettings settings;
    if (std::optional<Failure> failed = LoadSettings(options, settings)) {
      return Report(UsageError("audit: " + failed->reason + "\n" + kAuditUsage));
    }
    if (std::optional<Failure> failed = Audit(settings)) {
      return Report({failed->exit_code, "audit: " + failed->reason});
    }
    return kExitOk;
  } catch (const std::exception& e) {
    return Report(UsageError(std::string("audit: internal error: ") + e.what()));
  }
}

int RunCosignerKey(const std::vector<std::string>& args) {
  try {
    Options options;
    if (std::optional<Failure> failed = ParseOptions(args, {"name", "out"}, {}, options)) {
      return Report(UsageError("cosigner-key: " + failed->reason));
    }
    std::optional<std::string> name = options.Get("name");
    std::optional<std::string> out = options.Get("out");
    if (!name || !out) return Report(UsageError("cosigner-key: --name NAME and --out KEYFILE are required"));
    if (!ledger::ValidKeyName(*name)) {
      return Report(UsageError("cosigner-key: --name must be a key name such as bpk.go.id/auditor-1 "
                               "(no spaces, no '+')"));
    }
    const crypto::PrivateKey key = crypto::GenerateKey();
    const std::string pem = crypto::PrivateKeyToPem(key);
    // O_EXCL: an existing key is never replaced; 0600: the witness key is a secret.
    const int fd = ::open(out->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Report(UsageError("cosigner-key: cannot create " + *out + " (it must not exist yet)"));
    const bool written = ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size()) &&
                         ::fsync(fd) == 0;
    if (::close(fd) != 0 || !written) {
      ::unlink(out->c_str());
      return Report(UsageError("cosigner-key: cannot write " + *out));
    }
    const ledger::CosignerKey cosigner{*name, ledger::CosignerKeyId(*name, key.public_key), key.public_key};
    std::printf("%s\n", ledger::FormatCosignerKey(cosigner).c_str());
    std::fprintf(stderr, "wrote %s; the regency lists this key in its jejak.conf as: witness_key = %s\n",
                 out->c_str(), ledger::FormatCosignerKey(cosigner).c_str());
    return kExitOk;
  } catch (const std::exception& e) {
    return Report(UsageError(std::string("cosigner-key: internal error: ") + e.what()));
  }
}

}  // namespace jejak::server
