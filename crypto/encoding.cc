// Hex and strict base64 (RFC 4648 §4 and §8). Hand-written so that decoding is exact:
// canonical padding only, no whitespace, no non-zero pad bits (RFC 4648 §3.5).
#include "crypto/encoding.h"

#include <algorithm>
#include <cstddef>

namespace jejak::crypto {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Value of a hex digit, or -1.
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Value of a base64 alphabet character (RFC 4648 Table 1), or -1 ('=' included).
int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string ToHex(std::span<const std::uint8_t> bytes) {
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (std::uint8_t byte : bytes) {
    hex.push_back(kHexDigits[byte >> 4]);
    hex.push_back(kHexDigits[byte & 0x0f]);
  }
  return hex;
}

std::optional<std::vector<std::uint8_t>> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::vector<std::uint8_t> bytes;
  bytes.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = HexValue(hex[i]);
    const int low = HexValue(hex[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes.push_back(static_cast<std::uint8_t>(high << 4 | low));
  }
  return bytes;
}

std::optional<Digest> DigestFromHex(std::string_view hex) {
  if (hex.size() != 2 * kDigestBytes) return std::nullopt;
  for (char c : hex) {
    const bool lower_hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!lower_hex) return std::nullopt;
  }
  const std::optional<std::vector<std::uint8_t>> bytes = FromHex(hex);
  if (!bytes || bytes->size() != kDigestBytes) return std::nullopt;
  Digest digest{};
  std::copy(bytes->begin(), bytes->end(), digest.begin());
  return digest;
}

std::string Base64Encode(std::span<const std::uint8_t> bytes) {
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t group = static_cast<std::uint32_t>(bytes[i]) << 16 |
                                static_cast<std::uint32_t>(bytes[i + 1]) << 8 | bytes[i + 2];
    text.push_back(kBase64Alphabet[group >> 18 & 0x3f]);
    text.push_back(kBase64Alphabet[group >> 12 & 0x3f]);
    text.push_back(kBase64Alphabet[group >> 6 & 0x3f]);
    text.push_back(kBase64Alphabet[group & 0x3f]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t group = static_cast<std::uint32_t>(bytes[i]) << 16;
    text.push_back(kBase64Alphabet[group >> 18 & 0x3f]);
    text.push_back(kBase64Alphabet[group >> 12 & 0x3f]);
    text.append("==");
  } else if (rest == 2) {
    const std::uint32_t group =
        static_cast<std::uint32_t>(bytes[i]) << 16 | static_cast<std::uint32_t>(bytes[i + 1]) << 8;
    text.push_back(kBase64Alphabet[group >> 18 & 0x3f]);
    text.push_back(kBase64Alphabet[group >> 12 & 0x3f]);
    text.push_back(kBase64Alphabet[group >> 6 & 0x3f]);
    text.push_back('=');
  }
  return text;
}

std::optional<std::vector<std::uint8_t>> Base64Decode(std::string_view text) {
  // RFC 4648 §4: padded, so the length is a multiple of 4.
  if (text.size() % 4 != 0) return std::nullopt;
  std::vector<std::uint8_t> bytes;
  bytes.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int pad = 0;
    if (last && text[i + 3] == '=') pad = text[i + 2] == '=' ? 2 : 1;
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      if (j >= 4 - static_cast<std::size_t>(pad)) {
        group <<= 6;
        continue;
      }
      // Any '=' not in the final padding positions is rejected here.
      const int value = Base64Value(text[i + j]);
      if (value < 0) return std::nullopt;
      group = group << 6 | static_cast<std::uint32_t>(value);
    }
    // RFC 4648 §3.5: the bits below the last encoded byte must be zero (canonical form).
    if (pad == 2 && (group & 0xffff) != 0) return std::nullopt;
    if (pad == 1 && (group & 0xff) != 0) return std::nullopt;
    bytes.push_back(static_cast<std::uint8_t>(group >> 16));
    if (pad < 2) bytes.push_back(static_cast<std::uint8_t>(group >> 8 & 0xff));
    if (pad < 1) bytes.push_back(static_cast<std::uint8_t>(group & 0xff));
  }
  return bytes;
}

}  // namespace jejak::crypto
