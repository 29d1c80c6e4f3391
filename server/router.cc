// The route table's matching and its guards, written once for every route.
#include "server/router.h"

#include <cctype>
#include <chrono>

#include "base/check.h"
#include "ledger/messages_id.h"
#include "server/limits.h"
#include "server/problem.h"

namespace jejak::server {
namespace {

constexpr std::string_view kSeqSegment = "{seq}";
// A finding's id (ledger::FindingId): the handler checks its exact shape, so that a
// mistyped id is a 404 naming the finding, not a missing route.
constexpr std::string_view kIdSegment = "{id}";

bool IsJsonContentType(const HttpRequest& request) {
  auto found = request.headers.find("content-type");
  if (found == request.headers.end()) return false;
  std::string value = found->second;
  for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string media = value.substr(0, value.find(';'));
  std::string trimmed = media;
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.pop_back();
  if (trimmed != "application/json") return false;
  const std::size_t charset = value.find("charset=");
  return charset == std::string::npos || value.compare(charset + 8, 5, "utf-8") == 0;
}

// Nullopt if the request has no Idempotency-Key or a valid one; else why it is invalid.
std::optional<std::string> BadIdempotencyKey(const HttpRequest& request) {
  auto key = request.headers.find("idempotency-key");
  if (key == request.headers.end()) return std::nullopt;
  const std::string& value = key->second;
  if (value.empty() || value.size() > kIdempotencyKeyBytesMax) {
    return "Idempotency-Key must be 1 to " + std::to_string(kIdempotencyKeyBytesMax) + " characters";
  }
  for (char c : value) {
    if (c < 0x21 || c > 0x7e) return std::string("Idempotency-Key must be printable ASCII");
  }
  return std::nullopt;
}

Result<Actor> Authenticate(const ServiceContext& context, const HttpRequest& request,
                           RequestLog& log) {
  auto header = request.headers.find("authorization");
  if (header == request.headers.end()) {
    return Error{Code::kUnauthenticated, "missing Authorization: Bearer token", {}};
  }
  Result<Actor> actor =
      context.authenticator.Authenticate(header->second, std::chrono::system_clock::now());
  if (actor) {
    log.sub = actor->sub;
    log.role = RoleName(actor->role);
  }
  return actor;
}

// "GET or POST" for the detail, "GET, POST" for the Allow header.
HttpResponse WrongMethod(const std::vector<const char*>& methods, const std::string& path) {
  std::string listed;
  std::string allow;
  for (std::size_t i = 0; i < methods.size(); ++i) {
    listed += (i == 0 ? "" : " or ") + std::string(methods[i]);
    allow += (i == 0 ? "" : ", ") + std::string(methods[i]);
  }
  return MethodNotAllowed("use " + listed + " on " + path, allow);
}

}  // namespace

void Call::Fail(const Error& error) const { respond(ProblemOf(error)); }

Router::Router(std::vector<Route> routes) {
  for (Route& route : routes) {
    JEJAK_CHECK(route.handler != nullptr);
    Compiled compiled{std::move(route), std::nullopt, false};
    if (compiled.route.name.empty()) compiled.route.name = compiled.route.pattern;
    const std::size_t seq = compiled.route.pattern.find(kSeqSegment);
    const std::size_t id = compiled.route.pattern.find(kIdSegment);
    if (seq != std::string::npos) {
      // 18 digits always fit an int64 seq.
      std::string expression = compiled.route.pattern;
      expression.replace(seq, kSeqSegment.size(), R"((\d{1,18}))");
      compiled.pattern.emplace(expression);
    } else if (id != std::string::npos) {
      std::string expression = compiled.route.pattern;
      expression.replace(id, kIdSegment.size(), R"(([0-9A-Za-z]{1,64}))");
      compiled.pattern.emplace(expression);
      compiled.id_segment = true;
    }
    routes_.push_back(std::move(compiled));
  }
}

void Router::Dispatch(ServiceContext& context, const HttpRequest& request, const Target& target,
                      RequestLog& log, const Responder& plain) const {
  // Accept-Language preferring id: every problem answered below is in Indonesian.
  const auto language = request.headers.find("accept-language");
  const bool indonesian =
      language != request.headers.end() && ledger::PrefersIndonesian(language->second);
  const Responder respond =
      indonesian ? Responder([plain](HttpResponse response) { plain(LocalizeProblem(std::move(response))); })
                 : plain;
  const std::string& path = target.path;
  std::vector<const Compiled*> matched;
  std::string seq_text;
  std::string id_text;
  for (const Compiled& compiled : routes_) {
    if (!matched.empty()) {
      if (compiled.route.pattern != matched.front()->route.pattern) break;
      matched.push_back(&compiled);
      continue;
    }
    std::smatch match;
    if (compiled.pattern ? std::regex_match(path, match, *compiled.pattern)
                         : path == compiled.route.pattern) {
      if (compiled.pattern) (compiled.id_segment ? id_text : seq_text) = match[1].str();
      matched.push_back(&compiled);
    }
  }
  if (matched.empty()) {
    return respond(ProblemOf(Error{Code::kNotFound, "no route for " + path, {}}));
  }
  log.route = matched.front()->route.name;
  const Route* route = nullptr;
  std::vector<const char*> methods;
  for (const Compiled* compiled : matched) {
    methods.push_back(compiled->route.method);
    if (request.method == compiled->route.method) route = &compiled->route;
  }
  if (route == nullptr) return respond(WrongMethod(methods, path));
  Call call{request, path, log.route, Query(target.query), std::nullopt, seq_text, id_text, respond};
  if (!route->roles.empty()) {
    Result<Actor> actor = Authenticate(context, request, log);
    if (!actor) return call.Fail(actor.error());
    bool allowed = false;
    for (Role role : route->roles) allowed = allowed || actor->role == role;
    if (!allowed) {
      return call.Fail(Error{Code::kPermissionDenied,
                             std::string("role ") + RoleName(actor->role) + " may not use " +
                                 log.route,
                             {}});
    }
    call.actor = std::move(actor).value();
  }
  // A body that is not JSON is refused before it is read (415), as is a bad key.
  if (route->json_body) {
    if (!IsJsonContentType(request)) {
      return respond(UnsupportedMediaType("Content-Type must be application/json (UTF-8)"));
    }
    if (std::optional<std::string> bad = BadIdempotencyKey(request)) {
      return call.Fail(InvalidArgument(*bad, {{"Idempotency-Key", *bad}}));
    }
  }
  route->handler(context, call);
}

}  // namespace jejak::server
