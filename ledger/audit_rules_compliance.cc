// The audit rules on how payments are made and booked: CASH_PAYMENT, TAX_NOT_DEPOSITED,
// OUTSIDE_FISCAL_YEAR, LATE_RECORDING and REVERSAL_HEAVY. Pure, like the engine in
// ledger/audit.cc that runs them; TAX_NOT_DEPOSITED takes its allocation of deposits from
// ledger/tax_allocation.h, the one the workpapers' Pajak sheet uses too.
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
#include "ledger/tax_allocation.h"

namespace jejak::ledger::audit_internal {
namespace {

// LATE_RECORDING: an entry recorded more than a month late is a medium finding, not a
// low one (a month is when a late record starts to distort the monthly SPJ).
constexpr std::int64_t kLateRecordingMediumDays = 30;
// reversal_heavy_basis_points is out of this many.
constexpr std::int64_t kBasisPointsWhole = 10'000;

}  // namespace

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

// The withheld tax per (expenditure, type) of the unreversed expenditures with a value
// date, each with its deadline and what the deposits allocated to it, on time or late.
std::vector<TaxItem> AllocatedTaxItems(const Context& context) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  std::vector<TaxItem> items;
  // items_of[i] = [first, end) of expenditure i's items; each expenditure has a handful.
  std::vector<std::pair<std::size_t, std::size_t>> items_of(expenditures.size(), {0, 0});
  for (std::size_t i = 0; i < expenditures.size(); ++i) {
    const ExpenditureFacts& e = expenditures[i];
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

  const std::vector<TaxDepositFacts>& deposits = context.input.tax_deposits;
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
          [&](const TaxItem& candidate) { return candidate.tax_type == facts.tax_type; });
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

}  // namespace

void RunTaxNotDeposited(const Context& context, std::vector<Finding>& findings) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  const std::vector<TaxItem> items = AllocatedTaxItems(context);

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

}  // namespace jejak::ledger::audit_internal
