// Builds the Boost.Asio TLS contexts for the HTTPS listener and for clients (the
// auditor's CLI, tests). Every protocol choice is explicit here: TLS 1.2 and 1.3 only,
// forward-secret AEAD cipher suites only, no compression, no renegotiation.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <optional>
#include <string_view>

#include "base/result.h"

namespace jejak::crypto::tls {

// A server context holding `certificate_chain_pem` (the leaf certificate first, then any
// intermediates) and its `private_key_pem` (PKCS#8 or traditional, unencrypted).
// Errors: kInvalidArgument if either PEM does not parse, or if the key does not match
// the leaf certificate. The context is shared by every session; after this returns it
// is only read, which OpenSSL allows from any thread.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerContext(
    std::string_view certificate_chain_pem, std::string_view private_key_pem);

// A client context with the same protocol limits. With `trusted_ca_pem` (one or more PEM
// certificates) the peer must present a chain to one of them; without it, to one of
// the system's default trust anchors. Either way the peer is verified (verify_peer).
// Host name checking is per connection: the caller sets SNI and
// boost::asio::ssl::host_name_verification on each stream. Errors: kInvalidArgument if
// `trusted_ca_pem` holds no parsable certificate.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeClientContext(
    std::optional<std::string_view> trusted_ca_pem);

}  // namespace jejak::crypto::tls
