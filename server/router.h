// The route table: each route is a method, a path pattern, the roles allowed (none: no
// token needed) and a handler. The router matches the path, then checks the method, the
// bearer token, the role and (for JSON bodies) the media type and Idempotency-Key, in that
// order and in one place, before the handler runs. Handlers live in server/handlers/.
#pragma once

#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "base/result.h"
#include "server/auth.h"
#include "server/context.h"
#include "server/http.h"
#include "server/request.h"

namespace jejak::server {

// What one request's log line says about it.
struct RequestLog {
  std::string request_id;
  std::string path;
  std::string route = "unmatched";  // The route's name: its pattern, e.g. "/v1/entries/{seq}".
  std::string sub;
  std::string role;
};

// One request as a handler sees it, after the router's checks. References live until the
// handler returns; `respond` may be copied and called later (exactly once per request).
struct Call {
  const HttpRequest& request;
  const std::string& path;    // Decoded path, as requested.
  const std::string& route;   // The matched route's name.
  const Query query;
  std::optional<Actor> actor;  // Set iff the route takes a token.
  std::string seq_text;        // The {seq} of the path, when the pattern has one: 1 to 18 digits.
  std::string id_text;         // The {id} of the path, when the pattern has one: 1 to 64 letters or digits.
  const Responder& respond;

  void Respond(HttpResponse response) const { respond(std::move(response)); }
  // Answers with ProblemOf(error).
  void Fail(const Error& error) const;
};

using RouteHandler = void (*)(ServiceContext& context, const Call& call);

struct Route {
  const char* method;       // "GET" or "POST".
  std::string pattern;      // A literal path, or one with a "{seq}" or an "{id}" segment.
  std::string name;         // For logs and metrics; empty: the pattern.
  std::vector<Role> roles;  // Who may call it; empty: public, no token read.
  bool json_body = false;   // The body must be application/json; Idempotency-Key checked.
  RouteHandler handler = nullptr;
};

class Router {
 public:
  // `routes` in matching order; routes sharing a pattern must be adjacent.
  explicit Router(std::vector<Route> routes);

  // Finds the route for `target`, names it in `log`, checks the method (405 with Allow),
  // the token (401), the role (403) and a JSON body (415, 400), then runs the handler.
  // An unknown path is 404. Answers through `respond` exactly once, perhaps later.
  void Dispatch(ServiceContext& context, const HttpRequest& request, const Target& target,
                RequestLog& log, const Responder& respond) const;

 private:
  struct Compiled {
    Route route;
    std::optional<std::regex> pattern;  // Set iff the pattern has a "{seq}" or an "{id}".
    bool id_segment = false;            // The pattern's segment is "{id}".
  };
  std::vector<Compiled> routes_;
};

// Every route of the service, in matching order (server/handlers/).
std::vector<Route> ServiceRoutes();

}  // namespace jejak::server
