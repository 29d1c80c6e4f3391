// Bank statements (kind `bank_statement`, docs/bank-statements.md): the facts of one
// statement of one account (the RKUD or an OPD treasurer's account) as the ledger keeps
// them, read back from a stored entry, and what its validation checks. The statement's
// file is parsed elsewhere (ledger/bank_parse.h, server/camt053_reader.h); this is the
// stored form. Pure: no I/O.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/result.h"

namespace jejak::ledger {

// A month of an RKUD statement holds thousands of lines; a 50 MB file holds at most about
// this many, and one entry stays a few tens of megabytes of JSON.
inline constexpr std::size_t kStatementLinesMax = 100000;

// account_role values.
inline constexpr const char* kAccountRoleRkud = "rkud";
inline constexpr const char* kAccountRoleTreasurer = "bendahara_pengeluaran";

// A line's `type`: what the bank says the transaction was. cash_withdrawal is a teller
// (over the counter) cash withdrawal; fee and interest are the bank's own postings.
inline constexpr std::array<std::string_view, 5> kBankLineTypes = {
    "transfer", "cash_withdrawal", "fee", "interest", "other"};

// Statement formats (`format`): how the file was written.
inline constexpr std::array<std::string_view, 3> kStatementFormats = {"mt940", "camt053",
                                                                      "csv"};

// One line of a statement, as stored (lines[index]).
struct BankLine {
  std::int64_t index = 0;         // Position in `lines`, from 0.
  std::string date;               // Booking date, YYYY-MM-DD.
  std::string value_date;         // YYYY-MM-DD.
  bool debit = false;             // direction "debit" (money out) or "credit" (money in).
  std::int64_t amount_sen = 0;    // > 0.
  std::string bank_ref;           // The bank's reference; may be empty.
  std::string counter_account;    // The other party's account number; may be empty.
  std::string counter_name;       // May be empty.
  std::string description;        // May be empty.
  std::string type;               // One of kBankLineTypes.
  std::int64_t source_line = 0;   // Line (or row) of the original file; 0 if unknown.
  // The running balance after this line, when the file states one (CSV exports do).
  std::optional<std::int64_t> balance_sen;
};

// One stored statement.
struct BankStatementFacts {
  std::int64_t seq = 0;
  std::int64_t fiscal_year = 0;   // The year of period_start (period_end is in the same year).
  std::string bank;               // "BPD Bengkulu".
  std::string account_no;         // Digits, as the bank writes it.
  std::string account_role;       // kAccountRoleRkud or kAccountRoleTreasurer.
  std::string opd;                // The treasurer's OPD; empty for the RKUD.
  std::string period_start;       // YYYY-MM-DD.
  std::string period_end;         // YYYY-MM-DD, >= period_start.
  std::string statement_no;       // May be empty.
  std::string format;             // One of kStatementFormats.
  std::string file_sha256;        // Lowercase hex SHA-256 of the original file.
  std::int64_t opening_sen = 0;   // >= 0.
  std::int64_t closing_sen = 0;   // >= 0; opening + credits - debits.
  std::vector<BankLine> lines;    // In file order.
};

// The facts of a stored bank_statement entry (validated: ValidateBody accepted it).
// kDataLoss if `entry` is not one.
Result<BankStatementFacts> StatementFacts(const nlohmann::json& entry);

// The part of an earlier statement of the same account that a new one is checked against
// (LedgerView::StatementsOfAccount).
struct StatementPeriod {
  std::int64_t seq = 0;
  std::string bank;
  std::string account_role;
  std::string opd;
  std::string period_start;
  std::string period_end;
};

}  // namespace jejak::ledger
