// Budget absorption (serapan): pagu in force against realisation, per OPD and in total,
// with the monthly cumulative curve against the RAK cash plan, the TEPRA deviation band,
// the split by account group, the non-cash share, corrections (reversals), refunds
// (pengembalian belanja) and the refunds of closed years' payments (pendapatan lain-lain).
// Pure: the store supplies aggregated rows and the budget lines in force; all amounts are
// exact int64 sen.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace jejak::ledger {

// "pegawai" (5.1.01), "barang_jasa" (5.1.02), "modal" (5.2) or "lainnya" (the rest).
const char* AccountGroup(std::string_view account);
inline constexpr std::array<const char*, 4> kAccountGroups = {"pegawai", "barang_jasa", "modal",
                                                              "lainnya"};
inline constexpr std::array<const char*, 5> kInstruments = {"cms_transfer", "sp2d_ls", "kkpd",
                                                            "qris", "cash"};

// Gross and count of unreversed expenditures of one (OPD, account group, instrument) in
// one month ("YYYY-MM" of the value date), up to as_of.
struct RealisationRow {
  std::string opd;
  std::string account_group;
  std::string instrument;
  std::string month;
  std::int64_t amount_sen = 0;
  std::int64_t entries = 0;
};

// Gross of the unreversed expenditures of one budget line (opd, sub_activity, account) in
// one month ("YYYY-MM" of the value date): what the TEPRA band compares with the RAK.
struct LineRealisationRow {
  std::string opd;
  std::string sub_activity;
  std::string account;
  std::string month;
  std::int64_t amount_sen = 0;
};

// A refund (pengembalian belanja) with its value_date in the report's fiscal year, up to
// as_of, with what absorption needs of the expenditure it refunds.
struct RefundFacts {
  std::int64_t seq = 0;
  std::int64_t refunds = 0;             // The expenditure's seq.
  std::int64_t original_fiscal_year = 0;
  std::string opd;                      // The expenditure's OPD, sub_activity, account and
  std::string sub_activity;             // instrument.
  std::string account;
  std::string instrument;
  std::string value_date;               // The refund's.
  std::int64_t amount_sen = 0;
};

// A reversal (koreksi) of an expenditure of the fiscal year dated up to as_of: the
// original's OPD and gross.
struct CorrectionFacts {
  std::string opd;
  std::int64_t amount_sen = 0;
};

// A budget line in force as of as_of (the newest budget entry of its key).
struct BudgetLine {
  std::string opd;
  std::string sub_activity;
  std::string account;
  std::int64_t pagu_sen = 0;
  std::optional<std::array<std::int64_t, 12>> monthly_plan_sen;  // The RAK, if given.
};

struct AbsorptionInput {
  std::int64_t fiscal_year = 0;
  std::string as_of;  // YYYY-MM-DD.
  std::vector<BudgetLine> budgets;
  std::vector<RealisationRow> realisation;
  // Realisation per budget line by month, up to the band's month (or later: rows after it
  // are ignored). Only lines with a monthly_plan count.
  std::vector<LineRealisationRow> line_realisation;
  std::vector<RefundFacts> refunds;
  std::vector<CorrectionFacts> corrections;
  std::map<std::string, std::string> opd_names;  // From the OPD registry.
};

struct Amounts {
  std::int64_t amount_sen = 0;
  std::int64_t entries = 0;
  friend bool operator==(const Amounts&, const Amounts&) = default;
};

// Deviation bands of the realisation against the cumulative plan at as_of.
enum class Band { kBlue, kGreen, kYellow, kRed };
const char* BandName(Band band);  // "blue", "green", "yellow", "red".

struct Absorption {
  std::string opd;  // Empty for the total.
  std::string name;
  std::int64_t pagu_sen = 0;
  std::int64_t realisation_sen = 0;
  std::int64_t remaining_sen = 0;  // pagu - realisation (negative when over pagu).
  std::optional<std::int64_t> percent_basis_points;  // realisation / pagu; none if pagu 0.
  // Cumulative realisation at the end of each month of the fiscal year (value dates
  // inside the year); nullopt for months after as_of.
  std::array<std::optional<std::int64_t>, 12> monthly_sen{};
  // Cumulative RAK plan of the lines that carry one; pagu those lines cover.
  std::optional<std::array<std::int64_t, 12>> plan_sen;
  std::int64_t planned_pagu_sen = 0;
  // The TEPRA band, at the end of the last month that has ended by as_of (as_of's own
  // month when as_of is its last day; after the year, December): the realisation of the
  // lines that carry a RAK (net of same-year refunds) against their cumulative RAK.
  // band_month is that month's index 0..11, none before the first month of the year has
  // ended; deviation and band are none also without a plan or while it is still zero.
  std::optional<int> band_month;
  std::int64_t band_realisation_sen = 0;
  std::int64_t band_plan_sen = 0;
  std::optional<std::int64_t> deviation_basis_points;
  std::optional<Band> band;
  // Inside a month of the year (as_of is not its last day): the realisation of that month
  // so far, shown beside the band of the month before.
  std::optional<std::int64_t> month_to_date_sen;
  // Reversals of the year's expenditures (koreksi: recording errors, no cash moved); they
  // are already out of realisation. Count and the originals' gross.
  Amounts corrections;
  // Refunds of the year's expenditures dated by as_of: they lower realisation in the
  // month of their own value_date.
  Amounts refunds;
  // Refunds dated in this year of closed years' payments: pendapatan lain-lain of this
  // year, outside belanja realisation.
  Amounts other_revenue;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> groups;  // group -> (pagu, realisation).
  std::map<std::string, Amounts> instruments;  // All five, zero when unused.
  Amounts non_cash;
  Amounts cash;
  // non_cash / (non_cash + cash) by amount, rounded half away from zero, except that it is
  // never 10000 while cash.entries > 0 (then at most 9999) nor 0 while non_cash.entries > 0
  // (then at least 1); none if nothing was spent.
  std::optional<std::int64_t> non_cash_share_basis_points;
  friend bool operator==(const Absorption&, const Absorption&) = default;
};

struct AbsorptionReport {
  std::int64_t fiscal_year = 0;
  std::string as_of;
  Absorption total;
  std::vector<Absorption> opds;  // By OPD code.
  friend bool operator==(const AbsorptionReport&, const AbsorptionReport&) = default;
};

// Computes the report. kInvalidArgument if a sum overflows int64 (not reachable with
// real budgets: the checks exist because pagu values come from clients). Refunds whose
// value_date is not in the fiscal year or after as_of are ignored.
Result<AbsorptionReport> ComputeAbsorption(const AbsorptionInput& input);

// "45.67" from 4567 basis points; "-12.50" from -1250. Rounded half away from zero when
// computed; here only formatted.
std::string FormatBasisPoints(std::int64_t basis_points);

}  // namespace jejak::ledger
