// C2SP signed notes: the interoperability cases in testdata/signed-note/examples.json
// (see testdata/README.md), then one rejecting test per rule of signed-note.md.
#include "ledger/note.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "ledger/checkpoint.h"

namespace jejak::ledger {
namespace {

constexpr std::string_view kEmDash = "\xe2\x80\x94";

nlohmann::json LoadJson(const std::string& relative_path) {
  std::ifstream file(std::string(JEJAK_TESTDATA_DIR) + "/" + relative_path);
  EXPECT_TRUE(file.is_open()) << relative_path;
  return nlohmann::json::parse(file);
}

// The text a successful open must return: up to and including the newline before the
// last blank line.
std::string ExpectedText(const std::string& note) { return note.substr(0, note.rfind("\n\n") + 1); }

NoteSigner TestSigner(std::string_view name, std::uint8_t seed_byte) {
  std::array<std::uint8_t, 32> seed{};
  seed.fill(seed_byte);
  return MakeSigner(name, crypto::KeyFromSeed(seed));
}

const std::string kText = "example.com/log\n1\nAAAA\n";

TEST(NoteTest, OpensExampleNotesExactlyWhenValid) {
  const nlohmann::json cases = LoadJson("signed-note/examples.json");
  ASSERT_EQ(cases.size(), 22u);
  int valid_cases = 0;
  for (const nlohmann::json& c : cases) {
    const std::string id = c.at("id").get<std::string>();
    const std::string note = c.at("note").get<std::string>();
    const bool valid = c.at("valid").get<bool>();
    valid_cases += valid ? 1 : 0;
    const std::optional<NoteVerifier> verifier = ParseVerifierKey(c.at("vkey").get<std::string>());
    if (!verifier) {
      // Only a case whose vkey itself is invalid may fail here.
      EXPECT_FALSE(valid) << id << ": vkey does not parse";
      continue;
    }
    const Result<std::string> text = OpenNote(note, *verifier);
    EXPECT_EQ(text.has_value(), valid) << id;
    if (text && valid) {
      EXPECT_EQ(*text, ExpectedText(note)) << id;
    }
  }
  EXPECT_EQ(valid_cases, 6);
}

TEST(NoteTest, RejectsExampleVkeyRenamedWithoutNewKeyId) {
  for (const nlohmann::json& c : LoadJson("signed-note/examples.json")) {
    if (c.at("id") != "go-wrong-vkey-name") continue;
    EXPECT_FALSE(ParseVerifierKey(c.at("vkey").get<std::string>()).has_value());
    return;
  }
  FAIL() << "case go-wrong-vkey-name not found";
}

TEST(NoteTest, SignerKeysReproduceExampleVkeysAndSignatureLines) {
  int checked = 0;
  for (const nlohmann::json& c : LoadJson("signed-note/examples.json")) {
    if (!c.contains("skey")) continue;
    const std::string id = c.at("id").get<std::string>();
    const std::optional<NoteSigner> signer = ParseSignerKey(c.at("skey").get<std::string>());
    ASSERT_TRUE(signer.has_value()) << id;
    EXPECT_EQ(FormatVerifierKey(VerifierOf(*signer)), c.at("vkey").get<std::string>()) << id;
    ASSERT_TRUE(c.at("valid").get<bool>()) << id;
    const std::string note = c.at("note").get<std::string>();
    const std::string line = SignatureLine(ExpectedText(note), *signer);
    // The line must appear whole, as one of the note's signature lines.
    EXPECT_NE(note.find("\n" + line), std::string::npos) << id << ": " << line;
    ++checked;
  }
  EXPECT_EQ(checked, 5);
}

TEST(NoteTest, ExampleCheckpointBodiesParse) {
  const nlohmann::json tree = LoadJson("rfc9162/inclusion/1/happy-path.json");
  ASSERT_EQ(tree.at("treeSize"), 8);
  const std::string root_base64 = tree.at("root").get<std::string>();
  int checked = 0;
  for (const nlohmann::json& c : LoadJson("signed-note/examples.json")) {
    const std::string id = c.at("id").get<std::string>();
    if (!id.starts_with("derived-checkpoint") || !c.at("valid").get<bool>()) continue;
    const std::optional<NoteVerifier> verifier = ParseVerifierKey(c.at("vkey").get<std::string>());
    ASSERT_TRUE(verifier.has_value()) << id;
    const Result<std::string> text = OpenNote(c.at("note").get<std::string>(), *verifier);
    ASSERT_TRUE(text.has_value()) << id;
    const Result<CheckpointCore> core = ParseCheckpointCore(*text);
    ASSERT_TRUE(core.has_value()) << id << ": " << core.error().message;
    EXPECT_EQ(core->origin, "example.com/rfc8032-test1");
    EXPECT_EQ(core->tree_size, 8u);
    EXPECT_EQ(crypto::Base64Encode(core->root_hash), root_base64);
    // Ours requires the chain and time lines, which a plain checkpoint lacks.
    EXPECT_FALSE(ParseCheckpointText(*text).has_value());
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TEST(NoteTest, KeyIdIsTruncatedSha256OfNameTypeAndKey) {
  const NoteSigner signer = TestSigner("example.com/log", 7);
  std::string input = "example.com/log\n\x01";
  input.append(signer.private_key.public_key.begin(), signer.private_key.public_key.end());
  const crypto::Digest digest = crypto::Sha256(input);
  const std::uint32_t expected = static_cast<std::uint32_t>(digest[0]) << 24 |
                                 static_cast<std::uint32_t>(digest[1]) << 16 |
                                 static_cast<std::uint32_t>(digest[2]) << 8 | digest[3];
  EXPECT_EQ(NoteKeyId("example.com/log", signer.private_key.public_key), expected);
  EXPECT_EQ(signer.key_id, expected);
}

TEST(NoteTest, SignNoteThenOpenReturnsText) {
  const NoteSigner signer = TestSigner("example.com/log", 1);
  const std::string note = SignNote(kText, signer);
  EXPECT_TRUE(note.starts_with(kText + "\n" + std::string(kEmDash) + " example.com/log "));
  const Result<std::string> text = OpenNote(note, VerifierOf(signer));
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, kText);
}

TEST(NoteTest, TextMayContainBlankLines) {
  const NoteSigner signer = TestSigner("example.com/log", 1);
  const std::string text = "first\n\nsecond\n\n";
  const Result<std::string> opened = OpenNote(SignNote(text, signer), VerifierOf(signer));
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(*opened, text);
}

TEST(NoteTest, AcceptsNonAsciiText) {
  const NoteSigner signer = TestSigner("example.com/log", 1);
  const std::string text = "Pemerintah Kabupaten \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x82\n";
  EXPECT_TRUE(OpenNote(SignNote(text, signer), VerifierOf(signer)).has_value());
}

TEST(NoteTest, IgnoresSignaturesByUnknownKeys) {
  const NoteSigner trusted = TestSigner("example.com/log", 1);
  const NoteSigner other = TestSigner("example.com/witness", 2);
  const std::string note =
      kText + "\n" + SignatureLine(kText, other) + SignatureLine(kText, trusted);
  EXPECT_TRUE(OpenNote(note, VerifierOf(trusted)).has_value());
}

TEST(NoteTest, IgnoresUnknownKeyWithSameNameButOtherKeyId) {
  const NoteSigner trusted = TestSigner("example.com/log", 1);
  const NoteSigner impostor = TestSigner("example.com/log", 2);  // Other key, other ID.
  ASSERT_NE(trusted.key_id, impostor.key_id);
  const std::string note =
      kText + "\n" + SignatureLine("other\n", impostor) + SignatureLine(kText, trusted);
  EXPECT_TRUE(OpenNote(note, VerifierOf(trusted)).has_value());
}

TEST(NoteTest, IgnoresUnknownKeyWithSameKeyIdButOtherName) {
  const NoteSigner trusted = TestSigner("example.com/log", 1);
  NoteSigner impostor = TestSigner("example.com/other", 2);
  impostor.key_id = trusted.key_id;  // A colliding ID under another name.
  const std::string note =
      kText + "\n" + SignatureLine("other\n", impostor) + SignatureLine(kText, trusted);
  EXPECT_TRUE(OpenNote(note, VerifierOf(trusted)).has_value());
}

TEST(NoteTest, RejectsNoteSignedOnlyByUnknownKeys) {
  const NoteSigner trusted = TestSigner("example.com/log", 1);
  const NoteSigner other = TestSigner("example.com/witness", 2);
  const Result<std::string> text = OpenNote(SignNote(kText, other), VerifierOf(trusted));
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().code, Code::kInvalidArgument);
}

TEST(NoteTest, RejectsBadSignatureByTrustedKeyEvenWhenAnotherVerifies) {
  const NoteSigner trusted = TestSigner("example.com/log", 1);
  const std::string good = SignatureLine(kText, trusted);
  const std::string bad = SignatureLine("different text\n", trusted);
  EXPECT_FALSE(OpenNote(kText + "\n" + good + bad, VerifierOf(trusted)).has_value());
  EXPECT_FALSE(OpenNote(kText + "\n" + bad + good, VerifierOf(trusted)).has_value());
}

TEST(NoteTest, RejectsTrustedSignatureOfWrongLength) {
  const NoteSigner trusted = TestSigner("example.com/log", 1);
  const std::vector<std::uint8_t> bytes = {static_cast<std::uint8_t>(trusted.key_id >> 24),
                                           static_cast<std::uint8_t>(trusted.key_id >> 16),
                                           static_cast<std::uint8_t>(trusted.key_id >> 8),
                                           static_cast<std::uint8_t>(trusted.key_id), 0x00};
  const std::string line =
      std::string(kEmDash) + " example.com/log " + crypto::Base64Encode(bytes) + "\n";
  EXPECT_FALSE(OpenNote(kText + "\n" + line, VerifierOf(trusted)).has_value());
}

TEST(NoteTest, RejectsTamperedText) {
  const NoteSigner signer = TestSigner("example.com/log", 1);
  std::string note = SignNote(kText, signer);
  note[0] = 'E';
  EXPECT_FALSE(OpenNote(note, VerifierOf(signer)).has_value());
}

TEST(NoteTest, RejectsNoteWithoutBlankLine) {
  const NoteSigner signer = TestSigner("example.com/log", 1);
  const std::string note = kText + SignatureLine(kText, signer);
  EXPECT_FALSE(SplitNote(note).has_value());
  EXPECT_FALSE(OpenNote(note, VerifierOf(signer)).has_value());
}

TEST(NoteTest, RejectsNoteWithNoSignatureLines) {
  EXPECT_FALSE(SplitNote(kText).has_value());
  EXPECT_FALSE(SplitNote(kText + "\n").has_value());
  EXPECT_FALSE(SplitNote("").has_value());
}

TEST(NoteTest, RejectsMissingFinalNewline) {
  const NoteSigner signer = TestSigner("example.com/log", 1);
  std::string note = SignNote(kText, signer);
  note.pop_back();
  EXPECT_FALSE(SplitNote(note).has_value());
  EXPECT_FALSE(OpenNote(note, VerifierOf(signer)).has_value());
}

TEST(NoteTest, RejectsNonSignatureLineAfterSignatures) {
  const NoteSigner signer = TestSigner("example.com/log", 1);
  EXPECT_FALSE(OpenNote(SignNote(kText, signer) + "garbage\n", VerifierOf(signer)).has_value());
  // An empty line after the signatures would make them part of the text.
  EXPECT_FALSE(OpenNote(SignNote(kText, signer) + "\n", VerifierOf(signer)).has_value());
}

TEST(NoteTest, RejectsSignatureLineWithHyphenInsteadOfEmDash) {
  const NoteSigner signer = TestSigner("example.com/log", 1);
  std::string note = SignNote(kText, signer);
  const std::size_t dash = note.find(kEmDash);
  note.replace(dash, kEmDash.size(), "-");
  EXPECT_FALSE(OpenNote(note, VerifierOf(signer)).has_value());
}

TEST(NoteTest, RejectsMalformedSignatureLineEvenFromUnknownKey) {
  const NoteSigner trusted = TestSigner("example.com/log", 1);
  const std::string good = SignatureLine(kText, trusted);
  const std::string prefix = std::string(kEmDash) + " ";
  const std::vector<std::string> bad_lines = {
      prefix + "other AAAA\n",                        // Decodes to 3 bytes: no key ID.
      prefix + "other AAAAAA==\n",                    // Key ID and no signature.
      prefix + "other AAAAAAAA=\n",                   // Not base64.
      prefix + "other  AAAAAAAAAAA=\n",               // Two spaces.
      prefix + "other\n",                             // No signature.
      prefix + " AAAAAAAAAAA=\n",                     // Empty name.
      prefix + "a+b AAAAAAAAAAA=\n",                  // '+' in the name.
      prefix + "other AAAAAAAAAAA= extra\n",          // Trailing field.
      std::string(kEmDash) + "other AAAAAAAAAAA=\n",  // No space after the dash.
  };
  for (const std::string& bad : bad_lines) {
    const std::string note = kText + "\n" + good + bad;
    EXPECT_FALSE(SplitNote(note).has_value()) << bad;
    EXPECT_FALSE(OpenNote(note, VerifierOf(trusted)).has_value()) << bad;
  }
  // The same shape with a well-formed unknown signature is fine.
  EXPECT_TRUE(OpenNote(kText + "\n" + good + prefix + "other AAAAAAAAAAA=\n", VerifierOf(trusted))
                  .has_value());
}

TEST(NoteTest, RejectsControlCharactersInText) {
  const NoteSigner signer = TestSigner("example.com/log", 1);
  const std::string good = SignatureLine(kText, signer);
  for (const std::string& text : {std::string("tab\there\n"), std::string("crlf\r\n"),
                                  std::string("nul\0x\n", 6), std::string("escape\x1b\n")}) {
    EXPECT_FALSE(ValidNoteText(text)) << text;
    EXPECT_FALSE(OpenNote(text + "\n" + good, VerifierOf(signer)).has_value()) << text;
  }
}

TEST(NoteTest, RejectsInvalidUtf8) {
  for (const std::string& text : {
           std::string("\x80\n"),              // Lone continuation byte.
           std::string("\xc3\n"),              // Truncated sequence.
           std::string("\xc0\xaf\n"),          // Overlong '/'.
           std::string("\xe0\x80\xaf\n"),      // Overlong, three bytes.
           std::string("\xed\xa0\x80\n"),      // UTF-16 surrogate.
           std::string("\xf4\x90\x80\x80\n"),  // Above U+10FFFF.
           std::string("\xff\n"),
       }) {
    EXPECT_FALSE(ValidNoteText(text));
    EXPECT_FALSE(SplitNote(text + "\n" + std::string(kEmDash) + " a AAAAAAAAAAA=\n").has_value());
  }
  EXPECT_TRUE(ValidNoteText("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x82\x7f\n"));
}

TEST(NoteTest, AcceptsSixteenSignatures) {
  const NoteSigner trusted = TestSigner("example.com/log", 1);
  std::string note = kText + "\n";
  for (std::uint8_t i = 0; i < 15; ++i) {
    note += SignatureLine(
        kText, TestSigner("witness" + std::to_string(i), static_cast<std::uint8_t>(i + 10)));
  }
  note += SignatureLine(kText, trusted);
  EXPECT_TRUE(OpenNote(note, VerifierOf(trusted)).has_value());
}

TEST(NoteTest, RejectsTooManySignatures) {
  const NoteSigner trusted = TestSigner("example.com/log", 1);
  const std::string unknown = std::string(kEmDash) + " other AAAAAAAAAAA=\n";
  std::string note = kText + "\n" + SignatureLine(kText, trusted);
  for (std::size_t i = 1; i < kNoteSignaturesMax; ++i) note += unknown;
  EXPECT_TRUE(OpenNote(note, VerifierOf(trusted)).has_value());
  note += unknown;
  EXPECT_FALSE(OpenNote(note, VerifierOf(trusted)).has_value());
}

TEST(NoteTest, SplitNoteSeparatesTextAndSignatures) {
  const NoteSigner signer = TestSigner("example.com/log", 1);
  const std::string line = SignatureLine(kText, signer);
  const Result<NoteParts> parts = SplitNote(kText + "\n" + line + line);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->text, kText);
  EXPECT_EQ(parts->signatures, line + line);
}

TEST(NoteTest, ValidKeyNameAcceptsUrlsAndNonAscii) {
  EXPECT_TRUE(ValidKeyName("example.com/log42"));
  EXPECT_TRUE(ValidKeyName("PeterNeumann"));
  EXPECT_TRUE(ValidKeyName("jejak.example/kabupaten-\xc3\xa9"));
}

TEST(NoteTest, ValidKeyNameRejectsEmptyName) { EXPECT_FALSE(ValidKeyName("")); }

TEST(NoteTest, ValidKeyNameRejectsPlus) { EXPECT_FALSE(ValidKeyName("a+b")); }

TEST(NoteTest, ValidKeyNameRejectsUnicodeSpaces) {
  for (const char* name : {"a b", "a\tb", "a\nb",
                           "a\xc2\xa0"
                           "b",
                           "a\xc2\x85"
                           "b",
                           "a\xe2\x80\x83"
                           "b",
                           "a\xe2\x80\xa8"
                           "b",
                           "a\xe3\x80\x80"
                           "b",
                           "a\xe1\x9a\x80"
                           "b"}) {
    EXPECT_FALSE(ValidKeyName(name)) << name;
  }
}

TEST(NoteTest, ValidKeyNameRejectsInvalidUtf8AndControlCharacters) {
  EXPECT_FALSE(ValidKeyName("a\xff"));
  EXPECT_FALSE(ValidKeyName("a\x01"));
}

TEST(NoteTest, VerifierKeyRoundTrips) {
  const NoteVerifier verifier = VerifierOf(TestSigner("example.com/log", 3));
  const std::string vkey = FormatVerifierKey(verifier);
  const std::optional<NoteVerifier> parsed = ParseVerifierKey(vkey);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->name, verifier.name);
  EXPECT_EQ(parsed->key_id, verifier.key_id);
  EXPECT_EQ(parsed->public_key, verifier.public_key);
}

