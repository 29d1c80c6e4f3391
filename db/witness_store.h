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

// Evidence rows other than forks kept at most per origin by default; past the cap new
// evidence is logged, not stored. Fork evidence is always kept.
inline constexpr std::size_t kWitnessEvidenceMaxDefault = 10000;
// The bytes of evidence one Evidence() call reads at most by default (about a page of
// GET /evidence).
inline constexpr std::size_t kWitnessEvidencePageBytes = std::size_t{4} << 20;

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
  std::string reason;              // ledger::EvidenceReasonName: "rollback", "fork", "inconsistent".
  std::string received_at;         // RFC 3339, the caller's clock.
  // The checkpoint text and the log's own signature lines that verified; never other
  // lines the sender added.
  std::string checkpoint;
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
  // evidence rows other than forks are kept per origin. kUnavailable if the file cannot
  // be opened or created.
  static Result<std::unique_ptr<WitnessStore>> Open(const std::string& path,
                                                    std::size_t evidence_max = kWitnessEvidenceMaxDefault);
  ~WitnessStore();
  WitnessStore(const WitnessStore&) = delete;
  WitnessStore& operator=(const WitnessStore&) = delete;

  // Runs one submission for `origin` atomically: takes the database's write lock (BEGIN
  // IMMEDIATE, so other processes on the same file wait too), reads the latest checkpoint
  // of `origin`, calls `decide` with it (nullopt if none), writes what it returns, and
  // commits before returning. A cosigned checkpoint must be of `origin` (checked) and
  // replaces the latest. Evidence is kept once per (origin, tree size, root hash, reason):
  // a second submission of the same checkpoint for the same reason writes nothing, so the
  // rows are bounded by the distinct checkpoints the log signed. Fork evidence is always
  // kept; other evidence is not kept (a log line says so) once evidence_max rows other
  // than forks are kept for `origin`.
  // kUnavailable (logged) if the database fails; nothing is written then. Thread-safe.
  Result<void> Submit(const std::string& origin,
                      const std::function<WitnessWrite(const std::optional<WitnessedCheckpoint>&)>& decide);

  // The latest cosigned checkpoint of `origin`, or nullopt if none.
  Result<std::optional<WitnessedCheckpoint>> Latest(const std::string& origin);

  // Kept evidence with id > `after_id`, oldest first; only `origin`'s if given; at most
  // `limit` rows, and no row past the one that brings the rows read to `bytes_max` bytes
  // or more (counting each row's checkpoint and origin plus 256 bytes for the rest; at
  // least one row is returned if any is kept).
  Result<std::vector<WitnessEvidence>> Evidence(const std::optional<std::string>& origin,
                                                std::int64_t after_id, std::size_t limit,
                                                std::size_t bytes_max = kWitnessEvidencePageBytes);

 private:
  struct Impl;
  explicit WitnessStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace jejak::db
