// The demo's bank statements (cli/demo_bank.h) on their own: deterministic, every statement
// adding up line by line and never below zero, balances chaining month to month but for the
// planted break and the planted missing month, every paid entry of the year on the account
// that paid it (by its reference, or without one on about one treasurer line in eight),
// reversed and cash payments on none, and one plant for each bank rule.
#include "cli/demo_bank.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "cli/demo_generator.h"
#include "ledger/bank_statement.h"
#include "ledger/money.h"

namespace jejak::cli {
namespace {

constexpr std::int64_t kYear = 2025;

std::int64_t Sen(const nlohmann::json& money) { return ledger::ParseMoneySen(money.get<std::string>()).value(); }

// At the smallest plan too, where the plants fall back to other months and OPDs.
TEST(DemoBankTest, IsDeterministic) {
  const DemoPlan plan = GenerateDemo(kYear, kDemoExpendituresMin, 1);
  const DemoBank a = GenerateDemoStatements(plan, 1);
  const DemoBank b = GenerateDemoStatements(plan, 1);
  ASSERT_EQ(a.statements.size(), b.statements.size());
  for (std::size_t i = 0; i < a.statements.size(); ++i) {
    const ledger::ParsedStatement& x = a.statements[i].parsed;
    const ledger::ParsedStatement& y = b.statements[i].parsed;
    EXPECT_EQ(a.statements[i].file_name, b.statements[i].file_name);
    EXPECT_EQ(x.opening_sen, y.opening_sen);
    EXPECT_EQ(x.closing_sen, y.closing_sen);
    ASSERT_EQ(x.lines.size(), y.lines.size());
    for (std::size_t k = 0; k < x.lines.size(); ++k) {
      EXPECT_EQ(x.lines[k].amount_sen, y.lines[k].amount_sen);
      EXPECT_EQ(x.lines[k].bank_ref, y.lines[k].bank_ref);
      EXPECT_EQ(x.lines[k].value_date, y.lines[k].value_date);
    }
  }
  ASSERT_EQ(a.planted.size(), b.planted.size());
  for (std::size_t i = 0; i < a.planted.size(); ++i) EXPECT_EQ(a.planted[i].line, b.planted[i].line);
}

TEST(DemoBankTest, StatementsAddUpChainAndCarryEveryPayment) {
  const DemoPlan plan = GenerateDemo(kYear, 3000, 1);
  const DemoBank bank = GenerateDemoStatements(plan, 1);

  // One plant per rule, two STATEMENT_GAPs (a missing month, a broken balance).
  std::map<std::string, std::vector<const DemoBankPlant*>> plants;
  for (const DemoBankPlant& p : bank.planted) plants[p.rule].push_back(&p);
  EXPECT_EQ(plants["BANK_DEBIT_WITHOUT_ENTRY"].size(), 1u);
  EXPECT_EQ(plants["ENTRY_WITHOUT_BANK_DEBIT"].size(), 1u);
  EXPECT_EQ(plants["AMOUNT_MISMATCH"].size(), 1u);
  EXPECT_EQ(plants["STATEMENT_GAP"].size(), 2u);
  EXPECT_EQ(plants["CASH_WITHDRAWAL"].size(), 1u);
  EXPECT_EQ(plants.size(), 5u);
  const DemoBankPlant& missing = *plants["STATEMENT_GAP"][0];
  const DemoBankPlant& broken = *plants["STATEMENT_GAP"][1];

  // The RKUD and 39 treasurers, twelve months each, less the missing one.
  std::map<std::string, std::vector<const DemoStatement*>> by_account;
  // By reference: debits and credits apart (a top-up is both, on two accounts).
  std::map<std::string, const ledger::BankLine*> by_ref, credit_refs;
  std::size_t lines = 0, no_ref = 0, treasurer_debits = 0, withdrawals = 0;
  for (const DemoStatement& s : bank.statements) {
    const ledger::ParsedStatement& p = s.parsed;
    by_account[p.account_no].push_back(&s);
    EXPECT_EQ(p.period_start.substr(0, 8), p.period_end.substr(0, 8));
    EXPECT_EQ(p.currency, "IDR");
    EXPECT_EQ(s.format, s.account_role == ledger::kAccountRoleRkud ? "camt053" : s.format);
    EXPECT_TRUE(s.format == "camt053" || s.format == "mt940" || s.format == "csv") << s.format;
    std::int64_t balance = p.opening_sen;
    EXPECT_GE(balance, 0);
    for (const ledger::BankLine& line : p.lines) {
      ++lines;
      EXPECT_GE(line.date, p.period_start);
      EXPECT_LE(line.date, p.period_end);
      EXPECT_GE(line.value_date, line.date);
      EXPECT_GT(line.amount_sen, 0);
      balance += line.debit ? -line.amount_sen : line.amount_sen;
      ASSERT_GE(balance, 0) << s.file_name << " line " << line.index;
      if (s.format == "csv") {
        ASSERT_TRUE(line.balance_sen.has_value());
        EXPECT_EQ(*line.balance_sen, balance);
      }
      if (!line.bank_ref.empty()) {
        auto& refs = line.debit ? by_ref : credit_refs;
        EXPECT_FALSE(refs.contains(line.bank_ref)) << line.bank_ref;
        refs[line.bank_ref] = &line;
      }
      if (s.account_role == ledger::kAccountRoleTreasurer && line.debit && line.type == "transfer") {
        ++treasurer_debits;
        if (line.bank_ref.empty()) ++no_ref;
      }
      if (line.type == "cash_withdrawal") ++withdrawals;
    }
    EXPECT_EQ(balance, p.closing_sen) << s.file_name;
  }
  EXPECT_EQ(lines, bank.lines);
  EXPECT_EQ(by_account.size(), 40u);
  EXPECT_EQ(bank.statements.size(), 40u * 12 - 1);
  EXPECT_EQ(withdrawals, 1u);
  // About one in eight treasurer payments goes by amount, date and payee account.
  EXPECT_GT(no_ref * 16, treasurer_debits) << no_ref << " of " << treasurer_debits;
  EXPECT_LT(no_ref * 5, treasurer_debits) << no_ref << " of " << treasurer_debits;

  // The chain: consecutive months, each opening at the previous closing, but the plants.
  for (const auto& [account, statements] : by_account) {
    for (std::size_t i = 1; i < statements.size(); ++i) {
      const ledger::ParsedStatement& previous = statements[i - 1]->parsed;
      const ledger::ParsedStatement& next = statements[i]->parsed;
      const std::string month = next.period_start.substr(0, 7);
      const bool gap = account == missing.account_no && month == missing.month;
      const bool jump = account == broken.account_no && month == broken.month;
      EXPECT_EQ(previous.period_start.substr(0, 7) == missing.previous_month && gap, gap) << account << " " << month;
      if (!gap) {
        EXPECT_EQ(std::stoi(month.substr(5)), std::stoi(previous.period_start.substr(5, 2)) + 1) << account;
      }
      if (jump) {
        EXPECT_EQ(next.opening_sen - previous.closing_sen, broken.amount_sen) << account;
      } else if (!gap) {
        EXPECT_EQ(next.opening_sen, previous.closing_sen) << account << " " << month;
      }
    }
  }

  // Every payment of the year on a line with its reference (or on none: the unpaid plant,
  // the no-reference lines, reversed and cash payments, and next January's deposits).
  std::set<std::int64_t> reversed;
  std::int64_t seq = 1;
  for (const DemoBatch& batch : plan.batches) {
    for (const auto& [sub, body] : batch.entries) {
      if (body["kind"] == "reversal") reversed.insert(body["reverses"].get<std::int64_t>());
    }
  }
  // The treasurer whose statement of one month is missing: its lines of that month are on none.
  const std::string missing_opd = by_account.at(missing.account_no).front()->opd;
  const int gap_month = std::stoi(missing.previous_month.substr(5)) + 1;
  const auto in_gap = [&](const nlohmann::json& body, const std::string& date) {
    return body["opd"] == missing_opd && std::stoi(date.substr(5, 2)) == gap_month &&
           body.value("mechanism", "") != "LS" && body.value("instrument", "") != "sp2d_ls";
  };
  std::size_t carried = 0, without = 0;
  for (const DemoBatch& batch : plan.batches) {
    for (const auto& [sub, body] : batch.entries) {
      const std::int64_t at = seq++;
      const std::string kind = body["kind"].get<std::string>();
      if (kind == "expenditure") {
        const std::string ref = body.value("bank_ref", "");
        const bool paid = !reversed.contains(at) && body["instrument"] != "cash";
        const auto it = by_ref.find(ref);
        if (in_gap(body, body["value_date"].get<std::string>())) continue;
        if (!paid || ref.empty()) {
          EXPECT_TRUE(ref.empty() || it == by_ref.end()) << "seq " << at << " moved no money: " << ref;
          continue;
        }
        if (at == plants["ENTRY_WITHOUT_BANK_DEBIT"][0]->entry_seq) {
          EXPECT_TRUE(it == by_ref.end()) << "the unpaid plant is on a statement";
          continue;
        }
        if (it == by_ref.end()) {
          ++without;
          continue;
        }
        ++carried;
        const std::int64_t amount = at == plants["AMOUNT_MISMATCH"][0]->entry_seq ? Sen(body["gross"]) : Sen(body["net"]);
        EXPECT_EQ(it->second->amount_sen, amount) << "seq " << at;
        EXPECT_TRUE(it->second->debit);
        EXPECT_EQ(it->second->value_date, body["value_date"].get<std::string>());
      } else if (kind == "tax_deposit") {
        const std::string date = body["deposit_date"].get<std::string>();
        if (in_gap(body, date)) continue;
        const auto it = by_ref.find(body["ntpn"].get<std::string>());
        EXPECT_EQ(it != by_ref.end(), date.substr(0, 4) == std::to_string(kYear)) << "deposit seq " << at;
        if (it != by_ref.end()) {
          EXPECT_EQ(it->second->amount_sen, Sen(body["amount"]));
        }
      } else if (kind == "refund") {
        const auto it = credit_refs.find(body["sts_no"].get<std::string>());
        ASSERT_TRUE(it != credit_refs.end()) << "refund seq " << at;
        EXPECT_FALSE(it->second->debit);
        EXPECT_EQ(it->second->amount_sen, Sen(body["amount"]));
      }
    }
  }
  EXPECT_GT(carried, 2000u);
  EXPECT_EQ(without, no_ref);
}

}  // namespace
}  // namespace jejak::cli
