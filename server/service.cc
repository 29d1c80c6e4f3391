#include "server/service.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <pthread.h>
#include <sys/resource.h>
#include <cstdio>
#include <limits>
#include <ctime>
#include <fstream>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "crypto/sha256.h"
#include "crypto/tls/context.h"
#include "db/kept_checkpoint.h"
#include "db/store.h"
#include "ledger/absorption.h"
#include "ledger/audit.h"
#include "ledger/bundle.h"
#include "ledger/canonical.h"
#include "ledger/cosignature.h"
#include "ledger/money.h"
#include "ledger/entry.h"
#include "ledger/limits.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "server/auth.h"
#include "server/clock.h"
#include "server/dashboard.h"
#include "server/metrics.h"
#include "server/openapi.h"
#include "server/workpapers.h"
#include "server/writer.h"

namespace jejak::server {
namespace {

using nlohmann::json;

// An Idempotency-Key longer than this is not a key.
constexpr std::size_t kIdempotencyKeyBytesMax = 128;
// Query strings longer than this are refused before parsing.
constexpr std::size_t kQueryBytesMax = 4096;
constexpr std::size_t kPageEntriesDefault = 100;
// A findings count lists at most this many of the seqs behind it.
constexpr std::size_t kDrillDownSeqsMax = 500;
static_assert(kPageEntriesDefault <= ledger::kPageEntriesMax);

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

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

HttpResponse Json(int status, const json& body) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return response;
}

std::vector<std::string> HexList(const std::vector<ledger::Digest>& digests) {
  std::vector<std::string> hex;
  hex.reserve(digests.size());
  for (const ledger::Digest& digest : digests) hex.push_back(crypto::ToHex(digest));
  return hex;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding ("+" is a space in query strings). Nullopt for a bad escape.
std::optional<std::string> Decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = HexValue(text[i + 1]);
      const int low = HexValue(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (text[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

struct Target {
  std::string path;
  std::map<std::string, std::string> query;
};

Result<Target> ParseTarget(const std::string& target) {
  Target parsed;
  const std::size_t question = target.find('?');
  parsed.path = target.substr(0, question);
  if (parsed.path.empty() || parsed.path[0] != '/') return InvalidArgument("bad request target");
  if (question == std::string::npos) return parsed;
  const std::string_view query = std::string_view(target).substr(question + 1);
  if (query.size() > kQueryBytesMax) return InvalidArgument("query string too long");
  std::size_t begin = 0;
  while (begin <= query.size()) {
    std::size_t end = query.find('&', begin);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(begin, end - begin);
    if (!pair.empty()) {
      const std::size_t equals = pair.find('=');
      std::optional<std::string> name = Decode(pair.substr(0, equals));
      std::optional<std::string> value =
          Decode(equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1));
      if (!name || !value) return InvalidArgument("bad percent-encoding in the query string");
      if (parsed.query.count(*name)) {
        return InvalidArgument("query parameter given twice", {{*name, "given twice"}});
      }
      parsed.query[*name] = *value;
    }
    begin = end + 1;
  }
  return parsed;
}

// Query parameters of one route: rejects unknown ones, parses integers strictly.
class Query {
 public:
  Query(const std::map<std::string, std::string>& values) : values_(values) {}  // NOLINT

  Result<void> Allow(std::initializer_list<const char*> names) const {
    for (const auto& [name, value] : values_) {
      bool known = false;
      for (const char* allowed : names) known = known || name == allowed;
      if (!known) return InvalidArgument("unknown query parameter", {{name, "unknown parameter"}});
    }
    return Ok();
  }
  std::optional<std::string> Text(const std::string& name) const {
    auto found = values_.find(name);
    if (found == values_.end()) return std::nullopt;
    return found->second;
  }
  // Nullopt value if absent; an Error if present but not an integer in [min, max].
  Result<std::optional<std::int64_t>> Integer(const std::string& name, std::int64_t min,
                                              std::int64_t max) const {
    auto found = values_.find(name);
    if (found == values_.end()) return std::optional<std::int64_t>();
    const std::string& text = found->second;
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    const std::from_chars_result parsed = std::from_chars(text.data(), end, value);
    if (text.empty() || parsed.ptr != end || parsed.ec == std::errc::invalid_argument ||
        (text[0] == '-' && text.size() > 1 && text[1] == '0') ||
        (text[0] == '0' && text.size() > 1)) {
      return InvalidArgument("not an integer", {{name, "must be an integer"}});
    }
    if (parsed.ec == std::errc::result_out_of_range || value < min || value > max) {
      return InvalidArgument("out of range", {{name, "must be from " + std::to_string(min) +
                                                         " to " + std::to_string(max)}});
    }
    return std::optional<std::int64_t>(value);
  }

 private:
  const std::map<std::string, std::string>& values_;
};

bool MatchesOpdCode(const std::string& code) {
  static const std::regex pattern(R"(\d\.\d{2}\.\d\.\d{2}\.\d\.\d{2}\.\d{2}\.\d{4})");
  return std::regex_match(code, pattern);
}

bool IsDate(const std::string& text) {
  static const std::regex pattern(R"(\d{4}-\d{2}-\d{2})");
  return std::regex_match(text, pattern);
}


std::string Today() { return NowRfc3339().substr(0, 10); }

bool IsRealDate(const std::string& text) {
  if (!IsDate(text)) return false;
  const int year = std::stoi(text.substr(0, 4));
  const unsigned month = static_cast<unsigned>(std::stoi(text.substr(5, 2)));
  const unsigned day = static_cast<unsigned>(std::stoi(text.substr(8, 2)));
  return std::chrono::year_month_day(std::chrono::year(year), std::chrono::month(month),
                                     std::chrono::day(day))
      .ok();
}

json OptionalMoney(const std::optional<std::int64_t>& sen) {
  return sen ? json(ledger::FormatMoney(*sen)) : json(nullptr);
}

json OptionalPercent(const std::optional<std::int64_t>& basis_points) {
  return basis_points ? json(ledger::FormatBasisPoints(*basis_points)) : json(nullptr);
}

json AbsorptionJson(const ledger::Absorption& row, std::int64_t year) {
  json monthly = json::array();
  for (std::size_t m = 0; m < 12; ++m) {
    char month[8];
    std::snprintf(month, sizeof month, "%04lld-%02zu", static_cast<long long>(year), m + 1);
    monthly.push_back({{"month", month},
                       {"realisation", OptionalMoney(row.monthly_sen[m])},
                       {"plan", row.plan_sen ? json(ledger::FormatMoney((*row.plan_sen)[m])) : json(nullptr)}});
  }
  json groups = json::object();
  for (const auto& [group, amounts] : row.groups) {
    groups[group] = {{"pagu", ledger::FormatMoney(amounts.first)},
                     {"realisation", ledger::FormatMoney(amounts.second)}};
  }
  json instruments = json::object();
  for (const auto& [name, amounts] : row.instruments) {
    instruments[name] = {{"amount", ledger::FormatMoney(amounts.amount_sen)}, {"count", amounts.entries}};
  }
  json out = {{"pagu", ledger::FormatMoney(row.pagu_sen)},
              {"realisation", ledger::FormatMoney(row.realisation_sen)},
              {"remaining", ledger::FormatMoney(row.remaining_sen)},
              {"percent", OptionalPercent(row.percent_basis_points)},
              {"monthly", std::move(monthly)},
              {"planned_pagu", ledger::FormatMoney(row.planned_pagu_sen)},
              {"deviation_percent", OptionalPercent(row.deviation_basis_points)},
              {"band", row.band ? json(ledger::BandName(*row.band)) : json(nullptr)},
              {"account_groups", std::move(groups)},
              {"non_cash",
               {{"amount", ledger::FormatMoney(row.non_cash.amount_sen)},
                {"count", row.non_cash.entries},
                {"share_percent", OptionalPercent(row.non_cash_share_basis_points)},
                {"cash", {{"amount", ledger::FormatMoney(row.cash.amount_sen)}, {"count", row.cash.entries}}},
                {"by_instrument", std::move(instruments)}}}};
  if (!row.opd.empty()) {
    out["opd"] = row.opd;
    out["name"] = row.name;
  }
  return out;
}

// Read-only stores for the worker threads; SOCI sessions are not thread-safe.
class StorePool {
 public:
  StorePool(std::string database, std::string kept_checkpoint)
      : database_(std::move(database)), kept_checkpoint_(std::move(kept_checkpoint)) {}

  class Lease {
   public:
    Lease(StorePool* pool, std::unique_ptr<db::Store> store) : pool_(pool), store_(std::move(store)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (store_) pool_->Release(std::move(store_));
    }
    db::Store* operator->() { return store_.get(); }
    db::Store& get() { return *store_; }

   private:
    StorePool* pool_;
    std::unique_ptr<db::Store> store_;
  };

  Result<Lease> Acquire() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        std::unique_ptr<db::Store> store = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(store));
      }
    }
    Result<std::unique_ptr<db::Store>> store =
        db::Store::Open({database_, std::nullopt, kept_checkpoint_});
    if (!store) return store.error();
    return Lease(this, std::move(store).value());
  }

