// `jejak backup` on PostgreSQL: pg_dump (Debian's postgresql-client) run as a child
// process, without a shell, into a temporary file that is fsynced and renamed into place.
// The SQLite copy is Store::BackupSqlite (db/backup.cc holds both).
#pragma once

#include <string>

#include "base/result.h"
#include "db/store.h"

namespace jejak::db {

// Writes `pg_dump --format=custom` of the PostgreSQL database `url` (a postgresql:// URL,
// passed as --dbname) to `path`, which must not exist (kConflict): into `path`.tmp, then
// fsynced and renamed (its directory fsynced). pg_dump reads one snapshot, so the copy is
// consistent while appends go on. kUnavailable naming the cause if pg_dump is not
// installed, cannot start or fails (its stderr goes to ours); the temporary file is
// removed on failure. The receipt's tree_size is 0 (pg_dump does not say).
Result<BackupReceipt> DumpPostgres(const std::string& url, const std::string& path);

}  // namespace jejak::db
