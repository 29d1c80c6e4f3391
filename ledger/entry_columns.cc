// The query columns derived from a stored entry (DeriveColumns) and the checks of a new
// body against the ledger so far (CheckAgainstLedger), both declared in ledger/entry.h.
// Validation of the bodies themselves is in ledger/entry.cc. Pure: the ledger's state
// comes through LedgerView.
#include "ledger/entry.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/check.h"
#include "base/result.h"
#include "ledger/entry_internal.h"
#include "ledger/limits.h"
#include "ledger/money.h"

namespace jejak::ledger {
namespace {

using nlohmann::json;
using entry_internal::Index;
using entry_internal::kServerFields;
using entry_internal::IsRecordedAt;

std::string StringOr(const json& object, std::string_view key) {
  const auto it = object.find(key);
  if (it == object.end()) return "";
  JEJAK_CHECK(it->is_string());  // Validated before.
  return it->get<std::string>();
}

std::int64_t MoneyOf(const json& value) {
  Result<std::int64_t> sen = ParseMoneySen(value.get_ref<const std::string&>());
  JEJAK_CHECK(sen.has_value());  // Validated before.
  return *sen;
}

Error DataLoss(std::int64_t seq, const std::string& why) {
  return Error{Code::kDataLoss,
               "stored entry " + (seq >= 0 ? std::to_string(seq) : std::string("?")) +
                   " is not valid: " + why,
               {}};
}

Error Conflict(std::string field, std::string message) {
  return Error{Code::kConflict, message, {FieldError{std::move(field), message}}};
}

Result<void> RequireOpdRegistered(const std::string& code, LedgerView& view) {
  Result<bool> registered = view.OpdRegistered(code);
  if (!registered) return registered.error();
  if (!*registered) return FieldInvalid("opd", "OPD " + code + " is not registered");
  return Ok();
}

// The expenditure `seq` names in `field`: kNotFound if absent, `wrong_kind` (with the
// field) if it is another kind, kConflict if it has been reversed.
Result<EntryColumns> UnreversedExpenditure(std::int64_t seq, const char* field, Code wrong_kind,
                                           LedgerView& view) {
  Result<std::optional<EntryColumns>> columns = view.Columns(seq);
  if (!columns) return columns.error();
  if (!columns->has_value()) {
    const std::string message = "entry " + std::to_string(seq) + " does not exist";
    return Error{Code::kNotFound, message, {FieldError{field, message}}};
  }
  if ((*columns)->kind != KindName(Kind::kExpenditure)) {
    const std::string message =
        "entry " + std::to_string(seq) + " is a " + (*columns)->kind + ", not an expenditure";
    return Error{wrong_kind, "invalid entry", {FieldError{field, message}}};
  }
  Result<std::optional<std::int64_t>> reversal = view.ReversalOf(seq);
  if (!reversal) return reversal.error();
  if (reversal->has_value()) {
    return Conflict(field, "entry " + std::to_string(seq) + " is already reversed by entry " +
                               std::to_string(**reversal));
  }
  return std::move(columns).value().value();
}

// A refund returns at most what is still unrefunded of an unreversed expenditure, no
// earlier than the payment and not in a year before the payment's fiscal year. What the
// body says is valid alone but the ledger cannot take it: kOutOfRange (422).
Result<void> CheckRefundAgainstLedger(const json& body, LedgerView& view) {
  const std::int64_t target = body.at("refunds").get<std::int64_t>();
  Result<EntryColumns> original =
      UnreversedExpenditure(target, "refunds", Code::kOutOfRange, view);
  if (!original) return original.error();
  Result<LedgerView::Refunded> refunded = view.RefundsOf(target);
  if (!refunded) return refunded.error();
  const std::int64_t gross = original->amount_sen.value_or(0);
  // Earlier refunds never pass the gross (this check), so the difference is in range.
  const std::int64_t refundable = gross - refunded->amount_sen;
  const std::int64_t amount = MoneyOf(body.at("amount"));
  std::vector<FieldError> errors;
  if (amount > refundable) {
    errors.push_back({"amount", "at most " + FormatMoney(refundable) + " of entry " +
                                    std::to_string(target) + " is still refundable (gross " +
                                    FormatMoney(gross) + ", refunded " +
                                    FormatMoney(refunded->amount_sen) + ")"});
  }
  const std::string value_date = StringOr(body, "value_date");
  if (value_date < original->value_date) {
    errors.push_back({"value_date", "must not be before the expenditure's value_date " +
                                        original->value_date});
  } else if (original->fiscal_year &&
             std::stoll(value_date.substr(0, 4)) < *original->fiscal_year) {
    errors.push_back({"value_date", "must not be before fiscal year " +
                                        std::to_string(*original->fiscal_year) +
                                        " of the expenditure"});
  }
  if (!errors.empty()) {
    return Error{Code::kOutOfRange, "the ledger cannot take this refund", std::move(errors)};
  }
  return Ok();
}

}  // namespace

Result<EntryColumns> DeriveColumns(const json& entry) {
  if (!entry.is_object()) return DataLoss(-1, "not a JSON object");
  EntryColumns columns;
  const auto seq = entry.find("seq");
  if (seq == entry.end() || !seq->is_number_integer() || seq->get<std::int64_t>() < 0 ||
      (seq->is_number_unsigned() &&
       seq->get<std::uint64_t>() >
           static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))) {
    return DataLoss(-1, "seq is missing or not a non-negative integer");
  }
  columns.seq = seq->get<std::int64_t>();
  const auto version = entry.find("v");
  if (version == entry.end() || !version->is_number_integer() ||
      version->get<std::int64_t>() != kFormatVersion) {
    return DataLoss(columns.seq, "v is not " + std::to_string(kFormatVersion));
  }
  const auto recorded_at = entry.find("recorded_at");
  if (recorded_at == entry.end() || !recorded_at->is_string() ||
      !IsRecordedAt(recorded_at->get_ref<const std::string&>())) {
    return DataLoss(columns.seq, "recorded_at is not RFC 3339 UTC with milliseconds");
  }
  const auto recorded_by = entry.find("recorded_by");
  if (recorded_by == entry.end() || !recorded_by->is_string() ||
      recorded_by->get_ref<const std::string&>().empty()) {
    return DataLoss(columns.seq, "recorded_by is missing or empty");
  }
  columns.recorded_at = recorded_at->get<std::string>();
  columns.recorded_by = recorded_by->get<std::string>();

