// JWT bearer authentication (RFC 7519 over RFC 7515 compact JWS) for the HTTP API, and
// minting of tokens by the server's local ES256 issuer. Each trusted issuer is pinned
// to one algorithm (ES256 or RS256) and one public key; the token's `alg` must equal it.
// DESIGN.md "HTTP API" lists the claims; the router maps Role to what a caller may do.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace jejak::server {

enum class Role { kOfficer, kAuditor, kExecutive, kAdmin };

// "officer", "auditor", "executive" or "admin".
const char* RoleName(Role role);
// The role with exactly that lowercase name, or nullopt.
std::optional<Role> ParseRole(std::string_view name);

// The authenticated caller. `opd` is set for officers only (empty otherwise).
struct Actor {
  std::string sub;
  Role role = Role::kOfficer;
  std::string opd;
  std::string issuer;
};

// One issuer the server accepts tokens from, from configuration.
struct TrustedIssuer {
  std::string issuer;          // The token's `iss` must equal this.
  std::string algorithm;       // Exactly "ES256" (P-256 key) or "RS256" (RSA >= 2048 bits).
  std::string public_key_pem;  // PEM "PUBLIC KEY" (SubjectPublicKeyInfo).
  std::string audience;        // The token's `aud` must be or contain this.
};

// Both ways: a token counts as expired only `kClockLeeway` after `exp`, and as valid
// from `kClockLeeway` before `nbf` and `iat`.
inline constexpr std::chrono::seconds kClockLeeway{60};
// An Authorization header value longer than this is refused before any parsing; our
// tokens are under 1 KiB, and an RS256 token with a 4096-bit key is under 2 KiB.
inline constexpr std::size_t kTokenBytesMax = 8 * 1024;
// A working day and then some: longer-lived tokens are refused unless configured.
inline constexpr std::chrono::seconds kTokenLifetimeMaxDefault{24 * 3600};
// Subjects are user names or employee numbers; they also end up in logs.
inline constexpr std::size_t kSubjectBytesMax = 64;

// Verifies bearer tokens against a fixed set of trusted issuers. Immutable after Make
// and cheap to copy (the parsed keys are shared); Authenticate may be called from any
// number of threads at once.
class Authenticator {
 public:
  // Parses every issuer's key. Tokens valid for longer than `lifetime_max` (exp - now,
  // or exp - iat, beyond kClockLeeway) are refused. Errors: kInvalidArgument if an issuer
  // name or audience is empty, an issuer appears twice, the algorithm is not exactly
  // "ES256" or "RS256", the PEM is not a public key of that algorithm's type, or
  // `lifetime_max` is not positive.
  static Result<Authenticator> Make(std::vector<TrustedIssuer> issuers,
                                    std::chrono::seconds lifetime_max = kTokenLifetimeMaxDefault);

  // Authenticates `authorization`, the Authorization header value "Bearer <JWT>" (scheme
  // case-insensitive, one token), at time `now`. Errors: kUnauthenticated with a short
  // reason that is safe to show the client and never contains the token.
  Result<Actor> Authenticate(std::string_view authorization,
                             std::chrono::system_clock::time_point now) const;

 private:
  struct Impl;
  explicit Authenticator(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

// Mints an ES256 token for `actor` signed with `private_key_pem` (PKCS#8 P-256, see
// crypto::GenerateP256KeyPair), with claims iss, aud, sub, role, opd (officers only),
// iat = nbf = now and exp = now + ttl. `actor.issuer` is ignored in favour of `issuer`.
// Errors: kInvalidArgument if the key is not an unencrypted P-256 private key, `ttl` is
// not positive, issuer or audience is empty, or the actor would not pass Authenticate
// (sub, opd).
Result<std::string> MintToken(std::string_view private_key_pem, std::string_view issuer,
                              std::string_view audience, const Actor& actor,
                              std::chrono::seconds ttl,
                              std::chrono::system_clock::time_point now);

// For tests: checks only the JWS layer of `token` (compact serialization, strict
// base64url, header `alg` exactly `issuer.algorithm`, no `crit`, signature under
// `issuer.public_key_pem`) and returns the payload bytes. No claim is looked at.
// Errors: kInvalidArgument for a bad key or algorithm, kUnauthenticated otherwise.
Result<std::string> VerifyJws(std::string_view token, const TrustedIssuer& issuer);
// For tests: ES256 (ECDSA P-256 with SHA-256, RFC 7518 §3.4) verification of raw
// bytes, as used by VerifyJws: true iff `signature` is exactly 64 bytes r||s and valid
// for `message` under `public_key_pem` (a P-256 SPKI PEM).
bool VerifyEs256Signature(std::string_view public_key_pem, std::string_view message,
                          std::string_view signature);
// VerifyJws, then the payload parsed as a JSON object.
Result<nlohmann::json> VerifyJwsSignature(std::string_view token, const TrustedIssuer& issuer);

}  // namespace jejak::server
