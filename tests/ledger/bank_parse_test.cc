// Tests of ledger/bank_parse.h: the hand-checked MT940 and CSV samples of
// tests/testdata/bank/ read field by field (expected values written out here, not
// produced by the parser), malformed variants refused naming their line or row, the CSV
// mapping's JSON, and the statement body.
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ledger/bank_parse.h"

namespace jejak::ledger {
namespace {

using nlohmann::json;

std::string ReadFile(const std::string& name) {
  std::ifstream in(std::string(JEJAK_SOURCE_DIR) + "/tests/testdata/bank/" + name, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Replaces the first `from` with `to`; fails the test if there is none.
std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

struct Expected {
  const char* date;
  const char* value_date;
  bool debit;
  std::int64_t amount_sen;
  const char* bank_ref;
  const char* counter_account;
  const char* counter_name;
  const char* description;
  const char* type;
  std::int64_t source_line;
};

void ExpectLine(const BankLine& line, const Expected& expected, std::size_t index) {
  SCOPED_TRACE("line " + std::to_string(index));
  EXPECT_EQ(line.index, static_cast<std::int64_t>(index));
  EXPECT_EQ(line.date, expected.date);
  EXPECT_EQ(line.value_date, expected.value_date);
  EXPECT_EQ(line.debit, expected.debit);
  EXPECT_EQ(line.amount_sen, expected.amount_sen);
  EXPECT_EQ(line.bank_ref, expected.bank_ref);
  EXPECT_EQ(line.counter_account, expected.counter_account);
  EXPECT_EQ(line.counter_name, expected.counter_name);
  EXPECT_EQ(line.description, expected.description);
  EXPECT_EQ(line.type, expected.type);
  EXPECT_EQ(line.source_line, expected.source_line);
}

std::vector<FieldError> Errors(const Result<ParsedStatement>& parsed) {
  EXPECT_FALSE(parsed.has_value());
  if (parsed.has_value()) return {};
  EXPECT_EQ(parsed.error().code, Code::kInvalidArgument);
  EXPECT_EQ(parsed.error().message, "invalid statement");
  return parsed.error().fields;
}

// The sample, checked by hand: a treasurer's January, with the UP coming in, a CMS
// transfer, a teller cash withdrawal, a returned transfer, the bank's fee and interest.
const Expected kMt940Lines[] = {
    {"2025-01-02", "2024-12-31", false, 25000000000, "FT25002A1B2C3", "0010100000001",
     "RKUD PEMKAB REJANG LEBONG", "PELIMPAHAN UP DINAS KESEHATAN TA 2025", "transfer", 6},
    {"2025-01-06", "2025-01-06", true, 1250000000, "FT25006X9Y8Z7", "0020123456789", "CV MAJU JAYA",
     "BELANJA ATK GU-0003", "transfer", 8},
    {"2025-01-08", "2025-01-08", true, 500000000, "AB123456", "", "",
     "PENARIKAN TUNAI CEK AB123456 TELLER KC CURUP", "cash_withdrawal", 10},
    {"2025-01-10", "2025-01-10", true, 275000000, "FT25010HNR0042", "0030555666777", "DR ANDI PRATAMA",
     "HONOR NARASUMBER WORKSHOP GIZI", "transfer", 13},
    {"2025-01-15", "2025-01-15", true, 137500000, "0A1B2C3D4E5F6G7H", "", "",
     "SETORAN PAJAK PPH PASAL 21 MASA JANUARI NTPN 0A1B2C3D4E5F6G7H", "transfer", 15},
    {"2025-01-20", "2025-01-20", false, 275000000, "FT25020RTN001", "", "", "RETUR TRANSFER REKENING TIDAK VALID",
     "transfer", 18},
    {"2025-01-31", "2025-01-31", true, 1500000, "", "", "", "BIAYA ADMINISTRASI REKENING", "fee", 20},
    {"2025-01-31", "2025-01-31", false, 10416667, "", "", "", "BUNGA JASA GIRO JANUARI 2025", "interest", 22},
};

void ExpectMt940Sample(const Result<ParsedStatement>& parsed) {
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  EXPECT_EQ(parsed->account_no, "0020102000123");
  EXPECT_EQ(parsed->statement_no, "00001/001");
  EXPECT_EQ(parsed->currency, "IDR");
  EXPECT_EQ(parsed->period_start, "2025-01-01");
  EXPECT_EQ(parsed->period_end, "2025-01-31");
  EXPECT_EQ(parsed->opening_sen, 1000000000);
  EXPECT_EQ(parsed->closing_sen, 24121416667);
  ASSERT_EQ(parsed->lines.size(), std::size(kMt940Lines));
  for (std::size_t i = 0; i < parsed->lines.size(); ++i) ExpectLine(parsed->lines[i], kMt940Lines[i], i);
}

TEST(Mt940Test, ReadsTheHandCheckedSample) {
  const std::string bytes = ReadFile("sample.mt940");
  ASSERT_NE(bytes.find("\r\n"), std::string::npos);  // The bank writes CRLF.
  ExpectMt940Sample(ParseMt940(bytes));
}

TEST(Mt940Test, ReadsLfLineEndingsAndNoBlockWrappers) {
  std::string bytes = ReadFile("sample.mt940");
  std::string lf;
  for (char c : bytes) {
    if (c != '\r') lf.push_back(c);
  }
  ExpectMt940Sample(ParseMt940(lf));
  // Without the {1:}{2:}{4: line the lines move up by one.
  Result<ParsedStatement> bare = ParseMt940(lf.substr(lf.find('\n') + 1));
  ASSERT_TRUE(bare.has_value()) << bare.error().ToString();
  EXPECT_EQ(bare->lines[0].source_line, 5);
  EXPECT_EQ(bare->closing_sen, 24121416667);
}

TEST(Mt940Test, EntryDateInTheNextYearOfTheValueDate) {
  std::string bytes = ReadFile("sample.mt940");
  // Value date 31 December 2025, booked 2 January: the booking is in 2026.
  bytes = Replaced(bytes, ":61:2412310102C", ":61:2512310102C");
  Result<ParsedStatement> parsed = ParseMt940(bytes);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  EXPECT_EQ(parsed->lines[0].value_date, "2025-12-31");
  EXPECT_EQ(parsed->lines[0].date, "2026-01-02");
  // And the other way: valued 2 January, booked 31 December of the year before.
  bytes = Replaced(ReadFile("sample.mt940"), ":61:2412310102C", ":61:2501021231C");
  parsed = ParseMt940(bytes);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  EXPECT_EQ(parsed->lines[0].date, "2024-12-31");
}

TEST(Mt940Test, RefusesABadAmountNamingItsLine) {
  const std::string bytes = Replaced(ReadFile("sample.mt940"), "D2750000,00NTRF", "D2.750.000,00NTRF");
  const std::vector<FieldError> errors = Errors(ParseMt940(bytes));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "line 13");
  EXPECT_NE(errors[0].message.find("amount"), std::string::npos) << errors[0].message;
}

TEST(Mt940Test, GoesOnPastABadLineAndReportsEveryOne) {
  std::string bytes = Replaced(ReadFile("sample.mt940"), ":61:2501060106D", ":61:2501320106D");
  bytes = Replaced(bytes, "D15000,00NCHG", "X15000,00NCHG");
  bytes = Replaced(bytes, ":62F:C250131IDR", ":62F:C250131USD");
  const std::vector<FieldError> errors = Errors(ParseMt940(bytes));
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].field, "line 8");
  EXPECT_NE(errors[0].message.find("value date"), std::string::npos);
  EXPECT_EQ(errors[1].field, "line 20");
  EXPECT_NE(errors[1].message.find("D, C, RD or RC"), std::string::npos);
  EXPECT_EQ(errors[2].field, "line 24");
  EXPECT_NE(errors[2].message.find("only IDR"), std::string::npos);
}

TEST(Mt940Test, RefusesAMissingClosingBalanceAtTheEndOfTheMessage) {
  const std::string bytes = Replaced(ReadFile("sample.mt940"), ":62F:C250131IDR241214166,67\r\n", "");
  const std::vector<FieldError> errors = Errors(ParseMt940(bytes));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "line 25");  // "-}", one up now that :62F: is gone.
  EXPECT_NE(errors[0].message.find(":62F:"), std::string::npos);
}

