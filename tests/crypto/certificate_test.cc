// ECDSA P-256 key pairs and self-signed certificates, parsed back and checked with
// OpenSSL directly.
#include "crypto/certificate.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

namespace jejak::crypto {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

BioPtr ReadBio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free);
}

PkeyPtr ParsePrivate(const std::string& pem) {
  BioPtr bio = ReadBio(pem);
  return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
}

PkeyPtr ParsePublic(const std::string& pem) {
  BioPtr bio = ReadBio(pem);
  return PkeyPtr(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
}

X509Ptr ParseCertificate(const std::string& pem) {
  BioPtr bio = ReadBio(pem);
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
}

std::string GroupName(EVP_PKEY* pkey) {
  char name[64] = {};
  std::size_t length = 0;
  EXPECT_EQ(EVP_PKEY_get_group_name(pkey, name, sizeof(name), &length), 1);
  return std::string(name, length);
}

struct SubjectAltNames {
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;  // As inet_ntop prints them.
  int other_count = 0;
};

SubjectAltNames ReadSubjectAltNames(X509* certificate) {
  SubjectAltNames result;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  EXPECT_NE(names, nullptr);
  if (names == nullptr) return result;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      const ASN1_IA5STRING* dns = name->d.dNSName;
      result.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                    static_cast<std::size_t>(ASN1_STRING_length(dns)));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* address = name->d.iPAddress;
      const int length = ASN1_STRING_length(address);
      char text[INET6_ADDRSTRLEN] = {};
      const int family = length == 4 ? AF_INET : AF_INET6;
      EXPECT_TRUE(length == 4 || length == 16);
      EXPECT_NE(inet_ntop(family, ASN1_STRING_get0_data(address), text, sizeof(text)), nullptr);
      result.ip_addresses.emplace_back(text);
    } else {
      ++result.other_count;
    }
  }
  GENERAL_NAMES_free(names);
  return result;
}

TEST(GenerateP256KeyPairTest, KeysParseBackAndMatch) {
  const PemKeyPair pair = GenerateP256KeyPair();
  EXPECT_NE(pair.private_pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  EXPECT_NE(pair.public_pem.find("-----BEGIN PUBLIC KEY-----"), std::string::npos);
  const PkeyPtr private_key = ParsePrivate(pair.private_pem);
  const PkeyPtr public_key = ParsePublic(pair.public_pem);
  ASSERT_NE(private_key, nullptr);
  ASSERT_NE(public_key, nullptr);
  EXPECT_EQ(EVP_PKEY_get_base_id(private_key.get()), EVP_PKEY_EC);
  EXPECT_EQ(GroupName(private_key.get()), "prime256v1");
  EXPECT_EQ(EVP_PKEY_eq(private_key.get(), public_key.get()), 1);
}

TEST(GenerateP256KeyPairTest, KeysAreFresh) {
  EXPECT_NE(GenerateP256KeyPair().private_pem, GenerateP256KeyPair().private_pem);
}

TEST(MakeSelfSignedCertificateTest, ParsesWithExpectedFields) {
  const SelfSignedCertificate made = MakeSelfSignedCertificate(
      "localhost", {"localhost"}, {"127.0.0.1", "::1"}, std::chrono::hours(24));
  const X509Ptr certificate = ParseCertificate(made.certificate_pem);
  ASSERT_NE(certificate, nullptr);
  EXPECT_EQ(X509_get_version(certificate.get()), X509_VERSION_3);

  const PkeyPtr key = ParsePrivate(made.private_key_pem);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(GroupName(key.get()), "prime256v1");
  EXPECT_EQ(X509_check_private_key(certificate.get(), key.get()), 1);

  char common_name[128] = {};
  ASSERT_GT(X509_NAME_get_text_by_NID(X509_get_subject_name(certificate.get()), NID_commonName,
                                      common_name, sizeof(common_name)),
            0);
  EXPECT_STREQ(common_name, "localhost");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(certificate.get()),
                          X509_get_issuer_name(certificate.get())),
            0);
  EXPECT_EQ(X509_get_signature_nid(certificate.get()), NID_ecdsa_with_SHA256);

  // Valid now, and expiring within the day asked for.
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(certificate.get())), 0);
  EXPECT_GT(X509_cmp_current_time(X509_get0_notAfter(certificate.get())), 0);
  std::time_t in_25_hours = std::time(nullptr) + 25 * 3600;
  EXPECT_LT(X509_cmp_time(X509_get0_notAfter(certificate.get()), &in_25_hours), 0);
}

