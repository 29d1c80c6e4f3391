// Audit findings: the audit rules (ledger/audit.h) run over a fiscal year as of a date and
// over the ledger's first tree_size entries (a report pinned to a checkpoint), counted per
// rule and OPD for executives, listed for auditors with at most kFindingSeqsListed seqs
// each, and one finding with a page of its seqs at GET /v1/audit/findings/{id}. Reports are
// kept in a small cache by scope (server/findings_cache.h): one at a tree size never changes.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ledger/audit.h"
#include "ledger/money.h"
#include "server/handlers/common.h"
#include "server/findings_cache.h"
#include "server/handlers/handlers.h"
#include "server/limits.h"
#include "server/workpapers.h"

namespace jejak::server {
namespace {

using nlohmann::json;

// One findings report: its scope and every finding of it, in RunAuditRules's order.
struct FindingsReport {
  std::int64_t fiscal_year = 0;
  ReportScope scope;
  SharedFindings findings;  // Never null; shared with the cache.
};

// Reads fiscal_year, tree_size and as_of from `query` and runs the rules over the first
// tree_size entries, or takes the report of the same scope from context.findings_cache.
// The same three values give the same report however the ledger grows.
Result<FindingsReport> ComputeReport(ServiceContext& context, const Query& query, db::Store& store) {
  Result<std::int64_t> year = RequiredFiscalYear(query);
  if (!year) return year.error();
  Result<ReportScope> scope = ResolveReportScope(query, store);
  if (!scope) return scope.error();
  const FindingsKey key{*year, scope->as_of, scope->tree_size, scope->root_hash, /*whole_year=*/false};
  if (SharedFindings cached = context.findings_cache.Find(key)) {
    return FindingsReport{*year, std::move(scope).value(), std::move(cached)};
  }
  // Only a computed report hands memory back (malloc_trim locks every arena): destroyed
  // last, after the year's facts.
  const ReleaseFreedMemory release;
  Result<ledger::AuditInput> input = store.AuditInputs(*year, scope->as_of, scope->tree_size);
  if (!input) return input.error();
  auto findings = std::make_shared<const std::vector<ledger::Finding>>(
      ledger::RunAuditRules(*input, context.audit_rules));
  context.findings_cache.Insert(key, findings);
  return FindingsReport{*year, std::move(scope).value(), std::move(findings)};
}

// The finding's fields, without its seqs (the caller adds the ones it lists).
json FindingJson(const ledger::Finding& finding) {
  return {{"id", finding.id},
          {"rule", finding.rule},
          {"severity", finding.severity},
          {"opd", finding.opd},
          {"opd_name", finding.opd_name},
          {"seq_count", finding.seqs.size()},
          {"amount", ledger::FormatMoney(finding.amount_sen)},
          {"kondisi", finding.kondisi},
          {"kriteria", finding.kriteria},
          {"sebab", finding.sebab},
          {"akibat", finding.akibat},
          {"rekomendasi", finding.rekomendasi}};
}

// `body` as 200 JSON with the report's scope in headers too, so that a saved download
// names the tree it was computed over.
HttpResponse ReportOk(const json& body, const ReportScope& scope) {
  HttpResponse response = JsonOk(body);
  response.headers.emplace_back("X-Jejak-Tree-Size", std::to_string(scope.tree_size));
  response.headers.emplace_back("X-Jejak-Root-Hash", scope.root_hash);
  return response;
}

}  // namespace

void GetFindings(ServiceContext& context, const Call& call) {
  if (Result<void> allowed = call.query.Allow({"fiscal_year", "opd", "rule", "as_of", "tree_size"});
      !allowed) {
    return call.Fail(allowed.error());
  }
  Result<std::optional<std::string>> opd_filter = OpdFilter(call.query);
  if (!opd_filter) return call.Fail(opd_filter.error());
  const std::optional<std::string>& opd = *opd_filter;
  std::optional<std::string> rule = call.query.Text("rule");
  static const std::set<std::string> kRules(std::begin(ledger::kAuditRuleIds),
                                            std::end(ledger::kAuditRuleIds));
  if (rule && !kRules.count(*rule)) {
    return call.Fail(InvalidArgument("bad filter", {{"rule", "unknown rule"}}));
  }
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(store.error());
  Result<FindingsReport> report = ComputeReport(context, call.query, store->get());
  if (!report) return call.Fail(report.error());
  json list = json::array();
  struct Count {
    std::int64_t findings = 0;
    std::int64_t amount_sen = 0;
    std::vector<std::int64_t> seqs;  // Every seq behind them; sorted and made distinct below.
  };
  std::map<std::pair<std::string, std::string>, Count> counts;
  for (const ledger::Finding& finding : *report->findings) {
    if (opd && finding.opd != *opd) continue;
    if (rule && finding.rule != *rule) continue;
    Count& count = counts[{finding.rule, finding.opd}];
    ++count.findings;
    count.amount_sen += finding.amount_sen;  // Bounded: findings sum ledger amounts.
    count.seqs.insert(count.seqs.end(), finding.seqs.begin(), finding.seqs.end());
    if (call.actor->role == Role::kAuditor) {
      json item = FindingJson(finding);
      const std::size_t listed = std::min(finding.seqs.size(), kFindingSeqsListed);
      item["seqs"] = std::vector<std::int64_t>(finding.seqs.begin(),
                                               finding.seqs.begin() + static_cast<std::ptrdiff_t>(listed));
      list.push_back(std::move(item));
    }
  }
  json count_list = json::array();
  for (auto& [key, value] : counts) {
    std::sort(value.seqs.begin(), value.seqs.end());
    value.seqs.erase(std::unique(value.seqs.begin(), value.seqs.end()), value.seqs.end());
    // For the dashboard's drill-down: the first kDrillDownSeqsMax seqs, and how many.
    const std::vector<std::int64_t> listed(
        value.seqs.begin(),
        value.seqs.begin() + static_cast<std::ptrdiff_t>(std::min(value.seqs.size(), kDrillDownSeqsMax)));
    count_list.push_back({{"rule", key.first},
                          {"opd", key.second},
                          {"count", value.findings},
                          {"amount", ledger::FormatMoney(value.amount_sen)},
                          {"seqs", std::move(listed)},
                          {"seq_count", value.seqs.size()}});
  }
  json body = {{"fiscal_year", report->fiscal_year},
               {"as_of", report->scope.as_of},
               {"tree_size", report->scope.tree_size},
               {"root_hash", report->scope.root_hash},
               {"counts", std::move(count_list)}};
  // Executives get the counts; the findings themselves are the auditor's.
  if (call.actor->role == Role::kAuditor) body["findings"] = std::move(list);
  return call.Respond(ReportOk(body, report->scope));
}

void GetFinding(ServiceContext& context, const Call& call) {
  if (Result<void> allowed =
          call.query.Allow({"fiscal_year", "as_of", "tree_size", "after_seq", "limit"});
      !allowed) {
    return call.Fail(allowed.error());
  }
  Result<std::optional<std::int64_t>> after =
      call.query.Integer("after_seq", 0, std::numeric_limits<std::int64_t>::max());
  if (!after) return call.Fail(after.error());
  Result<std::optional<std::int64_t>> limit_asked = call.query.Integer("limit", 1, kFindingSeqPageMax);
  if (!limit_asked) return call.Fail(limit_asked.error());
  const auto limit = static_cast<std::size_t>(limit_asked->value_or(kFindingSeqPageDefault));
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(store.error());
  Result<FindingsReport> report = ComputeReport(context, call.query, store->get());
  if (!report) return call.Fail(report.error());
  const std::vector<ledger::Finding>& findings = *report->findings;
  const auto found = std::find_if(findings.begin(), findings.end(),
                                  [&](const ledger::Finding& f) { return f.id == call.id_text; });
  if (found == findings.end()) {
    return call.Fail(NotFound("no finding " + call.id_text + " in the report of fiscal year " +
                              std::to_string(report->fiscal_year) + " as of " + report->scope.as_of +
                              " at tree size " + std::to_string(report->scope.tree_size) +
                              " (ids come from GET /v1/audit/findings with the same fiscal_year, "
                              "as_of and tree_size)"));
  }
  const std::vector<std::int64_t>& seqs = found->seqs;
  // Seqs are ascending: the page starts past after_seq.
  auto begin = after->has_value() ? std::upper_bound(seqs.begin(), seqs.end(), **after) : seqs.begin();
  const auto end = begin + static_cast<std::ptrdiff_t>(
                               std::min(limit, static_cast<std::size_t>(seqs.end() - begin)));
  json finding = FindingJson(*found);
  finding["seqs"] = std::vector<std::int64_t>(begin, end);
  finding["next_after_seq"] = end == seqs.end() ? json(nullptr) : json(*(end - 1));
  json body = {{"fiscal_year", report->fiscal_year},
               {"as_of", report->scope.as_of},
               {"tree_size", report->scope.tree_size},
               {"root_hash", report->scope.root_hash},
               {"finding", std::move(finding)}};
  return call.Respond(ReportOk(body, report->scope));
}

}  // namespace jejak::server
