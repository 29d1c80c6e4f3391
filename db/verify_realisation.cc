// ExpectedRealisation (db/verify_realisation.h): the realisation aggregates implied by the
// entries, interned, and their comparison with the stored tables row by row.
#include "db/verify_realisation.h"

#include <array>
#include <optional>
#include <string>
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

std::uint32_t ExpectedRealisation::Intern(Slot slot, const std::string& text) {
  // Entries in a row mostly repeat their OPD, account and date: the last string of each
  // slot is compared before the table is searched.
  auto& [last_text, last_id] = recent_[static_cast<std::size_t>(slot)];
  if (last_id && last_text == text) return *last_id;
  const std::uint32_t id = Intern(text);
  last_text = text;
  last_id = id;
  return id;
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
  const std::uint32_t opd = Intern(Slot::kOpd, delta.opd);
  const std::uint32_t group = Intern(Slot::kAccountGroup, delta.account_group);
  const std::uint32_t instrument = Intern(Slot::kInstrument, delta.instrument);
  const std::uint32_t month = Intern(Slot::kMonth, delta.month);
  const std::uint32_t sub_activity = Intern(Slot::kSubActivity, delta.sub_activity);
  const std::uint32_t account = Intern(Slot::kAccount, delta.account);
  const std::uint32_t day = Intern(Slot::kValueDate, delta.value_date);
  add(monthly_[Key{delta.fiscal_year, {opd, group, instrument, month}}]);
  add(lines_[Key{delta.fiscal_year, {opd, sub_activity, account, month}}]);
  add(daily_[Key{delta.fiscal_year, {day, opd, group, instrument}}]);
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
  // Rows come in key order, so neighbours mostly share their strings: each column's last
  // string and id are compared before the table is searched.
  std::array<std::pair<std::string, std::optional<std::uint32_t>>, 4> last;
  bool have_last = false;
  auto find = [this, &last, &have_last](std::size_t column, const std::string& text) {
    auto& [last_text, last_id] = last[column];
    if (!have_last || last_text != text) {
      last_text = text;
      last_id = Find(text);
    }
    return last_id;
  };
  while (statement.fetch()) {
    for (std::size_t i = 0; i < years.size(); ++i) {
      // A row naming a string no entry implied has no expected sums.
      std::optional<Table::iterator> found;
      const std::optional<std::uint32_t> ids[] = {find(0, a[i]), find(1, b[i]), find(2, c[i]),
                                                  find(3, d[i])};
      have_last = true;
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
