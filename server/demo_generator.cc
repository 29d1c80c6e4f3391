// The demo regency generator (server/demo_generator.h). It works in four passes:
// (1) the registry and budget lines, (2) expenditure drafts (payroll, regular payments
// spread over the year by the cash plan's shape, planted anomalies), completed in value
// date order so that vendors, document numbers and the split/duplicate guards see the
// year as it unfolds, (3) reversals and monthly tax deposits, (4) every entry placed on
// its simulated recording day, sorted, numbered from first_seq and cut into batches.
// Randomness is a private splitmix64 stream and all money is int64 sen, so the plan is
// the same on every platform.
#include "server/demo_generator.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ledger/audit.h"
#include "base/check.h"
#include "ledger/money.h"

namespace jejak::server {
namespace {

using nlohmann::json;
using Day = std::chrono::sys_days;

constexpr std::int64_t kSen = 100;  // Sen per rupiah.
constexpr std::int64_t kJuta = 1'000'000 * kSen;
// The APBD of the demo regency: about Rp1.1 trillion, as a regency of ~250,000 people has.
constexpr std::int64_t kTotalPaguSen = 1'100'000 * kJuta;
// Regular payments at which payment sizes are realistic and realisation reaches the
// OPDs' targets; with fewer, sizes stay realistic and realisation falls proportionally.
constexpr std::int64_t kReferenceRegularPayments = 48'000;
// Audit thresholds the generator stays clear of (ledger/audit.h defaults), with margins.
constexpr std::int64_t kDirectProcurementCapSen = 200 * kJuta;
constexpr std::int64_t kSplitGuardSen = kDirectProcurementCapSen - 5 * kJuta;
constexpr int kGuardWindowDays = 31;
constexpr std::int64_t kCashCapSen = 2 * kJuta;
// Normal reversals: about 5 per 1000 payments (8 drawn, some filtered), at most 2% of an OPD's recorded gross
// (REVERSAL_HEAVY fires above 5%).
constexpr int kReversalPerMille = 8;
constexpr std::int64_t kReversalShareCapPercent = 2;
// A tax deposit covers at most this many expenditures (ledger::kCoversMax is 1000).
constexpr std::size_t kCoversPerDeposit = 500;

const char* const kBulan[] = {"Januari", "Februari", "Maret",     "April",   "Mei",      "Juni",
                              "Juli",    "Agustus",  "September", "Oktober", "November", "Desember"};
const char* const kRoman[] = {"I",   "II", "III", "IV", "V",  "VI",
                              "VII", "VIII", "IX", "X", "XI", "XII"};

// ---------------------------------------------------------------------------------------
// Randomness and dates.

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  std::int64_t Range(std::int64_t lo, std::int64_t hi) {
    JEJAK_CHECK(lo <= hi);
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<std::int64_t>(Next() % span);
  }
  std::size_t Index(std::size_t n) {
    JEJAK_CHECK(n > 0);
    return static_cast<std::size_t>(Next() % n);
  }
  bool PerMille(std::int64_t p) { return Range(0, 999) < p; }
  std::string Digits(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += static_cast<char>('0' + Next() % 10);
    return out;
  }
  template <typename T, std::size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Index(N)];
  }

 private:
  std::uint64_t state_;
};

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

// 128-bit intermediates; `__extension__` keeps -Wpedantic quiet about __int128.
__extension__ typedef __int128 Wide;

// round(value * num / den) for non-negative values; amounts stay far below overflow.
std::int64_t MulDiv(std::int64_t value, std::int64_t num, std::int64_t den) {
  return static_cast<std::int64_t>((static_cast<Wide>(value) * num + den / 2) / den);
}
// Rounds down to a multiple of `unit`, keeping at least one unit.
std::int64_t RoundDown(std::int64_t sen, std::int64_t unit) {
  return std::max(unit, sen / unit * unit);
}

// ---------------------------------------------------------------------------------------
// The chart of accounts the demo uses (Permendagri 90/2019 as SIPD writes it).

enum class Cat {
  kGaji, kTpp, kAtk, kCetak, kMamin, kPerjadin, kListrik, kJasa, kPelihara, kHonor, kObat,
  kKomputer, kAlkes, kGedung, kJalan, kIrigasi,
};
enum class Pool {
  kGoods, kPrint, kCatering, kServices, kWorkshop, kPharma, kComputer, kMedical,
  kContractor, kUtility, kSpeaker, kAsn, kPayroll,
};
enum class Tax { kNone, kGoods, kService, kConstruction, kHonor, kPayroll };
enum class Shape { kGeneral, kCapital, kFlat, kGaji, kTpp };

struct AccountSpec {
  Cat cat;
  const char* code;
  std::int64_t average_rupiah;  // A typical payment at the reference count.
  Shape shape;
  Pool pool;
  Tax tax;
  bool capital_like;  // Paid LS above Rp50 juta, procured above Rp15 juta.
};

