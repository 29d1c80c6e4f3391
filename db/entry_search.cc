// GET /v1/entries: a page of entries by OPD, year, kind, account prefix, value dates and
// the search filters (bank reference, document number, payee NPWP or name, gross range,
// instrument), in either seq order. Each search filter has an index of its own (schema
// migration 6); the most selective one present drives the query through a subquery of
// seqs, so that neither planner walks a broader index (an OPD's, a year's) instead.
#include "db/entry_search.h"

#include <soci/soci.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "base/check.h"
#include "db/sql_util.h"
#include "db/store.h"
#include "db/store_impl.h"
#include "ledger/limits.h"

namespace jejak::db {

std::string SearchSql(SearchExpression expression, bool sqlite) {
  // NULL, not an error, for bytes that are not JSON (json_extract would fail the statement):
  // an index must not make a damaged row unwritable or unreadable; verification names it.
  const std::string kSqliteDocument = "CASE WHEN json_valid(canonical) THEN canonical END";
  const char* member = "";
  switch (expression) {
    case SearchExpression::kSpp: member = "spp"; break;
    case SearchExpression::kSpm: member = "spm"; break;
    case SearchExpression::kSp2d: member = "sp2d"; break;
    case SearchExpression::kPayeeName:
      // lower() folds ASCII only on SQLite (no ICU) and under COLLATE "C" on PostgreSQL.
      return sqlite ? "lower(json_extract(" + kSqliteDocument + ", '$.payee.name'))"
                    : "lower(jejak_json_text(canonical, 'payee', 'name') COLLATE \"C\")";
  }
  return sqlite ? "json_extract(" + kSqliteDocument + ", '$.documents." + member + "')"
                : std::string("jejak_json_text(canonical, 'documents', '") + member + "')";
}

std::string PostgresJsonTextFunction() {
  // NULL, not an error, for bytes that are not JSON: an index must not make a damaged row
  // unwritable or unreadable (verification names it instead).
  return "CREATE OR REPLACE FUNCTION jejak_json_text(document text, VARIADIC path text[])"
         " RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$"
         " BEGIN RETURN document::jsonb #>> path;"
         " EXCEPTION WHEN others THEN RETURN NULL; END $$";
}

std::string AsciiLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

namespace {

// The code points of valid UTF-8 `text` (the caller checked it).
std::vector<char32_t> CodePoints(std::string_view text) {
  std::vector<char32_t> points;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    JEJAK_CHECK(i + length <= text.size());
    char32_t point = length == 1 ? lead : length == 2 ? (lead & 0x1F) : length == 3 ? (lead & 0x0F) : (lead & 0x07);
    for (std::size_t k = 1; k < length; ++k) {
      point = (point << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    points.push_back(point);
    i += length;
  }
  return points;
}

void AppendUtf8(char32_t point, std::string& out) {
  if (point < 0x80) {
    out += static_cast<char>(point);
  } else if (point < 0x800) {
    out += static_cast<char>(0xC0 | (point >> 6));
    out += static_cast<char>(0x80 | (point & 0x3F));
  } else if (point < 0x10000) {
    out += static_cast<char>(0xE0 | (point >> 12));
    out += static_cast<char>(0x80 | ((point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (point >> 18));
    out += static_cast<char>(0x80 | ((point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (point & 0x3F));
  }
}

}  // namespace

std::string PrefixEnd(std::string_view prefix) {
  std::vector<char32_t> points = CodePoints(prefix);
  // UTF-8's byte order is code point order: the successor of the last code point that has
  // one, with everything after it dropped, bounds every extension of the prefix.
  while (!points.empty() && points.back() >= 0x10FFFF) points.pop_back();
  if (points.empty()) return "";
  char32_t& last = points.back();
  last = last + 1 == 0xD800 ? 0xE000 : last + 1;  // Surrogates are not characters.
  std::string end;
  for (char32_t point : points) AppendUtf8(point, end);
  return end;
}

namespace {

// Which filter drives the query: the most selective one present.
enum class Driver { kNone, kBankRef, kEvidenceNo, kPayeeNpwp, kPayee, kAmount };

Driver DriverOf(const EntryFilter& filter) {
  if (filter.bank_ref) return Driver::kBankRef;
  if (filter.evidence_no) return Driver::kEvidenceNo;
  if (filter.payee_npwp) return Driver::kPayeeNpwp;
  if (filter.payee) return Driver::kPayee;
  if (filter.amount_min_sen || filter.amount_max_sen) return Driver::kAmount;
  return Driver::kNone;
}

// Builds the query text and binds its values, each bind under a name of its own.
class QueryBuilder {
 public:
  QueryBuilder(soci::statement& statement, bool sqlite, const char* cursor_op)
      : statement_(statement), sqlite_(sqlite), cursor_op_(cursor_op) {}

  // ":nN", bound to `value` (which must outlive the statement).
  template <typename T>
  std::string Bind(T& value) {
    const std::string name = "n" + std::to_string(next_++);
    statement_.exchange(soci::use(value, name));
    return ":" + name;
  }

  std::string Cursor(EntrySearchValues& bound) { return std::string("seq ") + cursor_op_ + " " + Bind(bound.cursor); }

  // The conditions of filter `driver` alone (Driver::kEvidenceNo: one of its four).
  std::string EvidenceTerm(int which, EntrySearchValues& bound) {
    static constexpr SearchExpression kDocuments[] = {SearchExpression::kSpp, SearchExpression::kSpm,
                                                      SearchExpression::kSp2d};
    const std::string column = which == 0 ? "evidence_no" : SearchSql(kDocuments[which - 1], sqlite_);
    return column + " = " + Bind(bound.evidence_no);
  }
  std::string PayeeTerm(EntrySearchValues& bound) {
    const std::string key = SearchSql(SearchExpression::kPayeeName, sqlite_);
    std::string term = key + " >= " + Bind(bound.payee_low);
    if (!bound.payee_high.empty()) term += " AND " + key + " < " + Bind(bound.payee_high);
    return term;
  }
  std::string AmountTerm(const EntryFilter& filter, EntrySearchValues& bound) {
    std::string term;
    if (filter.amount_min_sen) term += "amount_sen >= " + Bind(bound.amount_min);
    if (filter.amount_max_sen) term += (term.empty() ? "" : " AND ") + ("amount_sen <= " + Bind(bound.amount_max));
    return term;
  }

  // "SELECT seq FROM entries" reading index `index` (migration 6) for expenditures. SQLite
  // keeps no statistics here, so it would take the (kind, seq) index for the cursor
  // instead: it is told which index to read (INDEXED BY, an error if that index cannot
  // answer). PostgreSQL's planner has statistics and chooses by itself.
  std::string SelectFrom(const char* index) const {
    return std::string("SELECT seq FROM entries") + (sqlite_ && index != nullptr ? " INDEXED BY " : "") +
           (sqlite_ && index != nullptr ? index : "") + " WHERE kind = 'expenditure' AND ";
  }

  // The seqs past the cursor that the driving filter's index yields: a SELECT of seq.
  std::string DriverSelect(Driver driver, const EntryFilter& filter, EntrySearchValues& bound) {
    static constexpr const char* kEvidenceIndexes[] = {"entries_evidence_no", "entries_spp", "entries_spm",
                                                       "entries_sp2d"};
    std::string sub;
    switch (driver) {
      case Driver::kNone: JEJAK_CHECK(false); break;
      // UNIQUE: every planner takes its index.
      case Driver::kBankRef: sub = SelectFrom(nullptr) + "bank_ref = " + Bind(bound.bank_ref); break;
      case Driver::kEvidenceNo:
        for (int which = 0; which < 4; ++which) {
          if (which > 0) sub += " UNION ALL ";
          sub += SelectFrom(kEvidenceIndexes[which]) + EvidenceTerm(which, bound) + " AND " + Cursor(bound);
        }
        return sub;
      case Driver::kPayeeNpwp:
        sub = SelectFrom("entries_payee_npwp") + "payee_npwp = " + Bind(bound.payee_npwp);
        break;
      case Driver::kPayee: sub = SelectFrom("entries_payee_name") + PayeeTerm(bound); break;
      case Driver::kAmount: sub = SelectFrom("entries_gross") + AmountTerm(filter, bound); break;
    }
    return sub + " AND " + Cursor(bound);
  }

 private:
  soci::statement& statement_;
  bool sqlite_;
  const char* cursor_op_;
  int next_ = 0;
};

}  // namespace

namespace {

// Fills `bound` with what `filter`'s query binds.
void SetValues(const EntryFilter& filter, EntrySearchValues& bound) {
  bound.opd = filter.opd.value_or("");
  bound.fiscal_year = filter.fiscal_year.value_or(0);
  bound.kind = filter.kind.value_or("");
  // Codes hold digits and dots only, and '.' < '/' < '0': [X, X + "/") is X and X.*.
  bound.account_low = filter.account.value_or("");
  bound.account_high = bound.account_low + "/";
  bound.from = filter.from.value_or("");
  bound.to = filter.to.value_or("");
  bound.bank_ref = filter.bank_ref.value_or("");
  bound.evidence_no = filter.evidence_no.value_or("");
  bound.payee_npwp = filter.payee_npwp.value_or("");
  bound.payee_low = AsciiLower(filter.payee.value_or(""));
  if (filter.payee) bound.payee_high = PrefixEnd(bound.payee_low);
  bound.instrument = filter.instrument.value_or("");
  bound.amount_min = filter.amount_min_sen.value_or(0);
  bound.amount_max = filter.amount_max_sen.value_or(0);
  bound.cursor = filter.descending ? filter.before_seq : filter.after_seq;
}

}  // namespace

std::string BindEntrySearch(soci::statement& statement, const EntryFilter& filter, bool sqlite,
                            EntrySearchValues& bound, bool scan) {
  JEJAK_CHECK(filter.limit >= 1);
  JEJAK_CHECK(filter.limit <= ledger::kPageEntriesMax);  // The handler clamps it.
  JEJAK_CHECK(!filter.payee || !filter.payee->empty());
  SetValues(filter, bound);
  const Driver driver = scan ? Driver::kNone : DriverOf(filter);
  const bool search = DriverOf(filter) != Driver::kNone || filter.instrument;

  QueryBuilder query(statement, sqlite, filter.descending ? "<" : ">");
  // A broad range scans the table in seq order (only the rowid, on SQLite: its planner
  // would otherwise take an index by guess) and stops at the page's end.
  std::string text = std::string("SELECT seq, canonical, leaf_hash, chain_hash FROM entries") +
                     (scan && sqlite ? " NOT INDEXED" : "") + " WHERE " + query.Cursor(bound);
  const auto where = [&text](const std::string& condition) { text += " AND " + condition; };
  if (driver != Driver::kNone) where("seq IN (" + query.DriverSelect(driver, filter, bound) + ")");
  if (search) where("kind = 'expenditure'");
  if (filter.opd && search) {
    where("opd = " + query.Bind(bound.opd));  // The search filters match expenditures only.
  } else if (filter.opd) {
    where("(opd = " + query.Bind(bound.opd) + " OR (kind = 'reversal' AND reverses IN" +
          " (SELECT seq FROM entries WHERE opd = " + query.Bind(bound.opd) + "))" +
          " OR (kind = 'refund' AND refunds IN (SELECT seq FROM entries WHERE opd = " +
          query.Bind(bound.opd) + ")))");
  }
  if (filter.fiscal_year) where("fiscal_year = " + query.Bind(bound.fiscal_year));
  if (filter.kind) where("kind = " + query.Bind(bound.kind));
  if (filter.account) {
    where("account >= " + query.Bind(bound.account_low) + " AND account < " + query.Bind(bound.account_high));
  }
  if (filter.from) where("value_date >= " + query.Bind(bound.from));
  if (filter.to) where("value_date <= " + query.Bind(bound.to));
  if (filter.instrument) where("instrument = " + query.Bind(bound.instrument));
  // The driver's own filter is implied by its subquery; the others filter its rows.
  if (filter.bank_ref && driver != Driver::kBankRef) where("bank_ref = " + query.Bind(bound.bank_ref));
  if (filter.evidence_no && driver != Driver::kEvidenceNo) {
    std::string any;
    for (int which = 0; which < 4; ++which) any += (which > 0 ? " OR " : "") + query.EvidenceTerm(which, bound);
    where("(" + any + ")");
  }
  if (filter.payee_npwp && driver != Driver::kPayeeNpwp) where("payee_npwp = " + query.Bind(bound.payee_npwp));
  if (filter.payee && driver != Driver::kPayee) where(query.PayeeTerm(bound));
  if ((filter.amount_min_sen || filter.amount_max_sen) && driver != Driver::kAmount) {
    where(query.AmountTerm(filter, bound));
  }
  text += filter.descending ? " ORDER BY seq DESC" : " ORDER BY seq";
  text += " LIMIT " + std::to_string(filter.limit + 1);  // One more: is there a next page?
  return text;
}

Result<std::vector<std::string>> ExplainEntrySearch(soci::session& sql, const EntryFilter& filter) {
  try {
    const bool sqlite = sql.get_backend_name() == "sqlite3";
    EntrySearchValues values;
    soci::statement statement(sql);
    std::vector<std::string> lines;
    // SQLite's EXPLAIN QUERY PLAN answers (id, parent, notused, detail); PostgreSQL's EXPLAIN one text column.
    std::vector<int> ids(256), parents(256), unused(256);
    std::vector<std::string> details(256);
    if (sqlite) {
      statement.exchange(soci::into(ids));
      statement.exchange(soci::into(parents));
      statement.exchange(soci::into(unused));
    }
    statement.exchange(soci::into(details));
    Result<bool> broad = IsBroadSearch(sql, filter);
    if (!broad) return broad.error();
    const std::string text = BindEntrySearch(statement, filter, sqlite, values, *broad);
    statement.alloc();
    statement.prepare((sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + text);
    statement.define_and_bind();
    statement.execute(true);
    return details;
  } catch (const std::exception& e) {
    return StorageError("db.explain_entries", e);
  }
}

Result<bool> IsBroadSearch(soci::session& sql, const EntryFilter& filter) {
  const Driver driver = DriverOf(filter);
  if (sql.get_backend_name() != "sqlite3" || (driver != Driver::kPayee && driver != Driver::kAmount)) {
    return false;
  }
  try {
    EntrySearchValues values;
    SetValues(filter, values);
    long long count = 0;
    soci::statement statement(sql);
    statement.exchange(soci::into(count));
    QueryBuilder query(statement, true, filter.descending ? "<" : ">");
    const std::string text = "SELECT COUNT(*) FROM (" + query.DriverSelect(driver, filter, values) +
                             " LIMIT " + std::to_string(kDrivenRowsMax + 1) + ")";
    statement.alloc();
    statement.prepare(text);
    statement.define_and_bind();
    statement.execute(true);
    return count > static_cast<long long>(kDrivenRowsMax);
  } catch (const std::exception& e) {
    return StorageError("db.search_breadth", e);
  }
}

Result<EntryPage> Store::ListEntries(const EntryFilter& filter) {
  try {
    soci::session& sql = impl_->sql;
    Result<bool> broad = IsBroadSearch(sql, filter);
    if (!broad) return broad.error();
    EntrySearchValues values;
    const std::size_t fetch = filter.limit + 1;
    std::vector<long long> seqs(fetch);
    std::vector<std::string> canonicals(fetch), leaf_hashes(fetch), chain_hashes(fetch);
    soci::statement statement(sql);
    statement.exchange(soci::into(seqs));
    statement.exchange(soci::into(canonicals));
    statement.exchange(soci::into(leaf_hashes));
    statement.exchange(soci::into(chain_hashes));
    const std::string text =
        BindEntrySearch(statement, filter, sql.get_backend_name() == "sqlite3", values, *broad);
    statement.alloc();
    statement.prepare(text);
    statement.define_and_bind();
    statement.execute(true);

    EntryPage page;
    const std::size_t count = std::min(seqs.size(), filter.limit);
    page.entries.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      Result<ledger::Digest> leaf = StoredDigest(leaf_hashes[i], seqs[i], "leaf_hash");
      if (!leaf) return leaf.error();
      Result<ledger::Digest> chain = StoredDigest(chain_hashes[i], seqs[i], "chain_hash");
      if (!chain) return chain.error();
      page.entries.push_back(StoredEntry{seqs[i], std::move(canonicals[i]), *leaf, *chain});
    }
    if (seqs.size() > filter.limit) page.next_after_seq = page.entries.back().seq;
    return page;
  } catch (const std::exception& e) {
    return StorageError("db.list_entries", e);
  }
}

}  // namespace jejak::db
