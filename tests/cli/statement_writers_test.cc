// Tests of cli/statement_writers.h: a generated statement of a few thousand lines written
// as MT940, camt.053 (.001.02 and .001.08) and CSV and read back by its parser gives the
// same statement, line for line (source lines aside, which each format numbers its own
// way and which must point at the line's own record).
#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/statement_writers.h"
#include "ledger/bank_parse.h"
#include "server/camt053_reader.h"

namespace jejak::cli {
namespace {

using ledger::BankLine;
using ledger::ParsedStatement;

// A treasurer's year in one statement: every type, both directions, long and odd texts.
ParsedStatement GeneratedStatement(std::size_t lines) {
  std::mt19937_64 random(20250131);
  ParsedStatement statement;
  statement.account_no = "0020102000123";
  statement.statement_no = "00012/001";
  statement.currency = "IDR";
  statement.period_start = "2025-01-01";
  statement.period_end = "2025-12-31";
  statement.opening_sen = 125000000000;
  std::int64_t balance = statement.opening_sen;
  static const char* kNames[] = {"CV MAJU JAYA", "PT BANGUN NUSA SEJAHTERA ABADI KONSTRUKSI INDONESIA", "",
                                 "KOPERASI \"KARYA\" & SONS <BENGKULU>"};
  static const char* kTexts[] = {
      "BELANJA ATK GU-0003", "",
      "SP2D LS 0301/BPKAD/2025 PEMBANGUNAN JALAN KABUPATEN RUAS CURUP - KEPAHIANG TAHAP II TERMIN 3 "
      "SESUAI KONTRAK NOMOR 602/123/PUPR/2025 TANGGAL 12 MARET 2025 DAN BERITA ACARA SERAH TERIMA",
      "HONOR: NARASUMBER {GIZI} -- WORKSHOP", "SETORAN PAJAK PPH 21 NTPN 0A1B2C3D4E5F6G7H"};
  for (std::size_t i = 0; i < lines; ++i) {
    BankLine line;
    line.index = static_cast<std::int64_t>(i);
    const int day = static_cast<int>(i * 365 / lines);
    const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::year{2025} / 1 / 1} + std::chrono::days{day}};
    char text[16];
    std::snprintf(text, sizeof(text), "%04d-%02u-%02u", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                  static_cast<unsigned>(date.day()));
    line.date = text;
    line.value_date = text;
    const int kind = static_cast<int>(random() % 10);
    line.debit = kind < 7;
    line.amount_sen = static_cast<std::int64_t>(random() % 5000000000) + 1;
    if (line.debit && balance - line.amount_sen < 0) line.debit = false;
    line.type = kind == 0 ? "cash_withdrawal" : kind == 1 ? "fee" : kind == 8 ? "interest" : kind == 9 ? "other" : "transfer";
    if (!line.debit && line.type == "cash_withdrawal") line.type = "transfer";
    if (line.type != "fee" && line.type != "interest") line.bank_ref = "FT25" + std::to_string(100000 + i);
    if (line.type == "transfer") {
      line.counter_account = std::to_string(1000000000000 + static_cast<std::int64_t>(random() % 1000000));
      line.counter_name = kNames[random() % std::size(kNames)];
    }
    line.description = kTexts[random() % std::size(kTexts)];
    if (line.type == "cash_withdrawal") line.description = "PENARIKAN TUNAI CEK " + std::to_string(i);
    balance += line.debit ? -line.amount_sen : line.amount_sen;
    statement.lines.push_back(std::move(line));
  }
  statement.closing_sen = balance;
  return statement;
}

// Every member but source_line; source_line must name the line where `marker` is.
void ExpectSame(const ParsedStatement& read, const ParsedStatement& written, const std::string& file,
                const std::string& marker) {
  EXPECT_EQ(read.account_no, written.account_no);
  EXPECT_EQ(read.statement_no, written.statement_no);
  EXPECT_EQ(read.currency, written.currency);
  EXPECT_EQ(read.period_start, written.period_start);
  EXPECT_EQ(read.period_end, written.period_end);
  EXPECT_EQ(read.opening_sen, written.opening_sen);
  EXPECT_EQ(read.closing_sen, written.closing_sen);
  ASSERT_EQ(read.lines.size(), written.lines.size());
  std::vector<std::string> file_lines;
  std::istringstream in(file);
  for (std::string line; std::getline(in, line);) file_lines.push_back(line);
  for (std::size_t i = 0; i < read.lines.size(); ++i) {
    SCOPED_TRACE("line " + std::to_string(i));
    const BankLine& a = read.lines[i];
    const BankLine& b = written.lines[i];
    EXPECT_EQ(a.index, b.index);
    EXPECT_EQ(a.date, b.date);
    EXPECT_EQ(a.value_date, b.value_date);
    EXPECT_EQ(a.debit, b.debit);
    EXPECT_EQ(a.amount_sen, b.amount_sen);
    EXPECT_EQ(a.bank_ref, b.bank_ref);
    EXPECT_EQ(a.counter_account, b.counter_account);
    EXPECT_EQ(a.counter_name, b.counter_name);
    EXPECT_EQ(a.description, b.description);
    EXPECT_EQ(a.type, b.type);
    ASSERT_GE(a.source_line, 1);
    ASSERT_LE(static_cast<std::size_t>(a.source_line), file_lines.size());
    EXPECT_NE(file_lines[static_cast<std::size_t>(a.source_line - 1)].find(marker), std::string::npos);
    if (::testing::Test::HasFailure()) return;  // One broken line says enough.
  }
}