constexpr AccountSpec kAccounts[] = {
    {Cat::kGaji, "5.1.01.01.01.0001", 0, Shape::kGaji, Pool::kPayroll, Tax::kPayroll, false},
    {Cat::kTpp, "5.1.01.02.01.0001", 0, Shape::kTpp, Pool::kPayroll, Tax::kPayroll, false},
    {Cat::kAtk, "5.1.02.01.01.0024", 1'900'000, Shape::kGeneral, Pool::kGoods, Tax::kGoods, false},
    {Cat::kCetak, "5.1.02.01.01.0026", 3'400'000, Shape::kGeneral, Pool::kPrint, Tax::kGoods, false},
    {Cat::kMamin, "5.1.02.01.01.0052", 3'100'000, Shape::kGeneral, Pool::kCatering, Tax::kService, false},
    {Cat::kPerjadin, "5.1.02.04.01.0001", 3'300'000, Shape::kGeneral, Pool::kAsn, Tax::kNone, false},
    {Cat::kListrik, "5.1.02.02.01.0061", 9'000'000, Shape::kFlat, Pool::kUtility, Tax::kNone, false},
    {Cat::kJasa, "5.1.02.02.01.0029", 8'500'000, Shape::kGeneral, Pool::kServices, Tax::kService, true},
    {Cat::kPelihara, "5.1.02.03.02.0111", 3'800'000, Shape::kGeneral, Pool::kWorkshop, Tax::kService, false},
    {Cat::kHonor, "5.1.02.02.01.0003", 2'600'000, Shape::kGeneral, Pool::kSpeaker, Tax::kHonor, false},
    {Cat::kObat, "5.1.02.01.01.0035", 19'000'000, Shape::kGeneral, Pool::kPharma, Tax::kGoods, true},
    {Cat::kKomputer, "5.2.02.05.01.0005", 24'000'000, Shape::kCapital, Pool::kComputer, Tax::kGoods, true},
    {Cat::kAlkes, "5.2.02.06.01.0001", 150'000'000, Shape::kCapital, Pool::kMedical, Tax::kGoods, true},
    {Cat::kGedung, "5.2.03.01.01.0001", 390'000'000, Shape::kCapital, Pool::kContractor, Tax::kConstruction, true},
    {Cat::kJalan, "5.2.04.01.01.0012", 650'000'000, Shape::kCapital, Pool::kContractor, Tax::kConstruction, true},
    {Cat::kIrigasi, "5.2.04.03.01.0004", 430'000'000, Shape::kCapital, Pool::kContractor, Tax::kConstruction, true},
};

const AccountSpec& Account(Cat cat) {
  for (const AccountSpec& spec : kAccounts) {
    if (spec.cat == cat) return spec;
  }
  JEJAK_CHECK(false);
  return kAccounts[0];
}

// Cash plan shapes (RAK), percent per month: slow January, a December peak.
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

// ---------------------------------------------------------------------------------------
// The regency: OPDs and their budget profiles.

enum class Profile { kGeneral, kEducation, kHealth, kHospital, kPuskesmas, kWorks, kHousing, kCouncil };

struct OpdSpec {
  const char* code;
  const char* name;
  const char* short_name;
  std::int64_t weight;        // Share of the APBD, in Rp100 juta of a ~Rp1.1T budget.
  Profile profile;
  std::int64_t realisation;   // Per mille of non-payroll pagu spent by year end; 0: 850-945.
};

