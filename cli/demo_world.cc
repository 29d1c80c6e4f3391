// The demo regency's specification (cli/demo_world.h): dates and amounts, the chart of
// accounts, OPD budget profiles, line templates, payees and the descriptions payments
// carry. Everything draws from the caller's Rng, so the plan stays deterministic.
#include "cli/demo_world.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

namespace jejak::cli::demo {

Day MakeDay(std::int64_t year, unsigned month, unsigned day) {
  return Day{std::chrono::year{static_cast<int>(year)} / std::chrono::month{month} /
             std::chrono::day{day}};
}

std::chrono::year_month_day Ymd(Day day) { return std::chrono::year_month_day{day}; }

unsigned MonthOf(Day day) { return static_cast<unsigned>(Ymd(day).month()); }

unsigned DayOfMonth(Day day) { return static_cast<unsigned>(Ymd(day).day()); }

int YearOf(Day day) { return static_cast<int>(Ymd(day).year()); }

unsigned DaysInMonth(std::int64_t year, unsigned month) {
  const std::chrono::year_month_day_last last{std::chrono::year{static_cast<int>(year)} /
                                              std::chrono::month{month} / std::chrono::last};
  return static_cast<unsigned>(last.day());
}

Day AddDays(Day day, std::int64_t days) { return day + std::chrono::days{days}; }

std::int64_t DaysBetween(Day from, Day to) { return (to - from).count(); }

bool IsWeekend(Day day) {
  const std::chrono::weekday weekday{day};
  return weekday == std::chrono::Saturday || weekday == std::chrono::Sunday;
}

Day NextWorkday(Day day) {
  while (IsWeekend(day)) day = AddDays(day, 1);
  return day;
}

Day PreviousWorkday(Day day) {
  while (IsWeekend(day)) day = AddDays(day, -1);
  return day;
}

std::string Iso(Day day) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", YearOf(day), MonthOf(day), DayOfMonth(day));
  return text;
}

std::string Compact(Day day) {  // "20250203"
  char text[16];
  std::snprintf(text, sizeof text, "%04d%02u%02u", YearOf(day), MonthOf(day), DayOfMonth(day));
  return text;
}

std::string Padded(std::int64_t value, int width) {
  char text[32];
  std::snprintf(text, sizeof text, "%0*lld", width, static_cast<long long>(value));
  return text;
}

std::string Upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

std::int64_t MulDiv(std::int64_t value, std::int64_t num, std::int64_t den) {
  return static_cast<std::int64_t>((static_cast<Wide>(value) * num + den / 2) / den);
}

std::int64_t RoundDown(std::int64_t sen, std::int64_t unit) {
  return std::max(unit, sen / unit * unit);
}

const AccountSpec& Account(Cat cat) {
  for (const AccountSpec& spec : kAccounts) {
    if (spec.cat == cat) return spec;
  }
  JEJAK_CHECK(false);
  return kAccounts[0];
}

std::array<std::int64_t, 12> ShapeWeights(Shape shape) {
  switch (shape) {
    case Shape::kGeneral: return {3, 5, 7, 7, 8, 9, 8, 8, 9, 9, 10, 17};
    case Shape::kCapital: return {0, 1, 2, 3, 5, 7, 8, 9, 11, 12, 14, 28};
    case Shape::kFlat: return {8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 8, 8};
    case Shape::kGaji: return {1, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1};  // THR in March, 13th in June.
    case Shape::kTpp: return {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2};   // Paid the month after.
  }
  return {};
}

std::size_t OpdIndex(std::string_view short_name) {
  for (std::size_t i = 0; i < kOpdCount; ++i) {
    if (short_name == kOpds[i].short_name) return i;
  }
  JEJAK_CHECK(false);
  return 0;
}

std::array<std::int64_t, 3> GroupShares(Profile profile) {
  switch (profile) {
    case Profile::kGeneral: return {52, 36, 12};
    case Profile::kEducation: return {74, 12, 14};
    case Profile::kHealth: return {38, 44, 18};
    case Profile::kHospital: return {30, 52, 18};
    case Profile::kPuskesmas: return {0, 82, 18};  // Their staff are paid by the Dinas Kesehatan.
    case Profile::kWorks: return {9, 14, 77};
    case Profile::kHousing: return {14, 24, 62};
    case Profile::kCouncil: return {18, 78, 4};
  }
  return {};
}

