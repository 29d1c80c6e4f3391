// Bank statements in a real store (SQLite, and PostgreSQL as pg.*): an appended statement
// gets its bank_statements row, an overlapping period or a changed account holder is
// refused naming the entry, verify passes and fails when a row is altered, removed or
// added behind the store's back, migration 8 fills the table for an existing ledger, and
// ReconcileInputs / AuditInputs give the year's statements and payments within a tree size.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "db/schema.h"
#include "db/store.h"
#include "ledger/bank_statement.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/money.h"
#include "ledger/reconcile.h"
#include "tests/db/db_test_util.h"

namespace jejak::db {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kOrigin = "jejak.test/kabupaten-bank";
constexpr const char* kOpdA = "1.02.0.00.0.00.01.0000";
constexpr const char* kOpdB = "1.01.0.00.0.00.01.0000";
constexpr const char* kTreasurerAccount = "0012-0001";
constexpr const char* kRkudAccount = "0010000001";

ledger::NoteSigner TestSigner() { return test_support::SeededSigner(kOrigin, 41); }

json Line(const char* date, const char* direction, const char* amount, const char* ref = "") {
  json line = {{"date", date}, {"value_date", date}, {"direction", direction},
               {"amount", amount}, {"type", "transfer"}};
  if (*ref != '\0') line["bank_ref"] = ref;
  return line;
}

// A statement of OPD A's treasurer account over [start, end] with one debit of 100.
json TreasurerStatement(const char* start, const char* end, const char* opening = "1000") {
  const std::int64_t opening_sen = *ledger::ParseMoneySen(opening);
  return {{"kind", "bank_statement"}, {"bank", "BPD Bengkulu"}, {"account_no", kTreasurerAccount},
          {"account_role", "bendahara_pengeluaran"}, {"opd", kOpdA},
          {"period_start", start}, {"period_end", end}, {"currency", "IDR"},
          {"opening_balance", opening},
          {"closing_balance", ledger::FormatMoney(opening_sen - 10000)}, {"format", "csv"},
          {"file_sha256", std::string(64, 'a')},
          {"lines", json::array({Line(start, "debit", "100", "CMS-1")})}};
}

json RkudStatement(const char* start, const char* end) {
  return {{"kind", "bank_statement"}, {"bank", "BPD Bengkulu"}, {"account_no", kRkudAccount},
          {"account_role", "rkud"}, {"period_start", start}, {"period_end", end},
          {"currency", "IDR"}, {"opening_balance", "5000"}, {"closing_balance", "5000"},
          {"format", "mt940"}, {"file_sha256", std::string(64, 'b')},
          {"lines", json::array()}};
}

class BankStatementStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_support::FreshTestDirectory("jejak-bank-test");
    Open();
    Record("genesis", test_support::GenesisBody("bank-test", kOrigin, TestSigner()), "2026-01-01");
    Record("opd_a", test_support::OpdBody(kOpdA, "Dinas Kesehatan"), "2026-01-01");
    Record("opd_b", test_support::OpdBody(kOpdB, "Dinas Pendidikan"), "2026-01-01");
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  void Open() {
    store_ = test_support::OpenTestStore(dir_ / "ledger.db", TestSigner());
    ASSERT_NE(store_, nullptr);
  }

  Result<BatchReceipt> Try(const std::string& name, const json& body, const std::string& date) {
    Result<json> valid = body.value("kind", "") == "genesis" ? ledger::ValidateGenesis(body)
                                                             : ledger::ValidateBody(body);
    if (!valid) return valid.error();
    Result<BatchReceipt> receipt = store_->Append(
        {PendingEntry{std::make_shared<const json>(*valid), "bpkad"}}, date + "T03:00:00.000Z");
    if (receipt) seq_[name] = receipt->entries.at(0).seq;
    return receipt;
  }
  void Record(const std::string& name, const json& body, const std::string& date) {
    Result<BatchReceipt> receipt = Try(name, body, date);
    ASSERT_TRUE(receipt.has_value()) << name << ": " << receipt.error().ToString();
  }

