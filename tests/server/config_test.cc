// Tests of the config file: the documented example parses, init's output round-trips, and
// every malformed line is named.
#include "server/config.h"

#include "ledger/audit.h"
#include "ledger/limits.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace jejak::server {
namespace {

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("jejak-config-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& text) {
    const std::string path = (dir_ / "jejak.conf").string();
    std::ofstream(path) << text;
    return path;
  }

  static std::string Minimal() {
    return "region = Pemerintah Kabupaten Uji\norigin = jejak.test/uji\ndatabase = sqlite:ledger.db\n"
           "checkpoint_key = keys/checkpoint.key\ncheckpoint_vkey = keys/checkpoint.vkey\n";
  }

  fs::path dir_;
};

TEST_F(ConfigTest, DocumentedExampleParses) {
  Result<Config> config = LoadConfig(std::string(JEJAK_SOURCE_DIR) + "/ops/jejak.example.conf");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->listen, "127.0.0.1:8443");
  ASSERT_EQ(config->issuers.size(), 1u);
  EXPECT_EQ(config->issuers[0].algorithm, "ES256");
  EXPECT_EQ(config->issuers[0].audience, "jejak");
  EXPECT_EQ(config->body_bytes_max, 65536u);
  EXPECT_EQ(config->append_batch_max, 256u);
  EXPECT_FALSE(config->metrics_from_any);
  EXPECT_EQ(config->handshake_timeout, std::chrono::seconds(5));
  EXPECT_EQ(config->connections_per_client_max, 64u);
  EXPECT_EQ(config->timezone, "Asia/Jakarta");
  EXPECT_EQ(config->holidays.size(), 4u);
  EXPECT_EQ(config->regional_holidays, (std::vector<std::string>{"2026-07-28"}));
  EXPECT_TRUE(config->witnesses.empty());  // Commented out: the hosts are examples.
}

// The example's witness lines, uncommented, parse as documented.
TEST_F(ConfigTest, DocumentedWitnessExampleParses) {
  std::ifstream example(std::string(JEJAK_SOURCE_DIR) + "/ops/jejak.example.conf");
  std::string text;
  std::string line;
  int uncommented = 0;
  while (std::getline(example, line)) {
    if (line.rfind("# witness =", 0) == 0 || line.rfind("# witness_quorum =", 0) == 0 ||
        line.rfind("# witness_wait_max_seconds =", 0) == 0) {
      line = line.substr(2);
      ++uncommented;
    }
    text += line + "\n";
  }
  EXPECT_EQ(uncommented, 4);
  Result<Config> config = LoadConfig(Write(text));
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  ASSERT_EQ(config->witnesses.size(), 2u);
  EXPECT_EQ(config->witnesses[0].key.name, "inspektorat.rejanglebongkab.go.id");
  EXPECT_EQ(config->witnesses[0].ca_file, (dir_ / "witnesses/inspektorat-ca.pem").string());
  EXPECT_EQ(config->witnesses[1].url, "https://saksi.bpk.go.id/jejak");
  EXPECT_EQ(config->witnesses[1].ca_file, "");
  EXPECT_EQ(config->witness_quorum, 2u);
  EXPECT_EQ(config->witness_wait_max, std::chrono::seconds(10));
}

constexpr const char* kInspektoratKey =
    "inspektorat.rejanglebongkab.go.id+d7bc45dd+BM7MFQfcHd1ylZUcKQiI8JWtuQRNG3PWlubfBl1oO9T8";
constexpr const char* kBpkKey =
    "bpk.go.id/perwakilan-bengkulu+12bdde1b+BGt5xX5qCVI5KCwEgY6WES8/A6QAG6l6VkwjhSo/HqX8";

