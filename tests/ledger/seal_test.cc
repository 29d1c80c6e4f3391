// Tests of ledger/seal.h: the seq, leaf hash and chain hash of a sealed entry, their
// equality with what ChainVerifier recomputes from the same bytes, and the preconditions
// that abort when broken.
#include "ledger/seal.h"

#include <array>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crypto/ed25519.h"
#include "ledger/canonical.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/limits.h"
#include "ledger/verifier.h"

namespace jejak::ledger {
namespace {

using nlohmann::json;

constexpr char kOrigin[] = "jejak.test/seal";
constexpr char kOpd[] = "1.02.0.00.0.00.01.0000";
constexpr char kRecordedAt[] = "2026-03-01T00:00:00.000Z";

NoteSigner Signer() {
  std::array<std::uint8_t, 32> seed{};
  seed[0] = 5;
  return MakeSigner(kOrigin, crypto::KeyFromSeed(seed));
}

json GenesisBody() {
  return {{"kind", "genesis"},
          {"ledger_id", "seal-test"},
          {"origin", kOrigin},
          {"region", "Pemerintah Kabupaten Uji"},
          {"checkpoint_key", FormatVerifierKey(VerifierOf(Signer()))}};
}

json OpdBody() { return {{"kind", "opd"}, {"code", kOpd}, {"name", "Dinas Kesehatan"}}; }

// Stamps and canonicalises `body` as the entry after `tip`, as the store's append does.
std::string CanonicalAt(const ChainTip& tip, const json& body) {
  Result<json> valid = body["kind"] == "genesis" ? ValidateGenesis(body) : ValidateBody(body);
  EXPECT_TRUE(valid.has_value()) << valid.error().ToString();
  return Canonicalize(StampAt(tip, *valid, kRecordedAt, "tester"));
}

TEST(SealTest, SeqIsTheTipsTreeSize) {
  const ChainTip tip{7, ChainHash(kChainSeed, LeafHash("x"))};
  const SealedEntry sealed = Seal(tip, "{\"seq\":7}");
  EXPECT_EQ(sealed.seq, 7);
  EXPECT_EQ(sealed.canonical, "{\"seq\":7}");
}

TEST(SealTest, HashesAreTheLeafHashAndTheChainHashOntoTheTip) {
  const ChainTip tip{3, LeafHash("previous")};
  const SealedEntry sealed = Seal(tip, "{\"kind\":\"opd\"}");
  EXPECT_EQ(sealed.leaf_hash, LeafHash("{\"kind\":\"opd\"}"));
  EXPECT_EQ(sealed.chain_hash, ChainHash(tip.chain_hash, sealed.leaf_hash));
}

TEST(SealTest, FirstEntryChainsOntoTheSeed) {
  const SealedEntry sealed = Seal(ChainTip{}, "{}");
  EXPECT_EQ(sealed.seq, 0);
  EXPECT_EQ(sealed.chain_hash, ChainHash(kChainSeed, LeafHash("{}")));
}

TEST(SealTest, StampAtGivesTheTipsTreeSizeAsSeq) {
  const json stamped = StampAt(ChainTip{4, kChainSeed}, OpdBody(), kRecordedAt, "tester");
  EXPECT_EQ(stamped["seq"], 4);
  EXPECT_EQ(stamped["recorded_at"], kRecordedAt);
  EXPECT_EQ(stamped["recorded_by"], "tester");
}

TEST(SealTest, HashesEqualWhatChainVerifierRecomputes) {
  ChainVerifier verifier(VerifierOf(Signer()));
  ChainTip tip;
  for (const json& body : {GenesisBody(), OpdBody()}) {
    const SealedEntry sealed = Seal(tip, CanonicalAt(tip, body));
    Result<RecomputedEntry> recomputed = verifier.Add(sealed.canonical);
    ASSERT_TRUE(recomputed.has_value()) << recomputed.error().ToString();
    EXPECT_EQ(recomputed->leaf_hash, sealed.leaf_hash);
    EXPECT_EQ(recomputed->chain_hash, sealed.chain_hash);
    EXPECT_EQ(verifier.chain_hash(), sealed.chain_hash);
    tip = ChainTip{tip.tree_size + 1, sealed.chain_hash};
  }
  EXPECT_EQ(verifier.size(), 2u);
}

TEST(SealDeathTest, EmptyCanonicalBytesAbort) {
  EXPECT_DEATH(Seal(ChainTip{}, ""), "canonical.empty");
}

TEST(SealDeathTest, CanonicalBytesOverTheStoredEntryLimitAbort) {
  EXPECT_DEATH(Seal(ChainTip{}, std::string(kStoredEntryBytesMax + 1, 'x')),
               "kStoredEntryBytesMax");
}

}  // namespace
}  // namespace jejak::ledger
