// SHA-256 against the NIST FIPS 180-2 / CAVS examples in testdata/nist-sha256.
#include "crypto/sha256.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "crypto/encoding.h"

namespace jejak::crypto {
namespace {

struct Vector {
  std::string name;
  std::string message;
  std::string digest_hex;
};

std::vector<Vector> LoadVectors() {
  std::ifstream file(std::string(JEJAK_TESTDATA_DIR) + "/nist-sha256/vectors.json");
  EXPECT_TRUE(file.is_open());
  const nlohmann::json vectors = nlohmann::json::parse(file);
  std::vector<Vector> result;
  for (const nlohmann::json& vector : vectors) {
    Vector loaded;
    loaded.name = vector.at("name").get<std::string>();
    loaded.digest_hex = vector.at("digest").get<std::string>();
    if (vector.contains("repeat")) {
      const std::string unit = vector.at("repeat").get<std::string>();
      const std::size_t count = vector.at("count").get<std::size_t>();
      loaded.message.reserve(unit.size() * count);
      for (std::size_t i = 0; i < count; ++i) loaded.message += unit;
    } else {
      loaded.message = vector.at("message").get<std::string>();
    }
    result.push_back(std::move(loaded));
  }
  return result;
}

TEST(Sha256Test, LoadsAllNistVectors) {
  const std::vector<Vector> vectors = LoadVectors();
  ASSERT_EQ(vectors.size(), 5u);
  EXPECT_EQ(vectors.back().message.size(), 1000000u);
}

TEST(Sha256Test, OneShotMatchesNistVectors) {
  for (const Vector& vector : LoadVectors()) {
    EXPECT_EQ(ToHex(Sha256(vector.message)), vector.digest_hex) << vector.name;
  }
}

TEST(Sha256Test, IncrementalMatchesAtEverySplitOfShortMessages) {
  for (const Vector& vector : LoadVectors()) {
    if (vector.message.size() > 1000) continue;
    const std::string_view message = vector.message;
    for (std::size_t split = 0; split <= message.size(); ++split) {
      Sha256Hasher hasher;
      hasher.Update(message.substr(0, split));
      hasher.Update(message.substr(split));
      EXPECT_EQ(ToHex(hasher.Finish()), vector.digest_hex) << vector.name << " split at " << split;
    }
  }
}

TEST(Sha256Test, IncrementalMatchesForMillionAInUnevenChunks) {
  for (const Vector& vector : LoadVectors()) {
    if (vector.message.size() <= 1000) continue;
    const std::string_view message = vector.message;
    Sha256Hasher hasher;
    // A prime chunk length never lines up with the 64-byte block size.
    constexpr std::size_t kChunkBytes = 997;
    for (std::size_t offset = 0; offset < message.size(); offset += kChunkBytes) {
      hasher.Update(message.substr(offset, kChunkBytes));
    }
    EXPECT_EQ(ToHex(hasher.Finish()), vector.digest_hex) << vector.name;
  }
}

TEST(Sha256Test, PartsMatchTheConcatenationAtEverySplit) {
  for (const Vector& vector : LoadVectors()) {
    if (vector.message.size() > 1000) continue;
    const std::string_view message = vector.message;
    for (std::size_t split = 0; split <= message.size(); ++split) {
      EXPECT_EQ(ToHex(Sha256Of({message.substr(0, split), message.substr(split)})),
                vector.digest_hex)
          << vector.name << " split at " << split;
    }
    EXPECT_EQ(ToHex(Sha256Of({message})), vector.digest_hex) << vector.name;
  }
  EXPECT_EQ(Sha256Of({}), Sha256(""));
}

TEST(Sha256Test, PartsAreHashedIndependentlyOnEachThread) {
  const Digest want = Sha256("abcdef");
  std::vector<Digest> got(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < got.size(); ++t) {
    threads.emplace_back([&got, t] {
      for (int i = 0; i < 1000; ++i) got[t] = Sha256Of({"abc", "", "def"});
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Digest& digest : got) EXPECT_EQ(digest, want);
}

TEST(Sha256Test, UpdateWithDigestHashesItsBytes) {
  const Digest first = Sha256("abc");
  Sha256Hasher hasher;
  hasher.Update(first);
  const std::string bytes(first.begin(), first.end());
  EXPECT_EQ(hasher.Finish(), Sha256(bytes));
}

TEST(Sha256Test, MovedHasherKeepsItsState) {
  Sha256Hasher hasher;
  hasher.Update("ab");
  Sha256Hasher moved(std::move(hasher));
  moved.Update("c");
  Sha256Hasher assigned;
  assigned = std::move(moved);
  EXPECT_EQ(assigned.Finish(), Sha256("abc"));
}

TEST(Sha256DeathTest, UpdateAfterFinishAborts) {
  Sha256Hasher hasher;
  (void)hasher.Finish();
  EXPECT_DEATH(hasher.Update("x"), "state_");
}

}  // namespace
}  // namespace jejak::crypto
