#include "db/sql_util.h"

#include <nlohmann/json.hpp>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <map>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "base/check.h"
#include "crypto/encoding.h"

namespace jejak::db {

void LogError(const char* where, const std::string& what) {
  // One JSON line like the service's, with the statement's name and the error only.
  nlohmann::json line = {{"event", where}, {"error", what}};
  std::fprintf(stderr, "%s\n",
               line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

std::string LoggableWhat(const std::exception& e) {
  if (const auto* soci_error = dynamic_cast<const soci::soci_error*>(&e)) {
    return soci_error->get_error_message();
  }
  return e.what();
}

Error StorageError(const char* where, const std::exception& e) {
  // The details stay in the log, never in a response.
  if (dynamic_cast<const soci::soci_error*>(&e) != nullptr) {
    LogError(where, LoggableWhat(e));
    return Error{Code::kUnavailable, "storage unavailable", {}};
  }
  // Stored bytes or columns a library could not read: the database answered, but what it
  // holds is not what the store wrote.
  if (dynamic_cast<const nlohmann::json::exception*>(&e) != nullptr ||
      dynamic_cast<const std::invalid_argument*>(&e) != nullptr ||
      dynamic_cast<const std::out_of_range*>(&e) != nullptr) {
    LogError(where, std::string("stored data is unreadable: ") + e.what());
    return Error{Code::kDataLoss, "stored data is unreadable", {}};
  }
  LogError(where, std::string("unexpected error: ") + e.what());
  return Error{Code::kInternal, "internal error", {}};
}

std::string Hex(const ledger::Digest& digest) { return crypto::ToHex(digest); }

Result<ledger::Digest> StoredDigest(const std::string& hex, std::int64_t seq, const char* column) {
  std::optional<ledger::Digest> digest = crypto::DigestFromHex(hex);
  if (digest) return *digest;
  const std::string message =
      "the stored " + std::string(column) + " of seq " + std::to_string(seq) + " is not a hash";
  LogError("db.stored_hash", message);
  return Error{Code::kDataLoss, message, {}};
}

void EntryRow::Set(const ledger::EntryColumns& columns) {
  seq = columns.seq;
  kind = columns.kind;
  recorded_at = columns.recorded_at;
  recorded_by = columns.recorded_by;
  fiscal_year.Set(columns.fiscal_year);
  opd.Set(columns.opd);
  sub_activity.Set(columns.sub_activity);
  account.Set(columns.account);
  instrument.Set(columns.instrument);
  mechanism.Set(columns.mechanism);
  value_date.Set(columns.value_date);
  bank_ref.Set(columns.bank_ref);
  payee_account.Set(columns.payee_account);
  payee_npwp.Set(columns.payee_npwp);
  tax_type.Set(columns.tax_type);
  amount_sen.Set(columns.amount_sen);
  net_sen.Set(columns.net_sen);
  tax_sen.Set(columns.tax_sen);
  reverses.Set(columns.reverses);
  evidence_no.Set(columns.evidence_no);
  evidence_date.Set(columns.evidence_date);
  tax_detail.Set(columns.tax_detail);
  covers.Set(columns.covers);
  monthly_plan.Set(columns.monthly_plan);
  refunds.Set(columns.refunds);
}

// SOCI's SQLite backend declares the SQLite API in this namespace (its header includes
// sqlite3.h inside it).
using namespace sqlite_api;

namespace {

sqlite3* SqliteConnection(soci::session& sql) {
  return static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_;
}

PGconn* PostgresConnection(soci::session& sql) {
  return static_cast<soci::postgresql_session_backend*>(sql.get_backend())->conn_;
}

bool IsIdentifierChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Names the prepared statements of this process apart (one namespace per connection).
std::atomic<unsigned long long> statement_counter{0};

// Writes deferred on a PostgreSQL connection (DeferredWrites): each a prepared
// statement's name and its parameters (nullopt: NULL), sent together in one pipeline.
struct QueuedWrite {
  std::string statement;
  std::vector<std::optional<std::string>> values;
};
struct WriteQueue {
  int depth = 0;  // Nested DeferredWrites scopes.
  std::vector<QueuedWrite> writes;
};
// At most this many writes wait before they are sent.
constexpr std::size_t kQueuedWritesMax = 512;

std::mutex queues_mutex;
// Only connections inside a DeferredWrites scope have a queue. Each is used by the one
// thread that owns its session; the mutex guards the map itself.
std::map<const PGconn*, WriteQueue> queues;

WriteQueue* QueueOf(const PGconn* connection) {
  std::lock_guard<std::mutex> lock(queues_mutex);
  auto found = queues.find(connection);
  return found == queues.end() ? nullptr : &found->second;
}

// Sends every queued write of `connection` in one pipeline and reads every result: one
// round trip however many. Throws soci_error with the first failure (the rest of the
// pipeline is then aborted by the server; the transaction must roll back).
void SendQueued(PGconn* connection, WriteQueue& queue) {
  if (queue.writes.empty()) return;
  std::vector<QueuedWrite> writes;
  writes.swap(queue.writes);
  if (PQenterPipelineMode(connection) != 1) {
    throw soci::soci_error(std::string("postgresql pipeline: ") + PQerrorMessage(connection));
  }
  std::string failure;
  std::size_t sent = 0;
  for (const QueuedWrite& write : writes) {
    std::vector<const char*> values(write.values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      values[i] = write.values[i] ? write.values[i]->c_str() : nullptr;
    }
    if (PQsendQueryPrepared(connection, write.statement.c_str(), static_cast<int>(values.size()),
                            values.data(), nullptr, nullptr, 0) != 1) {
      failure = PQerrorMessage(connection);
      break;
    }
    ++sent;
  }
  if (PQpipelineSync(connection) != 1 && failure.empty()) failure = PQerrorMessage(connection);
  // Each sent query answers with its result then NULL; the sync answers last.
  for (std::size_t i = 0; i < sent; ++i) {
    while (PGresult* result = PQgetResult(connection)) {
      const ExecStatusType status = PQresultStatus(result);
      if (failure.empty() && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        failure = status == PGRES_PIPELINE_ABORTED ? "pipeline aborted" : PQresultErrorMessage(result);
      }
      PQclear(result);
    }
  }
  while (PGresult* result = PQgetResult(connection)) {
    const bool synced = PQresultStatus(result) == PGRES_PIPELINE_SYNC;
    PQclear(result);
    if (synced) break;
  }
  if (PQexitPipelineMode(connection) != 1 && failure.empty()) failure = PQerrorMessage(connection);
  if (!failure.empty()) throw soci::soci_error("postgresql execute: " + failure);
}

}  // namespace

DeferredWrites::DeferredWrites(soci::session& sql) : sql_(sql) {
  if (IsSqlite(sql_)) return;
  std::lock_guard<std::mutex> lock(queues_mutex);
  ++queues[PostgresConnection(sql_)].depth;
}

DeferredWrites::~DeferredWrites() {
  if (IsSqlite(sql_)) return;
  std::lock_guard<std::mutex> lock(queues_mutex);
  auto found = queues.find(PostgresConnection(sql_));
  if (found != queues.end() && --found->second.depth == 0) queues.erase(found);
}

void FlushWrites(soci::session& sql) {
  if (IsSqlite(sql)) return;
  PGconn* connection = PostgresConnection(sql);
  if (WriteQueue* queue = QueueOf(connection)) SendQueued(connection, *queue);
}

void DiscardWrites(soci::session& sql) {
  if (IsSqlite(sql)) return;
  if (WriteQueue* queue = QueueOf(PostgresConnection(sql))) queue->writes.clear();
}

Result<std::string> PostgresConninfo(const std::string& url, std::string* password) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    std::string why = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    while (!why.empty() && (why.back() == '\n' || why.back() == '\r')) why.pop_back();
    return InvalidArgument("not a PostgreSQL URL: " + why);
  }
  std::string conninfo;
  for (const PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (option->val == nullptr || option->val[0] == '\0') continue;
    if (password != nullptr && std::string_view(option->keyword) == "password") {
      *password = option->val;
      continue;
    }
    if (!conninfo.empty()) conninfo += ' ';
    conninfo += option->keyword;
    conninfo += "='";
    for (const char* c = option->val; *c != '\0'; ++c) {
      if (*c == '\'' || *c == '\\') conninfo += '\\';
      conninfo += *c;
    }
    conninfo += '\'';
  }
  PQconninfoFree(options);
  return conninfo;
}

std::string PostgresParameters(std::string_view query, int& count) {
  std::string out;
  out.reserve(query.size() + 16);
  count = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < query.size(); ++i) {
    const char c = query[i];
    if (c == '\'') quoted = !quoted;
    if (quoted) {
      out += c;
    } else if (c == ':' && i + 1 < query.size() && query[i + 1] == ':') {
      out += "::";
      ++i;
    } else if (c == '?' || (c == ':' && i + 1 < query.size() && IsIdentifierChar(query[i + 1]))) {
      if (c == ':') {
        while (i + 1 < query.size() && IsIdentifierChar(query[i + 1])) ++i;
      }
      out += '$' + std::to_string(++count);
    } else {
      out += c;
    }
  }
  return out;
}

