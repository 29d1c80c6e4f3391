// SWIFT MT940 customer statements as Indonesian banks export them (ledger/bank_parse.h:
// ParseMt940). The file is split into fields (a tag line and its continuation lines,
// SWIFT block wrappers dropped), then the fields are read in order as one statement,
// possibly over several pages (:62M: ... :60M:). docs/bank-statements.md describes what
// is read from where.
#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include "ledger/bank_parse.h"
#include "ledger/import_table.h"
#include "ledger/money.h"

namespace jejak::ledger {
namespace {

// SWIFT lines are at most 65 characters; exports run longer, never this long.
constexpr std::size_t kLineBytesMax = 2048;
// kStatementLinesMax lines of :61:, its supplementary line and six :86: lines each,
// and then some.
constexpr std::size_t kFileLinesMax = 10 * kStatementLinesMax;
// An :86: is six lines of 65 characters; bounded well above that.
constexpr std::size_t kFieldBytesMax = 4096;
constexpr std::size_t kErrorsMax = 1000;

struct Field {
  std::string tag;                 // "61", "28C".
  std::string value;               // The tag line after ":61:".
  std::vector<std::string> more;   // Continuation lines.
  std::int64_t line = 0;
  std::size_t bytes = 0;
};

class Errors {
 public:
  void Add(std::int64_t line, std::string message) {
    if (errors_.size() < kErrorsMax) {
      errors_.push_back({line > 0 ? "line " + std::to_string(line) : "file", std::move(message)});
    }
  }
  bool empty() const { return errors_.empty(); }
  bool full() const { return errors_.size() >= kErrorsMax; }
  std::vector<FieldError> Take() { return std::move(errors_); }

