// Summary benchmark: budget absorption and audit findings on a ledger of 1,000,000
// expenditures, each timed against a naive baseline measured in the same run (a scan of the
// entries table for absorption, parsing every expenditure's JSON for findings). It reports
// figures and ratios; it asserts only correctness (absorption equals the baseline's sums).
//
// How to run (not registered with ctest):
//
//   cd /work/main
//   flock /tmp/jejak-build.lock cmake -S . -B build
//   flock /tmp/jejak-build.lock cmake --build build --target summary_bench
//   JEJAK_BENCH_ENTRIES=100000 build/summary_bench         # quick: 100,000 expenditures
//   nohup build/summary_bench > /tmp/summary_bench.log &   # full: 1,000,000 expenditures
//
// Environment:
//   JEJAK_BENCH_ENTRIES  expenditures to generate (default 1000000): 9/10 in fiscal year
//                        2025 and 1/10 in 2026, plus ~1% reversals, monthly tax deposits,
//                        30 OPD entries and ~1,650 budget entries per year (with revisions).
//   JEJAK_BENCH_DIR      where the ledger is cached (default /tmp/jejak-bench). The file
//                        ledger-<N>-v<generator>.db is reused when its marker file records
//                        the same tree size; delete the directory to force a refill.
// Google Benchmark flags work as usual, e.g. --benchmark_filter=Absorption.
#include <benchmark/benchmark.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "crypto/ed25519.h"
#include "db/store.h"
#include "ledger/absorption.h"
#include "ledger/audit.h"
#include "base/check.h"
#include "ledger/entry.h"
#include "ledger/limits.h"
#include "ledger/money.h"
#include "ledger/note.h"

