// Bank reconciliation (ledger/reconcile.h): the three matching passes over the year's
// statement lines and payments, the cash withdrawals, and the balance chain of each
// account. Every candidate set is an index built once (payments by reference; payments and
// credit lines by target account, amount and day), and every list is consumed from its
// head, so the whole run costs O(n log n) in lines plus payments. docs/bank-statements.md
// ("Matching and findings") states the order in words an auditor can recheck by hand.
#include "ledger/reconcile.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/check.h"
#include "ledger/audit_internal.h"
#include "ledger/money.h"

namespace jejak::ledger {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// Items (payment or line indices) in preference order, consumed from the head: an item
// once taken is skipped for good, so every list is walked at most once in total.
struct HeadList {
  std::vector<std::size_t> items;
  std::size_t head = 0;

  template <typename Taken>
  std::size_t First(const Taken& taken) {
    while (head < items.size() && taken(items[head])) ++head;
    return head < items.size() ? items[head] : kNone;
  }
};

// The candidates of one day: all of them, those without a payee account, and those of
// each payee account (interned digits), each in preference order.
struct DayGroup {
  std::int64_t day = 0;
  HeadList all;
  HeadList no_payee;
  std::vector<std::pair<std::uint32_t, HeadList>> by_payee;  // Sorted by payee id.
};

// (target account class, amount) -> its days in ascending order.
struct BucketKey {
  std::uint32_t target = 0;
  std::int64_t amount_sen = 0;
  bool operator==(const BucketKey&) const = default;
};
struct BucketKeyHash {
  std::size_t operator()(const BucketKey& key) const {
    return std::hash<std::int64_t>()(key.amount_sen) * 31u + key.target;
  }
};
using DayIndex = std::unordered_map<BucketKey, std::vector<DayGroup>, BucketKeyHash>;

// One candidate to be filed: its day, its payee id (0: none) and its index.
struct Filed {
  BucketKey key;
  std::int64_t day = 0;
  std::uint32_t payee = 0;
  std::size_t item = 0;
};

// Builds the index from `filed`, already in preference order within equal keys.
DayIndex BuildDayIndex(std::vector<Filed> filed) {
  std::stable_sort(filed.begin(), filed.end(), [](const Filed& a, const Filed& b) {
    return std::tie(a.key.target, a.key.amount_sen, a.day) <
           std::tie(b.key.target, b.key.amount_sen, b.day);
  });
  DayIndex index;
  for (const Filed& f : filed) {
    std::vector<DayGroup>& days = index[f.key];
    if (days.empty() || days.back().day != f.day) days.push_back(DayGroup{f.day, {}, {}, {}});
    DayGroup& group = days.back();
    group.all.items.push_back(f.item);
    if (f.payee == 0) {
      group.no_payee.items.push_back(f.item);
    } else {
      auto it = std::lower_bound(group.by_payee.begin(), group.by_payee.end(), f.payee,
                                 [](const auto& entry, std::uint32_t p) { return entry.first < p; });
      if (it == group.by_payee.end() || it->first != f.payee) {
        it = group.by_payee.emplace(it, f.payee, HeadList{});
      }
      it->second.items.push_back(f.item);
    }
  }
  return index;
}

// The best candidate for a line on `day` within `window` days: least day distance, then
// the smallest `rank` (seq order). With `payee` != 0 only candidates of that payee account
// or without one; with 0, any.
template <typename Taken, typename Rank>
std::size_t BestCandidate(DayIndex& index, const BucketKey& key, std::int64_t day,
                          std::int64_t window, std::uint32_t payee, bool check_payee,
                          const Taken& taken, const Rank& rank) {
  const auto found = index.find(key);
  if (found == index.end()) return kNone;
  std::vector<DayGroup>& days = found->second;
  auto it = std::lower_bound(days.begin(), days.end(), day - window,
                             [](const DayGroup& g, std::int64_t d) { return g.day < d; });
  std::size_t best = kNone;
  std::int64_t best_distance = 0;
  for (; it != days.end() && it->day <= day + window; ++it) {
    const std::int64_t distance = it->day > day ? it->day - day : day - it->day;
    std::size_t candidate = kNone;
    if (!check_payee || payee == 0) {
      candidate = it->all.First(taken);
    } else {
      candidate = it->no_payee.First(taken);
      auto p = std::lower_bound(it->by_payee.begin(), it->by_payee.end(), payee,
                                [](const auto& entry, std::uint32_t v) { return entry.first < v; });
      if (p != it->by_payee.end() && p->first == payee) {
        const std::size_t other = p->second.First(taken);
        if (other != kNone && (candidate == kNone || rank(other) < rank(candidate))) {
          candidate = other;
        }
      }
    }
    if (candidate == kNone) continue;
    if (best == kNone || distance < best_distance ||
        (distance == best_distance && rank(candidate) < rank(best))) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string Digits(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c >= '0' && c <= '9') out += c;
  }
  return out;
}

std::optional<std::int64_t> DayNumber(std::string_view date) {
  const std::optional<audit_internal::Days> day = audit_internal::ParseDate(date);
  if (!day) return std::nullopt;
  return day->time_since_epoch().count();
}

bool IsCashWithdrawal(const BankLine& line) { return line.type == "cash_withdrawal"; }

// A payment's role in matching.
bool PaysOut(const BankPaymentFacts& p) {
  if (p.kind == "tax_deposit") return true;
  return p.kind == "expenditure" && !p.reversed && p.instrument != "cash";
}
bool IsRefund(const BankPaymentFacts& p) { return p.kind == "refund"; }

// A line as the passes see it.
struct LineInfo {
  std::size_t statement = 0;
  std::size_t index = 0;
  std::optional<std::int64_t> day;  // Value date.
  std::uint32_t account = 0;        // Interned digits of its statement's account.
  std::uint32_t target = 0;         // Its account's class: RKUD or the treasurer's OPD.
  std::uint32_t counter = 0;        // Interned digits of counter_account; 0 if none.
};

class Matcher {
 public:
  Matcher(const ReconcileInput& input, const ReconcileParams& params)
      : input_(input), params_(params) {}

