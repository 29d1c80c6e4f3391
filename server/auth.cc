// JWT verification is done here with OpenSSL and nlohmann-json rather than with
// cpp-jwt's decode(), which (version 1.4) cannot be used safely for it: it checks exp and
// nbf against the system clock instead of the caller's `now` (with unsigned arithmetic
// that wraps for nbf < leeway), does not require exp, matches `alg` case-insensitively
// ("es256" passes as ES256), refuses `aud` given as an array (RFC 7519 §4.1.3 allows
// one), decodes base64url leniently (trailing junk dropped, '+', '/' and '=' accepted,
// non-zero unused bits ignored), and does not pin the curve of an ES256 key. cpp-jwt is used to mint tokens, which it does correctly (ES256 as the
// raw r||s of RFC 7518 §3.4), and the tests check its tokens against this verifier.
#include "server/auth.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <array>
#include <climits>
#include <cmath>
#include <cstdint>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>

#include <jwt/jwt.hpp>

#include "base/check.h"

namespace jejak::server {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)>;

enum class Algorithm { kEs256, kRs256 };

// RFC 7518 §3.4: an ES256 signature is R and S as 32-byte big-endian integers.
constexpr std::size_t kEs256SignatureBytes = 64;
// NIST SP 800-57 and RFC 7518 §3.3: RSA keys of at least 2048 bits.
constexpr int kRsaBitsMin = 2048;

Error Unauthenticated(std::string reason) {
  ERR_clear_error();
  return Error{Code::kUnauthenticated, std::move(reason), {}};
}

Error BadConfig(std::string reason) {
  ERR_clear_error();
  return InvalidArgument(std::move(reason));
}

int NoPassphrase(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) {
  return 0;
}

BioPtr ReadBio(std::string_view text) {
  // BIO_new_mem_buf takes an int length; keys are a few kilobytes.
  if (text.size() > static_cast<std::size_t>(INT_MAX)) return BioPtr(nullptr, &BIO_free);
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free);
}

std::optional<Algorithm> ParseAlgorithm(std::string_view name) {
  // Exact, case-sensitive (RFC 7515 §4.1.1: "alg" values are case-sensitive).
  if (name == "ES256") return Algorithm::kEs256;
  if (name == "RS256") return Algorithm::kRs256;
  return std::nullopt;
}

bool IsP256(EVP_PKEY* pkey) {
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC) return false;
  char group[32] = {};
  std::size_t length = 0;
  if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &length) != 1) return false;
  return std::string_view(group, length) == "prime256v1";
}

bool KeyFitsAlgorithm(EVP_PKEY* pkey, Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kEs256:
      return IsP256(pkey);
    case Algorithm::kRs256:
      // EVP_PKEY_RSA only: an RSA-PSS-restricted key cannot make PKCS #1 v1.5 signatures.
      return EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA && EVP_PKEY_get_bits(pkey) >= kRsaBitsMin;
  }
  return false;
}

// The issuer's key, or an error naming what is wrong with it.
Result<std::shared_ptr<EVP_PKEY>> LoadPublicKey(std::string_view pem, Algorithm algorithm) {
  const BioPtr bio = ReadBio(pem);
  if (bio == nullptr) return BadConfig("issuer public key is not a PEM public key");
  std::shared_ptr<EVP_PKEY> pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, &NoPassphrase, nullptr),
                                 &EVP_PKEY_free);
  if (pkey == nullptr) return BadConfig("issuer public key is not a PEM public key");
  if (!KeyFitsAlgorithm(pkey.get(), algorithm)) {
    return BadConfig(algorithm == Algorithm::kEs256
                         ? "issuer public key is not a P-256 key, as ES256 requires"
                         : "issuer public key is not an RSA key of at least 2048 bits");
  }
  return pkey;
}

