// Tests of the bank_statement entry kind (ledger/bank_statement.h): every validation rule
// accepted and refused, the balances line by line with checked arithmetic near the int64
// limits, the line limit, the query columns, StatementFacts on stored entries, and the
// checks against earlier statements of the same account through a fake LedgerView.
#include "ledger/bank_statement.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/result.h"
#include "ledger/entry.h"
#include "ledger/limits.h"
#include "ledger/money.h"

namespace jejak::ledger {
namespace {

using nlohmann::json;

constexpr char kOpd[] = "1.02.0.00.0.00.01.0000";
constexpr char kMaxMoney[] = "9999999999999999.99";

json Line(const char* date, const char* direction, const char* amount) {
  return {{"date", date}, {"value_date", date}, {"direction", direction}, {"amount", amount},
          {"type", "transfer"}};
}

// A treasurer's March statement: 1,000 in, 150 out, 50 in: 900 out.
json Statement() {
  json first = Line("2026-03-02", "debit", "150");
  first["bank_ref"] = "CMS-0001";
  first["counter_account"] = "0012345678";
  first["counter_name"] = "CV Maju";
  first["description"] = "Pembayaran ATK";
  first["source_line"] = 7;
  first["balance"] = "850";
  json second = Line("2026-03-31", "credit", "50");
  second["type"] = "interest";
  second["balance"] = "900.00";
  return {{"kind", "bank_statement"}, {"bank", "BPD Bengkulu"}, {"account_no", "001.02-0003"},
          {"account_role", "bendahara_pengeluaran"}, {"opd", kOpd}, {"statement_no", "12/2026"},
          {"period_start", "2026-03-01"}, {"period_end", "2026-03-31"}, {"currency", "IDR"},
          {"opening_balance", "1000"}, {"closing_balance", "900"}, {"format", "mt940"},
          {"file_sha256", std::string(64, 'e')}, {"lines", {first, second}}};
}

json Rkud() {
  json body = Statement();
  body["account_role"] = "rkud";
  body.erase("opd");
  body["account_no"] = "0010000001";
  return body;
}

// The field errors of a refused body ("" when it is accepted).
std::vector<FieldError> Errors(const json& body) {
  Result<json> validated = ValidateBody(body);
  if (validated) return {};
  EXPECT_EQ(validated.error().code, Code::kInvalidArgument);
  return validated.error().fields;
}

// The message on `field`, or "" if none.
std::string ErrorOn(const json& body, const std::string& field) {
  for (const FieldError& error : Errors(body)) {
    if (error.field == field) return error.message;
  }
  return "";
}

json Stored(const json& body, std::int64_t seq) {
  Result<json> validated = ValidateBody(body);
  EXPECT_TRUE(validated.has_value()) << validated.error().ToString();
  return StampEntry(*validated, Stamp{seq, "2026-04-01T08:00:00.000Z", "bpkad"});
}

TEST(BankStatementTest, AValidStatementIsAcceptedWithItsMoneyInStoredForm) {
  Result<json> treasurer = ValidateBody(Statement());
  ASSERT_TRUE(treasurer.has_value()) << treasurer.error().ToString();
  EXPECT_EQ((*treasurer)["opening_balance"], "1000.00");
  EXPECT_EQ((*treasurer)["lines"][0]["amount"], "150.00");
  EXPECT_EQ((*treasurer)["lines"][0]["balance"], "850.00");
  Result<json> rkud = ValidateBody(Rkud());
  EXPECT_TRUE(rkud.has_value()) << rkud.error().ToString();
  json minimal = Rkud();
  minimal.erase("statement_no");
  minimal["lines"] = json::array();
  minimal["closing_balance"] = "1000";
  EXPECT_TRUE(ValidateBody(minimal).has_value());
  EXPECT_EQ(KindName(Kind::kBankStatement), std::string("bank_statement"));
  EXPECT_EQ(ParseKind("bank_statement"), Kind::kBankStatement);
}

TEST(BankStatementTest, TheAccountNumberIsDigitsDashesAndDotsUpTo34) {
  for (const char* good : {"1", "0012345678", "001.02-0003", "1234567890123456789012345678901234"}) {
    json body = Statement();
    body["account_no"] = good;
    EXPECT_TRUE(Errors(body).empty()) << good;
  }
  for (const char* bad : {"", "001 234", "ID12345", "12345678901234567890123456789012345", "--",
                          "12/34"}) {
    json body = Statement();
    body["account_no"] = bad;
    EXPECT_EQ(ErrorOn(body, "account_no"),
              "must be 1 to 34 characters, digits, '-' or '.' (no spaces)")
        << bad;
  }
}

TEST(BankStatementTest, TheRoleDecidesWhetherAnOpdIsRequiredOrRefused) {
  json treasurer = Statement();
  treasurer.erase("opd");
  EXPECT_EQ(ErrorOn(treasurer, "opd"), "required");
  json rkud = Rkud();
  rkud["opd"] = kOpd;
  EXPECT_EQ(ErrorOn(rkud, "opd"), "allowed only with account_role bendahara_pengeluaran");
  json bad_code = Statement();
  bad_code["opd"] = "1.02";
  EXPECT_EQ(ErrorOn(bad_code, "opd"), "must be a code like \"1.02.0.00.0.00.01.0000\"");
  json bad_role = Statement();
  bad_role["account_role"] = "bendahara_penerimaan";
  EXPECT_EQ(ErrorOn(bad_role, "account_role"), "must be one of rkud, bendahara_pengeluaran");
  EXPECT_EQ(ErrorOn(bad_role, "opd"), "");  // Its form is good; whether it belongs is unknown.
}

TEST(BankStatementTest, ThePeriodIsOrderedWithinOneYearOfTheLedger) {
  json reversed = Statement();
  reversed["period_start"] = "2026-04-01";
  EXPECT_EQ(ErrorOn(reversed, "period_end"), "must not be before period_start 2026-04-01");
  json two_years = Statement();
  two_years["period_end"] = "2027-01-31";
  EXPECT_EQ(ErrorOn(two_years, "period_end"), "must be in the same year as period_start 2026-03-01");
  json ancient = Statement();
  ancient["period_start"] = "1999-12-01";
  ancient["period_end"] = "1999-12-31";
  EXPECT_EQ(ErrorOn(ancient, "period_start"), "must be in a fiscal year from 2000 to 2100");
  json not_a_day = Statement();
  not_a_day["period_end"] = "2026-02-30";
  EXPECT_EQ(ErrorOn(not_a_day, "period_end"), "must be a calendar date YYYY-MM-DD");
  json one_day = Statement();
  one_day["period_start"] = "2026-03-31";
  one_day["lines"] = json::array({Line("2026-03-31", "debit", "100")});
  EXPECT_TRUE(Errors(one_day).empty());
}

TEST(BankStatementTest, CurrencyFormatAndFileHashAreChecked) {
  json dollars = Statement();
  dollars["currency"] = "USD";
  EXPECT_EQ(ErrorOn(dollars, "currency"), "must be one of IDR");
  json format = Statement();
  format["format"] = "bai2";
  EXPECT_EQ(ErrorOn(format, "format"), "must be one of mt940, camt053, csv");
  for (const std::string& bad : {std::string(64, 'E'), std::string(63, 'e'), std::string(65, 'e'),
                                 std::string(63, 'e') + "g"}) {
    json body = Statement();
    body["file_sha256"] = bad;
    EXPECT_EQ(ErrorOn(body, "file_sha256"), "must be 64 lowercase hexadecimal digits") << bad;
  }
  json unknown = Statement();
  unknown["iban"] = "x";
  EXPECT_EQ(ErrorOn(unknown, "iban"), "unknown field");
  json negative = Statement();
  negative["opening_balance"] = "-1";
  EXPECT_EQ(ErrorOn(negative, "opening_balance"), "money must not carry a sign");
}

TEST(BankStatementTest, EveryLineMemberIsChecked) {
  json body = Statement();
  json& line = body["lines"][0];
  line["direction"] = "out";
  line["type"] = "cheque";
  line["source_line"] = 0;
  line["bank_ref"] = std::string(65, 'r');
  line["counter_name"] = "a\x01";
  line["memo"] = "x";
  const std::vector<FieldError> errors = Errors(body);
  auto message = [&errors](const std::string& field) {
    for (const FieldError& error : errors) {
      if (error.field == field) return error.message;
    }
    return std::string();
  };
  EXPECT_EQ(message("lines[0].direction"), "must be one of debit, credit");
  EXPECT_EQ(message("lines[0].type"), "must be one of transfer, cash_withdrawal, fee, interest, other");
  EXPECT_EQ(message("lines[0].source_line"), "must be in [1, 9223372036854775807]");
  EXPECT_EQ(message("lines[0].bank_ref"), "must be at most 64 bytes");
  EXPECT_EQ(message("lines[0].counter_name"), "must not contain control characters");
  EXPECT_EQ(message("lines[0].memo"), "unknown field");
  // A bad direction leaves the balances unknown: they are not checked.
  EXPECT_EQ(message("closing_balance"), "");
  json zero = Statement();
  zero["lines"][1]["amount"] = "0";
  EXPECT_EQ(ErrorOn(zero, "lines[1].amount"), "must be greater than zero");
  json not_object = Statement();
  not_object["lines"][1] = "credit 50";
  EXPECT_EQ(ErrorOn(not_object, "lines[1]"), "must be an object");
  json missing = Statement();
  missing["lines"][1].erase("value_date");
  EXPECT_EQ(ErrorOn(missing, "lines[1].value_date"), "required");
}

TEST(BankStatementTest, BookingDatesLieInThePeriodAndValueDatesWithinAWeekOfIt) {
  json early = Statement();
  early["lines"][0]["date"] = "2026-02-28";
  EXPECT_EQ(ErrorOn(early, "lines[0].date"), "must lie in the statement's period 2026-03-01 to 2026-03-31");
  json late = Statement();
  late["lines"][1]["date"] = "2026-04-01";
  EXPECT_EQ(ErrorOn(late, "lines[1].date"), "must lie in the statement's period 2026-03-01 to 2026-03-31");
  json valued = Statement();
  valued["lines"][0]["value_date"] = "2026-02-22";  // Seven days before: allowed.
  valued["lines"][1]["value_date"] = "2026-04-07";  // Seven days after: allowed.
  EXPECT_TRUE(Errors(valued).empty());
  valued["lines"][0]["value_date"] = "2026-02-21";
  valued["lines"][1]["value_date"] = "2026-04-08";
  const std::string why = "must lie in the statement's period or at most 7 days outside it "
                          "(2026-02-22 to 2026-04-07)";
  EXPECT_EQ(ErrorOn(valued, "lines[0].value_date"), why);
  EXPECT_EQ(ErrorOn(valued, "lines[1].value_date"), why);
}

TEST(BankStatementTest, TheClosingBalanceIsOpeningPlusCreditsMinusDebits) {
  json body = Statement();
  body["closing_balance"] = "950";
  EXPECT_EQ(ErrorOn(body, "closing_balance"),
            "must equal opening_balance plus credits minus debits: 900.00 (the statement says "
            "950.00)");
  EXPECT_EQ(Errors(body).size(), 1u);  // The lines' own balances are right.
  json overdrawn = Statement();
  overdrawn["opening_balance"] = "0";
  overdrawn["closing_balance"] = "0";
  for (json& line : overdrawn["lines"]) line.erase("balance");
  EXPECT_EQ(ErrorOn(overdrawn, "closing_balance"),
            "must equal opening_balance plus credits minus debits: -100.00 (the statement says "
            "0.00)");
}

TEST(BankStatementTest, EveryStatedBalanceIsTheRunningBalance) {
  json body = Statement();
  body["lines"][0]["balance"] = "860";
  const std::vector<FieldError> errors = Errors(body);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "lines[0].balance");
  EXPECT_EQ(errors[0].message, "must equal the running balance after this line, 850.00");
  json without = Statement();
  without["lines"][0].erase("balance");
  EXPECT_TRUE(Errors(without).empty());  // Stated balances are optional.
  json negative = Statement();
  negative["lines"][0]["balance"] = "-850";
  EXPECT_EQ(ErrorOn(negative, "lines[0].balance"), "money must not carry a sign");
}

TEST(BankStatementTest, BalancesNearTheInt64LimitsEndInAnErrorNeverAnOverflow) {
  // The largest opening balance and a credit of the largest amount: 2 * 10^18 sen fits
  // int64 but is no money amount.
  json high = Rkud();
  high["opening_balance"] = kMaxMoney;
  high["closing_balance"] = kMaxMoney;
  high["lines"] = json::array({Line("2026-03-02", "credit", kMaxMoney)});
  EXPECT_EQ(ErrorOn(high, "lines[0].amount"),
            "the running balance after this line is beyond the largest amount, " +
                FormatMoney(kMoneySenMax));
  EXPECT_EQ(ErrorOn(high, "closing_balance"), "");  // The check stopped at the line.
  // Debits of the largest amount from zero: the first is a (strange) overdraft, the second
  // is past the range.
  json low = Rkud();
  low["opening_balance"] = "0";
  low["closing_balance"] = "0";
  low["lines"] = json::array({Line("2026-03-02", "debit", kMaxMoney),
                              Line("2026-03-03", "debit", kMaxMoney)});
  const std::vector<FieldError> errors = Errors(low);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "lines[1].amount");
  // Up and down by the largest amount many times: every step stays in range.
  json seesaw = Rkud();
  seesaw["opening_balance"] = "0";
  seesaw["closing_balance"] = kMaxMoney;
  seesaw["lines"] = json::array();
  for (int i = 0; i < 1000; ++i) {
    seesaw["lines"].push_back(Line("2026-03-02", "credit", kMaxMoney));
    seesaw["lines"].push_back(Line("2026-03-02", "debit", kMaxMoney));
  }
  seesaw["lines"].push_back(Line("2026-03-31", "credit", kMaxMoney));
  EXPECT_TRUE(Errors(seesaw).empty());
}

