// Tests of db/bundle_export.h against a real SQLite ledger: the bytes it produces equal
// the bundle format (header line, canonical entries from seq 0, checkpoint line) line for
// line, ledger::BundleChecker accepts them, pages stay bounded, and the closing
// checkpoint is the stored one (with cosignatures) or a freshly signed one as asked.
#include "db/bundle_export.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "crypto/ed25519.h"
#include "ledger/bundle.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/entry.h"
#include "ledger/limits.h"
#include "tests/db/db_test_util.h"

namespace jejak::db {
namespace {

namespace fs = std::filesystem;

constexpr const char* kOrigin = "jejak.test/bundle-export";
constexpr const char* kOpd = "1.02.0.00.0.00.01.0000";
constexpr const char* kTime = "2026-02-03T08:00:00.000Z";
constexpr const char* kExportTime = "2026-02-04T09:30:00.000Z";
// More than one page (ledger::kPageEntriesMax) of entries, in several commits.
constexpr int kExpenditures = 1200;
constexpr int kPerCommit = 300;

using test_support::Body;

ledger::NoteSigner TestSigner() { return test_support::SeededSigner(kOrigin, 11); }

PendingEntry Expenditure(int n) {
  return {Body({{"kind", "expenditure"},
                {"fiscal_year", 2026},
                {"opd", kOpd},
                {"sub_activity", "1.02.02.2.01.0014"},
                {"account", "5.1.02.01.01.0024"},
                {"mechanism", "GU"},
                {"instrument", "cms_transfer"},
                {"value_date", "2026-02-03"},
                {"gross", "1250000.00"},
                {"taxes", nlohmann::json::array()},
                {"net", "1250000.00"},
                {"payee",
                 {{"name", "CV Sinar Rejang"},
                  {"bank", "Bank Bengkulu"},
                  {"account_no", "0012034567"},
                  {"account_name", "CV SINAR REJANG"}}},
                {"bank_ref", "CMS-" + std::to_string(n)},
                {"documents", {{"evidence_no", "KW-" + std::to_string(n)}}},
                {"description", "Belanja alat tulis kantor"}}),
          "bendahara.dinkes"};
}

class BundleExportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("jejak-bundle-export-test-" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    fs::create_directories(*dir_);
    std::unique_ptr<Store> store = Open();
    const PendingEntry genesis{
        Body(test_support::GenesisBody("bundle-export-test", kOrigin, TestSigner())), "jejak-init"};
    ASSERT_TRUE(store->Append({genesis}, kTime).has_value());
    const PendingEntry opd{Body(test_support::OpdBody(kOpd, "Dinas Kesehatan")), "admin"};
    ASSERT_TRUE(store->Append({opd}, kTime).has_value());
    for (int first = 0; first < kExpenditures; first += kPerCommit) {
      std::vector<PendingEntry> batch;
      for (int n = first; n < first + kPerCommit; ++n) batch.push_back(Expenditure(n));
      Result<BatchReceipt> appended = store->Append(batch, kTime);
      ASSERT_TRUE(appended.has_value()) << appended.error().ToString();
    }
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }

  static std::unique_ptr<Store> Open() {
    return test_support::OpenTestStore(*dir_ / "ledger.db", TestSigner());
  }

  void SetUp() override { store_ = Open(); }

  BundleExportOptions Options(std::int64_t to_seq, BundleCheckpoint checkpoint) {
    BundleExportOptions options{kOrigin, ledger::VerifierOf(signer_), &signer_, to_seq,
                                kExportTime, checkpoint};
    return options;
  }

  // Pulls the whole bundle, checking that each chunk holds at most one page of entries.
  std::string Export(BundleExporter& exporter, int* calls = nullptr) {
    std::string bundle;
    for (int call = 1;; ++call) {
      std::string chunk;
      Result<bool> more = exporter.Next(chunk);
      EXPECT_TRUE(more.has_value()) << more.error().ToString();
      if (!more) return bundle;
      std::size_t lines = 0;
      for (char c : chunk) lines += c == '\n' ? 1 : 0;
      EXPECT_LE(lines, ledger::kPageEntriesMax + 2);  // A page, plus header or checkpoint.
      bundle += chunk;
      if (calls) *calls = call;
      if (!*more) return bundle;
    }
  }