  Reconciliation Run();

 private:
  std::uint32_t Intern(const std::string& text) {
    if (text.empty()) return 0;
    const auto [it, inserted] = ids_.try_emplace(text, static_cast<std::uint32_t>(ids_.size() + 1));
    return it->second;
  }
  std::uint32_t Find(const std::string& text) const {
    if (text.empty()) return 0;
    const auto found = ids_.find(text);
    return found == ids_.end() ? 0 : found->second;
  }
  std::uint32_t RkudTarget() { return Intern("rkud:"); }
  std::uint32_t OpdTarget(const std::string& opd) { return Intern("opd:" + opd); }

  void Prepare();
  void PassByReference();
  void PassByAmount();
  void PassTransfers();
  void Record(std::size_t line, const char* method, std::size_t payment);
  void Chains(Reconciliation& out) const;

  const BankLine& Line(std::size_t l) const {
    return input_.statements[lines_[l].statement].lines[lines_[l].index];
  }

  const ReconcileInput& input_;
  const ReconcileParams& params_;
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<LineInfo> lines_;                 // Every line, in (statement seq, index) order.
  std::vector<bool> line_taken_;
  std::vector<bool> payment_taken_;
  std::vector<std::optional<std::int64_t>> payment_days_;
  std::vector<LineMatch> matches_;
  std::vector<std::uint32_t> statement_accounts_;  // Interned digits per statement.
};

void Matcher::Prepare() {
  const std::vector<BankStatementFacts>& statements = input_.statements;
  // Statements by seq (the input is in seq order; sorting keeps a careless caller exact).
  std::vector<std::size_t> order(statements.size());
  for (std::size_t s = 0; s < order.size(); ++s) order[s] = s;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return statements[a].seq < statements[b].seq;
  });
  statement_accounts_.resize(statements.size());
  for (std::size_t s = 0; s < statements.size(); ++s) {
    statement_accounts_[s] = Intern("acct:" + Digits(statements[s].account_no));
  }
  for (const std::size_t s : order) {
    const BankStatementFacts& statement = statements[s];
    const std::uint32_t target = statement.account_role == kAccountRoleRkud
                                     ? RkudTarget()
                                     : OpdTarget(statement.opd);
    std::vector<std::size_t> line_order(statement.lines.size());
    for (std::size_t i = 0; i < line_order.size(); ++i) line_order[i] = i;
    std::stable_sort(line_order.begin(), line_order.end(), [&](std::size_t a, std::size_t b) {
      return statement.lines[a].index < statement.lines[b].index;
    });
    for (const std::size_t i : line_order) {
      const BankLine& line = statement.lines[i];
      const std::string counter = Digits(line.counter_account);
      lines_.push_back(LineInfo{s, i, DayNumber(line.value_date), statement_accounts_[s], target,
                                counter.empty() ? 0 : Intern("pay:" + counter)});
    }
  }
  line_taken_.assign(lines_.size(), false);
  payment_taken_.assign(input_.payments.size(), false);
  payment_days_.reserve(input_.payments.size());
  for (const BankPaymentFacts& p : input_.payments) payment_days_.push_back(DayNumber(p.date));
}