 private:
  std::vector<FieldError> errors_;
};

std::string Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return std::string(text);
}

bool IsDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ":61:" -> "61"; empty if the line does not start with a tag.
std::string TagOf(std::string_view line) {
  if (line.size() < 4 || line[0] != ':') return "";
  std::size_t end = 1;
  while (end < line.size() && end < 4 && std::isdigit(static_cast<unsigned char>(line[end]))) ++end;
  if (end != 3) return "";
  if (end < line.size() && std::isupper(static_cast<unsigned char>(line[end]))) ++end;
  if (end >= line.size() || line[end] != ':') return "";
  return std::string(line.substr(1, end - 1));
}

// Drops leading SWIFT blocks ("{1:...}{2:...}{3:{108:X}}") and the "{4:" that opens the
// text block; what follows on the line is content.
std::string_view DropBlockHeaders(std::string_view line) {
  while (!line.empty() && line[0] == '{') {
    if (line.substr(0, 3) == "{4:") {
      line.remove_prefix(3);
      continue;
    }
    int depth = 0;
    std::size_t i = 0;
    for (; i < line.size(); ++i) {
      if (line[i] == '{') ++depth;
      if (line[i] == '}' && --depth == 0) break;
    }
    line.remove_prefix(std::min(line.size(), i + 1));
  }
  return line;
}

// The fields of the file, and `end_line`: the line that ends the message ("-}") or the
// file's last line.
std::vector<Field> SplitFields(std::string_view bytes, Errors& errors, std::int64_t& end_line) {
  std::vector<Field> fields;
  std::int64_t number = 0;
  std::size_t start = 0;
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") start = 3;
  while (start < bytes.size() && !errors.full()) {
    std::size_t end = bytes.find('\n', start);
    if (end == std::string_view::npos) end = bytes.size();
    std::string_view line = bytes.substr(start, end - start);
    start = end + 1;
    ++number;
    if (static_cast<std::size_t>(number) > kFileLinesMax) {
      errors.Add(number, "the file has more than " + std::to_string(kFileLinesMax) + " lines");
      break;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > kLineBytesMax) {
      errors.Add(number, "the line is longer than " + std::to_string(kLineBytesMax) + " bytes");
      continue;
    }
    if (!IsUtf8(line)) {
      errors.Add(number, "the line is not UTF-8 text");
      continue;
    }
    if (std::any_of(line.begin(), line.end(), [](char c) { return c != '\t' && static_cast<unsigned char>(c) < 0x20; })) {
      errors.Add(number, "the line holds a control character");
      continue;
    }
    line = DropBlockHeaders(line);
    const std::string trimmed = Trim(line);
    if (trimmed.empty()) continue;
    end_line = number;
    if (trimmed == "-" || trimmed.substr(0, 2) == "-}") continue;  // The message ends.
    const std::string tag = TagOf(line);
    if (!tag.empty()) {
      fields.push_back(Field{tag, std::string(line.substr(tag.size() + 2)), {}, number, line.size()});
    } else if (fields.empty()) {
      errors.Add(number, "text before the first field (:20:)");
    } else if ((fields.back().bytes += line.size()) > kFieldBytesMax) {
      errors.Add(number, "the field of line " + std::to_string(fields.back().line) + " is longer than " +
                             std::to_string(kFieldBytesMax) + " bytes");
    } else {
      fields.back().more.emplace_back(line);
    }
  }
  return fields;
}

// An MT940 amount ("1500000,00", "25000000,") in sen.
Result<std::int64_t> Amount(std::string_view text) {
  std::string money;
  const std::size_t comma = text.find(',');
  std::string_view whole = text.substr(0, comma);
  while (whole.size() > 1 && whole[0] == '0') whole.remove_prefix(1);
  if (!IsDigits(whole)) return InvalidArgument("the amount \"" + std::string(text.substr(0, 24)) + "\" is not an amount");
  money = std::string(whole);
  if (comma != std::string_view::npos) {
    const std::string_view fraction = text.substr(comma + 1);
    if (!fraction.empty() && !IsDigits(fraction)) {
      return InvalidArgument("the amount \"" + std::string(text.substr(0, 24)) + "\" is not an amount");
    }
    if (!fraction.empty()) money += "." + std::string(fraction);
  }
  Result<std::int64_t> sen = ParseMoneySen(money);
  if (!sen) return InvalidArgument("the amount \"" + std::string(text.substr(0, 24)) + "\": " + sen.error().message);
  return sen;
}

// "YYMMDD" to "20YY-MM-DD" if a real day.
std::optional<std::string> ShortDate(std::string_view text) {
  if (text.size() != 6 || !IsDigits(text)) return std::nullopt;
  return StatementDate("20" + std::string(text.substr(0, 2)) + "-" + std::string(text.substr(2, 2)) + "-" +
                       std::string(text.substr(4, 2)));
}

struct Balance {
  bool debit = false;
  std::string date;
  std::int64_t sen = 0;
};

// :60F:, :62F:, :64: ... "C250131IDR1500000,00".
Result<Balance> ParseBalance(const std::string& value, const char* what) {
  const std::string text = Trim(value);
  if (text.size() < 11 || (text[0] != 'C' && text[0] != 'D')) {
    return InvalidArgument(std::string("the ") + what + " must be C or D, YYMMDD, IDR and an amount");
  }
  Balance balance;
  balance.debit = text[0] == 'D';
  std::optional<std::string> date = ShortDate(std::string_view(text).substr(1, 6));
  if (!date) return InvalidArgument(std::string("the ") + what + " date \"" + text.substr(1, 6) + "\" is not a day (YYMMDD)");
  balance.date = *date;
  if (text.substr(7, 3) != "IDR") {
    return InvalidArgument(std::string("the ") + what + " is in " + text.substr(7, 3) + ": only IDR statements are accepted");
  }
  Result<std::int64_t> sen = Amount(std::string_view(text).substr(10));
  if (!sen) return sen.error();
  balance.sen = *sen;
  if (balance.debit) {
    return InvalidArgument(std::string("the ") + what +
                           " is a debit balance (an overdrawn account): a regional government account cannot be");
  }
  return balance;
}

// Subfields of a structured :86: ("?20text?31account?32name"); a leading three-digit
// transaction code is skipped.
std::vector<std::pair<std::string, std::string>> QuestionSubfields(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t at = text.find('?');
  while (at != std::string::npos && at + 2 < text.size()) {
    const std::size_t next = text.find('?', at + 3);
    out.emplace_back(text.substr(at + 1, 2), text.substr(at + 3, next == std::string::npos ? std::string::npos : next - at - 3));
    at = next;
  }
  return out;
}

bool IsQuestionStyle(const std::string& first_line) {
  std::size_t at = 0;
  if (first_line.size() >= 3 && IsDigits(first_line.substr(0, 3))) at = 3;
  return first_line.size() >= at + 3 && first_line[at] == '?' && IsDigits(first_line.substr(at + 1, 2));
}

// "/ACC/" style codes, where a value runs to the next known code.
constexpr std::array<std::string_view, 10> kSlashCodes = {"ACCW", "ACC", "IBAN", "NAME", "REMI", "BENM",
                                                         "ORDP", "TRCD", "EREF", "ADDR"};

std::optional<std::string_view> SlashCodeAt(const std::string& text, std::size_t at) {
  for (std::string_view code : kSlashCodes) {
    if (text.compare(at, code.size() + 2, "/" + std::string(code) + "/") == 0) return code;
  }
  return std::nullopt;
}

// Description, counter account and name from an :86:.
void ReadInformation(const Field& field, BankLine& line) {
  const std::string first = Trim(field.value);
  const bool structured = IsQuestionStyle(first) || (first.size() > 1 && first[0] == '/' && SlashCodeAt(first, 0));
  // Structured fields wrap anywhere (a space may end a line): lines join as they are.
  // Free text wraps between words: lines join with a space.
  std::string text = structured ? field.value.substr(field.value.find(first.substr(0, 1))) : first;
  for (const std::string& more : field.more) text += structured ? more : " " + Trim(more);
  if (IsQuestionStyle(first)) {
    std::string description;
    std::string posting;
    for (const auto& [code, value] : QuestionSubfields(text)) {
      if (!IsDigits(code)) continue;
      const int number = (code[0] - '0') * 10 + (code[1] - '0');
      if ((number >= 20 && number <= 29) || (number >= 60 && number <= 63)) description += value;
      if (number == 0) posting = value;
      if (number == 31) line.counter_account = Trim(value);
      if (number == 32 || number == 33) line.counter_name += value;
    }
    line.counter_name = Trim(line.counter_name);
    line.description = Trim(description.empty() ? posting : description);
    return;
  }
  if (first.size() > 1 && first[0] == '/' && SlashCodeAt(first, 0)) {
    std::string remittance;
    std::size_t at = 0;
    while (at < text.size()) {
      std::optional<std::string_view> code = SlashCodeAt(text, at);
      std::size_t next = at + (code ? code->size() + 2 : 1);
      const std::size_t value_start = next;
      while (next < text.size() && !(text[next] == '/' && SlashCodeAt(text, next))) ++next;
      const std::string value = Trim(std::string_view(text).substr(value_start, next - value_start));
      if (code && (*code == "ACCW" || *code == "ACC" || *code == "IBAN") && line.counter_account.empty()) {
        line.counter_account = value;
      }
      if (code && *code == "NAME" && line.counter_name.empty()) line.counter_name = value;
      if (code && *code == "REMI") remittance = value;
      at = next;
    }
    line.description = remittance.empty() ? text : remittance;
    return;
  }
  line.description = text;
}

// The statement as it is read, field by field.
class Mt940Reader {
 public:
  explicit Mt940Reader(Errors& errors) : errors_(errors) {}