  json Expenditure(const std::string& ref, const char* mechanism, const char* instrument,
                   const char* date, const char* gross, const char* tax, const char* net) {
    json taxes = json::array();
    if (std::string(tax) != "0") taxes.push_back({{"type", "PPN"}, {"amount", tax}});
    return {{"kind", "expenditure"}, {"fiscal_year", 2026}, {"opd", kOpdA},
            {"sub_activity", "1.02.02.2.01.0014"}, {"account", "5.1.02.01.01.0024"},
            {"mechanism", mechanism}, {"instrument", instrument}, {"value_date", date},
            {"gross", gross}, {"taxes", taxes}, {"net", net},
            {"payee", {{"name", "CV Maju"}, {"bank", "Bank Bengkulu"}, {"account_no", "00120-7"},
                       {"account_name", "CV Maju"}}},
            {"bank_ref", ref}, {"documents", {{"evidence_no", "BKT-" + ref}}},
            {"description", "Belanja"}};
  }

  VerifyReport MustVerify() {
    Result<VerifyReport> report = store_->Verify(ledger::VerifierOf(TestSigner()), std::nullopt);
    EXPECT_TRUE(report.has_value()) << (report ? "" : report.error().ToString());
    return report ? std::move(report).value() : VerifyReport{};
  }

  // Runs SQL as an attacker with file access would: the append-only triggers off.
  void Tamper(const std::string& statement) {
    store_.reset();
    {
      std::unique_ptr<soci::session> session = test_support::OpenSession(dir_ / "ledger.db", true);
      *session << statement;
    }
    Open();
  }