TEST(MakeSelfSignedCertificateTest, SubjectAltNameHoldsExactlyTheNames) {
  const SelfSignedCertificate made =
      MakeSelfSignedCertificate("jejak", {"localhost", "jejak.example.go.id"},
                                {"127.0.0.1", "::1"}, std::chrono::hours(1));
  const X509Ptr certificate = ParseCertificate(made.certificate_pem);
  ASSERT_NE(certificate, nullptr);
  const SubjectAltNames names = ReadSubjectAltNames(certificate.get());
  EXPECT_EQ(names.dns_names, (std::vector<std::string>{"localhost", "jejak.example.go.id"}));
  EXPECT_EQ(names.ip_addresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(names.other_count, 0);
  EXPECT_EQ(X509_check_host(certificate.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(certificate.get(), "127.0.0.1", 0), 1);
  EXPECT_NE(X509_check_host(certificate.get(), "example.com", 0, 0, nullptr), 1);
}

TEST(MakeSelfSignedCertificateTest, CommaInNameDoesNotInjectAnEntry) {
  const SelfSignedCertificate made = MakeSelfSignedCertificate(
      "jejak", {"a.example,IP:10.0.0.1"}, {}, std::chrono::hours(1));
  const X509Ptr certificate = ParseCertificate(made.certificate_pem);
  ASSERT_NE(certificate, nullptr);
  const SubjectAltNames names = ReadSubjectAltNames(certificate.get());
  EXPECT_EQ(names.dns_names, (std::vector<std::string>{"a.example,IP:10.0.0.1"}));
  EXPECT_TRUE(names.ip_addresses.empty());
}

TEST(MakeSelfSignedCertificateTest, ServerProfileExtensions) {
  const SelfSignedCertificate made =
      MakeSelfSignedCertificate("localhost", {"localhost"}, {}, std::chrono::hours(1));
  const X509Ptr certificate = ParseCertificate(made.certificate_pem);
  ASSERT_NE(certificate, nullptr);
  const uint32_t flags = X509_get_extension_flags(certificate.get());
  EXPECT_EQ(flags & EXFLAG_INVALID, 0u);
  EXPECT_EQ(flags & EXFLAG_CA, 0u);  // basicConstraints CA:FALSE.
  EXPECT_NE(flags & EXFLAG_BCONS, 0u);
  EXPECT_EQ(X509_get_key_usage(certificate.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_EQ(X509_get_extended_key_usage(certificate.get()), static_cast<uint32_t>(XKU_SSL_SERVER));
  EXPECT_EQ(X509_check_purpose(certificate.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
}

TEST(MakeSelfSignedCertificateTest, VerifiesUnderItsOwnKey) {
  const SelfSignedCertificate made =
      MakeSelfSignedCertificate("localhost", {"localhost"}, {}, std::chrono::hours(1));
  const X509Ptr certificate = ParseCertificate(made.certificate_pem);
  ASSERT_NE(certificate, nullptr);
  EVP_PKEY* embedded = X509_get0_pubkey(certificate.get());
  ASSERT_NE(embedded, nullptr);
  EXPECT_EQ(X509_verify(certificate.get(), embedded), 1);
  // A different key does not verify it.
  const PkeyPtr other = ParsePublic(GenerateP256KeyPair().public_pem);
  EXPECT_NE(X509_verify(certificate.get(), other.get()), 1);
}

TEST(MakeSelfSignedCertificateTest, SerialIsRandomPositive128Bits) {
  const X509Ptr first = ParseCertificate(
      MakeSelfSignedCertificate("a", {"a"}, {}, std::chrono::hours(1)).certificate_pem);
  const X509Ptr second = ParseCertificate(
      MakeSelfSignedCertificate("a", {"a"}, {}, std::chrono::hours(1)).certificate_pem);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  const ASN1_INTEGER* serial = X509_get0_serialNumber(first.get());
  EXPECT_EQ(ASN1_STRING_type(serial), V_ASN1_INTEGER);  // Not V_ASN1_NEG_INTEGER.
  EXPECT_EQ(ASN1_STRING_length(serial), 16);
  EXPECT_NE(ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(second.get())), 0);
}

TEST(IsIpAddressLiteralTest, AcceptsOnlyAddresses) {
  EXPECT_TRUE(IsIpAddressLiteral("127.0.0.1"));
  EXPECT_TRUE(IsIpAddressLiteral("::1"));
  EXPECT_FALSE(IsIpAddressLiteral("localhost"));
  EXPECT_FALSE(IsIpAddressLiteral("256.0.0.1"));
  EXPECT_FALSE(IsIpAddressLiteral(""));
  EXPECT_FALSE(IsIpAddressLiteral(std::string("127.0.0.1\0x", 11)));
}

}  // namespace
}  // namespace jejak::crypto
