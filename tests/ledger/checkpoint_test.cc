// Checkpoints: the ledger's tlog-checkpoint text with chain and time lines, plain C2SP
// checkpoint bodies, and the cosignature-v1 case in testdata/signed-note.
#include "ledger/checkpoint.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/sha256.h"

namespace jejak::ledger {
namespace {

nlohmann::json LoadJson(const std::string& relative_path) {
  std::ifstream file(std::string(JEJAK_TESTDATA_DIR) + "/" + relative_path);
  EXPECT_TRUE(file.is_open()) << relative_path;
  return nlohmann::json::parse(file);
}

NoteSigner TestSigner() {
  std::array<std::uint8_t, 32> seed{};
  seed.fill(0x42);
  return MakeSigner("jejak.example/test", crypto::KeyFromSeed(seed));
}

Checkpoint SampleCheckpoint() {
  Checkpoint checkpoint;
  checkpoint.origin = "jejak.example/test";
  checkpoint.tree_size = 7;
  checkpoint.root_hash = crypto::Sha256("root");
  checkpoint.chain_hash = crypto::Sha256("chain");
  checkpoint.time = "2026-01-31T08:00:00.000Z";
  return checkpoint;
}

// The text of SampleCheckpoint() with line `index` replaced by `line`.
std::string WithLine(std::size_t index, const std::string& line) {
  std::vector<std::string> lines;
  const std::string text = FormatCheckpointText(SampleCheckpoint());
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  lines.at(index) = line;
  std::string result;
  for (const std::string& l : lines) result += l + "\n";
  return result;
}

void ExpectSame(const Checkpoint& a, const Checkpoint& b) {
  EXPECT_EQ(a.origin, b.origin);
  EXPECT_EQ(a.tree_size, b.tree_size);
  EXPECT_EQ(a.root_hash, b.root_hash);
  EXPECT_EQ(a.chain_hash, b.chain_hash);
  EXPECT_EQ(a.time, b.time);
}

// RFC 9162 §2.1.1 Merkle tree hash, written out here so that this test does not depend
// on ledger/merkle.
crypto::Digest TreeHash(const std::vector<crypto::Digest>& leaves, std::size_t begin,
                        std::size_t end) {
  if (end - begin == 1) return leaves[begin];
  std::size_t split = 1;
  while (split * 2 < end - begin) split *= 2;
  crypto::Sha256Hasher hasher;
  hasher.Update(std::string_view("\x01", 1));
  hasher.Update(TreeHash(leaves, begin, begin + split));
  hasher.Update(TreeHash(leaves, begin + split, end));
  return hasher.Finish();
}

TEST(CheckpointTest, FormatsExactText) {
  const Checkpoint checkpoint = SampleCheckpoint();
  EXPECT_EQ(FormatCheckpointText(checkpoint),
            "jejak.example/test\n7\n" + crypto::Base64Encode(checkpoint.root_hash) + "\nchain " +
                crypto::ToHex(checkpoint.chain_hash) + "\ntime 2026-01-31T08:00:00.000Z\n");
}

TEST(CheckpointTest, TextRoundTrips) {
  const Result<Checkpoint> parsed = ParseCheckpointText(FormatCheckpointText(SampleCheckpoint()));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  ExpectSame(*parsed, SampleCheckpoint());
}

TEST(CheckpointTest, SignedCheckpointOpens) {
  const NoteSigner signer = TestSigner();
  const std::string note = SignCheckpoint(SampleCheckpoint(), signer);
  const Result<Checkpoint> opened = OpenCheckpoint(note, VerifierOf(signer));
  ASSERT_TRUE(opened.has_value()) << opened.error().message;
  ExpectSame(*opened, SampleCheckpoint());
}

TEST(CheckpointTest, OpenRejectsOtherKey) {
  const std::string note = SignCheckpoint(SampleCheckpoint(), TestSigner());
  std::array<std::uint8_t, 32> seed{};
  const NoteSigner other = MakeSigner("jejak.example/test", crypto::KeyFromSeed(seed));
  EXPECT_FALSE(OpenCheckpoint(note, VerifierOf(other)).has_value());
}

TEST(CheckpointTest, OpenRejectsTamperedSize) {
  std::string note = SignCheckpoint(SampleCheckpoint(), TestSigner());
  note.replace(note.find("\n7\n"), 3, "\n8\n");
  EXPECT_FALSE(OpenCheckpoint(note, VerifierOf(TestSigner())).has_value());
}

TEST(CheckpointTest, OpenRejectsSignedTextThatIsNotACheckpoint) {
  const NoteSigner signer = TestSigner();
  const Result<Checkpoint> opened = OpenCheckpoint(SignNote("hello\n", signer), VerifierOf(signer));
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code, Code::kInvalidArgument);
}

TEST(CheckpointTest, ParsesLargestTreeSize) {
  Checkpoint checkpoint = SampleCheckpoint();
  checkpoint.tree_size = 18446744073709551615u;
  const Result<Checkpoint> parsed = ParseCheckpointText(FormatCheckpointText(checkpoint));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->tree_size, checkpoint.tree_size);
}

