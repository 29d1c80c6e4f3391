// BPK-style audit rules over the facts of one fiscal year (ledger/audit.h). Pure: the
// store gathers the facts and the caller passes the thresholds, holidays and as_of date;
// nothing here reads a file or the clock. Every rule groups by sorting (or a hash map
// keyed by seq), so RunAuditRules costs O(n log n) in the number of expenditures.
#include "ledger/audit.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/check.h"

namespace jejak::ledger {
namespace {

// Totals over a year can exceed int64 in theory (DESIGN allows single amounts up to
// about 10^18 sen, so ten of them overflow); sums are kept in 128 bits and clamped only
// when written into a Finding. `__extension__` keeps -Wpedantic quiet about __int128.
__extension__ typedef __int128 Wide;

using Days = std::chrono::sys_days;

// Kondisi texts list at most this many seqs; the Finding itself carries all of them.
constexpr std::size_t kSeqsInTextMax = 10;
// LATE_RECORDING: an entry recorded more than a month late is a medium finding, not a
// low one (a month is when a late record starts to distort the monthly SPJ).
constexpr std::int64_t kLateRecordingMediumDays = 30;
// PMK 242/PMK.03/2014 and PMK 81 Tahun 2024: tax withheld by a government treasurer is
// deposited by the 15th of the month after the tax period (the month of the payment).
constexpr unsigned kTaxDepositDayOfMonth = 15;
// Bounds the walk past weekends and holidays; a year of consecutive holidays is a
// config error, and the walk then stops rather than loop.
constexpr int kWorkingDaySearchDaysMax = 366;
// reversal_heavy_basis_points is out of this many.
constexpr std::int64_t kBasisPointsWhole = 10'000;

const char* const kSeverityHigh = "high";
const char* const kSeverityMedium = "medium";
const char* const kSeverityLow = "low";

// The order findings are reported in (audit.h: "by rule, in the order above").
constexpr const char* kRuleOrder[] = {
    kRuleOverPagu,        kRuleSplitPackage,      kRuleDuplicatePayment, kRuleCashPayment,
    kRuleTaxNotDeposited, kRuleOutsideFiscalYear, kRuleLateRecording,    kRuleReversalHeavy,
};

const char* const kMonthNames[] = {"Januari",   "Februari", "Maret",    "April",
                                   "Mei",       "Juni",     "Juli",     "Agustus",
                                   "September", "Oktober",  "November", "Desember"};

std::int64_t ClampSen(Wide value) {
  if (value > static_cast<Wide>(std::numeric_limits<std::int64_t>::max())) {
    return std::numeric_limits<std::int64_t>::max();
  }
  if (value < static_cast<Wide>(std::numeric_limits<std::int64_t>::min())) {
    return std::numeric_limits<std::int64_t>::min();
  }
  return static_cast<std::int64_t>(value);
}

bool IsActive(const ExpenditureFacts& expenditure) { return !expenditure.reversed_by.has_value(); }

// Strict "YYYY-MM-DD"; nullopt for anything else, including impossible dates.
std::optional<Days> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int fields[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int f = 0; f < 3; ++f) {
    for (std::size_t i = 0; i < lengths[f]; ++i) {
      const char c = text[starts[f] + i];
      if (c < '0' || c > '9') return std::nullopt;
      fields[f] = fields[f] * 10 + (c - '0');
    }
  }
  const std::chrono::year_month_day date{std::chrono::year{fields[0]},
                                         std::chrono::month{static_cast<unsigned>(fields[1])},
                                         std::chrono::day{static_cast<unsigned>(fields[2])}};
  if (!date.ok()) return std::nullopt;
  return Days{date};
}

void AppendPadded(std::string& out, unsigned value, std::size_t width) {
  std::string digits = std::to_string(value);
  if (digits.size() < width) out.append(width - digits.size(), '0');
  out += digits;
}

std::string FormatIsoDate(Days day) {
  const std::chrono::year_month_day date{day};
  std::string out;
  AppendPadded(out, static_cast<unsigned>(static_cast<int>(date.year())), 4);
  out += '-';
  AppendPadded(out, static_cast<unsigned>(date.month()), 2);
  out += '-';
  AppendPadded(out, static_cast<unsigned>(date.day()), 2);
  return out;
}

// "15 April 2025", as Indonesian reports write dates.
std::string FormatTanggal(Days day) {
  const std::chrono::year_month_day date{day};
  return std::to_string(static_cast<unsigned>(date.day())) + " " +
         kMonthNames[static_cast<unsigned>(date.month()) - 1] + " " +
         std::to_string(static_cast<int>(date.year()));
}

// "Maret 2025".
std::string FormatBulan(Days day) {
  const std::chrono::year_month_day date{day};
  return std::string(kMonthNames[static_cast<unsigned>(date.month()) - 1]) + " " +
         std::to_string(static_cast<int>(date.year()));
}

// "seq 3, 7 dan 9"; past kSeqsInTextMax, "seq 1, 2, ... 10 dan 5 lainnya".
std::string FormatSeqs(const std::vector<std::int64_t>& seqs) {
  std::string out = "seq ";
  const std::size_t shown = std::min(seqs.size(), kSeqsInTextMax);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) out += (i + 1 == shown && shown == seqs.size()) ? " dan " : ", ";
    out += std::to_string(seqs[i]);
  }
  if (shown < seqs.size()) {
    out += " dan " + std::to_string(seqs.size() - shown) + " lainnya";
  }
  return out;
}

std::int64_t DaysBetween(Days from, Days to) { return (to - from).count(); }

// Holidays from the config, parsed and sorted; malformed ones are ignored (the config
// loader validates them; an audit must still run).
std::vector<Days> ParseHolidays(const std::vector<std::string>& holidays) {
  std::vector<Days> days;
  days.reserve(holidays.size());
  for (const std::string& text : holidays) {
    const std::optional<Days> day = ParseDate(text);
    if (day) days.push_back(*day);
  }
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  return days;
}

Days DepositDeadline(Days value_date, const std::vector<Days>& holidays) {
  const std::chrono::year_month_day date{value_date};
  // year_month arithmetic carries December into January of the next year.
  const std::chrono::year_month next = date.year() / date.month() + std::chrono::months{1};
  Days deadline{next / std::chrono::day{kTaxDepositDayOfMonth}};
  for (int step = 0; step < kWorkingDaySearchDaysMax; ++step) {
    const std::chrono::weekday weekday{deadline};
    const bool weekend = weekday == std::chrono::Saturday || weekday == std::chrono::Sunday;
    if (!weekend && !std::binary_search(holidays.begin(), holidays.end(), deadline)) break;
    deadline += std::chrono::days{1};
  }
  return deadline;
}

