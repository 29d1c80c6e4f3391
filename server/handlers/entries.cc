// The entries resource: list and read entries (with an inclusion proof to the latest
// checkpoint), append one, and append the reversal of one. Appends go through the
// AppendWriter and are answered only after they commit.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/encoding.h"
#include "db/store.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/limits.h"
#include "ledger/money.h"
#include "server/handlers/common.h"
#include "server/handlers/handlers.h"
#include "server/limits.h"
#include "server/problem.h"

namespace jejak::server {
namespace {

using nlohmann::json;

}  // namespace

// The 201 body for `result`: {"chain_hash", "checkpoint", "entry", "inclusion_proof",
// "leaf_hash", "tree_size", "warnings", "witnesses"}, the bytes JsonCreated would write. A new entry's
// canonical bytes are written as they are rather than parsed and dumped again: both give
// the same bytes (RFC 8785 with ASCII keys orders members as the parsed object does, and
// escapes strings as the dump does; tests/server/entries_body_test.cc holds them equal). A
// replay's entry was read back from the database, so it is parsed (and refused as
// kDataLoss if it is not JSON).
Result<std::string> AppendedBody(const AppendResult& result, const AppendWitnesses& witnesses) {
  std::string entry;
  if (result.replayed) {
    Result<json> parsed = EntryJson(result.receipt.seq, result.receipt.canonical);
    if (!parsed) return parsed.error();
    entry = parsed->dump(-1, ' ', false, json::error_handler_t::replace);
  }
  const std::string& entry_bytes = result.replayed ? entry : result.receipt.canonical;
  std::string body;
  body.reserve(entry_bytes.size() + result.checkpoint.size() +
               66 * result.inclusion_proof.size() + 256);
  body += "{\"chain_hash\":\"";
  body += crypto::ToHex(result.receipt.chain_hash);
  body += "\",\"checkpoint\":";
  body += json(result.checkpoint + witnesses.lines).dump(-1, ' ', false, json::error_handler_t::replace);
  body += ",\"entry\":";
  body += entry_bytes;
  body += ",\"inclusion_proof\":[";
  for (std::size_t i = 0; i < result.inclusion_proof.size(); ++i) {
    if (i > 0) body += ',';
    body += '"';
    body += crypto::ToHex(result.inclusion_proof[i]);
    body += '"';
  }
  body += "],\"leaf_hash\":\"";
  body += crypto::ToHex(result.receipt.leaf_hash);
  body += "\",\"tree_size\":";
  body += std::to_string(result.tree_size);
  body += ",\"warnings\":[],\"witnesses\":{\"cosigned\":";
  body += std::to_string(witnesses.cosigned);
  body += ",\"quorum\":";
  body += std::to_string(witnesses.quorum);
  body += "}}";
  return body;
}

namespace {

// Answers 201 for `result`.
void Created(const Responder& respond, const AppendResult& result, const AppendWitnesses& witnesses) {
  Result<std::string> created = AppendedBody(result, witnesses);
  if (!created) return respond(ProblemOf(created.error()));
  HttpResponse http;
  http.status = 201;
  http.body = std::move(created).value();
  http.headers.emplace_back("Location", "/v1/entries/" + std::to_string(result.receipt.seq));
  if (result.replayed) http.headers.emplace_back("Idempotent-Replayed", "true");
  respond(std::move(http));
}

// ?wait_witnesses=K of an append: 0 (the default) to the number of configured witnesses.
Result<std::size_t> WaitWitnesses(ServiceContext& context, const Call& call) {
  if (Result<void> allowed = call.query.Allow({"wait_witnesses"}); !allowed) return allowed.error();
  const auto configured = static_cast<std::int64_t>(context.config.witnesses.size());
  Result<std::optional<std::int64_t>> wait = call.query.Integer("wait_witnesses", 0, configured);
  if (!wait) return wait.error();
  // (A read-only instance refuses the append itself, with 503.)
  if (wait->value_or(0) > 0 && context.pusher == nullptr && !context.config.read_only) {
    return InvalidArgument("this instance pushes to no witness",
                           {{"wait_witnesses", "this instance pushes to no witness"}});
  }
  return static_cast<std::size_t>(wait->value_or(0));
}

// Hands a validated body to the writer; answers 201 once it commits (or replays an
// earlier append with the same Idempotency-Key), with ?wait_witnesses=K once K witnesses
// cosigned its checkpoint or witness_wait_max_seconds passed. The request's hash, which
// only an Idempotency-Key needs, is computed only with one.
void Append(ServiceContext& context, const Call& call, std::shared_ptr<const json> body,
            std::size_t wait) {
  db::PendingEntry pending{std::move(body), call.actor->sub, "", ""};
  auto key = call.request.headers.find("idempotency-key");
  if (key != call.request.headers.end()) {
    pending.idempotency_key = key->second;
    pending.request_hash = RequestHash(call.request.method, call.path, *pending.body);
  }
  Responder respond = call.respond;
  const std::size_t quorum = context.config.witness_quorum;
  WitnessPusher* pusher = context.pusher.get();
  const std::chrono::seconds wait_max = context.config.witness_wait_max;
  Result<void> queued = context.writer->Submit(
      std::move(pending), call.request.received_at,
      [respond, quorum, pusher, wait, wait_max](Result<AppendResult> result) {
        if (!result) return respond(ProblemOf(result.error()));
        if (pusher == nullptr) return Created(respond, *result, AppendWitnesses{0, quorum, ""});
        if (wait == 0) {
          AppendWitnesses witnesses{0, quorum, ""};
          witnesses.cosigned = pusher->Cosigned(result->tree_size, &witnesses.lines);
          return Created(respond, *result, witnesses);
        }
        // Answered by the pusher's waiting thread: no worker thread waits meanwhile.
        auto appended = std::make_shared<AppendResult>(std::move(result).value());
        pusher->WhenCosigned(appended->tree_size, wait, std::chrono::steady_clock::now() + wait_max,
                             [respond, quorum, appended](std::size_t cosigned, std::string lines) {
                               Created(respond, *appended,
                                       AppendWitnesses{cosigned, quorum, std::move(lines)});
                             });
      });
  if (!queued) call.Fail(queued.error());
}

// One stored entry with its inclusion proof to the latest checkpoint.
void EntryResponse(ServiceContext& context, const Call& call, db::Store& store,
                   const db::StoredEntry& entry) {
  Result<std::optional<std::string>> note = store.LatestCheckpoint();
  if (!note) return call.Fail(note.error());
  if (!note->has_value()) return call.Fail(NoCheckpointYet());
  Result<ledger::Checkpoint> checkpoint = ledger::OpenCheckpoint(**note, context.verifier);
  if (!checkpoint) return call.Fail(Error{Code::kDataLoss, "latest checkpoint does not verify", {}});
  Result<std::vector<ledger::Digest>> proof =
      store.InclusionProof(static_cast<std::uint64_t>(entry.seq), checkpoint->tree_size);
  if (!proof) return call.Fail(proof.error());
  Result<json> body = EntryJson(entry.seq, entry.canonical);
  if (!body) return call.Fail(body.error());
  return call.Respond(JsonOk({{"entry", std::move(body).value()},
                              {"leaf_hash", crypto::ToHex(entry.leaf_hash)},
                              {"chain_hash", crypto::ToHex(entry.chain_hash)},
                              {"tree_size", checkpoint->tree_size},
                              {"checkpoint", **note},
                              {"inclusion_proof", HexList(*proof)}}));
}

}  // namespace

namespace {

// True iff `text` is well-formed UTF-8 without control characters (what a stored name holds).
bool IsCleanUtf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x20 || lead == 0x7F) return false;
    std::size_t length = 1;
    char32_t point = lead;
    if (lead >= 0x80) {
      if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2, point = lead & 0x1F;
      } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3, point = lead & 0x0F;
      } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4, point = lead & 0x07;
      } else {
        return false;
      }
      if (i + length > text.size()) return false;
      for (std::size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[i + k]);
        if ((next & 0xC0) != 0x80) return false;
        point = (point << 6) | (next & 0x3F);
      }
      const char32_t least = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
      if (point < least || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF)) return false;
    }
    i += length;
  }
  return true;
}