std::vector<LineTemplate> GoodsAndServicesLines(Profile profile) {
  std::vector<LineTemplate> lines = {
      {-1, kSubLogistik, Cat::kAtk, 40},       {-1, kSubLogistik, Cat::kCetak, 30},
      {-1, kSubRapat, Cat::kMamin, 50},        {-1, kSubRapat, Cat::kPerjadin, 80},
      {-1, kSubListrik, Cat::kListrik, 40},    {-1, kSubPelayanan, Cat::kJasa, 120},
      {-1, kSubKendaraan, Cat::kPelihara, 60},
  };
  const bool health = profile == Profile::kHealth || profile == Profile::kHospital ||
                      profile == Profile::kPuskesmas;
  if (health) {
    lines.insert(lines.end(), {{0, nullptr, Cat::kObat, 300}, {0, nullptr, Cat::kHonor, 40},
                               {1, nullptr, Cat::kJasa, 100}, {1, nullptr, Cat::kPerjadin, 60},
                               {2, nullptr, Cat::kMamin, 50}, {2, nullptr, Cat::kCetak, 30}});
  } else {
    lines.insert(lines.end(), {{0, nullptr, Cat::kHonor, 80}, {0, nullptr, Cat::kMamin, 100},
                               {0, nullptr, Cat::kPerjadin, 120}, {1, nullptr, Cat::kJasa, 140},
                               {1, nullptr, Cat::kCetak, 50}, {2, nullptr, Cat::kAtk, 30},
                               {2, nullptr, Cat::kJasa, 60}});
  }
  return lines;
}

std::vector<LineTemplate> CapitalLines(Profile profile) {
  switch (profile) {
    case Profile::kWorks:
      return {{-1, kSubPeralatan, Cat::kKomputer, 20}, {0, nullptr, Cat::kJalan, 600},
              {1, nullptr, Cat::kIrigasi, 380}};
    case Profile::kHealth:
    case Profile::kHospital:
    case Profile::kPuskesmas:
      return {{-1, kSubPeralatan, Cat::kKomputer, 100}, {0, nullptr, Cat::kAlkes, 600},
              {-1, kSubGedung, Cat::kGedung, 300}};
    case Profile::kEducation:
      return {{-1, kSubPeralatan, Cat::kKomputer, 150}, {0, nullptr, Cat::kGedung, 850}};
    case Profile::kHousing:
      return {{-1, kSubPeralatan, Cat::kKomputer, 30}, {0, nullptr, Cat::kGedung, 570},
              {1, nullptr, Cat::kJalan, 400}};
    case Profile::kGeneral:
    case Profile::kCouncil:
      return {{-1, kSubPeralatan, Cat::kKomputer, 350}, {-1, kSubGedung, Cat::kGedung, 650}};
  }
  return {};
}

std::string ProgramSub(const char* opd_code, int program) {
  const std::string affair(opd_code, 4);  // "1.02"
  static const char* const kSuffix[] = {".02.2.01.0003", ".02.2.02.0001", ".03.2.01.0002"};
  return affair + kSuffix[program];
}

void GiveBank(Rng& rng, Vendor& vendor, std::size_t bank) {
  const BankSpec& spec = kBanks[bank];
  vendor.bank = spec.name;
  vendor.account_no = spec.prefix + rng.Digits(spec.length - std::string_view(spec.prefix).size());
  vendor.account_name = Upper(vendor.name);
}

std::string CompanyNpwp(Rng& rng) {
  // Old 15-digit NPWP or the 16-digit form (a leading 0) used since 2024.
  return rng.PerMille(500) ? "0" + rng.Digits(14) : "0" + rng.Digits(15);
}

std::string PersonalNpwp(Rng& rng) { return "1702" + rng.Digits(12); }  // NIK of Rejang Lebong.

std::string PersonName(Rng& rng) {
  return std::string(rng.Pick(kFirstNames)) + " " + rng.Pick(kLastNames);
}

