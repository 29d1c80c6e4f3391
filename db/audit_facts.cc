// The audit facts table (db/audit_facts.h): its row, the append's writer, the migration's
// fill, the verification and the findings' read; and the read of the same inputs from the
// entries themselves (json_extract on SQLite, jsonb on PostgreSQL), which reports can ask
// for to check the table against.
#include "db/audit_facts.h"

#include <soci/soci.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>
#include <system_error>
#include <cstddef>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/check.h"

namespace jejak::db {
namespace {

// Rows read per fetch.
constexpr std::size_t kFetchRows = 2048;

// The table's columns, in AuditFactsRow's order.
constexpr const char* kFactsColumns =
    "fiscal_year, seq, opd, sub_activity, account, instrument, value_date, recorded_at,"
    " payee_npwp, payee_account, evidence_no, evidence_date, amount_sen, tax_detail, payee_name,"
    " payee_pkp, procurement_method, procurement_type, contract_no";

// The entries' columns a row is made from, in EntryColumns's terms.
constexpr const char* kEntrySourceColumns =
    "e.seq, e.canonical, e.fiscal_year, e.opd, e.sub_activity, e.account, e.instrument,"
    " e.value_date, e.recorded_at, e.payee_npwp, e.payee_account, e.evidence_no,"
    " e.evidence_date, e.amount_sen, e.tax_detail";
constexpr std::size_t kEntrySourceCount = 15;

// Bulk-fetched text columns with their indicators; NULL reads as "".
struct TextColumns {
  std::vector<std::vector<std::string>> values;
  std::vector<std::vector<soci::indicator>> nulls;
  explicit TextColumns(std::size_t count)
      : values(count, std::vector<std::string>(kFetchRows)),
        nulls(count, std::vector<soci::indicator>(kFetchRows)) {}
  void Exchange(soci::statement& statement) {
    for (std::size_t c = 0; c < values.size(); ++c) {
      statement.exchange(soci::into(values[c], nulls[c]));
    }
  }
  const std::string& At(std::size_t column, std::size_t row) const {
    static const std::string kEmpty;
    return nulls[column][row] == soci::i_ok ? values[column][row] : kEmpty;
  }
  bool IsNull(std::size_t column, std::size_t row) const { return nulls[column][row] != soci::i_ok; }
  std::size_t Rows() const { return values.front().size(); }
  // A fetch that ends the rows shrinks the vectors: size them again before the next one.
  void Resize() {
    for (auto& column : values) column.resize(kFetchRows);
    for (auto& column : nulls) column.resize(kFetchRows);
  }
};

// The columns a row needs of an expenditure, from the entry's stored columns
// (kEntrySourceColumns from index 2 on, as text).
ledger::EntryColumns StoredExpenditure(const TextColumns& e, std::size_t row) {
  ledger::EntryColumns columns;
  columns.kind = "expenditure";
  columns.seq = std::stoll(e.At(0, row));
  if (!e.IsNull(2, row)) columns.fiscal_year = std::stoll(e.At(2, row));
  columns.opd = e.At(3, row);
  columns.sub_activity = e.At(4, row);
  columns.account = e.At(5, row);
  columns.instrument = e.At(6, row);
  columns.value_date = e.At(7, row);
  columns.recorded_at = e.At(8, row);
  columns.payee_npwp = e.At(9, row);
  columns.payee_account = e.At(10, row);
  columns.evidence_no = e.At(11, row);
  columns.evidence_date = e.At(12, row);
  if (!e.IsNull(13, row)) columns.amount_sen = std::stoll(e.At(13, row));
  columns.tax_detail = e.At(14, row);
  return columns;
}

constexpr std::array<const char*, kAuditFactsColumns> kFactsColumnNames = {
    "fiscal_year", "seq", "opd", "sub_activity", "account", "instrument", "value_date",
    "recorded_at", "payee_npwp", "payee_account", "evidence_no", "evidence_date", "amount_sen",
    "tax_detail", "payee_name", "payee_pkp", "procurement_method", "procurement_type",
    "contract_no"};

}  // namespace

void AuditFactsRow::Set(const ledger::EntryColumns& columns, const ledger::ExpenditureTexts& texts) {
  fiscal_year = columns.fiscal_year.value_or(0);
  seq = columns.seq;
  opd = columns.opd;
  sub_activity = columns.sub_activity;
  account = columns.account;
  instrument = columns.instrument;
  value_date = columns.value_date;
  recorded_at = columns.recorded_at;
  payee_npwp = columns.payee_npwp;
  payee_account = columns.payee_account;
  evidence_no = columns.evidence_no;
  evidence_date = columns.evidence_date;
  amount_sen = columns.amount_sen.value_or(0);
  tax_detail = columns.tax_detail;
  payee_name = texts.payee_name;
  payee_pkp.Set(texts.payee_pkp ? std::optional<std::int64_t>(*texts.payee_pkp ? 1 : 0) : std::nullopt);
  procurement_method = texts.procurement_method;
  procurement_type = texts.procurement_type;
  contract_no = texts.contract_no;
}

std::string AuditFactsInsertSql() {
  return std::string("INSERT INTO audit_expenditures (") + kFactsColumns +
         ") VALUES (:y, :s, :o, :sa, :a, :i, :vd, :ra, :np, :pa, :en, :ed,"
         " :g, :td, :pn, :pk, :pm, :pt, :cn)";
}

// Bound straight from the row's members (SOCI's per-execute work cost several times
// SQLite's own; on PostgreSQL the insert joins the append's pipeline).
AuditFactsWriter::AuditFactsWriter(soci::session& sql)
    : owned_(std::make_unique<NativeStatement>(sql, AuditFactsInsertSql().c_str())), insert_(*owned_) {}

AuditFactsWriter::AuditFactsWriter(NativeStatement& insert) : insert_(insert) {}

AuditFactsWriter::~AuditFactsWriter() = default;

void AuditFactsWriter::Add(const ledger::EntryColumns& columns, std::string_view canonical) {
  if (columns.kind != "expenditure") return;
  Result<ledger::ExpenditureTexts> texts = ledger::ExpenditureTextsOf(canonical);
  JEJAK_CHECK(texts.has_value());  // This process canonicalised the bytes.
  AddTexts(columns, *texts);
}

void AuditFactsWriter::AddTexts(const ledger::EntryColumns& columns,
                                const ledger::ExpenditureTexts& texts) {
  row_.Set(columns, texts);
  NativeStatement& insert = insert_;
  NativeStatement::RunScope run(insert);
  insert.Bind(1, row_.fiscal_year);
  insert.Bind(2, row_.seq);
  int index = 3;
  for (const std::string* text : {&row_.opd, &row_.sub_activity, &row_.account, &row_.instrument,
                                  &row_.value_date, &row_.recorded_at, &row_.payee_npwp,
                                  &row_.payee_account, &row_.evidence_no, &row_.evidence_date}) {
    insert.Bind(index++, *text);
  }
  insert.Bind(13, row_.amount_sen);
  insert.Bind(14, row_.tax_detail);
  insert.Bind(15, row_.payee_name);
  if (row_.payee_pkp.indicator == soci::i_ok) {
    insert.Bind(16, row_.payee_pkp.value);
  } else {
    insert.BindNull(16);
  }
  insert.Bind(17, row_.procurement_method);
  insert.Bind(18, row_.procurement_type);
  insert.Bind(19, row_.contract_no);
  insert.Execute();
}

Result<void> FillAuditFacts(soci::session& sql) {
  AuditFactsWriter writer(sql);
  long long after = -1;
  for (;;) {
    // A page at a time, each read to its end before its rows are written.
    TextColumns page(kEntrySourceCount);
    soci::statement select(sql);
    page.Exchange(select);
    select.exchange(soci::use(after));
    select.alloc();
    select.prepare(std::string("SELECT ") + kEntrySourceColumns +
                   " FROM entries e WHERE e.kind = 'expenditure' AND e.seq > :a ORDER BY e.seq"
                   " LIMIT 2048");
    select.define_and_bind();
    select.execute(false);
    std::vector<std::pair<ledger::EntryColumns, ledger::ExpenditureTexts>> rows;
    long long last_read = after;
    while (select.fetch()) {
      for (std::size_t i = 0; i < page.Rows(); ++i) {
        ledger::EntryColumns columns = StoredExpenditure(page, i);
        last_read = columns.seq;
        // Bytes that do not scan get no row: the ledger still opens, and `jejak verify`
        // names that seq (its bytes, then its missing row) instead of nothing running.
        Result<ledger::ExpenditureTexts> texts = ledger::ExpenditureTextsOf(page.At(1, i));
        if (!texts) continue;
        rows.emplace_back(std::move(columns), std::move(texts).value());
      }
      page.Resize();
    }
    if (last_read == after) return Ok();
    for (const auto& [columns, texts] : rows) writer.AddTexts(columns, texts);
    after = last_read;
  }
}


std::string AuditFactsSelectList(const std::string& alias) {
  std::string columns;
  for (const char* name : kFactsColumnNames) columns += ", CAST(" + alias + "." + name + " AS TEXT)";
  return columns;
}

std::optional<std::string> CompareAuditFacts(const ledger::EntryColumns& columns,
                                             std::string_view canonical,
                                             const StoredAuditFacts& stored) {
  if (stored.null[1]) return std::string("the expenditure has no row in audit_expenditures");
  Result<ledger::ExpenditureTexts> texts = ledger::ExpenditureTextsOf(canonical);
  if (!texts) return texts.error().message;
  const auto number = [](const std::optional<std::int64_t>& n) {
    return n ? std::to_string(*n) : std::string();
  };
  const std::string year = number(columns.fiscal_year);
  const std::string seq = std::to_string(columns.seq);
  const std::string amount = number(columns.amount_sen);
  const std::string pkp = texts->payee_pkp ? (*texts->payee_pkp ? "1" : "0") : "";
  // In kFactsColumnNames's order.
  const std::array<std::string_view, kAuditFactsColumns> want = {
      year, seq, columns.opd, columns.sub_activity, columns.account, columns.instrument,
      columns.value_date, columns.recorded_at, columns.payee_npwp, columns.payee_account,
      columns.evidence_no, columns.evidence_date, amount, columns.tax_detail, texts->payee_name,
      pkp, texts->procurement_method, texts->procurement_type, texts->contract_no};
  for (std::size_t c = 0; c < kAuditFactsColumns; ++c) {
    const bool may_be_null = c == 15 && pkp.empty();
    if (stored.text[c] != want[c] || (stored.null[c] && !may_be_null)) {
      return std::string("audit_expenditures.") + kFactsColumnNames[c] + " differs from the entry's";
    }
  }
  return std::nullopt;
}

std::optional<ledger::Problem> CheckNoStrayAuditFacts(soci::session& sql, long long expenditures) {
  long long rows = 0;
  sql << "SELECT COUNT(*) FROM audit_expenditures", soci::into(rows);
  if (rows == expenditures) return std::nullopt;
  // A row of no expenditure of its year: name the lowest.
  long long stray = -1;
  soci::indicator stray_null = soci::i_null;
  sql << "SELECT MIN(f.seq) FROM audit_expenditures f WHERE NOT EXISTS (SELECT 1 FROM entries e"
         " WHERE e.seq = f.seq AND e.kind = 'expenditure' AND e.fiscal_year = f.fiscal_year)",
      soci::into(stray, stray_null);
  return ledger::Problem{stray_null == soci::i_ok ? stray : 0,
                         "audit_expenditures holds " + std::to_string(rows) +
                             " rows for " + std::to_string(expenditures) +
                             " expenditures (a row of no expenditure)"};
}

namespace {

// Sets `facts` from one row of the findings' query (seq, 15 texts, gross, the seq of a
// reversal or NULL, tax_detail), whose columns `text(c)`, `null(c)` and `integer(c)` read.
template <typename Text, typename Null, typename Integer>
void SetFacts(ledger::ExpenditureFacts& facts, long long year, long long end_seq, Text text,
              Null null, Integer integer) {
  facts.seq = integer(0);
  facts.fiscal_year = year;
  facts.opd = text(1);
  facts.sub_activity = text(2);
  facts.account = text(3);
  facts.instrument = text(4);
  facts.value_date = text(5);
  facts.recorded_at = text(6);
  facts.payee_npwp = text(7);
  facts.payee_account = text(8);
  facts.evidence_no = text(9);
  facts.evidence_date = text(10);
  facts.payee_name = text(11);
  if (!null(12)) facts.payee_pkp = text(12) == "1";
  facts.procurement_method = text(13);
  facts.procurement_type = text(14);
  facts.contract_no = text(15);
  facts.gross_sen = integer(16);
  // A reversal recorded after the pinned size has not happened yet.
  if (!null(17) && integer(17) < end_seq) facts.reversed_by = integer(17);
  // Withheld taxes per type, from the tax_detail column ("PPN:100;PPh22:50").
  const std::string_view tax_detail = text(18);
  std::size_t begin = 0;
  while (begin < tax_detail.size()) {
    std::size_t end = tax_detail.find(';', begin);
    if (end == std::string_view::npos) end = tax_detail.size();
    const std::size_t colon = tax_detail.find(':', begin);
    if (colon != std::string_view::npos && colon < end) {
      const std::string_view amount = tax_detail.substr(colon + 1, end - colon - 1);
      long long amount_sen = 0;
      const auto [at, error] = std::from_chars(amount.data(), amount.data() + amount.size(), amount_sen);
      if (error != std::errc() || at != amount.data() + amount.size()) {
        throw std::invalid_argument("a stored tax_detail is unreadable");
      }
      facts.taxes_sen.emplace_back(std::string(tax_detail.substr(begin, colon - begin)), amount_sen);
    }
    begin = end + 1;
  }
}

// FetchExpenditures on SQLite.
void FetchNative(soci::session& sql, const std::string& query, long long year, int every_date,
                 const std::string& as_of, long long end_seq,
                 std::vector<ledger::ExpenditureFacts>& out) {
  NativeStatement statement(sql, query.c_str());
  statement.Bind(1, year);
  statement.Bind(2, static_cast<long long>(every_date));
  statement.Bind(3, as_of);
  statement.Bind(4, end_seq);
  while (statement.Step()) {
    SetFacts(
        out.emplace_back(), year, end_seq, [&](int c) { return statement.TextView(c); },
        [&](int c) { return statement.IsNull(c); }, [&](int c) { return statement.Int(c); });
  }
}

// Reads the findings' expenditures from `query` (SetFacts's columns), bound to `year`,
// `every_date`, `as_of` and `end_seq` in that order, into `out`.
void FetchExpenditures(soci::session& sql, const std::string& query, long long year,
                       int every_date, const std::string& as_of, long long end_seq,
                       std::vector<ledger::ExpenditureFacts>& out) {
  if (IsSqlite(sql)) {
    return FetchNative(sql, query, year, every_date, as_of, end_seq, out);
  }
  constexpr std::size_t kTexts = 15;
  TextColumns text(kTexts);
  std::vector<long long> seqs(kFetchRows), amounts(kFetchRows), reversals(kFetchRows);
  std::vector<soci::indicator> reversal_null(kFetchRows);
  TextColumns detail(1);
  soci::statement statement(sql);
  statement.exchange(soci::into(seqs));
  text.Exchange(statement);
  statement.exchange(soci::into(amounts));
  statement.exchange(soci::into(reversals, reversal_null));
  detail.Exchange(statement);
  statement.exchange(soci::use(year));
  statement.exchange(soci::use(every_date));
  statement.exchange(soci::use(as_of));
  statement.exchange(soci::use(end_seq));
  statement.alloc();
  statement.prepare(query);
  statement.define_and_bind();
  statement.execute(false);
  while (statement.fetch()) {
    for (std::size_t i = 0; i < seqs.size(); ++i) {
      const auto column_text = [&](int c) -> std::string_view {
        if (c == 18) return detail.At(0, i);
        return text.At(static_cast<std::size_t>(c - 1), i);
      };
      const auto column_null = [&](int c) {
        if (c == 17) return reversal_null[i] != soci::i_ok;
        return text.IsNull(static_cast<std::size_t>(c - 1), i);
      };
      const auto column_integer = [&](int c) {
        return c == 0 ? seqs[i] : c == 16 ? amounts[i] : reversals[i];
      };
      SetFacts(out.emplace_back(), year, end_seq, column_text, column_null, column_integer);
    }
    text.Resize();
    detail.Resize();
    seqs.resize(kFetchRows);
    amounts.resize(kFetchRows);
    reversals.resize(kFetchRows);
    reversal_null.resize(kFetchRows);
  }
}

// The expenditures' WHERE clause on audit_expenditures, with FetchExpenditures's bindings.
constexpr const char* kFactsWhere =
    " FROM audit_expenditures WHERE fiscal_year = :y AND (:w = 1 OR value_date <= :d)"
    " AND seq < :n";

}  // namespace

void ReadAuditExpenditures(soci::session& sql, long long fiscal_year, const std::string& as_of,
                           bool whole_year, long long end_seq,
                           std::vector<ledger::ExpenditureFacts>& expenditures) {
  // Sized once: a year's facts are the largest thing a findings call holds.
  int every_date = whole_year ? 1 : 0;
  long long count = 0;
  sql << std::string("SELECT COUNT(*)") + kFactsWhere, soci::into(count), soci::use(fiscal_year),
      soci::use(every_date), soci::use(as_of), soci::use(end_seq);
  expenditures.reserve(expenditures.size() + static_cast<std::size_t>(count));
  FetchExpenditures(
      sql,
      std::string("SELECT seq, opd, sub_activity, account, instrument, value_date, recorded_at, payee_npwp,"
                  " payee_account, evidence_no, evidence_date, payee_name, CAST(payee_pkp AS TEXT),"
                  " procurement_method, procurement_type, contract_no, amount_sen, CAST(NULL AS BIGINT),"
                  " tax_detail") + kFactsWhere + " ORDER BY seq",
      fiscal_year, every_date, as_of, end_seq, expenditures);
  if (expenditures.empty()) return;
  // The reversals among them (few), from the index on `reverses`, in the order of the
  // seqs they reverse.
  long long first = expenditures.front().seq;
  long long last = expenditures.back().seq;
  std::vector<long long> reversed(kFetchRows), by(kFetchRows);
  soci::statement reversals =
      (sql.prepare << "SELECT reverses, seq FROM entries WHERE reverses >= :f AND reverses <= :l"
                      " AND seq < :n ORDER BY reverses",
       soci::into(reversed), soci::into(by), soci::use(first), soci::use(last), soci::use(end_seq));
  reversals.execute(false);
  auto next = expenditures.begin();
  while (reversals.fetch()) {
    for (std::size_t i = 0; i < reversed.size(); ++i) {
      next = std::lower_bound(next, expenditures.end(), reversed[i],
                              [](const ledger::ExpenditureFacts& e, long long seq) { return e.seq < seq; });
      if (next != expenditures.end() && next->seq == reversed[i]) next->reversed_by = by[i];
    }
    reversed.resize(kFetchRows);
    by.resize(kFetchRows);
  }
}

void ReadAuditExpendituresFromEntries(soci::session& sql, long long fiscal_year,
                                      const std::string& as_of, bool whole_year, long long end_seq,
                                      std::vector<ledger::ExpenditureFacts>& expenditures) {
  // Ten columns, then the five texts no column holds, read from the canonical JSON by the
  // database (SQLite's json_extract, PostgreSQL's jsonb #>>): payee.name, payee.pkp as
  // "1"/"0", procurement.method, .type and .contract_no.
  const bool sqlite = IsSqlite(sql);
  const auto field = [sqlite](const char* path, const char* pg_path) {
    return sqlite ? std::string("json_extract(e.canonical, '") + path + "')"
                  : std::string("(e.canonical::jsonb #>> '") + pg_path + "')";
  };
  const std::string pkp = sqlite ? "CAST(json_extract(e.canonical, '$.payee.pkp') AS TEXT)"
                                 : "CASE e.canonical::jsonb #>> '{payee,pkp}' WHEN 'true' THEN '1'"
                                   " WHEN 'false' THEN '0' END";
  FetchExpenditures(
      sql,
      "SELECT e.seq, e.opd, e.sub_activity, e.account, e.instrument, e.value_date,"
      " e.recorded_at, e.payee_npwp, e.payee_account, e.evidence_no, e.evidence_date, " +
          field("$.payee.name", "{payee,name}") + ", " + pkp + ", " +
          field("$.procurement.method", "{procurement,method}") + ", " +
          field("$.procurement.type", "{procurement,type}") + ", " +
          field("$.procurement.contract_no", "{procurement,contract_no}") +
          ", e.amount_sen, r.seq, e.tax_detail FROM entries e LEFT JOIN entries r"
          " ON r.reverses = e.seq WHERE e.kind = 'expenditure' AND e.fiscal_year = :y"
          " AND (:w = 1 OR e.value_date <= :d) AND e.seq < :n ORDER BY e.seq",
      fiscal_year, whole_year ? 1 : 0, as_of, end_seq, expenditures);
}

}  // namespace jejak::db