TEST(CheckpointTest, ParsesTreeSizeZero) {
  const Result<Checkpoint> parsed = ParseCheckpointText(WithLine(1, "0"));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->tree_size, 0u);
}

TEST(CheckpointTest, RejectsEmptyOrigin) {
  EXPECT_FALSE(ParseCheckpointText(WithLine(0, "")).has_value());
}

TEST(CheckpointTest, RejectsNonCanonicalTreeSize) {
  for (const char* size :
       {"", "07", "00", "+7", "-7", " 7", "7 ", "7.0", "0x7", "1e3", "18446744073709551616",
        "99999999999999999999", "100000000000000000000"}) {
    EXPECT_FALSE(ParseCheckpointText(WithLine(1, size)).has_value()) << size;
  }
}

TEST(CheckpointTest, RejectsRootHashThatIsNot32BytesOfBase64) {
  const std::string root = crypto::Base64Encode(crypto::Sha256("root"));
  const std::vector<std::uint8_t> short_root(31, 0xab);
  const std::vector<std::uint8_t> long_root(33, 0xab);
  for (const std::string& line :
       {std::string(""), crypto::Base64Encode(short_root), crypto::Base64Encode(long_root),
        root.substr(0, 43), root + " ", crypto::ToHex(crypto::Sha256("root"))}) {
    EXPECT_FALSE(ParseCheckpointText(WithLine(2, line)).has_value()) << line;
  }
}

TEST(CheckpointTest, RejectsMalformedChainLine) {
  const std::string hex = crypto::ToHex(crypto::Sha256("chain"));
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& line : {"chain " + hex.substr(0, 62), "chain " + hex + "00",
                                  "chain " + upper, "chain  " + hex, "chain:" + hex, "Chain " + hex,
                                  hex, "chain " + crypto::Base64Encode(crypto::Sha256("c"))}) {
    EXPECT_FALSE(ParseCheckpointText(WithLine(3, line)).has_value()) << line;
  }
}

TEST(CheckpointTest, RejectsMalformedTimeLine) {
  for (const char* line : {"time 2026-01-31T08:00:00Z", "time 2026-01-31T08:00:00.00Z",
                           "time 2026-01-31T08:00:00.0000Z", "time 2026-01-31T08:00:00.000+07:00",
                           "time 2026-01-31 08:00:00.000Z", "time 2026-01-31t08:00:00.000z",
                           "time 2026-13-01T08:00:00.000Z", "time 2026-00-01T08:00:00.000Z",
                           "time 2026-02-29T08:00:00.000Z", "time 2100-02-29T08:00:00.000Z",
                           "time 2026-04-31T08:00:00.000Z", "time 2026-01-00T08:00:00.000Z",
                           "time 2026-01-31T24:00:00.000Z", "time 2026-01-31T08:60:00.000Z",
                           "time 2026-12-31T23:59:60.000Z", "time 2026-01-3aT08:00:00.000Z",
                           "time  2026-01-31T08:00:00.000Z", "2026-01-31T08:00:00.000Z", "time"}) {
    EXPECT_FALSE(ParseCheckpointText(WithLine(4, line)).has_value()) << line;
  }
}

TEST(CheckpointTest, AcceptsLeapDay) {
  EXPECT_TRUE(ParseCheckpointText(WithLine(4, "time 2028-02-29T23:59:59.999Z")).has_value());
  EXPECT_TRUE(ParseCheckpointText(WithLine(4, "time 2000-02-29T00:00:00.000Z")).has_value());
}

TEST(CheckpointTest, RejectsMissingExtensionLines) {
  const std::string text = FormatCheckpointText(SampleCheckpoint());
  const std::size_t chain = text.find("chain ");
  const std::size_t time = text.find("time ");
  EXPECT_FALSE(ParseCheckpointText(text.substr(0, chain)).has_value());
  EXPECT_FALSE(ParseCheckpointText(text.substr(0, time)).has_value());
  // The time line alone, without the chain line.
  EXPECT_FALSE(ParseCheckpointText(text.substr(0, chain) + text.substr(time)).has_value());
}

