#include "db/store_impl.h"

#include <nlohmann/json.hpp>

#include <utility>

#include "base/check.h"
#include "crypto/encoding.h"
#include "ledger/absorption.h"
#include "ledger/canonical.h"
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

Result<std::optional<std::int64_t>> SqlLedgerView::SeqOfBankRef(std::string_view bank_ref) {
  return OptionalSeq("SELECT seq FROM entries WHERE bank_ref = :v", std::string(bank_ref));
}

Result<std::optional<ledger::EntryColumns>> SqlLedgerView::Columns(std::int64_t seq) {
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

Result<std::optional<std::int64_t>> SqlLedgerView::ReversalOf(std::int64_t seq) {
  long long key = seq;
  long long found = 0;
  sql_ << "SELECT seq FROM entries WHERE reverses = :s", soci::into(found), soci::use(key);
  if (!sql_.got_data()) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(found);
}

Result<ledger::LedgerView::Refunded> SqlLedgerView::RefundsOf(std::int64_t seq) {
  long long key = seq;
  long long amount = 0;
  long long first = 0;
  soci::indicator amount_indicator = soci::i_null;
  soci::indicator first_indicator = soci::i_null;
  sql_ << "SELECT SUM(amount_sen), MIN(seq) FROM entries WHERE refunds = :s",
      soci::into(amount, amount_indicator), soci::into(first, first_indicator), soci::use(key);
  Refunded refunded;
  if (amount_indicator == soci::i_ok) refunded.amount_sen = amount;
  if (first_indicator == soci::i_ok) refunded.first_seq = first;
  return refunded;
}

Result<bool> SqlLedgerView::OpdRegistered(std::string_view code) {
  Result<std::optional<std::int64_t>> seq =
      OptionalSeq("SELECT seq FROM entries WHERE kind = 'opd' AND opd = :v", std::string(code));
  if (!seq) return seq.error();
  return seq->has_value();
}

Result<std::optional<std::int64_t>> SqlLedgerView::OptionalSeq(const char* query, const std::string& value) {
  long long found = 0;
  sql_ << query, soci::into(found), soci::use(value);
  if (!sql_.got_data()) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(found);
}

void StoreImpl::DropTotals() {
  totals.Clear();
  totals_years.clear();
  totals_tree_size.reset();
}

Result<void> StoreImpl::LoadYearTotals(std::int64_t fiscal_year) {
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

std::uint64_t StoreImpl::Size() {
  long long max_seq = -1;
  soci::indicator indicator = soci::i_null;
  sql << "SELECT MAX(seq) FROM entries", soci::into(max_seq, indicator);
  if (indicator != soci::i_ok) return 0;
  return static_cast<std::uint64_t>(max_seq + 1);
}

Result<std::string> StoreImpl::LoadOrigin() {
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

}  // namespace jejak::db