  // Validated as ValidateBody (ValidateGenesis) validates it without its server fields,
  // without copying it.
  const json& body = entry;
  const auto kind_member = body.find("kind");
  const bool genesis = kind_member != body.end() && *kind_member == "genesis";
  // The genesis entry is entry 0, and only it.
  if (genesis != (columns.seq == 0)) {
    return DataLoss(columns.seq, "genesis must be exactly entry 0");
  }
  bool money_not_stored = false;
  Result<void> validated = entry_internal::ValidateStored(entry, genesis, money_not_stored);
  if (!validated) return DataLoss(columns.seq, validated.error().ToString());
  // Stored money has exactly two fraction digits, so validation changes nothing.
  if (money_not_stored) return DataLoss(columns.seq, "money is not in its stored form");

  const std::optional<Kind> kind = ParseKind(body["kind"].get<std::string>());
  JEJAK_CHECK(kind.has_value());
  columns.kind = KindName(*kind);
  switch (*kind) {
    case Kind::kGenesis:
      break;
    case Kind::kOpd:
      columns.opd = StringOr(body, "code");
      break;
    case Kind::kBudget:
      columns.fiscal_year = body["fiscal_year"].get<std::int64_t>();
      columns.opd = StringOr(body, "opd");
      columns.sub_activity = StringOr(body, "sub_activity");
      columns.account = StringOr(body, "account");
      columns.amount_sen = MoneyOf(body["pagu"]);
      columns.value_date = StringOr(body, "effective_date");  // Empty without one.
      if (body.contains("monthly_plan")) {
        for (const json& month : body["monthly_plan"]) {
          if (!columns.monthly_plan.empty()) columns.monthly_plan += ',';
          columns.monthly_plan += std::to_string(MoneyOf(month));
        }
      }
      break;
    case Kind::kExpenditure: {
      columns.fiscal_year = body["fiscal_year"].get<std::int64_t>();
      columns.opd = StringOr(body, "opd");
      columns.sub_activity = StringOr(body, "sub_activity");
      columns.account = StringOr(body, "account");
      columns.instrument = StringOr(body, "instrument");
      columns.mechanism = StringOr(body, "mechanism");
      columns.value_date = StringOr(body, "value_date");
      columns.bank_ref = StringOr(body, "bank_ref");
      const json& payee = body["payee"];
      const std::string bank = StringOr(payee, "bank");
      const std::string account_no = StringOr(payee, "account_no");
      if (!bank.empty() && !account_no.empty()) columns.payee_account = bank + ":" + account_no;
      columns.payee_npwp = StringOr(payee, "npwp");
      columns.amount_sen = MoneyOf(body["gross"]);
      columns.net_sen = MoneyOf(body["net"]);
      std::int64_t tax_sen = 0;
      std::set<std::string> tax_types;  // Sorted and distinct.
      for (const json& tax : body["taxes"]) {
        const std::optional<std::int64_t> sum = CheckedAdd(tax_sen, MoneyOf(tax["amount"]));
        // Validation bounded the taxes' sum by the gross; a stored entry that passed it
        // cannot get here with more, but stored bytes are input too.
        if (!sum) return DataLoss(columns.seq, "the taxes overflow");
        tax_sen = *sum;
        tax_types.insert(tax["type"].get<std::string>());
      }
      columns.tax_sen = tax_sen;
      for (const std::string& type : tax_types) {
        if (!columns.tax_type.empty()) columns.tax_type += ',';
        columns.tax_type += type;
      }
      std::map<std::string, std::int64_t> per_type;
      for (const json& tax : body["taxes"]) {
        std::int64_t& sum = per_type[tax["type"].get<std::string>()];
        sum += MoneyOf(tax["amount"]);  // Bounded by tax_sen, which did not overflow.
      }
      for (const auto& [type, sen] : per_type) {
        if (!columns.tax_detail.empty()) columns.tax_detail += ';';
        columns.tax_detail += type + ":" + std::to_string(sen);
      }
      const json& documents = body["documents"];
      columns.evidence_no = StringOr(documents, "evidence_no");
      columns.evidence_date = StringOr(documents, "evidence_date");
      break;
    }
    case Kind::kReversal:
      columns.reverses = body["reverses"].get<std::int64_t>();
      break;
    case Kind::kRefund:
      // Like a reversal, a refund carries no OPD of its own: it is its original's. Its
      // fiscal year is the year its cash came back.
      columns.refunds = body["refunds"].get<std::int64_t>();
      columns.value_date = StringOr(body, "value_date");
      columns.fiscal_year = std::stoll(columns.value_date.substr(0, 4));
      columns.amount_sen = MoneyOf(body["amount"]);
      break;
    case Kind::kTaxDeposit:
      columns.fiscal_year = body["fiscal_year"].get<std::int64_t>();
      columns.opd = StringOr(body, "opd");
      columns.tax_type = StringOr(body, "tax_type");
      columns.value_date = StringOr(body, "deposit_date");
      columns.amount_sen = MoneyOf(body["amount"]);
      for (const json& covered : body["covers"]) {
        if (!columns.covers.empty()) columns.covers += ',';
        columns.covers += std::to_string(covered.get<std::int64_t>());
      }
      break;
    case Kind::kBankStatement:
      entry_internal::StatementColumns(body, columns);
      break;
  }
  return columns;
}

