// The audit rules on the bank: BANK_DEBIT_WITHOUT_ENTRY (kas keluar tanpa SP2D or without a
// booked payment), ENTRY_WITHOUT_BANK_DEBIT (a payment booked but never debited),
// AMOUNT_MISMATCH, STATEMENT_GAP and CASH_WITHDRAWAL. They read one reconciliation of the
// year's statements (ledger/reconcile.h), computed here once; each finding is one line,
// payment or break. Pure, like the engine in ledger/audit.cc; O(n log n) overall.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/check.h"
#include "ledger/audit_internal.h"
#include "ledger/reconcile.h"

namespace jejak::ledger::audit_internal {
namespace {

// Finding.opd_name of the RKUD's findings (their opd is empty).
constexpr const char* kRkudName = "Kas Daerah (RKUD)";

constexpr std::string_view kNonCashKriteria =
    "Surat Edaran Menteri Dalam Negeri Nomor 910/1867/SJ tentang Implementasi Transaksi Non "
    "Tunai pada Pemerintah Daerah; Peraturan Bupati tentang pelaksanaan transaksi non tunai "
    "(batas pembayaran tunai ";

constexpr std::string_view kPenatausahaanKriteria =
    "Peraturan Menteri Dalam Negeri Nomor 77 Tahun 2020 tentang Pedoman Teknis Pengelolaan "
    "Keuangan Daerah: Bendahara Pengeluaran dan BUD mencatat setiap penerimaan dan pengeluaran "
    "kas dalam BKU dan buku pembantu bank, merekonsiliasikannya dengan rekening koran, dan "
    "mempertanggungjawabkannya dalam LPJ";

constexpr std::string_view kPasal141 =
    "Peraturan Pemerintah Nomor 12 Tahun 2019 tentang Pengelolaan Keuangan Daerah Pasal 141 "
    "ayat (1): setiap pengeluaran harus didukung bukti yang lengkap dan sah; ";

// The parts, appended (GCC 12 misreads long operator+ chains on literals: -Warray-bounds).
std::string Join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const std::string_view part : parts) out.append(part);
  return out;
}

bool IsRkud(const BankStatementFacts& statement) {
  return statement.account_role == kAccountRoleRkud;
}

// What the rules share: the reconciliation and lookups into the input.
struct BankContext {
  const Context& context;
  const ReconcileInput& bank;
  Reconciliation reconciliation;
  std::unordered_map<std::int64_t, std::size_t> statement_of_seq;
  std::unordered_map<std::int64_t, std::size_t> payment_of_seq;

  const BankStatementFacts& Statement(std::int64_t seq) const {
    const auto found = statement_of_seq.find(seq);
    JEJAK_CHECK(found != statement_of_seq.end());  // Reconcile names only input statements.
    return bank.statements[found->second];
  }
  const BankLine& Line(const BankStatementFacts& statement, std::int64_t index) const {
    const auto position = static_cast<std::size_t>(index);
    if (index >= 0 && position < statement.lines.size() &&
        statement.lines[position].index == index) {
      return statement.lines[position];
    }
    const auto found = std::find_if(statement.lines.begin(), statement.lines.end(),
                                    [index](const BankLine& line) { return line.index == index; });
    JEJAK_CHECK(found != statement.lines.end());
    return *found;
  }
};

std::string Tanggal(const std::string& date) {
  const std::optional<Days> day = ParseDate(date);
  return day ? FormatTanggal(*day) : date;
}

// "rekening RKUD nomor 0011223344 pada BPD Bengkulu" or "rekening Bendahara Pengeluaran
// Dinas Kesehatan nomor ...".
std::string AccountLabel(const Context& context, const BankStatementFacts& statement) {
  const std::string holder =
      IsRkud(statement) ? "rekening Kas Umum Daerah (RKUD)"
                        : "rekening Bendahara Pengeluaran " + OpdLabel(context, statement.opd);
  return holder + " nomor " + statement.account_no + " pada " + statement.bank;
}

// The line as kondisi names it: date, amount, reference, source line, counter party.
std::string LineLabel(const BankStatementFacts& statement, const BankLine& line) {
  std::string out = "tanggal " + Tanggal(line.date) + " sebesar " + Rupiah(line.amount_sen) +
                    " (rekening koran seq " + std::to_string(statement.seq) + " baris ke-" +
                    std::to_string(line.index + 1);
  if (line.source_line > 0) out += ", baris " + std::to_string(line.source_line) + " berkas mutasi";
  out += line.bank_ref.empty() ? ", tanpa referensi bank" : ", referensi bank " + line.bank_ref;
  if (!line.counter_account.empty()) out += ", rekening lawan " + line.counter_account;
  if (!line.counter_name.empty()) out += " a.n. " + line.counter_name;
  if (!line.description.empty()) out += ", uraian \"" + line.description + "\"";
  return out + ")";
}