// Strings to small ids, in order of first appearance, so grouping sorts compare integers
// instead of codes (string compares through indices dominated the 100k run). Ids only
// ever decide grouping; the order of findings comes from the final sort on the strings.
class Interner {
 public:
  std::uint32_t Id(std::string_view text) {
    const auto [it, inserted] = ids_.try_emplace(text, static_cast<std::uint32_t>(ids_.size()));
    return it->second;
  }
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
  std::uint32_t payee_npwp = 0;
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
};

Finding MakeFinding(const char* rule, const char* severity, const std::string& opd,
                    std::vector<std::int64_t> seqs, Wide amount_sen) {
  std::sort(seqs.begin(), seqs.end());
  seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
  Finding finding;
  finding.rule = rule;
  finding.severity = severity;
  finding.opd = opd;
  finding.seqs = std::move(seqs);
  finding.amount_sen = ClampSen(amount_sen);
  return finding;
}

std::string Opd(const std::string& opd) { return "OPD " + opd; }

std::string Rupiah(Wide sen) { return FormatRupiah(ClampSen(sen)); }

// ---------------------------------------------------------------------------------------
// OVER_PAGU. PP 12/2019: spending is bounded by the pagu of the APBD line. Realisation of a
// line = gross of its unreversed expenditures; the pagu is the budget line in force (the
// newest by seq, should the store ever pass two for one line).

using LineKey = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>;

LineKey LineOf(const ExpenditureKeys& k) { return {k.opd, k.sub_activity, k.account}; }

void RunOverPagu(const Context& context, std::vector<Finding>& findings) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  const std::vector<BudgetFacts>& budgets = context.input.budgets;
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < expenditures.size(); ++i) {
    if (IsActive(expenditures[i])) order.push_back(i);
  }
  const std::vector<ExpenditureKeys>& keys = context.keys;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tuple_cat(LineOf(keys[a]), std::tie(expenditures[a].seq)) <
           std::tuple_cat(LineOf(keys[b]), std::tie(expenditures[b].seq));
  });
  // Budget lines whose codes no expenditure uses cannot be exceeded: skipped.
  std::vector<std::pair<LineKey, std::size_t>> budget_order;
  for (std::size_t b = 0; b < budgets.size(); ++b) {
    const std::optional<std::uint32_t> opd = context.opds.Find(budgets[b].opd);
    const std::optional<std::uint32_t> sub_activity = context.opds.Find(budgets[b].sub_activity);
    const std::optional<std::uint32_t> account = context.opds.Find(budgets[b].account);
    if (!opd || !sub_activity || !account) continue;
    budget_order.emplace_back(LineKey{*opd, *sub_activity, *account}, b);
  }
  std::sort(budget_order.begin(), budget_order.end(), [&](const auto& a, const auto& b) {
    return std::tie(a.first, budgets[a.second].seq) < std::tie(b.first, budgets[b.second].seq);
  });

  std::size_t next_budget = 0;
  for (std::size_t begin = 0; begin < order.size();) {
    const ExpenditureFacts& first = expenditures[order[begin]];
    std::size_t end = begin;
    Wide realisation_sen = 0;
    std::vector<std::int64_t> seqs;
    const LineKey line = LineOf(keys[order[begin]]);
    while (end < order.size() && LineOf(keys[order[end]]) == line) {
      realisation_sen += expenditures[order[end]].gross_sen;
      seqs.push_back(expenditures[order[end]].seq);
      ++end;
    }
    // Merge join: both sides are sorted by line.
    while (next_budget < budget_order.size() && budget_order[next_budget].first < line) {
      ++next_budget;
    }
    const BudgetFacts* budget = nullptr;  // The last one of the line has the highest seq.
    while (next_budget < budget_order.size() && budget_order[next_budget].first == line) {
      budget = &budgets[budget_order[next_budget].second];
      ++next_budget;
    }
    const std::string where = Opd(first.opd) + " pada sub kegiatan " + first.sub_activity +
                              " kode rekening " + first.account;
    const std::string count = std::to_string(seqs.size()) + " transaksi: " + FormatSeqs(seqs);
    if (budget == nullptr && realisation_sen > 0) {
      Finding finding = MakeFinding(kRuleOverPagu, kSeverityHigh, first.opd, seqs, realisation_sen);
      finding.kondisi = "Terdapat realisasi belanja " + where + " sebesar " +
                        Rupiah(realisation_sen) + " (" + count +
                        ") padahal tidak terdapat pagu anggaran untuk baris tersebut dalam "
                        "APBD Tahun Anggaran " +
                        std::to_string(first.fiscal_year) + ".";
      finding.kriteria =
          "PP 12/2019 tentang Pengelolaan Keuangan Daerah: pengeluaran atas beban APBD "
          "hanya dapat dilakukan apabila anggarannya tersedia dalam APBD; Permendagri "
          "77/2020 tentang Pedoman Teknis Pengelolaan Keuangan Daerah.";
      finding.rekomendasi = "Bupati/Wali Kota agar memerintahkan Kepala " + Opd(first.opd) +
                            " untuk mempertanggungjawabkan belanja tanpa anggaran sebesar " +
                            Rupiah(realisation_sen) +
                            " dan menginstruksikan PPK-SKPD agar tidak memproses tagihan "
                            "yang tidak tersedia anggarannya.";
      findings.push_back(std::move(finding));
    } else if (budget != nullptr && realisation_sen > budget->pagu_sen) {
      const Wide excess_sen = realisation_sen - budget->pagu_sen;
      Finding finding = MakeFinding(kRuleOverPagu, kSeverityHigh, first.opd, seqs, excess_sen);
      finding.kondisi = "Realisasi belanja " + where + " sebesar " + Rupiah(realisation_sen) +
                        " (" + count + ") melampaui pagu anggaran yang berlaku sebesar " +
                        Rupiah(budget->pagu_sen) + " (seq anggaran " + std::to_string(budget->seq) +
                        "), sehingga terdapat kelebihan " + "realisasi sebesar " +
                        Rupiah(excess_sen) + ".";
      finding.kriteria =
          "PP 12/2019 tentang Pengelolaan Keuangan Daerah: pengeluaran tidak boleh melebihi "
          "pagu anggaran yang tersedia dalam APBD; Permendagri 77/2020 tentang Pedoman "
          "Teknis Pengelolaan Keuangan Daerah.";
      finding.rekomendasi = "Bupati/Wali Kota agar memerintahkan Kepala " + Opd(first.opd) +
                            " untuk mempertanggungjawabkan kelebihan realisasi sebesar " +
                            Rupiah(excess_sen) +
                            " dan menginstruksikan PPK-SKPD menguji ketersediaan pagu "
                            "sebelum menerbitkan SPM.";
      findings.push_back(std::move(finding));
    }
    begin = end;
  }
}

