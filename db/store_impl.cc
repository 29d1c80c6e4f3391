#include "db/store_impl.h"

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <utility>

#include "base/check.h"
#include "crypto/encoding.h"
#include "db/bank_statements.h"
#include "ledger/absorption.h"
#include "ledger/canonical.h"
#include "ledger/limits.h"
#include "ledger/money.h"

namespace jejak::db {

void RealisationDelta::Set(const ledger::EntryColumns& expenditure, int sign) {
  JEJAK_CHECK(expenditure.kind == "expenditure");
  JEJAK_CHECK(expenditure.amount_sen.has_value());
  fiscal_year = expenditure.fiscal_year.value_or(0);
  opd = expenditure.opd;
  account_group = ledger::AccountGroup(expenditure.account);
  instrument = expenditure.instrument;
  sub_activity = expenditure.sub_activity;
  account = expenditure.account;
  value_date = expenditure.value_date;
  month = value_date.substr(0, 7);
  amount_sen = sign * *expenditure.amount_sen;
  entries = sign;
}

struct SqlLedgerView::Statements {
  explicit Statements(soci::session& sql)
      : seq_of_bank_ref(sql, "SELECT seq FROM entries WHERE bank_ref = ?"),
        opd_registered(sql, "SELECT seq FROM entries WHERE kind = 'opd' AND opd = ?"),
        canonical_of(sql, "SELECT canonical FROM entries WHERE seq = ?"),
        reversal_of(sql, "SELECT seq FROM entries WHERE reverses = ?"),
        refunds_of(sql, "SELECT SUM(amount_sen), MIN(seq) FROM entries WHERE refunds = ?"),
        statements_of_account(sql, kStatementsOfAccountSql) {}