namespace jejak::db {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Bump when the generated data changes, so that a cached ledger of the old shape is not
// reused.
constexpr int kGeneratorVersion = 1;
constexpr std::uint32_t kSeed = 20250101;
constexpr std::size_t kGroupCommit = 256;
constexpr int kLinesPerOpd = 50;
constexpr std::int64_t kFirstYear = 2025;   // 9/10 of the expenditures.
constexpr std::int64_t kSecondYear = 2026;  // 1/10: the findings year.
constexpr const char* kOrigin = "jejak.bench/kabupaten-contoh";
constexpr std::int64_t kRupiah = 100;  // Sen per rupiah.

ledger::NoteSigner BenchSigner() {
  std::array<std::uint8_t, 32> seed{};
  seed[0] = 42;
  return ledger::MakeSigner(kOrigin, crypto::KeyFromSeed(seed));
}

// ---------------------------------------------------------------------------------------
// Dates.

using Days = std::chrono::sys_days;

Days DateOf(std::int64_t year, unsigned month, unsigned day) {
  return Days(std::chrono::year_month_day(std::chrono::year(static_cast<int>(year)),
                                          std::chrono::month(month), std::chrono::day(day)));
}

std::string FormatDate(Days day) {
  const std::chrono::year_month_day ymd(day);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}

unsigned MonthOf(Days day) {
  return static_cast<unsigned>(std::chrono::year_month_day(day).month());
}

Days LastDayOfMonth(std::int64_t year, unsigned month) {
  return Days(
      std::chrono::year_month_day_last(std::chrono::year(static_cast<int>(year)),
                                       std::chrono::month_day_last(std::chrono::month(month))));
}

// ---------------------------------------------------------------------------------------
// The regency: OPDs, their payees and budget lines.

struct OpdInfo {
  const char* code;
  const char* name;
  int urusan;  // For sub-activity codes.
  int bidang;
};

constexpr std::array<OpdInfo, 30> kOpds = {{
    {"1.01.0.00.0.00.01.0000", "Dinas Pendidikan dan Kebudayaan", 1, 1},
    {"1.02.0.00.0.00.01.0000", "Dinas Kesehatan", 1, 2},
    {"1.02.0.00.0.00.02.0000", "RSUD Kabupaten", 1, 2},
    {"1.03.0.00.0.00.01.0000", "Dinas Pekerjaan Umum dan Penataan Ruang", 1, 3},
    {"1.04.0.00.0.00.01.0000", "Dinas Perumahan dan Kawasan Permukiman", 1, 4},
    {"1.05.0.00.0.00.01.0000", "Satuan Polisi Pamong Praja", 1, 5},
    {"1.05.0.00.0.00.02.0000", "Badan Penanggulangan Bencana Daerah", 1, 5},
    {"1.06.0.00.0.00.01.0000", "Dinas Sosial", 1, 6},
    {"2.07.0.00.0.00.01.0000", "Dinas Tenaga Kerja dan Transmigrasi", 2, 7},
    {"2.08.0.00.0.00.01.0000", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak", 2, 8},
    {"2.09.0.00.0.00.01.0000", "Dinas Ketahanan Pangan", 2, 9},
    {"2.11.0.00.0.00.01.0000", "Dinas Lingkungan Hidup", 2, 11},
    {"2.12.0.00.0.00.01.0000", "Dinas Kependudukan dan Pencatatan Sipil", 2, 12},
    {"2.13.0.00.0.00.01.0000", "Dinas Pemberdayaan Masyarakat dan Desa", 2, 13},
    {"2.15.0.00.0.00.01.0000", "Dinas Perhubungan", 2, 15},
    {"2.16.0.00.0.00.01.0000", "Dinas Komunikasi dan Informatika", 2, 16},
    {"2.17.0.00.0.00.01.0000", "Dinas Koperasi dan UKM", 2, 17},
    {"2.18.0.00.0.00.01.0000", "Dinas Penanaman Modal dan PTSP", 2, 18},
    {"2.19.0.00.0.00.01.0000", "Dinas Pemuda dan Olahraga", 2, 19},
    {"2.22.0.00.0.00.01.0000", "Dinas Pariwisata", 2, 22},
    {"3.25.0.00.0.00.01.0000", "Dinas Perikanan", 3, 25},
    {"3.27.0.00.0.00.01.0000", "Dinas Pertanian", 3, 27},
    {"3.30.0.00.0.00.01.0000", "Dinas Perdagangan dan Perindustrian", 3, 30},
    {"4.01.0.00.0.00.01.0000", "Sekretariat Daerah", 4, 1},
    {"4.02.0.00.0.00.01.0000", "Sekretariat DPRD", 4, 2},
    {"5.01.0.00.0.00.01.0000", "Badan Perencanaan Pembangunan Daerah", 5, 1},
    {"5.02.0.00.0.00.01.0000", "Badan Keuangan dan Aset Daerah", 5, 2},
    {"5.03.0.00.0.00.01.0000", "Badan Kepegawaian dan Pengembangan SDM", 5, 3},
    {"6.01.0.00.0.00.01.0000", "Inspektorat", 6, 1},
    {"7.01.0.00.0.00.01.0000", "Kecamatan Kota", 7, 1},
}};

enum Group { kPegawai, kBarangJasa, kModal, kLainnya };

struct AccountInfo {
  const char* code;
  Group group;
  const char* description;
};

constexpr std::array<AccountInfo, 14> kAccounts = {{
    {"5.1.01.02.01.0001", kPegawai, "Honorarium narasumber dan tim pelaksana"},
    {"5.1.01.03.02.0001", kPegawai, "Tambahan penghasilan berdasarkan beban kerja"},
    {"5.1.02.01.01.0024", kBarangJasa, "Belanja alat tulis kantor"},
    {"5.1.02.01.01.0026", kBarangJasa, "Belanja bahan cetak dan penggandaan"},
    {"5.1.02.01.01.0052", kBarangJasa, "Belanja makanan dan minuman rapat"},
    {"5.1.02.02.01.0013", kBarangJasa, "Belanja jasa tenaga kebersihan"},
    {"5.1.02.02.01.0029", kBarangJasa, "Belanja jasa konsultansi"},
    {"5.1.02.03.02.0035", kBarangJasa, "Belanja pemeliharaan kendaraan dinas"},
    {"5.1.02.04.01.0001", kBarangJasa, "Belanja perjalanan dinas dalam daerah"},
    {"5.2.02.05.01.0005", kModal, "Belanja modal peralatan komputer"},
    {"5.2.03.01.01.0001", kModal, "Belanja modal gedung kantor"},
    {"5.2.04.01.01.0012", kModal, "Belanja modal jalan kabupaten"},
    {"5.1.05.05.01.0001", kLainnya, "Belanja hibah kepada badan dan lembaga"},
    {"5.1.06.01.01.0001", kLainnya, "Belanja bantuan sosial kepada individu"},
}};

constexpr std::array<const char*, 6> kBanks = {
    "Bank Bengkulu", "Bank BRI", "Bank Mandiri", "Bank BNI", "Bank Syariah Indonesia", "Bank BTN"};

struct Payee {
  std::string name;
  std::string npwp;  // May be empty.
  std::string bank;
  std::string account_no;
};

struct Line {
  int opd = 0;
  std::string sub_activity;
  int account = 0;  // Index into kAccounts.
};

struct Regency {
  std::vector<std::vector<Payee>> payees;  // Per OPD.
  std::vector<Line> lines;
  std::discrete_distribution<int> line_pick;
};

Regency MakeRegency(std::mt19937& rng) {
  Regency regency;
  std::uniform_int_distribution<int> bank(0, static_cast<int>(kBanks.size()) - 1);
  std::uniform_int_distribution<long long> digits(1'000'000'000LL, 9'999'999'999LL);
  std::bernoulli_distribution has_npwp(0.8);
  for (std::size_t o = 0; o < kOpds.size(); ++o) {
    std::vector<Payee> payees;
    for (int p = 0; p < 300; ++p) {
      Payee payee;
      payee.name = (p % 3 == 0   ? "CV Mitra "
                    : p % 3 == 1 ? "PT Karya "
                                 : "Toko Sumber ") +
                   std::to_string(o * 1000 + static_cast<std::size_t>(p));
      if (has_npwp(rng)) payee.npwp = "0" + std::to_string(digits(rng)) + "0000";  // 15 digits.
      payee.bank = kBanks[static_cast<std::size_t>(bank(rng))];
      payee.account_no = std::to_string(digits(rng));
      payees.push_back(std::move(payee));
    }
    regency.payees.push_back(std::move(payees));
  }
  // Accounts by share of lines: pegawai, barang/jasa, modal, lainnya.
  std::discrete_distribution<int> account_pick({4, 4, 6, 5, 5, 4, 3, 5, 7, 3, 2, 2, 1, 1});
  std::lognormal_distribution<double> weight(0.0, 0.8);
  std::vector<double> weights;
  for (std::size_t o = 0; o < kOpds.size(); ++o) {
    const double opd_size = weight(rng);  // Some OPDs spend far more than others.
    for (int l = 0; l < kLinesPerOpd; ++l) {
      char code[32];
      std::snprintf(code, sizeof code, "%d.%02d.%02d.2.%02d.%04d", kOpds[o].urusan, kOpds[o].bidang,
                    1 + l / 10, 1 + l % 10, 1 + l);
      regency.lines.push_back(Line{static_cast<int>(o), code, account_pick(rng)});
      weights.push_back(opd_size * weight(rng));
    }
  }
  regency.line_pick = std::discrete_distribution<int>(weights.begin(), weights.end());
  return regency;
}

// ---------------------------------------------------------------------------------------
// One fiscal year of expenditures, generated before appending so that pagu and RAK plans
// (recorded at the start of the year) fit what is spent.

enum Instrument { kCms, kSp2dLs, kKkpd, kQris, kCash };

struct Spend {
  Days stream_date;  // When it happens in the ledger (decides recorded_at).
  Days value_date;   // Usually the same; earlier for late recordings.
  int line = 0;
  int payee = 0;
  Instrument instrument = kCms;
  std::int64_t gross_sen = 0;
  bool reversed = false;
  bool works = false;  // Construction: PPh 4(2) instead of PPN and PPh 22.
};

std::int64_t LogUniformSen(std::mt19937& rng, double low_rupiah, double high_rupiah) {
  std::uniform_real_distribution<double> u(std::log(low_rupiah), std::log(high_rupiah));
  return static_cast<std::int64_t>(std::exp(u(rng))) * kRupiah;
}

// Seasonal shape of regional spending: slow start, December peak.
constexpr std::array<double, 12> kMonthWeights = {3, 5, 7, 8, 8, 8, 9, 9, 9, 10, 11, 13};

std::vector<Spend> GenerateSpends(std::mt19937& rng, const Regency& regency, std::int64_t year,
                                  std::int64_t count) {
  std::discrete_distribution<int> month_pick(kMonthWeights.begin(), kMonthWeights.end());
  std::discrete_distribution<int> payee_pick = [] {
    std::vector<double> w;  // A few regular vendors take most payments.
    for (int p = 0; p < 300; ++p) w.push_back(1.0 / (1.0 + p * 0.1));
    return std::discrete_distribution<int>(w.begin(), w.end());
  }();
  std::bernoulli_distribution reversed(0.01);
  std::bernoulli_distribution late(0.001);
  std::uniform_int_distribution<int> late_days(8, 25);
  std::uniform_int_distribution<int> percent(0, 99);
  auto line_pick = regency.line_pick;
  std::vector<Spend> spends;
  spends.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    Spend s;
    const unsigned month = static_cast<unsigned>(month_pick(rng)) + 1;
    const unsigned last =
        static_cast<unsigned>(std::chrono::year_month_day(LastDayOfMonth(year, month)).day());
    Days date = DateOf(year, month, std::uniform_int_distribution<unsigned>(1, last)(rng));
    // Working days only: a weekend payment moves to the Friday before (Monday after at the
    // year's start).
    const std::chrono::weekday weekday(date);
    if (weekday == std::chrono::Saturday) date -= std::chrono::days(1);
    if (weekday == std::chrono::Sunday) date -= std::chrono::days(2);
    if (date < DateOf(year, 1, 2)) date = DateOf(year, 1, 5);
    s.stream_date = date;
    s.value_date = date;
    s.line = line_pick(rng);
    s.payee = payee_pick(rng);
    const Group group =
        kAccounts[static_cast<std::size_t>(regency.lines[static_cast<std::size_t>(s.line)].account)]
            .group;
    const int roll = percent(rng);
    switch (group) {
      case kPegawai:
        s.instrument = roll < 60 ? kSp2dLs : kCms;
        s.gross_sen = LogUniformSen(rng, 300'000, 15'000'000);
        break;
      case kBarangJasa:
        s.instrument = roll < 45   ? kCms
                       : roll < 55 ? kSp2dLs
                       : roll < 70 ? kKkpd
                       : roll < 90 ? kQris
                                   : kCash;
        if (s.instrument == kCash) {
          s.gross_sen = LogUniformSen(rng, 50'000, 2'500'000);  // Some above the cash cap.
        } else if (s.instrument == kKkpd || s.instrument == kQris) {
          s.gross_sen = LogUniformSen(rng, 50'000, 10'000'000);
        } else {
          s.gross_sen = LogUniformSen(rng, 100'000, 50'000'000);
        }
        break;
      case kModal:
        s.instrument = roll < 80 ? kSp2dLs : kCms;
        s.gross_sen = LogUniformSen(rng, 10'000'000, 400'000'000);
        s.works = kAccounts[static_cast<std::size_t>(
                                regency.lines[static_cast<std::size_t>(s.line)].account)]
                      .code[4] != '2';  // 5.2.03 buildings, 5.2.04 roads.
        break;
      case kLainnya:
        s.instrument = roll < 50 ? kSp2dLs : kCms;
        s.gross_sen = LogUniformSen(rng, 1'000'000, 100'000'000);
        break;
    }
    s.reversed = reversed(rng);
    if (late(rng)) {
      const Days earlier = date - std::chrono::days(late_days(rng));
      if (earlier >= DateOf(year, 1, 2)) s.value_date = earlier;
    }
    spends.push_back(s);
  }
  std::stable_sort(spends.begin(), spends.end(),
                   [](const Spend& a, const Spend& b) { return a.stream_date < b.stream_date; });
  return spends;
}

// Taxes withheld, by type, in whole rupiah (Indonesian practice for simplified rates).
std::vector<std::pair<const char*, std::int64_t>> TaxesOf(const Spend& s, Group group) {
  std::vector<std::pair<const char*, std::int64_t>> taxes;
  auto rupiah = [](double sen) { return static_cast<std::int64_t>(sen / kRupiah) * kRupiah; };
  const double gross = static_cast<double>(s.gross_sen);
  switch (group) {
    case kPegawai:
      taxes.emplace_back("PPh21", rupiah(gross * 0.05));
      break;
    case kBarangJasa:
      if (s.instrument != kCash && s.gross_sen > 2'000'000 * kRupiah) {
        const double base = gross * 100.0 / 111.0;  // Gross includes PPN.
        taxes.emplace_back("PPN", rupiah(base * 0.11));
        taxes.emplace_back(s.payee % 2 == 0 ? "PPh22" : "PPh23",
                           rupiah(base * (s.payee % 2 == 0 ? 0.015 : 0.02)));
      }
      break;
    case kModal:
      if (s.works) {
        taxes.emplace_back("PPh4(2)", rupiah(gross * 0.0265));
      } else {
        const double base = gross * 100.0 / 111.0;
        taxes.emplace_back("PPN", rupiah(base * 0.11));
        taxes.emplace_back("PPh22", rupiah(base * 0.015));
      }
      break;
    case kLainnya:
      break;
  }
  std::erase_if(taxes, [](const auto& tax) { return tax.second <= 0; });
  return taxes;
}

// ---------------------------------------------------------------------------------------
// Appending in group commits.

std::shared_ptr<const json> Validated(const json& body) {
  Result<json> valid = body.value("kind", "") == "genesis" ? ledger::ValidateGenesis(body)
                                                           : ledger::ValidateBody(body);
  if (!valid) {
    std::fprintf(stderr, "generated body does not validate: %s\n%s\n",
                 valid.error().ToString().c_str(), body.dump().c_str());
    JEJAK_CHECK(valid.has_value());
  }
  return std::make_shared<const json>(std::move(valid).value());
}

class Filler {
 public:
  explicit Filler(Store& store) : store_(store) {}

  // Queues an entry happening on `date`; returns the seq it will get.
  std::int64_t Add(const json& body, const std::string& recorded_by, Days date) {
    pending_.push_back(PendingEntry{Validated(body), recorded_by, "", ""});
    if (!pending_date_ || date > *pending_date_) pending_date_ = date;
    const std::int64_t seq = next_seq_ + static_cast<std::int64_t>(pending_.size()) - 1;
    if (pending_.size() == kGroupCommit) Flush();
    return seq;
  }

  void Flush() {
    if (pending_.empty()) return;
    const std::string recorded_at = FormatDate(*pending_date_) + "T09:30:00.000Z";
    const Clock::time_point start = Clock::now();
    Result<BatchReceipt> receipt = store_.Append(pending_, recorded_at);
    append_time_ += Clock::now() - start;
    if (!receipt) {
      std::fprintf(stderr, "append failed at seq %" PRId64 ": %s\n", next_seq_,
                   receipt.error().ToString().c_str());
      JEJAK_CHECK(receipt.has_value());
    }
    JEJAK_CHECK(receipt->entries.front().seq == next_seq_);
    next_seq_ += static_cast<std::int64_t>(pending_.size());
    JEJAK_CHECK(receipt->tree_size == static_cast<std::uint64_t>(next_seq_));
    ++commits_;
    pending_.clear();
    pending_date_.reset();
    if (next_seq_ / 100'000 != last_report_ / 100'000) {
      last_report_ = next_seq_;
      std::fprintf(stderr, "[ fill     ] %" PRId64 " entries, %.0f entries/s appending\n",
                   next_seq_, static_cast<double>(next_seq_) / AppendSeconds());
    }
  }

  std::int64_t tree_size() const { return next_seq_; }
  std::int64_t commits() const { return commits_; }
  double AppendSeconds() const { return std::chrono::duration<double>(append_time_).count(); }

 private:
  Store& store_;
  std::vector<PendingEntry> pending_;
  std::optional<Days> pending_date_;
  std::int64_t next_seq_ = 0;
  std::int64_t commits_ = 0;
  std::int64_t last_report_ = 0;
  Clock::duration append_time_{};
};

struct FillStats {
  std::int64_t expenditures = 0;
  std::int64_t reversals = 0;
  std::int64_t tax_deposits = 0;
  std::int64_t budgets = 0;
};

json BudgetBody(std::int64_t year, const Line& line, std::int64_t pagu_sen, const char* stage) {
  // RAK: the pagu spread by the seasonal shape, the rounding remainder in December.
  double weight_sum = 0;
  for (double w : kMonthWeights) weight_sum += w;
  json plan = json::array();
  std::int64_t planned = 0;
  for (std::size_t m = 0; m < 12; ++m) {
    std::int64_t month_sen =
        m == 11 ? pagu_sen - planned
                : static_cast<std::int64_t>(static_cast<double>(pagu_sen / kRupiah) *
                                            kMonthWeights[m] / weight_sum) *
                      kRupiah;
    planned += month_sen;
    plan.push_back(ledger::FormatMoney(month_sen));
  }
  return {{"kind", "budget"},
          {"fiscal_year", year},
          {"opd", kOpds[static_cast<std::size_t>(line.opd)].code},
          {"sub_activity", line.sub_activity},
          {"account", kAccounts[static_cast<std::size_t>(line.account)].code},
          {"pagu", ledger::FormatMoney(pagu_sen)},
          {"stage", stage},
          {"monthly_plan", plan}};
}

void FillYear(std::mt19937& rng, const Regency& regency, std::int64_t year, std::int64_t count,
              Filler& filler, FillStats& stats, std::int64_t& reference) {
  std::vector<Spend> spends = GenerateSpends(rng, regency, year, count);

  // Pagu per line: what the line spends and 2-30% more; 3% of lines get less (OVER_PAGU).
  std::vector<std::int64_t> spent(regency.lines.size(), 0);
  for (const Spend& s : spends) {
    if (!s.reversed) spent[static_cast<std::size_t>(s.line)] += s.gross_sen;
  }
  std::uniform_real_distribution<double> headroom(1.02, 1.3);
  std::uniform_real_distribution<double> short_by(0.85, 0.97);
  std::bernoulli_distribution over(0.03);
  std::vector<std::int64_t> pagu(regency.lines.size());
  for (std::size_t l = 0; l < regency.lines.size(); ++l) {
    const double factor = over(rng) ? short_by(rng) : headroom(rng);
    // Whole thousands of rupiah, at least Rp 10 million for a line that spends nothing.
    const double rupiah = std::max(10'000'000.0, static_cast<double>(spent[l] / kRupiah) * factor);
    pagu[l] = static_cast<std::int64_t>(rupiah / 1000.0) * 1000 * kRupiah;
  }
  const Days year_start = DateOf(year, 1, 2);
  for (std::size_t l = 0; l < regency.lines.size(); ++l) {
    filler.Add(BudgetBody(year, regency.lines[l], pagu[l], "murni"), "bappeda", year_start);
    ++stats.budgets;
  }

  std::bernoulli_distribution revised(0.1);
  std::uniform_real_distribution<double> revision(0.95, 1.15);
  std::bernoulli_distribution undeposited(0.03);
  std::uniform_int_distribution<int> reversal_delay(1, 300);
  std::uniform_int_distribution<int> evidence_lag(0, 3);
  std::uniform_int_distribution<int> mechanism(0, 9);
  bool revisions_done = false;

  struct Scheduled {
    std::int64_t due;  // Spend index after which the reversal is appended.
    std::int64_t seq;
    Days date;
  };
  std::deque<Scheduled> reversals;
  // (OPD, tax type) -> (seq, amount) of the month's unreversed taxed expenditures.
  std::map<std::pair<int, std::string>, std::vector<std::pair<std::int64_t, std::int64_t>>> taxed;
  unsigned month = 1;

  auto emit_reversal = [&](const Scheduled& r) {
    filler.Add(
        {{"kind", "reversal"}, {"reverses", r.seq}, {"reason", "Salah input nilai, dicatat ulang"}},
        "bendahara.bkad", r.date);
    ++stats.reversals;
  };
  auto close_month = [&](unsigned closing) {
    for (const Scheduled& r : reversals) emit_reversal(r);
    reversals.clear();
    const Days deposit_day = LastDayOfMonth(year, closing);
    for (auto& [key, items] : taxed) {
      if (undeposited(rng)) continue;  // Left for TAX_NOT_DEPOSITED.
      for (std::size_t begin = 0; begin < items.size(); begin += ledger::kCoversMax) {
        const std::size_t end = std::min(items.size(), begin + ledger::kCoversMax);
        json covers = json::array();
        std::int64_t amount = 0;
        for (std::size_t i = begin; i < end; ++i) {
          covers.push_back(items[i].first);
          amount += items[i].second;
        }
        ++reference;
        char billing[24], ntpn[24];
        std::snprintf(billing, sizeof billing, "8%014" PRId64, reference);
        std::snprintf(ntpn, sizeof ntpn, "NT%014" PRId64, reference);
        filler.Add({{"kind", "tax_deposit"},
                    {"fiscal_year", year},
                    {"opd", kOpds[static_cast<std::size_t>(key.first)].code},
                    {"tax_type", key.second},
                    {"amount", ledger::FormatMoney(amount)},
                    {"billing_code", billing},
                    {"ntpn", ntpn},
                    {"deposit_date", FormatDate(deposit_day)},
                    {"covers", covers}},
                   "bendahara.bkad", deposit_day);
        ++stats.tax_deposits;
      }
    }
    taxed.clear();
  };

  for (std::size_t i = 0; i < spends.size(); ++i) {
    const Spend& s = spends[i];
    const unsigned spend_month = MonthOf(s.stream_date);
    while (month < spend_month) close_month(month++);
    if (!revisions_done && spend_month >= 7) {
      // Pergeseran at mid-year: a tenth of the lines move.
      revisions_done = true;
      for (std::size_t l = 0; l < regency.lines.size(); ++l) {
        if (!revised(rng)) continue;
        const std::int64_t moved =
            static_cast<std::int64_t>(static_cast<double>(pagu[l] / kRupiah / 1000) *
                                      revision(rng)) *
            1000 * kRupiah;
        filler.Add(BudgetBody(year, regency.lines[l], moved, "pergeseran"), "bappeda",
                   s.stream_date);
        ++stats.budgets;
      }
    }

    const Line& line = regency.lines[static_cast<std::size_t>(s.line)];
    const AccountInfo& account = kAccounts[static_cast<std::size_t>(line.account)];
    const OpdInfo& opd = kOpds[static_cast<std::size_t>(line.opd)];
    const Payee& payee =
        regency.payees[static_cast<std::size_t>(line.opd)][static_cast<std::size_t>(s.payee)];
    const std::vector<std::pair<const char*, std::int64_t>> taxes = TaxesOf(s, account.group);
    std::int64_t tax_sum = 0;
    json tax_list = json::array();
    for (const auto& [type, amount] : taxes) {
      tax_sum += amount;
      tax_list.push_back({{"type", type}, {"amount", ledger::FormatMoney(amount)}});
    }
    ++reference;
    const std::string number = std::to_string(reference);
    const std::string value_date = FormatDate(s.value_date);
    json body = {{"kind", "expenditure"},
                 {"fiscal_year", year},
                 {"opd", opd.code},
                 {"sub_activity", line.sub_activity},
                 {"account", account.code},
                 {"value_date", value_date},
                 {"gross", ledger::FormatMoney(s.gross_sen)},
                 {"taxes", tax_list},
                 {"net", ledger::FormatMoney(s.gross_sen - tax_sum)},
                 {"description", account.description}};
    json documents = {
        {"evidence_no",
         "BKU/" + std::to_string(s.line) + "/" + std::to_string(year) + "/" + number},
        {"evidence_date", FormatDate(s.value_date - std::chrono::days(evidence_lag(rng)))}};
    const int roll = mechanism(rng);
    switch (s.instrument) {
      case kCms:
        body["instrument"] = "cms_transfer";
        body["mechanism"] = roll < 7 ? "GU" : roll < 9 ? "UP" : "TU";
        body["bank_ref"] = "CMS" + std::to_string(year) + "-" + number;
        break;
      case kSp2dLs:
        body["instrument"] = "sp2d_ls";
        body["mechanism"] = "LS";
        body["bank_ref"] = "SP2D" + std::to_string(year) + "-" + number;
        documents["spp"] = "SPP-" + number;
        documents["spm"] = "SPM-" + number;
        documents["sp2d"] = "SP2D-" + number;
        break;
      case kKkpd:
        body["instrument"] = "kkpd";
        body["mechanism"] = roll < 8 ? "UP" : "GU";
        body["bank_ref"] = "KKPD" + std::to_string(year) + "-" + number;
        break;
      case kQris:
        body["instrument"] = "qris";
        body["mechanism"] = "GU";
        body["bank_ref"] = "QRIS" + std::to_string(year) + "-" + number;
        break;
      case kCash:
        body["instrument"] = "cash";
        body["mechanism"] = "UP";
        body["cash_reason"] = "Penyedia di desa tanpa layanan perbankan";
        break;
    }
    json payee_body = {{"name", payee.name}};
    if (!payee.npwp.empty()) payee_body["npwp"] = payee.npwp;
    if (s.instrument != kCash) {
      payee_body["bank"] = payee.bank;
      payee_body["account_no"] = payee.account_no;
      payee_body["account_name"] = payee.name;
    }
    body["payee"] = payee_body;
    body["documents"] = documents;
    if (account.group == kModal && s.gross_sen > 200'000'000LL * kRupiah) {
      body["procurement"] = {{"method", "tender"},
                             {"contract_no", "SPK/" + number},
                             {"contract_value", ledger::FormatMoney(s.gross_sen)}};
    }
    const std::int64_t seq =
        filler.Add(body, "bendahara." + std::to_string(line.opd), s.stream_date);
    ++stats.expenditures;
    if (s.reversed) {
      reversals.push_back(
          Scheduled{static_cast<std::int64_t>(i) + reversal_delay(rng), seq, s.stream_date});
    } else {
      for (const auto& [type, amount] : taxes) taxed[{line.opd, type}].emplace_back(seq, amount);
    }
    while (!reversals.empty() && reversals.front().due <= static_cast<std::int64_t>(i)) {
      Scheduled due = reversals.front();
      due.date = s.stream_date;
      emit_reversal(due);
      reversals.pop_front();
    }
  }
  while (month <= 12) close_month(month++);
}

struct Ledger {
  fs::path path;
  std::int64_t expenditures = 0;
};

std::int64_t EnvInt(const char* name, std::int64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || value <= 0) {
    std::fprintf(stderr, "%s must be a positive integer, not \"%s\"\n", name, text);
    std::exit(2);
  }
  return value;
}

// Returns the cached ledger, filling it first if the cache is missing or incomplete.
Ledger PrepareLedger() {
  const char* dir_env = std::getenv("JEJAK_BENCH_DIR");
  const fs::path dir = dir_env && *dir_env ? fs::path(dir_env) : fs::path("/tmp/jejak-bench");
  const std::int64_t expenditures = EnvInt("JEJAK_BENCH_ENTRIES", 1'000'000);
  fs::create_directories(dir);
  const std::string stem =
      "ledger-" + std::to_string(expenditures) + "-v" + std::to_string(kGeneratorVersion);
  const fs::path path = dir / (stem + ".db");
  const fs::path marker = dir / (stem + ".tree_size");

  if (fs::exists(path) && fs::exists(marker)) {
    std::int64_t expected = -1;
    std::ifstream(marker) >> expected;
    Result<std::unique_ptr<Store>> store = Store::Open({"sqlite:" + path.string(), std::nullopt, ""});
    if (store) {
      Result<std::uint64_t> size = (*store)->TreeSize();
      if (size && static_cast<std::int64_t>(*size) == expected) {
        std::printf("[ setup    ] reusing %s (%" PRId64 " entries)\n", path.c_str(), expected);
        return Ledger{path, expenditures};
      }
    }
    std::printf("[ setup    ] cached %s does not match its marker: refilling\n", path.c_str());
  }
  const fs::path partial = dir / (stem + ".partial.db");
  for (const fs::path& stale : {path, marker, partial, fs::path(partial.string() + "-wal"),
                                fs::path(partial.string() + "-shm")}) {
    fs::remove(stale);
  }

  const Clock::time_point start = Clock::now();
  FillStats stats;
  std::int64_t tree_size = 0;
  double append_seconds = 0;
  std::int64_t commits = 0;
  {
    Result<std::unique_ptr<Store>> opened =
        Store::Open({"sqlite:" + partial.string(), BenchSigner(), ""});
    JEJAK_CHECK(opened.has_value());
    Store& store = **opened;
    Filler filler(store);
    std::mt19937 rng(kSeed);
    const Regency regency = MakeRegency(rng);
    const Days opening = DateOf(kFirstYear, 1, 2);
    filler.Add({{"kind", "genesis"},
                {"ledger_id", "kabupaten-contoh"},
                {"origin", kOrigin},
                {"region", "Pemerintah Kabupaten Contoh"},
                {"checkpoint_key", ledger::FormatVerifierKey(ledger::VerifierOf(BenchSigner()))}},
               "jejak-init", opening);
    filler.Flush();  // Genesis alone, as jejak init writes it.
    for (const OpdInfo& opd : kOpds) {
      filler.Add({{"kind", "opd"}, {"code", opd.code}, {"name", opd.name}}, "admin", opening);
    }
    std::int64_t reference = 0;
    const std::int64_t second = expenditures / 10;
    FillYear(rng, regency, kFirstYear, expenditures - second, filler, stats, reference);
    FillYear(rng, regency, kSecondYear, second, filler, stats, reference);
    filler.Flush();
    tree_size = filler.tree_size();
    append_seconds = filler.AppendSeconds();
    commits = filler.commits();
  }
  const double total_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  fs::rename(partial, path);  // The store closed cleanly: no -wal file is left.
  std::ofstream(marker) << tree_size << "\n";
  std::printf("[ fill     ] %" PRId64 " entries (%" PRId64 " expenditures, %" PRId64
              " reversals, %" PRId64 " tax deposits, %" PRId64 " budgets, 30 OPDs, genesis)\n",
              tree_size, stats.expenditures, stats.reversals, stats.tax_deposits, stats.budgets);
  std::printf("[ fill     ] Store::Append, %" PRId64
              " group commits of up to 256: %.0f entries/s (%.1f s in Append)\n",
              commits, static_cast<double>(tree_size) / append_seconds, append_seconds);
  std::printf("[ fill     ] end to end with generation and validation: %.0f entries/s (%.1f s)\n",
              static_cast<double>(tree_size) / total_seconds, total_seconds);
  std::printf("[ fill     ] database file: %.0f MiB\n",
              static_cast<double>(fs::file_size(path)) / (1024.0 * 1024.0));
  return Ledger{path, expenditures};
}

// ---------------------------------------------------------------------------------------
// The benchmarks.

struct World {
  Ledger ledger;
  std::unique_ptr<Store> store;
  std::unique_ptr<soci::session> sql;  // The baselines' own connection to the same file.
  std::int64_t absorption_year = 0;
  std::string absorption_as_of;
  std::int64_t findings_year = kSecondYear;
  std::string findings_as_of;
  std::int64_t findings_expenditures = 0;
  std::int64_t absorption_year_entries = 0;
};

World* world = nullptr;

// Mean wall time per iteration of each benchmark's last run, for the ratios.
std::map<std::string, double>& MeanMs() {
  static std::map<std::string, double> means;
  return means;
}

class IterationTimer {
 public:
  void Start() { start_ = Clock::now(); }
  void Stop() {
    total_ += Clock::now() - start_;
    ++iterations_;
  }
  void Record(const std::string& name) const {
    if (iterations_ == 0) return;
    MeanMs()[name] = std::chrono::duration<double, std::milli>(total_).count() /
                     static_cast<double>(iterations_);
  }

 private:
  Clock::time_point start_;
  Clock::duration total_{};
  std::int64_t iterations_ = 0;
};

void SetRatio(benchmark::State& state, const char* counter, const std::string& self,
              const std::string& reference) {
  const auto mine = MeanMs().find(self);
  const auto theirs = MeanMs().find(reference);
  if (mine != MeanMs().end() && theirs != MeanMs().end() && theirs->second > 0) {
    state.counters[counter] = mine->second / theirs->second;
  }
}

ledger::AbsorptionReport Absorption() {
  Result<ledger::AbsorptionInput> input =
      world->store->AbsorptionInputs(world->absorption_year, world->absorption_as_of, std::nullopt);
  JEJAK_CHECK(input.has_value());
  Result<ledger::AbsorptionReport> report = ledger::ComputeAbsorption(*input);
  JEJAK_CHECK(report.has_value());
  return std::move(report).value();
}

// Realisation per (OPD, month), the naive way: sum the entries table on every request.
constexpr const char* kBaselineSql =
    "SELECT e.opd, substr(e.value_date, 1, 7), SUM(e.amount_sen), COUNT(*) FROM entries e"
    " WHERE e.kind = 'expenditure' AND e.fiscal_year = :y AND e.value_date <= :d"
    " AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.reverses = e.seq)"
    " GROUP BY e.opd, substr(e.value_date, 1, 7)";

struct BaselineSums {
  std::map<std::string, std::int64_t> per_opd;
  std::int64_t total_sen = 0;
  std::int64_t entries = 0;
};

BaselineSums AbsorptionBaseline() {
  BaselineSums sums;
  std::string opd, month;
  long long amount = 0, count = 0;
  long long year = world->absorption_year;
  soci::statement statement =
      (world->sql->prepare << kBaselineSql, soci::into(opd), soci::into(month), soci::into(amount),
       soci::into(count), soci::use(year), soci::use(world->absorption_as_of));
  statement.execute(false);
  while (statement.fetch()) {
    sums.per_opd[opd] += amount;
    sums.total_sen += amount;
    sums.entries += count;
  }
  return sums;
}

// Absorption must equal the baseline, in total and per OPD: aborts the run otherwise.
void CheckAbsorptionAgainstBaseline(const ledger::AbsorptionReport& report,
                                    const BaselineSums& sums) {
  if (report.total.realisation_sen != sums.total_sen) {
    std::fprintf(stderr, "absorption total %" PRId64 " != baseline total %" PRId64 "\n",
                 report.total.realisation_sen, sums.total_sen);
  }
  JEJAK_CHECK(report.total.realisation_sen == sums.total_sen);
  std::int64_t entries = 0;
  for (const auto& [name, amounts] : report.total.instruments) entries += amounts.entries;
  JEJAK_CHECK(entries == sums.entries);
  for (const ledger::Absorption& opd : report.opds) {
    const auto it = sums.per_opd.find(opd.opd);
    JEJAK_CHECK(opd.realisation_sen == (it == sums.per_opd.end() ? 0 : it->second));
  }
}

void BM_Absorption(benchmark::State& state) {
  IterationTimer timer;
  std::int64_t realisation_sen = 0;
  std::size_t opds = 0;
  for (auto _ : state) {
    timer.Start();
    ledger::AbsorptionReport report = Absorption();
    timer.Stop();
    realisation_sen = report.total.realisation_sen;
    opds = report.opds.size();
    benchmark::DoNotOptimize(report);
  }
  timer.Record("absorption");
  state.counters["opds"] = static_cast<double>(opds);
  state.counters["realisation_rp_bn"] =
      static_cast<double>(realisation_sen) / static_cast<double>(kRupiah) / 1e9;
  state.SetLabel("fiscal year " + std::to_string(world->absorption_year) + ", " +
                 std::to_string(world->absorption_year_entries) + " expenditures");
}

// The split of BM_Absorption: the store's reads, then the pure computation.
void BM_AbsorptionInputsOnly(benchmark::State& state) {
  IterationTimer timer;
  std::size_t rows = 0;
  std::size_t budgets = 0;
  for (auto _ : state) {
    timer.Start();
    Result<ledger::AbsorptionInput> input = world->store->AbsorptionInputs(
        world->absorption_year, world->absorption_as_of, std::nullopt);
    timer.Stop();
    JEJAK_CHECK(input.has_value());
    rows = input->realisation.size();
    budgets = input->budgets.size();
    benchmark::DoNotOptimize(input);
  }
  timer.Record("absorption_inputs");
  state.counters["realisation_rows"] = static_cast<double>(rows);
  state.counters["budget_lines"] = static_cast<double>(budgets);
}

void BM_ComputeAbsorptionOnly(benchmark::State& state) {
  Result<ledger::AbsorptionInput> input =
      world->store->AbsorptionInputs(world->absorption_year, world->absorption_as_of, std::nullopt);
  JEJAK_CHECK(input.has_value());
  IterationTimer timer;
  for (auto _ : state) {
    timer.Start();
    Result<ledger::AbsorptionReport> report = ledger::ComputeAbsorption(*input);
    timer.Stop();
    JEJAK_CHECK(report.has_value());
    benchmark::DoNotOptimize(report);
  }
  timer.Record("absorption_compute");
}

// Absorption pinned below the newest tree size: realisation from one grouped query over
// the entries instead of the aggregates (tests/db/refund_test.cc checks the two agree).
void BM_AbsorptionPinned(benchmark::State& state) {
  Result<std::uint64_t> size = world->store->TreeSize();
  JEJAK_CHECK(size.has_value() && *size > 1);
  const db::AbsorptionScope scope{*size - 1, false};
  IterationTimer timer;
  for (auto _ : state) {
    timer.Start();
    Result<ledger::AbsorptionInput> input = world->store->AbsorptionInputs(
        world->absorption_year, world->absorption_as_of, std::nullopt, scope);
    JEJAK_CHECK(input.has_value());
    Result<ledger::AbsorptionReport> report = ledger::ComputeAbsorption(*input);
    timer.Stop();
    JEJAK_CHECK(report.has_value());
    benchmark::DoNotOptimize(report);
  }
  timer.Record("absorption_pinned");
}

void BM_AbsorptionBaselineFullScan(benchmark::State& state) {
  IterationTimer timer;
  BaselineSums sums;
  for (auto _ : state) {
    timer.Start();
    sums = AbsorptionBaseline();
    timer.Stop();
    benchmark::DoNotOptimize(sums);
  }
  timer.Record("absorption_baseline");
  CheckAbsorptionAgainstBaseline(Absorption(), sums);
  SetRatio(state, "x_slower_than_aggregates", "absorption_baseline", "absorption");
  state.counters["rows_summed"] = static_cast<double>(sums.entries);
}

ledger::AuditRules Rules() {
  ledger::AuditRules rules;
  // National holidays of 2026 (SKB 3 Menteri), so deposit deadlines move as they would.
  rules.holidays = {"2026-01-01", "2026-01-16", "2026-02-17", "2026-03-19",
                    "2026-03-20", "2026-03-21", "2026-04-03", "2026-05-01",
                    "2026-05-14", "2026-05-27", "2026-05-31", "2026-06-01",
                    "2026-06-16", "2026-08-17", "2026-08-25", "2026-12-25"};
  return rules;
}

ledger::AuditInput FindingsInput() {
  Result<ledger::AuditInput> input =
      world->store->AuditInputs(world->findings_year, world->findings_as_of);
  JEJAK_CHECK(input.has_value());
  return std::move(input).value();
}

void FindingCounters(benchmark::State& state, const std::vector<ledger::Finding>& findings,
                     std::size_t expenditures) {
  state.counters["findings"] = static_cast<double>(findings.size());
  state.counters["expenditures"] = static_cast<double>(expenditures);
}

void BM_Findings(benchmark::State& state) {
  const ledger::AuditRules rules = Rules();
  IterationTimer timer;
  std::vector<ledger::Finding> findings;
  std::size_t expenditures = 0;
  for (auto _ : state) {
    timer.Start();
    ledger::AuditInput input = FindingsInput();
    findings = ledger::RunAuditRules(input, rules);
    timer.Stop();
    expenditures = input.expenditures.size();
    benchmark::DoNotOptimize(findings);
  }
  timer.Record("findings");
  FindingCounters(state, findings, expenditures);
  state.SetLabel("fiscal year " + std::to_string(world->findings_year));
}

void BM_FindingsInputsOnly(benchmark::State& state) {
  IterationTimer timer;
  std::size_t expenditures = 0;
  for (auto _ : state) {
    timer.Start();
    ledger::AuditInput input = FindingsInput();
    timer.Stop();
    expenditures = input.expenditures.size();
    benchmark::DoNotOptimize(input);
  }
  timer.Record("findings_inputs");
  state.counters["expenditures"] = static_cast<double>(expenditures);
}

void BM_RulesOnly(benchmark::State& state) {
  const ledger::AuditRules rules = Rules();
  const ledger::AuditInput input = FindingsInput();
  IterationTimer timer;
  std::vector<ledger::Finding> findings;
  for (auto _ : state) {
    timer.Start();
    findings = ledger::RunAuditRules(input, rules);
    timer.Stop();
    benchmark::DoNotOptimize(findings);
  }
  timer.Record("rules");
  FindingCounters(state, findings, input.expenditures.size());
  std::map<std::string, int> per_rule;
  for (const ledger::Finding& finding : findings) ++per_rule[finding.rule];
  for (const auto& [rule, count] : per_rule) state.counters[rule] = count;
}

// What a naive findings implementation pays before any rule runs: read the canonical JSON
// of every expenditure of the year and parse it.
void BM_ParseEveryExpenditureJson(benchmark::State& state) {
  IterationTimer timer;
  std::int64_t parsed = 0;
  for (auto _ : state) {
    timer.Start();
    parsed = 0;
    std::int64_t gross_chars = 0;
    std::vector<std::string> canonicals(2048);
    long long year = world->findings_year;
    soci::statement statement =
        (world->sql->prepare << "SELECT canonical FROM entries WHERE kind = 'expenditure'"
                                " AND fiscal_year = :y ORDER BY seq",
         soci::into(canonicals), soci::use(year));
    statement.execute(false);
    while (statement.fetch()) {
      for (const std::string& canonical : canonicals) {
        const json entry = json::parse(canonical);
        gross_chars +=
            static_cast<std::int64_t>(entry["gross"].get_ref<const std::string&>().size());
        ++parsed;
      }
      canonicals.resize(2048);
    }
    timer.Stop();
    benchmark::DoNotOptimize(gross_chars);
  }
  timer.Record("parse_json");
  JEJAK_CHECK(parsed == world->findings_expenditures);
  state.counters["expenditures"] = static_cast<double>(parsed);
  SetRatio(state, "x_of_findings", "parse_json", "findings");
  SetRatio(state, "x_of_findings_inputs", "parse_json", "findings_inputs");
}

BENCHMARK(BM_Absorption)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_AbsorptionInputsOnly)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_ComputeAbsorptionOnly)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_AbsorptionPinned)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_AbsorptionBaselineFullScan)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Findings)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_FindingsInputsOnly)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_RulesOnly)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_ParseEveryExpenditureJson)->Unit(benchmark::kMillisecond)->Iterations(5);

