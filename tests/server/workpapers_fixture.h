// The fixture of the workpapers tests (workpapers_test.cc, workpapers_excel_test.cc): a
// small regency in a real SQLite store, gathered and rendered, the workbook read back by an
// independent reader (openpyxl, tests/server/read_workpapers.py), and a small RFC 4180
// parser for the CSV.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "ledger/absorption.h"
#include "ledger/canonical.h"
#include "ledger/entry.h"
#include "ledger/money.h"
#include "server/workpapers.h"

namespace jejak::server::workpapers_test {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kOrigin = "jejak.test/kabupaten-contoh";
constexpr const char* kRegion = "Pemerintah Kabupaten Contoh";
constexpr const char* kDinkes = "1.02.0.00.0.00.01.0000";
constexpr const char* kDisdik = "1.01.0.00.0.00.01.0000";
constexpr const char* kSubDinkes = "1.02.02.2.01.0014";
constexpr const char* kSubDisdik = "1.01.02.2.01.0001";
constexpr const char* kAtk = "5.1.02.01.01.0024";
constexpr const char* kModal = "5.2.02.05.01.0001";
constexpr const char* kAsOf = "2026-06-30T08:00:00.000Z";
constexpr const char* kTrickyDescription = "Belanja \"ATK\", kertas HVS\nuntuk Puskesmas; 2 rim";

inline ledger::NoteSigner TestSigner(std::uint8_t seed_byte = 7) {
  std::array<std::uint8_t, 32> seed{};
  seed[0] = seed_byte;
  return ledger::MakeSigner(kOrigin, crypto::KeyFromSeed(seed));
}

inline std::shared_ptr<const json> Body(json body) {
  Result<json> valid = body.value("kind", "") == "genesis" ? ledger::ValidateGenesis(body)
                                                           : ledger::ValidateBody(body);
  if (!valid) ADD_FAILURE() << "test body does not validate: " << valid.error().ToString();
  return std::make_shared<const json>(valid ? std::move(valid).value() : body);
}

inline json Budget(const char* opd, const char* sub, const char* account, const char* pagu,
            const char* stage = "murni") {
  return {{"kind", "budget"}, {"fiscal_year", 2026}, {"opd", opd},   {"sub_activity", sub},
          {"account", account}, {"pagu", pagu},      {"stage", stage}};
}

inline json Expenditure(const char* opd, const char* sub, const char* account, const std::string& ref,
                 const char* date, const char* gross, json taxes, const char* net) {
  return {{"kind", "expenditure"},
          {"fiscal_year", 2026},
          {"opd", opd},
          {"sub_activity", sub},
          {"account", account},
          {"mechanism", "LS"},
          {"instrument", "cms_transfer"},
          {"value_date", date},
          {"gross", gross},
          {"taxes", std::move(taxes)},
          {"net", net},
          {"payee",
           {{"name", "CV Sinar Rejang"},
            {"npwp", "012345678901000"},
            {"bank", "Bank Bengkulu"},
            {"account_no", "0012034567"},
            {"account_name", "CV SINAR REJANG"}}},
          {"bank_ref", ref},
          {"documents", {{"evidence_no", "KW-" + ref}, {"evidence_date", date}}},
          {"description", "Belanja alat tulis kantor"}};
}

inline json Tax(const char* type, const char* amount) { return {{"type", type}, {"amount", amount}}; }

// Sen from an exact decimal text such as "1250000.07", "-3.5" or "12".
inline std::int64_t Sen(const std::string& text) {
  const bool negative = !text.empty() && text[0] == '-';
  Result<std::int64_t> sen = ledger::ParseMoneySen(negative ? text.substr(1) : text);
  EXPECT_TRUE(sen.has_value()) << text;
  return sen ? (negative ? -*sen : *sen) : 0;
}

// RFC 4180 records of `csv`, which must end every record with CRLF.
inline std::vector<std::vector<std::string>> ParseCsv(const std::string& csv) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  std::size_t i = 0;
  while (i < csv.size()) {
    if (csv[i] == '"') {
      ++i;
      while (true) {
        EXPECT_LT(i, csv.size()) << "unterminated quoted field";
        if (i >= csv.size()) return records;
        if (csv[i] == '"') {
          if (i + 1 < csv.size() && csv[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += csv[i++];
      }
    } else {
      while (i < csv.size() && csv[i] != ',' && csv[i] != '\r') {
        EXPECT_NE(csv[i], '"') << "quote inside an unquoted field";
        EXPECT_NE(csv[i], '\n') << "bare LF outside quotes";
        field += csv[i++];
      }
    }
    record.push_back(std::move(field));
    field.clear();
    if (i < csv.size() && csv[i] == ',') {
      ++i;
      continue;
    }
    EXPECT_EQ(csv.substr(i, 2), "\r\n") << "record not ended by CRLF at " << i;
    i += 2;
    records.push_back(std::move(record));
    record.clear();
  }
  return records;
}

class WorkpapersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("jejak-workpapers-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Result<std::unique_ptr<db::Store>> store =
        db::Store::Open({"sqlite:" + (dir_ / "ledger.db").string(), TestSigner(), ""});
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    store_ = std::move(store).value();
    rules_.holidays = {"2026-03-19"};
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  std::int64_t Append(json body, const std::string& by, const std::string& at) {
    Result<db::BatchReceipt> receipt = store_->Append({db::PendingEntry{Body(std::move(body)), by, "", ""}}, at);
    EXPECT_TRUE(receipt.has_value()) << (receipt ? "" : receipt.error().ToString());
    return receipt ? receipt->entries.at(0).seq : -1;
  }

  // A regency: two OPDs, budget lines (one shifted by pergeseran), expenditures with
  // taxes, a cash payment, a procurement contract, a tricky description, a reversal, an
  // expenditure over pagu and tax deposits (one late, one overpaid).
  void BuildRegency() {
    Append({{"kind", "genesis"},
            {"ledger_id", "test-ledger"},
            {"origin", kOrigin},
            {"region", kRegion},
            {"checkpoint_key", ledger::FormatVerifierKey(ledger::VerifierOf(TestSigner()))}},
           "jejak-init", "2026-01-02T01:00:00.000Z");
    Append({{"kind", "opd"}, {"code", kDinkes}, {"name", "Dinas Kesehatan"}}, "admin",
           "2026-01-02T02:00:00.000Z");
    Append({{"kind", "opd"}, {"code", kDisdik}, {"name", "Dinas Pendidikan"}}, "admin",
           "2026-01-02T02:00:01.000Z");
    Append(Budget(kDinkes, kSubDinkes, kAtk, "10000000"), "admin", "2026-01-03T01:00:00.000Z");
    Append(Budget(kDinkes, kSubDinkes, kModal, "300000000"), "admin", "2026-01-03T01:00:01.000Z");
    Append(Budget(kDisdik, kSubDisdik, kAtk, "5000000"), "admin", "2026-01-03T01:00:02.000Z");
    Append(Budget(kDisdik, kSubDisdik, kAtk, "6000000.50", "pergeseran"), "admin",
           "2026-01-04T01:00:00.000Z");

    e1_ = Append(Expenditure(kDinkes, kSubDinkes, kAtk, "CMS-1", "2026-02-03", "1250000.07",
                             {Tax("PPN", "112612.61"), Tax("PPh22", "16891.89")}, "1120495.57"),
                 "bendahara.dinkes", "2026-02-03T08:00:00.000Z");
    json tricky = Expenditure(kDinkes, kSubDinkes, kAtk, "CMS-2", "2026-02-10", "2000000",
                              {Tax("PPh23", "40000")}, "1960000");
    tricky["description"] = kTrickyDescription;
    tricky["payee"]["name"] = "PT \"Maju, Jaya\"";
    e2_ = Append(tricky, "bendahara.dinkes", "2026-02-10T08:00:00.000Z");
    json contract = Expenditure(kDinkes, kSubDinkes, kModal, "SP2D-3", "2026-03-02", "150000000",
                                {Tax("PPN", "13513513.51"), Tax("PPh22", "2027027.03")}, "134459459.46");
    contract["instrument"] = "sp2d_ls";
    contract["procurement"] = {{"method", "PL"}, {"contract_no", "027/PL/2026"}, {"contract_value", "150000000"}};
    contract["documents"] = {{"spp", "SPP-3"}, {"spm", "SPM-3"}, {"sp2d", "SP2D-3"},
                             {"evidence_no", "BAST-3"}, {"evidence_date", "2026-03-01"}};
    e3_ = Append(contract, "bendahara.dinkes", "2026-03-02T08:00:00.000Z");
    json cash = Expenditure(kDisdik, kSubDisdik, kAtk, "unused", "2026-03-05", "3500000",
                            json::array(), "3500000");
    cash["instrument"] = "cash";
    cash["mechanism"] = "UP";
    cash["cash_reason"] = "Toko di desa tidak menerima transfer";
    cash.erase("bank_ref");
    cash["payee"] = {{"name", "Toko Sumber Rezeki"}};
    e4_ = Append(cash, "bendahara.disdik", "2026-03-05T08:00:00.000Z");
    // On time for February's PPN and PPh22 of e1, and a little too much.
    Append({{"kind", "tax_deposit"}, {"fiscal_year", 2026}, {"opd", kDinkes}, {"tax_type", "PPN"},
            {"amount", "112700"}, {"billing_code", "123456789012345"}, {"ntpn", "0A1B2C3D4E5F6G7H"},
            {"deposit_date", "2026-03-10"}, {"covers", {e1_}}},
           "bendahara.dinkes", "2026-03-10T08:00:00.000Z");
    Append({{"kind", "tax_deposit"}, {"fiscal_year", 2026}, {"opd", kDinkes}, {"tax_type", "PPh22"},
            {"amount", "16891.89"}, {"billing_code", "123456789012346"}, {"ntpn", "1111222233334444"},
            {"deposit_date", "2026-03-10"}, {"covers", {e1_}}},
           "bendahara.dinkes", "2026-03-10T08:00:01.000Z");
    e5_ = Append(Expenditure(kDisdik, kSubDisdik, kAtk, "CMS-5", "2026-03-20", "4000000",
                             {Tax("PPh23", "80000")}, "3920000"),
                 "bendahara.disdik", "2026-03-20T08:00:00.000Z");
    e6_ = Append(Expenditure(kDinkes, kSubDinkes, kAtk, "CMS-6", "2026-04-01", "700000",
                             {Tax("PPN", "63063.06")}, "636936.94"),
                 "bendahara.dinkes", "2026-04-01T08:00:00.000Z");
    reversal_ = Append({{"kind", "reversal"}, {"reverses", e6_}, {"reason", "Salah rekening"}},
                       "bendahara.dinkes", "2026-04-02T08:00:00.000Z");
    // Late for March's contract PPN; the PPh22 of e3 and the PPh23 of e2 and e5 stay open.
    Append({{"kind", "tax_deposit"}, {"fiscal_year", 2026}, {"opd", kDinkes}, {"tax_type", "PPN"},
            {"amount", "13513513.51"}, {"billing_code", "123456789012347"}, {"ntpn", "9999888877776666"},
            {"deposit_date", "2026-05-20"}, {"covers", {e3_}}},
           "bendahara.dinkes", "2026-05-20T08:00:00.000Z");
  }

  // At the ledger's size (what GET /v1/export/workpapers defaults to: the newest
  // checkpoint), unless the test pins another.
  WorkpaperRequest Request() const {
    WorkpaperRequest request;
    request.fiscal_year = 2026;
    request.as_of = kAsOf;
    Result<std::uint64_t> size = store_->TreeSize();
    EXPECT_TRUE(size.has_value());
    request.tree_size = size ? *size : 0;
    request.rules = &rules_;
    request.verifier = ledger::VerifierOf(TestSigner());
    return request;
  }

  WorkpaperData MustGather() {
    Result<WorkpaperData> data = GatherWorkpapers(*store_, Request());
    EXPECT_TRUE(data.has_value()) << (data ? "" : data.error().ToString());
    return data ? std::move(data).value() : WorkpaperData{};
  }

  // The workbook as openpyxl reads it.
  json ReadBack(const std::string& xlsx) {
    const fs::path file = dir_ / "workpapers.xlsx";
    {
      std::ofstream out(file, std::ios::binary);
      out << xlsx;
    }
    const std::string command = std::string("/usr/bin/python3 ") + JEJAK_SOURCE_DIR +
                                "/tests/server/read_workpapers.py " + file.string();
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    if (!pipe) {
      ADD_FAILURE() << "cannot run " << command;
      return json();
    }
    std::string output;
    std::array<char, 4096> buffer{};
    std::size_t read = 0;
    while ((read = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0) {
      output.append(buffer.data(), read);
    }
    const int status = ::pclose(pipe.release());
    EXPECT_EQ(status, 0) << command;
    json parsed = json::parse(output, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(parsed.is_discarded()) << output;
    return parsed;
  }

  fs::path dir_;
  std::unique_ptr<db::Store> store_;
  ledger::AuditRules rules_;
  std::int64_t e1_ = 0, e2_ = 0, e3_ = 0, e4_ = 0, e5_ = 0, e6_ = 0, reversal_ = 0;
};

// Helpers over the reader's JSON.
inline const json& SheetOf(const json& book, const char* name) { return book.at("sheets").at(name); }

inline int ColumnOf(const json& sheet, const std::string& header) {
  const json& headers = sheet.at("headers");
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (headers[i] == header) return static_cast<int>(i);
  }
  ADD_FAILURE() << "no column " << header;
  return 0;
}

inline std::string TextAt(const json& sheet, std::size_t row, const std::string& header) {
  const json& cell = sheet.at("rows").at(row).at(static_cast<std::size_t>(ColumnOf(sheet, header)));
  if (cell.is_null()) return "";
  if (cell.contains("s")) return cell["s"].get<std::string>();
  if (cell.contains("d")) return cell["d"].get<std::string>();  // A date cell, as YYYY-MM-DD.
  return cell["n"].get<std::string>();
}

inline std::int64_t SenAt(const json& sheet, std::size_t row, const std::string& header) {
  const json& cell = sheet.at("rows").at(row).at(static_cast<std::size_t>(ColumnOf(sheet, header)));
  EXPECT_TRUE(cell.is_object() && cell.contains("n")) << header << " row " << row << ": " << cell;
  return cell.is_object() && cell.contains("n") ? Sen(cell["n"].get<std::string>()) : 0;
}

}  // namespace jejak::server::workpapers_test
