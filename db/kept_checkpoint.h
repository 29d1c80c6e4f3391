// The newest signed checkpoint kept outside the database (DESIGN: DIR/state/latest-
// checkpoint), so that a database rewound by a damaged WAL, a restored backup or a
// swapped file is noticed: its tree is then smaller than, or inconsistent with, the kept
// checkpoint. The store writes the file after every commit; start-up and verification
// compare the database with it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"

namespace jejak::db {

// DIR/state/latest-checkpoint for the data directory `data_dir`.
std::string KeptCheckpointPath(const std::string& data_dir);

// Replaces the file at `path` with `note` (the signed checkpoint of `tree_size` entries)
// unless it already holds a checkpoint of at least that size (another process may have
// written a newer one). Atomic (a temporary file renamed over it) and durable (the file
// and its directory are fsynced before returning); the directory is created 0700 and
// the file 0600 if missing. Safe against other processes doing the same (flock on a
// lock file beside it). kUnavailable with the reason if any step fails.
Result<void> KeepCheckpoint(const std::string& path, std::uint64_t tree_size,
                            const std::string& note);

// The kept note, or nullopt if there is no file. kUnavailable if it cannot be read,
// kDataLoss if it is larger than any checkpoint could be.
Result<std::optional<std::string>> ReadKeptCheckpoint(const std::string& path);

}  // namespace jejak::db
