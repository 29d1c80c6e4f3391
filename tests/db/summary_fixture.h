// The fixture of the summary tests (summary_test.cc for absorption, summary_audit_test.cc
// for the audit findings): a small regency built by hand in a real SQLite store, three
// OPDs with budgets, RAK plans, expenditures, reversals and tax deposits. Every number the
// tests expect was worked out from the entries in BuildRegency, independently of
// absorption.cc and audit.cc.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/store.h"
#include "ledger/absorption.h"
#include "ledger/audit.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/money.h"
#include "tests/db/db_test_util.h"

namespace jejak::db::summary_test {

using Plan = std::array<std::int64_t, 12>;

inline constexpr const char* kOrigin = "jejak.test/kabupaten-summary";
// B sorts before A by code, so reports list B, A, C.
inline constexpr const char* kOpdA = "1.02.0.00.0.00.01.0000";  // Dinas Kesehatan.
inline constexpr const char* kOpdB = "1.01.0.00.0.00.01.0000";  // Dinas Pendidikan.
inline constexpr const char* kOpdC = "1.03.0.00.0.00.01.0000";  // Dinas PUPR.
inline constexpr const char* kPegawai = "5.1.01.01.01.0001";
inline constexpr const char* kBarangJasa = "5.1.02.01.01.0024";
inline constexpr const char* kModal = "5.2.02.05.01.0001";
inline constexpr const char* kTakTerduga = "5.3.01.01.01.0001";  // Group "lainnya".
inline constexpr std::int64_t kMillion = 1'000'000LL * 100;      // Rp1,000,000 in sen.

// The one sub-activity each OPD spends on.
inline std::string SubActivityOf(const std::string& opd) {
  if (opd == kOpdA) return "1.02.02.2.01.0014";
  if (opd == kOpdB) return "1.01.02.2.01.0001";
  return "1.03.03.2.01.0002";
}

// The regency's checkpoint signer.
inline ledger::NoteSigner TestSigner() { return test_support::SeededSigner(kOrigin, 11); }

// `sen` as a money string.
inline std::string Money(std::int64_t sen) { return ledger::FormatMoney(sen); }

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

// The expenditure body of `s`, with bank_ref "REF-<bank_ref>" unless it is paid in cash.
inline nlohmann::json ExpenditureBody(const Spend& s, int bank_ref) {
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

// A fresh store holding the regency of BuildRegency, its entries' seqs by name.
class SummaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_support::FreshTestDirectory("jejak-summary-test");
    store_ = test_support::OpenTestStore(dir_ / "ledger.db", TestSigner());
    ASSERT_NE(store_, nullptr);
    BuildRegency();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Appends one entry recorded at 03:00 UTC on `date` and remembers its seq as `name`.
  void Record(const std::string& name, nlohmann::json body, const std::string& date,
              const std::string& by = "bendahara") {
    Result<BatchReceipt> receipt =
        store_->Append({PendingEntry{test_support::Body(std::move(body)), by}}, date + "T03:00:00.000Z");
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

    Record("genesis", test_support::GenesisBody("summary-test", kOrigin, TestSigner()), "2026-01-02", "jejak-init");
    Record("opd_a", test_support::OpdBody(kOpdA, "Dinas Kesehatan"), "2026-01-02", "admin");
    Record("opd_b", test_support::OpdBody(kOpdB, "Dinas Pendidikan"), "2026-01-02", "admin");
    Record("opd_c", test_support::OpdBody(kOpdC, "Dinas PUPR"), "2026-01-02", "admin");
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

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  std::map<std::string, std::int64_t> seq_;
  int bank_refs_ = 0;
};

}  // namespace jejak::db::summary_test
