#include "db/store.h"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "crypto/encoding.h"
#include "db/kept_checkpoint.h"
#include "db/schema.h"
#include "ledger/absorption.h"
#include "ledger/canonical.h"
#include "ledger/entry.h"
#include "ledger/limits.h"
#include "ledger/money.h"
#include "ledger/totals.h"
#include "ledger/verifier.h"

namespace jejak::db {
namespace {

// Entries read per page while streaming: bounds memory whatever the ledger's size.
constexpr int kStreamPageEntries = 1000;
// Stored Merkle nodes and checkpoints read per fetch while streaming.
constexpr int kStreamPageRows = 2048;

void LogError(const char* where, const std::string& what) {
  // One JSON line like the service's, with the statement's name and the error only.
  nlohmann::json line = {{"event", where}, {"error", what}};
  std::fprintf(stderr, "%s\n",
               line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

// What may be logged of `e`. SOCI's what() appends the statement and its bound values
// (payee accounts, NPWPs) to the database's message: only the message itself is logged.
std::string LoggableWhat(const std::exception& e) {
  if (const auto* soci_error = dynamic_cast<const soci::soci_error*>(&e)) {
    return soci_error->get_error_message();
  }
  return e.what();
}

Error Unavailable(const char* where, const std::exception& e) {
  LogError(where, LoggableWhat(e));  // The details stay in the log, never in a response.
  return Error{Code::kUnavailable, "storage unavailable", {}};
}

std::string Hex(const ledger::Digest& digest) { return crypto::ToHex(digest); }

ledger::Digest DigestOrZero(const std::string& hex) {
  std::optional<ledger::Digest> digest = crypto::DigestFromHex(hex);
  return digest ? *digest : ledger::Digest{};
}

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

  void Set(const ledger::EntryColumns& columns) {
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
  }
};

// One expenditure's (+1) or its reversal's (-1) change to the realisation aggregates.
struct RealisationDelta {
  long long fiscal_year = 0;
  std::string opd, account_group, instrument, month, value_date;
  long long amount_sen = 0;
  long long entries = 0;

  void Set(const ledger::EntryColumns& expenditure, int sign) {
    JEJAK_CHECK(expenditure.kind == "expenditure");
    JEJAK_CHECK(expenditure.amount_sen.has_value());
    fiscal_year = expenditure.fiscal_year.value_or(0);
    opd = expenditure.opd;
    account_group = ledger::AccountGroup(expenditure.account);
    instrument = expenditure.instrument;
    value_date = expenditure.value_date;
    month = value_date.substr(0, 7);
    amount_sen = sign * *expenditure.amount_sen;
    entries = sign;
  }
};

constexpr const char* kEntryColumnNames =
    "seq, canonical, leaf_hash, chain_hash, kind, recorded_at, recorded_by, fiscal_year, opd,"
    " sub_activity, account, instrument, mechanism, value_date, bank_ref, payee_account,"
    " payee_npwp, tax_type, amount_sen, net_sen, tax_sen, reverses, evidence_no,"
    " evidence_date, tax_detail, covers, monthly_plan";

// Ledger state as the append transaction sees it, earlier entries of the batch included.
class SqlLedgerView final : public ledger::LedgerView {
 public:
  explicit SqlLedgerView(soci::session& sql) : sql_(sql) {}

  Result<std::optional<std::int64_t>> SeqOfBankRef(std::string_view bank_ref) override {
    return OptionalSeq("SELECT seq FROM entries WHERE bank_ref = :v", std::string(bank_ref));
  }
  Result<std::optional<ledger::EntryColumns>> Columns(std::int64_t seq) override {
    std::string canonical;
    soci::indicator indicator = soci::i_null;
    long long key = seq;
    sql_ << "SELECT canonical FROM entries WHERE seq = :s", soci::into(canonical, indicator),
        soci::use(key);
    if (!sql_.got_data() || indicator != soci::i_ok) return std::optional<ledger::EntryColumns>();
    Result<nlohmann::json> parsed = ledger::ParseStrict(canonical);
    if (!parsed) return Error{Code::kDataLoss, "stored entry " + std::to_string(seq) + " is unreadable", {}};
    Result<ledger::EntryColumns> columns = ledger::DeriveColumns(*parsed);
    if (!columns) return columns.error();
    return std::optional<ledger::EntryColumns>(std::move(columns).value());
  }
  Result<std::optional<std::int64_t>> ReversalOf(std::int64_t seq) override {
    long long key = seq;
    long long found = 0;
    sql_ << "SELECT seq FROM entries WHERE reverses = :s", soci::into(found), soci::use(key);
    if (!sql_.got_data()) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(found);
  }
  Result<bool> OpdRegistered(std::string_view code) override {
    Result<std::optional<std::int64_t>> seq =
        OptionalSeq("SELECT seq FROM entries WHERE kind = 'opd' AND opd = :v", std::string(code));
    if (!seq) return seq.error();
    return seq->has_value();
  }

 private:
  Result<std::optional<std::int64_t>> OptionalSeq(const char* query, const std::string& value) {
    long long found = 0;
    sql_ << query, soci::into(found), soci::use(value);
    if (!sql_.got_data()) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(found);
  }

  soci::session& sql_;
};

// BEGIN IMMEDIATE on SQLite takes the write lock up front, so two writers never both
// read the same tip; rolls back unless committed.
class WriteTransaction {
 public:
  explicit WriteTransaction(soci::session& sql) : sql_(sql) {
    sql_ << (sql_.get_backend_name() == "sqlite3" ? "BEGIN IMMEDIATE" : "BEGIN");
  }
  ~WriteTransaction() {
    if (open_) {
      try {
        sql_ << "ROLLBACK";
      } catch (const std::exception& e) {
        LogError("db.rollback", LoggableWhat(e));
      }
    }
  }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  void Commit() {
    sql_ << "COMMIT";
    open_ = false;
  }
  void Rollback() {
    sql_ << "ROLLBACK";
    open_ = false;
  }

 private:
  soci::session& sql_;
  bool open_ = true;
};

// A read transaction: every query inside sees one snapshot (SQLite WAL, PostgreSQL
// REPEATABLE READ would be the same), so summaries never mix two ledger states.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(soci::session& sql) : sql_(sql) { sql_ << "BEGIN"; }
  ~ReadSnapshot() {
    try {
      sql_ << "ROLLBACK";
    } catch (const std::exception& e) {
      LogError("db.read_snapshot", LoggableWhat(e));
    }
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  soci::session& sql_;
};

Result<std::string> SqlitePath(const std::string& database) {
  std::string path = database;
  if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
  if (path.rfind("postgresql:", 0) == 0 || path.rfind("postgres:", 0) == 0) {
    return InvalidArgument("PostgreSQL is not supported by this build yet: " + database);
  }
  if (path.empty()) return InvalidArgument("empty database path");
  if (path.find_first_of(" '\"") != std::string::npos) {
    return InvalidArgument("database path must not contain spaces or quotes: " + path);
  }
  return path;
}

}  // namespace

struct Store::Impl {
  soci::session sql;
  std::optional<ledger::NoteSigner> signer;
  std::string kept_checkpoint;  // StoreOptions::kept_checkpoint.
  std::string origin;  // From the genesis entry, once there is one.

  // The year totals (ledger/totals.h) of the first `totals_tree_size` entries, for the
  // fiscal years in `totals_years` (loaded on first use). Dropped whenever the ledger may
  // have changed without this store (another process appended, a transaction rolled back).
  ledger::YearTotals totals;
  std::set<std::int64_t> totals_years;
  std::optional<std::uint64_t> totals_tree_size;

  void DropTotals() {
    totals.Clear();
    totals_years.clear();
    totals_tree_size.reset();
  }

  // Reads `fiscal_year`'s totals from the entries (inside the caller's transaction).
  Result<void> LoadYearTotals(std::int64_t fiscal_year) {
    long long year = fiscal_year;
    std::string kind;
    long long total = 0;
    soci::statement sums =
        (sql.prepare << "SELECT kind, COALESCE(SUM(amount_sen), 0) FROM entries"
                        " WHERE fiscal_year = :y AND kind IN ('expenditure', 'budget', 'tax_deposit')"
                        " GROUP BY kind",
         soci::into(kind), soci::into(total), soci::use(year));
    sums.execute(false);
    while (sums.fetch()) {
      const ledger::Measure measure = kind == "expenditure" ? ledger::Measure::kGross
                                      : kind == "budget"    ? ledger::Measure::kPagu
                                                            : ledger::Measure::kTaxDeposit;
      if (Result<void> set = totals.Set(fiscal_year, measure, total); !set) return set.error();
    }
    std::string plan;
    std::int64_t plan_total = 0;
    soci::statement plans =
        (sql.prepare << "SELECT monthly_plan FROM entries WHERE fiscal_year = :y"
                        " AND kind = 'budget' AND monthly_plan IS NOT NULL",
         soci::into(plan), soci::use(year));
    plans.execute(false);
    while (plans.fetch()) {
      const std::optional<std::int64_t> sum = ledger::MonthlyPlanTotal(plan);
      const std::optional<std::int64_t> added =
          sum ? ledger::CheckedAdd(plan_total, *sum) : std::nullopt;
      if (!added) {
        return Error{Code::kDataLoss,
                     "stored monthly plans of fiscal year " + std::to_string(fiscal_year) +
                         " are unreadable or overflow",
                     {}};
      }
      plan_total = *added;
    }
    if (Result<void> set = totals.Set(fiscal_year, ledger::Measure::kMonthlyPlan, plan_total); !set) {
      return set.error();
    }
    totals_years.insert(fiscal_year);
    return Ok();
  }