 private:
  void Release(std::unique_ptr<db::Store> store) {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(std::move(store));
  }

  std::string database_;
  std::string kept_checkpoint_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<db::Store>> idle_;
};

// The query parameters the summaries share.
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

// as_of: a real date, today when absent.
Result<std::string> AsOfDate(const Query& query) {
  std::string as_of = query.Text("as_of").value_or(Today());
  if (!IsRealDate(as_of)) return InvalidArgument("bad as_of", {{"as_of", "must be a date YYYY-MM-DD"}});
  return as_of;
}

// What one request's log line says about it.
struct RequestLog {
  std::string request_id;
  std::string path;
  std::string route = "unmatched";
  std::string sub;
  std::string role;
};

}  // namespace

struct Service::Impl {
  Config config;
  Authenticator authenticator;
  ledger::NoteVerifier verifier;
  Metrics metrics;
  StorePool reads;
  std::unique_ptr<AppendWriter> writer;
  // One whole verification at a time; a request waits this long for a running one.
  std::timed_mutex verify_mutex;
  static constexpr std::chrono::seconds kVerifyWaitMax{30};
  std::mutex export_mutex;  // One workpaper export at a time.
  ledger::AuditRules audit_rules;
  ledger::NoteSigner signer;                   // For checkpoints of exported bundles.

  // The latest whole-ledger verification (background or an auditor's), for
  // GET /v1/integrity.
  struct Verification {
    std::string state = "pending";  // pending, ok, failed.
    std::string at;
    std::uint64_t entries = 0;
    std::uint64_t tree_size = 0;  // Of the ledger verified.
    std::optional<ledger::Problem> problem;
  };
  std::mutex verification_mutex;
  Verification verification;
  std::atomic<bool> stopping{false};
  std::mutex background_mutex;
  std::condition_variable background_wake;
  std::thread background;

  void RecordVerification(const db::VerifyReport& report) {
    {
      std::lock_guard<std::mutex> lock(verification_mutex);
      verification.state = report.ok ? "ok" : "failed";
      verification.at = NowRfc3339();
      verification.entries = report.entries;
      verification.tree_size = report.entries;  // A whole-ledger pass checks every entry.
      verification.problem = report.problem;
    }
    if (!report.ok) SuspendAppends(*report.problem);
  }

  // Fail closed: a ledger found broken takes no more entries (they would chain onto the
  // damage). Reads and /v1/integrity keep working so that auditors can look; /readyz says
  // not ready; an alert is logged. Only a restart (which verifies again) lifts it.
  void SuspendAppends(const ledger::Problem& problem) {
    std::fprintf(stderr,
                 "{\"event\":\"verify.failed\",\"alert\":true,\"seq\":%lld,\"what\":%s,"
                 "\"appends\":\"suspended\"}\n",
                 static_cast<long long>(problem.seq),
                 json(problem.what).dump(-1, ' ', false, json::error_handler_t::replace).c_str());
    writer->Close("verification found a problem at seq " + std::to_string(problem.seq) + ": " +
                  problem.what);
  }

  // Verifies the whole ledger now and then every interval, until Stop().
  // The first pass runs at start-up while appends are held (AppendWriter::Hold): they
  // go through only once it passes.
  void BackgroundVerification(std::chrono::minutes interval) {
    for (;;) {
      {
        std::unique_lock<std::timed_mutex> running(verify_mutex);
        Result<StorePool::Lease> store = reads.Acquire();
        Result<db::VerifyReport> report =
            store ? (*store)->Verify(verifier, std::nullopt, &stopping)
                  : Result<db::VerifyReport>(store.error());
        if (report) {
          RecordVerification(*report);
        } else {
          // Verification could not run (storage, or stopping): nothing was found wrong,
          // so appends are not held hostage to it; the next pass tries again.
          std::fprintf(stderr, "{\"event\":\"verify.error\",\"error\":%s}\n",
                       json(report.error().message)
                           .dump(-1, ' ', false, json::error_handler_t::replace)
                           .c_str());
        }
        writer->Open();  // No-op once closed.
      }
      std::unique_lock<std::mutex> lock(background_mutex);
      if (background_wake.wait_for(lock, interval, [this]() { return stopping.load(); })) return;
    }
  }
  std::vector<ledger::CosignerKey> witnesses;  // Auditors' keys allowed to cosign.

  // `note` with the stored cosignature lines of its checkpoint appended.
  Result<std::string> WithCosignatures(db::Store& store, const std::string& note) {
    Result<ledger::Checkpoint> checkpoint = ledger::OpenCheckpoint(note, verifier);
    if (!checkpoint) return Error{Code::kDataLoss, "stored checkpoint does not verify", {}};
    Result<std::vector<std::string>> lines = store.Cosignatures(checkpoint->tree_size);
    if (!lines) return lines.error();
    std::string cosigned = note;
    for (const std::string& line : *lines) cosigned += line;
    return cosigned;
  }

  Impl(Config server_config, Authenticator auth, ledger::NoteVerifier note_verifier)
      : config(std::move(server_config)),
        authenticator(std::move(auth)),
        verifier(std::move(note_verifier)),
        reads(config.database, db::KeptCheckpointPath(config.data_dir)) {}

  void Handle(HttpRequest request, Responder respond);
  void Route(const HttpRequest& request, const Target& target, RequestLog& log,
             const Responder& respond);

  Result<Actor> Authenticate(const HttpRequest& request, RequestLog& log) {
    auto header = request.headers.find("authorization");
    if (header == request.headers.end()) {
      return Error{Code::kUnauthenticated, "missing Authorization: Bearer token", {}};
    }
    Result<Actor> actor = authenticator.Authenticate(header->second, std::chrono::system_clock::now());
    if (actor) {
      log.sub = actor->sub;
      log.role = RoleName(actor->role);
    }
    return actor;
  }

  void Append(const HttpRequest& request, const Actor& actor, std::shared_ptr<const json> body,
              const std::string& request_hash, const Responder& respond);
  HttpResponse EntryResponse(db::Store& store, const db::StoredEntry& entry);
};

namespace {

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

Result<json> ParseJsonBody(const HttpRequest& request) {
  Result<json> body = ledger::ParseStrict(request.body);
  if (!body) return body.error();
  if (!body->is_object()) return InvalidArgument("the body must be a JSON object");
  return body;
}

std::string RequestHash(const std::string& method, const std::string& path, const json& body) {
  return crypto::ToHex(crypto::Sha256(method + " " + path + "\n" + ledger::Canonicalize(body)));
}

// The stored bytes as JSON. The store wrote them after validating them, but the database
// is a file anyone with access can edit: unreadable bytes are kDataLoss, not an abort.
Result<json> EntryJson(std::int64_t seq, const std::string& canonical) {
  Result<json> parsed = ledger::ParseStrict(canonical);
  if (!parsed) {
    return Error{Code::kDataLoss, "stored entry " + std::to_string(seq) + " is not JSON", {}};
  }
  return std::move(parsed).value();
}

}  // namespace

void Service::Impl::Append(const HttpRequest& request, const Actor& actor,
                           std::shared_ptr<const json> body, const std::string& request_hash,
                           const Responder& respond) {
  db::PendingEntry pending{std::move(body), actor.sub, "", request_hash};
  auto key = request.headers.find("idempotency-key");
  if (key != request.headers.end()) pending.idempotency_key = key->second;
  Result<void> queued = writer->Submit(
      std::move(pending), request.received_at, [respond](Result<AppendResult> result) {
        if (!result) return respond(ProblemOf(result.error()));
        Result<json> entry = EntryJson(result->receipt.seq, result->receipt.canonical);
        if (!entry) return respond(ProblemOf(entry.error()));
        json response = {{"entry", std::move(entry).value()},
                         {"leaf_hash", crypto::ToHex(result->receipt.leaf_hash)},
                         {"chain_hash", crypto::ToHex(result->receipt.chain_hash)},
                         {"tree_size", result->tree_size},
                         {"checkpoint", result->checkpoint},
                         {"inclusion_proof", HexList(result->inclusion_proof)},
                         {"warnings", json::array()}};
        HttpResponse http = Json(201, response);
        http.headers.emplace_back("Location",
                                  "/v1/entries/" + std::to_string(result->receipt.seq));
        if (result->replayed) http.headers.emplace_back("Idempotent-Replayed", "true");
        respond(std::move(http));
      });
  if (!queued) respond(ProblemOf(queued.error()));
}

