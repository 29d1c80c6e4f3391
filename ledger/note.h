// C2SP signed notes (signed-note.md) with Ed25519 keys: verifier and signer key strings,
// signing and opening notes. Checkpoints are signed notes; auditors verify them with only
// the pinned verifier key. Pure: callers read key files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ed25519.h"
#include "base/result.h"

namespace jejak::ledger {

// signed-note.md: verifiers MUST accept at least 16 signatures; like Go's sumdb/note we
// accept up to 100, which leaves room for many auditors' cosignatures.
inline constexpr std::size_t kNoteSignaturesMax = 100;

// True iff `text` is valid UTF-8 with no ASCII control characters other than newline,
// as signed-note.md requires of a whole note (and so of its text).
bool ValidNoteText(std::string_view text);

// A verifier key "<name>+<hex key ID>+<base64(0x01 || public key)>".
struct NoteVerifier {
  std::string name;
  std::uint32_t key_id = 0;
  crypto::PublicKey public_key{};
};

// A signer: the same name and key ID, with the private key.
struct NoteSigner {
  std::string name;
  std::uint32_t key_id = 0;
  crypto::PrivateKey private_key;
};

// Key ID = first 4 bytes (big-endian) of SHA-256(name || 0x0A || 0x01 || public key).
std::uint32_t NoteKeyId(std::string_view name, const crypto::PublicKey& public_key);

// True iff `name` is a valid key name: non-empty, no Unicode spaces, no '+' (and, as
// part of a note, valid UTF-8 without control characters).
bool ValidKeyName(std::string_view name);

// One signature line, without its newline: "— <name> <base64(key ID || signature)>".
struct ParsedSignature {
  std::string_view name;  // Points into the parsed line.
  std::uint32_t key_id = 0;
  std::vector<std::uint8_t> signature;  // Without the key ID; length not yet checked.
};
// Parses a signature line (without its "\n"): nullopt unless it is the em dash, a space, a
// valid key name, a space and canonical base64 of more than 4 bytes. Verifies nothing.
std::optional<ParsedSignature> ParseSignatureLine(std::string_view line);

// Signer for `name` with `key`. `name` must satisfy ValidKeyName (checked).
NoteSigner MakeSigner(std::string_view name, const crypto::PrivateKey& key);
NoteVerifier VerifierOf(const NoteSigner& signer);

// "<name>+<8 hex>+<base64(0x01 || key)>".
std::string FormatVerifierKey(const NoteVerifier& verifier);
// Nullopt if malformed, not Ed25519 (type 0x01), or the key ID does not match the name
// and key. Splits at the first two '+' only (base64 may contain '+').
std::optional<NoteVerifier> ParseVerifierKey(std::string_view vkey);
// Go's signer key "PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>".
std::optional<NoteSigner> ParseSignerKey(std::string_view skey);

// The signature line "— <name> <base64(key ID || signature)>\n" over `text`.
// `text` must end in '\n' and satisfy ValidNoteText (both checked).
std::string SignatureLine(std::string_view text, const NoteSigner& signer);

// `text` + "\n" + the signature line: a complete note with one signature.
std::string SignNote(std::string_view text, const NoteSigner& signer);

// Opens `note` trusting only `verifier`. Returns the note's text (up to and including the
// newline before the last blank line). kInvalidArgument if the note is malformed, or no
// signature line by `verifier` (same name and key ID) verifies. Signatures by other keys
// are ignored.
Result<std::string> OpenNote(std::string_view note, const NoteVerifier& verifier);

// Splits a well-formed note into text and signature block (the lines after the blank
// line). kInvalidArgument if malformed.
struct NoteParts {
  std::string text;
  std::string signatures;  // Each line "— name base64\n".
};
Result<NoteParts> SplitNote(std::string_view note);

}  // namespace jejak::ledger
