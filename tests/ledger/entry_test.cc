// Tests of ledger/entry.h: validation of every entry kind (each rule has a rejecting test
// naming its field), the server's stamp, derived columns, and the checks against the
// ledger through a fake in-memory LedgerView.
#include "ledger/entry.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/result.h"
#include "ledger/canonical.h"
#include "ledger/limits.h"

namespace jejak::ledger {
namespace {

using nlohmann::json;

constexpr char kOpd[] = "1.02.0.00.0.00.01.0000";
constexpr char kOtherOpd[] = "1.02.0.00.0.00.02.0000";

json ValidExpenditure() {
  return {
      {"kind", "expenditure"},
      {"fiscal_year", 2026},
      {"opd", kOpd},
      {"sub_activity", "1.02.01.2.02.0001"},
      {"account", "5.1.02.01.01.0024"},
      {"mechanism", "LS"},
      {"instrument", "cms_transfer"},
      {"value_date", "2026-03-17"},
      {"gross", "12500000"},
      {"taxes", {{{"type", "PPN"}, {"amount", "1250000"}}, {{"type", "PPh22"}, {"amount", "187500.5"}}}},
      {"net", "11062499.50"},
      {"payee",
       {{"name", "CV Maju Jaya"},
        {"npwp", "012345678901000"},
        {"bank", "Bank Bengkulu"},
        {"account_no", "0012345678"},
        {"account_name", "CV MAJU JAYA"}}},
      {"bank_ref", "CMS20260317000123"},
      {"documents",
       {{"spp", "001/SPP-LS/2026"},
        {"spm", "001/SPM-LS/2026"},
        {"sp2d", "001/SP2D-LS/2026"},
        {"evidence_no", "INV-0042"},
        {"evidence_date", "2026-03-10"}}},
      {"procurement",
       {{"method", "PL"}, {"contract_no", "027/SPK/DINKES/2026"}, {"contract_value", "12500000"}}},
      {"description", "Belanja alat tulis kantor triwulan I"},
  };
}

json ValidCashExpenditure() {
  json body = ValidExpenditure();
  body["instrument"] = "cash";
  body["mechanism"] = "UP";
  body["cash_reason"] = "Desa terpencil tanpa layanan bank";
  body.erase("bank_ref");
  body["payee"].erase("bank");
  body["payee"].erase("account_no");
  body["payee"].erase("account_name");
  return body;
}

json ValidOpd() { return {{"kind", "opd"}, {"code", kOpd}, {"name", "Dinas Kesehatan"}}; }

json ValidBudget() {
  json plan = json::array();
  for (int month = 0; month < 12; ++month) plan.push_back("23392764370.10");
  return {{"kind", "budget"},           {"fiscal_year", 2026},
          {"opd", kOpd},                {"sub_activity", "X.XX.01.2.02.0001"},
          {"account", "5.1.02.01.01.0024"}, {"pagu", "280713172441.2"},
          {"stage", "murni"},           {"monthly_plan", plan},
          {"note", "APBD murni 2026"}};
}

json ValidReversal() {
  return {{"kind", "reversal"}, {"reverses", 7}, {"reason", "Salah rekening tujuan"}};
}

json ValidTaxDeposit() {
  return {{"kind", "tax_deposit"},
          {"fiscal_year", 2026},
          {"opd", kOpd},
          {"tax_type", "PPN"},
          {"amount", "1250000"},
          {"billing_code", "123456789012345"},
          {"ntpn", "0A1B2C3D4E5F6G7H"},
          {"deposit_date", "2026-03-20"},
          {"covers", {3}}};
}

json ValidGenesis() {
  return {{"kind", "genesis"},
          {"ledger_id", "rejang-lebong-2026"},
          {"origin", "jejak.rejanglebongkab.go.id/ledger"},
          {"region", "Pemerintah Kabupaten Rejang Lebong"},
          {"checkpoint_key", "jejak.rejanglebongkab.go.id/ledger+1a2b3c4d+AQID"}};
}

// Expects `result` to be rejected as kInvalidArgument with an error on `field`.
template <typename T>
void ExpectFieldError(const Result<T>& result, const std::string& field,
                      Code code = Code::kInvalidArgument) {
  ASSERT_FALSE(result.has_value()) << "expected a rejection of " << field;
  EXPECT_EQ(result.error().code, code) << result.error().ToString();
  bool found = false;
  for (const FieldError& error : result.error().fields) {
    if (error.field == field) {
      found = true;
      EXPECT_FALSE(error.message.empty());
    }
  }
  EXPECT_TRUE(found) << "no error on " << field << ": " << result.error().ToString();
}

void ExpectBodyRejected(const json& body, const std::string& field) {
  ExpectFieldError(ValidateBody(body), field);
}

// ---- Accepting. ----

TEST(ValidateBodyTest, AcceptsValidExpenditureAndNormalisesMoney) {
  Result<json> entry = ValidateBody(ValidExpenditure());
  ASSERT_TRUE(entry.has_value()) << entry.error().ToString();
  EXPECT_EQ((*entry)["gross"], "12500000.00");
  EXPECT_EQ((*entry)["net"], "11062499.50");
  EXPECT_EQ((*entry)["taxes"][1]["amount"], "187500.50");
  EXPECT_EQ((*entry)["procurement"]["contract_value"], "12500000.00");
  EXPECT_EQ((*entry)["description"], ValidExpenditure()["description"]);
}

TEST(ValidateBodyTest, NormalisedBodyValidatesUnchanged) {
  Result<json> entry = ValidateBody(ValidExpenditure());
  ASSERT_TRUE(entry.has_value());
  Result<json> again = ValidateBody(*entry);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, *entry);
}

TEST(ValidateBodyTest, AcceptsExpenditureParsedFromCanonicalBytes) {
  Result<json> parsed = ParseStrict(Canonicalize(ValidExpenditure()));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(ValidateBody(*parsed).has_value());
}

TEST(ValidateBodyTest, AcceptsCashExpenditureWithoutBankFields) {
  Result<json> entry = ValidateBody(ValidCashExpenditure());
  EXPECT_TRUE(entry.has_value()) << entry.error().ToString();
}

TEST(ValidateBodyTest, AcceptsEmptyTaxesWithNetEqualToGross) {
  json body = ValidExpenditure();
  body["taxes"] = json::array();
  body["net"] = "12500000.00";
  EXPECT_TRUE(ValidateBody(body).has_value());
}

TEST(ValidateBodyTest, AcceptsMinimalExpenditure) {
  json body = ValidExpenditure();
  body.erase("procurement");
  body["documents"] = json::object();
  body["payee"].erase("npwp");
  EXPECT_TRUE(ValidateBody(body).has_value());
}

TEST(ValidateBodyTest, AcceptsEveryInstrumentAndMechanism) {
  for (const char* instrument : {"cms_transfer", "sp2d_ls", "kkpd", "qris"}) {
    for (const char* mechanism : {"UP", "GU", "TU", "LS"}) {
      json body = ValidExpenditure();
      body["instrument"] = instrument;
      body["mechanism"] = mechanism;
      EXPECT_TRUE(ValidateBody(body).has_value()) << instrument << " " << mechanism;
    }
  }
}

TEST(ValidateBodyTest, AcceptsSixteenDigitNpwp) {
  json body = ValidExpenditure();
  body["payee"]["npwp"] = "3201234567890001";
  EXPECT_TRUE(ValidateBody(body).has_value());
}

TEST(ValidateBodyTest, AcceptsLeapDays) {
  json body = ValidExpenditure();
  body["value_date"] = "2024-02-29";
  EXPECT_TRUE(ValidateBody(body).has_value());
  body["value_date"] = "2000-02-29";
  EXPECT_TRUE(ValidateBody(body).has_value());
}

TEST(ValidateBodyTest, AcceptsFiscalYearBounds) {
  json body = ValidExpenditure();
  body["fiscal_year"] = kFiscalYearMin;
  EXPECT_TRUE(ValidateBody(body).has_value());
  body["fiscal_year"] = kFiscalYearMax;
  EXPECT_TRUE(ValidateBody(body).has_value());
}

TEST(ValidateBodyTest, AcceptsTextAndIdentifiersAtTheirLimits) {
  json body = ValidExpenditure();
  body["description"] = std::string(kTextBytesMax, 'a');
  body["bank_ref"] = std::string(kIdentifierBytesMax, 'R');
  EXPECT_TRUE(ValidateBody(body).has_value());
}

TEST(ValidateBodyTest, AcceptsEveryTaxType) {
  for (const char* type : {"PPN", "PPh21", "PPh22", "PPh23", "PPh4(2)"}) {
    json body = ValidExpenditure();
    body["taxes"][0]["type"] = type;
    EXPECT_TRUE(ValidateBody(body).has_value()) << type;
  }
}

TEST(ValidateBodyTest, AcceptsValidOpd) { EXPECT_TRUE(ValidateBody(ValidOpd()).has_value()); }

TEST(ValidateBodyTest, AcceptsValidBudgetAndNormalisesMoney) {
  Result<json> entry = ValidateBody(ValidBudget());
  ASSERT_TRUE(entry.has_value()) << entry.error().ToString();
  EXPECT_EQ((*entry)["pagu"], "280713172441.20");
  EXPECT_EQ((*entry)["monthly_plan"][11], "23392764370.10");
}

TEST(ValidateBodyTest, AcceptsBudgetWithoutOptionalFieldsAndZeroPagu) {
  json body = ValidBudget();
  body.erase("monthly_plan");
  body.erase("note");
  body["pagu"] = "0";
  for (const char* stage : {"murni", "pergeseran", "perubahan"}) {
    body["stage"] = stage;
    EXPECT_TRUE(ValidateBody(body).has_value()) << stage;
  }
}

TEST(ValidateBodyTest, AcceptsValidReversal) {
  EXPECT_TRUE(ValidateBody(ValidReversal()).has_value());
}

TEST(ValidateBodyTest, AcceptsValidTaxDeposit) {
  json body = ValidTaxDeposit();
  body["covers"] = {3, 9, 4};
  Result<json> entry = ValidateBody(body);
  ASSERT_TRUE(entry.has_value()) << entry.error().ToString();
  EXPECT_EQ((*entry)["amount"], "1250000.00");
}

// ---- Rejecting: shape, kind and server fields. ----

TEST(ValidateBodyTest, RejectsNonObject) {
  Result<json> entry = ValidateBody(json::array());
  ASSERT_FALSE(entry.has_value());
  EXPECT_EQ(entry.error().code, Code::kInvalidArgument);
}

TEST(ValidateBodyTest, RejectsMissingKind) {
  json body = ValidExpenditure();
  body.erase("kind");
  ExpectBodyRejected(body, "kind");
}

TEST(ValidateBodyTest, RejectsUnknownKind) {
  json body = ValidExpenditure();
  body["kind"] = "payment";
  ExpectBodyRejected(body, "kind");
}

TEST(ValidateBodyTest, RejectsKindThatIsNotAString) {
  json body = ValidExpenditure();
  body["kind"] = 3;
  ExpectBodyRejected(body, "kind");
}

TEST(ValidateBodyTest, RejectsGenesisFromClients) { ExpectBodyRejected(ValidGenesis(), "kind"); }

TEST(ValidateBodyTest, RejectsServerFields) {
  for (const char* field : {"v", "seq", "recorded_at", "recorded_by"}) {
    json body = ValidExpenditure();
    body[field] = 1;
    Result<json> entry = ValidateBody(body);
    ExpectFieldError(entry, field);
    ASSERT_EQ(entry.error().fields.size(), 1u) << entry.error().ToString();
    EXPECT_EQ(entry.error().fields[0].message, "set by the server");
  }
}

TEST(ValidateBodyTest, RejectsUnknownTopLevelField) {
  json body = ValidExpenditure();
  body["approved_by"] = "kepala dinas";
  ExpectBodyRejected(body, "approved_by");
}

TEST(ValidateBodyTest, RejectsUnknownNestedFields) {
  json body = ValidExpenditure();
  body["payee"]["phone"] = "0812";
  body["taxes"][1]["rate"] = "11";
  body["documents"]["bast"] = "1";
  body["procurement"]["vendor"] = "x";
  Result<json> entry = ValidateBody(body);
  ExpectFieldError(entry, "payee.phone");
  ExpectFieldError(entry, "taxes[1].rate");
  ExpectFieldError(entry, "documents.bast");
  ExpectFieldError(entry, "procurement.vendor");
}

TEST(ValidateBodyTest, RejectsEveryMissingRequiredExpenditureField) {
  for (const char* field : {"fiscal_year", "opd", "sub_activity", "account", "mechanism",
                            "instrument", "value_date", "gross", "taxes", "net", "payee",
                            "bank_ref", "documents", "description"}) {
    json body = ValidExpenditure();
    body.erase(field);
    Result<json> entry = ValidateBody(body);
    ExpectFieldError(entry, field);
    EXPECT_EQ(entry.error().fields.size(), 1u) << field << ": " << entry.error().ToString();
  }
}

TEST(ValidateBodyTest, CollectsAllFieldErrors) {
  json body = ValidExpenditure();
  body["gross"] = 12500000;
  body["payee"].erase("account_no");
  body["taxes"][1]["amount"] = "0";
  body["value_date"] = "2026-02-30";
  body["seq"] = 4;
  Result<json> entry = ValidateBody(body);
  ExpectFieldError(entry, "gross");
  ExpectFieldError(entry, "payee.account_no");
  ExpectFieldError(entry, "taxes[1].amount");
  ExpectFieldError(entry, "value_date");
  ExpectFieldError(entry, "seq");
  EXPECT_EQ(entry.error().fields.size(), 5u) << entry.error().ToString();
}

// ---- Rejecting: money. ----

TEST(ValidateBodyTest, RejectsMoneyWrittenAsNumber) {
  json body = ValidExpenditure();
  body["gross"] = 12500000;
  ExpectBodyRejected(body, "gross");
}

TEST(ValidateBodyTest, RejectsMoneyWithThreeFractionDigits) {
  json body = ValidExpenditure();
  body["net"] = "11062499.500";
  ExpectBodyRejected(body, "net");
}

TEST(ValidateBodyTest, RejectsMoneyWithSignExponentOrLeadingZero) {
  for (const char* bad : {"-12500000", "+12500000", "1.25e7", "012500000", "12,500,000"}) {
    json body = ValidExpenditure();
    body["gross"] = bad;
    ExpectBodyRejected(body, "gross");
  }
}

TEST(ValidateBodyTest, RejectsMoneyWithSeventeenIntegerDigits) {
  json body = ValidExpenditure();
  body["gross"] = "12345678901234567";
  ExpectBodyRejected(body, "gross");
}

TEST(ValidateBodyTest, RejectsZeroGross) {
  json body = ValidExpenditure();
  body["gross"] = "0";
  body["taxes"] = json::array();
  body["net"] = "0";
  ExpectBodyRejected(body, "gross");
}

TEST(ValidateBodyTest, RejectsNetThatIsNotGrossMinusTaxes) {
  json body = ValidExpenditure();
  body["net"] = "11062499.51";
  ExpectBodyRejected(body, "net");
}

TEST(ValidateBodyTest, RejectsTaxesLargerThanGross) {
  json body = ValidExpenditure();
  body["taxes"][0]["amount"] = "13000000";
  body["net"] = "0";
  ExpectBodyRejected(body, "net");
}

TEST(ValidateBodyTest, RejectsZeroTaxAmount) {
  json body = ValidExpenditure();
  body["taxes"][1]["amount"] = "0";
  ExpectBodyRejected(body, "taxes[1].amount");
}

TEST(ValidateBodyTest, RejectsTaxAmountAsNumber) {
  json body = ValidExpenditure();
  body["taxes"][0]["amount"] = 1250000;
  ExpectBodyRejected(body, "taxes[0].amount");
}

TEST(ValidateBodyTest, RejectsUnknownTaxType) {
  json body = ValidExpenditure();
  body["taxes"][0]["type"] = "PPnBM";
  ExpectBodyRejected(body, "taxes[0].type");
}

TEST(ValidateBodyTest, RejectsTaxWithoutTypeOrAmount) {
  json body = ValidExpenditure();
  body["taxes"][0].erase("type");
  body["taxes"][1].erase("amount");
  Result<json> entry = ValidateBody(body);
  ExpectFieldError(entry, "taxes[0].type");
  ExpectFieldError(entry, "taxes[1].amount");
}

TEST(ValidateBodyTest, RejectsTaxThatIsNotAnObject) {
  json body = ValidExpenditure();
  body["taxes"][0] = "PPN";
  ExpectBodyRejected(body, "taxes[0]");
}

TEST(ValidateBodyTest, RejectsTaxesThatAreNotAnArray) {
  json body = ValidExpenditure();
  body["taxes"] = json::object();
  ExpectBodyRejected(body, "taxes");
}

TEST(ValidateBodyTest, RejectsTooManyTaxes) {
  json body = ValidExpenditure();
  body["taxes"] = json::array();
  for (std::size_t i = 0; i < kTaxesMax + 1; ++i) {
    body["taxes"].push_back({{"type", "PPh23"}, {"amount", "1"}});
  }
  ExpectBodyRejected(body, "taxes");
}

// ---- Rejecting: codes, enums, integers, dates. ----

TEST(ValidateBodyTest, RejectsFiscalYearAsString) {
  json body = ValidExpenditure();
  body["fiscal_year"] = "2026";
  ExpectBodyRejected(body, "fiscal_year");
}

TEST(ValidateBodyTest, RejectsFiscalYearAsFloat) {
  json body = ValidExpenditure();
  body["fiscal_year"] = 2026.0;
  ExpectBodyRejected(body, "fiscal_year");
}

TEST(ValidateBodyTest, RejectsFiscalYearOutOfRange) {
  for (std::int64_t year : {kFiscalYearMin - 1, kFiscalYearMax + 1, std::int64_t{-2026}}) {
    json body = ValidExpenditure();
    body["fiscal_year"] = year;
    ExpectBodyRejected(body, "fiscal_year");
  }
}

TEST(ValidateBodyTest, RejectsHugeUnsignedFiscalYear) {
  json body = ValidExpenditure();
  body["fiscal_year"] = std::uint64_t{18446744073709551615u};
  ExpectBodyRejected(body, "fiscal_year");
}

TEST(ValidateBodyTest, RejectsMalformedOpdCode) {
  for (const char* bad : {"1.02.0.00.0.00.01", "1.02.0.00.0.00.01.000", "1.2.0.00.0.00.01.0000",
                          "X.02.0.00.0.00.01.0000", " 1.02.0.00.0.00.01.0000",
                          "1.02.0.00.0.00.01.0000\n", "1-02-0-00-0-00-01-0000"}) {
    json body = ValidExpenditure();
    body["opd"] = bad;
    ExpectBodyRejected(body, "opd");
  }
}

TEST(ValidateBodyTest, RejectsMalformedSubActivity) {
  for (const char* bad : {"1.X2.01.2.02.0001", "1.0X.01.2.02.0001", "Y.XX.01.2.02.0001",
                          "1.02.XX.2.02.0001", "1.02.01.2.02.001", "1.02.01.2.02"}) {
    json body = ValidExpenditure();
    body["sub_activity"] = bad;
    ExpectBodyRejected(body, "sub_activity");
  }
}

TEST(ValidateBodyTest, AcceptsCrossCuttingSubActivity) {
  json body = ValidExpenditure();
  body["sub_activity"] = "X.XX.01.2.02.0001";
  EXPECT_TRUE(ValidateBody(body).has_value());
}

TEST(ValidateBodyTest, RejectsNonExpenditureAccount) {
  for (const char* bad : {"4.1.01.01.01.0001", "5.1.02.01.01.024", "5.1.2.01.01.0024",
                          "5.1.02.01.01.0024.1"}) {
    json body = ValidExpenditure();
    body["account"] = bad;
    ExpectBodyRejected(body, "account");
  }
}

TEST(ValidateBodyTest, RejectsUnknownMechanism) {
  json body = ValidExpenditure();
  body["mechanism"] = "ls";
  ExpectBodyRejected(body, "mechanism");
}

TEST(ValidateBodyTest, RejectsUnknownInstrument) {
  json body = ValidExpenditure();
  body["instrument"] = "cheque";
  ExpectBodyRejected(body, "instrument");
}

TEST(ValidateBodyTest, RejectsImpossibleDates) {
  for (const char* bad : {"2026-02-29", "2100-02-29", "2026-04-31", "2026-13-01", "2026-00-10",
                          "2026-01-00", "2026-1-5", "26-01-05", "2026/01/05", "2026-01-05T00:00",
                          ""}) {
    json body = ValidExpenditure();
    body["value_date"] = bad;
    ExpectBodyRejected(body, "value_date");
  }
}

// ---- Rejecting: cash and bank fields. ----

TEST(ValidateBodyTest, RejectsCashWithoutCashReason) {
  json body = ValidCashExpenditure();
  body.erase("cash_reason");
  ExpectBodyRejected(body, "cash_reason");
}

TEST(ValidateBodyTest, RejectsCashReasonWithoutCash) {
  json body = ValidExpenditure();
  body["cash_reason"] = "tidak ada";
  ExpectBodyRejected(body, "cash_reason");
}

TEST(ValidateBodyTest, RejectsMissingBankFieldsUnlessCash) {
  json body = ValidExpenditure();
  body["payee"].erase("bank");
  body["payee"].erase("account_no");
  body["payee"].erase("account_name");
  Result<json> entry = ValidateBody(body);
  ExpectFieldError(entry, "payee.bank");
  ExpectFieldError(entry, "payee.account_no");
  ExpectFieldError(entry, "payee.account_name");
}

TEST(ValidateBodyTest, RejectsMissingBankRefUnlessCash) {
  json body = ValidExpenditure();
  body.erase("bank_ref");
  ExpectBodyRejected(body, "bank_ref");
}

TEST(ValidateBodyTest, RejectsMissingPayeeName) {
  json body = ValidExpenditure();
  body["payee"].erase("name");
  ExpectBodyRejected(body, "payee.name");
}

TEST(ValidateBodyTest, RejectsPayeeThatIsNotAnObject) {
  json body = ValidExpenditure();
  body["payee"] = "CV Maju Jaya";
  ExpectBodyRejected(body, "payee");
}

TEST(ValidateBodyTest, RejectsMalformedNpwp) {
  for (const char* bad : {"01234567890100", "01.234.567.8-901.000", "01234567890100A",
                          "01234567890100000", ""}) {
    json body = ValidExpenditure();
    body["payee"]["npwp"] = bad;
    ExpectBodyRejected(body, "payee.npwp");
  }
}

TEST(ValidateBodyTest, RejectsEmptyBankRef) {
  json body = ValidExpenditure();
  body["bank_ref"] = "";
  ExpectBodyRejected(body, "bank_ref");
}

TEST(ValidateBodyTest, RejectsTooLongBankRef) {
  json body = ValidExpenditure();
  body["bank_ref"] = std::string(kIdentifierBytesMax + 1, 'R');
  ExpectBodyRejected(body, "bank_ref");
}

TEST(ValidateBodyTest, RejectsControlCharacterInIdentifier) {
  json body = ValidExpenditure();
  body["bank_ref"] = "CMS\n123";
  ExpectBodyRejected(body, "bank_ref");
}

TEST(ValidateBodyTest, RejectsBankRefAsNumber) {
  json body = ValidExpenditure();
  body["bank_ref"] = 20260317000123;
  ExpectBodyRejected(body, "bank_ref");
}

TEST(ValidateBodyTest, RejectsTooLongAccountNo) {
  json body = ValidExpenditure();
  body["payee"]["account_no"] = std::string(kIdentifierBytesMax + 1, '1');
  ExpectBodyRejected(body, "payee.account_no");
}

// ---- Rejecting: text, documents, procurement. ----

TEST(ValidateBodyTest, RejectsTooLongDescription) {
  json body = ValidExpenditure();
  body["description"] = std::string(kTextBytesMax + 1, 'a');
  ExpectBodyRejected(body, "description");
}

TEST(ValidateBodyTest, RejectsEmptyDescription) {
  json body = ValidExpenditure();
  body["description"] = "";
  ExpectBodyRejected(body, "description");
}

TEST(ValidateBodyTest, AcceptsLineBreaksInTextButNotOtherControlCharacters) {
  json body = ValidExpenditure();
  body["description"] = "Baris satu\nBaris dua\tx";
  EXPECT_TRUE(ValidateBody(body).has_value());
  body["description"] = std::string("bel\x07");
  ExpectBodyRejected(body, "description");
}

TEST(ValidateBodyTest, RejectsDocumentsThatAreNotAnObject) {
  json body = ValidExpenditure();
  body["documents"] = json::array();
  ExpectBodyRejected(body, "documents");
}

TEST(ValidateBodyTest, RejectsBadEvidenceDate) {
  json body = ValidExpenditure();
  body["documents"]["evidence_date"] = "2026-02-31";
  ExpectBodyRejected(body, "documents.evidence_date");
}

TEST(ValidateBodyTest, RejectsDocumentNumberThatIsNotAString) {
  json body = ValidExpenditure();
  body["documents"]["spm"] = 1;
  ExpectBodyRejected(body, "documents.spm");
}

TEST(ValidateBodyTest, RejectsUnknownProcurementMethod) {
  json body = ValidExpenditure();
  body["procurement"]["method"] = "lelang";
  ExpectBodyRejected(body, "procurement.method");
}

TEST(ValidateBodyTest, RejectsProcurementWithoutContract) {
  json body = ValidExpenditure();
  body["procurement"].erase("contract_no");
  body["procurement"]["contract_value"] = "12500000.001";
  Result<json> entry = ValidateBody(body);
  ExpectFieldError(entry, "procurement.contract_no");
  ExpectFieldError(entry, "procurement.contract_value");
}

// ---- Rejecting: opd, budget, reversal, tax deposit. ----

TEST(ValidateBodyTest, RejectsOpdWithBadCodeOrNoName) {
  json body = ValidOpd();
  body["code"] = "1.02";
  body.erase("name");
  Result<json> entry = ValidateBody(body);
  ExpectFieldError(entry, "code");
  ExpectFieldError(entry, "name");
}

TEST(ValidateBodyTest, RejectsOpdWithUnknownField) {
  json body = ValidOpd();
  body["head"] = "dr. X";
  ExpectBodyRejected(body, "head");
}

TEST(ValidateBodyTest, RejectsBudgetWithUnknownStage) {
  json body = ValidBudget();
  body["stage"] = "induk";
  ExpectBodyRejected(body, "stage");
}

TEST(ValidateBodyTest, RejectsNegativePagu) {
  json body = ValidBudget();
  body["pagu"] = "-1";
  ExpectBodyRejected(body, "pagu");
}

TEST(ValidateBodyTest, RejectsMonthlyPlanWithElevenMonths) {
  json body = ValidBudget();
  body["monthly_plan"].erase(11);
  ExpectBodyRejected(body, "monthly_plan");
}

TEST(ValidateBodyTest, RejectsBadMonthlyPlanValue) {
  json body = ValidBudget();
  body["monthly_plan"][3] = 1000;
  ExpectBodyRejected(body, "monthly_plan[3]");
}

TEST(ValidateBodyTest, RejectsEmptyBudgetNote) {
  json body = ValidBudget();
  body["note"] = "";
  ExpectBodyRejected(body, "note");
}

TEST(ValidateBodyTest, RejectsEveryMissingRequiredBudgetField) {
  for (const char* field : {"fiscal_year", "opd", "sub_activity", "account", "pagu", "stage"}) {
    json body = ValidBudget();
    body.erase(field);
    ExpectBodyRejected(body, field);
  }
}

TEST(ValidateBodyTest, RejectsReversalOfSeqZeroOrNonInteger) {
  for (const json& bad : {json(0), json(-3), json("7"), json(true)}) {
    json body = ValidReversal();
    body["reverses"] = bad;
    ExpectBodyRejected(body, "reverses");
  }
}

TEST(ValidateBodyTest, RejectsReversalWithoutReason) {
  json body = ValidReversal();
  body.erase("reason");
  ExpectBodyRejected(body, "reason");
}

TEST(ValidateBodyTest, RejectsTaxDepositWithUnknownTaxType) {
  json body = ValidTaxDeposit();
  body["tax_type"] = "PPh25";
  ExpectBodyRejected(body, "tax_type");
}

TEST(ValidateBodyTest, RejectsTaxDepositOfZero) {
  json body = ValidTaxDeposit();
  body["amount"] = "0.00";
  ExpectBodyRejected(body, "amount");
}

TEST(ValidateBodyTest, RejectsMalformedBillingCode) {
  for (const char* bad : {"12345678901234", "1234567890123456", "12345678901234A"}) {
    json body = ValidTaxDeposit();
    body["billing_code"] = bad;
    ExpectBodyRejected(body, "billing_code");
  }
}

TEST(ValidateBodyTest, RejectsMalformedNtpn) {
  for (const char* bad : {"0A1B2C3D4E5F6G7", "0a1b2c3d4e5f6g7h", "0A1B2C3D4E5F6G7H8",
                          "0A1B-2C3D4E5F6G7"}) {
    json body = ValidTaxDeposit();
    body["ntpn"] = bad;
    ExpectBodyRejected(body, "ntpn");
  }
}

TEST(ValidateBodyTest, RejectsBadDepositDate) {
  json body = ValidTaxDeposit();
  body["deposit_date"] = "2026-06-31";
  ExpectBodyRejected(body, "deposit_date");
}

TEST(ValidateBodyTest, RejectsEmptyCovers) {
  json body = ValidTaxDeposit();
  body["covers"] = json::array();
  ExpectBodyRejected(body, "covers");
}

TEST(ValidateBodyTest, RejectsDuplicateCovers) {
  json body = ValidTaxDeposit();
  body["covers"] = {3, 3};
  ExpectBodyRejected(body, "covers[1]");
}

TEST(ValidateBodyTest, RejectsNonPositiveOrNonIntegerCovers) {
  json body = ValidTaxDeposit();
  body["covers"] = {0, "4", 5};
  Result<json> entry = ValidateBody(body);
  ExpectFieldError(entry, "covers[0]");
  ExpectFieldError(entry, "covers[1]");
}

TEST(ValidateBodyTest, RejectsTooManyCovers) {
  json body = ValidTaxDeposit();
  body["covers"] = json::array();
  for (std::size_t i = 1; i <= kCoversMax + 1; ++i) body["covers"].push_back(i);
  ExpectBodyRejected(body, "covers");
}

// ---- Genesis. ----

TEST(ValidateGenesisTest, AcceptsValidGenesis) {
  Result<json> entry = ValidateGenesis(ValidGenesis());
  ASSERT_TRUE(entry.has_value()) << entry.error().ToString();
  EXPECT_EQ(*entry, ValidGenesis());
}

TEST(ValidateGenesisTest, RejectsOtherKinds) {
  json body = ValidGenesis();
  body["kind"] = "opd";
  ExpectFieldError(ValidateGenesis(body), "kind");
}

TEST(ValidateGenesisTest, RejectsBadOrigin) {
  for (const std::string& bad : {std::string("jejak example"), std::string("a+b"),
                                 std::string(""), std::string(256, 'o'),
                                 std::string("tab\there")}) {
    json body = ValidGenesis();
    body["origin"] = bad;
    ExpectFieldError(ValidateGenesis(body), "origin");
  }
}

TEST(ValidateGenesisTest, AcceptsOriginOf255Bytes) {
  json body = ValidGenesis();
  body["origin"] = std::string(255, 'o');
  EXPECT_TRUE(ValidateGenesis(body).has_value());
}

TEST(ValidateGenesisTest, RejectsEmptyFields) {
  json body = ValidGenesis();
  body["ledger_id"] = "";
  body["region"] = "";
  body["checkpoint_key"] = "";
  Result<json> entry = ValidateGenesis(body);
  ExpectFieldError(entry, "ledger_id");
  ExpectFieldError(entry, "region");
  ExpectFieldError(entry, "checkpoint_key");
}

TEST(ValidateGenesisTest, RejectsMissingAndUnknownFields) {
  json body = ValidGenesis();
  body.erase("checkpoint_key");
  body["extra"] = 1;
  Result<json> entry = ValidateGenesis(body);
  ExpectFieldError(entry, "checkpoint_key");
  ExpectFieldError(entry, "extra");
}

TEST(ValidateGenesisTest, RejectsServerFields) {
  json body = ValidGenesis();
  body["seq"] = 0;
  ExpectFieldError(ValidateGenesis(body), "seq");
}

// ---- Stamp and columns. ----

Stamp StampAt(std::int64_t seq) { return Stamp{seq, "2026-03-17T08:00:00.000Z", "officer-1"}; }

json Stored(const json& body, std::int64_t seq) {
  Result<json> validated = body["kind"] == "genesis" ? ValidateGenesis(body) : ValidateBody(body);
  EXPECT_TRUE(validated.has_value()) << validated.error().ToString();
  return StampEntry(*validated, StampAt(seq));
}

TEST(StampEntryTest, AddsServerFields) {
  json entry = StampEntry(ValidOpd(), StampAt(4));
  EXPECT_EQ(entry["v"], kFormatVersion);
  EXPECT_EQ(entry["seq"], 4);
  EXPECT_EQ(entry["recorded_at"], "2026-03-17T08:00:00.000Z");
  EXPECT_EQ(entry["recorded_by"], "officer-1");
  EXPECT_EQ(entry["code"], kOpd);
}

TEST(StampEntryDeathTest, BodyWithServerFieldAborts) {
  json body = ValidOpd();
  body["seq"] = 1;
  EXPECT_DEATH(StampEntry(body, StampAt(4)), "contains");
}

TEST(KindTest, NamesRoundTrip) {
  for (Kind kind : {Kind::kGenesis, Kind::kOpd, Kind::kBudget, Kind::kExpenditure,
                    Kind::kReversal, Kind::kTaxDeposit}) {
    EXPECT_EQ(ParseKind(KindName(kind)), kind);
  }
  EXPECT_FALSE(ParseKind("Expenditure").has_value());
}

TEST(DeriveColumnsTest, DerivesExpenditureColumns) {
  Result<EntryColumns> columns = DeriveColumns(Stored(ValidExpenditure(), 12));
  ASSERT_TRUE(columns.has_value()) << columns.error().ToString();
  EXPECT_EQ(columns->seq, 12);
  EXPECT_EQ(columns->kind, "expenditure");
  EXPECT_EQ(columns->recorded_at, "2026-03-17T08:00:00.000Z");
  EXPECT_EQ(columns->recorded_by, "officer-1");
  EXPECT_EQ(columns->fiscal_year, 2026);
  EXPECT_EQ(columns->opd, kOpd);
  EXPECT_EQ(columns->sub_activity, "1.02.01.2.02.0001");
  EXPECT_EQ(columns->account, "5.1.02.01.01.0024");
  EXPECT_EQ(columns->instrument, "cms_transfer");
  EXPECT_EQ(columns->mechanism, "LS");
  EXPECT_EQ(columns->value_date, "2026-03-17");
  EXPECT_EQ(columns->bank_ref, "CMS20260317000123");
  EXPECT_EQ(columns->payee_account, "Bank Bengkulu:0012345678");
  EXPECT_EQ(columns->payee_npwp, "012345678901000");
  EXPECT_EQ(columns->tax_type, "PPN,PPh22");
  EXPECT_EQ(columns->amount_sen, 1'250'000'000);
  EXPECT_EQ(columns->net_sen, 1'106'249'950);
  EXPECT_EQ(columns->tax_sen, 143'750'050);
  EXPECT_FALSE(columns->reverses.has_value());
}

TEST(DeriveColumnsTest, DerivesFromCanonicalBytes) {
  const json stored = Stored(ValidExpenditure(), 12);
  Result<json> parsed = ParseStrict(Canonicalize(stored));
  ASSERT_TRUE(parsed.has_value());
  Result<EntryColumns> from_bytes = DeriveColumns(*parsed);
  Result<EntryColumns> from_value = DeriveColumns(stored);
  ASSERT_TRUE(from_bytes.has_value());
  ASSERT_TRUE(from_value.has_value());
  EXPECT_EQ(*from_bytes, *from_value);
}

TEST(DeriveColumnsTest, CashExpenditureHasNoBankColumns) {
  Result<EntryColumns> columns = DeriveColumns(Stored(ValidCashExpenditure(), 3));
  ASSERT_TRUE(columns.has_value()) << columns.error().ToString();
  EXPECT_EQ(columns->bank_ref, "");
  EXPECT_EQ(columns->payee_account, "");
  EXPECT_EQ(columns->instrument, "cash");
}

TEST(DeriveColumnsTest, ExpenditureWithoutTaxesHasZeroTax) {
  json body = ValidExpenditure();
  body["taxes"] = json::array();
  body["net"] = "12500000";
  Result<EntryColumns> columns = DeriveColumns(Stored(body, 3));
  ASSERT_TRUE(columns.has_value());
  EXPECT_EQ(columns->tax_sen, 0);
  EXPECT_EQ(columns->tax_type, "");
}

TEST(DeriveColumnsTest, DerivesOtherKinds) {
  Result<EntryColumns> genesis = DeriveColumns(Stored(ValidGenesis(), 0));
  ASSERT_TRUE(genesis.has_value()) << genesis.error().ToString();
  EXPECT_EQ(genesis->kind, "genesis");
  EXPECT_EQ(genesis->opd, "");

  Result<EntryColumns> opd = DeriveColumns(Stored(ValidOpd(), 1));
  ASSERT_TRUE(opd.has_value());
  EXPECT_EQ(opd->opd, kOpd);

  Result<EntryColumns> budget = DeriveColumns(Stored(ValidBudget(), 2));
  ASSERT_TRUE(budget.has_value());
  EXPECT_EQ(budget->amount_sen, 28'071'317'244'120);
  EXPECT_EQ(budget->sub_activity, "X.XX.01.2.02.0001");
  EXPECT_EQ(budget->fiscal_year, 2026);

  Result<EntryColumns> reversal = DeriveColumns(Stored(ValidReversal(), 8));
  ASSERT_TRUE(reversal.has_value());
  EXPECT_EQ(reversal->reverses, 7);

  Result<EntryColumns> deposit = DeriveColumns(Stored(ValidTaxDeposit(), 9));
  ASSERT_TRUE(deposit.has_value());
  EXPECT_EQ(deposit->tax_type, "PPN");
  EXPECT_EQ(deposit->value_date, "2026-03-20");
  EXPECT_EQ(deposit->amount_sen, 125'000'000);
}

void ExpectDataLoss(const json& entry) {
  Result<EntryColumns> columns = DeriveColumns(entry);
  ASSERT_FALSE(columns.has_value()) << entry.dump();
  EXPECT_EQ(columns.error().code, Code::kDataLoss);
}

TEST(DeriveColumnsTest, RejectsTamperedBodyAsDataLoss) {
  json entry = Stored(ValidExpenditure(), 12);
  entry["net"] = "12500000.00";  // No longer gross minus taxes.
  ExpectDataLoss(entry);
}

TEST(DeriveColumnsTest, RejectsMoneyNotInStoredForm) {
  json entry = StampEntry(ValidExpenditure(), StampAt(12));  // "12500000", not ".00".
  ExpectDataLoss(entry);
}

TEST(DeriveColumnsTest, RejectsMissingOrBadStampFields) {
  for (const char* field : {"v", "seq", "recorded_at", "recorded_by"}) {
    json entry = Stored(ValidOpd(), 1);
    entry.erase(field);
    ExpectDataLoss(entry);
  }
  json entry = Stored(ValidOpd(), 1);
  entry["v"] = 2;
  ExpectDataLoss(entry);
  entry = Stored(ValidOpd(), 1);
  entry["recorded_at"] = "2026-03-17 08:00:00";
  ExpectDataLoss(entry);
  entry = Stored(ValidOpd(), 1);
  entry["seq"] = -1;
  ExpectDataLoss(entry);
}

TEST(DeriveColumnsTest, RejectsGenesisAnywhereButSeqZero) {
  ExpectDataLoss(Stored(ValidGenesis(), 5));
  ExpectDataLoss(Stored(ValidOpd(), 0));
}

TEST(DeriveColumnsTest, RejectsUnknownFieldInStoredEntry) {
  json entry = Stored(ValidOpd(), 1);
  entry["extra"] = true;
  ExpectDataLoss(entry);
}

TEST(DeriveColumnsTest, RejectsNonObject) { ExpectDataLoss(json::array()); }

// ---- Checks against the ledger. ----

// An in-memory ledger: appends validated bodies and answers LedgerView's questions.
class FakeLedger : public LedgerView {
 public:
  FakeLedger() { Append(ValidGenesis()); }

  std::int64_t Append(const json& body) {
    const auto seq = static_cast<std::int64_t>(entries_.size());
    const json stored = Stored(body, seq);
    Result<EntryColumns> columns = DeriveColumns(stored);
    EXPECT_TRUE(columns.has_value()) << columns.error().ToString();
    entries_.push_back(*columns);
    return seq;
  }

  Result<std::optional<std::int64_t>> SeqOfBankRef(std::string_view bank_ref) override {
    if (fail_) return Error{Code::kUnavailable, "storage unavailable", {}};
    for (const EntryColumns& columns : entries_) {
      if (!columns.bank_ref.empty() && columns.bank_ref == bank_ref) {
        return std::optional<std::int64_t>(columns.seq);
      }
    }
    return std::optional<std::int64_t>();
  }
  Result<std::optional<EntryColumns>> Columns(std::int64_t seq) override {
    if (fail_) return Error{Code::kUnavailable, "storage unavailable", {}};
    if (seq < 0 || seq >= static_cast<std::int64_t>(entries_.size())) {
      return std::optional<EntryColumns>();
    }
    return std::optional<EntryColumns>(entries_[static_cast<std::size_t>(seq)]);
  }
  Result<std::optional<std::int64_t>> ReversalOf(std::int64_t seq) override {
    if (fail_) return Error{Code::kUnavailable, "storage unavailable", {}};
    for (const EntryColumns& columns : entries_) {
      if (columns.reverses == seq) return std::optional<std::int64_t>(columns.seq);
    }
    return std::optional<std::int64_t>();
  }
  Result<bool> OpdRegistered(std::string_view code) override {
    if (fail_) return Error{Code::kUnavailable, "storage unavailable", {}};
    for (const EntryColumns& columns : entries_) {
      if (columns.kind == "opd" && columns.opd == code) return true;
    }
    return false;
  }

  Result<Refunded> RefundsOf(std::int64_t seq) override {
    if (fail_) return Error{Code::kUnavailable, "storage unavailable", {}};
    Refunded refunded;
    for (const EntryColumns& columns : entries_) {
      if (columns.refunds != seq) continue;
      refunded.amount_sen += columns.amount_sen.value_or(0);
      if (!refunded.first_seq) refunded.first_seq = columns.seq;
    }
    return refunded;
  }

  // Bank statements are checked against a ledger in bank_statement_test.cc.
  Result<std::vector<StatementPeriod>> StatementsOfAccount(std::string_view) override {
    return std::vector<StatementPeriod>();
  }

  void set_fail(bool fail) { fail_ = fail; }

 private:
  std::vector<EntryColumns> entries_;
  bool fail_ = false;
};

Result<void> Check(const json& body, FakeLedger& ledger) {
  Result<json> validated = ValidateBody(body);
  EXPECT_TRUE(validated.has_value()) << validated.error().ToString();
  return CheckAgainstLedger(*validated, ledger);
}

// A ledger with genesis (0), two OPDs (1, 2) and an expenditure withholding PPN and PPh22 (3).
class CheckAgainstLedgerTest : public testing::Test {
 protected:
  CheckAgainstLedgerTest() {
    ledger_.Append(ValidOpd());
    json other = ValidOpd();
    other["code"] = kOtherOpd;
    other["name"] = "Dinas Pendidikan";
    ledger_.Append(other);
    expenditure_seq_ = ledger_.Append(ValidExpenditure());
  }

  FakeLedger ledger_;
  std::int64_t expenditure_seq_ = 0;
};

TEST_F(CheckAgainstLedgerTest, AcceptsExpenditureWithNewBankRef) {
  json body = ValidExpenditure();
  body["bank_ref"] = "CMS20260317000124";
  EXPECT_TRUE(Check(body, ledger_).has_value());
}

TEST_F(CheckAgainstLedgerTest, AcceptsCashExpenditureWithoutBankRef) {
  EXPECT_TRUE(Check(ValidCashExpenditure(), ledger_).has_value());
}

TEST_F(CheckAgainstLedgerTest, RejectsBankRefAlreadyRecorded) {
  Result<void> result = Check(ValidExpenditure(), ledger_);
  ExpectFieldError(result, "bank_ref", Code::kConflict);
  EXPECT_NE(result.error().message.find("entry 3"), std::string::npos) << result.error().message;
}

TEST_F(CheckAgainstLedgerTest, RejectsExpenditureOfUnregisteredOpd) {
  json body = ValidExpenditure();
  body["opd"] = "1.02.0.00.0.00.09.0000";
  body["bank_ref"] = "CMS-NEW";
  Result<void> result = Check(body, ledger_);
  ExpectFieldError(result, "opd");
  EXPECT_NE(result.error().ToString().find("not registered"), std::string::npos);
}

TEST_F(CheckAgainstLedgerTest, RejectsBudgetOfUnregisteredOpd) {
  EXPECT_TRUE(Check(ValidBudget(), ledger_).has_value());
  json body = ValidBudget();
  body["opd"] = "1.02.0.00.0.00.09.0000";
  ExpectFieldError(Check(body, ledger_), "opd");
}

TEST_F(CheckAgainstLedgerTest, RejectsOpdRegisteredTwice) {
  ExpectFieldError(Check(ValidOpd(), ledger_), "code", Code::kConflict);
  json body = ValidOpd();
  body["code"] = "1.02.0.00.0.00.03.0000";
  EXPECT_TRUE(Check(body, ledger_).has_value());
}

TEST_F(CheckAgainstLedgerTest, AcceptsReversalOfUnreversedExpenditure) {
  json body = ValidReversal();
  body["reverses"] = expenditure_seq_;
  EXPECT_TRUE(Check(body, ledger_).has_value());
}

TEST_F(CheckAgainstLedgerTest, RejectsReversalOfMissingEntry) {
  json body = ValidReversal();
  body["reverses"] = 99;
  ExpectFieldError(Check(body, ledger_), "reverses", Code::kNotFound);
}

TEST_F(CheckAgainstLedgerTest, RejectsReversalOfNonExpenditure) {
  json body = ValidReversal();
  body["reverses"] = 1;  // The OPD entry.
  ExpectFieldError(Check(body, ledger_), "reverses");
}

TEST_F(CheckAgainstLedgerTest, RejectsSecondReversal) {
  json body = ValidReversal();
  body["reverses"] = expenditure_seq_;
  const std::int64_t reversal_seq = ledger_.Append(body);
  Result<void> result = Check(body, ledger_);
  ExpectFieldError(result, "reverses", Code::kConflict);
  EXPECT_NE(result.error().message.find("entry " + std::to_string(reversal_seq)),
            std::string::npos)
      << result.error().message;
}

TEST_F(CheckAgainstLedgerTest, AcceptsTaxDepositCoveringWithheldTax) {
  json body = ValidTaxDeposit();
  body["covers"] = {expenditure_seq_};
  EXPECT_TRUE(Check(body, ledger_).has_value());
  body["tax_type"] = "PPh22";
  EXPECT_TRUE(Check(body, ledger_).has_value());
}

TEST_F(CheckAgainstLedgerTest, RejectsTaxDepositOfUnregisteredOpd) {
  json body = ValidTaxDeposit();
  body["opd"] = "1.02.0.00.0.00.09.0000";
  ExpectFieldError(Check(body, ledger_), "opd");
}

TEST_F(CheckAgainstLedgerTest, RejectsTaxDepositCoveringMissingEntry) {
  json body = ValidTaxDeposit();
  body["covers"] = {expenditure_seq_, 99};
  ExpectFieldError(Check(body, ledger_), "covers[1]");
}

TEST_F(CheckAgainstLedgerTest, RejectsTaxDepositCoveringNonExpenditure) {
  json body = ValidTaxDeposit();
  body["covers"] = {1};
  ExpectFieldError(Check(body, ledger_), "covers[0]");
}

TEST_F(CheckAgainstLedgerTest, RejectsTaxDepositCoveringAnotherOpd) {
  json other = ValidExpenditure();
  other["opd"] = kOtherOpd;
  other["bank_ref"] = "CMS-OTHER";
  const std::int64_t seq = ledger_.Append(other);
  json body = ValidTaxDeposit();
  body["covers"] = {seq};
  ExpectFieldError(Check(body, ledger_), "covers[0]");
}

TEST_F(CheckAgainstLedgerTest, RejectsTaxDepositCoveringAnotherFiscalYear) {
  json body = ValidTaxDeposit();
  body["fiscal_year"] = 2025;
  body["covers"] = {expenditure_seq_};
  ExpectFieldError(Check(body, ledger_), "covers[0]");
}

TEST_F(CheckAgainstLedgerTest, RejectsTaxDepositOfTaxNotWithheld) {
  json body = ValidTaxDeposit();
  body["tax_type"] = "PPh23";
  body["covers"] = {expenditure_seq_};
  ExpectFieldError(Check(body, ledger_), "covers[0]");
}

TEST_F(CheckAgainstLedgerTest, RejectsTaxDepositCoveringReversedExpenditure) {
  json reversal = ValidReversal();
  reversal["reverses"] = expenditure_seq_;
  ledger_.Append(reversal);
  json body = ValidTaxDeposit();
  body["covers"] = {expenditure_seq_};
  ExpectFieldError(Check(body, ledger_), "covers[0]");
}

TEST_F(CheckAgainstLedgerTest, ReportsEveryBadCover) {
  json body = ValidTaxDeposit();
  body["covers"] = {1, expenditure_seq_, 99};
  Result<void> result = Check(body, ledger_);
  ExpectFieldError(result, "covers[0]");
  ExpectFieldError(result, "covers[2]");
  EXPECT_EQ(result.error().fields.size(), 2u);
}

TEST_F(CheckAgainstLedgerTest, PassesOnStorageErrors) {
  ledger_.set_fail(true);
  Result<void> result = Check(ValidExpenditure(), ledger_);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Code::kUnavailable);
}

// ---- Sums over input never abort (a tax sum past int64 once hit a CHECK). ----

TEST(ValidateBodyTest, RejectsTaxesWhoseSumPassesInt64) {
  json body = ValidExpenditure();
  body["gross"] = "9999999999999999.99";
  body["taxes"] = json::array();
  for (int i = 0; i < 10; ++i) body["taxes"].push_back({{"type", "PPh23"}, {"amount", "9999999999999999.99"}});
  body["net"] = "0";
  ExpectBodyRejected(body, "taxes");
}

TEST(ValidateBodyTest, RejectsSixteenMaximalTaxes) {
  json body = ValidExpenditure();
  body["taxes"] = json::array();
  for (std::size_t i = 0; i < kTaxesMax; ++i) {
    body["taxes"].push_back({{"type", "PPN"}, {"amount", "9999999999999999.99"}});
  }
  ExpectBodyRejected(body, "taxes");
}

TEST(ValidateBodyTest, RejectsTaxesAboveTheLargestAmountEvenWithoutOverflow) {
  json body = ValidExpenditure();
  body["gross"] = "9999999999999999.99";
  body["taxes"] = {{{"type", "PPN"}, {"amount", "9999999999999999.99"}},
                   {{"type", "PPh22"}, {"amount", "1"}}};
  body["net"] = "0";
  ExpectBodyRejected(body, "taxes");
}

TEST(ValidateBodyTest, RejectsTaxesAboveGross) {
  json body = ValidExpenditure();
  body["gross"] = "100";
  body["taxes"] = {{{"type", "PPN"}, {"amount", "150"}}};
  body["net"] = "0";
  ExpectBodyRejected(body, "net");  // Net would be negative: it cannot equal gross - taxes.
}

TEST(ValidateBodyTest, RejectsMonthlyPlanWhoseSumPassesTheLargestAmount) {
  json body = ValidBudget();
  body["monthly_plan"] = json::array();
  for (int month = 0; month < 12; ++month) body["monthly_plan"].push_back("9999999999999999.99");
  ExpectBodyRejected(body, "monthly_plan");
}

TEST(ValidateBodyTest, ListsAtMostOneHundredErrorsWithBoundedFieldNames) {
  json body = ValidOpd();
  for (int i = 0; i < 500; ++i) body["unknown_" + std::to_string(i)] = 1;
  body[std::string(10000, 'k')] = 1;
  Result<json> entry = ValidateBody(body);
  ASSERT_FALSE(entry.has_value());
  EXPECT_LE(entry.error().fields.size(), 100u);
  for (const FieldError& error : entry.error().fields) EXPECT_LE(error.field.size(), 131u);
}

// ---- A budget's effective date (the DPA/DPPA/Perkada date). ----

TEST(ValidateBodyTest, AcceptsABudgetWithAnEffectiveDateAndStoresItAsItsDate) {
  json body = ValidBudget();
  body["effective_date"] = "2026-01-02";
  Result<json> entry = ValidateBody(body);
  ASSERT_TRUE(entry.has_value()) << entry.error().ToString();
  const json stamped = StampEntry(*entry, Stamp{5, "2026-03-01T00:00:00.000Z", "admin"});
  Result<EntryColumns> columns = DeriveColumns(*ParseStrict(Canonicalize(stamped)));
  ASSERT_TRUE(columns.has_value()) << columns.error().ToString();
  EXPECT_EQ(columns->value_date, "2026-01-02");
  // Without one, the column stays empty: the recording date counts, as before.
  Result<json> plain = ValidateBody(ValidBudget());
  ASSERT_TRUE(plain.has_value());
  Result<EntryColumns> plain_columns = DeriveColumns(
      *ParseStrict(Canonicalize(StampEntry(*plain, Stamp{6, "2026-03-01T00:00:00.000Z", "admin"}))));
  ASSERT_TRUE(plain_columns.has_value());
  EXPECT_EQ(plain_columns->value_date, "");
}

TEST(ValidateBodyTest, RejectsABadOrLateEffectiveDate) {
  json body = ValidBudget();
  body["effective_date"] = "2026-02-30";
  ExpectBodyRejected(body, "effective_date");
  body["effective_date"] = "2027-01-01";  // After fiscal year 2026.
  ExpectBodyRejected(body, "effective_date");
  body["effective_date"] = 20260101;
  ExpectBodyRejected(body, "effective_date");
}

// ---- Refunds (pengembalian belanja). ----

json ValidRefund(std::int64_t refunds, const std::string& amount = "2500000") {
  return {{"kind", "refund"},          {"refunds", refunds}, {"value_date", "2026-04-10"},
          {"amount", amount},          {"sts_no", "STS/0042/DINKES/2026"},
          {"reason", "Kelebihan bayar dikembalikan ke kas daerah"}};
}

TEST(ValidateBodyTest, AcceptsValidRefundAndNormalisesMoney) {
  Result<json> valid = ValidateBody(ValidRefund(3));
  ASSERT_TRUE(valid.has_value()) << valid.error().ToString();
  EXPECT_EQ((*valid)["amount"], "2500000.00");
}

TEST(ValidateBodyTest, RejectsBadRefundFields) {
  for (const char* field : {"refunds", "value_date", "amount", "sts_no", "reason"}) {
    json body = ValidRefund(3);
    body.erase(field);
    ExpectBodyRejected(body, field);
  }
  json body = ValidRefund(3);
  body["amount"] = "0";
  ExpectBodyRejected(body, "amount");
  body = ValidRefund(3);
  body["value_date"] = "2026-02-30";
  ExpectBodyRejected(body, "value_date");
  body = ValidRefund(3);
  body["value_date"] = "2101-01-01";  // Its year would be its fiscal year.
  ExpectBodyRejected(body, "value_date");
  body = ValidRefund(3);
  body["sts_no"] = std::string(65, '7');
  ExpectBodyRejected(body, "sts_no");
  body = ValidRefund(3);
  body["sts_no"] = "STS\n42";
  ExpectBodyRejected(body, "sts_no");
  body = ValidRefund(0);
  ExpectBodyRejected(body, "refunds");
  body = ValidRefund(3);
  body["opd"] = kOpd;  // A refund's OPD is its original's.
  ExpectBodyRejected(body, "opd");
}

TEST(DeriveColumnsTest, RefundColumnsComeFromItsBytes) {
  Result<json> valid = ValidateBody(ValidRefund(3));
  ASSERT_TRUE(valid.has_value());
  json stored = StampEntry(*valid, Stamp{9, "2027-01-05T08:00:00.000Z", "bendahara.dinkes"});
  stored["value_date"] = "2027-01-05";
  Result<EntryColumns> columns = DeriveColumns(stored);
  ASSERT_TRUE(columns.has_value()) << columns.error().ToString();
  EXPECT_EQ(columns->kind, "refund");
  EXPECT_EQ(columns->refunds, 3);
  EXPECT_EQ(columns->fiscal_year, 2027);  // The year the cash came back.
  EXPECT_EQ(columns->value_date, "2027-01-05");
  EXPECT_EQ(columns->amount_sen, 250000000);
  EXPECT_TRUE(columns->opd.empty());
  EXPECT_FALSE(columns->reverses.has_value());
  // Every other kind has no refunds column.
  Result<json> expenditure = ValidateBody(ValidExpenditure());
  ASSERT_TRUE(expenditure.has_value());
  Result<EntryColumns> other =
      DeriveColumns(StampEntry(*expenditure, Stamp{3, "2026-03-17T08:00:00.000Z", "b"}));
  ASSERT_TRUE(other.has_value());
  EXPECT_FALSE(other->refunds.has_value());
}

TEST_F(CheckAgainstLedgerTest, AcceptsRefundsUpToTheGross) {
  // Gross 12,500,000: 10,000,000 then 2,500,000 are refundable, one sen more is not.
  EXPECT_TRUE(Check(ValidRefund(expenditure_seq_, "10000000"), ledger_).has_value());
  ledger_.Append(ValidRefund(expenditure_seq_, "10000000"));
  Result<void> over = Check(ValidRefund(expenditure_seq_, "2500000.01"), ledger_);
  ExpectFieldError(over, "amount", Code::kOutOfRange);
  EXPECT_NE(over.error().ToString().find("2500000.00"), std::string::npos)
      << over.error().ToString();
  EXPECT_TRUE(Check(ValidRefund(expenditure_seq_, "2500000"), ledger_).has_value());
}

TEST_F(CheckAgainstLedgerTest, RejectsRefundOfWhatIsNotAnUnreversedExpenditure) {
  ExpectFieldError(Check(ValidRefund(99), ledger_), "refunds", Code::kNotFound);
  ExpectFieldError(Check(ValidRefund(1), ledger_), "refunds", Code::kOutOfRange);  // An opd entry.
  json reversal = ValidReversal();
  reversal["reverses"] = expenditure_seq_;
  ledger_.Append(reversal);
  ExpectFieldError(Check(ValidRefund(expenditure_seq_), ledger_), "refunds", Code::kConflict);
}

TEST_F(CheckAgainstLedgerTest, RejectsRefundDatedBeforeThePayment) {
  json body = ValidRefund(expenditure_seq_);
  body["value_date"] = "2026-03-16";  // Paid on 17 March.
  ExpectFieldError(Check(body, ledger_), "value_date", Code::kOutOfRange);
  body["value_date"] = "2026-03-17";
  EXPECT_TRUE(Check(body, ledger_).has_value());
  body["value_date"] = "2027-02-01";  // A closed year's payment: other revenue, allowed.
  EXPECT_TRUE(Check(body, ledger_).has_value());
}

TEST_F(CheckAgainstLedgerTest, RejectsReversalOfARefundedExpenditure) {
  ledger_.Append(ValidRefund(expenditure_seq_));
  json reversal = ValidReversal();
  reversal["reverses"] = expenditure_seq_;
  Result<void> result = Check(reversal, ledger_);
  ExpectFieldError(result, "reverses", Code::kConflict);
  EXPECT_NE(result.error().message.find("refund"), std::string::npos) << result.error().message;
}

TEST_F(CheckAgainstLedgerTest, RefundCheckReportsStorageFailure) {
  ledger_.set_fail(true);
  Result<void> result = Check(ValidRefund(expenditure_seq_), ledger_);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Code::kUnavailable);
}

}  // namespace
}  // namespace jejak::ledger