// ---------------------------------------------------------------------------------------
// SPLIT_PACKAGE (pemecahan paket). Perpres 16/2018 jo. 12/2021 Pasal 20 ayat (2) forbids
// splitting a procurement into packages to avoid a tender.
//
// Candidates: unreversed payments at or under the direct procurement cap, with a payee
// identity (NPWP if present, else payee_account; neither: skipped) and a valid value
// date. Within one (opd, account, payee), sorted by (value_date, seq), a window is a run
// of consecutive payments whose first and last value dates are at most split_window_days
// apart, so every pair inside it is "within the window of each other". For each payment,
// the longest window ending at it (two pointers) is hot if its sum exceeds the cap. Hot
// windows that share a payment merge into one cluster, one finding each; a cluster can
// therefore span more than the window when hot windows chain. Amount = cluster total.

struct SplitCandidate {
  std::size_t index;
  // (opd, account, payee): the payee is (0, NPWP id) or (1, payee_account id), so an
  // NPWP never equals an account number.
  std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t> key;
  Days value_date;
};

void EmitSplitCluster(const Context& context, const std::vector<SplitCandidate>& candidates,
                      std::size_t begin, std::size_t last, std::vector<Finding>& findings) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  std::vector<std::int64_t> seqs;
  Wide total_sen = 0;
  for (std::size_t i = begin; i <= last; ++i) {
    seqs.push_back(expenditures[candidates[i].index].seq);
    total_sen += expenditures[candidates[i].index].gross_sen;
  }
  const ExpenditureFacts& first = expenditures[candidates[begin].index];
  Finding finding = MakeFinding(kRuleSplitPackage, kSeverityHigh, first.opd, seqs, total_sen);
  const std::string payee = first.payee_npwp.empty() ? "rekening penerima " + first.payee_account
                                                     : "NPWP " + first.payee_npwp;
  finding.kondisi = Opd(first.opd) + " melakukan " + std::to_string(finding.seqs.size()) +
                    " pembayaran pada kode rekening " + first.account +
                    " kepada penyedia yang sama (" + payee + ") dalam periode " +
                    FormatTanggal(candidates[begin].value_date) + " s.d. " +
                    FormatTanggal(candidates[last].value_date) + " (" + FormatSeqs(finding.seqs) +
                    "). Masing-masing pembayaran tidak melebihi batas pengadaan langsung " +
                    Rupiah(context.rules.direct_procurement_cap_sen) + ", namun jumlahnya " +
                    Rupiah(total_sen) + " melampaui batas tersebut dalam rentang " +
                    std::to_string(context.rules.split_window_days) + " hari.";
  finding.kriteria =
      "Perpres 16/2018 tentang Pengadaan Barang/Jasa Pemerintah sebagaimana diubah dengan "
      "Perpres 12/2021, Pasal 20 ayat (2): dalam pemaketan dilarang memecah Pengadaan "
      "Barang/Jasa menjadi beberapa paket dengan maksud menghindari Tender/Seleksi; "
      "pengadaan langsung hanya untuk nilai paling banyak " +
      Rupiah(context.rules.direct_procurement_cap_sen) + ".";
  finding.rekomendasi =
      "Bupati/Wali Kota agar memerintahkan Kepala " + Opd(first.opd) +
      " untuk menginstruksikan PPK dan Pejabat Pengadaan merencanakan paket pengadaan "
      "sesuai kebutuhan setahun dan melaksanakan tender/seleksi untuk nilai di atas batas "
      "pengadaan langsung, serta meminta APIP menguji kewajaran harga atas pembayaran "
      "sebesar " +
      Rupiah(total_sen) + ".";
  findings.push_back(std::move(finding));
}

void RunSplitPackage(const Context& context, std::vector<Finding>& findings) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  const std::int64_t cap_sen = context.rules.direct_procurement_cap_sen;
  const std::int64_t window_days = std::max(0, context.rules.split_window_days);
  std::vector<SplitCandidate> candidates;
  for (std::size_t i = 0; i < expenditures.size(); ++i) {
    const ExpenditureFacts& e = expenditures[i];
    if (!IsActive(e) || e.gross_sen > cap_sen || !context.value_dates[i]) continue;
    if (e.payee_npwp.empty() && e.payee_account.empty()) continue;
    const ExpenditureKeys& k = context.keys[i];
    const bool by_npwp = !e.payee_npwp.empty();
    candidates.push_back(SplitCandidate{
        i,
        {k.opd, k.account, by_npwp ? 0u : 1u, by_npwp ? k.payee_npwp : k.payee_account},
        *context.value_dates[i]});
  }
  auto key = [](const SplitCandidate& c) -> const auto& { return c.key; };
  std::sort(candidates.begin(), candidates.end(),
            [&](const SplitCandidate& a, const SplitCandidate& b) {
              return std::tie(a.key, a.value_date, expenditures[a.index].seq) <
                     std::tie(b.key, b.value_date, expenditures[b.index].seq);
            });

  for (std::size_t group_begin = 0; group_begin < candidates.size();) {
    std::size_t group_end = group_begin;
    while (group_end < candidates.size() &&
           key(candidates[group_end]) == key(candidates[group_begin])) {
      ++group_end;
    }
    Wide window_sen = 0;
    std::size_t left = group_begin;
    bool in_cluster = false;
    std::size_t cluster_begin = 0;
    std::size_t cluster_last = 0;
    for (std::size_t right = group_begin; right < group_end; ++right) {
      window_sen += expenditures[candidates[right].index].gross_sen;
      // window_days >= 0, so `left` never passes `right`.
      while (DaysBetween(candidates[left].value_date, candidates[right].value_date) > window_days) {
        window_sen -= expenditures[candidates[left].index].gross_sen;
        ++left;
      }
      JEJAK_CHECK(left <= right);
      if (window_sen <= cap_sen) continue;
      if (in_cluster && left <= cluster_last) {
        cluster_last = right;
      } else {
        if (in_cluster)
          EmitSplitCluster(context, candidates, cluster_begin, cluster_last, findings);
        in_cluster = true;
        cluster_begin = left;
        cluster_last = right;
      }
    }
    if (in_cluster) EmitSplitCluster(context, candidates, cluster_begin, cluster_last, findings);
    group_begin = group_end;
  }
}

