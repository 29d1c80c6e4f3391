// Statement files to statement bodies (ledger/bank_parse.h): the helpers every format
// shares, CMS CSV exports read through a saved column mapping, and the `bank_statement`
// body of a parsed statement. MT940 is in bank_parse_mt940.cc.
#include "ledger/bank_parse.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>

#include <nlohmann/json.hpp>

#include "ledger/import_table.h"
#include "ledger/limits.h"
#include "ledger/money.h"

namespace jejak::ledger {
namespace {

using nlohmann::json;

// The first this many problems are listed; a file can have many more.
constexpr std::size_t kStatementErrorsMax = 1000;
// A mapping names columns and a few markers; anything past these is not a mapping.
constexpr std::size_t kMappingTextBytesMax = 256;
constexpr std::size_t kMarkersMax = 32;

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Digits(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c >= '0' && c <= '9') out.push_back(c);
  }
  return out;
}

// Collects a file's problems, the first kStatementErrorsMax of them.
class Problems {
 public:
  explicit Problems(std::string unit) : unit_(std::move(unit)) {}
  void Add(std::int64_t where, std::string message) {
    if (errors_.size() >= kStatementErrorsMax) return;
    errors_.push_back({where > 0 ? unit_ + " " + std::to_string(where) : "file", std::move(message)});
  }
  bool empty() const { return errors_.empty(); }
  bool full() const { return errors_.size() >= kStatementErrorsMax; }
  Error ToError() { return StatementError(std::move(errors_)); }

 private:
  std::string unit_;
  std::vector<FieldError> errors_;
};

}  // namespace

Error StatementError(std::vector<FieldError> errors) {
  if (errors.size() > kStatementErrorsMax) errors.resize(kStatementErrorsMax);
  return InvalidArgument("invalid statement", std::move(errors));
}

bool NamesCashWithdrawal(std::string_view description) {
  const std::string upper = Upper(description);
  return upper.find("TARIK TUNAI") != std::string::npos ||
         upper.find("PENARIKAN TUNAI") != std::string::npos;
}

std::string LineTypeOfSwiftCode(std::string_view code, bool debit, std::string_view description) {
  std::string upper = Upper(code);
  if (upper.size() == 4 && (upper[0] == 'N' || upper[0] == 'F' || upper[0] == 'S')) upper.erase(0, 1);
  if (debit && (upper == "CHK" || upper == "CSH" || NamesCashWithdrawal(description))) {
    return "cash_withdrawal";
  }
  if (upper == "CHG" || upper == "FEE" || upper == "COM") return "fee";
  if (upper == "INT") return "interest";
  if (upper == "MSC") return "other";
  return "transfer";
}