// BPK's rekomendasi: to the head of the OPD for a treasurer's account, to the PPKD as BUD
// for the RKUD.
std::string BankRekomendasi(const Context& context, const BankStatementFacts& statement,
                            const std::string& action) {
  if (!IsRkud(statement)) return Rekomendasi(context, statement.opd, action);
  return "BPK merekomendasikan " + context.region_head +
         " agar memerintahkan Kepala BPKAD selaku Bendahara Umum Daerah untuk " + action;
}

Finding BankFinding(const char* rule, const char* severity, const BankStatementFacts& statement,
                    std::vector<std::int64_t> seqs, Wide amount_sen) {
  Finding finding = MakeFinding(rule, severity, statement.opd, std::move(seqs), amount_sen);
  if (IsRkud(statement)) finding.opd_name = kRkudName;
  return finding;
}

void RunBankDebitWithoutEntry(const BankContext& bc, std::vector<Finding>& findings) {
  const Context& context = bc.context;
  for (const LineRef& ref : bc.reconciliation.unmatched_debits) {
    const BankStatementFacts& statement = bc.Statement(ref.statement_seq);
    const BankLine& line = bc.Line(statement, ref.line_index);
    const bool rkud = IsRkud(statement);
    Finding finding = BankFinding(kRuleBankDebitWithoutEntry, kSeverityHigh, statement,
                                  {statement.seq}, line.amount_sen);
    finding.kondisi =
        "Rekening koran " + AccountLabel(context, statement) + " mencatat pengeluaran (debit) " +
        LineLabel(statement, line) + (line.type == "cash_withdrawal" ? " berupa penarikan tunai" : "") +
        " yang tidak dapat dicocokkan dengan " +
        (rkud ? "SP2D/belanja LS, setoran pajak maupun pelimpahan ke rekening Bendahara "
                "Pengeluaran mana pun yang tercatat dalam buku besar, sehingga berindikasi kas "
                "keluar dari RKUD tanpa SP2D."
              : "belanja, setoran pajak maupun pelimpahan yang tercatat dalam buku besar, "
                "sehingga pengeluaran tersebut tidak dibukukan.");
    finding.kriteria = Join(
        {"Peraturan Pemerintah Nomor 12 Tahun 2019 tentang Pengelolaan Keuangan Daerah: ",
         rkud ? "pengeluaran kas dari Rekening Kas Umum Daerah atas beban APBD dilakukan oleh "
                "BUD/Kuasa BUD berdasarkan SP2D; "
              : "",
         "Pasal 141 ayat (1): setiap pengeluaran harus didukung bukti yang lengkap dan sah; ",
         kPenatausahaanKriteria, "."});
    finding.sebab =
        rkud ? "Kuasa BUD tidak merekonsiliasi mutasi RKUD dengan register SP2D secara berkala, "
               "dan bank melaksanakan pendebetan tanpa SP2D yang tercatat."
             : "Bendahara Pengeluaran tidak membukukan setiap pengeluaran dari rekening bank ke "
               "dalam BKU, dan PPK-SKPD tidak merekonsiliasi BKU dengan rekening koran.";
    finding.akibat = "Pengeluaran kas sebesar " + Rupiah(line.amount_sen) +
                     " tidak dapat diyakini penggunaannya dan berpotensi merugikan keuangan "
                     "daerah.";
    finding.rekomendasi = BankRekomendasi(
        context, statement,
        "menelusuri dan mempertanggungjawabkan pengeluaran sebesar " + Rupiah(line.amount_sen) +
            " beserta bukti yang sah, menyetorkan kembali ke kas daerah bagian yang tidak dapat "
            "dipertanggungjawabkan, serta merekonsiliasi rekening koran dengan pembukuan setiap "
            "bulan.");
    findings.push_back(std::move(finding));
  }
}

// The statements covering a day, per target account class (the RKUD, or an OPD's
// treasurer accounts): sorted by start, with the running maximum of their ends.
struct Coverage {
  std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> periods;  // start, end, seq
  std::vector<std::pair<std::int64_t, std::int64_t>> reach;  // max end so far, its seq

