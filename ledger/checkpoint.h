// Checkpoints: C2SP tlog-checkpoint bodies (origin, tree size, base64 root hash) with the
// ledger's extension lines "chain <hex>" and "time <RFC 3339>", signed as a C2SP signed
// note with the ledger's Ed25519 key. Pure: the caller passes the time in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/sha256.h"
#include "base/result.h"
#include "ledger/note.h"

namespace jejak::ledger {

struct Checkpoint {
  std::string origin;
  std::uint64_t tree_size = 0;
  crypto::Digest root_hash{};
  crypto::Digest chain_hash{};  // Chain hash of entry tree_size - 1.
  std::string time;             // RFC 3339 UTC with milliseconds.
};

// A tree size as tlog-checkpoint.md "Note text" item 2 writes it (and tlog-witness.md its
// sizes): ASCII decimal, no leading zeroes unless 0, at most 2^64 - 1. Nullopt otherwise.
std::optional<std::uint64_t> ParseTreeSize(std::string_view line);

// The note text:
// "<origin>\n<tree_size>\n<base64 root>\nchain <hex>\ntime <time>\n".
// `origin` must be non-empty note text without a newline, and `time` of the form
// "2026-01-31T08:00:00.000Z" (both checked).
std::string FormatCheckpointText(const Checkpoint& checkpoint);
// Parses a checkpoint text (as returned by OpenNote). kInvalidArgument if malformed:
// empty origin, size not a canonical decimal, root not 32 bytes of base64, missing or
// malformed chain/time lines, unknown extension lines. Exactly the five lines, in the
// order FormatCheckpointText writes them; "time" is "YYYY-MM-DDTHH:MM:SS.mmmZ" (RFC 3339
// UTC, milliseconds, a real calendar date, no leap second).
Result<Checkpoint> ParseCheckpointText(std::string_view text);

// The three lines every C2SP tlog-checkpoint has, whoever wrote it.
struct CheckpointCore {
  std::string origin;
  std::uint64_t tree_size = 0;
  crypto::Digest root_hash{};
};

// Parses any C2SP tlog-checkpoint text (for example a third party's): origin, tree size,
// root hash, then optional extension lines, which must be non-empty and are otherwise
// ignored. kInvalidArgument if malformed. The ledger's own checkpoints use
// ParseCheckpointText, which requires the chain and time lines.
Result<CheckpointCore> ParseCheckpointCore(std::string_view text);

// The signed note for `checkpoint`.
std::string SignCheckpoint(const Checkpoint& checkpoint, const NoteSigner& signer);
// Opens `note` with `verifier` and parses its text. The caller compares the origin with
// the one it expects.
Result<Checkpoint> OpenCheckpoint(std::string_view note, const NoteVerifier& verifier);

}  // namespace jejak::ledger
