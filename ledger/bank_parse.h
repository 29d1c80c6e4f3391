// Statement files to statement bodies: SWIFT MT940 and CSV exports with a saved column
// mapping are parsed here (camt.053 is XML and read in server/camt053_reader.h into the
// same ParsedStatement), and StatementBody makes the `bank_statement` body that entry
// validation then checks. Every problem names the line (or row) of the file. Pure: the
// bytes come from the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/result.h"
#include "ledger/bank_statement.h"

namespace jejak::ledger {

// What a statement file says, before the ledger adds who holds the account.
struct ParsedStatement {
  std::string account_no;     // As the file names it (MT940 :25:, camt Acct/Id), trimmed.
  std::string statement_no;   // MT940 :28C:, camt Stmt/Id; may be empty.
  std::string currency;       // "IDR".
  std::string period_start;   // YYYY-MM-DD.
  std::string period_end;     // YYYY-MM-DD.
  std::int64_t opening_sen = 0;
  std::int64_t closing_sen = 0;
  std::vector<BankLine> lines;  // index and source_line set.
};

// A statement file's problems: kInvalidArgument "invalid statement" whose errors are
// {field: "line N" (or "row N" for CSV, "file" when no line applies), message}, at most
// the first 1,000, every one in the file (parsing goes on past a bad line where it can).
Error StatementError(std::vector<FieldError> errors);

// Shared by the parsers of every format (camt.053's too), so that a line is read alike
// whatever file it came in.

// True iff `description`, upper-cased, contains "TARIK TUNAI" or "PENARIKAN TUNAI": the
// words Indonesian banks print on a teller (over the counter) cash withdrawal.
bool NamesCashWithdrawal(std::string_view description);

// A line's `type` from a SWIFT transaction type code (MT940 :61: "NTRF", or a camt.053
// proprietary code; a leading N, F or S is dropped, so "TRF" is the same): CHK and CSH
// cash_withdrawal; CHG, FEE and COM fee; INT interest; MSC other; anything else (TRF
// among them) transfer. A debit whose description NamesCashWithdrawal is a
// cash_withdrawal whatever its code; a credit is never one (a CHK credit is a transfer).
std::string LineTypeOfSwiftCode(std::string_view code, bool debit, std::string_view description);

// The day `text` names: "YYYY-MM-DD", or an ISO 8601 date-time beginning with one
// ("2025-01-31T23:59:59+07:00"). Nullopt unless it is a real Gregorian day.
std::optional<std::string> StatementDate(std::string_view text);

// opening + credits - debits over `lines`, in order; nullopt if a partial sum leaves the
// int64 range (checked arithmetic: a file cannot make it overflow).
std::optional<std::int64_t> BalanceAfter(std::int64_t opening_sen, const std::vector<BankLine>& lines);

// SWIFT MT940 (one statement: :20:, :25:, :28C:, :60F:/:60M:, :61:/:86: pairs,
// :62F:/:62M:, optional :64:). Amounts use ',' for the decimal; a D (or RC) mark is a
// debit, C (or RD) a credit. Only IDR. A file with several statements is refused.
Result<ParsedStatement> ParseMt940(std::string_view bytes);

// How a CMS CSV export is read (saved by name; JSON in docs/bank-statements.md).
struct StatementCsvMapping {
  std::string name;
  char separator = 0;            // ',', ';', '\t', or 0: detect.
  char decimal = ',';            // ',' or '.': the sen separator of amounts.
  std::string date_format = "DD/MM/YYYY";
  // Column names (header text). Either `amount` with `direction` ("D"/"K", "DB"/"CR",
  // "debit"/"credit") or `debit` and `credit` columns (one of them non-empty per row).
  std::string date, value_date, amount, direction, debit, credit, bank_ref, counter_account,
      counter_name, description, type, balance;
  // Substrings of the description (upper-cased) that mark a teller cash withdrawal when
  // there is no `type` column, e.g. "TARIK TUNAI".
  std::vector<std::string> cash_withdrawal_markers;
};

// The mapping from its JSON form; kInvalidArgument naming the bad member.
Result<StatementCsvMapping> ParseStatementCsvMapping(const nlohmann::json& mapping);
nlohmann::json StatementCsvMappingJson(const StatementCsvMapping& mapping);

// What a CSV export does not say itself: the account and the period (and the opening
// balance when it has no balance column).
struct StatementCsvContext {
  std::string account_no;
  std::string period_start;  // Empty: the first line's date.
  std::string period_end;    // Empty: the last line's date.
  std::optional<std::int64_t> opening_sen;  // Needed without a balance column.
};

// A CSV export (ledger/import_table.h's reader): one line per row; with a balance column
// every row's balance is checked against the one before (row named), and opening and
// closing follow from the first and last rows.
Result<ParsedStatement> ParseStatementCsv(std::string_view bytes, const StatementCsvMapping& mapping,
                                          const StatementCsvContext& context);

// Who holds the account, and the file: what the ledger adds to a parsed statement.
struct StatementMeta {
  std::string bank;
  std::string account_no;
  std::string account_role;  // kAccountRoleRkud or kAccountRoleTreasurer.
  std::string opd;           // For a treasurer's account.
  std::string format;        // One of kStatementFormats.
  std::string file_sha256;   // Lowercase hex.
};

// The `bank_statement` body of `parsed` (not yet validated; ValidateBody checks it).
// kInvalidArgument if parsed.account_no is not meta.account_no (compared as digits only).
Result<nlohmann::json> StatementBody(const ParsedStatement& parsed, const StatementMeta& meta);

}  // namespace jejak::ledger