constexpr OpdSpec kOpds[] = {
    {"1.01.0.00.0.00.01.0000", "Dinas Pendidikan dan Kebudayaan", "DIKBUD", 3300, Profile::kEducation, 0},
    {"1.02.0.00.0.00.01.0000", "Dinas Kesehatan", "DINKES", 850, Profile::kHealth, 0},
    {"1.02.0.00.0.00.01.0001", "Puskesmas Curup", "PKM-CRP", 42, Profile::kPuskesmas, 0},
    {"1.02.0.00.0.00.01.0002", "Puskesmas Curup Tengah", "PKM-CTG", 38, Profile::kPuskesmas, 0},
    {"1.02.0.00.0.00.01.0003", "Puskesmas Perumnas", "PKM-PRM", 35, Profile::kPuskesmas, 0},
    {"1.02.0.00.0.00.01.0004", "Puskesmas Kota Padang", "PKM-KPD", 30, Profile::kPuskesmas, 0},
    {"1.02.0.00.0.00.01.0005", "Puskesmas Bermani Ulu", "PKM-BMU", 28, Profile::kPuskesmas, 0},
    {"1.02.0.00.0.00.02.0000", "Rumah Sakit Umum Daerah Rejang Lebong", "RSUD", 780, Profile::kHospital, 0},
    {"1.03.0.00.0.00.01.0000", "Dinas Pekerjaan Umum dan Penataan Ruang", "PUPR", 1550, Profile::kWorks, 0},
    {"1.04.0.00.0.00.01.0000", "Dinas Perumahan Rakyat dan Kawasan Permukiman", "PERKIM", 260, Profile::kHousing, 0},
    {"1.05.0.00.0.00.01.0000", "Satuan Polisi Pamong Praja", "SATPOLPP", 140, Profile::kGeneral, 0},
    {"1.05.0.00.0.00.02.0000", "Badan Penanggulangan Bencana Daerah", "BPBD", 110, Profile::kGeneral, 0},
    {"1.06.0.00.0.00.01.0000", "Dinas Sosial", "DINSOS", 120, Profile::kGeneral, 0},
    {"2.07.0.00.0.00.01.0000", "Dinas Tenaga Kerja dan Transmigrasi", "DISNAKERTRANS", 60, Profile::kGeneral, 0},
    {"2.08.2.14.0.00.01.0000", "Dinas Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan Keluarga Berencana", "DP3AP2KB", 90, Profile::kGeneral, 0},
    {"2.09.0.00.0.00.01.0000", "Dinas Ketahanan Pangan", "DKP", 55, Profile::kGeneral, 330},
    {"2.11.0.00.0.00.01.0000", "Dinas Lingkungan Hidup", "DLH", 190, Profile::kGeneral, 0},
    {"2.12.0.00.0.00.01.0000", "Dinas Kependudukan dan Pencatatan Sipil", "DUKCAPIL", 75, Profile::kGeneral, 0},
    {"2.13.0.00.0.00.01.0000", "Dinas Pemberdayaan Masyarakat dan Desa", "DPMD", 85, Profile::kGeneral, 0},
    {"2.15.0.00.0.00.01.0000", "Dinas Perhubungan", "DISHUB", 95, Profile::kGeneral, 0},
    {"2.16.2.20.2.21.01.0000", "Dinas Komunikasi, Informatika, Statistik dan Persandian", "DISKOMINFO", 120, Profile::kGeneral, 0},
    {"2.17.3.30.3.31.01.0000", "Dinas Koperasi, Usaha Kecil dan Menengah, Perdagangan dan Perindustrian", "DISKOPERINDAG", 80, Profile::kGeneral, 0},
    {"2.18.0.00.0.00.01.0000", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP", 65, Profile::kGeneral, 0},
    {"2.19.0.00.0.00.01.0000", "Dinas Pemuda dan Olahraga", "DISPORA", 60, Profile::kGeneral, 600},
    {"3.25.0.00.0.00.01.0000", "Dinas Perikanan", "DISKAN", 60, Profile::kGeneral, 0},
    {"3.26.0.00.0.00.01.0000", "Dinas Pariwisata", "DISPAR", 55, Profile::kGeneral, 540},
    {"3.27.0.00.0.00.01.0000", "Dinas Pertanian", "DISTAN", 210, Profile::kGeneral, 0},
    {"4.01.0.00.0.00.01.0000", "Sekretariat Daerah", "SETDA", 480, Profile::kCouncil, 0},
    {"4.02.0.00.0.00.01.0000", "Sekretariat DPRD", "SETWAN", 420, Profile::kCouncil, 0},
    {"5.01.5.05.0.00.01.0000", "Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah", "BAPPERIDA", 85, Profile::kGeneral, 0},
    {"5.02.0.00.0.00.01.0000", "Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD", 260, Profile::kGeneral, 0},
    {"5.02.0.00.0.00.02.0000", "Badan Pendapatan Daerah", "BAPENDA", 95, Profile::kGeneral, 0},
    {"5.03.5.04.0.00.01.0000", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "BKPSDM", 80, Profile::kGeneral, 0},
    {"6.01.0.00.0.00.01.0000", "Inspektorat Daerah", "INSPEKTORAT", 75, Profile::kGeneral, 0},
    {"7.01.0.00.0.00.01.0000", "Kecamatan Curup", "KEC-CRP", 42, Profile::kGeneral, 0},
    {"7.01.0.00.0.00.02.0000", "Kecamatan Curup Tengah", "KEC-CTG", 38, Profile::kGeneral, 0},
    {"7.01.0.00.0.00.03.0000", "Kecamatan Bermani Ulu", "KEC-BMU", 34, Profile::kGeneral, 0},
    {"7.01.0.00.0.00.04.0000", "Kecamatan Selupu Rejang", "KEC-SLR", 34, Profile::kGeneral, 0},
    {"8.01.0.00.0.00.01.0000", "Badan Kesatuan Bangsa dan Politik", "KESBANGPOL", 45, Profile::kGeneral, 0},
};
constexpr std::size_t kOpdCount = std::size(kOpds);

std::size_t OpdIndex(std::string_view short_name) {
  for (std::size_t i = 0; i < kOpdCount; ++i) {
    if (short_name == kOpds[i].short_name) return i;
  }
  JEJAK_CHECK(false);
  return 0;
}

// Percent of an OPD's budget for pegawai, barang dan jasa and modal.
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

// Sub-activities: cross-cutting support (X.XX, Permendagri 90/2019 programme 01) and
// the OPD's own programme sub-activities under its affair.
constexpr const char* kSubGaji = "X.XX.01.2.02.0001";       // Gaji dan tunjangan ASN.
constexpr const char* kSubLogistik = "X.XX.01.2.06.0004";   // Bahan logistik kantor.
constexpr const char* kSubRapat = "X.XX.01.2.06.0009";      // Rapat koordinasi dan konsultasi.
constexpr const char* kSubListrik = "X.XX.01.2.08.0002";    // Jasa komunikasi, air dan listrik.
constexpr const char* kSubPelayanan = "X.XX.01.2.08.0004";  // Jasa pelayanan umum kantor.
constexpr const char* kSubKendaraan = "X.XX.01.2.09.0002";  // Pemeliharaan kendaraan dinas.
constexpr const char* kSubPeralatan = "X.XX.01.2.07.0006";  // Peralatan dan mesin lainnya.
constexpr const char* kSubGedung = "X.XX.01.2.07.0010";     // Sarana dan prasarana gedung kantor.

struct LineTemplate {
  int program;  // -1: the support sub-activity `sub`; else programme sub-activity 0..2.
  const char* sub;
  Cat cat;
  std::int64_t per_mille;  // Of the group.
};

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

// ---------------------------------------------------------------------------------------
// Payees.

struct Vendor {
  std::string name;
  std::string npwp;  // Empty: none.
  std::string bank;  // Empty: cash payee without bank details.
  std::string account_no;
  std::string account_name;
  bool pkp = false;  // A VAT-registered enterprise (PT/CV): charges PPN.
  std::string Identity() const { return npwp.empty() ? bank + ":" + account_no : npwp; }
  std::string PayeeAccount() const { return bank + ":" + account_no; }
};

const char* const kCores[] = {
    "Sinar Rejang", "Bukit Kaba", "Musi Jaya", "Rafflesia Abadi", "Karya Mandiri",
    "Berkah Utama", "Sumber Rezeki", "Harapan Baru", "Maju Bersama", "Cahaya Curup",
    "Putra Kepahiang", "Sejahtera Abadi", "Bintang Timur", "Mitra Usaha", "Anugerah Lestari",
    "Tiga Saudara", "Lembak Indah", "Kaba Wijaya", "Dempo Makmur", "Sentosa Jaya",
    "Fajar Baru", "Rejang Permai", "Mutiara Hati", "Nusa Indah", "Tunas Harapan",
    "Bumi Serasi", "Indah Lestari", "Surya Kencana", "Mega Karya", "Prima Utama",
    "Selupu Makmur", "Air Bang Jaya", "Talang Rimbo", "Dwi Putra", "Sindang Permai",
    "Empat Lawang", "Tebat Monok", "Batu Galing", "Kesambe Raya", "Pelabuhan Baru",
    "Air Putih Jaya", "Guru Agung", "Padang Lekat", "Sukaraja Mulia", "Tanjung Aur",
};
constexpr std::size_t kCoreCount = std::size(kCores);

const char* const kFirstNames[] = {
    "Ahmad", "Budi", "Citra", "Dedi", "Eka", "Fitri", "Gunawan", "Hendra", "Indah", "Joko",
    "Kurniawati", "Lukman", "Maya", "Nurhayati", "Oktaviani", "Putri", "Rahmat", "Sari",
    "Taufik", "Umi", "Wahyu", "Yuliana", "Zainal", "Agus", "Rina", "Slamet", "Dewi", "Hasan",
    "Lestari", "Yusuf", "Ratna", "Irwan", "Susanti", "Bambang", "Novita", "Syamsul",
};
const char* const kLastNames[] = {
    "Saputra", "Hidayat", "Wijaya", "Pratama", "Lestari", "Kurniawan", "Santoso", "Rahmawati",
    "Siregar", "Nasution", "Harahap", "Firmansyah", "Susanto", "Putra", "Ramadhan",
    "Wulandari", "Handayani", "Gunadi", "Setiawan", "Purnomo", "Syahputra", "Anggraini",
};

struct BankSpec {
  const char* name;
  const char* prefix;
  std::size_t length;
};
constexpr BankSpec kBanks[] = {
    {"Bank Bengkulu", "0012", 10},     {"Bank Rakyat Indonesia", "0345", 15},
    {"Bank Negara Indonesia", "0", 10}, {"Bank Mandiri", "110", 13},
    {"Bank Syariah Indonesia", "7", 10},
};

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

// The i-th enterprise of a pool: a company name in the pool's trade.
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

// ---------------------------------------------------------------------------------------
// Working state.

struct Line {
  std::size_t opd = 0;
  std::string sub;
  const AccountSpec* account = nullptr;
  std::int64_t pagu = 0;      // Final (in force at year end), sen.
  std::int64_t murni = 0;     // As first adopted; differs when revised.
  int revision = 0;           // 0 none, 1 pergeseran, 2 perubahan.
  std::int64_t realisation_per_mille = 0;
  std::int64_t reserved = 0;  // Planted spending on this line.
  std::int64_t target = 0;    // Regular spending planned.
  std::int64_t used = 0;
  bool planted_over = false;
};

enum class Planted {
  kNone, kOver, kSplit, kDuplicate, kEvidence, kCash, kOutside, kHeavy,
};

struct Expenditure {
  std::size_t line = 0;
  Day value;
  std::int64_t gross = 0;
  std::optional<std::size_t> vendor;  // Chosen when completed if unset.
  std::string instrument;             // Chosen when completed if empty.
  Planted planted = Planted::kNone;
  bool payroll = false;
  std::string description;  // Set for payroll and planted payments.
  std::optional<Day> evidence_date;
  // Completed:
  std::string mechanism;
  std::string cash_reason;
  std::vector<std::pair<std::string, std::int64_t>> taxes;
  std::string bank_ref, spp, spm, sp2d, evidence_no;
  std::string method, contract_no;
  Day recorded;
  // Reversal:
  bool reversed = false;
  Day reversal_day;
  std::string reversal_reason;
  std::int64_t seq = 0;
  std::int64_t reversal_seq = 0;
  std::int64_t order = 0;  // Completion order: the tiebreak on a recording day.
};

struct Deposit {
  std::size_t opd = 0;
  std::string tax_type;
  std::int64_t amount = 0;
  Day date;
  std::vector<std::size_t> covers;  // Expenditure indices.
  std::string billing_code, ntpn;
  std::int64_t seq = 0;
};

enum class Phase { kOpd, kBudget, kExpenditure, kReversal, kDeposit };

struct Event {
  Day day;
  Phase phase;
  std::int64_t order;
  std::size_t index;  // Into opds, budget entries, expenditures or deposits.
};

struct BudgetEntry {
  std::size_t line;
  std::int64_t pagu;
  const char* stage;
  Day day;
};

std::string OfficerSub(std::size_t opd) {
  return "bendahara." + Lower(kOpds[opd].short_name);
}
constexpr const char* kAdminSub = "admin.bpkad";

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

// A working day of `month` (January from the 6th, December up to the 30th).
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

const char* const kCashReasons[] = {
    "Penyedia di desa terpencil tidak menerima transfer atau QRIS",
    "Jaringan internet dan EDC tidak tersedia di lokasi kegiatan",
    "Pedagang pasar tradisional tidak memiliki rekening bank",
};
const char* const kReversalReasons[] = {
    "Salah kode rekening; dicatat ulang pada rekening yang benar",
    "Salah input nilai transaksi; dicatat ulang dengan nilai yang benar",
    "Transfer ditolak bank penerima (rekening tidak aktif); dana kembali ke kas",
    "Tercatat ganda pada buku kas umum",
    "Salah pembebanan sub kegiatan; dikoreksi oleh PPK-SKPD",
};

// ---------------------------------------------------------------------------------------

class Generator {
 public:
  Generator(std::int64_t year, std::size_t count, std::int64_t first_seq)
      : year_(year), count_(count), first_seq_(first_seq),
        rng_(0x4A454A414BULL ^ static_cast<std::uint64_t>(year) * 0x100000001B3ULL ^ count) {}

  DemoPlan Run() {
    BuildLines();
    BuildVendors();
    DraftPayroll();
    DraftPlanted();
    DraftRegular();
    DraftHeavyReversals();
    Complete();
    PlantLateRecording();
    ChooseReversals();
    BuildDeposits();
    return Assemble();
  }

 private:
  // --- Budget -------------------------------------------------------------------------
  void BuildLines() {
    std::int64_t weights = 0;
    for (const OpdSpec& opd : kOpds) weights += opd.weight;
    for (std::size_t o = 0; o < kOpdCount; ++o) {
      const OpdSpec& opd = kOpds[o];
      const std::int64_t total = MulDiv(kTotalPaguSen, opd.weight, weights);
      const std::array<std::int64_t, 3> shares = GroupShares(opd.profile);
      const std::int64_t other_per_mille =
          opd.realisation != 0 ? opd.realisation : rng_.Range(850, 945);
      const std::int64_t payroll_per_mille = rng_.Range(960, 985);
      auto add = [&](const std::string& sub, Cat cat, std::int64_t pagu, std::int64_t per_mille) {
        Line line;
        line.opd = o;
        line.sub = sub;
        line.account = &Account(cat);
        line.pagu = RoundDown(pagu, 1000 * kSen);
        line.murni = line.pagu;
        line.realisation_per_mille = per_mille;
        lines_.push_back(std::move(line));
      };
      if (shares[0] > 0) {
        const std::int64_t pegawai = MulDiv(total, shares[0], 100);
        add(kSubGaji, Cat::kGaji, MulDiv(pegawai, 65, 100), payroll_per_mille);
        add(kSubGaji, Cat::kTpp, MulDiv(pegawai, 35, 100), payroll_per_mille);
      }
      for (int group = 1; group <= 2; ++group) {
        const std::int64_t amount = MulDiv(total, shares[static_cast<std::size_t>(group)], 100);
        const std::vector<LineTemplate> templates =
            group == 1 ? GoodsAndServicesLines(opd.profile) : CapitalLines(opd.profile);
        for (const LineTemplate& t : templates) {
          const std::string sub = t.program < 0 ? std::string(t.sub) : ProgramSub(opd.code, t.program);
          const std::int64_t per_mille =
              std::min<std::int64_t>(985, other_per_mille + rng_.Range(-30, 20));
          add(sub, t.cat, MulDiv(amount, t.per_mille, 1000), per_mille);
        }
      }
    }
    // The planted OVER_PAGU line: Satpol PP's meals for Perda enforcement operations.
    Line over;
    over.opd = OpdIndex("SATPOLPP");
    over.sub = "1.05.02.2.02.0001";
    over.account = &Account(Cat::kMamin);
    over.pagu = over.murni = 45 * kJuta;
    over.planted_over = true;
    over_line_ = lines_.size();
    lines_.push_back(std::move(over));

    // Revisions: a few pergeseran mid-year, more lines in the APBD-Perubahan.
    for (Line& line : lines_) {
      if (line.planted_over) continue;
      const std::int64_t roll = rng_.Range(0, 999);
      if (roll < 25) {
        line.revision = 1;
      } else if (roll < 95) {
        line.revision = 2;
      } else {
        continue;
      }
      std::int64_t murni = RoundDown(MulDiv(line.pagu, rng_.Range(880, 1120), 1000), kJuta);
      if (murni == line.pagu) murni += 10 * kJuta;
      line.murni = murni;
    }
  }

  // --- Vendors --------------------------------------------------------------------------
  void BuildVendors() {
    auto pool = [&](Pool kind, std::size_t size) {
      std::vector<std::size_t>& members = pools_[static_cast<std::size_t>(kind)];
      for (std::size_t i = 0; i < size; ++i) {
        members.push_back(vendors_.size());
        vendors_.push_back(kind == Pool::kSpeaker ? MakePerson(rng_, true) : MakeEnterprise(rng_, kind, i));
      }
    };
    pool(Pool::kGoods, 40);
    pool(Pool::kPrint, 16);
    pool(Pool::kCatering, 24);
    pool(Pool::kServices, 24);
    pool(Pool::kWorkshop, 14);
    pool(Pool::kPharma, 12);
    pool(Pool::kComputer, 12);
    pool(Pool::kMedical, 8);
    pool(Pool::kContractor, 30);
    pool(Pool::kUtility, 1);
    pool(Pool::kSpeaker, 40);
    for (std::size_t o = 0; o < kOpdCount; ++o) {
      for (int i = 0; i < 12; ++i) {
        asn_[o].push_back(vendors_.size());
        vendors_.push_back(MakePerson(rng_, false));
      }
    }
  }

  std::size_t FreshVendor(Pool kind) {
    const std::size_t n = fresh_[static_cast<std::size_t>(kind)]++;
    vendors_.push_back(kind == Pool::kSpeaker || kind == Pool::kAsn
                           ? MakePerson(rng_, kind == Pool::kSpeaker)
                           : MakeEnterprise(rng_, kind, kCoreCount * 4 + n));
    return vendors_.size() - 1;
  }

  // A dedicated enterprise for a planted anomaly.
  std::size_t PlantedVendor(std::string name, bool pkp) {
    Vendor vendor;
    vendor.name = std::move(name);
    vendor.pkp = pkp;
    vendor.npwp = CompanyNpwp(rng_);
    GiveBank(rng_, vendor, rng_.Index(std::size(kBanks)));
    vendors_.push_back(std::move(vendor));
    return vendors_.size() - 1;
  }

  // --- Drafts -------------------------------------------------------------------------
  std::size_t FindLine(std::size_t opd, Cat cat, bool program) const {
    for (std::size_t l = 0; l < lines_.size(); ++l) {
      const Line& line = lines_[l];
      if (line.opd == opd && line.account->cat == cat && !line.planted_over &&
          (line.sub[0] != 'X') == program) {
        return l;
      }
    }
    JEJAK_CHECK(false);
    return 0;
  }

  void DraftPayroll() {
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

  Expenditure& AddPlanted(Planted kind, std::size_t line, Day value, std::int64_t gross,
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

  void DraftPlanted() {
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
      const std::size_t vendor = PlantedVendor("PT Medika Farma Rejang", true);
      static const std::int64_t kRupiah[] = {58'500'000, 71'250'000, 64'800'000, 67'400'000};
      static const unsigned kDays[] = {6, 13, 21, 29};
      for (std::size_t i = 0; i < 4; ++i) {
        AddPlanted(Planted::kSplit, line, NextWorkday(MakeDay(year_, 10, kDays[i])),
                   kRupiah[i] * kSen, vendor, "sp2d_ls",
                   "Pengadaan obat program penanggulangan TB dan ISPA tahap " + std::to_string(i + 1));
      }
    }
    // DUPLICATE_PAYMENT: the same event-organiser invoice paid twice, nine days apart.
    {
      const std::size_t line = FindLine(OpdIndex("SETDA"), Cat::kJasa, false);
      const std::size_t vendor = PlantedVendor("CV Cahaya Event Organizer", true);
      const Day first = NextWorkday(MakeDay(year_, 4, 14));
      for (int i = 0; i < 2; ++i) {
        AddPlanted(Planted::kDuplicate, line, NextWorkday(AddDays(first, 9 * i)), 47'850'000 * kSen,
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

  void DraftRegular() {
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

  // REVERSAL_HEAVY: Dinas Perikanan records four service payments twice and reverses the
  // copies, some 8% of what it recorded in the year.
  void DraftHeavyReversals() {
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

  // --- Completion, in value-date order ---------------------------------------------------
  bool SplitWindowOk(const std::string& key, Day value, std::int64_t gross) {
    if (gross > kDirectProcurementCapSen) return true;
    std::vector<std::pair<Day, std::int64_t>>& history = split_history_[key];
    std::int64_t sum = gross;
    for (auto it = history.rbegin(); it != history.rend(); ++it) {
      if (DaysBetween(it->first, value) > kGuardWindowDays) break;
      sum += it->second;
    }
    return sum <= kSplitGuardSen;
  }

  void Complete() {
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

  void CompleteOne(Expenditure& e) {
    Line& line = lines_[e.line];
    const AccountSpec& account = *line.account;
    const std::size_t opd = line.opd;
    const OpdSpec& spec = kOpds[opd];
    const unsigned month = MonthOf(e.value);
    const std::string short_name = spec.short_name;

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
    if (taxed && e.gross > kCashCapSen) {
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
      if (e.planted == Planted::kSplit) {
        e.method = "PL";
      } else if (catalogue) {
        e.method = "epurchasing";
      } else {
        e.method = e.gross > kDirectProcurementCapSen ? "tender" : "PL";
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
  }

  std::string SplitKey(std::size_t opd, const AccountSpec& account, std::size_t vendor) const {
    return std::to_string(opd) + "|" + account.code + "|" + vendors_[vendor].Identity();
  }

  // --- Late recording, reversals, deposits -------------------------------------------------
  bool Ordinary(const Expenditure& e) const {
    return e.planted == Planted::kNone && !e.payroll && e.instrument != "cash";
  }

  void PlantLateRecording() {
    static const std::int64_t kDelays[] = {24, 31, 38};
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

  void ChooseReversals() {
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

  void BuildDeposits() {
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

  using GroupKey = std::tuple<std::size_t, std::string, unsigned>;
  std::optional<GroupKey> PickGroup(const std::map<GroupKey, std::vector<std::size_t>>& groups,
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

  // --- Assembly -------------------------------------------------------------------------
  json ExpenditureBody(const Expenditure& e) const {
    const Line& line = lines_[e.line];
    const Vendor& vendor = vendors_[*e.vendor];
    json taxes = json::array();
    std::int64_t withheld = 0;
    for (const auto& [type, amount] : e.taxes) {
      taxes.push_back({{"type", type}, {"amount", ledger::FormatMoney(amount)}});
      withheld += amount;
    }
    json payee = {{"name", vendor.name}};
    if (!vendor.npwp.empty()) payee["npwp"] = vendor.npwp;
    if (!vendor.bank.empty()) {
      payee["bank"] = vendor.bank;
      payee["account_no"] = vendor.account_no;
      payee["account_name"] = vendor.account_name;
    }
    json documents = {{"evidence_no", e.evidence_no}, {"evidence_date", Iso(*e.evidence_date)}};
    if (!e.spp.empty()) {
      documents["spp"] = e.spp;
      documents["spm"] = e.spm;
      documents["sp2d"] = e.sp2d;
    }
    json body = {{"kind", "expenditure"},
                 {"fiscal_year", year_},
                 {"opd", kOpds[line.opd].code},
                 {"sub_activity", line.sub},
                 {"account", line.account->code},
                 {"mechanism", e.mechanism},
                 {"instrument", e.instrument},
                 {"value_date", Iso(e.value)},
                 {"gross", ledger::FormatMoney(e.gross)},
                 {"taxes", std::move(taxes)},
                 {"net", ledger::FormatMoney(e.gross - withheld)},
                 {"payee", std::move(payee)},
                 {"documents", std::move(documents)},
                 {"description", e.description}};
    if (!e.cash_reason.empty()) body["cash_reason"] = e.cash_reason;
    if (!e.bank_ref.empty()) body["bank_ref"] = e.bank_ref;
    if (!e.method.empty()) {
      body["procurement"] = {{"method", e.method},
                             {"contract_no", e.contract_no},
                             {"contract_value", ledger::FormatMoney(e.gross)}};
    }
    return body;
  }

  json BudgetBody(const BudgetEntry& entry) const {
    const Line& line = lines_[entry.line];
    json plan = json::array();
    for (std::int64_t month : MonthlyPlan(entry.pagu, line.account->shape)) {
      plan.push_back(ledger::FormatMoney(month));
    }
    const std::string stage = entry.stage;
    const std::string year = std::to_string(year_);
    const std::string note =
        stage == "murni"        ? "APBD murni " + year + " (Perda Nomor 9 Tahun " + std::to_string(year_ - 1) + ")"
        : stage == "pergeseran" ? "Pergeseran anggaran I (Perkada Nomor 18 Tahun " + year + ")"
                                : "APBD Perubahan " + year + " (Perda Nomor 7 Tahun " + year + ")";
    return {{"kind", "budget"},         {"fiscal_year", year_},
            {"opd", kOpds[line.opd].code}, {"sub_activity", line.sub},
            {"account", line.account->code}, {"pagu", ledger::FormatMoney(entry.pagu)},
            {"stage", stage},           {"monthly_plan", std::move(plan)},
            {"note", note}};
  }

  DemoPlan Assemble() {
    const Day start = MakeDay(year_, 1, 2);
    std::vector<BudgetEntry> budgets;
    for (std::size_t l = 0; l < lines_.size(); ++l) {
      const Line& line = lines_[l];
      budgets.push_back({l, line.murni, "murni", start});
      if (line.revision == 1) budgets.push_back({l, line.pagu, "pergeseran", NextWorkday(MakeDay(year_, 6, 16))});
      if (line.revision == 2) budgets.push_back({l, line.pagu, "perubahan", NextWorkday(MakeDay(year_, 10, 1))});
    }
    std::vector<Event> events;
    for (std::size_t o = 0; o < kOpdCount; ++o) events.push_back({start, Phase::kOpd, static_cast<std::int64_t>(o), o});
    for (std::size_t b = 0; b < budgets.size(); ++b) {
      events.push_back({budgets[b].day, Phase::kBudget, static_cast<std::int64_t>(b), b});
    }
    for (std::size_t i = 0; i < expenditures_.size(); ++i) {
      const Expenditure& e = expenditures_[i];
      events.push_back({e.recorded, Phase::kExpenditure, e.order, i});
      if (e.reversed) events.push_back({e.reversal_day, Phase::kReversal, e.order, i});
    }
    for (std::size_t d = 0; d < deposits_.size(); ++d) {
      events.push_back({deposits_[d].date, Phase::kDeposit, static_cast<std::int64_t>(d), d});
    }
    std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
      return std::tie(a.day, a.phase, a.order) < std::tie(b.day, b.phase, b.order);
    });
    for (std::size_t k = 0; k < events.size(); ++k) {
      const std::int64_t seq = first_seq_ + static_cast<std::int64_t>(k);
      const Event& event = events[k];
      if (event.phase == Phase::kExpenditure) expenditures_[event.index].seq = seq;
      if (event.phase == Phase::kReversal) expenditures_[event.index].reversal_seq = seq;
      if (event.phase == Phase::kDeposit) deposits_[event.index].seq = seq;
    }

    DemoPlan plan;
    plan.fiscal_year = year_;
    for (const OpdSpec& opd : kOpds) plan.opd_names[opd.code] = opd.name;
    std::optional<Day> day;
    int batch_of_day = 0;
    for (const Event& event : events) {
      if (!day || event.day != *day || plan.batches.back().entries.size() >= kDemoBatchEntriesMax) {
        batch_of_day = day && event.day == *day ? batch_of_day + 1 : 0;
        day = event.day;
        JEJAK_CHECK(event.day < MakeDay(year_ + 1, 1, 31));
        const int seconds = 3600 + batch_of_day * 61;  // From 08:00 WIB, a batch a minute.
        JEJAK_CHECK(seconds < 86400);
        char time[40];
        std::snprintf(time, sizeof time, "%sT%02d:%02d:%02d.%03dZ", Iso(event.day).c_str(), seconds / 3600,
                      seconds / 60 % 60, seconds % 60, (batch_of_day * 137 + 42) % 1000);
        plan.batches.push_back({time, {}});
      }
      std::vector<std::pair<std::string, json>>& entries = plan.batches.back().entries;
      switch (event.phase) {
        case Phase::kOpd:
          entries.emplace_back(kAdminSub, json{{"kind", "opd"},
                                               {"code", kOpds[event.index].code},
                                               {"name", kOpds[event.index].name}});
          break;
        case Phase::kBudget:
          entries.emplace_back(kAdminSub, BudgetBody(budgets[event.index]));
          break;
        case Phase::kExpenditure: {
          const Expenditure& e = expenditures_[event.index];
          entries.emplace_back(OfficerSub(lines_[e.line].opd), ExpenditureBody(e));
          break;
        }
        case Phase::kReversal: {
          const Expenditure& e = expenditures_[event.index];
          entries.emplace_back(OfficerSub(lines_[e.line].opd),
                               json{{"kind", "reversal"}, {"reverses", e.seq}, {"reason", e.reversal_reason}});
          break;
        }
        case Phase::kDeposit: {
          const Deposit& d = deposits_[event.index];
          json covers = json::array();
          std::vector<std::int64_t> seqs;
          for (std::size_t i : d.covers) seqs.push_back(expenditures_[i].seq);
          std::sort(seqs.begin(), seqs.end());
          for (std::int64_t seq : seqs) covers.push_back(seq);
          entries.emplace_back(OfficerSub(d.opd),
                               json{{"kind", "tax_deposit"},
                                    {"fiscal_year", year_},
                                    {"opd", kOpds[d.opd].code},
                                    {"tax_type", d.tax_type},
                                    {"amount", ledger::FormatMoney(d.amount)},
                                    {"billing_code", d.billing_code},
                                    {"ntpn", d.ntpn},
                                    {"deposit_date", Iso(d.date)},
                                    {"covers", std::move(covers)}});
          break;
        }
      }
    }
    plan.planted = PlantedLines();
    return plan;
  }

  std::string Seqs(const std::vector<std::int64_t>& seqs) const {
    std::string out;
    for (std::int64_t seq : seqs) out += (out.empty() ? "" : ", ") + std::to_string(seq);
    return out;
  }
  std::vector<std::int64_t> SeqsOf(Planted kind) const {
    std::vector<std::int64_t> seqs;
    for (const Expenditure& e : expenditures_) {
      if (e.planted == kind) seqs.push_back(e.seq);
    }
    std::sort(seqs.begin(), seqs.end());
    return seqs;
  }
  std::string OpdLabel(std::size_t opd) const {
    return std::string(kOpds[opd].name) + " (" + kOpds[opd].code + ")";
  }

  std::vector<std::string> PlantedLines() const {
    std::vector<std::string> out;
    const Line& over = lines_[over_line_];
    out.push_back("OVER_PAGU: " + OpdLabel(over.opd) + " line " + over.sub + " / " + over.account->code +
                  " pagu " + ledger::FormatRupiah(over.pagu) + ", realised " +
                  ledger::FormatRupiah(over.used) + ", seqs " + Seqs(SeqsOf(Planted::kOver)));
    out.push_back("SPLIT_PACKAGE: " + OpdLabel(OpdIndex("DINKES")) +
                  " four direct procurements (PL) of medicines from PT Medika Farma Rejang within "
                  "24 days, each under Rp 200.000.000, together above it, seqs " +
                  Seqs(SeqsOf(Planted::kSplit)));
    out.push_back("DUPLICATE_PAYMENT: " + OpdLabel(OpdIndex("SETDA")) +
                  " the same invoice of CV Cahaya Event Organizer (Rp 47.850.000,00, same account "
                  "and payee account) paid twice nine days apart, seqs " +
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
    {
      const std::vector<std::int64_t> seqs = SeqsOf(Planted::kOutside);
      out.push_back("OUTSIDE_FISCAL_YEAR: " + OpdLabel(OpdIndex("DISTAN")) + " evidence dated " +
                    std::to_string(year_ - 1) + "-12-27 charged to " + std::to_string(year_) +
                    ", seq " + Seqs(seqs));
    }
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

  struct OpdCounters {
    std::int64_t evidence = 0;
    std::int64_t spp = 0;
    std::int64_t contract = 0;
  };

  const std::int64_t year_;
  const std::size_t count_;
  const std::int64_t first_seq_;
  Rng rng_;
  std::vector<Line> lines_;
  std::size_t over_line_ = 0;
  std::vector<Vendor> vendors_;
  std::array<std::vector<std::size_t>, 13> pools_;
  std::array<std::size_t, 13> fresh_{};
  std::array<std::vector<std::size_t>, kOpdCount> asn_;
  std::vector<Expenditure> expenditures_;
  std::vector<Deposit> deposits_;
  std::array<OpdCounters, kOpdCount> counters_{};
  std::array<std::optional<std::size_t>, kOpdCount> last_evidence_{};
  std::unordered_map<std::string, std::vector<std::pair<Day, std::int64_t>>> split_history_;
  std::unordered_map<std::string, Day> duplicate_last_;
  std::int64_t sp2d_ = 0;
  std::int64_t bank_serial_ = 0;
  std::int64_t catalogue_serial_ = 0;
  std::int64_t billing_serial_ = 0;
  std::size_t evidence_reused_from_ = 0;
  std::size_t heavy_opd_ = 0;
  std::vector<std::size_t> late_;
  std::optional<GroupKey> never_;
  std::optional<GroupKey> short_;
  std::optional<std::size_t> short_deposit_;
  std::int64_t short_by_ = 0;
};

}  // namespace

DemoPlan GenerateDemo(std::int64_t fiscal_year, std::size_t expenditures, std::int64_t first_seq) {
  JEJAK_CHECK(first_seq >= 1);
  const std::size_t count = std::clamp(expenditures, kDemoExpendituresMin, kDemoExpendituresMax);
  Generator generator(fiscal_year, count, first_seq);
  return generator.Run();
}

}  // namespace jejak::server