TEST(Mt940Test, RefusesAClosingBalanceThatDoesNotAddUp) {
  const std::string bytes = Replaced(ReadFile("sample.mt940"), ":62F:C250131IDR241214166,67", ":62F:C250131IDR241214166,68");
  const std::vector<FieldError> errors = Errors(ParseMt940(bytes));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "line 24");
  EXPECT_NE(errors[0].message.find("241214166.67"), std::string::npos) << errors[0].message;
}

TEST(Mt940Test, RefusesDebitBalances) {
  std::string bytes = Replaced(ReadFile("sample.mt940"), ":60F:C250101", ":60F:D250101");
  std::vector<FieldError> errors = Errors(ParseMt940(bytes));
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].field, "line 5");
  EXPECT_NE(errors[0].message.find("debit balance"), std::string::npos);
  bytes = Replaced(ReadFile("sample.mt940"), ":62F:C250131", ":62F:D250131");
  errors = Errors(ParseMt940(bytes));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "line 24");
}

TEST(Mt940Test, RefusesASecondStatement) {
  const std::string one = ReadFile("sample.mt940");
  const std::vector<FieldError> errors = Errors(ParseMt940(one + one));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "line 28");  // The second message's :20:.
  EXPECT_NE(errors[0].message.find("one statement per file"), std::string::npos);
}