Vendor MakeEnterprise(Rng& rng, Pool pool, std::size_t i) {
  std::string core = kCores[(i * 7 + static_cast<std::size_t>(pool) * 11) % kCoreCount];
  if (i >= kCoreCount) core += " " + std::to_string(i / kCoreCount + 1);
  const bool company = rng.PerMille(600);
  Vendor vendor;
  switch (pool) {
    case Pool::kGoods: vendor.name = company ? "CV " + core : (rng.PerMille(500) ? "Toko " : "UD ") + core; break;
    case Pool::kPrint: vendor.name = company ? "CV " + core + " Grafika" : (rng.PerMille(500) ? "Percetakan " : "Fotokopi ") + core; break;
    case Pool::kCatering: vendor.name = company ? "CV " + core + " Boga" : (rng.PerMille(500) ? "Rumah Makan " : "Catering ") + core; break;
    case Pool::kServices: vendor.name = company ? "PT " + core + " Solusi Prima" : "CV " + core + " Mitra Jasa"; break;
    case Pool::kWorkshop: vendor.name = company ? "CV " + core + " Otomotif" : "Bengkel " + core + " Motor"; break;
    case Pool::kPharma: vendor.name = company ? "PT " + core + " Farma" : "Apotek " + core; break;
    case Pool::kComputer: vendor.name = company ? "CV " + core + " Komputindo" : "Toko Komputer " + core; break;
    case Pool::kMedical: vendor.name = "PT " + core + " Alkesindo"; break;
    case Pool::kContractor: vendor.name = company ? "PT " + core + " Karya Utama" : "CV " + core + " Konstruksi"; break;
    case Pool::kUtility: vendor.name = "PT PLN (Persero) UP3 Curup"; break;
    case Pool::kSpeaker:
    case Pool::kAsn:
    case Pool::kPayroll: JEJAK_CHECK(false);
  }
  vendor.pkp = vendor.name.rfind("PT ", 0) == 0 || vendor.name.rfind("CV ", 0) == 0;
  if (vendor.pkp || rng.PerMille(600)) vendor.npwp = CompanyNpwp(rng);
  GiveBank(rng, vendor, rng.Index(std::size(kBanks)));
  return vendor;
}

Vendor MakePerson(Rng& rng, bool speaker) {
  Vendor vendor;
  static const char* const kTitles[] = {"Dr. ", "Ir. ", "Drs. ", "", "", ""};
  vendor.name = (speaker ? std::string(rng.Pick(kTitles)) : std::string()) + PersonName(rng);
  if (!speaker || rng.PerMille(800)) vendor.npwp = PersonalNpwp(rng);
  GiveBank(rng, vendor, speaker ? rng.Index(std::size(kBanks)) : 0);  // ASN: Bank Bengkulu.
  return vendor;
}

std::string OfficerSub(std::size_t opd) {
  return "bendahara." + Lower(kOpds[opd].short_name);
}

std::array<std::int64_t, 12> MonthlyPlan(std::int64_t pagu, Shape shape) {
  const std::array<std::int64_t, 12> weights = ShapeWeights(shape);
  const std::int64_t total = std::accumulate(weights.begin(), weights.end(), std::int64_t{0});
  std::array<std::int64_t, 12> plan{};
  std::int64_t planned = 0;
  for (std::size_t m = 0; m + 1 < 12; ++m) {
    plan[m] = MulDiv(pagu, weights[m], total) / (1000 * kSen) * (1000 * kSen);
    planned += plan[m];
  }
  plan[11] = pagu - planned;
  JEJAK_CHECK(plan[11] >= 0);
  return plan;
}

Day PickDay(Rng& rng, std::int64_t year, unsigned month) {
  const unsigned first = month == 1 ? 6 : 1;
  const unsigned last = month == 12 ? 30 : DaysInMonth(year, month);
  const Day day = MakeDay(year, month, static_cast<unsigned>(rng.Range(first, last)));
  const Day next = NextWorkday(day);
  return MonthOf(next) == month && DayOfMonth(next) <= last ? next : PreviousWorkday(day);
}

unsigned PickMonth(Rng& rng, Shape shape) {
  const std::array<std::int64_t, 12> weights = ShapeWeights(shape);
  const std::int64_t total = std::accumulate(weights.begin(), weights.end(), std::int64_t{0});
  std::int64_t roll = rng.Range(0, total - 1);
  for (unsigned m = 0; m < 12; ++m) {
    if (roll < weights[m]) return m + 1;
    roll -= weights[m];
  }
  return 12;
}

