// The audit rules on tax: TAX_NOT_DEPOSITED (withheld tax deposited late or not at all)
// and TAX_NOT_COLLECTED (PPN/PPh 22 not collected from a PKP payee). Pure, like the
// engine in ledger/audit.cc that runs them; TAX_NOT_DEPOSITED takes its allocation of
// deposits from ledger/tax_allocation.h, the one the workpapers' Pajak sheet uses too.
#include <algorithm>
#include <chrono>
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

#include "base/check.h"
#include "ledger/audit_internal.h"
#include "ledger/tax_allocation.h"

namespace jejak::ledger::audit_internal {
namespace {

// ---------------------------------------------------------------------------------------
// TAX_NOT_DEPOSITED. PMK 242/PMK.03/2014, PMK 81 Tahun 2024: withheld tax is deposited by
// the deadline (TaxDepositDeadline). Allocation: AllocateTaxDeposits (ledger/
// tax_allocation.h), the one the workpapers' Pajak sheet uses: deposits are taken in
// (deposit_date, seq) order, so earlier money counts first; each deposit fills the withheld
// tax of the matching type of its covered expenditures in ascending seq order, each up to
// what is still open. Covered seqs that are unknown or reversed get nothing (a reversed
// payment needs no deposit). The deposit's OPD is not compared with the expenditure's:
// `covers` names the seqs. Per (expenditure, tax type) with withheld W:
//   undeposited = W - allocated; it counts only once the deadline has passed
//     (deadline < as_of; on the deadline day itself a deposit is still on time);
//   late = allocated from deposits dated after the deadline.
// The deadline depends on the tax type and the period (AuditRules::tax_deadlines: PMK
// 242/2014 before 2025, PMK 81/2024 from 2025) and moves only past weekends and national
// holidays. Unpaid and paid late are separate findings, grouped per (opd, tax type, month
// of value date): unpaid (undeposited after the deadline) is high, amount = undeposited;
// paid late is medium, amount = late.

struct TaxItem {
  std::size_t index;  // Expenditure.
  const std::string* tax_type;  // In the expenditure's taxes_sen.
  Wide withheld_sen = 0;
  Wide on_time_sen = 0;
  Wide late_sen = 0;
  Days deadline;
};

// Deadlines are computed once per (value date, tax type) for the first this many types.
constexpr std::int64_t kCachedTypesMax = 64;

// The withheld tax per (expenditure, type) of the unreversed expenditures with a value
// date, each with its deadline and what the deposits allocated to it, on time or late.
std::vector<TaxItem> AllocatedTaxItems(const Context& context) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  std::vector<TaxItem> items;
  items.reserve(expenditures.size());
  // items_of[i] = [first, end) of expenditure i's items; each expenditure has a handful.
  std::vector<std::pair<std::size_t, std::size_t>> items_of(expenditures.size(), {0, 0});
  // Deadlines by (tax type, value date): a year has a few hundred of them. Types get small
  // ids in order of appearance (a handful: PPN, PPh 21, 22, 23, 4(2)).
  std::vector<std::string_view> types;
  std::unordered_map<std::int64_t, Days> deadlines;
  for (std::size_t i = 0; i < expenditures.size(); ++i) {
    const ExpenditureFacts& e = expenditures[i];
    if (!IsActive(e) || !context.value_dates[i]) continue;
    const std::size_t first_item = items.size();
    for (const auto& [tax_type, amount_sen] : e.taxes_sen) {
      if (amount_sen <= 0) continue;
      // The store sums per type already; merging again keeps the rule safe if not.
      bool merged = false;
      for (std::size_t k = first_item; k < items.size(); ++k) {
        if (*items[k].tax_type == tax_type) {
          items[k].withheld_sen += amount_sen;
          merged = true;
        }
      }
      if (!merged) {
        const auto type_id = static_cast<std::int64_t>(
            std::find(types.begin(), types.end(), std::string_view(tax_type)) - types.begin());
        if (static_cast<std::size_t>(type_id) == types.size()) types.push_back(tax_type);
        const auto compute = [&]() {
          return DepositDeadline(tax_type, *context.value_dates[i], context.tax_deadlines,
                                 context.holidays);
        };
        Days deadline;
        if (type_id < kCachedTypesMax) {
          // (day, type) packs into one key: day numbers of real dates are small.
          const std::int64_t key =
              static_cast<std::int64_t>(context.value_dates[i]->time_since_epoch().count()) *
                  kCachedTypesMax + type_id;
          const auto [known, inserted] = deadlines.try_emplace(key, Days{});
          if (inserted) known->second = compute();
          deadline = known->second;
        } else {
          deadline = compute();
        }
        items.push_back(TaxItem{i, &tax_type, amount_sen, 0, 0, deadline});
      }
    }
    items_of[i] = {first_item, items.size()};
  }

