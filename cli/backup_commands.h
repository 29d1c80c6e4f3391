// The recovery commands of `jejak` (DESIGN "CLI"): `import` rebuilds a ledger from an
// offline bundle into an empty database of either backend (SQLite -> PostgreSQL
// migration, disaster recovery), `backup` takes a consistent online copy of a ledger's
// database while the service keeps appending. Exit codes as cli/exit_codes.h: 1 when a
// bundle or a copy fails verification, 2 for usage, input and storage errors.
#pragma once

#include "cli/args.h"

namespace jejak::cli {

// `jejak import --data DIR [--db URL] BUNDLE`: imports BUNDLE into the database DIR's
// jejak.conf names, or into --db (sqlite:FILE, relative to DIR, or postgresql://...),
// which then replaces `database` in DIR/jejak.conf once the import committed. Checks the
// bundle with DIR's checkpoint verifier key only; the origin must be DIR's. Prints the
// entries, the root and the rate (entries/s).
int Import(const Args& args);

// `jejak backup --data DIR --out FILE`: SQLite's online backup API (checked before it is
// renamed to FILE), or pg_dump --format=custom on PostgreSQL. Refuses an existing FILE.
int Backup(const Args& args);

}  // namespace jejak::cli