  long long Count(const std::string& query) {
    std::unique_ptr<soci::session> session = test_support::OpenSession(dir_ / "ledger.db");
    long long count = -1;
    *session << query, soci::into(count);
    return count;
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  std::map<std::string, std::int64_t> seq_;
};

TEST_F(BankStatementStoreTest, AnAppendedStatementHasItsRowAndVerifies) {
  Record("march", TreasurerStatement("2026-03-01", "2026-03-31"), "2026-04-02");
  Record("rkud", RkudStatement("2026-03-01", "2026-03-31"), "2026-04-02");
  std::unique_ptr<soci::session> session = test_support::OpenSession(dir_ / "ledger.db");
  long long fiscal_year = 0, opening = 0, closing = 0, lines = 0;
  std::string account, bank, role, opd, start, end;
  *session << "SELECT fiscal_year, account_no, bank, account_role, opd, period_start, period_end,"
              " opening_sen, closing_sen, line_count FROM bank_statements WHERE seq = :s",
      soci::into(fiscal_year), soci::into(account), soci::into(bank), soci::into(role),
      soci::into(opd), soci::into(start), soci::into(end), soci::into(opening),
      soci::into(closing), soci::into(lines), soci::use(static_cast<long long>(seq_["march"]));
  EXPECT_EQ(fiscal_year, 2026);
  EXPECT_EQ(account, kTreasurerAccount);
  EXPECT_EQ(bank, "BPD Bengkulu");
  EXPECT_EQ(role, "bendahara_pengeluaran");
  EXPECT_EQ(opd, kOpdA);
  EXPECT_EQ(start, "2026-03-01");
  EXPECT_EQ(end, "2026-03-31");
  EXPECT_EQ(opening, 100000);
  EXPECT_EQ(closing, 90000);
  EXPECT_EQ(lines, 1);
  session.reset();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM bank_statements"), 2);
  Result<ledger::EntryColumns> columns = store_->Columns(seq_["rkud"]);
  ASSERT_TRUE(columns.has_value());
  EXPECT_EQ(columns->kind, "bank_statement");
  EXPECT_EQ(columns->opd, "");
  EXPECT_EQ(columns->value_date, "2026-03-31");
  EXPECT_EQ(columns->amount_sen, 500000);
  Result<std::vector<ledger::StatementPeriod>> of_account = store_->StatementsOfAccount(kTreasurerAccount);
  ASSERT_TRUE(of_account.has_value());
  ASSERT_EQ(of_account->size(), 1u);
  EXPECT_EQ(of_account->at(0).seq, seq_["march"]);
  EXPECT_EQ(of_account->at(0).opd, kOpdA);
  const VerifyReport report = MustVerify();
  EXPECT_TRUE(report.ok) << (report.problem ? report.problem->what : "");
}

TEST_F(BankStatementStoreTest, AnOverlappingPeriodIsRefusedNamingTheEntry) {
  Record("march", TreasurerStatement("2026-03-01", "2026-03-31"), "2026-04-02");
  Result<BatchReceipt> overlap = Try("late", TreasurerStatement("2026-03-31", "2026-04-30"), "2026-05-02");
  ASSERT_FALSE(overlap.has_value());
  EXPECT_EQ(overlap.error().code, Code::kConflict);
  ASSERT_EQ(overlap.error().fields.size(), 1u);
  EXPECT_EQ(overlap.error().fields[0].field, "period_start");
  EXPECT_NE(overlap.error().message.find("in entry " + std::to_string(seq_["march"])),
            std::string::npos)
      << overlap.error().message;
  // The next month follows on; a gap after it is a finding, not a refusal.
  Record("april", TreasurerStatement("2026-04-01", "2026-04-30", "900"), "2026-05-02");
  Record("june", TreasurerStatement("2026-06-01", "2026-06-30", "800"), "2026-07-02");
  Result<std::vector<ledger::StatementPeriod>> of_account = store_->StatementsOfAccount(kTreasurerAccount);
  ASSERT_TRUE(of_account.has_value());
  ASSERT_EQ(of_account->size(), 3u);
  EXPECT_EQ(of_account->at(0).seq, seq_["june"]);  // Newest first.
  EXPECT_EQ(of_account->at(2).seq, seq_["march"]);
  // Two statements of one account in one batch: the second sees the first (all or nothing).
  Result<json> may = ledger::ValidateBody(TreasurerStatement("2026-05-01", "2026-05-31", "700"));
  Result<json> may_again = ledger::ValidateBody(TreasurerStatement("2026-05-15", "2026-05-20", "700"));
  ASSERT_TRUE(may.has_value() && may_again.has_value());
  Result<BatchReceipt> batch = store_->Append(
      {PendingEntry{std::make_shared<const json>(*may), "bpkad"},
       PendingEntry{std::make_shared<const json>(*may_again), "bpkad"}},
      "2026-07-03T03:00:00.000Z");
  ASSERT_FALSE(batch.has_value());
  EXPECT_EQ(batch.error().code, Code::kConflict);
  EXPECT_NE(batch.error().message.find("2026-05-01 to 2026-05-31"), std::string::npos)
      << batch.error().message;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM bank_statements WHERE period_start = '2026-05-15'"), 0);
  EXPECT_TRUE(MustVerify().ok);
}

// An account is its digits: the same number written with '-' or '.' is the same account,
// so its periods cannot overlap under a second spelling.
TEST_F(BankStatementStoreTest, AnotherSpellingOfTheAccountIsTheSameAccount) {
  Record("march", TreasurerStatement("2026-03-01", "2026-03-31"), "2026-04-02");
  json respelled = TreasurerStatement("2026-03-01", "2026-03-31");
  const std::string written = respelled["account_no"].get<std::string>();
  ASSERT_GT(written.size(), 3u);
  respelled["account_no"] = written.substr(0, 3) + "-" + written.substr(3);
  Result<BatchReceipt> again = Try("respelled", respelled, "2026-04-03");
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, Code::kConflict);
  EXPECT_NE(again.error().message.find("in entry " + std::to_string(seq_["march"])),
            std::string::npos)
      << again.error().message;
  Result<std::vector<ledger::StatementPeriod>> of_account =
      store_->StatementsOfAccount(written.substr(0, 3) + "." + written.substr(3));
  ASSERT_TRUE(of_account.has_value());
  ASSERT_EQ(of_account->size(), 1u);
  EXPECT_EQ(of_account->at(0).seq, seq_["march"]);
}

