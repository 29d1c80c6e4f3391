// camt.053 statements (server/camt053_reader.h): libxml2's streaming reader walks the
// document once, keeping the path of open elements; the values a statement needs are
// picked up as their elements close, an entry becomes a line when its Ntry closes.
#include "server/camt053_reader.h"

#include <libxml/xmlreader.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/money.h"

namespace jejak::server {
namespace {

using ledger::BankLine;
using ledger::ParsedStatement;

// One element's text (a name, a remittance line) is far shorter; longer text is refused.
constexpr std::size_t kElementTextBytesMax = 4096;
// ISO 20022 element names are at most 35 characters. A longer name is refused, which also
// keeps the joined path of open elements (at most kCamtDepthMax names) a few kilobytes.
constexpr std::size_t kElementNameBytesMax = 64;
constexpr std::size_t kErrorsMax = 1000;

constexpr std::array<std::string_view, 7> kNamespaces = {
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02", "urn:iso:std:iso:20022:tech:xsd:camt.053.001.03",
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.04", "urn:iso:std:iso:20022:tech:xsd:camt.053.001.05",
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.06", "urn:iso:std:iso:20022:tech:xsd:camt.053.001.07",
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"};

struct ReaderFreer {
  void operator()(xmlTextReader* reader) const { xmlFreeTextReader(reader); }
};

std::string Text(const xmlChar* text) { return text == nullptr ? "" : reinterpret_cast<const char*>(text); }

std::string Trim(std::string text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.back())) text.pop_back();
  std::size_t start = 0;
  while (start < text.size() && space(text[start])) ++start;
  return text.substr(start);
}

// libxml2's first complaint about the document, with its line.
struct ParseFailure {
  int line = 0;
  std::string message;
};

void OnXmlError(void* context, xmlErrorPtr error) {
  auto* failure = static_cast<ParseFailure*>(context);
  if (error == nullptr || !failure->message.empty() || error->level < XML_ERR_ERROR) return;
  failure->line = error->line;
  failure->message = Trim(error->message == nullptr ? "malformed XML" : error->message);
}

struct Amount {
  std::string text;
  std::string currency;
  std::int64_t line = 0;
};

struct BalanceRead {
  std::string code;       // OPBD, PRCD, CLBD, ...
  Amount amount;
  std::string indicator;  // CRDT or DBIT.
  std::string date;
  std::int64_t line = 0;
};

struct EntryRead {
  std::int64_t line = 0;
  Amount amount;
  std::string indicator, status, booking, value, servicer_ref, end_to_end, additional_entry, additional_tx;
  std::string domain, family, sub_family, proprietary;
  std::string creditor, debtor, creditor_account, debtor_account, remittance;
  int transactions = 0;  // TxDtls seen; only the first one's details are kept.
};

// Reads the document's elements into the statement.
class CamtReader {
 public:
  // Handles an element that closes, at `path` (local names from the root, '/'-joined).
  void Close(const std::string& path, std::string text) {
    text = Trim(std::move(text));
    // Inside an entry or a balance, what follows its path ("Amt"); the Ntry or Bal element
    // itself (its path is one shorter than the prefix) has nothing to read.
    if (in_entry_) {
      if (path.size() > entry_path_.size()) CloseInEntry(path.substr(entry_path_.size()), std::move(text));
      return;
    }
    if (in_balance_) {
      if (path.size() > balance_path_.size()) CloseInBalance(path.substr(balance_path_.size()), std::move(text));
      return;
    }
    static const std::string kStmt = "Document/BkToCstmrStmt/Stmt/";
    if (path.compare(0, kStmt.size(), kStmt) != 0) return;
    const std::string rest = path.substr(kStmt.size());
    if (rest == "Id") out_.statement_no = text;
    if (rest == "Acct/Id/IBAN" || rest == "Acct/Id/Othr/Id") out_.account_no = text;
    if (rest == "Acct/Ccy" && text != "IDR") Problem(element_line_, "the account's currency is " + text.substr(0, 8) + ": only IDR statements are accepted");
    if (rest == "FrToDt/FrDtTm") from_ = Date(text, "FrDtTm");
    if (rest == "FrToDt/ToDtTm") to_ = Date(text, "ToDtTm");
  }

