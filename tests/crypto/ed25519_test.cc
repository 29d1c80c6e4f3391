// Ed25519 against RFC 8032 §7.1 known answers and Wycheproof's verification vectors.
#include "crypto/ed25519.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/encoding.h"

namespace jejak::crypto {
namespace {

nlohmann::json LoadJson(const std::string& relative_path) {
  std::ifstream file(std::string(JEJAK_TESTDATA_DIR) + "/" + relative_path);
  EXPECT_TRUE(file.is_open()) << relative_path;
  return nlohmann::json::parse(file);
}

std::vector<std::uint8_t> HexBytes(const nlohmann::json& value) {
  std::optional<std::vector<std::uint8_t>> bytes = FromHex(value.get<std::string>());
  EXPECT_TRUE(bytes.has_value());
  return bytes.value_or(std::vector<std::uint8_t>{});
}

template <std::size_t N>
std::array<std::uint8_t, N> HexArray(const nlohmann::json& value) {
  const std::vector<std::uint8_t> bytes = HexBytes(value);
  std::array<std::uint8_t, N> array{};
  EXPECT_EQ(bytes.size(), N);
  std::copy_n(bytes.begin(), std::min(N, bytes.size()), array.begin());
  return array;
}

std::string HexString(const nlohmann::json& value) {
  const std::vector<std::uint8_t> bytes = HexBytes(value);
  return std::string(bytes.begin(), bytes.end());
}

TEST(Ed25519Test, DerivesRfc8032PublicKeys) {
  const nlohmann::json vectors = LoadJson("rfc8032/ed25519.json");
  ASSERT_EQ(vectors.size(), 5u);
  for (const nlohmann::json& vector : vectors) {
    const PrivateKey key = KeyFromSeed(HexArray<32>(vector.at("secret_key")));
    EXPECT_EQ(ToHex(key.public_key), vector.at("public_key").get<std::string>())
        << vector.at("name");
  }
}

TEST(Ed25519Test, SignsRfc8032VectorsExactly) {
  for (const nlohmann::json& vector : LoadJson("rfc8032/ed25519.json")) {
    const PrivateKey key = KeyFromSeed(HexArray<32>(vector.at("secret_key")));
    const Signature signature = Sign(key, HexString(vector.at("message")));
    EXPECT_EQ(ToHex(signature), vector.at("signature").get<std::string>()) << vector.at("name");
  }
}

TEST(Ed25519Test, VerifiesRfc8032Vectors) {
  for (const nlohmann::json& vector : LoadJson("rfc8032/ed25519.json")) {
    EXPECT_TRUE(Verify(HexArray<32>(vector.at("public_key")), HexString(vector.at("message")),
                       HexArray<64>(vector.at("signature"))))
        << vector.at("name");
  }
}

TEST(Ed25519Test, RejectsRfc8032VectorsWithAnyMessageBitFlipped) {
  for (const nlohmann::json& vector : LoadJson("rfc8032/ed25519.json")) {
    const PublicKey key = HexArray<32>(vector.at("public_key"));
    const Signature signature = HexArray<64>(vector.at("signature"));
    const std::string message = HexString(vector.at("message"));
    for (std::size_t bit = 0; bit < message.size() * 8; ++bit) {
      std::string flipped = message;
      flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
      EXPECT_FALSE(Verify(key, flipped, signature)) << vector.at("name") << " bit " << bit;
    }
  }
}

TEST(Ed25519Test, RejectsRfc8032VectorsWithAnySignatureBitFlipped) {
  for (const nlohmann::json& vector : LoadJson("rfc8032/ed25519.json")) {
    const PublicKey key = HexArray<32>(vector.at("public_key"));
    const Signature signature = HexArray<64>(vector.at("signature"));
    const std::string message = HexString(vector.at("message"));
    for (std::size_t bit = 0; bit < signature.size() * 8; ++bit) {
      Signature flipped = signature;
      flipped[bit / 8] = static_cast<std::uint8_t>(flipped[bit / 8] ^ (1 << (bit % 8)));
      EXPECT_FALSE(Verify(key, message, flipped)) << vector.at("name") << " bit " << bit;
    }
  }
}

// Wycheproof signatures of the wrong length cannot become a Signature; the verifier's
// contract is a fixed 64 bytes, so such cases count as rejected.
TEST(Ed25519Test, AgreesWithAllWycheproofVectors) {
  const nlohmann::json file = LoadJson("wycheproof/ed25519_test.json");
  int tests = 0;
  int valid = 0;
  for (const nlohmann::json& group : file.at("testGroups")) {
    const std::vector<std::uint8_t> key_bytes = HexBytes(group.at("publicKey").at("pk"));
    ASSERT_EQ(key_bytes.size(), 32u);
    PublicKey key{};
    std::copy(key_bytes.begin(), key_bytes.end(), key.begin());
    for (const nlohmann::json& test : group.at("tests")) {
      ++tests;
      const std::string result = test.at("result").get<std::string>();
      ASSERT_TRUE(result == "valid" || result == "invalid");
      const bool expected = result == "valid";
      if (expected) ++valid;
      const std::vector<std::uint8_t> signature_bytes = HexBytes(test.at("sig"));
      bool verified = false;
      if (signature_bytes.size() == 64) {
        Signature signature{};
        std::copy(signature_bytes.begin(), signature_bytes.end(), signature.begin());
        verified = Verify(key, HexString(test.at("msg")), signature);
      }
      EXPECT_EQ(verified, expected) << "tcId " << test.at("tcId") << ": " << test.at("comment");
    }
  }
  EXPECT_EQ(tests, 151);
  EXPECT_EQ(valid, 88);
}

TEST(Ed25519Test, GeneratedKeysSignAndVerify) {
  const PrivateKey key = GenerateKey();
  EXPECT_EQ(KeyFromSeed(key.seed).public_key, key.public_key);
  const Signature signature = Sign(key, "checkpoint");
  EXPECT_TRUE(Verify(key.public_key, "checkpoint", signature));
  EXPECT_FALSE(Verify(key.public_key, "checkpoinT", signature));
}

TEST(Ed25519Test, GeneratedKeysDiffer) { EXPECT_NE(GenerateKey().seed, GenerateKey().seed); }

TEST(Ed25519Test, RejectsSignatureUnderAnotherKey) {
  const PrivateKey key = GenerateKey();
  const PrivateKey other = GenerateKey();
  EXPECT_FALSE(Verify(other.public_key, "message", Sign(key, "message")));
}

TEST(Ed25519Test, RejectsInvalidPublicKeyEncoding) {
  const PrivateKey key = GenerateKey();
  const Signature signature = Sign(key, "message");
  PublicKey not_a_point{};
  not_a_point.fill(0xff);  // y >= p: not a canonical point encoding.
  EXPECT_FALSE(Verify(not_a_point, "message", signature));
}

TEST(Ed25519Test, PrivateKeyPemRoundTrips) {
  const PrivateKey key = GenerateKey();
  const std::string pem = PrivateKeyToPem(key);
  EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  const std::optional<PrivateKey> parsed = ParsePrivateKeyPem(pem);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->seed, key.seed);
  EXPECT_EQ(parsed->public_key, key.public_key);
}

TEST(Ed25519Test, PublicKeyPemRoundTrips) {
  const PrivateKey key = GenerateKey();
  const std::string pem = PublicKeyToPem(key.public_key);
  EXPECT_EQ(pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
  EXPECT_EQ(ParsePublicKeyPem(pem), key.public_key);
}

// Wycheproof's first group also carries its key as SPKI PEM: parse it independently.
TEST(Ed25519Test, ParsesWycheproofPublicKeyPem) {
  const nlohmann::json group = LoadJson("wycheproof/ed25519_test.json").at("testGroups").at(0);
  const std::optional<PublicKey> key =
      ParsePublicKeyPem(group.at("publicKeyPem").get<std::string>());
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(ToHex(*key), group.at("publicKey").at("pk").get<std::string>());
}

TEST(Ed25519Test, ParsePrivateKeyPemRejectsPublicKey) {
  EXPECT_FALSE(ParsePrivateKeyPem(PublicKeyToPem(GenerateKey().public_key)).has_value());
}

TEST(Ed25519Test, ParsePublicKeyPemRejectsPrivateKey) {
  EXPECT_FALSE(ParsePublicKeyPem(PrivateKeyToPem(GenerateKey())).has_value());
}

TEST(Ed25519Test, ParsePemRejectsGarbage) {
  EXPECT_FALSE(ParsePrivateKeyPem("").has_value());
  EXPECT_FALSE(ParsePublicKeyPem("").has_value());
  EXPECT_FALSE(ParsePrivateKeyPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                   .has_value());
  EXPECT_FALSE(ParsePublicKeyPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
                   .has_value());
}

TEST(Ed25519Test, ParsePemRejectsTruncatedKey) {
  const std::string pem = PrivateKeyToPem(GenerateKey());
  EXPECT_FALSE(ParsePrivateKeyPem(pem.substr(0, pem.size() / 2)).has_value());
}

// An EC P-256 key is a valid PEM key of the wrong type.
TEST(Ed25519Test, ParsePemRejectsOtherKeyTypes) {
  const nlohmann::json file = LoadJson("wycheproof/ecdsa_secp256r1_sha256_p1363_test.json");
  const nlohmann::json& group = file.at("testGroups").at(0);
  ASSERT_TRUE(group.contains("publicKeyPem"));
  EXPECT_FALSE(ParsePublicKeyPem(group.at("publicKeyPem").get<std::string>()).has_value());
}

}  // namespace
}  // namespace jejak::crypto