TEST_F(BankStatementStoreTest, AnAccountKeepsItsBankRoleAndOpd) {
  Record("march", TreasurerStatement("2026-03-01", "2026-03-31"), "2026-04-02");
  json bank = TreasurerStatement("2026-04-01", "2026-04-30", "900");
  bank["bank"] = "Bank Mandiri";
  json opd = TreasurerStatement("2026-04-01", "2026-04-30", "900");
  opd["opd"] = kOpdB;
  json role = TreasurerStatement("2026-04-01", "2026-04-30", "900");
  role["account_role"] = "rkud";
  role.erase("opd");
  for (const auto& [body, field] : {std::pair<json, std::string>{bank, "bank"},
                                    {opd, "opd"}, {role, "account_role"}}) {
    Result<BatchReceipt> refused = Try("april", body, "2026-05-02");
    ASSERT_FALSE(refused.has_value()) << field;
    EXPECT_EQ(refused.error().code, Code::kConflict);
    EXPECT_EQ(refused.error().fields.at(0).field, field);
    EXPECT_NE(refused.error().message.find("(entry " + std::to_string(seq_["march"]) + ")"),
              std::string::npos);
  }
  json unregistered = TreasurerStatement("2026-03-01", "2026-03-31");
  unregistered["account_no"] = "777";
  unregistered["opd"] = "1.03.0.00.0.00.01.0000";
  Result<BatchReceipt> refused = Try("other", unregistered, "2026-04-02");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().fields.at(0).field, "opd");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM bank_statements"), 1);
}

TEST_F(BankStatementStoreTest, VerifyFailsWhenARowIsAlteredRemovedOrAdded) {
  Record("march", TreasurerStatement("2026-03-01", "2026-03-31"), "2026-04-02");
  Record("rkud", RkudStatement("2026-03-01", "2026-03-31"), "2026-04-02");
  ASSERT_TRUE(MustVerify().ok);
  const std::string march = std::to_string(seq_["march"]);
  struct Case {
    std::string damage, repair, problem;
  };
  const std::vector<Case> cases = {
      {"UPDATE bank_statements SET closing_sen = closing_sen + 1 WHERE seq = " + march,
       "UPDATE bank_statements SET closing_sen = closing_sen - 1 WHERE seq = " + march,
       "bank_statements.closing_sen differs from the entry's"},
      {"UPDATE bank_statements SET opd = '' WHERE seq = " + march,
       "UPDATE bank_statements SET opd = '" + std::string(kOpdA) + "' WHERE seq = " + march,
       "bank_statements.opd differs from the entry's"},
      {"UPDATE bank_statements SET period_end = '2026-03-30' WHERE seq = " + march,
       "UPDATE bank_statements SET period_end = '2026-03-31' WHERE seq = " + march,
       "bank_statements.period_end differs from the entry's"},
      {"DELETE FROM bank_statements WHERE seq = " + march,
       "INSERT INTO bank_statements VALUES (" + march + ", 2026, '" + kTreasurerAccount +
           "', 'BPD Bengkulu', 'bendahara_pengeluaran', '" + kOpdA +
           "', '2026-03-01', '2026-03-31', 100000, 90000, 1)",
       "the bank statement has no row in bank_statements"},
  };
  for (const Case& c : cases) {
    Tamper(c.damage);
    const VerifyReport report = MustVerify();
    EXPECT_FALSE(report.ok) << c.damage;
    ASSERT_TRUE(report.problem.has_value()) << c.damage;
    EXPECT_EQ(report.problem->seq, seq_["march"]) << c.damage;
    EXPECT_EQ(report.problem->what, c.problem);
    Tamper(c.repair);
    const VerifyReport repaired = MustVerify();
    EXPECT_TRUE(repaired.ok) << c.repair << ": " << (repaired.problem ? repaired.problem->what : "");
  }
  // A row of no statement (seq 1 is an OPD registration).
  Tamper("INSERT INTO bank_statements VALUES (1, 2026, '5', 'B', 'rkud', '', '2026-01-01',"
         " '2026-01-31', 0, 0, 0)");
  const VerifyReport stray = MustVerify();
  EXPECT_FALSE(stray.ok);
  ASSERT_TRUE(stray.problem.has_value());
  EXPECT_EQ(stray.problem->seq, 1);
  EXPECT_NE(stray.problem->what.find("row of no bank statement"), std::string::npos);
}

