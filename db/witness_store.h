// The witness program's own SQLite database (WDIR/witness.db): the latest checkpoint it
// cosigned for each log origin, and the evidence it kept of refused checkpoints. A
// submission's check against the latest checkpoint and its update happen in one write
// transaction, so concurrent submissions for one origin can never roll it back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "crypto/sha256.h"

namespace jejak::db {

// Evidence rows kept at most by default; past the cap new evidence is logged, not stored.
inline constexpr std::size_t kWitnessEvidenceMaxDefault = 10000;

// The latest checkpoint cosigned for one origin.
struct WitnessedCheckpoint {
  std::string origin;
  std::uint64_t tree_size = 0;
  crypto::Digest root_hash{};
  // The note served by GET /checkpoint: the checkpoint text, the log's signature lines the
  // witness verified, and the witness's cosignature line.
  std::string note;
  std::string cosigned_at;  // RFC 3339, the caller's clock.
};

// One refused checkpoint kept as evidence of a log's misbehaviour.
struct WitnessEvidence {
  std::int64_t id = 0;  // Assigned by the store, increasing.
  std::string origin;
  std::uint64_t tree_size = 0;
  crypto::Digest root_hash{};
  std::uint64_t old_size = 0;      // The request's old size.
  std::uint64_t witness_size = 0;  // The latest cosigned size when it came.
  std::string reason;              // "rollback", "fork" or "inconsistent".
  std::string received_at;         // RFC 3339, the caller's clock.
  std::string checkpoint;          // The note as sent.
};

// What a submission writes, decided from the latest checkpoint inside the transaction.
struct WitnessWrite {
  std::optional<WitnessedCheckpoint> cosigned;  // The new latest checkpoint, if cosigned.
  std::optional<WitnessEvidence> evidence;      // Evidence to keep, if any (id ignored).
};

class WitnessStore {
 public:
  // Opens (creating if needed) the SQLite file `path`: WAL, synchronous=FULL, so a
  // committed submission is on disk before the witness answers. At most `evidence_max`
  // evidence rows are kept. kUnavailable if the file cannot be opened or created.
  static Result<std::unique_ptr<WitnessStore>> Open(const std::string& path,
                                                    std::size_t evidence_max = kWitnessEvidenceMaxDefault);
  ~WitnessStore();
  WitnessStore(const WitnessStore&) = delete;
  WitnessStore& operator=(const WitnessStore&) = delete;

  // Runs one submission for `origin` atomically: takes the database's write lock (BEGIN
  // IMMEDIATE, so other processes on the same file wait too), reads the latest checkpoint
  // of `origin`, calls `decide` with it (nullopt if none), writes what it returns, and
  // commits before returning. A cosigned checkpoint must be of `origin` (checked) and
  // replaces the latest; evidence is kept unless an identical note is already kept (same
  // origin and checkpoint bytes) or evidence_max rows are kept (then a log line says so).
  // kUnavailable (logged) if the database fails; nothing is written then. Thread-safe.
  Result<void> Submit(const std::string& origin,
                      const std::function<WitnessWrite(const std::optional<WitnessedCheckpoint>&)>& decide);

  // The latest cosigned checkpoint of `origin`, or nullopt if none.
  Result<std::optional<WitnessedCheckpoint>> Latest(const std::string& origin);

  // Kept evidence with id > `after_id`, oldest first; only `origin`'s if given; at most
  // `limit` rows.
  Result<std::vector<WitnessEvidence>> Evidence(const std::optional<std::string>& origin,
                                                std::int64_t after_id, std::size_t limit);

 private:
  struct Impl;
  explicit WitnessStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace jejak::db
