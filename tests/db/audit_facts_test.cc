// Tests for the audit facts table (db/audit_facts.h): the inputs the audit rules get from it
// equal those read from the entries and their JSON (and so do the findings and their ids)
// on a ledger with reversals, refunds, tax deposits, procurement and PKP payees over two
// fiscal years, pinned or not; a ledger made before the table (schema 3) gets it filled by
// the migration with the same findings; and `verify` names a tampered, missing or stray row.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

#include "crypto/ed25519.h"
#include "db/schema.h"
#include "db/store.h"
#include "ledger/audit.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "tests/db/db_test_util.h"

namespace jejak::db {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kOrigin = "jejak.test/kabupaten-facts";
constexpr const char* kDinkes = "1.02.0.00.0.00.01.0000";
constexpr const char* kPupr = "1.03.0.00.0.00.01.0000";
constexpr const char* kSub = "1.02.02.2.01.0014";
constexpr const char* kGoods = "5.1.02.01.01.0024";
constexpr const char* kRoad = "5.2.04.01.01.0001";

using test_support::Body;

ledger::NoteSigner TestSigner() { return test_support::SeededSigner(kOrigin, 41); }

// A payment of `gross` (rupiah text) by transfer, with a payee named `payee`.
json Spend(const char* opd, std::int64_t year, const std::string& value_date, const std::string& gross,
           const std::string& ref, const std::string& payee, const char* account = kGoods) {
  return {{"kind", "expenditure"},
          {"fiscal_year", year},
          {"opd", opd},
          {"sub_activity", kSub},
          {"account", account},
          {"mechanism", "LS"},
          {"instrument", "sp2d_ls"},
          {"value_date", value_date},
          {"gross", gross},
          {"taxes", json::array()},
          {"net", gross},
          {"payee", {{"name", payee}, {"bank", "BRI"}, {"account_no", "00" + ref}, {"account_name", payee}}},
          {"bank_ref", "REF-" + ref},
          {"documents", {{"evidence_no", "BKT-" + ref}, {"evidence_date", value_date}}},
          {"description", "Belanja " + ref}};
}

json Budget(const char* opd, std::int64_t year, const char* account, const std::string& pagu) {
  return {{"kind", "budget"}, {"fiscal_year", year}, {"opd", opd},    {"sub_activity", kSub},
          {"account", account}, {"pagu", pagu},       {"stage", "murni"}};
}

// Every fact of an AuditInput, every member of every expenditure included, as text.
std::string Describe(const ledger::AuditInput& input) {
  std::string out = "year " + std::to_string(input.fiscal_year) + " as_of " + input.as_of + " region " +
                    input.region + "\n";
  for (const auto& [code, name] : input.opd_names) out += "opd " + code + " " + name + "\n";
  for (const ledger::ExpenditureFacts& e : input.expenditures) {
    out += "exp " + std::to_string(e.seq) + "|" + std::to_string(e.fiscal_year) + "|" + e.opd + "|" +
           e.sub_activity + "|" + e.account + "|" + e.instrument + "|" + e.value_date + "|" + e.recorded_at +
           "|" + e.payee_npwp + "|" + e.payee_account + "|" + e.evidence_no + "|" + e.evidence_date + "|" +
           std::to_string(e.gross_sen) + "|" + (e.reversed_by ? std::to_string(*e.reversed_by) : "-") + "|" +
           e.payee_name + "|" + (e.payee_pkp ? (*e.payee_pkp ? "pkp" : "non-pkp") : "-") + "|" +
           e.procurement_method + "|" + e.procurement_type + "|" + e.contract_no + "|";
    for (const auto& [type, amount] : e.taxes_sen) out += type + ":" + std::to_string(amount) + ";";
    out += "\n";
  }
  for (const ledger::TaxDepositFacts& d : input.tax_deposits) {
    out += "dep " + std::to_string(d.seq) + " " + std::to_string(d.amount_sen) + "\n";
  }
  for (const ledger::BudgetFacts& b : input.budgets) {
    out += "budget " + std::to_string(b.seq) + " " + b.opd + " " + std::to_string(b.pagu_sen) + "\n";
  }
  for (const ledger::RefundFacts& r : input.refunds) {
    out += "refund " + std::to_string(r.seq) + " of " + std::to_string(r.refunds) + " " +
           std::to_string(r.amount_sen) + "\n";
  }
  return out;
}

// The findings as text: ids, seqs and every text.
std::string DescribeFindings(const std::vector<ledger::Finding>& findings) {
  std::string out;
  for (const ledger::Finding& f : findings) {
    out += f.id + " " + f.rule + " " + f.severity + " " + f.opd + " " + std::to_string(f.amount_sen) + " [";
    for (std::int64_t seq : f.seqs) out += std::to_string(seq) + ",";
    out += "] " + f.kondisi + "\n";
  }
  return out;
}

class AuditFactsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_support::FreshTestDirectory("jejak-facts-test");
    store_ = OpenStore();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  std::string DatabasePath() const { return (dir_ / "ledger.db").string(); }