  // The seq of a statement whose period contains `day`, or 0.
  std::int64_t Covering(std::int64_t day) const {
    const auto it = std::upper_bound(periods.begin(), periods.end(), day,
                                     [](std::int64_t d, const auto& p) { return d < std::get<0>(p); });
    if (it == periods.begin()) return 0;
    const auto& [end, seq] = reach[static_cast<std::size_t>(it - periods.begin()) - 1];
    return end >= day ? seq : 0;
  }
};

std::int64_t DayOf(const Days& day) { return day.time_since_epoch().count(); }

std::unordered_map<std::string, Coverage> Coverages(const ReconcileInput& bank) {
  std::unordered_map<std::string, Coverage> coverages;
  for (const BankStatementFacts& s : bank.statements) {
    const std::optional<Days> start = ParseDate(s.period_start);
    const std::optional<Days> end = ParseDate(s.period_end);
    if (!start || !end) continue;
    coverages[IsRkud(s) ? std::string() : "opd:" + s.opd].periods.emplace_back(DayOf(*start),
                                                                             DayOf(*end), s.seq);
  }
  for (auto& entry : coverages) {
    Coverage& coverage = entry.second;
    std::sort(coverage.periods.begin(), coverage.periods.end());
    for (const auto& period : coverage.periods) {
      const std::int64_t end = std::get<1>(period);
      if (coverage.reach.empty() || end > coverage.reach.back().first) {
        coverage.reach.emplace_back(end, std::get<2>(period));
      } else {
        coverage.reach.push_back(coverage.reach.back());
      }
    }
  }
  return coverages;
}

void RunEntryWithoutBankDebit(const BankContext& bc, std::vector<Finding>& findings) {
  const Context& context = bc.context;
  if (!context.as_of) return;
  const std::int64_t as_of = DayOf(*context.as_of);
  const std::int64_t due_days = std::max(0, context.rules.bank_debit_due_days);
  const std::unordered_map<std::string, Coverage> coverages = Coverages(bc.bank);
  for (const std::int64_t seq : bc.reconciliation.unmatched_payments) {
    const auto found = bc.payment_of_seq.find(seq);
    JEJAK_CHECK(found != bc.payment_of_seq.end());
    const BankPaymentFacts& payment = bc.bank.payments[found->second];
    const std::optional<Days> date = ParseDate(payment.date);
    if (!date || as_of - DayOf(*date) <= due_days) continue;
    const bool rkud = PaidFromRkud(payment);
    const auto coverage = coverages.find(rkud ? std::string() : "opd:" + payment.opd);
    if (coverage == coverages.end()) continue;
    const std::int64_t statement_seq = coverage->second.Covering(DayOf(*date));
    if (statement_seq == 0) continue;
    const BankStatementFacts& statement = bc.Statement(statement_seq);
    Finding finding = MakeFinding(kRuleEntryWithoutBankDebit, kSeverityHigh, payment.opd,
                                  {payment.seq, statement_seq}, payment.amount_sen);
    const bool tax = payment.kind == "tax_deposit";
    std::string refs;
    for (const std::string& ref : payment.refs) {
      if (!ref.empty()) refs += (refs.empty() ? "" : ", ") + ref;
    }
    finding.kondisi =
        OpdLabel(context, payment.opd) + " mencatat " +
        (tax ? "setoran pajak" : "pembayaran belanja" + std::string(rkud ? " LS" : "")) +
        " sebesar " + Rupiah(payment.amount_sen) + " tanggal " + FormatTanggal(*date) + " (seq " +
        std::to_string(payment.seq) + (refs.empty() ? ", tanpa referensi" : ", referensi " + refs) +
        ") melalui " + AccountLabel(context, statement) +
        ", namun rekening koran yang mencakup tanggal tersebut (seq " +
        std::to_string(statement_seq) + ") tidak memuat pendebetan yang sesuai sampai dengan " +
        FormatTanggal(*context.as_of) + ".";
    finding.kriteria = Join({kPasal141, kPenatausahaanKriteria, "."});
    finding.sebab = tax ? "Bendahara Pengeluaran mencatat setoran pajak tanpa memastikan "
                          "pendebetan rekening dan bukti penerimaan negara (NTPN) yang sah."
                        : "Bendahara Pengeluaran atau PPK-SKPD mencatat pembayaran yang belum "
                          "atau tidak dilaksanakan bank, dan tidak merekonsiliasi BKU dengan "
                          "rekening koran.";
    finding.akibat = (tax ? std::string("Setoran pajak sebesar ") : std::string("Realisasi belanja sebesar ")) +
                     Rupiah(payment.amount_sen) +
                     " tidak didukung mutasi bank, sehingga berindikasi tidak benar-benar "
                     "dibayarkan dan laporan realisasi anggaran berpotensi tidak wajar.";
    finding.rekomendasi = Rekomendasi(
        context, payment.opd,
        "membuktikan pembayaran sebesar " + Rupiah(payment.amount_sen) +
            " dengan bukti mutasi bank, mengoreksi pencatatan yang tidak terjadi, dan "
            "menginstruksikan Bendahara Pengeluaran merekonsiliasi BKU dengan rekening koran "
            "setiap bulan.");
    findings.push_back(std::move(finding));
  }
}