TEST_F(ConfigTest, WitnessesDefaultToNoneAndTheirQuorumToAllOfThem) {
  Result<Config> none = LoadConfig(Write(Minimal()));
  ASSERT_TRUE(none.has_value()) << none.error().ToString();
  EXPECT_TRUE(none->witnesses.empty());
  EXPECT_EQ(none->witness_quorum, 0u);
  EXPECT_EQ(none->witness_wait_max, std::chrono::seconds(10));
  Result<Config> two = LoadConfig(Write(Minimal() + "witness = " + kInspektoratKey +
                                        " https://127.0.0.1:8444/ ca.pem\nwitness = " + kBpkKey +
                                        " https://saksi.example\nwitness_wait_max_seconds = 3\n"));
  ASSERT_TRUE(two.has_value()) << two.error().ToString();
  ASSERT_EQ(two->witnesses.size(), 2u);
  EXPECT_EQ(two->witness_quorum, 2u);
  EXPECT_EQ(two->witness_wait_max, std::chrono::seconds(3));
  EXPECT_EQ(two->witnesses[0].ca_file, (dir_ / "ca.pem").string());
  EXPECT_EQ(two->witnesses[0].key.name, "inspektorat.rejanglebongkab.go.id");
  // And back: FormatConfig writes them so that they read the same.
  two->tls_certificate = (dir_ / "tls/cert.pem").string();
  two->tls_key = (dir_ / "tls/key.pem").string();
  two->token_issuer = "jejak-local";
  two->token_issuer_key = (dir_ / "keys/token-issuer.pem").string();
  Result<Config> again = LoadConfig(Write(FormatConfig(*two)));
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  ASSERT_EQ(again->witnesses.size(), 2u);
  EXPECT_EQ(again->witnesses[0].ca_file, (dir_ / "ca.pem").string());
  EXPECT_EQ(again->witnesses[1].url, "https://saksi.example");
  EXPECT_EQ(again->witness_quorum, 2u);
  EXPECT_EQ(again->witness_wait_max, std::chrono::seconds(3));
}

TEST_F(ConfigTest, RejectsMalformedWitnessLinesNamingTheLine) {
  const std::string good_key = kInspektoratKey;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"witness = " + good_key + "\n", "witness needs: VKEY URL [CA_FILE]"},
      {"witness = " + good_key + " https://w.example ca.pem extra\n", "witness needs"},
      {"witness = notakey https://w.example\n", "not a cosignature/v1 verifier key"},
      // The key ID does not match the name and key.
      {"witness = inspektorat.rejanglebongkab.go.id+00000000+BM7MFQfcHd1ylZUcKQiI8JWtuQRNG3PWlubfBl1oO9T8"
       " https://w.example\n",
       "not a cosignature/v1 verifier key"},
      {"witness = " + good_key + " http://w.example\n", "must be https://"},
      {"witness = " + good_key + " https://w.example?x=1\n", "must be https://"},
      {"witness = " + good_key + " https://a.example\nwitness = " + good_key + " https://b.example\n",
       "two witnesses are named inspektorat.rejanglebongkab.go.id"},
      {"witness = " + good_key + " https://a.example\nwitness_quorum = 2\n",
       "witness_quorum is 2 but only 1 witnesses are configured"},
      // One public key under two names would count as two witnesses.
      {"witness = " + good_key + " https://a.example\nwitness = "
       "dprd.rejanglebongkab.go.id+962ec7f0+BM7MFQfcHd1ylZUcKQiI8JWtuQRNG3PWlubfBl1oO9T8 https://b.example\n",
       "have one public key"},
      // An auditor's key (witness_key) and a pushed witness with one name.
      {"witness_key = " + good_key + "\nwitness = " + good_key + " https://a.example\n",
       "two cosigner keys (witness_key, witness) are named inspektorat.rejanglebongkab.go.id"},
      {"witness_key = notakey\n", "witness_key is not a cosignature/v1 key"},
      {"witness_quorum = 0\n", "'witness_quorum' must be an integer from 1 to 64"},
      {"witness_wait_max_seconds = 0\n", "'witness_wait_max_seconds' must be an integer from 1 to 300"},
  };
  for (const auto& [lines, expected] : cases) {
    Result<Config> config = LoadConfig(Write(Minimal() + lines));
    ASSERT_FALSE(config.has_value()) << lines;
    EXPECT_EQ(config.error().code, Code::kInvalidArgument) << lines;
    EXPECT_NE(config.error().message.find(expected), std::string::npos)
        << lines << " => " << config.error().message;
  }
  // The line is named.
  Result<Config> named = LoadConfig(Write(Minimal() + "witness = nope https://w.example\n"));
  ASSERT_FALSE(named.has_value());
  EXPECT_NE(named.error().message.find("jejak.conf:6:"), std::string::npos) << named.error().message;
}

