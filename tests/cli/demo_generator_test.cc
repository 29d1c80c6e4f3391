// The demo regency generator: determinism, every body valid, the whole plan appended into
// a real SQLite store that verifies, with its bank statements (cli/demo_bank.h) written in
// their formats, read back by the parsers and appended after the year, every audit rule
// firing on its planted anomaly (OVER_PAGU and the bank rules nowhere else), a handful of
// refunds lowering realisation in their own months, and at the default size a realistic
// absorption.
#include "cli/demo_generator.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/demo_bank.h"
#include "cli/demo_statements.h"
#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "db/store.h"
#include "ledger/absorption.h"
#include "ledger/audit.h"
#include "ledger/bank_parse.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/money.h"
#include "ledger/note.h"
#include "server/camt053_reader.h"

namespace jejak::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kYear = 2025;
constexpr const char* kOrigin = "jejak.test/kabupaten-demo";
constexpr std::int64_t kTrillionSen = 1'000'000'000'000LL * 100;

// The rules that read bank statements.
constexpr std::string_view kBankRules[] = {
    ledger::kRuleBankDebitWithoutEntry, ledger::kRuleEntryWithoutBankDebit,
    ledger::kRuleAmountMismatch, ledger::kRuleStatementGap, ledger::kRuleCashWithdrawal};

bool IsBankRule(std::string_view rule) {
  return std::find(std::begin(kBankRules), std::end(kBankRules), rule) != std::end(kBankRules);
}