// ---------------------------------------------------------------------------------------
// DUPLICATE_PAYMENT. Two criteria, both within one OPD:
// (a) unreversed payments with the same payee_account (non-empty), gross (> 0) and
//     account code, chained by value date: sorted by date, a payment within
//     duplicate_window_days of the previous one joins its group (so every such pair is
//     caught; a group may span more than the window);
// (b) unreversed payments with the same non-empty documents.evidence_no (evidence
//     numbers are unique per OPD; other OPDs may number alike).
// Groups sharing a payment are merged (union-find), so a pair matching both criteria is
// reported once. Amount = the group's gross minus that of its first payment (lowest seq):
// for (a) alone that is gross x (count - 1).

class DisjointSets {
 public:
  explicit DisjointSets(std::size_t size) : parent_(size) {
    std::iota(parent_.begin(), parent_.end(), std::size_t{0});
  }
  // Iterative with path halving: no recursion over input.
  std::size_t Find(std::size_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }
  void Union(std::size_t a, std::size_t b) {
    const std::size_t root_a = Find(a);
    const std::size_t root_b = Find(b);
    if (root_a != root_b) parent_[std::max(root_a, root_b)] = std::min(root_a, root_b);
  }

 private:
  std::vector<std::size_t> parent_;
};

struct DuplicateGroup {
  std::vector<std::size_t> members;  // Expenditure indices.
  std::string description;
};

void RunDuplicatePayment(const Context& context, std::vector<Finding>& findings) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  const std::int64_t window_days = std::max(0, context.rules.duplicate_window_days);
  std::vector<DuplicateGroup> groups;

  // (a) Same payee account, gross and account code.
  std::vector<std::size_t> by_payee;
  for (std::size_t i = 0; i < expenditures.size(); ++i) {
    const ExpenditureFacts& e = expenditures[i];
    if (IsActive(e) && !e.payee_account.empty() && e.gross_sen > 0 && context.value_dates[i]) {
      by_payee.push_back(i);
    }
  }
  auto payee_key = [&](std::size_t i) {
    const ExpenditureKeys& k = context.keys[i];
    return std::make_tuple(k.opd, k.payee_account, k.account, expenditures[i].gross_sen);
  };
  std::sort(by_payee.begin(), by_payee.end(), [&](std::size_t a, std::size_t b) {
    return std::tuple_cat(payee_key(a), std::tie(*context.value_dates[a], expenditures[a].seq)) <
           std::tuple_cat(payee_key(b), std::tie(*context.value_dates[b], expenditures[b].seq));
  });
  for (std::size_t begin = 0; begin < by_payee.size();) {
    std::size_t end = begin + 1;
    while (end < by_payee.size() && payee_key(by_payee[end]) == payee_key(by_payee[begin]) &&
           DaysBetween(*context.value_dates[by_payee[end - 1]],
                       *context.value_dates[by_payee[end]]) <= window_days) {
      ++end;
    }
    if (end - begin >= 2) {
      DuplicateGroup group;
      group.members.assign(by_payee.begin() + static_cast<std::ptrdiff_t>(begin),
                           by_payee.begin() + static_cast<std::ptrdiff_t>(end));
      const ExpenditureFacts& first = expenditures[by_payee[begin]];
      std::vector<std::int64_t> seqs;
      for (std::size_t i : group.members) seqs.push_back(expenditures[i].seq);
      std::sort(seqs.begin(), seqs.end());
      group.description =
          std::to_string(group.members.size()) + " pembayaran ke rekening penerima " +
          first.payee_account + " dengan nilai sama masing-masing " + Rupiah(first.gross_sen) +
          " pada kode rekening " + first.account + " dalam periode " +
          FormatTanggal(*context.value_dates[by_payee[begin]]) + " s.d. " +
          FormatTanggal(*context.value_dates[by_payee[end - 1]]) + " (" + FormatSeqs(seqs) + ")";
      groups.push_back(std::move(group));
    }
    begin = end;
  }

  // (b) Same evidence number within an OPD.
  std::vector<std::size_t> by_evidence;
  for (std::size_t i = 0; i < expenditures.size(); ++i) {
    if (IsActive(expenditures[i]) && !expenditures[i].evidence_no.empty()) {
      by_evidence.push_back(i);
    }
  }
  auto evidence_key = [&](std::size_t i) {
    return std::make_tuple(context.keys[i].opd, context.keys[i].evidence_no);
  };
  std::sort(by_evidence.begin(), by_evidence.end(), [&](std::size_t a, std::size_t b) {
    return std::tuple_cat(evidence_key(a), std::tie(expenditures[a].seq)) <
           std::tuple_cat(evidence_key(b), std::tie(expenditures[b].seq));
  });
  for (std::size_t begin = 0; begin < by_evidence.size();) {
    std::size_t end = begin + 1;
    while (end < by_evidence.size() &&
           evidence_key(by_evidence[end]) == evidence_key(by_evidence[begin])) {
      ++end;
    }
    if (end - begin >= 2) {
      DuplicateGroup group;
      group.members.assign(by_evidence.begin() + static_cast<std::ptrdiff_t>(begin),
                           by_evidence.begin() + static_cast<std::ptrdiff_t>(end));
      std::vector<std::int64_t> seqs;
      for (std::size_t i : group.members) seqs.push_back(expenditures[i].seq);
      group.description = "nomor bukti \"" + expenditures[by_evidence[begin]].evidence_no +
                          "\" digunakan pada " + std::to_string(group.members.size()) +
                          " pembayaran (" + FormatSeqs(seqs) + ")";
      groups.push_back(std::move(group));
    }
    begin = end;
  }
  if (groups.empty()) return;

  DisjointSets sets(expenditures.size());
  for (const DuplicateGroup& group : groups) {
    for (std::size_t i : group.members) sets.Union(group.members.front(), i);
  }
  struct Component {
    std::vector<std::size_t> members;
    std::vector<std::string> descriptions;
  };
  std::unordered_map<std::size_t, std::size_t> component_of_root;
  std::vector<Component> components;
  for (DuplicateGroup& group : groups) {
    const std::size_t root = sets.Find(group.members.front());
    auto [it, inserted] = component_of_root.try_emplace(root, components.size());
    if (inserted) components.emplace_back();
    Component& component = components[it->second];
    component.members.insert(component.members.end(), group.members.begin(), group.members.end());
    component.descriptions.push_back(std::move(group.description));
  }
  for (Component& component : components) {
    std::sort(component.members.begin(), component.members.end());  // Index order = seq order.
    component.members.erase(std::unique(component.members.begin(), component.members.end()),
                            component.members.end());
    JEJAK_CHECK(component.members.size() >= 2);
    Wide total_sen = 0;
    std::vector<std::int64_t> seqs;
    std::size_t first = component.members.front();
    for (std::size_t i : component.members) {
      total_sen += expenditures[i].gross_sen;
      seqs.push_back(expenditures[i].seq);
      if (expenditures[i].seq < expenditures[first].seq) first = i;
    }
    const Wide duplicated_sen = total_sen - expenditures[first].gross_sen;
    const std::string& opd = expenditures[first].opd;
    Finding finding = MakeFinding(kRuleDuplicatePayment, kSeverityHigh, opd, seqs, duplicated_sen);
    std::string details;
    for (std::size_t d = 0; d < component.descriptions.size(); ++d) {
      if (d > 0) details += "; ";
      details += component.descriptions[d];
    }
    finding.kondisi =
        "Terdapat indikasi pembayaran ganda pada " + Opd(opd) + ": " + details + ". Dari " +
        std::to_string(finding.seqs.size()) + " pembayaran senilai " + Rupiah(total_sen) +
        ", nilai yang diduga dibayar ganda (selain pembayaran pertama, seq " +
        std::to_string(expenditures[first].seq) + ") sebesar " + Rupiah(duplicated_sen) + ".";
    finding.kriteria =
        "PP 12/2019 tentang Pengelolaan Keuangan Daerah: setiap pengeluaran harus didukung "
        "bukti yang lengkap dan sah; Permendagri 77/2020 tentang Pedoman Teknis "
        "Pengelolaan Keuangan Daerah mengenai pengujian tagihan sebelum pembayaran.";
    finding.rekomendasi =
        "Bupati/Wali Kota agar memerintahkan Kepala " + Opd(opd) +
        " untuk meneliti pembayaran tersebut, memproses pengembalian kelebihan pembayaran "
        "sebesar " +
        Rupiah(duplicated_sen) +
        " ke Kas Daerah apabila terbukti ganda, serta menginstruksikan PPK-SKPD menguji "
        "keunikan nomor bukti dan tagihan sebelum pembayaran.";
    findings.push_back(std::move(finding));
  }
}