TEST(CheckpointTest, RejectsExtensionLinesOutOfOrder) {
  const std::string text = FormatCheckpointText(SampleCheckpoint());
  const std::size_t chain = text.find("chain ");
  const std::size_t time = text.find("time ");
  const std::string swapped =
      text.substr(0, chain) + text.substr(time) + text.substr(chain, time - chain);
  EXPECT_FALSE(ParseCheckpointText(swapped).has_value());
}

TEST(CheckpointTest, RejectsUnknownExtensionLine) {
  const std::string text = FormatCheckpointText(SampleCheckpoint());
  EXPECT_FALSE(ParseCheckpointText(text + "witness x\n").has_value());
  EXPECT_FALSE(ParseCheckpointText(text + "\n").has_value());
}

TEST(CheckpointTest, RejectsMissingFinalNewline) {
  std::string text = FormatCheckpointText(SampleCheckpoint());
  text.pop_back();
  EXPECT_FALSE(ParseCheckpointText(text).has_value());
  EXPECT_FALSE(ParseCheckpointCore(text).has_value());
  EXPECT_FALSE(ParseCheckpointText("").has_value());
}

TEST(CheckpointTest, RejectsCarriageReturns) {
  std::string text = FormatCheckpointText(SampleCheckpoint());
  text.replace(text.find('\n'), 1, "\r\n");
  EXPECT_FALSE(ParseCheckpointText(text).has_value());
  EXPECT_FALSE(ParseCheckpointCore(text).has_value());
}

TEST(CheckpointTest, CoreIgnoresExtensionLines) {
  const Result<CheckpointCore> core =
      ParseCheckpointCore(FormatCheckpointText(SampleCheckpoint()) + "anything else\n");
  ASSERT_TRUE(core.has_value());
  EXPECT_EQ(core->origin, "jejak.example/test");
  EXPECT_EQ(core->tree_size, 7u);
  EXPECT_EQ(core->root_hash, crypto::Sha256("root"));
}

TEST(CheckpointTest, CoreAcceptsThreeLines) {
  const std::string root = crypto::Base64Encode(crypto::Sha256("root"));
  EXPECT_TRUE(ParseCheckpointCore("example.com/log\n0\n" + root + "\n").has_value());
}

TEST(CheckpointTest, CoreRejectsFewerThanThreeLines) {
  EXPECT_FALSE(ParseCheckpointCore("example.com/log\n7\n").has_value());
  EXPECT_FALSE(ParseCheckpointCore("").has_value());
}

TEST(CheckpointTest, CoreRejectsEmptyExtensionLine) {
  const std::string root = crypto::Base64Encode(crypto::Sha256("root"));
  EXPECT_FALSE(ParseCheckpointCore("example.com/log\n7\n" + root + "\n\n").has_value());
  EXPECT_FALSE(ParseCheckpointCore("example.com/log\n7\n" + root + "\na\n\nb\n").has_value());
}

TEST(CheckpointTest, CoreRejectsMalformedMandatoryLines) {
  const std::string root = crypto::Base64Encode(crypto::Sha256("root"));
  EXPECT_FALSE(ParseCheckpointCore("\n7\n" + root + "\n").has_value());
  EXPECT_FALSE(ParseCheckpointCore("example.com/log\n07\n" + root + "\n").has_value());
  EXPECT_FALSE(ParseCheckpointCore("example.com/log\n7\n" + root.substr(4) + "\n").has_value());
}

// testdata/README.md, signed-note/cosignature-v1.json: the cosigned note still opens
// under the log's key and its body parses. The log's note and the cosignature are also
// reproduced byte for byte from the fixed seeds.
TEST(CheckpointTest, CosignedNoteStillOpensUnderLogKey) {
  const nlohmann::json c = LoadJson("signed-note/cosignature-v1.json").at(0);
  const std::optional<NoteVerifier> log = ParseVerifierKey(c.at("log_vkey").get<std::string>());
  ASSERT_TRUE(log.has_value());
  const Result<std::string> text = OpenNote(c.at("cosigned_note").get<std::string>(), *log);
  ASSERT_TRUE(text.has_value()) << text.error().message;
  const Result<std::string> log_text = OpenNote(c.at("checkpoint_note").get<std::string>(), *log);
  ASSERT_TRUE(log_text.has_value());
  EXPECT_EQ(*text, *log_text);

  const Result<CheckpointCore> core = ParseCheckpointCore(*text);
  ASSERT_TRUE(core.has_value()) << core.error().message;
  EXPECT_EQ(core->origin, log->name);
  EXPECT_EQ(core->tree_size, 7u);
  std::vector<crypto::Digest> leaves;
  for (int i = 0; i < 7; ++i) {
    leaves.push_back(crypto::Sha256(std::string(1, '\0') + "entry " + std::to_string(i)));
  }
  EXPECT_EQ(core->root_hash, TreeHash(leaves, 0, leaves.size()));

  // The body is shaped like ours, so the strict parser takes it and formats it back.
  const Result<Checkpoint> checkpoint = ParseCheckpointText(*text);
  ASSERT_TRUE(checkpoint.has_value()) << checkpoint.error().message;
  EXPECT_EQ(FormatCheckpointText(*checkpoint), *text);
  const std::optional<std::vector<std::uint8_t>> log_seed =
      crypto::FromHex(c.at("log_seed_hex").get<std::string>());
  ASSERT_TRUE(log_seed.has_value());
  ASSERT_EQ(log_seed->size(), 32u);
  std::array<std::uint8_t, 32> seed{};
  std::copy(log_seed->begin(), log_seed->end(), seed.begin());
  const NoteSigner log_signer = MakeSigner(log->name, crypto::KeyFromSeed(seed));
  EXPECT_EQ(FormatVerifierKey(VerifierOf(log_signer)), c.at("log_vkey").get<std::string>());
  EXPECT_EQ(SignCheckpoint(*checkpoint, log_signer), c.at("checkpoint_note").get<std::string>());
}