HttpResponse Service::Impl::EntryResponse(db::Store& store, const db::StoredEntry& entry) {
  Result<std::optional<std::string>> note = store.LatestCheckpoint();
  if (!note) return ProblemOf(note.error());
  if (!note->has_value()) return Problem(503, "the ledger has no checkpoint yet");
  Result<ledger::Checkpoint> checkpoint = ledger::OpenCheckpoint(**note, verifier);
  if (!checkpoint) return ProblemOf(Error{Code::kDataLoss, "latest checkpoint does not verify", {}});
  Result<std::vector<ledger::Digest>> proof =
      store.InclusionProof(static_cast<std::uint64_t>(entry.seq), checkpoint->tree_size);
  if (!proof) return ProblemOf(proof.error());
  Result<json> body = EntryJson(entry.seq, entry.canonical);
  if (!body) return ProblemOf(body.error());
  return Json(200, {{"entry", std::move(body).value()},
                    {"leaf_hash", crypto::ToHex(entry.leaf_hash)},
                    {"chain_hash", crypto::ToHex(entry.chain_hash)},
                    {"tree_size", checkpoint->tree_size},
                    {"checkpoint", **note},
                    {"inclusion_proof", HexList(*proof)}});
}

void Service::Impl::Handle(HttpRequest request, Responder respond) {
  // Shared with the asynchronous answer: Route() fills in the route and the caller before
  // it hands the request on, and `done` reads them when the answer comes.
  auto log = std::make_shared<RequestLog>();
  std::array<std::uint8_t, 8> id{};
  crypto::RandomBytes(id);
  log->request_id = crypto::ToHex(id);
  Result<Target> target = ParseTarget(request.target);
  log->path = target ? target->path : "-";
  auto answered = std::make_shared<std::atomic<bool>>(false);
  Responder done = [this, respond, log, answered, method = request.method,
                    received_at = request.received_at](HttpResponse response) {
    JEJAK_CHECK(!answered->exchange(true));  // Exactly one answer per request.
    response.headers.emplace_back("X-Request-Id", log->request_id);
    const double millis = std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - received_at)
                              .count();
    metrics.CountRequest(method, log->route, response.status);
    // One line per request. Never the token, the body or the query string.
    const json line = {{"time", NowRfc3339()},
                       {"request_id", log->request_id},
                       {"method", method},
                       {"path", log->path},
                       {"route", log->route},
                       {"status", response.status},
                       {"duration_ms", std::round(millis * 1000) / 1000},
                       {"sub", log->sub},
                       {"role", log->role}};
    std::fprintf(stdout, "%s\n", line.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
    std::fflush(stdout);
    respond(std::move(response));
  };
  if (!target) return done(ProblemOf(target.error()));
  // One catch-all per request: anything that escapes is a bug, answered with a 500.
  try {
    Route(request, *target, *log, done);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "{\"event\":\"handler.exception\",\"request_id\":\"%s\",\"error\":%s}\n",
                 log->request_id.c_str(),
                 json(e.what()).dump(-1, ' ', false, json::error_handler_t::replace).c_str());
    if (!answered->load()) done(Problem(500, "internal error"));
  }
}

