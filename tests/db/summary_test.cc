// Absorption and audit findings over a small regency built by hand in a real SQLite
// store: three OPDs, budgets with RAK plans (a pergeseran recorded later that replaces a
// line, a perubahan recorded after some as_of dates), expenditures on every instrument
// across months and account groups, two reversals and three tax deposits (on time, on
// the deadline day, late) plus one tax never deposited. Every number below was worked out
// from the entries in BuildRegency, independently of absorption.cc and audit.cc.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

#include "crypto/ed25519.h"
#include "db/store.h"
#include "ledger/absorption.h"
#include "ledger/audit.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/money.h"

namespace jejak::db {
namespace {

namespace fs = std::filesystem;
using ledger::Band;
using Plan = std::array<std::int64_t, 12>;
using Seqs = std::vector<std::int64_t>;

constexpr const char* kOrigin = "jejak.test/kabupaten-summary";
// B sorts before A by code, so reports list B, A, C.
constexpr const char* kOpdA = "1.02.0.00.0.00.01.0000";  // Dinas Kesehatan.
constexpr const char* kOpdB = "1.01.0.00.0.00.01.0000";  // Dinas Pendidikan.
constexpr const char* kOpdC = "1.03.0.00.0.00.01.0000";  // Dinas PUPR.
constexpr const char* kPegawai = "5.1.01.01.01.0001";
constexpr const char* kBarangJasa = "5.1.02.01.01.0024";
constexpr const char* kModal = "5.2.02.05.01.0001";
constexpr const char* kTakTerduga = "5.3.01.01.01.0001";  // Group "lainnya".
constexpr std::int64_t kMillion = 1'000'000LL * 100;      // Rp1,000,000 in sen.

std::string SubActivityOf(const std::string& opd) {
  if (opd == kOpdA) return "1.02.02.2.01.0014";
  if (opd == kOpdB) return "1.01.02.2.01.0001";
  return "1.03.03.2.01.0002";
}

ledger::NoteSigner TestSigner() {
  std::array<std::uint8_t, 32> seed{};
  seed[0] = 11;
  return ledger::MakeSigner(kOrigin, crypto::KeyFromSeed(seed));
}

std::shared_ptr<const nlohmann::json> Body(nlohmann::json body) {
  Result<nlohmann::json> valid = body.value("kind", "") == "genesis" ? ledger::ValidateGenesis(body)
                                                                     : ledger::ValidateBody(body);
  if (!valid) ADD_FAILURE() << "test body does not validate: " << valid.error().ToString() << "\n" << body.dump();
  return std::make_shared<const nlohmann::json>(valid ? std::move(valid).value() : body);
}

std::string Money(std::int64_t sen) { return ledger::FormatMoney(sen); }

struct Payee {
  std::string name;
  std::string npwp;  // Empty: none.
  std::string bank;  // Empty: cash, no account.
  std::string account_no;
};

struct Spend {
  std::string opd;
  std::string account;
  std::string instrument;
  std::string value_date;
  std::int64_t gross_sen = 0;
  std::vector<std::pair<std::string, std::int64_t>> taxes_sen;
  Payee payee;
  std::string evidence_no;
  std::string evidence_date;  // Empty: the value date.
  std::string method;         // procurement.method (contract "SPK-<evidence_no>"); empty: none.
  bool pkp = false;           // payee.pkp true.
};

nlohmann::json ExpenditureBody(const Spend& s, int bank_ref) {
  nlohmann::json taxes = nlohmann::json::array();
  std::int64_t net_sen = s.gross_sen;
  for (const auto& [type, sen] : s.taxes_sen) {
    taxes.push_back({{"type", type}, {"amount", Money(sen)}});
    net_sen -= sen;
  }
  nlohmann::json payee = {{"name", s.payee.name}};
  if (!s.payee.npwp.empty()) payee["npwp"] = s.payee.npwp;
  if (!s.payee.bank.empty()) {
    payee["bank"] = s.payee.bank;
    payee["account_no"] = s.payee.account_no;
    payee["account_name"] = s.payee.name;
  }
  nlohmann::json body = {
      {"kind", "expenditure"},
      {"fiscal_year", 2026},
      {"opd", s.opd},
      {"sub_activity", SubActivityOf(s.opd)},
      {"account", s.account},
      {"mechanism", s.instrument == "sp2d_ls" ? "LS" : "GU"},
      {"instrument", s.instrument},
      {"value_date", s.value_date},
      {"gross", Money(s.gross_sen)},
      {"taxes", taxes},
      {"net", Money(net_sen)},
      {"payee", payee},
      {"documents",
       {{"evidence_no", s.evidence_no},
        {"evidence_date", s.evidence_date.empty() ? s.value_date : s.evidence_date}}},
      {"description", "Belanja " + s.evidence_no}};
  if (!s.method.empty()) {
    body["procurement"] = {{"method", s.method},
                           {"contract_no", "SPK-" + s.evidence_no},
                           {"contract_value", Money(s.gross_sen)}};
  }
  if (s.pkp) body["payee"]["pkp"] = true;
  if (s.instrument == "cash") {
    body["cash_reason"] = "Penyedia tidak memiliki rekening bank";
  } else {
    body["bank_ref"] = "REF-" + std::to_string(bank_ref);
  }
  return body;
}

class SummaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("jejak-summary-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Result<std::unique_ptr<Store>> store =
        Store::Open({"sqlite:" + (dir_ / "ledger.db").string(), TestSigner(), ""});
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    store_ = std::move(store).value();
    BuildRegency();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // Appends one entry recorded at 03:00 UTC on `date` and remembers its seq as `name`.
  void Record(const std::string& name, nlohmann::json body, const std::string& date,
              const std::string& by = "bendahara") {
    Result<BatchReceipt> receipt =
        store_->Append({PendingEntry{Body(std::move(body)), by}}, date + "T03:00:00.000Z");
    ASSERT_TRUE(receipt.has_value()) << name << ": " << receipt.error().ToString();
    seq_[name] = receipt->entries.at(0).seq;
  }
  // An expenditure recorded on its value date unless `recorded` says otherwise.
  void Pay(const std::string& name, const Spend& spend, const std::string& recorded = "") {
    Record(name, ExpenditureBody(spend, ++bank_refs_),
           recorded.empty() ? spend.value_date : recorded);
  }
  void Budget(const std::string& name, const std::string& opd, const std::string& account,
              std::int64_t pagu_sen, const std::optional<Plan>& plan, const std::string& stage,
              const std::string& recorded) {
    nlohmann::json body = {{"kind", "budget"},   {"fiscal_year", 2026},
                           {"opd", opd},         {"sub_activity", SubActivityOf(opd)},
                           {"account", account}, {"pagu", Money(pagu_sen)},
                           {"stage", stage}};
    if (plan) {
      nlohmann::json months = nlohmann::json::array();
      for (std::int64_t sen : *plan) months.push_back(Money(sen));
      body["monthly_plan"] = months;
    }
    Record(name, body, recorded, "admin");
  }
  void Reverse(const std::string& name, const std::string& target, const std::string& date) {
    Record(name, {{"kind", "reversal"}, {"reverses", S(target)}, {"reason", "salah input"}}, date);
  }
  void Deposit(const std::string& name, const std::string& opd, const std::string& tax_type,
               std::int64_t amount_sen, const std::string& date, const std::string& covers) {
    Record(name,
           {{"kind", "tax_deposit"},
            {"fiscal_year", 2026},
            {"opd", opd},
            {"tax_type", tax_type},
            {"amount", Money(amount_sen)},
            {"billing_code", "0123456789012" + std::to_string(10 + seq_.size() % 90)},
            {"ntpn", "NTPN" + std::to_string(100000000000LL + static_cast<long long>(seq_.size()))},
            {"deposit_date", date},
            {"covers", {S(covers)}}},
           date);
  }

  std::int64_t S(const std::string& name) const { return seq_.at(name); }

  void BuildRegency() {
    const Payee sinar{"CV Sinar Rejang", "012345678901000", "Bank Bengkulu", "0012034567"};
    const Payee berkah{"Toko Berkah", "", "Bank Bengkulu", "0012999001"};
    const Payee gaji{"Bendahara Gaji", "", "Bank Bengkulu", "0099000001"};
    const Payee apotek{"Apotek Sehat", "", "Bank Bengkulu", "0077000001"};
    const Payee medika{"Toko Medika", "", "BSI", "0066000001"};
    const Payee warung{"Warung Bu Sri", "", "", ""};
    const Payee tanggap{"PT Tanggap Darurat", "", "Bank Bengkulu", "0088000001"};
    const Payee cerdas{"CV Cerdas", "", "Bank Bengkulu", "0055000001"};
    const Payee buku{"CV Buku Nusantara", "056789012345000", "BRI", "0044000001"};
    const Payee sekolah{"PT Bangun Sekolah", "067890123456000", "BNI", "0033000001"};
    const Payee meubel{"PT Meubel Jaya", "078901234567000", "BNI", "0033000002"};
    const Payee seragam{"Toko Seragam", "", "Bank Bengkulu", "0055000002"};
    const Payee kantin{"Kantin Sekolah", "", "BSI", "0066000002"};
    const Payee aspal{"CV Aspal Prima", "045678901234000", "Mandiri", "0022000001"};
    const Payee bangunan{"Toko Bangunan", "", "Mandiri", "0022000002"};
    const Payee beton{"PT Beton Jaya", "023456789012000", "BRI", "0034000111"};
    const Payee karya{"CV Karya Mandiri", "034567890123000", "BNI", "0045000222"};
    const Payee atk{"Toko ATK", "", "BSI", "0066000003"};

    Record("genesis",
           {{"kind", "genesis"},
            {"ledger_id", "summary-test"},
            {"origin", kOrigin},
            {"region", "Pemerintah Kabupaten Contoh"},
            {"checkpoint_key", ledger::FormatVerifierKey(ledger::VerifierOf(TestSigner()))}},
           "2026-01-02", "jejak-init");
    Record("opd_a", {{"kind", "opd"}, {"code", kOpdA}, {"name", "Dinas Kesehatan"}}, "2026-01-02", "admin");
    Record("opd_b", {{"kind", "opd"}, {"code", kOpdB}, {"name", "Dinas Pendidikan"}}, "2026-01-02", "admin");
    Record("opd_c", {{"kind", "opd"}, {"code", kOpdC}, {"name", "Dinas PUPR"}}, "2026-01-02", "admin");
    // Evidence dated 1 January, paid 2 January: inside the year (OUTSIDE_FISCAL_YEAR near miss).
    Pay("b1", {kOpdB, kBarangJasa, "cms_transfer", "2026-01-02", 6 * kMillion, {}, cerdas, "B-001", "2026-01-01"});

    Plan flat10{}, flat5{}, b_bj{}, b_mod{}, c_mod{}, a_bj_shifted{}, b_mod_changed{};
    flat10.fill(10 * kMillion);
    flat5.fill(5 * kMillion);
    for (std::size_t m = 0; m < 12; ++m) b_bj[m] = (m < 10 ? 4 : 5) * kMillion;
    b_mod[5] = b_mod[8] = b_mod[11] = 100 * kMillion;
    for (std::size_t m = 2; m < 12; ++m) c_mod[m] = 100 * kMillion;
    for (std::size_t m = 0; m < 12; ++m) a_bj_shifted[m] = (m < 3 ? 10 : 6) * kMillion;
    b_mod_changed = b_mod;
    b_mod_changed[11] = 200 * kMillion;
    Budget("a_bj", kOpdA, kBarangJasa, 120 * kMillion, flat10, "murni", "2026-01-05");
    Budget("a_peg", kOpdA, kPegawai, 60 * kMillion, flat5, "murni", "2026-01-05");
    Budget("a_lain", kOpdA, kTakTerduga, 10 * kMillion, std::nullopt, "murni", "2026-01-05");
    Budget("b_bj", kOpdB, kBarangJasa, 50 * kMillion, b_bj, "murni", "2026-01-05");
    Budget("b_mod", kOpdB, kModal, 300 * kMillion, b_mod, "murni", "2026-01-05");
    Budget("c_mod", kOpdC, kModal, 1000 * kMillion, c_mod, "murni", "2026-01-05");
    Budget("c_bj", kOpdC, kBarangJasa, 20 * kMillion, std::nullopt, "murni", "2026-01-05");

    // Evidence of December 2025 charged to 2026: OUTSIDE_FISCAL_YEAR.
    Pay("a1", {kOpdA, kBarangJasa, "cms_transfer", "2026-01-08", 5 * kMillion, {}, berkah, "A-001", "2025-12-30"});
    // Same evidence number as C's c1: other OPDs may number alike (DUPLICATE near miss).
    Pay("a2", {kOpdA, kPegawai, "sp2d_ls", "2026-01-26", 4'800'000LL * 100, {}, gaji, "SPJ-01"});
    // a3 and a4: same payee account, gross and account 17 days apart: DUPLICATE_PAYMENT.
    Pay("a3", {kOpdA, kBarangJasa, "cms_transfer", "2026-02-03", 12'500'000LL * 100, {}, sinar, "A-003"});
    // Tax never deposited: TAX_NOT_DEPOSITED, high (deadline Monday 16 March 2026).
    Pay("c1", {kOpdC, kBarangJasa, "cms_transfer", "2026-02-10", 15 * kMillion, {{"PPN", 135'135'135}}, aspal, "SPJ-01"});
    Pay("a4", {kOpdA, kBarangJasa, "cms_transfer", "2026-02-20", 12'500'000LL * 100, {}, sinar, "A-004"});
    Pay("a5", {kOpdA, kPegawai, "sp2d_ls", "2026-02-25", 4'850'000LL * 100, {}, gaji, "A-005"});
    // a6 and a7: same payee, gross and account 31 days apart (DUPLICATE near miss).
    Pay("a6", {kOpdA, kBarangJasa, "kkpd", "2026-03-02", 3 * kMillion, {}, apotek, "A-006"});
    // Taxes deposited on time (PPN) and on the deadline day itself (PPh22).
    Pay("a8", {kOpdA, kBarangJasa, "cms_transfer", "2026-03-05", 11'100'000LL * 100,
               {{"PPN", 1'000'000LL * 100}, {"PPh22", 150'000LL * 100}}, sinar, "A-008"});
    // Non-cash above the cash cap: no CASH_PAYMENT (near miss).
    Pay("a9", {kOpdA, kTakTerduga, "qris", "2026-03-10", 2'500'000LL * 100, {}, medika, "A-009"});
    // Cash under the cap: CASH_PAYMENT, low.
    Pay("a10", {kOpdA, kPegawai, "cash", "2026-03-10", 1'500'000LL * 100, {}, warung, "A-010"});
    // Recorded 8 days after its value date: LATE_RECORDING, low.
    Pay("c2", {kOpdC, kBarangJasa, "kkpd", "2026-03-02", 8 * kMillion, {}, bangunan, "C-002"}, "2026-03-10");
    // Pergeseran: A's barang dan jasa line goes from 120,000,000 to 84,000,000.
    Budget("a_bj_pergeseran", kOpdA, kBarangJasa, 84 * kMillion, a_bj_shifted, "pergeseran", "2026-04-01");
    Pay("a7", {kOpdA, kBarangJasa, "kkpd", "2026-04-02", 3 * kMillion, {}, apotek, "A-007"});
    Deposit("d_ppn_a8", kOpdA, "PPN", 1'000'000LL * 100, "2026-04-10", "a8");
    // Recorded exactly 7 days late: not LATE_RECORDING (near miss).
    Pay("a12", {kOpdA, kBarangJasa, "qris", "2026-04-06", 2'050'000LL * 100, {}, medika, "A-012"}, "2026-04-13");
    Deposit("d_pph22_a8", kOpdA, "PPh22", 150'000LL * 100, "2026-04-15", "a8");
    // c3, c4, c5: direct procurements on one line, each under Rp200 million, 240,500,000
    // in the year: SPLIT. c3's payee is a PKP paid without PPN: TAX_NOT_COLLECTED.
    Pay("c3", {kOpdC, kModal, "cms_transfer", "2026-05-04", 80 * kMillion, {}, beton, "C-003", "", "PL", true});
    // Cash above the cap, but reversed: no CASH_PAYMENT; A's reversals are exactly 5% of
    // what A recorded (3,700,000 of 74,000,000): not REVERSAL_HEAVY (near miss); and were
    // it counted, A's line 5.3 would exceed its pagu.
    Pay("a11", {kOpdA, kTakTerduga, "cash", "2026-05-05", 3'700'000LL * 100, {}, warung, "A-011"});
    Reverse("r_a11", "a11", "2026-05-06");
    // Tax deposited five days after its deadline (Monday 15 June): TAX_NOT_DEPOSITED, medium.
    Pay("b2", {kOpdB, kBarangJasa, "cms_transfer", "2026-05-12", 5'550'000LL * 100, {{"PPh23", 111'000LL * 100}}, buku, "B-002"});
    Pay("c4", {kOpdC, kModal, "cms_transfer", "2026-05-18", 79'500'000LL * 100, {}, beton, "C-004", "", "PL"});
    Pay("c5", {kOpdC, kModal, "cms_transfer", "2026-06-01", 81 * kMillion, {}, beton, "C-005", "", "PL"});
    Pay("b3", {kOpdB, kModal, "sp2d_ls", "2026-06-10", 60 * kMillion, {}, sekolah, "B-003"});
    // Brings A's line 5.3 to exactly its pagu of 10,000,000 (OVER_PAGU near miss).
    Pay("a13", {kOpdA, kTakTerduga, "sp2d_ls", "2026-06-15", 7'500'000LL * 100, {}, tanggap, "A-013"});
    // Reversed: 20,000,000 of B's 100,800,000 recorded: REVERSAL_HEAVY.
    Pay("b4", {kOpdB, kModal, "sp2d_ls", "2026-06-20", 20 * kMillion, {}, meubel, "B-004"});
    Deposit("d_pph23_b2", kOpdB, "PPh23", 111'000LL * 100, "2026-06-20", "b2");
    Reverse("r_b4", "b4", "2026-06-25");
    // c6 and c7: one payee, 250,000,000 but 31 days apart (SPLIT near miss).
    Pay("c6", {kOpdC, kModal, "sp2d_ls", "2026-07-01", 100 * kMillion, {}, karya, "C-006"});
    // Cash above the cap: CASH_PAYMENT, high.
    Pay("b5", {kOpdB, kBarangJasa, "cash", "2026-07-07", 2'500'000LL * 100, {}, warung, "B-005"});
    Pay("c7", {kOpdC, kModal, "sp2d_ls", "2026-08-01", 150 * kMillion, {}, karya, "C-007"});
    // Recorded 41 days late: LATE_RECORDING, medium.
    Pay("b6", {kOpdB, kBarangJasa, "kkpd", "2026-07-01", 4 * kMillion, {}, seragam, "B-006"}, "2026-08-11");
    // b7 and b8 share an evidence number: DUPLICATE_PAYMENT.
    Pay("b7", {kOpdB, kBarangJasa, "qris", "2026-09-03", 1 * kMillion, {}, kantin, "B-007"});
    // Perubahan: B's modal line goes from 300,000,000 to 400,000,000.
    Budget("b_mod_perubahan", kOpdB, kModal, 400 * kMillion, b_mod_changed, "perubahan", "2026-09-15");
    Pay("b8", {kOpdB, kBarangJasa, "cms_transfer", "2026-10-05", 1'750'000LL * 100, {}, cerdas, "B-007"});
    // Tax not yet due on 31 December (deadline 15 January 2027); C's line 5.1.02 is now
    // 25,000,000 against a pagu of 20,000,000: OVER_PAGU.
    Pay("c8", {kOpdC, kBarangJasa, "qris", "2026-12-04", 2 * kMillion, {{"PPh22", 30'000LL * 100}}, atk, "C-008"});
  }

  ledger::AbsorptionReport Absorption(const std::string& as_of,
                                      const std::optional<std::string>& opd = std::nullopt) {
    Result<ledger::AbsorptionInput> input = store_->AbsorptionInputs(2026, as_of, opd);
    EXPECT_TRUE(input.has_value()) << input.error().ToString();
    if (!input) return {};
    Result<ledger::AbsorptionReport> report = ledger::ComputeAbsorption(*input);
    EXPECT_TRUE(report.has_value()) << report.error().ToString();
    return report ? std::move(report).value() : ledger::AbsorptionReport{};
  }

  std::vector<ledger::Finding> Findings(const std::string& as_of) {
    Result<ledger::AuditInput> input = store_->AuditInputs(2026, as_of);
    EXPECT_TRUE(input.has_value()) << input.error().ToString();
    if (!input) return {};
    return ledger::RunAuditRules(*input, ledger::AuditRules{});
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  std::map<std::string, std::int64_t> seq_;
  int bank_refs_ = 0;
};

// Every number of one absorption row.
struct Expected {
  std::string opd;
  std::int64_t pagu;
  std::int64_t realisation;
  std::int64_t remaining;
  std::optional<std::int64_t> percent;
  std::array<std::optional<std::int64_t>, 12> monthly;
  std::optional<Plan> plan;
  std::int64_t planned_pagu;
  std::optional<std::int64_t> deviation;
  std::optional<Band> band;
  std::array<std::int64_t, 8> groups;        // (pagu, realisation) per kAccountGroups.
  std::array<std::int64_t, 10> instruments;  // (amount, count) per kInstruments.
  std::array<std::int64_t, 2> non_cash;
  std::array<std::int64_t, 2> cash;
  std::optional<std::int64_t> share;
};

void ExpectRow(const ledger::Absorption& row, const Expected& e) {
  SCOPED_TRACE("row " + (e.opd.empty() ? std::string("total") : e.opd));
  EXPECT_EQ(row.opd, e.opd);
  EXPECT_EQ(row.pagu_sen, e.pagu);
  EXPECT_EQ(row.realisation_sen, e.realisation);
  EXPECT_EQ(row.remaining_sen, e.remaining);
  EXPECT_EQ(row.percent_basis_points, e.percent);
  EXPECT_EQ(row.monthly_sen, e.monthly);
  EXPECT_EQ(row.plan_sen, e.plan);
  EXPECT_EQ(row.planned_pagu_sen, e.planned_pagu);
  EXPECT_EQ(row.deviation_basis_points, e.deviation);
  EXPECT_EQ(row.band, e.band);
  ASSERT_EQ(row.groups.size(), 4u);
  for (std::size_t g = 0; g < 4; ++g) {
    const auto& [pagu, realisation] = row.groups.at(ledger::kAccountGroups[g]);
    EXPECT_EQ(pagu, e.groups[2 * g]) << ledger::kAccountGroups[g];
    EXPECT_EQ(realisation, e.groups[2 * g + 1]) << ledger::kAccountGroups[g];
  }
  ASSERT_EQ(row.instruments.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    const ledger::Amounts& amounts = row.instruments.at(ledger::kInstruments[i]);
    EXPECT_EQ(amounts.amount_sen, e.instruments[2 * i]) << ledger::kInstruments[i];
    EXPECT_EQ(amounts.entries, e.instruments[2 * i + 1]) << ledger::kInstruments[i];
  }
  EXPECT_EQ(row.non_cash.amount_sen, e.non_cash[0]);
  EXPECT_EQ(row.non_cash.entries, e.non_cash[1]);
  EXPECT_EQ(row.cash.amount_sen, e.cash[0]);
  EXPECT_EQ(row.cash.entries, e.cash[1]);
  EXPECT_EQ(row.non_cash_share_basis_points, e.share);
}

void ExpectReport(const ledger::AbsorptionReport& report, const std::vector<Expected>& rows,
                  const Expected& total) {
  ASSERT_EQ(report.opds.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) ExpectRow(report.opds[i], rows[i]);
  ExpectRow(report.total, total);
}


// As of 31 March: the murni budgets (the pergeseran is recorded on 1 April). The band
// counts only the lines with a RAK: planned to March A 45,000,000, B 12,000,000,
// C 100,000,000; realised on those lines A 55,250,000 (57,750,000 less a9's 2,500,000 on
// the unplanned 5.3 line: +22.78%, blue), B 6,000,000 (-50%, red), C nothing (c1 and c2
// are on the unplanned 5.1.02 line: -100%, red); total 61,250,000 against 157,000,000
// (-60.99%, red).
TEST_F(SummaryTest, AbsorptionAsOfEndOfMarchUsesTheMurniBudgets) {
  const std::vector<Expected> rows = {
  {kOpdB,
   /*pagu=*/35000000000, /*realisation=*/600000000, /*remaining=*/34400000000, /*percent=*/171,
   /*monthly=*/{600000000, 600000000, 600000000, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
   /*plan=*/Plan{400000000, 800000000, 1200000000, 1600000000, 2000000000, 12400000000, 12800000000, 13200000000, 23600000000, 24000000000, 24500000000, 35000000000},
   /*planned_pagu=*/35000000000, /*deviation=*/-5000, /*band=*/Band::kRed,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{0, 0, 5000000000, 600000000, 30000000000, 0, 0, 0},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{600000000, 1, 0, 0, 0, 0, 0, 0, 0, 0},
   /*non_cash=*/{600000000, 1}, /*cash=*/{0, 0}, /*share=*/10000},
  {kOpdA,
   /*pagu=*/19000000000, /*realisation=*/5775000000, /*remaining=*/13225000000, /*percent=*/3039,
   /*monthly=*/{980000000, 3965000000, 5775000000, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
   /*plan=*/Plan{1500000000, 3000000000, 4500000000, 6000000000, 7500000000, 9000000000, 10500000000, 12000000000, 13500000000, 15000000000, 16500000000, 18000000000},
   /*planned_pagu=*/18000000000, /*deviation=*/2278, /*band=*/Band::kBlue,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{6000000000, 1115000000, 12000000000, 4410000000, 0, 0, 1000000000, 250000000},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{4110000000, 4, 965000000, 2, 300000000, 1, 250000000, 1, 150000000, 1},
   /*non_cash=*/{5625000000, 8}, /*cash=*/{150000000, 1}, /*share=*/9740},
  {kOpdC,
   /*pagu=*/102000000000, /*realisation=*/2300000000, /*remaining=*/99700000000, /*percent=*/225,
   /*monthly=*/{0, 1500000000, 2300000000, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
   /*plan=*/Plan{0, 0, 10000000000, 20000000000, 30000000000, 40000000000, 50000000000, 60000000000, 70000000000, 80000000000, 90000000000, 100000000000},
   /*planned_pagu=*/100000000000, /*deviation=*/-10000, /*band=*/Band::kRed,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{0, 0, 2000000000, 2300000000, 100000000000, 0, 0, 0},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{1500000000, 1, 0, 0, 800000000, 1, 0, 0, 0, 0},
   /*non_cash=*/{2300000000, 2}, /*cash=*/{0, 0}, /*share=*/10000},
  };
  const Expected total =
  {"",
   /*pagu=*/156000000000, /*realisation=*/8675000000, /*remaining=*/147325000000, /*percent=*/556,
   /*monthly=*/{1580000000, 6065000000, 8675000000, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
   /*plan=*/Plan{1900000000, 3800000000, 15700000000, 27600000000, 39500000000, 61400000000, 73300000000, 85200000000, 107100000000, 119000000000, 131000000000, 153000000000},
   /*planned_pagu=*/153000000000, /*deviation=*/-6099, /*band=*/Band::kRed,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{6000000000, 1115000000, 19000000000, 7310000000, 130000000000, 0, 1000000000, 250000000},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{6210000000, 6, 965000000, 2, 1100000000, 2, 250000000, 1, 150000000, 1},
   /*non_cash=*/{8525000000, 11}, /*cash=*/{150000000, 1}, /*share=*/9827};
  ledger::AbsorptionReport report = Absorption("2026-03-31");
  EXPECT_EQ(report.fiscal_year, 2026);
  EXPECT_EQ(report.as_of, "2026-03-31");
  ExpectReport(report, rows, total);
  EXPECT_EQ(report.opds.at(0).name, "Dinas Pendidikan");
  EXPECT_EQ(report.opds.at(1).name, "Dinas Kesehatan");
  EXPECT_EQ(report.opds.at(2).name, "Dinas PUPR");
  EXPECT_EQ(ledger::FormatBasisPoints(*report.total.percent_basis_points), "5.56");
}

// As of 31 August: the pergeseran is in force for A (pagu 154,000,000), the perubahan
// not yet for B. The RAK lines' realisation against their cumulative plan to August:
// A 60,300,000 of 100,000,000 (its 10,000,000 on 5.3 has no RAK: -39.70%, red),
// B 78,050,000 of 132,000,000 (-40.87%, red), C 490,500,000 of 600,000,000 (without its
// 23,000,000 on 5.1.02: -18.25%, green); total 628,850,000 of 832,000,000 (-24.42%,
// yellow).
TEST_F(SummaryTest, AbsorptionAsOfEndOfAugustHasEveryBand) {
  const std::vector<Expected> rows = {
  {kOpdB,
   /*pagu=*/35000000000, /*realisation=*/7805000000, /*remaining=*/27195000000, /*percent=*/2230,
   /*monthly=*/{600000000, 600000000, 600000000, 600000000, 1155000000, 7155000000, 7805000000, 7805000000, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
   /*plan=*/Plan{400000000, 800000000, 1200000000, 1600000000, 2000000000, 12400000000, 12800000000, 13200000000, 23600000000, 24000000000, 24500000000, 35000000000},
   /*planned_pagu=*/35000000000, /*deviation=*/-4087, /*band=*/Band::kRed,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{0, 0, 5000000000, 1805000000, 30000000000, 6000000000, 0, 0},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{1155000000, 2, 6000000000, 1, 400000000, 1, 0, 0, 250000000, 1},
   /*non_cash=*/{7555000000, 4}, /*cash=*/{250000000, 1}, /*share=*/9680},
  {kOpdA,
   /*pagu=*/15400000000, /*realisation=*/7030000000, /*remaining=*/8370000000, /*percent=*/4565,
   /*monthly=*/{980000000, 3965000000, 5775000000, 6280000000, 6280000000, 7030000000, 7030000000, 7030000000, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
   /*plan=*/Plan{1500000000, 3000000000, 4500000000, 5600000000, 6700000000, 7800000000, 8900000000, 10000000000, 11100000000, 12200000000, 13300000000, 14400000000},
   /*planned_pagu=*/14400000000, /*deviation=*/-3970, /*band=*/Band::kRed,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{6000000000, 1115000000, 8400000000, 4915000000, 0, 0, 1000000000, 1000000000},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{4110000000, 4, 1715000000, 3, 600000000, 2, 455000000, 2, 150000000, 1},
   /*non_cash=*/{6880000000, 11}, /*cash=*/{150000000, 1}, /*share=*/9787},
  {kOpdC,
   /*pagu=*/102000000000, /*realisation=*/51350000000, /*remaining=*/50650000000, /*percent=*/5034,
   /*monthly=*/{0, 1500000000, 2300000000, 2300000000, 18250000000, 26350000000, 36350000000, 51350000000, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
   /*plan=*/Plan{0, 0, 10000000000, 20000000000, 30000000000, 40000000000, 50000000000, 60000000000, 70000000000, 80000000000, 90000000000, 100000000000},
   /*planned_pagu=*/100000000000, /*deviation=*/-1825, /*band=*/Band::kGreen,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{0, 0, 2000000000, 2300000000, 100000000000, 49050000000, 0, 0},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{25550000000, 4, 25000000000, 2, 800000000, 1, 0, 0, 0, 0},
   /*non_cash=*/{51350000000, 7}, /*cash=*/{0, 0}, /*share=*/10000},
  };
  const Expected total =
  {"",
   /*pagu=*/152400000000, /*realisation=*/66185000000, /*remaining=*/86215000000, /*percent=*/4343,
   /*monthly=*/{1580000000, 6065000000, 8675000000, 9180000000, 25685000000, 40535000000, 51185000000, 66185000000, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
   /*plan=*/Plan{1900000000, 3800000000, 15700000000, 27200000000, 38700000000, 60200000000, 71700000000, 83200000000, 104700000000, 116200000000, 127800000000, 149400000000},
   /*planned_pagu=*/149400000000, /*deviation=*/-2442, /*band=*/Band::kYellow,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{6000000000, 1115000000, 15400000000, 9020000000, 130000000000, 55050000000, 1000000000, 1000000000},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{30815000000, 10, 32715000000, 6, 1800000000, 4, 455000000, 2, 400000000, 2},
   /*non_cash=*/{65785000000, 22}, /*cash=*/{400000000, 2}, /*share=*/9940};
  ExpectReport(Absorption("2026-08-31"), rows, total);
}

// As of 31 December: every budget in force (B's perubahan too), every month filled. The
// band: A 60,300,000 of 144,000,000 (-58.13%), B 80,800,000 of 450,000,000 (-82.04%),
// C 490,500,000 of 1,000,000,000 (-50.95%); total 631,600,000 of 1,594,000,000
// (-60.38%): all red.
TEST_F(SummaryTest, AbsorptionAsOfEndOfYear) {
  const std::vector<Expected> rows = {
  {kOpdB,
   /*pagu=*/45000000000, /*realisation=*/8080000000, /*remaining=*/36920000000, /*percent=*/1796,
   /*monthly=*/{600000000, 600000000, 600000000, 600000000, 1155000000, 7155000000, 7805000000, 7805000000, 7905000000, 8080000000, 8080000000, 8080000000},
   /*plan=*/Plan{400000000, 800000000, 1200000000, 1600000000, 2000000000, 12400000000, 12800000000, 13200000000, 23600000000, 24000000000, 24500000000, 45000000000},
   /*planned_pagu=*/45000000000, /*deviation=*/-8204, /*band=*/Band::kRed,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{0, 0, 5000000000, 2080000000, 40000000000, 6000000000, 0, 0},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{1330000000, 3, 6000000000, 1, 400000000, 1, 100000000, 1, 250000000, 1},
   /*non_cash=*/{7830000000, 6}, /*cash=*/{250000000, 1}, /*share=*/9691},
  {kOpdA,
   /*pagu=*/15400000000, /*realisation=*/7030000000, /*remaining=*/8370000000, /*percent=*/4565,
   /*monthly=*/{980000000, 3965000000, 5775000000, 6280000000, 6280000000, 7030000000, 7030000000, 7030000000, 7030000000, 7030000000, 7030000000, 7030000000},
   /*plan=*/Plan{1500000000, 3000000000, 4500000000, 5600000000, 6700000000, 7800000000, 8900000000, 10000000000, 11100000000, 12200000000, 13300000000, 14400000000},
   /*planned_pagu=*/14400000000, /*deviation=*/-5813, /*band=*/Band::kRed,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{6000000000, 1115000000, 8400000000, 4915000000, 0, 0, 1000000000, 1000000000},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{4110000000, 4, 1715000000, 3, 600000000, 2, 455000000, 2, 150000000, 1},
   /*non_cash=*/{6880000000, 11}, /*cash=*/{150000000, 1}, /*share=*/9787},
  {kOpdC,
   /*pagu=*/102000000000, /*realisation=*/51550000000, /*remaining=*/50450000000, /*percent=*/5054,
   /*monthly=*/{0, 1500000000, 2300000000, 2300000000, 18250000000, 26350000000, 36350000000, 51350000000, 51350000000, 51350000000, 51350000000, 51550000000},
   /*plan=*/Plan{0, 0, 10000000000, 20000000000, 30000000000, 40000000000, 50000000000, 60000000000, 70000000000, 80000000000, 90000000000, 100000000000},
   /*planned_pagu=*/100000000000, /*deviation=*/-5095, /*band=*/Band::kRed,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{0, 0, 2000000000, 2500000000, 100000000000, 49050000000, 0, 0},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{25550000000, 4, 25000000000, 2, 800000000, 1, 200000000, 1, 0, 0},
   /*non_cash=*/{51550000000, 8}, /*cash=*/{0, 0}, /*share=*/10000},
  };
  const Expected total =
  {"",
   /*pagu=*/162400000000, /*realisation=*/66660000000, /*remaining=*/95740000000, /*percent=*/4105,
   /*monthly=*/{1580000000, 6065000000, 8675000000, 9180000000, 25685000000, 40535000000, 51185000000, 66185000000, 66285000000, 66460000000, 66460000000, 66660000000},
   /*plan=*/Plan{1900000000, 3800000000, 15700000000, 27200000000, 38700000000, 60200000000, 71700000000, 83200000000, 104700000000, 116200000000, 127800000000, 159400000000},
   /*planned_pagu=*/159400000000, /*deviation=*/-6038, /*band=*/Band::kRed,
   /*groups (pegawai, barang_jasa, modal, lainnya; pagu, realisation)=*/{6000000000, 1115000000, 15400000000, 9495000000, 140000000000, 55050000000, 1000000000, 1000000000},
   /*instruments (cms_transfer, sp2d_ls, kkpd, qris, cash; amount, count)=*/{30990000000, 11, 32715000000, 6, 1800000000, 4, 755000000, 4, 400000000, 2},
   /*non_cash=*/{66260000000, 25}, /*cash=*/{400000000, 2}, /*share=*/9940};
  ExpectReport(Absorption("2026-12-31"), rows, total);
}

// The pergeseran (recorded 1 April) replaces A's barang dan jasa line from that day on:
// A's pagu goes from 190,000,000 to 154,000,000 and its plan to April from 60,000,000
// to 56,000,000 (barang dan jasa 36,000,000 + pegawai 20,000,000).
TEST_F(SummaryTest, PergeseranReplacesTheEarlierLineFromItsRecordingDay) {
  ledger::AbsorptionReport before = Absorption("2026-03-31");
  ledger::AbsorptionReport after = Absorption("2026-04-01");
  ASSERT_EQ(before.opds.size(), 3u);
  ASSERT_EQ(after.opds.size(), 3u);
  EXPECT_EQ(before.opds[1].pagu_sen, 190 * kMillion);
  EXPECT_EQ(before.opds[1].groups.at("barang_jasa").first, 120 * kMillion);
  EXPECT_EQ(after.opds[1].opd, kOpdA);
  EXPECT_EQ(after.opds[1].pagu_sen, 154 * kMillion);
  EXPECT_EQ(after.opds[1].groups.at("barang_jasa").first, 84 * kMillion);
  EXPECT_EQ(after.opds[1].planned_pagu_sen, 144 * kMillion);
  EXPECT_EQ((*after.opds[1].plan_sen)[3], 56 * kMillion);
  EXPECT_EQ((*after.opds[1].plan_sen)[11], 144 * kMillion);
  // 1 April is inside April: the band compares at the end of March, where the shifted
  // plan (3 x 10,000,000 + 3 x 5,000,000) equals the murni one: 55,250,000 of 45,000,000
  // on the RAK lines, +22.78%. Nothing of April is spent yet.
  EXPECT_EQ(after.opds[1].band_month, 2);
  EXPECT_EQ(after.opds[1].deviation_basis_points, 2278);
  EXPECT_EQ(after.opds[1].band, Band::kBlue);
  EXPECT_EQ(after.opds[1].month_to_date_sen, 0);
  EXPECT_EQ(after.opds[1].percent_basis_points, 3750);  // 57,750,000 / 154,000,000.
  EXPECT_EQ(after.total.pagu_sen, 1524 * kMillion);
  EXPECT_EQ(after.total.percent_basis_points, 569);
  EXPECT_EQ(after.total.deviation_basis_points, -6099);
}

// B's perubahan is recorded on 15 September: as of the 14th it does not count yet.
TEST_F(SummaryTest, BudgetRecordedAfterAsOfDoesNotCountYet) {
  ledger::AbsorptionReport day_before = Absorption("2026-09-14");
  ledger::AbsorptionReport same_day = Absorption("2026-09-15");
  ASSERT_EQ(day_before.opds.size(), 3u);
  ASSERT_EQ(same_day.opds.size(), 3u);
  const ledger::Absorption& b_before = day_before.opds[0];
  const ledger::Absorption& b_after = same_day.opds[0];
  EXPECT_EQ(b_before.opd, kOpdB);
  EXPECT_EQ(b_before.pagu_sen, 350 * kMillion);
  EXPECT_EQ(b_before.groups.at("modal").first, 300 * kMillion);
  EXPECT_EQ(b_before.remaining_sen, 270'950'000LL * 100);
  EXPECT_EQ(b_before.percent_basis_points, 2259);
  EXPECT_EQ((*b_before.plan_sen)[11], 350 * kMillion);
  EXPECT_EQ(b_after.pagu_sen, 450 * kMillion);
  EXPECT_EQ(b_after.groups.at("modal").first, 400 * kMillion);
  EXPECT_EQ(b_after.remaining_sen, 370'950'000LL * 100);
  EXPECT_EQ(b_after.percent_basis_points, 1757);
  EXPECT_EQ((*b_after.plan_sen)[11], 450 * kMillion);
  EXPECT_EQ(b_after.planned_pagu_sen, 450 * kMillion);
  // Mid-September the band compares at the end of August, where the plan is the same in
  // both, so is the deviation: 78,050,000 of 132,000,000 planned.
  EXPECT_EQ(b_before.band_month, 7);
  EXPECT_EQ(b_before.deviation_basis_points, -4087);
  EXPECT_EQ(b_after.deviation_basis_points, -4087);
  EXPECT_EQ(b_after.month_to_date_sen, 1 * kMillion);  // b7 on 3 September.
  EXPECT_EQ(day_before.total.pagu_sen, 1524 * kMillion);
  EXPECT_EQ(same_day.total.pagu_sen, 1624 * kMillion);
  EXPECT_EQ(day_before.total.percent_basis_points, 4349);
  EXPECT_EQ(same_day.total.percent_basis_points, 4082);
  // C's RAK line is 18.25% behind plan at the end of August: green.
  EXPECT_EQ(same_day.opds[2].deviation_basis_points, -1825);
  EXPECT_EQ(same_day.opds[2].band, Band::kGreen);
}

// Budget entries with an effective_date (the DPA/DPPA date) are in force from that date,
// whenever they were recorded: here both are entered in January 2027.
TEST_F(SummaryTest, EffectiveDateDecidesWhenABudgetIsInForce) {
  const std::int64_t a_before = Absorption("2026-03-31", kOpdA).opds.at(0).pagu_sen;
  const std::int64_t a_december = Absorption("2026-12-30", kOpdA).opds.at(0).pagu_sen;
  nlohmann::json late_dpa = {{"kind", "budget"},     {"fiscal_year", 2026},
                             {"opd", kOpdA},         {"sub_activity", SubActivityOf(kOpdA)},
                             {"account", kModal},    {"pagu", Money(5 * kMillion)},
                             {"stage", "murni"},     {"effective_date", "2026-02-01"}};
  Record("a_mod_late", late_dpa, "2027-01-10", "admin");
  nlohmann::json year_end = {{"kind", "budget"},        {"fiscal_year", 2026},
                             {"opd", kOpdA},            {"sub_activity", SubActivityOf(kOpdA)},
                             {"account", kTakTerduga},  {"pagu", Money(15 * kMillion)},
                             {"stage", "perubahan"},    {"effective_date", "2026-12-31"}};
  Record("a_lain_late", year_end, "2027-01-10", "admin");
  // The late DPA counts from 1 February, back-dated over what was reported before.
  const auto modal_pagu = [&](const std::string& as_of) -> std::int64_t {
    const auto& groups = Absorption(as_of, kOpdA).opds.at(0).groups;
    const auto modal = groups.find("modal");
    return modal == groups.end() ? 0 : modal->second.first;
  };
  EXPECT_EQ(modal_pagu("2026-01-31"), 0);
  EXPECT_EQ(modal_pagu("2026-02-01"), 5 * kMillion);
  EXPECT_EQ(Absorption("2026-03-31", kOpdA).opds.at(0).pagu_sen, a_before + 5 * kMillion);
  // The perubahan replaces the 10,000,000 line from 31 December only.
  EXPECT_EQ(Absorption("2026-12-30", kOpdA).opds.at(0).pagu_sen, a_december + 5 * kMillion);
  EXPECT_EQ(Absorption("2026-12-31", kOpdA).opds.at(0).pagu_sen, a_december + 10 * kMillion);
  // The columns still agree with the bytes.
  Result<VerifyReport> report = store_->Verify(ledger::VerifierOf(TestSigner()), std::nullopt);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->problem->what;
}

// Mid-year: months after June are null. The band compares at the end of May: A's RAK
// lines are exactly 10% behind (60,300,000 of 67,000,000: green), B (11,550,000 of
// 20,000,000) and C (159,500,000 of 300,000,000) red; total 231,350,000 of 387,000,000.
TEST_F(SummaryTest, AbsorptionMidYearHasNullMonthsAfterAsOf) {
  ledger::AbsorptionReport report = Absorption("2026-06-25");
  ASSERT_EQ(report.opds.size(), 3u);
  const std::array<std::optional<std::int64_t>, 12> a = {
      980000000, 3965000000, 5775000000, 6280000000, 6280000000, 7030000000,
      std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt};
  const std::array<std::optional<std::int64_t>, 12> total = {
      1580000000, 6065000000, 8675000000, 9180000000, 25685000000, 40535000000,
      std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt};
  EXPECT_EQ(report.opds[1].monthly_sen, a);
  EXPECT_EQ(report.total.monthly_sen, total);
  EXPECT_EQ(report.opds[0].deviation_basis_points, -4225);
  EXPECT_EQ(report.opds[0].band, Band::kRed);
  EXPECT_EQ(report.opds[1].deviation_basis_points, -1000);
  EXPECT_EQ(report.opds[1].band, Band::kGreen);
  EXPECT_EQ(report.opds[2].deviation_basis_points, -4683);
  EXPECT_EQ(report.opds[2].band, Band::kRed);
  EXPECT_EQ(report.total.realisation_sen, 40535000000);
  EXPECT_EQ(report.total.band_month, 4);
  EXPECT_EQ(report.total.deviation_basis_points, -4022);
  // June to the 25th: 405,350,000 - 256,850,000 = 148,500,000 (c5, b3 and a13).
  EXPECT_EQ(report.total.month_to_date_sen, 40535000000 - 25685000000);
  EXPECT_EQ(report.total.non_cash_share_basis_points, 9963);
}

TEST_F(SummaryTest, AbsorptionBeforeTheFiscalYearHasNothingInForce) {
  // The budgets were recorded on 5 January 2026 and nothing was spent in 2025.
  ledger::AbsorptionReport report = Absorption("2025-12-31");
  EXPECT_TRUE(report.opds.empty());
  EXPECT_EQ(report.total.pagu_sen, 0);
  EXPECT_EQ(report.total.realisation_sen, 0);
  EXPECT_FALSE(report.total.percent_basis_points.has_value());
  for (std::size_t m = 0; m < 12; ++m) EXPECT_FALSE(report.total.monthly_sen[m].has_value()) << m;
  EXPECT_FALSE(report.total.plan_sen.has_value());
  EXPECT_FALSE(report.total.band.has_value());
}

TEST_F(SummaryTest, AbsorptionAfterTheFiscalYearFillsEveryMonth) {
  ledger::AbsorptionReport report = Absorption("2027-02-01");
  ASSERT_EQ(report.opds.size(), 3u);
  const std::array<std::optional<std::int64_t>, 12> total = {
      1580000000,  6065000000,  8675000000,  9180000000,  25685000000, 40535000000,
      51185000000, 66185000000, 66285000000, 66460000000, 66460000000, 66660000000};
  EXPECT_EQ(report.total.monthly_sen, total);
  EXPECT_EQ(report.total.realisation_sen, 66660000000);
  EXPECT_EQ(report.total.pagu_sen, 162400000000);
  EXPECT_EQ(report.total.remaining_sen, 95740000000);
  EXPECT_EQ(report.total.percent_basis_points, 4105);
  EXPECT_EQ(report.total.deviation_basis_points, -6038);  // December's band.
  EXPECT_EQ(report.total.band_month, 11);
  EXPECT_EQ(report.total.band, Band::kRed);
  EXPECT_EQ(report.opds[2].monthly_sen[11], 51550000000);
  EXPECT_EQ(report.opds[0].deviation_basis_points, -8204);
}

// a11 (cash, 3,700,000, 5 May) is reversed: as of its own value date it is not in A's
// realisation, nor in the 5.3 group, nor among cash payments.
TEST_F(SummaryTest, ReversalRemovesTheAmountFromRealisation) {
  ledger::AbsorptionReport report = Absorption("2026-05-05");
  ASSERT_EQ(report.opds.size(), 3u);
  const ledger::Absorption& a = report.opds[1];
  EXPECT_EQ(a.realisation_sen, 6280000000);  // 62,800,000: January to April only.
  EXPECT_EQ(a.monthly_sen[4], 6280000000);
  EXPECT_EQ(a.groups.at("lainnya").second, 250000000);  // a9 only.
  EXPECT_EQ(a.instruments.at("cash").amount_sen, 150000000);
  EXPECT_EQ(a.instruments.at("cash").entries, 1);
  EXPECT_EQ(a.cash.entries, 1);
  // b4 (20,000,000, 20 June) likewise: B's modal realisation is b3's 60,000,000 alone.
  ledger::AbsorptionReport june = Absorption("2026-06-20");
  const ledger::Absorption& b = june.opds[0];
  EXPECT_EQ(b.realisation_sen, 7155000000);
  EXPECT_EQ(b.groups.at("modal").second, 60 * kMillion);
  EXPECT_EQ(b.instruments.at("sp2d_ls").amount_sen, 60 * kMillion);
  EXPECT_EQ(b.instruments.at("sp2d_ls").entries, 1);
}

// c2 is dated 2 March and recorded on the 10th: absorption goes by value date, so as of
// 5 March it is in C's realisation already; a8 (5 March) is in as of the 5th, not the 4th.
TEST_F(SummaryTest, RealisationGoesByValueDateUpToAsOf) {
  ledger::AbsorptionReport fourth = Absorption("2026-03-04");
  ledger::AbsorptionReport fifth = Absorption("2026-03-05");
  EXPECT_EQ(fourth.opds[2].realisation_sen, 23 * kMillion);
  EXPECT_EQ(fourth.opds[1].realisation_sen, 4265000000);
  EXPECT_EQ(fifth.opds[1].realisation_sen, 5375000000);  // + a8's 11,100,000.
  EXPECT_EQ(fifth.opds[1].instruments.at("cms_transfer").entries, 4);
  EXPECT_EQ(fourth.opds[1].instruments.at("cms_transfer").entries, 3);
  EXPECT_EQ(fifth.total.realisation_sen, 8275000000);
  // The band is February's (5 March is inside March): 45,650,000 of 38,000,000 planned.
  EXPECT_EQ(fifth.total.band_month, 1);
  EXPECT_EQ(fifth.total.deviation_basis_points, 2013);
}

TEST_F(SummaryTest, OpdFilterNarrowsToThatOpd) {
  ledger::AbsorptionReport all = Absorption("2026-08-31");
  ledger::AbsorptionReport only_b = Absorption("2026-08-31", std::string(kOpdB));
  ASSERT_EQ(only_b.opds.size(), 1u);
  const ledger::Absorption& b = only_b.opds[0];
  const ledger::Absorption& b_all = all.opds.at(0);
  EXPECT_EQ(b.opd, kOpdB);
  EXPECT_EQ(b.name, "Dinas Pendidikan");
  for (const ledger::Absorption* row : {&b, static_cast<const ledger::Absorption*>(&only_b.total)}) {
    EXPECT_EQ(row->pagu_sen, b_all.pagu_sen);
    EXPECT_EQ(row->realisation_sen, b_all.realisation_sen);
    EXPECT_EQ(row->remaining_sen, b_all.remaining_sen);
    EXPECT_EQ(row->percent_basis_points, b_all.percent_basis_points);
    EXPECT_EQ(row->monthly_sen, b_all.monthly_sen);
    EXPECT_EQ(row->plan_sen, b_all.plan_sen);
    EXPECT_EQ(row->deviation_basis_points, b_all.deviation_basis_points);
    EXPECT_EQ(row->band, b_all.band);
    EXPECT_EQ(row->groups, b_all.groups);
    EXPECT_EQ(row->non_cash.amount_sen, b_all.non_cash.amount_sen);
    EXPECT_EQ(row->cash.amount_sen, b_all.cash.amount_sen);
    EXPECT_EQ(row->non_cash_share_basis_points, b_all.non_cash_share_basis_points);
  }
  EXPECT_EQ(b.pagu_sen, 350 * kMillion);
  EXPECT_EQ(b.realisation_sen, 78'050'000LL * 100);
}

// ----- Audit --------------------------------------------------------------------------

// Facts no column holds come from the canonical entry: payee name and PKP status, and
// the procurement's method, type and contract number.
TEST_F(SummaryTest, AuditInputsReadProcurementAndPkpFromTheEntry) {
  Result<ledger::AuditInput> year = store_->AuditInputs(2026, "2026-12-31");
  ASSERT_TRUE(year.has_value());
  const ledger::ExpenditureFacts* c3 = nullptr;
  const ledger::ExpenditureFacts* b1 = nullptr;
  for (const ledger::ExpenditureFacts& e : year->expenditures) {
    if (e.seq == S("c3")) c3 = &e;
    if (e.seq == S("b1")) b1 = &e;
  }
  ASSERT_NE(c3, nullptr);
  ASSERT_NE(b1, nullptr);
  EXPECT_EQ(c3->payee_name, "PT Beton Jaya");
  EXPECT_EQ(c3->payee_pkp, std::optional<bool>(true));
  EXPECT_EQ(c3->procurement_method, "PL");
  EXPECT_EQ(c3->contract_no, "SPK-C-003");
  EXPECT_EQ(c3->procurement_type, "");
  EXPECT_EQ(b1->payee_pkp, std::nullopt);
  EXPECT_EQ(b1->procurement_method, "");
}

TEST_F(SummaryTest, AuditInputsCarryTheLinesInForceReversalsAndTaxes) {
  Result<ledger::AuditInput> march = store_->AuditInputs(2026, "2026-03-31");
  Result<ledger::AuditInput> year = store_->AuditInputs(2026, "2026-12-31");
  ASSERT_TRUE(march.has_value());
  ASSERT_TRUE(year.has_value());
  auto line = [](const ledger::AuditInput& input, const std::string& opd, const std::string& account) {
    for (const ledger::BudgetFacts& b : input.budgets) {
      if (b.opd == opd && b.account == account) return b;
    }
    ADD_FAILURE() << "no line " << opd << " " << account;
    return ledger::BudgetFacts{};
  };
  EXPECT_EQ(march->budgets.size(), 7u);
  EXPECT_EQ(year->budgets.size(), 7u);
  EXPECT_EQ(line(*march, kOpdA, kBarangJasa).seq, S("a_bj"));
  EXPECT_EQ(line(*march, kOpdA, kBarangJasa).pagu_sen, 120 * kMillion);
  EXPECT_EQ(line(*year, kOpdA, kBarangJasa).seq, S("a_bj_pergeseran"));
  EXPECT_EQ(line(*year, kOpdA, kBarangJasa).pagu_sen, 84 * kMillion);
  EXPECT_EQ(line(*year, kOpdB, kModal).seq, S("b_mod_perubahan"));
  EXPECT_EQ(year->expenditures.size(), 29u);
  EXPECT_EQ(year->tax_deposits.size(), 3u);
  for (const ledger::ExpenditureFacts& e : year->expenditures) {
    if (e.seq == S("a11")) {
      EXPECT_EQ(e.reversed_by, S("r_a11"));
    } else if (e.seq == S("b4")) {
      EXPECT_EQ(e.reversed_by, S("r_b4"));
    } else {
      EXPECT_FALSE(e.reversed_by.has_value()) << e.seq;
    }
    if (e.seq == S("a8")) {
      using Taxes = std::vector<std::pair<std::string, std::int64_t>>;
      EXPECT_EQ(e.taxes_sen, (Taxes{{"PPN", 100000000}, {"PPh22", 15000000}}));
      EXPECT_EQ(e.payee_account, "Bank Bengkulu:0012034567");
      EXPECT_EQ(e.payee_npwp, "012345678901000");
    }
  }
}

// Every finding as of 31 December, exactly; the near misses in BuildRegency (a6/a7 31
// days apart, a2/c1 sharing an evidence number across OPDs, A's line 5.3 exactly at pagu,
// c6/c7 31 days apart, reversed cash a11, non-cash a9 above the cash cap, a8's taxes on
// time and on the deadline day, c8's tax not yet due, b1's evidence dated 1 January, a12
// recorded exactly 7 days late, A's reversals exactly 5%) raise nothing.
// Issue 16 changed these: a3/a4 are 17 days apart (the duplicate window is now 7 days),
// a10 is cash under the cap (only the cap or a non-exempt type is a finding), c2 is
// recorded before March's LPJ deadline, a1 is a prior year's utang belanja (low), REVERSAL_HEAVY
// is a low internal-control signal, and c3-c5 must be direct procurements to be a split.
TEST_F(SummaryTest, FindingsAsOfEndOfYearAreExactlyTheseTen) {
  struct Want {
    std::string rule, opd;
    Seqs seqs;
    std::int64_t amount_sen;
    std::string severity;
  };
  const std::vector<Want> want = {
      {"OVER_PAGU", kOpdC, {S("c1"), S("c2"), S("c8")}, 5 * kMillion, "high"},
      {"SPLIT_PACKAGE", kOpdC, {S("c3"), S("c4"), S("c5")}, 240'500'000LL * 100, "high"},
      {"DUPLICATE_PAYMENT", kOpdB, {S("b7"), S("b8")}, 1'750'000LL * 100, "high"},
      {"CASH_PAYMENT", kOpdB, {S("b5")}, 2'500'000LL * 100, "high"},
      {"TAX_NOT_DEPOSITED", kOpdB, {S("b2")}, 111'000LL * 100, "medium"},
      {"TAX_NOT_DEPOSITED", kOpdC, {S("c1")}, 135'135'135, "high"},
      {"TAX_NOT_COLLECTED", kOpdC, {S("c3")}, 80 * kMillion, "high"},
      {"OUTSIDE_FISCAL_YEAR", kOpdA, {S("a1")}, 5 * kMillion, "low"},
      {"LATE_RECORDING", kOpdB, {S("b6")}, 4 * kMillion, "medium"},
      {"REVERSAL_HEAVY", kOpdB, {S("b4")}, 20 * kMillion, "low"},
  };
  const std::vector<ledger::Finding> findings = Findings("2026-12-31");
  ASSERT_EQ(findings.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("finding " + std::to_string(i) + " " + want[i].rule + " " + want[i].opd);
    EXPECT_EQ(findings[i].rule, want[i].rule);
    EXPECT_EQ(findings[i].opd, want[i].opd);
    EXPECT_EQ(findings[i].seqs, want[i].seqs);
    EXPECT_EQ(findings[i].amount_sen, want[i].amount_sen);
    EXPECT_EQ(findings[i].severity, want[i].severity);
    EXPECT_NE(findings[i].kondisi.find(ledger::FormatRupiah(want[i].amount_sen)), std::string::npos)
        << findings[i].kondisi;
    EXPECT_FALSE(findings[i].kriteria.empty());
    EXPECT_FALSE(findings[i].sebab.empty());
    EXPECT_FALSE(findings[i].akibat.empty());
    EXPECT_EQ(findings[i].rekomendasi.rfind("BPK merekomendasikan ", 0), 0u) << findings[i].rekomendasi;
  }
}

// c1's PPN (10 February; deadline Monday 16 March 2026, the 15th being a Sunday) is not
// due on the deadline day itself, and is due the day after.
TEST_F(SummaryTest, TaxNotDepositedOnlyOnceTheDeadlineHasPassed) {
  auto c_tax = [&](const std::string& as_of) {
    std::vector<ledger::Finding> out;
    for (const ledger::Finding& f : Findings(as_of)) {
      if (f.rule == "TAX_NOT_DEPOSITED" && f.opd == kOpdC) out.push_back(f);
    }
    return out;
  };
  EXPECT_TRUE(c_tax("2026-03-16").empty());
  std::vector<ledger::Finding> after = c_tax("2026-03-17");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].seqs, (Seqs{S("c1")}));
  EXPECT_EQ(after[0].amount_sen, 135'135'135);
  EXPECT_EQ(after[0].severity, "high");
  // c8's PPh22 (4 December) is due after 15 January 2027.
  std::vector<ledger::Finding> next_year = c_tax("2027-01-16");
  ASSERT_EQ(next_year.size(), 2u);
  EXPECT_EQ(next_year[1].seqs, (Seqs{S("c8")}));
  EXPECT_EQ(next_year[1].amount_sen, 30'000LL * 100);
}

}  // namespace
}  // namespace jejak::db