  ledger::NodeReader Reader() {
    return [this](ledger::NodeId id) -> Result<ledger::Digest> {
      std::string hash;
      int level = static_cast<int>(id.level);
      long long index = static_cast<long long>(id.index);
      sql << "SELECT hash FROM merkle_nodes WHERE level = :l AND node_index = :i",
          soci::into(hash), soci::use(level), soci::use(index);
      if (!sql.got_data()) {
        return Error{Code::kDataLoss,
                     "Merkle node (" + std::to_string(level) + ", " + std::to_string(index) +
                         ") is missing",
                     {}};
      }
      std::optional<ledger::Digest> digest = crypto::DigestFromHex(hash);
      if (!digest) return Error{Code::kDataLoss, "stored Merkle node is not a hash", {}};
      return *digest;
    };
  }

  std::uint64_t Size() {
    long long max_seq = -1;
    soci::indicator indicator = soci::i_null;
    sql << "SELECT MAX(seq) FROM entries", soci::into(max_seq, indicator);
    if (indicator != soci::i_ok) return 0;
    return static_cast<std::uint64_t>(max_seq + 1);
  }

  Result<std::string> LoadOrigin() {
    if (!origin.empty()) return origin;
    std::string canonical;
    sql << "SELECT canonical FROM entries WHERE seq = 0", soci::into(canonical);
    if (!sql.got_data()) return Error{Code::kNotFound, "the ledger has no genesis entry", {}};
    Result<nlohmann::json> genesis = ledger::ParseStrict(canonical);
    if (!genesis || !genesis->is_object() || !genesis->contains("origin") ||
        !(*genesis)["origin"].is_string()) {
      return Error{Code::kDataLoss, "the genesis entry is unreadable", {}};
    }
    origin = (*genesis)["origin"].get<std::string>();
    return origin;
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  Result<std::string> path = SqlitePath(options.database);
  if (!path) return path.error();
  auto impl = std::make_unique<Impl>();
  impl->signer = options.signer;
  impl->kept_checkpoint = options.kept_checkpoint;
  try {
    impl->sql.open(soci::sqlite3, "db=" + *path + " timeout=30");
    // WAL with synchronous=FULL: a committed append is on disk when COMMIT returns.
    std::string mode;
    impl->sql << "PRAGMA journal_mode=WAL", soci::into(mode);
    impl->sql << "PRAGMA synchronous=FULL";
    impl->sql << "PRAGMA foreign_keys=ON";
  } catch (const std::exception& e) {
    return Unavailable("db.open", e);
  }
  Result<void> migrated = Migrate(impl->sql);
  if (!migrated) return migrated.error();
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Result<BatchReceipt> Store::Append(const std::vector<PendingEntry>& entries,
                                   const std::string& recorded_at, bool dry_run) {
  Result<GroupReceipt> group = AppendGroupImpl(entries, recorded_at, dry_run, /*all_or_nothing=*/true);
  if (!group) return group.error();
  BatchReceipt receipt;
  receipt.checkpoint = std::move(group->checkpoint);
  receipt.tree_size = group->tree_size;
  for (EntryOutcome& outcome : group->outcomes) {
    JEJAK_CHECK(outcome.receipt.has_value());  // All or nothing returned early otherwise.
    receipt.entries.push_back(std::move(outcome.receipt).value());
  }
  return receipt;
}

Result<GroupReceipt> Store::AppendGroup(const std::vector<PendingEntry>& entries,
                                        const std::string& recorded_at) {
  return AppendGroupImpl(entries, recorded_at, /*dry_run=*/false, /*all_or_nothing=*/false);
}

Result<GroupReceipt> Store::AppendGroupImpl(const std::vector<PendingEntry>& entries,
                                            const std::string& recorded_at, bool dry_run,
                                            bool all_or_nothing) {
  JEJAK_CHECK(impl_->signer.has_value());  // Appending without a key is a wiring bug.
  if (entries.empty()) return InvalidArgument("nothing to append");
  soci::session& sql = impl_->sql;
  try {
    WriteTransaction transaction(sql);
    const std::uint64_t first_size = impl_->Size();
    ledger::Digest chain_hash = ledger::kChainSeed;
    if (first_size > 0) {
      std::string hex;
      long long last = static_cast<long long>(first_size - 1);
      sql << "SELECT chain_hash FROM entries WHERE seq = :s", soci::into(hex), soci::use(last);
      // Never chain onto zeros: a tip that is not a hash stops every append.
      std::optional<ledger::Digest> tip = crypto::DigestFromHex(hex);
      if (!sql.got_data() || !tip) {
        return Error{Code::kDataLoss,
                     "the chain hash of seq " + std::to_string(last) + " is missing or not a hash",
                     {}};
      }
      chain_hash = *tip;
      // Time never runs backwards (DESIGN): with the clock behind the newest entry, every
      // append is refused until it catches up, rather than stamped into the past.
      std::string last_recorded_at;
      sql << "SELECT recorded_at FROM entries WHERE seq = :s", soci::into(last_recorded_at),
          soci::use(last);
      if (recorded_at < last_recorded_at) {
        return Error{Code::kUnavailable,
                     "the clock (" + recorded_at + ") is behind the newest entry (" +
                         last_recorded_at + "); appends wait until it catches up",
                     {}};
      }
    }
    // The year totals this store holds are those of the ledger it last wrote; anything
    // else (another writer, a rolled-back group) means reading them again.
    if (impl_->totals_tree_size != first_size) impl_->DropTotals();
    bool totals_valid = false;  // Set once the group commits.
    struct TotalsGuard {
      Impl& impl;
      bool& valid;
      ~TotalsGuard() {
        if (!valid) impl.DropTotals();
      }
    } totals_guard{*impl_, totals_valid};
    Result<ledger::MerkleFrontier> loaded =
        ledger::MerkleFrontier::Load(first_size, impl_->Reader());
    if (!loaded) return loaded.error();
    ledger::MerkleFrontier frontier = std::move(loaded).value();

    EntryRow row;
    soci::statement insert_entry =
        (sql.prepare << "INSERT INTO entries (" << kEntryColumnNames
                     << ") VALUES (:seq, :canonical, :leaf_hash, :chain_hash, :kind,"
                        " :recorded_at, :recorded_by, :fiscal_year, :opd, :sub_activity,"
                        " :account, :instrument, :mechanism, :value_date, :bank_ref,"
                        " :payee_account, :payee_npwp, :tax_type, :amount_sen, :net_sen,"
                        " :tax_sen, :reverses, :evidence_no, :evidence_date, :tax_detail,"
                        " :covers, :monthly_plan)",
         soci::use(row.seq), soci::use(row.canonical), soci::use(row.leaf_hash),
         soci::use(row.chain_hash), soci::use(row.kind), soci::use(row.recorded_at),
         soci::use(row.recorded_by), soci::use(row.fiscal_year.value, row.fiscal_year.indicator),
         soci::use(row.opd.value, row.opd.indicator),
         soci::use(row.sub_activity.value, row.sub_activity.indicator),
         soci::use(row.account.value, row.account.indicator),
         soci::use(row.instrument.value, row.instrument.indicator),
         soci::use(row.mechanism.value, row.mechanism.indicator),
         soci::use(row.value_date.value, row.value_date.indicator),
         soci::use(row.bank_ref.value, row.bank_ref.indicator),
         soci::use(row.payee_account.value, row.payee_account.indicator),
         soci::use(row.payee_npwp.value, row.payee_npwp.indicator),
         soci::use(row.tax_type.value, row.tax_type.indicator),
         soci::use(row.amount_sen.value, row.amount_sen.indicator),
         soci::use(row.net_sen.value, row.net_sen.indicator),
         soci::use(row.tax_sen.value, row.tax_sen.indicator),
         soci::use(row.reverses.value, row.reverses.indicator),
         soci::use(row.evidence_no.value, row.evidence_no.indicator),
         soci::use(row.evidence_date.value, row.evidence_date.indicator),
         soci::use(row.tax_detail.value, row.tax_detail.indicator),
         soci::use(row.covers.value, row.covers.indicator),
         soci::use(row.monthly_plan.value, row.monthly_plan.indicator));
    // Realisation aggregates: one upsert per table for each expenditure (+) or
    // reversal (- the original's amount).
    RealisationDelta delta;
    soci::statement upsert_monthly =
        (sql.prepare << "INSERT INTO realisation_monthly (fiscal_year, opd, account_group,"
                        " instrument, month, amount_sen, entries)"
                        " VALUES (:y, :o, :g, :i, :m, :a, :n)"
                        " ON CONFLICT (fiscal_year, opd, account_group, instrument, month)"
                        " DO UPDATE SET amount_sen = realisation_monthly.amount_sen + excluded.amount_sen,"
                        " entries = realisation_monthly.entries + excluded.entries",
         soci::use(delta.fiscal_year), soci::use(delta.opd), soci::use(delta.account_group),
         soci::use(delta.instrument), soci::use(delta.month), soci::use(delta.amount_sen),
         soci::use(delta.entries));
    soci::statement upsert_daily =
        (sql.prepare << "INSERT INTO realisation_daily (fiscal_year, value_date, opd,"
                        " account_group, instrument, amount_sen, entries)"
                        " VALUES (:y, :d, :o, :g, :i, :a, :n)"
                        " ON CONFLICT (fiscal_year, value_date, opd, account_group, instrument)"
                        " DO UPDATE SET amount_sen = realisation_daily.amount_sen + excluded.amount_sen,"
                        " entries = realisation_daily.entries + excluded.entries",
         soci::use(delta.fiscal_year), soci::use(delta.value_date), soci::use(delta.opd),
         soci::use(delta.account_group), soci::use(delta.instrument), soci::use(delta.amount_sen),
         soci::use(delta.entries));
    int node_level = 0;
    long long node_index = 0;
    long long node_completed = 0;
    std::string node_hash;
    soci::statement insert_node =
        (sql.prepare << "INSERT INTO merkle_nodes (level, node_index, completed_seq, hash)"
                        " VALUES (:l, :i, :c, :h)",
         soci::use(node_level), soci::use(node_index), soci::use(node_completed),
         soci::use(node_hash));

    SqlLedgerView view(sql);
    std::string genesis_origin;  // Set when this group holds the genesis entry.
    GroupReceipt receipt;
    receipt.outcomes.reserve(entries.size());
    // Idempotency keys first seen in this group: (sub, key) -> outcome index.
    std::map<std::pair<std::string, std::string>, std::size_t> group_keys;
    std::size_t appended = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      auto fail = [&](Error error) {
        if (all_or_nothing && entries.size() > 1) {
          error.message = "entry " + std::to_string(i) + ": " + error.message;
        }
        return error;
      };
      JEJAK_CHECK(entries[i].body != nullptr);
      const PendingEntry& pending = entries[i];
      EntryOutcome outcome{Error{Code::kInternal, "not appended", {}}, false, 0};
      auto append_one = [&]() -> Result<AppendReceipt> {
        const nlohmann::json& body = *pending.body;
        if (!pending.idempotency_key.empty()) {
          auto in_group = group_keys.find({pending.recorded_by, pending.idempotency_key});
          if (in_group != group_keys.end()) {
            const EntryOutcome& first = receipt.outcomes[in_group->second];
            if (entries[in_group->second].request_hash != pending.request_hash) {
              return Error{Code::kConflict, "Idempotency-Key reused with a different request", {}};
            }
            if (!first.receipt) return first.receipt.error();
            outcome.replayed = true;
            return first.receipt.value();
          }
          std::string stored_hash;
          long long stored_seq = 0;
          long long stored_size = 0;
          sql << "SELECT request_hash, seq, tree_size FROM idempotency"
                 " WHERE sub = :s AND idempotency_key = :k",
              soci::into(stored_hash), soci::into(stored_seq), soci::into(stored_size),
              soci::use(pending.recorded_by), soci::use(pending.idempotency_key);
          if (sql.got_data()) {
            if (stored_hash != pending.request_hash) {
              return Error{Code::kConflict,
                           "Idempotency-Key already used for a different request (seq " +
                               std::to_string(stored_seq) + ")",
                           {}};
            }
            std::string canonical, leaf_hex, chain_hex;
            sql << "SELECT canonical, leaf_hash, chain_hash FROM entries WHERE seq = :s",
                soci::into(canonical), soci::into(leaf_hex), soci::into(chain_hex),
                soci::use(stored_seq);
            outcome.replayed = true;
            outcome.tree_size = static_cast<std::uint64_t>(stored_size);
            return AppendReceipt{stored_seq, std::move(canonical), DigestOrZero(leaf_hex),
                                 DigestOrZero(chain_hex)};
          }
        }
        const std::int64_t seq = static_cast<std::int64_t>(frontier.size());
        const bool is_genesis = body.is_object() && body.value("kind", "") == "genesis";
        if (is_genesis != (seq == 0)) {
          return InvalidArgument(seq == 0 ? "the first entry must be the genesis entry"
                                          : "the ledger already has a genesis entry",
                                 {{"kind", "genesis only as seq 0"}});
        }
        if (!is_genesis) {
          Result<void> checked = ledger::CheckAgainstLedger(body, view);
          if (!checked) return checked.error();
        }
        if (pending.recorded_by.empty() ||
            pending.recorded_by.size() > ledger::kIdentifierBytesMax) {
          return InvalidArgument("recorded_by must be 1 to 64 bytes",
                                 {{"recorded_by", "bad length"}});
        }
        const nlohmann::json entry =
            ledger::StampEntry(body, ledger::Stamp{seq, recorded_at, pending.recorded_by});
        Result<ledger::EntryColumns> columns = ledger::DeriveColumns(entry);
        if (!columns) {
          return InvalidArgument("entry does not validate: " + columns.error().message,
                                 columns.error().fields);
        }
        std::string canonical = ledger::Canonicalize(entry);
        if (canonical.size() > ledger::kEntryBytesMax) {
          return Error{Code::kTooLarge,
                       "entry is larger than " + std::to_string(ledger::kEntryBytesMax) + " bytes",
                       {}};
        }
        // A reversal takes its original's amount out of the aggregates: find it before
        // anything is written, so a failure here leaves nothing half-written in the group.
        std::optional<ledger::EntryColumns> reversed;
        if (columns->kind == "reversal") {
          Result<std::optional<ledger::EntryColumns>> original = view.Columns(*columns->reverses);
          if (!original) return original.error();
          if (!original->has_value() || (*original)->kind != "expenditure") {
            return Error{Code::kDataLoss, "the reversed entry is not an expenditure", {}};
          }
          reversed = std::move(original).value();
        }
        // The last check before writing: the year totals (ledger/totals.h). Past it,
        // only a database error (which fails the whole group) can stop this entry.
        if (columns->fiscal_year && !impl_->totals_years.contains(*columns->fiscal_year)) {
          if (Result<void> year = impl_->LoadYearTotals(*columns->fiscal_year); !year) {
            return year.error();
          }
        }
        if (Result<void> within = impl_->totals.Add(*columns); !within) return within.error();

        const ledger::Digest leaf_hash = ledger::LeafHash(canonical);
        const ledger::Digest new_chain_hash = ledger::ChainHash(chain_hash, leaf_hash);

        row.Set(*columns);
        JEJAK_CHECK(row.seq == seq);
        row.canonical = canonical;
        row.leaf_hash = Hex(leaf_hash);
        row.chain_hash = Hex(new_chain_hash);
        insert_entry.execute(true);
        if (columns->kind == "expenditure") {
          delta.Set(*columns, +1);
          upsert_monthly.execute(true);
          upsert_daily.execute(true);
        } else if (reversed) {
          delta.Set(*reversed, -1);
          upsert_monthly.execute(true);
          upsert_daily.execute(true);
        }
        for (const ledger::MerkleFrontier::CompletedNode& node : frontier.Append(leaf_hash)) {
          node_level = static_cast<int>(node.id.level);
          node_index = static_cast<long long>(node.id.index);
          node_completed = seq;
          node_hash = Hex(node.hash);
          insert_node.execute(true);
        }
        chain_hash = new_chain_hash;
        if (is_genesis) genesis_origin = body["origin"].get<std::string>();
        ++appended;
        return AppendReceipt{seq, std::move(canonical), leaf_hash, new_chain_hash};
      };
      outcome.receipt = append_one();
      if (!outcome.receipt && all_or_nothing) return fail(outcome.receipt.error());
      if (!pending.idempotency_key.empty() && outcome.receipt && !outcome.replayed) {
        group_keys[{pending.recorded_by, pending.idempotency_key}] = receipt.outcomes.size();
      }
      receipt.outcomes.push_back(std::move(outcome));
    }
    if (appended == 0) {
      // Only failures and replays: nothing to commit or sign, and no total changed.
      transaction.Rollback();
      receipt.tree_size = first_size;
      impl_->totals_tree_size = first_size;
      totals_valid = true;
      return receipt;
    }

    Result<std::string> origin =
        genesis_origin.empty() ? impl_->LoadOrigin() : Result<std::string>(genesis_origin);
    if (!origin) return origin.error();
    ledger::Checkpoint checkpoint{*origin, frontier.size(), frontier.Root(), chain_hash,
                                  recorded_at};
    receipt.checkpoint = ledger::SignCheckpoint(checkpoint, *impl_->signer);
    receipt.tree_size = frontier.size();
    long long checkpoint_size = static_cast<long long>(frontier.size());
    sql << "INSERT INTO checkpoints (tree_size, note) VALUES (:s, :n)",
        soci::use(checkpoint_size), soci::use(receipt.checkpoint);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      EntryOutcome& outcome = receipt.outcomes[i];
      if (!outcome.receipt || outcome.replayed) continue;
      outcome.tree_size = frontier.size();
      if (entries[i].idempotency_key.empty()) continue;
      long long seq = outcome.receipt->seq;
      sql << "INSERT INTO idempotency (sub, idempotency_key, request_hash, seq, tree_size)"
             " VALUES (:s, :k, :h, :q, :t)",
          soci::use(entries[i].recorded_by), soci::use(entries[i].idempotency_key),
          soci::use(entries[i].request_hash), soci::use(seq), soci::use(checkpoint_size);
    }
    for (EntryOutcome& outcome : receipt.outcomes) {
      if (outcome.replayed && outcome.receipt && outcome.tree_size == 0) {
        outcome.tree_size = frontier.size();  // Replay of an entry of this very group.
      }
    }
    if (dry_run) {
      transaction.Rollback();
      return receipt;
    }
    transaction.Commit();
    impl_->totals_tree_size = frontier.size();
    totals_valid = true;
    if (!genesis_origin.empty()) impl_->origin = genesis_origin;
    if (!impl_->kept_checkpoint.empty()) {
      // The commit stands whatever happens here; a failure only weakens the rewind check
      // until the next commit, so it is an alert, not a failed append.
      if (Result<void> kept = KeepCheckpoint(impl_->kept_checkpoint, frontier.size(),
                                             receipt.checkpoint);
          !kept) {
        LogError("db.keep_checkpoint", kept.error().message);
      }
    }

    // Pair assertion: read the last entry back and check what was committed.
    std::string stored_chain;
    long long last = checkpoint_size - 1;
    sql << "SELECT chain_hash FROM entries WHERE seq = :s", soci::into(stored_chain),
        soci::use(last);
    JEJAK_CHECK(stored_chain == Hex(chain_hash));
    return receipt;
  } catch (const std::exception& e) {
    return Unavailable("db.append", e);
  }
}

Result<std::uint64_t> Store::TreeSize() {
  try {
    return impl_->Size();
  } catch (const std::exception& e) {
    return Unavailable("db.tree_size", e);
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
    return Unavailable("db.last_recorded_at", e);
  }
}

Result<void> Store::CheckWritable() {
  soci::session& sql = impl_->sql;
  try {
    if (sql.get_backend_name() == "sqlite3") {
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
    return Unavailable("db.latest_checkpoint", e);
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
    entry.leaf_hash = DigestOrZero(leaf_hash);
    entry.chain_hash = DigestOrZero(chain_hash);
    return entry;
  } catch (const std::exception& e) {
    return Unavailable("db.entry", e);
  }
}

Result<ledger::EntryColumns> Store::Columns(std::int64_t seq) {
  try {
    SqlLedgerView view(impl_->sql);
    Result<std::optional<ledger::EntryColumns>> columns = view.Columns(seq);
    if (!columns) return columns.error();
    if (!columns->has_value()) {
      return Error{Code::kNotFound, "no entry with seq " + std::to_string(seq), {}};
    }
    return std::move(columns).value().value();
  } catch (const std::exception& e) {
    return Unavailable("db.columns", e);
  }
}

Result<std::string> Store::OpdOf(std::int64_t seq) {
  Result<ledger::EntryColumns> columns = Columns(seq);
  if (!columns) return columns.error();
  if (columns->kind == "reversal" && columns->reverses) {
    Result<ledger::EntryColumns> original = Columns(*columns->reverses);
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
    return Unavailable("db.checkpoint_at", e);
  }
}

Result<EntryPage> Store::ListEntries(const EntryFilter& filter) {
  JEJAK_CHECK(filter.limit >= 1);
  JEJAK_CHECK(filter.limit <= ledger::kPageEntriesMax);  // The handler clamps it.
  try {
    soci::session& sql = impl_->sql;
    // Bound values must outlive the statement: keep them here.
    std::string opd = filter.opd.value_or("");
    long long fiscal_year = filter.fiscal_year.value_or(0);
    std::string kind = filter.kind.value_or("");
    std::string account = filter.account.value_or("");
    std::string from = filter.from.value_or("");
    std::string to = filter.to.value_or("");
    long long after = filter.after_seq;
    const std::size_t fetch = filter.limit + 1;  // One more tells whether a next page exists.

    std::vector<long long> seqs(fetch);
    std::vector<std::string> canonicals(fetch), leaf_hashes(fetch), chain_hashes(fetch);
    soci::statement statement(sql);
    statement.exchange(soci::into(seqs));
    statement.exchange(soci::into(canonicals));
    statement.exchange(soci::into(leaf_hashes));
    statement.exchange(soci::into(chain_hashes));
    std::string query =
        "SELECT seq, canonical, leaf_hash, chain_hash FROM entries WHERE seq > :after";
    statement.exchange(soci::use(after, "after"));
    if (filter.opd) {
      query +=
          " AND (opd = :opd OR (kind = 'reversal' AND reverses IN"
          " (SELECT seq FROM entries WHERE opd = :opd2)))";
      statement.exchange(soci::use(opd, "opd"));
      statement.exchange(soci::use(opd, "opd2"));
    }
    if (filter.fiscal_year) {
      query += " AND fiscal_year = :year";
      statement.exchange(soci::use(fiscal_year, "year"));
    }
    if (filter.kind) {
      query += " AND kind = :kind";
      statement.exchange(soci::use(kind, "kind"));
    }
    if (filter.account) {
      query += " AND account = :account";
      statement.exchange(soci::use(account, "account"));
    }
    if (filter.from) {
      query += " AND value_date >= :from_date";
      statement.exchange(soci::use(from, "from_date"));
    }
    if (filter.to) {
      query += " AND value_date <= :to_date";
      statement.exchange(soci::use(to, "to_date"));
    }
    query += " ORDER BY seq LIMIT " + std::to_string(fetch);
    statement.alloc();
    statement.prepare(query);
    statement.define_and_bind();
    statement.execute(true);

    EntryPage page;
    const std::size_t count = std::min(seqs.size(), filter.limit);
    page.entries.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      page.entries.push_back(StoredEntry{seqs[i], std::move(canonicals[i]),
                                         DigestOrZero(leaf_hashes[i]),
                                         DigestOrZero(chain_hashes[i])});
    }
    if (seqs.size() > filter.limit) page.next_after_seq = page.entries.back().seq;
    return page;
  } catch (const std::exception& e) {
    return Unavailable("db.list_entries", e);
  }
}

namespace {

// Pages of rows read per fetch by the summary queries.
constexpr std::size_t kSummaryFetchRows = 2048;

std::string EndOfDay(const std::string& date) { return date + "T23:59:59.999Z"; }

std::vector<std::int64_t> SplitIntegers(const std::string& text, char separator) {
  std::vector<std::int64_t> values;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find(separator, begin);
    if (end == std::string::npos) end = text.size();
    values.push_back(std::stoll(text.substr(begin, end - begin)));
    begin = end + 1;
  }
  return values;
}

// The budget lines in force: the newest budget entry per (opd, sub_activity, account)
// recorded by the end of `as_of`.
std::vector<ledger::BudgetLine> BudgetsInForce(soci::session& sql, long long year,
                                               const std::string& as_of,
                                               const std::optional<std::string>& opd,
                                               std::vector<ledger::BudgetFacts>* facts) {
  const std::string until = EndOfDay(as_of);
  const std::string opd_value = opd.value_or("");
  const int filter = opd ? 1 : 0;
  std::vector<long long> seqs(kSummaryFetchRows), amounts(kSummaryFetchRows);
  std::vector<std::string> opds(kSummaryFetchRows), subs(kSummaryFetchRows),
      accounts(kSummaryFetchRows), plans(kSummaryFetchRows);
  std::vector<soci::indicator> plan_null(kSummaryFetchRows);
  soci::statement statement =
      (sql.prepare << "SELECT seq, opd, sub_activity, account, amount_sen, monthly_plan"
                      " FROM entries WHERE kind = 'budget' AND fiscal_year = :y"
                      " AND recorded_at <= :t AND (:f = 0 OR opd = :o) ORDER BY seq",
       soci::into(seqs), soci::into(opds), soci::into(subs), soci::into(accounts),
       soci::into(amounts), soci::into(plans, plan_null), soci::use(year), soci::use(until),
       soci::use(filter), soci::use(opd_value));
  statement.execute(false);
  std::map<std::tuple<std::string, std::string, std::string>, std::pair<ledger::BudgetLine, long long>> newest;
  while (statement.fetch()) {
    for (std::size_t i = 0; i < seqs.size(); ++i) {
      ledger::BudgetLine line{opds[i], subs[i], accounts[i], amounts[i], std::nullopt};
      if (plan_null[i] == soci::i_ok && !plans[i].empty()) {
        const std::vector<std::int64_t> months = SplitIntegers(plans[i], ',');
        if (months.size() == 12) {
          std::array<std::int64_t, 12> plan{};
          std::copy(months.begin(), months.end(), plan.begin());
          line.monthly_plan_sen = plan;
        }
      }
      newest[{opds[i], subs[i], accounts[i]}] = {std::move(line), seqs[i]};  // Seq order: last wins.
    }
    for (auto* column : {&opds, &subs, &accounts, &plans}) column->resize(kSummaryFetchRows);
    seqs.resize(kSummaryFetchRows);
    amounts.resize(kSummaryFetchRows);
    plan_null.resize(kSummaryFetchRows);
  }
  std::vector<ledger::BudgetLine> lines;
  lines.reserve(newest.size());
  for (auto& [key, value] : newest) {
    if (facts) {
      facts->push_back(ledger::BudgetFacts{value.second, value.first.opd, value.first.sub_activity,
                                           value.first.account, value.first.pagu_sen});
    }
    lines.push_back(std::move(value.first));
  }
  return lines;
}

}  // namespace

Result<ledger::AbsorptionInput> Store::AbsorptionInputs(std::int64_t fiscal_year,
                                                        const std::string& as_of,
                                                        const std::optional<std::string>& opd,
                                                        std::uint64_t* tree_size) {
  JEJAK_CHECK(as_of.size() == 10);  // The handler validated YYYY-MM-DD.
  try {
    soci::session& sql = impl_->sql;
    ReadSnapshot snapshot(sql);
    if (tree_size) *tree_size = impl_->Size();
    ledger::AbsorptionInput input;
    input.fiscal_year = fiscal_year;
    input.as_of = as_of;
    long long year = fiscal_year;
    input.budgets = BudgetsInForce(sql, year, as_of, opd, nullptr);

    const std::string month = as_of.substr(0, 7);
    const std::string month_start = month + "-01";
    const std::string opd_value = opd.value_or("");
    const int filter = opd ? 1 : 0;
    std::vector<std::string> opds(kSummaryFetchRows), groups(kSummaryFetchRows),
        instruments(kSummaryFetchRows), periods(kSummaryFetchRows);
    std::vector<long long> amounts(kSummaryFetchRows), counts(kSummaryFetchRows);
    auto collect = [&](soci::statement& statement, bool daily) {
      for (auto* column : {&opds, &groups, &instruments, &periods}) column->resize(kSummaryFetchRows);
      amounts.resize(kSummaryFetchRows);
      counts.resize(kSummaryFetchRows);
      statement.execute(false);
      while (statement.fetch()) {
        for (std::size_t i = 0; i < opds.size(); ++i) {
          if (amounts[i] == 0 && counts[i] == 0) continue;  // Fully reversed.
          input.realisation.push_back(ledger::RealisationRow{
              opds[i], groups[i], instruments[i], daily ? periods[i].substr(0, 7) : periods[i],
              amounts[i], counts[i]});
        }
        for (auto* column : {&opds, &groups, &instruments, &periods}) column->resize(kSummaryFetchRows);
        amounts.resize(kSummaryFetchRows);
        counts.resize(kSummaryFetchRows);
      }
    };
    // Whole months before as_of's month from the monthly table...
    soci::statement months =
        (sql.prepare << "SELECT opd, account_group, instrument, month, amount_sen, entries"
                        " FROM realisation_monthly WHERE fiscal_year = :y AND month < :m"
                        " AND (:f = 0 OR opd = :o)",
         soci::into(opds), soci::into(groups), soci::into(instruments), soci::into(periods),
         soci::into(amounts), soci::into(counts), soci::use(year), soci::use(month),
         soci::use(filter), soci::use(opd_value));
    collect(months, false);
    // ...and the days of as_of's month from the daily one.
    soci::statement days =
        (sql.prepare << "SELECT opd, account_group, instrument, value_date, amount_sen, entries"
                        " FROM realisation_daily WHERE fiscal_year = :y AND value_date >= :s"
                        " AND value_date <= :d AND (:f = 0 OR opd = :o)",
         soci::into(opds), soci::into(groups), soci::into(instruments), soci::into(periods),
         soci::into(amounts), soci::into(counts), soci::use(year), soci::use(month_start),
         soci::use(as_of), soci::use(filter), soci::use(opd_value));
    collect(days, true);

    std::vector<std::string> canonicals(kSummaryFetchRows);
    soci::statement names =
        (sql.prepare << "SELECT canonical FROM entries WHERE kind = 'opd'", soci::into(canonicals));
    names.execute(false);
    while (names.fetch()) {
      for (const std::string& canonical : canonicals) {
        Result<nlohmann::json> entry = ledger::ParseStrict(canonical);
        if (entry && entry->is_object()) {
          input.opd_names[entry->value("code", "")] = entry->value("name", "");
        }
      }
      canonicals.resize(kSummaryFetchRows);
    }
    return input;
  } catch (const std::exception& e) {
    return Unavailable("db.absorption_inputs", e);
  }
}

Result<ledger::AuditInput> Store::AuditInputs(std::int64_t fiscal_year, const std::string& as_of,
                                              std::uint64_t* tree_size, bool whole_year) {
  try {
    soci::session& sql = impl_->sql;
    ReadSnapshot snapshot(sql);
    if (tree_size) *tree_size = impl_->Size();
    ledger::AuditInput input;
    input.fiscal_year = fiscal_year;
    input.as_of = as_of;
    long long year = fiscal_year;
    int every_date = whole_year ? 1 : 0;
    BudgetsInForce(sql, year, as_of, std::nullopt, &input.budgets);

    // Expenditures with their reversal, in seq order, a page at a time.
    constexpr std::size_t kTexts = 10;
    std::vector<std::vector<std::string>> text(kTexts, std::vector<std::string>(kSummaryFetchRows));
    std::vector<std::vector<soci::indicator>> text_null(kTexts, std::vector<soci::indicator>(kSummaryFetchRows));
    std::vector<long long> seqs(kSummaryFetchRows), amounts(kSummaryFetchRows), reversals(kSummaryFetchRows);
    std::vector<soci::indicator> reversal_null(kSummaryFetchRows);
    soci::statement statement(sql);
    statement.exchange(soci::into(seqs));
    for (std::size_t c = 0; c < kTexts; ++c) statement.exchange(soci::into(text[c], text_null[c]));
    statement.exchange(soci::into(amounts));
    statement.exchange(soci::into(reversals, reversal_null));
    std::vector<std::string> details(kSummaryFetchRows);
    std::vector<soci::indicator> detail_null(kSummaryFetchRows);
    statement.exchange(soci::into(details, detail_null));
    // As of `as_of`: expenditures dated by then, deposits made by then (reversals count
    // whenever recorded, as in absorption: a reversed payment was a mistake). The whole
    // year if asked.
    statement.exchange(soci::use(year));
    statement.exchange(soci::use(every_date));
    statement.exchange(soci::use(as_of));
    statement.alloc();
    statement.prepare(
        "SELECT e.seq, e.opd, e.sub_activity, e.account, e.instrument, e.value_date,"
        " e.recorded_at, e.payee_npwp, e.payee_account, e.evidence_no, e.evidence_date,"
        " e.amount_sen, r.seq, e.tax_detail FROM entries e LEFT JOIN entries r ON r.reverses = e.seq"
        " WHERE e.kind = 'expenditure' AND e.fiscal_year = :y AND (:w = 1 OR e.value_date <= :d)"
        " ORDER BY e.seq");
    statement.define_and_bind();
    statement.execute(false);
    while (statement.fetch()) {
      for (std::size_t i = 0; i < seqs.size(); ++i) {
        auto at = [&](std::size_t c) { return text_null[c][i] == soci::i_ok ? text[c][i] : std::string(); };
        ledger::ExpenditureFacts facts;
        facts.seq = seqs[i];
        facts.fiscal_year = fiscal_year;
        facts.opd = at(0);
        facts.sub_activity = at(1);
        facts.account = at(2);
        facts.instrument = at(3);
        facts.value_date = at(4);
        facts.recorded_at = at(5);
        facts.payee_npwp = at(6);
        facts.payee_account = at(7);
        facts.evidence_no = at(8);
        facts.evidence_date = at(9);
        facts.gross_sen = amounts[i];
        if (reversal_null[i] == soci::i_ok) facts.reversed_by = reversals[i];
        // Withheld taxes per type, from the tax_detail column ("PPN:100;PPh22:50").
        if (detail_null[i] == soci::i_ok) {
          const std::string& detail = details[i];
          std::size_t begin = 0;
          while (begin < detail.size()) {
            std::size_t end = detail.find(';', begin);
            if (end == std::string::npos) end = detail.size();
            const std::string part = detail.substr(begin, end - begin);
            const std::size_t colon = part.find(':');
            if (colon != std::string::npos) {
              facts.taxes_sen.emplace_back(part.substr(0, colon), std::stoll(part.substr(colon + 1)));
            }
            begin = end + 1;
          }
        }
        input.expenditures.push_back(std::move(facts));
      }
      for (auto& column : text) column.resize(kSummaryFetchRows);
      for (auto& column : text_null) column.resize(kSummaryFetchRows);
      seqs.resize(kSummaryFetchRows);
      amounts.resize(kSummaryFetchRows);
      reversals.resize(kSummaryFetchRows);
      reversal_null.resize(kSummaryFetchRows);
      details.resize(kSummaryFetchRows);
      detail_null.resize(kSummaryFetchRows);
    }
    // Tax deposits (few): their NTPN and billing code are only in the canonical bytes.
    std::vector<std::string> canonicals(kSummaryFetchRows);
    soci::statement deposits =
        (sql.prepare << "SELECT canonical FROM entries WHERE kind = 'tax_deposit'"
                        " AND fiscal_year = :y AND (:w = 1 OR value_date <= :d) ORDER BY seq",
         soci::into(canonicals), soci::use(year), soci::use(every_date), soci::use(as_of));
    deposits.execute(false);
    while (deposits.fetch()) {
      for (const std::string& canonical : canonicals) {
        Result<nlohmann::json> entry = ledger::ParseStrict(canonical);
        if (!entry) return Error{Code::kDataLoss, "a stored tax deposit is unreadable", {}};
        Result<std::int64_t> amount = ledger::ParseMoneySen((*entry)["amount"].get<std::string>());
        if (!amount) return Error{Code::kDataLoss, "a stored tax deposit amount is unreadable", {}};
        ledger::TaxDepositFacts facts;
        facts.seq = (*entry)["seq"].get<std::int64_t>();
        facts.opd = (*entry)["opd"].get<std::string>();
        facts.tax_type = (*entry)["tax_type"].get<std::string>();
        facts.amount_sen = *amount;
        facts.deposit_date = (*entry)["deposit_date"].get<std::string>();
        for (const nlohmann::json& covered : (*entry)["covers"]) facts.covers.push_back(covered.get<std::int64_t>());
        facts.ntpn = (*entry)["ntpn"].get<std::string>();
        facts.billing_code = entry->value("billing_code", "");
        input.tax_deposits.push_back(std::move(facts));
      }
      canonicals.resize(kSummaryFetchRows);
    }
    return input;
  } catch (const std::exception& e) {
    return Unavailable("db.audit_inputs", e);
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
    return Unavailable("db.add_cosignature", e);
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
    return Unavailable("db.cosignatures", e);
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
    return Unavailable("db.tree_hash", e);
  }
}

Result<std::vector<ledger::Digest>> Store::InclusionProof(std::uint64_t seq, std::uint64_t tree_size) {
  try {
    if (tree_size > impl_->Size()) {
      return Error{Code::kNotFound, "tree size " + std::to_string(tree_size) + " is beyond the ledger", {}};
    }
    return ledger::InclusionProof(seq, tree_size, impl_->Reader());
  } catch (const std::exception& e) {
    return Unavailable("db.inclusion_proof", e);
  }
}

Result<std::vector<ledger::Digest>> Store::ConsistencyProof(std::uint64_t first, std::uint64_t second) {
  try {
    if (second > impl_->Size()) {
      return Error{Code::kNotFound, "tree size " + std::to_string(second) + " is beyond the ledger", {}};
    }
    return ledger::ConsistencyProof(first, second, impl_->Reader());
  } catch (const std::exception& e) {
    return Unavailable("db.consistency_proof", e);
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
        StoredEntry entry{seqs[i], std::move(canonicals[i]), DigestOrZero(leaf_hashes[i]),
                          DigestOrZero(chain_hashes[i])};
        Result<void> visited = visit(entry);
        if (!visited) return visited;
      }
      after = seqs.back();
    }
    return Ok();
  } catch (const std::exception& e) {
    return Unavailable("db.for_each_entry", e);
  }
}

