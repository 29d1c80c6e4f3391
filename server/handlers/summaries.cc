// Summaries for the dashboard: budget absorption (realisation against pagu, by month,
// account group and payment instrument) per OPD and in total, as of a date. Officers see
// their own OPD only.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "ledger/absorption.h"
#include "ledger/money.h"
#include "server/handlers/common.h"
#include "server/handlers/handlers.h"

namespace jejak::server {
namespace {

using nlohmann::json;

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

}  // namespace

void GetAbsorption(ServiceContext& context, const Call& call) {
  if (Result<void> allowed = call.query.Allow({"fiscal_year", "opd", "as_of"}); !allowed) {
    return call.Fail(allowed.error());
  }
  Result<std::int64_t> year = RequiredFiscalYear(call.query);
  if (!year) return call.Fail(year.error());
  Result<std::optional<std::string>> opd_filter = OpdFilter(call.query);
  if (!opd_filter) return call.Fail(opd_filter.error());
  std::optional<std::string> opd = *opd_filter;
  if (call.actor->role == Role::kOfficer) {
    if (opd && *opd != call.actor->opd) {
      return call.Fail(Error{Code::kPermissionDenied, "an officer sees only their own OPD", {}});
    }
    opd = call.actor->opd;
  }
  Result<std::string> as_of_date = AsOfDate(call.query);
  if (!as_of_date) return call.Fail(as_of_date.error());
  const std::string& as_of = *as_of_date;
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(store.error());
  std::uint64_t tree_size = 0;
  Result<ledger::AbsorptionInput> input = (*store)->AbsorptionInputs(*year, as_of, opd, &tree_size);
  if (!input) return call.Fail(input.error());
  Result<ledger::AbsorptionReport> report = ledger::ComputeAbsorption(*input);
  if (!report) return call.Fail(report.error());
  json opds = json::array();
  for (const ledger::Absorption& row : report->opds) opds.push_back(AbsorptionJson(row, *year));
  return call.Respond(JsonOk({{"fiscal_year", *year},
                            {"as_of", as_of},
                            {"tree_size", tree_size},
                            {"total", AbsorptionJson(report->total, *year)},
                            {"opds", std::move(opds)}}));
}

}  // namespace jejak::server
