// The answer of GET /v1/reconciliation (and the year's summary in the answer of POST
// /v1/bank-statements): a reconciliation (ledger/reconcile.h) over one fiscal year's
// statements and payments, narrowed to an account or an OPD, as totals, per account, per
// month and the lists a dashboard drills down into. Money is written as decimal strings.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "ledger/reconcile.h"

namespace jejak::server {

// Each list of the answer (unmatched_debits, unmatched_payments, cash_withdrawals,
// amount_mismatches, breaks) holds at most this many items; lists_truncated says when one
// was cut. The totals always count every item.
inline constexpr std::size_t kReconciliationListMax = 1000;

// The name of the RKUD where an OPD's name stands (the findings' opd_name of the RKUD).
inline constexpr const char* kRkudName = "Kas Daerah (RKUD)";

struct ReconciliationFilter {
  // Only the statements of this account number (and the payments it is expected to pay).
  std::optional<std::string> account;
  // Only the statements of this OPD's treasurer accounts and the payments of this OPD.
  std::optional<std::string> opd;
};

// {totals, accounts, months, unmatched_debits, unmatched_payments, cash_withdrawals,
// amount_mismatches, breaks, lists_truncated} of `reconciliation` (computed from `input`)
// narrowed by `filter` (docs: server/openapi.yaml, ReconciliationReport). A line counts
// in the month of its booking date, a payment in the month of its date. matched_percent
// is the matched debit amount over the debit amount ("0.00" without debits), two
// decimals, rounded half away from zero. An unmatched payment is narrowed by the account
// it is expected to be paid from: an LS expenditure (or instrument sp2d_ls) from the
// RKUD, any other payment from its OPD's treasurer account. `opd_names` names the OPDs.
// kOutOfRange if a total passes the int64 sen range.
Result<nlohmann::json> ReconciliationReport(const ledger::ReconcileInput& input,
                                            const ledger::Reconciliation& reconciliation,
                                            const ReconciliationFilter& filter,
                                            const std::map<std::string, std::string>& opd_names);

}  // namespace jejak::server
