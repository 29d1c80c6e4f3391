// The budget lines resource: the lines of one OPD's budget in force on a date, with the
// pagu, what has been realised and what remains of each, for the bendahara's expenditure
// form. Officers read their own OPD only. The lines in force and their realisation come
// from the store's audit input and ledger/officer_forms.h: the rules OVER_PAGU uses.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "ledger/money.h"
#include "ledger/officer_forms.h"
#include "server/handlers/common.h"
#include "server/handlers/handlers.h"

namespace jejak::server {

Result<std::string> ScopedOpd(const Call& call) {
  Result<std::optional<std::string>> opd = OpdFilter(call.query);
  if (!opd) return opd.error();
  if (call.actor->role == Role::kOfficer) {
    if (*opd && **opd != call.actor->opd) {
      return Error{Code::kPermissionDenied, "an officer sees only their own OPD", {}};
    }
    return call.actor->opd;
  }
  if (!*opd) return InvalidArgument("opd is required", {{"opd", "required"}});
  return **opd;
}

void GetBudgetLines(ServiceContext& context, const Call& call) {
  if (Result<void> allowed = call.query.Allow({"fiscal_year", "opd", "as_of", "tree_size"}); !allowed) {
    return call.Fail(allowed.error());
  }
  Result<std::int64_t> year = RequiredFiscalYear(call.query);
  if (!year) return call.Fail(year.error());
  Result<std::string> opd = ScopedOpd(call);
  if (!opd) return call.Fail(opd.error());
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(store.error());
  Result<ReportScope> scope = ResolveReportScope(call.query, store->get());
  if (!scope) return call.Fail(scope.error());
  // Expenditures and refunds dated up to as_of; the lines in force on as_of.
  Result<ledger::AuditInput> input = (*store)->AuditInputs(*year, scope->as_of, scope->tree_size);
  if (!input) return call.Fail(input.error());
  nlohmann::json lines = nlohmann::json::array();
  for (const ledger::BudgetLineStatus& line : ledger::BudgetLinesOf(*input, *opd)) {
    Result<db::StoredEntry> budget = (*store)->Entry(line.budget_seq);
    if (!budget) return call.Fail(budget.error());
    Result<nlohmann::json> entry = EntryJson(budget->seq, budget->canonical);
    if (!entry) return call.Fail(entry.error());
    lines.push_back({{"sub_activity", line.sub_activity},
                     {"account", line.account},
                     {"pagu", ledger::FormatMoney(line.pagu_sen)},
                     {"realisation", ledger::FormatMoney(line.realisation_sen)},
                     {"remaining", ledger::FormatMoney(line.remaining_sen)},
                     {"stage", entry->value("stage", "")},
                     {"budget_seq", line.budget_seq}});
  }
  const auto name = input->opd_names.find(*opd);
  return call.Respond(JsonOk({{"fiscal_year", *year},
                              {"opd", *opd},
                              {"name", name == input->opd_names.end() ? nlohmann::json(nullptr)
                                                                      : nlohmann::json(name->second)},
                              {"as_of", scope->as_of},
                              {"tree_size", scope->tree_size},
                              {"root_hash", scope->root_hash},
                              {"lines", std::move(lines)}}));
}

}  // namespace jejak::server
