// Fixture helpers shared by the storage tests in tests/db/: a seeded checkpoint signer,
// validated entry bodies, the genesis and OPD bodies every ledger starts with, and a fresh
// store in a per-test temporary directory: a SQLite file, or with
// JEJAK_TEST_BACKEND=postgresql a PostgreSQL database of its own in the test cluster
// (tests/CMakeLists.txt starts it; its superuser URL is in $JEJAK_TEST_PG_DIR/url). Each test file keeps its own constants
// (origin, seed, ledger_id) and passes them in, so that every test builds the same data.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
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

// True when the storage tests run against PostgreSQL (JEJAK_TEST_BACKEND=postgresql).
inline bool OnPostgres() {
  const char* backend = std::getenv("JEJAK_TEST_BACKEND");
  return backend != nullptr && std::string(backend) == "postgresql";
}

// The test cluster's superuser URL, from $JEJAK_TEST_PG_DIR/url (default: the build's pg/).
inline std::string PostgresAdminUrl() {
  const char* dir = std::getenv("JEJAK_TEST_PG_DIR");
#ifdef JEJAK_TEST_PG_DIR_DEFAULT
  if (dir == nullptr) dir = JEJAK_TEST_PG_DIR_DEFAULT;
#endif
  std::string url;
  if (dir != nullptr) std::getline(std::ifstream(std::filesystem::path(dir) / "url"), url);
  if (url.empty()) ADD_FAILURE() << "no test PostgreSQL: $JEJAK_TEST_PG_DIR/url is missing";
  return url;
}

// libpq's keyword form of a test URL postgresql://USER@HOST:PORT/DB.
inline std::string PostgresKeywords(const std::string& url) {
  std::string rest = url.substr(url.find("://") + 3);
  const std::string user = rest.substr(0, rest.find('@'));
  rest = rest.substr(rest.find('@') + 1);
  const std::string host = rest.substr(0, rest.find(':'));
  rest = rest.substr(rest.find(':') + 1);
  const std::string port = rest.substr(0, rest.find('/'));
  const std::string name = rest.substr(rest.find('/') + 1);
  return "user=" + user + " host=" + host + " port=" + port + " dbname=" + name;
}

// The store URL standing for the SQLite file `database`: "sqlite:" + the file, or on
// PostgreSQL a database of its own (one per file path), created empty on first use in
// this process.
inline std::string TestDatabaseUrl(const std::filesystem::path& database) {
  if (!OnPostgres()) return "sqlite:" + database.string();
  static std::set<std::string> created;
  const std::string name =
      "t" + std::to_string(std::hash<std::string>{}(database.string()) % 1000000000000ULL) +
      "_" + std::to_string(::getpid());
  const std::string admin = PostgresAdminUrl();
  const std::string base = admin.substr(0, admin.rfind('/') + 1);
  if (created.insert(name).second) {
    soci::session sql(soci::postgresql, PostgresKeywords(admin));
    sql << "SET client_min_messages = WARNING";
    sql << "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)";
    sql << "CREATE DATABASE " + name;
  }
  return base + name;
}

// Empties the database standing for `database`: removes the SQLite file (and its WAL), or
// drops the PostgreSQL database so that its next use creates it again.
inline void ResetTestDatabase(const std::filesystem::path& database) {
  if (!OnPostgres()) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(database.string() + suffix);
    }
    return;
  }
  const std::string url = TestDatabaseUrl(database);
  const std::string name = url.substr(url.rfind('/') + 1);
  soci::session sql(soci::postgresql, PostgresKeywords(PostgresAdminUrl()));
  sql << "DROP DATABASE " + name + " WITH (FORCE)";
  sql << "CREATE DATABASE " + name;
}

// The store for the SQLite file `database` (TestDatabaseUrl), signing with `signer` and
// keeping its checkpoint in `kept` (none if empty); a test failure and nullptr if it does
// not open.
inline std::unique_ptr<Store> OpenTestStore(const std::filesystem::path& database,
                                            const ledger::NoteSigner& signer,
                                            const std::string& kept = "") {
  Result<std::unique_ptr<Store>> store = Store::Open({TestDatabaseUrl(database), signer, kept});
  EXPECT_TRUE(store.has_value()) << (store ? "" : store.error().ToString());
  return store ? std::move(store).value() : nullptr;
}

// A raw session on the database standing for `database`, for reading what the store wrote.
// As an `attacker` with access to the database files or its superuser, the append-only
// triggers no longer stop it: dropped on SQLite, switched off for the session on
// PostgreSQL (session_replication_role).
inline std::unique_ptr<soci::session> OpenSession(const std::filesystem::path& database,
                                                  bool attacker = false) {
  if (!OnPostgres()) {
    auto sql = std::make_unique<soci::session>(soci::sqlite3, "db=" + database.string());
    if (attacker) {
      for (const char* table :
           {"entries", "merkle_nodes", "checkpoints", "cosignatures", "audit_expenditures",
            "bank_statements"}) {
        for (const char* operation : {"update", "delete"}) {
          *sql << std::string("DROP TRIGGER IF EXISTS ") + table + "_no_" + operation;
        }
      }
    }
    return sql;
  }
  auto sql = std::make_unique<soci::session>(soci::postgresql,
                                             PostgresKeywords(TestDatabaseUrl(database)));
  *sql << "SET client_min_messages = WARNING";
  if (attacker) *sql << "SET session_replication_role = replica";
  return sql;
}

}  // namespace jejak::db::test_support
