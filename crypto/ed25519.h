// Ed25519 (RFC 8032) over OpenSSL 3: key generation, signing, verification and PEM
// (PKCS#8 / SubjectPublicKeyInfo) key files. Checkpoints and cosignatures use these.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jejak::crypto {

using PublicKey = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

// The 32-byte RFC 8032 secret seed with its public key. Copyable value; callers keep it
// out of logs.
struct PrivateKey {
  std::array<std::uint8_t, 32> seed{};
  PublicKey public_key{};
};

// A fresh key from the secure random generator.
PrivateKey GenerateKey();
// The key with secret `seed` (deterministic, RFC 8032 §5.1.5).
PrivateKey KeyFromSeed(const std::array<std::uint8_t, 32>& seed);
// Deterministic Ed25519 signature of `message`.
Signature Sign(const PrivateKey& key, std::string_view message);
// True iff `signature` is `key`'s Ed25519 signature over `message`. Rejects
// non-canonical S and invalid point encodings (OpenSSL's strict verification).
bool Verify(const PublicKey& key, std::string_view message, const Signature& signature);

// PEM "PRIVATE KEY" (PKCS#8) and "PUBLIC KEY" (SPKI) encodings.
std::string PrivateKeyToPem(const PrivateKey& key);
std::string PublicKeyToPem(const PublicKey& key);
// Nullopt if `pem` is not an Ed25519 key of that kind. Reading the file is the caller's job.
std::optional<PrivateKey> ParsePrivateKeyPem(std::string_view pem);
std::optional<PublicKey> ParsePublicKeyPem(std::string_view pem);

}  // namespace jejak::crypto
