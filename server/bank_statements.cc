// Bank statement uploads: file → parsed statement → validated entry body, and the answers
// (server/bank_statements.h).
#include "server/bank_statements.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <utility>

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "ledger/entry.h"
#include "server/camt053_reader.h"
#include "server/handlers/common.h"
#include "server/reconciliation_report.h"

namespace jejak::server {
namespace {

using nlohmann::json;

// A bank's name: printable text, as a statement's `bank` field takes it.
constexpr std::size_t kBankNameBytesMax = 128;
// An account number as the contract writes it: 1 to 34 digits, '-' or '.'.
constexpr std::size_t kAccountNoBytesMax = 34;

enum Name { kAccount, kFormat, kBank, kRole, kOpd, kMapping, kPeriodStart, kPeriodEnd, kOpening, kNames };

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool IsAccountNo(const std::string& text) {
  if (text.empty() || text.size() > kAccountNoBytesMax) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || c == '-' || c == '.'; });
}

bool IsBankName(const std::string& text) {
  if (text.empty() || text.size() > kBankNameBytesMax) return false;
  return std::none_of(text.begin(), text.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// A parser's or validation's refusal of the file: 422 with the same errors.
Error Unprocessable(const Error& error, const std::string& fallback_field) {
  Error out{Code::kOutOfRange, "invalid statement", error.fields};
  if (out.fields.empty()) out.fields.push_back({fallback_field, error.message});
  return out;
}

// ValidateBody's errors with each line's member named by the line of the file:
// "lines[3].balance" becomes field "line 17" (its source line) with the member in the
// message.
Error LineErrors(const Error& error, const ledger::ParsedStatement& parsed) {
  Error out{Code::kOutOfRange, "invalid statement", {}};
  for (const FieldError& field : error.fields) {
    if (field.field.rfind("lines[", 0) != 0) {
      out.fields.push_back(field);
      continue;
    }
    char* end = nullptr;
    const unsigned long long index = std::strtoull(field.field.c_str() + 6, &end, 10);
    std::string name = field.field;
    if (end != field.field.c_str() + 6 && *end == ']' && index < parsed.lines.size()) {
      const ledger::BankLine& line = parsed.lines[static_cast<std::size_t>(index)];
      name = "line " + std::to_string(line.source_line > 0 ? line.source_line
                                                           : static_cast<std::int64_t>(index) + 1);
    }
    out.fields.push_back({name, field.field + ": " + field.message});
  }
  if (out.fields.empty()) out.fields.push_back({"file", error.message});
  return out;
}

Result<ledger::ParsedStatement> Parse(std::string_view bytes, const StatementRequest& request) {
  if (request.format == "mt940") return ledger::ParseMt940(bytes);
  if (request.format == "camt053") return ParseCamt053(bytes);
  ledger::StatementCsvContext context;
  context.account_no = request.account_no;
  context.period_start = request.period_start.value_or("");
  context.period_end = request.period_end.value_or("");
  context.opening_sen = request.opening_sen;
  return ledger::ParseStatementCsv(bytes, *request.mapping, context);
}

// Who holds the account: the request's values for its first statement, else its newest
// statement's (a request value that differs is a conflict).
Result<ledger::StatementMeta> Holder(const StatementRequest& request,
                                     const std::vector<ledger::StatementPeriod>& earlier,
                                     const std::vector<std::string>& names) {
  ledger::StatementMeta meta;
  meta.account_no = request.account_no;
  meta.format = request.format;
  if (!earlier.empty()) {
    const ledger::StatementPeriod& newest = earlier.front();
    const std::pair<const std::optional<std::string>*, const std::string*> kept[] = {
        {&request.bank, &newest.bank}, {&request.role, &newest.account_role}, {&request.opd, &newest.opd}};
    const Name kept_names[] = {kBank, kRole, kOpd};
    for (std::size_t i = 0; i < 3; ++i) {
      const auto& [given, stored] = kept[i];
      if (given->has_value() && **given != *stored) {
        const std::string field = names[kept_names[i]];
        return Error{Code::kConflict,
                     "account " + request.account_no + " keeps " + field + " " +
                         (stored->empty() ? std::string("(none)") : *stored) + " of statement " +
                         std::to_string(newest.seq),
                     {{field, "the account's statements name " +
                                  (stored->empty() ? std::string("none") : *stored)}}};
      }
    }
    meta.bank = newest.bank;
    meta.account_role = newest.account_role;
    meta.opd = newest.opd;
    return meta;
  }
  std::vector<FieldError> missing;
  if (!request.bank) missing.push_back({names[kBank], "required for the account's first statement"});
  if (!request.role) missing.push_back({names[kRole], "required for the account's first statement"});
  if (request.role == std::string(ledger::kAccountRoleTreasurer) && !request.opd) {
    missing.push_back({names[kOpd], "required for a treasurer's account"});
  }
  if (!missing.empty()) return InvalidArgument("invalid request", std::move(missing));
  meta.bank = *request.bank;
  meta.account_role = *request.role;
  meta.opd = request.opd.value_or("");
  return meta;
}

}  // namespace

std::optional<std::string> StatementFormatOfPath(std::string_view path) {
  const std::string lower = Lower(path);
  if (EndsWith(lower, ".csv")) return "csv";
  if (EndsWith(lower, ".xml")) return "camt053";
  for (const char* suffix : {".mt940", ".sta", ".940", ".txt"}) {
    if (EndsWith(lower, suffix)) return "mt940";
  }
  return std::nullopt;
}

Result<void> CheckStatementRequest(const StatementRequest& request, const std::vector<std::string>& names) {
  JEJAK_CHECK(names.size() == kNames);
  std::vector<FieldError> errors;
  if (request.account_no.empty()) {
    errors.push_back({names[kAccount], "required"});
  } else if (!IsAccountNo(request.account_no)) {
    errors.push_back({names[kAccount], "must be 1 to 34 digits, '-' or '.'"});
  }
  const bool known_format = std::find(ledger::kStatementFormats.begin(), ledger::kStatementFormats.end(),
                                      request.format) != ledger::kStatementFormats.end();
  if (!known_format) errors.push_back({names[kFormat], "must be one of mt940, camt053, csv"});
  if (request.bank && !IsBankName(*request.bank)) {
    errors.push_back({names[kBank], "must be 1 to 128 characters without control characters"});
  }
  const bool treasurer = request.role == std::string(ledger::kAccountRoleTreasurer);
  if (request.role && !treasurer && *request.role != ledger::kAccountRoleRkud) {
    errors.push_back({names[kRole], "must be one of rkud, bendahara_pengeluaran"});
  }
  if (request.opd && !MatchesOpdCode(*request.opd)) {
    errors.push_back({names[kOpd], "not an OPD unit code"});
  } else if (request.opd && request.role && !treasurer) {
    errors.push_back({names[kOpd], "only for a treasurer's account (role bendahara_pengeluaran)"});
  }
  const bool csv = request.format == "csv";
  if (csv && !request.mapping) errors.push_back({names[kMapping], "required for format csv"});
  const std::pair<Name, bool> csv_only[] = {{kMapping, request.mapping.has_value()},
                                            {kPeriodStart, request.period_start.has_value()},
                                            {kPeriodEnd, request.period_end.has_value()},
                                            {kOpening, request.opening_sen.has_value()}};
  for (const auto& [name, given] : csv_only) {
    if (given && known_format && !csv) errors.push_back({names[name], "only for format csv"});
  }
  for (const auto& [name, date] : {std::pair{kPeriodStart, &request.period_start},
                                   std::pair{kPeriodEnd, &request.period_end}}) {
    if (*date && !IsRealDate(**date)) errors.push_back({names[name], "must be a calendar date YYYY-MM-DD"});
  }
  if (!errors.empty()) return InvalidArgument("invalid request", std::move(errors));
  return Ok();
}

Result<PlannedStatement> PlanStatement(std::string_view bytes, const StatementRequest& request,
                                       const std::vector<ledger::StatementPeriod>& earlier,
                                       const std::vector<std::string>& names) {
  if (Result<void> checked = CheckStatementRequest(request, names); !checked) return checked.error();
  Result<ledger::StatementMeta> meta = Holder(request, earlier, names);
  if (!meta) return meta.error();
  Result<ledger::ParsedStatement> parsed = Parse(bytes, request);
  if (!parsed) {
    if (parsed.error().code != Code::kInvalidArgument) return parsed.error();
    return Unprocessable(parsed.error(), "file");
  }
  meta->file_sha256 = crypto::ToHex(crypto::Sha256(bytes));
  Result<json> body = ledger::StatementBody(*parsed, *meta);
  if (!body) {
    if (body.error().code != Code::kInvalidArgument) return body.error();
    return Unprocessable(body.error(), names[kAccount]);
  }
  Result<json> valid = ledger::ValidateBody(*body);
  if (!valid) {
    if (valid.error().code != Code::kInvalidArgument) return valid.error();
    return LineErrors(valid.error(), *parsed);
  }
  PlannedStatement plan;
  plan.body = std::move(valid).value();
  plan.period_start = parsed->period_start;
  plan.period_end = parsed->period_end;
  plan.fiscal_year = std::atoll(parsed->period_start.substr(0, 4).c_str());
  plan.lines = static_cast<std::int64_t>(parsed->lines.size());
  for (const ledger::BankLine& line : parsed->lines) ++(line.debit ? plan.debits : plan.credits);
  plan.file_sha256 = meta->file_sha256;
  return plan;
}

json StatementAnswer(const PlannedStatement& plan, std::int64_t seq, std::uint64_t tree_size,
                     const std::string& checkpoint) {
  return {{"seq", seq},
          {"tree_size", tree_size},
          {"account_no", plan.body.value("account_no", "")},
          {"fiscal_year", plan.fiscal_year},
          {"period_start", plan.period_start},
          {"period_end", plan.period_end},
          {"lines", plan.lines},
          {"debits", plan.debits},
          {"credits", plan.credits},
          {"file_sha256", plan.file_sha256},
          {"checkpoint", checkpoint}};
}

Result<json> ReconciliationSummary(const db::StoredReconciliation& stored, const db::ReconciledYear& computed) {
  Result<json> report = ReconciliationReport(computed.input, computed.reconciliation, {}, {});
  if (!report) return report.error();
  return json{{"fiscal_year", stored.fiscal_year},
              {"tree_size", stored.tree_size},
              {"window_days", stored.window_days},
              {"result_sha256", stored.result_sha256},
              {"totals", std::move((*report)["totals"])}};
}

}  // namespace jejak::server
