// ECDSA P-256 keys and self-signed X.509 server certificates over OpenSSL 3. The server
// uses the key pair as its local ES256 token issuer key, and the certificate for a
// development or loopback HTTPS listener (localhost, 127.0.0.1); production deployments
// bring their own certificate chain.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace jejak::crypto {

// PEM "PRIVATE KEY" (unencrypted PKCS#8) and "PUBLIC KEY" (SubjectPublicKeyInfo). The
// private key is a secret: callers keep it out of logs and write it with mode 0600.
struct PemKeyPair {
  std::string private_pem;
  std::string public_pem;
};

// A fresh ECDSA key on NIST P-256 (named curve) from the secure random generator. Aborts
// only if OpenSSL cannot allocate or has no randomness.
PemKeyPair GenerateP256KeyPair();

struct SelfSignedCertificate {
  std::string certificate_pem;  // PEM "CERTIFICATE".
  std::string private_key_pem;  // PEM "PRIVATE KEY" (PKCS#8), a secret.
};

// A self-signed X.509 v3 certificate for a fresh ECDSA P-256 key: subject and issuer CN
// `common_name`, a random positive 128-bit serial, valid from five minutes ago (clock
// skew) until now + `validity`, subjectAltName with exactly `dns_names` (dNSName) and
// `ip_addresses` (iPAddress, IPv4 or IPv6 literals), basicConstraints CA:FALSE, keyUsage
// digitalSignature, extendedKeyUsage serverAuth, signed with ECDSA SHA-256.
// Preconditions (abort otherwise; callers validate configuration first): `common_name`
// is 1 to 64 bytes, each DNS name is non-empty, printable ASCII and at most 253 bytes,
// each IP address parses, at least one name is given, and `validity` is positive.
// True iff `text` is an IPv4 dotted-quad or IPv6 literal that OpenSSL accepts as an
// iPAddress subjectAltName; lets callers validate configuration before the call below.
bool IsIpAddressLiteral(std::string_view text);

SelfSignedCertificate MakeSelfSignedCertificate(std::string_view common_name,
                                                const std::vector<std::string>& dns_names,
                                                const std::vector<std::string>& ip_addresses,
                                                std::chrono::hours validity);

}  // namespace jejak::crypto
