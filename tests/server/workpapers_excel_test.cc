// The workpapers in spreadsheet terms, read back by openpyxl: dates are date cells with a
// dd/mm/yyyy format, amounts are number cells with a Rupiah format (exact to the sen) or,
// from Rp 10 trillion up, their exact decimal text; every OPD column has the OPD's name
// beside it on every sheet, every code its Indonesian label from ledger/labels.h; header
// rows are frozen, filtered and the columns sized. The CSV carries the same name and label
// columns with ISO dates and exact decimal amounts.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "ledger/labels.h"
#include "server/workpapers.h"
#include "tests/server/workpapers_fixture.h"

namespace jejak::server {
namespace {

using namespace workpapers_test;  // NOLINT: the fixture's helpers, as if defined here.

constexpr const char* kRupiahFormat = "\"Rp \"#,##0.00";
constexpr const char* kDateFormat = "dd/mm/yyyy";

const std::map<std::string, std::string> kOpdNames = {{kDinkes, "Dinas Kesehatan"},
                                                      {kDisdik, "Dinas Pendidikan"}};

// Every cell of `header` in `sheet` (nulls included).
std::vector<json> ColumnCells(const json& sheet, const std::string& header) {
  std::vector<json> cells;
  const auto column = static_cast<std::size_t>(ColumnOf(sheet, header));
  for (const json& row : sheet.at("rows")) cells.push_back(row.at(column));
  return cells;
}

TEST_F(WorkpapersTest, EveryOpdColumnHasTheOpdsNameBesideIt) {
  BuildRegency();
  const json book = ReadBack(*RenderXlsx(MustGather()));
  for (const char* name : {"Transaksi", "Realisasi", "Pajak", "Temuan", "Koreksi"}) {
    const json& sheet = SheetOf(book, name);
    ASSERT_GT(sheet["row_count"].get<int>(), 0) << name;  // Not vacuous.
    const int opd = ColumnOf(sheet, "OPD");
    ASSERT_EQ(sheet["headers"].at(static_cast<std::size_t>(opd + 1)), "Nama OPD") << name;
    for (std::size_t i = 0; i < sheet["row_count"].get<std::size_t>(); ++i) {
      const std::string code = TextAt(sheet, i, "OPD");
      ASSERT_EQ(kOpdNames.count(code), 1u) << name << " row " << i << ": " << code;
      EXPECT_EQ(TextAt(sheet, i, "Nama OPD"), kOpdNames.at(code)) << name << " row " << i;
    }
  }
  // Ringkasan is about the whole region: no OPD column.
  for (const json& header : SheetOf(book, "Ringkasan")["headers"]) EXPECT_NE(header, "OPD");
}

TEST_F(WorkpapersTest, DatesAreDateCellsWithADayMonthYearFormat) {
  BuildRegency();
  const WorkpaperData data = MustGather();
  const json book = ReadBack(*RenderXlsx(data));
  const std::vector<std::pair<const char*, const char*>> date_columns = {
      {"Transaksi", "Tanggal Transaksi"}, {"Transaksi", "Tgl Bukti"},  {"Pajak", "Batas Setor"},
      {"Koreksi", "Tanggal Bayar Asal"},  {"Koreksi", "Tanggal"}};
  for (const auto& [name, header] : date_columns) {
    const json& sheet = SheetOf(book, name);
    std::size_t dates = 0;
    for (const json& cell : ColumnCells(sheet, header)) {
      if (cell.is_null()) continue;
      EXPECT_TRUE(cell.contains("d")) << name << " " << header << ": " << cell;
      ++dates;
    }
    EXPECT_GT(dates, 0u) << name << " " << header;
    EXPECT_EQ(sheet["all_number_formats"][header], json::array({kDateFormat})) << name << " " << header;
  }
  const json& transaksi = SheetOf(book, "Transaksi");
  for (std::size_t i = 0; i < data.expenditures.size(); ++i) {
    EXPECT_EQ(transaksi["rows"][i][static_cast<std::size_t>(ColumnOf(transaksi, "Tanggal Transaksi"))],
              json({{"d", data.expenditures[i].value_date}}));
    // Times stay the ledger's RFC 3339 text.
    EXPECT_EQ(TextAt(transaksi, i, "Waktu Catat"), data.expenditures[i].recorded_at);
  }
  EXPECT_EQ(TextAt(SheetOf(book, "Pajak"), 0, "Batas Setor"), data.taxes[0].deadline);
  const json& ringkasan = SheetOf(book, "Ringkasan");
  bool position = false;
  for (std::size_t i = 0; i < ringkasan["row_count"].get<std::size_t>(); ++i) {
    if (TextAt(ringkasan, i, "Uraian") != "Posisi per Tanggal") continue;
    position = true;
    EXPECT_EQ(ringkasan["rows"][i][static_cast<std::size_t>(ColumnOf(ringkasan, "Nilai"))],
              json({{"d", "2026-06-30"}}));
  }
  EXPECT_TRUE(position);
}

TEST_F(WorkpapersTest, AmountsAreRupiahNumberCellsOnEverySheet) {
  BuildRegency();
  const json book = ReadBack(*RenderXlsx(MustGather()));
  std::size_t money_columns = 0;
  for (const auto& [name, sheet] : book["sheets"].items()) {
    for (const json& header : sheet["headers"]) {
      const std::string text = header.get<std::string>();
      if (text.size() < 4 || text.substr(text.size() - 4) != "(Rp)") continue;
      ++money_columns;
      for (const json& cell : ColumnCells(sheet, text)) {
        if (!cell.is_null()) {
          EXPECT_TRUE(cell.contains("n")) << name << " " << text << ": " << cell;
        }
      }
      EXPECT_EQ(sheet["text_amounts"][text], 0) << name << " " << text;
      if (sheet["all_number_formats"].contains(text)) {
        EXPECT_EQ(sheet["all_number_formats"][text], json::array({kRupiahFormat})) << name << " " << text;
      }
    }
    EXPECT_EQ(sheet["freeze_panes"], "A3") << name;
    EXPECT_TRUE(sheet["auto_filter"].is_string()) << name;
    for (const json& width : sheet["widths"]) EXPECT_GT(width.get<double>(), 5.0) << name;
  }
  // Ringkasan 1, Transaksi 8, Realisasi 3, Pajak 4, Temuan 1, Koreksi 2, Rekonsiliasi Bank 1.
  EXPECT_EQ(money_columns, 20u);
  const json& transaksi = SheetOf(book, "Transaksi");
  EXPECT_GT(transaksi["widths"].at(static_cast<std::size_t>(ColumnOf(transaksi, "Leaf Hash"))).get<double>(), 60.0);
}

TEST_F(WorkpapersTest, CodesHaveTheirIndonesianLabelsInTheNextColumn) {
  BuildRegency();
  const WorkpaperData data = MustGather();
  const json book = ReadBack(*RenderXlsx(data));
  const std::vector<std::tuple<const char*, const char*, const char*, std::string_view (*)(std::string_view)>>
      pairs = {{"Transaksi", "Mekanisme", "Nama Mekanisme", ledger::MechanismLabel},
               {"Transaksi", "Instrumen", "Nama Instrumen", ledger::InstrumentLabel},
               {"Transaksi", "Kelompok Belanja", "Nama Kelompok Belanja", ledger::AccountGroupLabel},
               {"Realisasi", "Kelompok Belanja", "Nama Kelompok Belanja", ledger::AccountGroupLabel},
               {"Pajak", "Jenis Pajak", "Nama Jenis Pajak", ledger::TaxTypeLabel},
               {"Temuan", "Kode Aturan", "Nama Aturan", ledger::RuleLabel},
               {"Temuan", "Tingkat", "Nama Tingkat", ledger::SeverityLabel},
               {"Koreksi", "Jenis Entri", "Nama Jenis Entri", ledger::KindLabel}};
  for (const auto& [name, code_header, label_header, label] : pairs) {
    const json& sheet = SheetOf(book, name);
    const int code_column = ColumnOf(sheet, code_header);
    EXPECT_EQ(sheet["headers"].at(static_cast<std::size_t>(code_column + 1)), label_header) << name;
    ASSERT_GT(sheet["row_count"].get<int>(), 0) << name;
    for (std::size_t i = 0; i < sheet["row_count"].get<std::size_t>(); ++i) {
      const std::string code = TextAt(sheet, i, code_header);
      EXPECT_FALSE(code.empty()) << name << " " << code_header << " row " << i;
      EXPECT_EQ(TextAt(sheet, i, label_header), std::string(label(code))) << name << " row " << i;
      EXPECT_NE(TextAt(sheet, i, label_header), code) << name << " row " << i;  // A real label.
    }
  }
  // Spelled out: the cash payment, the contract's account group and the LS mechanism.
  const json& transaksi = SheetOf(book, "Transaksi");
  EXPECT_EQ(TextAt(transaksi, 3, "Nama Instrumen"), "Tunai");
  EXPECT_EQ(TextAt(transaksi, 2, "Kelompok Belanja"), "modal");
  EXPECT_EQ(TextAt(transaksi, 2, "Nama Kelompok Belanja"), "Belanja Modal");
  EXPECT_EQ(TextAt(transaksi, 0, "Nama Mekanisme"), "Pembayaran Langsung");
  // Ringkasan names every rule with its label.
  const json& ringkasan = SheetOf(book, "Ringkasan");
  std::size_t rules = 0;
  for (std::size_t i = 0; i < ringkasan["row_count"].get<std::size_t>(); ++i) {
    if (TextAt(ringkasan, i, "Bagian") != "Temuan" || TextAt(ringkasan, i, "Uraian") == "Jumlah Temuan") continue;
    ++rules;
    EXPECT_EQ(TextAt(ringkasan, i, "Keterangan"), std::string(ledger::RuleLabel(TextAt(ringkasan, i, "Uraian"))));
  }
  EXPECT_EQ(rules, std::size(ledger::kAuditRuleIds));
  // The CSV has the same columns: names and labels beside the codes.
  Result<std::string> csv = RenderCsv(data, "Transaksi");
  ASSERT_TRUE(csv.has_value());
  const std::vector<std::vector<std::string>> records = ParseCsv(*csv);
  EXPECT_EQ(json(records[1]), transaksi["headers"]);
  EXPECT_EQ(records[5][static_cast<std::size_t>(ColumnOf(transaksi, "Nama Instrumen"))], "Tunai");
  EXPECT_EQ(records[5][static_cast<std::size_t>(ColumnOf(transaksi, "Nama OPD"))], "Dinas Pendidikan");
  EXPECT_EQ(records[5][static_cast<std::size_t>(ColumnOf(transaksi, "Tanggal Transaksi"))], "2026-03-05");
}

// An amount from Rp 10 trillion up (10^15 sen, 16 significant digits) is more than a
// spreadsheet keeps: it is written as its exact decimal text; one sen less is still an
// exact number cell.
TEST_F(WorkpapersTest, AmountsBeyondFifteenDigitsAreExactText) {
  WorkpaperData data;
  data.region = kRegion;
  data.fiscal_year = 2026;
  data.as_of = "2026-12-31";
  data.as_of_date = "2026-12-31";
  data.checkpoint.origin = kOrigin;
  data.checkpoint.tree_size = 3;
  data.checkpoint.root_hash_hex = std::string(64, 'a');
  data.checkpoint.chain_hash_hex = std::string(64, 'b');
  data.checkpoint.time = "2026-12-31T08:00:00.000Z";
  data.opd_names = kOpdNames;
  for (const std::int64_t gross_sen : {std::int64_t{999'999'999'999'999}, std::int64_t{1'000'000'000'000'000},
                                       std::int64_t{9'007'199'254'740'993}, std::int64_t{7}}) {
    WorkpaperExpenditure e;
    e.seq = static_cast<std::int64_t>(data.expenditures.size()) + 1;
    e.value_date = "2026-03-01";
    e.opd = kDinkes;
    e.mechanism = "LS";
    e.instrument = "sp2d_ls";
    e.gross_sen = gross_sen;
    e.net_sen = gross_sen;
    data.expenditures.push_back(e);
  }
  Result<std::string> xlsx = RenderXlsx(data);
  ASSERT_TRUE(xlsx.has_value()) << xlsx.error().ToString();
  const json transaksi = SheetOf(ReadBack(*xlsx), "Transaksi");
  const auto bruto = static_cast<std::size_t>(ColumnOf(transaksi, "Bruto (Rp)"));
  EXPECT_EQ(transaksi["rows"][0][bruto], json({{"n", "9999999999999.99"}}));
  EXPECT_EQ(transaksi["rows"][1][bruto], json({{"s", "10000000000000.00"}}));
  EXPECT_EQ(transaksi["rows"][2][bruto], json({{"s", "90071992547409.93"}}));
  EXPECT_EQ(transaksi["rows"][3][bruto], json({{"n", "0.07"}}));
  EXPECT_EQ(transaksi["text_amounts"]["Bruto (Rp)"], 2);
  EXPECT_EQ(transaksi["sums_sen"]["Bruto (Rp)"], 999'999'999'999'999 + 1'000'000'000'000'000 + 9'007'199'254'740'993 + 7);
  Result<std::string> csv = RenderCsv(data, "Transaksi");
  ASSERT_TRUE(csv.has_value());
  const std::vector<std::vector<std::string>> records = ParseCsv(*csv);
  EXPECT_EQ(records[3][bruto], "10000000000000.00");
  EXPECT_EQ(records[4][bruto], "90071992547409.93");
}

}  // namespace
}  // namespace jejak::server