// RFC 4648 §5 without padding (RFC 7515 §2), strictly: only the URL-safe alphabet, no
// '=', no whitespace, and zero unused bits in the last character, so that each byte
// string has exactly one encoding and a token cannot be varied without breaking it.
std::optional<std::string> DecodeBase64Url(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    std::uint32_t value = 0;
    if (c >= 'A' && c <= 'Z') {
      value = static_cast<std::uint32_t>(c - 'A');
    } else if (c >= 'a' && c <= 'z') {
      value = static_cast<std::uint32_t>(c - 'a' + 26);
    } else if (c >= '0' && c <= '9') {
      value = static_cast<std::uint32_t>(c - '0' + 52);
    } else if (c == '-') {
      value = 62;
    } else if (c == '_') {
      value = 63;
    } else {
      return std::nullopt;
    }
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  // Leftover bits (2 or 4) must be zero.
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

struct CompactJws {
  std::string_view header_b64;
  std::string_view payload_b64;
  std::string_view signature_b64;
  std::string_view signing_input;  // header_b64 '.' payload_b64 (RFC 7515 §5.2 step 8).
};

// RFC 7515 §7.1: exactly three parts separated by two dots. The JSON serialization
// (which starts with '{') has no dots in the right places and fails here.
std::optional<CompactJws> SplitCompact(std::string_view token) {
  const std::size_t first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  if (token.find('.', second + 1) != std::string_view::npos) return std::nullopt;
  CompactJws jws;
  jws.header_b64 = token.substr(0, first);
  jws.payload_b64 = token.substr(first + 1, second - first - 1);
  jws.signature_b64 = token.substr(second + 1);
  jws.signing_input = token.substr(0, second);
  if (jws.header_b64.empty() || jws.signature_b64.empty()) return std::nullopt;
  return jws;
}

// A JSON object, or nullopt for anything else (including invalid UTF-8). Never throws.
std::optional<nlohmann::json> ParseObject(std::string_view text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return std::nullopt;
  return value;
}

bool VerifyEs256(EVP_PKEY* pkey, std::string_view signing_input, std::string_view signature) {
  // Exactly 64 bytes: DER, a longer or shorter encoding, or a 65-byte "overflow" R||S
  // is not ES256 (Wycheproof SpecialCaseEs256).
  if (signature.size() != kEs256SignatureBytes) return false;
  const auto* bytes = reinterpret_cast<const unsigned char*>(signature.data());
  BIGNUM* r = BN_bin2bn(bytes, 32, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + 32, 32, nullptr);
  EcdsaSigPtr ecdsa_signature(ECDSA_SIG_new(), &ECDSA_SIG_free);
  JEJAK_CHECK(r != nullptr);
  JEJAK_CHECK(s != nullptr);
  JEJAK_CHECK(ecdsa_signature != nullptr);
  JEJAK_CHECK(ECDSA_SIG_set0(ecdsa_signature.get(), r, s) == 1);  // Takes r and s.
  // OpenSSL verifies DER; it rejects r or s outside [1, n-1] itself.
  unsigned char* der = nullptr;
  const int der_length = i2d_ECDSA_SIG(ecdsa_signature.get(), &der);
  JEJAK_CHECK(der_length > 0);
  std::unique_ptr<unsigned char, void (*)(unsigned char*)> der_owner(
      der, [](unsigned char* p) { OPENSSL_free(p); });

  MdCtxPtr context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  JEJAK_CHECK(context != nullptr);
  return EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, pkey) == 1 &&
         EVP_DigestVerify(context.get(), der, static_cast<std::size_t>(der_length),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size()) == 1;
}

bool VerifyRs256(EVP_PKEY* pkey, std::string_view signing_input, std::string_view signature) {
  // RFC 8017 §8.2.2 step 1: the signature is exactly as long as the modulus.
  if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(pkey))) return false;
  MdCtxPtr context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  JEJAK_CHECK(context != nullptr);
  EVP_PKEY_CTX* key_context = nullptr;  // Owned by `context`.
  if (EVP_DigestVerifyInit(context.get(), &key_context, EVP_sha256(), nullptr, pkey) != 1) {
    return false;
  }
  // PKCS #1 v1.5 explicitly (RFC 7518 §3.3); OpenSSL compares the whole re-encoded
  // DigestInfo, so padding variants fail (Wycheproof rs256).
  if (EVP_PKEY_CTX_set_rsa_padding(key_context, RSA_PKCS1_PADDING) != 1) return false;
  return EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size()) == 1;
}

