// SHA-256 (FIPS 180-4) through OpenSSL 3's EVP digest interface.
#include "crypto/sha256.h"

#include <openssl/evp.h>

#include <memory>
#include <utility>

#include "base/check.h"

namespace jejak::crypto {
namespace {

using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

// The SHA-256 implementation, fetched from the default provider once: an implicit fetch
// per hash (EVP_sha256() in EVP_DigestInit) costs a lock and a lookup each time.
const EVP_MD* Md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  JEJAK_CHECK(md != nullptr);
  return md;
}

}  // namespace

Digest Sha256(std::string_view bytes) {
  Digest digest{};
  unsigned int digest_bytes = 0;
  // EVP_Digest fails only on allocation failure, which we treat as fatal.
  JEJAK_CHECK(EVP_Digest(bytes.data(), bytes.size(), digest.data(), &digest_bytes, Md(),
                         nullptr) == 1);
  JEJAK_CHECK(digest_bytes == kDigestBytes);
  return digest;
}

Digest Sha256Of(std::initializer_list<std::string_view> parts) {
  // One context per thread, reinitialised for each digest: no allocation per hash.
  thread_local const MdCtxPtr context{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  JEJAK_CHECK(context != nullptr);
  JEJAK_CHECK(EVP_DigestInit_ex2(context.get(), Md(), nullptr) == 1);
  for (std::string_view part : parts) {
    JEJAK_CHECK(EVP_DigestUpdate(context.get(), part.data(), part.size()) == 1);
  }
  Digest digest{};
  unsigned int digest_bytes = 0;
  JEJAK_CHECK(EVP_DigestFinal_ex(context.get(), digest.data(), &digest_bytes) == 1);
  JEJAK_CHECK(digest_bytes == kDigestBytes);
  return digest;
}

struct Sha256Hasher::State {
  MdCtxPtr context{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
};

Sha256Hasher::Sha256Hasher() : state_(std::make_unique<State>()) {
  JEJAK_CHECK(state_->context != nullptr);
  JEJAK_CHECK(EVP_DigestInit_ex(state_->context.get(), Md(), nullptr) == 1);
}

Sha256Hasher::~Sha256Hasher() = default;
Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;

void Sha256Hasher::Update(std::string_view bytes) {
  JEJAK_CHECK(state_ != nullptr);  // Not moved from, not finished.
  JEJAK_CHECK(EVP_DigestUpdate(state_->context.get(), bytes.data(), bytes.size()) == 1);
}

void Sha256Hasher::Update(const Digest& digest) {
  Update(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

Digest Sha256Hasher::Finish() {
  JEJAK_CHECK(state_ != nullptr);  // Not moved from, not finished.
  Digest digest{};
  unsigned int digest_bytes = 0;
  JEJAK_CHECK(EVP_DigestFinal_ex(state_->context.get(), digest.data(), &digest_bytes) == 1);
  JEJAK_CHECK(digest_bytes == kDigestBytes);
  // A finished context cannot be updated again; dropping it makes misuse abort.
  state_.reset();
  return digest;
}

}  // namespace jejak::crypto
