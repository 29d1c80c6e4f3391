// Summaries for the dashboard: budget absorption (realisation against pagu, by month,
// account group and payment instrument, with the TEPRA band, corrections, refunds and
// other revenue) per OPD and in total, as of a date and over the first tree_size entries.
// Officers see their own OPD only.
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

json AmountsJson(const ledger::Amounts& amounts) {
  return {{"amount", ledger::FormatMoney(amounts.amount_sen)}, {"count", amounts.entries}};
}

// "YYYY-MM" of month index `month` (0..11) of `year`.
std::string MonthName(std::int64_t year, std::size_t month) {
  char text[16];
  std::snprintf(text, sizeof text, "%04lld-%02zu", static_cast<long long>(year), month + 1);
  return text;
}

json AbsorptionJson(const ledger::Absorption& row, std::int64_t year) {
  json monthly = json::array();
  for (std::size_t m = 0; m < 12; ++m) {
    monthly.push_back({{"month", MonthName(year, m)},
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
              {"band_month", row.band_month ? json(MonthName(year, static_cast<std::size_t>(*row.band_month)))
                                            : json(nullptr)},
              {"band_realisation", row.band_month ? json(ledger::FormatMoney(row.band_realisation_sen))
                                                  : json(nullptr)},
              {"band_plan", row.band_month && row.plan_sen ? json(ledger::FormatMoney(row.band_plan_sen))
                                                           : json(nullptr)},
              {"month_to_date", OptionalMoney(row.month_to_date_sen)},
              {"corrections", AmountsJson(row.corrections)},
              {"refunds", AmountsJson(row.refunds)},
              {"other_revenue", AmountsJson(row.other_revenue)},
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
  if (Result<void> allowed = call.query.Allow({"fiscal_year", "opd", "as_of", "tree_size"});
      !allowed) {
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
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(store.error());
  // The report covers exactly the first tree_size entries (default: the newest
  // checkpoint's), so the same URL with tree_size gives the same bytes forever.
  Result<ReportScope> scope = ResolveReportScope(call.query, store->get());
  if (!scope) return call.Fail(scope.error());
  const std::string& as_of = scope->as_of;
  Result<ledger::AbsorptionInput> input = (*store)->AbsorptionInputs(
      *year, as_of, opd, db::AbsorptionScope{scope->tree_size, false});
  if (!input) return call.Fail(input.error());
  Result<ledger::AbsorptionReport> report = ledger::ComputeAbsorption(*input);
  if (!report) return call.Fail(report.error());
  json opds = json::array();
  for (const ledger::Absorption& row : report->opds) opds.push_back(AbsorptionJson(row, *year));
  return call.Respond(JsonOk({{"fiscal_year", *year},
                            {"as_of", as_of},
                            {"tree_size", scope->tree_size},
                            {"root_hash", scope->root_hash},
                            {"total", AbsorptionJson(report->total, *year)},
                            {"opds", std::move(opds)}}));
}

}  // namespace jejak::server
