// Tests of server/imports.h: a CSV and an XLSX file planned with one mapping (valid rows
// become validated bodies, bad rows Indonesian errors with their row and column), the
// media types, the ledger's refusal of entry I mapped back to its row, and the answer.
#include "server/imports.h"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace jejak::server {
namespace {

using nlohmann::json;

constexpr char kOpd[] = "1.02.0.00.0.00.01.0000";

ledger::ImportMapping Mapping() {
  Result<ledger::ImportMapping> mapping = ledger::ParseMapping(json{
      {"columns", {{"value_date", "Tanggal"}, {"documents.sp2d", "Nomor SP2D"}, {"description", "Uraian"},
                   {"gross", "Nilai Bruto"}, {"taxes.PPh22", "PPh 22"}, {"payee.pkp", "PKP"}}},
      {"defaults", {{"sub_activity", "1.02.02.2.01.0014"}, {"account", "5.1.02.01.01.0024"},
                    {"mechanism", "LS"}, {"instrument", "cash"}, {"cash_reason", "Desa terpencil"},
                    {"payee.name", "CV Sinar"}}},
      {"date_format", "DD/MM/YYYY"},
      {"decimal", ","}});
  EXPECT_TRUE(mapping.has_value());
  return *mapping;
}

TEST(ImportsTest, MediaTypesAndFileNames) {
  EXPECT_EQ(FormatOfContentType("text/csv; charset=utf-8"), ImportFormat::kCsv);
  EXPECT_EQ(FormatOfContentType("Text/CSV"), ImportFormat::kCsv);
  EXPECT_EQ(FormatOfContentType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ImportFormat::kXlsx);
  EXPECT_FALSE(FormatOfContentType("application/json"));
  EXPECT_EQ(FormatOfPath("Register.XLSX"), ImportFormat::kXlsx);
  EXPECT_EQ(FormatOfPath("a/b.csv"), ImportFormat::kCsv);
  EXPECT_FALSE(FormatOfPath("b.xls"));
}

TEST(ImportsTest, PlansTheXlsxRegister) {
  std::ifstream in(std::string(JEJAK_SOURCE_DIR) + "/tests/testdata/imports/sp2d.xlsx", std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  Result<ImportPlan> plan = PlanImport(bytes.str(), ImportFormat::kXlsx, Mapping(), kOpd, 100);
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_EQ(plan->rows, 3);
  EXPECT_TRUE(plan->errors.empty()) << RowErrorJson(plan->errors[0]).dump();
  ASSERT_EQ(plan->bodies.size(), 3u);
  EXPECT_EQ(plan->body_rows, (std::vector<std::int64_t>{2, 3, 5}));
  EXPECT_EQ(plan->bodies[0]["value_date"], "2026-03-04");
  EXPECT_EQ(plan->bodies[0]["net"], "2708750.00");
  EXPECT_EQ(plan->bodies[0]["payee"]["pkp"], true);
  EXPECT_EQ(plan->bodies[1]["gross"], "1234567.89");
  EXPECT_EQ(plan->bodies[2]["value_date"], "2026-03-05");
  EXPECT_EQ(plan->bodies[2]["gross"], "1500000.00");
  EXPECT_EQ(plan->bodies[2]["taxes"], json::array());  // A zero tax cell: no tax line.
}

// A file with more bad cells than an answer lists: the first kImportErrorsMax are kept,
// all are counted.
TEST(ImportsTest, RowErrorsAreCappedAndCounted) {
  std::string csv = "Tanggal;Nomor SP2D;Uraian;Nilai Bruto;PPh 22;PKP\n";
  for (int i = 0; i < 700; ++i) csv += "31/02/2026;1;Belanja;dua juta;;mungkin\n";
  Result<ImportPlan> plan = PlanImport(csv, ImportFormat::kCsv, Mapping(), kOpd, 1000);
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_EQ(plan->errors.size(), kImportErrorsMax);
  EXPECT_EQ(plan->errors_total, 2100);
  const json answer = ImportAnswer(true, *plan, nullptr);
  EXPECT_EQ(answer["errors"].size(), kImportErrorsMax);
  EXPECT_EQ(answer["errors_total"], 2100);
}

TEST(ImportsTest, BadRowsAndTheLedgersRefusal) {
  const std::string csv =
      "Tanggal;Nomor SP2D;Uraian;Nilai Bruto;PPh 22;PKP\n"
      "04/03/2026;1;Belanja;2.750.000;41.250;ya\n"
      "31/02/2026;2;Belanja;dua juta;;mungkin\n"
      "05/03/2026;3;Belanja;100;;\n";
  Result<ImportPlan> plan = PlanImport(csv, ImportFormat::kCsv, Mapping(), kOpd, 100);
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_EQ(plan->rows, 3);
  EXPECT_EQ(plan->bodies.size(), 2u);
  std::map<std::string, ledger::RowError> errors;
  for (const ledger::RowError& error : plan->errors) errors[error.field] = error;
  ASSERT_EQ(errors.size(), 3u) << ImportAnswer(true, *plan, nullptr).dump();
  EXPECT_EQ(errors["gross"].row, 3);
  EXPECT_EQ(errors["gross"].column, "Nilai Bruto");
  EXPECT_EQ(errors["payee.pkp"].message, "harus ya atau tidak");
  EXPECT_EQ(errors["value_date"].message, "harus berupa tanggal kalender YYYY-MM-DD");
  const json answer = ImportAnswer(true, *plan, nullptr);
  EXPECT_EQ(answer["rows"], 3);
  EXPECT_EQ(answer["valid"], 2);
  EXPECT_EQ(answer["errors"].size(), 3u);
  EXPECT_EQ(answer["errors_total"], 3);
  EXPECT_EQ(answer["entries"].size(), 2u);
  EXPECT_FALSE(answer.contains("first_seq"));

  // The store refused its second entry (row 4) for its bank reference... or a field.
  const Error refused{Code::kConflict, "entry 1: bank_ref X is already recorded in entry 9",
                      {{"documents.sp2d", "bank_ref X is already recorded in entry 9"}}};
  std::vector<ledger::RowError> rows = LedgerRowErrors(refused, *plan);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].row, 4);
  EXPECT_EQ(rows[0].column, "Nomor SP2D");
  EXPECT_EQ(rows[0].message, "bank_ref X sudah tercatat pada entri 9");
  EXPECT_TRUE(LedgerRowErrors(Error{Code::kUnavailable, "database down", {}}, *plan).empty());
  EXPECT_TRUE(LedgerRowErrors(InvalidArgument("entry 7: out of the plan"), *plan).empty());
}

