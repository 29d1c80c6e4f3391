// Tests for reports pinned to a tree size (db::Store::AuditInputs with tree_size): entries
// of every kind appended after the pinned size change nothing in the audit input, the
// findings or their ids, and the region and OPD names come from the covered entries.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unistd.h>
#include <vector>

#include "crypto/ed25519.h"
#include "db/store.h"
#include "ledger/audit.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "tests/db/db_test_util.h"

namespace jejak::db {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kOrigin = "jejak.test/kabupaten-pinned";
constexpr const char* kDinkes = "1.02.0.00.0.00.01.0000";
constexpr const char* kPupr = "1.03.0.00.0.00.01.0000";
constexpr const char* kSub = "1.02.02.2.01.0014";
constexpr const char* kAccount = "5.1.02.01.01.0024";

using test_support::Body;

ledger::NoteSigner TestSigner() { return test_support::SeededSigner(kOrigin, 23); }

json Spend(const char* opd, const std::string& value_date, const std::string& gross, const std::string& ref,
           const char* instrument = "cms_transfer") {
  json body = {{"kind", "expenditure"},
               {"fiscal_year", 2026},
               {"opd", opd},
               {"sub_activity", kSub},
               {"account", kAccount},
               {"mechanism", "GU"},
               {"instrument", instrument},
               {"value_date", value_date},
               {"gross", gross},
               {"taxes", json::array()},
               {"net", gross},
               {"payee", {{"name", "Toko " + ref}}},
               {"documents", {{"evidence_no", ref}, {"evidence_date", value_date}}},
               {"description", "Belanja " + ref}};
  if (std::string(instrument) == "cash") {
    body["cash_reason"] = "Penyedia tidak memiliki rekening bank";
  } else {
    body["payee"]["bank"] = "BRI";
    body["payee"]["account_no"] = "00" + ref;
    body["payee"]["account_name"] = "Toko " + ref;
    body["bank_ref"] = "REF-" + ref;
  }
  return body;
}

json Budget(const char* opd, const std::string& pagu, const std::string& stage) {
  return {{"kind", "budget"}, {"fiscal_year", 2026}, {"opd", opd},   {"sub_activity", kSub},
          {"account", kAccount}, {"pagu", pagu},     {"stage", stage}};
}

// Every fact of an AuditInput, as text, so that two inputs compare whole.
std::string Describe(const ledger::AuditInput& input) {
  std::string out = "year " + std::to_string(input.fiscal_year) + " as_of " + input.as_of + " region " +
                    input.region + "\n";
  for (const auto& [code, name] : input.opd_names) out += "opd " + code + " " + name + "\n";
  for (const ledger::ExpenditureFacts& e : input.expenditures) {
    out += "exp " + std::to_string(e.seq) + " " + e.opd + " " + e.value_date + " " + std::to_string(e.gross_sen) +
           " reversed " + (e.reversed_by ? std::to_string(*e.reversed_by) : std::string("-")) + "\n";
  }
  for (const ledger::TaxDepositFacts& d : input.tax_deposits) {
    out += "dep " + std::to_string(d.seq) + " " + std::to_string(d.amount_sen) + "\n";
  }
  for (const ledger::BudgetFacts& b : input.budgets) {
    out += "budget " + std::to_string(b.seq) + " " + b.opd + " " + std::to_string(b.pagu_sen) + "\n";
  }
  return out;
}

class PinnedReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_support::FreshTestDirectory("jejak-pinned-test");
    store_ = test_support::OpenTestStore(dir_ / "ledger.db", TestSigner());
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  std::int64_t Record(json body, const std::string& at, const std::string& by = "bendahara") {
    Result<BatchReceipt> receipt = store_->Append({PendingEntry{Body(std::move(body)), by}}, at);
    EXPECT_TRUE(receipt.has_value()) << receipt.error().ToString();
    return receipt ? receipt->entries.at(0).seq : -1;
  }

