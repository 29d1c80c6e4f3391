#include "db/sql_util.h"

#include <nlohmann/json.hpp>
#include <soci/sqlite3/soci-sqlite3.h>

#include <cstdio>
#include <stdexcept>

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

sqlite3* Connection(soci::session& sql) {
  JEJAK_CHECK(sql.get_backend_name() == "sqlite3");  // The store opens SQLite only.
  return static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_;
}

}  // namespace

SqliteStatement::SqliteStatement(soci::session& sql, const char* query) : sql_(sql) {
  if (sqlite3_prepare_v3(Connection(sql_), query, -1, SQLITE_PREPARE_PERSISTENT, &statement_,
                         nullptr) != SQLITE_OK) {
    Fail("prepare");
  }
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(statement_); }

void SqliteStatement::Fail(const char* what) const {
  throw soci::soci_error(std::string("sqlite ") + what + ": " +
                         sqlite3_errmsg(Connection(sql_)));
}

void SqliteStatement::Bind(int index, long long value) {
  if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) Fail("bind");
}

void SqliteStatement::Bind(int index, std::string_view text) {
  if (sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                          SQLITE_UTF8) != SQLITE_OK) {
    Fail("bind");
  }
}

void SqliteStatement::BindNull(int index) {
  if (sqlite3_bind_null(statement_, index) != SQLITE_OK) Fail("bind");
}

void SqliteStatement::Bind(int index, const TextColumn& column) {
  if (column.indicator == soci::i_ok) return Bind(index, std::string_view(column.value));
  BindNull(index);
}

void SqliteStatement::Bind(int index, const IntColumn& column) {
  if (column.indicator == soci::i_ok) return Bind(index, column.value);
  BindNull(index);
}

bool SqliteStatement::Step() {
  const int result = sqlite3_step(statement_);
  if (result == SQLITE_ROW) return true;
  if (result == SQLITE_DONE) return false;
  Fail("step");
}

void SqliteStatement::Execute() {
  if (Step()) Fail("execute (a row where none was expected)");
}

bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

long long SqliteStatement::Int(int column) const { return sqlite3_column_int64(statement_, column); }

std::string SqliteStatement::Text(int column) const { return std::string(TextView(column)); }

std::string_view SqliteStatement::TextView(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  if (text == nullptr) return std::string_view();
  return std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
}

bool IsSqlite(soci::session& sql) { return sql.get_backend_name() == "sqlite3"; }

void SqliteStatement::Reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

WriteTransaction::WriteTransaction(soci::session& sql) : sql_(sql) {
  sql_ << (sql_.get_backend_name() == "sqlite3" ? "BEGIN IMMEDIATE" : "BEGIN");
}

WriteTransaction::~WriteTransaction() {
  if (open_) {
    try {
      sql_ << "ROLLBACK";
    } catch (const std::exception& e) {
      LogError("db.rollback", LoggableWhat(e));
    }
  }
}

void WriteTransaction::Commit() {
  sql_ << "COMMIT";
  open_ = false;
}

void WriteTransaction::Rollback() {
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
