// The demo regency's bank statements (cli/demo_bank.h). The plan's payments are read back
// from its entry bodies and routed to the account that paid them; the planted anomalies
// are chosen among them by fixed criteria; the UP/GU top-ups and the RKUD's monthly
// transfers are added so that no balance goes below zero; then each account's year is cut
// into monthly statements. Every choice is a function of the plan, so the statements are
// as deterministic as the plan itself.
#include "cli/demo_bank.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/check.h"
#include "cli/demo_world.h"
#include "ledger/audit.h"
#include "ledger/bank_statement.h"
#include "ledger/money.h"

namespace jejak::cli {
namespace demo {
namespace {

using nlohmann::json;

constexpr std::size_t kRkud = 0;  // Account indices: the RKUD, then OPD o's treasurer at 1 + o.
constexpr std::size_t kAccountCount = 1 + kOpdCount;
constexpr std::int64_t kMiliar = 1000 * kJuta;

// Where each plant goes (OPD short names and months); a later month, then another OPD,
// when the plan is too small to hold a fitting payment there.
constexpr const char* kMissingOpd = "DISPORA";        // STATEMENT_GAP: July's statement missing.
constexpr unsigned kMissingMonth = 7;
constexpr const char* kBreakOpd = "KESBANGPOL";       // STATEMENT_GAP: May opens above April's close.
constexpr unsigned kBreakMonth = 5;
constexpr std::int64_t kBreakSen = 12'500'000 * kSen;
constexpr const char* kWithdrawalOpd = "DISNAKERTRANS";  // CASH_WITHDRAWAL at the teller.
constexpr std::int64_t kWithdrawalSen = 35'000'000 * kSen;
constexpr const char* kNeverDebitedOpd = "DISKOMINFO";  // ENTRY_WITHOUT_BANK_DEBIT.
constexpr unsigned kNeverDebitedMonth = 9;
constexpr const char* kMismatchOpd = "PERKIM";          // AMOUNT_MISMATCH: gross debited, not net.
constexpr unsigned kMismatchMonth = 8;
constexpr std::int64_t kStrayDebitSen = 487'350'000 * kSen;  // BANK_DEBIT_WITHOUT_ENTRY.

// A payment entry of the plan, as the bank sees it.
struct Payment {
  std::int64_t seq = 0;
  std::string kind;  // "expenditure", "tax_deposit", "refund".
  std::size_t opd = 0;
  Day date;
  std::int64_t amount = 0;  // Expenditure: net.
  std::int64_t gross = 0;
  std::string mechanism, instrument, bank_ref, payee_account, payee_name, sp2d, tax_type;
  bool payroll = false;
  bool taxed = false;
  bool reversed = false;
  bool refunded = false;
};

// One line of an account's year before it is cut into months.
struct Txn {
  Day date;   // Booking date: decides the month.
  Day value;
  bool debit = true;
  std::int64_t amount = 0;
  std::string bank_ref, counter_account, counter_name, description;
  std::string type = "transfer";
  std::int64_t order = 0;  // Within a day, after credits first: the entry's seq or a serial.
};

Day ParseDay(const std::string& iso) {
  JEJAK_CHECK(iso.size() == 10);
  return MakeDay(std::stoll(iso.substr(0, 4)), static_cast<unsigned>(std::stoul(iso.substr(5, 2))),
                 static_cast<unsigned>(std::stoul(iso.substr(8, 2))));
}

std::int64_t Money(const json& value) {
  Result<std::int64_t> sen = ledger::ParseMoneySen(value.get<std::string>());
  JEJAK_CHECK(sen.has_value());
  return *sen;
}

std::int64_t RoundUp(std::int64_t sen, std::int64_t unit) { return (sen + unit - 1) / unit * unit; }

Day MonthEnd(std::int64_t year, unsigned month) { return MakeDay(year, month, DaysInMonth(year, month)); }

std::string MonthText(std::int64_t year, unsigned month) {
  return std::to_string(year) + "-" + Padded(month, 2);
}

std::string AccountNo(std::size_t account) {
  return account == kRkud ? kDemoRkudAccount : "0012020" + Padded(static_cast<std::int64_t>(account - 1), 3) + "01";
}

std::string Digits(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c >= '0' && c <= '9') out += c;
  }
  return out;
}

class BankBuilder {
 public:
  BankBuilder(const DemoPlan& plan, std::int64_t first_seq)
      : plan_(plan), first_seq_(first_seq), year_(plan.fiscal_year), txns_(kAccountCount) {}