void Service::Impl::Route(const HttpRequest& request, const Target& target, RequestLog& log,
                          const Responder& respond) {
  const std::string& path = target.path;
  const std::string& method = request.method;
  const Query query(target.query);
  auto only = [&](const char* allowed) -> bool {
    if (method == allowed) return true;
    HttpResponse response = Problem(405, "use " + std::string(allowed) + " on " + path);
    response.headers.emplace_back("Allow", allowed);
    respond(std::move(response));
    return false;
  };
  auto fail = [&](const Error& error) { respond(ProblemOf(error)); };
  // A body that is not JSON is refused before it is read (415), as is a bad key.
  auto check_post = [&]() -> bool {
    if (!IsJsonContentType(request)) {
      respond(Problem(415, "Content-Type must be application/json (UTF-8)"));
      return false;
    }
    if (std::optional<std::string> bad = BadIdempotencyKey(request)) {
      respond(Problem(400, *bad, {{"Idempotency-Key", *bad}}));
      return false;
    }
    return true;
  };
  auto need_role = [&](const Actor& actor, std::initializer_list<Role> roles) -> bool {
    for (Role role : roles) {
      if (actor.role == role) return true;
    }
    fail(Error{Code::kPermissionDenied,
               std::string("role ") + RoleName(actor.role) + " may not use " + log.route, {}});
    return false;
  };

  // The start of every authenticated route with one method: names the route for the log
  // and the metrics, then checks the method, the token and the role. On any failure it
  // has answered and returns nullopt.
  auto guard = [&](std::string route, const char* allowed,
                   std::initializer_list<Role> roles) -> std::optional<Actor> {
    log.route = std::move(route);
    if (!only(allowed)) return std::nullopt;
    Result<Actor> actor = Authenticate(request, log);
    if (!actor) {
      fail(actor.error());
      return std::nullopt;
    }
    if (!need_role(*actor, roles)) return std::nullopt;
    return std::move(actor).value();
  };

  if (path == "/healthz") {
    log.route = "/healthz";
    if (!only("GET")) return;
    return respond(Json(200, {{"status", "ok"}}));
  }
  if (path == "/readyz") {
    log.route = "/readyz";
    if (!only("GET")) return;
    Result<StorePool::Lease> store = reads.Acquire();
    if (!store) return respond(Problem(503, "database unavailable"));
    Result<std::uint64_t> size = (*store)->TreeSize();
    if (!size) return respond(Problem(503, "database unavailable"));
    // Ready means ready to record: not while appends are refused.
    if (std::optional<std::string> blocked = writer->Blocked()) {
      return respond(Problem(503, "not ready: " + *blocked));
    }
    return respond(Json(200, {{"status", "ready"}, {"tree_size", *size}}));
  }
  if (path == "/metrics") {
    log.route = "/metrics";
    if (!only("GET")) return;
    if (!config.metrics_from_any && !request.remote_is_loopback) {
      return fail(Error{Code::kPermissionDenied, "metrics are served to loopback only", {}});
    }
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics.Render(std::chrono::system_clock::now());
    return respond(std::move(response));
  }
  if (path == "/v1/openapi.yaml") {
    log.route = path;
    if (!only("GET")) return;
    HttpResponse response;
    response.content_type = "application/yaml";
    response.body = std::string(OpenApiYaml());
    return respond(std::move(response));
  }
  if (path == "/v1/checkpoint") {
    log.route = path;
    if (!only("GET")) return;
    if (Result<void> allowed = query.Allow({"tree_size"}); !allowed) return fail(allowed.error());
    Result<std::optional<std::int64_t>> size =
        query.Integer("tree_size", 1, std::numeric_limits<std::int64_t>::max());
    if (!size) return fail(size.error());
    Result<StorePool::Lease> store = reads.Acquire();
    if (!store) return fail(store.error());
    Result<std::optional<std::string>> note =
        size->has_value() ? (*store)->CheckpointAt(static_cast<std::uint64_t>(**size))
                          : (*store)->LatestCheckpoint();
    if (!note) return fail(note.error());
    if (!note->has_value()) {
      return respond(size->has_value()
                         ? Problem(404, "no checkpoint of tree size " + std::to_string(**size) +
                                            " (one is stored per commit)")
                         : Problem(503, "the ledger has no checkpoint yet"));
    }
    Result<std::string> cosigned = WithCosignatures(store->get(), **note);
    if (!cosigned) return fail(cosigned.error());
    HttpResponse response;
    response.content_type = "text/plain; charset=utf-8";
    response.body = std::move(cosigned).value();
    return respond(std::move(response));
  }

  if (path == "/v1/checkpoint/cosignatures") {
    std::optional<Actor> actor = guard(path, "POST", {Role::kAuditor});
    if (!actor) return;
    if (!check_post()) return;
    Result<json> body = ParseJsonBody(request);
    if (!body) return fail(body.error());
    std::vector<FieldError> errors;
    for (const auto& [name, value] : body->items()) {
      if (name != "tree_size" && name != "cosignature") errors.push_back({name, "unknown field"});
    }
    if (!body->contains("tree_size") || !(*body)["tree_size"].is_number_integer() ||
        (*body)["tree_size"].get<std::int64_t>() < 1) {
      errors.push_back({"tree_size", "required: the size of the checkpoint cosigned"});
    }
    if (!body->contains("cosignature") || !(*body)["cosignature"].is_string()) {
      errors.push_back({"cosignature", "required: one cosignature/v1 signature line"});
    }
    if (!errors.empty()) return fail(InvalidArgument("invalid cosignature", errors));
    const auto tree_size = (*body)["tree_size"].get<std::uint64_t>();
    std::string line = (*body)["cosignature"].get<std::string>();
    if (!line.empty() && line.back() != '\n') line += '\n';
    // "— <name> <base64>": the name picks the configured witness key.
    constexpr std::string_view kDash = "\xe2\x80\x94 ";
    const std::size_t name_end = line.find(' ', kDash.size());
    if (line.rfind(kDash, 0) != 0 || name_end == std::string::npos) {
      return fail(InvalidArgument("invalid cosignature",
                                  {{"cosignature", "not a signature line (— name base64)"}}));
    }
    const std::string cosigner = line.substr(kDash.size(), name_end - kDash.size());
    const ledger::CosignerKey* key = nullptr;
    for (const ledger::CosignerKey& witness : witnesses) {
      if (witness.name == cosigner) key = &witness;
    }
    if (key == nullptr) {
      return fail(Error{Code::kPermissionDenied,
                        "cosigner " + cosigner + " is not a witness key in the config", {}});
    }
    Result<StorePool::Lease> store = reads.Acquire();
    if (!store) return fail(store.error());
    Result<std::optional<std::string>> note = (*store)->CheckpointAt(tree_size);
    if (!note) return fail(note.error());
    if (!note->has_value()) {
      return fail(Error{Code::kNotFound, "no checkpoint of tree size " + std::to_string(tree_size), {}});
    }
    Result<std::string> text = ledger::OpenNote(**note, verifier);
    if (!text) return fail(Error{Code::kDataLoss, "stored checkpoint does not verify", {}});
    Result<ledger::Cosignature> checked = ledger::VerifyCosignatureLine(*text, line, *key);
    if (!checked) return fail(InvalidArgument(checked.error().message, {{"cosignature", checked.error().message}}));
    Result<void> stored = (*store)->AddCosignature(tree_size, cosigner, line);
    if (!stored) return fail(stored.error());
    Result<std::string> cosigned = WithCosignatures(store->get(), **note);
    if (!cosigned) return fail(cosigned.error());
    return respond(Json(201, {{"tree_size", tree_size},
                              {"cosigner", cosigner},
                              {"timestamp", checked->timestamp},
                              {"checkpoint", *cosigned}}));
  }

  if (path == "/v1/export/bundle") {
    std::optional<Actor> actor = guard(path, "GET", {Role::kAuditor});
    if (!actor) return;
    if (Result<void> allowed = query.Allow({"to_seq"}); !allowed) return fail(allowed.error());
    Result<StorePool::Lease> store = reads.Acquire();
    if (!store) return fail(store.error());
    Result<std::optional<std::string>> latest = (*store)->LatestCheckpoint();
    if (!latest) return fail(latest.error());
    if (!latest->has_value()) return respond(Problem(503, "the ledger has no checkpoint yet"));
    Result<ledger::Checkpoint> latest_checkpoint = ledger::OpenCheckpoint(**latest, verifier);
    if (!latest_checkpoint) return fail(Error{Code::kDataLoss, "latest checkpoint does not verify", {}});
    // Up to the latest checkpoint: entries committed later are not acknowledged by it yet.
    const auto max = static_cast<std::int64_t>(latest_checkpoint->tree_size) - 1;
    Result<std::optional<std::int64_t>> to = query.Integer("to_seq", 0, max);
    if (!to) return fail(to.error());
    const std::int64_t to_seq = to->value_or(max);
    const auto size = static_cast<std::uint64_t>(to_seq) + 1;
    // The checkpoint line: the stored one if a commit ended exactly there (with its
    // cosignatures), else a fresh one over the same stored tree.
    Result<std::optional<std::string>> stored = (*store)->CheckpointAt(size);
    if (!stored) return fail(stored.error());
    std::string note;
    if (stored->has_value()) {
      Result<std::string> cosigned = WithCosignatures(store->get(), **stored);
      if (!cosigned) return fail(cosigned.error());
      note = std::move(cosigned).value();
    } else {
      Result<db::StoredEntry> last = (*store)->Entry(to_seq);
      if (!last) return fail(last.error());
      Result<ledger::Digest> root = (*store)->TreeHash(size);
      if (!root) return fail(root.error());
      note = ledger::SignCheckpoint(
          ledger::Checkpoint{config.origin, size, *root, last->chain_hash, NowRfc3339()}, signer);
    }
    struct BundleStream {
      StorePool::Lease lease;
      std::string header;
      std::string checkpoint_line;
      std::int64_t next = 0;
      std::int64_t to_seq = 0;
      bool header_sent = false;
    };
    auto state = std::make_shared<BundleStream>(BundleStream{
        std::move(store).value(),
        ledger::BundleHeaderLine(config.origin, ledger::FormatVerifierKey(verifier)),
        ledger::BundleCheckpointLine(note), 0, to_seq, false});
    HttpResponse response;
    response.content_type = "application/x-ndjson";
    response.headers.emplace_back("Content-Disposition",
                                  "attachment; filename=\"jejak-bundle-" + std::to_string(size) + ".ndjson\"");
    response.headers.emplace_back("X-Jejak-Tree-Size", std::to_string(size));
    response.stream = [state](std::string& chunk) -> Result<bool> {
      if (!state->header_sent) {
        chunk += state->header + "\n";
        state->header_sent = true;
      }
      if (state->next <= state->to_seq) {
        db::EntryFilter filter;
        filter.after_seq = state->next - 1;
        filter.limit = ledger::kPageEntriesMax;
        Result<db::EntryPage> page = state->lease->ListEntries(filter);
        if (!page) return page.error();
        for (const db::StoredEntry& entry : page->entries) {
          if (entry.seq > state->to_seq) break;
          if (entry.seq != state->next) {
            return Error{Code::kDataLoss, "entry " + std::to_string(state->next) + " is missing", {}};
          }
          chunk += entry.canonical;
          chunk += '\n';
          ++state->next;
        }
        if (page->entries.empty()) return Error{Code::kDataLoss, "the ledger ends early", {}};
        if (state->next <= state->to_seq) return true;
      }
      chunk += state->checkpoint_line + "\n";
      return false;
    };
    return respond(std::move(response));
  }

  if (path == "/" || path == "/index.html" || path == "/assets/app.js" ||
      path == "/assets/style.css") {
    log.route = path == "/index.html" ? "/" : path;
    if (!only("GET")) return;
    HttpResponse response;
    if (path == "/assets/app.js") {
      response.content_type = "text/javascript; charset=utf-8";
      response.body = std::string(DashboardScript());
    } else if (path == "/assets/style.css") {
      response.content_type = "text/css; charset=utf-8";
      response.body = std::string(DashboardStyle());
    } else {
      response.content_type = "text/html; charset=utf-8";
      response.body = std::string(DashboardHtml());
    }
    // The page holds no data (it asks the API with the user's token), so it may be cached
    // briefly; it never runs anything from elsewhere.
    response.headers.emplace_back("Cache-Control", "no-cache");
    response.headers.emplace_back(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    response.headers.emplace_back("Referrer-Policy", "no-referrer");
    return respond(std::move(response));
  }

  if (path == "/v1/integrity") {
    std::optional<Actor> actor = guard(path, "GET", {Role::kOfficer, Role::kAuditor, Role::kExecutive});
    if (!actor) return;
    if (!target.query.empty()) return fail(InvalidArgument("this route takes no query parameters"));
    Result<StorePool::Lease> store = reads.Acquire();
    if (!store) return fail(store.error());
    Result<std::optional<std::string>> note = (*store)->LatestCheckpoint();
    if (!note) return fail(note.error());
    if (!note->has_value()) return respond(Problem(503, "the ledger has no checkpoint yet"));
    Result<ledger::Checkpoint> checkpoint = ledger::OpenCheckpoint(**note, verifier);
    if (!checkpoint) return fail(Error{Code::kDataLoss, "latest checkpoint does not verify", {}});
    json verified;
    {
      std::lock_guard<std::mutex> lock(verification_mutex);
      verified = {{"state", verification.state},
                  {"at", verification.at.empty() ? json(nullptr) : json(verification.at)},
                  {"entries", verification.entries},
                  {"tree_size", verification.tree_size},
                  {"problem", verification.problem
                                  ? json{{"seq", verification.problem->seq},
                                         {"what", verification.problem->what}}
                                  : json(nullptr)}};
    }
    return respond(Json(200, {{"origin", checkpoint->origin},
                              {"tree_size", checkpoint->tree_size},
                              {"root_hash", crypto::ToHex(checkpoint->root_hash)},
                              {"checkpoint_time", checkpoint->time},
                              {"verification", std::move(verified)}}));
  }

  // Everything below needs a token.
  static const std::regex entry_path(R"(/v1/entries/(\d{1,18}))");
  static const std::regex reversal_path(R"(/v1/entries/(\d{1,18})/reversal)");
  std::smatch match;

  if (path == "/v1/entries") {
    log.route = path;
    if (method != "GET" && method != "POST") {
      HttpResponse response = Problem(405, "use GET or POST on /v1/entries");
      response.headers.emplace_back("Allow", "GET, POST");
      return respond(std::move(response));
    }
    Result<Actor> actor = Authenticate(request, log);
    if (!actor) return fail(actor.error());
    if (method == "POST") {
      if (!need_role(*actor, {Role::kOfficer, Role::kAdmin})) return;
      if (!check_post()) return;
      Result<json> body = ParseJsonBody(request);
      if (!body) return fail(body.error());
      const json* kind_value = body->contains("kind") ? &(*body)["kind"] : nullptr;
      const std::string kind =
          kind_value != nullptr && kind_value->is_string() ? kind_value->get<std::string>() : "";
      const bool officer_kind = kind == "expenditure" || kind == "tax_deposit";
      const bool admin_kind = kind == "opd" || kind == "budget";
      if (kind == "reversal") {
        return fail(InvalidArgument("post reversals to /v1/entries/{seq}/reversal",
                                    {{"kind", "reversal has its own route"}}));
      }
      if (officer_kind && actor->role != Role::kOfficer) {
        return fail(Error{Code::kPermissionDenied, "only an officer records " + kind, {}});
      }
      if (admin_kind && actor->role != Role::kAdmin) {
        return fail(Error{Code::kPermissionDenied, "only an admin records " + kind, {}});
      }
      // Who may write is decided before what is written is examined: an officer's body
      // for another OPD is refused whatever else it holds. (A body without a string opd
      // fails validation below.)
      const auto opd = body->find("opd");
      const bool other_opd = opd != body->end() && opd->is_string() &&
                             opd->get_ref<const std::string&>() != actor->opd;
      if (actor->role == Role::kOfficer && other_opd) {
        return fail(Error{Code::kPermissionDenied,
                          "an officer of " + actor->opd + " may not record for another OPD", {}});
      }
      Result<json> valid = ledger::ValidateBody(*body);
      if (!valid) return fail(valid.error());
      const std::string hash = RequestHash(method, path, *valid);
      return Append(request, *actor, std::make_shared<const json>(std::move(valid).value()), hash,
                    respond);
    }
    if (!need_role(*actor, {Role::kOfficer, Role::kAuditor, Role::kExecutive})) return;
    if (Result<void> allowed = query.Allow({"opd", "fiscal_year", "kind", "account", "from", "to",
                                            "after_seq", "limit"});
        !allowed) {
      return fail(allowed.error());
    }
    db::EntryFilter filter;
    filter.opd = query.Text("opd");
    if (filter.opd && !MatchesOpdCode(*filter.opd)) {
      return fail(InvalidArgument("bad filter", {{"opd", "not an OPD unit code"}}));
    }
    if (actor->role == Role::kOfficer) {
      if (filter.opd && *filter.opd != actor->opd) {
        return fail(Error{Code::kPermissionDenied, "an officer reads only their own OPD", {}});
      }
      filter.opd = actor->opd;
    }
    Result<std::optional<std::int64_t>> year =
        query.Integer("fiscal_year", ledger::kFiscalYearMin, ledger::kFiscalYearMax);
    if (!year) return fail(year.error());
    filter.fiscal_year = *year;
    filter.kind = query.Text("kind");
    if (filter.kind && !ledger::ParseKind(*filter.kind)) {
      return fail(InvalidArgument("bad filter", {{"kind", "unknown kind"}}));
    }
    filter.account = query.Text("account");
    if (filter.account && filter.account->size() > ledger::kIdentifierBytesMax) {
      return fail(InvalidArgument("bad filter", {{"account", "too long"}}));
    }
    filter.from = query.Text("from");
    filter.to = query.Text("to");
    if (filter.from && !IsDate(*filter.from)) {
      return fail(InvalidArgument("bad filter", {{"from", "must be YYYY-MM-DD"}}));
    }
    if (filter.to && !IsDate(*filter.to)) {
      return fail(InvalidArgument("bad filter", {{"to", "must be YYYY-MM-DD"}}));
    }
    Result<std::optional<std::int64_t>> after =
        query.Integer("after_seq", -1, std::numeric_limits<std::int64_t>::max() - 1);
    if (!after) return fail(after.error());
    filter.after_seq = after->value_or(-1);
    Result<std::optional<std::int64_t>> limit =
        query.Integer("limit", 1, static_cast<std::int64_t>(ledger::kPageEntriesMax));
    if (!limit) return fail(limit.error());
    filter.limit = static_cast<std::size_t>(limit->value_or(kPageEntriesDefault));
    Result<StorePool::Lease> store = reads.Acquire();
    if (!store) return fail(store.error());
    Result<db::EntryPage> page = (*store)->ListEntries(filter);
    if (!page) return fail(page.error());
    json entries = json::array();
    for (const db::StoredEntry& entry : page->entries) {
      Result<json> body = EntryJson(entry.seq, entry.canonical);
      if (!body) return fail(body.error());
      entries.push_back({{"entry", std::move(body).value()},
                         {"leaf_hash", crypto::ToHex(entry.leaf_hash)},
                         {"chain_hash", crypto::ToHex(entry.chain_hash)}});
    }
    return respond(Json(200, {{"entries", std::move(entries)},
                              {"next_after_seq", page->next_after_seq
                                                     ? json(*page->next_after_seq)
                                                     : json(nullptr)}}));
  }

  if (std::regex_match(path, match, reversal_path)) {
    std::optional<Actor> actor = guard("/v1/entries/{seq}/reversal", "POST", {Role::kOfficer});
    if (!actor) return;
    const std::int64_t seq = std::stoll(match[1].str());
    if (!check_post()) return;
    Result<json> body = ParseJsonBody(request);
    if (!body) return fail(body.error());
    std::vector<FieldError> unknown;
    for (const auto& [name, value] : body->items()) {
      if (name != "reason") unknown.push_back({name, "unknown field"});
    }
    if (!unknown.empty()) return fail(InvalidArgument("invalid reversal", unknown));
    json reversal = {{"kind", "reversal"}, {"reverses", seq}};
    if (body->contains("reason")) reversal["reason"] = (*body)["reason"];
    Result<json> valid = ledger::ValidateBody(reversal);
    if (!valid) return fail(valid.error());
    {
      Result<StorePool::Lease> store = reads.Acquire();
      if (!store) return fail(store.error());
      Result<std::string> opd = (*store)->OpdOf(seq);
      if (!opd) return fail(opd.error());
      if (*opd != actor->opd) {
        return fail(Error{Code::kPermissionDenied,
                          "entry " + std::to_string(seq) + " belongs to another OPD", {}});
      }
    }
    const std::string hash = RequestHash(method, path, *valid);
    return Append(request, *actor, std::make_shared<const json>(std::move(valid).value()), hash,
                  respond);
  }

  if (std::regex_match(path, match, entry_path)) {
    std::optional<Actor> actor = guard("/v1/entries/{seq}", "GET", {Role::kOfficer, Role::kAuditor, Role::kExecutive});
    if (!actor) return;
    if (!target.query.empty()) return fail(InvalidArgument("this route takes no query parameters"));
    const std::int64_t seq = std::stoll(match[1].str());
    Result<StorePool::Lease> store = reads.Acquire();
    if (!store) return fail(store.error());
    if (actor->role == Role::kOfficer) {
      Result<std::string> opd = (*store)->OpdOf(seq);
      if (!opd) return fail(opd.error());
      if (*opd != actor->opd) {
        return fail(Error{Code::kPermissionDenied, "an officer reads only their own OPD", {}});
      }
    }
    Result<db::StoredEntry> entry = (*store)->Entry(seq);
    if (!entry) return fail(entry.error());
    return respond(EntryResponse(store->get(), *entry));
  }

  if (path == "/v1/proofs/inclusion" || path == "/v1/proofs/consistency" || path == "/v1/verify") {
    std::optional<Actor> actor = guard(path, "GET", {Role::kAuditor});
    if (!actor) return;
    Result<StorePool::Lease> store = reads.Acquire();
    if (!store) return fail(store.error());
    Result<std::uint64_t> size = (*store)->TreeSize();
    if (!size) return fail(size.error());
    const auto max = static_cast<std::int64_t>(*size);

    if (path == "/v1/proofs/inclusion") {
      if (Result<void> allowed = query.Allow({"seq", "tree_size"}); !allowed) return fail(allowed.error());
      Result<std::optional<std::int64_t>> seq = query.Integer("seq", 0, std::max<std::int64_t>(max - 1, 0));
      if (!seq) return fail(seq.error());
      if (!seq->has_value()) return fail(InvalidArgument("missing parameter", {{"seq", "required"}}));
      Result<std::optional<std::int64_t>> tree_size = query.Integer("tree_size", 1, max);
      if (!tree_size) return fail(tree_size.error());
      const std::int64_t size_value = tree_size->value_or(max);
      if (**seq >= size_value) {
        return fail(InvalidArgument("seq outside the tree", {{"seq", "must be below tree_size"}}));
      }
      Result<db::StoredEntry> entry = (*store)->Entry(**seq);
      if (!entry) return fail(entry.error());
      Result<std::vector<ledger::Digest>> proof = (*store)->InclusionProof(
          static_cast<std::uint64_t>(**seq), static_cast<std::uint64_t>(size_value));
      if (!proof) return fail(proof.error());
      return respond(Json(200, {{"seq", **seq},
                                {"tree_size", size_value},
                                {"leaf_hash", crypto::ToHex(entry->leaf_hash)},
                                {"hashes", HexList(*proof)}}));
    }
    if (path == "/v1/proofs/consistency") {
      if (Result<void> allowed = query.Allow({"first", "second"}); !allowed) return fail(allowed.error());
      Result<std::optional<std::int64_t>> first = query.Integer("first", 1, max);
      if (!first) return fail(first.error());
      Result<std::optional<std::int64_t>> second = query.Integer("second", 1, max);
      if (!second) return fail(second.error());
      if (!first->has_value()) return fail(InvalidArgument("missing parameter", {{"first", "required"}}));
      const std::int64_t second_value = second->value_or(max);
      if (**first > second_value) {
        return fail(InvalidArgument("first after second", {{"first", "must be at most second"}}));
      }
      Result<std::vector<ledger::Digest>> proof = (*store)->ConsistencyProof(
          static_cast<std::uint64_t>(**first), static_cast<std::uint64_t>(second_value));
      if (!proof) return fail(proof.error());
      return respond(Json(200, {{"first", **first},
                                {"second", second_value},
                                {"tree_size", second_value},
                                {"hashes", HexList(*proof)}}));
    }
    // GET /v1/verify
    if (Result<void> allowed = query.Allow({"from_seq", "to_seq"}); !allowed) return fail(allowed.error());
    Result<std::optional<std::int64_t>> from = query.Integer("from_seq", 0, std::max<std::int64_t>(max - 1, 0));
    if (!from) return fail(from.error());
    Result<std::optional<std::int64_t>> to = query.Integer("to_seq", 0, std::max<std::int64_t>(max - 1, 0));
    if (!to) return fail(to.error());
    const std::int64_t from_seq = from->value_or(0);
    const std::int64_t to_seq = to->value_or(max - 1);
    if (from_seq > to_seq) {
      return fail(InvalidArgument("empty range", {{"from_seq", "must be at most to_seq"}}));
    }
    std::unique_lock<std::timed_mutex> running(verify_mutex, std::defer_lock);
    if (!running.try_lock_for(kVerifyWaitMax)) {
      return respond(Problem(503, "a verification is already running; retry later"));
    }
    const bool whole = from_seq == 0 && to_seq == max - 1;
    Result<db::VerifyReport> report = whole ? (*store)->Verify(verifier, std::nullopt)
                                            : (*store)->VerifyRange(verifier, from_seq, to_seq);
    if (!report) return fail(report.error());
    if (whole) {
      RecordVerification(*report);
    } else if (!report->ok) {
      SuspendAppends(*report->problem);
    }
    json body = {{"ok", report->ok},
                 {"from_seq", from_seq},
                 {"to_seq", to_seq},
                 {"whole_ledger", whole},
                 {"entries_checked", report->entries},
                 {"checkpoints_checked", report->checkpoints}};
    if (report->ok) {
      body["root_hash"] = crypto::ToHex(report->root);
    } else {
      body["problem"] = {{"seq", report->problem->seq}, {"what", report->problem->what}};
    }
    return respond(Json(200, body));
  }

  if (path == "/v1/summary/absorption") {
    std::optional<Actor> actor = guard(path, "GET", {Role::kOfficer, Role::kAuditor, Role::kExecutive});
    if (!actor) return;
    if (Result<void> allowed = query.Allow({"fiscal_year", "opd", "as_of"}); !allowed) {
      return fail(allowed.error());
    }
    Result<std::int64_t> year = RequiredFiscalYear(query);
    if (!year) return fail(year.error());
    Result<std::optional<std::string>> opd_filter = OpdFilter(query);
    if (!opd_filter) return fail(opd_filter.error());
    std::optional<std::string> opd = *opd_filter;
    if (actor->role == Role::kOfficer) {
      if (opd && *opd != actor->opd) {
        return fail(Error{Code::kPermissionDenied, "an officer sees only their own OPD", {}});
      }
      opd = actor->opd;
    }
    Result<std::string> as_of_date = AsOfDate(query);
    if (!as_of_date) return fail(as_of_date.error());
    const std::string& as_of = *as_of_date;
    Result<StorePool::Lease> store = reads.Acquire();
    if (!store) return fail(store.error());
    std::uint64_t tree_size = 0;
    Result<ledger::AbsorptionInput> input = (*store)->AbsorptionInputs(*year, as_of, opd, &tree_size);
    if (!input) return fail(input.error());
    Result<ledger::AbsorptionReport> report = ledger::ComputeAbsorption(*input);
    if (!report) return fail(report.error());
    json opds = json::array();
    for (const ledger::Absorption& row : report->opds) opds.push_back(AbsorptionJson(row, *year));
    return respond(Json(200, {{"fiscal_year", *year},
                              {"as_of", as_of},
                              {"tree_size", tree_size},
                              {"total", AbsorptionJson(report->total, *year)},
                              {"opds", std::move(opds)}}));
  }

  if (path == "/v1/audit/findings") {
    std::optional<Actor> actor = guard(path, "GET", {Role::kAuditor, Role::kExecutive});
    if (!actor) return;
    if (Result<void> allowed = query.Allow({"fiscal_year", "opd", "rule", "as_of"}); !allowed) {
      return fail(allowed.error());
    }
    Result<std::int64_t> year = RequiredFiscalYear(query);
    if (!year) return fail(year.error());
    Result<std::optional<std::string>> opd_filter = OpdFilter(query);
    if (!opd_filter) return fail(opd_filter.error());
    const std::optional<std::string>& opd = *opd_filter;
    std::optional<std::string> rule = query.Text("rule");
    static const std::set<std::string> kRules = {
        ledger::kRuleOverPagu,       ledger::kRuleSplitPackage,     ledger::kRuleDuplicatePayment,
        ledger::kRuleCashPayment,    ledger::kRuleTaxNotDeposited,  ledger::kRuleOutsideFiscalYear,
        ledger::kRuleLateRecording,  ledger::kRuleReversalHeavy};
    if (rule && !kRules.count(*rule)) {
      return fail(InvalidArgument("bad filter", {{"rule", "unknown rule"}}));
    }
    Result<std::string> as_of_date = AsOfDate(query);
    if (!as_of_date) return fail(as_of_date.error());
    const std::string& as_of = *as_of_date;
    Result<StorePool::Lease> store = reads.Acquire();
    if (!store) return fail(store.error());
    std::uint64_t tree_size = 0;
    Result<ledger::AuditInput> input = (*store)->AuditInputs(*year, as_of, &tree_size);
    if (!input) return fail(input.error());
    const std::vector<ledger::Finding> findings = ledger::RunAuditRules(*input, audit_rules);
    json list = json::array();
    struct Count {
      std::int64_t findings = 0;
      std::int64_t amount_sen = 0;
      std::set<std::int64_t> seqs;  // For the dashboard's drill-down.
    };
    std::map<std::pair<std::string, std::string>, Count> counts;
    for (const ledger::Finding& finding : findings) {
      if (opd && finding.opd != *opd) continue;
      if (rule && finding.rule != *rule) continue;
      Count& count = counts[{finding.rule, finding.opd}];
      ++count.findings;
      count.amount_sen += finding.amount_sen;  // Bounded: findings sum ledger amounts.
      for (std::int64_t seq : finding.seqs) {
        if (count.seqs.size() < kDrillDownSeqsMax) count.seqs.insert(seq);
      }
      if (actor->role == Role::kAuditor) {
        list.push_back({{"rule", finding.rule},
                        {"severity", finding.severity},
                        {"opd", finding.opd},
                        {"seqs", finding.seqs},
                        {"amount", ledger::FormatMoney(finding.amount_sen)},
                        {"kondisi", finding.kondisi},
                        {"kriteria", finding.kriteria},
                        {"rekomendasi", finding.rekomendasi}});
      }
    }
    json count_list = json::array();
    for (const auto& [key, value] : counts) {
      count_list.push_back({{"rule", key.first},
                            {"opd", key.second},
                            {"count", value.findings},
                            {"amount", ledger::FormatMoney(value.amount_sen)},
                            {"seqs", value.seqs}});
    }
    json body = {{"fiscal_year", *year},
                 {"as_of", as_of},
                 {"tree_size", tree_size},
                 {"counts", std::move(count_list)}};
    // Executives get the counts; the findings themselves are the auditor's.
    if (actor->role == Role::kAuditor) body["findings"] = std::move(list);
    return respond(Json(200, body));
  }

  if (path == "/v1/export/workpapers") {
    std::optional<Actor> actor = guard(path, "GET", {Role::kAuditor});
    if (!actor) return;
    if (Result<void> allowed = query.Allow({"fiscal_year", "format", "sheet", "as_of"}); !allowed) {
      return fail(allowed.error());
    }
    Result<std::int64_t> year = RequiredFiscalYear(query);
    if (!year) return fail(year.error());
    const std::string format = query.Text("format").value_or("xlsx");
    if (format != "xlsx" && format != "csv") {
      return fail(InvalidArgument("bad format", {{"format", "must be xlsx or csv"}}));
    }
    std::optional<std::string> sheet = query.Text("sheet");
    if (format == "csv" && !sheet) {
      return fail(InvalidArgument("csv needs a sheet", {{"sheet", "required with format=csv"}}));
    }
    if (format == "xlsx" && sheet) {
      return fail(InvalidArgument("xlsx holds every sheet", {{"sheet", "only with format=csv"}}));
    }
    const std::optional<std::string> as_of_date = query.Text("as_of");
    if (as_of_date && !IsRealDate(*as_of_date)) {
      return fail(InvalidArgument("bad as_of", {{"as_of", "must be a date YYYY-MM-DD"}}));
    }
    // Exports are heavy (every expenditure of a year): one at a time.
    std::unique_lock<std::mutex> running(export_mutex, std::try_to_lock);
    if (!running.owns_lock()) {
      return respond(Problem(503, "an export is already running; retry shortly"));
    }
    Result<StorePool::Lease> store = reads.Acquire();
    if (!store) return fail(store.error());
    WorkpaperRequest work;
    work.fiscal_year = *year;
    work.as_of = as_of_date.value_or(NowRfc3339());
    work.region = config.region;
    work.rules = &audit_rules;
    work.verifier = verifier;
    Result<WorkpaperData> data = GatherWorkpapers(store->get(), work);
    if (!data) return fail(data.error());
    Result<std::string> bytes = format == "xlsx" ? RenderXlsx(*data) : RenderCsv(*data, *sheet);
    if (!bytes) return fail(bytes.error());
    HttpResponse response;
    const std::string base = "kertas-kerja-" + std::to_string(*year) + "-" +
                             std::to_string(data->checkpoint.tree_size);
    if (format == "xlsx") {
      response.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
      response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + base + ".xlsx\"");
    } else {
      response.content_type = "text/csv; charset=utf-8; header=present";
      response.headers.emplace_back("Content-Disposition",
                                    "attachment; filename=\"" + base + "-" + *sheet + ".csv\"");
    }
    // Every export names the checkpoint it was computed at.
    response.headers.emplace_back("X-Jejak-Checkpoint-Size", std::to_string(data->checkpoint.tree_size));
    response.headers.emplace_back("X-Jejak-Root-Hash", data->checkpoint.root_hash_hex);
    response.body = std::move(bytes).value();
    return respond(std::move(response));
  }

  respond(Problem(404, "no route for " + path));
}

