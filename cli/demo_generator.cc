// The demo regency generator (cli/demo_generator.h). It works in four passes:
// (1) the registry and budget lines, (2) expenditure drafts (payroll, regular payments
// spread over the year by the cash plan's shape, planted anomalies), completed in value
// date order so that vendors, document numbers and the split/duplicate guards see the
// year as it unfolds, (3) reversals, monthly tax deposits and refunds, (4) every entry placed on
// its simulated recording day, sorted, numbered from first_seq and cut into batches.
// Randomness is a private splitmix64 stream and all money is int64 sen, so the plan is
// the same on every platform.
//
// The passes live in cli/demo_budget.cc, cli/demo_year.cc, cli/demo_anomalies.cc and
// cli/demo_refunds.cc; this
// file runs them and assembles their results into recorded batches of entry bodies.
#include "cli/demo_generator.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "base/check.h"
#include "cli/demo_builder.h"
#include "ledger/money.h"

namespace jejak::cli {
namespace demo {

using nlohmann::json;

DemoPlan Generator::Run() {
  BuildLines();
  BuildVendors();
  DraftPayroll();
  DraftPlanted();
  DraftPlantedMore();
  DraftRegular();
  DraftHeavyReversals();
  Complete();
  PlantLateRecording();
  ChooseReversals();
  BuildDeposits();
  ChooseRefunds();
  return Assemble();
}

json Generator::ExpenditureBody(const Expenditure& e) const {
  const Line& line = lines_[e.line];
  const Vendor& vendor = vendors_[*e.vendor];
  json taxes = json::array();
  std::int64_t withheld = 0;
  for (const auto& [type, amount] : e.taxes) {
    taxes.push_back({{"type", type}, {"amount", ledger::FormatMoney(amount)}});
    withheld += amount;
  }
  json payee = {{"name", vendor.name}};
  if (!vendor.npwp.empty()) payee["npwp"] = vendor.npwp;
  // The treasurer records the PKP status where it acted on it: on payments it collected
  // PPN from, and on the planted payment it did not.
  const bool collected_ppn = std::any_of(e.taxes.begin(), e.taxes.end(),
                                         [](const auto& tax) { return tax.first == "PPN"; });
  if (vendor.pkp && (collected_ppn || e.planted == Planted::kUncollected)) payee["pkp"] = true;
  if (!vendor.bank.empty()) {
    payee["bank"] = vendor.bank;
    payee["account_no"] = vendor.account_no;
    payee["account_name"] = vendor.account_name;
  }
  json documents = {{"evidence_no", e.evidence_no}, {"evidence_date", Iso(*e.evidence_date)}};
  if (!e.spp.empty()) {
    documents["spp"] = e.spp;
    documents["spm"] = e.spm;
    documents["sp2d"] = e.sp2d;
  }
  json body = {{"kind", "expenditure"},
               {"fiscal_year", year_},
               {"opd", kOpds[line.opd].code},
               {"sub_activity", line.sub},
               {"account", line.account->code},
               {"mechanism", e.mechanism},
               {"instrument", e.instrument},
               {"value_date", Iso(e.value)},
               {"gross", ledger::FormatMoney(e.gross)},
               {"taxes", std::move(taxes)},
               {"net", ledger::FormatMoney(e.gross - withheld)},
               {"payee", std::move(payee)},
               {"documents", std::move(documents)},
               {"description", e.description}};
  if (!e.cash_reason.empty()) body["cash_reason"] = e.cash_reason;
  if (!e.bank_ref.empty()) body["bank_ref"] = e.bank_ref;
  if (!e.method.empty()) {
    body["procurement"] = {{"method", e.method},
                           {"contract_no", e.contract_no},
                           {"contract_value", ledger::FormatMoney(e.gross)}};
    if (!e.procurement_type.empty()) body["procurement"]["type"] = e.procurement_type;
  }
  return body;
}

json Generator::BudgetBody(const BudgetEntry& entry) const {
  const Line& line = lines_[entry.line];
  json plan = json::array();
  for (std::int64_t month : MonthlyPlan(entry.pagu, line.account->shape)) {
    plan.push_back(ledger::FormatMoney(month));
  }
  const std::string stage = entry.stage;
  const std::string year = std::to_string(year_);
  const std::string note =
      stage == "murni"        ? "APBD murni " + year + " (Perda Nomor 9 Tahun " + std::to_string(year_ - 1) + ")"
      : stage == "pergeseran" ? "Pergeseran anggaran I (Perkada Nomor 18 Tahun " + year + ")"
                              : "APBD Perubahan " + year + " (Perda Nomor 7 Tahun " + year + ")";
  return {{"kind", "budget"},         {"fiscal_year", year_},
          {"opd", kOpds[line.opd].code}, {"sub_activity", line.sub},
          {"account", line.account->code}, {"pagu", ledger::FormatMoney(entry.pagu)},
          {"stage", stage},           {"monthly_plan", std::move(plan)},
          {"note", note}};
}

DemoPlan Generator::Assemble() {
  const Day start = MakeDay(year_, 1, 2);
  std::vector<BudgetEntry> budgets;
  for (std::size_t l = 0; l < lines_.size(); ++l) {
    const Line& line = lines_[l];
    budgets.push_back({l, line.murni, "murni", start});
    if (line.revision == 1) budgets.push_back({l, line.pagu, "pergeseran", NextWorkday(MakeDay(year_, 6, 16))});
    if (line.revision == 2) budgets.push_back({l, line.pagu, "perubahan", NextWorkday(MakeDay(year_, 10, 1))});
  }
  std::vector<Event> events;
  for (std::size_t o = 0; o < kOpdCount; ++o) events.push_back({start, Phase::kOpd, static_cast<std::int64_t>(o), o});
  for (std::size_t b = 0; b < budgets.size(); ++b) {
    events.push_back({budgets[b].day, Phase::kBudget, static_cast<std::int64_t>(b), b});
  }
  for (std::size_t i = 0; i < expenditures_.size(); ++i) {
    const Expenditure& e = expenditures_[i];
    events.push_back({e.recorded, Phase::kExpenditure, e.order, i});
    if (e.reversed) events.push_back({e.reversal_day, Phase::kReversal, e.order, i});
  }
  for (std::size_t d = 0; d < deposits_.size(); ++d) {
    events.push_back({deposits_[d].date, Phase::kDeposit, static_cast<std::int64_t>(d), d});
  }
  for (std::size_t r = 0; r < refunds_.size(); ++r) {
    events.push_back({refunds_[r].date, Phase::kRefund, static_cast<std::int64_t>(r), r});
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return std::tie(a.day, a.phase, a.order) < std::tie(b.day, b.phase, b.order);
  });
  for (std::size_t k = 0; k < events.size(); ++k) {
    const std::int64_t seq = first_seq_ + static_cast<std::int64_t>(k);
    const Event& event = events[k];
    if (event.phase == Phase::kExpenditure) expenditures_[event.index].seq = seq;
    if (event.phase == Phase::kReversal) expenditures_[event.index].reversal_seq = seq;
    if (event.phase == Phase::kDeposit) deposits_[event.index].seq = seq;
    if (event.phase == Phase::kRefund) refunds_[event.index].seq = seq;
  }

