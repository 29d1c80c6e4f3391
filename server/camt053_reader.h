// Reads an ISO 20022 camt.053 bank-to-customer statement (XML, versions .001.02 to
// .001.08) into the same ParsedStatement as the MT940 and CSV parsers (ledger/bank_parse.h).
// libxml2's streaming reader reads it as server/xlsx_reader.cc reads XLSX parts: no
// network, no DTD (a document with one is refused, so no entity is ever expanded),
// nesting depth and text sizes bounded, every problem an Error naming the XML line.
#pragma once

#include <string_view>

#include "base/result.h"
#include "ledger/bank_parse.h"

namespace jejak::server {

// Elements nest deeper than this only in an attack (a camt.053 entry is about 12 deep).
inline constexpr int kCamtDepthMax = 32;

// The one statement (BkToCstmrStmt/Stmt) of `bytes`: Stmt/Id as statement_no, the
// account (Acct/Id/IBAN or Acct/Id/Othr/Id), the period (FrToDt, else the opening and
// closing balances' dates), the opening (OPBD, else PRCD) and closing (CLBD) balances,
// and one line per booked entry (Sts BOOK; pending and information entries are not on
// the balance and are skipped). A line's bank_ref is AcctSvcrRef, else the first
// transaction's EndToEndId (NOTPROVIDED counts as none); the counter party is the
// creditor of a debit and the debtor of a credit (name and account); the description is
// RmtInf/Ustrd (joined with spaces), else AddtlTxInf, else AddtlNtryInf; the type comes
// from BkTxCd (docs/bank-statements.md). Errors: ledger::StatementError with fields
// "line N" (the XML line) or "file", every problem found up to 1,000 (a document that is
// not well-formed XML stops at its first); a second Stmt, a currency other than IDR, a
// debit (DBIT) opening or closing balance, and a closing balance that the entries do
// not add up to are refused.
Result<ledger::ParsedStatement> ParseCamt053(std::string_view bytes);

}  // namespace jejak::server
