// C2SP tlog-cosignature cosignature/v1: the byte-exact vector in
// testdata/signed-note/cosignature-v1.json (see testdata/README.md), then one rejecting
// test per check of VerifyCosignatureLine and ParseCosignerKey, then the witness quorum a
// verifier demands (CheckWitnessSet, CheckWitnessQuorum).
#include "ledger/cosignature.h"

#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "ledger/checkpoint.h"
#include "ledger/note.h"

namespace jejak::ledger {
namespace {

nlohmann::json LoadVector() {
  std::ifstream file(std::string(JEJAK_TESTDATA_DIR) + "/signed-note/cosignature-v1.json");
  EXPECT_TRUE(file.is_open());
  const nlohmann::json cases = nlohmann::json::parse(file);
  EXPECT_EQ(cases.size(), 1u);
  return cases.at(0);
}

crypto::PrivateKey KeyFromSeedHex(const std::string& hex) {
  const std::optional<std::vector<std::uint8_t>> bytes = crypto::FromHex(hex);
  EXPECT_TRUE(bytes.has_value());
  EXPECT_EQ(bytes->size(), 32u);
  std::array<std::uint8_t, 32> seed{};
  std::copy(bytes->begin(), bytes->end(), seed.begin());
  return crypto::KeyFromSeed(seed);
}

// The vector's checkpoint text, its cosigner key and private key.
struct Fixture {
  nlohmann::json vector = LoadVector();
  std::string text;
  CosignerKey cosigner;
  crypto::PrivateKey cosigner_private;
  std::uint64_t timestamp = 0;
  std::string line;