  // An element opens at `path`, on `line`; `currency` is its Ccy attribute.
  void Open(const std::string& path, std::int64_t line, std::string currency) {
    element_line_ = line;
    currency_ = std::move(currency);
    if (path == "Document/BkToCstmrStmt/Stmt") {
      if (++statements_ == 2) Problem(line, "a second statement (Stmt) begins here: upload one statement per file");
    } else if (path == "Document/BkToCstmrStmt/Stmt/Ntry") {
      in_entry_ = true;
      entry_path_ = path + "/";
      entry_ = EntryRead{};
      entry_.line = line;
    } else if (path == "Document/BkToCstmrStmt/Stmt/Bal") {
      in_balance_ = true;
      balance_path_ = path + "/";
      balance_ = BalanceRead{};
      balance_.line = line;
    } else if (in_entry_ && path == entry_path_ + "NtryDtls/TxDtls") {
      ++entry_.transactions;
    }
  }

  // The end of an element opened by Open at `path` (after its Close).
  void End(const std::string& path) {
    if (in_entry_ && path + "/" == entry_path_) {
      in_entry_ = false;
      FinishEntry();
    } else if (in_balance_ && path + "/" == balance_path_) {
      in_balance_ = false;
      FinishBalance();
    }
  }

  int statements() const { return statements_; }
  bool full() const { return errors_.size() >= kErrorsMax; }

  void Problem(std::int64_t line, std::string message) {
    if (errors_.size() < kErrorsMax) errors_.push_back({line > 0 ? "line " + std::to_string(line) : "file", std::move(message)});
  }

  Result<ParsedStatement> Finish() {
    if (statements_ == 0) Problem(0, "not a camt.053 statement: no BkToCstmrStmt/Stmt");
    if (statements_ > 0 && out_.account_no.empty()) Problem(0, "the statement names no account (Acct/Id)");
    if (statements_ > 0 && !opening_) Problem(0, "the statement has no opening balance (Bal OPBD or PRCD)");
    if (statements_ > 0 && !closing_) Problem(0, "the statement has no closing balance (Bal CLBD)");
    if (errors_.empty()) {
      out_.opening_sen = opening_->second;
      out_.closing_sen = closing_->second;
      out_.period_start = from_.value_or(opening_->first);
      out_.period_end = to_.value_or(closing_->first);
      std::optional<std::int64_t> balance = ledger::BalanceAfter(out_.opening_sen, out_.lines);
      if (!balance || *balance != out_.closing_sen) {
        Problem(closing_line_, "the closing balance " + ledger::FormatMoney(out_.closing_sen) +
                                   " is not the opening balance plus credits minus debits" +
                                   (balance ? ", " + ledger::FormatMoney(*balance) : std::string()));
      }
    }
    if (!errors_.empty()) return ledger::StatementError(std::move(errors_));
    out_.currency = "IDR";
    return std::move(out_);
  }

 private:
  std::optional<std::string> Date(const std::string& text, const char* what) {
    std::optional<std::string> date = ledger::StatementDate(text);
    if (!date) Problem(element_line_, std::string("the ") + what + " \"" + text.substr(0, 32) + "\" is not a date");
    return date;
  }

  void CloseInBalance(const std::string& rest, std::string text) {
    if (rest == "Tp/CdOrPrtry/Cd") balance_.code = text;
    if (rest == "Amt") balance_.amount = Amount{text, currency_, element_line_};
    if (rest == "CdtDbtInd") balance_.indicator = text;
    if (rest == "Dt/Dt" || rest == "Dt/DtTm") balance_.date = Date(text, "balance date").value_or("");
  }