Service::Service(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Service::~Service() { Stop(); }

void Service::Handle(HttpRequest request, Responder respond) {
  impl_->Handle(std::move(request), std::move(respond));
}

void Service::CountTransportError(int status) {
  impl_->metrics.CountRequest("-", "transport", status);
}

void Service::Stop() {
  {
    std::lock_guard<std::mutex> lock(impl_->background_mutex);
    impl_->stopping = true;
  }
  impl_->background_wake.notify_all();
  if (impl_->background.joinable()) impl_->background.join();
  if (impl_->writer) impl_->writer->Stop();
}

Result<std::unique_ptr<Service>> Service::Make(const Config& config) {
  std::vector<TrustedIssuer> issuers;
  for (const IssuerConfig& issuer : config.issuers) {
    std::optional<std::string> pem = ReadFile(issuer.public_key_path);
    if (!pem) return InvalidArgument("cannot read issuer key " + issuer.public_key_path);
    issuers.push_back({issuer.issuer, issuer.algorithm, *pem, issuer.audience});
  }
  if (issuers.empty()) return InvalidArgument("the config names no trusted token issuer");
  Result<Authenticator> authenticator = Authenticator::Make(
      std::move(issuers), std::chrono::seconds(config.token_lifetime_max_seconds));
  if (!authenticator) return authenticator.error();

  std::optional<std::string> vkey = ReadFile(config.checkpoint_vkey);
  std::optional<ledger::NoteVerifier> verifier;
  if (vkey) {
    while (!vkey->empty() && (vkey->back() == '\n' || vkey->back() == '\r')) vkey->pop_back();
    verifier = ledger::ParseVerifierKey(*vkey);
  }
  if (!verifier) return InvalidArgument("cannot read the verifier key " + config.checkpoint_vkey);
  std::optional<std::string> key_pem = ReadFile(config.checkpoint_key);
  std::optional<crypto::PrivateKey> key = key_pem ? crypto::ParsePrivateKeyPem(*key_pem) : std::nullopt;
  if (!key) return InvalidArgument("cannot read the checkpoint key " + config.checkpoint_key);
  const ledger::NoteSigner signer = ledger::MakeSigner(config.origin, *key);
  if (signer.key_id != verifier->key_id) {
    return InvalidArgument("the checkpoint key does not match " + config.checkpoint_vkey);
  }

  auto impl = std::make_unique<Impl>(config, std::move(authenticator).value(), *verifier);
  impl->signer = signer;
  for (const std::string& witness_vkey : config.witness_keys) {
    std::optional<ledger::CosignerKey> witness = ledger::ParseCosignerKey(witness_vkey);
    if (!witness) return InvalidArgument("witness_key is not a cosignature/v1 key: " + witness_vkey);
    impl->witnesses.push_back(*witness);
  }
  impl->audit_rules.direct_procurement_cap_sen = config.audit_direct_procurement_cap_sen;
  impl->audit_rules.cash_cap_sen = config.audit_cash_cap_sen;
  impl->audit_rules.split_window_days = static_cast<int>(config.audit_split_window_days);
  impl->audit_rules.duplicate_window_days = static_cast<int>(config.audit_duplicate_window_days);
  impl->audit_rules.late_recording_days = static_cast<int>(config.audit_late_recording_days);
  impl->audit_rules.reversal_heavy_basis_points =
      static_cast<int>(config.audit_reversal_heavy_basis_points);
  impl->audit_rules.holidays = config.holidays;
  const std::string kept_path = db::KeptCheckpointPath(config.data_dir);
  Result<std::unique_ptr<db::Store>> write_store =
      db::Store::Open({config.database, signer, kept_path});
  if (!write_store) return write_store.error();
  Result<std::uint64_t> size = (*write_store)->TreeSize();
  if (!size) return size.error();
  if (*size == 0) return InvalidArgument("the ledger has no genesis entry (run jejak init)");
  // A database rewound or swapped behind the server's back is refused outright: serving
  // it would hand out proofs the kept checkpoint contradicts, and appending to it would
  // reuse acknowledged seqs.
  if (Result<void> kept = (*write_store)->CheckKeptCheckpoint(*verifier); !kept) {
    return kept.error();
  }
  Result<std::optional<std::string>> kept_note = db::ReadKeptCheckpoint(kept_path);
  if (kept_note && !kept_note->has_value()) {
    // A ledger from before the kept checkpoint existed: start keeping it now.
    Result<std::optional<std::string>> latest = (*write_store)->LatestCheckpoint();
    if (latest && latest->has_value()) {
      if (Result<void> kept = db::KeepCheckpoint(kept_path, *size, **latest); !kept) {
        return kept.error();
      }
    }
  }
  Result<void> writable = (*write_store)->CheckWritable();
  impl->metrics.SetLedgerSize(*size);
  impl->writer = std::make_unique<AppendWriter>(std::move(write_store).value(),
                                                config.append_queue_max, config.append_batch_max,
                                                impl->metrics, NowRfc3339);
  if (!writable) {
    std::fprintf(stderr, "{\"event\":\"storage.read_only\",\"alert\":true,\"error\":%s}\n",
                 json(writable.error().message)
                     .dump(-1, ' ', false, json::error_handler_t::replace)
                     .c_str());
    impl->writer->Close(writable.error().message);
  }
  if (config.verify_interval_minutes > 0) {
    impl->writer->Hold();  // Until the start-up verification passes.
    Impl* raw = impl.get();
    const std::chrono::minutes interval(config.verify_interval_minutes);
    impl->background = std::thread([raw, interval]() { raw->BackgroundVerification(interval); });
  }
  return std::unique_ptr<Service>(new Service(std::move(impl)));
}

namespace {

// Open files the server needs besides its connections, as an estimate: standard streams,
// the listening socket, certificate and key files, and the database, where SQLite holds
// the file, its WAL and its shared memory for each session (the writer's, the verifier's,
// and about one per worker thread; a streamed export holds one while it streams, so many
// concurrent exports need more).
std::size_t FileDescriptorsReserved(int worker_threads) {
  constexpr std::size_t kFixed = 64;
  constexpr std::size_t kPerDatabaseSession = 4;
  return kFixed + kPerDatabaseSession * (static_cast<std::size_t>(worker_threads) + 2);
}

// Raises the soft RLIMIT_NOFILE toward the hard one until `connections_max` connections and
// `reserved` other files fit, and returns how many connections fit: `connections_max`, or
// fewer, with a warning, when even the hard limit is too low. Past the limit accept() fails
// (EMFILE), and so would opening the database.
std::size_t FitConnectionsToOpenFileLimit(std::size_t connections_max, std::size_t reserved) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return connections_max;
  const rlim_t needed = static_cast<rlim_t>(connections_max + reserved);
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? needed : std::min(needed, limit.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed) return connections_max;
  const std::size_t available = static_cast<std::size_t>(limit.rlim_cur);
  const std::size_t fit = available > reserved ? available - reserved : 1;
  std::fprintf(stderr,
               "jejak: serve: warning: the open-file limit (RLIMIT_NOFILE, hard limit %llu) "
               "leaves room for %zu connections, not connections_max = %zu; serving with "
               "connections_max = %zu (raise the hard limit, e.g. LimitNOFILE= in a systemd "
               "unit or `ulimit -Hn`)\n",
               static_cast<unsigned long long>(limit.rlim_max), fit, connections_max, fit);
  return fit;
}

}  // namespace