TEST(BankStatementTest, AStatementHoldsAtMostTheLineLimit) {
  json body = Rkud();
  body["opening_balance"] = "0";
  body["lines"] = json::array();
  for (std::size_t i = 0; i < kStatementLinesMax; ++i) {
    body["lines"].push_back(Line("2026-03-15", "credit", "1"));
  }
  body["closing_balance"] = std::to_string(kStatementLinesMax);
  EXPECT_TRUE(Errors(body).empty());
  body["lines"].push_back(Line("2026-03-15", "credit", "1"));
  body["closing_balance"] = std::to_string(kStatementLinesMax + 1);
  EXPECT_EQ(ErrorOn(body, "lines"), "must have between 0 and 100000 elements");
}

TEST(BankStatementTest, ErrorsOfManyBadLinesAreBounded) {
  json body = Rkud();
  body["lines"] = json::array();
  for (int i = 0; i < 5000; ++i) body["lines"].push_back(json::object());
  EXPECT_EQ(Errors(body).size(), 100u);
}

TEST(BankStatementTest, ColumnsAreYearOpdPeriodEndAndClosingBalance) {
  Result<EntryColumns> columns = DeriveColumns(Stored(Statement(), 9));
  ASSERT_TRUE(columns.has_value()) << columns.error().ToString();
  EXPECT_EQ(columns->kind, "bank_statement");
  EXPECT_EQ(columns->fiscal_year, 2026);
  EXPECT_EQ(columns->opd, kOpd);
  EXPECT_EQ(columns->value_date, "2026-03-31");
  EXPECT_EQ(columns->amount_sen, 90000);
  EXPECT_EQ(columns->bank_ref, "");
  EXPECT_EQ(columns->net_sen, std::nullopt);
  Result<EntryColumns> rkud = DeriveColumns(Stored(Rkud(), 10));
  ASSERT_TRUE(rkud.has_value());
  EXPECT_EQ(rkud->opd, "");
}

