// The search filters of GET /v1/entries in a real store (SQLite, and PostgreSQL as pg.*):
// each filter finds exactly its expenditures, both orders page with their cursors, an
// OPD's search never shows another OPD's entries, a payee prefix is ASCII case-insensitive
// with % and _ taken literally, and each filter's query is answered from its index
// (migration 6) according to the database's own plan.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/entry_search.h"
#include "db/store.h"
#include "ledger/entry.h"
#include "ledger/money.h"
#include "tests/db/db_test_util.h"

namespace jejak::db {
namespace {

namespace fs = std::filesystem;

constexpr const char* kOrigin = "jejak.test/kabupaten-search";
constexpr const char* kOpdA = "1.02.0.00.0.00.01.0000";
constexpr const char* kOpdB = "1.01.0.00.0.00.01.0000";
constexpr const char* kSubActivity = "1.02.02.2.01.0014";
constexpr std::int64_t kMillion = 1'000'000LL * 100;

// One expenditure of the fixture.
struct Payment {
  const char* name;  // Key in seq_.
  const char* opd;
  const char* account;
  const char* instrument;
  const char* payee;
  const char* npwp;  // "" for none.
  std::int64_t gross_sen;
  const char* sp2d;  // "" for none.
};

const Payment kPayments[] = {
    {"atk", kOpdA, "5.1.02.01.01.0024", "cms_transfer", "CV Maju Jaya", "012345678901234", 12 * kMillion, "SP2D-001"},
    {"modal", kOpdA, "5.2.02.05.01.0001", "sp2d_ls", "PT Bangun_Raya", "", 150 * kMillion, "SP2D-002"},
    {"qris", kOpdA, "5.1.02.01.01.0024", "qris", "Toko maju", "012345678901234", 2 * kMillion, ""},
    {"percent", kOpdB, "5.1.02.01.01.0024", "kkpd", "CV 100% Jaya", "", 5 * kMillion, ""},
    {"other", kOpdB, "5.2.02.05.01.0001", "cms_transfer", "CV Maju Jaya", "012345678901234", 12 * kMillion, "SP2D-003"},
};

class EntrySearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_support::FreshTestDirectory("jejak-search-test");
    store_ = test_support::OpenTestStore(dir_ / "ledger.db", test_support::SeededSigner(kOrigin, 31));
    ASSERT_NE(store_, nullptr);
    const ledger::NoteSigner signer = test_support::SeededSigner(kOrigin, 31);
    Append({test_support::GenesisBody("search", kOrigin, signer)}, "admin");
    Append({test_support::OpdBody(kOpdA, "Dinas Kesehatan"), test_support::OpdBody(kOpdB, "Dinas Pendidikan")},
           "admin");
    seq_["opd_a"] = last_seq_ - 1;  // The OPD's own registration is listed under its code.
    int n = 0;
    for (const Payment& payment : kPayments) {
      ++n;
      nlohmann::json payee = {{"name", payment.payee}, {"bank", "Bank Bengkulu"},
                              {"account_no", "0012" + std::to_string(n)}, {"account_name", payment.payee}};
      if (*payment.npwp != '\0') payee["npwp"] = payment.npwp;
      nlohmann::json documents = {{"evidence_no", std::string("BKT-") + payment.name},
                                  {"spm", std::string("SPM-") + payment.name}};
      if (*payment.sp2d != '\0') documents["sp2d"] = payment.sp2d;
      const std::string gross = ledger::FormatMoney(payment.gross_sen);
      Append({{{"kind", "expenditure"}, {"fiscal_year", 2026}, {"opd", payment.opd},
               {"sub_activity", kSubActivity}, {"account", payment.account},
               {"mechanism", std::string(payment.instrument) == "sp2d_ls" ? "LS" : "GU"},
               {"instrument", payment.instrument}, {"value_date", "2026-03-0" + std::to_string(n)},
               {"gross", gross}, {"taxes", nlohmann::json::array()}, {"net", gross},
               {"payee", payee}, {"bank_ref", std::string("REF-") + payment.name},
               {"documents", documents}, {"description", "Belanja"}}},
             "bendahara");
      seq_[payment.name] = last_seq_;
    }
    // A reversal of A's "qris" payment: listed for A without search filters only.
    Append({{{"kind", "reversal"}, {"reverses", seq_["qris"]}, {"reason", "salah catat"}}}, "bendahara");
    seq_["reversal"] = last_seq_;
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  void Append(const std::vector<nlohmann::json>& bodies, const std::string& by) {
    std::vector<PendingEntry> pending;
    for (const nlohmann::json& body : bodies) pending.push_back(PendingEntry{test_support::Body(body), by});
    Result<BatchReceipt> receipt = store_->Append(std::move(pending), "2026-03-10T03:00:00.000Z");
    ASSERT_TRUE(receipt.has_value()) << receipt.error().ToString();
    last_seq_ = receipt->entries.back().seq;
  }

