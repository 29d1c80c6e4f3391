// The audit facts table (db/audit_facts.h): its row, the append's writer, the migration's
// fill, the verification and the findings' read; and the read of the same inputs from the
// entries themselves (json_extract on SQLite, jsonb on PostgreSQL), which reports can ask
// for to check the table against.
#include "db/audit_facts.h"

#include <soci/soci.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <string>
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

// `row` as the text each column of the table holds ("" for a NULL pkp), for comparison.
std::array<std::string, 19> RowTexts(const AuditFactsRow& row) {
  return {std::to_string(row.fiscal_year), std::to_string(row.seq), row.opd, row.sub_activity,
          row.account, row.instrument, row.value_date, row.recorded_at, row.payee_npwp,
          row.payee_account, row.evidence_no, row.evidence_date, std::to_string(row.amount_sen),
          row.tax_detail, row.payee_name,
          row.payee_pkp.indicator == soci::i_ok ? std::to_string(row.payee_pkp.value) : "",
          row.procurement_method, row.procurement_type, row.contract_no};
}

constexpr std::array<const char*, 19> kFactsColumnNames = {
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

AuditFactsWriter::AuditFactsWriter(soci::session& sql)
    : insert_((sql.prepare << "INSERT INTO audit_expenditures (" << kFactsColumns
                           << ") VALUES (:y, :s, :o, :sa, :a, :i, :vd, :ra, :np, :pa, :en, :ed,"
                              " :g, :td, :pn, :pk, :pm, :pt, :cn)",
               soci::use(row_.fiscal_year), soci::use(row_.seq), soci::use(row_.opd),
               soci::use(row_.sub_activity), soci::use(row_.account), soci::use(row_.instrument),
               soci::use(row_.value_date), soci::use(row_.recorded_at), soci::use(row_.payee_npwp),
               soci::use(row_.payee_account), soci::use(row_.evidence_no),
               soci::use(row_.evidence_date), soci::use(row_.amount_sen), soci::use(row_.tax_detail),
               soci::use(row_.payee_name), soci::use(row_.payee_pkp.value, row_.payee_pkp.indicator),
               soci::use(row_.procurement_method), soci::use(row_.procurement_type),
               soci::use(row_.contract_no))) {}

void AuditFactsWriter::Add(const ledger::EntryColumns& columns, std::string_view canonical) {
  if (columns.kind != "expenditure") return;
  Result<ledger::ExpenditureTexts> texts = ledger::ExpenditureTextsOf(canonical);
  JEJAK_CHECK(texts.has_value());  // This process canonicalised the bytes.
  AddTexts(columns, *texts);
}

void AuditFactsWriter::AddTexts(const ledger::EntryColumns& columns,
                                const ledger::ExpenditureTexts& texts) {
  row_.Set(columns, texts);
  insert_.execute(true);
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
    while (select.fetch()) {
      for (std::size_t i = 0; i < page.Rows(); ++i) {
        Result<ledger::ExpenditureTexts> texts = ledger::ExpenditureTextsOf(page.At(1, i));
        if (!texts) {
          return Error{Code::kDataLoss, "seq " + page.At(0, i) + ": " + texts.error().message, {}};
        }
        rows.emplace_back(StoredExpenditure(page, i), std::move(texts).value());
      }
      page.Resize();
    }
    if (rows.empty()) return Ok();
    for (const auto& [columns, texts] : rows) writer.AddTexts(columns, texts);
    after = rows.back().first.seq;
  }
}