// ---------------------------------------------------------------------------------------
// CASH_PAYMENT. The non-cash transaction policy (Instruksi/SE Mendagri): every unreversed
// cash payment is a finding; above the regency's cash cap it is high, at or under it low.

void RunCashPayment(const Context& context, std::vector<Finding>& findings) {
  const std::int64_t cap_sen = context.rules.cash_cap_sen;
  for (std::size_t i = 0; i < context.input.expenditures.size(); ++i) {
    const ExpenditureFacts& e = context.input.expenditures[i];
    if (!IsActive(e) || e.instrument != "cash") continue;
    const bool above_cap = e.gross_sen > cap_sen;
    Finding finding = MakeFinding(kRuleCashPayment, above_cap ? kSeverityHigh : kSeverityLow, e.opd,
                                  {e.seq}, e.gross_sen);
    const std::string date =
        context.value_dates[i] ? " tanggal " + FormatTanggal(*context.value_dates[i]) : "";
    finding.kondisi = Opd(e.opd) + " melakukan pembayaran tunai sebesar " + Rupiah(e.gross_sen) +
                      date + " pada kode rekening " + e.account + " (seq " + std::to_string(e.seq) +
                      ")" +
                      (above_cap ? ", melebihi batas pembayaran tunai " + Rupiah(cap_sen)
                                 : ", dalam batas pembayaran tunai " + Rupiah(cap_sen)) +
                      ".";
    finding.kriteria =
        "Instruksi Menteri Dalam Negeri dan Surat Edaran Menteri Dalam Negeri tentang "
        "penerapan transaksi non tunai di lingkungan pemerintah daerah; Peraturan Kepala "
        "Daerah tentang batas pembayaran tunai sebesar " +
        Rupiah(cap_sen) + " per transaksi.";
    finding.rekomendasi = "Bupati/Wali Kota agar memerintahkan Kepala " + Opd(e.opd) +
                          " untuk menginstruksikan Bendahara Pengeluaran melakukan "
                          "pembayaran secara non tunai (CMS, KKPD atau QRIS) dan membatasi "
                          "pembayaran tunai sesuai ketentuan.";
    findings.push_back(std::move(finding));
  }
}

// ---------------------------------------------------------------------------------------
// TAX_NOT_DEPOSITED. PMK 242/PMK.03/2014, PMK 81 Tahun 2024: withheld tax is deposited by
// the deadline (TaxDepositDeadline). Allocation: deposits are taken in (deposit_date, seq)
// order, so earlier money counts first; each deposit fills the withheld tax of the
// matching type of its covered expenditures in ascending seq order, each up to what is
// still open. Covered seqs that are unknown or reversed get nothing (a reversed payment
// needs no deposit). The deposit's OPD is not compared with the expenditure's: `covers`
// names the seqs. Per (expenditure, tax type) with withheld W:
//   undeposited = W - allocated; it counts only once the deadline has passed
//     (deadline < as_of; on the deadline day itself a deposit is still on time);
//   late = allocated from deposits dated after the deadline.
// Findings group per (opd, tax type, month of value date). Severity: high if some
// expenditure in the group had nothing deposited at all after its deadline; medium if
// the group is only late or short (partly deposited). Amount = undeposited + late.

struct TaxItem {
  std::size_t index;  // Expenditure.
  std::string tax_type;
  Wide withheld_sen = 0;
  Wide on_time_sen = 0;
  Wide late_sen = 0;
  Days deadline;
};

