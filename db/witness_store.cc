// The witness's SQLite database (db/witness_store.h): table witness_latest (one row per
// origin) and witness_evidence (deduplicated by what the evidence says, capped per origin
// except forks). Sizes are stored as
// decimal text: a tlog tree size may be up to 2^64 - 1, past SQLite's signed integers.
#include "db/witness_store.h"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/check.h"
#include "crypto/encoding.h"
#include "db/sql_util.h"
#include "ledger/checkpoint.h"
#include "ledger/witness.h"

namespace jejak::db {

struct WitnessStore::Impl {
  soci::session sql;
  std::mutex mutex;  // One connection, one statement at a time.
  std::size_t evidence_max = kWitnessEvidenceMaxDefault;
};

namespace {

constexpr const char* kSchema[] = {
    "CREATE TABLE IF NOT EXISTS witness_latest ("
    " origin TEXT PRIMARY KEY, tree_size TEXT NOT NULL, root_hash TEXT NOT NULL,"
    " note TEXT NOT NULL, cosigned_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS witness_evidence ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, origin TEXT NOT NULL, tree_size TEXT NOT NULL,"
    " root_hash TEXT NOT NULL, old_size TEXT NOT NULL, witness_size TEXT NOT NULL,"
    " reason TEXT NOT NULL, received_at TEXT NOT NULL, checkpoint TEXT NOT NULL,"
    // note_hash (its name kept for databases made before): the hex SHA-256 of the
    // evidence's identity, EvidenceKey below.
    " note_hash TEXT NOT NULL UNIQUE)",
    "CREATE INDEX IF NOT EXISTS witness_evidence_origin ON witness_evidence (origin, id)",
};

// A stored size or hash that does not parse is corruption: thrown, and reported at the
// method's boundary as storage trouble (never read as zero).
std::uint64_t StoredSize(const std::string& text) {
  const std::optional<std::uint64_t> size = ledger::ParseTreeSize(text);
  if (!size) throw soci::soci_error("stored tree size is not a decimal");
  return *size;
}
crypto::Digest StoredHash(const std::string& hex) {
  const std::optional<crypto::Digest> digest = crypto::DigestFromHex(hex);
  if (!digest) throw soci::soci_error("stored root hash is not hex of 32 bytes");
  return *digest;
}

std::optional<WitnessedCheckpoint> ReadLatest(soci::session& sql, const std::string& origin) {
  std::string tree_size, root_hash, note, cosigned_at;
  soci::indicator found = soci::i_null;
  sql << "SELECT tree_size, root_hash, note, cosigned_at FROM witness_latest WHERE origin = :o",
      soci::into(tree_size, found), soci::into(root_hash), soci::into(note), soci::into(cosigned_at),
      soci::use(origin);
  if (!sql.got_data() || found != soci::i_ok) return std::nullopt;
  return WitnessedCheckpoint{origin, StoredSize(tree_size), StoredHash(root_hash), note, cosigned_at};
}

void WriteLatest(soci::session& sql, const WitnessedCheckpoint& latest) {
  const std::string size = std::to_string(latest.tree_size);
  const std::string root = Hex(latest.root_hash);
  sql << "INSERT INTO witness_latest (origin, tree_size, root_hash, note, cosigned_at)"
         " VALUES (:o, :s, :r, :n, :t) ON CONFLICT (origin) DO UPDATE SET"
         " tree_size = excluded.tree_size, root_hash = excluded.root_hash, note = excluded.note,"
         " cosigned_at = excluded.cosigned_at",
      soci::use(latest.origin), soci::use(size), soci::use(root), soci::use(latest.note),
      soci::use(latest.cosigned_at);
}

// What makes two pieces of evidence the same: origin, size, root and reason (not the
// note's bytes, which a sender can vary with lines the witness ignores).
std::string EvidenceKey(const WitnessEvidence& evidence) {
  return Hex(crypto::Sha256(evidence.origin + "\n" + std::to_string(evidence.tree_size) + "\n" +
                            Hex(evidence.root_hash) + "\n" + evidence.reason));
}

bool IsFork(const std::string& reason) {
  const std::optional<ledger::EvidenceReason> parsed = ledger::ParseEvidenceReason(reason);
  return parsed && ledger::EvidenceIsProof(*parsed);
}

void WriteEvidence(soci::session& sql, const WitnessEvidence& evidence, std::size_t evidence_max) {
  const std::string note_hash = EvidenceKey(evidence);
  long long duplicates = 0;
  sql << "SELECT COUNT(*) FROM witness_evidence WHERE note_hash = :h", soci::into(duplicates),
      soci::use(note_hash);
  if (duplicates > 0) return;
  if (!IsFork(evidence.reason)) {
    const std::string fork(ledger::EvidenceReasonName(ledger::EvidenceReason::kFork));
    long long kept = 0;
    sql << "SELECT COUNT(*) FROM witness_evidence WHERE origin = :o AND reason <> :f", soci::into(kept),
        soci::use(evidence.origin), soci::use(fork);
    if (static_cast<std::size_t>(kept) >= evidence_max) {
      LogError("witness.evidence_full",
               "evidence store holds " + std::to_string(kept) + " rows for " + evidence.origin +
                   " (the cap): new evidence (" + evidence.reason + ", size " +
                   std::to_string(evidence.tree_size) + ") is not kept");
      return;
    }
  }
  const std::string size = std::to_string(evidence.tree_size);
  const std::string root = Hex(evidence.root_hash);
  const std::string old_size = std::to_string(evidence.old_size);
  const std::string witness_size = std::to_string(evidence.witness_size);
  sql << "INSERT INTO witness_evidence (origin, tree_size, root_hash, old_size, witness_size,"
         " reason, received_at, checkpoint, note_hash) VALUES (:o, :s, :r, :old, :w, :why, :t, :c, :h)",
      soci::use(evidence.origin), soci::use(size), soci::use(root), soci::use(old_size),
      soci::use(witness_size), soci::use(evidence.reason), soci::use(evidence.received_at),
      soci::use(evidence.checkpoint), soci::use(note_hash);
}

}  // namespace

WitnessStore::WitnessStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WitnessStore::~WitnessStore() = default;

Result<std::unique_ptr<WitnessStore>> WitnessStore::Open(const std::string& path,
                                                         std::size_t evidence_max) {
  auto impl = std::make_unique<Impl>();
  impl->evidence_max = evidence_max;
  try {
    impl->sql.open(soci::sqlite3, "db=" + path + " timeout=30");
    std::string mode;
    impl->sql << "PRAGMA journal_mode=WAL", soci::into(mode);
    impl->sql << "PRAGMA synchronous=FULL";
    for (const char* statement : kSchema) impl->sql << statement;
  } catch (const std::exception& e) {
    return StorageError("witness.open", e);
  }
  return std::unique_ptr<WitnessStore>(new WitnessStore(std::move(impl)));
}

Result<void> WitnessStore::Submit(
    const std::string& origin,
    const std::function<WitnessWrite(const std::optional<WitnessedCheckpoint>&)>& decide) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  try {
    WriteTransaction transaction(impl_->sql);
    const WitnessWrite write = decide(ReadLatest(impl_->sql, origin));
    if (write.cosigned) {
      JEJAK_CHECK(write.cosigned->origin == origin);
      WriteLatest(impl_->sql, *write.cosigned);
    }
    if (write.evidence) WriteEvidence(impl_->sql, *write.evidence, impl_->evidence_max);
    transaction.Commit();
    return Ok();
  } catch (const std::exception& e) {
    return StorageError("witness.submit", e);
  }
}

