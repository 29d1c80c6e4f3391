// `jejak backup`: a consistent online copy of the ledger's database while the service
// keeps appending. SQLite: the online backup API in steps into a temporary file, checked
// (integrity, newest checkpoint, its root) before it is renamed into place. PostgreSQL:
// pg_dump as a child process (db/backup.h).
#include <fcntl.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "db/backup.h"
#include "db/sql_util.h"
#include "db/store.h"
#include "db/store_impl.h"
#include "ledger/checkpoint.h"

extern char** environ;

namespace jejak::db {
namespace {

namespace fs = std::filesystem;


// Pages copied per backup step (16 MiB at 4 KiB pages). A step holds a read transaction
// on the source; under WAL it never blocks the service's appends.
constexpr int kBackupStepPages = 4096;
// An append by another connection restarts the copy at its next step; after this many
// restarts the rest is copied in one step (one read snapshot; appends still go on).
constexpr int kBackupRestartsMax = 3;

Error Unavailable(const std::string& what) { return Error{Code::kUnavailable, what, {}}; }

// Fsyncs the file (or directory) at `path`.
Result<void> Fsync(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
  if (fd < 0) return Unavailable("cannot open " + path + ": " + std::strerror(errno));
  const int synced = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (synced != 0) return Unavailable("cannot fsync " + path + ": " + std::strerror(saved));
  return Ok();
}

// Fsyncs `temporary`, moves it to `path` (never over an existing file: a hard link,
// then the temporary name removed) and fsyncs their directory.
Result<std::uint64_t> Publish(const std::string& temporary, const std::string& path) {
  if (Result<void> synced = Fsync(temporary, false); !synced) return synced.error();
  std::error_code ec;
  if (::link(temporary.c_str(), path.c_str()) != 0) {
    if (errno == EEXIST) return Error{Code::kConflict, path + " already exists", {}};
    return Unavailable("cannot move " + temporary + " to " + path + ": " + std::strerror(errno));
  }
  ::unlink(temporary.c_str());
  fs::path directory = fs::absolute(path).parent_path();
  if (Result<void> synced = Fsync(directory.string(), true); !synced) return synced.error();
  const std::uintmax_t bytes = fs::file_size(path, ec);
  return ec ? 0 : static_cast<std::uint64_t>(bytes);
}

// Creates the empty temporary file beside `path`, mode 0600 (the copy holds payee
// accounts), refused if either exists.
Result<std::string> TemporaryFor(const std::string& path) {
  std::error_code ec;
  if (fs::exists(path, ec)) return Error{Code::kConflict, path + " already exists", {}};
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) {
    return Error{Code::kConflict, temporary + " already exists (left by a failed backup? remove it)", {}};
  }
  if (fd < 0) return Unavailable("cannot create " + temporary + ": " + std::strerror(errno));
  ::close(fd);
  return temporary;
}

// Removes `temporary` (and what SQLite may have left beside it) unless disarmed.
struct RemoveOnFailure {
  std::string temporary;
  bool armed = true;
  ~RemoveOnFailure() {
    if (!armed) return;
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(temporary + suffix, ec);
  }
};

// Copies the database `source` into the empty file `temporary` with the online backup API.
Result<void> CopySqlite(sqlite_api::sqlite3* source, const std::string& temporary) {
  sqlite_api::sqlite3* target = nullptr;
  const int opened = sqlite_api::sqlite3_open_v2(temporary.c_str(), &target, SQLITE_OPEN_READWRITE, nullptr);
  std::unique_ptr<sqlite_api::sqlite3, int (*)(sqlite_api::sqlite3*)> close(target, sqlite_api::sqlite3_close);
  if (opened != SQLITE_OK) return Unavailable("cannot create " + temporary);
  sqlite_api::sqlite3_backup* backup = sqlite_api::sqlite3_backup_init(target, "main", source, "main");
  if (backup == nullptr) {
    return Unavailable(std::string("cannot start the backup: ") + sqlite_api::sqlite3_errmsg(target));
  }
  int restarts = 0;
  int last_remaining = -1;
  int step = SQLITE_OK;
  while (step == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED) {
    step = sqlite_api::sqlite3_backup_step(backup, restarts >= kBackupRestartsMax ? -1 : kBackupStepPages);
    const int remaining = sqlite_api::sqlite3_backup_remaining(backup);
    if (last_remaining >= 0 && remaining > last_remaining) ++restarts;  // Started over.
    last_remaining = remaining;
    if (step == SQLITE_BUSY || step == SQLITE_LOCKED) sqlite_api::sqlite3_sleep(20);
  }
  const int finished = sqlite_api::sqlite3_backup_finish(backup);
  if (step != SQLITE_DONE || finished != SQLITE_OK) {
    return Unavailable(std::string("the backup failed: ") + sqlite_api::sqlite3_errstr(step != SQLITE_DONE ? step : finished));
  }
  return Ok();
}

// Checks the copy at `temporary`: PRAGMA integrity_check, its newest checkpoint verifies
// with `verifier`, covers every entry and its tree at that size has the checkpoint's root.
// Returns the checkpoint's tree size.
Result<std::uint64_t> CheckCopy(const std::string& temporary, const ledger::NoteVerifier& verifier) {
  Result<std::unique_ptr<Store>> copy = Store::Open(StoreOptions{"sqlite:" + temporary, std::nullopt, ""});
  if (!copy) return Error{Code::kDataLoss, "the copy does not open: " + copy.error().message, {}};
  Result<std::uint64_t> size = (*copy)->TreeSize();
  if (!size) return size.error();
  Result<std::optional<std::string>> note = (*copy)->LatestCheckpoint();
  if (!note) return note.error();
  if (!note->has_value()) return Error{Code::kDataLoss, "the copy holds no checkpoint", {}};
  Result<ledger::Checkpoint> checkpoint = ledger::OpenCheckpoint(**note, verifier);
  if (!checkpoint) {
    return Error{Code::kDataLoss, "the copy's newest checkpoint does not verify: " + checkpoint.error().message, {}};
  }
  if (checkpoint->tree_size != *size) {
    return Error{Code::kDataLoss,
                 "the copy holds " + std::to_string(*size) + " entries but its newest checkpoint covers " +
                     std::to_string(checkpoint->tree_size),
                 {}};
  }
  Result<ledger::Digest> root = (*copy)->TreeHash(*size);
  if (!root) return root.error();
  if (*root != checkpoint->root_hash) {
    return Error{Code::kDataLoss, "the copy's tree does not have its newest checkpoint's root", {}};
  }
  return *size;
}

// Runs PRAGMA integrity_check on the file `temporary`.
Result<void> CheckIntegrity(const std::string& temporary) {
  soci::session sql(soci::sqlite3, "db=" + temporary);
  std::string result;
  sql << "PRAGMA integrity_check", soci::into(result);
  if (result != "ok") return Error{Code::kDataLoss, "the copy fails PRAGMA integrity_check: " + result, {}};
  return Ok();
}

}  // namespace