void RunTaxNotDeposited(const Context& context, std::vector<Finding>& findings) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  std::vector<TaxItem> items;
  // items_of[i] = [first, end) of expenditure i's items; each expenditure has a handful.
  std::vector<std::pair<std::size_t, std::size_t>> items_of(expenditures.size(), {0, 0});
  std::unordered_map<std::int64_t, std::size_t> index_of_seq;
  index_of_seq.reserve(expenditures.size());
  for (std::size_t i = 0; i < expenditures.size(); ++i) {
    const ExpenditureFacts& e = expenditures[i];
    index_of_seq.emplace(e.seq, i);
    if (!IsActive(e) || !context.value_dates[i]) continue;
    const Days deadline = DepositDeadline(*context.value_dates[i], context.holidays);
    const std::size_t first_item = items.size();
    for (const auto& [tax_type, amount_sen] : e.taxes_sen) {
      if (amount_sen <= 0) continue;
      // The store sums per type already; merging again keeps the rule safe if not.
      bool merged = false;
      for (std::size_t k = first_item; k < items.size(); ++k) {
        if (items[k].tax_type == tax_type) {
          items[k].withheld_sen += amount_sen;
          merged = true;
        }
      }
      if (!merged) items.push_back(TaxItem{i, tax_type, amount_sen, 0, 0, deadline});
    }
    items_of[i] = {first_item, items.size()};
  }

  std::vector<std::size_t> deposit_order;
  for (std::size_t d = 0; d < context.input.tax_deposits.size(); ++d) {
    if (ParseDate(context.input.tax_deposits[d].deposit_date)) deposit_order.push_back(d);
  }
  const std::vector<TaxDepositFacts>& deposits = context.input.tax_deposits;
  std::sort(deposit_order.begin(), deposit_order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(deposits[a].deposit_date, deposits[a].seq) <
           std::tie(deposits[b].deposit_date, deposits[b].seq);
  });
  for (std::size_t d : deposit_order) {
    const TaxDepositFacts& deposit = deposits[d];
    const Days deposit_date = *ParseDate(deposit.deposit_date);
    Wide remaining_sen = deposit.amount_sen;
    std::vector<std::int64_t> covers = deposit.covers;
    std::sort(covers.begin(), covers.end());
    covers.erase(std::unique(covers.begin(), covers.end()), covers.end());
    for (std::int64_t seq : covers) {
      if (remaining_sen <= 0) break;
      const auto found = index_of_seq.find(seq);
      if (found == index_of_seq.end()) continue;
      const auto [item_begin, item_end] = items_of[found->second];
      for (std::size_t k = item_begin; k < item_end; ++k) {
        TaxItem& item = items[k];
        if (item.tax_type != deposit.tax_type) continue;
        const Wide open_sen = item.withheld_sen - item.on_time_sen - item.late_sen;
        const Wide allocated_sen = std::min(open_sen, remaining_sen);
        if (allocated_sen <= 0) continue;
        if (deposit_date <= item.deadline) {
          item.on_time_sen += allocated_sen;
        } else {
          item.late_sen += allocated_sen;
        }
        remaining_sen -= allocated_sen;
      }
    }
  }

  // Items with something to report, grouped by (opd, tax type, month).
  struct Issue {
    std::size_t item;
    Wide undeposited_sen;  // Due (deadline passed) and not deposited.
    int month;             // year * 12 + month of the value date.
  };
  std::vector<Issue> issues;
  for (std::size_t k = 0; k < items.size(); ++k) {
    const TaxItem& item = items[k];
    const bool due = context.as_of && item.deadline < *context.as_of;
    const Wide undeposited_sen =
        due ? item.withheld_sen - item.on_time_sen - item.late_sen : Wide{0};
    if (undeposited_sen <= 0 && item.late_sen <= 0) continue;
    const std::chrono::year_month_day date{*context.value_dates[item.index]};
    issues.push_back(Issue{k, undeposited_sen,
                           static_cast<int>(date.year()) * 12 +
                               static_cast<int>(static_cast<unsigned>(date.month()))});
  }
  auto issue_key = [&](const Issue& issue) {
    return std::tie(context.keys[items[issue.item].index].opd, items[issue.item].tax_type,
                    issue.month);
  };
  std::sort(issues.begin(), issues.end(), [&](const Issue& a, const Issue& b) {
    return std::tuple_cat(issue_key(a), std::tie(expenditures[items[a.item].index].seq)) <
           std::tuple_cat(issue_key(b), std::tie(expenditures[items[b.item].index].seq));
  });
  for (std::size_t begin = 0; begin < issues.size();) {
    std::size_t end = begin;
    Wide withheld_sen = 0;
    Wide not_deposited_sen = 0;  // Nothing deposited at all.
    Wide short_sen = 0;          // Partly deposited.
    Wide late_sen = 0;
    std::size_t not_deposited_count = 0;
    std::vector<std::int64_t> seqs;
    while (end < issues.size() && issue_key(issues[end]) == issue_key(issues[begin])) {
      const TaxItem& item = items[issues[end].item];
      withheld_sen += item.withheld_sen;
      late_sen += item.late_sen;
      if (item.on_time_sen + item.late_sen == 0 && issues[end].undeposited_sen > 0) {
        not_deposited_sen += issues[end].undeposited_sen;
        ++not_deposited_count;
      } else {
        short_sen += issues[end].undeposited_sen;
      }
      seqs.push_back(expenditures[item.index].seq);
      ++end;
    }
    const TaxItem& first = items[issues[begin].item];
    const std::string& opd = expenditures[first.index].opd;
    const Wide amount_sen = not_deposited_sen + short_sen + late_sen;
    Finding finding =
        MakeFinding(kRuleTaxNotDeposited, not_deposited_count > 0 ? kSeverityHigh : kSeverityMedium,
                    opd, seqs, amount_sen);
    std::string parts;
    auto add_part = [&parts](const std::string& part) {
      parts += (parts.empty() ? "" : ", ") + part;
    };
    if (not_deposited_sen > 0) {
      add_part("pajak sebesar " + Rupiah(not_deposited_sen) + " atas " +
               std::to_string(not_deposited_count) + " transaksi belum disetor sama sekali");
    }
    if (short_sen > 0) add_part("pajak sebesar " + Rupiah(short_sen) + " kurang disetor");
    if (late_sen > 0) {
      add_part("pajak sebesar " + Rupiah(late_sen) + " disetor setelah batas waktu");
    }
    const std::string as_of =
        context.as_of ? "Sampai dengan " + FormatTanggal(*context.as_of) + ", " : "";
    // Every part starts with "pajak"; without an as_of date it opens the sentence.
    std::string findings_text = as_of + parts;
    if (as_of.empty() && !findings_text.empty()) findings_text[0] = 'P';
    finding.kondisi = "Pajak " + first.tax_type + " yang dipotong/dipungut " + Opd(opd) + " atas " +
                      std::to_string(finding.seqs.size()) + " belanja bulan " +
                      FormatBulan(*context.value_dates[first.index]) + " (" +
                      FormatSeqs(finding.seqs) + ") berjumlah " + Rupiah(withheld_sen) +
                      " dengan batas penyetoran " + FormatTanggal(first.deadline) + ". " +
                      findings_text + ". Jumlah yang bermasalah " + Rupiah(amount_sen) + ".";
    finding.kriteria =
        "PMK 242/PMK.03/2014 tentang Tata Cara Pembayaran dan Penyetoran Pajak sebagaimana "
        "diganti dengan PMK 81 Tahun 2024: pajak yang dipotong/dipungut bendahara instansi "
        "pemerintah wajib disetor paling lambat tanggal 15 bulan berikutnya setelah masa "
        "pajak berakhir; bila jatuh pada hari libur, pada hari kerja berikutnya.";
    finding.rekomendasi =
        "Bupati/Wali Kota agar memerintahkan Kepala " + Opd(opd) +
        " untuk menginstruksikan Bendahara Pengeluaran segera menyetorkan pajak yang belum "
        "disetor ke Kas Negara, menyampaikan bukti setor (NTPN), dan menyetor pajak tepat "
        "waktu untuk menghindari sanksi administrasi.";
    findings.push_back(std::move(finding));
    begin = end;
  }
}

