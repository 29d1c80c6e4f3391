// Ed25519 (RFC 8032 §5.1, pure Ed25519 without prehash or context) over OpenSSL 3's
// EVP_PKEY interface. OpenSSL's verifier rejects S >= L and non-canonical point
// encodings, which Wycheproof's ed25519_test.json checks.
#include "crypto/ed25519.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <climits>
#include <memory>

#include "crypto/random.h"
#include "base/check.h"

namespace jejak::crypto {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

PkeyPtr PrivatePkey(const PrivateKey& key) {
  PkeyPtr pkey(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, key.seed.data(), key.seed.size()),
      &EVP_PKEY_free);
  // Every 32-byte string is a valid Ed25519 seed, so only allocation can fail.
  JEJAK_CHECK(pkey != nullptr);
  return pkey;
}

// Null only if OpenSSL cannot allocate: it takes any 32 bytes here and checks the
// point encoding when verifying.
PkeyPtr PublicPkey(const PublicKey& key) {
  return PkeyPtr(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size()),
                 &EVP_PKEY_free);
}

PublicKey RawPublicKey(const EVP_PKEY* pkey) {
  PublicKey public_key{};
  std::size_t length = public_key.size();
  JEJAK_CHECK(EVP_PKEY_get_raw_public_key(pkey, public_key.data(), &length) == 1);
  JEJAK_CHECK(length == public_key.size());
  return public_key;
}

BioPtr ReadBio(std::string_view text) {
  // BIO_new_mem_buf takes an int length; PEM keys are a few hundred bytes.
  if (text.size() > static_cast<std::size_t>(INT_MAX)) return BioPtr(nullptr, &BIO_free);
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free);
}

// A rejected input leaves entries on OpenSSL's per-thread error queue; clear them so
// that they are not reported later by an unrelated call (for example a TLS read).
template <typename T>
std::optional<T> Rejected() {
  ERR_clear_error();
  return std::nullopt;
}

std::string DrainBio(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  JEJAK_CHECK(length >= 0);
  return std::string(data, static_cast<std::size_t>(length));
}

}  // namespace

PrivateKey GenerateKey() {
  std::array<std::uint8_t, 32> seed{};
  RandomBytes(seed);
  return KeyFromSeed(seed);
}

PrivateKey KeyFromSeed(const std::array<std::uint8_t, 32>& seed) {
  PrivateKey key;
  key.seed = seed;
  const PkeyPtr pkey = PrivatePkey(key);
  key.public_key = RawPublicKey(pkey.get());
  return key;
}

Signature Sign(const PrivateKey& key, std::string_view message) {
  const PkeyPtr pkey = PrivatePkey(key);
  MdCtxPtr context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  JEJAK_CHECK(context != nullptr);
  // Ed25519 hashes internally: the digest argument must be null (one-shot API only).
  JEJAK_CHECK(EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, pkey.get()) == 1);
  Signature signature{};
  std::size_t length = signature.size();
  JEJAK_CHECK(EVP_DigestSign(context.get(), signature.data(), &length,
                             reinterpret_cast<const unsigned char*>(message.data()),
                             message.size()) == 1);
  JEJAK_CHECK(length == signature.size());
  return signature;
}

bool Verify(const PublicKey& key, std::string_view message, const Signature& signature) {
  const PkeyPtr pkey = PublicPkey(key);
  if (pkey == nullptr) {
    ERR_clear_error();
    return false;
  }
  MdCtxPtr context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  JEJAK_CHECK(context != nullptr);
  const bool valid =
      EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, pkey.get()) == 1 &&
      EVP_DigestVerify(context.get(), signature.data(), signature.size(),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  if (!valid) ERR_clear_error();
  return valid;
}

std::string PrivateKeyToPem(const PrivateKey& key) {
  const PkeyPtr pkey = PrivatePkey(key);
  BioPtr bio(BIO_new(BIO_s_mem()), &BIO_free);
  JEJAK_CHECK(bio != nullptr);
  // Unencrypted PKCS#8 (RFC 8410 §7); protecting the file is the deployment's job.
  JEJAK_CHECK(
      PEM_write_bio_PrivateKey(bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
  return DrainBio(bio.get());
}

std::string PublicKeyToPem(const PublicKey& key) {
  const PkeyPtr pkey = PublicPkey(key);
  JEJAK_CHECK(pkey != nullptr);
  BioPtr bio(BIO_new(BIO_s_mem()), &BIO_free);
  JEJAK_CHECK(bio != nullptr);
  JEJAK_CHECK(PEM_write_bio_PUBKEY(bio.get(), pkey.get()) == 1);
  return DrainBio(bio.get());
}

std::optional<PrivateKey> ParsePrivateKeyPem(std::string_view pem) {
  const BioPtr bio = ReadBio(pem);
  if (bio == nullptr) return std::nullopt;
  // An empty passphrase callback result: encrypted keys fail instead of prompting.
  auto no_passphrase = [](char*, int, int, void*) { return 0; };
  const PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr),
                     &EVP_PKEY_free);
  if (pkey == nullptr || EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519) {
    return Rejected<PrivateKey>();
  }
  PrivateKey key;
  std::size_t length = key.seed.size();
  if (EVP_PKEY_get_raw_private_key(pkey.get(), key.seed.data(), &length) != 1 ||
      length != key.seed.size()) {
    return Rejected<PrivateKey>();
  }
  key.public_key = RawPublicKey(pkey.get());
  return key;
}

std::optional<PublicKey> ParsePublicKeyPem(std::string_view pem) {
  const BioPtr bio = ReadBio(pem);
  if (bio == nullptr) return std::nullopt;
  auto no_passphrase = [](char*, int, int, void*) { return 0; };
  const PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr),
                     &EVP_PKEY_free);
  if (pkey == nullptr || EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519) {
    return Rejected<PublicKey>();
  }
  PublicKey key{};
  std::size_t length = key.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), key.data(), &length) != 1 || length != key.size()) {
    return Rejected<PublicKey>();
  }
  return key;
}

}  // namespace jejak::crypto