  void CloseInEntry(const std::string& rest, std::string text) {
    if (rest == "Amt") entry_.amount = Amount{text, currency_, element_line_};
    if (rest == "CdtDbtInd") entry_.indicator = text;
    // Sts holds the code up to .001.07 and Sts/Cd from .001.08 (then Sts itself is empty).
    if ((rest == "Sts" || rest == "Sts/Cd") && !text.empty()) entry_.status = text;
    if (rest == "BookgDt/Dt" || rest == "BookgDt/DtTm") entry_.booking = text;
    if (rest == "ValDt/Dt" || rest == "ValDt/DtTm") entry_.value = text;
    if (rest == "AcctSvcrRef") entry_.servicer_ref = text;
    if (rest == "AddtlNtryInf") entry_.additional_entry = text;
    if (rest == "BkTxCd/Domn/Cd") entry_.domain = text;
    if (rest == "BkTxCd/Domn/Fmly/Cd") entry_.family = text;
    if (rest == "BkTxCd/Domn/Fmly/SubFmlyCd") entry_.sub_family = text;
    if (rest == "BkTxCd/Prtry/Cd") entry_.proprietary = text;
    static const std::string kTx = "NtryDtls/TxDtls/";
    if (entry_.transactions != 1 || rest.compare(0, kTx.size(), kTx) != 0) return;
    const std::string tx = rest.substr(kTx.size());
    if (tx == "Refs/EndToEndId" && text != "NOTPROVIDED") entry_.end_to_end = text;
    // Party names: Cdtr/Nm up to .001.07, Cdtr/Pty/Nm from .001.08.
    if (tx == "RltdPties/Cdtr/Nm" || tx == "RltdPties/Cdtr/Pty/Nm") entry_.creditor = text;
    if (tx == "RltdPties/Dbtr/Nm" || tx == "RltdPties/Dbtr/Pty/Nm") entry_.debtor = text;
    if (tx == "RltdPties/CdtrAcct/Id/IBAN" || tx == "RltdPties/CdtrAcct/Id/Othr/Id") entry_.creditor_account = text;
    if (tx == "RltdPties/DbtrAcct/Id/IBAN" || tx == "RltdPties/DbtrAcct/Id/Othr/Id") entry_.debtor_account = text;
    if (tx == "RmtInf/Ustrd" && !text.empty()) entry_.remittance += (entry_.remittance.empty() ? "" : " ") + text;
    if (tx == "AddtlTxInf") entry_.additional_tx = text;
  }

  // Amount in sen if `amount` is an IDR amount; a problem otherwise.
  std::optional<std::int64_t> Money(const Amount& amount, const char* what, std::int64_t line) {
    if (amount.text.empty()) {
      Problem(line, std::string("the ") + what + " has no amount (Amt)");
      return std::nullopt;
    }
    if (amount.currency != "IDR") {
      Problem(amount.line, std::string("the ") + what + " is in " + amount.currency.substr(0, 8) + ": only IDR statements are accepted");
      return std::nullopt;
    }
    Result<std::int64_t> sen = ledger::ParseMoneySen(amount.text);
    if (!sen) {
      Problem(amount.line, std::string("the ") + what + " \"" + amount.text.substr(0, 32) + "\": " + sen.error().message);
      return std::nullopt;
    }
    return *sen;
  }

  void FinishBalance() {
    const bool opening = balance_.code == "OPBD" || balance_.code == "PRCD";
    const bool closing = balance_.code == "CLBD";
    if (!opening && !closing) return;  // Interim and available balances are not needed.
    if (opening && opening_ && !(balance_.code == "OPBD" && opening_code_ == "PRCD")) return;
    std::optional<std::int64_t> sen = Money(balance_.amount, closing ? "closing balance" : "opening balance", balance_.line);
    if (!sen) return;
    if (balance_.indicator != "CRDT") {
      Problem(balance_.line, closing ? "the closing balance is a debit balance (an overdrawn account): a regional "
                                       "government account cannot be"
                                     : "the opening balance is a debit balance (an overdrawn account): a regional "
                                       "government account cannot be");
      return;
    }
    std::string date = balance_.date;
    if (balance_.code == "PRCD" && !date.empty()) {
      // The previous statement's closing: this statement starts the day after.
      const std::chrono::sys_days day{std::chrono::year{std::stoi(date.substr(0, 4))} /
                                      std::chrono::month{static_cast<unsigned>(std::stoi(date.substr(5, 2)))} /
                                      std::chrono::day{static_cast<unsigned>(std::stoi(date.substr(8, 2)))}};
      const std::chrono::year_month_day next{day + std::chrono::days{1}};
      char text[16];
      std::snprintf(text, sizeof(text), "%04d-%02u-%02u", static_cast<int>(next.year()),
                    static_cast<unsigned>(next.month()), static_cast<unsigned>(next.day()));
      date = text;
    }
    if (closing) {
      closing_ = {date, *sen};
      closing_line_ = balance_.line;
    } else {
      opening_ = {date, *sen};
      opening_code_ = balance_.code;
    }
  }

