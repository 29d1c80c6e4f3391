// The inputs of the summaries: what absorption (ledger/absorption.h) and the audit rules
// (ledger/audit.h) need for a fiscal year as of a date, read in one snapshot from the
// entries and the realisation aggregates.
#include "db/store.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <functional>
#include <limits>
#include <map>
#include <tuple>
#include <utility>

#include "db/audit_facts.h"
#include "db/bank_statements.h"
#include "db/sql_util.h"
#include "db/store_impl.h"
#include "ledger/canonical.h"
#include "ledger/limits.h"
#include "ledger/money.h"

namespace jejak::db {
namespace {

// Pages of rows read per fetch by the summary queries.
constexpr std::size_t kSummaryFetchRows = 2048;
// An end_seq past every seq: the whole ledger as the read snapshot sees it.
constexpr long long kEveryEntry = std::numeric_limits<long long>::max();

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

// The budget lines in force on `as_of` (DESIGN "budget"): per (opd, sub_activity,
// account), the newest budget entry whose effective_date (the value_date column), or
// without one its recording date, is on or before as_of. Newest is the latest such date,
// then the latest seq, so a DPA entered late counts from its own date, and a pergeseran
// recorded early counts only from the date it takes effect.
// Only entries with seq < end_seq count (a report pinned to a tree size).
std::vector<ledger::BudgetLine> BudgetsInForce(soci::session& sql, long long year,
                                               const std::string& as_of,
                                               const std::optional<std::string>& opd,
                                               std::vector<ledger::BudgetFacts>* facts,
                                               long long end_seq = kEveryEntry) {
  const std::string opd_value = opd.value_or("");
  const int filter = opd ? 1 : 0;
  std::vector<long long> seqs(kSummaryFetchRows), amounts(kSummaryFetchRows);
  std::vector<std::string> opds(kSummaryFetchRows), subs(kSummaryFetchRows),
      accounts(kSummaryFetchRows), plans(kSummaryFetchRows);
  std::vector<soci::indicator> plan_null(kSummaryFetchRows);
  soci::statement statement =
      (sql.prepare << "SELECT seq, opd, sub_activity, account, amount_sen, monthly_plan"
                      " FROM entries WHERE kind = 'budget' AND fiscal_year = :y"
                      " AND COALESCE(value_date, substr(recorded_at, 1, 10)) <= :d"
                      " AND (:f = 0 OR opd = :o) AND seq < :n"
                      " ORDER BY COALESCE(value_date, substr(recorded_at, 1, 10)), seq",
       soci::into(seqs), soci::into(opds), soci::into(subs), soci::into(accounts),
       soci::into(amounts), soci::into(plans, plan_null), soci::use(year), soci::use(as_of),
       soci::use(filter), soci::use(opd_value), soci::use(end_seq));
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
      // In force-date order, then seq order: the last one wins.
      newest[{opds[i], subs[i], accounts[i]}] = {std::move(line), seqs[i]};
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

// What one absorption report reads: a fiscal year as of a date, perhaps one OPD, over
// the entries below seq_limit. Its members are bound to the statements below.
struct SummaryScope {
  long long year = 0;
  std::string as_of;
  std::optional<std::string> opd;
  long long seq_limit = 0;
  std::string opd_value() const { return opd.value_or(""); }
  int opd_filter() const { return opd ? 1 : 0; }
};

// A bound for the value dates a band at as_of may compare (as_of itself, or the year's
// end after the year), or nullopt before the year. ledger::ComputeAbsorption ignores line
// rows after the band's month, so a later bound only costs time.
std::optional<std::string> BandEnd(const std::string& as_of, std::int64_t year) {
  const std::string year_text = std::to_string(year);
  if (as_of.compare(0, 4, year_text) < 0) return std::nullopt;
  if (as_of.compare(0, 4, year_text) > 0) return year_text + "-12-31";
  return as_of;  // The month of as_of itself is cut by the ledger when it has not ended.
}

// Realisation from the aggregates (whole ledger): whole months before as_of's month from
// the monthly table, the days of as_of's month from the daily one.
void ReadRealisationAggregates(soci::session& sql, const SummaryScope& scope,
                               ledger::AbsorptionInput& input) {
  const std::string month = scope.as_of.substr(0, 7);
  const std::string month_start = month + "-01";
  const std::string opd_value = scope.opd_value();
  const int filter = scope.opd_filter();
  long long year = scope.year;
  std::vector<std::string> opds(kSummaryFetchRows), groups(kSummaryFetchRows),
      instruments(kSummaryFetchRows), periods(kSummaryFetchRows);
  std::vector<long long> amounts(kSummaryFetchRows), counts(kSummaryFetchRows);
  auto collect = [&](soci::statement& statement, bool daily) {
    // A fetch that ends the rows shrinks the vectors: size them again for each statement.
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
  soci::statement months =
      (sql.prepare << "SELECT opd, account_group, instrument, month, amount_sen, entries"
                      " FROM realisation_monthly WHERE fiscal_year = :y AND month < :m"
                      " AND (:f = 0 OR opd = :o)",
       soci::into(opds), soci::into(groups), soci::into(instruments), soci::into(periods),
       soci::into(amounts), soci::into(counts), soci::use(year), soci::use(month),
       soci::use(filter), soci::use(opd_value));
  collect(months, false);
  soci::statement days =
      (sql.prepare << "SELECT opd, account_group, instrument, value_date, amount_sen, entries"
                      " FROM realisation_daily WHERE fiscal_year = :y AND value_date >= :s"
                      " AND value_date <= :d AND (:f = 0 OR opd = :o)",
       soci::into(opds), soci::into(groups), soci::into(instruments), soci::into(periods),
       soci::into(amounts), soci::into(counts), soci::use(year), soci::use(month_start),
       soci::use(scope.as_of), soci::use(filter), soci::use(opd_value));
  collect(days, true);
}

// Realisation per budget line from its aggregate (whole ledger), months up to `last_month`.
void ReadLineAggregates(soci::session& sql, const SummaryScope& scope, const std::string& last_month,
                        std::vector<ledger::LineRealisationRow>& lines) {
  const std::string opd_value = scope.opd_value();
  const int filter = scope.opd_filter();
  long long year = scope.year;
  std::vector<std::string> opds(kSummaryFetchRows), subs(kSummaryFetchRows),
      accounts(kSummaryFetchRows), months(kSummaryFetchRows);
  std::vector<long long> amounts(kSummaryFetchRows);
  soci::statement statement =
      (sql.prepare << "SELECT opd, sub_activity, account, month, amount_sen FROM realisation_lines"
                      " WHERE fiscal_year = :y AND month <= :m AND (:f = 0 OR opd = :o)",
       soci::into(opds), soci::into(subs), soci::into(accounts), soci::into(months),
       soci::into(amounts), soci::use(year), soci::use(last_month), soci::use(filter),
       soci::use(opd_value));
  statement.execute(false);
  while (statement.fetch()) {
    for (std::size_t i = 0; i < opds.size(); ++i) {
      if (amounts[i] == 0) continue;  // Fully reversed.
      lines.push_back(ledger::LineRealisationRow{opds[i], subs[i], accounts[i], months[i], amounts[i]});
    }
    for (auto* column : {&opds, &subs, &accounts, &months}) column->resize(kSummaryFetchRows);
    amounts.resize(kSummaryFetchRows);
  }
}

// The year's expenditures below seq_limit dated up to `up_to`, not reversed by an entry
// below seq_limit, in one grouped query by (opd, sub_activity, account, instrument,
// month): into `realisation` (if given) by account group and instrument, and into
// `lines` by budget line. What the aggregates hold, computed from the entries.
void ReadExpenditureLines(soci::session& sql, const SummaryScope& scope, const std::string& up_to,
                          std::vector<ledger::RealisationRow>* realisation,
                          std::vector<ledger::LineRealisationRow>* lines) {
  const std::string opd_value = scope.opd_value();
  const int filter = scope.opd_filter();
  long long year = scope.year;
  long long limit = scope.seq_limit;
  std::vector<std::string> opds(kSummaryFetchRows), subs(kSummaryFetchRows),
      accounts(kSummaryFetchRows), instruments(kSummaryFetchRows), months(kSummaryFetchRows);
  std::vector<long long> amounts(kSummaryFetchRows), counts(kSummaryFetchRows);
  soci::statement statement =
      (sql.prepare << "SELECT e.opd, e.sub_activity, e.account, e.instrument,"
                      " substr(e.value_date, 1, 7), SUM(e.amount_sen), COUNT(*)"
                      " FROM entries e WHERE e.kind = 'expenditure' AND e.fiscal_year = :y"
                      " AND e.value_date <= :d AND e.seq < :n AND (:f = 0 OR e.opd = :o)"
                      " AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.reverses = e.seq"
                      " AND r.seq < :n2)"
                      " GROUP BY e.opd, e.sub_activity, e.account, e.instrument,"
                      " substr(e.value_date, 1, 7)",
       soci::into(opds), soci::into(subs), soci::into(accounts), soci::into(instruments),
       soci::into(months), soci::into(amounts), soci::into(counts), soci::use(year),
       soci::use(up_to), soci::use(limit), soci::use(filter), soci::use(opd_value),
       soci::use(limit));
  statement.execute(false);
  while (statement.fetch()) {
    for (std::size_t i = 0; i < opds.size(); ++i) {
      if (realisation) {
        realisation->push_back(ledger::RealisationRow{opds[i], ledger::AccountGroup(accounts[i]),
                                                      instruments[i], months[i], amounts[i],
                                                      counts[i]});
      }
      if (lines) {
        lines->push_back(
            ledger::LineRealisationRow{opds[i], subs[i], accounts[i], months[i], amounts[i]});
      }
    }
    for (auto* column : {&opds, &subs, &accounts, &instruments, &months}) {
      column->resize(kSummaryFetchRows);
    }
    amounts.resize(kSummaryFetchRows);
    counts.resize(kSummaryFetchRows);
  }
}

// The refunds below seq_limit dated in the year up to as_of, with their originals.
void ReadRefunds(soci::session& sql, const SummaryScope& scope,
                 std::vector<ledger::RefundFacts>& refunds) {
  const std::string opd_value = scope.opd_value();
  const int filter = scope.opd_filter();
  long long year = scope.year;
  long long limit = scope.seq_limit;
  ledger::RefundFacts row;
  long long seq = 0, original = 0, amount = 0, original_year = 0;
  soci::statement statement =
      (sql.prepare << "SELECT r.seq, r.refunds, r.value_date, r.amount_sen, e.fiscal_year,"
                      " e.opd, e.sub_activity, e.account, e.instrument"
                      " FROM entries r JOIN entries e ON e.seq = r.refunds"
                      " WHERE r.kind = 'refund' AND r.fiscal_year = :y AND r.value_date <= :d"
                      " AND r.seq < :n AND (:f = 0 OR e.opd = :o) ORDER BY r.seq",
       soci::into(seq), soci::into(original), soci::into(row.value_date), soci::into(amount),
       soci::into(original_year), soci::into(row.opd), soci::into(row.sub_activity),
       soci::into(row.account), soci::into(row.instrument), soci::use(year),
       soci::use(scope.as_of), soci::use(limit), soci::use(filter), soci::use(opd_value));
  statement.execute(false);
  while (statement.fetch()) {
    row.seq = seq;
    row.refunds = original;
    row.amount_sen = amount;
    row.original_fiscal_year = original_year;
    refunds.push_back(row);
  }
}

// The reversals below seq_limit of the year's expenditures dated up to as_of.
void ReadCorrections(soci::session& sql, const SummaryScope& scope,
                     std::vector<ledger::CorrectionFacts>& corrections) {
  const std::string opd_value = scope.opd_value();
  const int filter = scope.opd_filter();
  long long year = scope.year;
  long long limit = scope.seq_limit;
  std::string opd;
  long long amount = 0;
  soci::statement statement =
      (sql.prepare << "SELECT e.opd, e.amount_sen FROM entries r JOIN entries e"
                      " ON e.seq = r.reverses WHERE r.kind = 'reversal' AND r.seq < :n"
                      " AND e.fiscal_year = :y AND e.value_date <= :d AND (:f = 0 OR e.opd = :o)"
                      " ORDER BY r.seq",
       soci::into(opd), soci::into(amount), soci::use(limit), soci::use(year),
       soci::use(scope.as_of), soci::use(filter), soci::use(opd_value));
  statement.execute(false);
  while (statement.fetch()) corrections.push_back(ledger::CorrectionFacts{opd, amount});
}

// The OPD registry among the entries with seq < end_seq: code -> name, a later `opd` entry
// of a code replacing an earlier one. Stored entries passed validation; an unreadable one
// is kDataLoss (thrown as a json error, caught by the caller's StorageError otherwise).
Result<std::map<std::string, std::string>> OpdNamesBefore(soci::session& sql, long long end_seq) {
  std::map<std::string, std::string> names;
  std::vector<std::string> canonicals(kSummaryFetchRows);
  soci::statement statement =
      (sql.prepare << "SELECT canonical FROM entries WHERE kind = 'opd' AND seq < :n ORDER BY seq",
       soci::into(canonicals), soci::use(end_seq));
  statement.execute(false);
  while (statement.fetch()) {
    for (const std::string& canonical : canonicals) {
      Result<nlohmann::json> entry = ledger::ParseStrict(canonical, ledger::kStoredEntryBytesMax);
      if (!entry || !entry->is_object()) return Error{Code::kDataLoss, "a stored opd entry is unreadable", {}};
      names[entry->value("code", "")] = entry->value("name", "");
    }
    canonicals.resize(kSummaryFetchRows);
  }
  return names;
}

// The genesis entry's region ("" for an empty ledger).
Result<std::string> GenesisRegion(soci::session& sql) {
  std::string canonical;
  soci::indicator indicator = soci::i_null;
  sql << "SELECT canonical FROM entries WHERE seq = 0", soci::into(canonical, indicator);
  if (!sql.got_data() || indicator != soci::i_ok) return std::string();
  Result<nlohmann::json> entry = ledger::ParseStrict(canonical, ledger::kStoredEntryBytesMax);
  if (!entry || !entry->is_object()) return Error{Code::kDataLoss, "the genesis entry is unreadable", {}};
  return entry->value("region", "");
}

}  // namespace

Result<ledger::AbsorptionInput> Store::AbsorptionInputs(std::int64_t fiscal_year,
                                                        const std::string& as_of,
                                                        const std::optional<std::string>& opd,
                                                        const AbsorptionScope& scope,
                                                        std::uint64_t* tree_size) {
  JEJAK_CHECK(as_of.size() == 10);  // The handler validated YYYY-MM-DD.
  try {
    soci::session& sql = impl_->sql;
    ReadSnapshot snapshot(sql);
    const std::uint64_t size = impl_->Size();
    const std::uint64_t covered = scope.tree_size.value_or(size);
    if (covered > size) {
      return InvalidArgument("bad tree_size", {{"tree_size", "is past the ledger's size " +
                                                                  std::to_string(size)}});
    }
    if (tree_size) *tree_size = covered;
    const SummaryScope bounds{fiscal_year, as_of, opd, static_cast<long long>(covered)};
    ledger::AbsorptionInput input;
    input.fiscal_year = fiscal_year;
    input.as_of = as_of;
    input.budgets = BudgetsInForce(sql, bounds.year, as_of, opd, nullptr, bounds.seq_limit);
    // The aggregates hold the whole ledger: a report on fewer entries reads the entries.
    if (covered == size && !scope.from_entries) {
      ReadRealisationAggregates(sql, bounds, input);
      const std::optional<std::string> band_end = BandEnd(as_of, fiscal_year);
      if (band_end) ReadLineAggregates(sql, bounds, band_end->substr(0, 7), input.line_realisation);
    } else {
      ReadExpenditureLines(sql, bounds, as_of, &input.realisation, &input.line_realisation);
    }
    ReadRefunds(sql, bounds, input.refunds);
    ReadCorrections(sql, bounds, input.corrections);
    Result<std::map<std::string, std::string>> names = OpdNamesBefore(sql, bounds.seq_limit);
    if (!names) return names.error();
    input.opd_names = std::move(names).value();
    return input;
  } catch (const std::exception& e) {
    return StorageError("db.absorption_inputs", e);
  }
}

Result<ledger::AuditInput> Store::AuditInputs(std::int64_t fiscal_year, const std::string& as_of,
                                              std::optional<std::uint64_t> tree_size, bool whole_year,
                                              bool from_entries) {
  try {
    soci::session& sql = impl_->sql;
    ReadSnapshot snapshot(sql);
    // Every read below is bounded by seq < end_seq: a later entry of any kind (a reversal,
    // a budget, an OPD's rename) changes nothing a pinned report shows.
    long long end_seq = kEveryEntry;
    if (tree_size) {
      if (*tree_size > static_cast<std::uint64_t>(kEveryEntry)) {
        return InvalidArgument("bad tree_size", {{"tree_size", "is too large"}});
      }
      end_seq = static_cast<long long>(*tree_size);
    }
    ledger::AuditInput input;
    input.fiscal_year = fiscal_year;
    input.as_of = as_of;
    long long year = fiscal_year;
    int every_date = whole_year ? 1 : 0;
    BudgetsInForce(sql, year, as_of, std::nullopt, &input.budgets, end_seq);
    Result<std::string> region = GenesisRegion(sql);
    if (!region) return region.error();
    input.region = std::move(region).value();
    Result<std::map<std::string, std::string>> names = OpdNamesBefore(sql, end_seq);
    if (!names) return names.error();
    input.opd_names = std::move(names).value();
    ReadRefunds(sql, SummaryScope{year, as_of, std::nullopt, end_seq}, input.refunds);

    // Expenditures with their reversal, in seq order: as of `as_of` (expenditures dated
    // by then; reversals count whenever recorded before end_seq, as in absorption: a
    // reversed payment was a mistake), or the whole year if asked.
    if (from_entries) {
      ReadAuditExpendituresFromEntries(sql, year, as_of, whole_year, end_seq, input.expenditures);
    } else {
      ReadAuditExpenditures(sql, year, as_of, whole_year, end_seq, input.expenditures);
    }
    // Tax deposits (few): their NTPN and billing code are only in the canonical bytes.
    std::vector<std::string> canonicals(kSummaryFetchRows);
    soci::statement deposits =
        (sql.prepare << "SELECT canonical FROM entries WHERE kind = 'tax_deposit'"
                        " AND fiscal_year = :y AND (:w = 1 OR value_date <= :d) AND seq < :n ORDER BY seq",
         soci::into(canonicals), soci::use(year), soci::use(every_date), soci::use(as_of),
         soci::use(end_seq));
    deposits.execute(false);
    while (deposits.fetch()) {
      for (const std::string& canonical : canonicals) {
        Result<nlohmann::json> entry = ledger::ParseStrict(canonical, ledger::kStoredEntryBytesMax);
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
    // The bank rules see the whole year's statements: a statement covers a period, not a
    // day, and whether a debit came due is the rules' to decide from as_of.
    if (Result<void> bank = ReadReconcileInput(sql, year, end_seq, /*payments_without_statements=*/false,
                                               input.bank);
        !bank) {
      return bank.error();
    }
    return input;
  } catch (const std::exception& e) {
    return StorageError("db.audit_inputs", e);
  }
}

Result<std::vector<ledger::StatementPeriod>> Store::StatementsOfAccount(
    const std::string& account_no) {
  try {
    NativeStatement select(impl_->sql, kStatementsOfAccountSql);
    return ReadStatementsOfAccount(select, account_no);
  } catch (const std::exception& e) {
    return StorageError("db.statements_of_account", e);
  }
}

Result<ledger::ReconcileInput> Store::ReconcileInputs(std::int64_t fiscal_year,
                                                      std::optional<std::uint64_t> tree_size) {
  try {
    soci::session& sql = impl_->sql;
    ReadSnapshot snapshot(sql);
    long long end_seq = kEveryEntry;
    if (tree_size) {
      if (*tree_size > static_cast<std::uint64_t>(kEveryEntry)) {
        return InvalidArgument("bad tree_size", {{"tree_size", "is too large"}});
      }
      end_seq = static_cast<long long>(*tree_size);
    }
    ledger::ReconcileInput input;
    if (Result<void> read = ReadReconcileInput(sql, fiscal_year, end_seq,
                                               /*payments_without_statements=*/true, input);
        !read) {
      return read.error();
    }
    return input;
  } catch (const std::exception& e) {
    return StorageError("db.reconcile_inputs", e);
  }
}

Result<std::vector<FiscalYearCounts>> Store::FiscalYears() {
  try {
    soci::session& sql = impl_->sql;
    ReadSnapshot snapshot(sql);
    std::map<long long, FiscalYearCounts, std::greater<>> years;
    auto year_of = [&years](long long year) -> FiscalYearCounts& {
      FiscalYearCounts& counts = years[year];
      counts.fiscal_year = year;
      return counts;
    };
    std::vector<long long> fiscal_years(kSummaryFetchRows), counts(kSummaryFetchRows);
    auto collect = [&](soci::statement& statement, std::int64_t FiscalYearCounts::*field) {
      statement.execute(false);
      while (statement.fetch()) {
        for (std::size_t i = 0; i < fiscal_years.size(); ++i) year_of(fiscal_years[i]).*field = counts[i];
        fiscal_years.resize(kSummaryFetchRows);
        counts.resize(kSummaryFetchRows);
      }
      fiscal_years.resize(kSummaryFetchRows);
      counts.resize(kSummaryFetchRows);
    };
    // Budget entries are few (a line and its revisions); the kind index finds them.
    soci::statement budgets =
        (sql.prepare << "SELECT fiscal_year, COUNT(*) FROM (SELECT DISTINCT fiscal_year, opd,"
                        " sub_activity, account FROM entries WHERE kind = 'budget') AS lines"
                        " GROUP BY fiscal_year",
         soci::into(fiscal_years), soci::into(counts));
    collect(budgets, &FiscalYearCounts::budget_lines);
    // Fully reversed months sum to zero entries: a year of only reversed payments has none.
    soci::statement expenditures =
        (sql.prepare << "SELECT fiscal_year, CAST(SUM(entries) AS BIGINT) FROM realisation_monthly"
                        " GROUP BY fiscal_year HAVING SUM(entries) > 0",
         soci::into(fiscal_years), soci::into(counts));
    collect(expenditures, &FiscalYearCounts::expenditures);
    std::vector<FiscalYearCounts> result;
    result.reserve(years.size());
    for (const auto& [year, counts_of_year] : years) result.push_back(counts_of_year);
    return result;
  } catch (const std::exception& e) {
    return StorageError("db.fiscal_years", e);
  }
}

}  // namespace jejak::db
