// Reconciliation benchmark: a year of expenditures (default 100,000; a third LS on the RKUD,
// the rest UP/GU on 30 treasurer accounts, a tenth with bank references, 1% with no bank
// debit and 1% of debits with no entry) and their monthly statements, matched by
// ledger::Reconcile, and the same through RunAuditRules's bank rules. Pure computation: no
// database. It asserts that the planted items are exactly what is left unmatched.
//
// How to run (not registered with ctest):
//
//   flock /tmp/jejak-build.lock cmake --build build --target reconcile_bench
//   build/tests/bench/reconcile_bench                  # 100,000 expenditures
//   JEJAK_BENCH_ENTRIES=1000000 build/tests/bench/reconcile_bench
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ledger/audit.h"
#include "ledger/reconcile.h"

namespace {

using jejak::ledger::BankLine;
using jejak::ledger::BankPaymentFacts;
using jejak::ledger::BankStatementFacts;
using jejak::ledger::ReconcileInput;

constexpr int kOpds = 30;

std::string Date(int month, int day) {
  char text[32];
  std::snprintf(text, sizeof text, "2025-%02d-%02d", month, day);
  return text;
}

int Entries() {
  const char* text = std::getenv("JEJAK_BENCH_ENTRIES");
  return text != nullptr ? std::atoi(text) : 100000;
}

// The year: payments in seq order, one statement per account and month.
ReconcileInput Year(int count, int& planted_payments, int& planted_debits) {
  ReconcileInput input;
  input.fiscal_year = 2025;
  // lines[account][month]; account kOpds is the RKUD.
  std::vector<std::vector<std::vector<BankLine>>> lines(kOpds + 1, std::vector<std::vector<BankLine>>(12));
  planted_payments = 0;
  planted_debits = 0;
  for (int i = 0; i < count; ++i) {
    const int month = i * 12 / count + 1;
    const int day = (i * 7) % 28 + 1;
    const bool ls = i % 3 == 0;
    BankPaymentFacts p;
    p.seq = 1000 + i;
    p.kind = "expenditure";
    p.fiscal_year = 2025;
    p.opd = "1.0" + std::to_string(i % kOpds);
    p.mechanism = ls ? "LS" : "GU";
    p.instrument = ls ? "sp2d_ls" : "cms_transfer";
    p.date = Date(month, day);
    p.amount_sen = (i % 2000 + 1) * 50'000;
    p.payee_account_no = std::to_string(900000 + i % 5000);
    if (i % 10 == 0) p.refs.push_back("TRX" + std::to_string(i));
    input.payments.push_back(p);
    if (i % 100 == 7) {  // Booked, never debited.
      ++planted_payments;
      continue;
    }
    BankLine line;
    line.date = p.date;
    line.value_date = Date(month, day + (i % 3 == 1 && day < 28 ? 1 : 0));  // Booked a day late.
    line.debit = true;
    line.amount_sen = p.amount_sen;
    line.bank_ref = p.refs.empty() ? "" : p.refs[0];
    line.counter_account = p.payee_account_no;
    line.type = "transfer";
    auto& bucket = lines[ls ? kOpds : i % kOpds][static_cast<std::size_t>(month - 1)];
    bucket.push_back(line);
    if (i % 100 == 3) {  // Money out with no entry.
      line.bank_ref = "";
      line.amount_sen += 17;
      bucket.push_back(line);
      ++planted_debits;
    }
  }
  std::int64_t seq = 1;
  for (int a = 0; a <= kOpds; ++a) {
    std::int64_t balance = 1'000'000'000'000LL;
    for (int m = 0; m < 12; ++m) {
      BankStatementFacts s;
      s.seq = seq++;
      s.fiscal_year = 2025;
      s.bank = "BPD";
      s.account_no = a == kOpds ? "1000" : std::to_string(2000 + a);
      s.account_role = a == kOpds ? "rkud" : "bendahara_pengeluaran";
      s.opd = a == kOpds ? "" : "1.0" + std::to_string(a);
      s.period_start = Date(m + 1, 1);
      s.period_end = Date(m + 1, 28);  // 29th-31st of each month: a gap finding each month.
      s.opening_sen = balance;
      s.lines = std::move(lines[static_cast<std::size_t>(a)][static_cast<std::size_t>(m)]);
      for (std::size_t i = 0; i < s.lines.size(); ++i) {
        s.lines[i].index = static_cast<std::int64_t>(i);
        balance -= s.lines[i].amount_sen;
      }
      s.closing_sen = balance;
      input.statements.push_back(std::move(s));
    }
  }
  return input;
}

void BM_Reconcile(benchmark::State& state) {
  int planted_payments = 0;
  int planted_debits = 0;
  const ReconcileInput input = Year(Entries(), planted_payments, planted_debits);
  std::size_t lines = 0;
  for (const BankStatementFacts& s : input.statements) lines += s.lines.size();
  for (auto _ : state) {
    const jejak::ledger::Reconciliation r = jejak::ledger::Reconcile(input, {});
    if (r.unmatched_payments.size() != static_cast<std::size_t>(planted_payments) ||
        r.unmatched_debits.size() != static_cast<std::size_t>(planted_debits)) {
      state.SkipWithError("unexpected unmatched items");
      return;
    }
    benchmark::DoNotOptimize(r.matches.data());
  }
  state.counters["payments"] = static_cast<double>(input.payments.size());
  state.counters["lines"] = static_cast<double>(lines);
}
BENCHMARK(BM_Reconcile)->Unit(benchmark::kMillisecond);

void BM_BankRules(benchmark::State& state) {
  int planted_payments = 0;
  int planted_debits = 0;
  jejak::ledger::AuditInput input;
  input.fiscal_year = 2025;
  input.as_of = "2025-12-31";
  input.bank = Year(Entries(), planted_payments, planted_debits);
  for (auto _ : state) {
    const std::vector<jejak::ledger::Finding> findings =
        jejak::ledger::RunAuditRules(input, jejak::ledger::AuditRules{});
    benchmark::DoNotOptimize(findings.data());
    state.counters["findings"] = static_cast<double>(findings.size());
  }
}
BENCHMARK(BM_BankRules)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