  // The seqs `filter` lists, all pages followed.
  std::vector<std::int64_t> Seqs(EntryFilter filter) {
    std::vector<std::int64_t> seqs;
    for (int pages = 0; pages < 100; ++pages) {
      Result<EntryPage> page = store_->ListEntries(filter);
      EXPECT_TRUE(page.has_value()) << page.error().ToString();
      if (!page) return seqs;
      for (const StoredEntry& entry : page->entries) seqs.push_back(entry.seq);
      if (!page->next_after_seq) return seqs;
      (filter.descending ? filter.before_seq : filter.after_seq) = *page->next_after_seq;
    }
    ADD_FAILURE() << "paging did not end";
    return seqs;
  }
  std::vector<std::int64_t> Named(std::initializer_list<const char*> names) {
    std::vector<std::int64_t> seqs;
    for (const char* name : names) seqs.push_back(seq_.at(name));
    return seqs;
  }

  // Adds 30,000 synthetic expenditure rows (straight into the table: they are no valid
  // entries, and this ledger is never verified again) with varied values, and has the
  // database gather statistics, so that its planner chooses as on a large ledger.
  void FillForPlanner() {
    std::unique_ptr<soci::session> sql = test_support::OpenSession(dir_ / "ledger.db");
    const bool postgres = test_support::OnPostgres();
    const std::string pad4 = postgres ? "lpad((g % 1000)::text, 4, '0')" : "printf('%04d', g % 1000)";
    const std::string npwp = postgres ? "lpad((g % 400)::text, 15, '9')" : "printf('9999999999%05d', g % 400)";
    const std::string rows =
        " INSERT INTO entries (seq, canonical, leaf_hash, chain_hash, kind, recorded_at, recorded_by,"
        " fiscal_year, opd, account, instrument, value_date, bank_ref, payee_npwp, amount_sen, evidence_no)"
        " SELECT g, '{\"documents\":{\"spm\":\"M' || g || '\",\"spp\":\"P' || g || '\",\"sp2d\":\"D' || g ||"
        " '\"},\"payee\":{\"name\":\"Syn ' || g || '\"}}', '" + std::string(64, '0') + "', '" + std::string(64, '0') + "', 'expenditure',"
        " '2026-01-01T00:00:00.000Z', 'syn', 2026, CASE WHEN g % 2 = 0 THEN '1.02.0.00.0.00.01.0000' ELSE '1.01.0.00.0.00.01.0000' END,"
        " '5.1.02.01.01.' || " + pad4 + ", CASE WHEN g % 50 = 0 THEN 'qris' ELSE 'cms_transfer' END,"
        " '2026-02-01', 'SYN-' || g, " + npwp + ", g * 100, 'E' || g";
    if (postgres) {
      *sql << rows + " FROM generate_series(100000, 129999) AS g";
    } else {
      *sql << "WITH RECURSIVE n(g) AS (SELECT 100000 UNION ALL SELECT g + 1 FROM n WHERE g < 129999)" + rows +
                  " FROM n";
    }
    *sql << "ANALYZE";
  }