  DemoPlan plan;
  plan.fiscal_year = year_;
  for (const OpdSpec& opd : kOpds) plan.opd_names[opd.code] = opd.name;
  std::optional<Day> day;
  int batch_of_day = 0;
  for (const Event& event : events) {
    if (!day || event.day != *day || plan.batches.back().entries.size() >= kDemoBatchEntriesMax) {
      batch_of_day = day && event.day == *day ? batch_of_day + 1 : 0;
      day = event.day;
      JEJAK_CHECK(event.day < MakeDay(year_ + 1, 1, 31));
      const int seconds = 3600 + batch_of_day * 61;  // From 08:00 WIB, a batch a minute.
      JEJAK_CHECK(seconds < 86400);
      char time[40];
      std::snprintf(time, sizeof time, "%sT%02d:%02d:%02d.%03dZ", Iso(event.day).c_str(), seconds / 3600,
                    seconds / 60 % 60, seconds % 60, (batch_of_day * 137 + 42) % 1000);
      plan.batches.push_back({time, {}});
    }
    std::vector<std::pair<std::string, json>>& entries = plan.batches.back().entries;
    switch (event.phase) {
      case Phase::kOpd:
        entries.emplace_back(kAdminSub, json{{"kind", "opd"},
                                             {"code", kOpds[event.index].code},
                                             {"name", kOpds[event.index].name}});
        break;
      case Phase::kBudget:
        entries.emplace_back(kAdminSub, BudgetBody(budgets[event.index]));
        break;
      case Phase::kExpenditure: {
        const Expenditure& e = expenditures_[event.index];
        entries.emplace_back(OfficerSub(lines_[e.line].opd), ExpenditureBody(e));
        break;
      }
      case Phase::kReversal: {
        const Expenditure& e = expenditures_[event.index];
        entries.emplace_back(OfficerSub(lines_[e.line].opd),
                             json{{"kind", "reversal"}, {"reverses", e.seq}, {"reason", e.reversal_reason}});
        break;
      }
      case Phase::kDeposit: {
        const Deposit& d = deposits_[event.index];
        json covers = json::array();
        std::vector<std::int64_t> seqs;
        for (std::size_t i : d.covers) seqs.push_back(expenditures_[i].seq);
        std::sort(seqs.begin(), seqs.end());
        for (std::int64_t seq : seqs) covers.push_back(seq);
        entries.emplace_back(OfficerSub(d.opd),
                             json{{"kind", "tax_deposit"},
                                  {"fiscal_year", year_},
                                  {"opd", kOpds[d.opd].code},
                                  {"tax_type", d.tax_type},
                                  {"amount", ledger::FormatMoney(d.amount)},
                                  {"billing_code", d.billing_code},
                                  {"ntpn", d.ntpn},
                                  {"deposit_date", Iso(d.date)},
                                  {"covers", std::move(covers)}});
        break;
      }
      case Phase::kRefund: {
        const Refund& r = refunds_[event.index];
        const Expenditure& e = expenditures_[r.expenditure];
        JEJAK_CHECK(!e.reversed && e.seq != 0 && e.recorded < r.date);
        entries.emplace_back(OfficerSub(lines_[e.line].opd),
                             json{{"kind", "refund"},
                                  {"refunds", e.seq},
                                  {"value_date", Iso(r.date)},
                                  {"amount", ledger::FormatMoney(r.amount)},
                                  {"sts_no", r.sts_no},
                                  {"reason", r.reason}});
        break;
      }
    }
  }
  plan.planted = PlantedLines();
  std::vector<const Refund*> by_seq;
  for (const Refund& r : refunds_) by_seq.push_back(&r);
  std::sort(by_seq.begin(), by_seq.end(), [](const Refund* a, const Refund* b) { return a->seq < b->seq; });
  for (const Refund* r : by_seq) plan.refunds.push_back(RefundLine(*r));
  return plan;
}

}  // namespace demo

DemoPlan GenerateDemo(std::int64_t fiscal_year, std::size_t expenditures, std::int64_t first_seq) {
  JEJAK_CHECK(first_seq >= 1);
  const std::size_t count = std::clamp(expenditures, kDemoExpendituresMin, kDemoExpendituresMax);
  demo::Generator generator(fiscal_year, count, first_seq);
  return generator.Run();
}

}  // namespace jejak::cli
