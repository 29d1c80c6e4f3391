// The audit rules on spending against budget and procurement: OVER_PAGU, SPLIT_PACKAGE
// and DUPLICATE_PAYMENT. Pure, like the engine in ledger/audit.cc that runs them; each
// groups by sorting, so each costs O(n log n) in the number of expenditures.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
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
    return std::tuple_cat(LineOf(keys[a]), std::tie(context.seqs[a])) <
           std::tuple_cat(LineOf(keys[b]), std::tie(context.seqs[b]));
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

  // Refunds of this year's payments dated in the year lower their line's realisation, as
  // in absorption (PSAP 02: pengembalian belanja reduces belanja when it is received).
  std::unordered_map<std::int64_t, Wide> refunded_sen;
  for (const RefundFacts& refund : context.input.refunds) {
    if (refund.original_fiscal_year == context.input.fiscal_year) {
      refunded_sen[refund.refunds] += refund.amount_sen;
    }
  }

  std::size_t next_budget = 0;
  for (std::size_t begin = 0; begin < order.size();) {
    const ExpenditureFacts& first = expenditures[order[begin]];
    std::size_t end = begin;
    Wide realisation_sen = 0;
    Wide line_refunds_sen = 0;
    std::vector<std::int64_t> seqs;
    const LineKey line = LineOf(keys[order[begin]]);
    while (end < order.size() && LineOf(keys[order[end]]) == line) {
      const ExpenditureFacts& expenditure = expenditures[order[end]];
      realisation_sen += expenditure.gross_sen;
      if (const auto refund = refunded_sen.find(expenditure.seq); refund != refunded_sen.end()) {
        line_refunds_sen += refund->second;
      }
      seqs.push_back(expenditure.seq);
      ++end;
    }
    realisation_sen -= line_refunds_sen;
    // Merge join: both sides are sorted by line.
    while (next_budget < budget_order.size() && budget_order[next_budget].first < line) {
      ++next_budget;
    }
    const BudgetFacts* budget = nullptr;  // The last one of the line has the highest seq.
    while (next_budget < budget_order.size() && budget_order[next_budget].first == line) {
      budget = &budgets[budget_order[next_budget].second];
      ++next_budget;
    }
    const std::string where = OpdLabel(context, first.opd) + " pada sub kegiatan " + first.sub_activity +
                              " kode rekening " + first.account;
    std::string count = std::to_string(seqs.size()) + " transaksi: " + FormatSeqs(seqs);
    if (line_refunds_sen > 0) {
      count += ", setelah dikurangi pengembalian belanja sebesar " + Rupiah(line_refunds_sen);
    }
    if (budget == nullptr && realisation_sen > 0) {
      Finding finding = MakeFinding(kRuleOverPagu, kSeverityHigh, first.opd, seqs, realisation_sen);
      finding.kondisi = "Terdapat realisasi belanja " + where + " sebesar " +
                        Rupiah(realisation_sen) + " (" + count +
                        ") padahal tidak terdapat pagu anggaran untuk baris tersebut dalam "
                        "APBD Tahun Anggaran " +
                        std::to_string(first.fiscal_year) + ".";
      finding.kriteria =
          "Peraturan Pemerintah Nomor 12 Tahun 2019 tentang Pengelolaan Keuangan Daerah: pengeluaran atas beban APBD "
          "hanya dapat dilakukan apabila anggarannya tersedia dalam APBD; Permendagri "
          "77/2020 tentang Pedoman Teknis Pengelolaan Keuangan Daerah.";
      finding.sebab =
          "PPK-SKPD tidak menguji ketersediaan anggaran pada DPA sebelum menerbitkan SPM, "
          "dan Bendahara Pengeluaran membayar tagihan tanpa baris anggaran.";
      finding.akibat = "Belanja sebesar " + Rupiah(realisation_sen) +
                       " tidak memiliki dasar anggaran dan berpotensi tidak dapat "
                       "dipertanggungjawabkan.";
      finding.rekomendasi = Rekomendasi(
          context, first.opd,
          "mempertanggungjawabkan belanja tanpa anggaran sebesar " + Rupiah(realisation_sen) +
              " dan menginstruksikan PPK-SKPD agar tidak memproses tagihan yang tidak "
              "tersedia anggarannya.");
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
          "Peraturan Pemerintah Nomor 12 Tahun 2019 tentang Pengelolaan Keuangan Daerah: pengeluaran tidak boleh melebihi "
          "pagu anggaran yang tersedia dalam APBD; Permendagri 77/2020 tentang Pedoman "
          "Teknis Pengelolaan Keuangan Daerah.";
      finding.sebab =
          "PPK-SKPD tidak mengendalikan sisa pagu per kode rekening sebelum menerbitkan SPM.";
      finding.akibat = "Realisasi melampaui pagu sebesar " + Rupiah(excess_sen) +
                       ", yaitu belanja tanpa dasar anggaran yang sah.";
      finding.rekomendasi = Rekomendasi(
          context, first.opd,
          "mempertanggungjawabkan kelebihan realisasi sebesar " + Rupiah(excess_sen) +
              " dan menginstruksikan PPK-SKPD menguji ketersediaan pagu sebelum menerbitkan "
              "SPM.");
      findings.push_back(std::move(finding));
    }
    begin = end;
  }
}