// True iff `text` is an account code or a prefix of one ending at a segment: digits in
// dot-separated groups ("5", "5.2", "5.1.02.01.01.0024").
bool IsAccountPrefix(const std::string& text) {
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '.' && text[i - 1] == '.') return false;
    if (text[i] != '.' && (text[i] < '0' || text[i] > '9')) return false;
  }
  return true;
}

// The search filters of GET /v1/entries (bank_ref to instrument), each checked; every bad
// one is named in `errors`.
void ParseSearchFilters(const Call& call, db::EntryFilter& filter, std::vector<FieldError>& errors) {
  // Exact values: at most as long as the entry field they match.
  for (auto [name, member] : {std::pair{"bank_ref", &db::EntryFilter::bank_ref},
                              std::pair{"evidence_no", &db::EntryFilter::evidence_no}}) {
    std::optional<std::string> value = call.query.Text(name);
    if (!value) continue;
    if (value->empty() || value->size() > ledger::kIdentifierBytesMax || !IsCleanUtf8(*value)) {
      errors.push_back({name, "must be 1 to " + std::to_string(ledger::kIdentifierBytesMax) +
                                  " bytes of text"});
      continue;
    }
    filter.*member = std::move(value);
  }
  if (std::optional<std::string> npwp = call.query.Text("payee_npwp")) {
    const bool digits = std::all_of(npwp->begin(), npwp->end(), [](char c) { return c >= '0' && c <= '9'; });
    if ((npwp->size() != 15 && npwp->size() != 16) || !digits) {
      errors.push_back({"payee_npwp", "must be 15 or 16 digits"});
    } else {
      filter.payee_npwp = std::move(npwp);
    }
  }
  if (std::optional<std::string> payee = call.query.Text("payee")) {
    if (payee->empty() || payee->size() > ledger::kTextBytesMax || !IsCleanUtf8(*payee)) {
      errors.push_back({"payee", "must be 1 to " + std::to_string(ledger::kTextBytesMax) +
                                     " bytes of text without control characters"});
    } else {
      filter.payee = std::move(payee);
    }
  }
  for (auto [name, member] : {std::pair{"amount_min", &db::EntryFilter::amount_min_sen},
                              std::pair{"amount_max", &db::EntryFilter::amount_max_sen}}) {
    std::optional<std::string> text = call.query.Text(name);
    if (!text) continue;
    Result<std::int64_t> sen = ledger::ParseMoneySen(*text);
    if (!sen) {
      errors.push_back({name, "must be money: rupiah with at most two fraction digits, e.g. 12500000.00"});
      continue;
    }
    filter.*member = *sen;
  }
  if (filter.amount_min_sen && filter.amount_max_sen && *filter.amount_min_sen > *filter.amount_max_sen) {
    errors.push_back({"amount_max", "must not be below amount_min"});
  }
  if (std::optional<std::string> instrument = call.query.Text("instrument")) {
    if (!ledger::IsInstrument(*instrument)) {
      errors.push_back({"instrument", "must be one of cms_transfer, sp2d_ls, kkpd, qris, cash"});
    } else {
      filter.instrument = std::move(instrument);
    }
  }
}