  Fixture() {
    const std::optional<NoteVerifier> log = ParseVerifierKey(vector.at("log_vkey").get<std::string>());
    EXPECT_TRUE(log.has_value());
    Result<std::string> opened = OpenNote(vector.at("checkpoint_note").get<std::string>(), *log);
    EXPECT_TRUE(opened.has_value());
    text = *opened;
    const std::optional<CosignerKey> parsed =
        ParseCosignerKey(vector.at("cosigner_vkey").get<std::string>());
    EXPECT_TRUE(parsed.has_value());
    cosigner = *parsed;
    cosigner_private = KeyFromSeedHex(vector.at("cosigner_seed_hex").get<std::string>());
    timestamp = vector.at("timestamp").get<std::uint64_t>();
    line = vector.at("cosignature_line").get<std::string>();
  }
};

// Replaces the base64 part of a signature line (keeping "— name ") with `bytes`.
std::string WithBytes(const std::string& line, const std::vector<std::uint8_t>& bytes) {
  const std::size_t space = line.rfind(' ');
  return line.substr(0, space + 1) + crypto::Base64Encode(bytes) + "\n";
}

std::vector<std::uint8_t> LineBytes(const std::string& line) {
  std::string base64 = line.substr(line.rfind(' ') + 1);
  if (!base64.empty() && base64.back() == '\n') base64.pop_back();
  return crypto::Base64Decode(base64).value();
}

TEST(CosignatureTest, ResignsVectorByteForByte) {
  Fixture f;
  EXPECT_EQ(CosignatureLine(f.text, f.cosigner.name, f.cosigner_private, f.timestamp), f.line);
}

TEST(CosignatureTest, SignedMessageMatchesVector) {
  Fixture f;
  EXPECT_EQ(CosignedMessage(f.text, f.timestamp), f.vector.at("signed_message").get<std::string>());
}

TEST(CosignatureTest, CosignerKeyRoundTripsAndMatchesPrivateKey) {
  Fixture f;
  EXPECT_EQ(f.cosigner.name, "bpk.example/auditor-1");
  EXPECT_EQ(f.cosigner.public_key, f.cosigner_private.public_key);
  EXPECT_EQ(f.cosigner.key_id, CosignerKeyId(f.cosigner.name, f.cosigner.public_key));
  EXPECT_EQ(FormatCosignerKey(f.cosigner), f.vector.at("cosigner_vkey").get<std::string>());
}

TEST(CosignatureTest, VerifiesVectorLineWithAndWithoutNewline) {
  Fixture f;
  Result<Cosignature> verified = VerifyCosignatureLine(f.text, f.line, f.cosigner);
  ASSERT_TRUE(verified.has_value()) << verified.error().message;
  EXPECT_EQ(verified->timestamp, f.timestamp);
  EXPECT_EQ(verified->line, f.line);
  Result<Cosignature> bare =
      VerifyCosignatureLine(f.text, f.line.substr(0, f.line.size() - 1), f.cosigner);
  ASSERT_TRUE(bare.has_value()) << bare.error().message;
  EXPECT_EQ(bare->line, f.line);
}

TEST(CosignatureTest, CosignedNoteStillOpensUnderLogKey) {
  Fixture f;
  const std::string cosigned = f.vector.at("cosigned_note").get<std::string>();
  EXPECT_EQ(cosigned, f.vector.at("checkpoint_note").get<std::string>() + f.line);
  const std::optional<NoteVerifier> log = ParseVerifierKey(f.vector.at("log_vkey").get<std::string>());
  ASSERT_TRUE(log.has_value());
  Result<std::string> opened = OpenNote(cosigned, *log);
  ASSERT_TRUE(opened.has_value()) << opened.error().message;
  EXPECT_EQ(*opened, f.text);
  Result<Checkpoint> checkpoint = OpenCheckpoint(cosigned, *log);
  ASSERT_TRUE(checkpoint.has_value()) << checkpoint.error().message;
  EXPECT_EQ(checkpoint->tree_size, 7u);
}

TEST(CosignatureTest, FreshKeySignsAndVerifies) {
  Fixture f;
  const crypto::PrivateKey key = crypto::GenerateKey();
  CosignerKey cosigner{"bpk.go.id/auditor-2", CosignerKeyId("bpk.go.id/auditor-2", key.public_key),
                       key.public_key};
  const std::string line = CosignatureLine(f.text, cosigner.name, key, 1);
  EXPECT_TRUE(VerifyCosignatureLine(f.text, line, cosigner).has_value());
  const std::optional<CosignerKey> parsed = ParseCosignerKey(FormatCosignerKey(cosigner));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->key_id, cosigner.key_id);
}

TEST(CosignatureTest, RejectsWrongKey) {
  Fixture f;
  const crypto::PrivateKey other = crypto::GenerateKey();
  // Same name, other key: the key ID differs.
  CosignerKey wrong{f.cosigner.name, CosignerKeyId(f.cosigner.name, other.public_key),
                    other.public_key};
  Result<Cosignature> verified = VerifyCosignatureLine(f.text, f.line, wrong);
  ASSERT_FALSE(verified.has_value());
  EXPECT_EQ(verified.error().code, Code::kInvalidArgument);
  EXPECT_NE(verified.error().message.find("key ID"), std::string::npos);
  // Same name and key ID, other public key: the signature does not verify.
  wrong.key_id = f.cosigner.key_id;
  verified = VerifyCosignatureLine(f.text, f.line, wrong);
  ASSERT_FALSE(verified.has_value());
  EXPECT_NE(verified.error().message.find("does not verify"), std::string::npos);
}

TEST(CosignatureTest, RejectsFlippedSignatureBit) {
  Fixture f;
  std::vector<std::uint8_t> bytes = LineBytes(f.line);
  bytes.back() ^= 0x01;
  Result<Cosignature> verified = VerifyCosignatureLine(f.text, WithBytes(f.line, bytes), f.cosigner);
  ASSERT_FALSE(verified.has_value());
  EXPECT_NE(verified.error().message.find("does not verify"), std::string::npos);
}

TEST(CosignatureTest, RejectsFlippedTimestampBit) {
  Fixture f;
  std::vector<std::uint8_t> bytes = LineBytes(f.line);
  bytes[11] ^= 0x01;  // Last byte of the timestamp: the signed message changes.
  EXPECT_FALSE(VerifyCosignatureLine(f.text, WithBytes(f.line, bytes), f.cosigner).has_value());
}

TEST(CosignatureTest, RejectsChangedCheckpointText) {
  Fixture f;
  std::string text = f.text;
  text[text.find("\n7\n") + 1] = '8';
  EXPECT_FALSE(VerifyCosignatureLine(text, f.line, f.cosigner).has_value());
}

TEST(CosignatureTest, RejectsTruncatedSignature) {
  Fixture f;
  std::vector<std::uint8_t> bytes = LineBytes(f.line);
  bytes.pop_back();
  Result<Cosignature> verified = VerifyCosignatureLine(f.text, WithBytes(f.line, bytes), f.cosigner);
  ASSERT_FALSE(verified.has_value());
  EXPECT_NE(verified.error().message.find("75 bytes"), std::string::npos);
  // A signed-note signature without the timestamp (key ID || 64 bytes) is not v1.
  bytes = LineBytes(f.line);
  bytes.erase(bytes.begin() + 4, bytes.begin() + 12);
  EXPECT_FALSE(VerifyCosignatureLine(f.text, WithBytes(f.line, bytes), f.cosigner).has_value());
  // Cut inside the base64 text.
  EXPECT_FALSE(VerifyCosignatureLine(f.text, f.line.substr(0, f.line.size() - 10), f.cosigner)
                   .has_value());
  bytes.resize(3);
  EXPECT_FALSE(VerifyCosignatureLine(f.text, WithBytes(f.line, bytes), f.cosigner).has_value());
}

TEST(CosignatureTest, RejectsWrongName) {
  Fixture f;
  std::string line = f.line;
  line.replace(line.find("auditor-1"), 9, "auditor-9");
  Result<Cosignature> verified = VerifyCosignatureLine(f.text, line, f.cosigner);
  ASSERT_FALSE(verified.has_value());
  EXPECT_NE(verified.error().message.find("auditor-9"), std::string::npos);
}

TEST(CosignatureTest, RejectsWrongKeyId) {
  Fixture f;
  std::vector<std::uint8_t> bytes = LineBytes(f.line);
  bytes[0] ^= 0x80;
  Result<Cosignature> verified = VerifyCosignatureLine(f.text, WithBytes(f.line, bytes), f.cosigner);
  ASSERT_FALSE(verified.has_value());
  EXPECT_NE(verified.error().message.find("key ID"), std::string::npos);
}

TEST(CosignatureTest, RejectsMalformedLines) {
  Fixture f;
  EXPECT_FALSE(VerifyCosignatureLine(f.text, "", f.cosigner).has_value());
  EXPECT_FALSE(VerifyCosignatureLine(f.text, f.line.substr(4), f.cosigner).has_value());  // No dash.
  EXPECT_FALSE(VerifyCosignatureLine(f.text, f.line + f.line, f.cosigner).has_value());
  std::string no_space = f.line;
  no_space.erase(no_space.rfind(' '), 1);
  EXPECT_FALSE(VerifyCosignatureLine(f.text, no_space, f.cosigner).has_value());
}

TEST(CosignatureTest, RejectsLogSignatureAsCosignature) {
  // The log's own signed-note line (type 0x01, no timestamp) is not a cosignature even
  // for a cosigner key with the same name and public key.
  Fixture f;
  const crypto::PrivateKey log_key = KeyFromSeedHex(f.vector.at("log_seed_hex").get<std::string>());
  const NoteSigner signer = MakeSigner("jejak.example/kabupaten-uji", log_key);
  const std::string note_line = SignatureLine(f.text, signer);
  CosignerKey as_cosigner{signer.name, CosignerKeyId(signer.name, log_key.public_key),
                          log_key.public_key};
  EXPECT_FALSE(VerifyCosignatureLine(f.text, note_line, as_cosigner).has_value());
}

TEST(CosignerKeyTest, RejectsSignedNoteKeyOfTypeEd25519) {
  Fixture f;
  const std::string log_vkey = f.vector.at("log_vkey").get<std::string>();
  ASSERT_TRUE(ParseVerifierKey(log_vkey).has_value());
  EXPECT_FALSE(ParseCosignerKey(log_vkey).has_value());
  // Same name and public key, type byte 0x01, key ID computed as for 0x04: still refused.
  std::vector<std::uint8_t> typed = {0x01};
  typed.insert(typed.end(), f.cosigner.public_key.begin(), f.cosigner.public_key.end());
  const std::string vkey = f.cosigner.name + "+" +
                           f.vector.at("cosigner_vkey").get<std::string>().substr(f.cosigner.name.size() + 1, 8) +
                           "+" + crypto::Base64Encode(typed);
  EXPECT_FALSE(ParseCosignerKey(vkey).has_value());
}

TEST(CosignerKeyTest, RejectsMalformedKeys) {
  Fixture f;
  const std::string vkey = f.vector.at("cosigner_vkey").get<std::string>();
  EXPECT_TRUE(ParseCosignerKey(vkey).has_value());
  EXPECT_FALSE(ParseCosignerKey("").has_value());
  EXPECT_FALSE(ParseCosignerKey("bpk.example/auditor-1").has_value());
  EXPECT_FALSE(ParseCosignerKey("bpk.example/auditor-1+5e901596").has_value());
  // Wrong name: the key ID no longer matches.
  std::string renamed = vkey;
  renamed.replace(renamed.find("auditor-1"), 9, "auditor-2");
  EXPECT_FALSE(ParseCosignerKey(renamed).has_value());
  // Wrong key ID, uppercase key ID, short key ID.
  std::string bad_id = vkey;
  bad_id[bad_id.find('+') + 1] = bad_id[bad_id.find('+') + 1] == '5' ? '6' : '5';
  EXPECT_FALSE(ParseCosignerKey(bad_id).has_value());
  std::string upper = vkey;
  upper.replace(upper.find("5e901596"), 8, "5E901596");
  EXPECT_FALSE(ParseCosignerKey(upper).has_value());
  std::string short_id = vkey;
  short_id.erase(short_id.find("5e901596"), 1);
  EXPECT_FALSE(ParseCosignerKey(short_id).has_value());
  // Truncated key material.
  EXPECT_FALSE(ParseCosignerKey(vkey.substr(0, vkey.size() - 4)).has_value());
  // A name with a space.
  std::string spaced = vkey;
  spaced.replace(spaced.find('/'), 1, " ");
  EXPECT_FALSE(ParseCosignerKey(spaced).has_value());
}

// A witness of the quorum tests: a fresh cosigner key and its private key.
struct Witness {
  CosignerKey key;
  crypto::PrivateKey private_key;
};

Witness MakeWitness(const std::string& name) {
  Witness witness;
  witness.private_key = crypto::GenerateKey();
  witness.key = {name, CosignerKeyId(name, witness.private_key.public_key),
                 witness.private_key.public_key};
  return witness;
}

// The vector's log-signed checkpoint note, its text and the log's verifier.
struct QuorumFixture {
  Fixture f;
  std::string note = f.vector.at("checkpoint_note").get<std::string>();
  NoteVerifier log = ParseVerifierKey(f.vector.at("log_vkey").get<std::string>()).value();
  Witness inspektorat = MakeWitness("inspektorat.example/witness");
  Witness bpk = MakeWitness("bpk.example/witness");
  Witness dprd = MakeWitness("dprd.example/witness");

