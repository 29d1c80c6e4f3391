// The invariants every statement parser keeps on any input (tests/fuzz/mt940_fuzz.cc,
// camt053_fuzz.cc): a refusal lists 1 to 1,000 problems, each naming "file" or a line of
// the input; an accepted statement adds up, its lines are in order and numbered, with
// real dates, amounts above zero and known types.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/bank_parse.h"
#include "tests/fuzz/fuzz.h"

namespace jejak::fuzz {

inline void CheckParsedStatement(std::string_view input, const Result<ledger::ParsedStatement>& parsed) {
  const std::int64_t lines = 1 + static_cast<std::int64_t>(std::count(input.begin(), input.end(), '\n'));
  if (!parsed) {
    const Error& error = parsed.error();
    FUZZ_ASSERT(error.code == Code::kInvalidArgument, error.ToString());
    FUZZ_ASSERT(error.message == "invalid statement", error.message);
    FUZZ_ASSERT(!error.fields.empty() && error.fields.size() <= 1000, std::to_string(error.fields.size()));
    for (const FieldError& field : error.fields) {
      if (field.field == "file") continue;
      FUZZ_ASSERT(field.field.rfind("line ", 0) == 0, field.field);
      const std::int64_t line = std::stoll(field.field.substr(5));
      FUZZ_ASSERT(line >= 1 && line <= lines, field.field + " of " + std::to_string(lines));
    }
    return;
  }
  const ledger::ParsedStatement& statement = *parsed;
  FUZZ_ASSERT(statement.currency == "IDR", statement.currency);
  FUZZ_ASSERT(ledger::StatementDate(statement.period_start).has_value(), statement.period_start);
  FUZZ_ASSERT(ledger::StatementDate(statement.period_end).has_value(), statement.period_end);
  FUZZ_ASSERT(statement.opening_sen >= 0 && statement.closing_sen >= 0, "negative balance");
  const std::optional<std::int64_t> closing = ledger::BalanceAfter(statement.opening_sen, statement.lines);
  FUZZ_ASSERT(closing.has_value() && *closing == statement.closing_sen, "balances do not add up");
  FUZZ_ASSERT(statement.lines.size() <= ledger::kStatementLinesMax, "too many lines");
  for (std::size_t i = 0; i < statement.lines.size(); ++i) {
    const ledger::BankLine& line = statement.lines[i];
    FUZZ_ASSERT(line.index == static_cast<std::int64_t>(i), "index");
    FUZZ_ASSERT(line.amount_sen > 0, std::to_string(line.amount_sen));
    FUZZ_ASSERT(ledger::StatementDate(line.date).has_value(), line.date);
    FUZZ_ASSERT(ledger::StatementDate(line.value_date).has_value(), line.value_date);
    FUZZ_ASSERT(line.source_line >= 1 && line.source_line <= lines, std::to_string(line.source_line));
    FUZZ_ASSERT(std::find(ledger::kBankLineTypes.begin(), ledger::kBankLineTypes.end(), line.type) !=
                    ledger::kBankLineTypes.end(),
                line.type);
    FUZZ_ASSERT(!(line.type == "cash_withdrawal" && !line.debit), "credit cash withdrawal");
  }
}

}  // namespace jejak::fuzz
