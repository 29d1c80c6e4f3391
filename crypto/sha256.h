// SHA-256 over OpenSSL 3: one-shot and incremental. Every hash in the ledger (leaf, chain,
// Merkle node, key ID) is built from these.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string_view>

namespace jejak::crypto {

inline constexpr std::size_t kDigestBytes = 32;
using Digest = std::array<std::uint8_t, kDigestBytes>;

// SHA-256 of `bytes`. Cannot fail short of memory exhaustion, which aborts.
Digest Sha256(std::string_view bytes);

// SHA-256 of the concatenation of `parts`, without building it: for the ledger's short
// prefixed hashes (leaf, node, chain). Thread-safe; allocates nothing per call.
Digest Sha256Of(std::initializer_list<std::string_view> parts);

// Incremental SHA-256. Not thread-safe; movable, not copyable.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(Sha256Hasher&&) noexcept;
  Sha256Hasher& operator=(Sha256Hasher&&) noexcept;
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(std::string_view bytes);
  void Update(const Digest& digest);
  // Returns the digest; the hasher must not be used afterwards except to be destroyed.
  Digest Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace jejak::crypto
