// The search over entries behind GET /v1/entries (Store::ListEntries): the SQL expressions
// that the search indexes of schema migration 6 are built on, and the bounds of a prefix
// search. Internal to db/: the migration and the query use the same text, so that each
// backend's planner matches the query to its index.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "db/store.h"

namespace soci {
class session;
class statement;
}  // namespace soci

namespace jejak::db {

// Values of an expenditure that no column holds, read from its canonical bytes by the
// database itself (an expression index): the three document numbers besides
// documents.evidence_no, and the payee's name folded to lower case on ASCII only.
enum class SearchExpression { kSpp, kSpm, kSp2d, kPayeeName };

// The SQL text of `expression` on SQLite (`sqlite`) or PostgreSQL, over the column
// `canonical` of table entries. NULL where the entry lacks the value. The same text is
// indexed (migration 6) and queried: never change one without the other.
std::string SearchSql(SearchExpression expression, bool sqlite);

// PostgreSQL: the statement creating jejak_json_text(document, VARIADIC path), which
// SearchSql uses: the text at `path` in `document`, NULL if absent or not JSON.
std::string PostgresJsonTextFunction();

// `text` folded to lower case on ASCII letters only (SQLite's lower() and PostgreSQL's
// lower() under COLLATE "C" do the same); other bytes unchanged.
std::string AsciiLower(std::string_view text);

// The least string greater than every string that starts with `prefix`, in bytewise
// (= code point) order, so that `value >= prefix AND value < PrefixEnd(prefix)` is a range
// an index answers. `prefix` must be valid UTF-8 and hold a code point below U+10FFFF;
// the result is valid UTF-8 (so PostgreSQL accepts it). Empty if no such string exists
// (every code point of `prefix` is U+10FFFF): then the search has no upper bound.
std::string PrefixEnd(std::string_view prefix);

// The values a search binds, kept alive for the statement that binds them.
struct EntrySearchValues {
  std::string opd, kind, account_low, account_high, from, to, bank_ref, evidence_no, payee_npwp,
      payee_low, payee_high, instrument;
  long long fiscal_year = 0, amount_min = 0, amount_max = 0, cursor = 0;
};

// A range search (payee prefix, gross range) that matches more expenditures past the
// cursor than this is broad: scanning in seq order finds a page sooner than sorting all
// its matches. (At a million entries a page of 100 among 20,000 matches spread over the
// ledger is about 5,000 rows of either way.)
inline constexpr std::size_t kDrivenRowsMax = 20000;

// True if `filter`'s most selective search filter is a range matching more than
// kDrivenRowsMax expenditures past its cursor, counted in its index (at most that many
// index entries read). Only on SQLite, whose planner has no statistics to tell; false on
// PostgreSQL, whose planner has them.
Result<bool> IsBroadSearch(soci::session& sql, const EntryFilter& filter);

// Binds the values of `filter`'s query to `statement` (kept in `values`, which must outlive
// it) and returns the query's text: SELECT seq, canonical, leaf_hash, chain_hash, at most
// filter.limit + 1 rows. The caller adds its into() exchanges before this. With `scan`
// (IsBroadSearch), no index drives it: the table is read in seq order.
std::string BindEntrySearch(soci::statement& statement, const EntryFilter& filter, bool sqlite,
                            EntrySearchValues& values, bool scan);

// The database's plan of `filter`'s query, one line per row of SQLite's EXPLAIN QUERY PLAN
// (its detail column) or PostgreSQL's EXPLAIN. For tests asserting the indexes are used.
Result<std::vector<std::string>> ExplainEntrySearch(soci::session& sql, const EntryFilter& filter);

}  // namespace jejak::db
