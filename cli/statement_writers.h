// Bank statement files written from a ParsedStatement: SWIFT MT940, camt.053 XML and a
// CMS-style CSV export through a column mapping. The demo writes the statements it
// uploads with these, and the tests write generated statements and read them back
// (ledger/bank_parse.h, server/camt053_reader.h), so each writer is the exact inverse of
// its parser for the statements the ledger holds.
#pragma once

#include <string>

#include "ledger/bank_parse.h"

namespace jejak::cli {

// MT940 in SWIFT block wrappers with CRLF line ends, as BPD exports it: :20:, :25:,
// :28C: (when statement_no is set), :60F: dated period_start, a :61: per line (value
// date, entry date, mark, amount, NTRF/NCHK/NCHG/NINT/NMSC for transfer, cash_withdrawal,
// fee, interest, other, "NONREF" and "//bank_ref"), an :86: of subfields (?20-?29 and
// ?60-?63 the description, ?31 the counter account, ?32-?33 the counter name) wrapped at
// 65 characters, :62F: dated period_end. Dates must be in 2000..2099. A '?' in a value is
// written as '.', a line break as a space (MT940 cannot carry either).
std::string WriteMt940(const ledger::ParsedStatement& statement);

// camt.053 in version .001.02 (`version` 2) or .001.08 (`version` 8; Sts/Cd and Pty
// names): one Stmt with FrToDt, OPBD and CLBD balances and one booked Ntry per line
// (AcctSvcrRef the bank_ref, BkTxCd from the type, the counter party as the creditor of
// a debit or the debtor of a credit, the description as one RmtInf/Ustrd).
std::string WriteCamt053(const ledger::ParsedStatement& statement, int version = 2);

// A CSV export in `mapping`'s columns, separator (',' when it detects), decimal and date
// format: a header row, then a row per line. Amounts are grouped in thousands; the
// direction column holds "D" or "K"; the type column the line's type; the balance
// column the running balance. Columns the mapping does not name are not written.
std::string WriteStatementCsv(const ledger::ParsedStatement& statement, const ledger::StatementCsvMapping& mapping);

}  // namespace jejak::cli