TEST(Mt940Test, ReadsAStatementOverTwoPages) {
  const std::string bytes =
      ":20:A\n:25:123\n:28C:7/1\n:60F:C250301IDR100,00\n:61:2503030303D40,00NTRFNONREF//R1\n"
      ":62M:C250303IDR60,00\n-}\n{1:F01X}{4:\n:20:A\n:25:123\n:28C:7/2\n:60M:C250303IDR60,00\n"
      ":61:2503050305C5,50NTRFNONREF//R2\n:62F:C250331IDR65,50\n-}\n";
  Result<ParsedStatement> parsed = ParseMt940(bytes);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  EXPECT_EQ(parsed->statement_no, "7/1");
  EXPECT_EQ(parsed->period_start, "2025-03-01");
  EXPECT_EQ(parsed->period_end, "2025-03-31");
  ASSERT_EQ(parsed->lines.size(), 2u);
  EXPECT_EQ(parsed->lines[1].amount_sen, 550);
  EXPECT_EQ(parsed->lines[1].source_line, 13);
  // A page whose opening is not the closing of the page before.
  std::string broken = bytes;
  broken.replace(broken.find(":60M:C250303IDR60,00"), 20, ":60M:C250303IDR61,00");
  const std::vector<FieldError> errors = Errors(ParseMt940(broken));
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].field, "line 12");
}

TEST(Mt940Test, RefusesWhatIsNotAStatement) {
  EXPECT_EQ(Errors(ParseMt940("")).at(0).field, "file");
  EXPECT_EQ(Errors(ParseMt940("hello\n")).at(0).field, "line 1");
  EXPECT_EQ(Errors(ParseMt940(":20:X\n:25:1\n:60F:C250101IDR1,00\n:61:250102D\xff\n")).at(0).field, "line 4");
  const std::string long_line = ":20:" + std::string(5000, 'A') + "\n";
  EXPECT_EQ(Errors(ParseMt940(long_line)).at(0).field, "line 1");
}

