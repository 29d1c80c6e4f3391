// crypto::Base64Decode, FromHex and DigestFromHex: what they accept re-encodes to the
// same text (canonical base64 with padding; hex up to case), and encoding any bytes
// decodes back to them.
#include <algorithm>
#include <cctype>

#include "crypto/encoding.h"
#include "tests/fuzz/fuzz.h"

namespace jejak::fuzz {

std::vector<std::string> Seeds() {
  return {"", "AA==", "AAA=", "AAAA", "Zm9vYmFy", "Zm9vYg==", "Zm9vYh==", "Zm9=",
          "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "mMl/C6MXXNCLAx3QhLncTmSbZNGijm6mlGRlAxc6tYc=",
          "00", "ff", "FF", "0g", "abc",
          "abababababababababababababababababababababababababababababababab",
          "ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB"};
}

}  // namespace jejak::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace crypto = jejak::crypto;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::span<const std::uint8_t> bytes(data, size);

  if (auto decoded = crypto::Base64Decode(input)) {
    FUZZ_ASSERT(crypto::Base64Encode(*decoded) == input, "base64 accepted but not canonical");
    FUZZ_ASSERT(decoded->size() == input.size() / 4 * 3 - (input.ends_with("==") ? 2 : input.ends_with("=") ? 1 : 0),
                "base64 decoded length");
  }
  const std::string encoded = crypto::Base64Encode(bytes);
  auto round_trip = crypto::Base64Decode(encoded);
  FUZZ_ASSERT(round_trip.has_value() && std::equal(round_trip->begin(), round_trip->end(),
                                                   bytes.begin(), bytes.end()),
              "Base64Decode(Base64Encode(x)) != x: " + encoded);

  if (auto decoded = crypto::FromHex(input)) {
    std::string lower(input);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    FUZZ_ASSERT(crypto::ToHex(*decoded) == lower, "hex accepted but re-encodes differently");
  }
  const std::string hex = crypto::ToHex(bytes);
  auto hex_round_trip = crypto::FromHex(hex);
  FUZZ_ASSERT(hex_round_trip.has_value() && std::equal(hex_round_trip->begin(), hex_round_trip->end(),
                                                       bytes.begin(), bytes.end()),
              "FromHex(ToHex(x)) != x");

  if (auto digest = crypto::DigestFromHex(input)) {
    FUZZ_ASSERT(crypto::ToHex(*digest) == input, "DigestFromHex accepted a non-canonical digest");
  }
  return 0;
}