  std::string Line(const Witness& witness, std::uint64_t timestamp = 1700000000) const {
    return CosignatureLine(f.text, witness.key.name, witness.private_key, timestamp);
  }
};

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(WitnessQuorumTest, AllGivenWitnessesCosigned) {
  QuorumFixture q;
  const std::string note = q.note + q.Line(q.bpk) + q.Line(q.inspektorat);
  Result<WitnessQuorum> result = CheckWitnessQuorum(note, q.log, {q.inspektorat.key, q.bpk.key}, 2);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  // In the order the keys were given, not the order of the lines.
  EXPECT_EQ(result->cosigned, (std::vector<std::string>{q.inspektorat.key.name, q.bpk.key.name}));
  EXPECT_TRUE(result->missing.empty());
}

TEST(WitnessQuorumTest, TooFewCosignedNamesWhoDidAndDidNot) {
  QuorumFixture q;
  const std::string note = q.note + q.Line(q.bpk);
  Result<WitnessQuorum> result = CheckWitnessQuorum(note, q.log, {q.inspektorat.key, q.bpk.key}, 2);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Code::kInvalidArgument);
  const std::string& message = result.error().message;
  EXPECT_TRUE(Contains(message, "1 of the 2 required")) << message;
  EXPECT_TRUE(Contains(message, "cosigned: bpk.example/witness;")) << message;
  EXPECT_TRUE(Contains(message, "not cosigned: inspektorat.example/witness")) << message;
  // One of the two is enough when the verifier asks for one.
  result = CheckWitnessQuorum(note, q.log, {q.inspektorat.key, q.bpk.key}, 1);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->cosigned, std::vector<std::string>{q.bpk.key.name});
  EXPECT_EQ(result->missing, std::vector<std::string>{q.inspektorat.key.name});
}

