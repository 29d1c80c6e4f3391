// Strict JSON input and RFC 8785 (JCS) canonical form for ledger entries. Entries use a
// subset of JSON: no floats, ASCII keys, no duplicate keys, nesting at most kJsonDepthMax.
// The canonical bytes are what is hashed and stored.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "base/result.h"
#include "ledger/limits.h"

namespace jejak::ledger {

// Parses `bytes` as one JSON value of the entry subset. kInvalidArgument (field "" or the
// JSON path) for: invalid JSON, invalid UTF-8, lone surrogates in \u escapes, floats or
// exponents, integers outside int64, duplicate keys, non-ASCII keys, nesting deeper than
// kJsonDepthMax, trailing bytes; kTooLarge for input larger than `bytes_max`. Request
// bodies keep the default; readers of stored entries pass kStoredEntryBytesMax.
Result<nlohmann::json> ParseStrict(std::string_view bytes,
                                   std::size_t bytes_max = kEntryBytesMax);

// The value of `bytes` if they are exactly the canonical form of a JSON object that
// ParseStrict(bytes, kStoredEntryBytesMax) accepts (the same value, and Canonicalize(value)
// == bytes, with the same integer types); nullopt otherwise, and then ParseStrict and
// Canonicalize tell what is wrong. One pass without a DOM rebuilt for comparison: for
// stored entries, which are canonical, it replaces ParseStrict followed by Canonicalize.
// Thread-safe.
std::optional<nlohmann::json> ParseCanonicalObject(std::string_view bytes);

// RFC 8785 canonical bytes of `value`, which must hold only the entry subset (checked:
// a float or a non-ASCII key is a programmer error here, since ParseStrict rejects them).
std::string Canonicalize(const nlohmann::json& value);

}  // namespace jejak::ledger
