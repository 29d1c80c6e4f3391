// Hex and base64 (RFC 4648 §4, with padding) encodings. Hashes in the JSON API are
// lowercase hex; base64 appears only inside signed notes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/sha256.h"

namespace jejak::crypto {

// Lowercase hex of `bytes`.
std::string ToHex(std::span<const std::uint8_t> bytes);
// Nullopt unless `hex` is an even-length string of [0-9a-fA-F].
std::optional<std::vector<std::uint8_t>> FromHex(std::string_view hex);
// Nullopt unless `hex` is exactly 64 lowercase hex characters.
std::optional<Digest> DigestFromHex(std::string_view hex);

// Standard base64 with padding.
std::string Base64Encode(std::span<const std::uint8_t> bytes);
// Nullopt unless `text` is canonical standard base64 with padding (no whitespace,
// no non-zero pad bits).
std::optional<std::vector<std::uint8_t>> Base64Decode(std::string_view text);

inline std::span<const std::uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace jejak::crypto
