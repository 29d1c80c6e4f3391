// The audit rules on how payments are made and booked: CASH_PAYMENT,
// OUTSIDE_FISCAL_YEAR, PAYMENT_BEFORE_EVIDENCE, LATE_RECORDING and REVERSAL_HEAVY. Pure,
// like the engine in ledger/audit.cc that runs them; each costs O(n log n) in the number
// of expenditures.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "base/check.h"
#include "ledger/audit_internal.h"

namespace jejak::ledger::audit_internal {
namespace {

// reversal_heavy_basis_points is out of this many.
constexpr std::int64_t kBasisPointsWhole = 10'000;

bool CashExempt(const AuditRules& rules, const std::string& account) {
  for (const std::string& prefix : rules.cash_exempt_accounts) {
    if (!prefix.empty() && account.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// CASH_PAYMENT. SE Mendagri 910/1867/SJ (transaksi non tunai) and the regency's Perbup:
// payments are non-cash, except what the Perbup allows in cash up to its cap. An unreversed
// cash payment is a finding only when it is above the cap (high), or, when the config
// lists exempt account-code prefixes, its account matches none of them (low). With no
// exempt list the Perbup restricts by amount only.

void RunCashPayment(const Context& context, std::vector<Finding>& findings) {
  const std::int64_t cap_sen = context.rules.cash_cap_sen;
  const bool typed = !context.rules.cash_exempt_accounts.empty();
  for (std::size_t i = 0; i < context.input.expenditures.size(); ++i) {
    const ExpenditureFacts& e = context.input.expenditures[i];
    if (!IsActive(e) || e.instrument != "cash") continue;
    const bool above_cap = e.gross_sen > cap_sen;
    const bool not_exempt = typed && !CashExempt(context.rules, e.account);
    if (!above_cap && !not_exempt) continue;
    Finding finding = MakeFinding(kRuleCashPayment, above_cap ? kSeverityHigh : kSeverityLow, e.opd,
                                  {e.seq}, e.gross_sen);
    const std::string date =
        context.value_dates[i] ? " tanggal " + FormatTanggal(*context.value_dates[i]) : "";
    std::string why;
    if (above_cap) why = ", melebihi batas pembayaran tunai " + Rupiah(cap_sen);
    if (not_exempt) {
      why += std::string(above_cap ? " dan" : ",") +
             " untuk jenis belanja yang tidak dikecualikan Peraturan Bupati dari kewajiban "
             "non tunai";
    }
    finding.kondisi = OpdLabel(context, e.opd) + " melakukan pembayaran tunai sebesar " +
                      Rupiah(e.gross_sen) + date + " pada kode rekening " + e.account + " (seq " +
                      std::to_string(e.seq) + ")" + why + ".";
    finding.kriteria =
        "Surat Edaran Menteri Dalam Negeri Nomor 910/1867/SJ tentang Implementasi Transaksi "
        "Non Tunai pada Pemerintah Daerah; Peraturan Bupati tentang pelaksanaan transaksi non "
        "tunai (batas pembayaran tunai " +
        Rupiah(cap_sen) + " per transaksi dan jenis belanja yang dikecualikan).";
    finding.sebab = "Bendahara Pengeluaran membayar secara tunai tanpa memperhatikan batas "
                    "dan jenis belanja yang diizinkan Peraturan Bupati.";
    finding.akibat = "Pembayaran tunai sebesar " + Rupiah(e.gross_sen) +
                     " sulit ditelusuri dan berisiko penyalahgunaan kas.";
    finding.rekomendasi = Rekomendasi(
        context, e.opd,
        "menginstruksikan Bendahara Pengeluaran melakukan pembayaran secara non tunai (CMS, "
        "KKPD atau QRIS) dan membatasi pembayaran tunai sesuai Peraturan Bupati.");
    findings.push_back(std::move(finding));
  }
}

// ---------------------------------------------------------------------------------------
// OUTSIDE_FISCAL_YEAR. PP 12/2019: the fiscal year runs 1 January to 31 December and
// spending is charged to the year it belongs to. Two cases over unreversed expenditures:
//   - the value date, or an evidence date in any year but the prior one, lies outside
//     the fiscal year: berindikasi dibebankan di luar tahun anggaran, medium;
//   - the value date lies in the fiscal year and the evidence date in the year before:
//     a payment of the prior year's utang belanja, lawful if it was recognised as a
//     payable in the prior year's balance sheet; low, and the texts ask for that check.
// A date that does not parse is not judged here (validation rejects it).

void RunOutsideFiscalYear(const Context& context, std::vector<Finding>& findings) {
  for (std::size_t i = 0; i < context.input.expenditures.size(); ++i) {
    const ExpenditureFacts& e = context.input.expenditures[i];
    if (!IsActive(e)) continue;
    auto year_of = [](Days day) { return static_cast<int>(std::chrono::year_month_day{day}.year()); };
    // A plain day and a flag rather than an optional: GCC misjudges the optional here.
    Days evidence_day{};
    bool has_evidence = false;
    if (const std::optional<Days> parsed = ParseDate(e.evidence_date)) {
      evidence_day = *parsed;
      has_evidence = true;
    }
    const bool value_outside =
        context.value_dates[i] && year_of(*context.value_dates[i]) != e.fiscal_year;
    const bool evidence_outside = has_evidence && year_of(evidence_day) != e.fiscal_year;
    if (!value_outside && !evidence_outside) continue;
    const bool payable = !value_outside && year_of(evidence_day) == e.fiscal_year - 1;
    Finding finding = MakeFinding(kRuleOutsideFiscalYear, payable ? kSeverityLow : kSeverityMedium,
                                  e.opd, {e.seq}, e.gross_sen);
    const std::string opd = OpdLabel(context, e.opd);
    const std::string what = "Belanja " + opd + " sebesar " + Rupiah(e.gross_sen) + " (seq " +
                             std::to_string(e.seq) + ", kode rekening " + e.account +
                             ") dibebankan pada Tahun Anggaran " + std::to_string(e.fiscal_year);
    if (payable) {
      finding.kondisi = what + " dengan tanggal bukti " + FormatTanggal(evidence_day) +
                        ", sehingga berindikasi pembayaran utang belanja Tahun Anggaran " +
                        std::to_string(e.fiscal_year - 1) +
                        " yang perlu diyakini telah diakui sebagai utang belanja pada neraca "
                        "tahun tersebut.";
    } else {
      std::string dates;
      if (value_outside) dates = "tanggal transaksi " + FormatTanggal(*context.value_dates[i]);
      if (evidence_outside) {
        dates += (dates.empty() ? "" : " dan ") + std::string("tanggal bukti ") +
                 FormatTanggal(evidence_day);
      }
      finding.kondisi = what + ", namun " + dates +
                        " berada di luar tahun anggaran tersebut, sehingga berindikasi "
                        "dibebankan di luar tahun anggarannya.";
    }
    finding.kriteria =
        "Peraturan Pemerintah Nomor 12 Tahun 2019 tentang Pengelolaan Keuangan Daerah: tahun "
        "anggaran meliputi masa satu tahun mulai 1 Januari sampai dengan 31 Desember dan "
        "belanja dibebankan pada tahun anggaran berkenaan; Permendagri 77/2020 mengenai "
        "pembayaran utang belanja tahun sebelumnya yang telah diakui dalam neraca.";
    finding.sebab = payable ? "Tagihan tahun sebelumnya baru dibayar pada tahun berjalan."
                            : "PPK-SKPD tidak menguji kesesuaian tanggal transaksi dan bukti "
                              "dengan tahun anggaran sebelum pembayaran.";
    finding.akibat =
        payable ? "Apabila tidak diakui sebagai utang belanja pada neraca tahun sebelumnya, "
                  "belanja tahun berjalan lebih saji dan belanja tahun sebelumnya kurang saji."
                : "Realisasi belanja Tahun Anggaran " + std::to_string(e.fiscal_year) +
                      " berindikasi tidak menggambarkan belanja tahun tersebut.";
    finding.rekomendasi = Rekomendasi(
        context, e.opd,
        payable ? "memastikan tagihan tersebut telah diakui sebagai utang belanja pada neraca "
                  "Tahun Anggaran " + std::to_string(e.fiscal_year - 1) +
                      " dan dianggarkan pada tahun berjalan."
                : "mempertanggungjawabkan belanja tersebut dan menginstruksikan PPK-SKPD "
                  "menguji kesesuaian tanggal bukti dengan tahun anggaran sebelum pembayaran.");
    findings.push_back(std::move(finding));
  }
}

// ---------------------------------------------------------------------------------------
// PAYMENT_BEFORE_EVIDENCE. PP 12/2019 Pasal 141 ayat (1): every payment is supported by
// complete and valid evidence. An unreversed expenditure whose value date is before its
// evidence date was paid before the evidence existed. One finding per OPD, medium;
// amount = the payments' gross.

void RunPaymentBeforeEvidence(const Context& context, std::vector<Finding>& findings) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  std::vector<std::size_t> early;
  for (std::size_t i = 0; i < expenditures.size(); ++i) {
    const ExpenditureFacts& e = expenditures[i];
    if (!IsActive(e) || !context.value_dates[i] || e.evidence_date.empty()) continue;
    const std::optional<Days> evidence_date = ParseDate(e.evidence_date);
    if (evidence_date && *context.value_dates[i] < *evidence_date) early.push_back(i);
  }
  std::stable_sort(early.begin(), early.end(), [&](std::size_t a, std::size_t b) {
    return context.keys[a].opd < context.keys[b].opd;
  });
  for (std::size_t begin = 0; begin < early.size();) {
    std::size_t end = begin;
    Wide total_sen = 0;
    std::vector<std::int64_t> seqs;
    std::int64_t longest_days = 0;
    while (end < early.size() && context.keys[early[end]].opd == context.keys[early[begin]].opd) {
      const ExpenditureFacts& e = expenditures[early[end]];
      total_sen += e.gross_sen;
      seqs.push_back(e.seq);
      longest_days = std::max(longest_days, DaysBetween(*context.value_dates[early[end]],
                                                        *ParseDate(e.evidence_date)));
      ++end;
    }
    const std::string& opd = expenditures[early[begin]].opd;
    Finding finding =
        MakeFinding(kRulePaymentBeforeEvidence, kSeverityMedium, opd, seqs, total_sen);
    finding.kondisi = OpdLabel(context, opd) + " membayar " + std::to_string(finding.seqs.size()) +
                      " belanja senilai " + Rupiah(total_sen) + " (" + FormatSeqs(finding.seqs) +
                      ") sebelum tanggal bukti pengeluarannya; selisih terlama " +
                      std::to_string(longest_days) + " hari.";
    finding.kriteria =
        "Peraturan Pemerintah Nomor 12 Tahun 2019 tentang Pengelolaan Keuangan Daerah, Pasal "
        "141 ayat (1): setiap pengeluaran harus didukung bukti yang lengkap dan sah.";
    finding.sebab = "Bendahara Pengeluaran membayar sebelum menerima bukti tagihan yang sah, "
                    "dan PPK-SKPD tidak menguji kelengkapan bukti sebelum pembayaran.";
    finding.akibat = "Pembayaran sebesar " + Rupiah(total_sen) +
                     " pada saat dibayar tidak didukung bukti yang sah dan berisiko tidak "
                     "dapat dipertanggungjawabkan.";
    finding.rekomendasi = Rekomendasi(
        context, opd,
        "menginstruksikan Bendahara Pengeluaran hanya membayar tagihan yang telah didukung "
        "bukti lengkap dan sah, dan PPK-SKPD menguji tanggal bukti sebelum pembayaran.");
    findings.push_back(std::move(finding));
    begin = end;
  }
}

// ---------------------------------------------------------------------------------------
// LATE_RECORDING. Permendagri 77/2020: the treasurer books every transaction and renders
// the LPJ by the 10th of the next month (31 December for December). The recording day is
// recorded_at in the regency's time zone (utc_offset_minutes). Late when recorded after
// the LPJ deadline of the value date: medium; high when recorded after the fiscal year of
// the value date closed (after 31 December), since the year's report is then already
// wrong. One finding per (OPD, severity).

void RunLateRecording(const Context& context, std::vector<Finding>& findings) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  struct Late {
    std::size_t index;
    bool after_close;
    std::int64_t days_late;  // Past the LPJ deadline.
  };
  std::vector<Late> late;
  for (std::size_t i = 0; i < expenditures.size(); ++i) {
    const ExpenditureFacts& e = expenditures[i];
    if (!IsActive(e) || !context.value_dates[i]) continue;
    const std::optional<Days> recorded = LocalDay(e.recorded_at, context.rules.utc_offset_minutes);
    if (!recorded) continue;
    const Days deadline = LpjDeadline(*context.value_dates[i]);
    if (*recorded <= deadline) continue;
    const std::chrono::year_month_day value{*context.value_dates[i]};
    const Days year_end{value.year() / std::chrono::December / std::chrono::day{31}};
    late.push_back(Late{i, *recorded > year_end, DaysBetween(deadline, *recorded)});
  }
  std::sort(late.begin(), late.end(), [&](const Late& a, const Late& b) {
    return std::tie(context.keys[a.index].opd, b.after_close, context.seqs[a.index]) <
           std::tie(context.keys[b.index].opd, a.after_close, context.seqs[b.index]);
  });
  for (std::size_t begin = 0; begin < late.size();) {
    const std::string& opd = expenditures[late[begin].index].opd;
    const std::uint32_t opd_id = context.keys[late[begin].index].opd;
    const bool after_close = late[begin].after_close;
    std::size_t end = begin;
    Wide total_sen = 0;
    std::vector<std::int64_t> seqs;
    std::size_t worst = begin;  // First (lowest seq) of the longest delays.
    while (end < late.size() && context.keys[late[end].index].opd == opd_id &&
           late[end].after_close == after_close) {
      total_sen += context.gross_sen[late[end].index];
      seqs.push_back(context.seqs[late[end].index]);
      if (late[end].days_late > late[worst].days_late) worst = end;
      ++end;
    }
    Finding finding = MakeFinding(kRuleLateRecording, after_close ? kSeverityHigh : kSeverityMedium,
                                  opd, seqs, total_sen);
    finding.kondisi =
        "Sebanyak " + std::to_string(finding.seqs.size()) + " belanja " + OpdLabel(context, opd) +
        " senilai " + Rupiah(total_sen) + " (" + FormatSeqs(finding.seqs) +
        ") dicatat setelah batas penyampaian LPJ bulan transaksinya (tanggal 10 bulan "
        "berikutnya; 31 Desember untuk transaksi Desember)" +
        (after_close ? ", bahkan setelah tahun anggaran ditutup" : "") +
        "; keterlambatan terlama " + std::to_string(late[worst].days_late) +
        " hari setelah batas tersebut (seq " + std::to_string(expenditures[late[worst].index].seq) +
        ").";
    finding.kriteria =
        "Permendagri 77/2020 tentang Pedoman Teknis Pengelolaan Keuangan Daerah: Bendahara "
        "Pengeluaran mencatat setiap transaksi dalam buku kas umum dan menyampaikan laporan "
        "pertanggungjawaban (LPJ) paling lambat tanggal 10 bulan berikutnya; PP 60/2008 "
        "tentang Sistem Pengendalian Intern Pemerintah mengenai pencatatan yang tepat waktu.";
    finding.sebab = "Bendahara Pengeluaran tidak mencatat transaksi pada saat terjadinya dan "
                    "PPK-SKPD tidak memantau kelengkapan pencatatan sebelum LPJ disusun.";
    finding.akibat = after_close
                         ? "Transaksi tidak tercatat dalam laporan tahun anggarannya, sehingga "
                           "laporan keuangan tahun tersebut berisiko salah saji."
                         : "LPJ bulan transaksi tidak menyajikan seluruh transaksi dan saldo kas "
                           "bendahara tidak dapat diuji tepat waktu.";
    finding.rekomendasi = Rekomendasi(
        context, opd,
        "menginstruksikan Bendahara Pengeluaran mencatat setiap transaksi pada saat terjadinya "
        "dan paling lambat sebelum batas penyampaian LPJ bulan berkenaan.");
    findings.push_back(std::move(finding));
    begin = end;
  }
}

// ---------------------------------------------------------------------------------------
// REVERSAL_HEAVY. PP 60/2008 (SPIP): frequent corrections point to weak control over
// recording. An internal-control signal (sinyal pengendalian intern), low severity: a
// correction is not itself a breach. Base = gross of every expenditure of the OPD in the year, reversed or not
// (what was recorded); fires when reversed gross exceeds reversal_heavy_basis_points of it.

void RunReversalHeavy(const Context& context, std::vector<Finding>& findings) {
  const std::vector<ExpenditureFacts>& expenditures = context.input.expenditures;
  std::vector<std::size_t> order(expenditures.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(context.keys[a].opd, context.seqs[a]) <
           std::tie(context.keys[b].opd, context.seqs[b]);
  });
  for (std::size_t begin = 0; begin < order.size();) {
    const std::string& opd = expenditures[order[begin]].opd;
    const std::uint32_t opd_id = context.keys[order[begin]].opd;
    std::size_t end = begin;
    Wide recorded_sen = 0;
    Wide reversed_sen = 0;
    std::vector<std::int64_t> seqs;
    while (end < order.size() && context.keys[order[end]].opd == opd_id) {
      recorded_sen += context.gross_sen[order[end]];
      if (!IsActive(expenditures[order[end]])) {
        reversed_sen += context.gross_sen[order[end]];
        seqs.push_back(context.seqs[order[end]]);
      }
      ++end;
    }
    begin = end;
    if (reversed_sen <= 0 || recorded_sen <= 0) continue;
    if (reversed_sen * kBasisPointsWhole <=
        recorded_sen * context.rules.reversal_heavy_basis_points) {
      continue;
    }
    Finding finding = MakeFinding(kRuleReversalHeavy, kSeverityLow, opd, seqs, reversed_sen);
    // Share in hundredths of a percent, rounded down, for the text.
    const std::int64_t share = ClampSen(reversed_sen * kBasisPointsWhole / recorded_sen);
    const std::string share_text = std::to_string(share / 100) + "," +
                                   (share % 100 < 10 ? "0" : "") + std::to_string(share % 100);
    finding.kondisi = "Sinyal pengendalian intern: " + OpdLabel(context, opd) +
                      " membatalkan (reversal) " + std::to_string(finding.seqs.size()) +
                      " belanja senilai " + Rupiah(reversed_sen) + " (" + FormatSeqs(finding.seqs) +
                      "), atau " + share_text + "% dari seluruh belanja yang dicatat sebesar " +
                      Rupiah(recorded_sen) + ", melebihi batas " +
                      std::to_string(context.rules.reversal_heavy_basis_points / 100) + "," +
                      (context.rules.reversal_heavy_basis_points % 100 < 10 ? "0" : "") +
                      std::to_string(context.rules.reversal_heavy_basis_points % 100) + "%.";
    finding.kriteria =
        "Peraturan Pemerintah Nomor 60 Tahun 2008 tentang Sistem Pengendalian Intern "
        "Pemerintah, Pasal 18: pencatatan yang akurat dan tepat waktu atas transaksi; "
        "Permendagri 77/2020 tentang Pedoman Teknis Pengelolaan Keuangan Daerah mengenai "
        "pengujian dokumen sebelum pencatatan.";
    finding.sebab =
        "Verifikasi dokumen oleh PPK-SKPD sebelum transaksi dicatat belum memadai, sehingga "
        "banyak transaksi dicatat keliru lalu dikoreksi.";
    finding.akibat =
        "Sinyal kelemahan pengendalian intern atas pencatatan; koreksi yang sering "
        "meningkatkan risiko salah saji dan menyulitkan penelusuran transaksi.";
    finding.rekomendasi = Rekomendasi(
        context, opd,
        "mengevaluasi penyebab tingginya koreksi (reversal) dan memperkuat verifikasi dokumen "
        "oleh PPK-SKPD sebelum transaksi dicatat.");
    findings.push_back(std::move(finding));
  }
}

}  // namespace jejak::ledger::audit_internal
