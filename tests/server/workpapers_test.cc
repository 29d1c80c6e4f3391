// Workpapers export tests: a small regency in a real SQLite store is gathered, rendered to
// XLSX and read back by an independent reader (openpyxl, tests/server/read_workpapers.py);
// every sheet's numbers must equal what the store and the API's computations give.
// CSV rendering is checked against RFC 4180 with a small parser here.
#include "server/workpapers.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "ledger/absorption.h"
#include "ledger/canonical.h"
#include "ledger/entry.h"
#include "ledger/money.h"
#include "tests/server/workpapers_fixture.h"

namespace jejak::server {
namespace {

using namespace workpapers_test;  // NOLINT: the fixture's helpers, as if defined here.

TEST_F(WorkpapersTest, GathersAtTheLatestCheckpoint) {
  BuildRegency();
  WorkpaperData data = MustGather();
  Result<std::uint64_t> size = store_->TreeSize();
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(data.checkpoint.tree_size, *size);
  Result<ledger::Digest> root = store_->TreeHash(*size);
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(data.checkpoint.root_hash_hex, crypto::ToHex(*root));
  EXPECT_EQ(data.checkpoint.origin, kOrigin);
  EXPECT_EQ(data.region, kRegion);  // From the genesis entry.
  EXPECT_EQ(data.as_of_date, "2026-06-30");
  ASSERT_EQ(data.expenditures.size(), 6u);
  EXPECT_EQ(data.expenditures[1].description, kTrickyDescription);
  EXPECT_EQ(data.expenditures[5].reversed_by, reversal_);
  EXPECT_FALSE(data.expenditures[0].reversed_by.has_value());
  EXPECT_EQ(data.expenditures[2].contract_value_sen, 15'000'000'000);
  EXPECT_EQ(data.expenditures[2].sp2d, "SP2D-3");
  EXPECT_EQ(data.expenditures[3].cash_reason, "Toko di desa tidak menerima transfer");
  EXPECT_EQ(data.expenditures[0].tax_sen[0], 11'261'261);  // PPN.
  EXPECT_EQ(data.expenditures[0].tax_sen[2], 1'689'189);   // PPh22.
}

TEST_F(WorkpapersTest, FindingsAndAbsorptionEqualTheApis) {
  BuildRegency();
  WorkpaperData data = MustGather();

  // GET /v1/audit/findings computes from Store::AuditInputs.
  Result<ledger::AuditInput> audit = store_->AuditInputs(2026, "2026-06-30");
  ASSERT_TRUE(audit.has_value());
  const std::vector<ledger::Finding> findings = ledger::RunAuditRules(*audit, rules_);
  std::set<std::string> rules;
  for (const ledger::Finding& finding : findings) rules.insert(finding.rule);
  for (const char* rule : {ledger::kRuleOverPagu, ledger::kRuleCashPayment, ledger::kRuleTaxNotDeposited}) {
    EXPECT_EQ(rules.count(rule), 1u) << rule;  // The regency exercises these rules.
  }
  ASSERT_EQ(data.findings.size(), findings.size());
  for (std::size_t i = 0; i < findings.size(); ++i) {
    EXPECT_EQ(data.findings[i].rule, findings[i].rule);
    EXPECT_EQ(data.findings[i].opd, findings[i].opd);
    EXPECT_EQ(data.findings[i].seqs, findings[i].seqs);
    EXPECT_EQ(data.findings[i].amount_sen, findings[i].amount_sen);
    EXPECT_EQ(data.findings[i].kondisi, findings[i].kondisi);
  }

  // GET /v1/summary/absorption computes from Store::AbsorptionInputs.
  Result<ledger::AbsorptionInput> inputs = store_->AbsorptionInputs(2026, "2026-06-30", std::nullopt);
  ASSERT_TRUE(inputs.has_value());
  Result<ledger::AbsorptionReport> report = ledger::ComputeAbsorption(*inputs);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(data.pagu_sen, report->total.pagu_sen);
  EXPECT_EQ(data.realisation_sen, report->total.realisation_sen);
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> per_opd;
  for (const WorkpaperRealisation& line : data.realisation) {
    per_opd[line.opd].first += line.pagu_sen;
    per_opd[line.opd].second += line.realisation_sen;
  }
  ASSERT_EQ(per_opd.size(), report->opds.size());
  for (const ledger::Absorption& opd : report->opds) {
    EXPECT_EQ(per_opd[opd.opd].first, opd.pagu_sen) << opd.opd;
    EXPECT_EQ(per_opd[opd.opd].second, opd.realisation_sen) << opd.opd;
  }
  // The pergeseran replaced Disdik's line; the reversed expenditure is not realised.
  EXPECT_EQ(per_opd[kDisdik].first, 600'000'050);
  EXPECT_EQ(per_opd[kDinkes].second, 125'000'007 + 200'000'000 + 15'000'000'000);
}

TEST_F(WorkpapersTest, XlsxReadBackByOpenpyxlMatchesTheApis) {
  BuildRegency();
  WorkpaperData data = MustGather();
  Result<std::string> xlsx = RenderXlsx(data);
  ASSERT_TRUE(xlsx.has_value()) << xlsx.error().ToString();
  EXPECT_EQ(xlsx->substr(0, 2), "PK");  // A zip container.
  const json book = ReadBack(*xlsx);
  ASSERT_TRUE(book.is_object());
  EXPECT_EQ(book["sheetnames"],
            json({"Ringkasan", "Transaksi", "Realisasi", "Pajak", "Temuan", "Koreksi", "Rekonsiliasi Bank"}));

  const std::string root = data.checkpoint.root_hash_hex;
  const std::string size = std::to_string(data.checkpoint.tree_size);
  for (const char* name : kWorkpaperSheets) {
    const json& sheet = SheetOf(book, name);
    const std::string title = sheet["title"].get<std::string>();
    EXPECT_NE(title.find("ukuran pohon " + size), std::string::npos) << name;
    EXPECT_NE(title.find(root), std::string::npos) << name;
    EXPECT_EQ(sheet["freeze_panes"], "A3") << name;
    EXPECT_TRUE(sheet["header_bold"].get<bool>()) << name;
    EXPECT_TRUE(sheet["auto_filter"].is_string()) << name;
    // The CSV of the sheet has the same header.
    Result<std::string> csv = RenderCsv(data, name);
    ASSERT_TRUE(csv.has_value());
    const std::vector<std::vector<std::string>> records = ParseCsv(*csv);
    ASSERT_GE(records.size(), 2u);
    // Its first record is the sheet's checkpoint line, padded to the header's width.
    EXPECT_EQ(records[0][0], title) << name;
    EXPECT_EQ(records[0].size(), records[1].size()) << name;
    EXPECT_EQ(json(records[1]), sheet["headers"]) << name;
    EXPECT_EQ(records.size() - 2, sheet["row_count"].get<std::size_t>()) << name;
  }

  // Transaksi: one row per expenditure, sums equal the store's columns, reversal marked.
  const json& transaksi = SheetOf(book, "Transaksi");
  ASSERT_EQ(transaksi["row_count"], 6);
  std::int64_t gross_sen = 0, net_sen = 0, ppn_sen = 0;
  db::EntryFilter filter;
  filter.kind = "expenditure";
  filter.fiscal_year = 2026;
  Result<db::EntryPage> page = store_->ListEntries(filter);
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->entries.size(), 6u);
  for (std::size_t i = 0; i < page->entries.size(); ++i) {
    Result<json> entry = ledger::ParseStrict(page->entries[i].canonical);
    ASSERT_TRUE(entry.has_value());
    Result<ledger::EntryColumns> columns = ledger::DeriveColumns(*entry);
    ASSERT_TRUE(columns.has_value());
    gross_sen += *columns->amount_sen;
    net_sen += *columns->net_sen;
    EXPECT_EQ(TextAt(transaksi, i, "Seq"), std::to_string(columns->seq));
    EXPECT_EQ(SenAt(transaksi, i, "Bruto (Rp)"), *columns->amount_sen);
    EXPECT_EQ(SenAt(transaksi, i, "Neto (Rp)"), *columns->net_sen);
    EXPECT_EQ(TextAt(transaksi, i, "Leaf Hash"), crypto::ToHex(page->entries[i].leaf_hash));
    EXPECT_EQ(TextAt(transaksi, i, "Tanggal Transaksi"), columns->value_date);
    for (const json& tax : (*entry)["taxes"]) {
      if (tax["type"] == "PPN") ppn_sen += Sen(tax["amount"].get<std::string>());
    }
  }
  EXPECT_EQ(transaksi["sums_sen"]["Bruto (Rp)"], gross_sen);
  EXPECT_EQ(transaksi["sums_sen"]["Neto (Rp)"], net_sen);
  EXPECT_EQ(transaksi["sums_sen"]["PPN (Rp)"], ppn_sen);
  EXPECT_EQ(transaksi["number_formats"]["Bruto (Rp)"], "\"Rp \"#,##0.00");
  EXPECT_EQ(TextAt(transaksi, 5, "Dibatalkan (seq pembatalan)"), std::to_string(reversal_));
  EXPECT_EQ(TextAt(transaksi, 0, "Dibatalkan (seq pembatalan)"), "");
  EXPECT_EQ(TextAt(transaksi, 1, "Uraian"), kTrickyDescription);
  EXPECT_EQ(TextAt(transaksi, 1, "Penerima"), "PT \"Maju, Jaya\"");
  EXPECT_EQ(TextAt(transaksi, 2, "No. Kontrak"), "027/PL/2026");
  EXPECT_EQ(SenAt(transaksi, 2, "Nilai Kontrak (Rp)"), 15'000'000'000);
  EXPECT_EQ(TextAt(transaksi, 3, "Instrumen"), "cash");

  // Realisasi: per line as gathered; per OPD and in total as the absorption API.
  const json& realisasi = SheetOf(book, "Realisasi");
  ASSERT_EQ(realisasi["row_count"].get<std::size_t>(), data.realisation.size());
  for (std::size_t i = 0; i < data.realisation.size(); ++i) {
    EXPECT_EQ(TextAt(realisasi, i, "OPD"), data.realisation[i].opd);
    EXPECT_EQ(TextAt(realisasi, i, "Sub Kegiatan"), data.realisation[i].sub_activity);
    EXPECT_EQ(TextAt(realisasi, i, "Kode Rekening"), data.realisation[i].account);
    EXPECT_EQ(SenAt(realisasi, i, "Pagu (Rp)"), data.realisation[i].pagu_sen);
    EXPECT_EQ(SenAt(realisasi, i, "Realisasi (Rp)"), data.realisation[i].realisation_sen);
  }
  Result<ledger::AbsorptionInput> inputs = store_->AbsorptionInputs(2026, "2026-06-30", std::nullopt);
  ASSERT_TRUE(inputs.has_value());
  Result<ledger::AbsorptionReport> report = ledger::ComputeAbsorption(*inputs);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(realisasi["sums_sen"]["Pagu (Rp)"], report->total.pagu_sen);
  EXPECT_EQ(realisasi["sums_sen"]["Realisasi (Rp)"], report->total.realisation_sen);
  EXPECT_EQ(realisasi["sums_sen"]["Sisa Pagu (Rp)"], report->total.remaining_sen);
  for (const ledger::Absorption& opd : report->opds) {
    std::int64_t pagu_sen = 0, realisation_sen = 0;
    for (std::size_t i = 0; i < data.realisation.size(); ++i) {
      if (TextAt(realisasi, i, "OPD") != opd.opd) continue;
      pagu_sen += SenAt(realisasi, i, "Pagu (Rp)");
      realisation_sen += SenAt(realisasi, i, "Realisasi (Rp)");
      EXPECT_EQ(TextAt(realisasi, i, "Nama OPD"), opd.name);
    }
    EXPECT_EQ(pagu_sen, opd.pagu_sen) << opd.opd;
    EXPECT_EQ(realisation_sen, opd.realisation_sen) << opd.opd;
  }
}

TEST_F(WorkpapersTest, XlsxTaxFindingsAndSummaryMatchTheApis) {
  BuildRegency();
  WorkpaperData data = MustGather();
  Result<std::string> xlsx = RenderXlsx(data);
  ASSERT_TRUE(xlsx.has_value()) << xlsx.error().ToString();
  const json book = ReadBack(*xlsx);
  ASSERT_TRUE(book.is_object());
  const std::string root = data.checkpoint.root_hash_hex;
  const std::string size = std::to_string(data.checkpoint.tree_size);
  std::int64_t gross_sen = 0;
  db::EntryFilter filter;
  filter.kind = "expenditure";
  filter.fiscal_year = 2026;
  Result<db::EntryPage> page = store_->ListEntries(filter);
  ASSERT_TRUE(page.has_value());
  for (const db::StoredEntry& stored : page->entries) {
    Result<json> entry = ledger::ParseStrict(stored.canonical);
    ASSERT_TRUE(entry.has_value());
    gross_sen += Sen((*entry)["gross"].get<std::string>());
  }
  Result<ledger::AbsorptionInput> inputs = store_->AbsorptionInputs(2026, "2026-06-30", std::nullopt);
  ASSERT_TRUE(inputs.has_value());
  Result<ledger::AbsorptionReport> report = ledger::ComputeAbsorption(*inputs);
  ASSERT_TRUE(report.has_value());

  // Pajak: withheld and deposited per type and month, with NTPN.
  Result<ledger::AuditInput> audit = store_->AuditInputs(2026, "2026-06-30");
  ASSERT_TRUE(audit.has_value());
  std::int64_t withheld_sen = 0, deposits_sen = 0;
  for (const ledger::ExpenditureFacts& e : audit->expenditures) {
    if (e.reversed_by) continue;
    for (const auto& [type, amount] : e.taxes_sen) withheld_sen += amount;
  }
  for (const ledger::TaxDepositFacts& d : audit->tax_deposits) deposits_sen += d.amount_sen;
  const json& pajak = SheetOf(book, "Pajak");
  EXPECT_EQ(pajak["sums_sen"]["Dipotong (Rp)"], withheld_sen);
  EXPECT_EQ(pajak["sums_sen"]["Disetor (Rp)"].get<std::int64_t>() +
                pajak["sums_sen"]["Setoran Tidak Teralokasi (Rp)"].get<std::int64_t>(),
            deposits_sen);
  std::map<std::string, std::vector<std::string>> rows;  // "opd type period" -> cells.
  for (std::size_t i = 0; i < pajak["row_count"].get<std::size_t>(); ++i) {
    rows[TextAt(pajak, i, "OPD") + " " + TextAt(pajak, i, "Jenis Pajak") + " " +
         TextAt(pajak, i, "Masa Pajak")] = {
        std::to_string(SenAt(pajak, i, "Dipotong (Rp)")), std::to_string(SenAt(pajak, i, "Disetor (Rp)")),
        std::to_string(SenAt(pajak, i, "Setoran Tidak Teralokasi (Rp)")), TextAt(pajak, i, "NTPN"),
        TextAt(pajak, i, "Batas Setor")};
  }
  const std::string dinkes = kDinkes;
  const std::string disdik = kDisdik;
  EXPECT_EQ(rows[dinkes + " PPN 2026-02"],
            (std::vector<std::string>{"11261261", "11261261", "8739", "0A1B2C3D4E5F6G7H", "2026-03-16"}));
  EXPECT_EQ(rows[dinkes + " PPh22 2026-02"],
            (std::vector<std::string>{"1689189", "1689189", "0", "1111222233334444", "2026-03-16"}));
  EXPECT_EQ(rows[dinkes + " PPh23 2026-02"], (std::vector<std::string>{"4000000", "0", "0", "", "2026-03-16"}));
  EXPECT_EQ(rows[dinkes + " PPN 2026-03"],
            (std::vector<std::string>{"1351351351", "1351351351", "0", "9999888877776666", "2026-04-15"}));
  EXPECT_EQ(rows[dinkes + " PPh22 2026-03"], (std::vector<std::string>{"202702703", "0", "0", "", "2026-04-15"}));
  EXPECT_EQ(rows[disdik + " PPh23 2026-03"], (std::vector<std::string>{"8000000", "0", "0", "", "2026-04-15"}));
  EXPECT_EQ(rows.count(dinkes + " PPN 2026-04"), 0u);  // e6 was reversed.
  EXPECT_EQ(rows.size(), 6u);

  // Temuan: every finding of the rules, with amounts and seqs.
  const json& temuan = SheetOf(book, "Temuan");
  ASSERT_EQ(temuan["row_count"].get<std::size_t>(), data.findings.size());
  std::int64_t findings_sen = 0;
  for (std::size_t i = 0; i < data.findings.size(); ++i) {
    const ledger::Finding& finding = data.findings[i];
    EXPECT_EQ(TextAt(temuan, i, "Kode Aturan"), finding.rule);
    EXPECT_EQ(TextAt(temuan, i, "Kondisi"), finding.kondisi);
    EXPECT_EQ(TextAt(temuan, i, "Kriteria"), finding.kriteria);
    EXPECT_EQ(TextAt(temuan, i, "Sebab"), finding.sebab);
    EXPECT_EQ(TextAt(temuan, i, "Akibat"), finding.akibat);
    EXPECT_FALSE(finding.sebab.empty());
    EXPECT_EQ(TextAt(temuan, i, "Rekomendasi"), finding.rekomendasi);
    EXPECT_EQ(SenAt(temuan, i, "Nilai (Rp)"), finding.amount_sen);
    std::string seqs;
    for (std::int64_t seq : finding.seqs) seqs += (seqs.empty() ? "" : ", ") + std::to_string(seq);
    EXPECT_EQ(TextAt(temuan, i, "Seq (100 pertama)"), seqs);
    EXPECT_EQ(TextAt(temuan, i, "ID Temuan"), finding.id);
    EXPECT_EQ(TextAt(temuan, i, "Jumlah Seq"), std::to_string(finding.seqs.size()));
    findings_sen += finding.amount_sen;
  }
  EXPECT_EQ(temuan["sums_sen"]["Nilai (Rp)"], findings_sen);

  // Ringkasan: checkpoint, totals, counts per rule.
  const json& ringkasan = SheetOf(book, "Ringkasan");
  std::map<std::string, std::pair<std::string, std::string>> summary;  // Uraian -> (Nilai, Jumlah).
  for (std::size_t i = 0; i < ringkasan["row_count"].get<std::size_t>(); ++i) {
    const json& jumlah = ringkasan["rows"][i][static_cast<std::size_t>(ColumnOf(ringkasan, "Jumlah (Rp)"))];
    summary[TextAt(ringkasan, i, "Uraian")] = {
        TextAt(ringkasan, i, "Nilai"),
        jumlah.is_null() ? "" : std::to_string(Sen(jumlah["n"].get<std::string>()))};
  }
  EXPECT_EQ(summary["Pemerintah Daerah"].first, kRegion);
  EXPECT_EQ(summary["Tahun Anggaran"].first, "2026");
  EXPECT_EQ(summary["Ukuran Pohon (tree size)"].first, size);
  EXPECT_EQ(summary["Root Hash"].first, root);
  EXPECT_EQ(summary["Waktu Checkpoint"].first, data.checkpoint.time);
  EXPECT_EQ(summary.count("Waktu Ekspor"), 0u);  // Reproducible: no time of download.
  EXPECT_EQ(summary["Posisi per Tanggal"].first, std::string(kAsOf).substr(0, 10));
  EXPECT_EQ(summary["Pagu"].second, std::to_string(report->total.pagu_sen));
  EXPECT_EQ(summary["Realisasi"].second, std::to_string(report->total.realisation_sen));
  EXPECT_EQ(Sen(summary["Persentase Realisasi (%)"].first), *report->total.percent_basis_points);
  EXPECT_EQ(summary["Belanja (bruto, termasuk yang dibatalkan)"],
            std::make_pair(std::string("6"), std::to_string(gross_sen)));
  EXPECT_EQ(summary["Belanja Dibatalkan"].first, "1");
  const std::vector<ledger::Finding> api_findings = ledger::RunAuditRules(*audit, rules_);
  for (const char* rule : {ledger::kRuleOverPagu, ledger::kRuleTaxNotDeposited, ledger::kRuleCashPayment,
                           ledger::kRuleSplitPackage}) {
    std::int64_t count = 0, amount_sen = 0;
    for (const ledger::Finding& finding : api_findings) {
      if (finding.rule != rule) continue;
      ++count;
      amount_sen += finding.amount_sen;
    }
    EXPECT_EQ(summary[rule], std::make_pair(std::to_string(count), std::to_string(amount_sen))) << rule;
  }
  EXPECT_EQ(summary["Jumlah Temuan"].first, std::to_string(data.findings.size()));
}

TEST_F(WorkpapersTest, CsvFollowsRfc4180) {
  BuildRegency();
  WorkpaperData data = MustGather();
  Result<std::string> csv = RenderCsv(data, "Transaksi");
  ASSERT_TRUE(csv.has_value());
  // No byte order mark: the checkpoint line, then the header.
  EXPECT_EQ(csv->rfind("\"Dihitung atas " + std::to_string(data.checkpoint.tree_size) + " entri pertama", 0), 0u);
  EXPECT_NE(csv->find("\r\nSeq,Tanggal Transaksi,OPD,"), std::string::npos);
  // Quotes doubled; the comma and the newline stay inside one quoted field.
  EXPECT_NE(csv->find("\"Belanja \"\"ATK\"\", kertas HVS\nuntuk Puskesmas; 2 rim\""), std::string::npos);
  EXPECT_NE(csv->find(",\"PT \"\"Maju, Jaya\"\"\","), std::string::npos);
  std::vector<std::vector<std::string>> records = ParseCsv(*csv);
  ASSERT_EQ(records.size(), 8u);
  records.erase(records.begin());  // The checkpoint line.
  const std::vector<std::string>& header = records[0];
  for (const std::vector<std::string>& record : records) EXPECT_EQ(record.size(), header.size());
  auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  EXPECT_EQ(records[2][column("Uraian")], kTrickyDescription);
  EXPECT_EQ(records[2][column("Penerima")], "PT \"Maju, Jaya\"");
  EXPECT_EQ(records[1][column("Bruto (Rp)")], "1250000.07");  // Exact decimal strings.
  EXPECT_EQ(records[1][column("PPN (Rp)")], "112612.61");
  EXPECT_EQ(records[1][column("PPh 21 (Rp)")], "0.00");
  EXPECT_EQ(records[1][column("Neto (Rp)")], "1120495.57");
  EXPECT_EQ(records[3][column("Nilai Kontrak (Rp)")], "150000000.00");
  EXPECT_EQ(records[1][column("Nilai Kontrak (Rp)")], "");
  EXPECT_EQ(records[6][column("Dibatalkan (seq pembatalan)")], std::to_string(reversal_));
  EXPECT_EQ(records[1][column("Dibatalkan (seq pembatalan)")], "");

  Result<std::string> ringkasan = RenderCsv(data, "Ringkasan");
  ASSERT_TRUE(ringkasan.has_value());
  EXPECT_NE(ringkasan->find("Checkpoint,Root Hash,," + data.checkpoint.root_hash_hex + ",\r\n"),
            std::string::npos);
  Result<std::string> realisasi = RenderCsv(data, "Realisasi");
  ASSERT_TRUE(realisasi.has_value());
  EXPECT_NE(realisasi->find(std::string(kDisdik) + ",Dinas Pendidikan," + kSubDisdik + "," + kAtk +
                            ",barang_jasa,Belanja Barang dan Jasa,6000000.50,7500000.00,-1499999.50,125.00,2\r\n"),
            std::string::npos)
      << *realisasi;
  for (const char* name : kWorkpaperSheets) {
    Result<std::string> sheet = RenderCsv(data, name);
    ASSERT_TRUE(sheet.has_value()) << name;
    EXPECT_EQ(sheet->substr(sheet->size() - 2), "\r\n") << name;
  }
}

TEST_F(WorkpapersTest, CsvRejectsAnUnknownSheet) {
  BuildRegency();
  WorkpaperData data = MustGather();
  for (const char* name : {"transaksi", "", "Sheet1", "Temuan "}) {
    Result<std::string> csv = RenderCsv(data, name);
    ASSERT_FALSE(csv.has_value()) << name;
    EXPECT_EQ(csv.error().code, Code::kInvalidArgument);
    ASSERT_EQ(csv.error().fields.size(), 1u);
    EXPECT_EQ(csv.error().fields[0].field, "sheet");
    EXPECT_NE(csv.error().fields[0].message.find("Ringkasan, Transaksi, Realisasi, Pajak, Temuan"),
              std::string::npos);
  }
}

TEST_F(WorkpapersTest, NotFoundBeforeTheFirstCheckpoint) {
  Result<WorkpaperData> data = GatherWorkpapers(*store_, Request());
  ASSERT_FALSE(data.has_value());
  EXPECT_EQ(data.error().code, Code::kNotFound);
}

TEST_F(WorkpapersTest, CheckpointByAnotherKeyIsDataLoss) {
  BuildRegency();
  WorkpaperRequest request = Request();
  request.verifier = ledger::VerifierOf(TestSigner(8));
  Result<WorkpaperData> data = GatherWorkpapers(*store_, request);
  ASSERT_FALSE(data.has_value());
  EXPECT_EQ(data.error().code, Code::kDataLoss);
}

TEST_F(WorkpapersTest, RejectsABadYearOrDate) {
  BuildRegency();
  WorkpaperRequest request = Request();
  request.fiscal_year = 1999;
  Result<WorkpaperData> data = GatherWorkpapers(*store_, request);
  ASSERT_FALSE(data.has_value());
  EXPECT_EQ(data.error().code, Code::kInvalidArgument);
  EXPECT_EQ(data.error().fields.at(0).field, "fiscal_year");
  for (const char* as_of : {"2026-02-30", "2026-6-30", "30-06-2026", "2026-06-30 08:00", ""}) {
    request = Request();
    request.as_of = as_of;
    data = GatherWorkpapers(*store_, request);
    ASSERT_FALSE(data.has_value()) << as_of;
    EXPECT_EQ(data.error().fields.at(0).field, "as_of") << as_of;
  }
  request = Request();
  request.as_of = "2026-06-30";  // A bare date is an as_of too.
  request.region = "Kabupaten Lain";
  data = GatherWorkpapers(*store_, request);
  ASSERT_TRUE(data.has_value()) << data.error().ToString();
  EXPECT_EQ(data->region, "Kabupaten Lain");
}

TEST_F(WorkpapersTest, AnotherYearAndLaterEntriesStayApart) {
  BuildRegency();
  WorkpaperData before = MustGather();
  json next_year = Expenditure(kDinkes, kSubDinkes, kAtk, "CMS-2027", "2027-01-05", "100000",
                               json::array(), "100000");
  next_year["fiscal_year"] = 2027;
  Append(next_year, "bendahara.dinkes", "2027-01-05T08:00:00.000Z");
  WorkpaperData after = MustGather();
  EXPECT_EQ(after.checkpoint.tree_size, before.checkpoint.tree_size + 1);
  EXPECT_NE(after.checkpoint.root_hash_hex, before.checkpoint.root_hash_hex);
  EXPECT_EQ(after.expenditures.size(), before.expenditures.size());
  EXPECT_EQ(after.gross_sen, before.gross_sen);
}

// Every sheet as CSV, and the workbook's cells as openpyxl reads them.
struct Rendered {
  std::map<std::string, std::string> csv;
  json cells;
};

TEST_F(WorkpapersTest, APinnedTreeSizeIsTheSameAfterLaterEntriesOfEveryKind) {
  BuildRegency();
  const auto render = [this](const WorkpaperData& data) {
    Rendered out;
    for (const char* name : kWorkpaperSheets) {
      Result<std::string> csv = RenderCsv(data, name);
      EXPECT_TRUE(csv.has_value()) << name;
      out.csv[name] = csv ? *csv : "";
    }
    Result<std::string> xlsx = RenderXlsx(data);
    EXPECT_TRUE(xlsx.has_value());
    out.cells = xlsx ? ReadBack(*xlsx) : json();
    return out;
  };
  WorkpaperRequest pinned = Request();
  pinned.as_of = "2026-06-30";
  Result<WorkpaperData> before = GatherWorkpapers(*store_, pinned);
  ASSERT_TRUE(before.has_value()) << before.error().ToString();
  const Rendered first = render(*before);

  // Later: a reversal of a pinned expenditure, a budget for a pinned line (dated before
  // as_of), a new OPD, an expenditure and a tax deposit of the pinned months.
  Append({{"kind", "reversal"}, {"reverses", e1_}, {"reason", "Salah rekening"}}, "bendahara.dinkes",
         "2026-07-01T08:00:00.000Z");
  json budget = Budget(kDinkes, kSubDinkes, kAtk, "1000", "pergeseran");
  budget["effective_date"] = "2026-01-05";
  Append(budget, "admin", "2026-07-01T08:00:01.000Z");
  Append({{"kind", "opd"}, {"code", "1.06.0.00.0.00.01.0000"}, {"name", "Dinas Sosial"}}, "admin",
         "2026-07-01T08:00:02.000Z");
  const std::int64_t late = Append(Expenditure(kDinkes, kSubDinkes, kAtk, "CMS-LATE", "2026-02-11", "900000",
                                               {Tax("PPh23", "18000")}, "882000"),
                                   "bendahara.dinkes", "2026-07-01T08:00:03.000Z");
  Append({{"kind", "tax_deposit"}, {"fiscal_year", 2026}, {"opd", kDinkes}, {"tax_type", "PPh23"},
          {"amount", "40000"}, {"billing_code", "123456789012348"}, {"ntpn", "5555666677778888"},
          {"deposit_date", "2026-03-12"}, {"covers", {e2_, late}}},
         "bendahara.dinkes", "2026-07-01T08:00:04.000Z");

  Result<WorkpaperData> again = GatherWorkpapers(*store_, pinned);
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  const Rendered second = render(*again);
  for (const char* name : kWorkpaperSheets) EXPECT_EQ(second.csv.at(name), first.csv.at(name)) << name;
  EXPECT_EQ(second.cells, first.cells);
  EXPECT_TRUE(again->checkpoint.signed_checkpoint);

  // The newest tree sees all of it: the same request at the new size differs.
  WorkpaperRequest newest = Request();
  newest.as_of = "2026-06-30";
  Result<WorkpaperData> now = GatherWorkpapers(*store_, newest);
  ASSERT_TRUE(now.has_value()) << now.error().ToString();
  EXPECT_EQ(now->expenditures.size(), before->expenditures.size() + 1);
  EXPECT_TRUE(now->expenditures[0].reversed_by.has_value());
  EXPECT_FALSE(before->expenditures[0].reversed_by.has_value());
  EXPECT_NE(now->pagu_sen, before->pagu_sen);
  EXPECT_NE(render(*now).csv.at("Realisasi"), first.csv.at("Realisasi"));
}

TEST_F(WorkpapersTest, ATreeSizeInsideACommitNamesItsRootAndSaysItIsUnsigned) {
  BuildRegency();
  Result<std::uint64_t> size = store_->TreeSize();
  ASSERT_TRUE(size.has_value());
  // Two entries in one commit: no checkpoint is signed between them.
  Result<db::BatchReceipt> receipt = store_->Append(
      {db::PendingEntry{Body(Expenditure(kDinkes, kSubDinkes, kAtk, "CMS-A", "2026-05-02", "100000",
                                         json::array(), "100000")),
                        "bendahara.dinkes", "", ""},
       db::PendingEntry{Body(Expenditure(kDinkes, kSubDinkes, kAtk, "CMS-B", "2026-05-03", "200000",
                                         json::array(), "200000")),
                        "bendahara.dinkes", "", ""}},
      "2026-05-21T08:00:00.000Z");
  ASSERT_TRUE(receipt.has_value()) << receipt.error().ToString();
  WorkpaperRequest request = Request();
  request.tree_size = *size + 1;
  Result<WorkpaperData> data = GatherWorkpapers(*store_, request);
  ASSERT_TRUE(data.has_value()) << data.error().ToString();
  EXPECT_FALSE(data->checkpoint.signed_checkpoint);
  EXPECT_EQ(data->checkpoint.tree_size, *size + 1);
  Result<ledger::Digest> root = store_->TreeHash(*size + 1);
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(data->checkpoint.root_hash_hex, crypto::ToHex(*root));
  EXPECT_EQ(data->expenditures.size(), 7u);  // The first of the two only.
  Result<std::string> csv = RenderCsv(*data, "Ringkasan");
  ASSERT_TRUE(csv.has_value());
  EXPECT_NE(csv->find("tidak ada checkpoint bertanda tangan tepat pada ukuran ini"), std::string::npos);
  EXPECT_NE(csv->find("Checkpoint,Checkpoint Bertanda Tangan,,tidak:"), std::string::npos);
  EXPECT_NE(csv->find(crypto::ToHex(*root)), std::string::npos);

  request.tree_size = *size + 3;  // Past the ledger.
  data = GatherWorkpapers(*store_, request);
  ASSERT_FALSE(data.has_value());
  EXPECT_EQ(data.error().code, Code::kInvalidArgument);
  EXPECT_EQ(data.error().fields.at(0).field, "tree_size");
}

TEST_F(WorkpapersTest, TemuanListsTheFirstHundredSeqsBesideTheCountAndTheId) {
  WorkpaperData data;
  data.fiscal_year = 2026;
  data.as_of = data.as_of_date = "2026-12-31";
  data.checkpoint.tree_size = 400;
  data.checkpoint.root_hash_hex = std::string(64, 'a');
  ledger::Finding finding;
  finding.rule = ledger::kRuleLateRecording;
  finding.severity = "medium";
  finding.opd = kDinkes;
  finding.opd_name = "Dinas Kesehatan";
  for (std::int64_t seq = 10; seq < 260; ++seq) finding.seqs.push_back(seq);
  finding.sebab = "Sebab";
  finding.akibat = "Akibat";
  std::vector<ledger::Finding> findings = {finding};
  ledger::AssignFindingIds(ledger::AuditInput{}, findings);
  data.findings = findings;
  Result<std::string> csv = RenderCsv(data, "Temuan");
  ASSERT_TRUE(csv.has_value());
  std::vector<std::vector<std::string>> records = ParseCsv(*csv);
  ASSERT_EQ(records.size(), 3u);  // The checkpoint line, the header, the finding.
  const std::vector<std::string>& header = records[1];
  auto cell = [&](const std::string& name) {
    const auto at = std::find(header.begin(), header.end(), name);
    EXPECT_NE(at, header.end()) << name;
    return at == header.end() ? std::string() : records[2][static_cast<std::size_t>(at - header.begin())];
  };
  std::string first_hundred;
  for (std::int64_t seq = 10; seq < 110; ++seq) first_hundred += (seq == 10 ? "" : ", ") + std::to_string(seq);
  EXPECT_EQ(cell("Seq (100 pertama)"), first_hundred);
  EXPECT_EQ(cell("Jumlah Seq"), "250");
  EXPECT_EQ(cell("ID Temuan"), findings[0].id);
  EXPECT_EQ(cell("Nama OPD"), "Dinas Kesehatan");
  EXPECT_EQ(cell("Sebab"), "Sebab");
  EXPECT_EQ(cell("Akibat"), "Akibat");
}

// A refund of this year's payment dated next year is next year's pendapatan lain-lain: the
// closed year's workpapers, exported after it, neither list it nor net it.
TEST_F(WorkpapersTest, ALaterYearsRefundLeavesTheClosedYearAlone) {
  BuildRegency();
  WorkpaperRequest late = Request();
  late.as_of = "2027-03-01";
  Result<WorkpaperData> before = GatherWorkpapers(*store_, late);
  ASSERT_TRUE(before.has_value()) << before.error().ToString();
  const std::int64_t refund = Append({{"kind", "refund"}, {"refunds", e1_}, {"value_date", "2027-02-10"},
                                      {"amount", "100000"}, {"sts_no", "STS/01/DINKES/2027"},
                                      {"reason", "Denda keterlambatan"}},
                                     "bendahara.dinkes", "2027-02-10T08:00:00.000Z");
  Result<std::uint64_t> size = store_->TreeSize();
  ASSERT_TRUE(size.has_value());
  late.tree_size = *size;
  Result<WorkpaperData> closed = GatherWorkpapers(*store_, late);
  ASSERT_TRUE(closed.has_value()) << closed.error().ToString();
  EXPECT_EQ(closed->realisation_sen, before->realisation_sen);
  EXPECT_EQ(closed->adjustments.size(), before->adjustments.size());
  for (const WorkpaperAdjustment& a : closed->adjustments) EXPECT_NE(a.seq, refund);

  WorkpaperRequest next = late;
  next.fiscal_year = 2027;
  Result<WorkpaperData> following = GatherWorkpapers(*store_, next);
  ASSERT_TRUE(following.has_value()) << following.error().ToString();
  ASSERT_EQ(following->adjustments.size(), 1u);
  EXPECT_EQ(following->adjustments[0].seq, refund);
  EXPECT_EQ(following->adjustments[0].original_fiscal_year, 2026);
  EXPECT_EQ(following->realisation_sen, 0);
  Result<std::string> csv = RenderCsv(*following, "Koreksi");
  ASSERT_TRUE(csv.has_value());
  EXPECT_NE(csv->find("pendapatan lain-lain"), std::string::npos) << *csv;
}

TEST_F(WorkpapersTest, KoreksiListsReversalsAndRefundsAndRealisasiNetsRefunds) {
  BuildRegency();
  const WorkpaperData before = MustGather();
  // 250,000.07 of e1 comes back on 1 June; a 2025 payment is refunded on 3 June (other
  // revenue of 2026).
  const std::int64_t refund = Append({{"kind", "refund"}, {"refunds", e1_}, {"value_date", "2026-06-01"},
                                      {"amount", "250000.07"}, {"sts_no", "STS/07/DINKES"},
                                      {"reason", "Kelebihan bayar"}},
                                     "bendahara.dinkes", "2026-06-01T08:00:00.000Z");
  json closed = Expenditure(kDinkes, kSubDinkes, kAtk, "CMS-2025", "2025-12-10", "900000",
                            json::array(), "900000");
  closed["fiscal_year"] = 2025;
  const std::int64_t closed_seq = Append(closed, "bendahara.dinkes", "2026-06-02T08:00:00.000Z");
  const std::int64_t other = Append({{"kind", "refund"}, {"refunds", closed_seq}, {"value_date", "2026-06-03"},
                                     {"amount", "100000"}, {"sts_no", "STS/08/DINKES"},
                                     {"reason", "Sisa tahun lalu"}},
                                    "bendahara.dinkes", "2026-06-03T08:00:00.000Z");
  const WorkpaperData data = MustGather();
  ASSERT_EQ(data.adjustments.size(), 3u);
  const WorkpaperAdjustment& correction = data.adjustments[0];
  EXPECT_EQ(correction.seq, reversal_);
  EXPECT_EQ(correction.kind, "reversal");
  EXPECT_EQ(correction.original_seq, e6_);
  EXPECT_EQ(correction.amount_sen, 70'000'000);
  EXPECT_EQ(correction.date, "2026-04-02");
  EXPECT_EQ(correction.reason, "Salah rekening");
  const WorkpaperAdjustment& same_year = data.adjustments[1];
  EXPECT_EQ(same_year.seq, refund);
  EXPECT_EQ(same_year.original_seq, e1_);
  EXPECT_EQ(same_year.opd, kDinkes);
  EXPECT_EQ(same_year.account, kAtk);
  EXPECT_EQ(same_year.original_value_date, "2026-02-03");
  EXPECT_EQ(same_year.original_gross_sen, 125'000'007);
  EXPECT_EQ(same_year.amount_sen, 25'000'007);
  EXPECT_EQ(same_year.sts_no, "STS/07/DINKES");
  EXPECT_EQ(data.adjustments[2].seq, other);
  EXPECT_EQ(data.adjustments[2].original_fiscal_year, 2025);
  // Realisasi: the line of e1 is 250,000.07 lower; the 2025 refund changes nothing.
  auto line = [](const WorkpaperData& d) {
    for (const WorkpaperRealisation& r : d.realisation) {
      if (r.opd == kDinkes && r.account == kAtk) return r.realisation_sen;
    }
    return std::int64_t{-1};
  };
  EXPECT_EQ(line(data), line(before) - 25'000'007);
  EXPECT_EQ(data.realisation_sen, before.realisation_sen - 25'000'007);
  Result<std::string> csv = RenderCsv(data, "Koreksi");
  ASSERT_TRUE(csv.has_value()) << csv.error().ToString();
  const std::vector<std::vector<std::string>> records = ParseCsv(*csv);
  ASSERT_EQ(records.size(), 5u);  // The line naming the tree, the header, three rows.
  EXPECT_EQ(records[1][0], "Seq");
  auto column = [&](const char* header) {
    const auto found = std::find(records[1].begin(), records[1].end(), header);
    EXPECT_NE(found, records[1].end()) << header;
    return static_cast<std::size_t>(found - records[1].begin());
  };
  EXPECT_EQ(records[2][1], "koreksi");
  EXPECT_EQ(records[2][column("Jenis Entri")], "reversal");
  EXPECT_EQ(records[2][column("Nama Jenis Entri")], "Koreksi (pembatalan)");
  EXPECT_EQ(records[3][1], "pengembalian");
  EXPECT_EQ(records[3][column("Nama Jenis Entri")], "Pengembalian belanja");
  EXPECT_EQ(records[3][column("Jumlah (Rp)")], "250000.07");
  EXPECT_EQ(records[3][column("Nomor STS")], "STS/07/DINKES");
  EXPECT_EQ(records[3][column("Nama OPD")], "Dinas Kesehatan");
  EXPECT_EQ(records[3][column("Tanggal")], "2026-06-01");  // CSV dates stay ISO text.
  EXPECT_EQ(records[4][1], "pendapatan lain-lain");
  EXPECT_EQ(records[4][column("TA Asal")], "2025");
  // The workbook has the sheet with the same rows.
  Result<std::string> xlsx = RenderXlsx(data);
  ASSERT_TRUE(xlsx.has_value());
  const json book = ReadBack(*xlsx);
  EXPECT_EQ(SheetOf(book, "Koreksi")["row_count"], 3);
}

}  // namespace
}  // namespace jejak::server
