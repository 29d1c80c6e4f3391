// ledger::ParseMoneySen and FormatMoney: accepted money is in [0, kMoneySenMax] and
// FormatMoney writes it back as the same amount with exactly two fraction digits; any
// int64 formats without a crash, and in range it parses back to itself.
#include <cstring>

#include "ledger/limits.h"
#include "ledger/money.h"
#include "tests/fuzz/fuzz.h"

namespace jejak::fuzz {

std::vector<std::string> Seeds() {
  return {"0", "0.5", "0.05", "12500000", "280713172441.23", "9999999999999999.99",
          "9999999999999999", "1126126.13", "01", "1.", ".5", "1.234", "-1", "+1", "1e3",
          "10000000000000000", std::string("\x00\x00\x00\x00\x00\x00\x00\x80", 8)};
}

}  // namespace jejak::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using jejak::ledger::FormatMoney;
  using jejak::ledger::ParseMoneySen;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  jejak::Result<std::int64_t> sen = ParseMoneySen(input);
  if (sen) {
    FUZZ_ASSERT(*sen >= 0 && *sen <= jejak::ledger::kMoneySenMax, std::to_string(*sen));
    const std::string formatted = FormatMoney(*sen);
    jejak::Result<std::int64_t> again = ParseMoneySen(formatted);
    FUZZ_ASSERT(again.has_value() && *again == *sen, "FormatMoney gave " + formatted);
    // The stored form is the input with the fraction padded to two digits.
    std::string expected(input);
    const std::size_t dot = expected.find('.');
    if (dot == std::string::npos) expected += ".";
    while (expected.size() - expected.find('.') < 3) expected += '0';
    FUZZ_ASSERT(formatted == expected, formatted + " for " + std::string(input));
  } else {
    FUZZ_ASSERT(sen.error().code == jejak::Code::kInvalidArgument, sen.error().ToString());
  }
  // Any int64 formats; in range it parses back.
  if (size >= 8) {
    std::int64_t value = 0;
    std::memcpy(&value, data, sizeof(value));
    const std::string formatted = FormatMoney(value);
    if (value >= 0 && value <= jejak::ledger::kMoneySenMax) {
      jejak::Result<std::int64_t> again = ParseMoneySen(formatted);
      FUZZ_ASSERT(again.has_value() && *again == value, formatted);
    } else {
      FUZZ_ASSERT(!ParseMoneySen(formatted).has_value(), formatted);
    }
  }
  return 0;
}