void Matcher::Record(std::size_t l, const char* method, std::size_t p) {
  JEJAK_CHECK(!line_taken_[l]);
  JEJAK_CHECK(!payment_taken_[p]);
  line_taken_[l] = true;
  payment_taken_[p] = true;
  const BankLine& line = Line(l);
  const BankPaymentFacts& payment = input_.payments[p];
  LineMatch match;
  match.statement_seq = input_.statements[lines_[l].statement].seq;
  match.line_index = line.index;
  match.method = method;
  match.entry_seq = payment.seq;
  match.entry_kind = payment.kind;
  match.line_amount_sen = line.amount_sen;
  match.entry_amount_sen = payment.amount_sen;
  matches_.push_back(std::move(match));
}

// Pass 1: a debit's bank_ref against the references of paying entries, a credit's against
// refunds' STS numbers; the unmatched entry of lowest seq wins, whatever account or amount.
void Matcher::PassByReference() {
  std::unordered_map<std::string, HeadList> out_refs;
  std::unordered_map<std::string, HeadList> in_refs;
  for (std::size_t p = 0; p < input_.payments.size(); ++p) {
    const BankPaymentFacts& payment = input_.payments[p];
    std::unordered_map<std::string, HeadList>* refs =
        PaysOut(payment) ? &out_refs : IsRefund(payment) ? &in_refs : nullptr;
    if (refs == nullptr) continue;
    for (const std::string& ref : payment.refs) {
      if (ref.empty()) continue;
      std::vector<std::size_t>& items = (*refs)[ref].items;
      if (items.empty() || items.back() != p) items.push_back(p);
    }
  }
  const auto by_seq = [&](HeadList& list) {
    std::stable_sort(list.items.begin(), list.items.end(), [&](std::size_t a, std::size_t b) {
      return input_.payments[a].seq < input_.payments[b].seq;
    });
  };
  for (auto& entry : out_refs) by_seq(entry.second);
  for (auto& entry : in_refs) by_seq(entry.second);
  const auto taken = [&](std::size_t p) { return static_cast<bool>(payment_taken_[p]); };
  for (std::size_t l = 0; l < lines_.size(); ++l) {
    const BankLine& line = Line(l);
    if (line.bank_ref.empty() || IsCashWithdrawal(line)) continue;
    std::unordered_map<std::string, HeadList>& refs = line.debit ? out_refs : in_refs;
    const auto found = refs.find(line.bank_ref);
    if (found == refs.end()) continue;
    const std::size_t p = found->second.First(taken);
    if (p != kNone) Record(l, kMatchBankRef, p);
  }
}

// Pass 2: equal amount on the expected account, value dates within the window, payee
// account equal to the counter account when both have one.
void Matcher::PassByAmount() {
  std::vector<Filed> out_filed;
  std::vector<Filed> in_filed;
  for (std::size_t p = 0; p < input_.payments.size(); ++p) {
    const BankPaymentFacts& payment = input_.payments[p];
    if (payment_taken_[p] || !payment_days_[p]) continue;
    const std::string payee = Digits(payment.payee_account_no);
    const std::uint32_t payee_id = payee.empty() ? 0 : Intern("pay:" + payee);
    if (PaysOut(payment)) {
      const std::uint32_t target = PaidFromRkud(payment) ? RkudTarget() : OpdTarget(payment.opd);
      out_filed.push_back(Filed{{target, payment.amount_sen}, *payment_days_[p], payee_id, p});
    } else if (IsRefund(payment)) {
      // A refund comes back to the RKUD or to its OPD's treasurer account.
      in_filed.push_back(Filed{{RkudTarget(), payment.amount_sen}, *payment_days_[p], 0, p});
      in_filed.push_back(Filed{{OpdTarget(payment.opd), payment.amount_sen}, *payment_days_[p], 0, p});
    }
  }
  // Payments are in seq order (the input's); the stable sort keeps it within a day.
  const auto seq_order = [&](std::vector<Filed>& filed) {
    std::stable_sort(filed.begin(), filed.end(), [&](const Filed& a, const Filed& b) {
      return input_.payments[a.item].seq < input_.payments[b.item].seq;
    });
  };
  seq_order(out_filed);
  seq_order(in_filed);
  DayIndex out_index = BuildDayIndex(std::move(out_filed));
  DayIndex in_index = BuildDayIndex(std::move(in_filed));
  const auto taken = [&](std::size_t p) { return static_cast<bool>(payment_taken_[p]); };
  const auto rank = [&](std::size_t p) { return input_.payments[p].seq; };
  const std::int64_t window = std::max(0, params_.window_days);
  for (std::size_t l = 0; l < lines_.size(); ++l) {
    if (line_taken_[l] || !lines_[l].day) continue;
    const BankLine& line = Line(l);
    if (IsCashWithdrawal(line)) continue;
    const BucketKey key{lines_[l].target, line.amount_sen};
    const std::size_t p =
        line.debit ? BestCandidate(out_index, key, *lines_[l].day, window, lines_[l].counter, true,
                                   taken, rank)
                   : BestCandidate(in_index, key, *lines_[l].day, window, 0, false, taken, rank);
    if (p != kNone) Record(l, kMatchAmountDate, p);
  }
}

