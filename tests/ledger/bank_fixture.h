// Builders of bank statements and payments for the reconciliation and bank-rule tests
// (tests/ledger/reconcile_test.cc, audit_rules_bank_test.cc): facts written by hand, as
// the store would read them back, without any parser or database.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ledger/bank_statement.h"
#include "ledger/reconcile.h"

namespace jejak::ledger::bank_fixture {

inline constexpr const char* kOpd = "1.02.0.00.0.00.01.0000";
inline constexpr const char* kOtherOpd = "1.01.0.00.0.00.01.0000";
inline constexpr const char* kRkudAccount = "0011-2233-44";   // Digits 0011223344.
inline constexpr const char* kTreasurerAccount = "5566778899";
inline constexpr std::int64_t kMillion = 1'000'000LL * 100;  // Rp1 million in sen.

inline BankLine Debit(std::string value_date, std::int64_t amount_sen, std::string bank_ref = "",
                      std::string counter_account = "", std::string type = "transfer") {
  BankLine line;
  line.date = value_date;
  line.value_date = std::move(value_date);
  line.debit = true;
  line.amount_sen = amount_sen;
  line.bank_ref = std::move(bank_ref);
  line.counter_account = std::move(counter_account);
  line.type = std::move(type);
  return line;
}

inline BankLine Credit(std::string value_date, std::int64_t amount_sen, std::string bank_ref = "") {
  BankLine line = Debit(std::move(value_date), amount_sen, std::move(bank_ref));
  line.debit = false;
  return line;
}

// A statement whose closing follows from its opening and lines; lines are indexed in order
// and given source lines 10, 11, ...
inline BankStatementFacts Statement(std::int64_t seq, bool rkud, std::string period_start,
                                    std::string period_end, std::vector<BankLine> lines,
                                    std::int64_t opening_sen = 1000 * kMillion,
                                    std::string opd = kOpd) {
  BankStatementFacts s;
  s.seq = seq;
  s.fiscal_year = 2025;
  s.bank = "BPD Bengkulu";
  s.account_no = rkud ? kRkudAccount : kTreasurerAccount;
  s.account_role = rkud ? kAccountRoleRkud : kAccountRoleTreasurer;
  s.opd = rkud ? "" : std::move(opd);
  s.period_start = std::move(period_start);
  s.period_end = std::move(period_end);
  s.format = "mt940";
  s.file_sha256 = std::string(64, 'a');
  s.opening_sen = opening_sen;
  s.closing_sen = opening_sen;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    lines[i].index = static_cast<std::int64_t>(i);
    lines[i].source_line = static_cast<std::int64_t>(10 + i);
    s.closing_sen += lines[i].debit ? -lines[i].amount_sen : lines[i].amount_sen;
  }
  s.lines = std::move(lines);
  return s;
}

// An expenditure paid by `mechanism` (UP/GU/TU from the treasurer, LS from the RKUD).
inline BankPaymentFacts Expenditure(std::int64_t seq, std::string date, std::int64_t amount_sen,
                                    std::string mechanism = "GU", std::string bank_ref = "",
                                    std::string payee_account_no = "") {
  BankPaymentFacts p;
  p.seq = seq;
  p.kind = "expenditure";
  p.fiscal_year = 2025;
  p.opd = kOpd;
  p.instrument = mechanism == "LS" ? "sp2d_ls" : "cms_transfer";
  p.mechanism = std::move(mechanism);
  p.date = std::move(date);
  if (!bank_ref.empty()) p.refs.push_back(std::move(bank_ref));
  p.payee_account_no = std::move(payee_account_no);
  p.amount_sen = amount_sen;
  return p;
}

inline BankPaymentFacts TaxDeposit(std::int64_t seq, std::string date, std::int64_t amount_sen,
                                   std::string ntpn = "", std::string billing_code = "") {
  BankPaymentFacts p;
  p.seq = seq;
  p.kind = "tax_deposit";
  p.fiscal_year = 2025;
  p.opd = kOpd;
  p.date = std::move(date);
  if (!ntpn.empty()) p.refs.push_back(std::move(ntpn));
  if (!billing_code.empty()) p.refs.push_back(std::move(billing_code));
  p.amount_sen = amount_sen;
  return p;
}

inline BankPaymentFacts Refund(std::int64_t seq, std::string date, std::int64_t amount_sen,
                               std::string sts_no = "") {
  BankPaymentFacts p;
  p.seq = seq;
  p.kind = "refund";
  p.fiscal_year = 2025;
  p.opd = kOpd;
  p.date = std::move(date);
  if (!sts_no.empty()) p.refs.push_back(std::move(sts_no));
  p.amount_sen = amount_sen;
  return p;
}

// The match of line (statement_seq, line_index), or nullptr.
inline const LineMatch* MatchOf(const Reconciliation& r, std::int64_t statement_seq,
                                std::int64_t line_index) {
  for (const LineMatch& m : r.matches) {
    if (m.statement_seq == statement_seq && m.line_index == line_index) return &m;
  }
  return nullptr;
}

}  // namespace jejak::ledger::bank_fixture