TEST(ImportsTest, HeaderProblemsAndUnreadableFiles) {
  Result<ImportPlan> plan = PlanImport("Tanggal,Uraian\n04/03/2026,x\n", ImportFormat::kCsv, Mapping(), kOpd, 100);
  ASSERT_TRUE(plan.has_value());
  ASSERT_FALSE(plan->errors.empty());
  EXPECT_EQ(plan->errors[0].row, 0);
  EXPECT_TRUE(plan->bodies.empty());
  Result<ImportPlan> empty = PlanImport(
      "Tanggal;Nomor SP2D;Uraian;Nilai Bruto;PPh 22;PKP\n", ImportFormat::kCsv, Mapping(), kOpd, 100);
  ASSERT_TRUE(empty.has_value());
  ASSERT_EQ(empty->errors.size(), 1u);
  EXPECT_EQ(empty->errors[0].message, "berkas tidak berisi baris data");
  Result<ImportPlan> broken = PlanImport("a\n\"x\n", ImportFormat::kCsv, Mapping(), kOpd, 100);
  ASSERT_FALSE(broken.has_value());
  EXPECT_EQ(broken.error().fields[0].message, "row 2, column 1: a quoted cell is not closed");
  Result<ImportPlan> many = PlanImport("a\n1\n2\n3\n", ImportFormat::kCsv, Mapping(), kOpd, 2);
  ASSERT_FALSE(many.has_value());
}

}  // namespace
}  // namespace jejak::server
