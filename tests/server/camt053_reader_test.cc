// Tests of server/camt053_reader.h: the hand-checked camt.053.001.02 sample of
// tests/testdata/bank/ read entry by entry (expected values written out here), the same
// statement in .001.08's shape, and malformed or hostile documents refused naming the
// XML line.
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "server/camt053_reader.h"

namespace jejak::server {
namespace {

using ledger::BankLine;
using ledger::ParsedStatement;

std::string ReadSample() {
  std::ifstream in(std::string(JEJAK_SOURCE_DIR) + "/tests/testdata/bank/sample.camt053.xml", std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string ReplacedAll(std::string text, const std::string& from, const std::string& to) {
  std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  while (at != std::string::npos) {
    text.replace(at, from.size(), to);
    at = text.find(from, at + to.size());
  }
  return text;
}

std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::vector<FieldError> Errors(const Result<ParsedStatement>& parsed) {
  EXPECT_FALSE(parsed.has_value());
  if (parsed.has_value()) return {};
  EXPECT_EQ(parsed.error().message, "invalid statement");
  return parsed.error().fields;
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

// Checked by hand against the file: the pending entry of line 93 is not on the balance.
const Expected kEntries[] = {
    {"2025-03-03", "2025-03-03", true, 45000000000, "FT25062AAA001", "1230009876543", "PT BANGUN NUSA",
     "SP2D LS 0301/BPKAD/2025 JALAN KABUPATEN", "transfer", 38},
    {"2025-03-05", "2025-03-05", false, 150000000000, "FT25064DAU001", "5001000000001", "RKUN KEMENTERIAN KEUANGAN",
     "DAU MARET 2025", "transfer", 58},
    {"2025-03-10", "2025-03-10", true, 7500000000, "E2E-0310-UP", "0020103000456", "BP DINAS PENDIDIKAN",
     "PELIMPAHAN UP DISDIK", "transfer", 76},
    {"2025-03-12", "2025-03-12", true, 1000000000, "TLR25071000123", "", "", "PENARIKAN TELLER KC CURUP",
     "cash_withdrawal", 101},
    {"2025-03-31", "2025-03-31", true, 5000000, "CHG2503", "", "", "BIAYA ADMINISTRASI", "fee", 111},
    {"2025-03-31", "2025-04-01", false, 432198765, "INT2503", "", "", "JASA GIRO MARET", "interest", 121},
};

void ExpectSample(const Result<ParsedStatement>& parsed) {
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  EXPECT_EQ(parsed->account_no, "0010100000001");
  EXPECT_EQ(parsed->statement_no, "RKUD-2025-03");
  EXPECT_EQ(parsed->currency, "IDR");
  EXPECT_EQ(parsed->period_start, "2025-03-01");
  EXPECT_EQ(parsed->period_end, "2025-03-31");
  EXPECT_EQ(parsed->opening_sen, 200000000000);
  EXPECT_EQ(parsed->closing_sen, 296927198765);
  ASSERT_EQ(parsed->lines.size(), std::size(kEntries));
  for (std::size_t i = 0; i < parsed->lines.size(); ++i) {
    SCOPED_TRACE("entry " + std::to_string(i));
    const BankLine& line = parsed->lines[i];
    const Expected& expected = kEntries[i];
    EXPECT_EQ(line.index, static_cast<std::int64_t>(i));
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
    EXPECT_FALSE(line.balance_sen.has_value());
  }
}

TEST(Camt053Test, ReadsTheHandCheckedSample) { ExpectSample(ParseCamt053(ReadSample())); }

TEST(Camt053Test, ReadsVersion08Shapes) {
  std::string bytes = ReplacedAll(ReadSample(), "camt.053.001.02", "camt.053.001.08");
  bytes = ReplacedAll(bytes, "<Sts>BOOK</Sts>", "<Sts><Cd>BOOK</Cd></Sts>");
  bytes = ReplacedAll(bytes, "<Sts>PDNG</Sts>", "<Sts><Cd>PDNG</Cd></Sts>");
  bytes = ReplacedAll(bytes, "<Cdtr><Nm>PT BANGUN NUSA</Nm></Cdtr>", "<Cdtr><Pty><Nm>PT BANGUN NUSA</Nm></Pty></Cdtr>");
  bytes = ReplacedAll(bytes, "<Dbtr><Nm>RKUN KEMENTERIAN KEUANGAN</Nm></Dbtr>",
                      "<Dbtr><Pty><Nm>RKUN KEMENTERIAN KEUANGAN</Nm></Pty></Dbtr>");
  ExpectSample(ParseCamt053(bytes));
}

TEST(Camt053Test, WithoutFrToDtThePeriodComesFromTheBalances) {
  std::string bytes = Replaced(ReadSample(), "<FrDtTm>2025-03-01T00:00:00+07:00</FrDtTm>", "");
  bytes = Replaced(bytes, "<ToDtTm>2025-03-31T23:59:59+07:00</ToDtTm>", "");
  bytes = Replaced(bytes, "<Cd>OPBD</Cd>", "<Cd>PRCD</Cd>");
  bytes = Replaced(bytes, "<Dt><Dt>2025-03-01</Dt></Dt>", "<Dt><Dt>2025-02-28</Dt></Dt>");
  Result<ParsedStatement> parsed = ParseCamt053(bytes);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  EXPECT_EQ(parsed->period_start, "2025-03-01");  // The day after the previous closing.
  EXPECT_EQ(parsed->period_end, "2025-03-31");
}

TEST(Camt053Test, RefusesABadAmountNamingItsLineAndGoesOn) {
  std::string bytes = Replaced(ReadSample(), "<Amt Ccy=\"IDR\">75000000.00</Amt>", "<Amt Ccy=\"IDR\">75.000.000,00</Amt>");
  bytes = Replaced(bytes, "<Amt Ccy=\"IDR\">50000.00</Amt>", "<Amt Ccy=\"USD\">50000.00</Amt>");
  const std::vector<FieldError> errors = Errors(ParseCamt053(bytes));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].field, "line 77");
  EXPECT_EQ(errors[1].field, "line 112");
  EXPECT_NE(errors[1].message.find("only IDR"), std::string::npos);
}

TEST(Camt053Test, RefusesUnclosedXmlAtTheEndOfInput) {
  std::string bytes = ReadSample();
  // The first 100 lines: the document stops inside Stmt, after the entry of line 93.
  std::size_t at = 0;
  for (int i = 0; i < 100; ++i) at = bytes.find('\n', at) + 1;
  const std::vector<FieldError> errors = Errors(ParseCamt053(bytes.substr(0, at)));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "line 100");  // The last line there is.
  EXPECT_NE(errors[0].message.find("not well-formed"), std::string::npos);
  // A tag closed by the wrong name.
  const std::vector<FieldError> wrong = Errors(ParseCamt053(Replaced(ReadSample(), "</AcctSvcrRef>", "</AcctSvcrRf>")));
  ASSERT_EQ(wrong.size(), 1u);
  EXPECT_EQ(wrong[0].field, "line 44");
}

TEST(Camt053Test, RefusesBalancesThatAreDebitsOrDoNotAddUp) {
  std::vector<FieldError> errors =
      Errors(ParseCamt053(Replaced(ReadSample(), "<Amt Ccy=\"IDR\">2969271987.65</Amt>", "<Amt Ccy=\"IDR\">2969271987.66</Amt>")));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "line 32");
  EXPECT_NE(errors[0].message.find("2969271987.65"), std::string::npos) << errors[0].message;
  const std::string debit_opening = Replaced(ReadSample(), "<CdtDbtInd>CRDT</CdtDbtInd>\n        <Dt><Dt>2025-03-01",
                                             "<CdtDbtInd>DBIT</CdtDbtInd>\n        <Dt><Dt>2025-03-01");
  errors = Errors(ParseCamt053(debit_opening));
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].field, "line 26");
  EXPECT_NE(errors[0].message.find("debit balance"), std::string::npos);
}

