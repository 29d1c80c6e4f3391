// The demo generator's planted anomalies (cli/demo_builder.h), one per audit rule of
// ledger/audit.h: OVER_PAGU, SPLIT_PACKAGE (twice: one vendor, and six vendors on one
// site), DUPLICATE_PAYMENT (twice), CASH_PAYMENT, TAX_NOT_COLLECTED, OUTSIDE_FISCAL_YEAR
// (a prior year's bill), PAYMENT_BEFORE_EVIDENCE, LATE_RECORDING, REVERSAL_HEAVY and, in
// cli/demo_year.cc's tax deposits, TAX_NOT_DEPOSITED; and the lines that name them.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "cli/demo_builder.h"
#include "ledger/audit.h"
#include "ledger/money.h"

namespace jejak::cli::demo {

Expenditure& Generator::AddPlanted(Planted kind, std::size_t line, Day value, std::int64_t gross,
                        std::size_t vendor, std::string instrument, std::string description) {
  Expenditure e;
  e.line = line;
  e.value = value;
  e.gross = gross;
  e.vendor = vendor;
  e.instrument = std::move(instrument);
  e.planted = kind;
  e.description = std::move(description);
  lines_[line].reserved += gross;
  expenditures_.push_back(std::move(e));
  return expenditures_.back();
}

void Generator::DraftPlanted() {
  // OVER_PAGU: six catering payments for night operations exceed the Rp45 juta line.
  {
    const std::size_t vendor = PlantedVendor("CV Dapur Rejang Boga", true);
    static const std::int64_t kRupiah[] = {8'750'000, 9'400'000, 9'150'000,
                                           8'900'000, 9'650'000, 9'300'000};
    for (std::size_t i = 0; i < std::size(kRupiah); ++i) {
      const Day value = NextWorkday(MakeDay(year_, static_cast<unsigned>(2 + i * 2), 12));
      AddPlanted(Planted::kOver, over_line_, value, kRupiah[i] * kSen, vendor, "cms_transfer",
                 "Makan minum petugas operasi penegakan Perda malam hari, " +
                     std::string(kBulan[MonthOf(value) - 1]) + " " + std::to_string(year_));
    }
  }
  // SPLIT_PACKAGE: the health office buys medicines from one distributor in four direct
  // procurements within 24 days, each under Rp200 juta, together Rp262 juta.
  {
    const std::size_t line = FindLine(OpdIndex("DINKES"), Cat::kObat, true);
    split_lines_.push_back(line);
    const std::size_t vendor = PlantedVendor("PT Medika Farma Rejang", true);
    static const std::int64_t kRupiah[] = {58'500'000, 71'250'000, 64'800'000, 67'400'000};
    static const unsigned kDays[] = {6, 13, 21, 29};
    for (std::size_t i = 0; i < 4; ++i) {
      AddPlanted(Planted::kSplit, line, NextWorkday(MakeDay(year_, 10, kDays[i])),
                 kRupiah[i] * kSen, vendor, "sp2d_ls",
                 "Pengadaan obat program penanggulangan TB dan ISPA tahap " + std::to_string(i + 1));
    }
  }
  // DUPLICATE_PAYMENT: the same event-organiser invoice paid twice, four days apart
  // (a weekend or holiday may stretch that to a week, still inside the 7-day window).
  {
    const std::size_t line = FindLine(OpdIndex("SETDA"), Cat::kJasa, false);
    const std::size_t vendor = PlantedVendor("CV Cahaya Event Organizer", true);
    const Day first = NextWorkday(MakeDay(year_, 4, 14));
    for (int i = 0; i < 2; ++i) {
      AddPlanted(Planted::kDuplicate, line, NextWorkday(AddDays(first, 4 * i)), 47'850'000 * kSen,
                 vendor, "cms_transfer",
                 "Jasa penyelenggaraan acara peringatan Hari Jadi Kabupaten");
    }
  }
  // DUPLICATE_PAYMENT by evidence: a second payment citing an earlier receipt's number.
  {
    const std::size_t line = FindLine(OpdIndex("DISHUB"), Cat::kPelihara, false);
    const std::size_t vendor = PlantedVendor("CV Rambu Jaya Otomotif", true);
    AddPlanted(Planted::kEvidence, line, NextWorkday(MakeDay(year_, 5, 20)), 4'750'000 * kSen,
               vendor, "cms_transfer", "Penggantian ban dan aki kendaraan patroli Dinas Perhubungan");
  }
  // CASH_PAYMENT above the Rp2 juta cap: emergency kitchen supplies after a flood.
  {
    const std::size_t line = FindLine(OpdIndex("BPBD"), Cat::kMamin, false);
    Vendor vendor;
    vendor.name = "Warung Sembako Bu Yanti";
    vendors_.push_back(std::move(vendor));
    Expenditure& e = AddPlanted(Planted::kCash, line, NextWorkday(MakeDay(year_, 11, 18)),
                                7'850'000 * kSen, vendors_.size() - 1, "cash",
                                "Bahan makanan dapur umum tanggap darurat banjir Kecamatan Sindang Kelingi");
    e.cash_reason = "Lokasi pengungsian tanpa jaringan; penyedia tidak memiliki rekening bank";
  }
  // OUTSIDE_FISCAL_YEAR: a December bill of last year paid from this year's budget.
  {
    const std::size_t line = FindLine(OpdIndex("DISTAN"), Cat::kPelihara, false);
    const std::size_t vendor = PlantedVendor("CV Tani Makmur Otomotif", true);
    Expenditure& e = AddPlanted(Planted::kOutside, line, NextWorkday(MakeDay(year_, 1, 14)),
                                6'400'000 * kSen, vendor, "cms_transfer",
                                "Servis kendaraan operasional penyuluh pertanian (tagihan Desember " +
                                    std::to_string(year_ - 1) + ")");
    e.evidence_date = MakeDay(year_ - 1, 12, 27);
  }
}

void Generator::DraftPlantedMore() {
  // Its own random stream: the main one, and with it the rest of the demo, is untouched.
  Rng rng(0x504C414E54ULL ^ static_cast<std::uint64_t>(year_));
  // SPLIT_PACKAGE, the classic case: six direct procurements of about Rp195 juta each for
  // one road section, to six contractors, on one sub-kegiatan and account.
  {
    const std::size_t line = FindLine(OpdIndex("PUPR"), Cat::kJalan, true);
    split_lines_.push_back(line);
    static const char* const kVendors[] = {"CV Karya Lebong Mandiri", "CV Bukit Kaba Konstruksi",
                                           "CV Musi Jaya Teknik", "CV Curup Cipta Karya",
                                           "CV Sindang Beton Utama", "CV Rejang Aspal Persada"};
    static const std::int64_t kRupiah[] = {194'850'000, 195'400'000, 193'750'000,
                                           196'200'000, 194'600'000, 195'900'000};
    for (std::size_t i = 0; i < std::size(kVendors); ++i) {
      const std::size_t vendor = PlantedVendor(kVendors[i], true, rng);
      Expenditure& e = AddPlanted(
          Planted::kSplitSix, line, NextWorkday(MakeDay(year_, 11, static_cast<unsigned>(3 + i * 3))),
          kRupiah[i] * kSen, vendor, "sp2d_ls",
          "Rehabilitasi jalan poros Desa Air Meles segmen " + std::to_string(i + 1) + " dari 6");
      e.procurement_type = ledger::kProcurementTypeWorks;
    }
  }
  // TAX_NOT_COLLECTED: a workshop registered for VAT paid Rp18,75 juta without PPN.
  {
    const std::size_t line = FindLine(OpdIndex("DISHUB"), Cat::kPelihara, false);
    const std::size_t vendor = PlantedVendor("CV Bengkel Mandiri Curup", true, rng);
    AddPlanted(Planted::kUncollected, line, NextWorkday(MakeDay(year_, 11, 12)),
               18'750'000 * kSen, vendor, "cms_transfer",
               "Perbaikan mesin dan kaki-kaki bus sekolah Dinas Perhubungan");
  }
  // PAYMENT_BEFORE_EVIDENCE: seed paid for five days before the supplier's receipt.
  {
    const std::size_t line = FindLine(OpdIndex("DISTAN"), Cat::kPelihara, false);
    const std::size_t vendor = PlantedVendor("UD Sumber Tani Curup", false, rng);
    const Day value = NextWorkday(MakeDay(year_, 11, 18));
    Expenditure& e = AddPlanted(Planted::kEarlyPay, line, value, 3'450'000 * kSen, vendor,
                                "cms_transfer", "Suku cadang traktor tangan kelompok tani");
    e.evidence_date = AddDays(value, 5);
  }
}

void Generator::DraftHeavyReversals() {
  heavy_opd_ = OpdIndex("DISKAN");
  std::int64_t recorded = 0;
  for (const Expenditure& e : expenditures_) {
    if (lines_[e.line].opd == heavy_opd_) recorded += e.gross;
  }
  const std::size_t line = FindLine(heavy_opd_, Cat::kJasa, true);
  const std::int64_t each = RoundDown(MulDiv(recorded, 8, 400), 1000 * kSen);
  static const unsigned kMonths[] = {3, 5, 8, 11};
  for (unsigned month : kMonths) {
    Expenditure e;
    e.line = line;
    e.value = NextWorkday(MakeDay(year_, month, 11));
    e.gross = each;
    e.planted = Planted::kHeavy;
    e.description = "Jasa tenaga pendukung pengawasan sumber daya perikanan bulan " +
                    std::string(kBulan[month - 1]) + " " + std::to_string(year_);
    expenditures_.push_back(std::move(e));
  }
}

void Generator::PlantLateRecording() {
  // Past the LPJ deadline (the 10th of the next month, at most 40 days after a value
  // date) and within the year (value dates up to October).
  static const std::int64_t kDelays[] = {45, 52, 60};
  for (std::size_t pass = 0; pass < 2 && late_.size() < std::size(kDelays); ++pass) {
    for (std::size_t i = 0; i < expenditures_.size() && late_.size() < std::size(kDelays); ++i) {
      const Expenditure& e = expenditures_[i];
      const bool here = pass == 1 || lines_[e.line].opd == OpdIndex("DISPAR");
      if (!here || !Ordinary(e) || !e.taxes.empty() || MonthOf(e.value) > 10) continue;
      if (std::find(late_.begin(), late_.end(), i) != late_.end()) continue;
      late_.push_back(i);
    }
  }
  JEJAK_CHECK(!late_.empty());
  for (std::size_t k = 0; k < late_.size(); ++k) {
    Expenditure& e = expenditures_[late_[k]];
    e.recorded = AddDays(e.value, kDelays[k]);
  }
}

std::string Generator::Seqs(const std::vector<std::int64_t>& seqs) const {
  std::string out;
  for (std::int64_t seq : seqs) out += (out.empty() ? "" : ", ") + std::to_string(seq);
  return out;
}

std::vector<std::int64_t> Generator::SeqsOf(Planted kind) const {
  std::vector<std::int64_t> seqs;
  for (const Expenditure& e : expenditures_) {
    if (e.planted == kind) seqs.push_back(e.seq);
  }
  std::sort(seqs.begin(), seqs.end());
  return seqs;
}

std::string Generator::OpdLabel(std::size_t opd) const {
  return std::string(kOpds[opd].name) + " (" + kOpds[opd].code + ")";
}

std::vector<std::string> Generator::PlantedLines() const {
  std::vector<std::string> out;
  const Line& over = lines_[over_line_];
  out.push_back("OVER_PAGU: " + OpdLabel(over.opd) + " line " + over.sub + " / " + over.account->code +
                " pagu " + ledger::FormatRupiah(over.pagu) + ", realised " +
                ledger::FormatRupiah(over.used) + ", seqs " + Seqs(SeqsOf(Planted::kOver)));
  out.push_back("SPLIT_PACKAGE: " + OpdLabel(OpdIndex("DINKES")) +
                " four direct procurements (PL) of medicines from PT Medika Farma Rejang within "
                "24 days, each under Rp 200.000.000, together above it, seqs " +
                Seqs(SeqsOf(Planted::kSplit)));
  out.push_back("SPLIT_PACKAGE: " + OpdLabel(OpdIndex("PUPR")) +
                " six direct procurements (PL) of about Rp 195.000.000 each for one road, to six "
                "contractors, on one sub-kegiatan and account, seqs " +
                Seqs(SeqsOf(Planted::kSplitSix)));
  out.push_back("DUPLICATE_PAYMENT: " + OpdLabel(OpdIndex("SETDA")) +
                " the same invoice of CV Cahaya Event Organizer (Rp 47.850.000,00, same account "
                "and payee account) paid twice a few days apart, seqs " +
                Seqs(SeqsOf(Planted::kDuplicate)));
  const Expenditure& original = expenditures_[evidence_reused_from_];
  out.push_back("DUPLICATE_PAYMENT: " + OpdLabel(OpdIndex("DISHUB")) + " evidence_no " +
                original.evidence_no + " used again, seqs " + std::to_string(original.seq) +
                " (original), " + Seqs(SeqsOf(Planted::kEvidence)));
  out.push_back("CASH_PAYMENT: " + OpdLabel(OpdIndex("BPBD")) +
                " cash payment of Rp 7.850.000,00 above the Rp 2.000.000,00 cap (high), seq " +
                Seqs(SeqsOf(Planted::kCash)));
  for (const auto& [group, what] : {std::pair{never_, "never deposited"}, std::pair{short_, "deposited short"}}) {
    if (!group) continue;
    const auto& [opd, type, month] = *group;
    std::vector<std::int64_t> seqs;
    for (const Expenditure& e : expenditures_) {
      if (e.reversed || lines_[e.line].opd != opd || MonthOf(e.value) != month) continue;
      for (const auto& tax : e.taxes) {
        if (tax.first == type) seqs.push_back(e.seq);
      }
    }
    std::sort(seqs.begin(), seqs.end());
    std::string line = "TAX_NOT_DEPOSITED: " + OpdLabel(opd) + " " + type + " withheld in " +
                       kBulan[month - 1] + " " + std::to_string(year_) + " " + what;
    if (group == short_ && short_deposit_) {
      line += " by " + ledger::FormatRupiah(short_by_) + " (deposit seq " +
              std::to_string(deposits_[*short_deposit_].seq) + ")";
    }
    out.push_back(line + ", seqs " + Seqs(seqs));
  }
  out.push_back("TAX_NOT_COLLECTED: " + OpdLabel(OpdIndex("DISHUB")) +
                " Rp 18.750.000,00 paid to a PKP workshop without PPN, seq " +
                Seqs(SeqsOf(Planted::kUncollected)));
  {
    const std::vector<std::int64_t> seqs = SeqsOf(Planted::kOutside);
    out.push_back("OUTSIDE_FISCAL_YEAR: " + OpdLabel(OpdIndex("DISTAN")) + " evidence dated " +
                  std::to_string(year_ - 1) + "-12-27 (a prior year's utang belanja) charged to " +
                  std::to_string(year_) + ", seq " + Seqs(seqs));
  }
  out.push_back("PAYMENT_BEFORE_EVIDENCE: " + OpdLabel(OpdIndex("DISTAN")) +
                " paid five days before its receipt's date, seq " +
                Seqs(SeqsOf(Planted::kEarlyPay)));
  {
    std::vector<std::int64_t> seqs;
    std::string delays;
    for (std::size_t i : late_) {
      const Expenditure& e = expenditures_[i];
      seqs.push_back(e.seq);
      delays += (delays.empty() ? "" : ", ") + std::to_string(DaysBetween(e.value, e.recorded));
    }
    out.push_back("LATE_RECORDING: " + OpdLabel(lines_[expenditures_[late_[0]].line].opd) +
                  " expenditures recorded " + delays + " days after their value dates, seqs " +
                  Seqs(seqs));
  }
  {
    std::vector<std::int64_t> seqs;
    std::vector<std::int64_t> reversals;
    for (const Expenditure& e : expenditures_) {
      if (e.planted == Planted::kHeavy) {
        seqs.push_back(e.seq);
        reversals.push_back(e.reversal_seq);
      }
    }
    out.push_back("REVERSAL_HEAVY: " + OpdLabel(heavy_opd_) +
                  " four payments recorded twice and reversed (about 8% of its recorded gross), "
                  "expenditure seqs " + Seqs(seqs) + ", reversal seqs " + Seqs(reversals));
  }
  return out;
}

}  // namespace jejak::cli::demo
