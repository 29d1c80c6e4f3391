// Money: rupiah with sen, written as a decimal string ("12500000", "280713172441.23") and
// held as int64 sen. A float is never used for money. Part of the pure ledger domain.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace jejak::ledger {

// Parses DESIGN's money string: digits, no sign, no leading zero (except "0"), at most 16
// integer digits, optionally "." and one or two fraction digits. kInvalidArgument with a
// message naming what is wrong (the caller adds the field name).
Result<std::int64_t> ParseMoneySen(std::string_view text);

// "12500000.00": always exactly two fraction digits. `sen` must be in [0, kMoneySenMax]
// for entries; negative values (deviations, sums of reversals) are written with "-".
std::string FormatMoney(std::int64_t sen);

// a + b, or nullopt on int64 overflow.
std::optional<std::int64_t> CheckedAdd(std::int64_t a, std::int64_t b);
std::optional<std::int64_t> CheckedSub(std::int64_t a, std::int64_t b);

}  // namespace jejak::ledger
