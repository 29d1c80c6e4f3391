// Bulk imports (POST /v1/imports) and their saved column mappings (GET/POST
// /v1/imports/mappings, GET /v1/imports/fields), for officers of their own OPD. The file
// is read and every row checked here; the ledger's own checks and the one-transaction
// append run on the service's writer (AppendWriter::SubmitAll), dry run or commit.
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "ledger/canonical.h"
#include "ledger/import_mapping.h"
#include "ledger/limits.h"
#include "ledger/messages_id.h"
#include "server/clock.h"
#include "server/handlers/common.h"
#include "server/handlers/handlers.h"
#include "server/imports.h"
#include "server/problem.h"

namespace jejak::server {
namespace {

using nlohmann::json;

constexpr std::size_t kMappingJsonBytesMax = 16 * 1024;

json RecordJson(const db::ImportMappingRecord& record) {
  json mapping = json::parse(record.mapping, nullptr, /*allow_exceptions=*/false);
  return {{"name", record.name},     {"opd", record.opd},          {"mapping", std::move(mapping)},
          {"saved_at", record.saved_at}, {"saved_by", record.saved_by}, {"version", record.version}};
}

// The saved mapping `name` of `opd`, parsed; kNotFound naming it if there is none.
Result<ledger::ImportMapping> SavedMapping(ServiceContext& context, const std::string& opd,
                                           const std::string& name) {
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return store.error();
  Result<std::vector<db::ImportMappingRecord>> records = (*store)->ImportMappings(opd);
  if (!records) return records.error();
  for (const db::ImportMappingRecord& record : *records) {
    if (record.name != name) continue;
    json mapping = json::parse(record.mapping, nullptr, /*allow_exceptions=*/false);
    Result<ledger::ImportMapping> parsed = ledger::ParseMapping(mapping);
    if (!parsed) return Error{Code::kDataLoss, "saved mapping " + name + " does not parse", {}};
    return parsed;
  }
  return Error{Code::kNotFound, "no saved mapping named " + name + " for OPD " + opd,
               {{"mapping", "no saved mapping named " + name}}};
}

// The 422 of a commit refused for its rows: a problem with the import answer's members.
HttpResponse RowsRefused(const ImportPlan& plan) {
  json body = ImportAnswer(/*dry_run=*/false, plan, nullptr);
  body["type"] = "about:blank";
  body["title"] = "Unprocessable Content";
  body["status"] = 422;
  body["detail"] = ledger::Indonesian("the import has rows with errors; nothing was written");
  body["rows_errors"] = body["errors"];
  HttpResponse response;
  response.status = 422;
  response.content_type = "application/problem+json";
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return response;
}

}  // namespace

void PostImport(ServiceContext& context, const Call& call) {
  if (Result<void> allowed = call.query.Allow({"dry_run", "mapping"}); !allowed) {
    return call.Fail(allowed.error());
  }
  const std::optional<std::string> dry_text = call.query.Text("dry_run");
  if (dry_text && *dry_text != "true" && *dry_text != "false") {
    return call.Fail(InvalidArgument("invalid query", {{"dry_run", "must be one of true, false"}}));
  }
  const bool dry_run = !dry_text || *dry_text == "true";
  const std::optional<std::string> name = call.query.Text("mapping");
  if (!name) return call.Fail(InvalidArgument("missing parameter", {{"mapping", "required"}}));
  const auto type = call.request.headers.find("content-type");
  const std::optional<ImportFormat> format =
      type == call.request.headers.end() ? std::nullopt : FormatOfContentType(type->second);
  if (!format) {
    return call.Respond(UnsupportedMediaType(
        "Content-Type must be text/csv or "
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
  }
  Result<ledger::ImportMapping> mapping = SavedMapping(context, call.actor->opd, *name);
  if (!mapping) return call.Fail(mapping.error());
  Result<ImportPlan> planned = PlanImport(call.request.body, *format, *mapping, call.actor->opd,
                                          context.config.import_rows_max);
  if (!planned) return call.Fail(planned.error());
  auto plan = std::make_shared<ImportPlan>(std::move(planned).value());
  if (!plan->errors.empty()) {
    if (!dry_run) return call.Respond(RowsRefused(*plan));
    return call.Respond(JsonOk(ImportAnswer(true, *plan, nullptr)));
  }
  std::vector<db::PendingEntry> entries;
  entries.reserve(plan->bodies.size());
  for (const json& body : plan->bodies) {
    entries.push_back(db::PendingEntry{std::make_shared<const json>(body), call.actor->sub, "", ""});
  }
  Responder respond = call.respond;
  Result<void> queued = context.writer->SubmitAll(
      std::move(entries), dry_run, [respond, plan, dry_run](Result<db::BatchReceipt> receipt) {
        if (!receipt) {
          std::vector<ledger::RowError> rows = LedgerRowErrors(receipt.error(), *plan);
          if (rows.empty()) return respond(ProblemOf(receipt.error()));
          plan->errors = std::move(rows);
          if (!dry_run) return respond(RowsRefused(*plan));
          return respond(JsonOk(ImportAnswer(true, *plan, nullptr)));
        }
        if (dry_run) return respond(JsonOk(ImportAnswer(true, *plan, nullptr)));
        respond(JsonCreated(ImportAnswer(false, *plan, &*receipt)));
      });
  if (!queued) call.Fail(queued.error());
}

void GetImportMappings(ServiceContext& context, const Call& call) {
  if (!call.query.Empty()) return call.Fail(NoQueryParameters());
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(store.error());
  Result<std::vector<db::ImportMappingRecord>> records = (*store)->ImportMappings(call.actor->opd);
  if (!records) return call.Fail(records.error());
  json mappings = json::array();
  for (const db::ImportMappingRecord& record : *records) mappings.push_back(RecordJson(record));
  call.Respond(JsonOk({{"mappings", std::move(mappings)}}));
}

void PostImportMapping(ServiceContext& context, const Call& call) {
  if (!call.query.Empty()) return call.Fail(NoQueryParameters());
  Result<json> body = ParseJsonBody(call.request);
  if (!body) return call.Fail(body.error());
  std::vector<FieldError> errors;
  for (const auto& [key, value] : body->items()) {
    if (key != "name" && key != "mapping") errors.push_back({key.substr(0, 64), "unknown field"});
  }
  const json* name = body->contains("name") ? &(*body)["name"] : nullptr;
  if (name == nullptr) {
    errors.push_back({"name", "required"});
  } else if (!name->is_string() || !IsMappingName(name->get<std::string>())) {
    errors.push_back({"name", "must be 1 to 64 characters without control characters"});
  }
  Result<ledger::ImportMapping> mapping = Error{};
  if (!body->contains("mapping")) {
    errors.push_back({"mapping", "required"});
  } else {
    mapping = ledger::ParseMapping((*body)["mapping"]);
    if (!mapping) {
      for (const FieldError& error : mapping.error().fields) {
        errors.push_back({"mapping." + error.field, error.message});
      }
    }
  }
  if (!errors.empty()) return call.Fail(InvalidArgument("invalid mapping", std::move(errors)));
  db::ImportMappingRecord record;
  record.opd = call.actor->opd;
  record.name = name->get<std::string>();
  record.mapping = ledger::MappingJson(*mapping).dump();
  if (record.mapping.size() > kMappingJsonBytesMax) {
    return call.Fail(InvalidArgument("invalid mapping", {{"mapping", "must be at most 16384 bytes"}}));
  }
  record.saved_by = call.actor->sub;
  Responder respond = call.respond;
  auto shared = std::make_shared<db::ImportMappingRecord>(std::move(record));
  Result<void> queued = context.writer->SubmitJob([respond, shared](db::Store& store, const Error* refused) {
    if (refused != nullptr) return respond(ProblemOf(*refused));
    shared->saved_at = NowRfc3339();
    Result<db::ImportMappingRecord> saved = store.SaveImportMapping(*shared);
    if (!saved) return respond(ProblemOf(saved.error()));
    respond(JsonCreated(RecordJson(*saved)));
  });
  if (!queued) call.Fail(queued.error());
}

void GetImportFields(ServiceContext& /*context*/, const Call& call) {
  if (!call.query.Empty()) return call.Fail(NoQueryParameters());
  call.Respond(JsonOk(ledger::MappableFieldsJson()));
}

}  // namespace jejak::server