  std::unique_ptr<Store> OpenStore() {
    return test_support::OpenTestStore(DatabasePath(), TestSigner());
  }

  std::int64_t Record(json body, const std::string& at, const std::string& by = "bendahara") {
    Result<BatchReceipt> receipt = store_->Append({PendingEntry{Body(std::move(body)), by}}, at);
    EXPECT_TRUE(receipt.has_value()) << receipt.error().ToString();
    return receipt ? receipt->entries.at(0).seq : -1;
  }

  VerifyReport MustVerify() {
    Result<VerifyReport> report = store_->Verify(ledger::VerifierOf(TestSigner()), std::nullopt);
    EXPECT_TRUE(report.has_value()) << (report ? "" : report.error().ToString());
    return report ? std::move(report).value() : VerifyReport{};
  }

  // Runs SQL as an attacker with file access would: the append-only triggers dropped.
  void Tamper(const std::string& statement) {
    store_.reset();
    {
      std::unique_ptr<soci::session> session = test_support::OpenSession(DatabasePath(), true);
      soci::session& sql = *session;
      sql << statement;
    }
    store_ = OpenStore();
  }

  // Two years of two OPDs: split direct procurements under one contract and without, PKP
  // and non-PKP payees (names with quotes, a backslash and non-ASCII), taxes deposited and
  // not, a reversal, refunds in the payment's year and of a closed year's payment, and a
  // pin (pin_) with entries of every kind after it.
  void BuildLedger() {
    Record(test_support::GenesisBody("facts-test", kOrigin, TestSigner(),
                                     "Pemerintah Kabupaten Fakta"),
           "2025-01-02T01:00:00.000Z", "jejak-init");
    Record(test_support::OpdBody(kDinkes, "Dinas Kesehatan"), "2025-01-02T02:00:00.000Z", "admin");
    Record(test_support::OpdBody(kPupr, "Dinas PUPR"), "2025-01-02T02:00:01.000Z", "admin");
    Record(Budget(kDinkes, 2025, kGoods, "50000000"), "2025-01-03T01:00:00.000Z", "admin");
    Record(Budget(kPupr, 2025, kRoad, "900000000"), "2025-01-03T01:00:01.000Z", "admin");
    for (int i = 0; i < 3; ++i) {  // Road works split under one contract, then more.
      json road = Spend(kPupr, 2025, "2025-05-0" + std::to_string(i + 1), "150000000", "R" + std::to_string(i),
                        "PT Jalan Raya Ñusantara");
      road["procurement"] = {{"method", "PL"}, {"contract_no", i < 2 ? "SPK/01/2025" : "SPK/02/2025"},
                             {"contract_value", "300000000"}, {"type", "konstruksi"}};
      road["payee"]["npwp"] = "012345678901234";
      road["payee"]["pkp"] = true;
      Record(road, "2025-05-0" + std::to_string(i + 1) + "T03:00:00.000Z");
    }
    const std::int64_t closed = Record(Spend(kDinkes, 2025, "2025-11-03", "6000000", "Y1", "Toko \"Sehat\" \\ Sentosa"),
                                       "2025-11-03T03:00:00.000Z");
    Record(Budget(kDinkes, 2026, kGoods, "20000000"), "2026-01-03T01:00:00.000Z", "admin");
    json pkp = Spend(kDinkes, 2026, "2026-02-03", "2500000", "A1", "CV Kena Pajak");
    pkp["payee"]["pkp"] = true;
    pkp["payee"]["npwp"] = "098765432109876";
    const std::int64_t pkp_seq = Record(pkp, "2026-02-03T03:00:00.000Z");
    json not_pkp = Spend(kDinkes, 2026, "2026-02-04", "2500000", "A2", "Warung Bu Sri");
    not_pkp["payee"]["pkp"] = false;
    const std::int64_t reversed = Record(not_pkp, "2026-02-04T03:00:00.000Z");
    json taxed = Spend(kDinkes, 2026, "2026-03-02", "3000000", "C1", "Apotek Séhat");
    taxed["taxes"] = {{{"type", "PPh23"}, {"amount", "60000"}}, {{"type", "PPN"}, {"amount", "270000"}}};
    taxed["net"] = "2670000";
    taxed["procurement"] = {{"method", "PL"}, {"contract_no", "SPK/77/2026"}, {"contract_value", "3000000"}};
    const std::int64_t taxed_seq = Record(taxed, "2026-03-02T03:00:00.000Z");
    Record({{"kind", "refund"}, {"refunds", pkp_seq}, {"value_date", "2026-03-10"}, {"amount", "500000.00"},
            {"sts_no", "STS/1"}, {"reason", "kelebihan bayar"}},
           "2026-03-10T03:00:00.000Z");
    Record({{"kind", "refund"}, {"refunds", closed}, {"value_date", "2026-02-15"}, {"amount", "1000000.00"},
            {"sts_no", "STS/2"}, {"reason", "kelebihan bayar"}},
           "2026-03-10T03:00:01.000Z");
    Record({{"kind", "tax_deposit"}, {"fiscal_year", 2026}, {"opd", kDinkes}, {"tax_type", "PPh23"},
            {"amount", "60000"}, {"billing_code", "012345678901234"}, {"ntpn", "NTPN000000000001"},
            {"deposit_date", "2026-05-10"}, {"covers", {taxed_seq}}},
           "2026-05-10T03:00:00.000Z");
    Result<std::uint64_t> size = store_->TreeSize();
    ASSERT_TRUE(size.has_value());
    pin_ = *size;
    Record({{"kind", "reversal"}, {"reverses", reversed}, {"reason", "Salah input"}}, "2026-06-01T03:00:00.000Z");
    Record(Spend(kDinkes, 2026, "2026-02-20", "19000000", "A3", "Toko Terlambat"), "2026-06-01T03:00:01.000Z");
    Record(Budget(kPupr, 2026, kRoad, "100000000"), "2026-06-01T03:00:02.000Z", "admin");
  }

