// Tests for the optional expenditure fields the audit rules read (ledger/entry.h):
// payee.pkp (a boolean) and procurement.type (barang, jasa_lainnya, konsultansi,
// konstruksi). Both stay optional, so existing ledgers validate as before.
#include "ledger/entry.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

namespace jejak::ledger {
namespace {

nlohmann::json Expenditure() {
  return nlohmann::json::parse(R"({"kind": "expenditure", "fiscal_year": 2026,
    "opd": "1.02.0.00.0.00.01.0000", "sub_activity": "1.02.02.2.01.0014",
    "account": "5.1.02.01.01.0024", "mechanism": "GU", "instrument": "cms_transfer",
    "value_date": "2026-02-03", "gross": "12500000.00", "taxes": [], "net": "12500000.00",
    "payee": {"name": "CV Sinar Rejang", "npwp": "012345678901000", "bank": "Bank Bengkulu",
              "account_no": "0012034567", "account_name": "CV SINAR REJANG"},
    "documents": {"evidence_no": "KW-0117", "evidence_date": "2026-02-02"},
    "description": "Belanja alat tulis kantor", "bank_ref": "CMS20260203-000117",
    "procurement": {"method": "PL", "contract_no": "027/SPK/2026", "contract_value": "12500000"}})");
}

std::string FirstErrorField(const nlohmann::json& body) {
  Result<nlohmann::json> valid = ValidateBody(body);
  if (valid.has_value() || valid.error().fields.empty()) return "";
  return valid.error().fields.front().field;
}

TEST(EntryFieldsTest, WithoutTheNewFieldsStillValid) {
  EXPECT_TRUE(ValidateBody(Expenditure()).has_value());
}

TEST(EntryFieldsTest, PayeePkpIsABoolean) {
  nlohmann::json body = Expenditure();
  body["payee"]["pkp"] = true;
  Result<nlohmann::json> valid = ValidateBody(body);
  ASSERT_TRUE(valid.has_value()) << valid.error().ToString();
  EXPECT_EQ((*valid)["payee"]["pkp"], true);
  body["payee"]["pkp"] = false;
  EXPECT_TRUE(ValidateBody(body).has_value());
  body["payee"]["pkp"] = "ya";
  EXPECT_EQ(FirstErrorField(body), "payee.pkp");
  body["payee"]["pkp"] = 1;
  EXPECT_EQ(FirstErrorField(body), "payee.pkp");
}

TEST(EntryFieldsTest, ProcurementTypeIsOneOfFour) {
  nlohmann::json body = Expenditure();
  for (const char* type : {"barang", "jasa_lainnya", "konsultansi", "konstruksi"}) {
    body["procurement"]["type"] = type;
    EXPECT_TRUE(ValidateBody(body).has_value()) << type;
  }
  body["procurement"]["type"] = "tanah";
  EXPECT_EQ(FirstErrorField(body), "procurement.type");
  body["procurement"]["type"] = 3;
  EXPECT_EQ(FirstErrorField(body), "procurement.type");
}

}  // namespace
}  // namespace jejak::ledger