TEST_F(ConfigTest, CheckpointStaleAfterHasADefaultARangeAndRoundTrips) {
  Result<Config> config = LoadConfig(Write(Minimal()));
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->checkpoint_stale_after, std::chrono::seconds(86400));
  config = LoadConfig(Write(Minimal() + "checkpoint_stale_after_seconds = 1\n"));
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->checkpoint_stale_after, std::chrono::seconds(1));
  for (const char* bad : {"0", "31622401", "1d"}) {
    Result<Config> refused = LoadConfig(Write(Minimal() + "checkpoint_stale_after_seconds = " + bad + "\n"));
    ASSERT_FALSE(refused.has_value()) << bad;
    EXPECT_NE(refused.error().message.find("'checkpoint_stale_after_seconds' must be an integer from 1 to 31622400"),
              std::string::npos)
        << refused.error().message;
  }
  config = LoadConfig(Write(Minimal() + "checkpoint_stale_after_seconds = 3600\n"));
  ASSERT_TRUE(config.has_value());
  config->tls_certificate = (dir_ / "tls/cert.pem").string();
  config->tls_key = (dir_ / "tls/key.pem").string();
  config->token_issuer = "jejak-local";
  config->token_issuer_key = (dir_ / "keys/token-issuer.pem").string();
  Result<Config> again = LoadConfig(Write(FormatConfig(*config)));
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(again->checkpoint_stale_after, std::chrono::seconds(3600));
  // The documented example sets the default.
  Result<Config> example = LoadConfig(std::string(JEJAK_SOURCE_DIR) + "/ops/jejak.example.conf");
  ASSERT_TRUE(example.has_value()) << example.error().ToString();
  EXPECT_EQ(example->checkpoint_stale_after, std::chrono::seconds(86400));
}

TEST_F(ConfigTest, ConnectionLimitsHaveDefaults) {
  Result<Config> config = LoadConfig(Write(Minimal()));
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->handshake_timeout, std::chrono::seconds(5));
  EXPECT_EQ(config->connections_per_client_max, 64u);
  EXPECT_EQ(config->connections_max, 1024u);
}

TEST_F(ConfigTest, ReadsConnectionLimits) {
  Result<Config> config = LoadConfig(
      Write(Minimal() + "handshake_timeout_seconds = 2\nconnections_per_client_max = 16\n"));
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->handshake_timeout, std::chrono::seconds(2));
  EXPECT_EQ(config->connections_per_client_max, 16u);
}

TEST_F(ConfigTest, ZeroTurnsThePerClientCapOff) {
  Result<Config> config = LoadConfig(Write(Minimal() + "connections_per_client_max = 0\n"));
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->connections_per_client_max, 0u);
}

TEST_F(ConfigTest, RejectsConnectionLimitsOutOfRange) {
  for (const char* line :
       {"handshake_timeout_seconds = 0\n", "handshake_timeout_seconds = 61\n",
        "handshake_timeout_seconds = soon\n", "connections_per_client_max = -1\n",
        "connections_per_client_max = 100001\n", "connections_per_client_max = 1e3\n"}) {
    SCOPED_TRACE(line);
    Result<Config> config = LoadConfig(Write(Minimal() + line));
    ASSERT_FALSE(config.has_value());
    const std::string key = std::string(line).substr(0, std::string(line).find(' '));
    EXPECT_NE(config.error().message.find("'" + key + "' must be an integer from"),
              std::string::npos)
        << config.error().message;
  }
}

TEST_F(ConfigTest, ResolvesRelativePathsAgainstTheConfigDirectory) {
  Result<Config> config = LoadConfig(Write(Minimal() + "tls_certificate = tls/cert.pem\n"));
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  EXPECT_EQ(config->database, "sqlite:" + (dir_ / "ledger.db").string());
  EXPECT_EQ(config->checkpoint_key, (dir_ / "keys/checkpoint.key").string());
  EXPECT_EQ(config->tls_certificate, (dir_ / "tls/cert.pem").string());
}

