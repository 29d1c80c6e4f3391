// Tests of server/xlsx_reader.h on the fixtures of tests/testdata/imports (made by
// make_fixtures.py there): cell types, date styles in both date systems, shared strings
// with rich text, row numbers kept across empty rows, and every malformed archive refused
// with an error (a broken ZIP, a zip bomb, deep XML, a missing shared string, bad XML).
#include "server/xlsx_reader.h"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace jejak::server {
namespace {

using ledger::Cell;

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(JEJAK_SOURCE_DIR) + "/tests/testdata/imports/" + name, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  EXPECT_FALSE(bytes.str().empty()) << name;
  return bytes.str();
}

std::string Refusal(const std::string& name, const XlsxLimits& limits = {}) {
  Result<ledger::ImportTable> table = ReadXlsx(Fixture(name), limits);
  EXPECT_FALSE(table.has_value()) << name;
  if (table.has_value() || table.error().fields.empty()) return "";
  EXPECT_EQ(table.error().fields[0].field, "file");
  return table.error().fields[0].message;
}

TEST(XlsxReaderTest, ReadsAnOpenpyxlRegister) {
  Result<ledger::ImportTable> table = ReadXlsx(Fixture("sp2d.xlsx"), {});
  ASSERT_TRUE(table.has_value()) << table.error().ToString();
  EXPECT_EQ(table->header,
            (std::vector<std::string>{"Tanggal", "Nomor SP2D", "Uraian", "Nilai Bruto", "PPh 22", "PKP"}));
  ASSERT_EQ(table->rows.size(), 3u);
  EXPECT_EQ(table->row_numbers, (std::vector<std::int64_t>{2, 3, 5}));
  const auto& first = table->rows[0];
  EXPECT_EQ(first[0].text, "2026-03-04");
  EXPECT_EQ(first[0].type, Cell::Type::kDate);
  EXPECT_EQ(first[1].text, "00101/SP2D-LS/2026");
  EXPECT_EQ(first[3].text, "2750000");
  EXPECT_EQ(first[3].type, Cell::Type::kNumber);
  EXPECT_EQ(first[5].text, "TRUE");
  const auto& second = table->rows[1];
  EXPECT_EQ(second[0].text, "2026-03-05");
  EXPECT_EQ(ledger::NormaliseAmount(second[3], ','), "1234567.89");
  EXPECT_TRUE(second[4].text.empty());  // A missing cell reads as empty.
  EXPECT_EQ(second[5].text, "FALSE");
  const auto& third = table->rows[2];
  EXPECT_EQ(third[0].text, "05/03/2026");
  EXPECT_EQ(third[0].type, Cell::Type::kText);
  EXPECT_EQ(third[2].text, "Sewa tenda");  // Surrounding spaces dropped, as for CSV.
  EXPECT_EQ(third[3].text, "1.500.000");
}

TEST(XlsxReaderTest, SharedStrings1904DatesAndCustomDateFormats) {
  Result<ledger::ImportTable> table = ReadXlsx(Fixture("shared_strings.xlsx"), {});
  ASSERT_TRUE(table.has_value()) << table.error().ToString();
  EXPECT_EQ(table->header, (std::vector<std::string>{"Tanggal", "Nilai"}));
  ASSERT_EQ(table->rows.size(), 1u);
  const auto& row = table->rows[0];
  ASSERT_EQ(row.size(), 5u);
  EXPECT_EQ(row[0].text, "2026-03-04");  // 1904 system, a "d mmmm yyyy" style.
  EXPECT_EQ(row[0].type, Cell::Type::kDate);
  EXPECT_EQ(row[1].text, "2750000.5");   // "#,##0.00" is a number, not a date.
  EXPECT_EQ(row[1].type, Cell::Type::kNumber);
  EXPECT_EQ(row[2].text, "CV Sinar");    // Rich-text runs joined; the phonetic run skipped.
  EXPECT_EQ(row[3].text, "");
  EXPECT_EQ(row[4].text, "rumus");       // A formula's cached string.
}

TEST(XlsxReaderTest, RefusesBrokenArchives) {
  EXPECT_EQ(Refusal("not_a_zip.xlsx"), "the XLSX file cannot be read: not a ZIP archive");
  EXPECT_EQ(Refusal("bomb.xlsx"),
            "the XLSX file cannot be read: xl/worksheets/sheet1.xml is compressed more than 200 to 1");
  EXPECT_EQ(Refusal("deep.xlsx"),
            "the XLSX file cannot be read: xl/worksheets/sheet1.xml nests deeper than 32");
  EXPECT_EQ(Refusal("missing_shared_string.xlsx"),
            "row 2, column 1: the XLSX file cannot be read: a shared string is missing");
  EXPECT_EQ(Refusal("malformed_xml.xlsx"),
            "the XLSX file cannot be read: xl/worksheets/sheet1.xml is not well-formed XML");
  EXPECT_EQ(Refusal("unclosed_quote.csv"), "the XLSX file cannot be read: not a ZIP archive");
}

TEST(XlsxReaderTest, Bounds) {
  XlsxLimits limits;
  limits.table.rows_max = 2;
  EXPECT_EQ(Refusal("sp2d.xlsx", limits), "row 5: the file has more than 2 rows");
  limits = {};
  limits.table.columns_max = 4;
  EXPECT_EQ(Refusal("sp2d.xlsx", limits), "row 1: the file has more than 4 columns");
  limits = {};
  limits.table.cell_bytes_max = 10;
  EXPECT_EQ(Refusal("sp2d.xlsx", limits), "row 1, column 4: the cell is longer than 10 bytes");
  limits = {};
  limits.table.table_bytes_max = 600;  // The header row alone passes; the table does not.
  EXPECT_EQ(Refusal("sp2d.xlsx", limits).rfind("row ", 0), 0u);
  EXPECT_NE(Refusal("sp2d.xlsx", limits).find("too large once opened: its cells take more than 600 bytes"),
            std::string::npos);
  limits = {};
  limits.shared_strings_max = 1;
  EXPECT_NE(Refusal("shared_strings.xlsx", limits).find("more than 1 shared strings"), std::string::npos);
  limits = {};
  limits.entry_bytes_max = 1000;
  EXPECT_EQ(Refusal("sp2d.xlsx", limits).rfind("the XLSX file cannot be read: xl/", 0), 0u);
}

}  // namespace
}  // namespace jejak::server