TEST(Mt940Test, ListsAtMostAThousandProblems) {
  std::string bytes = ":20:X\n:25:1\n:60F:C250101IDR1,00\n";
  for (int i = 0; i < 3000; ++i) bytes += ":61:250102Dxx\n";
  const std::vector<FieldError> errors = Errors(ParseMt940(bytes));
  EXPECT_EQ(errors.size(), 1000u);
  EXPECT_EQ(errors[0].field, "line 4");
}

TEST(LineTypeTest, MapsSwiftCodesAndCashWords) {
  EXPECT_EQ(LineTypeOfSwiftCode("NTRF", true, ""), "transfer");
  EXPECT_EQ(LineTypeOfSwiftCode("NCHK", true, ""), "cash_withdrawal");
  EXPECT_EQ(LineTypeOfSwiftCode("NCSH", true, ""), "cash_withdrawal");
  EXPECT_EQ(LineTypeOfSwiftCode("NCHK", false, ""), "transfer");
  EXPECT_EQ(LineTypeOfSwiftCode("NTRF", true, "Tarik Tunai ATM"), "cash_withdrawal");
  EXPECT_EQ(LineTypeOfSwiftCode("NTRF", false, "PENARIKAN TUNAI"), "transfer");
  EXPECT_EQ(LineTypeOfSwiftCode("NCHG", true, ""), "fee");
  EXPECT_EQ(LineTypeOfSwiftCode("FCHG", true, ""), "fee");
  EXPECT_EQ(LineTypeOfSwiftCode("NINT", false, ""), "interest");
  EXPECT_EQ(LineTypeOfSwiftCode("NMSC", false, ""), "other");
  EXPECT_EQ(LineTypeOfSwiftCode("S103", true, ""), "transfer");
}

TEST(StatementDateTest, AcceptsRealDaysOnly) {
  EXPECT_EQ(StatementDate("2024-02-29"), "2024-02-29");
  EXPECT_EQ(StatementDate("2025-01-31T23:59:59+07:00"), "2025-01-31");
  EXPECT_FALSE(StatementDate("2025-02-29").has_value());
  EXPECT_FALSE(StatementDate("2025-13-01").has_value());
  EXPECT_FALSE(StatementDate("2025-01-31 10:00").has_value());
  EXPECT_FALSE(StatementDate("25-01-31").has_value());
}

// ---------------------------------------------------------------------------------------

StatementCsvMapping SampleMapping() {
  Result<StatementCsvMapping> mapping = ParseStatementCsvMapping(json::parse(ReadFile("sample-mapping.json")));
  EXPECT_TRUE(mapping.has_value()) << mapping.error().ToString();
  return mapping.has_value() ? *mapping : StatementCsvMapping{};
}

StatementCsvContext RkudContext() {
  StatementCsvContext context;
  context.account_no = "0010100000001";
  return context;
}

TEST(StatementCsvTest, ReadsTheHandCheckedSample) {
  Result<ParsedStatement> parsed = ParseStatementCsv(ReadFile("sample.csv"), SampleMapping(), RkudContext());
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  EXPECT_EQ(parsed->account_no, "0010100000001");
  EXPECT_EQ(parsed->currency, "IDR");
  EXPECT_EQ(parsed->period_start, "2025-02-03");
  EXPECT_EQ(parsed->period_end, "2025-02-28");
  EXPECT_EQ(parsed->opening_sen, 500000000000);
  EXPECT_EQ(parsed->closing_sen, 579868545728);
  const Expected expected[] = {
      {"2025-02-03", "2025-02-03", true, 18500000000, "SP2D0101", "0040111222333", "CV KARYA MANDIRI",
       "SP2D LS 0101/BPKAD/2025 CV KARYA MANDIRI", "transfer", 2},
      {"2025-02-05", "2025-02-05", true, 25000000000, "SP2D0102", "0020102000123", "BP DINAS KESEHATAN",
       "PELIMPAHAN UP DINKES", "transfer", 3},
      {"2025-02-10", "2025-02-10", false, 125050000050, "PAD-0210", "", "", "PENERIMAAN PAJAK DAERAH; PBB",
       "transfer", 4},
      {"2025-02-14", "2025-02-14", true, 2000000000, "CHQ778899", "", "", "TARIK TUNAI KAS", "cash_withdrawal", 5},
      {"2025-02-28", "2025-02-28", true, 2500000, "", "", "", "BIAYA ADM", "fee", 6},
      {"2025-02-28", "2025-03-01", false, 321045678, "", "", "", "JASA GIRO", "interest", 7},
  };
  const std::int64_t balances[] = {481500000000, 456500000000, 581550000050, 579550000050, 579547500050,
                                   579868545728};
  ASSERT_EQ(parsed->lines.size(), std::size(expected));
  for (std::size_t i = 0; i < parsed->lines.size(); ++i) {
    ExpectLine(parsed->lines[i], expected[i], i);
    EXPECT_EQ(parsed->lines[i].balance_sen, balances[i]);
  }
}

