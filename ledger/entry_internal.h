// Helpers that entry validation (ledger/entry.cc) and the derived columns
// (ledger/entry_columns.cc) share. Internal to jejak_ledger; nothing outside ledger/
// includes it.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "base/result.h"
#include "ledger/entry.h"

namespace jejak::ledger::entry_internal {

// The fields the server stamps; a client never sends them.
inline constexpr std::array<std::string_view, 4> kServerFields = {"v", "seq", "recorded_at",
                                                                  "recorded_by"};

// True iff `text` is "2026-01-31T08:00:00.000Z": RFC 3339 UTC with milliseconds, a real
// calendar date and time, as the server stamps it.
bool IsRecordedAt(std::string_view text);

// Validates a stored entry (server fields included) as ValidateBody, or ValidateGenesis
// when `genesis`, validates it with its server fields erased: the same errors in the same
// order, but without copying it. `money_not_stored` tells whether validation would have
// rewritten a money value (so the stored entry is not in its stored form).
Result<void> ValidateStored(const nlohmann::json& entry, bool genesis, bool& money_not_stored);

// The JSON path of element `index` of the array at `path`: "taxes[1]".
std::string Index(const std::string& path, std::size_t index);

// A validated bank_statement body's query columns (ledger/bank_statement.cc): fiscal_year
// (period_start's year), opd (empty for the RKUD), value_date = period_end, amount_sen =
// the closing balance.
void StatementColumns(const nlohmann::json& body, EntryColumns& columns);

// A validated bank_statement body against the earlier statements of its account: no
// overlapping period, the same bank, account_role and opd (CheckAgainstLedger's contract;
// the treasurer's OPD registration is checked by the caller).
Result<void> CheckStatementAgainstLedger(const nlohmann::json& body, LedgerView& view);

}  // namespace jejak::ledger::entry_internal