TEST_F(ConfigTest, FormattedConfigRoundTrips) {
  Result<Config> first = LoadConfig(Write(Minimal()));
  ASSERT_TRUE(first.has_value());
  Config config = *first;
  config.tls_certificate = (dir_ / "tls/cert.pem").string();
  config.tls_key = (dir_ / "tls/key.pem").string();
  config.issuers.push_back({"jejak.test/uji", "ES256", (dir_ / "keys/t.pub.pem").string(), "jejak"});
  config.token_issuer = "jejak.test/uji";
  config.token_issuer_key = (dir_ / "keys/t.pem").string();
  config.handshake_timeout = std::chrono::seconds(3);
  config.connections_per_client_max = 0;
  config.timezone = "Asia/Makassar";
  Result<Config> again = LoadConfig(Write(FormatConfig(config)));
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(again->database, config.database);
  EXPECT_EQ(again->tls_key, config.tls_key);
  ASSERT_EQ(again->issuers.size(), 1u);
  EXPECT_EQ(again->issuers[0].public_key_path, config.issuers[0].public_key_path);
  EXPECT_EQ(again->token_issuer_key, config.token_issuer_key);
  EXPECT_EQ(again->handshake_timeout, std::chrono::seconds(3));
  EXPECT_EQ(again->connections_per_client_max, 0u);
  EXPECT_EQ(again->timezone, "Asia/Makassar");
  EXPECT_EQ(again->utc_offset_minutes, 8 * 60);
}

TEST_F(ConfigTest, RejectsUnknownKeyNamingTheLine) {
  Result<Config> config = LoadConfig(Write(Minimal() + "colour = blue\n"));
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().message.find(":6: unknown key 'colour'"), std::string::npos)
      << config.error().message;
}

TEST_F(ConfigTest, RejectsMissingRequiredKey) {
  Result<Config> config = LoadConfig(Write("region = X\n"));
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().message.find("missing required key"), std::string::npos);
}

TEST_F(ConfigTest, RejectsKeySetTwice) {
  Result<Config> config = LoadConfig(Write(Minimal() + "region = Y\n"));
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().message.find("set twice"), std::string::npos);
}

TEST_F(ConfigTest, RejectsLineWithoutEquals) {
  Result<Config> config = LoadConfig(Write(Minimal() + "listen\n"));
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().message.find("expected key = value"), std::string::npos);
}

TEST_F(ConfigTest, RejectsLimitOutOfRange) {
  Result<Config> config = LoadConfig(Write(Minimal() + "body_bytes_max = 12\n"));
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().message.find("body_bytes_max"), std::string::npos);
  Result<Config> text = LoadConfig(Write(Minimal() + "connections_max = many\n"));
  ASSERT_FALSE(text.has_value());
}

TEST_F(ConfigTest, RejectsBodyLimitBelowLargestEntry) {
  // Every entry the ledger accepts must fit in a request body.
  const std::string too_small = std::to_string(ledger::kEntryBytesMax - 1);
  Result<Config> config = LoadConfig(Write(Minimal() + "body_bytes_max = " + too_small + "\n"));
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().message.find("body_bytes_max"), std::string::npos);
  const std::string fits = std::to_string(ledger::kEntryBytesMax);
  Result<Config> exact = LoadConfig(Write(Minimal() + "body_bytes_max = " + fits + "\n"));
  ASSERT_TRUE(exact.has_value()) << exact.error().message;
  EXPECT_EQ(exact->body_bytes_max, ledger::kEntryBytesMax);
}

TEST_F(ConfigTest, ReadsDurationsInTheUnitTheirKeysName) {
  Result<Config> config = LoadConfig(Write(Minimal() +
                                           "request_timeout_seconds = 12\n"
                                           "verify_interval_minutes = 5\n"
                                           "audit_split_window_days = 14\n"));
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->request_timeout, std::chrono::seconds(12));
  EXPECT_EQ(config->verify_interval, std::chrono::minutes(5));
  EXPECT_EQ(config->audit_split_window, std::chrono::days(14));
}

