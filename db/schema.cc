#include "db/schema.h"

#include <soci/soci.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "db/audit_facts.h"
#include "db/bank_statements.h"
#include "db/entry_search.h"

namespace jejak::db {
namespace {

struct Migration {
  int version;
  std::vector<std::string> statements;
  // Run after the statements, in the same transaction (fills a new table from the entries).
  Result<void> (*fill)(soci::session& sql) = nullptr;
};

// Migration 4: the audit facts (db/audit_facts.h): per expenditure, every input of the
// audit rules, so that findings read narrow typed rows of one fiscal year instead of the
// year's entries and their JSON. Written in the append transaction, never changed
// (append-only like the entries), filled here for an existing ledger; `jejak verify`
// checks every row against its entry. Texts are "" when absent; payee_pkp is 1, 0 or NULL.
Migration AuditFactsMigration() {
  return {4,
          {
              "CREATE TABLE audit_expenditures ("
              " fiscal_year INTEGER NOT NULL,"
              " seq BIGINT NOT NULL,"
              " opd TEXT NOT NULL,"
              " sub_activity TEXT NOT NULL,"
              " account TEXT NOT NULL,"
              " instrument TEXT NOT NULL,"
              " value_date TEXT NOT NULL,"
              " recorded_at TEXT NOT NULL,"
              " payee_npwp TEXT NOT NULL,"
              " payee_account TEXT NOT NULL,"
              " evidence_no TEXT NOT NULL,"
              " evidence_date TEXT NOT NULL,"
              " amount_sen BIGINT NOT NULL,"
              " tax_detail TEXT NOT NULL,"
              " payee_name TEXT NOT NULL,"
              " payee_pkp INTEGER,"
              " procurement_method TEXT NOT NULL,"
              " procurement_type TEXT NOT NULL,"
              " contract_no TEXT NOT NULL,"
              " PRIMARY KEY (fiscal_year, seq))@WITHOUT_ROWID@",
          },
          FillAuditFacts};
}

// Migration 5: what the log knows of each witness's latest cosigned size (issue #14): a
// row per size a witness cosigned or named in a 409 answer. Append-only like the ledger
// tables: the latest size is the greatest, so nothing is ever updated or deleted.
Migration WitnessSizesMigration() {
  return {5,
          {
              "CREATE TABLE witness_sizes ("
              " witness TEXT NOT NULL,"
              " tree_size BIGINT NOT NULL,"
              " recorded_at TEXT NOT NULL,"
              " PRIMARY KEY (witness, tree_size))",
          }};
}

// Migration 6: the indexes of GET /v1/entries's search filters (db/entry_search.cc), so
// that each answers from an index at millions of entries. Only expenditures carry these
// values, so the indexes are partial (WHERE kind = 'expenditure') and a search query
// says so too. The document numbers besides documents.evidence_no and the payee's name
// are in no column: their indexes are on expressions over the canonical bytes
// (@SPP@ ... stand for db/entry_search.h's SearchSql), which the database computes
// itself, so nothing has to be filled or checked against the bytes. Each index ends in
// seq: an equality search yields its rows in seq order, in either direction, from the
// cursor on. bank_ref has its UNIQUE index and account its index from migration 1.
Migration SearchIndexesMigration() {
  return {6,
          {
              "CREATE INDEX IF NOT EXISTS entries_evidence_no ON entries (evidence_no, seq) WHERE kind = 'expenditure'",
              "CREATE INDEX IF NOT EXISTS entries_spp ON entries ((@SPP@), seq) WHERE kind = 'expenditure'",
              "CREATE INDEX IF NOT EXISTS entries_spm ON entries ((@SPM@), seq) WHERE kind = 'expenditure'",
              "CREATE INDEX IF NOT EXISTS entries_sp2d ON entries ((@SP2D@), seq) WHERE kind = 'expenditure'",
              "CREATE INDEX IF NOT EXISTS entries_payee_npwp ON entries (payee_npwp, seq) WHERE kind = 'expenditure'",
              "CREATE INDEX IF NOT EXISTS entries_payee_name ON entries ((@PAYEE@), seq) WHERE kind = 'expenditure'",
              "CREATE INDEX IF NOT EXISTS entries_gross ON entries (amount_sen, seq) WHERE kind = 'expenditure'",
              "CREATE INDEX IF NOT EXISTS entries_instrument ON entries (instrument, seq) WHERE kind = 'expenditure'",
          }};
}

// Migration 7: saved column mappings of bulk imports (POST /v1/imports/mappings), one row
// per version of a name of an OPD; the newest version wins. Append-only like the ledger
// tables. Self-contained (its table, index and triggers), so its number may change.
constexpr int kImportMappingsVersion = 7;
Migration ImportMappingsMigration() {
  return {kImportMappingsVersion,
          {
              "CREATE TABLE import_mappings ("
              " opd TEXT NOT NULL,"
              " name TEXT NOT NULL,"
              " version INTEGER NOT NULL,"
              " mapping TEXT NOT NULL,"
              " saved_at TEXT NOT NULL,"
              " saved_by TEXT NOT NULL,"
              " PRIMARY KEY (opd, name, version))",
              "CREATE INDEX import_mappings_saved ON import_mappings (opd, saved_at)",
          }};
}

// Migration 8: the bank statements (db/bank_statements.h): per bank_statement entry, the
// account, its holder, the period and the balances, so that an append finds the earlier
// statements of an account (overlap, who holds it) by an index instead of reading
// statements of megabytes. Written in the append transaction, never changed, filled here
// for an existing ledger; `jejak verify` checks every row against its entry. opd is ""
// for the RKUD.
constexpr int kBankStatementsVersion = 8;
Migration BankStatementsMigration() {
  return {kBankStatementsVersion,
          {
              "CREATE TABLE bank_statements ("
              " seq BIGINT PRIMARY KEY,"
              " fiscal_year INTEGER NOT NULL,"
              " account_no TEXT NOT NULL,"
              " bank TEXT NOT NULL,"
              " account_role TEXT NOT NULL,"
              " opd TEXT NOT NULL,"
              " period_start TEXT NOT NULL,"
              " period_end TEXT NOT NULL,"
              " opening_sen BIGINT NOT NULL,"
              " closing_sen BIGINT NOT NULL,"
              " line_count BIGINT NOT NULL)",
              "CREATE INDEX bank_statements_account ON bank_statements (account_no, seq)",
              "CREATE INDEX bank_statements_year ON bank_statements (fiscal_year, seq)",
          },
          FillBankStatements};
}

// SQL kept portable between SQLite and PostgreSQL: BIGINT, TEXT and INTEGER only.
// Hashes are lowercase hex text so that an auditor can read them with any SQL tool.
const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations = {
      {1,
       {
           // One row per entry. `canonical` holds the exact RFC 8785 bytes that were
           // hashed; every other column is derived from them and verification checks
           // that they still agree.
           "CREATE TABLE entries ("
           " seq @SEQ_TYPE@,"
           " canonical TEXT NOT NULL,"
           " leaf_hash TEXT NOT NULL,"
           " chain_hash TEXT NOT NULL,"
           " kind TEXT NOT NULL,"
           " recorded_at TEXT NOT NULL,"
           " recorded_by TEXT NOT NULL,"
           " fiscal_year INTEGER,"
           " opd TEXT,"
           " sub_activity TEXT,"
           " account TEXT,"
           " instrument TEXT,"
           " mechanism TEXT,"
           " value_date TEXT,"
           " bank_ref TEXT UNIQUE,"
           " payee_account TEXT,"
           " payee_npwp TEXT,"
           " tax_type TEXT,"
           " amount_sen BIGINT,"
           " net_sen BIGINT,"
           " tax_sen BIGINT,"
           " reverses BIGINT UNIQUE,"
           " evidence_no TEXT,"
           " evidence_date TEXT,"
           " tax_detail TEXT,"
           " covers TEXT,"
           " monthly_plan TEXT)",
           // The API's filters: by OPD and year, by kind, by account, by value date.
           "CREATE INDEX IF NOT EXISTS entries_opd_year ON entries (opd, fiscal_year, kind, seq)",
           "CREATE INDEX IF NOT EXISTS entries_year_kind ON entries (fiscal_year, kind, seq)",
           "CREATE INDEX IF NOT EXISTS entries_kind ON entries (kind, seq)",
           "CREATE INDEX IF NOT EXISTS entries_account ON entries (account, fiscal_year, seq)",
           "CREATE INDEX IF NOT EXISTS entries_value_date ON entries (value_date, seq)",
           "CREATE INDEX IF NOT EXISTS entries_payee_account ON entries (payee_account, value_date)",
           // Realisation aggregates, kept in the append transaction so that absorption
           // never scans the ledger: the gross and count of unreversed expenditures per
           // (year, OPD, account group, instrument) by month ("YYYY-MM" of the value date)
           // and by day. A query sums whole months before as_of from the first and the
           // days of as_of's month from the second. Derived data, like the columns.
           "CREATE TABLE realisation_monthly ("
           " fiscal_year INTEGER NOT NULL,"
           " opd TEXT NOT NULL,"
           " account_group TEXT NOT NULL,"
           " instrument TEXT NOT NULL,"
           " month TEXT NOT NULL,"
           " amount_sen BIGINT NOT NULL,"
           " entries BIGINT NOT NULL,"
           " PRIMARY KEY (fiscal_year, opd, account_group, instrument, month))",
           "CREATE TABLE realisation_daily ("
           " fiscal_year INTEGER NOT NULL,"
           " value_date TEXT NOT NULL,"
           " opd TEXT NOT NULL,"
           " account_group TEXT NOT NULL,"
           " instrument TEXT NOT NULL,"
           " amount_sen BIGINT NOT NULL,"
           " entries BIGINT NOT NULL,"
           " PRIMARY KEY (fiscal_year, value_date, opd, account_group, instrument))",
           // Perfect Merkle subtrees: node (level, node_index) covers the 2^level leaves
           // from node_index * 2^level; completed_seq is the leaf that completed it, so
           // verification can stream nodes in the order it recomputes them.
           "CREATE TABLE merkle_nodes ("
           " level INTEGER NOT NULL,"
           " node_index BIGINT NOT NULL,"
           " completed_seq BIGINT NOT NULL,"
           " hash TEXT NOT NULL,"
           " PRIMARY KEY (level, node_index))",
           "CREATE INDEX merkle_nodes_completed ON merkle_nodes (completed_seq, level)",
           // One signed checkpoint per group commit.
           "CREATE TABLE checkpoints ("
           " tree_size BIGINT PRIMARY KEY,"
           " note TEXT NOT NULL)",
       }},
      {2,
       {
           // Idempotency-Key of each append, per caller: replays answer from here.
           "CREATE TABLE idempotency ("
           " sub TEXT NOT NULL,"
           " idempotency_key TEXT NOT NULL,"
           " request_hash TEXT NOT NULL,"
           " seq BIGINT NOT NULL,"
           " tree_size BIGINT NOT NULL,"
           " PRIMARY KEY (sub, idempotency_key))",
           // Auditors' cosignature/v1 lines, one per (checkpoint, cosigner). Append-only.
           "CREATE TABLE cosignatures ("
           " tree_size BIGINT NOT NULL,"
           " cosigner TEXT NOT NULL,"
           " line TEXT NOT NULL,"
           " PRIMARY KEY (tree_size, cosigner))",
       }},
      {3,
       {
           // Refunds (pengembalian belanja): the refunded expenditure's seq. NULL in every
           // other entry, which is what an existing ledger's rows hold from here on.
           "ALTER TABLE entries ADD COLUMN refunds BIGINT",
           "CREATE INDEX IF NOT EXISTS entries_refunds ON entries (refunds)",
           // Realisation per budget line (the TEPRA band compares the lines that carry a
           // RAK): the gross and count of unreversed expenditures per (year, OPD,
           // sub-activity, account, month), kept in the append transaction like the
           // tables above, and filled here from the entries of an existing ledger.
           "CREATE TABLE realisation_lines ("
           " fiscal_year INTEGER NOT NULL,"
           " opd TEXT NOT NULL,"
           " sub_activity TEXT NOT NULL,"
           " account TEXT NOT NULL,"
           " month TEXT NOT NULL,"
           " amount_sen BIGINT NOT NULL,"
           " entries BIGINT NOT NULL,"
           " PRIMARY KEY (fiscal_year, opd, sub_activity, account, month))",
           "INSERT INTO realisation_lines (fiscal_year, opd, sub_activity, account, month,"
           " amount_sen, entries)"
           " SELECT e.fiscal_year, e.opd, e.sub_activity, e.account, substr(e.value_date, 1, 7),"
           " SUM(e.amount_sen), COUNT(*) FROM entries e WHERE e.kind = 'expenditure'"
           " AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.reverses = e.seq)"
           " GROUP BY e.fiscal_year, e.opd, e.sub_activity, e.account, substr(e.value_date, 1, 7)",
       }},
      AuditFactsMigration(),
      WitnessSizesMigration(),
      SearchIndexesMigration(),
      ImportMappingsMigration(),
      BankStatementsMigration(),
  };
  return migrations;
}

// Append-only: every ledger table in `tables` refuses UPDATE and DELETE.
std::vector<std::string> AppendOnlyTriggers(const std::string& backend,
                                            const std::vector<const char*>& tables) {
  std::vector<std::string> statements;
  for (const char* table : tables) {
    const std::string name = table;
    if (backend == "sqlite3") {
      for (const char* operation : {"UPDATE", "DELETE"}) {
        const std::string op = operation;
        statements.push_back("CREATE TRIGGER " + name + "_no_" + (op == "UPDATE" ? "update" : "delete") +
                             " BEFORE " + op + " ON " + name +
                             " BEGIN SELECT RAISE(ABORT, '" + name +
                             " is append-only'); END");
      }
    } else {
      statements.push_back(
          "CREATE OR REPLACE FUNCTION jejak_append_only() RETURNS trigger AS $$ BEGIN "
          "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql");
      statements.push_back("CREATE TRIGGER " + name + "_append_only BEFORE UPDATE OR DELETE ON " +
                           name + " FOR EACH ROW EXECUTE FUNCTION jejak_append_only()");
      statements.push_back("CREATE TRIGGER " + name + "_no_truncate BEFORE TRUNCATE ON " + name +
                           " FOR EACH STATEMENT EXECUTE FUNCTION jejak_append_only()");
    }
  }
  return statements;
}

// On SQLite, seq is the table's rowid (INTEGER PRIMARY KEY is the 64-bit row key, so
// lookups by seq need one B-tree search, not two); elsewhere a BIGINT primary key. On
// SQLite, audit_expenditures is clustered by its key (WITHOUT ROWID), so one fiscal
// year's rows are adjacent pages.
//
// On PostgreSQL every TEXT column compares and sorts bytewise (COLLATE "C"), as SQLite's
// do: codes, dates and names order the same on both backends whatever the database's
// locale, and prefix searches can use the indexes.
std::string ForBackend(std::string statement, const std::string& backend) {
  const bool sqlite = backend == "sqlite3";
  if (!sqlite) {
    for (const char* follower : {" NOT NULL", " UNIQUE", ",", ")"}) {
      const std::string from = std::string(" TEXT") + follower;
      const std::string to = std::string(" TEXT COLLATE \"C\"") + follower;
      for (std::size_t at = statement.find(from); at != std::string::npos;
           at = statement.find(from, at + to.size())) {
        statement.replace(at, from.size(), to);
      }
    }
  }
  for (const auto& [placeholder, replacement] :
       {std::pair<std::string, std::string>{"@SEQ_TYPE@", sqlite ? "INTEGER PRIMARY KEY" : "BIGINT PRIMARY KEY"},
        std::pair<std::string, std::string>{"@WITHOUT_ROWID@", sqlite ? " WITHOUT ROWID" : ""},
        std::pair<std::string, std::string>{"@SPP@", SearchSql(SearchExpression::kSpp, sqlite)},
        std::pair<std::string, std::string>{"@SPM@", SearchSql(SearchExpression::kSpm, sqlite)},
        std::pair<std::string, std::string>{"@SP2D@", SearchSql(SearchExpression::kSp2d, sqlite)},
        std::pair<std::string, std::string>{"@PAYEE@", SearchSql(SearchExpression::kPayeeName, sqlite)}}) {
    const std::size_t at = statement.find(placeholder);
    if (at != std::string::npos) statement.replace(at, placeholder.size(), replacement);
  }
  return statement;
}

}  // namespace

