// The database schema and its versioned migrations. Each migration runs once, inside a
// transaction, and is recorded in schema_migrations. The ledger tables refuse UPDATE and
// DELETE through triggers, so even a buggy or hostile client of the database cannot
// rewrite history without first dropping them (which verification then still catches).
#pragma once

#include <string>

#include "base/result.h"

namespace soci {
class session;
}

namespace jejak::db {

// The newest schema version this build knows.
int SchemaVersion();

// Applies the migrations that `sql` has not seen yet. kUnavailable if the database
// fails; kDataLoss if the database is newer than this build.
Result<void> Migrate(soci::session& sql);

// Ok if `sql`'s schema is exactly this build's, without changing anything (a read-only
// store); kUnavailable naming both versions otherwise, or if it cannot be read.
Result<void> CheckSchemaCurrent(soci::session& sql);

}  // namespace jejak::db