TEST_F(ConfigTest, AuditDefaultsFollowTheIssue) {
  Result<Config> config = LoadConfig(Write(Minimal()));
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->audit_split_window, std::chrono::days(0));
  EXPECT_EQ(config->audit_duplicate_window, std::chrono::days(7));
  EXPECT_EQ(config->timezone, "Asia/Jakarta");
  EXPECT_EQ(config->utc_offset_minutes, 7 * 60);
  EXPECT_EQ(config->audit_tax_collection_threshold_sen, 2'000'000LL * 100);
  EXPECT_EQ(ledger::ProcurementCapOn(config->audit_procurement_caps, "konstruksi", "2025-05-01"),
            400'000'000LL * 100);
  EXPECT_EQ(config->bank_match_window, std::chrono::days(3));
  EXPECT_EQ(config->bank_debit_due, std::chrono::days(7));
}

// The bank reconciliation keys: read in days, each within its range, refused past it.
TEST_F(ConfigTest, BankKeysAreReadAndBounded) {
  Result<Config> config =
      LoadConfig(Write(Minimal() + "bank_match_window_days = 0\nbank_debit_due_days = 366\n"));
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->bank_match_window, std::chrono::days(0));
  EXPECT_EQ(config->bank_debit_due, std::chrono::days(366));
  const std::pair<const char*, const char*> refused[] = {
      {"bank_match_window_days = 32\n", "'bank_match_window_days' must be an integer from 0 to 31"},
      {"bank_match_window_days = -1\n", "'bank_match_window_days' must be an integer from 0 to 31"},
      {"bank_debit_due_days = 367\n", "'bank_debit_due_days' must be an integer from 0 to 366"},
      {"bank_debit_due_days = 3d\n", "'bank_debit_due_days' must be an integer from 0 to 366"},
  };
  for (const auto& [line, message] : refused) {
    Result<Config> bad = LoadConfig(Write(Minimal() + line));
    ASSERT_FALSE(bad.has_value()) << line;
    EXPECT_NE(bad.error().message.find(message), std::string::npos) << bad.error().message;
  }
}

TEST_F(ConfigTest, HolidaysAreNationalOrRegionalAndTheOldFormIsNational) {
  Result<Config> config = LoadConfig(Write(Minimal() +
                                           "holiday = 2026-08-17 national Hari Kemerdekaan\n"
                                           "holiday = 2026-07-28 regional Hari Jadi Kabupaten\n"
                                           "holiday = 2026-12-25\n"));
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->holidays, (std::vector<std::string>{"2026-08-17", "2026-12-25"}));
  EXPECT_EQ(config->regional_holidays, (std::vector<std::string>{"2026-07-28"}));
  Result<Config> bad = LoadConfig(Write(Minimal() + "holiday = 2026-07-28 provincial\n"));
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("national|regional"), std::string::npos);
  EXPECT_FALSE(LoadConfig(Write(Minimal() + "holiday = 2026-13-01\n")).has_value());
}

TEST_F(ConfigTest, TimezoneIsOneOfIndonesiasFixedOffsets) {
  Result<Config> makassar = LoadConfig(Write(Minimal() + "timezone = Asia/Makassar\n"));
  ASSERT_TRUE(makassar.has_value()) << makassar.error().message;
  EXPECT_EQ(makassar->utc_offset_minutes, 8 * 60);
  Result<Config> jayapura = LoadConfig(Write(Minimal() + "timezone = Asia/Jayapura\n"));
  ASSERT_TRUE(jayapura.has_value());
  EXPECT_EQ(jayapura->utc_offset_minutes, 9 * 60);
  for (const char* other : {"UTC", "Asia/Singapore", "+07:00", "asia/jakarta"}) {
    Result<Config> refused = LoadConfig(Write(Minimal() + "timezone = " + other + "\n"));
    ASSERT_FALSE(refused.has_value()) << other;
    EXPECT_NE(refused.error().message.find("Asia/Makassar"), std::string::npos);
  }
}