int SchemaVersion() { return Migrations().back().version; }

namespace {

// On PostgreSQL, several processes may open one database at once: the first migrates
// while the others wait on this session lock ("jejak-mi"), then find nothing to do.
class MigrationLock {
 public:
  explicit MigrationLock(soci::session& sql) : sql_(sql), postgres_(sql.get_backend_name() != "sqlite3") {
    if (postgres_) sql_ << "SELECT pg_advisory_lock(" << kMigrationLock << ")";
  }
  ~MigrationLock() {
    if (!postgres_) return;
    try {
      sql_ << "SELECT pg_advisory_unlock(" << kMigrationLock << ")";
    } catch (const std::exception& e) {
      std::fprintf(stderr, "db.migrate: unlock: %s\n", e.what());
    }
  }
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

 private:
  static constexpr long long kMigrationLock = 0x6a656a616b2d6d69;
  soci::session& sql_;
  bool postgres_;
};

// True if table schema_migrations exists. Asked first so that a role that may not create
// tables (PostgreSQL's service role, ops/postgres/setup.sql) opens a migrated database.
bool HasMigrationsTable(soci::session& sql) {
  int found = 0;
  if (sql.get_backend_name() == "sqlite3") {
    sql << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        soci::into(found);
  } else {
    sql << "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 ELSE 1 END",
        soci::into(found);
  }
  return found == 1;
}

}  // namespace

