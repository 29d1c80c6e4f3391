// Bank reconciliation: every debit of a bank statement matched to one entry that paid it
// (an expenditure or a tax deposit), every credit to a refund where one fits, transfers
// between the ledger's own accounts paired, and the balance chain of each account
// checked. A pure, deterministic function of the ledger's entries, so that `jejak verify`
// recomputes a stored result byte for byte. docs/bank-statements.md explains the rules.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ledger/bank_statement.h"

namespace jejak::ledger {

// An entry that moves money through a bank account.
struct BankPaymentFacts {
  std::int64_t seq = 0;
  std::string kind;        // "expenditure" (money out), "tax_deposit" (out), "refund" (in).
  std::int64_t fiscal_year = 0;
  std::string opd;         // A refund's: its expenditure's.
  std::string mechanism;   // Expenditure: UP, GU, TU, LS. Else empty.
  std::string instrument;  // Expenditure: cms_transfer, sp2d_ls, kkpd, qris, cash. Else empty.
  std::string date;        // value_date (expenditure, refund) or deposit_date.
  // References a statement line may carry: the bank_ref (expenditure); the NTPN and the
  // billing code (tax_deposit); the STS number (refund).
  std::vector<std::string> refs;
  std::string payee_account_no;  // Expenditure: payee.account_no; else empty.
  std::int64_t amount_sen = 0;   // Expenditure: net (what left the bank); else amount.
  bool reversed = false;         // Expenditure reversed (recorded in error: no cash moved).
};

// Whether `payment` is expected on the RKUD (an expenditure with mechanism LS or instrument
// sp2d_ls) rather than on its OPD's treasurer account(s).
bool PaidFromRkud(const BankPaymentFacts& payment);

struct ReconcileInput {
  std::int64_t fiscal_year = 0;
  // Every bank_statement of the year, in seq order.
  std::vector<BankStatementFacts> statements;
  // Every expenditure and tax deposit of the year and every refund dated in it, in seq order.
  std::vector<BankPaymentFacts> payments;
};

struct ReconcileParams {
  // A match by amount needs the entry's date within this many days of the line's value date.
  int window_days = 3;
};

// How a line was matched.
inline constexpr const char* kMatchBankRef = "bank_ref";
inline constexpr const char* kMatchAmountDate = "amount_date_account";
inline constexpr const char* kMatchTransfer = "internal_transfer";

struct LineMatch {
  std::int64_t statement_seq = 0;
  std::int64_t line_index = 0;
  std::string method;              // kMatch*.
  // The entry (bank_ref, amount_date_account); 0 for an internal transfer.
  std::int64_t entry_seq = 0;
  std::string entry_kind;
  std::int64_t line_amount_sen = 0;
  std::int64_t entry_amount_sen = 0;  // Differs from the line's only for a bank_ref match.
  // internal_transfer: the credit line on the ledger's other account.
  std::int64_t transfer_statement_seq = 0;
  std::int64_t transfer_line_index = 0;
};

struct LineRef {
  std::int64_t statement_seq = 0;
  std::int64_t line_index = 0;
};

// A break between two consecutive statements (by period) of one account.
struct ChainBreak {
  std::string account_no;
  std::int64_t previous_seq = 0;
  std::int64_t next_seq = 0;
  std::string kind;              // "gap" (days between the periods) or "balance" (opening != closing).
  std::string missing_from;      // gap: the first and last day no statement covers.
  std::string missing_to;
  std::int64_t expected_sen = 0; // balance: the previous closing.
  std::int64_t actual_sen = 0;   // balance: the next opening.
};

struct Reconciliation {
  std::int64_t fiscal_year = 0;
  ReconcileParams params;
  std::vector<LineMatch> matches;            // In (statement_seq, line_index) order.
  std::vector<LineRef> unmatched_debits;     // Debits matched to nothing (cash withdrawals aside).
  std::vector<LineRef> cash_withdrawals;     // Debits of type cash_withdrawal (never matched).
  std::vector<std::int64_t> unmatched_payments;  // Seqs of unreversed, non-cash expenditures
                                                 // and tax deposits no debit matched.
  std::vector<ChainBreak> breaks;            // By account_no, then period.
};

// Matches every line of input.statements (see docs/bank-statements.md for the order):
// debits by reference first, then by amount, date window and payee account; credits of
// refunds likewise; a debit whose counter account is another account of the ledger to a
// credit of the same amount there. Deterministic; O(n log n) in lines plus payments.
Reconciliation Reconcile(const ReconcileInput& input, const ReconcileParams& params);

// The stored form of a reconciliation (RFC 8785 canonicalisable; what verify compares).
nlohmann::json ReconciliationJson(const Reconciliation& reconciliation);

}  // namespace jejak::ledger