  const std::vector<TaxDepositFacts>& deposits = context.input.tax_deposits;
  // Without deposits nothing is allocated (AllocateTaxDeposits would return no
  // allocations); skipping it spares its seq index over every expenditure of the year.
  if (deposits.empty()) return items;
  for (const DepositAllocation& deposit : AllocateTaxDeposits(expenditures, deposits)) {
    if (deposit.allocations.empty()) continue;
    const TaxDepositFacts& facts = deposits[deposit.deposit];
    // A deposit without a calendar date allocates nothing, so this one has one.
    const Days deposit_date = *ParseDate(facts.deposit_date);
    for (const TaxAllocation& allocation : deposit.allocations) {
      const auto [item_begin, item_end] = items_of[allocation.expenditure];
      // The allocation went to withheld tax of the deposit's type: exactly one item.
      const auto item = std::find_if(
          items.begin() + static_cast<std::ptrdiff_t>(item_begin),
          items.begin() + static_cast<std::ptrdiff_t>(item_end),
          [&](const TaxItem& candidate) { return *candidate.tax_type == facts.tax_type; });
      JEJAK_CHECK(item != items.begin() + static_cast<std::ptrdiff_t>(item_end));
      if (deposit_date <= item->deadline) {
        item->on_time_sen += allocation.amount_sen;
      } else {
        item->late_sen += allocation.amount_sen;
      }
    }
  }
  return items;
}


// Before this date PMK 242/PMK.03/2014 set the deadlines; from it PMK 81/2024.
bool UnderPmk81(Days day) {
  return day >= Days{std::chrono::year{2025} / std::chrono::January / std::chrono::day{1}};
}

std::string DepositKriteria(Days value_date) {
  if (UnderPmk81(value_date)) {
    return "Peraturan Menteri Keuangan Nomor 81 Tahun 2024 tentang Ketentuan Perpajakan "
           "dalam rangka Pelaksanaan Sistem Inti Administrasi Perpajakan, Pasal 94 ayat (2): "
           "pajak yang dipotong/dipungut wajib disetor paling lambat tanggal 15 bulan "
           "berikutnya setelah Masa Pajak berakhir; Pasal 100: dalam hal tanggal jatuh tempo "
           "bertepatan dengan hari libur (hari Sabtu, hari Minggu, hari libur nasional, hari "
           "pemilihan umum atau cuti bersama secara nasional), penyetoran dilakukan paling "
           "lambat pada hari kerja berikutnya.";
  }
  return "Peraturan Menteri Keuangan Nomor 242/PMK.03/2014 tentang Tata Cara Pembayaran dan "
         "Penyetoran Pajak, Pasal 2: pajak yang dipotong/dipungut bendahara pemerintah "
         "disetor paling lambat pada tanggal jatuh tempo menurut jenis pajaknya (PPh Pasal "
         "21, Pasal 23 dan Pasal 4 ayat (2) tanggal 10 bulan berikutnya); bila jatuh tempo "
         "bertepatan dengan hari libur nasional, pada hari kerja berikutnya.";
}

struct TaxIssue {
  std::size_t item;
  bool unpaid;       // Unpaid after the deadline; otherwise paid late.
  Wide amount_sen;   // Undeposited, or paid late.
  bool none_paid;    // Unpaid only: nothing of the item was deposited at all.
  int month;         // year * 12 + month of the value date.
};

void EmitTaxIssues(const Context& context, const std::vector<TaxItem>& items,
                   const std::vector<TaxIssue>& issues, std::size_t begin, std::size_t end,
                   std::vector<Finding>& findings) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  const TaxIssue& head = issues[begin];
  const TaxItem& first = items[head.item];
  const std::string& opd = expenditures[first.index].opd;
  Wide withheld_sen = 0;
  Wide amount_sen = 0;
  Wide none_paid_sen = 0;
  std::size_t none_paid_count = 0;
  std::vector<std::int64_t> seqs;
  for (std::size_t k = begin; k < end; ++k) {
    const TaxItem& item = items[issues[k].item];
    withheld_sen += item.withheld_sen;
    amount_sen += issues[k].amount_sen;
    if (issues[k].none_paid) {
      none_paid_sen += issues[k].amount_sen;
      ++none_paid_count;
    }
    seqs.push_back(expenditures[item.index].seq);
  }
  Finding finding = MakeFinding(kRuleTaxNotDeposited, head.unpaid ? kSeverityHigh : kSeverityMedium,
                                opd, seqs, amount_sen);
  const Days value_date = *context.value_dates[first.index];
  const std::string opening = "Pajak " + *first.tax_type + " yang dipotong/dipungut " +
                              OpdLabel(context, opd) + " atas " +
                              std::to_string(finding.seqs.size()) + " belanja bulan " +
                              FormatBulan(value_date) + " (" + FormatSeqs(finding.seqs) +
                              ") berjumlah " + Rupiah(withheld_sen) +
                              " dengan batas penyetoran " + FormatTanggal(first.deadline) + ". ";
  if (head.unpaid) {
    const std::string as_of =
        context.as_of ? "Sampai dengan " + FormatTanggal(*context.as_of) + ", p" : "P";
    std::string detail;
    if (none_paid_sen > 0) {
      detail = " (" + Rupiah(none_paid_sen) + " atas " + std::to_string(none_paid_count) +
               " transaksi belum disetor sama sekali" +
               (none_paid_sen < amount_sen ? ", sisanya kurang disetor)" : ")");
    } else {
      detail = " (kurang disetor)";
    }
    finding.kondisi = opening + as_of + "ajak sebesar " + Rupiah(amount_sen) +
                      " belum disetor ke Kas Negara melewati batas waktu" + detail + ".";
    finding.sebab =
        "Bendahara Pengeluaran tidak menyetorkan pajak yang telah dipotong/dipungut, dan "
        "PPK-SKPD tidak memantau penyetoran pajak melalui bukti setor (NTPN).";
    finding.akibat = "Pajak sebesar " + Rupiah(amount_sen) +
                     " yang menjadi hak negara masih berada di kas bendahara dan berisiko "
                     "disalahgunakan, serta bendahara berpotensi dikenai sanksi administrasi.";
    finding.rekomendasi = Rekomendasi(
        context, opd,
        "menginstruksikan Bendahara Pengeluaran segera menyetorkan pajak sebesar " +
            Rupiah(amount_sen) + " ke Kas Negara dan menyampaikan bukti setor (NTPN).");
  } else {
    finding.kondisi = opening + "Pajak sebesar " + Rupiah(amount_sen) +
                      " disetor setelah batas waktu penyetoran.";
    finding.sebab = "Bendahara Pengeluaran tidak menyetorkan pajak tepat waktu.";
    finding.akibat =
        "Keterlambatan penyetoran pajak sebesar " + Rupiah(amount_sen) +
        " berpotensi menimbulkan sanksi administrasi berupa bunga atas keterlambatan.";
    finding.rekomendasi = Rekomendasi(
        context, opd,
        "menginstruksikan Bendahara Pengeluaran menyetorkan pajak paling lambat pada "
        "tanggal jatuh tempo setiap masa pajak.");
  }
  finding.kriteria = DepositKriteria(value_date);
  findings.push_back(std::move(finding));
}

}  // namespace