  std::string TypeOf(const EntryRead& entry, bool debit, const std::string& description) const {
    if (entry.sub_family == "CWDL" && debit) return "cash_withdrawal";
    if (entry.sub_family == "CHRG" || entry.sub_family == "FEES" || entry.sub_family == "COMM" ||
        entry.sub_family == "COMI") {
      return "fee";
    }
    if (entry.sub_family == "INTR") return "interest";
    if (entry.sub_family == "OTHR") return "other";
    if (entry.domain.empty() && !entry.proprietary.empty()) {
      return ledger::LineTypeOfSwiftCode(entry.proprietary, debit, description);
    }
    return ledger::LineTypeOfSwiftCode("TRF", debit, description);
  }

  void FinishEntry() {
    if (!entry_.status.empty() && entry_.status != "BOOK") return;  // Not on the balance.
    if (out_.lines.size() >= ledger::kStatementLinesMax) {
      if (out_.lines.size() == ledger::kStatementLinesMax) {
        Problem(entry_.line, "the statement has more than " + std::to_string(ledger::kStatementLinesMax) + " entries");
      }
      return;
    }
    BankLine line;
    line.source_line = entry_.line;
    bool ok = true;
    std::optional<std::int64_t> sen = Money(entry_.amount, "entry", entry_.line);
    ok = ok && sen.has_value();
    if (sen && *sen == 0) {
      Problem(entry_.amount.line, "the entry's amount must be more than 0");
      ok = false;
    }
    if (entry_.indicator != "CRDT" && entry_.indicator != "DBIT") {
      Problem(entry_.line, "the entry's CdtDbtInd must be CRDT or DBIT");
      ok = false;
    }
    std::optional<std::string> booking = ledger::StatementDate(entry_.booking);
    std::optional<std::string> value = entry_.value.empty() ? booking : ledger::StatementDate(entry_.value);
    if (!booking || !value) {
      Problem(entry_.line, "the entry's booking date (BookgDt) and value date (ValDt) must be dates");
      ok = false;
    }
    if (!ok) return;
    line.index = static_cast<std::int64_t>(out_.lines.size());
    line.debit = entry_.indicator == "DBIT";
    line.amount_sen = *sen;
    line.date = *booking;
    line.value_date = *value;
    line.bank_ref = !entry_.servicer_ref.empty() ? entry_.servicer_ref : entry_.end_to_end;
    line.counter_name = line.debit ? entry_.creditor : entry_.debtor;
    line.counter_account = line.debit ? entry_.creditor_account : entry_.debtor_account;
    line.description = !entry_.remittance.empty()       ? entry_.remittance
                       : !entry_.additional_tx.empty() ? entry_.additional_tx
                                                        : entry_.additional_entry;
    line.type = TypeOf(entry_, line.debit, line.description);
    out_.lines.push_back(std::move(line));
  }

  ParsedStatement out_;
  std::vector<FieldError> errors_;
  std::optional<std::pair<std::string, std::int64_t>> opening_, closing_;  // Date, sen.
  std::string opening_code_;
  std::int64_t closing_line_ = 0;
  std::optional<std::string> from_, to_;
  std::int64_t element_line_ = 0;
  std::string currency_;
  int statements_ = 0;
  bool in_entry_ = false;
  bool in_balance_ = false;
  std::string entry_path_, balance_path_;
  EntryRead entry_;
  BalanceRead balance_;
};

std::int64_t NodeLine(xmlTextReaderPtr reader) {
  const long line = xmlGetLineNo(xmlTextReaderCurrentNode(reader));
  return line > 0 ? line : xmlTextReaderGetParserLineNumber(reader);
}

}  // namespace