namespace {

// Streams stored rows of one kind (Merkle nodes, checkpoints) in key order, a page at a
// time, so verification compares them with what it recomputes in constant memory.
class CheckpointStream {
 public:
  // Streams the checkpoints of tree sizes above `after_size`.
  CheckpointStream(soci::session& sql, long long after_size) : sql_(sql), after_(after_size) {}

  // The next stored checkpoint (tree size and note), or nullopt after the last.
  std::optional<std::pair<std::uint64_t, std::string>> Next() {
    if (position_ == sizes_.size()) {
      if (done_) return std::nullopt;
      sizes_.assign(kStreamPageRows, 0);
      notes_.assign(kStreamPageRows, std::string());
      sql_ << "SELECT tree_size, note FROM checkpoints WHERE tree_size > :a ORDER BY tree_size LIMIT "
           << kStreamPageRows,
          soci::into(sizes_), soci::into(notes_), soci::use(after_);
      position_ = 0;
      if (sizes_.size() < static_cast<std::size_t>(kStreamPageRows)) done_ = true;
      if (sizes_.empty()) return std::nullopt;
      after_ = sizes_.back();
    }
    const std::size_t i = position_++;
    return std::make_pair(static_cast<std::uint64_t>(sizes_[i]), std::move(notes_[i]));
  }