void RunAmountMismatch(const BankContext& bc, std::vector<Finding>& findings) {
  const Context& context = bc.context;
  for (const LineMatch& match : bc.reconciliation.matches) {
    if (match.method != kMatchBankRef || match.line_amount_sen == match.entry_amount_sen) continue;
    const BankStatementFacts& statement = bc.Statement(match.statement_seq);
    const BankLine& line = bc.Line(statement, match.line_index);
    const Wide difference = static_cast<Wide>(match.line_amount_sen) - match.entry_amount_sen;
    const Wide magnitude = difference < 0 ? -difference : difference;
    Finding finding = BankFinding(kRuleAmountMismatch, kSeverityHigh, statement,
                                  {match.entry_seq, statement.seq}, magnitude);
    finding.kondisi =
        "Rekening koran " + AccountLabel(context, statement) + " mencatat " +
        (line.debit ? "pengeluaran (debit) " : "penerimaan (kredit) ") + LineLabel(statement, line) +
        ", sedangkan buku besar mencatat transaksi dengan referensi yang sama (seq " +
        std::to_string(match.entry_seq) + ") sebesar " + Rupiah(match.entry_amount_sen) +
        ", sehingga terdapat selisih " + Rupiah(magnitude) + (difference > 0 ? " lebih besar" : " lebih kecil") +
        " menurut bank.";
    finding.kriteria = Join({kPasal141, kPenatausahaanKriteria, "."});
    finding.sebab = "Nilai yang dicatat dalam buku besar tidak diuji dengan nilai yang didebet "
                    "bank sebelum transaksi dibukukan.";
    finding.akibat = "Pencatatan berbeda " + Rupiah(magnitude) +
                     " dari mutasi bank; " +
                     (difference > 0 ? "kas keluar melebihi nilai yang dipertanggungjawabkan."
                                     : "realisasi dicatat melebihi kas yang keluar.");
    finding.rekomendasi = BankRekomendasi(
        context, statement,
        "menelusuri selisih sebesar " + Rupiah(magnitude) +
            ", mengoreksi pencatatan atau memproses pengembalian ke kas daerah, serta menguji "
            "nilai setiap transaksi dengan mutasi bank sebelum dibukukan.");
    findings.push_back(std::move(finding));
  }
}

