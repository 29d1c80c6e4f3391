// The demo generator's passes (cli/demo_generator.h): one Generator per plan, run once.
// Its methods live by concern: the budget and payees in cli/demo_budget.cc, the year's
// payments, reversals and tax deposits in cli/demo_year.cc, the planted anomalies in
// cli/demo_anomalies.cc, the refunds in cli/demo_refunds.cc, and the assembly into
// recorded batches in cli/demo_generator.cc.
// Internal to the demo generator.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/demo_generator.h"
#include "cli/demo_world.h"

namespace jejak::cli::demo {

class Generator {
 public:
  Generator(std::int64_t year, std::size_t count, std::int64_t first_seq)
      : year_(year), count_(count), first_seq_(first_seq),
        rng_(0x4A454A414BULL ^ static_cast<std::uint64_t>(year) * 0x100000001B3ULL ^ count) {}

  // The whole plan: every pass in order. Call once.
  DemoPlan Run();

 private:
  // --- Budget -------------------------------------------------------------------------
  void BuildLines();

  // --- Vendors --------------------------------------------------------------------------
  void BuildVendors();

  std::size_t FreshVendor(Pool kind);

  // A dedicated enterprise for a planted anomaly.
  std::size_t PlantedVendor(std::string name, bool pkp);
  // The same from `rng` (the plants added later draw from their own stream, so the main
  // stream, and with it the rest of the demo, stays as it was).
  std::size_t PlantedVendor(std::string name, bool pkp, Rng& rng);

  // --- Drafts -------------------------------------------------------------------------
  std::size_t FindLine(std::size_t opd, Cat cat, bool program) const;

  void DraftPayroll();

  Expenditure& AddPlanted(Planted kind, std::size_t line, Day value, std::int64_t gross,
                          std::size_t vendor, std::string instrument, std::string description);

  void DraftPlanted();
  // SPLIT_PACKAGE across six vendors, TAX_NOT_COLLECTED and PAYMENT_BEFORE_EVIDENCE.
  void DraftPlantedMore();

  void DraftRegular();

  // REVERSAL_HEAVY: Dinas Perikanan records four service payments twice and reverses the
  // copies, some 8% of what it recorded in the year.
  void DraftHeavyReversals();

  // --- Completion, in value-date order ---------------------------------------------------
  bool SplitWindowOk(const std::string& key, Day value, std::int64_t gross);

  void Complete();

  void CompleteOne(Expenditure& e);
  // The halves of CompleteOne, in this order (the random stream depends on it): the
  // instrument, mechanism, payee and taxes; then the documents, bank reference,
  // procurement, description and recording day.
  void CompletePayment(Expenditure& e);
  void CompleteDocuments(Expenditure& e);

  std::string SplitKey(std::size_t opd, const AccountSpec& account, std::size_t vendor) const;

  // --- Late recording, reversals, deposits -------------------------------------------------
  bool Ordinary(const Expenditure& e) const;

  void PlantLateRecording();

  void ChooseReversals();

  void BuildDeposits();

  // Pengembalian belanja (cli/demo_refunds.cc): a handful of partial refunds of ordinary,
  // unreversed payments of the year (a contractor's overpayment, a fine for late work,
  // unspent travel money, an honorarium above the standard), each some weeks after its
  // payment and within the year, from a private random stream. Runs after ChooseReversals.
  void ChooseRefunds();
  std::string RefundLine(const Refund& refund) const;

  using GroupKey = std::tuple<std::size_t, std::string, unsigned>;
  std::optional<GroupKey> PickGroup(const std::map<GroupKey, std::vector<std::size_t>>& groups,
                                    std::string_view opd_name, const std::string& type, unsigned month,
                                    const std::optional<GroupKey>& avoid) const;

  // --- Assembly -------------------------------------------------------------------------
  nlohmann::json ExpenditureBody(const Expenditure& e) const;

  nlohmann::json BudgetBody(const BudgetEntry& entry) const;

  DemoPlan Assemble();

  std::string Seqs(const std::vector<std::int64_t>& seqs) const;
  std::vector<std::int64_t> SeqsOf(Planted kind) const;
  std::string OpdLabel(std::size_t opd) const;

  std::vector<std::string> PlantedLines() const;

  struct OpdCounters {
    std::int64_t evidence = 0;
    std::int64_t spp = 0;
    std::int64_t contract = 0;
  };

  const std::int64_t year_;
  const std::size_t count_;
  const std::int64_t first_seq_;
  Rng rng_;
  std::vector<Line> lines_;
  std::size_t over_line_ = 0;
  std::vector<Vendor> vendors_;
  std::array<std::vector<std::size_t>, 13> pools_;
  std::array<std::size_t, 13> fresh_{};
  std::array<std::vector<std::size_t>, kOpdCount> asn_;
  std::vector<Expenditure> expenditures_;
  std::vector<Deposit> deposits_;
  std::vector<Refund> refunds_;
  std::array<OpdCounters, kOpdCount> counters_{};
  std::array<std::optional<std::size_t>, kOpdCount> last_evidence_{};
  std::unordered_map<std::string, std::vector<std::pair<Day, std::int64_t>>> split_history_;
  std::unordered_map<std::string, Day> duplicate_last_;
  // SPLIT_PACKAGE over the fiscal year: each line's direct procurements (PL) so far; an
  // ordinary PL that would take its line past kSplitGuardSen, or falls on a planted split
  // line, is bought through the e-catalogue instead.
  std::unordered_map<std::size_t, std::int64_t> line_pl_sen_;
  std::vector<std::size_t> split_lines_;
  std::int64_t sp2d_ = 0;
  std::int64_t bank_serial_ = 0;
  std::int64_t catalogue_serial_ = 0;
  std::int64_t billing_serial_ = 0;
  std::size_t evidence_reused_from_ = 0;
  std::size_t heavy_opd_ = 0;
  std::vector<std::size_t> late_;
  std::optional<GroupKey> never_;
  std::optional<GroupKey> short_;
  std::optional<std::size_t> short_deposit_;
  std::int64_t short_by_ = 0;
};

}  // namespace jejak::cli::demo
