// Fixture helpers shared by the storage tests in tests/db/: a seeded checkpoint signer,
// validated entry bodies, the genesis and OPD bodies every ledger starts with, and a fresh
// SQLite store in a per-test temporary directory. Each test file keeps its own constants
// (origin, seed, ledger_id) and passes them in, so that every test builds the same data.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include "crypto/ed25519.h"
#include "db/store.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"

namespace jejak::db::test_support {

// The checkpoint signer of `origin`, its Ed25519 key made from a seed of zeros but the first byte.
inline ledger::NoteSigner SeededSigner(const char* origin, std::uint8_t seed_first_byte) {
  std::array<std::uint8_t, 32> seed{};
  seed[0] = seed_first_byte;
  return ledger::MakeSigner(origin, crypto::KeyFromSeed(seed));
}

// `body` validated as a genesis or other entry and shared; a test failure (and `body` as
// given) if it does not validate.
inline std::shared_ptr<const nlohmann::json> Body(nlohmann::json body) {
  Result<nlohmann::json> valid = body.value("kind", "") == "genesis" ? ledger::ValidateGenesis(body)
                                                                     : ledger::ValidateBody(body);
  if (!valid) {
    ADD_FAILURE() << "test body does not validate: " << valid.error().ToString() << "\n"
                  << body.dump();
  }
  return std::make_shared<const nlohmann::json>(valid ? std::move(valid).value() : std::move(body));
}

// The genesis body of ledger `ledger_id` at `origin`, pinning `signer`'s checkpoint key.
inline nlohmann::json GenesisBody(const std::string& ledger_id, const char* origin,
                                  const ledger::NoteSigner& signer,
                                  const std::string& region = "Pemerintah Kabupaten Contoh") {
  return {{"kind", "genesis"},
          {"ledger_id", ledger_id},
          {"origin", origin},
          {"region", region},
          {"checkpoint_key", ledger::FormatVerifierKey(ledger::VerifierOf(signer))}};
}

// The body registering OPD `code` under `name`.
inline nlohmann::json OpdBody(const std::string& code, const std::string& name) {
  return {{"kind", "opd"}, {"code", code}, {"name", name}};
}

// A new, empty directory `<tmp>/<prefix>-<pid>-<current test's name>`; the caller removes it.
inline std::filesystem::path FreshTestDirectory(const std::string& prefix) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      (prefix + "-" + std::to_string(::getpid()) + "-" +
       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// The SQLite store in file `database`, signing with `signer`; a test failure and nullptr if
// it does not open.
inline std::unique_ptr<Store> OpenSqliteStore(const std::filesystem::path& database,
                                              const ledger::NoteSigner& signer) {
  Result<std::unique_ptr<Store>> store = Store::Open({"sqlite:" + database.string(), signer, ""});
  EXPECT_TRUE(store.has_value()) << (store ? "" : store.error().ToString());
  return store ? std::move(store).value() : nullptr;
}

}  // namespace jejak::db::test_support