 private:
  soci::session& sql_;
  std::vector<long long> sizes_;
  std::vector<std::string> notes_;
  std::size_t position_ = 0;
  long long after_;
  bool done_ = false;
};

// The columns stored for one entry, read back for comparison with the recomputed ones.
ledger::EntryColumns StoredColumns(long long seq, const std::vector<std::string>& text,
                                   const std::vector<IntColumn>& numbers) {
  ledger::EntryColumns columns;
  columns.seq = seq;
  columns.kind = text[0];
  columns.recorded_at = text[1];
  columns.recorded_by = text[2];
  columns.opd = text[3];
  columns.sub_activity = text[4];
  columns.account = text[5];
  columns.instrument = text[6];
  columns.mechanism = text[7];
  columns.value_date = text[8];
  columns.bank_ref = text[9];
  columns.payee_account = text[10];
  columns.payee_npwp = text[11];
  columns.tax_type = text[12];
  columns.evidence_no = text[13];
  columns.evidence_date = text[14];
  columns.tax_detail = text[15];
  columns.covers = text[16];
  columns.monthly_plan = text[17];
  columns.fiscal_year = numbers[0].Get();
  columns.amount_sen = numbers[1].Get();
  columns.net_sen = numbers[2].Get();
  columns.tax_sen = numbers[3].Get();
  columns.reverses = numbers[4].Get();
  return columns;
}

using RealisationSums =
    std::map<std::tuple<long long, std::string, std::string, std::string, std::string>,
             std::pair<long long, long long>>;

// Compares one stored aggregate table with what the entries imply. Nullopt if they agree.
std::optional<std::string> CompareRealisationTable(soci::session& sql, const char* table,
                                                   const char* period_column,
                                                   RealisationSums expected, bool period_first) {
  std::vector<long long> years(kStreamPageRows), amounts(kStreamPageRows), counts(kStreamPageRows);
  std::vector<std::string> opds(kStreamPageRows), groups(kStreamPageRows),
      instruments(kStreamPageRows), periods(kStreamPageRows);
  soci::statement statement =
      (sql.prepare << "SELECT fiscal_year, opd, account_group, instrument, " << period_column
                   << ", amount_sen, entries FROM " << table,
       soci::into(years), soci::into(opds), soci::into(groups), soci::into(instruments),
       soci::into(periods), soci::into(amounts), soci::into(counts));
  statement.execute(false);
  while (statement.fetch()) {
    for (std::size_t i = 0; i < years.size(); ++i) {
      auto key = period_first
                     ? std::make_tuple(years[i], periods[i], opds[i], groups[i], instruments[i])
                     : std::make_tuple(years[i], opds[i], groups[i], instruments[i], periods[i]);
      auto found = expected.find(key);
      const std::pair<long long, long long> want =
          found == expected.end() ? std::make_pair(0LL, 0LL) : found->second;
      if (want.first != amounts[i] || want.second != counts[i]) {
        return std::string(table) + " row (" + std::to_string(years[i]) + ", " + opds[i] + ", " +
               groups[i] + ", " + instruments[i] + ", " + periods[i] + ") says " +
               ledger::FormatMoney(amounts[i]) + " in " + std::to_string(counts[i]) +
               " entries; the entries say " + ledger::FormatMoney(want.first) + " in " +
               std::to_string(want.second);
      }
      if (found != expected.end()) expected.erase(found);
    }
    for (auto* column : {&opds, &groups, &instruments, &periods}) column->resize(kStreamPageRows);
    years.resize(kStreamPageRows);
    amounts.resize(kStreamPageRows);
    counts.resize(kStreamPageRows);
  }
  for (const auto& [key, sums] : expected) {
    if (sums.first != 0 || sums.second != 0) {
      return std::string(table) + " lacks a row the entries imply (" + ledger::FormatMoney(sums.first) +
             " in " + std::to_string(sums.second) + " entries)";
    }
  }
  return std::nullopt;
}

std::optional<std::string> CheckRealisation(soci::session& sql, RealisationSums monthly,
                                            RealisationSums daily) {
  if (auto problem = CompareRealisationTable(sql, "realisation_monthly", "month",
                                             std::move(monthly), false)) {
    return problem;
  }
  return CompareRealisationTable(sql, "realisation_daily", "value_date", std::move(daily), true);
}

// Names the first column where `stored` and `derived` differ.
std::string FirstDifference(const ledger::EntryColumns& stored, const ledger::EntryColumns& derived) {
  auto text = [](const std::optional<std::int64_t>& n) { return n ? std::to_string(*n) : std::string("null"); };
  const std::pair<const char*, std::pair<std::string, std::string>> pairs[] = {
      {"kind", {stored.kind, derived.kind}},
      {"recorded_at", {stored.recorded_at, derived.recorded_at}},
      {"recorded_by", {stored.recorded_by, derived.recorded_by}},
      {"fiscal_year", {text(stored.fiscal_year), text(derived.fiscal_year)}},
      {"opd", {stored.opd, derived.opd}},
      {"sub_activity", {stored.sub_activity, derived.sub_activity}},
      {"account", {stored.account, derived.account}},
      {"instrument", {stored.instrument, derived.instrument}},
      {"mechanism", {stored.mechanism, derived.mechanism}},
      {"value_date", {stored.value_date, derived.value_date}},
      {"bank_ref", {stored.bank_ref, derived.bank_ref}},
      {"payee_account", {stored.payee_account, derived.payee_account}},
      {"payee_npwp", {stored.payee_npwp, derived.payee_npwp}},
      {"tax_type", {stored.tax_type, derived.tax_type}},
      {"amount_sen", {text(stored.amount_sen), text(derived.amount_sen)}},
      {"net_sen", {text(stored.net_sen), text(derived.net_sen)}},
      {"tax_sen", {text(stored.tax_sen), text(derived.tax_sen)}},
      {"reverses", {text(stored.reverses), text(derived.reverses)}},
      {"evidence_no", {stored.evidence_no, derived.evidence_no}},
      {"evidence_date", {stored.evidence_date, derived.evidence_date}},
      {"tax_detail", {stored.tax_detail, derived.tax_detail}},
      {"covers", {stored.covers, derived.covers}},
      {"monthly_plan", {stored.monthly_plan, derived.monthly_plan}},
  };
  for (const auto& [name, values] : pairs) {
    if (values.first != values.second) {
      return std::string("column ") + name + " is " + values.first + " but the entry says " +
             values.second;
    }
  }
  return "columns differ";
}

}  // namespace

