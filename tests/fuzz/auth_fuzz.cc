// server::Authenticator::Authenticate on untrusted Authorization header values, with one
// trusted ES256 issuer whose key is generated afresh per process. The first input byte
// picks a mode:
//   'B' (or anything else): the input is the header value as is (tokens minted at start
//       with MintToken are seeds, so mutations hit every layer of a real token).
//   0x01: "header JSON \0 payload JSON \0 scheme": the harness signs the JWS with the
//       trusted key, so mutations of the claims reach claim validation.
// Invariants: rejections are kUnauthenticated and never echo the token; an accepted
// token gives an Actor that Authenticate's contract allows (sub 1..kSubjectBytesMax
// bytes, opd exactly for officers, the trusted issuer).
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <chrono>
#include <memory>

#include "crypto/certificate.h"
#include "server/auth.h"
#include "tests/fuzz/fuzz.h"

namespace jejak::fuzz {
namespace {

constexpr char kIssuer[] = "https://jejak.example.go.id";
constexpr char kAudience[] = "jejak-api";
const std::chrono::system_clock::time_point kNow{std::chrono::seconds(1'750'000'000)};

const crypto::PemKeyPair& IssuerKey() {
  static const crypto::PemKeyPair key = crypto::GenerateP256KeyPair();
  return key;
}

const server::Authenticator& TheAuthenticator() {
  static const server::Authenticator authenticator = [] {
    Result<server::Authenticator> made = server::Authenticator::Make(
        {server::TrustedIssuer{kIssuer, "ES256", IssuerKey().public_pem, kAudience}});
    FUZZ_ASSERT(made.has_value(), "Authenticator::Make failed");
    return *made;
  }();
  return authenticator;
}

// ES256 over `message` with the trusted key: r || s, 32 bytes each (RFC 7518 §3.4).
std::string SignEs256(std::string_view message) {
  using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
  using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
  using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
  using SigPtr = std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)>;
  static const PkeyPtr key = [] {
    const std::string& pem = IssuerKey().private_pem;
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr),
                   &EVP_PKEY_free);
  }();
  FUZZ_ASSERT(key != nullptr, "cannot read the generated private key");
  MdCtxPtr context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::size_t der_size = 0;
  FUZZ_ASSERT(EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
                  EVP_DigestSign(context.get(), nullptr, &der_size,
                                 reinterpret_cast<const unsigned char*>(message.data()),
                                 message.size()) == 1,
              "sign");
  std::string der(der_size, '\0');
  FUZZ_ASSERT(EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(der.data()),
                             &der_size, reinterpret_cast<const unsigned char*>(message.data()),
                             message.size()) == 1,
              "sign");
  const auto* der_bytes = reinterpret_cast<const unsigned char*>(der.data());
  SigPtr signature(d2i_ECDSA_SIG(nullptr, &der_bytes, static_cast<long>(der_size)),
                   &ECDSA_SIG_free);
  FUZZ_ASSERT(signature != nullptr, "DER signature");
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(signature.get()), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(signature.get()),
               reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  return raw;
}

std::string SignedToken(std::string_view header, std::string_view payload) {
  const std::string signing_input = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
  return signing_input + "." + Base64UrlEncode(SignEs256(signing_input));
}

std::vector<std::string> MintedTokens() {
  std::vector<std::string> tokens;
  const server::Actor actors[] = {
      {"officer-1", server::Role::kOfficer, "1.02.0.00.0.00.01.0000", ""},
      {"auditor-1", server::Role::kAuditor, "", ""},
      {"exec", server::Role::kExecutive, "", ""},
      {"root", server::Role::kAdmin, "", ""}};
  for (const server::Actor& actor : actors) {
    Result<std::string> token = server::MintToken(IssuerKey().private_pem, kIssuer, kAudience,
                                                  actor, std::chrono::seconds(3600), kNow);
    FUZZ_ASSERT(token.has_value(), "MintToken failed");
    tokens.push_back(*token);
  }
  return tokens;
}

}  // namespace

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  for (const std::string& token : MintedTokens()) {
    seeds.push_back("Bearer " + token);
    seeds.push_back("bearer " + token);
    // The structured form of the same token.
    const std::size_t dot = token.find('.');
    const std::size_t second_dot = token.find('.', dot + 1);
    seeds.push_back("\x01" + JoinParts({Base64UrlDecodeLoose(token.substr(0, dot)),
                                         Base64UrlDecodeLoose(token.substr(dot + 1, second_dot - dot - 1)),
                                         "Bearer"}));
  }
  const std::string claims =
      R"({"iss":"https://jejak.example.go.id","aud":["x","jejak-api"],"sub":"a","role":"admin",)"
      R"("iat":1750000000,"nbf":1750000000,"exp":1750003600})";
  seeds.push_back("\x01" + JoinParts({R"({"alg":"ES256","typ":"JWT"})", claims, "Bearer"}));
  seeds.push_back("\x01" + JoinParts({R"({"alg":"ES256","crit":["exp"]})", claims, "BEARER"}));
  seeds.push_back("Bearer " + Base64UrlEncode(R"({"alg":"none"})") + "." +
                  Base64UrlEncode(claims) + ".");
  seeds.push_back("Bearer " + Base64UrlEncode(R"({"alg":"HS256"})") + "." +
                  Base64UrlEncode(claims) + ".AAAA");
  seeds.emplace_back("Bearer");
  seeds.emplace_back("Basic dXNlcjpwYXNz");
  return seeds;
}

}  // namespace jejak::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace server = jejak::server;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string authorization;
  std::string token;
  if (!input.empty() && input[0] == '\x01') {
    const std::vector<std::string_view> parts = jejak::fuzz::SplitParts(input.substr(1), 3);
    if (parts.size() < 3) return 0;
    token = jejak::fuzz::SignedToken(parts[0], parts[1]);
    authorization = std::string(parts[2]) + " " + token;
  } else {
    authorization = std::string(input);
    const std::size_t space = authorization.rfind(' ');
    token = space == std::string::npos ? authorization : authorization.substr(space + 1);
  }
  jejak::Result<server::Actor> actor =
      jejak::fuzz::TheAuthenticator().Authenticate(authorization, jejak::fuzz::kNow);
  if (!actor) {
    FUZZ_ASSERT(actor.error().code == jejak::Code::kUnauthenticated, actor.error().ToString());
    if (token.size() >= 16) {
      FUZZ_ASSERT(actor.error().ToString().find(token) == std::string::npos,
                  "the error message echoes the token");
    }
    return 0;
  }
  FUZZ_ASSERT(!actor->sub.empty() && actor->sub.size() <= server::kSubjectBytesMax, actor->sub);
  FUZZ_ASSERT((actor->role == server::Role::kOfficer) == !actor->opd.empty(),
              "opd set for a non-officer or missing for an officer");
  FUZZ_ASSERT(actor->issuer == jejak::fuzz::kIssuer, actor->issuer);
  return 0;
}