TEST(StatementWritersTest, Mt940RoundTrips) {
  const ParsedStatement statement = GeneratedStatement(3000);
  const std::string file = WriteMt940(statement);
  Result<ParsedStatement> read = ledger::ParseMt940(file);
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  ExpectSame(*read, statement, file, ":61:");
  std::istringstream in(file);
  for (std::string line; std::getline(in, line);) ASSERT_LE(line.size(), 66u) << line;  // 65 and the CR.
}

TEST(StatementWritersTest, Camt053RoundTripsInBothVersions) {
  const ParsedStatement statement = GeneratedStatement(3000);
  for (int version : {2, 8}) {
    SCOPED_TRACE(version);
    const std::string file = WriteCamt053(statement, version);
    EXPECT_NE(file.find(version == 8 ? "camt.053.001.08" : "camt.053.001.02"), std::string::npos);
    Result<ParsedStatement> read = server::ParseCamt053(file);
    ASSERT_TRUE(read.has_value()) << read.error().ToString();
    ExpectSame(*read, statement, file, "<Ntry>");
  }
}

TEST(StatementWritersTest, CsvRoundTripsWithBothColumnLayouts) {
  ParsedStatement statement = GeneratedStatement(3000);
  ledger::StatementCsvMapping split;
  split.name = "cms";
  split.separator = ';';
  split.decimal = ',';
  split.date_format = "DD/MM/YYYY";
  split.date = "Tanggal";
  split.value_date = "Valuta";
  split.description = "Keterangan";
  split.bank_ref = "Referensi";
  split.counter_account = "Rekening";
  split.counter_name = "Nama";
  split.type = "Jenis";
  split.debit = "Debet";
  split.credit = "Kredit";
  split.balance = "Saldo";
  ledger::StatementCsvMapping directed = split;
  directed.separator = ',';
  directed.decimal = '.';
  directed.date_format = "YYYY-MM-DD";
  directed.debit.clear();
  directed.credit.clear();
  directed.amount = "Nilai";
  directed.direction = "DK";
  directed.balance.clear();
  for (const ledger::StatementCsvMapping& mapping : {split, directed}) {
    SCOPED_TRACE(mapping.date_format);
    const std::string file = WriteStatementCsv(statement, mapping);
    ledger::StatementCsvContext context;
    context.account_no = statement.account_no;
    context.period_start = statement.period_start;
    context.period_end = statement.period_end;
    if (mapping.balance.empty()) context.opening_sen = statement.opening_sen;
    Result<ParsedStatement> read = ledger::ParseStatementCsv(file, mapping, context);
    ASSERT_TRUE(read.has_value()) << read.error().ToString();
    ParsedStatement expected = statement;
    expected.statement_no.clear();  // A CSV export does not say.
    ExpectSame(*read, expected, file, "");  // Rows are checked below.
    for (std::size_t i = 0; i < read->lines.size(); ++i) {
      ASSERT_EQ(read->lines[i].source_line, static_cast<std::int64_t>(i) + 2);  // Row 1 is the header.
      ASSERT_EQ(read->lines[i].balance_sen.has_value(), !mapping.balance.empty());
    }
  }
}

TEST(StatementWritersTest, StatementWithoutNumberRoundTrips) {
  ParsedStatement statement = GeneratedStatement(10);
  statement.statement_no.clear();
  const std::string mt940 = WriteMt940(statement);
  Result<ParsedStatement> read = ledger::ParseMt940(mt940);
  ASSERT_TRUE(read.has_value()) << read.error().ToString();
  EXPECT_EQ(read->statement_no, "");
  Result<ParsedStatement> camt = server::ParseCamt053(WriteCamt053(statement, 2));
  ASSERT_TRUE(camt.has_value()) << camt.error().ToString();
  EXPECT_EQ(camt->statement_no, "");
}

}  // namespace
}  // namespace jejak::cli