  NativeStatement seq_of_bank_ref;
  NativeStatement opd_registered;
  NativeStatement canonical_of;
  NativeStatement reversal_of;
  NativeStatement refunds_of;
  NativeStatement statements_of_account;
};

namespace {

// The first column of the first row of `statement` bound to `value`, if any.
template <typename Value>
std::optional<std::int64_t> OptionalSeq(NativeStatement& statement, const Value& value) {
  NativeStatement::RunScope run(statement);
  statement.Bind(1, value);
  if (!statement.Step() || statement.IsNull(0)) return std::nullopt;
  return statement.Int(0);
}

}  // namespace

SqlLedgerView::SqlLedgerView(soci::session& sql) : sql_(sql) {}
SqlLedgerView::~SqlLedgerView() = default;

SqlLedgerView::Statements& SqlLedgerView::Prepared() {
  if (statements_ == nullptr) statements_ = std::make_unique<Statements>(sql_);
  return *statements_;
}

void SqlLedgerView::ForgetCached() { registered_opds_.clear(); }

Result<std::optional<std::int64_t>> SqlLedgerView::SeqOfBankRef(std::string_view bank_ref) {
  return OptionalSeq(Prepared().seq_of_bank_ref, bank_ref);
}

Result<std::optional<ledger::EntryColumns>> SqlLedgerView::Columns(std::int64_t seq) {
  std::string canonical;
  {
    NativeStatement& statement = Prepared().canonical_of;
    NativeStatement::RunScope run(statement);
    statement.Bind(1, static_cast<long long>(seq));
    if (!statement.Step() || statement.IsNull(0)) return std::optional<ledger::EntryColumns>();
    canonical = statement.Text(0);
  }
  Result<nlohmann::json> parsed = ledger::ParseStrict(canonical, ledger::kStoredEntryBytesMax);
  if (!parsed) return Error{Code::kDataLoss, "stored entry " + std::to_string(seq) + " is unreadable", {}};
  Result<ledger::EntryColumns> columns = ledger::DeriveColumns(*parsed);
  if (!columns) return columns.error();
  return std::optional<ledger::EntryColumns>(std::move(columns).value());
}

Result<std::optional<std::int64_t>> SqlLedgerView::ReversalOf(std::int64_t seq) {
  return OptionalSeq(Prepared().reversal_of, static_cast<long long>(seq));
}

Result<ledger::LedgerView::Refunded> SqlLedgerView::RefundsOf(std::int64_t seq) {
  NativeStatement& statement = Prepared().refunds_of;
  NativeStatement::RunScope run(statement);
  statement.Bind(1, static_cast<long long>(seq));
  Refunded refunded;
  if (!statement.Step()) return refunded;
  if (!statement.IsNull(0)) refunded.amount_sen = statement.Int(0);
  if (!statement.IsNull(1)) refunded.first_seq = statement.Int(1);
  return refunded;
}

Result<std::vector<ledger::StatementPeriod>> SqlLedgerView::StatementsOfAccount(
    std::string_view account_no) {
  return ReadStatementsOfAccount(Prepared().statements_of_account, account_no);
}

Result<bool> SqlLedgerView::OpdRegistered(std::string_view code) {
  if (registered_opds_.contains(code)) return true;
  const bool registered = OptionalSeq(Prepared().opd_registered, code).has_value();
  // Only what was found is remembered: an OPD registered later must be seen then.
  if (registered) registered_opds_.emplace(code);
  return registered;
}

StoreStatements::StoreStatements(soci::session& sql)
    : insert_entry(sql, (std::string("INSERT INTO entries (") + kEntryColumnNames +
                         ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                         " ?, ?, ?, ?, ?, ?, ?, ?)")
                            .c_str()),
      // Realisation aggregates: one upsert per table for each expenditure (+) or
      // reversal (- the original's amount); refunds are read from the entries.
      upsert_monthly(sql,
                     "INSERT INTO realisation_monthly (fiscal_year, opd, account_group,"
                     " instrument, month, amount_sen, entries) VALUES (?, ?, ?, ?, ?, ?, ?)"
                     " ON CONFLICT (fiscal_year, opd, account_group, instrument, month)"
                     " DO UPDATE SET amount_sen = realisation_monthly.amount_sen + excluded.amount_sen,"
                     " entries = realisation_monthly.entries + excluded.entries"),
      upsert_daily(sql,
                   "INSERT INTO realisation_daily (fiscal_year, value_date, opd,"
                   " account_group, instrument, amount_sen, entries) VALUES (?, ?, ?, ?, ?, ?, ?)"
                   " ON CONFLICT (fiscal_year, value_date, opd, account_group, instrument)"
                   " DO UPDATE SET amount_sen = realisation_daily.amount_sen + excluded.amount_sen,"
                   " entries = realisation_daily.entries + excluded.entries"),
      upsert_lines(sql,
                   "INSERT INTO realisation_lines (fiscal_year, opd, sub_activity,"
                   " account, month, amount_sen, entries) VALUES (?, ?, ?, ?, ?, ?, ?)"
                   " ON CONFLICT (fiscal_year, opd, sub_activity, account, month)"
                   " DO UPDATE SET amount_sen = realisation_lines.amount_sen + excluded.amount_sen,"
                   " entries = realisation_lines.entries + excluded.entries"),
      insert_node(sql,
                  "INSERT INTO merkle_nodes (level, node_index, completed_seq, hash)"
                  " VALUES (?, ?, ?, ?)"),
      read_node(sql, "SELECT hash FROM merkle_nodes WHERE level = ? AND node_index = ?"),
      entry_tip(sql, "SELECT chain_hash, recorded_at FROM entries WHERE seq = ?"),
      max_seq(sql, "SELECT MAX(seq) FROM entries"),
      insert_checkpoint(sql, "INSERT INTO checkpoints (tree_size, note) VALUES (?, ?)"),
      insert_fact(sql, AuditFactsInsertSql().c_str()),
      insert_bank_statement(sql, BankStatementInsertSql().c_str()) {}

LedgerRowWriter::LedgerRowWriter(StoreStatements& statements, SqlLedgerView& view)
    : statements_(statements), view_(view), audit_facts_(statements.insert_fact) {}

Result<std::optional<ledger::EntryColumns>> LedgerRowWriter::ReversedOriginal(
    const ledger::EntryColumns& columns) {
  if (columns.kind != "reversal") return std::optional<ledger::EntryColumns>();
  Result<std::optional<ledger::EntryColumns>> original = view_.Columns(*columns.reverses);
  if (!original) return original.error();
  if (!original->has_value() || (*original)->kind != "expenditure") {
    return Error{Code::kDataLoss, "the reversed entry is not an expenditure", {}};
  }
  return original;
}

void LedgerRowWriter::Write(const ledger::EntryColumns& columns, const ledger::SealedEntry& sealed,
                            const std::optional<ledger::EntryColumns>& reversed,
                            const std::vector<ledger::MerkleFrontier::CompletedNode>& completed) {
  InsertEntry(columns, sealed);
  audit_facts_.Add(columns, sealed.canonical);  // An expenditure's audit facts.
  WriteBankStatementRow(statements_.insert_bank_statement, columns, sealed.canonical);
  if (columns.kind == "expenditure") {
    AddRealisation(columns, +1);
  } else if (reversed) {
    AddRealisation(*reversed, -1);
  }
  for (const ledger::MerkleFrontier::CompletedNode& node : completed) InsertNode(node, sealed.seq);
}

void LedgerRowWriter::InsertEntry(const ledger::EntryColumns& columns,
                                  const ledger::SealedEntry& sealed) {
  row_.Set(columns);
  JEJAK_CHECK(row_.seq == sealed.seq);  // Stamped and sealed at the same seq.
  NativeStatement& insert = statements_.insert_entry;
  NativeStatement::RunScope run(insert);
  // kEntryColumnNames' order.
  int i = 0;
  insert.Bind(++i, row_.seq);
  insert.Bind(++i, std::string_view(sealed.canonical));
  insert.Bind(++i, std::string_view(Hex(sealed.leaf_hash)));
  insert.Bind(++i, std::string_view(Hex(sealed.chain_hash)));
  insert.Bind(++i, std::string_view(row_.kind));
  insert.Bind(++i, std::string_view(row_.recorded_at));
  insert.Bind(++i, std::string_view(row_.recorded_by));
  insert.Bind(++i, row_.fiscal_year);
  for (const TextColumn* text : {&row_.opd, &row_.sub_activity, &row_.account, &row_.instrument,
                                 &row_.mechanism, &row_.value_date, &row_.bank_ref,
                                 &row_.payee_account, &row_.payee_npwp, &row_.tax_type}) {
    insert.Bind(++i, *text);
  }
  for (const IntColumn* number : {&row_.amount_sen, &row_.net_sen, &row_.tax_sen, &row_.reverses}) {
    insert.Bind(++i, *number);
  }
  for (const TextColumn* text : {&row_.evidence_no, &row_.evidence_date, &row_.tax_detail,
                                 &row_.covers, &row_.monthly_plan}) {
    insert.Bind(++i, *text);
  }
  insert.Bind(++i, row_.refunds);
  JEJAK_CHECK(i == 28);  // Every column of kEntryColumnNames.
  insert.Execute();
}

namespace {

// One aggregate upsert: the fiscal year, the table's four key texts in its column order,
// then the amount and the entry count.
void Upsert(NativeStatement& upsert, std::initializer_list<std::string_view> keys,
            const RealisationDelta& delta) {
  NativeStatement::RunScope run(upsert);
  int i = 0;
  upsert.Bind(++i, delta.fiscal_year);
  for (std::string_view key : keys) upsert.Bind(++i, key);
  upsert.Bind(++i, delta.amount_sen);
  upsert.Bind(++i, delta.entries);
  upsert.Execute();
}

}  // namespace

void LedgerRowWriter::AddRealisation(const ledger::EntryColumns& expenditure, int sign) {
  RealisationDelta delta;
  delta.Set(expenditure, sign);
  Upsert(statements_.upsert_monthly, {delta.opd, delta.account_group, delta.instrument, delta.month},
         delta);
  Upsert(statements_.upsert_daily, {delta.value_date, delta.opd, delta.account_group, delta.instrument},
         delta);
  Upsert(statements_.upsert_lines, {delta.opd, delta.sub_activity, delta.account, delta.month}, delta);
}

void LedgerRowWriter::InsertNode(const ledger::MerkleFrontier::CompletedNode& node, std::int64_t seq) {
  NativeStatement& insert = statements_.insert_node;
  NativeStatement::RunScope run(insert);
  insert.Bind(1, static_cast<long long>(node.id.level));
  insert.Bind(2, static_cast<long long>(node.id.index));
  insert.Bind(3, static_cast<long long>(seq));
  insert.Bind(4, std::string_view(Hex(node.hash)));
  insert.Execute();
}

void StoreImpl::DropCaches() {
  totals.Clear();
  totals_years.clear();
  totals_tree_size.reset();
  next_group.reset();
  origin.clear();  // A rolled-back genesis must not leave its origin behind.
  if (view_ != nullptr) view_->ForgetCached();
}

Result<void> StoreImpl::CatchUp(std::uint64_t from, std::uint64_t to) {
  next_group.reset();
  if (view_ != nullptr) view_->ForgetCached();
  if (!totals_years.empty()) {
    long long first = static_cast<long long>(from);
    long long end = static_cast<long long>(to);
    long long seq = 0;
    std::string canonical;
    soci::statement rows =
        (sql.prepare << "SELECT seq, canonical FROM entries WHERE seq >= :f AND seq < :t ORDER BY seq",
         soci::into(seq), soci::into(canonical), soci::use(first), soci::use(end));
    rows.execute(false);
    while (rows.fetch()) {
      Result<nlohmann::json> parsed = ledger::ParseStrict(canonical, ledger::kStoredEntryBytesMax);
      Result<ledger::EntryColumns> columns =
          parsed ? ledger::DeriveColumns(*parsed) : Result<ledger::EntryColumns>(parsed.error());
      Result<ledger::Contribution> contribution =
          columns ? ledger::ContributionOf(*columns) : Result<ledger::Contribution>(columns.error());
      if (!contribution) {
        return Error{Code::kDataLoss, "stored entry " + std::to_string(seq) + " is unreadable", {}};
      }
      if (contribution->amounts_sen.empty() || !totals_years.contains(contribution->fiscal_year)) continue;
      if (Result<void> added = totals.Add(*columns); !added) return added.error();
    }
  }
  totals_tree_size = to;
  return Ok();
}

StoreStatements& StoreImpl::Statements() {
  if (statements_ == nullptr) statements_ = std::make_unique<StoreStatements>(sql);
  return *statements_;
}

SqlLedgerView& StoreImpl::View() {
  if (view_ == nullptr) view_ = std::make_unique<SqlLedgerView>(sql);
  return *view_;
}

Result<void> StoreImpl::LoadYearTotals(std::int64_t fiscal_year) {
  FlushWrites(sql);  // The sums cover what this transaction wrote.
  long long year = fiscal_year;
  std::string kind;
  long long total = 0;
  soci::statement sums =
      (sql.prepare << "SELECT kind, COALESCE(SUM(amount_sen), 0) FROM entries"
                      " WHERE fiscal_year = :y AND kind IN ('expenditure', 'budget', 'tax_deposit', 'refund')"
                      " GROUP BY kind",
       soci::into(kind), soci::into(total), soci::use(year));
  sums.execute(false);
  while (sums.fetch()) {
    const ledger::Measure measure = kind == "expenditure" ? ledger::Measure::kGross
                                    : kind == "budget"    ? ledger::Measure::kPagu
                                    : kind == "refund"    ? ledger::Measure::kRefund
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

ledger::NodeReader StoreImpl::Reader() {
  return [this](ledger::NodeId id) -> Result<ledger::Digest> {
    NativeStatement& statement = Statements().read_node;
    NativeStatement::RunScope run(statement);
    statement.Bind(1, static_cast<long long>(id.level));
    statement.Bind(2, static_cast<long long>(id.index));
    if (!statement.Step()) {
      return Error{Code::kDataLoss,
                   "Merkle node (" + std::to_string(id.level) + ", " + std::to_string(id.index) +
                       ") is missing",
                   {}};
    }
    std::optional<ledger::Digest> digest = crypto::DigestFromHex(statement.Text(0));
    if (!digest) return Error{Code::kDataLoss, "stored Merkle node is not a hash", {}};
    return *digest;
  };
}

std::uint64_t StoreImpl::Size() {
  NativeStatement& statement = Statements().max_seq;
  NativeStatement::RunScope run(statement);
  if (!statement.Step() || statement.IsNull(0)) return 0;
  return static_cast<std::uint64_t>(statement.Int(0) + 1);
}

Result<std::string> StoreImpl::LoadOrigin() {
  if (!origin.empty()) return origin;
  FlushWrites(sql);  // The genesis entry may be one this transaction wrote.
  std::string canonical;
  sql << "SELECT canonical FROM entries WHERE seq = 0", soci::into(canonical);
  if (!sql.got_data()) return Error{Code::kNotFound, "the ledger has no genesis entry", {}};
  Result<nlohmann::json> genesis = ledger::ParseStrict(canonical, ledger::kStoredEntryBytesMax);
  if (!genesis || !genesis->is_object() || !genesis->contains("origin") ||
      !(*genesis)["origin"].is_string()) {
    return Error{Code::kDataLoss, "the genesis entry is unreadable", {}};
  }
  origin = (*genesis)["origin"].get<std::string>();
  return origin;
}

}  // namespace jejak::db
