// GET /v1/reconciliation's answer from a reconciliation (server/reconciliation_report.h):
// every count and sum is over the lines and payments in the filter's scope, with checked
// arithmetic (the amounts come from uploaded files).
#include "server/reconciliation_report.h"

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/check.h"
#include "ledger/absorption.h"
#include "ledger/money.h"

namespace jejak::server {
namespace {

using nlohmann::json;

// A count and an amount in sen. Add returns false when the amount would leave the range.
struct Sum {
  std::int64_t lines = 0;
  std::int64_t amount_sen = 0;
  bool Add(std::int64_t sen) {
    const std::optional<std::int64_t> sum = ledger::CheckedAdd(amount_sen, sen);
    if (!sum) return false;
    amount_sen = *sum;
    ++lines;
    return true;
  }
};

struct MonthSums {
  Sum debits, matched, unmatched_debits, unmatched_payments;
};

struct AccountSums {
  const ledger::BankStatementFacts* newest = nullptr;  // Of the statements in scope.
  std::int64_t statements = 0;
  std::string period_start, period_end;
  std::int64_t debit_lines = 0, matched_lines = 0, breaks = 0;
};

// matched / total as a percent with two decimals, half away from zero; "0.00" for no total.
std::string Percent(std::int64_t matched, std::int64_t total) {
  if (total <= 0) return ledger::FormatBasisPoints(0);
  __extension__ typedef __int128 Int128;
  const Int128 scaled = static_cast<Int128>(matched) * 10000;
  return ledger::FormatBasisPoints(static_cast<std::int64_t>((scaled + total / 2) / total));
}

Error Overflow() {
  return Error{Code::kOutOfRange, "the reconciliation's totals pass the range of an amount", {}};
}

class Report {
 public:
  Report(const ledger::ReconcileInput& input, const ledger::Reconciliation& reconciliation,
         const ReconciliationFilter& filter, const std::map<std::string, std::string>& opd_names)
      : input_(input), reconciliation_(reconciliation), filter_(filter), opd_names_(opd_names) {
    for (const ledger::BankStatementFacts& statement : input_.statements) {
      statements_[statement.seq] = &statement;
    }
    for (const ledger::BankPaymentFacts& payment : input_.payments) payments_[payment.seq] = &payment;
  }

  Result<json> Build() {
    if (!CountStatements() || !CountMatches() || !CountUnmatched()) return Overflow();
    json totals = {{"debit_lines", debits_.lines},
                   {"debit_amount", ledger::FormatMoney(debits_.amount_sen)},
                   {"matched_lines", matched_.lines},
                   {"matched_amount", ledger::FormatMoney(matched_.amount_sen)},
                   {"matched_percent", Percent(matched_.amount_sen, debits_.amount_sen)},
                   {"unmatched_debit_lines", unmatched_debits_.lines},
                   {"unmatched_debit_amount", ledger::FormatMoney(unmatched_debits_.amount_sen)},
                   {"unmatched_payments", unmatched_payments_.lines},
                   {"unmatched_payment_amount", ledger::FormatMoney(unmatched_payments_.amount_sen)},
                   {"cash_withdrawals", cash_.lines},
                   {"cash_withdrawal_amount", ledger::FormatMoney(cash_.amount_sen)},
                   {"amount_mismatches", mismatches_},
                   {"breaks", breaks_}};
    json accounts = json::array();
    for (const auto& [account_no, sums] : accounts_) {
      const ledger::BankStatementFacts& newest = *sums.newest;
      accounts.push_back({{"account_no", account_no},
                          {"bank", newest.bank},
                          {"role", newest.account_role},
                          {"opd", newest.opd},
                          {"opd_name", OpdName(newest.opd)},
                          {"statements", sums.statements},
                          {"period_start", sums.period_start},
                          {"period_end", sums.period_end},
                          {"debit_lines", sums.debit_lines},
                          {"matched_lines", sums.matched_lines},
                          {"breaks", sums.breaks}});
    }
    json months = json::array();
    for (const auto& [month, sums] : months_) {
      months.push_back({{"month", month},
                        {"debit_lines", sums.debits.lines},
                        {"debit_amount", ledger::FormatMoney(sums.debits.amount_sen)},
                        {"matched_lines", sums.matched.lines},
                        {"matched_amount", ledger::FormatMoney(sums.matched.amount_sen)},
                        {"unmatched_debit_lines", sums.unmatched_debits.lines},
                        {"unmatched_debit_amount", ledger::FormatMoney(sums.unmatched_debits.amount_sen)},
                        {"unmatched_payments", sums.unmatched_payments.lines},
                        {"unmatched_payment_amount", ledger::FormatMoney(sums.unmatched_payments.amount_sen)}});
    }
    return json{{"totals", std::move(totals)},
                {"accounts", std::move(accounts)},
                {"months", std::move(months)},
                {"unmatched_debits", std::move(unmatched_debit_list_)},
                {"unmatched_payments", std::move(unmatched_payment_list_)},
                {"cash_withdrawals", std::move(cash_list_)},
                {"amount_mismatches", std::move(mismatch_list_)},
                {"breaks", std::move(break_list_)},
                {"lists_truncated", truncated_}};
  }