  // Reads `field`; false when reading must stop (a second statement).
  bool Read(const Field& field) {
    const std::string& tag = field.tag;
    if (tag == "20") return StartPage(field);
    if (!started_) {
      errors_.Add(field.line, ":" + tag + ": before the statement's first field (:20:)");
      return true;
    }
    if (tag == "25") {
      const std::string account = Trim(field.value);
      if (account.empty()) errors_.Add(field.line, "the account (:25:) is empty");
      if (out_.account_no.empty()) out_.account_no = account;
      if (account != out_.account_no) {
        errors_.Add(field.line, "the account " + account.substr(0, 40) + " is not " + out_.account_no + " of the first page");
      }
    } else if (tag == "28C" || tag == "28") {
      if (out_.statement_no.empty()) out_.statement_no = Trim(field.value);
    } else if (tag == "60F" || tag == "60M") {
      Opening(field);
    } else if (tag == "61") {
      StatementLine(field);
    } else if (tag == "86") {
      // Information for the line just read; an :86: elsewhere (after :62F:) is about the
      // statement and not kept.
      if (last_was_line_ && last_line_ok_) {
        BankLine& line = out_.lines.back();
        ReadInformation(field, line);
        line.type = LineTypeOfSwiftCode(type_code_, line.debit, line.description);
      }
    } else if (tag == "62F" || tag == "62M") {
      Closing(field);
    }  // :64:, :65: (available balances), :13D:, :86: of the statement: not needed.
    last_was_line_ = tag == "61";
    return true;
  }

