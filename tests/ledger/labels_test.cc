// Tests for ledger/labels.h: every code the ledger uses has an Indonesian label (so that no
// workpaper column or screen shows a bare code), no group lists a code twice, and an
// unknown code falls back to itself.
#include "ledger/labels.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/absorption.h"
#include "ledger/audit.h"
#include "ledger/entry.h"
#include "ledger/workpapers.h"

namespace jejak::ledger {
namespace {

std::vector<std::string> Codes(std::string_view key) {
  for (const LabelGroup& group : LabelGroups()) {
    if (group.key != key) continue;
    std::vector<std::string> codes;
    for (const CodeLabel& label : group.labels) codes.emplace_back(label.code);
    return codes;
  }
  ADD_FAILURE() << "no group " << key;
  return {};
}

template <typename Codes>
std::vector<std::string> Strings(const Codes& codes) {
  return std::vector<std::string>(std::begin(codes), std::end(codes));
}

TEST(LabelsTest, EveryGroupLabelsExactlyTheLedgersCodes) {
  EXPECT_EQ(Codes("rules"), Strings(kAuditRuleIds));
  EXPECT_EQ(Codes("instruments"), Strings(kInstruments));
  EXPECT_EQ(Codes("account_groups"), Strings(kAccountGroups));
  EXPECT_EQ(Codes("tax_types"), Strings(kWorkpaperTaxTypes));
  EXPECT_EQ(Codes("mechanisms"), (std::vector<std::string>{"UP", "GU", "TU", "LS"}));
  EXPECT_EQ(Codes("severities"), (std::vector<std::string>{"high", "medium", "low"}));
  std::vector<std::string> kinds;
  for (Kind kind : {Kind::kGenesis, Kind::kOpd, Kind::kBudget, Kind::kExpenditure, Kind::kReversal,
                    Kind::kTaxDeposit, Kind::kRefund, Kind::kBankStatement}) {
    kinds.emplace_back(KindName(kind));
  }
  EXPECT_EQ(Codes("kinds"), kinds);
}

TEST(LabelsTest, GroupsAreTheDocumentedOnesAndEveryLabelIsPresentAndDistinct) {
  std::vector<std::string> keys;
  for (const LabelGroup& group : LabelGroups()) {
    keys.emplace_back(group.key);
    std::set<std::string_view> codes, labels;
    for (const CodeLabel& label : group.labels) {
      EXPECT_TRUE(codes.insert(label.code).second) << group.key << " " << label.code;
      EXPECT_TRUE(labels.insert(label.label).second) << group.key << " " << label.label;
      EXPECT_FALSE(label.label.empty()) << group.key << " " << label.code;
      EXPECT_NE(label.label, label.code) << group.key;  // A label, not the code again.
    }
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"rules", "instruments", "mechanisms", "account_groups",
                                            "tax_types", "kinds", "severities"}));
}

TEST(LabelsTest, LookupsAndFallback) {
  EXPECT_EQ(RuleLabel("CASH_PAYMENT"), "Pembayaran tunai");
  EXPECT_EQ(InstrumentLabel("cash"), "Tunai");
  EXPECT_EQ(MechanismLabel("LS"), "Pembayaran Langsung");
  EXPECT_EQ(AccountGroupLabel("modal"), "Belanja Modal");
  EXPECT_EQ(TaxTypeLabel("PPh4(2)"), "PPh Pasal 4 ayat (2)");
  EXPECT_EQ(KindLabel("refund"), "Pengembalian belanja");
  EXPECT_EQ(SeverityLabel("high"), "Tinggi");
  EXPECT_EQ(LabelOf("tax_types", "PPh23"), "PPh Pasal 23");
  EXPECT_EQ(LabelOf("instruments", "giro"), "giro");  // Unknown code: itself.
  EXPECT_EQ(LabelOf("colours", "red"), "red");        // Unknown group: the code.
}

}  // namespace
}  // namespace jejak::ledger