  // The bundle format, built line by line from the stored entries.
  std::string Expected(std::int64_t to_seq, const std::string& note) {
    std::string expected =
        ledger::BundleHeaderLine(kOrigin, ledger::FormatVerifierKey(ledger::VerifierOf(signer_))) + "\n";
    for (std::int64_t seq = 0; seq <= to_seq; ++seq) {
      Result<StoredEntry> entry = store_->Entry(seq);
      EXPECT_TRUE(entry.has_value());
      if (entry) expected += entry->canonical + "\n";
    }
    return expected + ledger::BundleCheckpointLine(note) + "\n";
  }

  // Feeds `bundle` to BundleChecker line by line; returns what it found.
  Result<ledger::BundleSummary> Check(const std::string& bundle) {
    ledger::BundleChecker checker(ledger::VerifierOf(signer_));
    std::size_t begin = 0;
    while (begin < bundle.size()) {
      const std::size_t end = bundle.find('\n', begin);
      EXPECT_NE(end, std::string::npos) << "the last line does not end in a newline";
      if (end == std::string::npos) break;
      if (Result<void> added = checker.AddLine(std::string_view(bundle).substr(begin, end - begin));
          !added) {
        return added.error();
      }
      begin = end + 1;
    }
    return checker.Finish();
  }

  // ledger::CheckBundle over the lines of `bundle` (the last may lack its "\n"), with
  // `helpers` threads preparing entries.
  Result<ledger::BundleSummary> CheckPipelined(const std::string& bundle, unsigned helpers) {
    ledger::BundleChecker checker(ledger::VerifierOf(signer_));
    std::size_t begin = 0;
    auto next_line = [&bundle, &begin](std::string& line) {
      if (begin >= bundle.size()) return ledger::LineRead::kEnd;
      std::size_t end = bundle.find('\n', begin);
      if (end == std::string::npos) end = bundle.size();
      if (end - begin > ledger::kBundleLineBytesMax) return ledger::LineRead::kTooLong;
      line.assign(bundle, begin, end - begin);
      begin = end + 1;
      return ledger::LineRead::kLine;
    };
    return ledger::CheckBundle(checker, next_line, helpers);
  }

