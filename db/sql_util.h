// Helpers shared by the Store's source files (db/store.cc, append.cc, verify.cc,
// summaries.cc, bundle_export.cc): the log line and error mapping at the SOCI boundary,
// stored hashes, nullable columns bound to SOCI statements, and the write and read
// transactions. Internal to db/: nothing outside it includes this header.
#pragma once

#include <soci/soci.h>

// SOCI's SQLite backend includes sqlite3.h inside this namespace.
namespace sqlite_api {
struct sqlite3_stmt;
}

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"

namespace jejak::db {

// Entries read per page while streaming: bounds memory whatever the ledger's size.
inline constexpr int kStreamPageEntries = 1000;
// Stored Merkle nodes and checkpoints read per fetch while streaming.
inline constexpr int kStreamPageRows = 2048;

// Writes one JSON line {"event": where, "error": what} to stderr, like the service's log.
void LogError(const char* where, const std::string& what);

// What may be logged of `e`. SOCI's what() appends the statement and its bound values
// (payee accounts, NPWPs) to the database's message: only the message itself is logged.
std::string LoggableWhat(const std::exception& e);

// Maps an exception caught at a Store method's boundary (`where` names the method, e.g.
// "db.entry") to an Error and logs it: a database error (soci::soci_error) is
// kUnavailable "storage unavailable"; stored data a library could not read (a nlohmann
// JSON error, a failed number conversion) is kDataLoss; anything else is kInternal. The
// details go to the log only, never into the Error's message.
Error StorageError(const char* where, const std::exception& e);

// Lowercase hex of `digest`, as the store writes hashes.
std::string Hex(const ledger::Digest& digest);

// The digest stored as hex in `column` ("leaf_hash", "chain_hash") of entry `seq`.
// kDataLoss naming the seq and column (and logged) if it is not a hash: corrupt stored
// hex is never read as zeros.
Result<ledger::Digest> StoredDigest(const std::string& hex, std::int64_t seq, const char* column);

// A nullable text column: empty means NULL.
struct TextColumn {
  std::string value;
  soci::indicator indicator = soci::i_null;
  void Set(const std::string& text) {
    value = text;
    indicator = text.empty() ? soci::i_null : soci::i_ok;
  }
  std::string Get() const { return indicator == soci::i_ok ? value : std::string(); }
};

struct IntColumn {
  long long value = 0;
  soci::indicator indicator = soci::i_null;
  void Set(const std::optional<std::int64_t>& number) {
    value = number.value_or(0);
    indicator = number ? soci::i_ok : soci::i_null;
  }
  std::optional<std::int64_t> Get() const {
    if (indicator != soci::i_ok) return std::nullopt;
    return value;
  }
};

// The derived columns in schema order, bound once to a prepared INSERT.
struct EntryRow {
  long long seq = 0;
  std::string canonical, leaf_hash, chain_hash, kind, recorded_at, recorded_by;
  IntColumn fiscal_year;
  TextColumn opd, sub_activity, account, instrument, mechanism, value_date, bank_ref,
      payee_account, payee_npwp, tax_type;
  IntColumn amount_sen, net_sen, tax_sen, reverses;
  TextColumn evidence_no, evidence_date, tax_detail, covers, monthly_plan;
  IntColumn refunds;

  // Copies every derived column (not canonical or the hashes) from `columns`.
  void Set(const ledger::EntryColumns& columns);
};

// The columns of table `entries` in EntryRow's order.
inline constexpr const char* kEntryColumnNames =
    "seq, canonical, leaf_hash, chain_hash, kind, recorded_at, recorded_by, fiscal_year, opd,"
    " sub_activity, account, instrument, mechanism, value_date, bank_ref, payee_account,"
    " payee_npwp, tax_type, amount_sen, net_sen, tax_sen, reverses, evidence_no,"
    " evidence_date, tax_detail, covers, monthly_plan, refunds";

// A statement prepared once on `sql`'s connection, with the database's own API (SQLite's
// sqlite3_stmt, PostgreSQL's libpq), and run many times: the hot paths (the append's
// writes and checks, Merkle node reads) keep theirs for the session's life instead of
// paying SOCI's per-execute work. Parameters are `?` or `:name` in order, bound by
// position from 1; bound text is copied. Every run ends reset (RunScope), so no statement
// keeps a read transaction or a result open between calls. Must be destroyed before the
// session closes. Errors throw soci::soci_error, like the session.
//
// On PostgreSQL, values travel as text: Int() reads a column's decimal text (a SUM over
// BIGINT is NUMERIC there, still an integer's text), and the first Step() runs the
// statement and holds its whole result (the queries run this way return few rows).
class NativeStatement {
 public:
  NativeStatement(soci::session& sql, const char* query);
  ~NativeStatement();
  NativeStatement(const NativeStatement&) = delete;
  NativeStatement& operator=(const NativeStatement&) = delete;

