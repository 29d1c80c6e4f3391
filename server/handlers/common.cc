// Helpers shared by the route handlers in server/handlers/.
#include "server/handlers/common.h"

#include <chrono>
#include <limits>
#include <regex>

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "ledger/canonical.h"
#include "ledger/entry.h"
#include "ledger/limits.h"
#include "server/clock.h"

namespace jejak::server {
namespace {

using nlohmann::json;

HttpResponse Json(int status, const json& body) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return response;
}

std::string Today() { return NowRfc3339().substr(0, 10); }

}  // namespace

HttpResponse JsonOk(const json& body) { return Json(200, body); }
HttpResponse JsonCreated(const json& body) { return Json(201, body); }

Error Unavailable(std::string message) { return Error{Code::kUnavailable, std::move(message), {}}; }
Error NotFound(std::string message) { return Error{Code::kNotFound, std::move(message), {}}; }
Error NoQueryParameters() { return InvalidArgument("this route takes no query parameters"); }

Error NoCheckpointYet() { return Error{Code::kUnavailable, "the ledger has no checkpoint yet", {}}; }

std::vector<std::string> HexList(const std::vector<ledger::Digest>& digests) {
  std::vector<std::string> hex;
  hex.reserve(digests.size());
  for (const ledger::Digest& digest : digests) hex.push_back(crypto::ToHex(digest));
  return hex;
}

Result<json> ParseJsonBody(const HttpRequest& request) {
  Result<json> body = ledger::ParseStrict(request.body);
  if (!body) return body.error();
  if (!body->is_object()) return InvalidArgument("the body must be a JSON object");
  return body;
}

std::string RequestHash(const std::string& method, const std::string& path, const json& body) {
  return crypto::ToHex(crypto::Sha256(method + " " + path + "\n" + ledger::Canonicalize(body)));
}

Result<json> EntryJson(std::int64_t seq, const std::string& canonical) {
  Result<json> parsed = ledger::ParseStrict(canonical);
  if (!parsed) {
    return Error{Code::kDataLoss, "stored entry " + std::to_string(seq) + " is not JSON", {}};
  }
  return std::move(parsed).value();
}

bool MatchesOpdCode(const std::string& code) {
  static const std::regex pattern(R"(\d\.\d{2}\.\d\.\d{2}\.\d\.\d{2}\.\d{2}\.\d{4})");
  return std::regex_match(code, pattern);
}

bool IsDate(const std::string& text) {
  static const std::regex pattern(R"(\d{4}-\d{2}-\d{2})");
  return std::regex_match(text, pattern);
}

bool IsRealDate(const std::string& text) {
  if (!IsDate(text)) return false;
  const int year = std::stoi(text.substr(0, 4));
  const unsigned month = static_cast<unsigned>(std::stoi(text.substr(5, 2)));
  const unsigned day = static_cast<unsigned>(std::stoi(text.substr(8, 2)));
  return std::chrono::year_month_day(std::chrono::year(year), std::chrono::month(month),
                                     std::chrono::day(day))
      .ok();
}

bool IsMappingName(const std::string& name) {
  constexpr std::size_t kMappingNameBytesMax = 64;
  if (name.empty() || name.size() > kMappingNameBytesMax) return false;
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

Result<std::int64_t> RequiredFiscalYear(const Query& query) {
  Result<std::optional<std::int64_t>> year =
      query.Integer("fiscal_year", ledger::kFiscalYearMin, ledger::kFiscalYearMax);
  if (!year) return year.error();
  if (!year->has_value()) return InvalidArgument("missing parameter", {{"fiscal_year", "required"}});
  return **year;
}

Result<std::optional<std::string>> OpdFilter(const Query& query) {
  std::optional<std::string> opd = query.Text("opd");
  if (opd && !MatchesOpdCode(*opd)) {
    return InvalidArgument("bad filter", {{"opd", "not an OPD unit code"}});
  }
  return opd;
}

Result<std::string> AsOfDate(const Query& query) {
  std::string as_of = query.Text("as_of").value_or(Today());
  if (!IsRealDate(as_of)) return InvalidArgument("bad as_of", {{"as_of", "must be a date YYYY-MM-DD"}});
  return as_of;
}

Result<ReportScope> ResolveReportScope(const Query& query, db::Store& store) {
  Result<std::optional<std::int64_t>> asked =
      query.Integer("tree_size", 1, std::numeric_limits<std::int64_t>::max());
  if (!asked) return asked.error();
  Result<std::uint64_t> size = store.TreeSize();
  if (!size) return size.error();
  if (*size == 0) return NoCheckpointYet();
  ReportScope scope;
  scope.tree_size = *size;
  if (*asked) {
    if (static_cast<std::uint64_t>(**asked) > *size) {
      return InvalidArgument("bad tree_size",
                             {{"tree_size", "is past the ledger's size " + std::to_string(*size)}});
    }
    scope.tree_size = static_cast<std::uint64_t>(**asked);
  }
  if (std::optional<std::string> as_of = query.Text("as_of")) {
    if (!IsRealDate(*as_of)) return InvalidArgument("bad as_of", {{"as_of", "must be a date YYYY-MM-DD"}});
    scope.as_of = *as_of;
  } else if (*asked) {
    Result<ledger::EntryColumns> last = store.Columns(static_cast<std::int64_t>(scope.tree_size) - 1);
    if (!last) return last.error();
    scope.as_of = last->recorded_at.substr(0, 10);
  } else {
    scope.as_of = Today();
  }
  Result<ledger::Digest> root = store.TreeHash(scope.tree_size);
  if (!root) return root.error();
  scope.root_hash = crypto::ToHex(*root);
  return scope;
}

}  // namespace jejak::server