// The cursor and page size: order=asc with after_seq, or order=desc with before_seq.
void ParsePaging(const Call& call, db::EntryFilter& filter, std::vector<FieldError>& errors) {
  const std::optional<std::string> order = call.query.Text("order");
  if (order && *order != "asc" && *order != "desc") errors.push_back({"order", "must be asc or desc"});
  filter.descending = order == "desc";
  const char* cursor = filter.descending ? "before_seq" : "after_seq";
  const char* other = filter.descending ? "after_seq" : "before_seq";
  if (call.query.Text(other)) {
    errors.push_back({other, std::string("not with order=") + (filter.descending ? "desc" : "asc") +
                                 ": use " + cursor});
  }
  constexpr std::int64_t kSeqMax = std::numeric_limits<std::int64_t>::max();
  Result<std::optional<std::int64_t>> at =
      filter.descending ? call.query.Integer(cursor, 0, kSeqMax) : call.query.Integer(cursor, -1, kSeqMax - 1);
  if (!at) {
    errors.insert(errors.end(), at.error().fields.begin(), at.error().fields.end());
  } else if (filter.descending) {
    filter.before_seq = at->value_or(kSeqMax);
  } else {
    filter.after_seq = at->value_or(-1);
  }
  Result<std::optional<std::int64_t>> limit =
      call.query.Integer("limit", 1, static_cast<std::int64_t>(ledger::kPageEntriesMax));
  if (!limit) {
    errors.insert(errors.end(), limit.error().fields.begin(), limit.error().fields.end());
  } else {
    filter.limit = static_cast<std::size_t>(limit->value_or(kPageEntriesDefault));
  }
}