std::optional<std::string> StatementDate(std::string_view text) {
  if (text.size() < 10 || (text.size() > 10 && text[10] != 'T')) return std::nullopt;
  for (std::size_t i = 0; i < 10; ++i) {
    const bool dash = i == 4 || i == 7;
    if (dash != (text[i] == '-')) return std::nullopt;
    if (!dash && (text[i] < '0' || text[i] > '9')) return std::nullopt;
  }
  const auto number = [&text](std::size_t from, std::size_t size) {
    int value = 0;
    for (std::size_t i = from; i < from + size; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  const std::chrono::year_month_day day{std::chrono::year{number(0, 4)},
                                        std::chrono::month{static_cast<unsigned>(number(5, 2))},
                                        std::chrono::day{static_cast<unsigned>(number(8, 2))}};
  if (!day.ok()) return std::nullopt;
  return std::string(text.substr(0, 10));
}

std::optional<std::int64_t> BalanceAfter(std::int64_t opening_sen, const std::vector<BankLine>& lines) {
  std::optional<std::int64_t> balance = opening_sen;
  for (const BankLine& line : lines) {
    balance = line.debit ? CheckedSub(*balance, line.amount_sen) : CheckedAdd(*balance, line.amount_sen);
    if (!balance) return std::nullopt;
  }
  return balance;
}

// ---------------------------------------------------------------------------------------
// CSV mappings.

namespace {

// The string members of a mapping that name columns, with their JSON names.
std::vector<std::pair<const char*, std::string StatementCsvMapping::*>> ColumnMembers() {
  return {{"date", &StatementCsvMapping::date},
          {"value_date", &StatementCsvMapping::value_date},
          {"amount", &StatementCsvMapping::amount},
          {"direction", &StatementCsvMapping::direction},
          {"debit", &StatementCsvMapping::debit},
          {"credit", &StatementCsvMapping::credit},
          {"bank_ref", &StatementCsvMapping::bank_ref},
          {"counter_account", &StatementCsvMapping::counter_account},
          {"counter_name", &StatementCsvMapping::counter_name},
          {"description", &StatementCsvMapping::description},
          {"type", &StatementCsvMapping::type},
          {"balance", &StatementCsvMapping::balance}};
}

std::optional<std::string> MappingText(const json& value, const std::string& field,
                                       std::vector<FieldError>& errors) {
  if (!value.is_string()) {
    errors.push_back({field, "must be a string"});
    return std::nullopt;
  }
  const std::string& text = value.get_ref<const std::string&>();
  if (text.empty() || text.size() > kMappingTextBytesMax) {
    errors.push_back({field, "must be 1 to " + std::to_string(kMappingTextBytesMax) + " bytes"});
    return std::nullopt;
  }
  return text;
}

}  // namespace

Result<StatementCsvMapping> ParseStatementCsvMapping(const json& mapping) {
  if (!mapping.is_object()) return InvalidArgument("invalid mapping", {{"mapping", "must be an object"}});
  std::vector<FieldError> errors;
  StatementCsvMapping out;
  const auto columns = ColumnMembers();
  for (const auto& [key, value] : mapping.items()) {
    const auto column = std::find_if(columns.begin(), columns.end(),
                                     [&key](const auto& member) { return key == member.first; });
    if (column != columns.end()) {
      if (std::optional<std::string> text = MappingText(value, key, errors)) out.*(column->second) = *text;
    } else if (key == "name") {
      if (std::optional<std::string> text = MappingText(value, key, errors)) out.name = *text;
    } else if (key == "separator") {
      if (value != "," && value != ";" && value != "\t") {
        errors.push_back({key, "must be one of \",\", \";\", \"\\t\""});
      } else {
        out.separator = value.get<std::string>()[0];
      }
    } else if (key == "decimal") {
      if (value != "," && value != ".") {
        errors.push_back({key, "must be one of \",\", \".\""});
      } else {
        out.decimal = value.get<std::string>()[0];
      }
    } else if (key == "date_format") {
      if (!value.is_string() || !IsDateFormat(value.get<std::string>())) {
        errors.push_back({key, "must be a date format such as DD/MM/YYYY or YYYY-MM-DD"});
      } else {
        out.date_format = value.get<std::string>();
      }
    } else if (key == "cash_withdrawal_markers") {
      if (!value.is_array() || value.size() > kMarkersMax) {
        errors.push_back({key, "must be an array of at most " + std::to_string(kMarkersMax) + " strings"});
        continue;
      }
      for (std::size_t i = 0; i < value.size(); ++i) {
        std::optional<std::string> text = MappingText(value[i], key + "[" + std::to_string(i) + "]", errors);
        if (text) out.cash_withdrawal_markers.push_back(Upper(*text));
      }
    } else {
      errors.push_back({key.size() > 64 ? key.substr(0, 64) + "..." : key, "unknown field"});
    }
  }
  if (!mapping.contains("name")) errors.push_back({"name", "required"});
  if (!mapping.contains("date")) errors.push_back({"date", "required"});
  const bool by_direction = !out.amount.empty() || !out.direction.empty();
  const bool by_columns = !out.debit.empty() || !out.credit.empty();
  if (by_direction && by_columns) {
    errors.push_back({"amount", "map either amount and direction, or debit and credit, not both"});
  } else if (by_direction && (out.amount.empty() || out.direction.empty())) {
    errors.push_back({out.amount.empty() ? "amount" : "direction", "required with " +
                      std::string(out.amount.empty() ? "direction" : "amount")});
  } else if (by_columns && (out.debit.empty() || out.credit.empty())) {
    errors.push_back({out.debit.empty() ? "debit" : "credit", "required with " +
                      std::string(out.debit.empty() ? "credit" : "debit")});
  } else if (!by_direction && !by_columns && errors.empty()) {
    errors.push_back({"amount", "map amount and direction, or debit and credit"});
  }
  if (!errors.empty()) return InvalidArgument("invalid mapping", std::move(errors));
  return out;
}

json StatementCsvMappingJson(const StatementCsvMapping& mapping) {
  json out = {{"name", mapping.name},
              {"decimal", std::string(1, mapping.decimal)},
              {"date_format", mapping.date_format}};
  if (mapping.separator != 0) out["separator"] = std::string(1, mapping.separator);
  for (const auto& [key, member] : ColumnMembers()) {
    if (!(mapping.*member).empty()) out[key] = mapping.*member;
  }
  if (!mapping.cash_withdrawal_markers.empty()) out["cash_withdrawal_markers"] = mapping.cash_withdrawal_markers;
  return out;
}

// ---------------------------------------------------------------------------------------
// CSV statements.

namespace {

// Reads one CSV row into a line; every problem goes to `problems` under the row.
class CsvRowReader {
 public:
  CsvRowReader(const StatementCsvMapping& mapping, const ImportTable& table, Problems& problems)
      : mapping_(mapping), problems_(problems) {
    for (std::size_t i = 0; i < table.header.size(); ++i) index_[table.header[i]] = i;
  }

  // False (and problems added, as "row 1") if a mapped column is not in the header.
  bool CheckHeader() {
    bool ok = true;
    for (const auto& [key, member] : ColumnMembers()) {
      const std::string& column = mapping_.*member;
      if (!column.empty() && index_.count(column) == 0) {
        problems_.Add(1, "the column \"" + column + "\" (" + key + ") is not in the header");
        ok = false;
      }
    }
    return ok;
  }

  bool HasBalance() const { return !mapping_.balance.empty(); }

  // The line of `cells` (row `row`), or nullopt after adding its problems.
  std::optional<BankLine> Read(const std::vector<Cell>& cells, std::int64_t row) {
    row_ = row;
    cells_ = &cells;
    bool ok = true;
    BankLine line;
    line.source_line = row;
    std::optional<std::string> date = Date(mapping_.date, "date");
    ok = ok && date.has_value();
    if (date) line.date = *date;
    if (!mapping_.value_date.empty() && !Text(mapping_.value_date).empty()) {
      std::optional<std::string> value_date = Date(mapping_.value_date, "value date");
      ok = ok && value_date.has_value();
      if (value_date) line.value_date = *value_date;
    } else {
      line.value_date = line.date;
    }
    ok = ReadAmount(line) && ok;
    line.bank_ref = Text(mapping_.bank_ref);
    line.counter_account = Text(mapping_.counter_account);
    line.counter_name = Text(mapping_.counter_name);
    line.description = Text(mapping_.description);
    ok = ReadType(line) && ok;
    if (HasBalance()) {
      std::optional<std::int64_t> balance = Money(mapping_.balance, "balance", true);
      ok = ok && balance.has_value();
      line.balance_sen = balance;
    }
    return ok ? std::optional<BankLine>(std::move(line)) : std::nullopt;
  }

 private:
  std::string Text(const std::string& column) const {
    if (column.empty()) return "";
    const std::size_t index = index_.at(column);
    return index < cells_->size() ? (*cells_)[index].text : "";
  }

  Cell CellOf(const std::string& column) const {
    const std::size_t index = index_.at(column);
    return index < cells_->size() ? (*cells_)[index] : Cell{};
  }

  std::optional<std::string> Date(const std::string& column, const char* what) {
    const Cell cell = CellOf(column);
    std::optional<std::string> normal = NormaliseDate(cell, mapping_.date_format);
    std::optional<std::string> date = normal ? StatementDate(*normal) : std::nullopt;
    if (!date) {
      problems_.Add(row_, std::string("the ") + what + " \"" + cell.text.substr(0, 32) + "\" (column \"" +
                              column + "\") is not a date in the format " + mapping_.date_format);
    }
    return date;
  }

  // The amount of `column`; nullopt (a problem added) if it is not one. An empty cell is
  // zero unless `required`.
  std::optional<std::int64_t> Money(const std::string& column, const char* what, bool required) {
    const Cell cell = CellOf(column);
    if (cell.text.empty() && !required) return 0;
    std::optional<std::string> normal = NormaliseAmount(cell, mapping_.decimal);
    Result<std::int64_t> sen = normal ? ParseMoneySen(*normal) : Result<std::int64_t>(InvalidArgument("not an amount"));
    if (!sen) {
      problems_.Add(row_, std::string("the ") + what + " \"" + cell.text.substr(0, 32) + "\" (column \"" +
                              column + "\") is not an amount");
      return std::nullopt;
    }
    return *sen;
  }

  bool ReadAmount(BankLine& line) {
    if (!mapping_.amount.empty()) {
      std::optional<std::int64_t> amount = Money(mapping_.amount, "amount", true);
      const std::string direction = Upper(Text(mapping_.direction));
      static const std::map<std::string, bool> kDirections = {
          {"D", true}, {"DB", true}, {"DEBIT", true}, {"DEBET", true},
          {"K", false}, {"C", false}, {"CR", false}, {"KREDIT", false}, {"CREDIT", false}};
      const auto found = kDirections.find(direction);
      if (found == kDirections.end()) {
        problems_.Add(row_, "the direction \"" + direction.substr(0, 16) + "\" (column \"" + mapping_.direction +
                                "\") is not D, DB, K, CR, debit or credit");
      } else {
        line.debit = found->second;
      }
      if (!amount || found == kDirections.end()) return false;
      line.amount_sen = *amount;
    } else {
      std::optional<std::int64_t> debit = Money(mapping_.debit, "debit", false);
      std::optional<std::int64_t> credit = Money(mapping_.credit, "credit", false);
      if (!debit || !credit) return false;
      if ((*debit > 0) == (*credit > 0)) {
        problems_.Add(row_, "exactly one of the columns \"" + mapping_.debit + "\" and \"" + mapping_.credit +
                                "\" must hold an amount above zero");
        return false;
      }
      line.debit = *debit > 0;
      line.amount_sen = line.debit ? *debit : *credit;
    }
    if (line.amount_sen <= 0) {
      problems_.Add(row_, "the amount must be more than 0");
      return false;
    }
    return true;
  }

  // A `type` cell holds a kBankLineTypes value or a SWIFT code; without one, the
  // mapping's markers (or the usual words) mark a cash withdrawal.
  bool ReadType(BankLine& line) {
    if (mapping_.type.empty()) {
      const std::string upper = Upper(line.description);
      bool cash = NamesCashWithdrawal(upper);
      for (const std::string& marker : mapping_.cash_withdrawal_markers) {
        cash = cash || upper.find(marker) != std::string::npos;
      }
      line.type = line.debit && cash ? "cash_withdrawal" : "transfer";
      return true;
    }
    const std::string text = Lower(Text(mapping_.type));
    for (std::string_view known : kBankLineTypes) {
      if (text == known) {
        line.type = text;
        return !(text == "cash_withdrawal" && !line.debit) || Refuse("a credit cannot be a cash withdrawal");
      }
    }
    if (text.size() == 3 || text.size() == 4) {
      line.type = LineTypeOfSwiftCode(text, line.debit, line.description);
      return true;
    }
    return Refuse("the type \"" + text.substr(0, 32) + "\" (column \"" + mapping_.type +
                  "\") is not one of transfer, cash_withdrawal, fee, interest, other or a SWIFT code");
  }

  bool Refuse(std::string message) {
    problems_.Add(row_, std::move(message));
    return false;
  }

  const StatementCsvMapping& mapping_;
  Problems& problems_;
  std::map<std::string, std::size_t> index_;
  const std::vector<Cell>* cells_ = nullptr;
  std::int64_t row_ = 0;
};

}  // namespace

Result<ParsedStatement> ParseStatementCsv(std::string_view bytes, const StatementCsvMapping& mapping,
                                          const StatementCsvContext& context) {
  TableLimits limits;
  limits.rows_max = kStatementLinesMax;
  Result<ImportTable> table = ParseCsv(bytes, mapping.separator, limits);
  if (!table) return StatementError({{"file", table.error().fields.empty() ? table.error().message
                                                                          : table.error().fields[0].message}});
  Problems problems("row");
  CsvRowReader reader(mapping, *table, problems);
  if (!reader.CheckHeader()) return problems.ToError();
  ParsedStatement out;
  out.account_no = context.account_no;
  out.currency = "IDR";
  bool known = context.opening_sen.has_value();  // Whether `balance` is the balance so far.
  std::int64_t balance = context.opening_sen.value_or(0);
  for (std::size_t i = 0; i < table->rows.size() && !problems.full(); ++i) {
    const std::int64_t row = table->row_numbers[i];
    std::optional<BankLine> line = reader.Read(table->rows[i], row);
    if (!line) {
      known = false;  // The next row's balance cannot be checked against this one.
      continue;
    }
    if (line->balance_sen) {
      const std::int64_t stated = *line->balance_sen;
      const std::int64_t amount = line->amount_sen;
      if (out.lines.empty() && !context.opening_sen) {
        // The first row states the balance after it: the opening is what it was before.
        const std::optional<std::int64_t> before = line->debit ? CheckedAdd(stated, amount) : CheckedSub(stated, amount);
        known = before.has_value() && *before >= 0;
        if (known) {
          balance = *before;
          out.opening_sen = balance;
        } else {
          problems.Add(row, "the balance " + FormatMoney(stated) + " is less than the amount credited");
        }
      }
      std::int64_t next = stated;
      if (known) {
        const std::optional<std::int64_t> expected = line->debit ? CheckedSub(balance, amount) : CheckedAdd(balance, amount);
        if (!expected || *expected != stated) {
          problems.Add(row, "the balance " + FormatMoney(stated) + " is not the previous balance " +
                                FormatMoney(balance) + (line->debit ? " - " : " + ") + FormatMoney(amount) +
                                (expected ? " = " + FormatMoney(*expected) : std::string()));
        }
        // One wrong balance is one problem: the next row is checked against the amounts.
        if (expected) next = *expected;
      }
      balance = next;
      known = true;
    }
    line->index = static_cast<std::int64_t>(out.lines.size());
    out.lines.push_back(std::move(*line));
  }
  if (!reader.HasBalance()) {
    if (!context.opening_sen) {
      problems.Add(0, "the export has no balance column: give the opening balance");
    } else {
      out.opening_sen = *context.opening_sen;
    }
  } else if (context.opening_sen) {
    out.opening_sen = *context.opening_sen;
  }
  if (!problems.empty()) return problems.ToError();
  std::optional<std::int64_t> closing = BalanceAfter(out.opening_sen, out.lines);
  if (!closing || *closing < 0) {
    return StatementError({{"file", "the lines take the balance below zero or past the largest amount"}});
  }
  out.closing_sen = *closing;
  out.period_start = context.period_start;
  out.period_end = context.period_end;
  for (const BankLine& line : out.lines) {
    if (context.period_start.empty() && (out.period_start.empty() || line.date < out.period_start)) {
      out.period_start = line.date;
    }
    if (context.period_end.empty() && line.date > out.period_end) out.period_end = line.date;
  }
  if (out.period_start.empty() || out.period_end.empty()) {
    return StatementError({{"file", "the export has no lines: give the period"}});
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Bodies.

Result<json> StatementBody(const ParsedStatement& parsed, const StatementMeta& meta) {
  if (Digits(parsed.account_no) != Digits(meta.account_no)) {
    return InvalidArgument("invalid statement",
                           {{"account_no", "the file is a statement of account " + parsed.account_no.substr(0, 64) +
                                               ", not " + meta.account_no.substr(0, 64)}});
  }
  json body = {{"kind", "bank_statement"},
               {"bank", meta.bank},
               {"account_no", meta.account_no},
               {"account_role", meta.account_role},
               {"period_start", parsed.period_start},
               {"period_end", parsed.period_end},
               {"currency", parsed.currency},
               {"opening_balance", FormatMoney(parsed.opening_sen)},
               {"closing_balance", FormatMoney(parsed.closing_sen)},
               {"format", meta.format},
               {"file_sha256", meta.file_sha256}};
  if (!meta.opd.empty()) body["opd"] = meta.opd;
  if (!parsed.statement_no.empty()) body["statement_no"] = parsed.statement_no;
  json lines = json::array();
  for (const BankLine& line : parsed.lines) {
    json item = {{"date", line.date},
                 {"value_date", line.value_date},
                 {"direction", line.debit ? "debit" : "credit"},
                 {"amount", FormatMoney(line.amount_sen)},
                 {"type", line.type}};
    if (!line.bank_ref.empty()) item["bank_ref"] = line.bank_ref;
    if (!line.counter_account.empty()) item["counter_account"] = line.counter_account;
    if (!line.counter_name.empty()) item["counter_name"] = line.counter_name;
    if (!line.description.empty()) item["description"] = line.description;
    if (line.source_line > 0) item["source_line"] = line.source_line;
    if (line.balance_sen) item["balance"] = FormatMoney(*line.balance_sen);
    lines.push_back(std::move(item));
  }
  body["lines"] = std::move(lines);
  return body;
}

}  // namespace jejak::ledger