TEST(WitnessQuorumTest, NoCosignatureAtAll) {
  QuorumFixture q;
  Result<WitnessQuorum> result = CheckWitnessQuorum(q.note, q.log, {q.bpk.key}, 1);
  ASSERT_FALSE(result.has_value());
  EXPECT_TRUE(
      Contains(result.error().message, "0 of the 1 required witnesses cosigned (cosigned: none;"))
      << result.error().message;
}

TEST(WitnessQuorumTest, OneWitnessTwiceCountsOnce) {
  QuorumFixture q;
  const std::string note = q.note + q.Line(q.bpk, 1) + q.Line(q.bpk, 2);
  Result<WitnessQuorum> result = CheckWitnessQuorum(note, q.log, {q.inspektorat.key, q.bpk.key}, 2);
  ASSERT_FALSE(result.has_value());
  EXPECT_TRUE(Contains(result.error().message, "1 of the 2 required")) << result.error().message;
}

TEST(WitnessQuorumTest, TamperedLineOfAGivenWitnessRefusesTheNote) {
  QuorumFixture q;
  std::vector<std::uint8_t> bytes = LineBytes(q.Line(q.inspektorat));
  bytes.back() ^= 0x01;
  const std::string tampered = WithBytes(q.Line(q.inspektorat), bytes);
  // The quorum of 1 is met by bpk, but a known key's line that fails refuses everything.
  const std::string note = q.note + q.Line(q.bpk) + tampered;
  Result<WitnessQuorum> result = CheckWitnessQuorum(note, q.log, {q.inspektorat.key, q.bpk.key}, 1);
  ASSERT_FALSE(result.has_value());
  EXPECT_TRUE(Contains(result.error().message, "refused")) << result.error().message;
  EXPECT_TRUE(Contains(result.error().message, "inspektorat.example/witness"))
      << result.error().message;
  // Without inspektorat among the keys given, its line is another key's and ignored.
  result = CheckWitnessQuorum(note, q.log, {q.bpk.key}, 1);
  ASSERT_TRUE(result.has_value()) << result.error().message;
}

