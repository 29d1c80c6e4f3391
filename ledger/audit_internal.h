// What the audit rules share (ledger/audit.cc is the engine, the rules live in
// ledger/audit_rules_spending.cc, ledger/audit_rules_tax.cc and
// ledger/audit_rules_compliance.cc and ledger/audit_rules_bank.cc, and
// ledger/tax_allocation.cc parses dates with it): the parsed and interned context, date
// and text helpers. Internal to jejak_ledger; nothing outside ledger/ includes it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ledger/audit.h"

namespace jejak::ledger::audit_internal {

// Totals over a year can exceed int64 in theory (DESIGN allows single amounts up to
// about 10^18 sen, so ten of them overflow); sums are kept in 128 bits and clamped only
// when written into a Finding. `__extension__` keeps -Wpedantic quiet about __int128.
__extension__ typedef __int128 Wide;

using Days = std::chrono::sys_days;

inline const char* const kSeverityHigh = "high";
inline const char* const kSeverityMedium = "medium";
inline const char* const kSeverityLow = "low";

// `value` clamped into int64 (for a Finding's amount).
std::int64_t ClampSen(Wide value);

inline bool IsActive(const ExpenditureFacts& expenditure) {
  return !expenditure.reversed_by.has_value();
}

// Strict "YYYY-MM-DD"; nullopt for anything else, including impossible dates.
std::optional<Days> ParseDate(std::string_view text);

// "2025-04-15".
std::string FormatIsoDate(Days day);

// "15 April 2025", as Indonesian reports write dates.
std::string FormatTanggal(Days day);

// "Maret 2025".
std::string FormatBulan(Days day);

// "seq 3, 7 dan 9"; past ten seqs, "seq 1, 2, ... 10 dan 5 lainnya".
std::string FormatSeqs(const std::vector<std::int64_t>& seqs);

inline std::int64_t DaysBetween(Days from, Days to) { return (to - from).count(); }

// A tax deadline rule with its date parsed (Context keeps them sorted by type, then date).
struct ParsedTaxDeadline {
  std::string tax_type;
  Days effective_from;
  int day_of_next_month = 15;
};

// The deposit deadline of `tax_type` withheld on `value_date` (audit.h's
// TaxDepositDeadline); `deadlines` and `holidays` sorted.
Days DepositDeadline(const std::string& tax_type, Days value_date,
                     const std::vector<ParsedTaxDeadline>& deadlines,
                     const std::vector<Days>& holidays);

// The LPJ (Laporan Pertanggungjawaban bendahara) deadline of a transaction on `day`: the
// 10th of the next month, or 31 December for a December transaction.
Days LpjDeadline(Days day);

// The local calendar day of an RFC 3339 UTC time ("2025-03-10T17:30:00.000Z") at
// `utc_offset_minutes`; nullopt if it does not parse.
std::optional<Days> LocalDay(std::string_view rfc3339_utc, int utc_offset_minutes);

// Strings to small ids, in order of first appearance, so grouping sorts compare integers
// instead of codes (string compares through indices dominated the 100k run). Ids only
// ever decide grouping; the order of findings comes from the final sort on the strings.
class Interner {
 public:
  std::uint32_t Id(std::string_view text) {
    const auto [it, inserted] = ids_.try_emplace(text, static_cast<std::uint32_t>(ids_.size()));
    return it->second;
  }
  // Room for `count` distinct strings without rehashing.
  void Reserve(std::size_t count) { ids_.reserve(count); }
  std::optional<std::uint32_t> Find(std::string_view text) const {
    const auto found = ids_.find(text);
    if (found == ids_.end()) return std::nullopt;
    return found->second;
  }

 private:
  std::unordered_map<std::string_view, std::uint32_t> ids_;  // Views into the input.
};

// The interned keys of one expenditure.
struct ExpenditureKeys {
  std::uint32_t opd = 0;
  std::uint32_t sub_activity = 0;
  std::uint32_t account = 0;
  std::uint32_t payee_account = 0;
  std::uint32_t evidence_no = 0;
};

// What every rule reads: the input, the rules, and what is parsed or interned once.
struct Context {
  const AuditInput& input;
  const AuditRules& rules;
  std::vector<std::optional<Days>> value_dates;  // Parallel to input.expenditures.
  std::vector<ExpenditureKeys> keys;             // Parallel to input.expenditures.
  Interner opds;  // Shared by OPD, sub-activity and account codes (budgets look up).
  std::vector<Days> holidays;
  std::optional<Days> as_of;
  std::vector<ParsedTaxDeadline> tax_deadlines;
  std::string region_head;  // "Bupati Rejang Lebong".
  // Parallel to input.expenditures, so that sorts compare keys in compact arrays instead
  // of reaching into each expenditure.
  std::vector<std::int64_t> seqs;
  std::vector<std::int64_t> gross_sen;
};

// The OPD's registered name, or "OPD <code>" when it has none.
std::string OpdLabel(const Context& context, const std::string& opd);

// BPK's form: "BPK merekomendasikan Bupati <region> agar memerintahkan Kepala <OPD>
// selaku Pengguna Anggaran untuk <action>".
std::string Rekomendasi(const Context& context, const std::string& opd, const std::string& action);

// A finding of `rule` with its seqs sorted and deduplicated and its amount clamped; the
// caller fills in the texts.
Finding MakeFinding(const char* rule, const char* severity, const std::string& opd,
                    std::vector<std::int64_t> seqs, Wide amount_sen);

inline std::string Rupiah(Wide sen) { return FormatRupiah(ClampSen(sen)); }

// The rules, each appending its findings (ledger/audit_rules_spending.cc).
void RunOverPagu(const Context& context, std::vector<Finding>& findings);
void RunSplitPackage(const Context& context, std::vector<Finding>& findings);
void RunDuplicatePayment(const Context& context, std::vector<Finding>& findings);
// ledger/audit_rules_tax.cc.
void RunTaxNotDeposited(const Context& context, std::vector<Finding>& findings);
void RunTaxNotCollected(const Context& context, std::vector<Finding>& findings);
// ledger/audit_rules_compliance.cc.
void RunCashPayment(const Context& context, std::vector<Finding>& findings);
void RunOutsideFiscalYear(const Context& context, std::vector<Finding>& findings);
void RunPaymentBeforeEvidence(const Context& context, std::vector<Finding>& findings);
void RunLateRecording(const Context& context, std::vector<Finding>& findings);
void RunReversalHeavy(const Context& context, std::vector<Finding>& findings);
// ledger/audit_rules_bank.cc: reconciles input.bank once and appends the findings of all
// five bank rules (BANK_DEBIT_WITHOUT_ENTRY ... CASH_WITHDRAWAL); nothing without statements.
void RunBankRules(const Context& context, std::vector<Finding>& findings);

}  // namespace jejak::ledger::audit_internal