  DemoBank Run() {
    ReadPlan();
    IndexAmounts();
    ChoosePlants();
    RoutePayments();
    AddPlantedLines();
    AddTopUps();
    AddRevenue();
    DemoBank out;
    CutStatements(out);
    for (DemoBankPlant& plant : planted_) {
      if (plant.rule == ledger::kRuleStatementGap && plant.account_no == AccountNo(missing_account_)) {
        plant.amount_sen = std::abs(missing_net_);
        if (missing_net_ != 0) {
          plant.line += "; its movements are missing too, so the " + MonthText(year_, kMissingMonth + 1) +
                        " statement opens " + ledger::FormatRupiah(plant.amount_sen) + " away from the " +
                        MonthText(year_, kMissingMonth - 1) + " closing balance";
        }
      }
    }
    out.csv_mapping = CsvMapping();
    out.planted = std::move(planted_);
    return out;
  }

 private:
  void ReadPlan();
  // (expected account, amount) -> dates, over every routed payment.
  void IndexAmounts();
  // True if no other payment of `account` has `amount` within `days` days of `date`.
  bool UniqueAmount(std::size_t account, std::int64_t amount, Day date, std::int64_t days) const;
  void ChoosePlants();
  std::optional<std::size_t> FindPayment(const char* opd, unsigned month, bool (*fits)(const Payment&)) const;
  void RoutePayments();
  void AddPlantedLines();
  void AddTopUps();
  void AddRevenue();
  void CutStatements(DemoBank& out);
  DemoStatement Cut(std::size_t account, unsigned month, std::int64_t& balance, std::vector<Txn>& lines) const;
  static ledger::StatementCsvMapping CsvMapping();

  std::optional<std::size_t> ExpectedAccount(const Payment& p) const {
    if (p.kind == "refund") return kRkud;
    if (p.kind == "tax_deposit") return 1 + p.opd;
    if (p.reversed || p.instrument == "cash") return std::nullopt;
    if (p.mechanism == "LS" || p.instrument == "sp2d_ls") return kRkud;
    return 1 + p.opd;
  }
  std::string OpdLabel(std::size_t opd) const {
    return std::string(kOpds[opd].name) + " (" + kOpds[opd].code + ")";
  }
  std::string AccountLabel(std::size_t account) const {
    return account == kRkud ? "RKUD " + AccountNo(account)
                            : "rekening bendahara pengeluaran " + AccountNo(account) + " of " +
                                  OpdLabel(account - 1);
  }
  std::string Format(std::size_t account) const {
    return account == kRkud ? "camt053" : (account - 1) % 2 == 0 ? "mt940" : "csv";
  }
  static bool InMonth(Day day, std::int64_t year, unsigned month) {
    return YearOf(day) == year && MonthOf(day) == month;
  }

