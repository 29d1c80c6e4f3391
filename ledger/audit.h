// Audit rules: BPK-style findings computed from the facts of one fiscal year (pure
// functions; the store gathers the facts, the caller passes thresholds and holidays).
// Each finding names its rule, severity, OPD, the seqs behind it and the amount at
// stake, and says in Indonesian what happened (kondisi), which regulation it breaks
// (kriteria), why (sebab), what it causes (akibat) and what to do (rekomendasi).
// docs/audit-rules.md explains every rule to auditors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ledger/absorption.h"
#include "ledger/reconcile.h"

namespace jejak::ledger {

// One expenditure of the year, from the store's columns.
struct ExpenditureFacts {
  std::int64_t seq = 0;
  std::int64_t fiscal_year = 0;
  std::string opd;
  std::string sub_activity;
  std::string account;
  std::string instrument;     // cms_transfer, sp2d_ls, kkpd, qris, cash.
  std::string value_date;     // YYYY-MM-DD.
  std::string recorded_at;    // RFC 3339 UTC with milliseconds.
  std::string payee_npwp;     // May be empty.
  std::string payee_account;  // "<bank>:<account_no>", empty for cash without bank.
  std::string evidence_no;    // documents.evidence_no, may be empty.
  std::string evidence_date;  // documents.evidence_date, may be empty.
  std::int64_t gross_sen = 0;
  // Withheld tax per type (PPN, PPh21, PPh22, PPh23, PPh4(2)), summed per type.
  std::vector<std::pair<std::string, std::int64_t>> taxes_sen;
  std::optional<std::int64_t> reversed_by;  // Seq of its reversal, if reversed.
  // From the canonical entry (no column holds them); empty / nullopt when absent.
  std::string payee_name;
  std::optional<bool> payee_pkp;    // payee.pkp: a VAT-registered enterprise (PKP).
  std::string procurement_method;   // procurement.method: PL, tender, epurchasing, swakelola.
  std::string procurement_type;     // procurement.type: kProcurementType* (optional field).
  std::string contract_no;          // procurement.contract_no.
};

struct TaxDepositFacts {
  std::int64_t seq = 0;
  std::string opd;
  std::string tax_type;
  std::int64_t amount_sen = 0;
  std::string deposit_date;  // YYYY-MM-DD.
  std::vector<std::int64_t> covers;
  std::string ntpn;
  std::string billing_code;  // For the workpapers; no rule reads it.
};

// The pagu in force of one (opd, sub_activity, account) line.
struct BudgetFacts {
  std::int64_t seq = 0;  // The budget entry in force.
  std::string opd;
  std::string sub_activity;
  std::string account;
  std::int64_t pagu_sen = 0;
};

struct AuditInput {
  std::int64_t fiscal_year = 0;
  std::vector<ExpenditureFacts> expenditures;  // Every expenditure of the year, in seq order.
  std::vector<TaxDepositFacts> tax_deposits;   // Every tax deposit of the year, in seq order.
  std::vector<BudgetFacts> budgets;            // Lines in force.
  // The date the audit looks from (YYYY-MM-DD): deadlines after it have not passed yet.
  std::string as_of;
  // Refunds (pengembalian belanja) dated in the year up to as_of, of this year's
  // payments or earlier years'; OVER_PAGU nets those of this year's payments.
  std::vector<RefundFacts> refunds;
  std::string region;                            // The genesis entry's region.
  std::map<std::string, std::string> opd_names;  // OPD code -> name, from the registry.
  // The year's bank statements and the entries they are matched against (ledger/reconcile.h);
  // no statements: no bank rule runs.
  ReconcileInput bank;
};

// Procurement types (the optional `procurement.type` of an expenditure), which set the
// direct-procurement cap.
inline constexpr const char* kProcurementTypeGoods = "barang";
inline constexpr const char* kProcurementTypeOtherServices = "jasa_lainnya";
inline constexpr const char* kProcurementTypeConsultancy = "konsultansi";
inline constexpr const char* kProcurementTypeWorks = "konstruksi";

// The direct-procurement (pengadaan langsung) cap of one procurement type from a date on.
struct ProcurementCap {
  std::string type;            // One of kProcurementType*.
  std::string effective_from;  // YYYY-MM-DD.
  std::int64_t cap_sen = 0;
};

// The deposit deadline of one tax type for tax periods from a date on: the given day of
// the month after the tax period, or with day_of_next_month == 0 the payment day itself.
struct TaxDeadlineRule {
  std::string tax_type;        // PPN, PPh21, PPh22, PPh23, PPh4(2).
  std::string effective_from;  // YYYY-MM-DD; compared with the payment's value date.
  int day_of_next_month = 15;  // 1..28, or 0 for the payment day.
};

// Perpres 16/2018 jo. 12/2021 Pasal 38 ayat (3)-(4): goods, works and other services
// Rp200 million, consultancy Rp100 million; Perpres 46/2025: works Rp400 million (from
// 2025-04-30, the config can move the date).
std::vector<ProcurementCap> DefaultProcurementCaps();

// PMK 242/PMK.03/2014 (tax periods before 2025): PPh 21, 23 and 4(2) by the 10th, and
// (unconfirmed here, so configurable) PPh 22 by the 10th and PPN by the 15th; PMK 81/2024
// Pasal 94 ayat (2) (from 2025-01-01): every type by the 15th. docs/audit-rules.md.
std::vector<TaxDeadlineRule> DefaultTaxDeadlines();

// Thresholds, from the config (defaults as the regulations and DESIGN set them).
struct AuditRules {
  // SPLIT_PACKAGE: caps per type and date; the window in days (0: the whole fiscal year).
  std::vector<ProcurementCap> procurement_caps = DefaultProcurementCaps();
  int split_window_days = 0;
  int duplicate_window_days = 7;
  // The Perbup's cash cap per payment; above it a cash payment is high severity.
  std::int64_t cash_cap_sen = 2'000'000LL * 100;
  // Account-code prefixes the Perbup allows to be paid in cash (up to the cap). Empty:
  // the Perbup restricts by amount only.
  std::vector<std::string> cash_exempt_accounts;
  // REVERSAL_HEAVY: reversed amount above this share of realisation, in basis points.
  int reversal_heavy_basis_points = 500;
  // National non-working days (YYYY-MM-DD): libur nasional and cuti bersama. Only these
  // and weekends move a tax deadline (PMK 81/2024 Pasal 100); regional holidays never.
  std::vector<std::string> holidays;
  std::vector<TaxDeadlineRule> tax_deadlines = DefaultTaxDeadlines();
  // TAX_NOT_COLLECTED: PPN and PPh 22 are collected on payments above this.
  std::int64_t tax_collection_threshold_sen = 2'000'000LL * 100;
  // The regency's UTC offset (WIB +7, WITA +8, WIT +9; no daylight saving): recorded_at
  // (UTC) becomes a local date with it.
  int utc_offset_minutes = 7 * 60;
  // Bank rules: a payment matches a statement line by amount only when its date is within
  // this many days of the line's value date (ReconcileParams::window_days).
  int bank_match_window_days = 3;
  // ENTRY_WITHOUT_BANK_DEBIT: an unmatched payment is a finding only once its date is more
  // than this many days before as_of (the bank may book it a few days late).
  int bank_debit_due_days = 7;
};

inline constexpr const char* kRuleOverPagu = "OVER_PAGU";
inline constexpr const char* kRuleSplitPackage = "SPLIT_PACKAGE";
inline constexpr const char* kRuleDuplicatePayment = "DUPLICATE_PAYMENT";
inline constexpr const char* kRuleCashPayment = "CASH_PAYMENT";
inline constexpr const char* kRuleTaxNotDeposited = "TAX_NOT_DEPOSITED";
inline constexpr const char* kRuleOutsideFiscalYear = "OUTSIDE_FISCAL_YEAR";
inline constexpr const char* kRuleLateRecording = "LATE_RECORDING";
inline constexpr const char* kRuleReversalHeavy = "REVERSAL_HEAVY";
inline constexpr const char* kRuleTaxNotCollected = "TAX_NOT_COLLECTED";
inline constexpr const char* kRulePaymentBeforeEvidence = "PAYMENT_BEFORE_EVIDENCE";
// The bank rules (ledger/audit_rules_bank.cc): they run only when statements were given.
inline constexpr const char* kRuleBankDebitWithoutEntry = "BANK_DEBIT_WITHOUT_ENTRY";
inline constexpr const char* kRuleEntryWithoutBankDebit = "ENTRY_WITHOUT_BANK_DEBIT";
inline constexpr const char* kRuleAmountMismatch = "AMOUNT_MISMATCH";
inline constexpr const char* kRuleStatementGap = "STATEMENT_GAP";
inline constexpr const char* kRuleCashWithdrawal = "CASH_WITHDRAWAL";

// Every rule id, in report order.
inline constexpr const char* kAuditRuleIds[] = {
    kRuleOverPagu,        kRuleSplitPackage,      kRuleDuplicatePayment, kRuleCashPayment,
    kRuleTaxNotDeposited, kRuleTaxNotCollected,   kRuleOutsideFiscalYear,
    kRulePaymentBeforeEvidence, kRuleLateRecording, kRuleReversalHeavy,
    kRuleBankDebitWithoutEntry, kRuleEntryWithoutBankDebit, kRuleAmountMismatch,
    kRuleStatementGap, kRuleCashWithdrawal,
};

struct Finding {
  // Stable identity of the finding within one report (same fiscal year, as_of and tree
  // size): lowercase hex, derived from the rule, the OPD and the seqs.
  std::string id;
  std::string rule;      // One of the kRule* ids.
  std::string severity;  // "high", "medium" or "low".
  std::string opd;
  std::string opd_name;            // From the OPD registry; empty if not registered.
  std::vector<std::int64_t> seqs;  // Ascending; every seq behind the finding.
  std::int64_t amount_sen = 0;     // The amount at stake.
  // BPK's five elements, in Indonesian: what happened, with the numbers (kondisi); the
  // regulation it breaks, cited exactly (kriteria); why it happened (sebab); what it
  // causes (akibat); and what to do, in BPK's form (rekomendasi).
  std::string kondisi;
  std::string kriteria;
  std::string sebab;
  std::string akibat;
  std::string rekomendasi;
};

// Every rule over `input`. Deterministic: findings ordered by rule (in the order above),
// then OPD, then first seq. Reversed expenditures count for no rule except
// REVERSAL_HEAVY. The five bank rules run only when input.bank has statements, over one
// Reconcile of input.bank with rules.bank_match_window_days. Cost O(n log n) in the number
// of expenditures (plus statement lines and bank payments).
// Each finding's `id` is set by AssignFindingIds and its `opd_name` from input.opd_names.
std::vector<Finding> RunAuditRules(const AuditInput& input, const AuditRules& rules);

// Finding ids are this many bytes of SHA-256, in lowercase hex (twice as many digits).
inline constexpr std::size_t kFindingIdBytes = 16;

// The id of `finding`: the first kFindingIdBytes of SHA-256 over a canonical encoding of
// its rule, its OPD, its full seq list and `ordinal` (0, or the count of earlier findings
// of the same report with the same rule, OPD and seqs), in lowercase hex. The same report
// (fiscal year, as_of, tree size and rules) gives the same ids; a change of seqs changes it.
std::string FindingId(const Finding& finding, std::size_t ordinal);

// Sets every finding's id (FindingId, with ordinals counted in the given order, which must
// be RunAuditRules's) and fills an empty opd_name from input.opd_names. RunAuditRules
// calls it; exposed for the tests.
void AssignFindingIds(const AuditInput& input, std::vector<Finding>& findings);

// "Rp 1.234.567,89" (Indonesian grouping), for kondisi texts and the dashboard.
std::string FormatRupiah(std::int64_t sen);

// The deposit deadline of `tax_type` withheld on `value_date` under `rules`: the rule in
// force for that type on that date (TaxDeadlineRule; a type with none uses the 15th of
// the next month), moved to the next working day past weekends and rules.holidays (PMK
// 81/2024 Pasal 100). Empty if value_date is not a date.
std::string TaxDepositDeadline(const std::string& tax_type, const std::string& value_date,
                               const AuditRules& rules);

// The direct-procurement cap of `type` on `date` (YYYY-MM-DD) under `caps`: the newest
// entry of that type in force by then (before the first, the first). 0 if none.
std::int64_t ProcurementCapOn(const std::vector<ProcurementCap>& caps, const std::string& type,
                              const std::string& date);

// The procurement type of `e`: procurement.type if set, else from the account where it is
// unambiguous (belanja modal gedung dan bangunan 5.2.03 and jalan, irigasi dan jaringan
// 5.2.04 -> konstruksi), else barang (goods and other services share a cap).
std::string ProcurementTypeOf(const ExpenditureFacts& e);

// "Bupati Rejang Lebong" from "Pemerintah Kabupaten Rejang Lebong" (Kota -> Wali Kota,
// Provinsi -> Gubernur); "Kepala Daerah ..." when the region names none of them.
std::string RegionHead(const std::string& region);

}  // namespace jejak::ledger