// The filters of GET /v1/entries, each checked (every bad one named), with an officer's
// own OPD forced: kPermissionDenied if they ask for another.
Result<db::EntryFilter> ParseEntryFilter(const Call& call) {
  if (Result<void> allowed = call.query.Allow({"opd", "fiscal_year", "kind", "account", "from", "to",
                                               "after_seq", "before_seq", "order", "limit", "bank_ref",
                                               "evidence_no", "payee_npwp", "payee", "amount_min",
                                               "amount_max", "instrument"});
      !allowed) {
    return allowed.error();
  }
  db::EntryFilter filter;
  std::vector<FieldError> errors;
  filter.opd = call.query.Text("opd");
  if (filter.opd && !MatchesOpdCode(*filter.opd)) errors.push_back({"opd", "not an OPD unit code"});
  if (call.actor->role == Role::kOfficer) {
    if (filter.opd && *filter.opd != call.actor->opd) {
      return Error{Code::kPermissionDenied, "an officer reads only their own OPD", {}};
    }
    filter.opd = call.actor->opd;
  }
  Result<std::optional<std::int64_t>> year =
      call.query.Integer("fiscal_year", ledger::kFiscalYearMin, ledger::kFiscalYearMax);
  if (!year) {
    errors.insert(errors.end(), year.error().fields.begin(), year.error().fields.end());
  } else {
    filter.fiscal_year = *year;
  }
  filter.kind = call.query.Text("kind");
  if (filter.kind && !ledger::ParseKind(*filter.kind)) errors.push_back({"kind", "unknown kind"});
  filter.account = call.query.Text("account");
  if (filter.account && (filter.account->size() > ledger::kIdentifierBytesMax || !IsAccountPrefix(*filter.account))) {
    errors.push_back({"account", "must be an account code or its prefix, e.g. 5.2 or 5.1.02.01.01.0024"});
  }
  filter.from = call.query.Text("from");
  filter.to = call.query.Text("to");
  if (filter.from && !IsDate(*filter.from)) errors.push_back({"from", "must be YYYY-MM-DD"});
  if (filter.to && !IsDate(*filter.to)) errors.push_back({"to", "must be YYYY-MM-DD"});
  ParseSearchFilters(call, filter, errors);
  ParsePaging(call, filter, errors);
  if (!errors.empty()) return InvalidArgument("bad filter", std::move(errors));
  return filter;
}

}  // namespace

void ListEntries(ServiceContext& context, const Call& call) {
  Result<db::EntryFilter> filter = ParseEntryFilter(call);
  if (!filter) return call.Fail(filter.error());
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(store.error());
  Result<db::EntryPage> page = (*store)->ListEntries(*filter);
  if (!page) return call.Fail(page.error());
  json entries = json::array();
  for (const db::StoredEntry& entry : page->entries) {
    Result<json> body = EntryJson(entry.seq, entry.canonical);
    if (!body) return call.Fail(body.error());
    entries.push_back({{"entry", std::move(body).value()},
                       {"leaf_hash", crypto::ToHex(entry.leaf_hash)},
                       {"chain_hash", crypto::ToHex(entry.chain_hash)}});
  }
  const json next = page->next_after_seq ? json(*page->next_after_seq) : json(nullptr);
  return call.Respond(JsonOk({{"entries", std::move(entries)},
                              {filter->descending ? "next_before_seq" : "next_after_seq", next}}));
}

namespace {

// Ok if entry `seq` (the original of a reversal or refund) belongs to the caller's OPD;
// kPermissionDenied if another OPD's, kNotFound (naming `field`, if given) if absent.
Result<void> RequireOwnOriginal(ServiceContext& context, const Call& call, std::int64_t seq,
                                const char* field = nullptr) {
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return store.error();
  Result<std::string> opd = (*store)->OpdOf(seq);
  if (!opd && opd.error().code == Code::kNotFound && field != nullptr) {
    const std::string message = "entry " + std::to_string(seq) + " does not exist";
    return Error{Code::kNotFound, message, {FieldError{field, message}}};
  }
  if (!opd) return opd.error();
  if (*opd != call.actor->opd) {
    return Error{Code::kPermissionDenied, "entry " + std::to_string(seq) + " belongs to another OPD",
                 {}};
  }
  return Ok();
}

}  // namespace