TEST_F(ConfigTest, ATypesLinesReplaceItsBuiltInScheduleSoADateCanMoveLater) {
  Result<Config> config = LoadConfig(Write(Minimal() +
                                           "audit_procurement_cap = konstruksi 2018-03-22 200000000\n"
                                           "audit_procurement_cap = konstruksi 2025-07-01 400000000\n"
                                           "audit_tax_deadline = PPh23 2015-01-01 10\n"
                                           "audit_tax_deadline = PPh23 2025-03-01 15\n"));
  ASSERT_TRUE(config.has_value()) << config.error().message;
  // The built-in rise on 2025-04-30 is gone: mid-May is still 200 juta.
  EXPECT_EQ(ledger::ProcurementCapOn(config->audit_procurement_caps, "konstruksi", "2025-05-15"),
            200'000'000LL * 100);
  EXPECT_EQ(ledger::ProcurementCapOn(config->audit_procurement_caps, "konstruksi", "2025-07-01"),
            400'000'000LL * 100);
  ledger::AuditRules rules;
  rules.tax_deadlines = config->audit_tax_deadlines;
  // February 2025's PPh 23 is still due on the 10th (the built-in 2025-01-01 line is gone).
  EXPECT_EQ(ledger::TaxDepositDeadline("PPh23", "2025-02-03", rules), "2025-03-10");
  EXPECT_EQ(ledger::TaxDepositDeadline("PPh23", "2025-03-03", rules), "2025-04-15");
  // Other types keep theirs.
  EXPECT_EQ(ledger::TaxDepositDeadline("PPh21", "2025-02-03", rules), "2025-03-17");  // 15th: Sat.
}

TEST_F(ConfigTest, ReadsProcurementCapsTaxDeadlinesAndCashExemptions) {
  Result<Config> config = LoadConfig(Write(Minimal() +
                                           "audit_procurement_cap = konstruksi 2025-07-01 400000000\n"
                                           "audit_procurement_cap = barang 2018-03-22 150000000\n"
                                           "audit_tax_deadline = PPh22 2025-01-01 0\n"
                                           "audit_cash_exempt_account = 5.1.02.04\n"
                                           "audit_tax_collection_threshold = 2500000\n"
                                           "audit_split_window_days = 0\n"));
  ASSERT_TRUE(config.has_value()) << config.error().message;
  // The file's lines of a type replace its built-in schedule: konstruksi now rises on
  // 1 July 2025 (not on the built-in 30 April), and is 400 juta from then on.
  EXPECT_EQ(ledger::ProcurementCapOn(config->audit_procurement_caps, "barang", "2025-01-01"),
            150'000'000LL * 100);
  EXPECT_EQ(ledger::ProcurementCapOn(config->audit_procurement_caps, "konstruksi", "2025-08-01"),
            400'000'000LL * 100);
  EXPECT_EQ(ledger::ProcurementCapOn(config->audit_procurement_caps, "konstruksi", "2025-05-15"),
            400'000'000LL * 100);  // Before its only line: the earliest cap applies.
  // Types the file does not name keep the built-in schedule.
  EXPECT_EQ(ledger::ProcurementCapOn(config->audit_procurement_caps, "konsultansi", "2025-08-01"),
            100'000'000LL * 100);
  ledger::AuditRules rules;
  rules.tax_deadlines = config->audit_tax_deadlines;
  EXPECT_EQ(ledger::TaxDepositDeadline("PPh22", "2025-03-20", rules), "2025-03-20");
  EXPECT_EQ(config->audit_cash_exempt_accounts, (std::vector<std::string>{"5.1.02.04"}));
  EXPECT_EQ(config->audit_tax_collection_threshold_sen, 2'500'000LL * 100);
  for (const char* bad : {"audit_procurement_cap = tanah 2025-01-01 1000\n",
                          "audit_procurement_cap = barang 2025-01-01\n",
                          "audit_tax_deadline = PPh25 2025-01-01 15\n",
                          "audit_tax_deadline = PPN 2025-01-01 31\n",
                          "audit_cash_exempt_account = lima\n"}) {
    EXPECT_FALSE(LoadConfig(Write(Minimal() + bad)).has_value()) << bad;
  }
}

TEST_F(ConfigTest, RetiredAuditKeysAreRefusedWithTheirReplacement) {
  Result<Config> late = LoadConfig(Write(Minimal() + "audit_late_recording_days = 7\n"));
  ASSERT_FALSE(late.has_value());
  EXPECT_NE(late.error().message.find("LPJ deadline"), std::string::npos) << late.error().message;
  Result<Config> cap = LoadConfig(Write(Minimal() + "audit_direct_procurement_cap = 200000000\n"));
  ASSERT_FALSE(cap.has_value());
  EXPECT_NE(cap.error().message.find("audit_procurement_cap"), std::string::npos);
}