namespace {

// ---------------------------------------------------------------------------------------
// SPLIT_PACKAGE (pemecahan paket). Perpres 16/2018 jo. 12/2021 Pasal 20 ayat (2) huruf d
// forbids splitting a procurement into packages to avoid a tender.
//
// Candidates: unreversed direct procurements (procurement.method PL) with a valid value
// date. A package is one contract: the payments of one procurement.contract_no are its
// instalments and count once, at their sum, dated by the first; a PL payment without a
// contract number is a package of its own. Packages group by (OPD, sub-kegiatan, account,
// procurement type: ProcurementTypeOf), whoever the vendors are. A package above the cap
// of its type on its date is not a direct procurement and is skipped. Within a group,
// sorted by date, a window is a run of packages at most split_window_days apart (0: the
// whole fiscal year); a window is hot when its sum exceeds the cap in force on its last
// package's date. Hot windows sharing a package merge into one cluster, one finding each.

struct Package {
  std::vector<std::size_t> members;  // Expenditure indices, seq order.
  Days first_date;
  Wide total_sen = 0;
  std::int64_t cap_sen = 0;  // Of its type on its date.
};

struct PackageGroup {
  std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::string> key;
  std::vector<Package> packages;  // Sorted by (first_date, first seq).
};

std::string TypeLabel(const std::string& type) {
  if (type == kProcurementTypeWorks) return "pekerjaan konstruksi";
  if (type == kProcurementTypeConsultancy) return "jasa konsultansi";
  if (type == kProcurementTypeOtherServices) return "jasa lainnya";
  return "barang/jasa lainnya";
}

void EmitSplitCluster(const Context& context, const PackageGroup& group, std::size_t begin,
                      std::size_t last, std::int64_t cap_sen, std::vector<Finding>& findings) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  std::vector<std::int64_t> seqs;
  Wide total_sen = 0;
  std::vector<std::string> vendors;
  for (std::size_t p = begin; p <= last; ++p) {
    total_sen += group.packages[p].total_sen;
    for (std::size_t i : group.packages[p].members) {
      const ExpenditureFacts& e = expenditures[i];
      seqs.push_back(e.seq);
      vendors.push_back(!e.payee_npwp.empty() ? e.payee_npwp
                        : !e.payee_account.empty() ? e.payee_account
                                                   : e.payee_name);
    }
  }
  std::sort(vendors.begin(), vendors.end());
  vendors.erase(std::unique(vendors.begin(), vendors.end()), vendors.end());
  const ExpenditureFacts& first = expenditures[group.packages[begin].members.front()];
  const std::string& type = std::get<3>(group.key);
  Finding finding = MakeFinding(kRuleSplitPackage, kSeverityHigh, first.opd, seqs, total_sen);
  const std::string opd = OpdLabel(context, first.opd);
  finding.kondisi =
      opd + " melaksanakan " + std::to_string(last - begin + 1) +
      " paket pengadaan langsung " + TypeLabel(type) + " pada sub kegiatan " +
      first.sub_activity + " kode rekening " + first.account + " kepada " +
      std::to_string(vendors.size()) + " penyedia dalam periode " +
      FormatTanggal(group.packages[begin].first_date) + " s.d. " +
      FormatTanggal(group.packages[last].first_date) + " (" + FormatSeqs(finding.seqs) +
      "). Masing-masing paket tidak melebihi batas pengadaan langsung " + Rupiah(cap_sen) +
      ", namun jumlahnya " + Rupiah(total_sen) +
      " melampaui batas tersebut, sehingga berindikasi pemecahan paket untuk menghindari "
      "tender/seleksi.";
  finding.kriteria =
      "Peraturan Presiden Nomor 16 Tahun 2018 tentang Pengadaan Barang/Jasa Pemerintah "
      "sebagaimana telah diubah dengan Peraturan Presiden Nomor 12 Tahun 2021, Pasal 20 "
      "ayat (2) huruf d: dalam melakukan pemaketan Pengadaan Barang/Jasa dilarang memecah "
      "Pengadaan Barang/Jasa menjadi beberapa paket dengan maksud menghindari "
      "Tender/Seleksi; Pasal 38 ayat (3) dan ayat (4) (nilai pengadaan langsung paling "
      "banyak " +
      Rupiah(cap_sen) + " untuk " + TypeLabel(type) + " pada tanggal tersebut).";
  finding.sebab =
      "PA/KPA dan PPK tidak merencanakan pemaketan kebutuhan sejenis pada satu sub kegiatan "
      "dan kode rekening sebagai satu paket, dan Pejabat Pengadaan tidak menguji nilai "
      "kumulatif paket sejenis sebelum memilih metode pengadaan langsung.";
  finding.akibat =
      "Pengadaan sebesar " + Rupiah(total_sen) +
      " tidak melalui persaingan tender/seleksi, sehingga tidak ada keyakinan atas harga "
      "terbaik dan berpotensi terjadi kemahalan harga.";
  finding.rekomendasi = Rekomendasi(
      context, first.opd,
      "menginstruksikan PPK dan Pejabat Pengadaan merencanakan paket pengadaan sesuai "
      "kebutuhan setahun dan melaksanakan tender/seleksi untuk nilai di atas batas "
      "pengadaan langsung, serta meminta APIP menguji kewajaran harga atas pembayaran "
      "sebesar " +
          Rupiah(total_sen) + ".");
  findings.push_back(std::move(finding));
}

