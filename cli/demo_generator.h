// The realistic demo regency of `jejak demo`: about 35 OPDs of a Kabupaten (Rejang Lebong
// style names, Permendagri 90/2019 codes), an APBD of about Rp1.1 trillion per
// sub-activity and account with monthly cash plans (murni, pergeseran and perubahan
// stages), a fiscal year of expenditures on every instrument with a December peak,
// reversals, monthly tax deposits, a handful of refunds (pengembalian belanja) within the
// year, and a handful of planted anomalies, one per audit rule (ledger/audit.h). Everything is simulated: each group carries the time it would have
// been recorded. Deterministic: the same arguments give the same plan, byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace jejak::cli {

// The fewest and most expenditures GenerateDemo accepts: payroll alone takes about 900
// (every OPD's salaries and allowances), and a million is a large province's year.
inline constexpr std::size_t kDemoExpendituresMin = 1500;
inline constexpr std::size_t kDemoExpendituresMax = 1'000'000;
// What `jejak demo` records by default: a regency's year at realistic payment sizes.
inline constexpr std::size_t kDemoExpendituresDefault = 50'000;

struct DemoBatch {
  // RFC 3339 UTC with milliseconds: the simulated time this group was recorded. Strictly
  // increasing from batch to batch, all before the end of January after the fiscal year.
  std::string recorded_at;
  // (recorded_by sub, client body), in append order; at most kDemoBatchEntriesMax.
  std::vector<std::pair<std::string, nlohmann::json>> entries;
};
inline constexpr std::size_t kDemoBatchEntriesMax = 256;

struct DemoPlan {
  std::int64_t fiscal_year = 0;
  std::vector<DemoBatch> batches;  // In order; seqs are assigned from first_seq on, consecutively.
  std::map<std::string, std::string> opd_names;  // code -> name.
  // One line per planted anomaly: "RULE: what, seqs ...".
  std::vector<std::string> planted;
  // One line per refund (pengembalian belanja), in seq order: who returned what, when.
  std::vector<std::string> refunds;
};

// Generates the demo ledger content after genesis: OPD registrations, budgets,
// `expenditures` expenditures (clamped to [kDemoExpendituresMin, kDemoExpendituresMax]),
// reversals, refunds and tax deposits. Pagu is about Rp1.1 trillion whatever the count; payment
// sizes are realistic at the default count, so realisation reaches about 90% of pagu
// there and less with fewer expenditures. first_seq is the seq of the first generated
// entry (1 after genesis): reversals, refunds and deposits name seqs. Every body passes
// ledger::ValidateBody and the store's ledger checks when appended batch by batch.
DemoPlan GenerateDemo(std::int64_t fiscal_year, std::size_t expenditures, std::int64_t first_seq);

}  // namespace jejak::cli