void RunStatementGap(const BankContext& bc, std::vector<Finding>& findings) {
  const Context& context = bc.context;
  for (const ChainBreak& brk : bc.reconciliation.breaks) {
    const BankStatementFacts& previous = bc.Statement(brk.previous_seq);
    const BankStatementFacts& next = bc.Statement(brk.next_seq);
    const bool balance = brk.kind == "balance";
    const Wide difference = static_cast<Wide>(brk.actual_sen) - brk.expected_sen;
    Finding finding = BankFinding(kRuleStatementGap, balance ? kSeverityHigh : kSeverityMedium, next,
                                  {previous.seq, next.seq},
                                  balance ? (difference < 0 ? -difference : difference) : 0);
    const std::string account = AccountLabel(context, next);
    if (balance) {
      finding.kondisi = "Saldo awal rekening koran " + account + " periode " +
                        Tanggal(next.period_start) + " s.d. " + Tanggal(next.period_end) +
                        " (seq " + std::to_string(next.seq) + ") sebesar " + Rupiah(brk.actual_sen) +
                        " tidak sama dengan saldo akhir rekening koran sebelumnya periode " +
                        Tanggal(previous.period_start) + " s.d. " + Tanggal(previous.period_end) +
                        " (seq " + std::to_string(previous.seq) + ") sebesar " +
                        Rupiah(brk.expected_sen) + ", selisih " + Rupiah(difference) + ".";
    } else {
      finding.kondisi = "Tidak terdapat rekening koran " + account + " untuk periode " +
                        Tanggal(brk.missing_from) + " s.d. " + Tanggal(brk.missing_to) +
                        ", yaitu antara rekening koran seq " + std::to_string(previous.seq) +
                        " dan seq " + std::to_string(next.seq) +
                        ", sehingga mutasi pada periode tersebut tidak dapat direkonsiliasi.";
    }
    finding.kriteria = Join({kPenatausahaanKriteria,
                             "; Peraturan Pemerintah Nomor 60 Tahun 2008 tentang Sistem "
                             "Pengendalian Intern Pemerintah."});
    finding.sebab = balance ? "Rekening koran tidak disimpan dan direkonsiliasi secara "
                              "berurutan, atau terdapat mutasi yang tidak termuat dalam rekening "
                              "koran yang diserahkan."
                            : "Rekening koran periode tersebut tidak diminta dari bank atau "
                              "tidak diserahkan untuk dicatat.";
    finding.akibat = balance ? "Mutasi sebesar " + Rupiah(difference < 0 ? -difference : difference) +
                                   " tidak dapat ditelusuri dan saldo kas berpotensi tidak wajar."
                             : "Pengeluaran pada periode tersebut tidak dapat diuji dengan "
                               "mutasi bank.";
    finding.rekomendasi = BankRekomendasi(
        context, next,
        balance ? "menelusuri selisih saldo tersebut dan menyerahkan rekening koran yang "
                  "lengkap dan berurutan untuk direkonsiliasi."
                : "meminta rekening koran periode " + Tanggal(brk.missing_from) + " s.d. " +
                      Tanggal(brk.missing_to) + " dari bank dan merekonsiliasinya.");
    findings.push_back(std::move(finding));
  }
}

void RunCashWithdrawal(const BankContext& bc, std::vector<Finding>& findings) {
  const Context& context = bc.context;
  const std::int64_t cap_sen = context.rules.cash_cap_sen;
  for (const LineRef& ref : bc.reconciliation.cash_withdrawals) {
    const BankStatementFacts& statement = bc.Statement(ref.statement_seq);
    const BankLine& line = bc.Line(statement, ref.line_index);
    const bool above_cap = line.amount_sen > cap_sen;
    Finding finding = BankFinding(kRuleCashWithdrawal, above_cap ? kSeverityHigh : kSeverityMedium,
                                  statement, {statement.seq}, line.amount_sen);
    finding.kondisi = "Terdapat penarikan tunai melalui teller dari " +
                      AccountLabel(context, statement) + " " + LineLabel(statement, line) +
                      (above_cap ? ", melebihi batas pembayaran tunai " + Rupiah(cap_sen) : "") +
                      ".";
    finding.kriteria =
        Join({kNonCashKriteria, Rupiah(cap_sen), " per transaksi); ", kPenatausahaanKriteria, "."});
    finding.sebab = "Bendahara Pengeluaran menarik uang tunai dari rekening untuk membayar "
                    "belanja, alih-alih membayar secara non tunai kepada penerima.";
    finding.akibat = "Uang tunai sebesar " + Rupiah(line.amount_sen) +
                     " berada di luar rekening, sulit ditelusuri penggunaannya dan berisiko "
                     "disalahgunakan.";
    finding.rekomendasi = Rekomendasi(
        context, statement.opd,
        "mempertanggungjawabkan penggunaan uang tunai sebesar " + Rupiah(line.amount_sen) +
            " dan menginstruksikan Bendahara Pengeluaran membayar belanja secara non tunai (CMS, "
            "KKPD atau QRIS) sesuai Peraturan Bupati.");
    findings.push_back(std::move(finding));
  }
}

}  // namespace

void RunBankRules(const Context& context, std::vector<Finding>& findings) {
  const ReconcileInput& bank = context.input.bank;
  if (bank.statements.empty()) return;
  ReconcileParams params;
  params.window_days = context.rules.bank_match_window_days;
  BankContext bc{context, bank, Reconcile(bank, params), {}, {}};
  for (std::size_t s = 0; s < bank.statements.size(); ++s) {
    bc.statement_of_seq.emplace(bank.statements[s].seq, s);
  }
  for (std::size_t p = 0; p < bank.payments.size(); ++p) {
    bc.payment_of_seq.emplace(bank.payments[p].seq, p);
  }
  RunBankDebitWithoutEntry(bc, findings);
  RunEntryWithoutBankDebit(bc, findings);
  RunAmountMismatch(bc, findings);
  RunStatementGap(bc, findings);
  RunCashWithdrawal(bc, findings);
}

}  // namespace jejak::ledger::audit_internal
