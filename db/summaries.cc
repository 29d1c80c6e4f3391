// The inputs of the summaries: what absorption (ledger/absorption.h) and the audit rules
// (ledger/audit.h) need for a fiscal year as of a date, read in one snapshot from the
// entries and the realisation aggregates.
#include "db/store.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <tuple>
#include <utility>

#include "db/sql_util.h"
#include "db/store_impl.h"
#include "ledger/canonical.h"
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
      Result<nlohmann::json> entry = ledger::ParseStrict(canonical);
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
  Result<nlohmann::json> entry = ledger::ParseStrict(canonical);
  if (!entry || !entry->is_object()) return Error{Code::kDataLoss, "the genesis entry is unreadable", {}};
  return entry->value("region", "");
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
    return StorageError("db.absorption_inputs", e);
  }
}

Result<ledger::AuditInput> Store::AuditInputs(std::int64_t fiscal_year, const std::string& as_of,
                                              std::optional<std::uint64_t> tree_size, bool whole_year) {
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

    // Expenditures with their reversal, in seq order, a page at a time.
    // Ten columns, then five facts no column holds, read from the canonical JSON with
    // SQLite's json_extract (payee.name, payee.pkp as "1"/"0", procurement.method, .type
    // and .contract_no).
    constexpr std::size_t kTexts = 15;
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
    // whenever recorded before end_seq, as in absorption: a reversed payment was a
    // mistake). The whole year if asked.
    statement.exchange(soci::use(year));
    statement.exchange(soci::use(every_date));
    statement.exchange(soci::use(as_of));
    statement.exchange(soci::use(end_seq));
    statement.alloc();
    statement.prepare(
        "SELECT e.seq, e.opd, e.sub_activity, e.account, e.instrument, e.value_date,"
        " e.recorded_at, e.payee_npwp, e.payee_account, e.evidence_no, e.evidence_date,"
        " json_extract(e.canonical, '$.payee.name'),"
        " CAST(json_extract(e.canonical, '$.payee.pkp') AS TEXT),"
        " json_extract(e.canonical, '$.procurement.method'),"
        " json_extract(e.canonical, '$.procurement.type'),"
        " json_extract(e.canonical, '$.procurement.contract_no'),"
        " e.amount_sen, r.seq, e.tax_detail FROM entries e LEFT JOIN entries r ON r.reverses = e.seq"
        " WHERE e.kind = 'expenditure' AND e.fiscal_year = :y AND (:w = 1 OR e.value_date <= :d)"
        " AND e.seq < :n"
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
        facts.payee_name = at(10);
        if (text_null[11][i] == soci::i_ok) facts.payee_pkp = text[11][i] == "1";
        facts.procurement_method = at(12);
        facts.procurement_type = at(13);
        facts.contract_no = at(14);
        facts.gross_sen = amounts[i];
        // A reversal recorded after the pinned size has not happened yet.
        if (reversal_null[i] == soci::i_ok && reversals[i] < end_seq) facts.reversed_by = reversals[i];
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
                        " AND fiscal_year = :y AND (:w = 1 OR value_date <= :d) AND seq < :n ORDER BY seq",
         soci::into(canonicals), soci::use(year), soci::use(every_date), soci::use(as_of),
         soci::use(end_seq));
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
    return StorageError("db.audit_inputs", e);
  }
}

}  // namespace jejak::db
