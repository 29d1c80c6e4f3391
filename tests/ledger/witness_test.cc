// The witness's add-checkpoint decision (ledger/witness.h): every status of
// tlog-witness.md on real signed checkpoints over a real Merkle tree (404, 403 for a
// missing or a bad trusted signature, 400, 409, each 422, 200), which refusals are kept
// as evidence (rollback, fork, inconsistent), and that any tlog-checkpoint of a configured
// origin is accepted, not only the ledger's own five-line form.
#include "ledger/witness.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "ledger/merkle.h"
#include "ledger/note.h"

namespace jejak::ledger {
namespace {

constexpr std::string_view kOrigin = "jejak.example/kabupaten-contoh";

std::vector<Digest> Leaves(std::size_t count, std::string_view salt = "") {
  std::vector<Digest> leaves;
  for (std::size_t i = 0; i < count; ++i) leaves.push_back(LeafHash(std::string(salt) + std::to_string(i)));
  return leaves;
}

Digest Root(const std::vector<Digest>& leaves, std::uint64_t size) {
  return RootFromLeaves(std::span<const Digest>(leaves.data(), size));
}

std::vector<Digest> Proof(const std::vector<Digest>& leaves, std::uint64_t first, std::uint64_t second) {
  const NodeReader read = [&](NodeId node) -> Result<Digest> {
    const std::uint64_t width = std::uint64_t{1} << node.level;
    return RootFromLeaves(std::span<const Digest>(leaves.data() + node.index * width, width));
  };
  return ConsistencyProof(first, second, read).value();
}

class WitnessDecisionTest : public testing::Test {
 protected:
  WitnessDecisionTest()
      : signer_(MakeSigner(kOrigin, crypto::GenerateKey())),
        stranger_(MakeSigner(kOrigin, crypto::GenerateKey())),
        leaves_(Leaves(40)) {
    logs_.push_back(WitnessedLog{"another.example/log", {VerifierOf(MakeSigner("another.example/log", crypto::GenerateKey()))}});
    logs_.push_back(WitnessedLog{std::string(kOrigin), {VerifierOf(signer_)}});
  }

  static std::string Text(std::uint64_t size, const Digest& root, std::string_view extra = "") {
    // Appended piece by piece: GCC 12 warns (falsely) on a chain of string additions here.
    std::string text(kOrigin);
    text.append("\n").append(std::to_string(size)).append("\n");
    text.append(crypto::Base64Encode(root)).append("\n").append(extra);
    return text;
  }
  std::string Note(std::uint64_t size) const { return SignNote(Text(size, Root(leaves_, size)), signer_); }

  SubmittedCheckpoint Open(const std::string& note) const {
    CheckpointOpening opening = OpenSubmittedCheckpoint(logs_, note);
    EXPECT_EQ(opening.status, 0) << opening.reason;
    return opening.checkpoint.value();
  }

  AddCheckpointDecision Decide(std::uint64_t old_size, std::vector<Digest> proof, const std::string& note,
                               std::optional<CosignedTree> latest) const {
    AddCheckpointRequest request{old_size, std::move(proof), note};
    return DecideAddCheckpoint(request, Open(note), latest);
  }

  CosignedTree Cosigned(std::uint64_t size) const { return CosignedTree{size, Root(leaves_, size)}; }