Result<void> CheckSchemaCurrent(soci::session& sql) {
  try {
    int current = 0;
    soci::indicator current_indicator = soci::i_null;
    if (HasMigrationsTable(sql)) {
      sql << "SELECT MAX(version) FROM schema_migrations", soci::into(current, current_indicator);
    }
    if (current_indicator != soci::i_ok) current = 0;
    if (current != SchemaVersion()) {
      return Error{Code::kUnavailable,
                   "the database schema is version " + std::to_string(current) +
                       ", this build's is " + std::to_string(SchemaVersion()) +
                       " (a read-only instance never migrates: run the same build on the primary)",
                   {}};
    }
    return Ok();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "db.schema: %s\n", e.what());
    return Error{Code::kUnavailable, std::string("cannot read the database schema: ") + e.what(), {}};
  }
}

Result<void> Migrate(soci::session& sql) {
  try {
    MigrationLock lock(sql);
    if (!HasMigrationsTable(sql)) {
      sql << "CREATE TABLE schema_migrations ("
             " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)";
    }
    int current = 0;
    soci::indicator current_indicator = soci::i_null;
    sql << "SELECT MAX(version) FROM schema_migrations", soci::into(current, current_indicator);
    if (current_indicator != soci::i_ok) current = 0;
    if (current > SchemaVersion()) {
      return Error{Code::kDataLoss, "database schema version " + std::to_string(current) +
                                        " is newer than this build's " +
                                        std::to_string(SchemaVersion()), {}};
    }
    for (const Migration& migration : Migrations()) {
      if (migration.version <= current) continue;
      soci::transaction transaction(sql);
      if (migration.version == 6 && sql.get_backend_name() != "sqlite3") {
        sql << PostgresJsonTextFunction();  // Before the indexes on it.
      }
      for (const std::string& statement : migration.statements) {
        sql << ForBackend(statement, sql.get_backend_name());
      }
      if (migration.version == 2) {
        // Every ledger table exists from here on: make them append-only.
        for (const std::string& statement :
             AppendOnlyTriggers(sql.get_backend_name(),
                                {"entries", "merkle_nodes", "checkpoints", "cosignatures"})) {
          sql << statement;
        }
      }
      if (migration.version == 4 || migration.version == 5) {
        for (const std::string& statement :
             AppendOnlyTriggers(sql.get_backend_name(), {migration.version == 4
                                                             ? "audit_expenditures"
                                                             : "witness_sizes"})) {
          sql << statement;
        }
      }
      if (migration.version == kImportMappingsVersion ||
          migration.version == kBankStatementsVersion) {
        for (const std::string& statement :
             AppendOnlyTriggers(sql.get_backend_name(),
                                {migration.version == kImportMappingsVersion ? "import_mappings"
                                                                             : "bank_statements"})) {
          sql << statement;
        }
      }
      if (migration.fill != nullptr) {
        if (Result<void> filled = migration.fill(sql); !filled) return filled.error();
      }
      sql << "INSERT INTO schema_migrations (version, applied_at) VALUES (:v, CURRENT_TIMESTAMP)",
          soci::use(migration.version);
      transaction.commit();
    }
    return Ok();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "db.migrate: %s\n", e.what());
    return Error{Code::kUnavailable, std::string("database migration failed: ") + e.what(), {}};
  }
}

}  // namespace jejak::db
