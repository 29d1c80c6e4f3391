// Helpers the route handlers share: JSON answers, the strict JSON body, the request hash
// for idempotency, stored entries as JSON, and the query parameters several summaries
// take. Failures are Errors; server/problem.h turns them into answers.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "db/store.h"
#include "ledger/merkle.h"
#include "server/http.h"
#include "server/request.h"

namespace jejak::server {

// 200 with `body` as compact JSON (invalid UTF-8 replaced).
HttpResponse JsonOk(const nlohmann::json& body);
// 201 with `body` as compact JSON.
HttpResponse JsonCreated(const nlohmann::json& body);

// kUnavailable (503) with `message`: the client may retry.
Error Unavailable(std::string message);
// kNotFound (404) with `message`.
Error NotFound(std::string message);
// kInvalidArgument: the route takes no query parameters and some were given.
Error NoQueryParameters();
// kUnavailable: no checkpoint has been signed yet (a ledger before its first commit).
Error NoCheckpointYet();

std::vector<std::string> HexList(const std::vector<ledger::Digest>& digests);

// The request body as a JSON object, parsed strictly (ledger::ParseStrict).
// kInvalidArgument otherwise.
Result<nlohmann::json> ParseJsonBody(const HttpRequest& request);

// The hash an Idempotency-Key is bound to: method, path and the canonical body.
std::string RequestHash(const std::string& method, const std::string& path,
                        const nlohmann::json& body);

// The stored bytes as JSON. The store wrote them after validating them, but the database
// is a file anyone with access can edit: unreadable bytes are kDataLoss, not an abort.
Result<nlohmann::json> EntryJson(std::int64_t seq, const std::string& canonical);

bool MatchesOpdCode(const std::string& code);
// A saved mapping's name (imports, bank statements): 1 to 64 bytes, no control characters.
bool IsMappingName(const std::string& name);
// YYYY-MM-DD in shape; IsRealDate also checks that the day exists.
bool IsDate(const std::string& text);
bool IsRealDate(const std::string& text);

// fiscal_year, required, within the ledger's years.
Result<std::int64_t> RequiredFiscalYear(const Query& query);
// opd, optional, an OPD unit code.
Result<std::optional<std::string>> OpdFilter(const Query& query);
// as_of: a real date, today when absent.
Result<std::string> AsOfDate(const Query& query);

// What a report (absorption, findings, workpapers, reconciliation) covers: the first
// `tree_size` entries of the ledger, looked at from `as_of`, named by the Merkle root of
// those entries so that a reader can match it to a signed checkpoint.
struct ReportScope {
  std::uint64_t tree_size = 0;
  std::string as_of;      // YYYY-MM-DD.
  std::string root_hash;  // Lowercase hex RFC 9162 root of the first tree_size entries.
};

// Resolves the `tree_size` and `as_of` query parameters of a report. tree_size: 1 to the
// ledger's size (400 naming tree_size otherwise); absent, the newest checkpoint's size
// (every commit signs one, so that is the committed size). as_of: a real date; absent, the
// UTC date of the last covered entry's recorded_at when tree_size was given (so that the
// same URL gives the same report forever), else today.
Result<ReportScope> ResolveReportScope(const Query& query, db::Store& store);

}  // namespace jejak::server
