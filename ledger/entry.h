// Entries: the kinds of DESIGN ("Entries and the chain"), their validation, the fields the
// server stamps on them, and the query columns derived from their canonical form. Checks
// that need the ledger's state (bank_ref uniqueness, what a reversal reverses) go through
// LedgerView, which the store implements. Pure: no I/O.
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

enum class Kind {
  kGenesis,
  kOpd,
  kBudget,
  kExpenditure,
  kReversal,
  kTaxDeposit,
  kRefund,
  kBankStatement,
};

inline constexpr std::int64_t kFormatVersion = 1;

// "genesis", "opd", "budget", "expenditure", "reversal", "tax_deposit", "refund",
// "bank_statement".
const char* KindName(Kind kind);
std::optional<Kind> ParseKind(std::string_view name);

// True iff `name` is one of DESIGN's five instruments (cms_transfer, sp2d_ls, kkpd, qris,
// cash).
bool IsInstrument(std::string_view name);

// What the server adds to a body: DESIGN's `v`, `seq`, `recorded_at`, `recorded_by`.
struct Stamp {
  std::int64_t seq = 0;
  std::string recorded_at;  // RFC 3339 UTC with milliseconds, "2026-01-31T08:00:00.000Z".
  std::string recorded_by;  // The token's sub (or the CLI's --sub).
};

// Validates a client body of any kind but genesis (the body names its `kind`). Checks
// only what the body itself shows: required and unknown fields, types, code patterns,
// real calendar dates, string limits, money, net = gross - taxes, cash_reason iff cash,
// bank fields unless cash. Returns the body normalised for storage (money with exactly
// two fraction digits). kInvalidArgument listing every bad field with why. A body that
// carries a server field (v, seq, recorded_at, recorded_by) is rejected.
Result<nlohmann::json> ValidateBody(const nlohmann::json& body);

// Validates a genesis body (kind "genesis", ledger_id, origin, region, checkpoint_key).
Result<nlohmann::json> ValidateGenesis(const nlohmann::json& body);

// The stored entry: `body` (validated) with v, seq, recorded_at and recorded_by added.
nlohmann::json StampEntry(nlohmann::json body, const Stamp& stamp);

// The query columns of a stored entry, all derived from its canonical bytes. Absent
// values are empty strings / nullopt so that the store can compare them exactly.
struct EntryColumns {
  std::int64_t seq = 0;
  std::string kind;
  std::string recorded_at;
  std::string recorded_by;
  // The entry's fiscal_year; for a refund, the year of its value_date (the year the cash
  // came back). None for genesis, opd and reversal.
  std::optional<std::int64_t> fiscal_year;
  // opd (expenditure, budget, tax_deposit, a treasurer's bank_statement) or code (opd). Empty for a reversal or a refund:
  // their OPD is their original's (Store::OpdOf).
  std::string opd;
  std::string sub_activity;
  std::string account;
  std::string instrument;
  std::string mechanism;
  // value_date (expenditure, refund), deposit_date (tax_deposit), effective_date (budget)
  // or period_end (bank_statement).
  std::string value_date;
  std::string bank_ref;
  std::string payee_account; // "<bank>:<account_no>" when both are present.
  std::string payee_npwp;
  // tax_deposit: its tax_type. expenditure: the distinct tax types it withheld, sorted
  // and joined with "," ("PPN,PPh22"), so that a deposit's covers can be checked.
  std::string tax_type;
  // gross, pagu, a tax_deposit's or refund's amount, or a bank_statement's closing balance.
  std::optional<std::int64_t> amount_sen;
  std::optional<std::int64_t> net_sen;     // expenditure only.
  std::optional<std::int64_t> tax_sen;     // expenditure: sum of taxes.
  std::optional<std::int64_t> reverses;    // reversal only.
  std::optional<std::int64_t> refunds;     // refund only: the refunded expenditure's seq.
  std::string evidence_no;    // expenditure: documents.evidence_no.
  std::string evidence_date;  // expenditure: documents.evidence_date.
  // expenditure: withheld tax in sen per type, summed per type and sorted by type,
  // "PPN:112612613;PPh22:16891892".
  std::string tax_detail;
  std::string covers;  // tax_deposit: the covered seqs, "12,13".
  std::string monthly_plan;  // budget: the 12 RAK values in sen, "100,100,...", if any.

  friend bool operator==(const EntryColumns&, const EntryColumns&) = default;
};

// Derives the columns from a stored entry. kDataLoss if the entry is not a valid stored
// entry (verification uses this on bytes read back from storage).
Result<EntryColumns> DeriveColumns(const nlohmann::json& entry);

// What a new entry's checks need to know about the ledger so far. Implemented by the
// store inside its append transaction, so earlier entries of the same batch count.
class LedgerView {
 public:
  virtual ~LedgerView() = default;
  // The seq of the entry holding `bank_ref`, if any.
  virtual Result<std::optional<std::int64_t>> SeqOfBankRef(std::string_view bank_ref) = 0;
  // The columns of entry `seq`, if it exists.
  virtual Result<std::optional<EntryColumns>> Columns(std::int64_t seq) = 0;
  // The seq of the reversal of `seq`, if it has been reversed.
  virtual Result<std::optional<std::int64_t>> ReversalOf(std::int64_t seq) = 0;
  // True iff an `opd` entry registered `code`.
  virtual Result<bool> OpdRegistered(std::string_view code) = 0;
  // The amounts refunded of expenditure `seq` so far, in sen (0 if none), and the seq of
  // its first refund, if any.
  struct Refunded {
    std::int64_t amount_sen = 0;
    std::optional<std::int64_t> first_seq;
  };
  virtual Result<Refunded> RefundsOf(std::int64_t seq) = 0;
  // The bank statements recorded so far of account `account_no` (exactly as written),
  // newest (highest seq) first.
  virtual Result<std::vector<StatementPeriod>> StatementsOfAccount(std::string_view account_no) = 0;
};

// Checks a validated body against the ledger: bank_ref unused (kConflict naming the seq
// that holds it), opd registered, a reversal's target an unreversed expenditure without
// refunds (kConflict: once cash came back it is no longer a recording error), a refund's
// target an unreversed expenditure (kNotFound, kOutOfRange, kConflict naming `refunds`)
// with an amount at most what is still unrefunded and a value_date neither before the
// expenditure's nor in a year before its fiscal year (kOutOfRange naming the field), a tax
// deposit's covers existing expenditures of the same OPD and fiscal year, an OPD code
// registered only once; a bank statement's period overlapping no earlier statement of its
// account (kConflict on period_start naming that entry), its bank, account_role and opd
// those of the account's newest statement (kConflict naming the field), a treasurer's opd
// registered. kInvalidArgument / kConflict / kNotFound with the field.
Result<void> CheckAgainstLedger(const nlohmann::json& body, LedgerView& view);

}  // namespace jejak::ledger