TEST(BankStatementTest, AStoredStatementWithBrokenArithmeticDoesNotVerify) {
  json stored = Stored(Statement(), 9);
  stored["closing_balance"] = "901.00";
  Result<EntryColumns> columns = DeriveColumns(stored);
  ASSERT_FALSE(columns.has_value());
  EXPECT_EQ(columns.error().code, Code::kDataLoss);
  EXPECT_NE(columns.error().message.find("closing_balance"), std::string::npos);
  json line = Stored(Statement(), 9);
  line["lines"][1]["amount"] = "51.00";
  EXPECT_FALSE(DeriveColumns(line).has_value());
}

TEST(BankStatementTest, StatementFactsReadAStoredStatement) {
  Result<BankStatementFacts> facts = StatementFacts(Stored(Statement(), 9));
  ASSERT_TRUE(facts.has_value()) << facts.error().ToString();
  EXPECT_EQ(facts->seq, 9);
  EXPECT_EQ(facts->fiscal_year, 2026);
  EXPECT_EQ(facts->bank, "BPD Bengkulu");
  EXPECT_EQ(facts->account_no, "001.02-0003");
  EXPECT_EQ(facts->account_role, kAccountRoleTreasurer);
  EXPECT_EQ(facts->opd, kOpd);
  EXPECT_EQ(facts->statement_no, "12/2026");
  EXPECT_EQ(facts->period_start, "2026-03-01");
  EXPECT_EQ(facts->period_end, "2026-03-31");
  EXPECT_EQ(facts->format, "mt940");
  EXPECT_EQ(facts->file_sha256, std::string(64, 'e'));
  EXPECT_EQ(facts->opening_sen, 100000);
  EXPECT_EQ(facts->closing_sen, 90000);
  ASSERT_EQ(facts->lines.size(), 2u);
  const BankLine& first = facts->lines[0];
  EXPECT_EQ(first.index, 0);
  EXPECT_TRUE(first.debit);
  EXPECT_EQ(first.amount_sen, 15000);
  EXPECT_EQ(first.bank_ref, "CMS-0001");
  EXPECT_EQ(first.counter_account, "0012345678");
  EXPECT_EQ(first.counter_name, "CV Maju");
  EXPECT_EQ(first.description, "Pembayaran ATK");
  EXPECT_EQ(first.type, "transfer");
  EXPECT_EQ(first.source_line, 7);
  EXPECT_EQ(first.balance_sen, 85000);
  const BankLine& second = facts->lines[1];
  EXPECT_EQ(second.index, 1);
  EXPECT_FALSE(second.debit);
  EXPECT_EQ(second.type, "interest");
  EXPECT_EQ(second.source_line, 0);
  EXPECT_EQ(second.bank_ref, "");

  Result<BankStatementFacts> rkud = StatementFacts(Stored(Rkud(), 10));
  ASSERT_TRUE(rkud.has_value());
  EXPECT_EQ(rkud->opd, "");
  json other = Stored({{"kind", "opd"}, {"code", kOpd}, {"name", "Dinas"}}, 3);
  EXPECT_EQ(StatementFacts(other).error().code, Code::kDataLoss);
  json damaged = Stored(Statement(), 9);
  damaged["lines"][0]["amount"] = 150;
  EXPECT_EQ(StatementFacts(damaged).error().code, Code::kDataLoss);
  damaged = Stored(Statement(), 9);
  damaged["lines"][0].erase("type");
  EXPECT_EQ(StatementFacts(damaged).error().code, Code::kDataLoss);
}