TEST_F(BankStatementStoreTest, TheTableIsAppendOnlyAndMigrationEightFillsIt) {
  Record("march", TreasurerStatement("2026-03-01", "2026-03-31"), "2026-04-02");
  Record("rkud", RkudStatement("2026-03-01", "2026-03-31"), "2026-04-02");
  store_.reset();
  {
    std::unique_ptr<soci::session> session = test_support::OpenSession(dir_ / "ledger.db");
    EXPECT_THROW(*session << "UPDATE bank_statements SET bank = 'x'", soci::soci_error);
    EXPECT_THROW(*session << "DELETE FROM bank_statements", soci::soci_error);
  }
  {
    // Back to schema 7: no table, migration 8 not applied.
    std::unique_ptr<soci::session> session = test_support::OpenSession(dir_ / "ledger.db", true);
    *session << "DROP TABLE bank_statements";
    *session << "DELETE FROM schema_migrations WHERE version = 8";
    // Migration 9 (bank_reconciliations) came later: undone too, so that 8 runs again.
    *session << "DROP TABLE bank_reconciliations";
    *session << "DELETE FROM schema_migrations WHERE version = 9";
  }
  Open();  // Migrates.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM bank_statements"), 2);
  EXPECT_EQ(Count("SELECT MAX(version) FROM schema_migrations"), SchemaVersion());
  EXPECT_EQ(Count("SELECT closing_sen FROM bank_statements WHERE seq = " +
                  std::to_string(seq_["march"])),
            90000);
  EXPECT_TRUE(MustVerify().ok);
  // The overlap check reads the filled table.
  EXPECT_FALSE(Try("again", TreasurerStatement("2026-03-10", "2026-03-20"), "2026-04-03").has_value());
}

