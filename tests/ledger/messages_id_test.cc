// Tests of ledger/messages_id.h: the catalog's matching and filling, Accept-Language
// preferences with q-values, and the completeness check: a corpus of bad entries of every
// kind (each member removed, retyped or given bad values; checks against a fake ledger
// in every refusing state; bad money strings) goes through validation, and every message
// that comes out must have an Indonesian template. A new English message without one
// fails here.
#include "ledger/messages_id.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ledger/entry.h"
#include "ledger/import_mapping.h"
#include "ledger/money.h"

namespace jejak::ledger {
namespace {

using nlohmann::json;

constexpr char kOpd[] = "1.02.0.00.0.00.01.0000";

json Expenditure() {
  return {{"kind", "expenditure"}, {"fiscal_year", 2026}, {"opd", kOpd},
          {"sub_activity", "1.02.01.2.02.0001"}, {"account", "5.1.02.01.01.0024"},
          {"mechanism", "LS"}, {"instrument", "cms_transfer"}, {"value_date", "2026-03-17"},
          {"gross", "12500000"}, {"taxes", {{{"type", "PPN"}, {"amount", "1250000"}}}},
          {"net", "11250000"},
          {"payee", {{"name", "CV Maju"}, {"npwp", "012345678901000"}, {"pkp", true},
                     {"bank", "Bank Bengkulu"}, {"account_no", "001"}, {"account_name", "CV"}}},
          {"bank_ref", "CMS1"},
          {"documents", {{"spp", "1"}, {"spm", "2"}, {"sp2d", "3"}, {"evidence_no", "4"},
                         {"evidence_date", "2026-03-10"}}},
          {"procurement", {{"method", "PL"}, {"type", "barang"}, {"contract_no", "5"},
                           {"contract_value", "12500000"}}},
          {"description", "Belanja"}};
}

json Statement() {
  return {{"kind", "bank_statement"}, {"bank", "BPD Bengkulu"}, {"account_no", "0012-01.000123"},
          {"account_role", "bendahara_pengeluaran"}, {"opd", kOpd}, {"statement_no", "7"},
          {"period_start", "2026-03-01"}, {"period_end", "2026-03-31"}, {"currency", "IDR"},
          {"opening_balance", "1000"}, {"closing_balance", "900"}, {"format", "mt940"},
          {"file_sha256", std::string(64, 'a')},
          {"lines", {{{"date", "2026-03-02"}, {"value_date", "2026-03-02"}, {"direction", "debit"},
                      {"amount", "150"}, {"bank_ref", "CMS1"}, {"counter_account", "001"},
                      {"counter_name", "CV Maju"}, {"description", "Bayar"}, {"type", "transfer"},
                      {"source_line", 4}, {"balance", "850"}},
                     {{"date", "2026-03-03"}, {"value_date", "2026-03-03"}, {"direction", "credit"},
                      {"amount", "50"}, {"type", "interest"}}}}};
}

std::vector<json> ValidBodies() {
  json plan = json::array();
  for (int month = 0; month < 12; ++month) plan.push_back("100");
  json cash = Expenditure();
  cash["instrument"] = "cash";
  cash["cash_reason"] = "Desa";
  return {
      Expenditure(),
      cash,
      {{"kind", "opd"}, {"code", kOpd}, {"name", "Dinas Kesehatan"}},
      {{"kind", "budget"}, {"fiscal_year", 2026}, {"opd", kOpd},
       {"sub_activity", "1.02.01.2.02.0001"}, {"account", "5.1.02.01.01.0024"},
       {"pagu", "1200"}, {"stage", "murni"}, {"monthly_plan", plan},
       {"effective_date", "2026-01-01"}, {"note", "APBD"}},
      {{"kind", "reversal"}, {"reverses", 7}, {"reason", "Salah"}},
      {{"kind", "tax_deposit"}, {"fiscal_year", 2026}, {"opd", kOpd}, {"tax_type", "PPN"},
       {"amount", "1250000"}, {"billing_code", "123456789012345"},
       {"ntpn", "0A1B2C3D4E5F6G7H"}, {"deposit_date", "2026-03-20"}, {"covers", {3}}},
      {{"kind", "refund"}, {"refunds", 3}, {"value_date", "2026-04-10"}, {"amount", "25"},
       {"sts_no", "STS/1"}, {"reason", "Kelebihan"}},
      Statement(),
  };
}

// Values that break every kind of member in some way.
std::vector<json> BadValues() {
  return {json(), json(42), json(-1), json(1.5), json(true), json(""), json("x"),
          json(std::string(5000, 'a')), json("a\x01" "b"), json::array(), json::object(),
          json::array({1, 2}), json("-5"), json("007"), json("1.234"), json("12."),
          json(".5"), json("12345678901234567"), json("9999999999999999.99"),
          json("2026-02-30"), json("1.2.3"), json(std::vector<std::string>(13, "1")),
          json(std::vector<std::string>(12, "9999999999999999")),
          json::array({json::object({{"type", "PPN"}, {"amount", "9999999999999999"}}),
                       json::object({{"type", "PPh21"}, {"amount", "9999999999999999"}})}),
          json::array({json("x")}), json::array({json::object({{"kind", 1}})}),
          json(std::int64_t{1} << 62)};
}

// Every leaf path of `body` ("payee/name").
void Paths(const json& value, const json::json_pointer& at, std::vector<json::json_pointer>& out) {
  out.push_back(at);
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) Paths(member, at / key, out);
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) Paths(value[i], at / i, out);
  }
}

