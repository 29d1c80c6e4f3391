// The audit rules on spending against budget and procurement: OVER_PAGU, SPLIT_PACKAGE
// and DUPLICATE_PAYMENT. Pure, like the engine in ledger/audit.cc that runs them; each
// groups by sorting, so each costs O(n log n) in the number of expenditures.
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
#include "ledger/audit_internal.h"

namespace jejak::ledger::audit_internal {
namespace {

// ---------------------------------------------------------------------------------------
// OVER_PAGU. PP 12/2019: spending is bounded by the pagu of the APBD line. Realisation of a
// line = gross of its unreversed expenditures; the pagu is the budget line in force (the
// newest by seq, should the store ever pass two for one line).

using LineKey = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>;

LineKey LineOf(const ExpenditureKeys& k) { return {k.opd, k.sub_activity, k.account}; }

}  // namespace

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

namespace {

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

}  // namespace

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

namespace {

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

}  // namespace

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

}  // namespace jejak::ledger::audit_internal