ledger::NoteSigner TestSigner() {
  std::array<std::uint8_t, 32> seed{};
  seed[0] = 11;
  return ledger::MakeSigner(kOrigin, crypto::KeyFromSeed(seed));
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Checks that need no store: shapes, limits, times, counts.
void CheckPlanShape(const DemoPlan& plan, std::size_t expenditures) {
  std::size_t count = 0;
  std::string previous;
  const std::string limit = std::to_string(kYear + 1) + "-01-31";
  for (const DemoBatch& batch : plan.batches) {
    EXPECT_GT(batch.recorded_at, previous);
    EXPECT_LT(batch.recorded_at, limit);
    EXPECT_EQ(batch.recorded_at.size(), 24u) << batch.recorded_at;
    previous = batch.recorded_at;
    ASSERT_FALSE(batch.entries.empty());
    ASSERT_LE(batch.entries.size(), kDemoBatchEntriesMax);
    for (const auto& [sub, body] : batch.entries) {
      EXPECT_FALSE(sub.empty());
      Result<nlohmann::json> valid = ledger::ValidateBody(body);
      ASSERT_TRUE(valid.has_value()) << valid.error().ToString() << "\n" << body.dump();
      if (body["kind"] == "expenditure") ++count;
    }
  }
  EXPECT_EQ(count, expenditures);
  EXPECT_GE(plan.opd_names.size(), 30u);
  EXPECT_GE(plan.planted.size(), 8u);
}

// The plan's refunds, checked against the payments they return: each by the officer who
// recorded the payment, of an unreversed payment of the year, some weeks later in the
// year, partial, with an STS number of the OPD; at most one per payment.
struct PlanRefunds {
  std::size_t count = 0;
  std::int64_t amount_sen = 0;
  std::array<std::int64_t, 12> by_month_sen{};  // By the refund's own month.
};

PlanRefunds CheckRefunds(const DemoPlan& plan) {
  PlanRefunds out;
  struct Paid {
    std::string sub, opd, value_date;
    std::int64_t gross_sen = 0;
  };
  std::map<std::int64_t, Paid> paid;
  std::map<std::int64_t, int> reversed, refunded;
  std::int64_t seq = 1;
  for (const DemoBatch& batch : plan.batches) {
    for (const auto& [sub, body] : batch.entries) {
      const std::string kind = body["kind"].get<std::string>();
      if (kind == "expenditure") {
        paid[seq] = {sub, body["opd"].get<std::string>(), body["value_date"].get<std::string>(),
                     ledger::ParseMoneySen(body["gross"].get<std::string>()).value()};
      } else if (kind == "reversal") {
        ++reversed[body["reverses"].get<std::int64_t>()];
      } else if (kind == "refund") {
        const std::int64_t target = body["refunds"].get<std::int64_t>();
        EXPECT_TRUE(paid.contains(target)) << body.dump();
        const Paid& original = paid[target];
        EXPECT_EQ(sub, original.sub) << body.dump();
        EXPECT_EQ(++refunded[target], 1) << body.dump();
        const std::string date = body["value_date"].get<std::string>();
        EXPECT_GT(date, original.value_date) << body.dump();
        EXPECT_EQ(date.substr(0, 4), std::to_string(kYear)) << body.dump();
        EXPECT_LE(date, batch.recorded_at.substr(0, 10)) << body.dump();
        const std::int64_t amount = ledger::ParseMoneySen(body["amount"].get<std::string>()).value();
        EXPECT_GT(amount, 0);
        EXPECT_LT(amount * 2, original.gross_sen) << body.dump();
        const std::string sts = body["sts_no"].get<std::string>();
        EXPECT_EQ(sts.rfind("STS-", 0), 0u) << sts;
        EXPECT_NE(sts.find("/" + original.opd + "/" + std::to_string(kYear)), std::string::npos) << sts;
        EXPECT_FALSE(body["reason"].get<std::string>().empty());
        ++out.count;
        out.amount_sen += amount;
        out.by_month_sen[static_cast<std::size_t>(std::stoi(date.substr(5, 2)) - 1)] += amount;
      }
      ++seq;
    }
  }
  for (const auto& [target, n] : refunded) EXPECT_FALSE(reversed.contains(target)) << target;
  EXPECT_EQ(plan.refunds.size(), out.count);
  return out;
}

// The demo's bank statements, written as files in their formats (`files`, as
// WriteDemoStatements wrote them), read back by the statement parsers and appended as
// `bank_statement` entries after the year's. Answers each statement's seq by (account,
// month).
std::map<std::pair<std::string, std::string>, std::int64_t> AppendStatements(db::Store& store, const DemoBank& bank,
                                                                             const std::vector<std::string>& files,
                                                                             std::int64_t first_seq) {
  std::map<std::pair<std::string, std::string>, std::int64_t> seqs;
  std::int64_t seq = first_seq;
  for (std::size_t i = 0; i < bank.statements.size() && i < files.size(); ++i) {
    const DemoStatement& s = bank.statements[i];
    const std::string& text = files[i];
    Result<ledger::ParsedStatement> parsed =
        s.format == "camt053" ? server::ParseCamt053(text)
        : s.format == "mt940" ? ledger::ParseMt940(text)
                              : ledger::ParseStatementCsv(text, bank.csv_mapping,
                                                          {s.parsed.account_no, s.parsed.period_start,
                                                           s.parsed.period_end, s.parsed.opening_sen});
    EXPECT_TRUE(parsed.has_value()) << s.file_name << ": " << (parsed ? "" : parsed.error().ToString());
    if (!parsed) return seqs;
    const ledger::StatementMeta meta{s.bank, s.parsed.account_no, s.account_role, s.opd, s.format,
                                     crypto::ToHex(crypto::Sha256(text))};
    Result<nlohmann::json> body = ledger::StatementBody(*parsed, meta);
    Result<nlohmann::json> valid = body ? ledger::ValidateBody(*body) : Result<nlohmann::json>(body.error());
    EXPECT_TRUE(valid.has_value()) << s.file_name << ": " << (valid ? "" : valid.error().ToString());
    if (!valid) return seqs;
    char at[40];
    std::snprintf(at, sizeof at, "%lld-02-02T%02zu:%02zu:%02zu.000Z", static_cast<long long>(kYear + 1),
                  1 + i / 3600, i / 60 % 60, i % 60);
    std::vector<db::PendingEntry> pending = {
        {std::make_shared<const nlohmann::json>(std::move(valid).value()), "admin.bpkad", "", ""}};
    Result<db::BatchReceipt> appended = store.Append(pending, at);
    EXPECT_TRUE(appended.has_value()) << s.file_name << ": " << (appended ? "" : appended.error().ToString());
    if (!appended) return seqs;
    EXPECT_EQ(appended->entries.front().seq, seq);
    seqs[{s.parsed.account_no, s.parsed.period_start.substr(0, 7)}] = seq++;
  }
  return seqs;
}

struct Outcome {
  std::vector<ledger::Finding> findings;
  ledger::AbsorptionReport absorption;
  ledger::AbsorptionReport absorption_without_refunds;
  PlanRefunds refunds;
  std::map<std::string, std::size_t> kinds;
  double generate_seconds = 0;
  double append_seconds = 0;
  DemoBank bank;
  std::map<std::pair<std::string, std::string>, std::int64_t> statement_seqs;  // (account, "YYYY-MM").
  double statements_seconds = 0;  // Generated, written, parsed back and appended.
};

class DemoGeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("jejak-demo-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Generates, appends batch by batch after a genesis, verifies, and runs the audit rules
  // and the absorption summary over the result.
  Outcome Run(std::size_t expenditures) {
    Outcome outcome;
    auto start = std::chrono::steady_clock::now();
    const DemoPlan plan = GenerateDemo(kYear, expenditures, 1);
    outcome.generate_seconds = Seconds(start);
    CheckPlanShape(plan, expenditures);
    outcome.refunds = CheckRefunds(plan);

    Result<std::unique_ptr<db::Store>> opened =
        db::Store::Open({"sqlite:" + (dir_ / "ledger.db").string(), TestSigner(), ""});
    EXPECT_TRUE(opened.has_value()) << (opened ? "" : opened.error().ToString());
    if (!opened) return outcome;
    std::unique_ptr<db::Store> store = std::move(opened).value();
    nlohmann::json genesis = {{"kind", "genesis"},
                              {"ledger_id", "demo-test"},
                              {"origin", kOrigin},
                              {"region", "Pemerintah Kabupaten Rejang Lebong"},
                              {"checkpoint_key", ledger::FormatVerifierKey(ledger::VerifierOf(TestSigner()))}};
    Result<nlohmann::json> valid_genesis = ledger::ValidateGenesis(genesis);
    EXPECT_TRUE(valid_genesis.has_value());
    std::vector<db::PendingEntry> first = {
        {std::make_shared<const nlohmann::json>(std::move(valid_genesis).value()), "jejak-init", "", ""}};
    Result<db::BatchReceipt> receipt = store->Append(first, std::to_string(kYear) + "-01-01T00:00:00.000Z");
    EXPECT_TRUE(receipt.has_value()) << (receipt ? "" : receipt.error().ToString());

    start = std::chrono::steady_clock::now();
    std::int64_t next_seq = 1;
    for (const DemoBatch& batch : plan.batches) {
      std::vector<db::PendingEntry> pending;
      for (const auto& [sub, body] : batch.entries) {
        ++outcome.kinds[body["kind"].get<std::string>()];
        Result<nlohmann::json> valid = ledger::ValidateBody(body);
        pending.push_back({std::make_shared<const nlohmann::json>(std::move(valid).value()), sub, "", ""});
      }
      Result<db::BatchReceipt> appended = store->Append(pending, batch.recorded_at);
      EXPECT_TRUE(appended.has_value())
          << "batch at " << batch.recorded_at << ": " << (appended ? "" : appended.error().ToString());
      if (!appended) return outcome;
      EXPECT_EQ(appended.value().entries.front().seq, next_seq);
      next_seq += static_cast<std::int64_t>(pending.size());
    }
    outcome.append_seconds = Seconds(start);

    start = std::chrono::steady_clock::now();
    outcome.bank = GenerateDemoStatements(plan, 1);
    Result<std::vector<std::string>> files = WriteDemoStatements(outcome.bank, (dir_ / "bank-statements").string());
    EXPECT_TRUE(files.has_value()) << (files ? "" : files.error().ToString());
    if (files) outcome.statement_seqs = AppendStatements(*store, outcome.bank, *files, next_seq);
    outcome.statements_seconds = Seconds(start);
    EXPECT_EQ(outcome.statement_seqs.size(), outcome.bank.statements.size());

    Result<db::VerifyReport> report = store->Verify(ledger::VerifierOf(TestSigner()), std::nullopt);
    EXPECT_TRUE(report.has_value() && report.value().ok);

    Result<ledger::AuditInput> audit = store->AuditInputs(kYear, std::to_string(kYear + 1) + "-02-01");
    EXPECT_TRUE(audit.has_value());
    if (audit) outcome.findings = ledger::RunAuditRules(audit.value(), ledger::AuditRules{});
    Result<ledger::AbsorptionInput> inputs =
        store->AbsorptionInputs(kYear, std::to_string(kYear) + "-12-31", std::nullopt);
    EXPECT_TRUE(inputs.has_value());
    if (inputs) {
      Result<ledger::AbsorptionReport> absorption = ledger::ComputeAbsorption(inputs.value());
      EXPECT_TRUE(absorption.has_value());
      if (absorption) outcome.absorption = std::move(absorption).value();
      ledger::AbsorptionInput without = inputs.value();
      without.refunds.clear();
      Result<ledger::AbsorptionReport> plain = ledger::ComputeAbsorption(without);
      EXPECT_TRUE(plain.has_value());
      if (plain) outcome.absorption_without_refunds = std::move(plain).value();
    }

    std::printf("demo %zu: generated in %.2fs, appended in %.2fs (%lld entries in %zu batches); "
                "%zu bank statements of %zu lines generated, written, parsed and appended in %.2fs\n",
                expenditures, outcome.generate_seconds, outcome.append_seconds,
                static_cast<long long>(next_seq - 1), plan.batches.size(), outcome.bank.statements.size(),
                outcome.bank.lines, outcome.statements_seconds);
    for (const auto& [kind, n] : outcome.kinds) std::printf("  %s: %zu\n", kind.c_str(), n);
    const ledger::Absorption& total = outcome.absorption.total;
    std::printf("  pagu %s, realisation %s (%s%%)\n", ledger::FormatRupiah(total.pagu_sen).c_str(),
                ledger::FormatRupiah(total.realisation_sen).c_str(),
                ledger::FormatBasisPoints(total.percent_basis_points.value_or(0)).c_str());
    for (const auto& [group, amounts] : total.groups) {
      std::printf("  group %s: pagu %s, realisation %s\n", group.c_str(),
                  ledger::FormatRupiah(amounts.first).c_str(), ledger::FormatRupiah(amounts.second).c_str());
    }
    for (const auto& [instrument, amounts] : total.instruments) {
      std::printf("  %s: %lld payments, %s\n", instrument.c_str(), static_cast<long long>(amounts.entries),
                  ledger::FormatRupiah(amounts.amount_sen).c_str());
    }
    std::map<std::string, int> bands;
    for (const ledger::Absorption& opd : outcome.absorption.opds) {
      if (opd.band) ++bands[ledger::BandName(*opd.band)];
    }
    for (const auto& [band, n] : bands) std::printf("  band %s: %d OPDs\n", band.c_str(), n);
    for (const ledger::Finding& finding : outcome.findings) {
      std::printf("  finding %s %s %s seqs %zu first %lld\n", finding.rule.c_str(), finding.severity.c_str(),
                  finding.opd.c_str(), finding.seqs.size(),
                  static_cast<long long>(finding.seqs.empty() ? 0 : finding.seqs.front()));
    }
    for (const std::string& line : plan.planted) std::printf("  planted %s\n", line.c_str());
    for (const DemoBankPlant& plant : outcome.bank.planted) std::printf("  planted %s\n", plant.line.c_str());
    for (const std::string& line : plan.refunds) std::printf("  refund %s\n", line.c_str());
    return outcome;
  }

  // The refunds are in absorption as pengembalian belanja, none as pendapatan lain-lain,
  // and each lowers the cumulative realisation from its own month on.
  static void ExpectRefundsReported(const Outcome& outcome) {
    const ledger::Absorption& total = outcome.absorption.total;
    EXPECT_EQ(total.refunds, (ledger::Amounts{outcome.refunds.amount_sen,
                                              static_cast<std::int64_t>(outcome.refunds.count)}));
    EXPECT_EQ(total.other_revenue, ledger::Amounts{});
    const ledger::Absorption& plain = outcome.absorption_without_refunds.total;
    EXPECT_EQ(plain.realisation_sen - total.realisation_sen, outcome.refunds.amount_sen);
    std::int64_t cumulative = 0;
    for (std::size_t m = 0; m < 12; ++m) {
      cumulative += outcome.refunds.by_month_sen[m];
      ASSERT_TRUE(total.monthly_sen[m].has_value() && plain.monthly_sen[m].has_value());
      EXPECT_EQ(*plain.monthly_sen[m] - *total.monthly_sen[m], cumulative) << "month " << m + 1;
    }
  }

  // Every planted bank anomaly is found by its rule, with the statements and entry it
  // names, and there is no other bank finding: the year's other plants (duplicates,
  // reversals, cash payments, refunds, a deposit never made) leave the bank side clean.
  static void ExpectBankFindings(const Outcome& outcome) {
    std::vector<const ledger::Finding*> found;
    for (const ledger::Finding& finding : outcome.findings) {
      if (IsBankRule(finding.rule)) found.push_back(&finding);
    }
    std::vector<bool> used(found.size(), false);
    const auto statement = [&](const std::string& account, const std::string& month) -> std::int64_t {
      const auto it = outcome.statement_seqs.find({account, month});
      EXPECT_TRUE(it != outcome.statement_seqs.end()) << account << " " << month;
      return it == outcome.statement_seqs.end() ? 0 : it->second;
    };
    const auto expect = [&](const DemoBankPlant& plant, std::vector<std::int64_t> seqs, const char* severity,
                            std::int64_t amount) {
      std::sort(seqs.begin(), seqs.end());
      for (std::size_t i = 0; i < found.size(); ++i) {
        if (used[i] || found[i]->rule != plant.rule || found[i]->seqs != seqs || found[i]->severity != severity) continue;
        used[i] = true;
        EXPECT_EQ(found[i]->amount_sen, amount) << plant.line;
        return;
      }
      ADD_FAILURE() << "not found (" << severity << ", seqs " << seqs.front() << "...): " << plant.line;
    };
    std::size_t expected = 0;
    for (const DemoBankPlant& plant : outcome.bank.planted) {
      const std::int64_t seq = statement(plant.account_no, plant.month);
      if (plant.rule == ledger::kRuleEntryWithoutBankDebit || plant.rule == ledger::kRuleAmountMismatch) {
        expect(plant, {plant.entry_seq, seq}, "high", plant.amount_sen);
      } else if (plant.rule == ledger::kRuleStatementGap) {
        const std::vector<std::int64_t> pair = {statement(plant.account_no, plant.previous_month), seq};
        const bool missing = std::stoi(plant.month.substr(5)) - std::stoi(plant.previous_month.substr(5)) == 2;
        if (missing) {
          expect(plant, pair, "medium", 0);
          ++expected;
        }
        // A missing month's movements break the balance chain of the same pair too.
        if (!missing || plant.amount_sen != 0) {
          expect(plant, pair, "high", plant.amount_sen);
          ++expected;
        }
        continue;
      } else {
        expect(plant, {seq}, "high", plant.amount_sen);
      }
      ++expected;
    }
    for (std::size_t i = 0; i < found.size(); ++i) {
      EXPECT_TRUE(used[i]) << "unplanted " << found[i]->rule << " seqs " << found[i]->seqs.front() << ": "
                           << found[i]->kondisi;
    }
    EXPECT_EQ(found.size(), expected);
  }

  static std::map<std::string, std::vector<const ledger::Finding*>> ByRule(const Outcome& outcome) {
    std::map<std::string, std::vector<const ledger::Finding*>> rules;
    for (const ledger::Finding& finding : outcome.findings) rules[finding.rule].push_back(&finding);
    return rules;
  }

  fs::path dir_;
};

TEST(DemoGeneratorPlanTest, IsDeterministic) {
  const DemoPlan a = GenerateDemo(kYear, 2000, 1);
  const DemoPlan b = GenerateDemo(kYear, 2000, 1);
  ASSERT_EQ(a.batches.size(), b.batches.size());
  for (std::size_t i = 0; i < a.batches.size(); ++i) {
    EXPECT_EQ(a.batches[i].recorded_at, b.batches[i].recorded_at);
    ASSERT_EQ(a.batches[i].entries.size(), b.batches[i].entries.size());
    for (std::size_t k = 0; k < a.batches[i].entries.size(); ++k) {
      EXPECT_EQ(a.batches[i].entries[k].first, b.batches[i].entries[k].first);
      EXPECT_EQ(a.batches[i].entries[k].second.dump(), b.batches[i].entries[k].second.dump());
    }
  }
  EXPECT_EQ(a.planted, b.planted);
  EXPECT_EQ(a.opd_names, b.opd_names);
  CheckPlanShape(a, 2000);
}

TEST(DemoGeneratorPlanTest, SeqsStartAtFirstSeq) {
  const DemoPlan plan = GenerateDemo(kYear, 2000, 5);
  std::int64_t seq = 5;
  std::int64_t reversal_target_max = 0;
  for (const DemoBatch& batch : plan.batches) {
    for (const auto& entry : batch.entries) {
      if (entry.second["kind"] == "reversal") {
        EXPECT_LT(entry.second["reverses"].get<std::int64_t>(), seq);
        EXPECT_GE(entry.second["reverses"].get<std::int64_t>(), 5);
        reversal_target_max = std::max(reversal_target_max, entry.second["reverses"].get<std::int64_t>());
      }
      ++seq;
    }
  }
  EXPECT_GT(reversal_target_max, 0);
}

TEST_F(DemoGeneratorTest, SmallPlanAppendsVerifiesAndFiresEveryRule) {
  const Outcome outcome = Run(3000);
  const auto rules = ByRule(outcome);
  for (const char* rule : ledger::kAuditRuleIds) {
    EXPECT_GE(rules.count(rule) == 0 ? 0u : rules.at(rule).size(), 1u) << rule;
  }
  // Only the planted anomalies.
  ASSERT_EQ(rules.count(ledger::kRuleOverPagu), 1u);
  ASSERT_EQ(rules.at(ledger::kRuleOverPagu).size(), 1u);
  EXPECT_EQ(rules.at(ledger::kRuleOverPagu)[0]->opd, "1.05.0.00.0.00.01.0000");
  // One vendor in four packages, and six vendors on one road: exactly the planted seqs.
  ASSERT_EQ(rules.at(ledger::kRuleSplitPackage).size(), 2u);
  EXPECT_EQ(rules.at(ledger::kRuleSplitPackage)[0]->seqs.size(), 4u);
  EXPECT_EQ(rules.at(ledger::kRuleSplitPackage)[1]->seqs.size(), 6u);
  EXPECT_EQ(rules.at(ledger::kRuleDuplicatePayment).size(), 2u);
  EXPECT_EQ(rules.at(ledger::kRuleTaxNotDeposited).size(), 2u);
  EXPECT_EQ(rules.at(ledger::kRuleTaxNotCollected).size(), 1u);
  EXPECT_EQ(rules.at(ledger::kRulePaymentBeforeEvidence).size(), 1u);
  EXPECT_EQ(rules.at(ledger::kRuleOutsideFiscalYear).size(), 1u);
  EXPECT_EQ(rules.at(ledger::kRuleLateRecording).size(), 1u);
  EXPECT_EQ(rules.at(ledger::kRuleReversalHeavy).size(), 1u);
  std::size_t high_cash = 0;
  for (const ledger::Finding* finding : rules.at(ledger::kRuleCashPayment)) {
    if (finding->severity == "high") ++high_cash;
  }
  EXPECT_EQ(high_cash, 1u);

  // Pagu does not scale with the count: about Rp1.1 trillion.
  const std::int64_t pagu = outcome.absorption.total.pagu_sen;
  EXPECT_GT(pagu, 11 * kTrillionSen / 10 * 8 / 10);
  EXPECT_LT(pagu, 11 * kTrillionSen / 10 * 12 / 10);
  EXPECT_GT(outcome.kinds.at("reversal"), 0u);
  EXPECT_GT(outcome.kinds.at("tax_deposit"), 0u);
  // A handful of refunds, each in its own month's realisation, none a finding.
  EXPECT_GE(outcome.refunds.count, 4u);
  EXPECT_LE(outcome.refunds.count, 7u);
  EXPECT_EQ(outcome.kinds.at("refund"), outcome.refunds.count);
  ExpectRefundsReported(outcome);
  ExpectBankFindings(outcome);
}

// The default size: realisation about 85-95% of pagu, December the peak month.
TEST_F(DemoGeneratorTest, DefaultPlanIsRealistic) {
  const Outcome outcome = Run(kDemoExpendituresDefault);
  const ledger::Absorption& total = outcome.absorption.total;
  ASSERT_TRUE(total.percent_basis_points.has_value());
  EXPECT_GE(*total.percent_basis_points, 8500);
  EXPECT_LE(*total.percent_basis_points, 9500);
  std::int64_t previous = 0;
  std::int64_t peak = 0;
  std::size_t peak_month = 0;
  for (std::size_t m = 0; m < 12; ++m) {
    const std::int64_t cumulative = total.monthly_sen[m].value_or(previous);
    if (cumulative - previous > peak) {
      peak = cumulative - previous;
      peak_month = m;
    }
    previous = cumulative;
  }
  EXPECT_EQ(peak_month, 11u);
  const auto rules = ByRule(outcome);
  EXPECT_EQ(rules.size(), std::size(ledger::kAuditRuleIds));
  ExpectBankFindings(outcome);
  ASSERT_EQ(rules.count(ledger::kRuleOverPagu), 1u);
  EXPECT_EQ(rules.at(ledger::kRuleOverPagu).size(), 1u);
  EXPECT_EQ(rules.at(ledger::kRuleSplitPackage).size(), 2u);
  EXPECT_EQ(rules.at(ledger::kRuleTaxNotCollected).size(), 1u);
  EXPECT_EQ(rules.at(ledger::kRulePaymentBeforeEvidence).size(), 1u);
  EXPECT_EQ(rules.at(ledger::kRuleDuplicatePayment).size(), 2u);
  EXPECT_EQ(rules.at(ledger::kRuleReversalHeavy).size(), 1u);
  // Every kind of refund finds its payment at the default size.
  EXPECT_EQ(outcome.refunds.count, 7u);
  ExpectRefundsReported(outcome);
}

}  // namespace
}  // namespace jejak::cli