std::vector<json> Corpus() {
  std::vector<json> corpus;
  for (const json& valid : ValidBodies()) {
    std::vector<json::json_pointer> paths;
    Paths(valid, json::json_pointer(), paths);
    for (const json::json_pointer& path : paths) {
      if (path.empty()) continue;
      json removed = valid;
      if (removed[path.parent_pointer()].is_object()) {
        removed[path.parent_pointer()].erase(path.back());
        corpus.push_back(removed);
      }
      for (const json& bad : BadValues()) {
        json changed = valid;
        changed[path] = bad;
        corpus.push_back(changed);
      }
    }
    json unknown = valid;
    unknown["extra"] = 1;
    unknown["seq"] = 3;
    corpus.push_back(unknown);
  }
  corpus.push_back(json::array());
  corpus.push_back({{"kind", "nonsense"}});
  json overtaxed = Expenditure();
  overtaxed["taxes"][0]["amount"] = "99999999";
  corpus.push_back(overtaxed);
  json wrong_net = Expenditure();
  wrong_net["net"] = "1";
  corpus.push_back(wrong_net);
  json late_budget = ValidBodies()[3];
  late_budget["effective_date"] = "2027-01-01";
  corpus.push_back(late_budget);
  json refund_year = ValidBodies()[6];
  refund_year["value_date"] = "2101-01-01";
  corpus.push_back(refund_year);
  json unbalanced = Statement();
  unbalanced["closing_balance"] = "1";
  unbalanced["lines"][0]["balance"] = "1";
  corpus.push_back(unbalanced);
  json overflowing = Statement();
  overflowing["opening_balance"] = "9999999999999999.99";
  overflowing["lines"][1]["amount"] = "9999999999999999.99";
  corpus.push_back(overflowing);
  json rkud_with_opd = Statement();
  rkud_with_opd["account_role"] = "rkud";
  corpus.push_back(rkud_with_opd);
  for (const auto& [start, end] : {std::pair<const char*, const char*>{"2026-04-01", "2026-03-31"},
                                   {"2026-03-01", "2027-01-31"}, {"2026-03-05", "2026-03-31"},
                                   {"2026-03-01", "2026-03-02"}, {"2026-03-12", "2026-03-31"}}) {
    json period = Statement();
    period["period_start"] = start;
    period["period_end"] = end;
    corpus.push_back(period);
  }
  return corpus;
}

// A ledger view whose answers are fixed by the test, to reach every refusal.
class FixedView : public LedgerView {
 public:
  std::optional<std::int64_t> bank_ref_seq;
  std::optional<EntryColumns> columns;
  std::optional<std::int64_t> reversal;
  bool registered = true;
  Refunded refunded;
  std::vector<StatementPeriod> statements;

  Result<std::optional<std::int64_t>> SeqOfBankRef(std::string_view) override { return bank_ref_seq; }
  Result<std::optional<EntryColumns>> Columns(std::int64_t) override { return columns; }
  Result<std::optional<std::int64_t>> ReversalOf(std::int64_t) override { return reversal; }
  Result<bool> OpdRegistered(std::string_view) override { return registered; }
  Result<Refunded> RefundsOf(std::int64_t) override { return refunded; }
  Result<std::vector<StatementPeriod>> StatementsOfAccount(std::string_view) override {
    return statements;
  }
};

void Collect(const Error& error, std::set<std::string>& messages) {
  messages.insert(error.message);
  for (const FieldError& field : error.fields) messages.insert(field.message);
}

