// Audit findings: the audit rules (ledger/audit.h) run over a fiscal year as of a date,
// counted per rule and OPD for executives, listed in full for auditors.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ledger/audit.h"
#include "ledger/money.h"
#include "server/handlers/common.h"
#include "server/handlers/handlers.h"
#include "server/limits.h"

namespace jejak::server {

using nlohmann::json;

void GetFindings(ServiceContext& context, const Call& call) {
  if (Result<void> allowed = call.query.Allow({"fiscal_year", "opd", "rule", "as_of"}); !allowed) {
    return call.Fail(allowed.error());
  }
  Result<std::int64_t> year = RequiredFiscalYear(call.query);
  if (!year) return call.Fail(year.error());
  Result<std::optional<std::string>> opd_filter = OpdFilter(call.query);
  if (!opd_filter) return call.Fail(opd_filter.error());
  const std::optional<std::string>& opd = *opd_filter;
  std::optional<std::string> rule = call.query.Text("rule");
  static const std::set<std::string> kRules(std::begin(ledger::kAuditRuleIds),
                                            std::end(ledger::kAuditRuleIds));
  if (rule && !kRules.count(*rule)) {
    return call.Fail(InvalidArgument("bad filter", {{"rule", "unknown rule"}}));
  }
  Result<std::string> as_of_date = AsOfDate(call.query);
  if (!as_of_date) return call.Fail(as_of_date.error());
  const std::string& as_of = *as_of_date;
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(store.error());
  std::uint64_t tree_size = 0;
  Result<ledger::AuditInput> input = (*store)->AuditInputs(*year, as_of, &tree_size);
  if (!input) return call.Fail(input.error());
  const std::vector<ledger::Finding> findings = ledger::RunAuditRules(*input, context.audit_rules);
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
    if (call.actor->role == Role::kAuditor) {
      list.push_back({{"rule", finding.rule},
                      {"severity", finding.severity},
                      {"opd", finding.opd},
                      {"opd_name", finding.opd_name},
                      {"seqs", finding.seqs},
                      {"amount", ledger::FormatMoney(finding.amount_sen)},
                      {"kondisi", finding.kondisi},
                      {"kriteria", finding.kriteria},
                      {"sebab", finding.sebab},
                      {"akibat", finding.akibat},
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
  if (call.actor->role == Role::kAuditor) body["findings"] = std::move(list);
  return call.Respond(JsonOk(body));
}

}  // namespace jejak::server