// A PostgreSQL statement: its name on the connection, the values bound (text, or NULL),
// and the result of the run under way.
struct NativeStatement::Postgres {
  PGconn* connection = nullptr;
  std::string name;
  std::vector<std::string> values;
  std::vector<bool> bound;  // false: NULL.
  PGresult* result = nullptr;
  int row = -1;
  int rows = 0;

  void Clear() {
    if (result != nullptr) PQclear(result);
    result = nullptr;
    row = -1;
    rows = 0;
    for (std::size_t i = 0; i < bound.size(); ++i) bound[i] = false;
  }
  std::size_t Slot(int index) const {
    if (index < 1 || static_cast<std::size_t>(index) > values.size()) {
      throw soci::soci_error("postgresql bind: no parameter " + std::to_string(index) +
                             " in statement " + name);
    }
    return static_cast<std::size_t>(index - 1);
  }
};

NativeStatement::NativeStatement(soci::session& sql, const char* query) : sql_(sql) {
  if (IsSqlite(sql_)) {
    if (sqlite3_prepare_v3(SqliteConnection(sql_), query, -1, SQLITE_PREPARE_PERSISTENT,
                           &statement_, nullptr) != SQLITE_OK) {
      Fail("prepare");
    }
    return;
  }
  JEJAK_CHECK(sql_.get_backend_name() == "postgresql");  // The store opens these two only.
  postgres_ = std::make_unique<Postgres>();
  postgres_->connection = PostgresConnection(sql_);
  postgres_->name = "jejak_native_" + std::to_string(++statement_counter);
  int count = 0;
  const std::string text = PostgresParameters(query, count);
  postgres_->values.resize(static_cast<std::size_t>(count));
  postgres_->bound.resize(static_cast<std::size_t>(count), false);
  PGresult* prepared =
      PQprepare(postgres_->connection, postgres_->name.c_str(), text.c_str(), count, nullptr);
  const bool ok = prepared != nullptr && PQresultStatus(prepared) == PGRES_COMMAND_OK;
  const std::string message = prepared != nullptr ? PQresultErrorMessage(prepared) : "";
  PQclear(prepared);
  if (!ok) {
    throw soci::soci_error("postgresql prepare: " +
                           (message.empty() ? std::string(PQerrorMessage(postgres_->connection)) : message));
  }
}