Result<std::optional<WitnessedCheckpoint>> WitnessStore::Latest(const std::string& origin) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  try {
    return ReadLatest(impl_->sql, origin);
  } catch (const std::exception& e) {
    return StorageError("witness.latest", e);
  }
}

Result<std::vector<WitnessEvidence>> WitnessStore::Evidence(const std::optional<std::string>& origin,
                                                            std::int64_t after_id, std::size_t limit,
                                                            std::size_t bytes_max) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  try {
    std::vector<WitnessEvidence> rows;
    const std::string wanted = origin.value_or("");
    const int all = origin ? 0 : 1;
    const long long count = static_cast<long long>(limit);
    const long long after = after_id;
    std::size_t bytes = 0;
    soci::rowset<soci::row> result = (impl_->sql.prepare
        << "SELECT CAST(id AS TEXT), origin, tree_size, root_hash, old_size, witness_size, reason, received_at,"
           " checkpoint FROM witness_evidence WHERE (:all = 1 OR origin = :o) AND id > :after"
           " ORDER BY id LIMIT :n",
        soci::use(all), soci::use(wanted), soci::use(after), soci::use(count));
    for (const soci::row& row : result) {
      if (bytes >= bytes_max) break;  // Rows are read one at a time: the rest are never loaded.
      WitnessEvidence evidence;
      // As text: SOCI types an SQLite integer by its value, so no one C++ type fits every row.
      evidence.id = static_cast<std::int64_t>(StoredSize(row.get<std::string>(0)));
      evidence.origin = row.get<std::string>(1);
      evidence.tree_size = StoredSize(row.get<std::string>(2));
      evidence.root_hash = StoredHash(row.get<std::string>(3));
      evidence.old_size = StoredSize(row.get<std::string>(4));
      evidence.witness_size = StoredSize(row.get<std::string>(5));
      evidence.reason = row.get<std::string>(6);
      evidence.received_at = row.get<std::string>(7);
      evidence.checkpoint = row.get<std::string>(8);
      bytes += evidence.checkpoint.size() + evidence.origin.size() + 256;
      rows.push_back(std::move(evidence));
    }
    return rows;
  } catch (const std::exception& e) {
    return StorageError("witness.evidence", e);
  }
}

}  // namespace jejak::db