TEST_F(ConfigTest, RejectsIssuerWithBadAlgorithmOrShape) {
  Result<Config> algorithm = LoadConfig(Write(Minimal() + "issuer = a HS256 k.pem jejak\n"));
  ASSERT_FALSE(algorithm.has_value());
  EXPECT_NE(algorithm.error().message.find("ES256 or RS256"), std::string::npos);
  Result<Config> shape = LoadConfig(Write(Minimal() + "issuer = a ES256 k.pem\n"));
  ASSERT_FALSE(shape.has_value());
}

TEST_F(ConfigTest, RejectsQueueSmallerThanBatch) {
  Result<Config> config =
      LoadConfig(Write(Minimal() + "append_queue_max = 256\nappend_batch_max = 1000\n"));
  ASSERT_FALSE(config.has_value());
}

TEST_F(ConfigTest, RejectsAnOriginThatIsNotAKeyName) {
  std::string text = Minimal();
  const std::size_t at = text.find("origin = ");
  ASSERT_NE(at, std::string::npos);
  text.insert(at + 9, "two words ");
  Result<Config> config = LoadConfig(Write(text));
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().message.find("origin must be a key name"), std::string::npos);
}

TEST_F(ConfigTest, TokenLifetimeMaxHasADefaultAndARange) {
  Result<Config> defaults = LoadConfig(Write(Minimal()));
  ASSERT_TRUE(defaults.has_value()) << defaults.error().ToString();
  EXPECT_EQ(defaults->token_lifetime_max, std::chrono::hours(24));
  Result<Config> set = LoadConfig(Write(Minimal() + "token_lifetime_max_seconds = 3600\n"));
  ASSERT_TRUE(set.has_value()) << set.error().ToString();
  EXPECT_EQ(set->token_lifetime_max, std::chrono::hours(1));
  EXPECT_FALSE(LoadConfig(Write(Minimal() + "token_lifetime_max_seconds = 10\n")).has_value());
  EXPECT_FALSE(LoadConfig(Write(Minimal() + "token_lifetime_max_seconds = 99999999\n")).has_value());
  // FormatConfig writes it back.
  EXPECT_NE(FormatConfig(*set).find("token_lifetime_max_seconds = 3600"), std::string::npos);
}

TEST_F(ConfigTest, DataDirModesRefuseWhatOthersCouldWrite) {
  Result<Config> config = LoadConfig(Write(Minimal()));
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  fs::permissions(dir_, fs::perms::owner_all);
  EXPECT_TRUE(CheckDataDirModes(*config).has_value());
  fs::permissions(dir_, fs::perms::owner_all | fs::perms::others_write);
  Result<void> world = CheckDataDirModes(*config);
  ASSERT_FALSE(world.has_value());
  EXPECT_EQ(world.error().code, Code::kPermissionDenied);
  EXPECT_NE(world.error().message.find("chmod 700"), std::string::npos);
  fs::permissions(dir_, fs::perms::owner_all);
  fs::permissions(config->path, fs::perms::owner_read | fs::perms::owner_write |
                                    fs::perms::group_write);
  Result<void> group = CheckDataDirModes(*config);
  ASSERT_FALSE(group.has_value());
  EXPECT_NE(group.error().message.find("chmod 600"), std::string::npos);
  fs::permissions(config->path, fs::perms::owner_read | fs::perms::owner_write);
  // A private key that others can read.
  fs::create_directories(dir_ / "keys");
  fs::permissions(dir_ / "keys", fs::perms::owner_all);
  std::ofstream(config->checkpoint_key) << "not really a key\n";
  fs::permissions(config->checkpoint_key, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_TRUE(CheckDataDirModes(*config).has_value());
  fs::permissions(config->checkpoint_key, fs::perms::owner_read | fs::perms::owner_write |
                                              fs::perms::others_read);
  Result<void> readable = CheckDataDirModes(*config);
  ASSERT_FALSE(readable.has_value());
  EXPECT_NE(readable.error().message.find("private key readable by others"), std::string::npos);
}

TEST_F(ConfigTest, MissingFileIsNotFound) {
  Result<Config> config = LoadConfig((dir_ / "nope.conf").string());
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().code, Code::kNotFound);
}

}  // namespace
}  // namespace jejak::server