void RunTaxNotDeposited(const Context& context, std::vector<Finding>& findings) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  const std::vector<TaxItem> items = AllocatedTaxItems(context);
  std::vector<TaxIssue> issues;
  for (std::size_t k = 0; k < items.size(); ++k) {
    const TaxItem& item = items[k];
    const bool due = context.as_of && item.deadline < *context.as_of;
    const Wide undeposited_sen =
        due ? item.withheld_sen - item.on_time_sen - item.late_sen : Wide{0};
    const std::chrono::year_month_day date{*context.value_dates[item.index]};
    const int month =
        static_cast<int>(date.year()) * 12 + static_cast<int>(static_cast<unsigned>(date.month()));
    if (undeposited_sen > 0) {
      issues.push_back(TaxIssue{k, true, undeposited_sen,
                                item.on_time_sen + item.late_sen == 0, month});
    }
    if (item.late_sen > 0) issues.push_back(TaxIssue{k, false, item.late_sen, false, month});
  }
  // Grouped by (opd, tax type, month, unpaid first), each group in seq order. Sorted on
  // keys gathered into one array (tax types as small ids), not through the items: the
  // findings' own order is set by RunAuditRules afterwards.
  std::vector<std::string_view> types;
  struct Keyed {
    std::tuple<std::uint32_t, std::uint32_t, int, bool, std::int64_t> key;
    std::size_t issue;
  };
  std::vector<Keyed> keyed;
  keyed.reserve(issues.size());
  for (std::size_t k = 0; k < issues.size(); ++k) {
    const TaxItem& item = items[issues[k].item];
    const auto type_at = static_cast<std::size_t>(
        std::find(types.begin(), types.end(), std::string_view(*item.tax_type)) - types.begin());
    if (type_at == types.size()) types.push_back(*item.tax_type);
    const auto type_id = static_cast<std::uint32_t>(type_at);
    keyed.push_back(Keyed{{context.keys[item.index].opd, type_id, issues[k].month, !issues[k].unpaid,
                           expenditures[item.index].seq},
                          k});
  }
  std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) { return a.key < b.key; });
  std::vector<TaxIssue> sorted;
  sorted.reserve(issues.size());
  for (const Keyed& k : keyed) sorted.push_back(issues[k.issue]);
  const auto group_of = [&](std::size_t k) {
    return std::make_tuple(std::get<0>(keyed[k].key), std::get<1>(keyed[k].key),
                           std::get<2>(keyed[k].key), std::get<3>(keyed[k].key));
  };
  for (std::size_t begin = 0; begin < sorted.size();) {
    std::size_t end = begin;
    while (end < sorted.size() && group_of(end) == group_of(begin)) ++end;
    EmitTaxIssues(context, items, sorted, begin, end, findings);
    begin = end;
  }
}