  // Facts and entries give the same input and the same findings for this report.
  void ExpectSameWays(std::int64_t year, const std::string& as_of, std::optional<std::uint64_t> size,
                      bool whole_year) {
    SCOPED_TRACE(std::to_string(year) + " as of " + as_of + (size ? " at " + std::to_string(*size) : "") +
                 (whole_year ? " whole year" : ""));
    Result<ledger::AuditInput> facts = store_->AuditInputs(year, as_of, size, whole_year);
    Result<ledger::AuditInput> entries = store_->AuditInputs(year, as_of, size, whole_year, /*from_entries=*/true);
    ASSERT_TRUE(facts.has_value()) << facts.error().ToString();
    ASSERT_TRUE(entries.has_value()) << entries.error().ToString();
    EXPECT_EQ(Describe(*facts), Describe(*entries));
    EXPECT_EQ(DescribeFindings(ledger::RunAuditRules(*facts, ledger::AuditRules{})),
              DescribeFindings(ledger::RunAuditRules(*entries, ledger::AuditRules{})));
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  std::uint64_t pin_ = 0;
};

TEST_F(AuditFactsTest, FactsGiveTheInputsAndFindingsOfTheEntries) {
  BuildLedger();
  for (std::int64_t year : {2025, 2026}) {
    for (const char* as_of : {"2025-05-02", "2025-12-31", "2026-02-28", "2026-04-30", "2026-12-31"}) {
      for (std::optional<std::uint64_t> size : {std::optional<std::uint64_t>(), std::optional<std::uint64_t>(pin_)}) {
        for (bool whole_year : {false, true}) ExpectSameWays(year, as_of, size, whole_year);
      }
    }
  }
  // What the facts hold is what the entries say: the texts read back, the reversal after
  // the pin counts only unpinned, and the year's findings are there to compare.
  Result<ledger::AuditInput> year = store_->AuditInputs(2026, "2026-12-31");
  ASSERT_TRUE(year.has_value());
  ASSERT_EQ(year->expenditures.size(), 4u);
  EXPECT_EQ(year->expenditures[0].payee_name, "CV Kena Pajak");
  EXPECT_EQ(year->expenditures[0].payee_pkp, std::optional<bool>(true));
  EXPECT_EQ(year->expenditures[1].payee_pkp, std::optional<bool>(false));
  EXPECT_TRUE(year->expenditures[1].reversed_by.has_value());
  EXPECT_EQ(year->expenditures[2].payee_name, "Apotek Séhat");
  EXPECT_EQ(year->expenditures[2].contract_no, "SPK/77/2026");
  EXPECT_EQ(year->expenditures[3].payee_pkp, std::nullopt);
  Result<ledger::AuditInput> pinned = store_->AuditInputs(2026, "2026-12-31", pin_);
  ASSERT_TRUE(pinned.has_value());
  ASSERT_EQ(pinned->expenditures.size(), 3u);
  EXPECT_FALSE(pinned->expenditures[1].reversed_by.has_value());
  Result<ledger::AuditInput> past = store_->AuditInputs(2025, "2025-12-31");
  ASSERT_TRUE(past.has_value());
  ASSERT_EQ(past->expenditures.size(), 4u);
  EXPECT_EQ(past->expenditures[0].payee_name, "PT Jalan Raya Ñusantara");
  EXPECT_EQ(past->expenditures[0].procurement_type, "konstruksi");
  EXPECT_EQ(past->expenditures[3].payee_name, "Toko \"Sehat\" \\ Sentosa");
  EXPECT_FALSE(ledger::RunAuditRules(*past, ledger::AuditRules{}).empty());
  EXPECT_TRUE(MustVerify().ok);
}

TEST_F(AuditFactsTest, ALedgerOfSchemaThreeGetsItsFactsFromTheMigration) {
  BuildLedger();
  const std::string before_2025 = DescribeFindings(
      ledger::RunAuditRules(*store_->AuditInputs(2025, "2025-12-31"), ledger::AuditRules{}));
  const std::string before_2026 = DescribeFindings(
      ledger::RunAuditRules(*store_->AuditInputs(2026, "2026-12-31", pin_), ledger::AuditRules{}));
  ASSERT_FALSE(before_2025.empty());
  // Back to schema 3: no facts table, migration 4 not applied.
  Tamper("DROP TABLE audit_expenditures");
  store_.reset();
  {
    std::unique_ptr<soci::session> session = test_support::OpenSession(DatabasePath());
    soci::session& sql = *session;
    // Migrations 5 (witness_sizes), 6 (search indexes, made only if absent) and 7
    // (import_mappings) came later: undone too, so
    // that migration 4 runs again.
    sql << "DROP TABLE witness_sizes";
    sql << "DROP TABLE import_mappings";
    sql << "DROP TABLE bank_statements";  // Migration 8 (bank statements) too.
    sql << "DELETE FROM schema_migrations WHERE version >= 4";
    int tables = -1;
    sql << (test_support::OnPostgres()
                ? "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'audit_expenditures'"
                : "SELECT COUNT(*) FROM sqlite_master WHERE name = 'audit_expenditures'"),
        soci::into(tables);
    ASSERT_EQ(tables, 0);
  }
  store_ = OpenStore();  // Migrates.
  ASSERT_NE(store_, nullptr);
  {
    std::unique_ptr<soci::session> session = test_support::OpenSession(DatabasePath());
    soci::session& sql = *session;
    int rows = -1, expenditures = -2, version = 0;
    sql << "SELECT COUNT(*) FROM audit_expenditures", soci::into(rows);
    sql << "SELECT COUNT(*) FROM entries WHERE kind = 'expenditure'", soci::into(expenditures);
    sql << "SELECT MAX(version) FROM schema_migrations", soci::into(version);
    EXPECT_EQ(rows, expenditures);
    EXPECT_EQ(version, SchemaVersion());
  }
  EXPECT_EQ(DescribeFindings(ledger::RunAuditRules(*store_->AuditInputs(2025, "2025-12-31"), ledger::AuditRules{})),
            before_2025);
  EXPECT_EQ(DescribeFindings(
                ledger::RunAuditRules(*store_->AuditInputs(2026, "2026-12-31", pin_), ledger::AuditRules{})),
            before_2026);
  ExpectSameWays(2026, "2026-12-31", std::nullopt, false);
  EXPECT_TRUE(MustVerify().ok);
  // The table is append-only like the entries.
  store_.reset();
  std::unique_ptr<soci::session> session = test_support::OpenSession(DatabasePath());
  soci::session& sql = *session;
  EXPECT_THROW(sql << "UPDATE audit_expenditures SET payee_name = 'x'", soci::soci_error);
  EXPECT_THROW(sql << "DELETE FROM audit_expenditures", soci::soci_error);
}

// A stored expenditure whose bytes no longer read must not keep the ledger from opening:
// migration 4 leaves it without a row, and `jejak verify` then names its seq.
TEST_F(AuditFactsTest, AnUnreadableExpenditureDoesNotStopTheMigrationAndVerifyNamesIt) {
  BuildLedger();
  long long seq = 0;
  store_.reset();
  {
    std::unique_ptr<soci::session> session = test_support::OpenSession(DatabasePath(), true);
    soci::session& sql = *session;
    sql << "SELECT seq FROM audit_expenditures WHERE payee_name = 'CV Kena Pajak'", soci::into(seq);
    sql << "DROP TABLE audit_expenditures";
    sql << "DROP TABLE witness_sizes";
    sql << "DROP TABLE import_mappings";
    sql << "DROP TABLE bank_statements";  // Migration 8 (bank statements) too.
    sql << "DELETE FROM schema_migrations WHERE version >= 4";
    sql << "UPDATE entries SET canonical = 'not json' WHERE seq = " << seq;
  }
  ASSERT_GT(seq, 0);
  store_ = OpenStore();  // Migrates, leaving that expenditure without a row.
  ASSERT_NE(store_, nullptr);
  {
    std::unique_ptr<soci::session> session = test_support::OpenSession(DatabasePath());
    soci::session& sql = *session;
    int rows = -1, expenditures = -2, version = 0, of_seq = -1;
    sql << "SELECT COUNT(*) FROM audit_expenditures", soci::into(rows);
    sql << "SELECT COUNT(*) FROM entries WHERE kind = 'expenditure'", soci::into(expenditures);
    sql << "SELECT MAX(version) FROM schema_migrations", soci::into(version);
    sql << "SELECT COUNT(*) FROM audit_expenditures WHERE seq = " << seq, soci::into(of_seq);
    EXPECT_EQ(rows, expenditures - 1);
    EXPECT_EQ(of_seq, 0);
    EXPECT_EQ(version, SchemaVersion());
  }
  const VerifyReport report = MustVerify();
  EXPECT_FALSE(report.ok);
  ASSERT_TRUE(report.problem.has_value());
  EXPECT_EQ(report.problem->seq, seq);
}

TEST_F(AuditFactsTest, VerifyNamesATamperedMissingOrStrayFact) {
  BuildLedger();
  ASSERT_TRUE(MustVerify().ok);
  long long seq = 0;
  {
    store_.reset();
    std::unique_ptr<soci::session> session = test_support::OpenSession(DatabasePath());
    soci::session& sql = *session;
    sql << "SELECT seq FROM audit_expenditures WHERE payee_name = 'CV Kena Pajak'", soci::into(seq);
  }
  store_ = OpenStore();
  ASSERT_GT(seq, 0);
  const std::string where = " WHERE seq = " + std::to_string(seq);
  struct Case {
    std::string statement;
    std::string undo;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"UPDATE audit_expenditures SET payee_name = 'CV Lain'" + where,
       "UPDATE audit_expenditures SET payee_name = 'CV Kena Pajak'" + where, "payee_name"},
      {"UPDATE audit_expenditures SET payee_pkp = NULL" + where,
       "UPDATE audit_expenditures SET payee_pkp = 1" + where, "payee_pkp"},
      {"UPDATE audit_expenditures SET amount_sen = amount_sen + 1" + where,
       "UPDATE audit_expenditures SET amount_sen = amount_sen - 1" + where, "amount_sen"},
      {"UPDATE audit_expenditures SET procurement_method = 'PL'" + where,
       "UPDATE audit_expenditures SET procurement_method = ''" + where, "procurement_method"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.statement);
    Tamper(c.statement);
    VerifyReport report = MustVerify();
    ASSERT_FALSE(report.ok);
    EXPECT_EQ(report.problem->seq, seq);
    EXPECT_NE(report.problem->what.find(c.says), std::string::npos) << report.problem->what;
    Tamper(c.undo);
    EXPECT_TRUE(MustVerify().ok);
  }
  // A row taken away (and put back), then a row of an entry that is no expenditure.
  Tamper("CREATE TABLE saved_fact AS SELECT * FROM audit_expenditures" + where);
  Tamper("DELETE FROM audit_expenditures" + where);
  VerifyReport missing = MustVerify();
  ASSERT_FALSE(missing.ok);
  EXPECT_EQ(missing.problem->seq, seq);
  EXPECT_NE(missing.problem->what.find("no row"), std::string::npos) << missing.problem->what;
  Tamper("INSERT INTO audit_expenditures SELECT * FROM saved_fact");
  EXPECT_TRUE(MustVerify().ok);  // The row is back as it was.
  Tamper("INSERT INTO audit_expenditures SELECT 2026, 3, opd, sub_activity, account, instrument, value_date,"
         " recorded_at, payee_npwp, payee_account, evidence_no, evidence_date, amount_sen, tax_detail, payee_name,"
         " payee_pkp, procurement_method, procurement_type, contract_no FROM audit_expenditures" + where);
  VerifyReport stray = MustVerify();
  ASSERT_FALSE(stray.ok);
  EXPECT_EQ(stray.problem->seq, 3);
  EXPECT_NE(stray.problem->what.find("a row of no expenditure"), std::string::npos) << stray.problem->what;
}

