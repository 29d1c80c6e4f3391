// Audit workpapers (kertas kerja pemeriksaan), the domain half: what each sheet shows
// (Transaksi's expenditures, Realisasi's lines, Pajak's allocation of deposits, Temuan's
// findings and Ringkasan's totals) computed from the audit facts of one fiscal year. Pure;
// server/workpapers.h gathers the facts from the store at a checkpoint and
// server/workpapers_render.h writes them as XLSX or CSV.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "ledger/audit.h"
#include "ledger/reconcile.h"

namespace jejak::ledger {

// The withheld tax types, in Transaksi's column order.
inline constexpr std::array<const char*, 5> kWorkpaperTaxTypes = {"PPN", "PPh21", "PPh22",
                                                                  "PPh23", "PPh4(2)"};

// The tree an export is computed over: its first tree_size entries. The wiring puts
// tree_size and root_hash_hex in the X-Jejak-Tree-Size and X-Jejak-Root-Hash headers of
// every response, and the sheets open with a line naming them. When no commit ended at
// exactly tree_size there is no signed checkpoint of that size: `signed_checkpoint` is
// false, time and note are empty, and the root is the stored tree's (an auditor checks it
// with a consistency proof from a signed checkpoint).
struct WorkpaperCheckpoint {
  std::string origin;
  std::uint64_t tree_size = 0;
  std::string root_hash_hex;   // Lowercase hex, as in the JSON API.
  std::string chain_hash_hex;  // Chain hash of entry tree_size - 1.
  bool signed_checkpoint = true;
  std::string time;            // The checkpoint's time line.
  std::string note;            // The signed note as stored.
};

// One expenditure with every field of its stored entry. Absent optional fields are empty
// strings or nullopt.
struct WorkpaperExpenditure {
  std::int64_t seq = 0;
  std::string value_date;
  std::string opd;
  std::string sub_activity;
  std::string account;
  std::string mechanism;
  std::string instrument;
  std::string payee_name;
  std::string payee_npwp;
  std::string payee_bank;
  std::string payee_account_no;
  std::string payee_account_name;
  std::int64_t gross_sen = 0;
  std::array<std::int64_t, kWorkpaperTaxTypes.size()> tax_sen{};  // Summed per type.
  std::int64_t net_sen = 0;
  std::string bank_ref;
  std::string spp;
  std::string spm;
  std::string sp2d;
  std::string evidence_no;
  std::string evidence_date;
  std::string procurement_method;
  std::string contract_no;
  std::optional<std::int64_t> contract_value_sen;
  std::string description;
  std::string cash_reason;
  std::string recorded_by;
  std::string recorded_at;
  std::optional<std::int64_t> reversed_by;  // Seq of its reversal, inside the checkpoint.
  std::string leaf_hash_hex;
};

// Pagu against realisation of one (OPD, sub-activity, account) line: a budget line in
// force, or a line with realisation but no budget (pagu 0).
struct WorkpaperRealisation {
  std::string opd;
  std::string opd_name;
  std::string sub_activity;
  std::string account;
  std::int64_t pagu_sen = 0;
  bool budgeted = false;
  std::int64_t realisation_sen = 0;  // Unreversed gross with value date up to as_of.
  std::int64_t entries = 0;
};

// Withheld against deposited tax of one (OPD, tax type, tax period). The period is the
// month of the expenditures' value dates. Deposits are allocated to withheld tax by
// AllocateTaxDeposits (ledger/tax_allocation.h), as the TAX_NOT_DEPOSITED rule allocates
// them: in (deposit_date, seq) order, to covered unreversed expenditures in ascending seq,
// each up to what is still open. What a deposit cannot allocate (overpaid, or covering
// reversed payments) is `unallocated_sen` of the row of the deposit's own OPD and type, in
// the period of its latest covered expenditure of the year (the deposit month if it covers
// none).
struct WorkpaperTax {
  std::string opd;
  std::string tax_type;
  std::string period;    // YYYY-MM.
  std::string deadline;  // The deposit deadline of tax withheld in the period.
  std::int64_t withheld_sen = 0;
  std::int64_t deposited_sen = 0;    // Allocated to this period's withheld tax.
  std::int64_t unallocated_sen = 0;  // Deposited but not allocated to withheld tax.
  std::vector<std::string> ntpns;          // Of the deposits counted here, distinct.
  std::vector<std::string> billing_codes;  // Likewise.
  std::vector<std::int64_t> deposit_seqs;  // Ascending.
};

// A correction or a refund of an expenditure (Koreksi's rows): a reversal (koreksi: a
// recording error, no cash moved) or a refund (pengembalian belanja: cash back to the kas
// daerah, on an STS) of an expenditure of the year, or a refund dated in the year of a
// closed year's payment (pendapatan lain-lain).
struct WorkpaperAdjustment {
  std::int64_t seq = 0;
  std::string kind;  // "reversal" or "refund".
  std::int64_t original_seq = 0;
  std::string opd;            // The original's OPD, sub-activity and account.
  std::string sub_activity;
  std::string account;
  std::int64_t original_fiscal_year = 0;
  std::string original_value_date;
  std::int64_t original_gross_sen = 0;
  std::string date;  // A refund's value_date; a reversal's recording day.
  std::int64_t amount_sen = 0;  // A refund's amount; a reversal's original gross.
  std::string sts_no;           // Refunds only.
  std::string reason;
  std::string recorded_by;
  std::string recorded_at;
  std::string leaf_hash_hex;
};

// One line of a bank statement of the year (Rekonsiliasi Bank's rows) and what the
// reconciliation made of it.
struct WorkpaperBankLine {
  std::int64_t statement_seq = 0;
  std::int64_t line_index = 0;
  std::int64_t source_line = 0;  // 0 if unknown.
  std::string account_no;
  std::string opd;  // The treasurer's OPD; empty for the RKUD.
  std::string date;
  std::string value_date;
  bool debit = false;
  std::int64_t amount_sen = 0;
  std::string bank_ref;
  std::string counter_account;
  std::string description;
  std::string type;
  std::optional<std::int64_t> entry_seq;  // The entry it was matched to, if any.
  std::string method;                     // kMatch* of its match, or empty.
  // One of kBankLineStatuses: how the reconciliation left the line.
  std::string status;
};

// A bank line's status: matched by reference (bank_ref), by reference with another amount
// (amount_mismatch), by amount, date and account (amount_date_account), paired with a
// transfer between the ledger's accounts (internal_transfer), a teller cash withdrawal,
// a debit matched to nothing (unmatched_debit), a credit matched to nothing (credit).
inline constexpr std::array<std::string_view, 7> kBankLineStatuses = {
    "bank_ref", "amount_mismatch", "amount_date_account", "internal_transfer",
    "cash_withdrawal", "unmatched_debit", "credit"};

// The Indonesian label of a status of kBankLineStatuses ("" for another text).
std::string_view BankLineStatusLabel(std::string_view status);

// Rekonsiliasi Bank's rows: every line of `input`'s statements in (statement seq, line)
// order with what `reconciliation` (Reconcile over `input`) made of it. A credit that is
// the other side of an internal transfer carries the transfer's status.
std::vector<WorkpaperBankLine> BankWorkpaperLines(const ReconcileInput& input,
                                                  const Reconciliation& reconciliation);

// Everything one export shows, read at one checkpoint.
struct WorkpaperData {
  std::string region;
  std::int64_t fiscal_year = 0;
  std::string as_of;       // As requested (the position date, or a time).
  std::string as_of_date;  // YYYY-MM-DD.
  WorkpaperCheckpoint checkpoint;
  std::vector<WorkpaperExpenditure> expenditures;  // Seq order.
  std::vector<WorkpaperRealisation> realisation;   // By (opd, sub_activity, account).
  std::vector<WorkpaperTax> taxes;                 // By (opd, tax_type, period).
  std::vector<ledger::Finding> findings;           // RunAuditRules's order.
  std::vector<WorkpaperAdjustment> adjustments;    // Seq order.
  std::vector<WorkpaperBankLine> bank_lines;       // BankWorkpaperLines of the year.
  // OPD code to name (the OPD registry inside the tree), for the name beside every OPD code.
  std::map<std::string, std::string> opd_names;
  // Totals for Ringkasan (over `realisation` and `expenditures`).
  std::int64_t pagu_sen = 0;
  std::int64_t realisation_sen = 0;
  std::int64_t gross_sen = 0;           // All expenditures of the year, reversed included.
  std::int64_t reversed_gross_sen = 0;  // Of the reversed ones.
  std::int64_t reversed_entries = 0;
  std::int64_t withheld_sen = 0;   // Unreversed expenditures.
  std::int64_t deposited_sen = 0;  // All tax deposits of the year.
};

// The index of `type` in kWorkpaperTaxTypes, or nullopt for another text.
std::optional<std::size_t> WorkpaperTaxIndex(std::string_view type);

// What the sheets are computed from, besides WorkpaperData::expenditures.
struct WorkpaperFacts {
  // The audit facts of the year (db::Store::AuditInputs over the whole year):
  // expenditures parallel to WorkpaperData::expenditures (same seqs, same order), every
  // tax deposit, the budget lines in force at as_of.
  AuditInput audit;
  std::map<std::string, std::string> opd_names;  // OPD code to name.
};

// Fills data.findings (RunAuditRules over facts.audit with `rules`), data.realisation,
// data.taxes, data.opd_names and the totals from data.expenditures, data.adjustments and `facts`;
// data.as_of_date must be set. Realisasi counts as absorption does: refunds of the year's
// payments dated up to as_of lower their line. Errors: kInvalidArgument if a total overflows int64 sen; kDataLoss if a tax deposit
// has a tax type outside kWorkpaperTaxTypes.
Result<void> ComputeWorkpapers(const WorkpaperFacts& facts, const AuditRules& rules,
                               WorkpaperData& data);

}  // namespace jejak::ledger