Result<BackupReceipt> Store::BackupSqlite(const std::string& path, const ledger::NoteVerifier& verifier) {
  if (!IsSqlite(impl_->sql)) return InvalidArgument("not a SQLite database (pg_dump copies PostgreSQL)");
  Result<std::string> temporary = TemporaryFor(path);
  if (!temporary) return temporary.error();
  RemoveOnFailure cleanup{*temporary};
  try {
    auto* backend = static_cast<soci::sqlite3_session_backend*>(impl_->sql.get_backend());
    if (Result<void> copied = CopySqlite(backend->conn_, *temporary); !copied) return copied.error();
    if (Result<void> intact = CheckIntegrity(*temporary); !intact) return intact.error();
    Result<std::uint64_t> size = CheckCopy(*temporary, verifier);
    if (!size) return size.error();
    Result<std::uint64_t> bytes = Publish(*temporary, path);
    if (!bytes) return bytes.error();
    cleanup.armed = false;
    return BackupReceipt{*size, *bytes};
  } catch (const std::exception& e) {
    return StorageError("db.backup", e);
  }
}

Result<BackupReceipt> DumpPostgres(const std::string& url, const std::string& path) {
  if (!IsPostgresUrl(url)) return InvalidArgument("not a PostgreSQL URL");
  Result<std::string> temporary = TemporaryFor(path);
  if (!temporary) return temporary.error();
  RemoveOnFailure cleanup{*temporary};
  // The password (if the URL has one) reaches pg_dump in PGPASSWORD, never on its
  // command line, which any local user can read.
  std::string password;
  Result<std::string> conninfo = PostgresConninfo(url, &password);
  if (!conninfo) return conninfo.error();
  std::vector<std::string> arguments = {"pg_dump", "--format=custom", "--no-password",
                                        "--file=" + *temporary, "--dbname=" + *conninfo};
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  // This process's environment, with the URL's password (if any) as PGPASSWORD.
  std::vector<std::string> environment;
  for (char** variable = environ; *variable != nullptr; ++variable) {
    if (std::strncmp(*variable, "PGPASSWORD=", 11) != 0 || password.empty()) {
      environment.emplace_back(*variable);
    }
  }
  if (!password.empty()) environment.push_back("PGPASSWORD=" + password);
  std::vector<char*> envp;
  for (std::string& variable : environment) envp.push_back(variable.data());
  envp.push_back(nullptr);
  pid_t child = 0;
  const int spawned = ::posix_spawnp(&child, "pg_dump", nullptr, nullptr, argv.data(), envp.data());
  if (spawned == ENOENT) {
    return Unavailable("pg_dump is not installed (Debian: apt-get install postgresql-client)");
  }
  if (spawned != 0) return Unavailable(std::string("cannot start pg_dump: ") + std::strerror(spawned));
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return Unavailable(std::string("waiting for pg_dump: ") + std::strerror(errno));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Unavailable(WIFEXITED(status) ? "pg_dump failed with exit code " + std::to_string(WEXITSTATUS(status))
                                         : "pg_dump was killed by signal " + std::to_string(WTERMSIG(status)));
  }
  std::error_code ec;
  if (!fs::is_regular_file(*temporary, ec) || fs::file_size(*temporary, ec) == 0) {
    return Unavailable("pg_dump wrote nothing");
  }
  Result<std::uint64_t> bytes = Publish(*temporary, path);
  if (!bytes) return bytes.error();
  cleanup.armed = false;
  return BackupReceipt{0, *bytes};
}

}  // namespace jejak::db
