// The demo generator's year (cli/demo_builder.h): payroll and regular payments spread by
// the cash plan, each completed in value-date order (instrument, payee clear of the split
// and duplicate guards, taxes, documents, procurement, recording day), then reversals and
// monthly tax deposits.
#include <algorithm>
#include <map>
#include <numeric>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "cli/demo_builder.h"

namespace jejak::cli::demo {

void Generator::DraftPayroll() {
  for (std::size_t l = 0; l < lines_.size(); ++l) {
    const Line& line = lines_[l];
    const Cat cat = line.account->cat;
    if (cat != Cat::kGaji && cat != Cat::kTpp) continue;
    const int payments = cat == Cat::kGaji ? 14 : 12;
    const std::int64_t base = MulDiv(line.pagu, line.realisation_per_mille, 1000 * payments);
    for (int p = 0; p < payments; ++p) {
      Expenditure e;
      e.line = l;
      e.payroll = true;
      e.gross = RoundDown(MulDiv(base, rng_.Range(992, 1008), 1000), kSen);
      std::string what;
      unsigned month = 0;
      if (cat == Cat::kGaji) {
        if (p < 12) {
          month = static_cast<unsigned>(p + 1);
          e.value = NextWorkday(MakeDay(year_, month, month == 1 ? 2 : 1));
          what = "Pembayaran gaji induk PNS bulan " + std::string(kBulan[month - 1]);
        } else if (p == 12) {
          month = 3;
          e.value = NextWorkday(MakeDay(year_, 3, 17));
          what = "Pembayaran tunjangan hari raya (THR) PNS tahun";
        } else {
          month = 6;
          e.value = NextWorkday(MakeDay(year_, 6, 10));
          what = "Pembayaran gaji ketiga belas PNS tahun";
        }
      } else {
        month = static_cast<unsigned>(p + 1);
        e.value = month < 12 ? NextWorkday(MakeDay(year_, month + 1, 10))
                             : NextWorkday(MakeDay(year_, 12, 19));
        what = "Pembayaran tambahan penghasilan pegawai (TPP) ASN bulan " +
               std::string(kBulan[month - 1]);
      }
      e.description = what + " " + std::to_string(year_);
      e.instrument = "sp2d_ls";
      // A virtual account of the payroll bank per SP2D: the bank credits each employee.
      Vendor payee;
      payee.name = "Penampungan Gaji ASN " + std::string(kOpds[line.opd].short_name) + " " +
                   kRoman[month - 1] + "/" + std::to_string(year_) + (cat == Cat::kTpp ? " TPP" : "");
      payee.bank = "Bank Bengkulu";
      payee.account_no = "8817" + Padded(static_cast<std::int64_t>(line.opd), 2) +
                         Padded(year_ % 100, 2) + Padded(month, 2) +
                         std::to_string(cat == Cat::kTpp ? 4 : p < 12 ? 1 : p == 12 ? 2 : 3) + "0";
      payee.account_name = Upper("Penampungan Gaji " + std::string(kOpds[line.opd].short_name));
      vendors_.push_back(std::move(payee));
      e.vendor = vendors_.size() - 1;
      expenditures_.push_back(std::move(e));
    }
  }
}

void Generator::DraftRegular() {
  // Payroll and planted payments so far, and the heavy-reversal OPD's four drafted later.
  const std::int64_t fixed = static_cast<std::int64_t>(expenditures_.size()) + 4;  // The heavy-reversal OPD's double entries, drafted later.
  JEJAK_CHECK(static_cast<std::int64_t>(count_) > fixed);
  const std::int64_t regular = static_cast<std::int64_t>(count_) - fixed;
  const std::int64_t scale = std::min(regular, kReferenceRegularPayments);

  // Counts in proportion to the full target over a typical payment size.
  std::vector<std::int64_t> weight(lines_.size(), 0);
  std::int64_t weights = 0;
  for (std::size_t l = 0; l < lines_.size(); ++l) {
    Line& line = lines_[l];
    if (line.account->pool == Pool::kPayroll || line.planted_over) continue;
    const std::int64_t full = std::max<std::int64_t>(
        0, std::min(MulDiv(line.pagu, line.realisation_per_mille, 1000),
                    MulDiv(line.pagu, 985, 1000) - line.reserved));
    line.target = MulDiv(full, scale, kReferenceRegularPayments);
    weight[l] = MulDiv(full, 1000, line.account->average_rupiah * kSen);
    weights += weight[l];
  }
  JEJAK_CHECK(weights > 0);
  std::vector<std::int64_t> counts(lines_.size(), 0);
  std::int64_t assigned = 0;
  std::vector<std::pair<std::int64_t, std::size_t>> remainders;
  for (std::size_t l = 0; l < lines_.size(); ++l) {
    if (weight[l] == 0) continue;
    const Wide exact = static_cast<Wide>(regular) * weight[l];
    counts[l] = static_cast<std::int64_t>(exact / weights);
    remainders.emplace_back(static_cast<std::int64_t>(exact % weights), l);
    assigned += counts[l];
  }
  std::sort(remainders.begin(), remainders.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  for (std::size_t i = 0; assigned < regular; i = (i + 1) % remainders.size()) {
    ++counts[remainders[i].second];
    ++assigned;
  }

  for (std::size_t l = 0; l < lines_.size(); ++l) {
    const std::int64_t n = counts[l];
    if (n == 0) continue;
    const Line& line = lines_[l];
    std::vector<std::int64_t> factors(static_cast<std::size_t>(n));
    std::int64_t factor_sum = 0;
    for (std::int64_t& f : factors) {
      f = rng_.Range(350, 1650);
      factor_sum += f;
    }
    for (std::int64_t k = 0; k < n; ++k) {
      Expenditure e;
      e.line = l;
      const std::int64_t exact = MulDiv(line.target, factors[static_cast<std::size_t>(k)], factor_sum);
      const std::int64_t unit = exact >= kJuta ? 1000 * kSen : exact >= 100'000 * kSen ? 500 * kSen : 100 * kSen;
      e.gross = RoundDown(std::max<std::int64_t>(exact, 25'000 * kSen), unit);
      e.value = PickDay(rng_, year_, PickMonth(rng_, line.account->shape));
      expenditures_.push_back(std::move(e));
    }
  }
}

bool Generator::SplitWindowOk(const std::string& key, Day value, std::int64_t gross) {
  if (gross > kDirectProcurementCapSen) return true;
  std::vector<std::pair<Day, std::int64_t>>& history = split_history_[key];
  std::int64_t sum = gross;
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (DaysBetween(it->first, value) > kGuardWindowDays) break;
    sum += it->second;
  }
  return sum <= kSplitGuardSen;
}

void Generator::Complete() {
  std::vector<std::size_t> order(expenditures_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return expenditures_[a].value < expenditures_[b].value;
  });
  std::int64_t position = 0;
  for (std::size_t i : order) {
    Expenditure& e = expenditures_[i];
    e.order = position++;
    CompleteOne(e);
  }
}

void Generator::CompleteOne(Expenditure& e) {
  CompletePayment(e);
  CompleteDocuments(e);
}

void Generator::CompletePayment(Expenditure& e) {
  Line& line = lines_[e.line];
  const AccountSpec& account = *line.account;
  const std::size_t opd = line.opd;
  const unsigned month = MonthOf(e.value);

  // Instrument and mechanism.
  if (e.instrument.empty()) {
    if (account.cat == Cat::kListrik || e.gross > 50 * kJuta ||
        (account.cat == Cat::kHonor && e.gross > 10 * kJuta)) {
      e.instrument = "sp2d_ls";
    } else if (account.cat == Cat::kPerjadin || account.cat == Cat::kHonor ||
               account.capital_like || e.gross > 5 * kJuta) {
      e.instrument = "cms_transfer";
    } else {
      const std::int64_t roll = rng_.Range(0, 999);
      e.instrument = roll < 1 && e.gross <= kCashCapSen ? "cash"
                     : roll < 340                       ? "kkpd"
                     : roll < 610                       ? "qris"
                                                        : "cms_transfer";
    }
  }
  if (e.instrument == "sp2d_ls") {
    e.mechanism = "LS";
  } else if (month == 1 || (month == 2 && DayOfMonth(e.value) <= 14)) {
    e.mechanism = "UP";
  } else if (e.instrument == "cms_transfer" && e.gross > 10 * kJuta && rng_.PerMille(60)) {
    e.mechanism = "TU";
  } else {
    e.mechanism = "GU";
  }
  if (e.instrument == "cash" && e.cash_reason.empty()) e.cash_reason = rng_.Pick(kCashReasons);

  // Payee, clear of split packages and look-alike duplicates.
  if (!e.vendor) {
    const Pool pool = account.pool;
    const std::vector<std::size_t>& members =
        pool == Pool::kAsn ? asn_[opd] : pools_[static_cast<std::size_t>(pool)];
    const std::size_t start = rng_.Index(members.size());
    for (std::size_t attempt = 0; attempt < members.size() && !e.vendor; ++attempt) {
      const std::size_t candidate = members[(start + attempt) % members.size()];
      if (SplitWindowOk(SplitKey(opd, account, candidate), e.value, e.gross)) e.vendor = candidate;
    }
    if (!e.vendor) e.vendor = FreshVendor(pool);
  }
  const Vendor& vendor = vendors_[*e.vendor];
  if (e.instrument != "cash" && e.planted == Planted::kNone && !e.payroll) {
    const std::int64_t bump = e.gross >= kJuta ? 1000 * kSen : 100 * kSen;
    for (;;) {
      const std::string key = std::to_string(opd) + "|" + vendor.PayeeAccount() + "|" +
                              account.code + "|" + std::to_string(e.gross);
      auto [it, inserted] = duplicate_last_.try_emplace(key, e.value);
      if (inserted) break;
      if (DaysBetween(it->second, e.value) > kGuardWindowDays) {
        it->second = e.value;
        break;
      }
      e.gross += bump;
    }
  }
  split_history_[SplitKey(opd, account, *e.vendor)].emplace_back(e.value, e.gross);
  line.used += e.gross;

  // Taxes (sen, exact): PPN 11/111 of a VAT-inclusive price; PPh on the base without it.
  const bool taxed = e.instrument == "cms_transfer" || e.instrument == "sp2d_ls";
  auto add_tax = [&e](const char* type, std::int64_t amount) {
    if (amount > 0) e.taxes.emplace_back(type, amount);
  };
  if (taxed && e.gross > kCashCapSen && e.planted != Planted::kUncollected) {
    const std::int64_t ppn = vendor.pkp ? MulDiv(e.gross, 11, 111) : 0;
    const std::int64_t base = e.gross - ppn;
    switch (account.tax) {
      case Tax::kGoods:
        add_tax("PPN", ppn);
        add_tax("PPh22", MulDiv(base, vendor.npwp.empty() ? 30 : 15, 1000));
        break;
      case Tax::kService:
        add_tax("PPN", ppn);
        add_tax("PPh23", MulDiv(base, vendor.npwp.empty() ? 4 : 2, 100));
        break;
      case Tax::kConstruction:
        add_tax("PPN", ppn);
        add_tax("PPh4(2)", MulDiv(base, 265, 10000));
        break;
      default: break;
    }
  }
  if (account.tax == Tax::kHonor) add_tax("PPh21", MulDiv(e.gross, vendor.npwp.empty() ? 6 : 5, 100));
  if (account.tax == Tax::kPayroll) add_tax("PPh21", MulDiv(e.gross, account.cat == Cat::kGaji ? 18 : 45, 1000));
}

void Generator::CompleteDocuments(Expenditure& e) {
  const Line& line = lines_[e.line];
  const AccountSpec& account = *line.account;
  const std::size_t opd = line.opd;
  const OpdSpec& spec = kOpds[opd];
  const unsigned month = MonthOf(e.value);
  const std::string short_name = spec.short_name;

  // Documents.
  OpdCounters& counters = counters_[opd];
  const std::string affair = std::string(spec.code).substr(0, 4);
  const std::string period = std::string(kRoman[month - 1]) + "/" + std::to_string(year_);
  const std::int64_t evidence = ++counters.evidence;
  if (e.mechanism == "LS" || e.mechanism == "TU") {
    const std::int64_t spp = ++counters.spp;
    const std::string kind = e.payroll ? "LS-GJ" : e.mechanism;
    e.spp = Padded(spp, 5) + "/SPP-" + kind + "/" + affair + "/" + std::to_string(year_);
    e.spm = Padded(spp, 5) + "/SPM-" + kind + "/" + affair + "/" + std::to_string(year_);
    e.sp2d = Padded(++sp2d_, 5) + "/SP2D-" + e.mechanism + "/" + std::to_string(year_);
  }
  const std::string no = Padded(evidence, 5);
  if (e.payroll) {
    e.evidence_no = "DPG-" + no + "/" + short_name + "/" + period;
  } else if (e.instrument == "kkpd") {
    e.evidence_no = "NOTA-" + no + "/" + short_name + "/" + period;
  } else if (e.instrument == "qris") {
    e.evidence_no = "STRUK-QR-" + no + "/" + short_name;
  } else if (e.instrument == "sp2d_ls") {
    e.evidence_no = "INV-" + no + "/" + short_name + "/" + period;
  } else {
    e.evidence_no = "KW-" + no + "/" + short_name + "/" + period;
  }
  if (e.planted == Planted::kEvidence) {
    JEJAK_CHECK(last_evidence_[opd].has_value());
    evidence_reused_from_ = *last_evidence_[opd];
    e.evidence_no = expenditures_[evidence_reused_from_].evidence_no;
  } else if (!e.payroll && e.planted == Planted::kNone) {
    last_evidence_[opd] = static_cast<std::size_t>(&e - expenditures_.data());
  }
  if (!e.evidence_date) {
    const Day earliest = MakeDay(year_, 1, 2);
    const Day proposed = AddDays(e.value, -rng_.Range(0, e.payroll ? 3 : 4));
    e.evidence_date = proposed < earliest ? earliest : proposed;
  }

  // Bank reference: unique across the ledger (a global running number in every form).
  const std::string serial = Padded(++bank_serial_, 7);
  if (e.instrument == "cms_transfer") {
    e.bank_ref = "CMS" + Compact(e.value) + "-" + serial;
  } else if (e.instrument == "sp2d_ls") {
    e.bank_ref = "SP2D-LS-" + std::to_string(year_) + "-" + serial;
  } else if (e.instrument == "kkpd") {
    e.bank_ref = "KKPD-" + Padded(4100 + static_cast<std::int64_t>(opd), 4) + "-" + Compact(e.value) + "-" + serial;
  } else if (e.instrument == "qris") {
    e.bank_ref = "QRIS-ID" + Compact(e.value).substr(2) + serial;
  }

  // Procurement for larger purchases.
  const bool procured = account.pool != Pool::kPayroll && account.pool != Pool::kAsn &&
                        account.pool != Pool::kSpeaker && account.pool != Pool::kUtility &&
                        e.gross >= 15 * kJuta && e.instrument != "cash";
  if (procured) {
    const bool catalogue = (account.pool == Pool::kPharma || account.pool == Pool::kComputer ||
                            account.pool == Pool::kMedical) &&
                           rng_.PerMille(350);
    const std::int64_t n = ++counters.contract;
    if (e.planted == Planted::kSplit || e.planted == Planted::kSplitSix) {
      e.method = "PL";
    } else if (catalogue) {
      e.method = "epurchasing";
    } else {
      e.method = e.gross > kDirectProcurementCapSen ? "tender" : "PL";
      // A line's direct procurements stay under the cap over the year (SPLIT_PACKAGE).
      const bool split_line =
          std::find(split_lines_.begin(), split_lines_.end(), e.line) != split_lines_.end();
      if (e.method == "PL" && (split_line || line_pl_sen_[e.line] + e.gross > kSplitGuardSen)) {
        e.method = "epurchasing";
      }
      if (e.method == "PL") line_pl_sen_[e.line] += e.gross;
    }
    if (e.method == "epurchasing") {
      e.contract_no = "EP-KATALOG-" + std::to_string(year_) + "-" + Padded(++catalogue_serial_, 6);
    } else if (e.method == "tender") {
      e.contract_no = "602.1/" + Padded(n, 3) + "/KONTRAK/" + short_name + "/" + std::to_string(year_);
    } else {
      e.contract_no = "027/" + Padded(n, 3) + "/SPK-PL/" + short_name + "/" + std::to_string(year_);
    }
  }
  if (e.description.empty()) e.description = Describe(rng_, account.cat, month, year_);

  // Recorded on the value date or up to three days later, on a working day.
  const std::int64_t roll = rng_.Range(0, 99);
  const std::int64_t delay = e.payroll ? 0 : roll < 50 ? 0 : roll < 80 ? 1 : roll < 92 ? 2 : 3;
  e.recorded = NextWorkday(AddDays(e.value, delay));
  // December's LPJ is due on 31 December: the year's payments are booked within it.
  if (e.recorded > MakeDay(year_, 12, 31)) e.recorded = e.value;
}

std::string Generator::SplitKey(std::size_t opd, const AccountSpec& account, std::size_t vendor) const {
  return std::to_string(opd) + "|" + account.code + "|" + vendors_[vendor].Identity();
}

bool Generator::Ordinary(const Expenditure& e) const {
  return e.planted == Planted::kNone && !e.payroll && e.instrument != "cash";
}

void Generator::ChooseReversals() {
  std::vector<std::int64_t> recorded(kOpdCount, 0);
  std::vector<std::int64_t> reversed(kOpdCount, 0);
  for (const Expenditure& e : expenditures_) recorded[lines_[e.line].opd] += e.gross;
  for (std::size_t i = 0; i < expenditures_.size(); ++i) {
    Expenditure& e = expenditures_[i];
    const std::size_t opd = lines_[e.line].opd;
    if (e.planted == Planted::kHeavy) {
      e.reversed = true;
      e.reversal_reason = "Tercatat ganda: pembayaran yang sama telah dicatat sebelumnya";
      e.reversal_day = NextWorkday(AddDays(e.recorded, rng_.Range(3, 7)));
      continue;
    }
    if (!Ordinary(e) || e.gross > 50 * kJuta || DayOfMonth(e.value) > 18) continue;
    if (std::find(late_.begin(), late_.end(), i) != late_.end()) continue;
    if (!rng_.PerMille(kReversalPerMille)) continue;
    if ((reversed[opd] + e.gross) * 100 > recorded[opd] * kReversalShareCapPercent) continue;
    reversed[opd] += e.gross;
    e.reversed = true;
    e.reversal_reason = rng_.Pick(kReversalReasons);
    e.reversal_day = NextWorkday(AddDays(e.recorded, rng_.Range(2, 6)));
  }
}

void Generator::BuildDeposits() {
  // (opd, tax type, month) -> expenditures withholding it, in completion order.
  std::map<std::tuple<std::size_t, std::string, unsigned>, std::vector<std::size_t>> groups;
  std::vector<std::size_t> order(expenditures_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return expenditures_[a].order < expenditures_[b].order;
  });
  for (std::size_t i : order) {
    const Expenditure& e = expenditures_[i];
    if (e.reversed) continue;
    for (const auto& [type, amount] : e.taxes) {
      groups[{lines_[e.line].opd, type, MonthOf(e.value)}].push_back(i);
    }
  }
  // TAX_NOT_DEPOSITED: one OPD's PPh23 of a month never deposited, another's PPN short.
  never_ = PickGroup(groups, "DLH", "PPh23", 8, std::nullopt);
  short_ = PickGroup(groups, "DUKCAPIL", "PPN", 10, never_);
  std::vector<std::int64_t> deposit_day(kOpdCount);
  for (std::int64_t& d : deposit_day) d = rng_.Range(5, 10);
  for (const auto& [key, members] : groups) {
    const auto& [opd, type, month] = key;
    if (never_ && key == *never_) continue;
    const std::int64_t year = month == 12 ? year_ + 1 : year_;
    const unsigned next = month == 12 ? 1 : month + 1;
    const Day date = NextWorkday(MakeDay(year, next, static_cast<unsigned>(deposit_day[opd])));
    for (std::size_t begin = 0; begin < members.size(); begin += kCoversPerDeposit) {
      Deposit deposit;
      deposit.opd = opd;
      deposit.tax_type = type;
      deposit.date = date;
      const std::size_t end = std::min(members.size(), begin + kCoversPerDeposit);
      for (std::size_t k = begin; k < end; ++k) {
        const Expenditure& e = expenditures_[members[k]];
        JEJAK_CHECK(e.recorded <= date);
        deposit.covers.push_back(members[k]);
        for (const auto& [tax_type, amount] : e.taxes) {
          if (tax_type == type) deposit.amount += amount;
        }
      }
      if (short_ && key == *short_ && begin == 0) {
        short_by_ = std::max<std::int64_t>(kSen, deposit.amount / 10 / (1000 * kSen) * (1000 * kSen));
        if (short_by_ >= deposit.amount) short_by_ = deposit.amount / 2;
        deposit.amount -= short_by_;
        short_deposit_ = deposits_.size();
      }
      JEJAK_CHECK(deposit.amount > 0);
      deposit.billing_code = "8" + Padded(year % 100, 2) + Padded(next, 2) + Padded(++billing_serial_, 10);
      static const char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
      for (int c = 0; c < 16; ++c) deposit.ntpn += kAlphabet[rng_.Index(36)];
      deposits_.push_back(std::move(deposit));
    }
  }
}

std::optional<Generator::GroupKey> Generator::PickGroup(const std::map<GroupKey, std::vector<std::size_t>>& groups,
                                  std::string_view opd_name, const std::string& type, unsigned month,
                                  const std::optional<GroupKey>& avoid) const {
  const GroupKey wanted{OpdIndex(opd_name), type, month};
  if (groups.count(wanted) != 0 && wanted != avoid) return wanted;
  // Fallback: the latest month before December with this tax type, else any group.
  std::optional<GroupKey> best;
  for (const auto& [key, members] : groups) {
    if (key == avoid || std::get<2>(key) == 12) continue;
    if (std::get<1>(key) == type) best = key;
  }
  if (best) return best;
  for (const auto& [key, members] : groups) {
    if (key != avoid && std::get<2>(key) != 12) return key;
  }
  return std::nullopt;
}

}  // namespace jejak::cli::demo