void PrintPlan(soci::session& sql, const std::string& label, const std::string& query) {
  std::printf("[ plan     ] %s\n", label.c_str());
  soci::rowset<soci::row> rows = sql.prepare << "EXPLAIN QUERY PLAN " + query;
  for (const soci::row& row : rows) {
    std::printf("[ plan     ]   %s\n", row.get<std::string>(3).c_str());
  }
}

void PrintRatios() {
  const std::map<std::string, double>& means = MeanMs();
  auto show = [&](const char* label, const char* name, std::optional<double> target_ms) {
    const auto it = means.find(name);
    if (it == means.end()) return;
    std::printf("[ summary  ] %-44s %10.2f ms", label, it->second);
    if (target_ms) {
      std::printf("  (target < %.0f ms: %s)", *target_ms,
                  it->second < *target_ms ? "met" : "MISSED");
    }
    std::printf("\n");
  };
  auto ratio = [&](const char* label, const char* slow, const char* fast) {
    const auto a = means.find(slow);
    const auto b = means.find(fast);
    if (a == means.end() || b == means.end() || b->second <= 0) return;
    std::printf("[ ratio    ] %-44s %10.1fx\n", label, a->second / b->second);
  };
  std::printf("\n");
  show("absorption (aggregates)", "absorption", 100.0);
  show("absorption inputs only (store reads)", "absorption_inputs", std::nullopt);
  show("ComputeAbsorption only", "absorption_compute", std::nullopt);
  show("absorption baseline (scan entries)", "absorption_baseline", std::nullopt);
  show("findings (inputs + rules)", "findings", 2000.0);
  show("findings inputs only", "findings_inputs", std::nullopt);
  show("audit rules only", "rules", std::nullopt);
  show("baseline: parse every expenditure's JSON", "parse_json", std::nullopt);
  ratio("absorption baseline / absorption", "absorption_baseline", "absorption");
  ratio("parse every JSON / findings", "parse_json", "findings");
  ratio("parse every JSON / findings inputs", "parse_json", "findings_inputs");
}

