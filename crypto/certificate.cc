// ECDSA P-256 key pairs and self-signed server certificates (RFC 5280 profile) over
// OpenSSL 3's EVP and X509 interfaces. The subjectAltName is built from GENERAL_NAME
// objects rather than an OpenSSL config string, so that a name containing a comma or
// "IP:" cannot inject an extra entry.
#include "crypto/certificate.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <climits>
#include <cstdint>
#include <memory>
#include <string>

#include "crypto/random.h"
#include "base/check.h"

namespace jejak::crypto {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using BignumPtr = std::unique_ptr<BIGNUM, decltype(&BN_free)>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, decltype(&X509_EXTENSION_free)>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, decltype(&GENERAL_NAMES_free)>;
using Asn1OctetStringPtr =
    std::unique_ptr<ASN1_OCTET_STRING, decltype(&ASN1_OCTET_STRING_free)>;

// RFC 5280 Appendix A: ub-common-name is 64 characters.
constexpr std::size_t kCommonNameBytesMax = 64;
// RFC 1035 §2.3.4: a domain name is at most 253 characters in text form.
constexpr std::size_t kDnsNameBytesMax = 253;
// RFC 5280 §4.1.2.2: a serial is at most 20 octets; 16 random ones make it unique.
constexpr std::size_t kSerialBytes = 16;
// Accept clients whose clock runs a little behind ours.
constexpr long kNotBeforeBackdateSeconds = 5 * 60;

PkeyPtr GenerateP256() {
  // EVP_EC_gen uses the named-curve encoding, which RFC 5480 §2.1.1 requires.
  PkeyPtr pkey(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  JEJAK_CHECK(pkey != nullptr);
  return pkey;
}

std::string DrainBio(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  JEJAK_CHECK(length >= 0);
  return std::string(data, static_cast<std::size_t>(length));
}

std::string PrivateKeyPem(EVP_PKEY* pkey) {
  BioPtr bio(BIO_new(BIO_s_mem()), &BIO_free);
  JEJAK_CHECK(bio != nullptr);
  // Unencrypted PKCS#8; protecting the file is the deployment's job.
  JEJAK_CHECK(
      PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  return DrainBio(bio.get());
}

std::string PublicKeyPem(EVP_PKEY* pkey) {
  BioPtr bio(BIO_new(BIO_s_mem()), &BIO_free);
  JEJAK_CHECK(bio != nullptr);
  JEJAK_CHECK(PEM_write_bio_PUBKEY(bio.get(), pkey) == 1);
  return DrainBio(bio.get());
}

bool IsPrintableAscii(std::string_view text) {
  for (const char c : text) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

// OpenSSL wants NUL-terminated strings; a view may not be.
Asn1OctetStringPtr ParseIpAddress(std::string_view text) {
  const std::string terminated(text);
  if (terminated.find('\0') != std::string::npos) {
    return Asn1OctetStringPtr(nullptr, &ASN1_OCTET_STRING_free);
  }
  Asn1OctetStringPtr address(a2i_IPADDRESS(terminated.c_str()), &ASN1_OCTET_STRING_free);
  if (address == nullptr) ERR_clear_error();
  return address;
}

void SetRandomSerial(X509* certificate) {
  std::array<std::uint8_t, kSerialBytes> bytes{};
  RandomBytes(bytes);
  // DER INTEGERs are signed: clear the top bit so that the serial is positive, and set
  // the next one so that it is never zero and always 16 octets long.
  bytes[0] = static_cast<std::uint8_t>((bytes[0] & 0x7f) | 0x40);
  BignumPtr serial(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr), &BN_free);
  JEJAK_CHECK(serial != nullptr);
  JEJAK_CHECK(BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate)) != nullptr);
}

void AddConfExtension(X509* certificate, X509V3_CTX* context, int nid, const char* value) {
  // `value` is a constant from this file, never caller input.
  ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, context, nid, value),
                         &X509_EXTENSION_free);
  JEJAK_CHECK(extension != nullptr);
  JEJAK_CHECK(X509_add_ext(certificate, extension.get(), -1) == 1);
}