  NoteSigner signer_;
  NoteSigner stranger_;
  std::vector<Digest> leaves_;
  std::vector<WitnessedLog> logs_;
};

TEST_F(WitnessDecisionTest, UnknownOriginIs404) {
  const NoteSigner other = MakeSigner("unknown.example/log", crypto::GenerateKey());
  const std::string note = SignNote("unknown.example/log\n1\n" + crypto::Base64Encode(leaves_[0]) + "\n", other);
  CheckpointOpening opening = OpenSubmittedCheckpoint(logs_, note);
  EXPECT_EQ(opening.status, 404);
  EXPECT_FALSE(opening.checkpoint);
}

TEST_F(WitnessDecisionTest, NoTrustedSignatureIs403) {
  // Same origin and key name, another key: its key ID differs, so the line is ignored and
  // no trusted signature is left.
  CheckpointOpening opening = OpenSubmittedCheckpoint(logs_, SignNote(Text(5, Root(leaves_, 5)), stranger_));
  EXPECT_EQ(opening.status, 403);
  EXPECT_NE(opening.reason.find("no signature"), std::string::npos) << opening.reason;
}

TEST_F(WitnessDecisionTest, TrustedKeyLineThatFailsToVerifyIs403EvenNextToAGoodOne) {
  const std::string text = Text(5, Root(leaves_, 5));
  const std::string good = SignatureLine(text, signer_);
  // The trusted key's line over another text: right name and key ID, wrong signature.
  const std::string bad = SignatureLine(Text(6, Root(leaves_, 6)), signer_);
  CheckpointOpening opening = OpenSubmittedCheckpoint(logs_, text + "\n" + good + bad);
  EXPECT_EQ(opening.status, 403);
  EXPECT_NE(opening.reason.find("does not verify"), std::string::npos) << opening.reason;
}

TEST_F(WitnessDecisionTest, KeepsOnlyTheTrustedSignatureLines) {
  const std::string text = Text(5, Root(leaves_, 5));
  const std::string stranger_line = SignatureLine(text, stranger_);
  const std::string good = SignatureLine(text, signer_);
  CheckpointOpening opening = OpenSubmittedCheckpoint(logs_, text + "\n" + stranger_line + good);
  ASSERT_EQ(opening.status, 0) << opening.reason;
  EXPECT_EQ(opening.checkpoint->log_signatures, good);
  EXPECT_EQ(opening.checkpoint->text, text);
  EXPECT_EQ(opening.checkpoint->core.tree_size, 5u);
}

TEST_F(WitnessDecisionTest, MalformedNoteOrCheckpointIs400) {
  EXPECT_EQ(OpenSubmittedCheckpoint(logs_, "not a note").status, 400);
  // Signed by the trusted key, but the size line is not a canonical decimal.
  std::string text(kOrigin);
  text.append("\n007\n").append(crypto::Base64Encode(Root(leaves_, 7))).append("\n");
  EXPECT_EQ(OpenSubmittedCheckpoint(logs_, SignNote(text, signer_)).status, 400);
}

TEST_F(WitnessDecisionTest, AcceptsAnyTlogCheckpointWithExtensionLines) {
  const std::string note = SignNote(Text(3, Root(leaves_, 3), "chain abc\nsome-extension 1\n"), signer_);
  const AddCheckpointDecision decision = Decide(0, {}, note, std::nullopt);
  EXPECT_EQ(decision.status, 200) << decision.reason;
  EXPECT_FALSE(decision.evidence);
}

TEST_F(WitnessDecisionTest, FirstCheckpointWithOldZeroIs200) {
  const AddCheckpointDecision decision = Decide(0, {}, Note(10), std::nullopt);
  EXPECT_EQ(decision.status, 200) << decision.reason;
  EXPECT_EQ(decision.latest_size, 0u);
}

TEST_F(WitnessDecisionTest, ConsistentExtensionIs200) {
  const AddCheckpointDecision decision = Decide(10, Proof(leaves_, 10, 25), Note(25), Cosigned(10));
  EXPECT_EQ(decision.status, 200) << decision.reason;
  EXPECT_FALSE(decision.evidence);
}

TEST_F(WitnessDecisionTest, SameCheckpointAgainIs200) {
  const AddCheckpointDecision decision = Decide(10, {}, Note(10), Cosigned(10));
  EXPECT_EQ(decision.status, 200) << decision.reason;
}

TEST_F(WitnessDecisionTest, OldLargerThanSizeIs400) {
  const AddCheckpointDecision decision = Decide(11, {}, Note(10), Cosigned(11));
  EXPECT_EQ(decision.status, 400);
  EXPECT_EQ(decision.evidence, EvidenceReason::kRollback);  // 10 < the cosigned 11.
  EXPECT_EQ(Decide(11, {}, Note(10), std::nullopt).status, 400);
  EXPECT_FALSE(Decide(11, {}, Note(10), std::nullopt).evidence);
}

TEST_F(WitnessDecisionTest, StaleOldSizeIs409WithTheLatestSize) {
  const AddCheckpointDecision decision = Decide(0, {}, Note(30), Cosigned(20));
  EXPECT_EQ(decision.status, 409);
  EXPECT_EQ(decision.latest_size, 20u);
  EXPECT_FALSE(decision.evidence);  // A client behind the witness, not a misbehaving log.
  const AddCheckpointDecision ahead = Decide(5, Proof(leaves_, 5, 30), Note(30), std::nullopt);
  EXPECT_EQ(ahead.status, 409);
  EXPECT_EQ(ahead.latest_size, 0u);
}

TEST_F(WitnessDecisionTest, SmallerTreeThanCosignedIsARollback) {
  const AddCheckpointDecision decision = Decide(15, Proof(leaves_, 15, 18), Note(18), Cosigned(20));
  EXPECT_EQ(decision.status, 409);
  EXPECT_EQ(decision.latest_size, 20u);
  EXPECT_EQ(decision.evidence, EvidenceReason::kRollback);
  EXPECT_EQ(EvidenceReasonName(*decision.evidence), "rollback");
}

TEST_F(WitnessDecisionTest, SizeZeroWithoutTheEmptyRootIs422) {
  const std::string bad = SignNote(Text(0, leaves_[0]), signer_);
  const AddCheckpointDecision decision = Decide(0, {}, bad, std::nullopt);
  EXPECT_EQ(decision.status, 422);
  EXPECT_EQ(decision.evidence, EvidenceReason::kInconsistent);
  const std::string good = SignNote(Text(0, EmptyTreeHash()), signer_);
  EXPECT_EQ(Decide(0, {}, good, std::nullopt).status, 200);
}

TEST_F(WitnessDecisionTest, ProofFromOldZeroIs422) {
  const AddCheckpointDecision decision = Decide(0, {leaves_[0]}, Note(4), std::nullopt);
  EXPECT_EQ(decision.status, 422);
  EXPECT_FALSE(decision.evidence);  // The proof is the client's, the checkpoint is fine.
}

TEST_F(WitnessDecisionTest, BadConsistencyProofIs422AndInconsistent) {
  std::vector<Digest> proof = Proof(leaves_, 10, 25);
  proof[0][0] ^= 1;
  AddCheckpointDecision decision = Decide(10, proof, Note(25), Cosigned(10));
  EXPECT_EQ(decision.status, 422);
  EXPECT_EQ(decision.evidence, EvidenceReason::kInconsistent);
  EXPECT_EQ(EvidenceReasonName(*decision.evidence), "inconsistent");
  // A tree of 25 that does not extend the cosigned 10: no proof can join them.
  const std::vector<Digest> other = Leaves(40, "other");
  const std::string forked = SignNote(Text(25, Root(other, 25)), signer_);
  decision = Decide(10, Proof(other, 10, 25), forked, Cosigned(10));
  EXPECT_EQ(decision.status, 422);
  EXPECT_EQ(decision.evidence, EvidenceReason::kInconsistent);
  // A proof is empty between equal trees.
  EXPECT_EQ(Decide(10, Proof(leaves_, 5, 10), Note(10), Cosigned(10)).status, 422);
}

TEST_F(WitnessDecisionTest, SameSizeAnotherRootIs422AndAFork) {
  const std::vector<Digest> other = Leaves(40, "other");
  const std::string forked = SignNote(Text(20, Root(other, 20)), signer_);
  AddCheckpointDecision decision = Decide(20, {}, forked, Cosigned(20));
  EXPECT_EQ(decision.status, 422);
  EXPECT_EQ(decision.evidence, EvidenceReason::kFork);
  EXPECT_EQ(EvidenceReasonName(*decision.evidence), "fork");
  // Sent with a stale old size it is a 409, and still a fork.
  decision = Decide(0, {}, forked, Cosigned(20));
  EXPECT_EQ(decision.status, 409);
  EXPECT_EQ(decision.evidence, EvidenceReason::kFork);
}

TEST(EvidenceReasonTest, NamesRoundTripAndOnlyAForkIsProof) {
  for (const EvidenceReason reason :
       {EvidenceReason::kRollback, EvidenceReason::kFork, EvidenceReason::kInconsistent}) {
    EXPECT_EQ(ParseEvidenceReason(EvidenceReasonName(reason)), reason);
    EXPECT_FALSE(EvidenceMeaning(reason).empty());
  }
  EXPECT_EQ(ParseEvidenceReason("Fork"), std::nullopt);
  EXPECT_EQ(ParseEvidenceReason(""), std::nullopt);
  EXPECT_TRUE(EvidenceIsProof(EvidenceReason::kFork));
  EXPECT_FALSE(EvidenceIsProof(EvidenceReason::kRollback));
  EXPECT_FALSE(EvidenceIsProof(EvidenceReason::kInconsistent));
}

}  // namespace
}  // namespace jejak::ledger