TEST(NoteTest, ParseVerifierKeyRejectsMalformedKeys) {
  const NoteVerifier verifier = VerifierOf(TestSigner("example.com/log", 3));
  const std::string vkey = FormatVerifierKey(verifier);
  const std::size_t first = vkey.find('+');
  const std::string name = vkey.substr(0, first);
  const std::string hex = vkey.substr(first + 1, 8);
  const std::string key = vkey.substr(first + 10);
  std::string upper_hex = hex;
  for (char& c : upper_hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::vector<std::uint8_t> short_key = {0x01};
  short_key.insert(short_key.end(), verifier.public_key.begin(), verifier.public_key.end() - 1);
  std::vector<std::uint8_t> wrong_type = {0x02};
  wrong_type.insert(wrong_type.end(), verifier.public_key.begin(), verifier.public_key.end());
  const std::vector<std::string> bad = {
      "",
      name,
      name + "+" + hex,
      "+" + hex + "+" + key,                                   // Empty name.
      "a b+" + hex + "+" + key,                                // Space in the name.
      name + "+" + hex.substr(0, 7) + "+" + key,               // Short key ID.
      name + "+0" + hex + "+" + key,                           // Long key ID.
      name + "+" + upper_hex + "+" + key,                      // Uppercase hex.
      name + "+" + hex + "+" + key + "\n",                     // Trailing newline.
      name + "+" + hex + "+" + key.substr(0, key.size() - 4),  // Truncated base64.
      name + "+" + hex + "+" + crypto::Base64Encode(short_key),
      name + "+" + hex + "+" + crypto::Base64Encode(wrong_type),
      name + "x+" + hex + "+" + key,  // Key ID does not match the name.
  };
  if (upper_hex == hex) ADD_FAILURE() << "test key ID has no letters; pick another seed";
  for (const std::string& text : bad) EXPECT_FALSE(ParseVerifierKey(text).has_value()) << text;
}

TEST(NoteTest, ParseVerifierKeyRejectsCosignatureKeyType) {
  const nlohmann::json c = LoadJson("signed-note/cosignature-v1.json").at(0);
  EXPECT_TRUE(ParseVerifierKey(c.at("log_vkey").get<std::string>()).has_value());
  EXPECT_FALSE(ParseVerifierKey(c.at("cosigner_vkey").get<std::string>()).has_value());
}

TEST(NoteTest, ParseSignerKeyRejectsMalformedKeys) {
  for (const nlohmann::json& c : LoadJson("signed-note/examples.json")) {
    if (!c.contains("skey")) continue;
    const std::string skey = c.at("skey").get<std::string>();
    ASSERT_TRUE(ParseSignerKey(skey).has_value());
    EXPECT_FALSE(ParseSignerKey(skey.substr(8)).has_value());                     // No "PRIVATE+".
    EXPECT_FALSE(ParseSignerKey("PRIVATE+KEY+x" + skey.substr(12)).has_value());  // Renamed.
    EXPECT_FALSE(ParseSignerKey(skey.substr(0, skey.size() - 4)).has_value());
    EXPECT_FALSE(ParseSignerKey(c.at("vkey").get<std::string>()).has_value());
    return;
  }
  FAIL() << "no case with an skey";
}

TEST(NoteDeathTest, SigningTextWithoutFinalNewlineAborts) {
  const NoteSigner signer = TestSigner("example.com/log", 1);
  EXPECT_DEATH((void)SignatureLine("no newline", signer), "text.back");
}

TEST(NoteDeathTest, SigningTextWithControlCharacterAborts) {
  const NoteSigner signer = TestSigner("example.com/log", 1);
  EXPECT_DEATH((void)SignatureLine("tab\t\n", signer), "ValidNoteText");
}

TEST(NoteDeathTest, MakeSignerWithInvalidNameAborts) {
  EXPECT_DEATH((void)TestSigner("bad name", 1), "ValidKeyName");
}

}  // namespace
}  // namespace jejak::ledger