std::string Describe(Rng& rng, Cat cat, unsigned month, std::int64_t year) {
  const std::string bulan = std::string(kBulan[month - 1]) + " " + std::to_string(year);
  static const char* const kKecamatan[] = {
      "Curup", "Curup Tengah", "Curup Timur", "Curup Utara", "Curup Selatan", "Bermani Ulu",
      "Bermani Ulu Raya", "Selupu Rejang", "Sindang Kelingi", "Sindang Dataran",
      "Sindang Beliti Ilir", "Binduriang", "Kota Padang", "Padang Ulak Tanding"};
  static const char* const kRuas[] = {
      "Simpang Nangka - Air Bang", "Sindang Jaya - Tanjung Sanai", "Kota Padang - Lubuk Mumpo",
      "Selupu Rejang - Air Duku", "Talang Rimbo - Batu Galing", "Kepala Curup - Tebat Tenong"};
  static const char* const kIrigasi[] = {"D.I. Air Musi", "D.I. Air Lang", "D.I. Air Kati",
                                         "D.I. Air Nokan"};
  const std::string kecamatan = rng.Pick(kKecamatan);
  switch (cat) {
    case Cat::kAtk: {
      static const char* const k[] = {"Belanja alat tulis kantor bulan ",
                                      "Belanja kertas HVS dan tinta printer bulan ",
                                      "Belanja map, ordner dan perlengkapan arsip SPJ bulan "};
      return rng.Pick(k) + bulan;
    }
    case Cat::kCetak: {
      static const char* const k[] = {"Belanja bahan cetak formulir dan blanko pelayanan, ",
                                      "Cetak spanduk dan baliho kegiatan, ",
                                      "Penggandaan dan penjilidan dokumen laporan, "};
      return rng.Pick(k) + bulan;
    }
    case Cat::kMamin: {
      static const char* const k[] = {"Makan minum rapat koordinasi, ",
                                      "Konsumsi rapat evaluasi kegiatan, ",
                                      "Makan minum tamu dan rapat internal, "};
      return rng.Pick(k) + bulan;
    }
    case Cat::kPerjadin: {
      switch (rng.Index(3)) {
        case 0: return "Perjalanan dinas dalam daerah ke Kecamatan " + kecamatan + ", " + bulan;
        case 1: return "Perjalanan dinas luar daerah ke Kota Bengkulu (koordinasi provinsi), " + bulan;
        default: return "Perjalanan dinas ke Jakarta (konsultasi kementerian), " + bulan;
      }
    }
    case Cat::kListrik: return "Pembayaran tagihan listrik kantor bulan " + bulan;
    case Cat::kJasa: {
      static const char* const k[] = {"Jasa tenaga pendukung administrasi bulan ",
                                      "Jasa tenaga kebersihan kantor bulan ",
                                      "Jasa keamanan kantor bulan "};
      return rng.Pick(k) + bulan;
    }
    case Cat::kPelihara: {
      static const char* const k[] = {"Servis berkala dan penggantian oli kendaraan dinas, ",
                                      "Penggantian suku cadang kendaraan dinas roda empat, ",
                                      "Pemeliharaan kendaraan dinas roda dua, "};
      return rng.Pick(k) + bulan;
    }
    case Cat::kHonor: {
      static const char* const k[] = {"Honorarium narasumber sosialisasi di Kecamatan ",
                                      "Honorarium narasumber bimbingan teknis, Kecamatan ",
                                      "Honorarium tim pelaksana kegiatan, Kecamatan "};
      return rng.Pick(k) + kecamatan;
    }
    case Cat::kObat: {
      static const char* const k[] = {"Pengadaan obat dan bahan medis habis pakai, ",
                                      "Pengadaan reagen laboratorium, ",
                                      "Pengadaan vaksin pendukung dan BMHP, "};
      return rng.Pick(k) + bulan;
    }
    case Cat::kKomputer: {
      static const char* const k[] = {"Pengadaan laptop dan printer untuk operasional kantor",
                                      "Pengadaan komputer PC untuk ruang pelayanan",
                                      "Pengadaan perangkat jaringan dan UPS"};
      return rng.Pick(k);
    }
    case Cat::kAlkes: {
      static const char* const k[] = {"Pengadaan alat kesehatan (USG dan EKG)",
                                      "Pengadaan peralatan laboratorium klinik",
                                      "Pengadaan tempat tidur pasien dan alat sterilisasi"};
      return rng.Pick(k);
    }
    case Cat::kGedung: {
      static const char* const k[] = {"Rehabilitasi gedung kantor, pembayaran termin",
                                      "Pembangunan ruang pelayanan publik, pembayaran termin",
                                      "Rehabilitasi ruang kelas dan sanitasi sekolah di Kecamatan "};
      const std::size_t pick = rng.Index(3);
      return pick == 2 ? k[2] + kecamatan : std::string(k[pick]);
    }
    case Cat::kJalan: return std::string(rng.PerMille(500) ? "Peningkatan" : "Pemeliharaan berkala") +
                             " jalan kabupaten ruas " + rng.Pick(kRuas);
    case Cat::kIrigasi: return std::string("Rehabilitasi jaringan irigasi ") + rng.Pick(kIrigasi);
    case Cat::kGaji:
    case Cat::kTpp: break;
  }
  return "Belanja operasional kantor " + bulan;
}

}  // namespace jejak::cli::demo
