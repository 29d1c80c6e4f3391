// The demo regency's bank statements (`jejak demo`): after the year's entries, one statement
// a month for the regional cash account (RKUD) and for each OPD treasurer's account, built
// from the ledger's own payments so that they reconcile (ledger/reconcile.h), with a few
// planted anomalies, one or two for each bank rule. Deterministic: the same plan gives the
// same statements, byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/demo_generator.h"
#include "ledger/bank_parse.h"

namespace jejak::cli {

// The bank holding every demo account.
inline constexpr const char* kDemoBank = "Bank Bengkulu";
// The RKUD's account number (treasurers' accounts are 0012020 + the OPD's index + 01).
inline constexpr const char* kDemoRkudAccount = "001201000001";

// One month of one account, as its file says it and as the ledger adds who holds it.
struct DemoStatement {
  ledger::ParsedStatement parsed;  // Lines with index and source_line 0 (the file sets them).
  std::string bank;
  std::string account_role;  // ledger::kAccountRoleRkud or kAccountRoleTreasurer.
  std::string opd;           // The treasurer's OPD code; empty for the RKUD.
  std::string format;        // "camt053" (the RKUD), "mt940" or "csv" (treasurers, alternating).
  std::string file_name;     // "001201000001-2025-01.xml": the account, the month, the format.
};

// A planted bank anomaly, as the audit rules are expected to report it.
struct DemoBankPlant {
  std::string rule;            // A bank rule id of ledger/audit.h.
  std::string account_no;      // The statement's account (ENTRY_WITHOUT_BANK_DEBIT: the expected one).
  std::string month;           // "2025-06": the month of the statement that holds it
                               // (STATEMENT_GAP: the statement after the break).
  std::string previous_month;  // STATEMENT_GAP: the statement before the break.
  std::int64_t entry_seq = 0;  // ENTRY_WITHOUT_BANK_DEBIT, AMOUNT_MISMATCH: the entry.
  // The line's amount (AMOUNT_MISMATCH: |difference|; STATEMENT_GAP: the balance break's
  // |difference|, for the missing month the month's net movement, which breaks the balance
  // chain of the same pair as well when it is not zero).
  std::int64_t amount_sen = 0;
  std::string line;            // "RULE: what, where".
};

struct DemoBank {
  // Import order: month by month, the RKUD first, then the treasurers by OPD.
  std::vector<DemoStatement> statements;
  // The saved mapping the treasurers' CSV exports are read with.
  ledger::StatementCsvMapping csv_mapping;
  std::vector<DemoBankPlant> planted;
  std::size_t lines = 0;  // Over all statements.
};

// The bank statements of `plan` (whose first entry has seq first_seq, as GenerateDemo
// numbered it). Routing follows ledger/reconcile.h: LS payments are debits of the RKUD,
// other non-cash payments and tax deposits debits of their OPD's treasurer account (net
// amount); UP/GU top-ups are RKUD debits paired with treasurer credits; refunds are RKUD
// credits; reversed and cash payments move no money. About one treasurer payment in eight
// carries no bank reference and a value date up to two days later, so that matching by
// amount, date and payee account is exercised. Balances chain month to month and never go
// below zero (the RKUD receives its monthly transfers first thing in the month).
DemoBank GenerateDemoStatements(const DemoPlan& plan, std::int64_t first_seq);

}  // namespace jejak::cli
