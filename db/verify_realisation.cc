// ExpectedRealisation (db/verify_realisation.h): the realisation aggregates implied by the
// entries, interned, and their comparison with the stored tables row by row.
#include "db/verify_realisation.h"

#include <tuple>

#include "db/sql_util.h"
#include "ledger/money.h"

namespace jejak::db {

std::size_t ExpectedRealisation::KeyHash::operator()(const Key& key) const noexcept {
  // Each part mixed in by a multiplication and a shift (the golden-ratio constant of
  // Fibonacci hashing): small ids and years spread over all the bits.
  auto hash = static_cast<std::uint64_t>(key.year);
  for (std::uint32_t part : key.parts) {
    hash = (hash ^ part) * 0x9E3779B97F4A7C15ULL;
    hash ^= hash >> 29;
  }
  return static_cast<std::size_t>(hash);
}

std::uint32_t ExpectedRealisation::Intern(const std::string& text) {
  const auto [it, added] = ids_.try_emplace(text, static_cast<std::uint32_t>(names_.size()));
  if (added) names_.push_back(text);
  return it->second;
}

std::optional<std::uint32_t> ExpectedRealisation::Find(const std::string& text) const {
  const auto it = ids_.find(text);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

void ExpectedRealisation::Add(const RealisationDelta& delta) {
  auto add = [&delta](Sums& sums) {
    sums.first += delta.amount_sen;
    sums.second += delta.entries;
  };
  const std::uint32_t opd = Intern(delta.opd);
  const std::uint32_t group = Intern(delta.account_group);
  const std::uint32_t instrument = Intern(delta.instrument);
  const std::uint32_t month = Intern(delta.month);
  add(monthly_[Key{delta.fiscal_year, {opd, group, instrument, month}}]);
  add(lines_[Key{delta.fiscal_year,
                 {opd, Intern(delta.sub_activity), Intern(delta.account), month}}]);
  add(daily_[Key{delta.fiscal_year, {Intern(delta.value_date), opd, group, instrument}}]);
}

std::optional<std::string> ExpectedRealisation::Compare(soci::session& sql) {
  if (auto problem = CompareTable(sql, "realisation_monthly",
                                  "fiscal_year, opd, account_group, instrument, month", monthly_)) {
    return problem;
  }
  if (auto problem = CompareTable(sql, "realisation_daily",
                                  "fiscal_year, value_date, opd, account_group, instrument",
                                  daily_)) {
    return problem;
  }
  return CompareTable(sql, "realisation_lines", "fiscal_year, opd, sub_activity, account, month",
                      lines_);
}

// `key_columns` names the table's five key columns in the order of its Key (the first is
// the fiscal year).
std::optional<std::string> ExpectedRealisation::CompareTable(soci::session& sql, const char* table,
                                                             const char* key_columns,
                                                             Table& expected) const {
  std::vector<long long> years(kStreamPageRows), amounts(kStreamPageRows), counts(kStreamPageRows);
  std::vector<std::string> a(kStreamPageRows), b(kStreamPageRows), c(kStreamPageRows),
      d(kStreamPageRows);
  soci::statement statement =
      (sql.prepare << "SELECT " << key_columns << ", amount_sen, entries FROM " << table,
       soci::into(years), soci::into(a), soci::into(b), soci::into(c), soci::into(d),
       soci::into(amounts), soci::into(counts));
  statement.execute(false);
  while (statement.fetch()) {
    for (std::size_t i = 0; i < years.size(); ++i) {
      // A row naming a string no entry implied has no expected sums.
      std::optional<Table::iterator> found;
      const std::optional<std::uint32_t> ids[] = {Find(a[i]), Find(b[i]), Find(c[i]), Find(d[i])};
      if (ids[0] && ids[1] && ids[2] && ids[3]) {
        const auto it = expected.find(Key{years[i], {*ids[0], *ids[1], *ids[2], *ids[3]}});
        if (it != expected.end()) found = it;
      }
      const Sums want = found ? (*found)->second : Sums{0, 0};
      if (want.first != amounts[i] || want.second != counts[i]) {
        return std::string(table) + " row (" + std::to_string(years[i]) + ", " + a[i] + ", " +
               b[i] + ", " + c[i] + ", " + d[i] + ") says " + ledger::FormatMoney(amounts[i]) +
               " in " + std::to_string(counts[i]) + " entries; the entries say " +
               ledger::FormatMoney(want.first) + " in " + std::to_string(want.second);
      }
      // Compared: a second row with this key would expect nothing, like a row never
      // implied (zeroed rather than erased, which would free nodes one by one).
      if (found) (*found)->second = Sums{0, 0};
    }
    for (auto* column : {&a, &b, &c, &d}) column->resize(kStreamPageRows);
    years.resize(kStreamPageRows);
    amounts.resize(kStreamPageRows);
    counts.resize(kStreamPageRows);
  }
  // The first row the table lacks, in key order (year, then the key strings).
  auto ordered = [this](const Key& key) {
    return std::tie(key.year, names_[key.parts[0]], names_[key.parts[1]], names_[key.parts[2]],
                    names_[key.parts[3]]);
  };
  const Table::value_type* first_missing = nullptr;
  for (const Table::value_type& row : expected) {
    if (row.second.first == 0 && row.second.second == 0) continue;
    if (first_missing == nullptr || ordered(row.first) < ordered(first_missing->first)) {
      first_missing = &row;
    }
  }
  if (first_missing != nullptr) {
    return std::string(table) + " lacks a row the entries imply (" +
           ledger::FormatMoney(first_missing->second.first) + " in " +
           std::to_string(first_missing->second.second) + " entries)";
  }
  return std::nullopt;
}

}  // namespace jejak::db
