// TLS settings after Mozilla's "intermediate" server profile, minus finite-field DHE:
// TLS 1.2 with ECDHE and AES-GCM or ChaCha20-Poly1305, and TLS 1.3's AEAD suites. The
// Asio calls used here are the error_code overloads, so nothing throws.
#include "crypto/tls/context.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

#include <climits>
#include <memory>
#include <string>

namespace jejak::crypto::tls {
namespace {

namespace ssl = boost::asio::ssl;

// TLS 1.2 suites (OpenSSL names): ECDHE key exchange only, for forward secrecy; AEAD
// only, so no CBC padding oracles.
constexpr const char* kTls12CipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
// RFC 8446 §9.1 mandatory suite first, then the other two standard AEAD suites.
constexpr const char* kTls13Ciphersuites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
// Key exchange groups, strongest commonly supported first.
constexpr const char* kGroups = "X25519:P-256:P-384";

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

int NoPassphrase(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) {
  return 0;
}

// Null if `pem` is not an unencrypted private key.
PkeyPtr ParsePrivateKey(std::string_view pem) {
  // BIO_new_mem_buf takes an int length; keys are a few kilobytes.
  if (pem.size() > static_cast<std::size_t>(INT_MAX)) return PkeyPtr(nullptr, &EVP_PKEY_free);
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (bio == nullptr) return PkeyPtr(nullptr, &EVP_PKEY_free);
  return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, &NoPassphrase, nullptr),
                 &EVP_PKEY_free);
}

Error TlsError(std::string what) {
  // The queue may hold details (file offsets, ASN.1 tags) that help nobody here; drop
  // them so that a later, unrelated TLS call does not report them.
  ERR_clear_error();
  return InvalidArgument(std::move(what));
}

// Options and protocol limits shared by servers and clients. The return values are
// checked because a silently ignored setting would weaken every connection.
Result<void> ApplyCommonSettings(ssl::context& context) {
  SSL_CTX* native = context.native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION) != 1) {
    return Error{Code::kInternal, "cannot restrict TLS versions", {}};
  }
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  if (SSL_CTX_set_cipher_list(native, kTls12CipherList) != 1 ||
      SSL_CTX_set_ciphersuites(native, kTls13Ciphersuites) != 1 ||
      SSL_CTX_set1_groups_list(native, kGroups) != 1) {
    ERR_clear_error();
    return Error{Code::kInternal, "cannot set TLS cipher suites", {}};
  }
  return Ok();
}

Result<std::shared_ptr<ssl::context>> NewContext(ssl::context::method method) {
  // The constructor throws only if SSL_CTX_new fails, i.e. when out of memory.
  try {
    auto context = std::make_shared<ssl::context>(method);
    Result<void> settings = ApplyCommonSettings(*context);
    if (!settings) return settings.error();
    return context;
  } catch (const boost::system::system_error& e) {
    ERR_clear_error();
    return Error{Code::kInternal, std::string("cannot create TLS context: ") + e.what(), {}};
  }
}

}  // namespace

Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerContext(
    std::string_view certificate_chain_pem, std::string_view private_key_pem) {
  Result<std::shared_ptr<ssl::context>> context = NewContext(ssl::context::tls_server);
  if (!context) return context.error();
  SSL_CTX* native = (*context)->native_handle();
  // Without this, OpenSSL would prompt on the terminal for an encrypted key's passphrase.
  SSL_CTX_set_default_passwd_cb(native, &NoPassphrase);
  // Frees a connection's TLS read and write buffers (about 34 KiB together) while they are
  // empty, that is while it waits for a request, and allocates them again per record.
  // Idle keep-alive connections are most of a busy server's connections; without this
  // each would hold its buffers for as long as it stays open.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  // No session resumption: every connection makes a full handshake (about a millisecond
  // of CPU with an ECDSA P-256 key). With SSL_OP_NO_TICKET, OpenSSL would keep every
  // session in a server-side cache instead (two per TLS 1.3 connection, a few KiB each,
  // up to 20,480 of them for two hours), so any client that keeps reconnecting could grow
  // the server's memory by tens of megabytes that no connection count bounds.
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_set_num_tickets(native, 0) != 1) {
    ERR_clear_error();
    return Error{Code::kInternal, "cannot turn off TLS session tickets", {}};
  }
  boost::system::error_code ec;
  (*context)->use_certificate_chain(
      boost::asio::buffer(certificate_chain_pem.data(), certificate_chain_pem.size()), ec);
  if (ec) return TlsError("TLS certificate chain is not a valid PEM certificate");
  const PkeyPtr key = ParsePrivateKey(private_key_pem);
  if (key == nullptr) return TlsError("TLS private key is not a valid unencrypted PEM key");
  // Checked before SSL_CTX_use_PrivateKey, which would refuse a mismatch with a vaguer
  // error; serving with the wrong key would only fail later, at every handshake.
  X509* leaf = SSL_CTX_get0_certificate(native);
  if (leaf == nullptr || X509_check_private_key(leaf, key.get()) != 1) {
    return TlsError("TLS private key does not match the certificate");
  }
  if (SSL_CTX_use_PrivateKey(native, key.get()) != 1 || SSL_CTX_check_private_key(native) != 1) {
    return TlsError("TLS private key does not match the certificate");
  }
  return context;
}

Result<std::shared_ptr<boost::asio::ssl::context>> MakeClientContext(
    std::optional<std::string_view> trusted_ca_pem) {
  Result<std::shared_ptr<ssl::context>> context = NewContext(ssl::context::tls_client);
  if (!context) return context.error();
  boost::system::error_code ec;
  if (trusted_ca_pem.has_value()) {
    (*context)->add_certificate_authority(
        boost::asio::buffer(trusted_ca_pem->data(), trusted_ca_pem->size()), ec);
    if (ec) return TlsError("trusted CA is not a valid PEM certificate");
  } else {
    (*context)->set_default_verify_paths(ec);
    if (ec) return TlsError("cannot load the system's trusted certificates");
  }
  (*context)->set_verify_mode(ssl::verify_peer, ec);
  if (ec) return TlsError("cannot enable peer verification");
  return context;
}

}  // namespace jejak::crypto::tls