void Setup() {
  static World the_world;
  world = &the_world;
  world->ledger = PrepareLedger();
  Result<std::unique_ptr<Store>> store =
      Store::Open({"sqlite:" + world->ledger.path.string(), std::nullopt, ""});
  JEJAK_CHECK(store.has_value());
  world->store = std::move(store).value();
  world->sql = std::make_unique<soci::session>(soci::sqlite3, "db=" + world->ledger.path.string());

  // The year with the most expenditures, and the findings year's count.
  std::map<long long, long long> per_year;
  {
    long long year = 0, count = 0;
    soci::statement statement =
        (world->sql->prepare << "SELECT fiscal_year, COUNT(*) FROM entries"
                                " WHERE kind = 'expenditure' GROUP BY fiscal_year",
         soci::into(year), soci::into(count));
    statement.execute(false);
    while (statement.fetch()) per_year[year] = count;
  }
  JEJAK_CHECK(!per_year.empty());
  for (const auto& [year, count] : per_year) {
    std::printf("[ data     ] fiscal year %lld: %lld expenditures\n", year, count);
    if (count > world->absorption_year_entries) {
      world->absorption_year = year;
      world->absorption_year_entries = count;
    }
  }
  world->absorption_as_of = std::to_string(world->absorption_year) + "-12-31";
  world->findings_as_of = std::to_string(world->findings_year) + "-12-31";
  world->findings_expenditures = per_year[world->findings_year];
  Result<std::uint64_t> size = world->store->TreeSize();
  JEJAK_CHECK(size.has_value());
  std::printf("[ data     ] ledger: %" PRIu64 " entries; absorption for %" PRId64
              " as of %s; findings for %" PRId64 " as of %s\n",
              *size, world->absorption_year, world->absorption_as_of.c_str(), world->findings_year,
              world->findings_as_of.c_str());

  // Correctness before timing: aggregates and the scan agree.
  CheckAbsorptionAgainstBaseline(Absorption(), AbsorptionBaseline());
  std::printf("[ check    ] absorption realisation equals the baseline scan (total and per OPD)\n");

  PrintPlan(*world->sql, "baseline absorption scan", kBaselineSql);
  PrintPlan(*world->sql, "store: realisation_monthly (absorption)",
            "SELECT opd, account_group, instrument, month, amount_sen, entries"
            " FROM realisation_monthly WHERE fiscal_year = 2025 AND month < '2025-12'"
            " AND (0 = 0 OR opd = '')");
  PrintPlan(*world->sql, "store: budgets in force (absorption, findings)",
            "SELECT seq, opd, sub_activity, account, amount_sen, monthly_plan"
            " FROM entries WHERE kind = 'budget' AND fiscal_year = 2025"
            " AND recorded_at <= '2025-12-31T23:59:59.999Z' AND (0 = 0 OR opd = '') ORDER BY seq");
  PrintPlan(*world->sql, "store: expenditures with reversal (findings)",
            "SELECT e.seq, e.opd, e.amount_sen, r.seq FROM entries e LEFT JOIN entries r"
            " ON r.reverses = e.seq WHERE e.kind = 'expenditure' AND e.fiscal_year = 2026"
            " ORDER BY e.seq");
  PrintPlan(*world->sql, "store: OPD names (absorption)",
            "SELECT canonical FROM entries WHERE kind = 'opd'");
  std::fflush(stdout);
}

}  // namespace
}  // namespace jejak::db

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  jejak::db::Setup();
  benchmark::RunSpecifiedBenchmarks();
  jejak::db::PrintRatios();
  benchmark::Shutdown();
  return 0;
}
