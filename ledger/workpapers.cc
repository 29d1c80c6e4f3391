// The workpapers' sheets computed from the audit facts (ledger/workpapers.h): Realisasi's
// lines, Pajak's withheld and deposited tax, Temuan's findings and Ringkasan's totals.
// Pure; moved out of server/workpapers.cc, which now only gathers from the store and
// renders. Pajak allocates deposits with AllocateTaxDeposits, as TAX_NOT_DEPOSITED does.
#include "ledger/workpapers.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "base/check.h"
#include "ledger/money.h"
#include "ledger/tax_allocation.h"

namespace jejak::ledger {
namespace {

Error Overflow() { return InvalidArgument("a workpaper total overflows int64 sen"); }

// Adds into `total`, remembering an overflow instead of wrapping.
struct Adder {
  bool overflow = false;
  void Add(std::int64_t& total, std::int64_t amount) {
    const std::optional<std::int64_t> sum = CheckedAdd(total, amount);
    if (!sum) {
      overflow = true;
      return;
    }
    total = *sum;
  }
};

void AddUnique(std::vector<std::string>& values, const std::string& value) {
  if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
}

// The Pajak rows; see WorkpaperTax for the allocation.
Result<std::vector<WorkpaperTax>> AllocateTaxes(const WorkpaperData& data,
                                                const WorkpaperFacts& facts,
                                                const AuditRules& rules) {
  using Key = std::tuple<std::string, std::string, std::string>;  // opd, type, period.
  std::map<Key, WorkpaperTax> rows;
  auto row = [&](const std::string& opd, const std::string& type, const std::string& period) -> WorkpaperTax& {
    auto [it, inserted] = rows.try_emplace(Key{opd, type, period});
    if (inserted) {
      it->second.opd = opd;
      it->second.tax_type = type;
      it->second.period = period;
      it->second.deadline = TaxDepositDeadline(type, period + "-01", rules);
    }
    return it->second;
  };
  Adder adder;
  std::map<std::int64_t, std::size_t> index_of_seq;
  for (std::size_t i = 0; i < data.expenditures.size(); ++i) {
    const WorkpaperExpenditure& e = data.expenditures[i];
    index_of_seq.emplace(e.seq, i);
    if (e.reversed_by) continue;  // A reversed payment needs no deposit.
    for (std::size_t t = 0; t < kWorkpaperTaxTypes.size(); ++t) {
      if (e.tax_sen[t] <= 0) continue;
      adder.Add(row(e.opd, kWorkpaperTaxTypes[t], e.value_date.substr(0, 7)).withheld_sen, e.tax_sen[t]);
    }
  }
  const std::vector<TaxDepositFacts>& deposits = facts.audit.tax_deposits;
  for (const DepositAllocation& allocation : AllocateTaxDeposits(facts.audit.expenditures, deposits)) {
    const TaxDepositFacts& deposit = deposits[allocation.deposit];
    if (!WorkpaperTaxIndex(deposit.tax_type)) {
      return Error{Code::kDataLoss, "a stored tax deposit has an unknown tax type", {}};
    }
    auto note = [&](WorkpaperTax& target) {
      AddUnique(target.ntpns, deposit.ntpn);
      AddUnique(target.billing_codes, deposit.billing_code);
      if (std::find(target.deposit_seqs.begin(), target.deposit_seqs.end(), deposit.seq) ==
          target.deposit_seqs.end()) {
        target.deposit_seqs.push_back(deposit.seq);
      }
    };
    for (const TaxAllocation& allocated : allocation.allocations) {
      const WorkpaperExpenditure& e = data.expenditures[allocated.expenditure];
      WorkpaperTax& target = row(e.opd, deposit.tax_type, e.value_date.substr(0, 7));
      adder.Add(target.deposited_sen, allocated.amount_sen);
      note(target);
    }
    if (allocation.unallocated_sen > 0) {
      // The period the deposit was meant for: its latest covered expenditure's.
      std::string period = deposit.deposit_date.substr(0, 7);
      std::string latest_date;
      for (std::int64_t seq : deposit.covers) {
        const auto found = index_of_seq.find(seq);
        if (found == index_of_seq.end()) continue;
        latest_date = std::max(latest_date, data.expenditures[found->second].value_date);
      }
      if (!latest_date.empty()) period = latest_date.substr(0, 7);
      WorkpaperTax& target = row(deposit.opd, deposit.tax_type, period);
      adder.Add(target.unallocated_sen, allocation.unallocated_sen);
      note(target);
    }
  }
  if (adder.overflow) return Overflow();
  std::vector<WorkpaperTax> result;
  result.reserve(rows.size());
  for (auto& [key, value] : rows) {
    std::sort(value.deposit_seqs.begin(), value.deposit_seqs.end());
    result.push_back(std::move(value));
  }
  return result;
}

}  // namespace

std::optional<std::size_t> WorkpaperTaxIndex(std::string_view type) {
  for (std::size_t i = 0; i < kWorkpaperTaxTypes.size(); ++i) {
    if (type == kWorkpaperTaxTypes[i]) return i;
  }
  return std::nullopt;
}

Result<void> ComputeWorkpapers(const WorkpaperFacts& facts, const AuditRules& rules,
                               WorkpaperData& data) {
  JEJAK_CHECK(facts.audit.expenditures.size() == data.expenditures.size());
  for (std::size_t i = 0; i < data.expenditures.size(); ++i) {
    JEJAK_CHECK(facts.audit.expenditures[i].seq == data.expenditures[i].seq);
  }
  data.findings = RunAuditRules(facts.audit, rules);
  data.opd_names = facts.opd_names;

  // Realisasi: budget lines in force and realised lines, as absorption counts them
  // (unreversed, value date up to as_of).
  Adder adder;
  using LineKey = std::tuple<std::string, std::string, std::string>;
  std::map<LineKey, WorkpaperRealisation> lines;
  auto line_of = [&](const std::string& opd, const std::string& sub, const std::string& account)
      -> WorkpaperRealisation& {
    auto [it, inserted] = lines.try_emplace(LineKey{opd, sub, account});
    if (inserted) {
      it->second.opd = opd;
      const auto name = facts.opd_names.find(opd);
      if (name != facts.opd_names.end()) it->second.opd_name = name->second;
      it->second.sub_activity = sub;
      it->second.account = account;
    }
    return it->second;
  };
  for (const BudgetFacts& budget : facts.audit.budgets) {
    WorkpaperRealisation& line = line_of(budget.opd, budget.sub_activity, budget.account);
    line.pagu_sen = budget.pagu_sen;
    line.budgeted = true;
  }
  for (const WorkpaperExpenditure& e : data.expenditures) {
    adder.Add(data.gross_sen, e.gross_sen);
    if (e.reversed_by) {
      adder.Add(data.reversed_gross_sen, e.gross_sen);
      ++data.reversed_entries;
      continue;
    }
    for (std::int64_t tax_sen : e.tax_sen) adder.Add(data.withheld_sen, tax_sen);
    if (e.value_date > data.as_of_date) continue;
    WorkpaperRealisation& line = line_of(e.opd, e.sub_activity, e.account);
    adder.Add(line.realisation_sen, e.gross_sen);
    ++line.entries;
  }
  for (const WorkpaperAdjustment& refund : data.adjustments) {
    // Only a refund of the year's own payment dated in the year lowers its realisation; a
    // later year's refund of it is that year's pendapatan lain-lain.
    if (refund.kind != "refund" || refund.original_fiscal_year != data.fiscal_year ||
        refund.date.compare(0, 4, std::to_string(data.fiscal_year)) != 0 ||
        refund.date > data.as_of_date) {
      continue;
    }
    WorkpaperRealisation& line = line_of(refund.opd, refund.sub_activity, refund.account);
    adder.Add(line.realisation_sen, -refund.amount_sen);
  }
  for (auto& [key, line] : lines) {
    adder.Add(data.pagu_sen, line.pagu_sen);
    adder.Add(data.realisation_sen, line.realisation_sen);
    data.realisation.push_back(std::move(line));
  }
  for (const TaxDepositFacts& deposit : facts.audit.tax_deposits) {
    adder.Add(data.deposited_sen, deposit.amount_sen);
  }
  if (adder.overflow) return Overflow();

  Result<std::vector<WorkpaperTax>> taxes = AllocateTaxes(data, facts, rules);
  if (!taxes) return taxes.error();
  data.taxes = std::move(taxes).value();
  return Ok();
}

}  // namespace jejak::ledger
