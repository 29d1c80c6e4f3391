// The tax resource: an OPD's withheld taxes that tax deposits do not yet cover, per
// expenditure and tax type, for the bendahara's tax deposit form (what a deposit's
// `covers` may name). Officers read their own OPD only. The allocation of deposits to
// withholdings is ledger/tax_allocation.h's, as for TAX_NOT_DEPOSITED and the workpapers.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "ledger/money.h"
#include "ledger/officer_forms.h"
#include "server/handlers/common.h"
#include "server/handlers/handlers.h"

namespace jejak::server {

void GetOpenWithholdings(ServiceContext& context, const Call& call) {
  if (Result<void> allowed = call.query.Allow({"fiscal_year", "opd", "tree_size"}); !allowed) {
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
  // Every expenditure and deposit of the year recorded in the first tree_size entries,
  // whatever their dates (a payment value-dated tomorrow withholds tax all the same).
  Result<ledger::AuditInput> input =
      (*store)->AuditInputs(*year, scope->as_of, scope->tree_size, /*whole_year=*/true);
  if (!input) return call.Fail(input.error());
  nlohmann::json withholdings = nlohmann::json::array();
  for (const ledger::OpenWithholding& open : ledger::OpenWithholdingsOf(*input, *opd)) {
    const ledger::ExpenditureFacts& expenditure = input->expenditures[open.expenditure];
    Result<ledger::EntryColumns> columns = (*store)->Columns(expenditure.seq);
    if (!columns) return call.Fail(columns.error());
    withholdings.push_back({{"seq", expenditure.seq},
                            {"value_date", expenditure.value_date},
                            {"tax_type", open.tax_type},
                            {"withheld", ledger::FormatMoney(open.withheld_sen)},
                            {"deposited", ledger::FormatMoney(open.deposited_sen)},
                            {"open", ledger::FormatMoney(open.open_sen)},
                            {"payee", expenditure.payee_name},
                            {"bank_ref", columns->bank_ref.empty() ? nlohmann::json(nullptr)
                                                                   : nlohmann::json(columns->bank_ref)},
                            {"evidence_no", expenditure.evidence_no.empty()
                                                ? nlohmann::json(nullptr)
                                                : nlohmann::json(expenditure.evidence_no)}});
  }
  return call.Respond(JsonOk({{"fiscal_year", *year},
                              {"opd", *opd},
                              {"tree_size", scope->tree_size},
                              {"root_hash", scope->root_hash},
                              {"withholdings", std::move(withholdings)}}));
}

}  // namespace jejak::server
