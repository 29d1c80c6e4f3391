// Statement file writers (cli/statement_writers.h).
#include "cli/statement_writers.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "ledger/money.h"

namespace jejak::cli {
namespace {

using ledger::BankLine;
using ledger::ParsedStatement;

// "2025-01-31" -> "250131".
std::string ShortDate(const std::string& date) { return date.substr(2, 2) + date.substr(5, 2) + date.substr(8, 2); }

// Sen as MT940 writes them: "1500000,00".
std::string Mt940Amount(std::int64_t sen) {
  std::string text = ledger::FormatMoney(sen);
  std::replace(text.begin(), text.end(), '.', ',');
  return text;
}

std::string SwiftCode(const BankLine& line) {
  if (line.type == "cash_withdrawal") return "NCHK";
  if (line.type == "fee") return "NCHG";
  if (line.type == "interest") return "NINT";
  if (line.type == "other") return "NMSC";
  return "NTRF";
}

std::string SubfieldText(std::string text) {
  for (char& c : text) {
    if (c == '?') c = '.';
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return text;
}

// The :86: of `line` as subfields; empty when there is nothing to say.
std::string Information(const BankLine& line) {
  std::string out;
  const std::string description = SubfieldText(line.description);
  static constexpr std::string_view kCodes[] = {"20", "21", "22", "23", "24", "25", "26",
                                                "27", "28", "29", "60", "61", "62", "63"};
  constexpr std::size_t kChunk = 27;
  std::size_t at = 0;
  for (std::size_t i = 0; i < std::size(kCodes) && at < description.size(); ++i) {
    const bool last = i + 1 == std::size(kCodes);
    out += "?" + std::string(kCodes[i]) + description.substr(at, last ? std::string::npos : kChunk);
    at += kChunk;
  }
  if (!line.counter_account.empty()) out += "?31" + SubfieldText(line.counter_account);
  const std::string name = SubfieldText(line.counter_name);
  if (!name.empty()) out += "?32" + name.substr(0, kChunk);
  if (name.size() > kChunk) out += "?33" + name.substr(kChunk);
  return out;
}

// `text` after `tag` in lines of at most 65 characters; no continuation line starts
// with what a reader would take for a tag, a block or the end of the message.
void AppendWrapped(std::string& out, const std::string& tag, const std::string& text) {
  constexpr std::size_t kWidth = 65;
  std::size_t at = 0;
  bool first = true;
  while (at < text.size()) {
    // A line is at most 65 characters, the tag included.
    std::size_t size = std::min(first ? kWidth - tag.size() : kWidth, text.size() - at);
    while (at + size < text.size() && size > 1 &&
           (text[at + size] == ':' || text[at + size] == '-' || text[at + size] == '{' || text[at + size] == ' ')) {
      --size;
    }
    out += (first ? tag : "") + text.substr(at, size) + "\r\n";
    first = false;
    at += size;
  }
}

std::string XmlEscaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\r': out += "&#13;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// ISO 20022 bank transaction codes: domain, family, sub-family.
std::string BankTransactionCode(const BankLine& line) {
  std::string domain = "PMNT";
  std::string family = line.debit ? "ICDT" : "RCDT";
  std::string sub = "DMCT";
  if (line.type == "cash_withdrawal") {
    family = "CNTR";
    sub = "CWDL";
  } else if (line.type == "fee" || line.type == "interest" || line.type == "other") {
    domain = "ACMT";
    family = line.type == "interest" ? "MCOP" : "MDOP";
    sub = line.type == "fee" ? "CHRG" : line.type == "interest" ? "INTR" : "OTHR";
  }
  return "<BkTxCd><Domn><Cd>" + domain + "</Cd><Fmly><Cd>" + family + "</Cd><SubFmlyCd>" + sub +
         "</SubFmlyCd></Fmly></Domn></BkTxCd>";
}

std::string Party(const std::string& role, const std::string& name, bool version08) {
  const std::string named = "<Nm>" + XmlEscaped(name) + "</Nm>";
  return "<" + role + ">" + (version08 ? "<Pty>" + named + "</Pty>" : named) + "</" + role + ">";
}

std::string Entry(const BankLine& line, bool version08) {
  std::string out = "      <Ntry>\n";
  out += "        <Amt Ccy=\"IDR\">" + ledger::FormatMoney(line.amount_sen) + "</Amt>\n";
  out += line.debit ? "        <CdtDbtInd>DBIT</CdtDbtInd>\n" : "        <CdtDbtInd>CRDT</CdtDbtInd>\n";
  out += version08 ? "        <Sts><Cd>BOOK</Cd></Sts>\n" : "        <Sts>BOOK</Sts>\n";
  out += "        <BookgDt><Dt>" + line.date + "</Dt></BookgDt>\n";
  out += "        <ValDt><Dt>" + line.value_date + "</Dt></ValDt>\n";
  if (!line.bank_ref.empty()) out += "        <AcctSvcrRef>" + XmlEscaped(line.bank_ref) + "</AcctSvcrRef>\n";
  out += "        " + BankTransactionCode(line) + "\n";
  const bool parties = !line.counter_name.empty() || !line.counter_account.empty();
  if (parties || !line.description.empty()) {
    out += "        <NtryDtls><TxDtls>\n";
    if (parties) {
      const std::string role = line.debit ? "Cdtr" : "Dbtr";
      out += "          <RltdPties>";
      if (!line.counter_name.empty()) out += Party(role, line.counter_name, version08);
      if (!line.counter_account.empty()) {
        out += "<" + role + "Acct><Id><Othr><Id>" + XmlEscaped(line.counter_account) + "</Id></Othr></Id></" + role + "Acct>";
      }
      out += "</RltdPties>\n";
    }
    if (!line.description.empty()) out += "          <RmtInf><Ustrd>" + XmlEscaped(line.description) + "</Ustrd></RmtInf>\n";
    out += "        </TxDtls></NtryDtls>\n";
  }
  out += "      </Ntry>\n";
  return out;
}

std::string Balance(const char* code, std::int64_t sen, const std::string& date) {
  std::string out = "      <Bal>\n        <Tp><CdOrPrtry><Cd>";
  out += code;
  out += "</Cd></CdOrPrtry></Tp>\n        <Amt Ccy=\"IDR\">";
  out += ledger::FormatMoney(sen);
  out += "</Amt>\n        <CdtDbtInd>CRDT</CdtDbtInd>\n        <Dt><Dt>";
  out += date;
  out += "</Dt></Dt>\n      </Bal>\n";
  return out;
}

// "1.234.567,89" (decimal ',') or "1,234,567.89" (decimal '.').
std::string GroupedAmount(std::int64_t sen, char decimal) {
  const std::string plain = ledger::FormatMoney(sen);
  const std::string whole = plain.substr(0, plain.size() - 3);
  const char group = decimal == ',' ? '.' : ',';
  std::string out;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) out.push_back(group);
    out.push_back(whole[i]);
  }
  return out + decimal + plain.substr(plain.size() - 2);
}

// "2025-01-31" in `format` (YYYY, MM and DD with one separator).
std::string FormattedDate(const std::string& date, const std::string& format) {
  std::string out = format;
  const auto put = [&out](std::string_view token, std::string_view value) {
    const std::size_t at = out.find(token);
    if (at != std::string::npos) out.replace(at, token.size(), value);
  };
  put("YYYY", std::string_view(date).substr(0, 4));
  put("MM", std::string_view(date).substr(5, 2));
  put("DD", std::string_view(date).substr(8, 2));
  return out;
}

std::string CsvCell(const std::string& text, char separator) {
  if (text.find_first_of(std::string("\"\r\n") + separator) == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace

std::string WriteMt940(const ParsedStatement& statement) {
  std::string out = "{1:F01BPDBIDJ1AXXX0000000000}{2:I940BPDBIDJ1XXXXN}{4:\r\n";
  const std::string reference = statement.statement_no.empty() ? "STATEMENT" : statement.statement_no.substr(0, 16);
  out += ":20:" + reference + "\r\n";
  out += ":25:" + statement.account_no + "\r\n";
  if (!statement.statement_no.empty()) out += ":28C:" + statement.statement_no + "\r\n";
  out += ":60F:C" + ShortDate(statement.period_start) + "IDR" + Mt940Amount(statement.opening_sen) + "\r\n";
  for (const BankLine& line : statement.lines) {
    out += ":61:" + ShortDate(line.value_date) + line.date.substr(5, 2) + line.date.substr(8, 2) +
           (line.debit ? "D" : "C") + Mt940Amount(line.amount_sen) + SwiftCode(line) + "NONREF" +
           (line.bank_ref.empty() ? "" : "//" + line.bank_ref) + "\r\n";
    const std::string information = Information(line);
    if (!information.empty()) AppendWrapped(out, ":86:", information);
  }
  out += ":62F:C" + ShortDate(statement.period_end) + "IDR" + Mt940Amount(statement.closing_sen) + "\r\n";
  out += ":64:C" + ShortDate(statement.period_end) + "IDR" + Mt940Amount(statement.closing_sen) + "\r\n";
  out += "-}\r\n";
  return out;
}

std::string WriteCamt053(const ParsedStatement& statement, int version) {
  const bool version08 = version == 8;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += version08 ? "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">\n"
                   : "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n";
  out += "  <BkToCstmrStmt>\n    <GrpHdr>\n      <MsgId>" + XmlEscaped(statement.statement_no.empty() ? "STATEMENT" : statement.statement_no) +
         "</MsgId>\n      <CreDtTm>" + statement.period_end + "T23:59:59+07:00</CreDtTm>\n    </GrpHdr>\n";
  out += "    <Stmt>\n";
  if (!statement.statement_no.empty()) out += "      <Id>" + XmlEscaped(statement.statement_no) + "</Id>\n";
  out += "      <FrToDt><FrDtTm>" + statement.period_start + "T00:00:00+07:00</FrDtTm><ToDtTm>" + statement.period_end +
         "T23:59:59+07:00</ToDtTm></FrToDt>\n";
  out += "      <Acct><Id><Othr><Id>" + XmlEscaped(statement.account_no) + "</Id></Othr></Id><Ccy>IDR</Ccy></Acct>\n";
  out += Balance("OPBD", statement.opening_sen, statement.period_start);
  out += Balance("CLBD", statement.closing_sen, statement.period_end);
  for (const BankLine& line : statement.lines) out += Entry(line, version08);
  out += "    </Stmt>\n  </BkToCstmrStmt>\n</Document>\n";
  return out;
}

std::string WriteStatementCsv(const ParsedStatement& statement, const ledger::StatementCsvMapping& mapping) {
  const char separator = mapping.separator == 0 ? ',' : mapping.separator;
  std::vector<std::pair<std::string, std::string>> columns;  // Header, what it holds.
  const auto add = [&columns](const std::string& header, const char* what) {
    if (!header.empty()) columns.emplace_back(header, what);
  };
  add(mapping.date, "date");
  add(mapping.value_date, "value_date");
  add(mapping.description, "description");
  add(mapping.bank_ref, "bank_ref");
  add(mapping.counter_account, "counter_account");
  add(mapping.counter_name, "counter_name");
  add(mapping.type, "type");
  add(mapping.amount, "amount");
  add(mapping.direction, "direction");
  add(mapping.debit, "debit");
  add(mapping.credit, "credit");
  add(mapping.balance, "balance");
  std::string out;
  for (std::size_t i = 0; i < columns.size(); ++i) out += (i > 0 ? std::string(1, separator) : "") + CsvCell(columns[i].first, separator);
  out += "\r\n";
  std::int64_t balance = statement.opening_sen;
  for (const BankLine& line : statement.lines) {
    balance = line.balance_sen.value_or(line.debit ? balance - line.amount_sen : balance + line.amount_sen);
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const std::string& what = columns[i].second;
      std::string cell;
      if (what == "date") cell = FormattedDate(line.date, mapping.date_format);
      if (what == "value_date") cell = FormattedDate(line.value_date, mapping.date_format);
      if (what == "description") cell = line.description;
      if (what == "bank_ref") cell = line.bank_ref;
      if (what == "counter_account") cell = line.counter_account;
      if (what == "counter_name") cell = line.counter_name;
      if (what == "type") cell = line.type;
      if (what == "amount") cell = GroupedAmount(line.amount_sen, mapping.decimal);
      if (what == "direction") cell = line.debit ? "D" : "K";
      if (what == "debit" && line.debit) cell = GroupedAmount(line.amount_sen, mapping.decimal);
      if (what == "credit" && !line.debit) cell = GroupedAmount(line.amount_sen, mapping.decimal);
      if (what == "balance") cell = GroupedAmount(balance, mapping.decimal);
      out += (i > 0 ? std::string(1, separator) : "") + CsvCell(cell, separator);
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace jejak::cli