// ---------------------------------------------------------------------------------------
// TAX_NOT_COLLECTED. A government treasurer collects PPN (and PPh 22 on goods) on a
// payment above tax_collection_threshold_sen to a PKP (payee.pkp true), and such a payment
// must not be split into invoices under the threshold. Two forms, each only over
// unreversed payments to a payee marked PKP:
//   (a) one payment above the threshold with no PPN withheld, or, when procurement.type
//       says barang, no PPh 22: one finding per OPD, high; amount = the payments' gross;
//   (b) two or more payments to one payee (NPWP, else payee account, else name) on one
//       value date, each at or under the threshold, together above it, none with PPN or
//       PPh 22 withheld: one finding per group, medium; amount = their gross.
// A payee without payee.pkp is not judged (the ledger cannot know its status).

namespace {

Wide TaxOf(const ExpenditureFacts& e, const char* type) {
  Wide sum = 0;
  for (const auto& [tax_type, amount_sen] : e.taxes_sen) {
    if (tax_type == type) sum += amount_sen;
  }
  return sum;
}

const char* const kCollectionKriteria =
    "Undang-Undang Nomor 8 Tahun 1983 tentang PPN sebagaimana telah diubah terakhir dengan "
    "Undang-Undang Nomor 7 Tahun 2021, Pasal 16A; Peraturan Menteri Keuangan Nomor "
    "59/PMK.03/2022 tentang pemotongan dan/atau pemungutan pajak oleh Instansi Pemerintah: "
    "bendahara memungut PPN (dan PPh Pasal 22 atas pembelian barang) atas pembayaran kepada "
    "Pengusaha Kena Pajak dengan nilai lebih dari Rp2.000.000, dan pembayaran tidak boleh "
    "dipecah-pecah untuk menghindari pemungutan.";

void EmitUncollected(const Context& context, const std::vector<std::size_t>& members,
                     bool split, std::vector<Finding>& findings) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  const ExpenditureFacts& first = expenditures[members.front()];
  std::vector<std::int64_t> seqs;
  Wide total_sen = 0;
  for (std::size_t i : members) {
    seqs.push_back(expenditures[i].seq);
    total_sen += expenditures[i].gross_sen;
  }
  Finding finding = MakeFinding(kRuleTaxNotCollected, split ? kSeverityMedium : kSeverityHigh,
                                first.opd, seqs, total_sen);
  const std::string opd = OpdLabel(context, first.opd);
  const std::string threshold = Rupiah(context.rules.tax_collection_threshold_sen);
  if (split) {
    finding.kondisi = opd + " membayar " + std::to_string(members.size()) +
                      " tagihan kepada Pengusaha Kena Pajak " + first.payee_name +
                      " pada tanggal " + FormatTanggal(*context.value_dates[members.front()]) +
                      " (" + FormatSeqs(finding.seqs) + "), masing-masing tidak melebihi " +
                      threshold + " namun jumlahnya " + Rupiah(total_sen) +
                      ", tanpa memungut PPN maupun PPh Pasal 22, sehingga berindikasi "
                      "pemecahan tagihan untuk menghindari pemungutan pajak.";
  } else {
    finding.kondisi = opd + " melakukan " + std::to_string(members.size()) +
                      " pembayaran di atas " + threshold +
                      " kepada penyedia berstatus Pengusaha Kena Pajak senilai " +
                      Rupiah(total_sen) + " (" + FormatSeqs(finding.seqs) +
                      ") tanpa memungut PPN (atau PPh Pasal 22 atas pembelian barang).";
  }
  finding.kriteria = kCollectionKriteria;
  finding.sebab =
      "Bendahara Pengeluaran tidak menguji status PKP penyedia dan kewajiban pemungutan pajak "
      "sebelum membayar tagihan.";
  finding.akibat = "Penerimaan negara dari PPN/PPh Pasal 22 atas pembayaran sebesar " +
                   Rupiah(total_sen) + " tidak terpungut.";
  finding.rekomendasi = Rekomendasi(
      context, first.opd,
      "menginstruksikan Bendahara Pengeluaran memungut PPN dan PPh Pasal 22 atas pembayaran "
      "kepada Pengusaha Kena Pajak di atas " +
          threshold + ", tidak memecah tagihan, dan menagih kekurangan pungutan kepada "
                      "penyedia untuk disetor ke Kas Negara.");
  findings.push_back(std::move(finding));
}

}  // namespace

