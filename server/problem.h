// The one mapping from an Error's Code to an HTTP status, and the one writer of RFC 9457
// problem+json bodies. Handlers and the router answer every failure through these, never
// with a status number of their own.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "base/result.h"
#include "server/http.h"

namespace jejak::server {

// The HTTP status of `code`: kInvalidArgument 400, kUnauthenticated 401, kPermissionDenied
// 403, kNotFound 404, kConflict 409, kTooLarge 413, kOutOfRange 422, kUnavailable 503,
// kDataLoss and kInternal 500.
int StatusOf(Code code);

// The problem+json answer to `error`. 5xx details other than kUnavailable stay generic for
// the client; the message goes to stderr as an "error" event. A 401 carries
// WWW-Authenticate: Bearer. Thread-safe.
HttpResponse ProblemOf(const Error& error);

// `response` for a reader of Indonesian: a problem+json body's "title", "detail" and each
// "errors[].message" through the catalog (ledger/messages_id.h; text without a template
// stays as it is), field names unchanged, and Content-Language: id. Other responses are
// returned unchanged.
HttpResponse LocalizeProblem(HttpResponse response);

// The title and detail of the transport's 413 for a body over `limit` bytes, in
// Indonesian if `accept_language` prefers it (the import page shows this one).
std::pair<std::string, std::string> TooLargeText(std::size_t limit, std::string_view accept_language);

// 405 with `detail` and the Allow header `allow` (e.g. "GET, POST").
HttpResponse MethodNotAllowed(const std::string& detail, const std::string& allow);

// 415 with `detail`: the body's media type is not one the route reads.
HttpResponse UnsupportedMediaType(const std::string& detail);

// 500 "internal error" without a log line: for callers that have logged the cause already.
HttpResponse InternalError();

// The body of a refusal by the transport itself (server/http.cc: malformed, too large,
// too many connections, shutting down), written before any route runs. Its members come in
// RFC 9457's order (type, title, status, detail) where ProblemOf's are sorted; both stay
// byte-for-byte what clients have always been sent.
std::string TransportProblemBody(int status, std::string_view title, std::string_view detail);

}  // namespace jejak::server