  // The statement once every field is read; problems go to the errors.
  ParsedStatement Finish(std::int64_t end_line) {
    if (!started_) errors_.Add(0, "not an MT940 statement: no :20: field");
    if (started_ && out_.account_no.empty()) errors_.Add(0, "the statement names no account (:25:)");
    if (started_ && !have_opening_) errors_.Add(0, "the statement has no opening balance (:60F:)");
    if (started_ && !closed_) errors_.Add(end_line, "the statement ends without its closing balance (:62F:)");
    out_.currency = "IDR";
    return std::move(out_);
  }

 private:
  bool StartPage(const Field& field) {
    if (closed_) {
      errors_.Add(field.line, "a second statement begins here: upload one statement per file");
      return false;
    }
    if (started_ && page_open_) {
      errors_.Add(field.line, "a new page (:20:) before the closing balance (:62M: or :62F:) of the page of line " +
                                  std::to_string(page_line_));
    }
    started_ = true;
    page_open_ = true;
    page_line_ = field.line;
    return true;
  }

  void Opening(const Field& field) {
    Result<Balance> balance = ParseBalance(field.value, "opening balance");
    if (!balance) {
      errors_.Add(field.line, balance.error().message);
      running_.reset();
      have_opening_ = true;
      return;
    }
    if (!have_opening_) {
      have_opening_ = true;
      out_.opening_sen = balance->sen;
      out_.period_start = balance->date;
      running_ = balance->sen;
    } else if (page_closing_ && balance->sen != *page_closing_) {
      errors_.Add(field.line, "the opening balance " + FormatMoney(balance->sen) +
                                  " of this page is not the closing balance " + FormatMoney(*page_closing_) +
                                  " of the page before");
    }
    page_closing_.reset();
  }

  void StatementLine(const Field& field) {
    if (!have_opening_) errors_.Add(field.line, "a statement line (:61:) before the opening balance (:60F:)");
    if (out_.lines.size() >= kStatementLinesMax) {
      if (out_.lines.size() == kStatementLinesMax) {
        errors_.Add(field.line, "the statement has more than " + std::to_string(kStatementLinesMax) + " lines");
      }
      return;
    }
    type_code_.clear();
    Result<BankLine> line = ParseLine(field);
    if (!line) {
      errors_.Add(field.line, line.error().message);
      running_.reset();
      last_line_ok_ = false;  // Its :86: must not land on the line before.
      return;
    }
    line->index = static_cast<std::int64_t>(out_.lines.size());
    if (running_) {
      running_ = line->debit ? CheckedSub(*running_, line->amount_sen) : CheckedAdd(*running_, line->amount_sen);
      if (!running_) errors_.Add(field.line, "the running balance leaves the range of amounts");
    }
    out_.lines.push_back(std::move(*line));
    last_line_ok_ = true;
  }