// RFC 7515 §5.2 for one pinned algorithm and key. Returns the payload bytes.
Result<std::string> VerifyCompact(const CompactJws& jws, Algorithm algorithm,
                                  std::string_view algorithm_name, EVP_PKEY* pkey) {
  const std::optional<std::string> header_json = DecodeBase64Url(jws.header_b64);
  if (!header_json) return Unauthenticated("malformed token");
  const std::optional<nlohmann::json> header = ParseObject(*header_json);
  if (!header) return Unauthenticated("malformed token");
  const auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string() ||
      alg->get_ref<const std::string&>() != algorithm_name) {
    return Unauthenticated("token algorithm not allowed for its issuer");
  }
  // RFC 7515 §4.1.11: we understand no extensions, so any "crit" means reject. This
  // also refuses RFC 7797 unencoded payloads ("b64": false must be listed in crit).
  if (header->contains("crit")) return Unauthenticated("token has critical header parameters");
  const std::optional<std::string> signature = DecodeBase64Url(jws.signature_b64);
  if (!signature) return Unauthenticated("malformed token");
  std::optional<std::string> payload = DecodeBase64Url(jws.payload_b64);
  if (!payload) return Unauthenticated("malformed token");
  const bool valid = algorithm == Algorithm::kEs256
                         ? VerifyEs256(pkey, jws.signing_input, *signature)
                         : VerifyRs256(pkey, jws.signing_input, *signature);
  if (!valid) return Unauthenticated("invalid token signature");  // Clears the queue.
  return std::move(*payload);
}

// RFC 7519 §2 NumericDate: seconds since the epoch, possibly fractional.
std::optional<double> NumericDate(const nlohmann::json& value) {
  if (!value.is_number()) return std::nullopt;
  const double seconds = value.get<double>();
  if (!std::isfinite(seconds)) return std::nullopt;
  return seconds;
}

bool IsValidSubject(std::string_view sub) {
  if (sub.empty() || sub.size() > kSubjectBytesMax) return false;
  // No control characters: the subject is written to logs.
  for (const char c : sub) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return false;
  }
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// DESIGN's OPD code, d.dd.d.dd.d.dd.dd.dddd (e.g. 1.02.0.00.0.00.01.0000).
bool IsValidOpd(std::string_view opd) {
  static constexpr std::array<int, 8> kGroupDigits = {1, 2, 1, 2, 1, 2, 2, 4};
  std::size_t position = 0;
  for (std::size_t group = 0; group < kGroupDigits.size(); ++group) {
    if (group > 0) {
      if (position >= opd.size() || opd[position] != '.') return false;
      ++position;
    }
    for (int i = 0; i < kGroupDigits[group]; ++i) {
      if (position >= opd.size() || !IsDigit(opd[position])) return false;
      ++position;
    }
  }
  return position == opd.size();
}

bool AudienceMatches(const nlohmann::json& aud, const std::string& audience) {
  // RFC 7519 §4.1.3: a string or an array of strings.
  if (aud.is_string()) return aud.get_ref<const std::string&>() == audience;
  if (!aud.is_array()) return false;
  bool found = false;
  for (const nlohmann::json& element : aud) {
    if (!element.is_string()) return false;
    if (element.get_ref<const std::string&>() == audience) found = true;
  }
  return found;
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    const char y = (b[i] >= 'A' && b[i] <= 'Z') ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

bool IsOws(char c) { return c == ' ' || c == '\t'; }

// RFC 6750 §2.1: "Bearer" 1*SP token, the scheme case-insensitive (RFC 9110 §11.1).
Result<std::string_view> BearerToken(std::string_view authorization) {
  while (!authorization.empty() && IsOws(authorization.front())) authorization.remove_prefix(1);
  while (!authorization.empty() && IsOws(authorization.back())) authorization.remove_suffix(1);
  if (authorization.empty()) return Unauthenticated("missing bearer token");
  // Refuse before looking further: a longer header is never one of our tokens.
  if (authorization.size() > kTokenBytesMax) return Unauthenticated("token too long");
  const std::size_t space = authorization.find(' ');
  if (!EqualsIgnoringAsciiCase(authorization.substr(0, space), "bearer")) {
    return Unauthenticated("authorization scheme must be Bearer");
  }
  if (space == std::string_view::npos) return Unauthenticated("missing bearer token");
  std::string_view token = authorization.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.empty()) return Unauthenticated("missing bearer token");
  for (const char c : token) {
    if (IsOws(c)) return Unauthenticated("malformed bearer token");
  }
  return token;
}

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kOfficer: return "officer";
    case Role::kAuditor: return "auditor";
    case Role::kExecutive: return "executive";
    case Role::kAdmin: return "admin";
  }
  JEJAK_CHECK(false);
  return "";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const Role role : {Role::kOfficer, Role::kAuditor, Role::kExecutive, Role::kAdmin}) {
    if (name == RoleName(role)) return role;
  }
  return std::nullopt;
}

