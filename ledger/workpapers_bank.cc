// Rekonsiliasi Bank's rows (ledger/workpapers.h): each statement line of the year with its
// match, from a reconciliation the caller computed. Pure.
#include <map>
#include <utility>

#include "ledger/workpapers.h"

namespace jejak::ledger {

std::string_view BankLineStatusLabel(std::string_view status) {
  static const std::map<std::string_view, std::string_view> kLabels = {
      {"bank_ref", "Cocok (referensi bank)"},
      {"amount_mismatch", "Referensi cocok, jumlah berbeda"},
      {"amount_date_account", "Cocok (jumlah, tanggal, rekening)"},
      {"internal_transfer", "Pelimpahan antar rekening"},
      {"cash_withdrawal", "Tarik tunai"},
      {"unmatched_debit", "Debit tanpa entri"},
      {"credit", "Kredit tanpa pasangan"}};
  const auto found = kLabels.find(status);
  return found == kLabels.end() ? std::string_view() : found->second;
}

std::vector<WorkpaperBankLine> BankWorkpaperLines(const ReconcileInput& input,
                                                  const Reconciliation& reconciliation) {
  // What each (statement seq, line index) became.
  std::map<std::pair<std::int64_t, std::int64_t>, const LineMatch*> matched;
  std::map<std::pair<std::int64_t, std::int64_t>, const LineMatch*> transfer_credits;
  for (const LineMatch& match : reconciliation.matches) {
    matched[{match.statement_seq, match.line_index}] = &match;
    if (match.method == std::string_view(kMatchTransfer)) {
      transfer_credits[{match.transfer_statement_seq, match.transfer_line_index}] = &match;
    }
  }
  std::map<std::pair<std::int64_t, std::int64_t>, bool> cash;
  for (const LineRef& ref : reconciliation.cash_withdrawals) cash[{ref.statement_seq, ref.line_index}] = true;

  std::vector<WorkpaperBankLine> rows;
  for (const BankStatementFacts& statement : input.statements) {
    for (const BankLine& line : statement.lines) {
      WorkpaperBankLine row;
      row.statement_seq = statement.seq;
      row.line_index = line.index;
      row.source_line = line.source_line;
      row.account_no = statement.account_no;
      row.opd = statement.opd;
      row.date = line.date;
      row.value_date = line.value_date;
      row.debit = line.debit;
      row.amount_sen = line.amount_sen;
      row.bank_ref = line.bank_ref;
      row.counter_account = line.counter_account;
      row.description = line.description;
      row.type = line.type;
      const std::pair<std::int64_t, std::int64_t> key{statement.seq, line.index};
      if (const auto found = matched.find(key); found != matched.end()) {
        const LineMatch& match = *found->second;
        row.method = match.method;
        if (match.entry_seq != 0) row.entry_seq = match.entry_seq;
        row.status = match.method;
        if (match.method == std::string_view(kMatchBankRef) && match.entry_amount_sen != match.line_amount_sen) {
          row.status = "amount_mismatch";
        }
      } else if (const auto credit = transfer_credits.find(key); credit != transfer_credits.end()) {
        row.method = kMatchTransfer;
        row.status = "internal_transfer";
      } else if (cash.count(key) != 0) {
        row.status = "cash_withdrawal";
      } else {
        row.status = line.debit ? "unmatched_debit" : "credit";
      }
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

}  // namespace jejak::ledger
