// `jejak import` and `jejak backup` (cli/backup_commands.h): the command-line side of
// db/import.cc and db/backup.cc, which do the work inside the store: options, the data
// directory's config and keys, the bundle file, the config's `database` line after an
// import into another database, and what is printed.
#include "cli/backup_commands.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "base/batch_pool.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/ledger_commands.h"
#include "crypto/encoding.h"
#include "db/backup.h"
#include "db/kept_checkpoint.h"
#include "db/store.h"
#include "ledger/cosignature.h"
#include "server/config.h"

namespace jejak::cli {
namespace {

namespace fs = std::filesystem;

// Progress lines on stderr every this many entries imported.
constexpr std::uint64_t kImportProgressEntries = 100000;

// The exit code of a failed import or backup: 1 if something failed verification.
int ExitCodeOf(const Error& error) {
  return error.code == Code::kDataLoss ? kExitVerificationFailed : kExitUsage;
}

// Replaces the `database = ...` line of the config file `path` with `database = url`
// (added if there is none), keeping every other line and the file's mode: written beside
// it and renamed over it. False on any failure.
bool SetConfigDatabase(const fs::path& path, const std::string& url) {
  std::optional<std::string> text = ReadFile(path.string(), 1024 * 1024);
  if (!text) return false;
  std::istringstream in(*text);
  std::string out, line;
  bool replaced = false;
  while (std::getline(in, line)) {
    const std::size_t start = line.find_first_not_of(" \t");
    const std::string rest = start == std::string::npos ? "" : line.substr(start);
    const std::size_t key_end = rest.find_first_of(" \t=");
    if (!replaced && rest.substr(0, key_end) == "database" && key_end != std::string::npos) {
      out += "database = " + url + "\n";
      replaced = true;
      continue;
    }
    out += line + "\n";
  }
  if (!replaced) out += "database = " + url + "\n";
  std::error_code ec;
  const fs::perms perms = fs::status(path, ec).permissions();
  if (ec) return false;
  const fs::path temporary = path.string() + ".tmp";
  if (!WriteFile(temporary, out, perms)) return false;
  fs::rename(temporary, path, ec);
  return !ec;
}

}  // namespace

int Import(const Args& args) {
  if (args.positional.size() != 1) return Usage("import: exactly one BUNDLE file is required");
  std::optional<std::string> data = args.Get("data");
  if (!data) return Usage("import: --data DIR is required");
  const fs::path config_path = fs::path(*data) / "jejak.conf";
  Result<server::Config> config = server::LoadConfig(config_path.string());
  if (!config) return Usage("import: " + config.error().ToString());
  Failure failure;
  // DIR's key, never the bundle's: the origin is its name, so it must be DIR's.
  std::optional<ledger::NoteVerifier> verifier = ReadVerifierKey(config->checkpoint_vkey, failure);
  if (!verifier) return Fail(failure);
  if (verifier->name != config->origin) {
    return Usage("import: " + config->checkpoint_vkey + " is not the key of origin " + config->origin);
  }
  // The cosigners whose lines the service stores: auditors' (witness_key) and the pushed
  // witnesses' (witness).
  Result<std::vector<ledger::CosignerKey>> cosigners = server::Cosigners(*config);
  if (!cosigners) return Usage("import: " + cosigners.error().message);
  std::vector<ledger::CosignerKey> witnesses = std::move(cosigners).value();
  std::string database = config->database;
  const std::optional<std::string> db_option = args.Get("db");
  if (db_option) {
    database = *db_option;
    if (!db::IsPostgresUrl(database)) {
      if (database.rfind("sqlite:", 0) != 0 || database.size() == 7) {
        return Usage("import: --db must be sqlite:FILE or postgresql://USER@HOST:PORT/DB");
      }
      fs::path file = database.substr(7);
      if (file.is_relative()) file = fs::path(config->data_dir) / file;
      database = "sqlite:" + file.string();
    }
  }
  // A SQLite file this import creates is removed again if the import fails.
  std::optional<fs::path> created_file;
  if (!db::IsPostgresUrl(database)) {
    std::error_code ec;
    if (!fs::exists(database.substr(7), ec)) created_file = fs::path(database.substr(7));
  }
  const std::string& bundle_path = args.positional[0];
  std::ifstream in(bundle_path, std::ios::binary);
  std::error_code ec;
  if (!in || !fs::is_regular_file(bundle_path, ec)) return Usage("import: cannot read " + bundle_path);

  if (created_file) {
    // Payee accounts and NPWPs: the owner's alone, whatever the umask (SQLite gives its
    // WAL and SHM files the database file's mode).
    const int fd = ::open(created_file->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Usage("import: cannot create " + created_file->string());
    ::close(fd);
  }
  Result<std::unique_ptr<db::Store>> store = db::Store::Open(
      db::StoreOptions{database, std::nullopt, db::KeptCheckpointPath(config->data_dir)});
  if (!store) {
    if (created_file) fs::remove(*created_file, ec);
    return Usage("import: " + store.error().ToString());
  }
  BundleFileLines lines(in);
  const auto started = std::chrono::steady_clock::now();
  db::ImportOptions options{*verifier, config->origin, witnesses,
                            BatchPool::HelpersForThisMachine(kBundleHelpersMax),
                            [](std::uint64_t entries) {
                              if (entries % kImportProgressEntries == 0) {
                                std::fprintf(stderr, "imported %llu entries...\n",
                                             static_cast<unsigned long long>(entries));
                              }
                            }};
  Result<db::ImportReceipt> receipt =
      (*store)->Import(options, [&lines](std::string& line) { return lines.Next(line); });
  store->reset();
  if (!receipt) {
    if (created_file) {
      for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(created_file->string() + suffix, ec);
    }
    return Fail({ExitCodeOf(receipt.error()), "import: refused, nothing written: " + receipt.error().message});
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (db_option && !SetConfigDatabase(config_path, *db_option)) {
    return Usage("import: the ledger was imported into " + *db_option + ", but " +
                 config_path.string() + " could not be updated: set database = " + *db_option);
  }
  std::printf("imported %llu entries in %.1f s (%.0f entries/s), root %s%s\n",
              static_cast<unsigned long long>(receipt->entries), seconds,
              seconds > 0 ? static_cast<double>(receipt->entries) / seconds : 0.0,
              crypto::ToHex(receipt->root).c_str(),
              receipt->cosignatures > 0
                  ? (", " + std::to_string(receipt->cosignatures) + " cosignatures").c_str()
                  : "");
  if (db_option) std::printf("%s now names database %s\n", config_path.c_str(), db_option->c_str());
  return kExitOk;
}

int Backup(const Args& args) {
  if (!args.positional.empty()) return Usage("backup: unexpected argument " + args.positional[0]);
  std::optional<std::string> out = args.Get("out");
  if (!out) return Usage("backup: --out FILE is required");
  Failure failure;
  std::optional<Ledger> ledger = OpenLedger(args, /*need_signer=*/false, failure);
  if (!ledger) return Fail(failure);
  const auto started = std::chrono::steady_clock::now();
  const bool postgres = db::IsPostgresUrl(ledger->config.database);
  Result<db::BackupReceipt> receipt =
      postgres ? db::DumpPostgres(ledger->config.database, *out)
               : ledger->store->BackupSqlite(*out, ledger->verifier);
  if (!receipt) return Fail({ExitCodeOf(receipt.error()), "backup: " + receipt.error().message});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (postgres) {
    std::printf("pg_dump of %s written to %s (%llu bytes, %.1f s)\n", ledger->config.origin.c_str(),
                out->c_str(), static_cast<unsigned long long>(receipt->bytes), seconds);
  } else {
    std::printf("backed up %llu entries to %s (%llu bytes, %.1f s); checked: integrity, newest "
                "checkpoint and its root\n",
                static_cast<unsigned long long>(receipt->tree_size), out->c_str(),
                static_cast<unsigned long long>(receipt->bytes), seconds);
  }
  return kExitOk;
}

}  // namespace jejak::cli