void AddSubjectAltName(X509* certificate, const std::vector<std::string>& dns_names,
                       const std::vector<std::string>& ip_addresses) {
  GeneralNamesPtr names(GENERAL_NAMES_new(), &GENERAL_NAMES_free);
  JEJAK_CHECK(names != nullptr);
  for (const std::string& dns_name : dns_names) {
    JEJAK_CHECK(!dns_name.empty());
    JEJAK_CHECK(dns_name.size() <= kDnsNameBytesMax);
    JEJAK_CHECK(IsPrintableAscii(dns_name));
    GENERAL_NAME* name = GENERAL_NAME_new();
    JEJAK_CHECK(name != nullptr);
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    JEJAK_CHECK(ia5 != nullptr);
    JEJAK_CHECK(ASN1_STRING_set(ia5, dns_name.data(), static_cast<int>(dns_name.size())) == 1);
    GENERAL_NAME_set0_value(name, GEN_DNS, ia5);  // `name` owns `ia5` now.
    JEJAK_CHECK(sk_GENERAL_NAME_push(names.get(), name) > 0);  // `names` owns `name`.
  }
  for (const std::string& ip_address : ip_addresses) {
    Asn1OctetStringPtr address = ParseIpAddress(ip_address);
    JEJAK_CHECK(address != nullptr);  // Precondition: IsIpAddressLiteral(ip_address).
    GENERAL_NAME* name = GENERAL_NAME_new();
    JEJAK_CHECK(name != nullptr);
    GENERAL_NAME_set0_value(name, GEN_IPADD, address.release());
    JEJAK_CHECK(sk_GENERAL_NAME_push(names.get(), name) > 0);
  }
  // RFC 5280 §4.2.1.6: critical only when the subject is empty, which it is not here.
  JEJAK_CHECK(X509_add1_ext_i2d(certificate, NID_subject_alt_name, names.get(), 0,
                                X509V3_ADD_DEFAULT) == 1);
}

}  // namespace

PemKeyPair GenerateP256KeyPair() {
  const PkeyPtr pkey = GenerateP256();
  return PemKeyPair{PrivateKeyPem(pkey.get()), PublicKeyPem(pkey.get())};
}

bool IsIpAddressLiteral(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  return ParseIpAddress(text) != nullptr;
}

SelfSignedCertificate MakeSelfSignedCertificate(std::string_view common_name,
                                                const std::vector<std::string>& dns_names,
                                                const std::vector<std::string>& ip_addresses,
                                                std::chrono::hours validity) {
  JEJAK_CHECK(!common_name.empty());
  JEJAK_CHECK(common_name.size() <= kCommonNameBytesMax);
  JEJAK_CHECK(!dns_names.empty() || !ip_addresses.empty());
  JEJAK_CHECK(validity.count() > 0);
  // X509_gmtime_adj takes a long offset in seconds.
  JEJAK_CHECK(validity.count() <= LONG_MAX / 3600);

  const PkeyPtr pkey = GenerateP256();
  X509Ptr certificate(X509_new(), &X509_free);
  JEJAK_CHECK(certificate != nullptr);
  JEJAK_CHECK(X509_set_version(certificate.get(), X509_VERSION_3) == 1);
  SetRandomSerial(certificate.get());
  JEJAK_CHECK(X509_gmtime_adj(X509_getm_notBefore(certificate.get()),
                              -kNotBeforeBackdateSeconds) != nullptr);
  JEJAK_CHECK(X509_gmtime_adj(X509_getm_notAfter(certificate.get()),
                              static_cast<long>(validity.count()) * 3600) != nullptr);

  X509_NAME* name = X509_get_subject_name(certificate.get());
  JEJAK_CHECK(X509_NAME_add_entry_by_NID(
                  name, NID_commonName, MBSTRING_UTF8,
                  reinterpret_cast<const unsigned char*>(common_name.data()),
                  static_cast<int>(common_name.size()), -1, 0) == 1);
  JEJAK_CHECK(X509_set_issuer_name(certificate.get(), name) == 1);  // Self-signed.
  JEJAK_CHECK(X509_set_pubkey(certificate.get(), pkey.get()) == 1);

  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate.get(), certificate.get(), nullptr, nullptr, 0);
  AddConfExtension(certificate.get(), &context, NID_basic_constraints, "critical,CA:FALSE");
  AddConfExtension(certificate.get(), &context, NID_key_usage, "critical,digitalSignature");
  AddConfExtension(certificate.get(), &context, NID_ext_key_usage, "serverAuth");
  AddConfExtension(certificate.get(), &context, NID_subject_key_identifier, "hash");
  AddSubjectAltName(certificate.get(), dns_names, ip_addresses);

  JEJAK_CHECK(X509_sign(certificate.get(), pkey.get(), EVP_sha256()) > 0);

  BioPtr bio(BIO_new(BIO_s_mem()), &BIO_free);
  JEJAK_CHECK(bio != nullptr);
  JEJAK_CHECK(PEM_write_bio_X509(bio.get(), certificate.get()) == 1);
  return SelfSignedCertificate{DrainBio(bio.get()), PrivateKeyPem(pkey.get())};
}

}  // namespace jejak::crypto
