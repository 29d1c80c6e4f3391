// Cryptographically secure random bytes from OpenSSL's DRBG.
#pragma once

#include <cstdint>
#include <span>

namespace jejak::crypto {

// Fills `out`. Aborts if the system cannot provide randomness (nothing safe to do then).
void RandomBytes(std::span<std::uint8_t> out);

}  // namespace jejak::crypto