Result<ParsedStatement> ParseCamt053(std::string_view bytes) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    return ledger::StatementError({{"file", "the file is larger than an XML statement can be"}});
  }
  if (bytes.empty()) return ledger::StatementError({{"file", "the file is empty"}});
  // A statement has no use for a DTD; refusing one before parsing means no internal
  // subset is ever read and no entity is ever declared, let alone expanded.
  if (const std::size_t doctype = bytes.find("<!DOCTYPE"); doctype != std::string_view::npos) {
    const auto line = 1 + std::count(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(doctype), '\n');
    return ledger::StatementError({{"line " + std::to_string(line), "a statement must not declare a DTD or entities"}});
  }
  // No network, no DTD loading, no entity substitution, line numbers past 65535.
  std::unique_ptr<xmlTextReader, ReaderFreer> reader(xmlReaderForMemory(
      bytes.data(), static_cast<int>(bytes.size()), "statement.xml", nullptr, XML_PARSE_NONET | XML_PARSE_BIG_LINES));
  if (!reader) return ledger::StatementError({{"file", "the file is not XML"}});
  ParseFailure failure;
  xmlTextReaderSetStructuredErrorHandler(reader.get(), OnXmlError, &failure);
  CamtReader camt;
  std::vector<std::string> path;  // Open elements' local names.
  std::string joined;             // `path`, '/'-joined.
  std::string text;               // Text of the innermost open element.
  bool root_seen = false;
  const auto fail = [](std::int64_t line, const std::string& why) {
    return ledger::StatementError({{line > 0 ? "line " + std::to_string(line) : "file", why}});
  };
  for (;;) {
    const int status = xmlTextReaderRead(reader.get());
    if (status == 0) break;
    if (status < 0) {
      const std::int64_t line = failure.line > 0 ? failure.line : xmlTextReaderGetParserLineNumber(reader.get());
      return fail(line, "the file is not well-formed XML: " + (failure.message.empty() ? "malformed" : failure.message));
    }
    int type = xmlTextReaderNodeType(reader.get());
    if (type == XML_READER_TYPE_DOCUMENT_TYPE || type == XML_READER_TYPE_ENTITY_REFERENCE ||
        type == XML_READER_TYPE_ENTITY) {
      return fail(NodeLine(reader.get()), "a statement must not declare a DTD or entities");
    }
    if (type == XML_READER_TYPE_ELEMENT) {
      const std::int64_t line = NodeLine(reader.get());
      if (xmlTextReaderDepth(reader.get()) >= kCamtDepthMax) {
        return fail(line, "elements nest deeper than " + std::to_string(kCamtDepthMax));
      }
      const std::string name = Text(xmlTextReaderConstLocalName(reader.get()));
      if (name.size() > kElementNameBytesMax) {
        return fail(line, "an element name is longer than " + std::to_string(kElementNameBytesMax) + " bytes");
      }
      if (!root_seen) {
        root_seen = true;
        const std::string space = Text(xmlTextReaderConstNamespaceUri(reader.get()));
        if (name != "Document" || std::find(kNamespaces.begin(), kNamespaces.end(), space) == kNamespaces.end()) {
          return fail(line, "not a camt.053 statement: the root must be Document in namespace "
                            "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02 to .001.08");
        }
      }
      xmlChar* currency = xmlTextReaderGetAttribute(reader.get(), reinterpret_cast<const xmlChar*>("Ccy"));
      std::string currency_text = Text(currency);
      xmlFree(currency);
      path.push_back(name);
      joined += (joined.empty() ? "" : "/") + name;
      text.clear();
      camt.Open(joined, line, std::move(currency_text));
      if (xmlTextReaderIsEmptyElement(reader.get()) != 1) continue;
      type = XML_READER_TYPE_END_ELEMENT;  // <x/> has no end node: close it now.
    }
    if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) {
      text += Text(xmlTextReaderConstValue(reader.get()));
      if (text.size() > kElementTextBytesMax) {
        return fail(NodeLine(reader.get()), "an element's text is longer than " + std::to_string(kElementTextBytesMax) + " bytes");
      }
    } else if (type == XML_READER_TYPE_END_ELEMENT && !path.empty()) {
      camt.Close(joined, std::move(text));
      text.clear();
      camt.End(joined);
      joined.resize(joined.size() - path.back().size() - (path.size() > 1 ? 1 : 0));
      path.pop_back();
      if (camt.full()) break;
    }
  }
  return camt.Finish();
}

}  // namespace jejak::server