// tlog-cosignature.md cosignature/v1: the line is base64(key ID || 8-byte big-endian
// timestamp || Ed25519 signature of the signed message), key ID with type byte 0x04.
TEST(CheckpointTest, CosignatureLineIsReproducibleFromCosignerSeed) {
  const nlohmann::json c = LoadJson("signed-note/cosignature-v1.json").at(0);
  const std::string vkey = c.at("cosigner_vkey").get<std::string>();
  const std::string name = vkey.substr(0, vkey.find('+'));
  const std::optional<std::vector<std::uint8_t>> seed_bytes =
      crypto::FromHex(c.at("cosigner_seed_hex").get<std::string>());
  ASSERT_TRUE(seed_bytes.has_value());
  ASSERT_EQ(seed_bytes->size(), 32u);
  std::array<std::uint8_t, 32> seed{};
  std::copy(seed_bytes->begin(), seed_bytes->end(), seed.begin());
  const crypto::PrivateKey key = crypto::KeyFromSeed(seed);

  const std::uint64_t timestamp = c.at("timestamp").get<std::uint64_t>();
  const Result<NoteParts> parts = SplitNote(c.at("checkpoint_note").get<std::string>());
  ASSERT_TRUE(parts.has_value());
  const std::string message =
      "cosignature/v1\ntime " + std::to_string(timestamp) + "\n" + parts->text;
  EXPECT_EQ(message, c.at("signed_message").get<std::string>());

  std::string id_input = name + "\n\x04";
  id_input.append(key.public_key.begin(), key.public_key.end());
  const crypto::Digest id_hash = crypto::Sha256(id_input);
  EXPECT_EQ(vkey.substr(name.size() + 1, 8), crypto::ToHex(std::span(id_hash).first(4)));

  std::vector<std::uint8_t> bytes(id_hash.begin(), id_hash.begin() + 4);
  for (int shift = 56; shift >= 0; shift -= 8) {
    bytes.push_back(static_cast<std::uint8_t>(timestamp >> shift & 0xff));
  }
  const crypto::Signature signature = crypto::Sign(key, message);
  bytes.insert(bytes.end(), signature.begin(), signature.end());
  EXPECT_EQ("\xe2\x80\x94 " + name + " " + crypto::Base64Encode(bytes) + "\n",
            c.at("cosignature_line").get<std::string>());
  EXPECT_EQ(
      c.at("checkpoint_note").get<std::string>() + c.at("cosignature_line").get<std::string>(),
      c.at("cosigned_note").get<std::string>());
}

TEST(CheckpointDeathTest, FormattingEmptyOriginAborts) {
  Checkpoint checkpoint = SampleCheckpoint();
  checkpoint.origin = "";
  EXPECT_DEATH((void)FormatCheckpointText(checkpoint), "origin.empty");
}

TEST(CheckpointDeathTest, FormattingOriginWithNewlineAborts) {
  Checkpoint checkpoint = SampleCheckpoint();
  checkpoint.origin = "a\nb";
  EXPECT_DEATH((void)FormatCheckpointText(checkpoint), "origin.find");
}

TEST(CheckpointDeathTest, FormattingMalformedTimeAborts) {
  Checkpoint checkpoint = SampleCheckpoint();
  checkpoint.time = "2026-01-31T08:00:00Z";
  EXPECT_DEATH((void)FormatCheckpointText(checkpoint), "ValidTime");
}

}  // namespace
}  // namespace jejak::ledger