std::set<std::string> LedgerMessages() {
  std::set<std::string> messages;
  EntryColumns expenditure;
  expenditure.seq = 3;
  expenditure.kind = "expenditure";
  expenditure.opd = "1.02.0.00.0.00.02.0000";
  expenditure.fiscal_year = 2025;
  expenditure.value_date = "2026-05-01";
  expenditure.amount_sen = 100;
  expenditure.tax_type = "PPh22";
  EntryColumns budget = expenditure;
  budget.kind = "budget";
  const std::vector<json> bodies = ValidBodies();
  const StatementPeriod march{5, "BPD Bengkulu", "bendahara_pengeluaran", kOpd, "2026-03-10",
                              "2026-04-10"};
  const StatementPeriod april{6, "BPD Bengkulu", "bendahara_pengeluaran", kOpd, "2026-04-01",
                              "2026-04-30"};
  StatementPeriod other_bank = april, other_role = april, other_opd = april;
  other_bank.bank = "Bank Mandiri";
  other_role.account_role = "rkud";
  other_role.opd = "";
  other_opd.opd = "1.02.0.00.0.00.02.0000";
  for (int state = 0; state < 10; ++state) {
    FixedView view;
    view.bank_ref_seq = state == 0 ? std::optional<std::int64_t>(9) : std::nullopt;
    view.registered = state != 1;
    view.columns = state == 2 ? std::nullopt : std::optional<EntryColumns>(state == 3 ? budget : expenditure);
    view.reversal = state == 4 ? std::optional<std::int64_t>(11) : std::nullopt;
    if (state == 5) view.refunded = {90, 12};
    if (state == 6) view.statements = {march};
    if (state == 7) view.statements = {other_bank};
    if (state == 8) view.statements = {other_role};
    if (state == 9) view.statements = {other_opd};
    for (const json& body : bodies) {
      Result<json> valid = ValidateBody(body);
      if (!valid) continue;
      Result<void> checked = CheckAgainstLedger(*valid, view);
      if (!checked) Collect(checked.error(), messages);
    }
  }
  return messages;
}

TEST(MessagesIdTest, EveryValidationMessageHasATranslation) {
  std::set<std::string> messages;
  for (const json& body : Corpus()) {
    Result<json> valid = ValidateBody(body);
    if (!valid) Collect(valid.error(), messages);
  }
  for (const char* money : {"", "-1", "+1", "1,5", "01", ".5", "5.", "1.234", "12345678901234567"}) {
    Result<std::int64_t> sen = ParseMoneySen(money);
    ASSERT_FALSE(sen.has_value()) << money;
    Collect(sen.error(), messages);
  }
  for (const std::string& message : LedgerMessages()) messages.insert(message);
  ASSERT_GT(messages.size(), 40u);  // The corpus reaches most of the checks.
  std::vector<std::string> missing;
  for (const std::string& message : messages) {
    if (!TranslateToIndonesian(message)) missing.push_back(message);
  }
  EXPECT_TRUE(missing.empty()) << "no Indonesian for: " << json(missing).dump(1);
}

TEST(MessagesIdTest, FillsPlaceholders) {
  EXPECT_EQ(Indonesian("must be one of UP, GU, TU, LS"), "harus salah satu dari UP, GU, TU, LS");
  EXPECT_EQ(Indonesian("must be at most 256 bytes"), "paling banyak 256 byte");
  EXPECT_EQ(Indonesian("must be at most 12"), "paling banyak 12");
  EXPECT_EQ(Indonesian("bank_ref CMS-1 is already recorded in entry 12"),
            "bank_ref CMS-1 sudah tercatat pada entri 12");
  EXPECT_EQ(Indonesian("must be in [2000, 2100]"), "harus di antara 2000 dan 2100");
  EXPECT_EQ(Indonesian("required"), "wajib diisi");
  EXPECT_EQ(Indonesian("Bad Request"), "Permintaan Tidak Valid");
  // Unknown text stays as it is; a template must match the whole message.
  EXPECT_EQ(Indonesian("something new"), "something new");
  EXPECT_FALSE(TranslateToIndonesian("required!"));
  EXPECT_FALSE(TranslateToIndonesian("must be one of "));  // A placeholder is never empty.
}

TEST(MessagesIdTest, AcceptLanguagePreference) {
  EXPECT_TRUE(PrefersIndonesian("id"));
  EXPECT_TRUE(PrefersIndonesian("id-ID"));
  EXPECT_TRUE(PrefersIndonesian("ID-id,en;q=0.5"));
  EXPECT_TRUE(PrefersIndonesian("en;q=0.5, id;q=0.9"));
  EXPECT_TRUE(PrefersIndonesian("en-US;q=0.1,id"));
  EXPECT_FALSE(PrefersIndonesian(""));
  EXPECT_FALSE(PrefersIndonesian("en"));
  EXPECT_FALSE(PrefersIndonesian("en, id"));  // Equal q: the first listed wins.
  EXPECT_FALSE(PrefersIndonesian("id;q=0, en"));
  EXPECT_FALSE(PrefersIndonesian("id;q=0.5, en;q=0.8"));
  EXPECT_FALSE(PrefersIndonesian("idx"));
  EXPECT_FALSE(PrefersIndonesian("*"));
  EXPECT_FALSE(PrefersIndonesian("id;q=2"));  // Malformed q: the range is ignored.
  EXPECT_FALSE(PrefersIndonesian("id;q=abc"));
  EXPECT_TRUE(PrefersIndonesian("en;q=0.3, id;q=0.300, fr;q=0.31, id-ID;q=1.000"));
}

}  // namespace
}  // namespace jejak::ledger