// ---------------------------------------------------------------------------------------
// OUTSIDE_FISCAL_YEAR. PP 12/2019: the fiscal year runs 1 January to 31 December and
// spending is charged to the year it belongs to. An unreversed expenditure whose
// value_date, or evidence_date when present, lies outside its own fiscal_year. A date
// that does not parse is not judged here (validation rejects it).

void RunOutsideFiscalYear(const Context& context, std::vector<Finding>& findings) {
  for (std::size_t i = 0; i < context.input.expenditures.size(); ++i) {
    const ExpenditureFacts& e = context.input.expenditures[i];
    if (!IsActive(e)) continue;
    auto outside = [&e](const std::optional<Days>& day) {
      return day && static_cast<int>(std::chrono::year_month_day{*day}.year()) != e.fiscal_year;
    };
    const std::optional<Days> evidence_date =
        e.evidence_date.empty() ? std::nullopt : ParseDate(e.evidence_date);
    const bool value_outside = outside(context.value_dates[i]);
    const bool evidence_outside = outside(evidence_date);
    if (!value_outside && !evidence_outside) continue;
    Finding finding =
        MakeFinding(kRuleOutsideFiscalYear, kSeverityMedium, e.opd, {e.seq}, e.gross_sen);
    std::string dates;
    if (value_outside) dates = "tanggal transaksi " + FormatTanggal(*context.value_dates[i]);
    if (evidence_outside) {
      dates += (dates.empty() ? "" : " dan ") + std::string("tanggal bukti ") +
               FormatTanggal(*evidence_date);
    }
    finding.kondisi = "Belanja " + Opd(e.opd) + " sebesar " + Rupiah(e.gross_sen) + " (seq " +
                      std::to_string(e.seq) + ", kode rekening " + e.account +
                      ") dibebankan pada Tahun Anggaran " + std::to_string(e.fiscal_year) +
                      ", namun " + dates + " berada di luar tahun anggaran tersebut.";
    finding.kriteria =
        "PP 12/2019 tentang Pengelolaan Keuangan Daerah: tahun anggaran meliputi masa satu "
        "tahun mulai 1 Januari sampai dengan 31 Desember, dan belanja dibebankan pada tahun "
        "anggaran berkenaan; Permendagri 77/2020.";
    finding.rekomendasi = "Bupati/Wali Kota agar memerintahkan Kepala " + Opd(e.opd) +
                          " untuk mempertanggungjawabkan belanja tersebut dan "
                          "menginstruksikan PPK-SKPD menguji kesesuaian tanggal bukti "
                          "dengan tahun anggaran sebelum pembayaran.";
    findings.push_back(std::move(finding));
  }
}

// ---------------------------------------------------------------------------------------
// LATE_RECORDING. Permendagri 77/2020: the treasurer books transactions promptly. Delay
// = UTC date part of recorded_at minus value_date, in days; late if above
// late_recording_days. One finding per OPD; low, medium once the worst delay exceeds
// kLateRecordingMediumDays.

void RunLateRecording(const Context& context, std::vector<Finding>& findings) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  struct Late {
    std::size_t index;
    std::int64_t delay_days;
  };
  std::vector<Late> late;
  for (std::size_t i = 0; i < expenditures.size(); ++i) {
    const ExpenditureFacts& e = expenditures[i];
    if (!IsActive(e) || !context.value_dates[i] || e.recorded_at.size() < 10) continue;
    const std::optional<Days> recorded = ParseDate(std::string_view(e.recorded_at).substr(0, 10));
    if (!recorded) continue;
    const std::int64_t delay_days = DaysBetween(*context.value_dates[i], *recorded);
    if (delay_days > context.rules.late_recording_days) late.push_back(Late{i, delay_days});
  }
  std::sort(late.begin(), late.end(), [&](const Late& a, const Late& b) {
    return std::tie(context.keys[a.index].opd, expenditures[a.index].seq) <
           std::tie(context.keys[b.index].opd, expenditures[b.index].seq);
  });
  for (std::size_t begin = 0; begin < late.size();) {
    const std::string& opd = expenditures[late[begin].index].opd;
    const std::uint32_t opd_id = context.keys[late[begin].index].opd;
    std::size_t end = begin;
    Wide total_sen = 0;
    std::vector<std::int64_t> seqs;
    std::size_t worst = begin;  // First (lowest seq) of the longest delays.
    while (end < late.size() && context.keys[late[end].index].opd == opd_id) {
      total_sen += expenditures[late[end].index].gross_sen;
      seqs.push_back(expenditures[late[end].index].seq);
      if (late[end].delay_days > late[worst].delay_days) worst = end;
      ++end;
    }
    const bool medium = late[worst].delay_days > kLateRecordingMediumDays;
    Finding finding = MakeFinding(kRuleLateRecording, medium ? kSeverityMedium : kSeverityLow, opd,
                                  seqs, total_sen);
    finding.kondisi = "Sebanyak " + std::to_string(finding.seqs.size()) + " belanja " + Opd(opd) +
                      " senilai " + Rupiah(total_sen) + " (" + FormatSeqs(finding.seqs) +
                      ") dicatat lebih dari " + std::to_string(context.rules.late_recording_days) +
                      " hari setelah tanggal transaksi; keterlambatan terlama " +
                      std::to_string(late[worst].delay_days) + " hari (seq " +
                      std::to_string(expenditures[late[worst].index].seq) + ").";
    finding.kriteria =
        "Permendagri 77/2020 tentang Pedoman Teknis Pengelolaan Keuangan Daerah: Bendahara "
        "Pengeluaran mencatat setiap transaksi dalam buku kas umum secara tertib dan tepat "
        "waktu; PP 60/2008 tentang Sistem Pengendalian Intern Pemerintah mengenai "
        "pencatatan yang akurat dan tepat waktu.";
    finding.rekomendasi = "Bupati/Wali Kota agar memerintahkan Kepala " + Opd(opd) +
                          " untuk menginstruksikan Bendahara Pengeluaran mencatat transaksi "
                          "paling lambat " +
                          std::to_string(context.rules.late_recording_days) +
                          " hari setelah tanggal transaksi.";
    findings.push_back(std::move(finding));
    begin = end;
  }
}

