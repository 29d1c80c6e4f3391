// C2SP tlog-cosignature `cosignature/v1` (Ed25519, key type 0x04): an auditor's witness
// key signs "cosignature/v1\ntime <POSIX seconds>\n" followed by the checkpoint text, and
// the line "— <name> base64(key ID || 8-byte big-endian timestamp || signature)" is
// appended to the checkpoint's signed note. A verifier that demands witnesses checks that
// a quorum of the cosigner keys it pinned cosigned a checkpoint (CheckWitnessQuorum).
// Pure: callers read keys and the clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ed25519.h"
#include "base/result.h"
#include "ledger/note.h"

namespace jejak::ledger {

// A cosigner (witness) verifier key "<name>+<hex key ID>+<base64(0x04 || public key)>";
// key ID = SHA-256(name || "\n" || 0x04 || public key)[:4].
struct CosignerKey {
  std::string name;
  std::uint32_t key_id = 0;
  crypto::PublicKey public_key{};
};

std::uint32_t CosignerKeyId(std::string_view name, const crypto::PublicKey& public_key);
std::string FormatCosignerKey(const CosignerKey& key);
// Nullopt if malformed, not type 0x04, or the key ID does not match.
std::optional<CosignerKey> ParseCosignerKey(std::string_view vkey);

// The exact bytes a cosigner signs for `checkpoint_text` (the note text, ending in "\n").
std::string CosignedMessage(std::string_view checkpoint_text, std::uint64_t timestamp);

// The signature line (with its trailing "\n") by `name`/`key` over `checkpoint_text` at
// `timestamp`.
std::string CosignatureLine(std::string_view checkpoint_text, std::string_view name,
                            const crypto::PrivateKey& key, std::uint64_t timestamp);

struct Cosignature {
  std::string line;  // As it appears in the note, with "\n".
  std::uint64_t timestamp = 0;
};

// Checks one signature line (with or without its "\n") as `key`'s cosignature over
// `checkpoint_text`. kInvalidArgument naming what is wrong (name, key ID, length,
// signature).
Result<Cosignature> VerifyCosignatureLine(std::string_view checkpoint_text,
                                          std::string_view line, const CosignerKey& key);

// Whether `witnesses` and `quorum` make a demand a verifier can state: at least one key,
// no two keys with one name or one public key (each key is one witness, counted once),
// and 1 <= quorum <= witnesses.size(). kInvalidArgument saying which rule is broken.
Result<void> CheckWitnessSet(const std::vector<CosignerKey>& witnesses, std::size_t quorum);

// Which of the demanded witnesses cosigned, each list in the order the keys were given.
struct WitnessQuorum {
  std::vector<std::string> cosigned;
  std::vector<std::string> missing;
};

// The check of a verifier that demands witnesses: `note` is a checkpoint's signed note
// that must carry a valid signature by `log` and valid cosignature/v1 lines by at least
// `quorum` distinct keys of `witnesses`. As signed-note.md "Signatures" says, lines by
// other keys are ignored (a key is its name and key ID together), and a line with the
// name and key ID of a given witness must verify, or the whole note is refused; several
// lines by one witness count once. kInvalidArgument with a one-line message if
// CheckWitnessSet refuses the demand, the note is malformed or not signed by `log`, a
// given witness's line does not verify, or fewer than `quorum` witnesses cosigned (the
// message names the witnesses that did and those that did not).
Result<WitnessQuorum> CheckWitnessQuorum(std::string_view note, const NoteVerifier& log,
                                         const std::vector<CosignerKey>& witnesses,
                                         std::size_t quorum);

}  // namespace jejak::ledger
