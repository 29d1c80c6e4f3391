// RFC 9457 problem details for every failure the service answers.
#include "server/problem.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <vector>

#include "ledger/messages_id.h"

namespace jejak::server {
namespace {

using nlohmann::json;

const char* StatusTitle(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

// RFC 9457 problem details. 5xx details stay generic: the log has the rest.
HttpResponse Problem(int status, const std::string& detail,
                     const std::vector<FieldError>& fields = {}) {
  json body = {{"type", "about:blank"},
               {"title", StatusTitle(status)},
               {"status", status},
               {"detail", detail}};
  if (!fields.empty()) {
    json errors = json::array();
    for (const FieldError& field : fields) {
      errors.push_back({{"field", field.field}, {"message", field.message}});
    }
    body["errors"] = std::move(errors);
  }
  HttpResponse response;
  response.status = status;
  response.content_type = "application/problem+json";
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  if (status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
  return response;
}

}  // namespace

int StatusOf(Code code) {
  switch (code) {
    case Code::kInvalidArgument: return 400;
    case Code::kUnauthenticated: return 401;
    case Code::kPermissionDenied: return 403;
    case Code::kNotFound: return 404;
    case Code::kConflict: return 409;
    case Code::kTooLarge: return 413;
    case Code::kOutOfRange: return 422;
    case Code::kUnavailable: return 503;
    case Code::kDataLoss: return 500;
    case Code::kInternal: return 500;
  }
  return 500;
}

HttpResponse ProblemOf(const Error& error) {
  const int status = StatusOf(error.code);
  if (status >= 500 && error.code != Code::kUnavailable) {
    std::fprintf(stderr, "{\"event\":\"error\",\"code\":\"%s\",\"detail\":%s}\n",
                 CodeName(error.code), json(error.message).dump(-1, ' ', false, json::error_handler_t::replace).c_str());
    return Problem(status, error.code == Code::kDataLoss ? "stored data does not verify; operators are alerted"
                                                        : "internal error");
  }
  return Problem(status, error.message, error.fields);
}

HttpResponse LocalizeProblem(HttpResponse response) {
  if (response.content_type != "application/problem+json") return response;
  json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return response;
  for (const char* member : {"title", "detail"}) {
    if (body.contains(member) && body[member].is_string()) {
      body[member] = ledger::Indonesian(body[member].get<std::string>());
    }
  }
  for (const char* list : {"errors", "rows_errors"}) {
    if (!body.contains(list) || !body[list].is_array()) continue;
    for (json& error : body[list]) {
      if (error.is_object() && error.contains("message") && error["message"].is_string()) {
        error["message"] = ledger::Indonesian(error["message"].get<std::string>());
      }
    }
  }
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  response.headers.emplace_back("Content-Language", "id");
  return response;
}

std::pair<std::string, std::string> TooLargeText(std::size_t limit, std::string_view accept_language) {
  std::string title = "Payload Too Large";
  std::string detail = "the request body is larger than " + std::to_string(limit) + " bytes";
  if (!ledger::PrefersIndonesian(accept_language)) return {title, detail};
  return {ledger::Indonesian(title), ledger::Indonesian(detail)};
}

HttpResponse MethodNotAllowed(const std::string& detail, const std::string& allow) {
  HttpResponse response = Problem(405, detail);
  response.headers.emplace_back("Allow", allow);
  return response;
}

HttpResponse UnsupportedMediaType(const std::string& detail) { return Problem(415, detail); }

HttpResponse InternalError() { return Problem(500, "internal error"); }

std::string TransportProblemBody(int status, std::string_view title, std::string_view detail) {
  const auto quoted = [](std::string_view text) {
    return json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
  };
  return "{\"type\":\"about:blank\",\"title\":" + quoted(title) +
         ",\"status\":" + std::to_string(status) + ",\"detail\":" + quoted(detail) + "}";
}

}  // namespace jejak::server