// Pass 3: a debit whose counter account is another account of the ledger, against that
// account's unmatched credit of the same amount (least day distance, then line order).
void Matcher::PassTransfers() {
  std::vector<Filed> credits;
  for (std::size_t l = 0; l < lines_.size(); ++l) {
    if (line_taken_[l] || !lines_[l].day || Line(l).debit) continue;
    credits.push_back(Filed{{lines_[l].account, Line(l).amount_sen}, *lines_[l].day, 0, l});
  }
  if (credits.empty()) return;
  DayIndex index = BuildDayIndex(std::move(credits));  // lines_ is in line order already.
  const auto taken = [&](std::size_t l) { return static_cast<bool>(line_taken_[l]); };
  const auto rank = [](std::size_t l) { return l; };
  const std::int64_t window = std::max(0, params_.window_days);
  for (std::size_t l = 0; l < lines_.size(); ++l) {
    if (line_taken_[l] || !lines_[l].day) continue;
    const BankLine& line = Line(l);
    if (!line.debit || IsCashWithdrawal(line)) continue;
    const std::string counter = Digits(line.counter_account);
    if (counter.empty()) continue;
    const std::uint32_t account = Find("acct:" + counter);
    if (account == 0 || account == lines_[l].account) continue;
    const std::size_t credit = BestCandidate(index, BucketKey{account, line.amount_sen},
                                             *lines_[l].day, window, 0, false, taken, rank);
    if (credit == kNone) continue;
    line_taken_[l] = true;
    line_taken_[credit] = true;
    LineMatch match;
    match.statement_seq = input_.statements[lines_[l].statement].seq;
    match.line_index = line.index;
    match.method = kMatchTransfer;
    match.line_amount_sen = line.amount_sen;
    match.entry_amount_sen = line.amount_sen;
    match.transfer_statement_seq = input_.statements[lines_[credit].statement].seq;
    match.transfer_line_index = Line(credit).index;
    matches_.push_back(std::move(match));
  }
}

void Matcher::Chains(Reconciliation& out) const {
  const std::vector<BankStatementFacts>& statements = input_.statements;
  std::vector<std::size_t> order(statements.size());
  for (std::size_t s = 0; s < order.size(); ++s) order[s] = s;
  std::vector<std::string> keys(statements.size());
  for (std::size_t s = 0; s < statements.size(); ++s) keys[s] = Digits(statements[s].account_no);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(keys[a], statements[a].period_start, statements[a].seq) <
           std::tie(keys[b], statements[b].period_start, statements[b].seq);
  });
  for (std::size_t k = 1; k < order.size(); ++k) {
    const BankStatementFacts& previous = statements[order[k - 1]];
    const BankStatementFacts& next = statements[order[k]];
    if (keys[order[k - 1]] != keys[order[k]]) continue;
    const std::optional<audit_internal::Days> previous_end = audit_internal::ParseDate(previous.period_end);
    const std::optional<audit_internal::Days> next_start = audit_internal::ParseDate(next.period_start);
    ChainBreak base;
    base.account_no = previous.account_no;
    base.previous_seq = previous.seq;
    base.next_seq = next.seq;
    if (previous_end && next_start && *next_start - *previous_end > std::chrono::days{1}) {
      ChainBreak gap = base;
      gap.kind = "gap";
      gap.missing_from = audit_internal::FormatIsoDate(*previous_end + std::chrono::days{1});
      gap.missing_to = audit_internal::FormatIsoDate(*next_start - std::chrono::days{1});
      out.breaks.push_back(std::move(gap));
    }
    if (next.opening_sen != previous.closing_sen) {
      ChainBreak balance = base;
      balance.kind = "balance";
      balance.expected_sen = previous.closing_sen;
      balance.actual_sen = next.opening_sen;
      out.breaks.push_back(std::move(balance));
    }
  }
}