TEST(StatementCsvTest, RefusesABrokenBalanceNamingItsRowOnly) {
  const std::string bytes = Replaced(ReadFile("sample.csv"), ";5.815.500.000,50", ";5.815.500.000,00");
  const std::vector<FieldError> errors = Errors(ParseStatementCsv(bytes, SampleMapping(), RkudContext()));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "row 4");
  EXPECT_EQ(errors[0].message, "the balance 5815500000.00 is not the previous balance 4565000000.00 + "
                               "1250500000.50 = 5815500000.50");
}

TEST(StatementCsvTest, RefusesBadCellsNamingTheirRows) {
  std::string bytes = Replaced(ReadFile("sample.csv"), "05/02/2025;05/02/2025", "31/02/2025;05/02/2025");
  bytes = Replaced(bytes, ";20.000.000,00;;", ";20.000.000,00;1,00;");
  const std::vector<FieldError> errors = Errors(ParseStatementCsv(bytes, SampleMapping(), RkudContext()));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].field, "row 3");
  EXPECT_NE(errors[0].message.find("not a date"), std::string::npos);
  EXPECT_EQ(errors[1].field, "row 5");
  EXPECT_NE(errors[1].message.find("exactly one"), std::string::npos);
}

TEST(StatementCsvTest, RefusesAMissingColumnAndABrokenFile) {
  const std::string bytes = Replaced(ReadFile("sample.csv"), "Saldo", "Saldo Akhir");
  std::vector<FieldError> errors = Errors(ParseStatementCsv(bytes, SampleMapping(), RkudContext()));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "row 1");
  errors = Errors(ParseStatementCsv("Tanggal;Debet\n\"01/02/2025;1\n", SampleMapping(), RkudContext()));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "file");
  EXPECT_NE(errors[0].message.find("row 2"), std::string::npos) << errors[0].message;
}

TEST(StatementCsvTest, AmountAndDirectionWithoutBalanceNeedTheOpening) {
  json mapping_json = {{"name", "sederhana"}, {"separator", ","}, {"decimal", "."}, {"date_format", "YYYY-MM-DD"},
                       {"date", "date"}, {"amount", "amount"}, {"direction", "dc"},
                       {"description", "memo"}, {"cash_withdrawal_markers", {"ambil kas"}}};
  Result<StatementCsvMapping> mapping = ParseStatementCsvMapping(mapping_json);
  ASSERT_TRUE(mapping.has_value()) << mapping.error().ToString();
  const std::string bytes = "date,amount,dc,memo\n2025-04-02,\"1,000.50\",K,setoran\n2025-04-03,400,DB,Ambil Kas bendahara\n";
  StatementCsvContext context = RkudContext();
  EXPECT_EQ(Errors(ParseStatementCsv(bytes, *mapping, context)).at(0).field, "file");
  context.opening_sen = 100;
  context.period_start = "2025-04-01";
  Result<ParsedStatement> parsed = ParseStatementCsv(bytes, *mapping, context);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  EXPECT_EQ(parsed->period_start, "2025-04-01");
  EXPECT_EQ(parsed->period_end, "2025-04-03");
  EXPECT_EQ(parsed->opening_sen, 100);
  EXPECT_EQ(parsed->closing_sen, 100 + 100050 - 40000);
  EXPECT_EQ(parsed->lines[1].type, "cash_withdrawal");
  EXPECT_FALSE(parsed->lines[1].balance_sen.has_value());
}