 private:
  bool InScope(const ledger::BankStatementFacts& statement) const {
    if (filter_.account && statement.account_no != *filter_.account) return false;
    if (filter_.opd && statement.opd != *filter_.opd) return false;
    return true;
  }

  // The statement of `seq` if it is in scope, else nullptr.
  const ledger::BankStatementFacts* Statement(std::int64_t seq) const {
    const auto found = statements_.find(seq);
    if (found == statements_.end() || !InScope(*found->second)) return nullptr;
    return found->second;
  }

  // Line `index` of `statement`; the reconciliation names only lines the input holds.
  static const ledger::BankLine& LineOf(const ledger::BankStatementFacts& statement, std::int64_t index) {
    JEJAK_CHECK(index >= 0 && static_cast<std::size_t>(index) < statement.lines.size());
    return statement.lines[static_cast<std::size_t>(index)];
  }

  // Whether an unmatched payment is in scope: its OPD for `opd`; for `account`, that the
  // account is the one it is expected to be paid from (the RKUD for LS, else its OPD's
  // treasurer account).
  bool PaymentInScope(const ledger::BankPaymentFacts& payment) const {
    if (filter_.opd && payment.opd != *filter_.opd) return false;
    if (!filter_.account) return true;
    const bool from_rkud = ledger::PaidFromRkud(payment);
    for (const ledger::BankStatementFacts& statement : input_.statements) {
      if (statement.account_no != *filter_.account) continue;
      if (from_rkud) return statement.account_role == ledger::kAccountRoleRkud;
      return statement.account_role == ledger::kAccountRoleTreasurer && statement.opd == payment.opd;
    }
    return false;
  }

  std::string OpdName(const std::string& opd) const {
    if (opd.empty()) return kRkudName;
    const auto found = opd_names_.find(opd);
    return found == opd_names_.end() ? std::string() : found->second;
  }

  // Appends `item` to `list` unless it holds kReconciliationListMax items already.
  void Keep(json& list, json item) {
    if (list.size() >= kReconciliationListMax) {
      truncated_ = true;
      return;
    }
    list.push_back(std::move(item));
  }

  static json LineJson(const ledger::BankStatementFacts& statement, const ledger::BankLine& line) {
    return {{"statement_seq", statement.seq},
            {"line_index", line.index},
            {"source_line", line.source_line},
            {"account_no", statement.account_no},
            {"opd", statement.opd},
            {"date", line.date},
            {"value_date", line.value_date},
            {"amount", ledger::FormatMoney(line.amount_sen)},
            {"bank_ref", line.bank_ref},
            {"counter_account", line.counter_account},
            {"counter_name", line.counter_name},
            {"description", line.description},
            {"type", line.type}};
  }

  // Every debit line in scope, per account and month, and each account's periods.
  bool CountStatements() {
    for (const ledger::BankStatementFacts& statement : input_.statements) {
      if (!InScope(statement)) continue;
      AccountSums& account = accounts_[statement.account_no];
      if (account.newest == nullptr || account.newest->seq < statement.seq) account.newest = &statement;
      ++account.statements;
      if (account.period_start.empty() || statement.period_start < account.period_start) {
        account.period_start = statement.period_start;
      }
      if (statement.period_end > account.period_end) account.period_end = statement.period_end;
      for (const ledger::BankLine& line : statement.lines) {
        if (!line.debit) continue;
        ++account.debit_lines;
        if (!debits_.Add(line.amount_sen)) return false;
        if (!months_[line.date.substr(0, 7)].debits.Add(line.amount_sen)) return false;
      }
    }
    return true;
  }