  // Resets the statement and clears its bindings when it goes out of scope, however the
  // run ends (a row left unread, an exception).
  class RunScope {
   public:
    explicit RunScope(NativeStatement& statement) : statement_(statement) {}
    ~RunScope() { statement_.Reset(); }
    RunScope(const RunScope&) = delete;
    RunScope& operator=(const RunScope&) = delete;

   private:
    NativeStatement& statement_;
  };

  void Bind(int index, long long value);
  void Bind(int index, std::string_view text);
  void BindNull(int index);
  void Bind(int index, const TextColumn& column);
  void Bind(int index, const IntColumn& column);
  // Steps once: true with a row to read, false when done.
  bool Step();
  // Steps a statement that returns no rows (an INSERT); inside a DeferredWrites scope on
  // PostgreSQL, queues it instead.
  void Execute();
  bool IsNull(int column) const;
  long long Int(int column) const;
  std::string Text(int column) const;
  // Column `column` of the current row: valid until the next Step or Reset ("" for NULL).
  std::string_view TextView(int column) const;
  void Reset();

 private:
  struct Postgres;  // sql_util.cc.
  [[noreturn]] void Fail(const char* what) const;

  soci::session& sql_;
  sqlite_api::sqlite3_stmt* statement_ = nullptr;  // SQLite.
  std::unique_ptr<Postgres> postgres_;              // PostgreSQL.
};

// True if `sql` is a SQLite session.
bool IsSqlite(soci::session& sql);

// While one lives, NativeStatement::Execute() on a PostgreSQL session queues its write
// instead of waiting for the server's answer: the queued writes go out together in one
// libpq pipeline (one round trip) before the session's next native query (Step()), at
// WriteTransaction::Commit(), at FlushWrites(), or when 512 wait. A write's error is
// thrown there, not by Execute(): only for writes whose failure fails the whole
// transaction. SOCI statements do not flush: whoever runs one that reads what queued
// writes wrote must call FlushWrites() first. Does nothing on SQLite (whose statements
// run in-process). Scopes may nest; one session, one thread.
class DeferredWrites {
 public:
  explicit DeferredWrites(soci::session& sql);
  ~DeferredWrites();
  DeferredWrites(const DeferredWrites&) = delete;
  DeferredWrites& operator=(const DeferredWrites&) = delete;

 private:
  soci::session& sql_;
};

// Sends the writes queued on `sql` (DeferredWrites) and waits for them; throws the first
// failure as soci_error. Does nothing when none wait.
void FlushWrites(soci::session& sql);
// Drops the writes queued on `sql` unsent (the transaction rolls back).
void DiscardWrites(soci::session& sql);

// libpq's keyword/value form of the postgresql:// URL `url` (PQconninfoParse), every value
// quoted. With `password`, the URL's password (if any) is left out and put there instead.
// kInvalidArgument with libpq's reason if it cannot be read.
Result<std::string> PostgresConninfo(const std::string& url, std::string* password = nullptr);

// `query` with its parameters (`?`, or `:name` as SOCI writes them) renumbered as
// PostgreSQL's $1, $2, ... in order of appearance; `::` casts and quoted text are kept.
// Sets `count` to the number of parameters.
std::string PostgresParameters(std::string_view query, int& count);

// The PostgreSQL advisory lock that guards the chain head ("jejak" in ASCII).
inline constexpr long long kChainHeadLock = 0x6a656a616b;

// A write transaction that holds the ledger's write lock from its first statement, so two
// writers (threads or processes) never both read the same tip: BEGIN IMMEDIATE on
// SQLite; on PostgreSQL, BEGIN and the chain head's advisory lock (kChainHeadLock). Rolls
// back unless committed. Throws soci_error like the session.
class WriteTransaction {
 public:
  explicit WriteTransaction(soci::session& sql);
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  void Commit();
  void Rollback();

 private:
  soci::session& sql_;
  bool open_ = true;
};

// A read transaction: every query inside sees one snapshot (SQLite WAL; PostgreSQL
// REPEATABLE READ), so summaries never mix two ledger states.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(soci::session& sql);
  ~ReadSnapshot();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  soci::session& sql_;
};

}  // namespace jejak::db