NativeStatement::~NativeStatement() {
  if (statement_ != nullptr) sqlite3_finalize(statement_);
  if (postgres_) {
    postgres_->Clear();
    // Best effort: a failed DEALLOCATE (the connection is gone, or a transaction aborted)
    // leaves a statement that ends with the connection.
    PQclear(PQexec(postgres_->connection, ("DEALLOCATE " + postgres_->name).c_str()));
  }
}

void NativeStatement::Fail(const char* what) const {
  if (postgres_) {
    const char* message = postgres_->result != nullptr ? PQresultErrorMessage(postgres_->result)
                                                       : PQerrorMessage(postgres_->connection);
    throw soci::soci_error(std::string("postgresql ") + what + ": " + message);
  }
  throw soci::soci_error(std::string("sqlite ") + what + ": " +
                         sqlite3_errmsg(SqliteConnection(sql_)));
}

void NativeStatement::Bind(int index, long long value) {
  if (postgres_) {
    const std::size_t slot = postgres_->Slot(index);
    postgres_->values[slot] = std::to_string(value);
    postgres_->bound[slot] = true;
    return;
  }
  if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) Fail("bind");
}

void NativeStatement::Bind(int index, std::string_view text) {
  if (postgres_) {
    const std::size_t slot = postgres_->Slot(index);
    postgres_->values[slot].assign(text.data(), text.size());
    postgres_->bound[slot] = true;
    return;
  }
  if (sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                          SQLITE_UTF8) != SQLITE_OK) {
    Fail("bind");
  }
}

void NativeStatement::BindNull(int index) {
  if (postgres_) {
    postgres_->bound[postgres_->Slot(index)] = false;
    return;
  }
  if (sqlite3_bind_null(statement_, index) != SQLITE_OK) Fail("bind");
}

void NativeStatement::Bind(int index, const TextColumn& column) {
  if (column.indicator == soci::i_ok) return Bind(index, std::string_view(column.value));
  BindNull(index);
}

void NativeStatement::Bind(int index, const IntColumn& column) {
  if (column.indicator == soci::i_ok) return Bind(index, column.value);
  BindNull(index);
}