  // The matched debits in scope, and the bank_ref matches whose amounts differ.
  bool CountMatches() {
    for (const ledger::LineMatch& match : reconciliation_.matches) {
      const ledger::BankStatementFacts* statement = Statement(match.statement_seq);
      if (statement == nullptr) continue;
      const ledger::BankLine& line = LineOf(*statement, match.line_index);
      if (!line.debit) continue;  // A refund's credit: not a debit matched.
      ++accounts_[statement->account_no].matched_lines;
      if (!matched_.Add(line.amount_sen)) return false;
      if (!months_[line.date.substr(0, 7)].matched.Add(line.amount_sen)) return false;
      if (match.method == std::string(ledger::kMatchBankRef) &&
          match.entry_amount_sen != match.line_amount_sen) {
        ++mismatches_;
        Keep(mismatch_list_, {{"statement_seq", match.statement_seq},
                              {"line_index", match.line_index},
                              {"entry_seq", match.entry_seq},
                              {"line_amount", ledger::FormatMoney(match.line_amount_sen)},
                              {"entry_amount", ledger::FormatMoney(match.entry_amount_sen)},
                              {"bank_ref", line.bank_ref}});
      }
    }
    return true;
  }

  // Unmatched debits, cash withdrawals, unmatched payments and chain breaks in scope.
  bool CountUnmatched() {
    for (const ledger::LineRef& ref : reconciliation_.unmatched_debits) {
      const ledger::BankStatementFacts* statement = Statement(ref.statement_seq);
      if (statement == nullptr) continue;
      const ledger::BankLine& line = LineOf(*statement, ref.line_index);
      if (!unmatched_debits_.Add(line.amount_sen)) return false;
      if (!months_[line.date.substr(0, 7)].unmatched_debits.Add(line.amount_sen)) return false;
      Keep(unmatched_debit_list_, LineJson(*statement, line));
    }
    for (const ledger::LineRef& ref : reconciliation_.cash_withdrawals) {
      const ledger::BankStatementFacts* statement = Statement(ref.statement_seq);
      if (statement == nullptr) continue;
      const ledger::BankLine& line = LineOf(*statement, ref.line_index);
      if (!cash_.Add(line.amount_sen)) return false;
      Keep(cash_list_, LineJson(*statement, line));
    }
    for (std::int64_t seq : reconciliation_.unmatched_payments) {
      const auto found = payments_.find(seq);
      JEJAK_CHECK(found != payments_.end());  // Reconcile names only the input's payments.
      const ledger::BankPaymentFacts& payment = *found->second;
      if (!PaymentInScope(payment)) continue;
      if (!unmatched_payments_.Add(payment.amount_sen)) return false;
      if (!months_[payment.date.substr(0, 7)].unmatched_payments.Add(payment.amount_sen)) return false;
      Keep(unmatched_payment_list_, {{"seq", payment.seq},
                                     {"kind", payment.kind},
                                     {"opd", payment.opd},
                                     {"date", payment.date},
                                     {"amount", ledger::FormatMoney(payment.amount_sen)},
                                     {"bank_ref", payment.refs.empty() ? std::string() : payment.refs.front()}});
    }
    for (const ledger::ChainBreak& chain_break : reconciliation_.breaks) {
      const auto account = accounts_.find(chain_break.account_no);
      if (account == accounts_.end()) continue;  // No statement of it in scope.
      ++account->second.breaks;
      ++breaks_;
      const bool balance = chain_break.kind == "balance";
      Keep(break_list_, {{"account_no", chain_break.account_no},
                         {"previous_seq", chain_break.previous_seq},
                         {"next_seq", chain_break.next_seq},
                         {"kind", chain_break.kind},
                         {"missing_from", chain_break.missing_from},
                         {"missing_to", chain_break.missing_to},
                         {"expected", balance ? json(ledger::FormatMoney(chain_break.expected_sen)) : json(nullptr)},
                         {"actual", balance ? json(ledger::FormatMoney(chain_break.actual_sen)) : json(nullptr)}});
    }
    return true;
  }

  const ledger::ReconcileInput& input_;
  const ledger::Reconciliation& reconciliation_;
  const ReconciliationFilter& filter_;
  const std::map<std::string, std::string>& opd_names_;
  std::unordered_map<std::int64_t, const ledger::BankStatementFacts*> statements_;
  std::unordered_map<std::int64_t, const ledger::BankPaymentFacts*> payments_;
  std::map<std::string, AccountSums> accounts_;
  std::map<std::string, MonthSums> months_;
  Sum debits_, matched_, unmatched_debits_, unmatched_payments_, cash_;
  std::int64_t mismatches_ = 0, breaks_ = 0;
  json unmatched_debit_list_ = json::array(), unmatched_payment_list_ = json::array(),
       cash_list_ = json::array(), mismatch_list_ = json::array(), break_list_ = json::array();
  bool truncated_ = false;
};

}  // namespace

Result<json> ReconciliationReport(const ledger::ReconcileInput& input,
                                  const ledger::Reconciliation& reconciliation,
                                  const ReconciliationFilter& filter,
                                  const std::map<std::string, std::string>& opd_names) {
  return Report(input, reconciliation, filter, opd_names).Build();
}

}  // namespace jejak::server