std::optional<ledger::Problem> CheckAuditFacts(soci::session& sql) {
  // Each expenditure with its row (if any), in seq order, all as text.
  TextColumns entries(kEntrySourceCount);
  TextColumns facts(kFactsColumnNames.size());
  soci::statement select(sql);
  entries.Exchange(select);
  facts.Exchange(select);
  select.alloc();
  std::string columns;
  for (const char* name : kFactsColumnNames) {
    columns += columns.empty() ? "" : ", ";
    columns += std::string("CAST(f.") + name + " AS TEXT)";
  }
  select.prepare(std::string("SELECT ") + kEntrySourceColumns + ", " + columns +
                 " FROM entries e LEFT JOIN audit_expenditures f ON f.fiscal_year = e.fiscal_year"
                 " AND f.seq = e.seq WHERE e.kind = 'expenditure' ORDER BY e.seq");
  select.define_and_bind();
  select.execute(false);
  long long expenditures = 0;
  AuditFactsRow expected;
  while (select.fetch()) {
    for (std::size_t i = 0; i < entries.Rows(); ++i) {
      ++expenditures;
      const std::string& seq = entries.At(0, i);
      if (facts.IsNull(1, i)) {
        return ledger::Problem{std::stoll(seq), "the expenditure has no row in audit_expenditures"};
      }
      Result<ledger::ExpenditureTexts> texts = ledger::ExpenditureTextsOf(entries.At(1, i));
      if (!texts) return ledger::Problem{std::stoll(seq), texts.error().message};
      expected.Set(StoredExpenditure(entries, i), *texts);
      const std::array<std::string, 19> want = RowTexts(expected);
      for (std::size_t c = 0; c < want.size(); ++c) {
        if (facts.At(c, i) != want[c] || (facts.IsNull(c, i) && c != 15)) {
          return ledger::Problem{std::stoll(seq), std::string("audit_expenditures.") +
                                                      kFactsColumnNames[c] +
                                                      " differs from the entry's"};
        }
      }
    }
    entries.Resize();
    facts.Resize();
  }
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

// Reads the 19 columns of the findings' expenditures (seq, 15 texts, gross, the seq of a
// reversal or NULL, tax_detail) from `query`, bound to `year`, `every_date`, `as_of`
// and `end_seq` in that order, into `out`.
void FetchExpenditures(soci::session& sql, const std::string& query, long long year,
                       int every_date, const std::string& as_of, long long end_seq,
                       std::vector<ledger::ExpenditureFacts>& out) {
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
      ledger::ExpenditureFacts facts;
      facts.seq = seqs[i];
      facts.fiscal_year = year;
      facts.opd = text.At(0, i);
      facts.sub_activity = text.At(1, i);
      facts.account = text.At(2, i);
      facts.instrument = text.At(3, i);
      facts.value_date = text.At(4, i);
      facts.recorded_at = text.At(5, i);
      facts.payee_npwp = text.At(6, i);
      facts.payee_account = text.At(7, i);
      facts.evidence_no = text.At(8, i);
      facts.evidence_date = text.At(9, i);
      facts.payee_name = text.At(10, i);
      if (!text.IsNull(11, i)) facts.payee_pkp = text.At(11, i) == "1";
      facts.procurement_method = text.At(12, i);
      facts.procurement_type = text.At(13, i);
      facts.contract_no = text.At(14, i);
      facts.gross_sen = amounts[i];
      // A reversal recorded after the pinned size has not happened yet.
      if (reversal_null[i] == soci::i_ok && reversals[i] < end_seq) facts.reversed_by = reversals[i];
      // Withheld taxes per type, from the tax_detail column ("PPN:100;PPh22:50").
      const std::string& tax_detail = detail.At(0, i);
      std::size_t begin = 0;
      while (begin < tax_detail.size()) {
        std::size_t end = tax_detail.find(';', begin);
        if (end == std::string::npos) end = tax_detail.size();
        const std::size_t colon = tax_detail.find(':', begin);
        if (colon != std::string::npos && colon < end) {
          facts.taxes_sen.emplace_back(tax_detail.substr(begin, colon - begin),
                                       std::stoll(tax_detail.substr(colon + 1, end - colon - 1)));
        }
        begin = end + 1;
      }
      out.push_back(std::move(facts));
    }
    text.Resize();
    detail.Resize();
    seqs.resize(kFetchRows);
    amounts.resize(kFetchRows);
    reversals.resize(kFetchRows);
    reversal_null.resize(kFetchRows);
  }
}

}  // namespace

void ReadAuditExpenditures(soci::session& sql, long long fiscal_year, const std::string& as_of,
                           bool whole_year, long long end_seq,
                           std::vector<ledger::ExpenditureFacts>& expenditures) {
  FetchExpenditures(
      sql,
      "SELECT seq, opd, sub_activity, account, instrument, value_date, recorded_at, payee_npwp,"
      " payee_account, evidence_no, evidence_date, payee_name, CAST(payee_pkp AS TEXT),"
      " procurement_method, procurement_type, contract_no, amount_sen, CAST(NULL AS BIGINT),"
      " tax_detail FROM audit_expenditures WHERE fiscal_year = :y AND (:w = 1 OR value_date <= :d)"
      " AND seq < :n ORDER BY seq",
      fiscal_year, whole_year ? 1 : 0, as_of, end_seq, expenditures);
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
  const bool sqlite = sql.get_backend_name() == "sqlite3";
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
