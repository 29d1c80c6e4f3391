// Tests of ledger/import_table.h and ledger/import_mapping.h: RFC 4180 CSV (quotes, line
// breaks in quotes, BOM, separator detection, every refusal naming its row and column,
// every bound), amounts and dates as spreadsheets write them, XLSX date serials, mappings,
// and rows turned into validated expenditures with Indonesian row errors.
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ledger/import_mapping.h"
#include "ledger/import_table.h"

namespace jejak::ledger {
namespace {

using nlohmann::json;

constexpr char kOpd[] = "1.02.0.00.0.00.01.0000";

std::string ReadFile(const std::string& name) {
  std::ifstream in(std::string(JEJAK_SOURCE_DIR) + "/tests/testdata/imports/" + name,
                   std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string FileMessage(const Result<ImportTable>& table) {
  EXPECT_FALSE(table.has_value());
  if (table.has_value() || table.error().fields.empty()) return "";
  EXPECT_EQ(table.error().fields[0].field, "file");
  return table.error().fields[0].message;
}

TEST(CsvTest, QuotesLineBreaksBomAndSemicolons) {
  const std::string bytes =
      "\xEF\xBB\xBFNo;Uraian;Nilai\r\n"
      "1;\"Belanja \"\"ATK\"\"; kantor\";1.250.000,50\r\n"
      "2;\"dua\r\nbaris\";7\r\n"
      ";;\r\n"
      "4;akhir;9";
  Result<ImportTable> table = ParseCsv(bytes, 0, TableLimits{});
  ASSERT_TRUE(table.has_value()) << table.error().ToString();
  EXPECT_EQ(table->header, (std::vector<std::string>{"No", "Uraian", "Nilai"}));
  ASSERT_EQ(table->rows.size(), 3u);
  EXPECT_EQ(table->rows[0][1].text, "Belanja \"ATK\"; kantor");
  EXPECT_EQ(table->rows[0][2].text, "1.250.000,50");
  EXPECT_EQ(table->rows[1][1].text, "dua\r\nbaris");
  // Rows are numbered as records: the empty record 4 is skipped, and counted.
  EXPECT_EQ(table->row_numbers, (std::vector<std::int64_t>{2, 3, 5}));
}

TEST(CsvTest, CommaSeparatedWithTrailingNewline) {
  Result<ImportTable> table = ParseCsv("a,b\n1,\"x,y\"\n", 0, TableLimits{});
  ASSERT_TRUE(table.has_value());
  ASSERT_EQ(table->rows.size(), 1u);
  EXPECT_EQ(table->rows[0][1].text, "x,y");
  Result<ImportTable> given = ParseCsv("a;b\n1,5;2\n", ';', TableLimits{});
  ASSERT_TRUE(given.has_value());
  EXPECT_EQ(given->rows[0][0].text, "1,5");
}

TEST(CsvTest, RefusesMalformedFilesNamingRowAndColumn) {
  EXPECT_EQ(FileMessage(ParseCsv("a,b\n1,\"open\n", 0, {})), "row 2, column 2: a quoted cell is not closed");
  EXPECT_EQ(FileMessage(ParseCsv("a,b\n1,x\"y\n", 0, {})), "row 2, column 2: a quote inside an unquoted cell");
  EXPECT_EQ(FileMessage(ParseCsv("a,b\n\"x\"y,1\n", 0, {})), "row 2, column 1: text after a closing quote");
  EXPECT_EQ(FileMessage(ParseCsv("a,\xff\n", 0, {})), "the file is not UTF-8 text");
  EXPECT_EQ(FileMessage(ParseCsv("a,a\n1,2\n", 0, {})), "row 1, column 2: the header names column \"a\" twice");
  EXPECT_EQ(FileMessage(ParseCsv(",,\n1,2\n", 0, {})), "row 1: the file has no header row");
  EXPECT_EQ(FileMessage(ParseCsv(ReadFile("unclosed_quote.csv"), 0, {})),
            "row 3, column 3: a quoted cell is not closed");
}

TEST(CsvTest, Bounds) {
  TableLimits limits;
  limits.rows_max = 2;
  limits.columns_max = 3;
  limits.cell_bytes_max = 5;
  EXPECT_EQ(FileMessage(ParseCsv("a\n1\n2\n3\n", 0, limits)), "row 4: the file has more than 2 rows");
  EXPECT_EQ(FileMessage(ParseCsv("a,b,c,d\n", 0, limits)), "row 1: the file has more than 3 columns");
  EXPECT_EQ(FileMessage(ParseCsv("a\n123456\n", 0, limits)), "row 2, column 1: the cell is longer than 5 bytes");
  EXPECT_TRUE(ParseCsv("a\n12345\n1\n", 0, limits).has_value());
  // Empty cells cost memory too: the budget counts sizeof(Cell) for each.
  TableLimits budget;
  budget.table_bytes_max = 20 * sizeof(Cell);
  EXPECT_TRUE(ParseCsv("a,b,c,d\nx,,,\nx,,,\n", 0, budget).has_value());
  EXPECT_EQ(FileMessage(ParseCsv("a,b,c,d\nx,,,\nx,,,\nx,,,\nx,,,\nx,,,\n", 0, budget)),
            "row 5: the file is too large once opened: its cells take more than " +
                std::to_string(20 * sizeof(Cell)) + " bytes");
}

TEST(AmountTest, BothDecimalConventions) {
  const auto text = [](const char* value) { return Cell{value, Cell::Type::kText}; };
  EXPECT_EQ(NormaliseAmount(text("1.234.567,89"), ','), "1234567.89");
  EXPECT_EQ(NormaliseAmount(text("Rp 2.750.000"), ','), "2750000");
  EXPECT_EQ(NormaliseAmount(text("Rp. 41.250,5"), ','), "41250.5");
  EXPECT_EQ(NormaliseAmount(text("1,234,567.89"), '.'), "1234567.89");
  EXPECT_EQ(NormaliseAmount(text("2750000"), '.'), "2750000");
  EXPECT_EQ(NormaliseAmount(text("0"), ','), "0");
  EXPECT_FALSE(NormaliseAmount(text("1.23.456"), ','));   // Groups of three only.
  EXPECT_FALSE(NormaliseAmount(text("1,234,567.89"), ','));
  EXPECT_FALSE(NormaliseAmount(text("-5"), ','));
  EXPECT_FALSE(NormaliseAmount(text("12,"), ','));
  EXPECT_FALSE(NormaliseAmount(text("dua juta"), ','));
  EXPECT_FALSE(NormaliseAmount(text(""), ','));
  const auto number = [](const char* value) { return Cell{value, Cell::Type::kNumber}; };
  EXPECT_EQ(NormaliseAmount(number("2750000"), ','), "2750000");
  EXPECT_EQ(NormaliseAmount(number("1234567.8899999999"), ','), "1234567.89");
  EXPECT_EQ(NormaliseAmount(number("1.5E7"), ','), "15000000");
  EXPECT_FALSE(NormaliseAmount(number("-1"), ','));
  EXPECT_FALSE(NormaliseAmount(number("1e300"), ','));
}

// A number cell's text is read as a decimal, not through a double: no sen is rounded away.
TEST(AmountTest, NumberCellsAreExact) {
  const auto number = [](const char* value) { return Cell{value, Cell::Type::kNumber}; };
  EXPECT_FALSE(NormaliseAmount(number("1000.125"), ','));  // Three sen digits: refused.
  EXPECT_FALSE(NormaliseAmount(number("0.285"), ','));
  EXPECT_EQ(NormaliseAmount(number("99999999999999.99"), ','), "99999999999999.99");
  EXPECT_EQ(NormaliseAmount(number("9007199254740993"), ','), "9007199254740993");
  EXPECT_FALSE(NormaliseAmount(number("12345678901234567"), ','));  // 17 integer digits.
  EXPECT_EQ(NormaliseAmount(number("1000.120000"), ','), "1000.12");
  EXPECT_EQ(NormaliseAmount(number("1000.10"), ','), "1000.1");
  EXPECT_EQ(NormaliseAmount(number("0.5"), ','), "0.5");
  EXPECT_EQ(NormaliseAmount(number("12.345E2"), ','), "1234.5");
  EXPECT_EQ(NormaliseAmount(number("1234567E-2"), ','), "12345.67");
  EXPECT_EQ(NormaliseAmount(number("1234567E-3"), ','), std::nullopt);
  EXPECT_EQ(NormaliseAmount(number("1.5e+7"), ','), "15000000");
  EXPECT_EQ(NormaliseAmount(number("0.29999999999999999"), ','), "0.3");  // A double written to 17 digits.
  EXPECT_FALSE(NormaliseAmount(number("1e99999999999"), ','));
  EXPECT_FALSE(NormaliseAmount(number("1e"), ','));
  EXPECT_FALSE(NormaliseAmount(number(".5"), ','));
  EXPECT_FALSE(NormaliseAmount(number("5."), ','));
  EXPECT_FALSE(NormaliseAmount(number("nan"), ','));
  EXPECT_FALSE(NormaliseAmount(number("inf"), ','));
  EXPECT_FALSE(NormaliseAmount(number(" 5"), ','));
}

TEST(DateTest, FormatsAndSerials) {
  const auto text = [](const char* value) { return Cell{value, Cell::Type::kText}; };
  EXPECT_EQ(NormaliseDate(text("04/03/2026"), "DD/MM/YYYY"), "2026-03-04");
  EXPECT_EQ(NormaliseDate(text("4/3/2026"), "DD/MM/YYYY"), "2026-03-04");
  EXPECT_EQ(NormaliseDate(text("03/04/2026"), "MM/DD/YYYY"), "2026-03-04");
  EXPECT_EQ(NormaliseDate(text("04.03.2026"), "DD.MM.YYYY"), "2026-03-04");
  EXPECT_EQ(NormaliseDate(text("2026-03-04"), "DD/MM/YYYY"), "2026-03-04");
  EXPECT_EQ(NormaliseDate(text("2026-03-04 00:00:00"), "DD/MM/YYYY"), "2026-03-04");
  EXPECT_FALSE(NormaliseDate(text("4 Maret 2026"), "DD/MM/YYYY"));
  EXPECT_FALSE(NormaliseDate(text("04/03/26"), "DD/MM/YYYY"));
  EXPECT_FALSE(IsDateFormat("DD/MM/YY"));
  EXPECT_FALSE(IsDateFormat("YYYY/DD/MM"));
  EXPECT_TRUE(IsDateFormat("YYYY/MM/DD"));
  EXPECT_EQ(SerialToDate(1, false), "1900-01-01");
  EXPECT_EQ(SerialToDate(59, false), "1900-02-28");
  EXPECT_FALSE(SerialToDate(60, false));
  EXPECT_EQ(SerialToDate(61, false), "1900-03-01");
  EXPECT_EQ(SerialToDate(46085.75, false), "2026-03-04");
  EXPECT_EQ(SerialToDate(0, true), "1904-01-01");
  EXPECT_FALSE(SerialToDate(-1, false));
  EXPECT_FALSE(SerialToDate(3e6, false));
  EXPECT_FALSE(SerialToDate(1e300, false));  // Bounded before the cast to an integer.
  EXPECT_FALSE(SerialToDate(1e300, true));
  EXPECT_EQ(SerialToDate(2958465, false), "9999-12-31");
  EXPECT_FALSE(SerialToDate(2958466, false));
}

json Mapping() {
  return {{"columns", {{"value_date", "Tanggal"}, {"gross", "Bruto"}, {"taxes.PPh22", "PPh 22"},
                       {"taxes.PPN", "PPN"}, {"payee.name", "Penerima"}, {"payee.bank", "Bank"},
                       {"payee.account_no", "Rekening"}, {"payee.account_name", "Nama Rekening"},
                       {"bank_ref", "Ref Bank"}, {"documents.sp2d", "No SP2D"},
                       {"description", "Uraian"}, {"account", "Rekening Belanja"}, {"opd", "OPD"}}},
          {"defaults", {{"sub_activity", "1.02.02.2.01.0014"}, {"mechanism", "LS"},
                        {"instrument", "cms_transfer"}}},
          {"date_format", "DD/MM/YYYY"},
          {"decimal", ","}};
}

TEST(MappingTest, ParsesAndRoundTrips) {
  Result<ImportMapping> mapping = ParseMapping(Mapping());
  ASSERT_TRUE(mapping.has_value()) << mapping.error().ToString();
  EXPECT_EQ(mapping->columns.at("gross"), "Bruto");
  EXPECT_EQ(mapping->decimal, ',');
  Result<ImportMapping> again = ParseMapping(MappingJson(*mapping));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(MappingJson(*again), MappingJson(*mapping));
}

TEST(MappingTest, RefusesBadMappings) {
  json bad = Mapping();
  bad["columns"]["gros"] = "Bruto";
  bad["decimal"] = ";";
  bad["date_format"] = "DD/MM/YY";
  bad["extra"] = true;
  Result<ImportMapping> mapping = ParseMapping(bad);
  ASSERT_FALSE(mapping.has_value());
  std::set<std::string> fields;
  for (const FieldError& error : mapping.error().fields) fields.insert(error.field);
  EXPECT_EQ(fields, (std::set<std::string>{"columns.gros", "decimal", "date_format", "extra"}));
  EXPECT_FALSE(ParseMapping(json{{"defaults", json::object()}}).has_value());
}

const std::vector<std::string> kHeader = {"Tanggal", "Bruto", "PPh 22", "PPN", "Penerima", "Bank",
                                          "Rekening", "Nama Rekening", "Ref Bank", "No SP2D",
                                          "Uraian", "Rekening Belanja", "OPD"};

std::vector<Cell> Row(std::vector<std::string> texts) {
  std::vector<Cell> cells;
  for (std::string& text : texts) cells.push_back(Cell{std::move(text), Cell::Type::kText});
  return cells;
}

TEST(RowMapperTest, BuildsAValidExpenditure) {
  RowMapper mapper(*ParseMapping(Mapping()), kHeader, kOpd);
  EXPECT_TRUE(mapper.HeaderErrors().empty());
  std::vector<RowError> errors;
  std::optional<json> body =
      mapper.Map(Row({"04/03/2026", "2.750.000", "41.250", "", "CV Sinar", "Bank Bengkulu", "0012",
                      "CV SINAR", "CMS-1", "00101/SP2D-LS/2026", "Belanja map", "5.1.02.01.01.0024", ""}),
                 2, errors);
  ASSERT_TRUE(body.has_value()) << json(errors.size());
  EXPECT_EQ((*body)["net"], "2708750.00");
  EXPECT_EQ((*body)["gross"], "2750000.00");
  EXPECT_EQ((*body)["fiscal_year"], 2026);
  EXPECT_EQ((*body)["opd"], kOpd);
  EXPECT_EQ((*body)["taxes"], json::parse(R"([{"type":"PPh22","amount":"41250.00"}])"));
  EXPECT_EQ((*body)["documents"]["sp2d"], "00101/SP2D-LS/2026");
}

TEST(RowMapperTest, RowErrorsNameFieldColumnInIndonesian) {
  RowMapper mapper(*ParseMapping(Mapping()), kHeader, kOpd);
  std::vector<RowError> errors;
  std::optional<json> body =
      mapper.Map(Row({"31/02/2026", "dua juta", "", "", "", "Bank", "1", "X", "R", "S", "U",
                      "5.1.02.01.01.0024", "1.02.0.00.0.00.02.0000"}),
                 7, errors);
  EXPECT_FALSE(body.has_value());
  std::map<std::string, RowError> by_field;
  for (const RowError& error : errors) by_field[error.field] = error;
  ASSERT_EQ(by_field.count("gross"), 1u);
  EXPECT_EQ(by_field["gross"].row, 7);
  EXPECT_EQ(by_field["gross"].column, "Bruto");
  EXPECT_EQ(by_field["gross"].message, "harus berupa jumlah uang seperti 1.234.567,89");
  ASSERT_EQ(by_field.count("value_date"), 1u);
  EXPECT_EQ(by_field["value_date"].message, "harus berupa tanggal kalender YYYY-MM-DD");
  EXPECT_EQ(by_field["value_date"].column, "Tanggal");
  ASSERT_EQ(by_field.count("payee.name"), 1u);
  EXPECT_EQ(by_field["payee.name"].message, "wajib diisi");
  ASSERT_EQ(by_field.count("opd"), 1u);
  EXPECT_EQ(by_field["opd"].message,
            "OPD 1.02.0.00.0.00.02.0000 bukan OPD Anda (1.02.0.00.0.00.01.0000)");
  EXPECT_EQ(by_field.count("net"), 0u);  // No second error for what gross already explains.
}

TEST(RowMapperTest, TaxColumnsAndHeaderProblems) {
  RowMapper mapper(*ParseMapping(Mapping()), kHeader, kOpd);
  std::vector<RowError> errors;
  std::optional<json> body =
      mapper.Map(Row({"04/03/2026", "100", "50", "60", "P", "B", "1", "N", "R2", "S", "U",
                      "5.1.02.01.01.0024", "", "extra"}),
                 3, errors);
  EXPECT_FALSE(body.has_value());
  bool taxes = false;
  bool extra = false;
  for (const RowError& error : errors) {
    taxes = taxes || (error.field == "taxes" && error.message == "jumlah pajak melebihi nilai bruto");
    extra = extra || error.message == "baris berisi lebih banyak sel daripada judul kolom";
  }
  EXPECT_TRUE(taxes);
  EXPECT_TRUE(extra);
  json mapping = Mapping();
  mapping["columns"]["gross"] = "Nilai";
  mapping["columns"].erase("description");
  RowMapper missing(*ParseMapping(mapping), kHeader, kOpd);
  std::vector<RowError> header = missing.HeaderErrors();
  ASSERT_EQ(header.size(), 2u);
  EXPECT_EQ(header[0].message, "kolom \"Nilai\" tidak ada dalam berkas");
  EXPECT_EQ(header[1].field, "description");
  EXPECT_EQ(header[1].message, "wajib diisi");
}

TEST(RowMapperTest, FieldsListHasLabels) {
  const json fields = MappableFieldsJson();
  ASSERT_TRUE(fields["fields"].is_array());
  bool gross = false;
  for (const json& field : fields["fields"]) {
    EXPECT_FALSE(field["label"].get<std::string>().empty());
    gross = gross || (field["path"] == "gross" && field["required"] == true && field["type"] == "money");
  }
  EXPECT_TRUE(gross);
}

}  // namespace
}  // namespace jejak::ledger
