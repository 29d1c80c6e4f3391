// ledger::OpenNote, SplitNote, ParseVerifierKey and ParseSignerKey on untrusted notes and
// key strings. Invariants: an opened note's text is what SplitNote returns, ends in a
// newline and is valid note text (so it can be signed again); SplitNote's parts put
// together give the note; parsed keys format and parse back to themselves.
#include <nlohmann/json.hpp>

#include "ledger/note.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/signing.h"

namespace jejak::fuzz {
namespace {

std::vector<ledger::NoteVerifier> Verifiers() {
  std::vector<ledger::NoteVerifier> verifiers = {ledger::VerifierOf(LogSigner())};
  const nlohmann::json examples = ReadTestdataJson("signed-note/examples.json");
  if (!examples.is_array()) return verifiers;
  for (const nlohmann::json& example : examples) {
    if (!example.contains("vkey") || !example["vkey"].is_string()) continue;
    if (auto verifier = ledger::ParseVerifierKey(example["vkey"].get<std::string>())) {
      bool known = false;
      for (const auto& v : verifiers) known = known || (v.name == verifier->name && v.key_id == verifier->key_id);
      if (!known && verifiers.size() < 4) verifiers.push_back(*verifier);
    }
  }
  return verifiers;
}

}  // namespace

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  const nlohmann::json examples = ReadTestdataJson("signed-note/examples.json");
  if (examples.is_array()) {
    for (const nlohmann::json& example : examples) {
      for (const char* field : {"note", "vkey", "skey"}) {
        if (example.contains(field) && example[field].is_string()) {
          seeds.push_back(example[field].get<std::string>());
        }
      }
    }
  }
  const ledger::NoteSigner& signer = LogSigner();
  const std::string text = ledger::FormatCheckpointText(SampleCheckpoint(7));
  seeds.push_back(ledger::SignNote(text, signer));
  const ledger::NoteSigner other = ledger::MakeSigner("other.example/log", KeyFromByte(64));
  seeds.push_back(ledger::SignNote(text, signer) + ledger::SignatureLine(text, other));
  seeds.push_back(ledger::SignNote("hello\n\nworld\n", signer));
  seeds.push_back(ledger::FormatVerifierKey(ledger::VerifierOf(signer)));
  return seeds;
}

}  // namespace jejak::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace ledger = jejak::ledger;
  using jejak::fuzz::Hex;
  static const std::vector<ledger::NoteVerifier> verifiers = jejak::fuzz::Verifiers();
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  jejak::Result<ledger::NoteParts> parts = ledger::SplitNote(input);
  if (parts) {
    FUZZ_ASSERT(parts->text + "\n" + parts->signatures == input, "SplitNote lost bytes");
    FUZZ_ASSERT(!parts->text.empty() && parts->text.back() == '\n', "text without newline");
  }
  for (const ledger::NoteVerifier& verifier : verifiers) {
    jejak::Result<std::string> text = ledger::OpenNote(input, verifier);
    if (!text) {
      FUZZ_ASSERT(text.error().code == jejak::Code::kInvalidArgument, text.error().ToString());
      continue;
    }
    FUZZ_ASSERT(parts.has_value(), "OpenNote accepted what SplitNote rejects");
    FUZZ_ASSERT(*text == parts->text, "OpenNote and SplitNote disagree on the text");
    FUZZ_ASSERT(!text->empty() && text->back() == '\n', "opened text without final newline");
    FUZZ_ASSERT(ledger::ValidNoteText(*text), "opened text is not valid note text");
    // Re-signing what was opened must work and open again to the same text.
    const std::string resigned = ledger::SignNote(*text, jejak::fuzz::LogSigner());
    jejak::Result<std::string> reopened =
        ledger::OpenNote(resigned, ledger::VerifierOf(jejak::fuzz::LogSigner()));
    FUZZ_ASSERT(reopened.has_value() && *reopened == *text, "re-signed note does not open");
  }

  if (std::optional<ledger::NoteVerifier> verifier = ledger::ParseVerifierKey(input)) {
    FUZZ_ASSERT(ledger::ValidKeyName(verifier->name), "verifier key with an invalid name");
    FUZZ_ASSERT(verifier->key_id == ledger::NoteKeyId(verifier->name, verifier->public_key),
                "key ID does not match");
    const std::string formatted = ledger::FormatVerifierKey(*verifier);
    std::optional<ledger::NoteVerifier> again = ledger::ParseVerifierKey(formatted);
    FUZZ_ASSERT(again.has_value() && again->name == verifier->name &&
                    again->key_id == verifier->key_id && again->public_key == verifier->public_key,
                "formatted verifier key does not parse back: " + formatted);
    FUZZ_ASSERT(formatted == input, "verifier key accepted in a non-canonical spelling: " + Hex(input));
  }
  if (std::optional<ledger::NoteSigner> signer = ledger::ParseSignerKey(input)) {
    FUZZ_ASSERT(ledger::ValidKeyName(signer->name), "signer key with an invalid name");
    // Signing must not abort for a key the parser accepted.
    const std::string note = ledger::SignNote("text\n", *signer);
    FUZZ_ASSERT(ledger::OpenNote(note, ledger::VerifierOf(*signer)).has_value(),
                "a parsed signer key's note does not open");
  }
  return 0;
}