Result<VerifyReport> Store::Verify(const ledger::NoteVerifier& verifier,
                                   const std::optional<std::string>& trusted_checkpoint,
                                   const std::atomic<bool>* cancel) {
  // First what the hashes alone cannot show: a database rewound to an earlier, perfectly
  // consistent state, or replaced by another one signed with the same key.
  if (Result<void> kept = CheckKeptCheckpoint(verifier); !kept) {
    if (kept.error().code != Code::kDataLoss) return kept.error();
    Result<std::uint64_t> size = TreeSize();
    if (!size) return size.error();
    VerifyReport report;
    report.ok = false;
    report.problem = ledger::Problem{static_cast<std::int64_t>(*size), kept.error().message};
    return report;
  }
  return VerifyImpl(verifier, trusted_checkpoint, 0, std::nullopt, cancel);
}

Result<VerifyReport> Store::VerifyRange(const ledger::NoteVerifier& verifier,
                                        std::int64_t from_seq, std::int64_t to_seq) {
  Result<std::uint64_t> size = TreeSize();
  if (!size) return size.error();
  if (from_seq < 0 || to_seq < from_seq || static_cast<std::uint64_t>(to_seq) >= *size) {
    return InvalidArgument("need 0 <= from_seq <= to_seq < tree size (" + std::to_string(*size) +
                           ")");
  }
  return VerifyImpl(verifier, std::nullopt, from_seq, to_seq, nullptr);
}

