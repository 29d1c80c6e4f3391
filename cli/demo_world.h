// The demo regency's specification and the generator's working state (cli/demo_generator.h):
// constants and thresholds, the private random stream and date helpers, the chart of
// accounts, the OPDs with their budget profiles, sub-activities, payees, and the structs
// the passes of cli/demo_builder.h fill in. Internal to the demo generator.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/check.h"

namespace jejak::cli::demo {

using Day = std::chrono::sys_days;

inline constexpr std::int64_t kSen = 100;  // Sen per rupiah.
inline constexpr std::int64_t kJuta = 1'000'000 * kSen;
// The APBD of the demo regency: about Rp1.1 trillion, as a regency of ~250,000 people has.
inline constexpr std::int64_t kTotalPaguSen = 1'100'000 * kJuta;
// Regular payments at which payment sizes are realistic and realisation reaches the
// OPDs' targets; with fewer, sizes stay realistic and realisation falls proportionally.
inline constexpr std::int64_t kReferenceRegularPayments = 48'000;
// Audit thresholds the generator stays clear of (ledger/audit.h defaults), with margins.
inline constexpr std::int64_t kDirectProcurementCapSen = 200 * kJuta;
inline constexpr std::int64_t kSplitGuardSen = kDirectProcurementCapSen - 5 * kJuta;
inline constexpr int kGuardWindowDays = 31;
inline constexpr std::int64_t kCashCapSen = 2 * kJuta;
// Normal reversals: about 5 per 1000 payments (8 drawn, some filtered), at most 2% of an OPD's recorded gross
// (REVERSAL_HEAVY fires above 5%).
inline constexpr int kReversalPerMille = 8;
inline constexpr std::int64_t kReversalShareCapPercent = 2;
// A tax deposit covers at most this many expenditures (ledger::kCoversMax is 1000).
inline constexpr std::size_t kCoversPerDeposit = 500;

inline constexpr const char* kBulan[] = {"Januari", "Februari", "Maret",     "April",   "Mei",      "Juni",
                              "Juli",    "Agustus",  "September", "Oktober", "November", "Desember"};
inline constexpr const char* kRoman[] = {"I",   "II", "III", "IV", "V",  "VI",
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

Day MakeDay(std::int64_t year, unsigned month, unsigned day);
std::chrono::year_month_day Ymd(Day day);
unsigned MonthOf(Day day);
unsigned DayOfMonth(Day day);
int YearOf(Day day);
unsigned DaysInMonth(std::int64_t year, unsigned month);
Day AddDays(Day day, std::int64_t days);
std::int64_t DaysBetween(Day from, Day to);
bool IsWeekend(Day day);
Day NextWorkday(Day day);
Day PreviousWorkday(Day day);

std::string Iso(Day day);
std::string Compact(Day day);  // "20250203"
std::string Padded(std::int64_t value, int width);
std::string Upper(std::string text);
std::string Lower(std::string text);

// 128-bit intermediates; `__extension__` keeps -Wpedantic quiet about __int128.
__extension__ typedef __int128 Wide;

// round(value * num / den) for non-negative values; amounts stay far below overflow.
std::int64_t MulDiv(std::int64_t value, std::int64_t num, std::int64_t den);
// Rounds down to a multiple of `unit`, keeping at least one unit.
std::int64_t RoundDown(std::int64_t sen, std::int64_t unit);

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

inline constexpr AccountSpec kAccounts[] = {
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

const AccountSpec& Account(Cat cat);

// Cash plan shapes (RAK), percent per month: slow January, a December peak.
std::array<std::int64_t, 12> ShapeWeights(Shape shape);

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

inline constexpr OpdSpec kOpds[] = {
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
inline constexpr std::size_t kOpdCount = std::size(kOpds);

std::size_t OpdIndex(std::string_view short_name);

// Percent of an OPD's budget for pegawai, barang dan jasa and modal.
std::array<std::int64_t, 3> GroupShares(Profile profile);

// Sub-activities: cross-cutting support (X.XX, Permendagri 90/2019 programme 01) and
// the OPD's own programme sub-activities under its affair.
inline constexpr const char* kSubGaji = "X.XX.01.2.02.0001";       // Gaji dan tunjangan ASN.
inline constexpr const char* kSubLogistik = "X.XX.01.2.06.0004";   // Bahan logistik kantor.
inline constexpr const char* kSubRapat = "X.XX.01.2.06.0009";      // Rapat koordinasi dan konsultasi.
inline constexpr const char* kSubListrik = "X.XX.01.2.08.0002";    // Jasa komunikasi, air dan listrik.
inline constexpr const char* kSubPelayanan = "X.XX.01.2.08.0004";  // Jasa pelayanan umum kantor.
inline constexpr const char* kSubKendaraan = "X.XX.01.2.09.0002";  // Pemeliharaan kendaraan dinas.
inline constexpr const char* kSubPeralatan = "X.XX.01.2.07.0006";  // Peralatan dan mesin lainnya.
inline constexpr const char* kSubGedung = "X.XX.01.2.07.0010";     // Sarana dan prasarana gedung kantor.

struct LineTemplate {
  int program;  // -1: the support sub-activity `sub`; else programme sub-activity 0..2.
  const char* sub;
  Cat cat;
  std::int64_t per_mille;  // Of the group.
};

std::vector<LineTemplate> GoodsAndServicesLines(Profile profile);

std::vector<LineTemplate> CapitalLines(Profile profile);

std::string ProgramSub(const char* opd_code, int program);

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

inline constexpr const char* kCores[] = {
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
inline constexpr std::size_t kCoreCount = std::size(kCores);

inline constexpr const char* kFirstNames[] = {
    "Ahmad", "Budi", "Citra", "Dedi", "Eka", "Fitri", "Gunawan", "Hendra", "Indah", "Joko",
    "Kurniawati", "Lukman", "Maya", "Nurhayati", "Oktaviani", "Putri", "Rahmat", "Sari",
    "Taufik", "Umi", "Wahyu", "Yuliana", "Zainal", "Agus", "Rina", "Slamet", "Dewi", "Hasan",
    "Lestari", "Yusuf", "Ratna", "Irwan", "Susanti", "Bambang", "Novita", "Syamsul",
};
inline constexpr const char* kLastNames[] = {
    "Saputra", "Hidayat", "Wijaya", "Pratama", "Lestari", "Kurniawan", "Santoso", "Rahmawati",
    "Siregar", "Nasution", "Harahap", "Firmansyah", "Susanto", "Putra", "Ramadhan",
    "Wulandari", "Handayani", "Gunadi", "Setiawan", "Purnomo", "Syahputra", "Anggraini",
};

struct BankSpec {
  const char* name;
  const char* prefix;
  std::size_t length;
};
inline constexpr BankSpec kBanks[] = {
    {"Bank Bengkulu", "0012", 10},     {"Bank Rakyat Indonesia", "0345", 15},
    {"Bank Negara Indonesia", "0", 10}, {"Bank Mandiri", "110", 13},
    {"Bank Syariah Indonesia", "7", 10},
};

void GiveBank(Rng& rng, Vendor& vendor, std::size_t bank);

std::string CompanyNpwp(Rng& rng);
std::string PersonalNpwp(Rng& rng);  // NIK of Rejang Lebong.

// The i-th enterprise of a pool: a company name in the pool's trade.
Vendor MakeEnterprise(Rng& rng, Pool pool, std::size_t i);

Vendor MakePerson(Rng& rng, bool speaker);

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
  kSplitSix, kUncollected, kEarlyPay,
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
  std::string procurement_type;  // procurement.type when the plant sets it.
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

// A pengembalian belanja: part of a payment paid back to the kas daerah by STS weeks
// later, recorded on the day the cash came back by the officer of the payment's OPD.
struct Refund {
  std::size_t expenditure = 0;  // Index into the expenditures.
  Day date;                     // Its value date and recording day, in the fiscal year.
  std::int64_t amount = 0;      // Sen; below the payment's gross.
  std::string sts_no, reason;
  std::int64_t seq = 0;
};

// Refunds come last on a day: after the day's payments, reversals and deposits.
enum class Phase { kOpd, kBudget, kExpenditure, kReversal, kDeposit, kRefund };

struct Event {
  Day day;
  Phase phase;
  std::int64_t order;
  std::size_t index;  // Into opds, budget entries, expenditures, deposits or refunds.
};

struct BudgetEntry {
  std::size_t line;
  std::int64_t pagu;
  const char* stage;
  Day day;
};

std::string OfficerSub(std::size_t opd);
inline constexpr const char* kAdminSub = "admin.bpkad";

std::array<std::int64_t, 12> MonthlyPlan(std::int64_t pagu, Shape shape);

// A working day of `month` (January from the 6th, December up to the 30th).
Day PickDay(Rng& rng, std::int64_t year, unsigned month);

unsigned PickMonth(Rng& rng, Shape shape);

std::string Describe(Rng& rng, Cat cat, unsigned month, std::int64_t year);

inline constexpr const char* kCashReasons[] = {
    "Penyedia di desa terpencil tidak menerima transfer atau QRIS",
    "Jaringan internet dan EDC tidak tersedia di lokasi kegiatan",
    "Pedagang pasar tradisional tidak memiliki rekening bank",
};
inline constexpr const char* kReversalReasons[] = {
    "Salah kode rekening; dicatat ulang pada rekening yang benar",
    "Salah input nilai transaksi; dicatat ulang dengan nilai yang benar",
    "Transfer ditolak bank penerima (rekening tidak aktif); dana kembali ke kas",
    "Tercatat ganda pada buku kas umum",
    "Salah pembebanan sub kegiatan; dikoreksi oleh PPK-SKPD",
};

}  // namespace jejak::cli::demo
