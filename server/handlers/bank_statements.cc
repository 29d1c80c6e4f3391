// Bank statements and reconciliation: POST /v1/bank-statements (admin: a statement file
// appended as one `bank_statement` entry, then the year's stored reconciliation refreshed),
// the saved CSV mappings of statements (GET/POST /v1/bank-statements/mappings, admin), and
// GET /v1/reconciliation (the year's reconciliation computed at a report's tree size).
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "crypto/encoding.h"
#include "ledger/bank_parse.h"
#include "ledger/canonical.h"
#include "ledger/money.h"
#include "server/bank_statements.h"
#include "server/clock.h"
#include "server/handlers/common.h"
#include "server/handlers/handlers.h"
#include "server/log_line.h"
#include "server/problem.h"
#include "server/reconciliation_report.h"
#include "server/workpapers.h"

namespace jejak::server {
namespace {

using nlohmann::json;

constexpr std::size_t kMappingJsonBytesMax = 16 * 1024;

// The query parameter of each StatementRequest member (server/bank_statements.h's order).
const std::vector<std::string>& QueryNames() {
  static const std::vector<std::string> names = {
      "account", "format", "bank", "role", "opd", "mapping", "period_start", "period_end", "opening_balance"};
  return names;
}

json MappingRecordJson(const db::ImportMappingRecord& record) {
  json mapping = json::parse(record.mapping, nullptr, /*allow_exceptions=*/false);
  return {{"name", record.name},
          {"mapping", std::move(mapping)},
          {"saved_at", record.saved_at},
          {"saved_by", record.saved_by},
          {"version", record.version}};
}

// The saved statement mapping `name`, parsed; kNotFound naming it if there is none.
Result<ledger::StatementCsvMapping> SavedMapping(db::Store& store, const std::string& name) {
  Result<std::vector<db::ImportMappingRecord>> records = store.ImportMappings(db::kStatementMappingScope);
  if (!records) return records.error();
  for (const db::ImportMappingRecord& record : *records) {
    if (record.name != name) continue;
    json mapping = json::parse(record.mapping, nullptr, /*allow_exceptions=*/false);
    Result<ledger::StatementCsvMapping> parsed = ledger::ParseStatementCsvMapping(mapping);
    if (!parsed) return Error{Code::kDataLoss, "saved statement mapping " + name + " does not parse", {}};
    return parsed;
  }
  return Error{Code::kNotFound, "no saved mapping named " + name, {{"mapping", "no saved mapping named " + name}}};
}

// The request's parameters (the file aside), the saved mapping read from `store`.
Result<StatementRequest> ReadRequest(const Call& call, db::Store& store) {
  if (Result<void> allowed = call.query.Allow({"account", "format", "bank", "role", "opd", "mapping",
                                               "period_start", "period_end", "opening_balance"});
      !allowed) {
    return allowed.error();
  }
  StatementRequest request;
  request.account_no = call.query.Text("account").value_or("");
  request.format = call.query.Text("format").value_or("");
  if (request.format.empty()) return InvalidArgument("missing parameter", {{"format", "required"}});
  request.bank = call.query.Text("bank");
  request.role = call.query.Text("role");
  request.opd = call.query.Text("opd");
  request.period_start = call.query.Text("period_start");
  request.period_end = call.query.Text("period_end");
  if (std::optional<std::string> opening = call.query.Text("opening_balance")) {
    Result<std::int64_t> sen = ledger::ParseMoneySen(*opening);
    if (!sen || *sen < 0) {
      return InvalidArgument("invalid request", {{"opening_balance", "must be an amount such as 1500000.00"}});
    }
    request.opening_sen = *sen;
  }
  if (std::optional<std::string> name = call.query.Text("mapping")) {
    if (!IsMappingName(*name)) {
      return InvalidArgument("invalid request", {{"mapping", "must be 1 to 64 characters without control characters"}});
    }
    Result<ledger::StatementCsvMapping> mapping = SavedMapping(store, *name);
    if (!mapping) return mapping.error();
    request.mapping = std::move(mapping).value();
  }
  return request;
}

// After the append: the year's stored reconciliation refreshed on the writer's store, then
// the 201. The statement is committed whatever happens here, so a refresh that fails is
// logged and the answer says so ("reconciliation": null) rather than inviting a retry.
void RefreshAndAnswer(ServiceContext& context, const Responder& respond,
                      std::shared_ptr<const PlannedStatement> plan, AppendResult appended) {
  json answer = StatementAnswer(*plan, appended.receipt.seq, appended.tree_size, appended.checkpoint);
  answer["leaf_hash"] = crypto::ToHex(appended.receipt.leaf_hash);
  answer["inclusion_proof"] = HexList(appended.inclusion_proof);
  auto shared_answer = std::make_shared<json>(std::move(answer));
  ledger::ReconcileParams params;
  params.window_days = context.audit_rules.bank_match_window_days;
  const std::int64_t year = plan->fiscal_year;
  Result<void> queued = context.writer->SubmitJob(
      [respond, shared_answer, params, year](db::Store& store, const Error* refused) {
        json& body = *shared_answer;
        body["reconciliation"] = nullptr;
        if (refused != nullptr) return respond(JsonCreated(body));
        db::ReconciledYear computed;
        Result<db::StoredReconciliation> stored = store.RefreshReconciliation(year, params, &computed);
        Result<json> summary = stored ? ReconciliationSummary(*stored, computed) : Result<json>(stored.error());
        if (summary) {
          body["reconciliation"] = std::move(summary).value();
        } else {
          std::fprintf(stderr, "{\"event\":\"reconciliation.refresh\",\"fiscal_year\":%lld,\"error\":%s}\n",
                       static_cast<long long>(year), JsonString(summary.error().message).c_str());
        }
        respond(JsonCreated(body));
      });
  if (!queued) {
    (*shared_answer)["reconciliation"] = nullptr;
    respond(JsonCreated(*shared_answer));
  }
}

}  // namespace

void PostBankStatement(ServiceContext& context, const Call& call) {
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(store.error());
  Result<StatementRequest> request = ReadRequest(call, store->get());
  if (!request) return call.Fail(request.error());
  if (Result<void> checked = CheckStatementRequest(*request, QueryNames()); !checked) {
    return call.Fail(checked.error());
  }
  Result<std::vector<ledger::StatementPeriod>> earlier = (*store)->StatementsOfAccount(request->account_no);
  if (!earlier) return call.Fail(earlier.error());
  Result<PlannedStatement> planned = PlanStatement(call.request.body, *request, *earlier, QueryNames());
  if (!planned) return call.Fail(planned.error());
  auto plan = std::make_shared<const PlannedStatement>(std::move(planned).value());
  db::PendingEntry pending{std::make_shared<const json>(plan->body), call.actor->sub, "", ""};
  Responder respond = call.respond;
  ServiceContext* shared_context = &context;
  Result<void> queued = context.writer->Submit(
      std::move(pending), call.request.received_at,
      [shared_context, respond, plan](Result<AppendResult> result) {
        if (!result) return respond(ProblemOf(result.error()));
        RefreshAndAnswer(*shared_context, respond, plan, std::move(result).value());
      });
  if (!queued) call.Fail(queued.error());
}

void GetStatementMappings(ServiceContext& context, const Call& call) {
  if (!call.query.Empty()) return call.Fail(NoQueryParameters());
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(store.error());
  Result<std::vector<db::ImportMappingRecord>> records = (*store)->ImportMappings(db::kStatementMappingScope);
  if (!records) return call.Fail(records.error());
  json mappings = json::array();
  for (const db::ImportMappingRecord& record : *records) mappings.push_back(MappingRecordJson(record));
  call.Respond(JsonOk({{"mappings", std::move(mappings)}}));
}

void PostStatementMapping(ServiceContext& context, const Call& call) {
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
  Result<ledger::StatementCsvMapping> mapping = Error{};
  if (!body->contains("mapping")) {
    errors.push_back({"mapping", "required"});
  } else {
    // The mapping's own `name` is the saved name when it gives none.
    json named = (*body)["mapping"];
    if (named.is_object() && !named.contains("name") && name != nullptr && name->is_string()) {
      named["name"] = *name;
    }
    mapping = ledger::ParseStatementCsvMapping(named);
    if (!mapping) {
      for (const FieldError& error : mapping.error().fields) {
        errors.push_back({"mapping." + error.field, error.message});
      }
      if (mapping.error().fields.empty()) errors.push_back({"mapping", mapping.error().message});
    }
  }
  if (!errors.empty()) return call.Fail(InvalidArgument("invalid mapping", std::move(errors)));
  db::ImportMappingRecord record;
  record.opd = db::kStatementMappingScope;
  record.name = name->get<std::string>();
  record.mapping = ledger::StatementCsvMappingJson(*mapping).dump();
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
    respond(JsonCreated(MappingRecordJson(*saved)));
  });
  if (!queued) call.Fail(queued.error());
}