  // The plan of `filter`'s query, one string.
  std::string Plan(const EntryFilter& filter) {
    std::unique_ptr<soci::session> sql = test_support::OpenSession(dir_ / "ledger.db");
    Result<std::vector<std::string>> plan = ExplainEntrySearch(*sql, filter);
    if (!plan) {
      ADD_FAILURE() << plan.error().ToString();
      return "";
    }
    std::string text;
    for (const std::string& line : *plan) text += line + "\n";
    return text;
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  std::map<std::string, std::int64_t> seq_;
  std::int64_t last_seq_ = 0;
};

TEST_F(EntrySearchTest, EachFilterFindsExactlyItsExpenditures) {
  EntryFilter filter;
  filter.bank_ref = "REF-modal";
  EXPECT_EQ(Seqs(filter), Named({"modal"}));
  filter = {};
  filter.evidence_no = "BKT-percent";  // documents.evidence_no
  EXPECT_EQ(Seqs(filter), Named({"percent"}));
  filter.evidence_no = "SPM-atk";  // documents.spm
  EXPECT_EQ(Seqs(filter), Named({"atk"}));
  filter.evidence_no = "SP2D-003";  // documents.sp2d
  EXPECT_EQ(Seqs(filter), Named({"other"}));
  filter.evidence_no = "sp2d-003";  // Exact: case counts.
  EXPECT_EQ(Seqs(filter), std::vector<std::int64_t>{});
  filter = {};
  filter.payee_npwp = "012345678901234";
  EXPECT_EQ(Seqs(filter), Named({"atk", "qris", "other"}));
  filter = {};
  filter.instrument = "cms_transfer";
  EXPECT_EQ(Seqs(filter), Named({"atk", "other"}));
  filter = {};
  filter.amount_min_sen = 5 * kMillion;
  filter.amount_max_sen = 12 * kMillion;
  EXPECT_EQ(Seqs(filter), Named({"atk", "percent", "other"}));
  filter.amount_min_sen = 12 * kMillion + 1;
  filter.amount_max_sen.reset();
  EXPECT_EQ(Seqs(filter), Named({"modal"}));
}

TEST_F(EntrySearchTest, PayeePrefixIsAsciiCaseInsensitiveAndLiteral) {
  EntryFilter filter;
  filter.payee = "cv MAJU";
  EXPECT_EQ(Seqs(filter), Named({"atk", "other"}));
  filter.payee = "TOKO M";
  EXPECT_EQ(Seqs(filter), Named({"qris"}));
  filter.payee = "CV 100%";  // % is a character, not a wildcard.
  EXPECT_EQ(Seqs(filter), Named({"percent"}));
  filter.payee = "CV %";
  EXPECT_EQ(Seqs(filter), std::vector<std::int64_t>{});
  filter.payee = "PT Bangun_";  // _ too.
  EXPECT_EQ(Seqs(filter), Named({"modal"}));
  filter.payee = "PT Bangun-";
  EXPECT_EQ(Seqs(filter), std::vector<std::int64_t>{});
  filter.payee = "maju";  // A prefix, not a substring.
  EXPECT_EQ(Seqs(filter), std::vector<std::int64_t>{});
}

TEST_F(EntrySearchTest, AccountMatchesWholeSegmentsOnly) {
  EntryFilter filter;
  filter.account = "5.2";
  EXPECT_EQ(Seqs(filter), Named({"modal", "other"}));
  filter.account = "5.1.02.01.01.0024";
  EXPECT_EQ(Seqs(filter), Named({"atk", "qris", "percent"}));
  filter.account = "5.1.02.01.01.002";  // Not a segment boundary.
  EXPECT_EQ(Seqs(filter), std::vector<std::int64_t>{});
  filter.account = "5";
  EXPECT_EQ(Seqs(filter).size(), 5u);
}

TEST_F(EntrySearchTest, OpdScopingHoldsWithEveryFilter) {
  EntryFilter filter;
  filter.opd = kOpdA;
  filter.payee_npwp = "012345678901234";
  EXPECT_EQ(Seqs(filter), Named({"atk", "qris"}));
  filter = {};
  filter.opd = kOpdA;
  filter.bank_ref = "REF-other";  // Another OPD's.
  EXPECT_EQ(Seqs(filter), std::vector<std::int64_t>{});
  filter = {};
  filter.opd = kOpdB;
  filter.payee = "cv";
  EXPECT_EQ(Seqs(filter), Named({"percent", "other"}));
  filter = {};
  filter.opd = kOpdA;  // Without a search filter the OPD's reversal is listed too.
  EXPECT_EQ(Seqs(filter), Named({"opd_a", "atk", "modal", "qris", "reversal"}));
  filter.instrument = "qris";  // With one, expenditures only.
  EXPECT_EQ(Seqs(filter), Named({"qris"}));
}

TEST_F(EntrySearchTest, DescendingPagesWithBeforeSeq) {
  EntryFilter filter;
  filter.kind = "expenditure";
  filter.descending = true;
  filter.limit = 2;
  Result<EntryPage> first = store_->ListEntries(filter);
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->entries.size(), 2u);
  EXPECT_EQ(first->entries[0].seq, seq_["other"]);
  EXPECT_EQ(first->entries[1].seq, seq_["percent"]);
  ASSERT_TRUE(first->next_after_seq.has_value());
  EXPECT_EQ(*first->next_after_seq, seq_["percent"]);
  EXPECT_EQ(Seqs(filter), Named({"other", "percent", "qris", "modal", "atk"}));
  filter.payee_npwp = "012345678901234";
  filter.limit = 1;
  EXPECT_EQ(Seqs(filter), Named({"other", "qris", "atk"}));
  filter.evidence_no = "SPM-qris";
  EXPECT_EQ(Seqs(filter), Named({"qris"}));
}

TEST_F(EntrySearchTest, FiltersCombine) {
  EntryFilter filter;
  filter.payee = "cv maju";
  filter.account = "5.2";
  EXPECT_EQ(Seqs(filter), Named({"other"}));
  filter.from = "2026-03-06";
  EXPECT_EQ(Seqs(filter), std::vector<std::int64_t>{});
  filter = {};
  filter.evidence_no = "SP2D-001";
  filter.amount_max_sen = 12 * kMillion;
  filter.instrument = "cms_transfer";
  filter.fiscal_year = 2026;
  EXPECT_EQ(Seqs(filter), Named({"atk"}));
  filter.fiscal_year = 2025;
  EXPECT_EQ(Seqs(filter), std::vector<std::int64_t>{});
}

TEST(PrefixEndTest, BoundsEveryExtensionAndStaysUtf8) {
  EXPECT_EQ(PrefixEnd("cv maju"), "cv majv");
  EXPECT_EQ(PrefixEnd("a\x7f"), "a\xc2\x80");
  EXPECT_EQ(PrefixEnd("\xc3\xa9"), "\xc3\xaa");                         // é -> ê
  EXPECT_EQ(PrefixEnd("x\xed\x9f\xbf"), "x\xee\x80\x80");               // U+D7FF -> U+E000
  EXPECT_EQ(PrefixEnd("b\xf4\x8f\xbf\xbf"), "c");                       // U+10FFFF dropped
  EXPECT_EQ(PrefixEnd("\xf4\x8f\xbf\xbf"), "");
  EXPECT_EQ(AsciiLower("CV Ä Maju"), "cv Ä maju");
}

// Each search filter's query uses its own index (migration 6), in the order asked.
TEST_F(EntrySearchTest, EachFilterUsesItsIndex) {
  struct Case {
    const char* index;
    EntryFilter filter;
  };
  std::vector<Case> cases;
  auto add = [&cases](const char* index, auto set) {
    EntryFilter filter;
    set(filter);
    cases.push_back({index, filter});
    filter.opd = kOpdA;  // An officer's search: the OPD's own index must not take over.
    filter.fiscal_year = 2026;
    cases.push_back({index, filter});
    filter.descending = true;
    filter.before_seq = 200000;
    cases.push_back({index, filter});
  };
  FillForPlanner();
  const bool postgres = test_support::OnPostgres();
  // bank_ref's index is its UNIQUE constraint's, named by each database.
  add(postgres ? "entries_bank_ref_key" : "sqlite_autoindex_entries_1", [](EntryFilter& f) { f.bank_ref = "REF-atk"; });
  add("entries_evidence_no", [](EntryFilter& f) { f.evidence_no = "SP2D-001"; });
  add("entries_spp", [](EntryFilter& f) { f.evidence_no = "SP2D-001"; });
  add("entries_spm", [](EntryFilter& f) { f.evidence_no = "SP2D-001"; });
  add("entries_sp2d", [](EntryFilter& f) { f.evidence_no = "SP2D-001"; });
  add("entries_payee_npwp", [](EntryFilter& f) { f.payee_npwp = "012345678901234"; });
  add("entries_payee_name", [](EntryFilter& f) { f.payee = "cv maju"; });
  add("entries_gross", [](EntryFilter& f) { f.amount_min_sen = 5 * kMillion; f.amount_max_sen = 6 * kMillion; });
  // A one-sided range: SQLite reads its index (IsBroadSearch counts it first). PostgreSQL
  // weighs that against reading in seq order by its statistics (a page of a range it
  // expects to be dense comes sooner in seq order), so only the bounded range is asserted there.
  if (!postgres) add("entries_gross", [](EntryFilter& f) { f.amount_min_sen = 5 * kMillion; });
  add("entries_instrument", [](EntryFilter& f) { f.instrument = "qris"; });
  for (const Case& c : cases) {
    if (c.filter.opd && std::string(c.index) == "entries_instrument") continue;  // Below.
    const std::string plan = Plan(c.filter);
    EXPECT_NE(plan.find(c.index), std::string::npos) << c.index << " not in the plan:\n" << plan;
  }
  // A broad range (every synthetic payee starts with "Syn 1") is read in seq order on
  // SQLite, which has no statistics to tell it; it finds the same entries either way.
  EntryFilter broad;
  broad.payee = "syn 1";
  if (!postgres) {
    const std::string plan = Plan(broad);
    EXPECT_EQ(plan.find("entries_payee_name"), std::string::npos) << plan;
    EXPECT_NE(plan.find("PRIMARY KEY"), std::string::npos) << plan;
  }
  broad.limit = 1000;
  EXPECT_EQ(Seqs(broad).size(), 30000u);
  broad.descending = true;
  const std::vector<std::int64_t> newest_first = Seqs(broad);
  ASSERT_EQ(newest_first.size(), 30000u);
  EXPECT_EQ(newest_first.front(), 129999);
  EXPECT_EQ(newest_first.back(), 100000);
  broad.payee = "syn 10000";  // 100000 to 100009: narrow, so its index drives.
  EXPECT_EQ(Seqs(broad).size(), 10u);
  EXPECT_NE(Plan(broad).find("entries_payee_name"), std::string::npos) << Plan(broad);
  // Auditor-wide instrument and account searches: their indexes.
  EntryFilter instrument;
  instrument.instrument = "qris";
  EXPECT_NE(Plan(instrument).find("entries_instrument"), std::string::npos) << Plan(instrument);
  EntryFilter account;
  account.account = "5.1.02.01.01.0024";
  EXPECT_NE(Plan(account).find("entries_account"), std::string::npos) << Plan(account);
}

}  // namespace
}  // namespace jejak::db
