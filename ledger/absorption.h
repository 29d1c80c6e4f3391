// Budget absorption (serapan): pagu in force against realisation, per OPD and in total,
// with the monthly cumulative curve against the RAK cash plan, the deviation band, the
// split by account group and the non-cash share. Pure: the store supplies aggregated
// rows and the budget lines in force; all amounts are exact int64 sen.
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
  std::map<std::string, std::string> opd_names;  // From the OPD registry.
};

struct Amounts {
  std::int64_t amount_sen = 0;
  std::int64_t entries = 0;
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
  // At as_of's month: realisation minus plan, relative to plan, and its band. None
  // without a plan or before the year.
  std::optional<std::int64_t> deviation_basis_points;
  std::optional<Band> band;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> groups;  // group -> (pagu, realisation).
  std::map<std::string, Amounts> instruments;  // All five, zero when unused.
  Amounts non_cash;
  Amounts cash;
  std::optional<std::int64_t> non_cash_share_basis_points;  // By amount; none if nothing spent.
};

struct AbsorptionReport {
  std::int64_t fiscal_year = 0;
  std::string as_of;
  Absorption total;
  std::vector<Absorption> opds;  // By OPD code.
};

// Computes the report. kInvalidArgument if a sum overflows int64 (not reachable with
// real budgets: the checks exist because pagu values come from clients).
Result<AbsorptionReport> ComputeAbsorption(const AbsorptionInput& input);

// "45.67" from 4567 basis points; "-12.50" from -1250. Rounded half away from zero when
// computed; here only formatted.
std::string FormatBasisPoints(std::int64_t basis_points);

}  // namespace jejak::ledger
