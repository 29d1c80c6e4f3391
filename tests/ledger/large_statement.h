// A bank statement body of any number of lines, each like a line of a real CMS export
// (reference, counter account and name, description, running balance), that validates as
// kind bank_statement. For the tests of the entry size limits (ledger/limits.h): the
// verifier's in tests/ledger and the store's in tests/db.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "ledger/money.h"

namespace jejak::ledger::test_support {

// The RKUD account `account_no`'s statement of March 2026 with `lines` lines: nine debits
// of Rp 10.000 to Rp 133.000 for each credit, booked in order over the month, each with
// its running balance, from an opening balance of Rp 100 billion. About 360 bytes a line
// canonical (35,776,195 bytes for 100,000 lines, stamped).
inline nlohmann::json LargeStatement(std::size_t lines,
                                     const std::string& account_no = "0010000001") {
  const std::int64_t opening_sen = 10'000'000'000'000;
  std::int64_t balance_sen = opening_sen;
  nlohmann::json items = nlohmann::json::array();
  for (std::size_t i = 0; i < lines; ++i) {
    const bool debit = i % 10 != 9;
    const std::int64_t amount_sen = 1'000'000 + static_cast<std::int64_t>(i % 1000) * 12'300;
    balance_sen += debit ? -amount_sen : amount_sen;
    const std::size_t day = 1 + i * 31 / lines;  // 1 to 31, in order.
    const std::string date = (day < 10 ? "2026-03-0" : "2026-03-") + std::to_string(day);
    std::string number = std::to_string(i + 1);
    number.insert(0, number.size() < 6 ? 6 - number.size() : 0, '0');
    items.push_back(
        {{"date", date},
         {"value_date", date},
         {"direction", debit ? "debit" : "credit"},
         {"amount", FormatMoney(amount_sen)},
         {"bank_ref", std::string(debit ? "SP2D-2026-" : "STS-2026-") + number},
         {"counter_account", "00120" + std::string(number)},
         {"counter_name", debit ? "CV Sinar Rejang Lebong Mandiri" : "Bendahara Penerimaan"},
         {"description", std::string(debit ? "Pembayaran SP2D " : "Setoran STS ") + number +
                             "/LS/1.02.0.00.0.00.01.0000/2026 belanja bahan habis pakai"},
         {"type", "transfer"},
         {"source_line", static_cast<std::int64_t>(i) + 12},
         {"balance", FormatMoney(balance_sen)}});
  }
  return {{"kind", "bank_statement"}, {"bank", "BPD Bengkulu"}, {"account_no", account_no},
          {"account_role", "rkud"}, {"statement_no", "03/2026"},
          {"period_start", "2026-03-01"}, {"period_end", "2026-03-31"}, {"currency", "IDR"},
          {"opening_balance", FormatMoney(opening_sen)},
          {"closing_balance", FormatMoney(balance_sen)}, {"format", "mt940"},
          {"file_sha256", std::string(64, 'c')}, {"lines", std::move(items)}};
}

}  // namespace jejak::ledger::test_support