TEST(StatementCsvMappingTest, RoundTripsAndNamesBadMembers) {
  const StatementCsvMapping mapping = SampleMapping();
  EXPECT_EQ(mapping.separator, ';');
  EXPECT_EQ(mapping.debit, "Debet");
  Result<StatementCsvMapping> again = ParseStatementCsvMapping(StatementCsvMappingJson(mapping));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(StatementCsvMappingJson(*again), StatementCsvMappingJson(mapping));
  EXPECT_EQ(StatementCsvMappingJson(mapping), json::parse(ReadFile("sample-mapping.json")));

  Result<StatementCsvMapping> bad = ParseStatementCsvMapping(
      {{"name", "x"}, {"date", "Tgl"}, {"amount", "Nilai"}, {"decimal", ";"}, {"colour", "red"}});
  ASSERT_FALSE(bad.has_value());
  std::vector<std::string> fields;
  for (const FieldError& error : bad.error().fields) fields.push_back(error.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"colour", "decimal", "direction"}));
  EXPECT_FALSE(ParseStatementCsvMapping({{"name", "x"}, {"date", "T"}, {"amount", "A"}, {"direction", "D"},
                                         {"debit", "Db"}, {"credit", "Cr"}}).has_value());
  EXPECT_FALSE(ParseStatementCsvMapping({{"date", "T"}, {"debit", "Db"}, {"credit", "Cr"}}).has_value());
}

TEST(StatementBodyTest, MakesTheBodyInTheContractsShape) {
  Result<ParsedStatement> parsed = ParseStatementCsv(ReadFile("sample.csv"), SampleMapping(), RkudContext());
  ASSERT_TRUE(parsed.has_value());
  StatementMeta meta{"BPD Bengkulu", "001-0100-000001", "rkud", "", "csv", std::string(64, 'a')};
  Result<json> body = StatementBody(*parsed, meta);
  ASSERT_TRUE(body.has_value()) << body.error().ToString();
  EXPECT_EQ((*body)["kind"], "bank_statement");
  EXPECT_EQ((*body)["account_no"], "001-0100-000001");
  EXPECT_FALSE(body->contains("opd"));
  EXPECT_FALSE(body->contains("statement_no"));
  EXPECT_EQ((*body)["opening_balance"], "5000000000.00");
  EXPECT_EQ((*body)["closing_balance"], "5798685457.28");
  EXPECT_EQ((*body)["period_start"], "2025-02-03");
  ASSERT_EQ((*body)["lines"].size(), 6u);
  EXPECT_EQ((*body)["lines"][0], (json{{"date", "2025-02-03"}, {"value_date", "2025-02-03"}, {"direction", "debit"},
                                       {"amount", "185000000.00"}, {"type", "transfer"}, {"bank_ref", "SP2D0101"},
                                       {"counter_account", "0040111222333"}, {"counter_name", "CV KARYA MANDIRI"},
                                       {"description", "SP2D LS 0101/BPKAD/2025 CV KARYA MANDIRI"},
                                       {"source_line", 2}, {"balance", "4815000000.00"}}));
  EXPECT_EQ((*body)["lines"][4], (json{{"date", "2025-02-28"}, {"value_date", "2025-02-28"}, {"direction", "debit"},
                                       {"amount", "25000.00"}, {"type", "fee"}, {"description", "BIAYA ADM"},
                                       {"source_line", 6}, {"balance", "5795475000.50"}}));
  meta.account_no = "0010100000002";
  Result<json> other = StatementBody(*parsed, meta);
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().fields.at(0).field, "account_no");
}

}  // namespace
}  // namespace jejak::ledger