// The earlier statements of one account, newest first, and the registered OPDs.
class StatementsView : public LedgerView {
 public:
  std::vector<StatementPeriod> statements;
  std::string account;  // The account they are of.
  bool registered = true;

  Result<std::optional<std::int64_t>> SeqOfBankRef(std::string_view) override {
    return std::optional<std::int64_t>();
  }
  Result<std::optional<EntryColumns>> Columns(std::int64_t) override {
    return std::optional<EntryColumns>();
  }
  Result<std::optional<std::int64_t>> ReversalOf(std::int64_t) override {
    return std::optional<std::int64_t>();
  }
  Result<bool> OpdRegistered(std::string_view) override { return registered; }
  Result<Refunded> RefundsOf(std::int64_t) override { return Refunded{}; }
  Result<std::vector<StatementPeriod>> StatementsOfAccount(std::string_view account_no) override {
    if (account_no != account) return std::vector<StatementPeriod>();
    return statements;
  }
};

Result<void> Check(const json& body, StatementsView& view) {
  Result<json> validated = ValidateBody(body);
  EXPECT_TRUE(validated.has_value()) << validated.error().ToString();
  return CheckAgainstLedger(*validated, view);
}

TEST(BankStatementTest, APeriodMayNotOverlapAnEarlierStatementOfTheAccount) {
  StatementsView view;
  view.account = "001.02-0003";
  const StatementPeriod january{4, "BPD Bengkulu", kAccountRoleTreasurer, kOpd, "2026-01-01",
                                "2026-01-31"};
  const StatementPeriod february{7, "BPD Bengkulu", kAccountRoleTreasurer, kOpd, "2026-02-01",
                                 "2026-03-01"};
  view.statements = {february, january};
  Result<void> checked = Check(Statement(), view);
  ASSERT_FALSE(checked.has_value());
  EXPECT_EQ(checked.error().code, Code::kConflict);
  ASSERT_EQ(checked.error().fields.size(), 1u);
  EXPECT_EQ(checked.error().fields[0].field, "period_start");
  EXPECT_EQ(checked.error().fields[0].message,
            "the period 2026-03-01 to 2026-03-31 overlaps the statement of account 001.02-0003 "
            "in entry 7 (2026-02-01 to 2026-03-01)");
  view.statements[0].period_end = "2026-02-28";  // Adjacent: no overlap.
  EXPECT_TRUE(Check(Statement(), view).has_value());
  json inside = Statement();  // A period inside an earlier one.
  inside["period_start"] = "2026-01-10";
  inside["period_end"] = "2026-01-20";
  inside["lines"] = json::array();
  inside["closing_balance"] = "1000";
  Result<void> nested = Check(inside, view);
  ASSERT_FALSE(nested.has_value());
  EXPECT_NE(nested.error().message.find("in entry 4"), std::string::npos);
  json other_account = Statement();  // Another account's periods do not matter.
  other_account["account_no"] = "999";
  view.statements[0].period_end = "2026-03-01";
  EXPECT_TRUE(Check(other_account, view).has_value());
  // A gap between statements is a finding, not a refusal.
  view.statements = {january};
  EXPECT_TRUE(Check(Statement(), view).has_value());
}