Result<VerifyReport> Store::VerifyImpl(const ledger::NoteVerifier& verifier,
                                       const std::optional<std::string>& trusted_checkpoint,
                                       std::int64_t from_seq, std::optional<std::int64_t> to_seq,
                                       const std::atomic<bool>* cancel) {
  VerifyReport report;
  auto fail = [&report](ledger::Problem problem) {
    report.ok = false;
    report.problem = std::move(problem);
    return report;
  };
  std::optional<ledger::Checkpoint> trusted;
  if (trusted_checkpoint) {
    Result<ledger::Checkpoint> opened = ledger::OpenCheckpoint(*trusted_checkpoint, verifier);
    if (!opened) {
      return InvalidArgument("the trusted checkpoint does not verify with the key: " +
                             opened.error().ToString());
    }
    trusted = std::move(opened).value();
  }
  soci::session& sql = impl_->sql;
  try {
    // One snapshot for the whole pass: appends committed meanwhile are not half-seen.
    ReadSnapshot snapshot(sql);
    ledger::ChainVerifier chain(verifier);
    // The realisation aggregates the entries imply, compared with the stored tables
    // at the end of a whole-ledger verification. Memory grows with the number of
    // (day, OPD, account group, instrument) combinations, not with the entries.
    const bool whole = from_seq == 0 && !to_seq;
    RealisationSums expected_monthly, expected_daily;
    SqlLedgerView lookup(sql);
    if (from_seq > 0) {
      Result<std::string> origin = impl_->LoadOrigin();
      if (!origin) return origin.error();
      Result<StoredEntry> previous = Entry(from_seq - 1);
      if (!previous) return previous.error();
      Result<ledger::MerkleFrontier> frontier =
          ledger::MerkleFrontier::Load(static_cast<std::uint64_t>(from_seq), impl_->Reader());
      if (!frontier) return frontier.error();
      chain.Resume(*origin, previous->chain_hash, std::move(frontier).value());
    }
    const long long last_wanted = to_seq ? *to_seq : std::numeric_limits<long long>::max();
    CheckpointStream checkpoints(sql, from_seq);
    std::optional<std::pair<std::uint64_t, std::string>> next_checkpoint = checkpoints.Next();
    std::uint64_t latest_checkpoint_size = 0;
    // Checks every stored checkpoint whose tree size the recomputation has reached.
    auto check_checkpoints = [&]() -> std::optional<ledger::Problem> {
      while (next_checkpoint && next_checkpoint->first <= chain.size()) {
        if (next_checkpoint->first < chain.size() || chain.size() == 0) {
          return ledger::Problem{static_cast<std::int64_t>(next_checkpoint->first) - 1,
                                 "stored checkpoint for tree size " +
                                     std::to_string(next_checkpoint->first) + " was not reached"};
        }
        if (auto problem = chain.CheckCheckpoint(next_checkpoint->second)) return problem;
        ++report.checkpoints;
        latest_checkpoint_size = next_checkpoint->first;
        next_checkpoint = checkpoints.Next();
      }
      if (trusted && trusted->tree_size == chain.size() && chain.size() > 0) {
        if (auto problem = chain.CheckCheckpoint(*trusted_checkpoint)) {
          problem->what = "the ledger does not match the trusted checkpoint (tree size " +
                          std::to_string(trusted->tree_size) +
                          "): it was rewritten at or before this seq; " + problem->what;
          return problem;
        }
      }
      return std::nullopt;
    };

    long long after = from_seq - 1;
    for (;;) {
      if (cancel != nullptr && cancel->load()) {
        return Error{Code::kUnavailable, "verification cancelled", {}};
      }
      std::vector<long long> seqs(kStreamPageEntries);
      std::vector<std::string> canonicals(kStreamPageEntries), leaf_hashes(kStreamPageEntries),
          chain_hashes(kStreamPageEntries);
      constexpr int kTextColumns = 18;
      constexpr int kIntColumns = 5;
      std::vector<std::vector<std::string>> text(kTextColumns, std::vector<std::string>(kStreamPageEntries));
      std::vector<std::vector<soci::indicator>> text_null(kTextColumns, std::vector<soci::indicator>(kStreamPageEntries));
      std::vector<std::vector<long long>> ints(kIntColumns, std::vector<long long>(kStreamPageEntries));
      std::vector<std::vector<soci::indicator>> int_null(kIntColumns, std::vector<soci::indicator>(kStreamPageEntries));
      {
        soci::statement page(sql);
        page.exchange(soci::into(seqs));
        page.exchange(soci::into(canonicals));
        page.exchange(soci::into(leaf_hashes));
        page.exchange(soci::into(chain_hashes));
        for (std::size_t c = 0; c < static_cast<std::size_t>(kTextColumns); ++c) {
          page.exchange(soci::into(text[c], text_null[c]));
        }
        for (std::size_t c = 0; c < static_cast<std::size_t>(kIntColumns); ++c) {
          page.exchange(soci::into(ints[c], int_null[c]));
        }
        page.exchange(soci::use(after));
        page.exchange(soci::use(last_wanted));
        page.alloc();
        page.prepare(std::string("SELECT seq, canonical, leaf_hash, chain_hash, kind, recorded_at,"
                                 " recorded_by, opd, sub_activity, account, instrument, mechanism,"
                                 " value_date, bank_ref, payee_account, payee_npwp, tax_type,"
                                 " evidence_no, evidence_date, tax_detail, covers, monthly_plan,"
                                 " fiscal_year, amount_sen, net_sen, tax_sen, reverses"
                                 " FROM entries WHERE seq > :a AND seq <= :b ORDER BY seq LIMIT ") +
                     std::to_string(kStreamPageEntries));
        page.define_and_bind();
        page.execute(true);
      }
      if (seqs.empty()) break;

      // The Merkle nodes completed by this page's leaves, in the order they complete.
      const long long first_seq = seqs.front();
      const long long last_seq = seqs.back();
      std::vector<int> node_levels(kStreamPageRows);
      std::vector<long long> node_indices(kStreamPageRows), node_completed(kStreamPageRows);
      std::vector<std::string> node_hashes(kStreamPageRows);
      soci::statement nodes =
          (sql.prepare << "SELECT level, node_index, completed_seq, hash FROM merkle_nodes"
                          " WHERE completed_seq >= :a AND completed_seq <= :b"
                          " ORDER BY completed_seq, level",
           soci::into(node_levels), soci::into(node_indices), soci::into(node_completed),
           soci::into(node_hashes), soci::use(first_seq), soci::use(last_seq));
      nodes.execute(false);
      std::size_t node_position = 0;
      bool nodes_left = nodes.fetch();
      if (!nodes_left) node_levels.clear();

      for (std::size_t i = 0; i < seqs.size(); ++i) {
        const long long seq = seqs[i];
        const auto expected = static_cast<long long>(chain.size());
        if (seq != expected) {
          return fail({expected, "entry is missing (the next stored seq is " + std::to_string(seq) + ")"});
        }
        if (auto problem = check_checkpoints()) return fail(*problem);
        Result<ledger::RecomputedEntry> recomputed = chain.Add(canonicals[i]);
        if (!recomputed) return fail(ledger::ProblemOf(recomputed.error()));
        if (Hex(recomputed->leaf_hash) != leaf_hashes[i]) {
          return fail({seq, "stored leaf hash " + leaf_hashes[i] + " differs from the recomputed " +
                                Hex(recomputed->leaf_hash)});
        }
        if (Hex(recomputed->chain_hash) != chain_hashes[i]) {
          return fail({seq, "stored chain hash " + chain_hashes[i] +
                                " differs from the recomputed " + Hex(recomputed->chain_hash)});
        }
        std::vector<std::string> row_text(kTextColumns);
        for (std::size_t c = 0; c < static_cast<std::size_t>(kTextColumns); ++c) {
          row_text[c] = text_null[c][i] == soci::i_ok ? text[c][i] : std::string();
        }
        std::vector<IntColumn> row_ints(kIntColumns);
        for (std::size_t c = 0; c < static_cast<std::size_t>(kIntColumns); ++c) {
          row_ints[c].value = ints[c][i];
          row_ints[c].indicator = int_null[c][i];
        }
        const ledger::EntryColumns stored = StoredColumns(seq, row_text, row_ints);
        if (!(stored == recomputed->columns)) {
          return fail({seq, FirstDifference(stored, recomputed->columns)});
        }
        if (whole && (stored.kind == "expenditure" || stored.kind == "reversal")) {
          std::optional<ledger::EntryColumns> expenditure;
          int sign = 1;
          if (stored.kind == "expenditure") {
            expenditure = recomputed->columns;
          } else {
            // The original was verified earlier in this pass.
            Result<std::optional<ledger::EntryColumns>> original = lookup.Columns(*stored.reverses);
            if (!original || !original->has_value() || (*original)->kind != "expenditure") {
              return fail({seq, "reverses seq " + std::to_string(*stored.reverses) +
                                    ", which is not an expenditure"});
            }
            expenditure = **original;
            sign = -1;
          }
          RealisationDelta delta;
          delta.Set(*expenditure, sign);
          auto add = [&delta](std::pair<long long, long long>& sums) {
            sums.first += delta.amount_sen;
            sums.second += delta.entries;
          };
          add(expected_monthly[{delta.fiscal_year, delta.opd, delta.account_group, delta.instrument,
                                delta.month}]);
          add(expected_daily[{delta.fiscal_year, delta.value_date, delta.opd, delta.account_group,
                              delta.instrument}]);
        }
        for (const ledger::MerkleFrontier::CompletedNode& node : recomputed->completed_nodes) {
          if (node_position == node_levels.size() && nodes_left) {
            node_levels.resize(kStreamPageRows);
            node_indices.resize(kStreamPageRows);
            node_completed.resize(kStreamPageRows);
            node_hashes.resize(kStreamPageRows);
            nodes_left = nodes.fetch();
            if (!nodes_left) node_levels.clear();
            node_position = 0;
          }
          const std::string where = "Merkle node (" + std::to_string(node.id.level) + ", " +
                                    std::to_string(node.id.index) + ")";
          if (node_position == node_levels.size()) {
            return fail({seq, where + " is missing"});
          }
          const std::size_t n = node_position++;
          if (node_levels[n] != static_cast<int>(node.id.level) ||
              node_indices[n] != static_cast<long long>(node.id.index) ||
              node_completed[n] != seq) {
            return fail({seq, where + " is missing or out of place"});
          }
          if (node_hashes[n] != Hex(node.hash)) {
            return fail({seq, where + " differs from the recomputed " + Hex(node.hash)});
          }
        }
        ++report.entries;
      }
      after = last_seq;
    }
    if (auto problem = check_checkpoints()) return fail(*problem);
    const auto size = static_cast<std::int64_t>(chain.size());
    if (to_seq) {
      if (size != *to_seq + 1) return fail({size, "entry is missing"});
      report.root = chain.root();
      return report;
    }
    if (size == 0) return fail({0, "the ledger is empty (no genesis entry)"});
    if (next_checkpoint) {
      return fail({size, "entry is missing: a stored checkpoint covers tree size " +
                                 std::to_string(next_checkpoint->first) + " but the ledger has " +
                                 std::to_string(size) + " entries (entries removed)"});
    }
    if (latest_checkpoint_size != chain.size()) {
      return fail({static_cast<std::int64_t>(latest_checkpoint_size),
                   "entries after the latest checkpoint (tree size " +
                       std::to_string(latest_checkpoint_size) + ") were never acknowledged"});
    }
    if (trusted && trusted->tree_size > chain.size()) {
      return fail({size, "entry is missing: the trusted checkpoint covers " + std::to_string(trusted->tree_size) +
                                 " entries but the ledger has only " + std::to_string(size) +
                                 " (entries removed)"});
    }
    if (whole) {
      if (std::optional<std::string> problem = CheckRealisation(sql, expected_monthly, expected_daily)) {
        return fail({size - 1, *problem});
      }
    }
    long long stored_nodes = 0;
    sql << "SELECT COUNT(*) FROM merkle_nodes", soci::into(stored_nodes);
    long long expected_nodes = 0;
    for (std::uint64_t width = 1; width <= chain.size(); width *= 2) {
      expected_nodes += static_cast<long long>(chain.size() / width);
    }
    if (stored_nodes != expected_nodes) {
      return fail({size - 1, "the database holds " + std::to_string(stored_nodes) +
                                 " Merkle nodes; the ledger needs " + std::to_string(expected_nodes)});
    }
    report.root = chain.root();
    return report;
  } catch (const std::exception& e) {
    return Unavailable("db.verify", e);
  }
}

}  // namespace jejak::db