Result<void> CheckAgainstLedger(const json& body, LedgerView& view) {
  JEJAK_CHECK(body.is_object());
  const std::optional<Kind> kind = ParseKind(StringOr(body, "kind"));
  JEJAK_CHECK(kind.has_value());  // ValidateBody checked the kind.
  switch (*kind) {
    case Kind::kGenesis:
      return Ok();
    case Kind::kOpd: {
      const std::string code = StringOr(body, "code");
      Result<bool> registered = view.OpdRegistered(code);
      if (!registered) return registered.error();
      if (*registered) return Conflict("code", "OPD " + code + " is already registered");
      return Ok();
    }
    case Kind::kBudget:
      return RequireOpdRegistered(StringOr(body, "opd"), view);
    case Kind::kExpenditure: {
      Result<void> opd = RequireOpdRegistered(StringOr(body, "opd"), view);
      if (!opd) return opd;
      const std::string bank_ref = StringOr(body, "bank_ref");
      if (bank_ref.empty()) return Ok();  // Cash: no bank reference.
      Result<std::optional<std::int64_t>> holder = view.SeqOfBankRef(bank_ref);
      if (!holder) return holder.error();
      if (holder->has_value()) {
        return Conflict("bank_ref", "bank_ref " + bank_ref + " is already recorded in entry " +
                                        std::to_string(**holder));
      }
      return Ok();
    }
    case Kind::kReversal: {
      const std::int64_t target = body.at("reverses").get<std::int64_t>();
      Result<EntryColumns> original =
          UnreversedExpenditure(target, "reverses", Code::kInvalidArgument, view);
      if (!original) return original.error();
      // Once cash came back (pengembalian), the payment was real: not a recording error.
      Result<LedgerView::Refunded> refunded = view.RefundsOf(target);
      if (!refunded) return refunded.error();
      if (refunded->first_seq) {
        return Conflict("reverses", "entry " + std::to_string(target) +
                                        " has a refund (entry " +
                                        std::to_string(*refunded->first_seq) +
                                        "): cash moved, so it cannot be corrected by a reversal");
      }
      return Ok();
    }
    case Kind::kRefund:
      return CheckRefundAgainstLedger(body, view);
    case Kind::kBankStatement: {
      if (body.contains("opd")) {  // A treasurer's account.
        Result<void> registered = RequireOpdRegistered(StringOr(body, "opd"), view);
        if (!registered) return registered;
      }
      return entry_internal::CheckStatementAgainstLedger(body, view);
    }
    case Kind::kTaxDeposit: {
      const std::string opd = StringOr(body, "opd");
      Result<void> registered = RequireOpdRegistered(opd, view);
      if (!registered) return registered;
      const std::int64_t fiscal_year = body.at("fiscal_year").get<std::int64_t>();
      const std::string tax_type = StringOr(body, "tax_type");
      const json& covers = body.at("covers");
      JEJAK_CHECK(covers.size() <= kCoversMax);
      std::vector<FieldError> errors;
      for (std::size_t i = 0; i < covers.size(); ++i) {
        const std::int64_t seq = covers[i].get<std::int64_t>();
        const std::string field = Index("covers", i);
        const std::string entry_name = "entry " + std::to_string(seq);
        Result<std::optional<EntryColumns>> columns = view.Columns(seq);
        if (!columns) return columns.error();
        if (!columns->has_value()) {
          errors.push_back({field, entry_name + " does not exist"});
          continue;
        }
        const EntryColumns& covered = **columns;
        if (covered.kind != KindName(Kind::kExpenditure)) {
          errors.push_back({field, entry_name + " is a " + covered.kind + ", not an expenditure"});
          continue;
        }
        if (covered.opd != opd) {
          errors.push_back({field, entry_name + " belongs to OPD " + covered.opd});
          continue;
        }
        if (covered.fiscal_year != fiscal_year) {
          errors.push_back({field, entry_name + " is of another fiscal year"});
          continue;
        }
        // DeriveColumns lists an expenditure's withheld tax types in tax_type.
        bool withheld = false;
        std::string_view types = covered.tax_type;
        while (!types.empty()) {
          const std::size_t comma = types.find(',');
          if (types.substr(0, comma) == tax_type) withheld = true;
          types = comma == std::string_view::npos ? std::string_view() : types.substr(comma + 1);
        }
        if (!withheld) {
          errors.push_back({field, entry_name + " withheld no " + tax_type});
          continue;
        }
        Result<std::optional<std::int64_t>> reversal = view.ReversalOf(seq);
        if (!reversal) return reversal.error();
        if (reversal->has_value()) {
          errors.push_back(
              {field, entry_name + " is reversed by entry " + std::to_string(**reversal)});
        }
      }
      if (!errors.empty()) return InvalidArgument("invalid tax deposit", std::move(errors));
      return Ok();
    }
  }
  JEJAK_CHECK(false);
  return Ok();
}

}  // namespace jejak::ledger