int Serve(const Config& config, const std::string& listen_override) {
  // SIGTERM and SIGINT are blocked in every thread (threads inherit the mask, so this comes
  // before any is started) and taken by one thread with sigwait(): the first asks the
  // server to stop gracefully, later ones are ignored, and no default handler can ever end
  // the process half-way through its last commit. SIGUSR1 ends that thread.
  sigset_t shutdown_signals;
  sigemptyset(&shutdown_signals);
  sigaddset(&shutdown_signals, SIGTERM);
  sigaddset(&shutdown_signals, SIGINT);
  sigaddset(&shutdown_signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &shutdown_signals, nullptr);
  const std::string listen = listen_override.empty() ? config.listen : listen_override;
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "jejak: serve: listen address must be HOST:PORT, not %s\n", listen.c_str());
    return 2;
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port_text = listen.substr(colon + 1);
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 0 || port > 65535) {
    std::fprintf(stderr, "jejak: serve: bad port in %s\n", listen.c_str());
    return 2;
  }
  if (Result<void> modes = CheckDataDirModes(config); !modes) {
    std::fprintf(stderr, "jejak: serve: %s\n", modes.error().message.c_str());
    return 2;
  }
  std::optional<std::string> certificate = ReadFile(config.tls_certificate);
  std::optional<std::string> tls_key = ReadFile(config.tls_key);
  if (config.tls_certificate.empty() || !certificate || !tls_key) {
    std::fprintf(stderr, "jejak: serve: cannot read the TLS certificate and key named in %s\n",
                 config.path.c_str());
    return 2;
  }
  Result<std::shared_ptr<boost::asio::ssl::context>> context =
      crypto::tls::MakeServerContext(*certificate, *tls_key);
  if (!context) {
    std::fprintf(stderr, "jejak: serve: %s\n", context.error().ToString().c_str());
    return 2;
  }
  Result<std::unique_ptr<Service>> service = Service::Make(config);
  if (!service) {
    std::fprintf(stderr, "jejak: serve: %s\n", service.error().ToString().c_str());
    return 2;
  }
  ServerLimits limits;
  limits.body_bytes_max = config.body_bytes_max;
  limits.header_bytes_max = config.header_bytes_max;
  limits.handshake_timeout = std::chrono::seconds(config.handshake_timeout_seconds);
  limits.request_timeout = std::chrono::seconds(config.request_timeout_seconds);
  limits.idle_timeout = std::chrono::seconds(config.idle_timeout_seconds);
  limits.connections_per_client_max = config.connections_per_client_max;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  limits.io_threads = cores;
  limits.worker_threads = config.worker_threads > 0 ? static_cast<int>(config.worker_threads) : 2 * cores;
  limits.connections_max = FitConnectionsToOpenFileLimit(
      config.connections_max, FileDescriptorsReserved(limits.worker_threads));
  Service* handler = service->get();
  {
    HttpServer server(
        limits, *context,
        [handler](HttpRequest request, Responder respond) {
          handler->Handle(std::move(request), std::move(respond));
        },
        [handler](int status) { handler->CountTransportError(status); });
    if (Result<void> listening = server.Listen(host, static_cast<std::uint16_t>(port)); !listening) {
      std::fprintf(stderr, "jejak: serve: %s\n", listening.error().ToString().c_str());
      return 2;
    }
    std::fprintf(stdout, "listening on https://%s:%u\n",
                 host.find(':') != std::string::npos ? ("[" + host + "]").c_str() : host.c_str(),
                 static_cast<unsigned>(server.port()));
    std::fflush(stdout);
    std::thread signal_thread([&server, shutdown_signals]() {
      for (;;) {
        int signal_number = 0;
        if (sigwait(&shutdown_signals, &signal_number) != 0) continue;
        if (signal_number == SIGUSR1) return;
        server.Stop();  // Idempotent: a second SIGTERM changes nothing.
      }
    });
    server.Run();
    pthread_kill(signal_thread.native_handle(), SIGUSR1);
    signal_thread.join();
  }
  (*service)->Stop();
  service->reset();
  std::fprintf(stderr, "{\"event\":\"shutdown.done\"}\n");
  return 0;
}

}  // namespace jejak::server