// The time claims of a verified token (RFC 7519 §4.1.4-4.1.6), in seconds since the epoch.
struct TokenTimes {
  double exp = 0;
  std::optional<double> nbf;
  std::optional<double> iat;
};

// Ok if a token with `times` may be used at `now` under `lifetime_max`: not expired, not
// valid for longer than allowed, not before its nbf or iat (kClockLeeway both ways).
Result<void> CheckTimes(const TokenTimes& times, std::chrono::system_clock::time_point now,
                        std::chrono::seconds lifetime_max) {
  const double now_seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
  const auto leeway_seconds = static_cast<double>(kClockLeeway.count());
  if (now_seconds >= times.exp + leeway_seconds) return Unauthenticated("token expired");
  // A token minted to last for years must not work for years once stolen.
  const auto lifetime_max_seconds = static_cast<double>(lifetime_max.count());
  const std::string too_long = "token lifetime longer than the server allows (" +
                               std::to_string(lifetime_max.count()) + " s)";
  if (times.exp - now_seconds > lifetime_max_seconds + leeway_seconds) {
    return Unauthenticated(too_long);
  }
  if (times.nbf && now_seconds < *times.nbf - leeway_seconds) {
    return Unauthenticated("token not yet valid");
  }
  if (times.iat) {
    if (now_seconds < *times.iat - leeway_seconds) return Unauthenticated("token issued in the future");
    if (times.exp - *times.iat > lifetime_max_seconds + leeway_seconds) {
      return Unauthenticated(too_long);
    }
  }
  return Ok();
}

// Tokens that passed every check, keyed on their exact bytes, so that a client's next
// request with the same token skips the signature check (~59 us for ES256): the time
// claims are checked again on every use, so a remembered token stops working at its
// expiry like any other. Bounded: when full, expired tokens are dropped, then all.
class VerifiedTokens {
 public:
  struct Verified {
    TokenTimes times;
    Actor actor;
  };

  std::optional<Verified> Find(std::string_view token) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = tokens_.find(std::string(token));
    if (found == tokens_.end()) return std::nullopt;
    return found->second;
  }

  void Add(std::string_view token, Verified verified,
           std::chrono::system_clock::time_point now) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (tokens_.size() >= kTokensMax) {
      const double now_seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
      const auto leeway_seconds = static_cast<double>(kClockLeeway.count());
      std::erase_if(tokens_, [&](const auto& item) {
        return now_seconds >= item.second.times.exp + leeway_seconds;
      });
      if (tokens_.size() >= kTokensMax) tokens_.clear();
    }
    tokens_.insert_or_assign(std::string(token), std::move(verified));
  }

 private:
  // Far more than the clients of one regency at once; a few MB at most.
  static constexpr std::size_t kTokensMax = 4096;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Verified> tokens_;
};

struct Authenticator::Impl {
  struct Issuer {
    TrustedIssuer config;
    Algorithm algorithm;
    std::shared_ptr<EVP_PKEY> key;  // Only read after Make, which OpenSSL allows from any thread.
  };
  std::map<std::string, Issuer, std::less<>> issuers;
  std::chrono::seconds lifetime_max = kTokenLifetimeMaxDefault;
  mutable VerifiedTokens verified;  // Thread-safe.
};