// The facts are checked with each expenditure, in seq order: a bad facts row and a bad
// entry column are named by the lower seq, whichever it is; a row of no expenditure is
// found after every expenditure's own row; a range verification does not read the facts.
TEST_F(AuditFactsTest, VerifyNamesTheLowestSeqWhenAFactAndAnEntryAreBad) {
  BuildLedger();
  long long fact_seq = 0, earlier = 0, later = 0;
  {
    store_.reset();
    std::unique_ptr<soci::session> session = test_support::OpenSession(DatabasePath());
    soci::session& sql = *session;
    sql << "SELECT seq FROM audit_expenditures WHERE payee_name = 'CV Kena Pajak'", soci::into(fact_seq);
    sql << "SELECT MIN(seq) FROM entries WHERE kind = 'expenditure'", soci::into(earlier);
    sql << "SELECT MAX(seq) FROM entries WHERE kind = 'expenditure'", soci::into(later);
  }
  store_ = OpenStore();
  ASSERT_LT(earlier, fact_seq);
  ASSERT_LT(fact_seq, later);
  const auto set_evidence = [this](long long seq, const std::string& value) {
    Tamper("UPDATE entries SET evidence_no = '" + value + "' WHERE seq = " + std::to_string(seq));
  };
  std::string later_evidence, earlier_evidence;
  {
    store_.reset();
    std::unique_ptr<soci::session> session = test_support::OpenSession(DatabasePath());
    soci::session& sql = *session;
    sql << "SELECT evidence_no FROM entries WHERE seq = " << later, soci::into(later_evidence);
    sql << "SELECT evidence_no FROM entries WHERE seq = " << earlier, soci::into(earlier_evidence);
  }
  store_ = OpenStore();
  const std::string where = " WHERE seq = " + std::to_string(fact_seq);
  Tamper("UPDATE audit_expenditures SET payee_name = 'CV Lain'" + where);

  set_evidence(later, "X-LATER");  // A later entry's column: the fact is named.
  VerifyReport report = MustVerify();
  ASSERT_FALSE(report.ok);
  EXPECT_EQ(report.problem->seq, fact_seq);
  EXPECT_NE(report.problem->what.find("audit_expenditures.payee_name"), std::string::npos) << report.problem->what;
  set_evidence(later, later_evidence);

  set_evidence(earlier, "X-EARLIER");  // An earlier entry's column: that entry is named.
  report = MustVerify();
  ASSERT_FALSE(report.ok);
  EXPECT_EQ(report.problem->seq, earlier);
  EXPECT_NE(report.problem->what.find("column evidence_no"), std::string::npos) << report.problem->what;
  set_evidence(earlier, earlier_evidence);

  // A range verification checks no facts; the whole ledger's does.
  Result<std::uint64_t> size = store_->TreeSize();
  ASSERT_TRUE(size.has_value());
  Result<VerifyReport> range =
      store_->VerifyRange(ledger::VerifierOf(TestSigner()), 0, static_cast<std::int64_t>(*size) - 1);
  ASSERT_TRUE(range.has_value()) << range.error().ToString();
  EXPECT_TRUE(range->ok) << range->problem->what;
  EXPECT_FALSE(MustVerify().ok);
  Tamper("UPDATE audit_expenditures SET payee_name = 'CV Kena Pajak'" + where);
  ASSERT_TRUE(MustVerify().ok);

  // A missing row and a stray one of a lower seq: the missing row is named, then the stray.
  Tamper("CREATE TABLE saved_fact AS SELECT * FROM audit_expenditures" + where);
  Tamper("INSERT INTO audit_expenditures SELECT 2026, 3, opd, sub_activity, account, instrument, value_date,"
         " recorded_at, payee_npwp, payee_account, evidence_no, evidence_date, amount_sen, tax_detail, payee_name,"
         " payee_pkp, procurement_method, procurement_type, contract_no FROM audit_expenditures" + where);
  Tamper("DELETE FROM audit_expenditures" + where);
  report = MustVerify();
  ASSERT_FALSE(report.ok);
  EXPECT_EQ(report.problem->seq, fact_seq);
  EXPECT_NE(report.problem->what.find("no row"), std::string::npos) << report.problem->what;
  Tamper("INSERT INTO audit_expenditures SELECT * FROM saved_fact");
  report = MustVerify();
  ASSERT_FALSE(report.ok);
  EXPECT_EQ(report.problem->seq, 3);
  EXPECT_NE(report.problem->what.find("a row of no expenditure"), std::string::npos) << report.problem->what;
}

}  // namespace
}  // namespace jejak::db
