// Money strings to int64 sen and back. DESIGN ("Entries and the chain") fixes the format:
// a JSON string of rupiah with at most two fraction digits; the stored form has exactly two.
#include "ledger/money.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "base/check.h"
#include "base/result.h"
#include "ledger/limits.h"

namespace jejak::ledger {
namespace {

// DESIGN: "more than 16 integer digits" is an error, so the largest amount is
// 9999999999999999.99 rupiah, which is kMoneySenMax sen.
constexpr std::size_t kIntegerDigitsMax = 16;
constexpr std::size_t kFractionDigitsMax = 2;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Error MoneyError(std::string why) {
  return Error{Code::kInvalidArgument, std::move(why), {}};
}

}  // namespace

Result<std::int64_t> ParseMoneySen(std::string_view text) {
  if (text.empty()) return MoneyError("money must not be empty");
  if (text.front() == '-' || text.front() == '+') {
    return MoneyError("money must not carry a sign");
  }
  const std::size_t dot = text.find('.');
  const std::string_view integer_part = text.substr(0, dot);
  const std::string_view fraction_part =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  for (char c : integer_part) {
    if (!IsDigit(c)) {
      return MoneyError("money must be rupiah digits with an optional '.' and at most two "
                        "sen digits, as in \"12500000\" or \"280713172441.23\"");
    }
  }
  for (char c : fraction_part) {
    if (!IsDigit(c)) {
      return MoneyError("money must be rupiah digits with an optional '.' and at most two "
                        "sen digits, as in \"12500000\" or \"280713172441.23\"");
    }
  }
  if (integer_part.empty()) return MoneyError("money must have digits before the '.'");
  if (integer_part.size() > 1 && integer_part.front() == '0') {
    return MoneyError("money must not have a leading zero");
  }
  if (integer_part.size() > kIntegerDigitsMax) {
    return MoneyError("money must have at most 16 integer digits");
  }
  if (dot != std::string_view::npos && fraction_part.empty()) {
    return MoneyError("money must have digits after the '.'");
  }
  if (fraction_part.size() > kFractionDigitsMax) {
    return MoneyError("money must have at most two fraction digits (sen)");
  }

  // At most 16 + 2 digits: below 10^18, so no step can overflow int64.
  std::int64_t sen = 0;
  for (char c : integer_part) sen = sen * 10 + (c - '0');
  for (std::size_t i = 0; i < kFractionDigitsMax; ++i) {
    sen = sen * 10 + (i < fraction_part.size() ? fraction_part[i] - '0' : 0);
  }
  JEJAK_CHECK(sen >= 0);
  JEJAK_CHECK(sen <= kMoneySenMax);
  return sen;
}

std::string FormatMoney(std::int64_t sen) {
  // Work in unsigned so that the most negative int64 has a magnitude too.
  const bool negative = sen < 0;
  const std::uint64_t magnitude =
      negative ? std::uint64_t{0} - static_cast<std::uint64_t>(sen) : static_cast<std::uint64_t>(sen);
  const std::uint64_t rupiah = magnitude / 100;
  const std::uint64_t cents = magnitude % 100;
  std::string text = negative ? "-" : "";
  text += std::to_string(rupiah);
  text += '.';
  text += static_cast<char>('0' + cents / 10);
  text += static_cast<char>('0' + cents % 10);
  return text;
}

std::optional<std::int64_t> CheckedAdd(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return std::nullopt;
  return sum;
}

std::optional<std::int64_t> CheckedSub(std::int64_t a, std::int64_t b) {
  std::int64_t difference = 0;
  if (__builtin_sub_overflow(a, b, &difference)) return std::nullopt;
  return difference;
}

}  // namespace jejak::ledger