TEST_F(BankStatementStoreTest, ReconcileInputsGiveTheYearsStatementsAndPaymentsWithinATreeSize) {
  Record("ls", Expenditure("SP2D-1", "LS", "sp2d_ls", "2026-03-03", "1100", "100", "1000"), "2026-03-03");
  Record("gu", Expenditure("CMS-1", "GU", "cms_transfer", "2026-03-04", "500", "0", "500"), "2026-03-04");
  json cash = Expenditure("", "UP", "cash", "2026-03-05", "20", "0", "20");
  cash.erase("bank_ref");
  cash["cash_reason"] = "Desa terpencil";
  cash["payee"] = {{"name", "Warung"}};
  Record("cash", cash, "2026-03-05");
  Record("deposit", {{"kind", "tax_deposit"}, {"fiscal_year", 2026}, {"opd", kOpdA},
                     {"tax_type", "PPN"}, {"amount", "100"}, {"billing_code", "123456789012345"},
                     {"ntpn", "0A1B2C3D4E5F6G7H"}, {"deposit_date", "2026-03-10"},
                     {"covers", {seq_["ls"]}}},
         "2026-03-10");
  Record("refund", {{"kind", "refund"}, {"refunds", seq_["gu"]}, {"value_date", "2026-03-20"},
                    {"amount", "50"}, {"sts_no", "STS/7"}, {"reason", "Kelebihan"}},
         "2026-03-20");
  Record("march", TreasurerStatement("2026-03-01", "2026-03-31"), "2026-04-02");
  const auto pinned = static_cast<std::uint64_t>(seq_["march"] + 1);
  Record("reversal", {{"kind", "reversal"}, {"reverses", seq_["cash"]}, {"reason", "Salah"}},
         "2026-04-03");
  Record("april", TreasurerStatement("2026-04-01", "2026-04-30", "900"), "2026-05-02");
  json other_year = Expenditure("CMS-9", "GU", "kkpd", "2025-12-30", "9", "0", "9");
  other_year["fiscal_year"] = 2025;
  Record("other_year", other_year, "2026-05-03");

  Result<ledger::ReconcileInput> all = store_->ReconcileInputs(2026, std::nullopt);
  ASSERT_TRUE(all.has_value()) << all.error().ToString();
  EXPECT_EQ(all->fiscal_year, 2026);
  ASSERT_EQ(all->statements.size(), 2u);
  EXPECT_EQ(all->statements[0].seq, seq_["march"]);
  EXPECT_EQ(all->statements[1].seq, seq_["april"]);
  ASSERT_EQ(all->statements[0].lines.size(), 1u);
  EXPECT_EQ(all->statements[0].lines[0].bank_ref, "CMS-1");
  ASSERT_EQ(all->payments.size(), 5u);  // Not the other year's expenditure.
  const ledger::BankPaymentFacts& ls = all->payments[0];
  EXPECT_EQ(ls.seq, seq_["ls"]);
  EXPECT_EQ(ls.kind, "expenditure");
  EXPECT_EQ(ls.fiscal_year, 2026);
  EXPECT_EQ(ls.opd, kOpdA);
  EXPECT_EQ(ls.mechanism, "LS");
  EXPECT_EQ(ls.instrument, "sp2d_ls");
  EXPECT_EQ(ls.date, "2026-03-03");
  EXPECT_EQ(ls.refs, std::vector<std::string>{"SP2D-1"});
  EXPECT_EQ(ls.payee_account_no, "00120-7");
  EXPECT_EQ(ls.amount_sen, 100000);  // Net: what left the bank.
  EXPECT_FALSE(ls.reversed);
  const ledger::BankPaymentFacts& cash_payment = all->payments[2];
  EXPECT_EQ(cash_payment.instrument, "cash");
  EXPECT_TRUE(cash_payment.refs.empty());
  EXPECT_EQ(cash_payment.payee_account_no, "");
  EXPECT_TRUE(cash_payment.reversed);
  const ledger::BankPaymentFacts& deposit = all->payments[3];
  EXPECT_EQ(deposit.kind, "tax_deposit");
  EXPECT_EQ(deposit.opd, kOpdA);
  EXPECT_EQ(deposit.date, "2026-03-10");
  EXPECT_EQ(deposit.refs, (std::vector<std::string>{"0A1B2C3D4E5F6G7H", "123456789012345"}));
  EXPECT_EQ(deposit.amount_sen, 10000);
  const ledger::BankPaymentFacts& refund = all->payments[4];
  EXPECT_EQ(refund.kind, "refund");
  EXPECT_EQ(refund.opd, kOpdA);  // Its expenditure's.
  EXPECT_EQ(refund.date, "2026-03-20");
  EXPECT_EQ(refund.refs, std::vector<std::string>{"STS/7"});
  EXPECT_EQ(refund.amount_sen, 5000);

  Result<ledger::ReconcileInput> at = store_->ReconcileInputs(2026, pinned);
  ASSERT_TRUE(at.has_value());
  ASSERT_EQ(at->statements.size(), 1u);  // April's came later.
  ASSERT_EQ(at->payments.size(), 5u);
  EXPECT_FALSE(at->payments[2].reversed);  // The reversal came later.

  Result<ledger::AuditInput> audit = store_->AuditInputs(2026, "2026-03-15", pinned);
  ASSERT_TRUE(audit.has_value());
  EXPECT_EQ(audit->bank.fiscal_year, 2026);
  EXPECT_EQ(audit->bank.statements.size(), 1u);
  EXPECT_EQ(audit->bank.payments.size(), 5u);
  // A year without statements: no bank input at all.
  Result<ledger::AuditInput> none = store_->AuditInputs(2025, "2025-12-31");
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->bank.statements.empty());
  EXPECT_TRUE(none->bank.payments.empty());
  Result<ledger::ReconcileInput> empty_year = store_->ReconcileInputs(2025, std::nullopt);
  ASSERT_TRUE(empty_year.has_value());
  EXPECT_EQ(empty_year->payments.size(), 1u);
  EXPECT_TRUE(MustVerify().ok);
}

}  // namespace
}  // namespace jejak::db
