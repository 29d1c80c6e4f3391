// Tests of Store::Import (db/import.cc) on both backends: the regency of the summary
// fixture exported as a bundle and imported into an empty database reproduces the same
// root, checkpoint (with its cosignature), rows and reports, and verifies; a tampered,
// truncated, reordered, non-canonical, foreign-key or rule-breaking bundle, a non-empty
// database and a data directory whose kept checkpoint the bundle does not extend are
// refused naming the first bad line, with nothing written.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <soci/soci.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "crypto/ed25519.h"
#include "db/bundle_export.h"
#include "db/kept_checkpoint.h"
#include "db/store.h"
#include "ledger/bundle.h"
#include "ledger/canonical.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/merkle.h"
#include "ledger/seal.h"
#include "tests/db/db_test_util.h"
#include "tests/db/summary_fixture.h"

namespace jejak::db {
namespace {

namespace fs = std::filesystem;
using summary_test::kOrigin;
using summary_test::TestSigner;

constexpr const char* kExportTime = "2026-12-31T09:00:00.000Z";

// The lines of `bundle` (each without its "\n").
std::vector<std::string> Lines(const std::string& bundle) {
  std::vector<std::string> lines;
  std::size_t begin = 0;
  while (begin < bundle.size()) {
    std::size_t end = bundle.find('\n', begin);
    if (end == std::string::npos) end = bundle.size();
    lines.push_back(bundle.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string bundle;
  for (const std::string& line : lines) bundle += line + "\n";
  return bundle;
}

// `bundle` as a ledger::LineSource (the last line may lack its "\n").
ledger::LineSource SourceOf(const std::string& bundle, std::size_t& begin) {
  return [&bundle, &begin](std::string& line) {
    if (begin >= bundle.size()) return ledger::LineRead::kEnd;
    std::size_t end = bundle.find('\n', begin);
    if (end == std::string::npos) end = bundle.size();
    if (end - begin > ledger::kBundleLineBytesMax) return ledger::LineRead::kTooLong;
    line.assign(bundle, begin, end - begin);
    begin = end + 1;
    return ledger::LineRead::kLine;
  };
}

class ImportTest : public summary_test::SummaryTest {
 protected:
  void SetUp() override {
    summary_test::SummaryTest::SetUp();
    // An auditor's cosignature on the newest checkpoint: the bundle carries it.
    Result<std::uint64_t> size = store_->TreeSize();
    ASSERT_TRUE(size.has_value());
    Result<std::optional<std::string>> note = store_->CheckpointAt(*size);
    ASSERT_TRUE(note.has_value() && note->has_value());
    Result<ledger::NoteParts> parts = ledger::SplitNote(**note);
    ASSERT_TRUE(parts.has_value());
    ASSERT_TRUE(store_->AddCosignature(*size, "bpk.auditor",
                                       ledger::CosignatureLine(parts->text, "bpk.auditor",
                                                               Witness(77), 1798700000))
                    .has_value());
    bundle_ = Export();
  }

  // The whole ledger as a bundle closed by its stored checkpoint (with the cosignature).
  std::string Export() {
    Result<std::uint64_t> size = store_->TreeSize();
    EXPECT_TRUE(size.has_value());
    BundleExportOptions options{kOrigin, verifier_, &signer_, static_cast<std::int64_t>(*size) - 1,
                                kExportTime, BundleCheckpoint::kStoredIfPresent};
    Result<BundleExporter> exporter = BundleExporter::Open(*store_, options);
    EXPECT_TRUE(exporter.has_value()) << exporter.error().ToString();
    std::string bundle;
    for (;;) {
      std::string chunk;
      Result<bool> more = exporter->Next(chunk);
      EXPECT_TRUE(more.has_value());
      bundle += chunk;
      if (!more || !*more) return bundle;
    }
  }

  // A fresh empty store `name` in the test directory, keeping its checkpoint in `kept`.
  std::unique_ptr<Store> Target(const std::string& name, const std::string& kept = "") {
    return test_support::OpenTestStore(dir_ / name, signer_, kept);
  }

  // The auditor's cosigner key made from a seed of zeros but the first byte.
  static crypto::PrivateKey Witness(std::uint8_t seed_first_byte) {
    std::array<std::uint8_t, 32> seed{};
    seed[0] = seed_first_byte;
    return crypto::KeyFromSeed(seed);
  }

  Result<ImportReceipt> Import(Store& store, const std::string& bundle,
                               const std::string& origin = kOrigin) {
    std::size_t begin = 0;
    return store.Import(ImportOptions{verifier_, origin, witnesses_, 2, {}}, SourceOf(bundle, begin));
  }

  // Rows of `query` (one text column) on the database standing for `name`.
  std::vector<std::string> Rows(const std::string& name, const std::string& query) {
    std::unique_ptr<soci::session> sql = test_support::OpenSession(dir_ / name);
    std::vector<std::string> rows;
    soci::rowset<std::string> result = sql->prepare << query;
    for (const std::string& row : result) rows.push_back(row);
    return rows;
  }

  // Every row the ledger's tables hold, as text, in a fixed order.
  std::vector<std::string> AllRows(const std::string& name) {
    std::vector<std::string> rows;
    for (const char* query :
         {"SELECT CAST(seq AS TEXT) || canonical || leaf_hash || chain_hash || kind || recorded_at ||"
          " COALESCE(opd, '-') || COALESCE(CAST(amount_sen AS TEXT), '-') ||"
          " COALESCE(CAST(reverses AS TEXT), '-') || COALESCE(covers, '-') FROM entries ORDER BY seq",
          "SELECT CAST(level AS TEXT) || ':' || CAST(node_index AS TEXT) || ':' ||"
          " CAST(completed_seq AS TEXT) || ':' || hash FROM merkle_nodes ORDER BY level, node_index",
          "SELECT CAST(fiscal_year AS TEXT) || opd || account_group || instrument || month || ':' ||"
          " CAST(amount_sen AS TEXT) || ':' || CAST(entries AS TEXT) FROM realisation_monthly"
          " ORDER BY fiscal_year, opd, account_group, instrument, month",
          "SELECT CAST(fiscal_year AS TEXT) || value_date || opd || account_group || instrument || ':' ||"
          " CAST(amount_sen AS TEXT) || ':' || CAST(entries AS TEXT) FROM realisation_daily"
          " ORDER BY fiscal_year, value_date, opd, account_group, instrument",
          "SELECT CAST(fiscal_year AS TEXT) || opd || sub_activity || account || month || ':' ||"
          " CAST(amount_sen AS TEXT) || ':' || CAST(entries AS TEXT) FROM realisation_lines"
          " ORDER BY fiscal_year, opd, sub_activity, account, month",
          "SELECT CAST(seq AS TEXT) FROM audit_expenditures ORDER BY seq"}) {
      for (std::string& row : Rows(name, query)) rows.push_back(std::move(row));
    }
    return rows;
  }

  // Imports `bundle` into a fresh store and expects it refused with kDataLoss naming
  // `names` and nothing written.
  void ExpectRefused(const std::string& bundle, const std::string& names, const std::string& name) {
    std::unique_ptr<Store> target = Target(name);
    ASSERT_NE(target, nullptr);
    Result<ImportReceipt> receipt = Import(*target, bundle);
    ASSERT_FALSE(receipt.has_value()) << "imported a bad bundle";
    EXPECT_EQ(receipt.error().code, Code::kDataLoss) << receipt.error().ToString();
    EXPECT_NE(receipt.error().message.find(names), std::string::npos) << receipt.error().message;
    EXPECT_EQ(*target->TreeSize(), 0u);
    EXPECT_FALSE(target->LatestCheckpoint()->has_value());
    target.reset();
    EXPECT_TRUE(AllRows(name).empty()) << "rows left behind by a refused import";
  }

  ledger::NoteSigner signer_ = TestSigner();
  ledger::NoteVerifier verifier_ = ledger::VerifierOf(signer_);
  std::string bundle_;
  // The data directory's configured witness: the auditor who cosigned.
  std::vector<ledger::CosignerKey> witnesses_ = {
      {"bpk.auditor", ledger::CosignerKeyId("bpk.auditor", Witness(77).public_key),
       Witness(77).public_key}};
};

TEST_F(ImportTest, ReproducesTheLedgerRowForRow) {
  const std::vector<std::string> lines = Lines(bundle_);
  std::unique_ptr<Store> target = Target("imported.db");
  ASSERT_NE(target, nullptr);
  Result<ImportReceipt> receipt = Import(*target, bundle_);
  ASSERT_TRUE(receipt.has_value()) << receipt.error().ToString();
  const std::uint64_t size = *store_->TreeSize();
  EXPECT_EQ(receipt->entries, size);
  EXPECT_EQ(receipt->entries, lines.size() - 2);
  EXPECT_EQ(receipt->cosignatures, 1u);
  EXPECT_EQ(receipt->root, *store_->TreeHash(size));
  EXPECT_EQ(*target->TreeHash(size), *store_->TreeHash(size));
  // The checkpoint as GET /v1/checkpoint shows it: the same note and cosignature.
  EXPECT_EQ(receipt->checkpoint, **store_->CheckpointAt(size));
  EXPECT_EQ(**target->LatestCheckpoint(), **store_->CheckpointAt(size));
  EXPECT_EQ(*target->Cosignatures(size), *store_->Cosignatures(size));
  EXPECT_EQ(*WithCosignatures(*target, verifier_, receipt->checkpoint),
            nlohmann::json::parse(lines.back())["checkpoint"].get<std::string>());
  // Every row the append writes, written alike; and the service's own checks pass.
  target.reset();
  const std::vector<std::string> imported = AllRows("imported.db");
  EXPECT_EQ(imported, AllRows("ledger.db"));
  EXPECT_GT(imported.size(), size * 2);
  target = Target("imported.db");
  Result<VerifyReport> report = target->Verify(verifier_, receipt->checkpoint);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_TRUE(report->ok) << report->problem->seq << ": " << report->problem->what;
  EXPECT_EQ(report->entries, size);
  EXPECT_EQ(report->checkpoints, 1u);  // Only the bundle's: the commits' others are not in it.
  // The same reports from the imported ledger.
  std::unique_ptr<Store> source = std::move(store_);
  store_ = std::move(target);
  const ledger::AbsorptionReport imported_absorption = Absorption("2026-12-31");
  const std::vector<ledger::Finding> imported_findings = Findings("2026-12-31");
  store_ = std::move(source);
  const ledger::AbsorptionReport source_absorption = Absorption("2026-12-31");
  EXPECT_EQ(imported_absorption.total.realisation_sen, source_absorption.total.realisation_sen);
  EXPECT_EQ(imported_absorption.opds.size(), source_absorption.opds.size());
  EXPECT_EQ(imported_findings.size(), Findings("2026-12-31").size());
}

TEST_F(ImportTest, KeepsTheCheckpointAndRefusesANonEmptyDatabase) {
  const std::string kept = (dir_ / "state" / "latest-checkpoint").string();
  std::unique_ptr<Store> target = Target("imported.db", kept);
  ASSERT_TRUE(Import(*target, bundle_).has_value());
  Result<std::optional<std::string>> note = ReadKeptCheckpoint(kept);
  ASSERT_TRUE(note.has_value() && note->has_value());
  EXPECT_EQ(**note, **target->LatestCheckpoint());
  EXPECT_TRUE(target->CheckKeptCheckpoint(verifier_).has_value());

  const std::vector<std::string> before = AllRows("imported.db");
  Result<ImportReceipt> again = Import(*target, bundle_);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, Code::kConflict);
  EXPECT_NE(again.error().message.find("not empty"), std::string::npos) << again.error().message;
  Result<ImportReceipt> into_source = Import(*store_, bundle_);
  ASSERT_FALSE(into_source.has_value());
  EXPECT_EQ(into_source.error().code, Code::kConflict);
  target.reset();
  EXPECT_EQ(AllRows("imported.db"), before);
}

TEST_F(ImportTest, RefusesABundleThatDoesNotExtendTheKeptCheckpoint) {
  // The data directory kept a checkpoint of the whole ledger; a bundle of fewer entries
  // would rewind it.
  const std::string kept = (dir_ / "state" / "latest-checkpoint").string();
  const std::uint64_t size = *store_->TreeSize();
  ASSERT_TRUE(KeepCheckpoint(kept, size, **store_->CheckpointAt(size)).has_value());
  BundleExportOptions options{kOrigin, verifier_, &signer_, 20, kExportTime,
                              BundleCheckpoint::kFreshlySigned};
  Result<BundleExporter> exporter = BundleExporter::Open(*store_, options);
  ASSERT_TRUE(exporter.has_value());
  std::string prefix;
  for (;;) {
    std::string chunk;
    Result<bool> more = exporter->Next(chunk);
    ASSERT_TRUE(more.has_value());
    prefix += chunk;
    if (!*more) break;
  }
  std::unique_ptr<Store> target = Target("imported.db", kept);
  Result<ImportReceipt> receipt = Import(*target, prefix);
  ASSERT_FALSE(receipt.has_value());
  EXPECT_EQ(receipt.error().code, Code::kDataLoss);
  EXPECT_NE(receipt.error().message.find("does not extend"), std::string::npos) << receipt.error().message;
  EXPECT_EQ(*target->TreeSize(), 0u);
}

TEST_F(ImportTest, RefusesAChangedByte) {
  // A change that leaves a valid entry: the bundle carries no hash per entry, so only its
  // checkpoint's root (over every byte) tells, on the checkpoint line.
  // lines[i] is line i + 1, entry seq i - 1.
  std::vector<std::string> lines = Lines(bundle_);
  const std::size_t at = lines[11].find("\"recorded_by\":\"");  // seq 10.
  ASSERT_NE(at, std::string::npos) << lines[11];
  ++lines[11][at + 15];
  ExpectRefused(Join(lines), "bundle line " + std::to_string(lines.size()) + " (checkpoint)",
                "changed.db");
  ExpectRefused(Join(lines), "root hash differs", "changed2.db");
  // A change that breaks the entry: named on its own line.
  lines = Lines(bundle_);
  const std::size_t kind = lines[11].find("\"kind\":\"");
  ASSERT_NE(kind, std::string::npos);
  lines[11][kind + 8] = 'x';
  ExpectRefused(Join(lines), "bundle line 12 (seq 10)", "broken.db");
}

TEST_F(ImportTest, RefusesADroppedLine) {
  std::vector<std::string> lines = Lines(bundle_);
  lines.erase(lines.begin() + 6);  // seq 5: seq 6 comes where 5 should.
  ExpectRefused(Join(lines), "bundle line 7 (seq 5)", "dropped.db");
}

TEST_F(ImportTest, RefusesSwappedLines) {
  std::vector<std::string> lines = Lines(bundle_);
  std::swap(lines[8], lines[9]);  // seq 7 and 8.
  ExpectRefused(Join(lines), "bundle line 9 (seq 7)", "swapped.db");
}

TEST_F(ImportTest, RefusesANonCanonicalLine) {
  std::vector<std::string> lines = Lines(bundle_);
  lines[4].insert(1, " ");  // seq 3: the same JSON, not its canonical bytes.
  ExpectRefused(Join(lines), "bundle line 5 (seq 3)", "noncanonical.db");
}

TEST_F(ImportTest, RefusesATruncatedFile) {
  ExpectRefused(bundle_.substr(0, bundle_.size() - 40), "bundle line", "truncated.db");
  std::vector<std::string> lines = Lines(bundle_);
  lines.pop_back();  // Ends cleanly, without its checkpoint line.
  ExpectRefused(Join(lines), "without a checkpoint line", "nocheckpoint.db");
}

TEST_F(ImportTest, RefusesACheckpointOfAnotherKey) {
  std::vector<std::string> lines = Lines(bundle_);
  const std::size_t size = lines.size() - 2;
  Result<ledger::Checkpoint> checkpoint = ledger::OpenCheckpoint(
      nlohmann::json::parse(lines.back())["checkpoint"].get<std::string>(), verifier_);
  ASSERT_TRUE(checkpoint.has_value());
  // Same origin, same tree: signed by a key the data directory does not hold.
  const ledger::NoteSigner other = test_support::SeededSigner(kOrigin, 99);
  lines.back() = ledger::BundleCheckpointLine(ledger::SignCheckpoint(*checkpoint, other));
  ExpectRefused(Join(lines), "bundle line " + std::to_string(size + 2) + " (checkpoint)", "otherkey.db");
}

TEST_F(ImportTest, RefusesACosignatureNoConfiguredWitnessMade) {
  const std::string checkpoint_line = "bundle line " + std::to_string(Lines(bundle_).size()) + " (checkpoint)";
  // Not a witness of this data directory: the service would not have stored it.
  const std::vector<ledger::CosignerKey> configured = witnesses_;
  witnesses_.clear();
  ExpectRefused(bundle_, checkpoint_line + ": cosigner bpk.auditor is not a witness key", "unknown.db");
  // The configured witness's name on a line another key signed.
  witnesses_ = configured;
  std::vector<std::string> lines = Lines(bundle_);
  const std::string note = nlohmann::json::parse(lines.back())["checkpoint"].get<std::string>();
  Result<ledger::NoteParts> parts = ledger::SplitNote(note);
  ASSERT_TRUE(parts.has_value());
  const std::string stored = **store_->CheckpointAt(*store_->TreeSize());
  lines.back() = ledger::BundleCheckpointLine(
      stored + ledger::CosignatureLine(parts->text, "bpk.auditor", Witness(78), 1798700000));
  ExpectRefused(Join(lines), checkpoint_line + ": the cosignature by bpk.auditor does not verify",
                "forged.db");
}

TEST_F(ImportTest, RefusesAnotherOrigin) {
  std::unique_ptr<Store> target = Target("origin.db");
  Result<ImportReceipt> receipt = Import(*target, bundle_, "jejak.test/another-regency");
  ASSERT_FALSE(receipt.has_value());
  EXPECT_NE(receipt.error().message.find("bundle line 2 (seq 0)"), std::string::npos)
      << receipt.error().message;
  EXPECT_EQ(*target->TreeSize(), 0u);
}

TEST_F(ImportTest, RefusesASignedBundleThatBreaksALedgerRule) {
  // Signed by the ledger's own key and every hash right, but its last entry pays a
  // bank_ref already recorded: a ledger the service could not have built.
  std::vector<std::string> lines = Lines(bundle_);
  lines.pop_back();
  const std::uint64_t size = lines.size() - 1;
  ledger::MerkleFrontier frontier;
  for (std::uint64_t seq = 0; seq < size; ++seq) frontier.Append(store_->Entry(static_cast<std::int64_t>(seq))->leaf_hash);
  const ledger::ChainTip tip{size, store_->Entry(static_cast<std::int64_t>(size) - 1)->chain_hash};
  const summary_test::Spend spend{summary_test::kOpdB, summary_test::kBarangJasa, "cms_transfer",
                                  "2026-12-20", 6 * summary_test::kMillion, {},
                                  {"CV Cerdas", "", "BRI", "0012000999"}, "B-099"};
  const nlohmann::json entry = ledger::StampAt(
      tip, *test_support::Body(summary_test::ExpenditureBody(spend, 1)), "2026-12-31T03:00:00.000Z",
      "bendahara");
  const ledger::SealedEntry sealed = ledger::Seal(tip, ledger::Canonicalize(entry));
  frontier.Append(sealed.leaf_hash);
  lines.push_back(sealed.canonical);
  const ledger::Checkpoint forged{kOrigin, size + 1, frontier.Root(), sealed.chain_hash, kExportTime};
  lines.push_back(ledger::BundleCheckpointLine(ledger::SignCheckpoint(forged, signer_)));
  ExpectRefused(Join(lines),
                "bundle line " + std::to_string(size + 2) + " (seq " + std::to_string(size) + ")",
                "rule.db");
}

}  // namespace
}  // namespace jejak::db
