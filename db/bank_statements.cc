// The bank statements table and reconciliation's reads (db/bank_statements.h).
#include "db/bank_statements.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "base/check.h"
#include "ledger/canonical.h"
#include "ledger/limits.h"
#include "ledger/money.h"

namespace jejak::db {
namespace {

constexpr std::array<const char*, 11> kColumnNames = {
    "seq",        "fiscal_year", "account_no",  "bank",        "account_role", "opd",
    "period_start", "period_end", "opening_sen", "closing_sen", "line_count"};

// One row of bank_statements.
struct Row {
  long long seq = 0, fiscal_year = 0;
  std::string account_no, bank, account_role, opd, period_start, period_end;
  long long opening_sen = 0, closing_sen = 0, line_count = 0;

  static Row Of(const ledger::BankStatementFacts& facts) {
    return Row{facts.seq,          facts.fiscal_year, facts.account_no,
               facts.bank,         facts.account_role, facts.opd,
               facts.period_start, facts.period_end,   facts.opening_sen,
               facts.closing_sen,  static_cast<long long>(facts.lines.size())};
  }

  // The name of the first column in which `other` differs, or nullptr.
  const char* FirstDifference(const Row& other) const {
    const std::array<bool, 11> same = {
        seq == other.seq,           fiscal_year == other.fiscal_year,
        account_no == other.account_no, bank == other.bank,
        account_role == other.account_role, opd == other.opd,
        period_start == other.period_start, period_end == other.period_end,
        opening_sen == other.opening_sen, closing_sen == other.closing_sen,
        line_count == other.line_count};
    for (std::size_t i = 0; i < same.size(); ++i) {
      if (!same[i]) return kColumnNames[i];
    }
    return nullptr;
  }
};

// The facts of the stored bank statement `canonical`, or why not.
Result<ledger::BankStatementFacts> FactsOf(std::string_view canonical) {
  Result<nlohmann::json> entry = ledger::ParseStrict(canonical, ledger::kStoredEntryBytesMax);
  if (!entry) return Error{Code::kDataLoss, "the stored bytes do not parse", {}};
  return ledger::StatementFacts(*entry);
}

void Insert(NativeStatement& insert, const Row& row) {
  NativeStatement::RunScope run(insert);
  int i = 0;
  insert.Bind(++i, row.seq);
  insert.Bind(++i, row.fiscal_year);
  for (const std::string* text : {&row.account_no, &row.bank, &row.account_role, &row.opd,
                                  &row.period_start, &row.period_end}) {
    insert.Bind(++i, std::string_view(*text));
  }
  insert.Bind(++i, row.opening_sen);
  insert.Bind(++i, row.closing_sen);
  insert.Bind(++i, row.line_count);
  insert.Execute();
}

Error Unreadable(long long seq, const std::string& why) {
  return Error{Code::kDataLoss, "stored entry " + std::to_string(seq) + " is unreadable: " + why, {}};
}

// Reads the canonical bytes of `kind` entries of the year before end_seq, in seq order,
// and hands each (seq, parsed entry) to `use`; stops at the first error.
template <typename Use>
Result<void> EachEntryOfYear(soci::session& sql, const char* kind, long long fiscal_year,
                             long long end_seq, Use use) {
  long long seq = 0;
  std::string canonical;
  std::string kind_text = kind;
  soci::statement select =
      (sql.prepare << "SELECT seq, canonical FROM entries WHERE fiscal_year = :y AND kind = :k"
                      " AND seq < :n ORDER BY seq",
       soci::into(seq), soci::into(canonical), soci::use(fiscal_year), soci::use(kind_text),
       soci::use(end_seq));
  select.execute(false);
  while (select.fetch()) {
    Result<nlohmann::json> entry = ledger::ParseStrict(canonical, ledger::kStoredEntryBytesMax);
    if (!entry) return Unreadable(seq, "the bytes do not parse");
    if (Result<void> used = use(seq, *entry); !used) return used;
  }
  return Ok();
}

Result<void> ReadExpenditures(soci::session& sql, long long fiscal_year, long long end_seq,
                              std::vector<ledger::BankPaymentFacts>& payments) {
  long long seq = 0, net_sen = 0, reversals = 0;
  std::string opd, mechanism, instrument, value_date, bank_ref, payee_account;
  long long reversal_end = end_seq;
  soci::statement select =
      (sql.prepare << "SELECT e.seq, e.opd, e.mechanism, e.instrument, e.value_date,"
                      " COALESCE(e.bank_ref, ''), COALESCE(e.payee_account, ''), e.net_sen,"
                      " (SELECT COUNT(*) FROM entries r WHERE r.reverses = e.seq AND r.seq < :r)"
                      " FROM entries e WHERE e.fiscal_year = :y AND e.kind = 'expenditure'"
                      " AND e.seq < :n ORDER BY e.seq",
       soci::into(seq), soci::into(opd), soci::into(mechanism), soci::into(instrument),
       soci::into(value_date), soci::into(bank_ref), soci::into(payee_account),
       soci::into(net_sen), soci::into(reversals), soci::use(reversal_end),
       soci::use(fiscal_year), soci::use(end_seq));
  select.execute(false);
  while (select.fetch()) {
    ledger::BankPaymentFacts payment;
    payment.seq = seq;
    payment.kind = "expenditure";
    payment.fiscal_year = fiscal_year;
    payment.opd = opd;
    payment.mechanism = mechanism;
    payment.instrument = instrument;
    payment.date = value_date;
    if (!bank_ref.empty()) payment.refs.push_back(bank_ref);
    // payee_account is "<bank>:<account_no>" (ledger::EntryColumns).
    if (const std::size_t colon = payee_account.find(':'); colon != std::string::npos) {
      payment.payee_account_no = payee_account.substr(colon + 1);
    }
    payment.amount_sen = net_sen;
    payment.reversed = reversals > 0;
    payments.push_back(std::move(payment));
  }
  return Ok();
}

}  // namespace

std::string BankStatementInsertSql() {
  std::string names, marks;
  for (const char* name : kColumnNames) {
    if (!names.empty()) {
      names += ", ";
      marks += ", ";
    }
    names += name;
    marks += "?";
  }
  return "INSERT INTO bank_statements (" + names + ") VALUES (" + marks + ")";
}

void WriteBankStatementRow(NativeStatement& insert, const ledger::EntryColumns& columns,
                           std::string_view canonical) {
  if (columns.kind != ledger::KindName(ledger::Kind::kBankStatement)) return;
  Result<ledger::BankStatementFacts> facts = FactsOf(canonical);
  JEJAK_CHECK(facts.has_value());  // This process validated and canonicalized the entry.
  JEJAK_CHECK(facts->seq == columns.seq);
  Insert(insert, Row::Of(*facts));
}

std::vector<ledger::StatementPeriod> ReadStatementsOfAccount(NativeStatement& select,
                                                             std::string_view account_no) {
  std::string digits;
  for (char c : account_no) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  NativeStatement::RunScope run(select);
  select.Bind(1, std::string_view(digits));
  std::vector<ledger::StatementPeriod> statements;
  while (select.Step()) {
    statements.push_back(ledger::StatementPeriod{select.Int(0), select.Text(1), select.Text(2),
                                                 select.Text(3), select.Text(4), select.Text(5)});
  }
  return statements;
}

Result<void> FillBankStatements(soci::session& sql) {
  NativeStatement insert(sql, BankStatementInsertSql().c_str());
  long long after = -1;
  for (;;) {
    // One statement at a time (each may be megabytes), read to its end before its row is
    // written.
    long long seq = -1;
    std::string canonical;
    soci::indicator found = soci::i_null;
    sql << "SELECT seq, canonical FROM entries WHERE kind = 'bank_statement' AND seq > :a"
           " ORDER BY seq LIMIT 1",
        soci::into(seq, found), soci::into(canonical), soci::use(after);
    if (!sql.got_data() || found != soci::i_ok) return Ok();
    after = seq;
    // Bytes that do not parse get no row: the ledger still opens, and `jejak verify`
    // names that seq (its bytes, then its missing row).
    Result<ledger::BankStatementFacts> facts = FactsOf(canonical);
    if (!facts || facts->seq != seq) continue;
    Insert(insert, Row::Of(*facts));
  }
}

std::optional<ledger::Problem> CheckBankStatementRows(soci::session& sql) {
  std::map<long long, Row> rows;
  {
    Row row;
    soci::statement select =
        (sql.prepare << "SELECT seq, fiscal_year, account_no, bank, account_role, opd,"
                        " period_start, period_end, opening_sen, closing_sen, line_count"
                        " FROM bank_statements ORDER BY seq",
         soci::into(row.seq), soci::into(row.fiscal_year), soci::into(row.account_no),
         soci::into(row.bank), soci::into(row.account_role), soci::into(row.opd),
         soci::into(row.period_start), soci::into(row.period_end), soci::into(row.opening_sen),
         soci::into(row.closing_sen), soci::into(row.line_count));
    select.execute(false);
    while (select.fetch()) rows.emplace(row.seq, row);
  }
  long long seq = 0;
  std::string canonical;
  soci::statement entries =
      (sql.prepare << "SELECT seq, canonical FROM entries WHERE kind = 'bank_statement'"
                      " ORDER BY seq",
       soci::into(seq), soci::into(canonical));
  entries.execute(false);
  std::optional<ledger::Problem> first;
  auto note = [&first](long long at, std::string what) {
    if (!first || at < first->seq) first = ledger::Problem{at, std::move(what)};
  };
  while (entries.fetch()) {
    const auto stored = rows.find(seq);
    Result<ledger::BankStatementFacts> facts = FactsOf(canonical);
    if (!facts) {
      note(seq, "the bank statement's bytes do not give its bank_statements row: " +
                    facts.error().message);
    } else if (stored == rows.end()) {
      note(seq, "the bank statement has no row in bank_statements");
    } else if (const char* column = stored->second.FirstDifference(Row::Of(*facts))) {
      note(seq, std::string("bank_statements.") + column + " differs from the entry's");
    }
    if (stored != rows.end()) rows.erase(stored);
  }
  if (!rows.empty()) {
    note(rows.begin()->first, "bank_statements holds a row of no bank statement (seq " +
                                  std::to_string(rows.begin()->first) + ")");
  }
  return first;
}

Result<void> ReadReconcileInput(soci::session& sql, long long fiscal_year, long long end_seq,
                                bool payments_without_statements, ledger::ReconcileInput& input) {
  input.fiscal_year = fiscal_year;
  Result<void> statements = EachEntryOfYear(
      sql, "bank_statement", fiscal_year, end_seq,
      [&input](long long seq, const nlohmann::json& entry) -> Result<void> {
        Result<ledger::BankStatementFacts> facts = ledger::StatementFacts(entry);
        if (!facts) return Unreadable(seq, facts.error().message);
        input.statements.push_back(std::move(facts).value());
        return Ok();
      });
  if (!statements) return statements;
  if (input.statements.empty() && !payments_without_statements) return Ok();
  if (Result<void> read = ReadExpenditures(sql, fiscal_year, end_seq, input.payments); !read) {
    return read;
  }
  // Tax deposits and refunds (few): their NTPN, billing code and STS number are only in
  // the canonical bytes.
  auto text = [](const nlohmann::json& entry, const char* key) {
    const auto it = entry.find(key);
    return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto money = [&text](const nlohmann::json& entry) {
    Result<std::int64_t> sen = ledger::ParseMoneySen(text(entry, "amount"));
    return sen ? std::optional<std::int64_t>(*sen) : std::nullopt;
  };
  Result<void> deposits = EachEntryOfYear(
      sql, "tax_deposit", fiscal_year, end_seq,
      [&](long long seq, const nlohmann::json& entry) -> Result<void> {
        ledger::BankPaymentFacts payment;
        payment.seq = seq;
        payment.kind = "tax_deposit";
        payment.fiscal_year = fiscal_year;
        payment.opd = text(entry, "opd");
        payment.date = text(entry, "deposit_date");
        for (const char* key : {"ntpn", "billing_code"}) {
          if (std::string ref = text(entry, key); !ref.empty()) payment.refs.push_back(ref);
        }
        const std::optional<std::int64_t> amount = money(entry);
        if (!amount) return Unreadable(seq, "its amount is not money");
        payment.amount_sen = *amount;
        input.payments.push_back(std::move(payment));
        return Ok();
      });
  if (!deposits) return deposits;
  // A refund's year is the year its value_date falls in (its fiscal_year column).
  std::vector<std::pair<std::size_t, long long>> refunded_seqs;  // Payment index, expenditure.
  Result<void> refunds = EachEntryOfYear(
      sql, "refund", fiscal_year, end_seq,
      [&](long long seq, const nlohmann::json& entry) -> Result<void> {
        ledger::BankPaymentFacts payment;
        payment.seq = seq;
        payment.kind = "refund";
        payment.fiscal_year = fiscal_year;
        payment.date = text(entry, "value_date");
        if (std::string sts = text(entry, "sts_no"); !sts.empty()) payment.refs.push_back(sts);
        const std::optional<std::int64_t> amount = money(entry);
        if (!amount) return Unreadable(seq, "its amount is not money");
        payment.amount_sen = *amount;
        const auto refunded = entry.find("refunds");
        if (refunded == entry.end() || !refunded->is_number_integer()) {
          return Unreadable(seq, "refunds is not a seq");
        }
        refunded_seqs.emplace_back(input.payments.size(), refunded->get<long long>());
        input.payments.push_back(std::move(payment));
        return Ok();
      });
  if (!refunds) return refunds;
  // A refund's OPD is its expenditure's (read once the refunds' read has ended).
  for (const auto& [index, original] : refunded_seqs) {
    std::string opd;
    soci::indicator found = soci::i_null;
    long long seq = original;
    sql << "SELECT opd FROM entries WHERE seq = :s", soci::into(opd, found), soci::use(seq);
    if (sql.got_data() && found == soci::i_ok) input.payments[index].opd = opd;
  }
  std::sort(input.payments.begin(), input.payments.end(),
            [](const ledger::BankPaymentFacts& a, const ledger::BankPaymentFacts& b) {
              return a.seq < b.seq;
            });
  return Ok();
}

}  // namespace jejak::db
