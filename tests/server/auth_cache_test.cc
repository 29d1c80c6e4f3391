// The Authenticator remembers tokens that passed every check (keyed on their exact
// bytes) so that the next request skips the signature: these tests hold a remembered
// token to the answer a fresh Authenticator gives at every time around its claims, its
// expiry included, and check that other bytes are never taken for it.
#include "server/auth.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "crypto/certificate.h"

namespace jejak::server {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

constexpr char kIssuer[] = "https://jejak.example.go.id";
constexpr char kAudience[] = "jejak-api";
const system_clock::time_point kNow = system_clock::time_point(seconds(1'750'000'000));

const crypto::PemKeyPair& Key() {
  static const crypto::PemKeyPair key = crypto::GenerateP256KeyPair();
  return key;
}

Authenticator Make(seconds lifetime_max = kTokenLifetimeMaxDefault) {
  Result<Authenticator> authenticator =
      Authenticator::Make({TrustedIssuer{kIssuer, "ES256", Key().public_pem, kAudience}}, lifetime_max);
  EXPECT_TRUE(authenticator.has_value());
  return std::move(authenticator).value();
}

std::string Token(seconds ttl) {
  const Actor officer{"budi", Role::kOfficer, "1.02.0.00.0.00.01.0000", ""};
  Result<std::string> token = MintToken(Key().private_pem, kIssuer, kAudience, officer, ttl, kNow);
  EXPECT_TRUE(token.has_value());
  return "Bearer " + *token;
}

// "" if accepted, the reason otherwise.
std::string Answer(const Authenticator& authenticator, const std::string& bearer,
                   system_clock::time_point now) {
  Result<Actor> actor = authenticator.Authenticate(bearer, now);
  if (actor) {
    EXPECT_EQ(actor->sub, "budi");
    return "";
  }
  return actor.error().message;
}

TEST(AuthenticatorCacheTest, ARememberedTokenStopsBeingAcceptedAtItsExpiry) {
  const Authenticator authenticator = Make();
  const std::string bearer = Token(seconds(900));
  EXPECT_EQ(Answer(authenticator, bearer, kNow), "");
  EXPECT_EQ(Answer(authenticator, bearer, kNow + seconds(500)), "");
  EXPECT_EQ(Answer(authenticator, bearer, kNow + seconds(900 + 59)), "");
  EXPECT_EQ(Answer(authenticator, bearer, kNow + seconds(900 + 60)), "token expired");
  EXPECT_EQ(Answer(authenticator, bearer, kNow + seconds(86400)), "token expired");
  // A copy shares what was remembered, and answers the same.
  const Authenticator copy = authenticator;
  EXPECT_EQ(Answer(copy, bearer, kNow + seconds(900 + 60)), "token expired");
}

TEST(AuthenticatorCacheTest, ARememberedTokenAnswersAsAFreshCheckAtEveryTime) {
  const seconds lifetime_max(1000);
  const Authenticator remembering = Make(lifetime_max);
  const std::string bearer = Token(seconds(900));
  ASSERT_EQ(Answer(remembering, bearer, kNow), "");
  // Around nbf and iat (now), the lifetime limit (a clock set back), exp and the leeway.
  for (const int offset : {-3600, -101, -100, -61, -60, -1, 0, 1, 899, 900, 959, 960, 86400}) {
    const system_clock::time_point at = kNow + seconds(offset);
    EXPECT_EQ(Answer(remembering, bearer, at), Answer(Make(lifetime_max), bearer, at))
        << "at now " << offset << " s";
  }
}

TEST(AuthenticatorCacheTest, OtherBytesAreNeverTakenForARememberedToken) {
  const Authenticator authenticator = Make();
  const std::string bearer = Token(seconds(900));
  ASSERT_EQ(Answer(authenticator, bearer, kNow), "");
  std::string changed = bearer;
  changed.back() = changed.back() == 'A' ? 'B' : 'A';  // The signature's last character.
  EXPECT_NE(Answer(authenticator, changed, kNow), "");
  EXPECT_NE(Answer(authenticator, bearer + "x", kNow), "");
  EXPECT_EQ(Answer(authenticator, "bearer  " + bearer.substr(7), kNow), "");  // Same token.
}

TEST(AuthenticatorCacheTest, ManyTokensStayBoundedAndStillAnswer) {
  const Authenticator authenticator = Make();
  std::vector<std::string> tokens;
  for (int i = 0; i < 5000; ++i) {
    const Actor officer{"user" + std::to_string(i), Role::kAuditor, "", ""};
    Result<std::string> token =
        MintToken(Key().private_pem, kIssuer, kAudience, officer, seconds(900), kNow);
    ASSERT_TRUE(token.has_value());
    tokens.push_back("Bearer " + *token);
  }
  for (const std::string& bearer : tokens) {
    ASSERT_TRUE(authenticator.Authenticate(bearer, kNow).has_value());
  }
  for (const std::string& bearer : tokens) {
    EXPECT_EQ(authenticator.Authenticate(bearer, kNow + seconds(960)).error().message,
              "token expired");
  }
}

}  // namespace
}  // namespace jejak::server