TEST(WitnessQuorumTest, CosignatureOfAnotherCheckpointRefusesTheNote) {
  QuorumFixture q;
  std::string other_text = q.f.text;
  other_text[other_text.find("\n7\n") + 1] = '8';
  const std::string foreign = CosignatureLine(other_text, q.bpk.key.name, q.bpk.private_key, 5);
  Result<WitnessQuorum> result = CheckWitnessQuorum(q.note + foreign, q.log, {q.bpk.key}, 1);
  ASSERT_FALSE(result.has_value());
  EXPECT_TRUE(Contains(result.error().message, "does not verify")) << result.error().message;
}

TEST(WitnessQuorumTest, LinesByKeysNotGivenAreIgnored) {
  QuorumFixture q;
  // Same name as bpk, another key (so another key ID); and a witness not pinned at all.
  Witness impostor = MakeWitness(q.bpk.key.name);
  ASSERT_NE(impostor.key.key_id, q.bpk.key.key_id);
  const std::string note = q.note + q.Line(impostor) + q.Line(q.dprd) + q.Line(q.inspektorat);
  Result<WitnessQuorum> result = CheckWitnessQuorum(note, q.log, {q.inspektorat.key, q.bpk.key}, 1);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->missing, std::vector<std::string>{q.bpk.key.name});
  result = CheckWitnessQuorum(note, q.log, {q.inspektorat.key, q.bpk.key}, 2);
  ASSERT_FALSE(result.has_value());
  EXPECT_TRUE(Contains(result.error().message, "not cosigned: bpk.example/witness"))
      << result.error().message;
}