void PostEntry(ServiceContext& context, const Call& call) {
  Result<std::size_t> wait = WaitWitnesses(context, call);
  if (!wait) return call.Fail(wait.error());
  Result<json> body = ParseJsonBody(call.request);
  if (!body) return call.Fail(body.error());
  const json* kind_value = body->contains("kind") ? &(*body)["kind"] : nullptr;
  const std::string kind =
      kind_value != nullptr && kind_value->is_string() ? kind_value->get<std::string>() : "";
  const bool officer_kind = kind == "expenditure" || kind == "tax_deposit" || kind == "refund";
  const bool admin_kind = kind == "opd" || kind == "budget";
  if (kind == ledger::KindName(ledger::Kind::kBankStatement)) {
    // A statement is made from the bank's file, whose hash it keeps: never typed in.
    const std::string why = "bank statements are uploaded to POST /v1/bank-statements";
    return call.Fail(Error{Code::kOutOfRange, why, {FieldError{"kind", why}}});
  }
  if (kind == "reversal") {
    return call.Fail(InvalidArgument("post reversals to /v1/entries/{seq}/reversal",
                                {{"kind", "reversal has its own route"}}));
  }
  if (officer_kind && call.actor->role != Role::kOfficer) {
    return call.Fail(Error{Code::kPermissionDenied, "only an officer records " + kind, {}});
  }
  if (admin_kind && call.actor->role != Role::kAdmin) {
    return call.Fail(Error{Code::kPermissionDenied, "only an admin records " + kind, {}});
  }
  // Who may write is decided before what is written is examined: an officer's body
  // for another OPD is refused whatever else it holds. (A body without a string opd
  // fails validation below.)
  const auto opd = body->find("opd");
  const bool other_opd = opd != body->end() && opd->is_string() &&
                         opd->get_ref<const std::string&>() != call.actor->opd;
  if (call.actor->role == Role::kOfficer && other_opd) {
    return call.Fail(Error{Code::kPermissionDenied,
                      "an officer of " + call.actor->opd + " may not record for another OPD", {}});
  }
  Result<json> valid = ledger::ValidateBody(*body);
  if (!valid) return call.Fail(valid.error());
  if (kind == "refund") {
    // A refund names no OPD: it is its original's, and only that OPD's officer refunds.
    if (Result<void> own = RequireOwnOriginal(context, call, (*valid)["refunds"].get<std::int64_t>(),
                                           "refunds");
        !own) {
      return call.Fail(own.error());
    }
  }
  return Append(context, call, std::make_shared<const json>(std::move(valid).value()), *wait);
}

void PostReversal(ServiceContext& context, const Call& call) {
  const std::int64_t seq = std::stoll(call.seq_text);
  Result<std::size_t> wait = WaitWitnesses(context, call);
  if (!wait) return call.Fail(wait.error());
  Result<json> body = ParseJsonBody(call.request);
  if (!body) return call.Fail(body.error());
  std::vector<FieldError> unknown;
  for (const auto& [name, value] : body->items()) {
    if (name != "reason") unknown.push_back({name, "unknown field"});
  }
  if (!unknown.empty()) return call.Fail(InvalidArgument("invalid reversal", unknown));
  json reversal = {{"kind", "reversal"}, {"reverses", seq}};
  if (body->contains("reason")) reversal["reason"] = (*body)["reason"];
  Result<json> valid = ledger::ValidateBody(reversal);
  if (!valid) return call.Fail(valid.error());
  if (Result<void> own = RequireOwnOriginal(context, call, seq); !own) return call.Fail(own.error());
  return Append(context, call, std::make_shared<const json>(std::move(valid).value()), *wait);
}

void GetEntry(ServiceContext& context, const Call& call) {
  if (!call.query.Empty()) return call.Fail(NoQueryParameters());
  const std::int64_t seq = std::stoll(call.seq_text);
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(store.error());
  if (call.actor->role == Role::kOfficer) {
    Result<std::string> opd = (*store)->OpdOf(seq);
    if (!opd) return call.Fail(opd.error());
    if (*opd != call.actor->opd) {
      return call.Fail(Error{Code::kPermissionDenied, "an officer reads only their own OPD", {}});
    }
  }
  Result<db::StoredEntry> entry = (*store)->Entry(seq);
  if (!entry) return call.Fail(entry.error());
  return EntryResponse(context, call, store->get(), *entry);
}

}  // namespace jejak::server