void RunTaxNotCollected(const Context& context, std::vector<Finding>& findings) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  const std::int64_t threshold_sen = context.rules.tax_collection_threshold_sen;
  std::map<std::uint32_t, std::vector<std::size_t>> direct;  // OPD id -> expenditures.
  using SplitKey = std::tuple<std::uint32_t, int, std::uint32_t, Days>;
  std::map<SplitKey, std::vector<std::size_t>> small;
  Interner payees;
  for (std::size_t i = 0; i < expenditures.size(); ++i) {
    const ExpenditureFacts& e = expenditures[i];
    if (!IsActive(e) || e.payee_pkp != true || !context.value_dates[i]) continue;
    const Wide ppn_sen = TaxOf(e, "PPN");
    const Wide pph22_sen = TaxOf(e, "PPh22");
    if (e.gross_sen > threshold_sen) {
      const bool goods = e.procurement_type == kProcurementTypeGoods;
      if (ppn_sen <= 0 || (goods && pph22_sen <= 0)) direct[context.keys[i].opd].push_back(i);
      continue;
    }
    if (ppn_sen > 0 || pph22_sen > 0) continue;
    // The payee: NPWP, else account, else name; kinds apart so they never collide.
    const int kind = !e.payee_npwp.empty() ? 0 : !e.payee_account.empty() ? 1 : 2;
    const std::string& payee = kind == 0 ? e.payee_npwp : kind == 1 ? e.payee_account : e.payee_name;
    if (payee.empty()) continue;
    small[SplitKey{context.keys[i].opd, kind, payees.Id(payee), *context.value_dates[i]}]
        .push_back(i);
  }
  for (const auto& [opd, members] : direct) EmitUncollected(context, members, false, findings);
  for (const auto& [key, members] : small) {
    Wide total_sen = 0;
    for (std::size_t i : members) total_sen += expenditures[i].gross_sen;
    if (members.size() >= 2 && total_sen > threshold_sen) {
      EmitUncollected(context, members, true, findings);
    }
  }
}

}  // namespace jejak::ledger::audit_internal