TEST(Camt053Test, RefusesASecondStatement) {
  const std::string bytes = ReadSample();
  const std::size_t start = bytes.find("    <Stmt>");
  const std::size_t end = bytes.find("    </Stmt>\n") + std::string("    </Stmt>\n").size();
  std::string doubled = bytes;
  doubled.insert(end, bytes.substr(start, end - start));
  const std::vector<FieldError> errors = Errors(ParseCamt053(doubled));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "line 132");  // Right after the first </Stmt> of line 131.
}

TEST(Camt053Test, RefusesOtherDocumentsDtdsAndDeepNesting) {
  EXPECT_EQ(Errors(ParseCamt053(ReplacedAll(ReadSample(), "camt.053.001.02", "camt.052.001.02"))).at(0).field,
            "line 2");
  EXPECT_EQ(Errors(ParseCamt053("")).at(0).field, "file");
  EXPECT_EQ(Errors(ParseCamt053("not xml")).at(0).field, "line 1");
  const std::string entities =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE Document [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>\n"
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">&b;</Document>\n";
  const std::vector<FieldError> dtd = Errors(ParseCamt053(entities));
  ASSERT_EQ(dtd.size(), 1u);
  EXPECT_EQ(dtd[0].field, "line 2");
  EXPECT_NE(dtd[0].message.find("DTD"), std::string::npos);
  const std::string external =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE Document SYSTEM \"http://127.0.0.1:9/x.dtd\">\n<Document/>\n";
  EXPECT_FALSE(ParseCamt053(external).has_value());
  std::string deep = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">";
  for (int i = 0; i < 40; ++i) deep += "<a>";
  const std::vector<FieldError> nested = Errors(ParseCamt053(deep));
  ASSERT_EQ(nested.size(), 1u);
  EXPECT_NE(nested[0].message.find("deeper"), std::string::npos);
  // Long names would make every element's close copy a long path: refused at once.
  const std::string long_name = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n<" +
                                std::string(65, 'a') + "/>\n</Document>\n";
  const std::vector<FieldError> named = Errors(ParseCamt053(long_name));
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(named[0].field, "line 2");
  EXPECT_NE(named[0].message.find("element name is longer than 64 bytes"), std::string::npos) << named[0].message;
}

}  // namespace
}  // namespace jejak::server