void GetReconciliation(ServiceContext& context, const Call& call) {
  if (Result<void> allowed = call.query.Allow({"fiscal_year", "account", "opd", "tree_size", "as_of"}); !allowed) {
    return call.Fail(allowed.error());
  }
  Result<std::int64_t> year = RequiredFiscalYear(call.query);
  if (!year) return call.Fail(year.error());
  Result<std::optional<std::string>> opd = OpdFilter(call.query);
  if (!opd) return call.Fail(opd.error());
  if (call.actor->role == Role::kOfficer) {
    if (*opd && **opd != call.actor->opd) {
      return call.Fail(Error{Code::kPermissionDenied, "an officer sees only their own OPD", {}});
    }
    *opd = call.actor->opd;
  }
  ReconciliationFilter filter;
  filter.opd = *opd;
  filter.account = call.query.Text("account");
  if (filter.account) {
    StatementRequest check;  // The account number's rule, as uploads check it.
    check.account_no = *filter.account;
    check.format = "mt940";
    if (Result<void> valid = CheckStatementRequest(check, QueryNames()); !valid) return call.Fail(valid.error());
  }
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(store.error());
  Result<ReportScope> scope = ResolveReportScope(call.query, store->get());
  if (!scope) return call.Fail(scope.error());
  const ReleaseFreedMemory release;  // Destroyed last: after the year's facts.
  Result<ledger::ReconcileInput> input = (*store)->ReconcileInputs(*year, scope->tree_size);
  if (!input) return call.Fail(input.error());
  Result<std::map<std::string, std::string>> names = (*store)->OpdNames(scope->tree_size);
  if (!names) return call.Fail(names.error());
  ledger::ReconcileParams params;
  params.window_days = context.audit_rules.bank_match_window_days;
  const ledger::Reconciliation reconciliation = ledger::Reconcile(*input, params);
  Result<json> report = ReconciliationReport(*input, reconciliation, filter, *names);
  if (!report) return call.Fail(report.error());
  json body = {{"fiscal_year", *year},
               {"tree_size", scope->tree_size},
               {"as_of", scope->as_of},
               {"root_hash", scope->root_hash},
               {"account", filter.account ? json(*filter.account) : json(nullptr)},
               {"opd", filter.opd ? json(*filter.opd) : json(nullptr)},
               {"params", {{"window_days", params.window_days},
                           {"debit_due_days", context.audit_rules.bank_debit_due_days}}}};
  for (auto& [key, value] : report->items()) body[key] = std::move(value);
  HttpResponse response = JsonOk(body);
  response.headers.emplace_back("X-Jejak-Tree-Size", std::to_string(scope->tree_size));
  response.headers.emplace_back("X-Jejak-Root-Hash", scope->root_hash);
  call.Respond(std::move(response));
}

}  // namespace jejak::server