std::vector<PackageGroup> SplitPackageGroups(const Context& context) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  // (opd, sub, account, type, contract or "#seq") -> package, in index (= seq) order.
  using PackageKey = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::string,
                                std::string>;
  std::map<PackageKey, Package> by_contract;
  for (std::size_t i = 0; i < expenditures.size(); ++i) {
    const ExpenditureFacts& e = expenditures[i];
    if (!IsActive(e) || e.procurement_method != "PL" || !context.value_dates[i]) continue;
    const ExpenditureKeys& k = context.keys[i];
    const std::string contract =
        e.contract_no.empty() ? "#" + std::to_string(e.seq) : "=" + e.contract_no;
    Package& package =
        by_contract[PackageKey{k.opd, k.sub_activity, k.account, ProcurementTypeOf(e), contract}];
    if (package.members.empty() || *context.value_dates[i] < package.first_date) {
      package.first_date = *context.value_dates[i];
    }
    package.members.push_back(i);
    package.total_sen += e.gross_sen;
  }
  std::vector<PackageGroup> groups;
  for (auto& [key, package] : by_contract) {
    auto group_key = std::make_tuple(std::get<0>(key), std::get<1>(key), std::get<2>(key),
                                     std::get<3>(key));
    if (groups.empty() || groups.back().key != group_key) {
      groups.push_back(PackageGroup{std::move(group_key), {}});
    }
    package.cap_sen = ProcurementCapOn(context.rules.procurement_caps, std::get<3>(key),
                                       FormatIsoDate(package.first_date));
    if (package.total_sen > package.cap_sen) continue;  // Not a direct procurement.
    groups.back().packages.push_back(std::move(package));
  }
  for (PackageGroup& group : groups) {
    std::sort(group.packages.begin(), group.packages.end(), [&](const Package& a, const Package& b) {
      return std::tie(a.first_date, expenditures[a.members.front()].seq) <
             std::tie(b.first_date, expenditures[b.members.front()].seq);
    });
  }
  return groups;
}

}  // namespace