Reconciliation Matcher::Run() {
  Prepare();
  PassByReference();
  PassByAmount();
  PassTransfers();
  Reconciliation out;
  out.fiscal_year = input_.fiscal_year;
  out.params = params_;
  std::sort(matches_.begin(), matches_.end(), [](const LineMatch& a, const LineMatch& b) {
    return std::tie(a.statement_seq, a.line_index) < std::tie(b.statement_seq, b.line_index);
  });
  out.matches = std::move(matches_);
  for (std::size_t l = 0; l < lines_.size(); ++l) {
    const BankLine& line = Line(l);
    if (line_taken_[l] || !line.debit) continue;
    const BankStatementFacts& statement = input_.statements[lines_[l].statement];
    const LineRef ref{statement.seq, line.index};
    // A teller withdrawal from a treasurer account is CASH_WITHDRAWAL's; from the RKUD it
    // is money out without an SP2D like any other.
    if (IsCashWithdrawal(line) && statement.account_role != kAccountRoleRkud) {
      out.cash_withdrawals.push_back(ref);
    } else {
      out.unmatched_debits.push_back(ref);
    }
  }
  for (std::size_t p = 0; p < input_.payments.size(); ++p) {
    if (!payment_taken_[p] && PaysOut(input_.payments[p])) {
      out.unmatched_payments.push_back(input_.payments[p].seq);
    }
  }
  std::sort(out.unmatched_payments.begin(), out.unmatched_payments.end());
  Chains(out);
  return out;
}

nlohmann::json LineRefsJson(const std::vector<LineRef>& refs) {
  nlohmann::json out = nlohmann::json::array();
  for (const LineRef& ref : refs) {
    out.push_back({{"statement_seq", ref.statement_seq}, {"line_index", ref.line_index}});
  }
  return out;
}

}  // namespace

bool PaidFromRkud(const BankPaymentFacts& payment) {
  return payment.kind == "expenditure" &&
         (payment.mechanism == "LS" || payment.instrument == "sp2d_ls");
}

Reconciliation Reconcile(const ReconcileInput& input, const ReconcileParams& params) {
  Matcher matcher(input, params);
  return matcher.Run();
}

nlohmann::json ReconciliationJson(const Reconciliation& reconciliation) {
  nlohmann::json matches = nlohmann::json::array();
  for (const LineMatch& m : reconciliation.matches) {
    matches.push_back({{"statement_seq", m.statement_seq},
                       {"line_index", m.line_index},
                       {"method", m.method},
                       {"entry_seq", m.entry_seq},
                       {"entry_kind", m.entry_kind},
                       {"line_amount", FormatMoney(m.line_amount_sen)},
                       {"entry_amount", FormatMoney(m.entry_amount_sen)},
                       {"transfer_statement_seq", m.transfer_statement_seq},
                       {"transfer_line_index", m.transfer_line_index}});
  }
  nlohmann::json breaks = nlohmann::json::array();
  for (const ChainBreak& b : reconciliation.breaks) {
    breaks.push_back({{"account_no", b.account_no},
                      {"previous_seq", b.previous_seq},
                      {"next_seq", b.next_seq},
                      {"kind", b.kind},
                      {"missing_from", b.missing_from},
                      {"missing_to", b.missing_to},
                      {"expected", FormatMoney(b.expected_sen)},
                      {"actual", FormatMoney(b.actual_sen)}});
  }
  nlohmann::json payments = nlohmann::json::array();
  for (const std::int64_t seq : reconciliation.unmatched_payments) payments.push_back(seq);
  return {{"fiscal_year", reconciliation.fiscal_year},
          {"params", {{"window_days", reconciliation.params.window_days}}},
          {"matches", std::move(matches)},
          {"unmatched_debits", LineRefsJson(reconciliation.unmatched_debits)},
          {"cash_withdrawals", LineRefsJson(reconciliation.cash_withdrawals)},
          {"unmatched_payments", std::move(payments)},
          {"breaks", std::move(breaks)}};
}

}  // namespace jejak::ledger
