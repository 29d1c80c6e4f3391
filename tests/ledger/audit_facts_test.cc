// Tests for ledger::ExpenditureTextsOf (ledger/audit_facts.h): the scanner reads what a JSON
// parser reads from the canonical bytes of entries (escapes, non-ASCII, nulls, members in
// any place and depth), and refuses bytes that are not an object or members of the wrong
// type.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "ledger/audit_facts.h"
#include "ledger/canonical.h"

namespace jejak::ledger {
namespace {

using nlohmann::json;

// The texts a full parse of `entry` gives.
ExpenditureTexts Parsed(const json& entry) {
  ExpenditureTexts texts;
  const auto text = [](const json& object, const char* key) {
    if (!object.is_object() || !object.contains(key) || object[key].is_null()) return std::string();
    return object[key].get<std::string>();
  };
  const json payee = entry.value("payee", json::object());
  texts.payee_name = text(payee, "name");
  if (payee.is_object() && payee.contains("pkp") && payee["pkp"].is_boolean()) texts.payee_pkp = payee["pkp"].get<bool>();
  const json procurement = entry.value("procurement", json::object());
  texts.procurement_method = text(procurement, "method");
  texts.procurement_type = text(procurement, "type");
  texts.contract_no = text(procurement, "contract_no");
  return texts;
}

TEST(ExpenditureTextsTest, ReadsWhatAParserReadsFromCanonicalBytes) {
  const json entries[] = {
      {{"kind", "expenditure"},
       {"gross", "1.00"},
       {"payee", {{"name", "Toko \"Sehat\" \\ Séntosa\n\t\u0001 ☃ 𝄞"}, {"pkp", true}, {"npwp", "0123"}}},
       {"procurement", {{"method", "PL"}, {"type", "konstruksi"}, {"contract_no", "SPK/01/2025"},
                        {"contract_value", "300.00"}}},
       {"taxes", json::array({{{"type", "PPN"}, {"amount", "1.00"}}})},
       {"documents", {{"evidence_no", "} ] { [ \" ,"}}}},
      {{"kind", "expenditure"}, {"payee", {{"name", "Warung"}, {"pkp", false}}}},
      {{"kind", "expenditure"}, {"payee", {{"name", "Tanpa PKP"}}}, {"seq", 12}, {"zz", {{"payee", 1}}}},
      {{"kind", "expenditure"}, {"payee", nullptr}, {"procurement", {{"method", nullptr}}}},
      {{"kind", "expenditure"}},
  };
  for (const json& entry : entries) {
    SCOPED_TRACE(entry.dump());
    Result<ExpenditureTexts> canonical = ExpenditureTextsOf(Canonicalize(entry));
    ASSERT_TRUE(canonical.has_value()) << canonical.error().message;
    EXPECT_EQ(*canonical, Parsed(entry));
    // Whitespace and escapes a canonical form would not use read the same.
    Result<ExpenditureTexts> pretty = ExpenditureTextsOf(entry.dump(2, ' ', true));
    ASSERT_TRUE(pretty.has_value()) << pretty.error().message;
    EXPECT_EQ(*pretty, Parsed(entry));
  }
  Result<ExpenditureTexts> surrogate = ExpenditureTextsOf(R"({"payee":{"name":"\ud834\udd1e \u00e9\/"}})");
  ASSERT_TRUE(surrogate.has_value());
  EXPECT_EQ(surrogate->payee_name, "𝄞 é/");
}

TEST(ExpenditureTextsTest, RefusesWhatIsNoObjectOrHasMembersOfTheWrongType) {
  for (const char* bad : {"", "[]", "{", "{\"payee\":{\"name\":\"x\"}", "{\"payee\":{\"name\":12}}",
                          "{\"payee\":{\"pkp\":\"true\"}}", "{\"payee\":[]}", "{\"procurement\":{\"type\":true}}",
                          "{\"payee\":{\"name\":\"\\x\"}}", "{\"payee\":{\"name\":\"\\udd1e\"}}",
                          "{\"a\":1} {}", "{\"a\":[1,2}"}) {
    SCOPED_TRACE(bad);
    Result<ExpenditureTexts> texts = ExpenditureTextsOf(bad);
    ASSERT_FALSE(texts.has_value());
    EXPECT_EQ(texts.error().code, Code::kDataLoss);
  }
}

}  // namespace
}  // namespace jejak::ledger