  // Two OPDs; Dinkes over its pagu with a duplicate pair, a cash payment in PUPR, a late
  // recording, and tax withheld but never deposited.
  void BuildRegency() {
    Record(test_support::GenesisBody("pinned-test", kOrigin, TestSigner(),
                                     "Pemerintah Kabupaten Pinned"),
           "2026-01-02T01:00:00.000Z", "jejak-init");
    Record(test_support::OpdBody(kDinkes, "Dinas Kesehatan"), "2026-01-02T02:00:00.000Z", "admin");
    Record(test_support::OpdBody(kPupr, "Dinas PUPR"), "2026-01-02T02:00:01.000Z", "admin");
    Record(Budget(kDinkes, "10000000", "murni"), "2026-01-05T01:00:00.000Z", "admin");
    Record(Budget(kPupr, "50000000", "murni"), "2026-01-05T01:00:01.000Z", "admin");
    duplicate_ = Record(Spend(kDinkes, "2026-02-03", "6000000", "A1"), "2026-02-03T03:00:00.000Z");
    json twin = Spend(kDinkes, "2026-02-10", "6000000", "A2");
    twin["payee"] = Spend(kDinkes, "2026-02-03", "6000000", "A1")["payee"];
    Record(twin, "2026-02-10T03:00:00.000Z");
    json taxed = Spend(kPupr, "2026-03-02", "3000000", "C1");
    taxed["taxes"] = {{{"type", "PPh23"}, {"amount", "60000"}}};
    taxed["net"] = "2940000";
    taxed_ = Record(taxed, "2026-03-02T03:00:00.000Z");
    Record(Spend(kPupr, "2026-03-05", "1500000", "C2", "cash"), "2026-03-05T03:00:00.000Z");
    Record(Spend(kPupr, "2026-03-06", "2000000", "C3"), "2026-05-20T03:00:00.000Z");  // Recorded late.
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  std::int64_t duplicate_ = -1;
  std::int64_t taxed_ = -1;
};

TEST_F(PinnedReportTest, AuditInputsAtATreeSizeIgnoreEveryLaterEntry) {
  BuildRegency();
  Result<std::uint64_t> size = store_->TreeSize();
  ASSERT_TRUE(size.has_value());
  Result<ledger::AuditInput> before = store_->AuditInputs(2026, "2026-12-31", *size);
  ASSERT_TRUE(before.has_value()) << before.error().ToString();
  EXPECT_EQ(before->region, "Pemerintah Kabupaten Pinned");
  EXPECT_EQ(before->opd_names, (std::map<std::string, std::string>{{kDinkes, "Dinas Kesehatan"},
                                                                   {kPupr, "Dinas PUPR"}}));
  const std::vector<ledger::Finding> findings_before = ledger::RunAuditRules(*before, ledger::AuditRules{});
  ASSERT_FALSE(findings_before.empty());
  std::set<std::string> ids_before;
  for (const ledger::Finding& finding : findings_before) {
    EXPECT_EQ(finding.id.size(), 2 * ledger::kFindingIdBytes);
    EXPECT_EQ(finding.opd_name, before->opd_names.at(finding.opd));
    ids_before.insert(finding.id);
  }
  EXPECT_EQ(ids_before.size(), findings_before.size());  // Distinct within the report.

  // Later, entries of every kind: a reversal of a counted payment, a budget in force
  // before as_of (a backfilled DPA), a new OPD, a payment dated inside the year and a tax
  // deposit of a pinned payment's tax.
  Record({{"kind", "reversal"}, {"reverses", duplicate_}, {"reason", "Salah input"}}, "2026-06-01T03:00:00.000Z");
  json backfilled = Budget(kDinkes, "100000000", "pergeseran");
  backfilled["effective_date"] = "2026-01-06";
  Record(backfilled, "2026-06-01T03:00:01.000Z", "admin");
  Record({{"kind", "opd"}, {"code", "1.04.0.00.0.00.01.0000"}, {"name", "Dinas Sosial"}}, "2026-06-01T03:00:02.000Z",
         "admin");
  Record(Spend(kDinkes, "2026-02-20", "700000", "A3"), "2026-06-01T03:00:03.000Z");
  Record({{"kind", "tax_deposit"}, {"fiscal_year", 2026}, {"opd", kPupr}, {"tax_type", "PPh23"},
          {"amount", "60000"}, {"billing_code", "012345678901234"}, {"ntpn", "NTPN000000000001"},
          {"deposit_date", "2026-04-10"}, {"covers", {taxed_}}},
         "2026-06-01T03:00:04.000Z");

  Result<ledger::AuditInput> after = store_->AuditInputs(2026, "2026-12-31", *size);
  ASSERT_TRUE(after.has_value()) << after.error().ToString();
  EXPECT_EQ(Describe(*after), Describe(*before));
  const std::vector<ledger::Finding> findings_after = ledger::RunAuditRules(*after, ledger::AuditRules{});
  ASSERT_EQ(findings_after.size(), findings_before.size());
  for (std::size_t i = 0; i < findings_after.size(); ++i) {
    EXPECT_EQ(findings_after[i].id, findings_before[i].id);
    EXPECT_EQ(findings_after[i].seqs, findings_before[i].seqs);
    EXPECT_EQ(findings_after[i].kondisi, findings_before[i].kondisi);
  }
  // The whole-year read (the workpapers') is pinned the same way.
  Result<ledger::AuditInput> year_before = store_->AuditInputs(2026, "2026-01-31", *size, true);
  ASSERT_TRUE(year_before.has_value());
  EXPECT_EQ(year_before->expenditures.size(), before->expenditures.size());

  // Unpinned, the same read sees every later entry, and a finding whose seqs changed gets
  // another id.
  Result<ledger::AuditInput> newest = store_->AuditInputs(2026, "2026-12-31");
  ASSERT_TRUE(newest.has_value());
  EXPECT_NE(Describe(*newest), Describe(*before));
  EXPECT_EQ(newest->expenditures.size(), before->expenditures.size() + 1);
  EXPECT_EQ(newest->tax_deposits.size(), before->tax_deposits.size() + 1);
  EXPECT_EQ(newest->opd_names.size(), 3u);
  EXPECT_TRUE(newest->expenditures.front().reversed_by.has_value());
  EXPECT_FALSE(before->expenditures.front().reversed_by.has_value());
  std::set<std::string> ids_newest;
  for (const ledger::Finding& f : ledger::RunAuditRules(*newest, ledger::AuditRules{})) ids_newest.insert(f.id);
  EXPECT_NE(ids_newest, ids_before);
}

}  // namespace
}  // namespace jejak::db