  Result<BankLine> ParseLine(const Field& field) {
    const std::string text = Trim(field.value);
    std::string_view rest(text);
    BankLine line;
    line.source_line = field.line;
    std::optional<std::string> value_date = ShortDate(rest.substr(0, 6));
    if (!value_date) return InvalidArgument("the value date \"" + std::string(rest.substr(0, 6)) + "\" is not a day (YYMMDD)");
    line.value_date = *value_date;
    line.date = *value_date;
    rest.remove_prefix(6);
    if (rest.size() >= 4 && IsDigits(rest.substr(0, 4))) {
      // The entry (booking) date has no year: the value date's, or the one next to it
      // when the two straddle a new year.
      int year = std::stoi(value_date->substr(0, 4));
      const int value_month = std::stoi(value_date->substr(5, 2));
      const int entry_month = std::stoi(std::string(rest.substr(0, 2)));
      if (entry_month == 12 && value_month == 1) --year;
      if (entry_month == 1 && value_month == 12) ++year;
      std::optional<std::string> date = StatementDate(std::to_string(year) + "-" + std::string(rest.substr(0, 2)) + "-" +
                                                      std::string(rest.substr(2, 2)));
      if (!date) return InvalidArgument("the entry date \"" + std::string(rest.substr(0, 4)) + "\" is not a day (MMDD)");
      line.date = *date;
      rest.remove_prefix(4);
    }
    if (rest.substr(0, 2) == "RD" || rest.substr(0, 2) == "RC") {
      line.debit = rest[1] == 'C';  // A reversed credit takes money out; a reversed debit puts it back.
      rest.remove_prefix(2);
    } else if (!rest.empty() && (rest[0] == 'D' || rest[0] == 'C')) {
      line.debit = rest[0] == 'D';
      rest.remove_prefix(1);
    } else {
      return InvalidArgument("the debit/credit mark must be D, C, RD or RC");
    }
    if (!rest.empty() && std::isalpha(static_cast<unsigned char>(rest[0]))) rest.remove_prefix(1);  // Funds code.
    std::size_t amount_end = 0;
    while (amount_end < rest.size() && (std::isdigit(static_cast<unsigned char>(rest[amount_end])) ||
                                     rest[amount_end] == ',' || rest[amount_end] == '.')) {
      ++amount_end;
    }
    Result<std::int64_t> amount = Amount(rest.substr(0, amount_end));
    if (!amount) return amount.error();
    if (*amount == 0) return InvalidArgument("the amount must be more than 0");
    line.amount_sen = *amount;
    rest.remove_prefix(amount_end);
    if (rest.size() < 4 || (rest[0] != 'N' && rest[0] != 'F' && rest[0] != 'S') ||
        !std::all_of(rest.begin() + 1, rest.begin() + 4, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; })) {
      return InvalidArgument("the transaction type must be N, F or S and three characters (NTRF)");
    }
    type_code_ = std::string(rest.substr(0, 4));
    rest.remove_prefix(4);
    const std::size_t slashes = rest.find("//");
    const std::string owner_ref = Trim(rest.substr(0, slashes));
    const std::string bank_ref = slashes == std::string_view::npos ? "" : Trim(rest.substr(slashes + 2));
    line.bank_ref = !bank_ref.empty() ? bank_ref : owner_ref == "NONREF" ? "" : owner_ref;
    std::string supplementary;
    for (const std::string& more : field.more) supplementary += (supplementary.empty() ? "" : " ") + Trim(more);
    line.description = supplementary;
    line.type = LineTypeOfSwiftCode(type_code_, line.debit, line.description);
    return line;
  }

  void Closing(const Field& field) {
    const bool final_balance = field.tag == "62F";
    Result<Balance> balance = ParseBalance(field.value, "closing balance");
    if (!balance) {
      errors_.Add(field.line, balance.error().message);
    } else {
      if (running_ && *running_ != balance->sen) {
        errors_.Add(field.line, "the closing balance " + FormatMoney(balance->sen) +
                                    " is not the opening balance plus credits minus debits, " + FormatMoney(*running_));
      }
      if (final_balance) {
        out_.closing_sen = balance->sen;
        out_.period_end = balance->date;
      } else {
        page_closing_ = balance->sen;
      }
    }
    page_open_ = false;
    closed_ = closed_ || final_balance;
  }

  Errors& errors_;
  ParsedStatement out_;
  std::optional<std::int64_t> running_;       // Opening plus the lines so far; unset after a bad one.
  std::optional<std::int64_t> page_closing_;  // The :62M: the next page's :60M: must equal.
  std::string type_code_;                     // Of the last :61: read.
  std::int64_t page_line_ = 0;
  bool started_ = false;
  bool page_open_ = false;
  bool have_opening_ = false;
  bool closed_ = false;
  bool last_was_line_ = false;
  bool last_line_ok_ = false;
};

}  // namespace

Result<ParsedStatement> ParseMt940(std::string_view bytes) {
  Errors errors;
  std::int64_t end_line = 0;
  const std::vector<Field> fields = SplitFields(bytes, errors, end_line);
  Mt940Reader reader(errors);
  for (const Field& field : fields) {
    if (errors.full() || !reader.Read(field)) break;
  }
  ParsedStatement statement = reader.Finish(end_line);
  if (!errors.empty()) return StatementError(errors.Take());
  return statement;
}

}  // namespace jejak::ledger
