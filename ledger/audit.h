// Audit rules: BPK-style findings computed from the facts of one fiscal year (pure
// functions; the store gathers the facts, the caller passes thresholds and holidays).
// Each finding names its rule, severity, OPD, the seqs behind it and the amount at
// stake, and says in Indonesian what happened (kondisi), which rule it breaks (kriteria)
// and what to do (rekomendasi).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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
  std::string region;                            // The genesis entry's region.
  std::map<std::string, std::string> opd_names;  // OPD code -> name, from the registry.
};

// Thresholds, from the config (defaults as the regulations and DESIGN set them).
struct AuditRules {
  // Perpres 16/2018 jo. 12/2021: direct procurement (pengadaan langsung) up to Rp200
  // million for goods and services (Rp400 million for works, configurable).
  std::int64_t direct_procurement_cap_sen = 200'000'000LL * 100;
  int split_window_days = 30;
  int duplicate_window_days = 30;
  // The regency's cash cap per payment (Perkada); above it a cash payment is high severity.
  std::int64_t cash_cap_sen = 2'000'000LL * 100;
  int late_recording_days = 7;
  // REVERSAL_HEAVY: reversed amount above this share of realisation, in basis points.
  int reversal_heavy_basis_points = 500;
  std::vector<std::string> holidays;  // YYYY-MM-DD, national and regional.
};

inline constexpr const char* kRuleOverPagu = "OVER_PAGU";
inline constexpr const char* kRuleSplitPackage = "SPLIT_PACKAGE";
inline constexpr const char* kRuleDuplicatePayment = "DUPLICATE_PAYMENT";
inline constexpr const char* kRuleCashPayment = "CASH_PAYMENT";
inline constexpr const char* kRuleTaxNotDeposited = "TAX_NOT_DEPOSITED";
inline constexpr const char* kRuleOutsideFiscalYear = "OUTSIDE_FISCAL_YEAR";
inline constexpr const char* kRuleLateRecording = "LATE_RECORDING";
inline constexpr const char* kRuleReversalHeavy = "REVERSAL_HEAVY";

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
// REVERSAL_HEAVY. Cost O(n log n) in the number of expenditures.
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

// The deposit deadline of tax withheld on `value_date`: the 15th of the following month,
// moved to the next working day past weekends and `holidays`.
std::string TaxDepositDeadline(const std::string& value_date,
                               const std::vector<std::string>& holidays);

}  // namespace jejak::ledger