TEST(WitnessQuorumTest, TheLogMustHaveSignedTheNote) {
  QuorumFixture q;
  // Another log key of the same name: the witnesses' lines alone do not make a checkpoint.
  const NoteSigner other = MakeSigner(q.log.name, crypto::GenerateKey());
  Result<WitnessQuorum> result =
      CheckWitnessQuorum(q.note + q.Line(q.bpk), VerifierOf(other), {q.bpk.key}, 1);
  ASSERT_FALSE(result.has_value());
  EXPECT_TRUE(Contains(result.error().message, "no signature by")) << result.error().message;
  // A note without its signature block is malformed.
  result = CheckWitnessQuorum(q.f.text, q.log, {q.bpk.key}, 1);
  ASSERT_FALSE(result.has_value());
  EXPECT_TRUE(Contains(result.error().message, "malformed note")) << result.error().message;
}

TEST(WitnessQuorumTest, DemandMustBeStatable) {
  QuorumFixture q;
  EXPECT_TRUE(CheckWitnessSet({q.bpk.key, q.inspektorat.key}, 1).has_value());
  EXPECT_TRUE(CheckWitnessSet({q.bpk.key, q.inspektorat.key}, 2).has_value());
  EXPECT_FALSE(CheckWitnessSet({}, 0).has_value());
  EXPECT_FALSE(CheckWitnessSet({q.bpk.key}, 0).has_value());
  Result<void> over = CheckWitnessSet({q.bpk.key, q.inspektorat.key}, 3);
  ASSERT_FALSE(over.has_value());
  EXPECT_TRUE(
      Contains(over.error().message, "from 1 to 2 (the number of witness keys given), not 3"))
      << over.error().message;
  // One witness given twice, or one public key under two names, is not two witnesses.
  EXPECT_FALSE(CheckWitnessSet({q.bpk.key, q.bpk.key}, 1).has_value());
  Witness renamed = q.bpk;
  renamed.key.name = "bpk.example/other";
  renamed.key.key_id = CosignerKeyId(renamed.key.name, renamed.key.public_key);
  Result<void> same_key = CheckWitnessSet({q.bpk.key, renamed.key}, 1);
  ASSERT_FALSE(same_key.has_value());
  EXPECT_TRUE(Contains(same_key.error().message, "one public key")) << same_key.error().message;
  // CheckWitnessQuorum refuses what CheckWitnessSet refuses, whatever the note.
  EXPECT_FALSE(CheckWitnessQuorum(q.note + q.Line(q.bpk), q.log, {q.bpk.key}, 2).has_value());
  EXPECT_FALSE(CheckWitnessQuorum(q.note + q.Line(q.bpk), q.log, {q.bpk.key}, 0).has_value());
}

}  // namespace
}  // namespace jejak::ledger