TEST(BankStatementTest, AnAccountKeepsItsBankRoleAndOpd) {
  StatementsView view;
  view.account = "001.02-0003";
  view.statements = {StatementPeriod{4, "BPD Bengkulu", kAccountRoleTreasurer, kOpd,
                                     "2026-01-01", "2026-01-31"}};
  EXPECT_TRUE(Check(Statement(), view).has_value());
  auto refusal = [&view](const json& body) {
    Result<void> checked = Check(body, view);
    EXPECT_FALSE(checked.has_value());
    if (checked) return FieldError{};
    EXPECT_EQ(checked.error().code, Code::kConflict);
    return checked.error().fields.at(0);
  };
  json bank = Statement();
  bank["bank"] = "Bank Mandiri";
  const FieldError on_bank = refusal(bank);
  EXPECT_EQ(on_bank.field, "bank");
  EXPECT_EQ(on_bank.message, "account 001.02-0003 is held at BPD Bengkulu (entry 4)");
  json role = Statement();
  role["account_role"] = "rkud";
  role.erase("opd");
  const FieldError on_role = refusal(role);
  EXPECT_EQ(on_role.field, "account_role");
  EXPECT_EQ(on_role.message, "account 001.02-0003 has account_role bendahara_pengeluaran (entry 4)");
  json opd = Statement();
  opd["opd"] = "1.02.0.00.0.00.02.0000";
  const FieldError on_opd = refusal(opd);
  EXPECT_EQ(on_opd.field, "opd");
  EXPECT_EQ(on_opd.message, "account 001.02-0003 belongs to OPD 1.02.0.00.0.00.01.0000 (entry 4)");
}

TEST(BankStatementTest, ATreasurersOpdMustBeRegistered) {
  StatementsView view;
  view.registered = false;
  Result<void> checked = Check(Statement(), view);
  ASSERT_FALSE(checked.has_value());
  EXPECT_EQ(checked.error().code, Code::kInvalidArgument);
  EXPECT_EQ(checked.error().fields.at(0).field, "opd");
  EXPECT_EQ(checked.error().fields.at(0).message, "OPD 1.02.0.00.0.00.01.0000 is not registered");
  EXPECT_TRUE(Check(Rkud(), view).has_value());  // The RKUD has no OPD to register.
}

}  // namespace
}  // namespace jejak::ledger
