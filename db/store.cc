// Opening the store, the small reads (entries, columns, checkpoints, cosignatures) and
// Merkle proofs. The append transaction lives in db/append.cc, verification in
// db/verify.cc, the summary inputs in db/summaries.cc.
#include "db/store.h"

#include <soci/soci.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "db/kept_checkpoint.h"
#include "db/schema.h"
#include "db/sql_util.h"
#include "db/store_impl.h"
#include "ledger/limits.h"

namespace jejak::db {

Result<std::string> WithCosignatures(Store& store, const ledger::NoteVerifier& verifier,
                                     const std::string& note) {
  Result<ledger::Checkpoint> checkpoint = ledger::OpenCheckpoint(note, verifier);
  if (!checkpoint) return Error{Code::kDataLoss, "stored checkpoint does not verify", {}};
  Result<std::vector<std::string>> lines = store.Cosignatures(checkpoint->tree_size);
  if (!lines) return lines.error();
  std::string cosigned = note;
  for (const std::string& line : *lines) cosigned += line;
  return cosigned;
}
namespace {

// The database a StoreOptions::database names: which backend, and what to open.
struct DatabaseUrl {
  bool postgres = false;
  std::string target;  // The SQLite file, or libpq's connection string.
};

Result<DatabaseUrl> ParseDatabaseUrl(const std::string& database) {
  if (database.rfind("postgresql://", 0) == 0 || database.rfind("postgres://", 0) == 0) {
    // SOCI hands its connection string to libpq but reads it first: only the keyword
    // form survives that.
    Result<std::string> conninfo = PostgresConninfo(database);
    if (!conninfo) return conninfo.error();
    return DatabaseUrl{true, std::move(conninfo).value()};
  }
  std::string path = database;
  if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
  if (path.rfind("postgresql:", 0) == 0 || path.rfind("postgres:", 0) == 0) {
    return InvalidArgument("a PostgreSQL database is named postgresql://USER@HOST:PORT/DB");
  }
  if (path.empty()) return InvalidArgument("empty database path");
  if (path.find_first_of(" '\"") != std::string::npos) {
    return InvalidArgument("database path must not contain spaces or quotes: " + path);
  }
  return DatabaseUrl{false, path};
}

}  // namespace

bool IsPostgresUrl(const std::string& database) {
  Result<DatabaseUrl> url = ParseDatabaseUrl(database);
  return url && url->postgres;
}

Store::Store(std::unique_ptr<StoreImpl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  Result<DatabaseUrl> url = ParseDatabaseUrl(options.database);
  if (!url) return url.error();
  auto impl = std::make_unique<StoreImpl>();
  impl->signer = options.signer;
  impl->kept_checkpoint = options.kept_checkpoint;
  try {
    if (url->postgres) {
      // libpq reads the rest of the environment (PGPASSFILE, PGSSLMODE...). READ COMMITTED, the default,
      // is what the append's chain head lock relies on (db/sql_util.h WriteTransaction).
      impl->sql.open(soci::postgresql, url->target);
      impl->sql << "SET client_min_messages = WARNING";
    } else {
      impl->sql.open(soci::sqlite3, "db=" + url->target + " timeout=30");
      // WAL with synchronous=FULL: a committed append is on disk when COMMIT returns.
      std::string mode;
      impl->sql << (options.read_only ? "PRAGMA journal_mode" : "PRAGMA journal_mode=WAL"),
          soci::into(mode);
      impl->sql << "PRAGMA synchronous=FULL";
      impl->sql << "PRAGMA foreign_keys=ON";
    }
  } catch (const std::exception& e) {
    return StorageError("db.open", e);
  }
  Result<void> migrated = options.read_only ? CheckSchemaCurrent(impl->sql) : Migrate(impl->sql);
  if (!migrated) return migrated.error();
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Result<std::uint64_t> Store::TreeSize() {
  try {
    return impl_->Size();
  } catch (const std::exception& e) {
    return StorageError("db.tree_size", e);
  }
}

Result<std::string> Store::LastRecordedAt() {
  try {
    std::string recorded_at;
    impl_->sql << "SELECT recorded_at FROM entries ORDER BY seq DESC LIMIT 1",
        soci::into(recorded_at);
    if (!impl_->sql.got_data()) return std::string();
    return recorded_at;
  } catch (const std::exception& e) {
    return StorageError("db.last_recorded_at", e);
  }
}

Result<void> Store::CheckWritable() {
  soci::session& sql = impl_->sql;
  try {
    if (!IsSqlite(sql)) {
      // A hot standby, a read-only transaction default or a role without INSERT.
      int in_recovery = 0;
      std::string read_only;
      int may_insert = 0;
      sql << "SELECT CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END,"
             " current_setting('default_transaction_read_only'),"
             " CASE WHEN has_table_privilege('entries', 'INSERT')"
             " AND has_table_privilege('merkle_nodes', 'INSERT')"
             " AND has_table_privilege('checkpoints', 'INSERT')"
             " AND has_table_privilege('idempotency', 'INSERT')"
             " AND has_table_privilege('audit_expenditures', 'INSERT')"
             " AND has_table_privilege('bank_statements', 'INSERT')"
             " AND has_table_privilege('realisation_monthly', 'INSERT, UPDATE')"
             " AND has_table_privilege('realisation_daily', 'INSERT, UPDATE')"
             " AND has_table_privilege('realisation_lines', 'INSERT, UPDATE') THEN 1 ELSE 0 END",
          soci::into(in_recovery), soci::into(read_only), soci::into(may_insert);
      if (in_recovery == 1) {
        return Error{Code::kUnavailable, "the database is a standby (read-only replica)", {}};
      }
      if (read_only == "on") {
        return Error{Code::kUnavailable, "the database's transactions are read-only", {}};
      }
      if (may_insert != 1) {
        return Error{Code::kUnavailable,
                     "the database role may not write every ledger table (INSERT on the ledger"
                     " tables, INSERT and UPDATE on the realisation tables: ops/postgres/setup.sql)",
                     {}};
      }
    } else {
      // SQLite opens a file it may not write read-only without saying so.
      auto* backend = static_cast<soci::sqlite3_session_backend*>(sql.get_backend());
      if (sqlite3_db_readonly(backend->conn_, "main") == 1) {
        return Error{Code::kUnavailable, "the database file is read-only for this process", {}};
      }
    }
    WriteTransaction probe(sql);  // Takes the write lock (BEGIN IMMEDIATE), then rolls back.
    probe.Rollback();
    return Ok();
  } catch (const std::exception& e) {
    LogError("db.check_writable", LoggableWhat(e));
    return Error{Code::kUnavailable, "the database cannot be written: " + LoggableWhat(e), {}};
  }
}

Result<void> Store::CheckKeptCheckpoint(const ledger::NoteVerifier& verifier) {
  if (impl_->kept_checkpoint.empty()) return Ok();
  Result<std::optional<std::string>> note = ReadKeptCheckpoint(impl_->kept_checkpoint);
  if (!note) return note.error();
  if (!note->has_value()) return Ok();
  Result<ledger::Checkpoint> kept = ledger::OpenCheckpoint(**note, verifier);
  if (!kept) {
    return Error{Code::kDataLoss,
                 "the checkpoint kept in " + impl_->kept_checkpoint +
                     " does not verify with the ledger's key: " + kept.error().ToString(),
                 {}};
  }
  Result<std::uint64_t> size = TreeSize();
  if (!size) return size.error();
  const std::string kept_text = "the checkpoint kept in " + impl_->kept_checkpoint +
                                " covers " + std::to_string(kept->tree_size) +
                                " entries with root " + Hex(kept->root_hash);
  if (*size < kept->tree_size) {
    std::string database_root = "none";
    if (*size > 0) {
      Result<ledger::Digest> root = TreeHash(*size);
      database_root = root ? Hex(*root) : "unreadable";
    }
    return Error{Code::kDataLoss,
                 "the database holds " + std::to_string(*size) + " entries with root " +
                     database_root + ", but " + kept_text +
                     ": the database was rewound and acknowledged entries are missing",
                 {}};
  }
  Result<ledger::Digest> root = TreeHash(kept->tree_size);
  if (!root) return root.error();
  if (*root != kept->root_hash) {
    return Error{Code::kDataLoss,
                 "the database's first " + std::to_string(kept->tree_size) +
                     " entries have root " + Hex(*root) + ", but " + kept_text +
                     ": the database was replaced or rewritten",
                 {}};
  }
  return Ok();
}

Result<std::optional<std::string>> Store::LatestCheckpoint() {
  try {
    std::string note;
    impl_->sql << "SELECT note FROM checkpoints ORDER BY tree_size DESC LIMIT 1", soci::into(note);
    if (!impl_->sql.got_data()) return std::optional<std::string>();
    return std::optional<std::string>(std::move(note));
  } catch (const std::exception& e) {
    return StorageError("db.latest_checkpoint", e);
  }
}

Result<StoredEntry> Store::Entry(std::int64_t seq) {
  try {
    StoredEntry entry;
    std::string leaf_hash;
    std::string chain_hash;
    long long key = seq;
    impl_->sql << "SELECT canonical, leaf_hash, chain_hash FROM entries WHERE seq = :s",
        soci::into(entry.canonical), soci::into(leaf_hash), soci::into(chain_hash), soci::use(key);
    if (!impl_->sql.got_data()) {
      return Error{Code::kNotFound, "no entry with seq " + std::to_string(seq), {}};
    }
    entry.seq = seq;
    Result<ledger::Digest> leaf = StoredDigest(leaf_hash, seq, "leaf_hash");
    if (!leaf) return leaf.error();
    Result<ledger::Digest> chain = StoredDigest(chain_hash, seq, "chain_hash");
    if (!chain) return chain.error();
    entry.leaf_hash = *leaf;
    entry.chain_hash = *chain;
    return entry;
  } catch (const std::exception& e) {
    return StorageError("db.entry", e);
  }
}

Result<ledger::EntryColumns> Store::Columns(std::int64_t seq) {
  try {
    Result<std::optional<ledger::EntryColumns>> columns = impl_->View().Columns(seq);
    if (!columns) return columns.error();
    if (!columns->has_value()) {
      return Error{Code::kNotFound, "no entry with seq " + std::to_string(seq), {}};
    }
    return std::move(columns).value().value();
  } catch (const std::exception& e) {
    return StorageError("db.columns", e);
  }
}

Result<std::string> Store::OpdOf(std::int64_t seq) {
  Result<ledger::EntryColumns> columns = Columns(seq);
  if (!columns) return columns.error();
  const std::optional<std::int64_t> original_seq =
      columns->kind == "reversal" ? columns->reverses
      : columns->kind == "refund" ? columns->refunds
                                  : std::nullopt;
  if (original_seq) {
    Result<ledger::EntryColumns> original = Columns(*original_seq);
    if (!original) return original.error();
    return original->opd;
  }
  return columns->opd;
}

Result<std::optional<std::string>> Store::CheckpointAt(std::uint64_t tree_size) {
  try {
    std::string note;
    long long size = static_cast<long long>(tree_size);
    impl_->sql << "SELECT note FROM checkpoints WHERE tree_size = :s", soci::into(note),
        soci::use(size);
    if (!impl_->sql.got_data()) return std::optional<std::string>();
    return std::optional<std::string>(std::move(note));
  } catch (const std::exception& e) {
    return StorageError("db.checkpoint_at", e);
  }
}


Result<void> Store::AddCosignature(std::uint64_t tree_size, const std::string& cosigner,
                                   const std::string& line) {
  try {
    soci::session& sql = impl_->sql;
    WriteTransaction transaction(sql);
    long long size = static_cast<long long>(tree_size);
    long long found = 0;
    sql << "SELECT COUNT(*) FROM checkpoints WHERE tree_size = :s", soci::into(found), soci::use(size);
    if (found == 0) {
      return Error{Code::kNotFound, "no checkpoint of tree size " + std::to_string(tree_size), {}};
    }
    std::string existing;
    sql << "SELECT line FROM cosignatures WHERE tree_size = :s AND cosigner = :c",
        soci::into(existing), soci::use(size), soci::use(cosigner);
    if (sql.got_data()) {
      if (existing == line) return Ok();
      return Error{Code::kConflict,
                   cosigner + " already cosigned tree size " + std::to_string(tree_size), {}};
    }
    sql << "INSERT INTO cosignatures (tree_size, cosigner, line) VALUES (:s, :c, :l)",
        soci::use(size), soci::use(cosigner), soci::use(line);
    transaction.Commit();
    return Ok();
  } catch (const std::exception& e) {
    return StorageError("db.add_cosignature", e);
  }
}

Result<std::vector<std::string>> Store::Cosignatures(std::uint64_t tree_size) {
  try {
    long long size = static_cast<long long>(tree_size);
    // A checkpoint carries at most a handful of witnesses; the note format caps it anyway.
    std::vector<std::string> lines(ledger::kNoteSignaturesMax);
    impl_->sql << "SELECT line FROM cosignatures WHERE tree_size = :s ORDER BY cosigner",
        soci::into(lines), soci::use(size);
    return lines;
  } catch (const std::exception& e) {
    return StorageError("db.cosignatures", e);
  }
}

Result<void> Store::RecordWitnessSize(const std::string& witness, std::uint64_t tree_size,
                                      const std::string& recorded_at) {
  try {
    soci::session& sql = impl_->sql;
    // The size comes from a witness's answer: too large for the column is its error.
    if (tree_size > static_cast<std::uint64_t>(std::numeric_limits<long long>::max())) {
      return InvalidArgument("witness " + witness + " named tree size " + std::to_string(tree_size) +
                             ", larger than any a log can hold");
    }
    long long size = static_cast<long long>(tree_size);
    WriteTransaction transaction(sql);
    long long found = 0;
    sql << "SELECT COUNT(*) FROM witness_sizes WHERE witness = :w AND tree_size = :s",
        soci::into(found), soci::use(witness), soci::use(size);
    if (found > 0) return Ok();
    sql << "INSERT INTO witness_sizes (witness, tree_size, recorded_at) VALUES (:w, :s, :t)",
        soci::use(witness), soci::use(size), soci::use(recorded_at);
    transaction.Commit();
    return Ok();
  } catch (const std::exception& e) {
    return StorageError("db.record_witness_size", e);
  }
}

Result<std::optional<std::uint64_t>> Store::WitnessSize(const std::string& witness) {
  try {
    long long size = 0;
    soci::indicator indicator = soci::i_null;
    impl_->sql << "SELECT MAX(tree_size) FROM (SELECT MAX(tree_size) AS tree_size FROM witness_sizes "
                  "WHERE witness = :w UNION ALL SELECT MAX(tree_size) FROM cosignatures "
                  "WHERE cosigner = :c) AS known",
        soci::into(size, indicator), soci::use(witness, "w"), soci::use(witness, "c");
    if (indicator != soci::i_ok) return std::optional<std::uint64_t>();
    return std::optional<std::uint64_t>(static_cast<std::uint64_t>(size));
  } catch (const std::exception& e) {
    return StorageError("db.witness_size", e);
  }
}

Result<ledger::Digest> Store::TreeHash(std::uint64_t tree_size) {
  try {
    if (tree_size == 0) return ledger::EmptyTreeHash();
    if (tree_size > impl_->Size()) {
      return Error{Code::kNotFound, "tree size " + std::to_string(tree_size) + " is beyond the ledger", {}};
    }
    return ledger::TreeHash(tree_size, impl_->Reader());
  } catch (const std::exception& e) {
    return StorageError("db.tree_hash", e);
  }
}

Result<std::vector<ledger::Digest>> Store::InclusionProof(std::uint64_t seq, std::uint64_t tree_size) {
  try {
    if (tree_size > impl_->Size()) {
      return Error{Code::kNotFound, "tree size " + std::to_string(tree_size) + " is beyond the ledger", {}};
    }
    return ledger::InclusionProof(seq, tree_size, impl_->Reader());
  } catch (const std::exception& e) {
    return StorageError("db.inclusion_proof", e);
  }
}

Result<std::vector<ledger::Digest>> Store::ConsistencyProof(std::uint64_t first, std::uint64_t second) {
  try {
    if (second > impl_->Size()) {
      return Error{Code::kNotFound, "tree size " + std::to_string(second) + " is beyond the ledger", {}};
    }
    return ledger::ConsistencyProof(first, second, impl_->Reader());
  } catch (const std::exception& e) {
    return StorageError("db.consistency_proof", e);
  }
}

Result<void> Store::ForEachEntry(std::int64_t last_seq,
                                 const std::function<Result<void>(const StoredEntry&)>& visit) {
  try {
    long long after = -1;
    long long last = last_seq;
    while (after < last) {
      std::vector<long long> seqs(kStreamPageEntries);
      std::vector<std::string> canonicals(kStreamPageEntries);
      std::vector<std::string> leaf_hashes(kStreamPageEntries);
      std::vector<std::string> chain_hashes(kStreamPageEntries);
      impl_->sql << "SELECT seq, canonical, leaf_hash, chain_hash FROM entries"
                    " WHERE seq > :a AND seq <= :b ORDER BY seq LIMIT "
                 << kStreamPageEntries,
          soci::into(seqs), soci::into(canonicals), soci::into(leaf_hashes),
          soci::into(chain_hashes), soci::use(after), soci::use(last);
      if (seqs.empty()) break;
      for (std::size_t i = 0; i < seqs.size(); ++i) {
        Result<ledger::Digest> leaf = StoredDigest(leaf_hashes[i], seqs[i], "leaf_hash");
        if (!leaf) return leaf.error();
        Result<ledger::Digest> chain = StoredDigest(chain_hashes[i], seqs[i], "chain_hash");
        if (!chain) return chain.error();
        StoredEntry entry{seqs[i], std::move(canonicals[i]), *leaf, *chain};
        Result<void> visited = visit(entry);
        if (!visited) return visited;
      }
      after = seqs.back();
    }
    return Ok();
  } catch (const std::exception& e) {
    return StorageError("db.for_each_entry", e);
  }
}

}  // namespace jejak::db