  const DemoPlan& plan_;
  const std::int64_t first_seq_;
  const std::int64_t year_;
  std::vector<Payment> payments_;
  std::map<std::pair<std::size_t, std::int64_t>, std::vector<Day>> amounts_;
  std::vector<std::vector<Txn>> txns_;
  std::optional<std::size_t> never_debited_;  // Index into payments_.
  std::optional<std::size_t> mismatch_;
  std::size_t missing_account_ = 0;
  std::size_t break_account_ = 0;
  std::size_t withdrawal_account_ = 0;
  Day stray_day_;
  std::int64_t stray_sen_ = kStrayDebitSen;
  std::int64_t serial_ = 0;
  std::int64_t missing_net_ = 0;  // Credits less debits of the missing statement.
  std::vector<DemoBankPlant> planted_;
};

void BankBuilder::ReadPlan() {
  std::map<std::string, std::size_t> opd_index;
  for (std::size_t o = 0; o < kOpdCount; ++o) opd_index[kOpds[o].code] = o;
  std::map<std::int64_t, std::size_t> by_seq;
  std::int64_t seq = first_seq_;
  for (const DemoBatch& batch : plan_.batches) {
    for (const auto& [sub, body] : batch.entries) {
      const std::string kind = body["kind"].get<std::string>();
      Payment p;
      p.seq = seq++;
      p.kind = kind;
      if (kind == "expenditure") {
        p.opd = opd_index.at(body["opd"].get<std::string>());
        p.date = ParseDay(body["value_date"].get<std::string>());
        p.amount = Money(body["net"]);
        p.gross = Money(body["gross"]);
        p.mechanism = body["mechanism"].get<std::string>();
        p.instrument = body["instrument"].get<std::string>();
        p.bank_ref = body.value("bank_ref", "");
        const json& payee = body["payee"];
        p.payee_account = payee.value("account_no", "");
        p.payee_name = payee.value("account_name", payee["name"].get<std::string>());
        const json& documents = body["documents"];
        p.sp2d = documents.value("sp2d", "");
        p.payroll = documents.value("spp", "").find("LS-GJ") != std::string::npos;
        p.taxed = !body["taxes"].empty();
      } else if (kind == "tax_deposit") {
        p.opd = opd_index.at(body["opd"].get<std::string>());
        p.date = ParseDay(body["deposit_date"].get<std::string>());
        p.amount = Money(body["amount"]);
        p.bank_ref = body["ntpn"].get<std::string>();
        p.tax_type = body["tax_type"].get<std::string>();
      } else if (kind == "refund") {
        Payment& paid = payments_[by_seq.at(body["refunds"].get<std::int64_t>())];
        paid.refunded = true;
        p.opd = paid.opd;
        p.date = ParseDay(body["value_date"].get<std::string>());
        p.amount = Money(body["amount"]);
        p.bank_ref = body["sts_no"].get<std::string>();
        p.payee_name = paid.payee_name;
      } else {
        if (kind == "reversal") payments_[by_seq.at(body["reverses"].get<std::int64_t>())].reversed = true;
        continue;
      }
      by_seq[p.seq] = payments_.size();
      payments_.push_back(std::move(p));
    }
  }
}

void BankBuilder::IndexAmounts() {
  for (const Payment& p : payments_) {
    if (p.kind == "refund") continue;
    if (std::optional<std::size_t> account = ExpectedAccount(p)) amounts_[{*account, p.amount}].push_back(p.date);
  }
}

bool BankBuilder::UniqueAmount(std::size_t account, std::int64_t amount, Day date, std::int64_t days) const {
  const auto it = amounts_.find({account, amount});
  if (it == amounts_.end()) return true;
  std::size_t near = 0;
  for (Day other : it->second) {
    if (std::abs(DaysBetween(other, date)) <= days) ++near;
  }
  return near <= 1;  // The payment itself.
}

std::optional<std::size_t> BankBuilder::FindPayment(const char* opd, unsigned month,
                                                    bool (*fits)(const Payment&)) const {
  const std::size_t preferred = OpdIndex(opd);
  for (std::size_t shift = 0; shift < kOpdCount; ++shift) {
    const std::size_t o = (preferred + shift) % kOpdCount;
    for (unsigned m = month; m <= 11; ++m) {
      for (std::size_t i = 0; i < payments_.size(); ++i) {
        const Payment& p = payments_[i];
        if (p.kind != "expenditure" || p.opd != o || !InMonth(p.date, year_, m) || p.reversed || p.refunded) continue;
        const std::optional<std::size_t> account = ExpectedAccount(p);
        if (!account || !fits(p) || !UniqueAmount(*account, p.amount, p.date, 14)) continue;
        if (o == OpdIndex(kMissingOpd) || o == OpdIndex(kBreakOpd)) continue;
        return i;
      }
    }
  }
  return std::nullopt;
}

void BankBuilder::ChoosePlants() {
  missing_account_ = 1 + OpdIndex(kMissingOpd);
  break_account_ = 1 + OpdIndex(kBreakOpd);
  withdrawal_account_ = 1 + OpdIndex(kWithdrawalOpd);
  // A transfer the treasurer recorded and the bank never made.
  never_debited_ = FindPayment(kNeverDebitedOpd, kNeverDebitedMonth, [](const Payment& p) {
    return p.instrument == "cms_transfer" && p.mechanism == "GU" && p.amount >= 2 * kJuta;
  });
  // An SP2D LS whose taxes the bank did not withhold: the gross left the RKUD.
  mismatch_ = FindPayment(kMismatchOpd, kMismatchMonth, [](const Payment& p) {
    return p.instrument == "sp2d_ls" && !p.payroll && p.taxed && p.gross > p.amount;
  });
  JEJAK_CHECK(never_debited_ && mismatch_);
  // A transfer out of the RKUD with no SP2D: an amount no payment of the year has.
  stray_day_ = NextWorkday(MakeDay(year_, 6, 18));
  while (amounts_.contains({kRkud, stray_sen_})) {
    stray_sen_ += 1000 * kSen;
  }
}

void BankBuilder::RoutePayments() {
  for (std::size_t i = 0; i < payments_.size(); ++i) {
    const Payment& p = payments_[i];
    const std::optional<std::size_t> account = ExpectedAccount(p);
    // No line for an unpaid payment, nor for next year's statements (December's taxes).
    if (!account || YearOf(p.date) != year_ || never_debited_ == i) continue;
    Txn t;
    t.date = p.date;
    t.value = p.date;
    t.amount = p.amount;
    t.bank_ref = p.bank_ref;
    t.order = p.seq;
    if (p.kind == "refund") {
      t.debit = false;
      t.counter_name = Upper(p.payee_name);
      t.description = "SETORAN STS " + p.bank_ref + " PENGEMBALIAN BELANJA";
    } else if (p.kind == "tax_deposit") {
      t.counter_name = "KAS NEGARA";
      t.description = "SETORAN PAJAK " + p.tax_type + " MPN G3";
    } else {
      t.counter_account = Digits(p.payee_account);
      t.counter_name = Upper(p.payee_name);
      if (*account == kRkud) {
        t.description = "PEMBAYARAN SP2D " + (p.sp2d.empty() ? p.bank_ref : p.sp2d);
        if (mismatch_ == i) t.amount = p.gross;
      } else {
        t.description = (p.instrument == "kkpd"   ? "TRX KKPD "
                         : p.instrument == "qris" ? "PEMBAYARAN QRIS "
                                                  : "TRANSFER CMS ") + Upper(p.payee_name);
        // About one in eight carries no reference and reaches the bank a day or two later:
        // only one payment of the account with that amount within two weeks, so that the
        // match by amount, date and payee account is the only one.
        const std::uint64_t mix = static_cast<std::uint64_t>(p.seq) * 0x9E3779B97F4A7C15ULL;
        if ((mix >> 40) % 8 == 0 && UniqueAmount(*account, p.amount, p.date, 14)) {
          t.bank_ref.clear();
          t.value = AddDays(p.date, static_cast<std::int64_t>((mix >> 20) % 3));
          t.date = std::min(t.value, MonthEnd(year_, MonthOf(p.date)));
        }
      }
    }
    txns_[*account].push_back(std::move(t));
  }
}

void BankBuilder::AddPlantedLines() {
  {
    Txn t;
    t.date = t.value = stray_day_;
    t.amount = stray_sen_;
    t.bank_ref = "BRK" + Compact(stray_day_) + "00731";
    t.counter_account = "034501002214567";
    t.counter_name = "CV MITRA KARYA PRATAMA";
    t.description = "PEMINDAHBUKUAN ATAS PERINTAH NOTA DINAS";
    t.order = ++serial_;
    planted_.push_back({ledger::kRuleBankDebitWithoutEntry, kDemoRkudAccount, MonthText(year_, 6), "", 0, t.amount,
                        "BANK_DEBIT_WITHOUT_ENTRY: RKUD " + std::string(kDemoRkudAccount) + " debited " +
                            ledger::FormatRupiah(t.amount) + " on " + Iso(t.date) + " (ref " + t.bank_ref +
                            ", to CV Mitra Karya Pratama) with no SP2D in the ledger"});
    txns_[kRkud].push_back(std::move(t));
  }
  {
    Txn t;
    t.date = t.value = NextWorkday(MakeDay(year_, 10, 15));
    t.amount = kWithdrawalSen;
    t.type = "cash_withdrawal";
    t.description = "TARIK TUNAI TELLER KCP CURUP";
    t.order = ++serial_;
    planted_.push_back({ledger::kRuleCashWithdrawal, AccountNo(withdrawal_account_), MonthText(year_, 10), "", 0, t.amount,
                        "CASH_WITHDRAWAL: " + AccountLabel(withdrawal_account_) + ": " +
                            ledger::FormatRupiah(t.amount) + " withdrawn in cash at the teller on " + Iso(t.date)});
    txns_[withdrawal_account_].push_back(std::move(t));
  }
  const Payment& never = payments_[*never_debited_];
  const std::size_t never_account = *ExpectedAccount(never);
  planted_.push_back({ledger::kRuleEntryWithoutBankDebit, AccountNo(never_account), MonthText(year_, MonthOf(never.date)),
                      "", never.seq, never.amount,
                      "ENTRY_WITHOUT_BANK_DEBIT: " + OpdLabel(never.opd) + " transfer of " +
                          ledger::FormatRupiah(never.amount) + " on " + Iso(never.date) + " (ref " +
                          never.bank_ref + ") never debited from " + AccountNo(never_account) + ", seq " +
                          std::to_string(never.seq)});
  const Payment& mismatch = payments_[*mismatch_];
  planted_.push_back({ledger::kRuleAmountMismatch, kDemoRkudAccount, MonthText(year_, MonthOf(mismatch.date)), "",
                      mismatch.seq, mismatch.gross - mismatch.amount,
                      "AMOUNT_MISMATCH: " + OpdLabel(mismatch.opd) + " SP2D " + mismatch.sp2d + " net " +
                          ledger::FormatRupiah(mismatch.amount) + " but the RKUD was debited the gross " +
                          ledger::FormatRupiah(mismatch.gross) + " (ref " + mismatch.bank_ref + "), seq " +
                          std::to_string(mismatch.seq)});
  planted_.push_back({ledger::kRuleStatementGap, AccountNo(missing_account_), MonthText(year_, kMissingMonth + 1),
                      MonthText(year_, kMissingMonth - 1), 0, 0,
                      "STATEMENT_GAP: " + AccountLabel(missing_account_) + ": no statement for " +
                          MonthText(year_, kMissingMonth)});
  planted_.push_back({ledger::kRuleStatementGap, AccountNo(break_account_), MonthText(year_, kBreakMonth),
                      MonthText(year_, kBreakMonth - 1), 0, kBreakSen,
                      "STATEMENT_GAP: " + AccountLabel(break_account_) + ": the " + MonthText(year_, kBreakMonth) +
                          " statement opens " + ledger::FormatRupiah(kBreakSen) + " above the " +
                          MonthText(year_, kBreakMonth - 1) + " closing balance"});
}

void BankBuilder::AddTopUps() {
  for (std::size_t account = 1; account < kAccountCount; ++account) {
    std::array<std::int64_t, 13> debits{};
    for (const Txn& t : txns_[account]) {
      if (t.debit) debits[MonthOf(t.date)] += t.amount;
    }
    std::int64_t balance = 0;
    for (unsigned month = 1; month <= 12; ++month) {
      // The month with no statement gets no top-up: the one before covers it.
      if (account == missing_account_ && month == kMissingMonth) {
        balance -= debits[month];
        continue;
      }
      std::int64_t need = debits[month];
      if (account == missing_account_ && month + 1 == kMissingMonth) need += debits[month + 1];
      const std::int64_t amount = RoundUp(std::max<std::int64_t>(0, need + need / 10 - balance), kJuta);
      JEJAK_CHECK(balance - debits[month] + amount >= 0);
      balance += amount - debits[month];
      if (amount == 0) continue;
      const Day day = NextWorkday(MakeDay(year_, month, month == 1 ? 2 : 1));
      const std::string mechanism = month == 1 ? "UP" : "GU";
      const std::string ref = "SP2D-" + mechanism + "-" + std::to_string(year_) + "-" + Padded(++serial_, 5);
      const std::string who = kOpds[account - 1].short_name;
      Txn debit;
      debit.date = debit.value = day;
      debit.amount = amount;
      debit.bank_ref = ref;
      debit.counter_account = AccountNo(account);
      debit.counter_name = "BENDAHARA PENGELUARAN " + who;
      debit.description = "PELIMPAHAN " + mechanism + " " + ref;
      debit.order = serial_;
      Txn credit = debit;
      credit.debit = false;
      credit.counter_account = kDemoRkudAccount;
      credit.counter_name = "RKUD PEMERINTAH KABUPATEN";
      txns_[kRkud].push_back(std::move(debit));
      txns_[account].push_back(std::move(credit));
    }
  }
}

void BankBuilder::AddRevenue() {
  std::array<std::int64_t, 13> debits{};
  for (const Txn& t : txns_[kRkud]) {
    if (t.debit) debits[MonthOf(t.date)] += t.amount;
  }
  std::int64_t balance = 0;
  for (unsigned month = 1; month <= 12; ++month) {
    const std::int64_t need = debits[month] + debits[month] / 20 - balance;
    const std::int64_t amount = RoundUp(std::max<std::int64_t>(0, need), kMiliar);
    balance += amount - debits[month];
    if (amount == 0) continue;
    Txn t;
    t.debit = false;
    t.date = t.value = NextWorkday(MakeDay(year_, month, month == 1 ? 2 : 1));
    t.amount = amount;
    t.bank_ref = "RKUN" + Compact(t.date) + Padded(month, 4);
    t.counter_name = "RKUN KEMENTERIAN KEUANGAN";
    t.description = "PENERIMAAN DANA TRANSFER UMUM (DAU) BULAN " + Upper(kBulan[month - 1]);
    t.order = ++serial_;
    txns_[kRkud].push_back(std::move(t));
  }
}

DemoStatement BankBuilder::Cut(std::size_t account, unsigned month, std::int64_t& balance,
                               std::vector<Txn>& lines) const {
  std::sort(lines.begin(), lines.end(), [](const Txn& a, const Txn& b) {
    return std::tie(a.date, a.debit, a.order) < std::tie(b.date, b.debit, b.order);
  });
  DemoStatement s;
  s.bank = kDemoBank;
  s.account_role = account == kRkud ? ledger::kAccountRoleRkud : ledger::kAccountRoleTreasurer;
  s.opd = account == kRkud ? "" : kOpds[account - 1].code;
  s.format = Format(account);
  const std::string extension = s.format == "camt053" ? "xml" : s.format;
  s.file_name = AccountNo(account) + "-" + MonthText(year_, month) + "." + extension;
  ledger::ParsedStatement& p = s.parsed;
  p.account_no = AccountNo(account);
  p.statement_no = Padded(month, 5) + "/001";
  p.currency = "IDR";
  p.period_start = Iso(MakeDay(year_, month, 1));
  p.period_end = Iso(MonthEnd(year_, month));
  if (account == break_account_ && month == kBreakMonth) balance += kBreakSen;
  p.opening_sen = balance;
  for (Txn& t : lines) {
    balance += t.debit ? -t.amount : t.amount;
    JEJAK_CHECK(balance >= 0);
    ledger::BankLine line;
    line.index = static_cast<std::int64_t>(p.lines.size());
    line.date = Iso(t.date);
    line.value_date = Iso(t.value);
    line.debit = t.debit;
    line.amount_sen = t.amount;
    line.bank_ref = std::move(t.bank_ref);
    line.counter_account = std::move(t.counter_account);
    line.counter_name = std::move(t.counter_name);
    line.description = std::move(t.description);
    line.type = std::move(t.type);
    if (s.format == "csv") line.balance_sen = balance;
    p.lines.push_back(std::move(line));
  }
  p.closing_sen = balance;
  return s;
}

void BankBuilder::CutStatements(DemoBank& out) {
  // Each account's lines by month, then statements month by month across the accounts.
  std::vector<std::array<std::vector<Txn>, 13>> months(kAccountCount);
  for (std::size_t account = 0; account < kAccountCount; ++account) {
    for (Txn& t : txns_[account]) {
      JEJAK_CHECK(YearOf(t.date) == year_);
      months[account][MonthOf(t.date)].push_back(std::move(t));
    }
  }
  std::vector<std::int64_t> balances(kAccountCount, 0);
  // The RKUD opens the year with last year's SiLPA.
  balances[kRkud] = 85 * kMiliar;
  for (unsigned month = 1; month <= 12; ++month) {
    for (std::size_t account = 0; account < kAccountCount; ++account) {
      DemoStatement s = Cut(account, month, balances[account], months[account][month]);
      if (account == missing_account_ && month == kMissingMonth) {
        // The month's movements are missing from the chain too: the next statement opens
        // at a balance the previous one did not close at (a second break, of the same pair).
        missing_net_ = s.parsed.closing_sen - s.parsed.opening_sen;
        continue;
      }
      out.lines += s.parsed.lines.size();
      out.statements.push_back(std::move(s));
    }
  }
}

ledger::StatementCsvMapping BankBuilder::CsvMapping() {
  ledger::StatementCsvMapping m;
  m.name = "bank-bengkulu-cms";
  m.separator = ';';
  m.decimal = ',';
  m.date_format = "DD/MM/YYYY";
  m.date = "Tanggal";
  m.value_date = "Tanggal Valuta";
  m.debit = "Debet";
  m.credit = "Kredit";
  m.bank_ref = "No. Referensi";
  m.counter_account = "Rekening Lawan";
  m.counter_name = "Nama Lawan";
  m.description = "Keterangan";
  m.balance = "Saldo";
  m.cash_withdrawal_markers = {"TARIK TUNAI"};
  return m;
}

}  // namespace
}  // namespace demo

DemoBank GenerateDemoStatements(const DemoPlan& plan, std::int64_t first_seq) {
  return demo::BankBuilder(plan, first_seq).Run();
}

}  // namespace jejak::cli
