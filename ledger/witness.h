// The wire format of C2SP tlog-witness (shared/testdata/c2sp-specs/tlog-witness.md): the
// body of `POST /add-checkpoint` (old size line, consistency proof lines, blank line,
// checkpoint note) and the `text/x.tlog.size` body of its 409 answer. Both ends use it:
// the witness program parses requests, the log's witness pusher formats them. Also the
// witness's decision on a request (which status, whether it is evidence of misbehaviour),
// given what it trusts and what it last cosigned. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <optional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "crypto/sha256.h"
#include "ledger/checkpoint.h"
#include "ledger/note.h"

namespace jejak::ledger {

// tlog-witness.md: "The client MUST NOT send more than 63 consistency proof lines."
inline constexpr std::size_t kWitnessProofLinesMax = 63;
// The media type of a 409 answer's body.
inline constexpr std::string_view kTreeSizeMediaType = "text/x.tlog.size";

struct AddCheckpointRequest {
  std::uint64_t old_size = 0;
  std::vector<crypto::Digest> proof;  // RFC 6962 consistency proof from old_size.
  std::string checkpoint;             // The signed note, with all its signature lines.
};

// "old <N>\n", one base64 line per proof hash, "\n", then the checkpoint note.
// `request.proof` holds at most kWitnessProofLinesMax hashes (checked).
std::string FormatAddCheckpointRequest(const AddCheckpointRequest& request);

// Parses a request body. kInvalidArgument (a 400 answer) saying what is wrong: no old size
// line, a size that is not a canonical decimal, a proof line that is not base64 of 32
// bytes, more than kWitnessProofLinesMax of them, no blank line, an empty checkpoint. The
// checkpoint note itself is returned as sent; opening it is the caller's.
Result<AddCheckpointRequest> ParseAddCheckpointRequest(std::string_view body);

// The body of a 409: the size in decimal and a newline.
std::string FormatTreeSizeBody(std::uint64_t size);
// Parses a 409 body (a trailing newline is required). kInvalidArgument if malformed.
Result<std::uint64_t> ParseTreeSizeBody(std::string_view body);

// A log the witness cosigns for: its checkpoint origin and the signed-note verifier keys
// it trusts for that origin (usually one).
struct WitnessedLog {
  std::string origin;
  std::vector<NoteVerifier> keys;
};

// A submitted checkpoint whose origin is known and whose signature verified.
struct SubmittedCheckpoint {
  CheckpointCore core;
  std::string text;            // The note text, ending in "\n".
  std::string log_signatures;  // The signature lines by trusted keys, each with "\n".
};

// The first checks of add-checkpoint, before the witness's state is read: the note is
// split (a malformed note, or a signed text that is not a tlog-checkpoint, is 400), its
// origin looked up among `logs` (404 if none has it), and its signature lines checked
// (403 if no line by a trusted key for that origin is present, or a line whose key name
// and ID match a trusted key does not verify; lines by other keys are ignored).
// `status` is 0 when the checkpoint passed, with `checkpoint` set.
struct CheckpointOpening {
  int status = 0;
  std::string reason;  // Why, when status != 0.
  std::optional<SubmittedCheckpoint> checkpoint;
};
CheckpointOpening OpenSubmittedCheckpoint(const std::vector<WitnessedLog>& logs,
                                          std::string_view note);

// What the witness last cosigned for an origin.
struct CosignedTree {
  std::uint64_t tree_size = 0;
  crypto::Digest root_hash{};
};

// Why a refused, validly signed checkpoint is evidence that the log misbehaved:
// kRollback, a tree smaller than one the witness already cosigned; kFork, the size it
// cosigned with another root; kInconsistent, a checkpoint that cannot extend what it
// cosigned (the consistency proof from it fails) or a size-0 tree with a non-empty root.
enum class EvidenceReason { kRollback, kFork, kInconsistent };
// "rollback", "fork", "inconsistent".
std::string_view EvidenceReasonName(EvidenceReason reason);
// The reason named `name` (EvidenceReasonName's inverse); nullopt for any other text.
std::optional<EvidenceReason> ParseEvidenceReason(std::string_view name);
// Whether evidence of `reason` proves misbehaviour on its own: true only for kFork (the
// log's key signed two trees of one size). A smaller tree may be an old checkpoint
// replayed by anyone, and a failed proof may be the sender's, so kRollback and
// kInconsistent need the checkpoints' times and a second look.
bool EvidenceIsProof(EvidenceReason reason);
// One sentence saying what evidence of `reason` shows and what to do with it.
std::string_view EvidenceMeaning(EvidenceReason reason);

struct AddCheckpointDecision {
  int status = 200;               // 200, 400, 409 or 422.
  std::string reason;             // Why, when status != 200.
  std::uint64_t latest_size = 0;  // The size of `latest` (0 if none): a 409's body.
  std::optional<EvidenceReason> evidence;
};

// The rest of add-checkpoint (tlog-witness.md), in its order, for an opened `submitted`
// checkpoint and the witness's `latest` cosigned tree of its origin (nullopt: none yet):
// 400 if request.old_size > size; 409 if old_size != latest size (0 without one); 422 if
// a size-0 checkpoint lacks the empty tree's root, if the proof is not empty while
// old_size is 0, if the consistency proof from `latest` does not verify, or if the size
// equals the latest size with another root; otherwise 200 (cosign it and make it the
// latest). `evidence` is set for a refused checkpoint that contradicts `latest` or is
// itself impossible (EvidenceReason); a stale or malformed request is not evidence.
AddCheckpointDecision DecideAddCheckpoint(const AddCheckpointRequest& request,
                                          const SubmittedCheckpoint& submitted,
                                          const std::optional<CosignedTree>& latest);

}  // namespace jejak::ledger