  static fs::path* dir_;
  ledger::NoteSigner signer_ = TestSigner();
  std::unique_ptr<Store> store_;
};

fs::path* BundleExportTest::dir_ = nullptr;

TEST_F(BundleExportTest, WholeLedgerIsTheFormatByteForByteAndChecks) {
  const std::int64_t last = 2 + kExpenditures - 1;
  Result<BundleExporter> exporter =
      BundleExporter::Open(*store_, Options(last, BundleCheckpoint::kStoredIfPresent));
  ASSERT_TRUE(exporter.has_value()) << exporter.error().ToString();
  EXPECT_EQ(exporter->tree_size(), static_cast<std::uint64_t>(last) + 1);
  int calls = 0;
  const std::string bundle = Export(*exporter, &calls);
  EXPECT_EQ(calls, 2);  // 1,202 entries: two pages.
  Result<std::optional<std::string>> stored = store_->CheckpointAt(exporter->tree_size());
  ASSERT_TRUE(stored.has_value() && stored->has_value());
  EXPECT_EQ(exporter->checkpoint_note(), **stored);  // A commit ended there.
  EXPECT_EQ(bundle, Expected(last, **stored));
  EXPECT_EQ(bundle.rfind("{\"format\":\"jejak-bundle/1\",", 0), 0u) << bundle.substr(0, 80);

  Result<ledger::BundleSummary> summary = Check(bundle);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  EXPECT_EQ(summary->entries, exporter->tree_size());
  EXPECT_EQ(summary->origin, kOrigin);
  Result<ledger::Digest> root = store_->TreeHash(exporter->tree_size());
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(summary->root, *root);
}

TEST_F(BundleExportTest, FreshlySignedCheckpointCoversAPrefixThatNoCommitEnded) {
  const std::int64_t to_seq = 1000;  // Mid-commit: no stored checkpoint of 1,001 entries.
  ASSERT_FALSE(store_->CheckpointAt(1001)->has_value());
  for (BundleCheckpoint policy : {BundleCheckpoint::kFreshlySigned, BundleCheckpoint::kStoredIfPresent}) {
    Result<BundleExporter> exporter = BundleExporter::Open(*store_, Options(to_seq, policy));
    ASSERT_TRUE(exporter.has_value()) << exporter.error().ToString();
    Result<StoredEntry> last = store_->Entry(to_seq);
    Result<ledger::Digest> root = store_->TreeHash(1001);
    ASSERT_TRUE(last.has_value() && root.has_value());
    const std::string note = ledger::SignCheckpoint(
        ledger::Checkpoint{kOrigin, 1001, *root, last->chain_hash, kExportTime}, signer_);
    EXPECT_EQ(exporter->checkpoint_note(), note);
    const std::string bundle = Export(*exporter);
    EXPECT_EQ(bundle, Expected(to_seq, note));
    Result<ledger::BundleSummary> summary = Check(bundle);
    ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
    EXPECT_EQ(summary->entries, 1001u);
  }
}

TEST_F(BundleExportTest, FreshlySignedIsChosenEvenWhereACommitEnded) {
  // `jejak export-bundle` always signs anew, here over the 302 entries of the third commit.
  Result<BundleExporter> exporter =
      BundleExporter::Open(*store_, Options(301, BundleCheckpoint::kFreshlySigned));
  ASSERT_TRUE(exporter.has_value()) << exporter.error().ToString();
  Result<ledger::Checkpoint> opened =
      ledger::OpenCheckpoint(exporter->checkpoint_note(), ledger::VerifierOf(signer_));
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(opened->time, kExportTime);
  EXPECT_EQ(opened->tree_size, 302u);
  int calls = 0;
  const std::string bundle = Export(*exporter, &calls);
  EXPECT_EQ(calls, 1);  // One page: header, entries and checkpoint in one chunk.
  EXPECT_TRUE(Check(bundle).has_value());
}

TEST_F(BundleExportTest, StoredCheckpointCarriesItsCosignatures) {
  Result<std::optional<std::string>> note = store_->CheckpointAt(2);
  ASSERT_TRUE(note.has_value() && note->has_value());
  std::array<std::uint8_t, 32> seed{};
  seed[0] = 12;
  const std::string text = (*note)->substr(0, (*note)->find("\n\n") + 1);
  const std::string line = ledger::CosignatureLine(text, "auditor.example", crypto::KeyFromSeed(seed),
                                                   1770000000);
  ASSERT_TRUE(store_->AddCosignature(2, "auditor.example", line).has_value());
  Result<BundleExporter> exporter =
      BundleExporter::Open(*store_, Options(1, BundleCheckpoint::kStoredIfPresent));
  ASSERT_TRUE(exporter.has_value()) << exporter.error().ToString();
  EXPECT_EQ(exporter->checkpoint_note(), **note + line);
  const std::string bundle = Export(*exporter);
  EXPECT_EQ(bundle, Expected(1, **note + line));
  EXPECT_TRUE(Check(bundle).has_value());
}

TEST_F(BundleExportTest, NextAfterTheCheckpointLineAddsNothing) {
  Result<BundleExporter> exporter =
      BundleExporter::Open(*store_, Options(0, BundleCheckpoint::kFreshlySigned));
  ASSERT_TRUE(exporter.has_value());
  std::string chunk;
  ASSERT_EQ(exporter->Next(chunk).value(), false);
  EXPECT_EQ(std::count(chunk.begin(), chunk.end(), '\n'), 3);  // Header, genesis, checkpoint.
  std::string after;
  EXPECT_EQ(exporter->Next(after).value(), false);
  EXPECT_TRUE(after.empty());
}

TEST_F(BundleExportTest, SeqBeyondTheLedgerIsNotFound) {
  Result<BundleExporter> exporter =
      BundleExporter::Open(*store_, Options(2 + kExpenditures, BundleCheckpoint::kFreshlySigned));
  ASSERT_FALSE(exporter.has_value());
  EXPECT_EQ(exporter.error().code, Code::kNotFound);
}

// Splits `bundle` into its lines, and joins them back.
std::vector<std::string> LinesOf(const std::string& bundle) {
  std::vector<std::string> lines;
  std::size_t begin = 0;
  while (begin < bundle.size()) {
    const std::size_t end = bundle.find('\n', begin);
    lines.push_back(bundle.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}
std::string Joined(const std::vector<std::string>& lines) {
  std::string bundle;
  for (const std::string& line : lines) bundle += line + "\n";
  return bundle;
}

TEST_F(BundleExportTest, PipelinedCheckGivesTheLineByLineResultEverywhere) {
  const std::int64_t last = 2 + kExpenditures - 1;
  Result<BundleExporter> exporter =
      BundleExporter::Open(*store_, Options(last, BundleCheckpoint::kStoredIfPresent));
  ASSERT_TRUE(exporter.has_value()) << exporter.error().ToString();
  const std::vector<std::string> lines = LinesOf(Export(*exporter));
  // More lines than one batch, so that damage lands in the first, the second and on
  // their boundary.
  ASSERT_GT(lines.size(), ledger::kBundleBatchLines + 2);
  const std::size_t edge = ledger::kBundleBatchLines;  // Index of the first line of batch 2.
  auto broken = [](std::string line) { return " " + line; };  // No longer canonical.
  std::vector<std::pair<std::string, std::vector<std::string>>> cases;
  cases.push_back({"intact", lines});
  for (std::size_t at : {std::size_t{1}, std::size_t{500}, edge - 1, edge, edge + 1, lines.size() - 2}) {
    std::vector<std::string> changed = lines;
    changed[at] = broken(changed[at]);
    cases.push_back({"entry line " + std::to_string(at + 1) + " broken", changed});
    changed = lines;
    changed.erase(changed.begin() + static_cast<std::ptrdiff_t>(at));
    cases.push_back({"line " + std::to_string(at + 1) + " dropped", changed});
  }
  {
    std::vector<std::string> changed = lines;
    changed[edge + 50] = broken(changed[edge + 50]);
    changed[300] = broken(changed[300]);
    cases.push_back({"two lines broken, the later batch first", changed});
  }
  {
    std::vector<std::string> changed = lines;
    changed[0] = broken(changed[0]);
    cases.push_back({"header broken", changed});
    changed = lines;
    changed.pop_back();
    cases.push_back({"no checkpoint line", changed});
    changed = lines;
    changed.push_back(lines[5]);
    cases.push_back({"data after the checkpoint line", changed});
    changed = lines;
    changed.insert(changed.begin() + 700, "");
    cases.push_back({"empty line", changed});
  }
  for (const auto& [name, changed] : cases) {
    SCOPED_TRACE(name);
    const std::string bundle = Joined(changed);
    const Result<ledger::BundleSummary> serial = Check(bundle);
    for (unsigned helpers : {0u, 1u, 3u}) {
      const Result<ledger::BundleSummary> pipelined = CheckPipelined(bundle, helpers);
      ASSERT_EQ(pipelined.has_value(), serial.has_value()) << helpers;
      if (serial) {
        EXPECT_EQ(pipelined->entries, serial->entries);
        EXPECT_EQ(pipelined->root, serial->root);
        EXPECT_EQ(pipelined->origin, serial->origin);
      } else {
        EXPECT_EQ(pipelined.error().message, serial.error().message) << helpers;
        EXPECT_EQ(pipelined.error().code, serial.error().code);
      }
    }
  }
  EXPECT_TRUE(Check(Joined(lines)).has_value());
}

TEST_F(BundleExportTest, PipelinedCheckStopsAtALineTooLongAfterTheLinesBeforeIt) {
  const std::int64_t last = 2 + kExpenditures - 1;
  Result<BundleExporter> exporter =
      BundleExporter::Open(*store_, Options(last, BundleCheckpoint::kStoredIfPresent));
  ASSERT_TRUE(exporter.has_value()) << exporter.error().ToString();
  std::vector<std::string> lines = LinesOf(Export(*exporter));
  lines.insert(lines.begin() + 1100, std::string(ledger::kBundleLineBytesMax + 1, 'x'));
  Result<ledger::BundleSummary> result = CheckPipelined(Joined(lines), 1);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "a line is longer than 67108864 bytes");
  // A bad line before it is reported instead.
  lines[1050] = " " + lines[1050];
  result = CheckPipelined(Joined(lines), 1);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message.rfind("seq 1049: ", 0), 0u) << result.error().message;
  // A line of exactly the limit is a line (here not an entry), not one too long.
  lines[1100].pop_back();
  lines[1050] = lines[1050].substr(1);
  result = CheckPipelined(Joined(lines), 1);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message.rfind("seq 1099: stored bytes are not valid entry JSON", 0), 0u)
      << result.error().message;
}

}  // namespace
}  // namespace jejak::db