// ---------------------------------------------------------------------------------------
// REVERSAL_HEAVY. PP 60/2008 (SPIP): frequent corrections point to weak control over
// recording. Base = gross of every expenditure of the OPD in the year, reversed or not
// (what was recorded); fires when reversed gross exceeds reversal_heavy_basis_points of it.

void RunReversalHeavy(const Context& context, std::vector<Finding>& findings) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  std::vector<std::size_t> order(expenditures.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(context.keys[a].opd, expenditures[a].seq) <
           std::tie(context.keys[b].opd, expenditures[b].seq);
  });
  for (std::size_t begin = 0; begin < order.size();) {
    const std::string& opd = expenditures[order[begin]].opd;
    const std::uint32_t opd_id = context.keys[order[begin]].opd;
    std::size_t end = begin;
    Wide recorded_sen = 0;
    Wide reversed_sen = 0;
    std::vector<std::int64_t> seqs;
    while (end < order.size() && context.keys[order[end]].opd == opd_id) {
      const ExpenditureFacts& e = expenditures[order[end]];
      recorded_sen += e.gross_sen;
      if (!IsActive(e)) {
        reversed_sen += e.gross_sen;
        seqs.push_back(e.seq);
      }
      ++end;
    }
    begin = end;
    if (reversed_sen <= 0 || recorded_sen <= 0) continue;
    if (reversed_sen * kBasisPointsWhole <=
        recorded_sen * context.rules.reversal_heavy_basis_points) {
      continue;
    }
    Finding finding = MakeFinding(kRuleReversalHeavy, kSeverityMedium, opd, seqs, reversed_sen);
    // Share in hundredths of a percent, rounded down, for the text.
    const std::int64_t share = ClampSen(reversed_sen * kBasisPointsWhole / recorded_sen);
    const std::string share_text = std::to_string(share / 100) + "," +
                                   (share % 100 < 10 ? "0" : "") + std::to_string(share % 100);
    finding.kondisi = Opd(opd) + " membatalkan (reversal) " + std::to_string(finding.seqs.size()) +
                      " belanja senilai " + Rupiah(reversed_sen) + " (" + FormatSeqs(finding.seqs) +
                      "), atau " + share_text + "% dari seluruh belanja yang dicatat sebesar " +
                      Rupiah(recorded_sen) + ", melebihi batas " +
                      std::to_string(context.rules.reversal_heavy_basis_points / 100) + "," +
                      (context.rules.reversal_heavy_basis_points % 100 < 10 ? "0" : "") +
                      std::to_string(context.rules.reversal_heavy_basis_points % 100) + "%.";
    finding.kriteria =
        "PP 60/2008 tentang Sistem Pengendalian Intern Pemerintah: pencatatan transaksi "
        "yang akurat dan tepat waktu; Permendagri 77/2020 tentang Pedoman Teknis "
        "Pengelolaan Keuangan Daerah mengenai pengujian dokumen sebelum pencatatan.";
    finding.rekomendasi = "Bupati/Wali Kota agar memerintahkan Kepala " + Opd(opd) +
                          " untuk mengevaluasi penyebab tingginya koreksi (reversal) dan "
                          "memperkuat verifikasi dokumen oleh PPK-SKPD sebelum transaksi "
                          "dicatat.";
    findings.push_back(std::move(finding));
  }
}

std::size_t RuleRank(const std::string& rule) {
  for (std::size_t i = 0; i < std::size(kRuleOrder); ++i) {
    if (rule == kRuleOrder[i]) return i;
  }
  return std::size(kRuleOrder);
}

}  // namespace

std::vector<Finding> RunAuditRules(const AuditInput& input, const AuditRules& rules) {
  Context context{input, rules, {}, {}, {}, ParseHolidays(rules.holidays), ParseDate(input.as_of)};
  context.value_dates.reserve(input.expenditures.size());
  context.keys.reserve(input.expenditures.size());
  Interner payees;  // Payee accounts, NPWPs and evidence numbers: equality only.
  for (const ExpenditureFacts& e : input.expenditures) {
    context.value_dates.push_back(ParseDate(e.value_date));
    ExpenditureKeys keys;
    keys.opd = context.opds.Id(e.opd);
    keys.sub_activity = context.opds.Id(e.sub_activity);
    keys.account = context.opds.Id(e.account);
    keys.payee_account = payees.Id(e.payee_account);
    keys.payee_npwp = payees.Id(e.payee_npwp);
    keys.evidence_no = payees.Id(e.evidence_no);
    context.keys.push_back(keys);
  }
  std::vector<Finding> findings;
  RunOverPagu(context, findings);
  RunSplitPackage(context, findings);
  RunDuplicatePayment(context, findings);
  RunCashPayment(context, findings);
  RunTaxNotDeposited(context, findings);
  RunOutsideFiscalYear(context, findings);
  RunLateRecording(context, findings);
  RunReversalHeavy(context, findings);
  for (const Finding& finding : findings) {
    JEJAK_CHECK(!finding.seqs.empty());
    JEJAK_CHECK(std::is_sorted(finding.seqs.begin(), finding.seqs.end()));
  }
  // The contract's order; the later keys only break ties (two tax types of one
  // expenditure), so the order never depends on how a rule happened to emit.
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    const std::size_t rank_a = RuleRank(a.rule);
    const std::size_t rank_b = RuleRank(b.rule);
    return std::tie(rank_a, a.opd, a.seqs, a.kondisi) < std::tie(rank_b, b.opd, b.seqs, b.kondisi);
  });
  return findings;
}

std::string FormatRupiah(std::int64_t sen) {
  const bool negative = sen < 0;
  // Unsigned negation is defined for INT64_MIN too.
  const std::uint64_t magnitude =
      negative ? 0 - static_cast<std::uint64_t>(sen) : static_cast<std::uint64_t>(sen);
  const std::string digits = std::to_string(magnitude / 100);
  const auto fraction = static_cast<unsigned>(magnitude % 100);
  std::string out = negative ? "-Rp " : "Rp ";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  out += ',';
  out += static_cast<char>('0' + fraction / 10);
  out += static_cast<char>('0' + fraction % 10);
  return out;
}

std::string TaxDepositDeadline(const std::string& value_date,
                               const std::vector<std::string>& holidays) {
  const std::optional<Days> day = ParseDate(value_date);
  if (!day) return "";
  return FormatIsoDate(DepositDeadline(*day, ParseHolidays(holidays)));
}

}  // namespace jejak::ledger