Authenticator::Authenticator(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Result<Authenticator> Authenticator::Make(std::vector<TrustedIssuer> issuers,
                                          std::chrono::seconds lifetime_max) {
  auto impl = std::make_shared<Impl>();
  if (lifetime_max.count() <= 0) return BadConfig("the token lifetime limit must be positive");
  impl->lifetime_max = lifetime_max;
  for (TrustedIssuer& issuer : issuers) {
    if (issuer.issuer.empty()) return BadConfig("trusted issuer has an empty name");
    if (issuer.audience.empty()) return BadConfig("trusted issuer " + issuer.issuer + " has an empty audience");
    const std::optional<Algorithm> algorithm = ParseAlgorithm(issuer.algorithm);
    if (!algorithm) {
      return BadConfig("trusted issuer " + issuer.issuer + ": algorithm must be ES256 or RS256");
    }
    Result<std::shared_ptr<EVP_PKEY>> key = LoadPublicKey(issuer.public_key_pem, *algorithm);
    if (!key) return BadConfig("trusted issuer " + issuer.issuer + ": " + key.error().message);
    if (impl->issuers.count(issuer.issuer) != 0) {
      return BadConfig("trusted issuer " + issuer.issuer + " is listed twice");
    }
    std::string name = issuer.issuer;
    impl->issuers.emplace(std::move(name),
                          Impl::Issuer{std::move(issuer), *algorithm, std::move(key).value()});
  }
  return Authenticator(std::move(impl));
}

Result<Actor> Authenticator::Authenticate(std::string_view authorization,
                                          std::chrono::system_clock::time_point now) const {
  Result<std::string_view> token = BearerToken(authorization);
  if (!token) return token.error();
  // The same bytes passed every check before: only the time claims can have changed.
  if (std::optional<VerifiedTokens::Verified> known = impl_->verified.Find(*token)) {
    if (Result<void> in_time = CheckTimes(known->times, now, impl_->lifetime_max); !in_time) {
      return in_time.error();
    }
    return known->actor;
  }
  const std::optional<CompactJws> jws = SplitCompact(*token);
  if (!jws) return Unauthenticated("malformed token");

  // The issuer selects the key and algorithm, so `iss` is read before the signature is
  // checked; nothing else in the payload is trusted until it is.
  const std::optional<std::string> unverified_payload = DecodeBase64Url(jws->payload_b64);
  if (!unverified_payload) return Unauthenticated("malformed token");
  const std::optional<nlohmann::json> unverified_claims = ParseObject(*unverified_payload);
  if (!unverified_claims) return Unauthenticated("malformed token");
  const auto iss = unverified_claims->find("iss");
  if (iss == unverified_claims->end() || !iss->is_string()) {
    return Unauthenticated("token has no issuer");
  }
  const auto found = impl_->issuers.find(iss->get_ref<const std::string&>());
  if (found == impl_->issuers.end()) return Unauthenticated("unknown token issuer");
  const Impl::Issuer& issuer = found->second;

  Result<std::string> payload =
      VerifyCompact(*jws, issuer.algorithm, issuer.config.algorithm, issuer.key.get());
  if (!payload) return payload.error();
  // The verified bytes are the ones parsed above.
  JEJAK_CHECK(*payload == *unverified_payload);
  const nlohmann::json& claims = *unverified_claims;

  const auto aud = claims.find("aud");
  if (aud == claims.end() || !AudienceMatches(*aud, issuer.config.audience)) {
    return Unauthenticated("token audience mismatch");
  }

  // RFC 7519 §4.1.4-4.1.6, with kClockLeeway of skew allowed both ways.
  TokenTimes times;
  const auto exp = claims.find("exp");
  if (exp == claims.end()) return Unauthenticated("token has no expiry");
  const std::optional<double> exp_seconds = NumericDate(*exp);
  if (!exp_seconds) return Unauthenticated("token expiry malformed");
  times.exp = *exp_seconds;
  // Checked as each claim is read, so the first problem is named as it always was.
  if (Result<void> in_time = CheckTimes(times, now, impl_->lifetime_max); !in_time) {
    return in_time.error();
  }
  if (const auto nbf = claims.find("nbf"); nbf != claims.end()) {
    times.nbf = NumericDate(*nbf);
    if (!times.nbf) return Unauthenticated("token nbf malformed");
    if (Result<void> in_time = CheckTimes(times, now, impl_->lifetime_max); !in_time) {
      return in_time.error();
    }
  }
  if (const auto iat = claims.find("iat"); iat != claims.end()) {
    times.iat = NumericDate(*iat);
    if (!times.iat) return Unauthenticated("token iat malformed");
    if (Result<void> in_time = CheckTimes(times, now, impl_->lifetime_max); !in_time) {
      return in_time.error();
    }
  }

  Actor actor;
  actor.issuer = issuer.config.issuer;
  const auto sub = claims.find("sub");
  if (sub == claims.end() || !sub->is_string() ||
      !IsValidSubject(sub->get_ref<const std::string&>())) {
    return Unauthenticated("token subject missing or invalid");
  }
  actor.sub = sub->get<std::string>();
  const auto role_claim = claims.find("role");
  if (role_claim == claims.end() || !role_claim->is_string()) {
    return Unauthenticated("token role missing");
  }
  const std::optional<Role> role = ParseRole(role_claim->get_ref<const std::string&>());
  if (!role) return Unauthenticated("token role unknown");
  actor.role = *role;
  if (actor.role == Role::kOfficer) {
    const auto opd = claims.find("opd");
    if (opd == claims.end() || !opd->is_string() ||
        !IsValidOpd(opd->get_ref<const std::string&>())) {
      return Unauthenticated("officer token needs a valid opd");
    }
    actor.opd = opd->get<std::string>();
  }
  // Other roles are not bound to an OPD; an opd claim on their tokens is ignored.
  impl_->verified.Add(*token, VerifiedTokens::Verified{times, actor}, now);
  return actor;
}

Result<std::string> MintToken(std::string_view private_key_pem, std::string_view issuer,
                              std::string_view audience, const Actor& actor,
                              std::chrono::seconds ttl,
                              std::chrono::system_clock::time_point now) {
  if (ttl.count() <= 0) return InvalidArgument("token lifetime must be positive");
  if (issuer.empty()) return InvalidArgument("token issuer must not be empty");
  if (audience.empty()) return InvalidArgument("token audience must not be empty");
  if (!IsValidSubject(actor.sub)) return InvalidArgument("token subject must be 1 to 64 printable bytes");
  if (actor.role == Role::kOfficer && !IsValidOpd(actor.opd)) {
    return InvalidArgument("officer token needs a valid opd");
  }
  // Checked here rather than left to cpp-jwt: it would prompt on the terminal for an
  // encrypted key, and would sign with a P-384 key under the name ES256.
  {
    const BioPtr bio = ReadBio(private_key_pem);
    const PkeyPtr pkey(bio == nullptr ? nullptr
                                      : PEM_read_bio_PrivateKey(bio.get(), nullptr,
                                                                &NoPassphrase, nullptr),
                       &EVP_PKEY_free);
    if (pkey == nullptr || !IsP256(pkey.get())) {
      return BadConfig("token signing key is not an unencrypted P-256 private key");
    }
  }
  const std::int64_t issued_at =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t expires_at = issued_at + ttl.count();
  try {
    jwt::jwt_object token{jwt::params::algorithm("ES256"),
                          jwt::params::secret(std::string(private_key_pem))};
    token.add_claim("iss", std::string(issuer))
        .add_claim("aud", std::string(audience))
        .add_claim("sub", actor.sub)
        .add_claim("role", std::string(RoleName(actor.role)))
        .add_claim("iat", issued_at)
        .add_claim("nbf", issued_at)
        .add_claim("exp", expires_at);
    if (actor.role == Role::kOfficer) token.add_claim("opd", actor.opd);
    std::error_code ec;
    std::string signed_token = token.signature(ec);
    if (ec) {
      ERR_clear_error();
      return Error{Code::kInternal, "cannot sign token: " + ec.message(), {}};
    }
    return signed_token;
  } catch (const std::exception& e) {
    ERR_clear_error();
    return Error{Code::kInternal, std::string("cannot sign token: ") + e.what(), {}};
  }
}

Result<std::string> VerifyJws(std::string_view token, const TrustedIssuer& issuer) {
  const std::optional<Algorithm> algorithm = ParseAlgorithm(issuer.algorithm);
  if (!algorithm) return BadConfig("algorithm must be ES256 or RS256");
  Result<std::shared_ptr<EVP_PKEY>> key = LoadPublicKey(issuer.public_key_pem, *algorithm);
  if (!key) return key.error();
  if (token.size() > kTokenBytesMax) return Unauthenticated("token too long");
  const std::optional<CompactJws> jws = SplitCompact(token);
  if (!jws) return Unauthenticated("malformed token");
  return VerifyCompact(*jws, *algorithm, issuer.algorithm, key->get());
}

bool VerifyEs256Signature(std::string_view public_key_pem, std::string_view message,
                          std::string_view signature) {
  Result<std::shared_ptr<EVP_PKEY>> key = LoadPublicKey(public_key_pem, Algorithm::kEs256);
  if (!key) return false;
  const bool valid = VerifyEs256(key->get(), message, signature);
  if (!valid) ERR_clear_error();
  return valid;
}

Result<nlohmann::json> VerifyJwsSignature(std::string_view token, const TrustedIssuer& issuer) {
  Result<std::string> payload = VerifyJws(token, issuer);
  if (!payload) return payload.error();
  std::optional<nlohmann::json> claims = ParseObject(*payload);
  if (!claims) return Unauthenticated("token payload is not a JSON object");
  return std::move(*claims);
}

}  // namespace jejak::server
