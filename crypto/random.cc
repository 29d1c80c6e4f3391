// Random bytes from OpenSSL's DRBG (seeded from the operating system).
#include "crypto/random.h"

#include <openssl/rand.h>

#include <climits>

#include "base/check.h"

namespace jejak::crypto {

void RandomBytes(std::span<std::uint8_t> out) {
  // RAND_bytes takes an int; callers ask for keys and nonces, never gigabytes.
  JEJAK_CHECK(out.size() <= static_cast<std::size_t>(INT_MAX));
  if (out.empty()) return;
  JEJAK_CHECK(RAND_bytes(out.data(), static_cast<int>(out.size())) == 1);
}

}  // namespace jejak::crypto
