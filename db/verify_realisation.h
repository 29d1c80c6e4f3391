// The realisation aggregates a whole-ledger verification expects from the entries, and
// their comparison with the stored tables (realisation_monthly, realisation_daily,
// realisation_lines). Keys are kept as interned ids, so memory grows with the distinct
// (day, OPD, account, instrument) combinations at a few dozen bytes each, never with the
// entries. Internal to db/.
#pragma once

#include <soci/soci.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "db/store_impl.h"

namespace jejak::db {

class ExpectedRealisation {
 public:
  // Adds one expenditure's or reversal's change (RealisationDelta::Set) to every table.
  void Add(const RealisationDelta& delta);

  // Compares the three stored tables with what was added, in the order monthly, daily,
  // lines. The first disagreement in words (the row as stored, or the sums of a row the
  // stored table lacks), or nullopt if they agree. Consumes what was added.
  std::optional<std::string> Compare(soci::session& sql);

 private:
  // A table's key: the fiscal year and four interned strings in the table's key order.
  struct Key {
    long long year = 0;
    std::array<std::uint32_t, 4> parts{};
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const noexcept;
  };
  // Amount in sen and number of entries.
  using Sums = std::pair<long long, long long>;
  using Table = std::unordered_map<Key, Sums, KeyHash>;

  // The strings of a RealisationDelta, each with its last interned value remembered.
  enum class Slot { kOpd, kAccountGroup, kInstrument, kMonth, kSubActivity, kAccount, kValueDate };
  static constexpr std::size_t kSlots = 7;

  std::uint32_t Intern(Slot slot, const std::string& text);
  std::uint32_t Intern(const std::string& text);
  std::optional<std::uint32_t> Find(const std::string& text) const;
  std::optional<std::string> CompareTable(soci::session& sql, const char* table,
                                          const char* key_columns, Table& expected) const;

  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::string> names_;  // By id.
  std::array<std::pair<std::string, std::optional<std::uint32_t>>, kSlots> recent_;
  Table monthly_, daily_, lines_;
};

}  // namespace jejak::db