void RunSplitPackage(const Context& context, std::vector<Finding>& findings) {
  // 0: the whole fiscal year (the facts hold one fiscal year; a few days' slack covers
  // value dates just outside it).
  constexpr std::int64_t kWholeYearDays = 400;
  const std::int64_t window_days =
      context.rules.split_window_days > 0 ? context.rules.split_window_days : kWholeYearDays;
  for (const PackageGroup& group : SplitPackageGroups(context)) {
    const std::vector<Package>& packages = group.packages;
    Wide window_sen = 0;
    std::size_t left = 0;
    bool in_cluster = false;
    std::size_t cluster_begin = 0;
    std::size_t cluster_last = 0;
    std::int64_t cluster_cap_sen = 0;
    for (std::size_t right = 0; right < packages.size(); ++right) {
      window_sen += packages[right].total_sen;
      while (DaysBetween(packages[left].first_date, packages[right].first_date) > window_days) {
        window_sen -= packages[left].total_sen;
        ++left;
      }
      JEJAK_CHECK(left <= right);
      const std::int64_t cap_sen = packages[right].cap_sen;
      if (window_sen <= cap_sen) continue;
      if (in_cluster && left <= cluster_last) {
        cluster_last = right;
      } else {
        if (in_cluster) {
          EmitSplitCluster(context, group, cluster_begin, cluster_last, cluster_cap_sen, findings);
        }
        in_cluster = true;
        cluster_begin = left;
        cluster_last = right;
      }
      cluster_cap_sen = cap_sen;
    }
    if (in_cluster) {
      EmitSplitCluster(context, group, cluster_begin, cluster_last, cluster_cap_sen, findings);
    }
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
    return std::make_tuple(k.opd, k.payee_account, k.account, context.gross_sen[i]);
  };
  std::sort(by_payee.begin(), by_payee.end(), [&](std::size_t a, std::size_t b) {
    return std::tuple_cat(payee_key(a), std::tie(*context.value_dates[a], context.seqs[a])) <
           std::tuple_cat(payee_key(b), std::tie(*context.value_dates[b], context.seqs[b]));
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
    return std::tuple_cat(evidence_key(a), std::tie(context.seqs[a])) <
           std::tuple_cat(evidence_key(b), std::tie(context.seqs[b]));
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
        "Terdapat indikasi pembayaran ganda pada " + OpdLabel(context, opd) + ": " + details + ". Dari " +
        std::to_string(finding.seqs.size()) + " pembayaran senilai " + Rupiah(total_sen) +
        ", nilai yang diduga dibayar ganda (selain pembayaran pertama, seq " +
        std::to_string(expenditures[first].seq) + ") sebesar " + Rupiah(duplicated_sen) + ".";
    finding.kriteria =
        "Peraturan Pemerintah Nomor 12 Tahun 2019 tentang Pengelolaan Keuangan Daerah Pasal "
        "141 ayat (1): setiap pengeluaran harus didukung bukti yang lengkap dan sah; "
        "Permendagri 77/2020 tentang Pedoman Teknis Pengelolaan Keuangan Daerah mengenai "
        "pengujian tagihan sebelum pembayaran.";
    finding.sebab =
        "PPK-SKPD dan Bendahara Pengeluaran tidak menguji apakah tagihan atau bukti yang "
        "sama telah dibayar sebelumnya.";
    finding.akibat = "Berindikasi kelebihan pembayaran sebesar " + Rupiah(duplicated_sen) +
                     " yang merugikan keuangan daerah.";
    finding.rekomendasi = Rekomendasi(
        context, opd,
        "meneliti pembayaran tersebut, memproses pengembalian kelebihan pembayaran sebesar " +
            Rupiah(duplicated_sen) +
            " ke Kas Daerah apabila terbukti ganda, serta menginstruksikan PPK-SKPD menguji "
            "keunikan nomor bukti dan tagihan sebelum pembayaran.");
    findings.push_back(std::move(finding));
  }
}

}  // namespace jejak::ledger::audit_internal
