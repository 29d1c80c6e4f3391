// WDIR/witness.conf (cli/witness_config.h): a full file parses (paths resolved, several
// keys for one origin, an origin with a space, the shared transport limits), what
// witness-init writes reads back the same, and every malformed line is refused by name.
#include "cli/witness_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "crypto/ed25519.h"
#include "ledger/note.h"

namespace jejak::cli {
namespace {

namespace fs = std::filesystem;

class WitnessConfigTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("jejak-witness-config-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& text) {
    const std::string path = (dir_ / "witness.conf").string();
    std::ofstream(path) << text;
    return path;
  }
  static std::string Vkey(const std::string& name) {
    return ledger::FormatVerifierKey(ledger::VerifierOf(ledger::MakeSigner(name, crypto::GenerateKey())));
  }
  std::string Refusal(const std::string& text) {
    Result<WitnessConfig> config = LoadWitnessConfig(Write(text));
    EXPECT_FALSE(config) << text;
    return config ? "" : config.error().message;
  }

  fs::path dir_;
};

TEST_F(WitnessConfigTest, FullFileParses) {
  const std::string a1 = Vkey("log.test/a");
  const std::string a2 = Vkey("log.test/a");
  const std::string spaced = Vkey("log.test/b");
  Result<WitnessConfig> config = LoadWitnessConfig(Write(
      "# comment\nname = inspektorat.test/saksi-1\nkey = keys/witness.key\n"
      "tls_certificate = tls/cert.pem\ntls_key = /etc/ssl/witness.key\n"
      "log = log.test/a " + a1 + "\nlog = log.test/a " + a2 + "\nlog = Log B with spaces " + spaced +
      "\nbody_bytes_max = 70000\nconnections_max = 50\nevidence_max = 7\n"));
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_EQ(config->name, "inspektorat.test/saksi-1");
  EXPECT_EQ(config->key, (dir_ / "keys/witness.key").string());
  EXPECT_EQ(config->database, (dir_ / "witness.db").string());
  EXPECT_EQ(config->tls_key, "/etc/ssl/witness.key");
  EXPECT_EQ(config->listen, kWitnessListenDefault);
  ASSERT_EQ(config->logs.size(), 2u);
  EXPECT_EQ(config->logs[0].origin, "log.test/a");
  ASSERT_EQ(config->logs[0].keys.size(), 2u);
  EXPECT_EQ(ledger::FormatVerifierKey(config->logs[0].keys[1]), a2);
  EXPECT_EQ(config->logs[1].origin, "Log B with spaces");
  EXPECT_EQ(config->transport.body_bytes_max, 70000u);
  EXPECT_EQ(config->transport.connections_max, 50u);
  EXPECT_EQ(config->evidence_max, 7u);
}

TEST_F(WitnessConfigTest, FormattedConfigReadsBack) {
  WitnessConfig config;
  config.data_dir = dir_.string();
  config.name = "bpk.test/w";
  config.key = (dir_ / "keys/witness.key").string();
  config.database = (dir_ / "witness.db").string();
  config.tls_certificate = (dir_ / "tls/cert.pem").string();
  config.tls_key = (dir_ / "tls/key.pem").string();
  config.listen = "127.0.0.1:9444";
  const std::string vkey = Vkey("log.test/c");
  config.logs.push_back({"log.test/c", {*ledger::ParseVerifierKey(vkey)}});
  Result<WitnessConfig> read = LoadWitnessConfig(Write(FormatWitnessConfig(config)));
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_EQ(read->name, config.name);
  EXPECT_EQ(read->key, config.key);
  EXPECT_EQ(read->database, config.database);
  EXPECT_EQ(read->tls_certificate, config.tls_certificate);
  EXPECT_EQ(read->listen, "127.0.0.1:9444");
  ASSERT_EQ(read->logs.size(), 1u);
  EXPECT_EQ(ledger::FormatVerifierKey(read->logs[0].keys[0]), vkey);
}

TEST_F(WitnessConfigTest, MalformedLinesAreNamed) {
  const std::string head = "name = w.test/w\nkey = k.pem\n";
  EXPECT_NE(Refusal(head + "colour = blue\n").find(":3: unknown key 'colour'"), std::string::npos);
  EXPECT_NE(Refusal(head + "name = again\n").find("'name' set twice"), std::string::npos);
  EXPECT_NE(Refusal(head + "log = onlyorigin\n").find("log needs: ORIGIN VKEY"), std::string::npos);
  EXPECT_NE(Refusal(head + "log = log.test/a not+a+key\n").find("verifier key"), std::string::npos);
  EXPECT_NE(Refusal(head + "body_bytes_max = 10\n").find("'body_bytes_max' must be an integer"),
            std::string::npos);
  EXPECT_NE(Refusal(head + "evidence_max = 0\n").find("evidence_max"), std::string::npos);
  EXPECT_NE(Refusal("key = k.pem\n").find("missing required key 'name'"), std::string::npos);
  EXPECT_NE(Refusal("name = bad name\nkey = k.pem\n").find("key name"), std::string::npos);
  EXPECT_NE(Refusal(head + "listen\n").find("expected key = value"), std::string::npos);
  EXPECT_EQ(LoadWitnessConfig((dir_ / "none.conf").string()).error().code, Code::kNotFound);
}

}  // namespace
}  // namespace jejak::cli