bool NativeStatement::Step() {
  if (postgres_) {
    Postgres& pg = *postgres_;
    if (pg.result == nullptr) {
      // A query sees every write asked for before it.
      if (WriteQueue* queue = QueueOf(pg.connection)) SendQueued(pg.connection, *queue);
      std::vector<const char*> values(pg.values.size());
      for (std::size_t i = 0; i < values.size(); ++i) {
        values[i] = pg.bound[i] ? pg.values[i].c_str() : nullptr;
      }
      pg.result = PQexecPrepared(pg.connection, pg.name.c_str(), static_cast<int>(values.size()),
                                 values.data(), nullptr, nullptr, 0);
      const ExecStatusType status =
          pg.result != nullptr ? PQresultStatus(pg.result) : PGRES_FATAL_ERROR;
      if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) Fail("execute");
      pg.rows = PQntuples(pg.result);
      pg.row = -1;
    }
    return ++pg.row < pg.rows;
  }
  const int result = sqlite3_step(statement_);
  if (result == SQLITE_ROW) return true;
  if (result == SQLITE_DONE) return false;
  Fail("step");
}

void NativeStatement::Execute() {
  if (postgres_) {
    if (WriteQueue* queue = QueueOf(postgres_->connection)) {
      QueuedWrite& write = queue->writes.emplace_back();
      write.statement = postgres_->name;
      write.values.reserve(postgres_->values.size());
      for (std::size_t i = 0; i < postgres_->values.size(); ++i) {
        if (postgres_->bound[i]) {
          write.values.emplace_back(postgres_->values[i]);
        } else {
          write.values.emplace_back(std::nullopt);
        }
      }
      if (queue->writes.size() >= kQueuedWritesMax) SendQueued(postgres_->connection, *queue);
      return;
    }
  }
  if (Step()) Fail("execute (a row where none was expected)");
}

bool NativeStatement::IsNull(int column) const {
  if (postgres_) return PQgetisnull(postgres_->result, postgres_->row, column) == 1;
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

long long NativeStatement::Int(int column) const {
  if (postgres_) {
    const std::string_view text = TextView(column);
    long long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
      throw std::invalid_argument("postgresql: column " + std::to_string(column) +
                                  " is not an integer");
    }
    return value;
  }
  return sqlite3_column_int64(statement_, column);
}

std::string NativeStatement::Text(int column) const { return std::string(TextView(column)); }

std::string_view NativeStatement::TextView(int column) const {
  if (postgres_) {
    const Postgres& pg = *postgres_;
    if (PQgetisnull(pg.result, pg.row, column) == 1) return std::string_view();
    return std::string_view(PQgetvalue(pg.result, pg.row, column),
                            static_cast<std::size_t>(PQgetlength(pg.result, pg.row, column)));
  }
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  if (text == nullptr) return std::string_view();
  return std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
}

bool IsSqlite(soci::session& sql) { return sql.get_backend_name() == "sqlite3"; }

void NativeStatement::Reset() {
  if (postgres_) {
    postgres_->Clear();
    return;
  }
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

WriteTransaction::WriteTransaction(soci::session& sql) : sql_(sql) {
  if (IsSqlite(sql_)) {
    sql_ << "BEGIN IMMEDIATE";
    return;
  }
  // READ COMMITTED whatever the database's default: each statement after the lock sees
  // what the previous holder committed (a snapshot taken at the lock would not).
  sql_ << "BEGIN ISOLATION LEVEL READ COMMITTED";
  // The chain head's lock, held until COMMIT or ROLLBACK: every process appending to this
  // database takes it before reading the tip.
  sql_ << "SELECT pg_advisory_xact_lock(" << kChainHeadLock << ")";
}

WriteTransaction::~WriteTransaction() {
  if (open_) {
    DiscardWrites(sql_);
    try {
      sql_ << "ROLLBACK";
    } catch (const std::exception& e) {
      LogError("db.rollback", LoggableWhat(e));
    }
  }
}

void WriteTransaction::Commit() {
  FlushWrites(sql_);
  sql_ << "COMMIT";
  open_ = false;
}

void WriteTransaction::Rollback() {
  DiscardWrites(sql_);
  sql_ << "ROLLBACK";
  open_ = false;
}

ReadSnapshot::ReadSnapshot(soci::session& sql) : sql_(sql) {
  // SQLite's read transaction is one snapshot; PostgreSQL's default READ COMMITTED would
  // let each statement see later commits, so ask for REPEATABLE READ there.
  sql_ << (sql_.get_backend_name() == "sqlite3" ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ");
}

ReadSnapshot::~ReadSnapshot() {
  try {
    sql_ << "ROLLBACK";
  } catch (const std::exception& e) {
    LogError("db.read_snapshot", LoggableWhat(e));
  }
}

}  // namespace jejak::db
