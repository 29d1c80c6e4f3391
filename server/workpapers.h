// Audit workpapers (kertas kerja pemeriksaan) for BPK: one fiscal year of the ledger as an
// XLSX workbook (libxlsxwriter) with the sheets Ringkasan, Transaksi, Realisasi, Pajak and
// Temuan, or one of those sheets as RFC 4180 CSV. Serves GET /v1/export/workpapers.
// Every export is computed at one signed checkpoint and names it, so that an auditor can
// tie each number to the inclusion and consistency proofs of that tree size.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/store.h"
#include "ledger/audit.h"
#include "base/result.h"
#include "ledger/note.h"

namespace jejak::server {

// An XLSX sheet holds 1,048,576 rows; Transaksi spends two on its checkpoint line and its
// header. A regency records ~10^5 expenditures a year, so this refuses only a roll-up of
// many regions, which should be exported per region. Gathering holds about 1 KiB per
// expenditure, so an export at the limit needs about 1 GiB: run one export at a time.
inline constexpr std::size_t kWorkpaperExpendituresMax = 1'048'000;
static_assert(kWorkpaperExpendituresMax + 2 <= 1'048'576);

// The sheet names, in workbook order; also the valid values of `sheet=` for CSV.
inline constexpr std::array<const char*, 5> kWorkpaperSheets = {"Ringkasan", "Transaksi",
                                                                "Realisasi", "Pajak", "Temuan"};

// The withheld tax types, in Transaksi's column order.
inline constexpr std::array<const char*, 5> kWorkpaperTaxTypes = {"PPN", "PPh21", "PPh22",
                                                                  "PPh23", "PPh4(2)"};

struct WorkpaperRequest {
  std::int64_t fiscal_year = 0;
  // When the export is computed: RFC 3339 UTC ("2026-12-31T08:00:00.000Z") from the
  // server's clock, or a bare date ("2026-12-31"). Its date is the as_of of the budgets in
  // force, of realisation (value dates up to it) and of the tax deadlines, as in
  // GET /v1/summary/absorption and GET /v1/audit/findings.
  std::string as_of;
  // The region's name for Ringkasan; empty takes the genesis entry's `region`.
  std::string region;
  // The configured audit thresholds. Must be non-null and outlive the call.
  const ledger::AuditRules* rules = nullptr;
  // The pinned checkpoint key: the checkpoint the export is computed at must verify.
  ledger::NoteVerifier verifier;
};

// The checkpoint an export is computed at. The wiring puts tree_size and root_hash_hex in
// the X-Jejak-Checkpoint-Size and X-Jejak-Root-Hash headers of a CSV response.
struct WorkpaperCheckpoint {
  std::string origin;
  std::uint64_t tree_size = 0;
  std::string root_hash_hex;   // Lowercase hex, as in the JSON API.
  std::string chain_hash_hex;  // Chain hash of entry tree_size - 1.
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
// month of the expenditures' value dates. Deposits are allocated to withheld tax as the
// TAX_NOT_DEPOSITED rule does: in (deposit_date, seq) order, to covered unreversed
// expenditures in ascending seq, each up to what is still open. What a deposit cannot
// allocate (overpaid, or covering reversed payments) is `unallocated_sen` of the row of the
// deposit's own OPD and type, in the period of its latest covered expenditure of the year
// (the deposit month if it covers none).
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

// Everything one export shows, read at one checkpoint.
struct WorkpaperData {
  std::string region;
  std::int64_t fiscal_year = 0;
  std::string as_of;       // As requested (the export time).
  std::string as_of_date;  // YYYY-MM-DD.
  WorkpaperCheckpoint checkpoint;
  std::vector<WorkpaperExpenditure> expenditures;  // Seq order.
  std::vector<WorkpaperRealisation> realisation;   // By (opd, sub_activity, account).
  std::vector<WorkpaperTax> taxes;                 // By (opd, tax_type, period).
  std::vector<ledger::Finding> findings;           // RunAuditRules's order.
  // Totals for Ringkasan (over `realisation` and `expenditures`).
  std::int64_t pagu_sen = 0;
  std::int64_t realisation_sen = 0;
  std::int64_t gross_sen = 0;           // All expenditures of the year, reversed included.
  std::int64_t reversed_gross_sen = 0;  // Of the reversed ones.
  std::int64_t reversed_entries = 0;
  std::int64_t withheld_sen = 0;   // Unreversed expenditures.
  std::int64_t deposited_sen = 0;  // All tax deposits of the year.
};

// Reads what one export needs, bounded by the latest checkpoint: only entries with
// seq < its tree size count, and as entries are never changed, the data is one consistent
// view even while appends continue. Verifies the checkpoint with `request.verifier`, its
// origin against the genesis entry, its root against the stored Merkle nodes, and its
// chain hash against the last entry. Builds the audit facts from the same entries (as
// db::Store::AuditInputs would) and runs the rules.
// Errors: kInvalidArgument for a bad fiscal year or as_of; kNotFound before the first
// checkpoint; kTooLarge for more than kWorkpaperExpendituresMax expenditures;
// kDataLoss if the checkpoint or a stored entry does not verify or parse; kUnavailable
// from the store. `store` is used only during the call (not thread-safe: the caller's).
Result<WorkpaperData> GatherWorkpapers(db::Store& store, const WorkpaperRequest& request);

// The workbook as XLSX bytes. Amounts are numbers in rupiah with the format "#,##0.00";
// a double holds every sen exactly up to 15 significant digits (below Rp 10 trillion), and
// an amount at or above that is written as its exact decimal text instead. Dates are text
// "YYYY-MM-DD", exactly as in the ledger. Each data sheet opens with a line naming the
// checkpoint, then a bold, frozen header row with an autofilter. Writes through a private
// temporary directory it removes. kInternal if libxlsxwriter or the file system fails.
Result<std::string> RenderXlsx(const WorkpaperData& data);

// One sheet as RFC 4180 CSV: UTF-8 without a byte order mark, CRLF line ends, the header
// row then one row per sheet row, the same columns as the XLSX sheet; a field with a
// comma, quote, CR or LF is quoted and its quotes doubled. Amounts are exact decimal
// strings ("12500000.00"), percentages "45.67". No checkpoint line (the table stays
// uniform): the caller sends data.checkpoint in response headers. `sheet` is one of
// kWorkpaperSheets (exact case); otherwise kInvalidArgument naming the valid sheets.
Result<std::string> RenderCsv(const WorkpaperData& data, std::string_view sheet);

}  // namespace jejak::server
