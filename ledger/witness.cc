// tlog-witness.md "add-checkpoint": the request body and the 409 body, both directions,
// and the witness's decision on a request.
#include "ledger/witness.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "base/check.h"
#include "crypto/encoding.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "ledger/note.h"

namespace jejak::ledger {
namespace {

constexpr std::string_view kOldPrefix = "old ";

Error Malformed(std::string why) {
  return InvalidArgument("malformed add-checkpoint request: " + std::move(why));
}

// The next line of `rest` without its newline, consuming it; nullopt if no newline is left.
std::optional<std::string_view> TakeLine(std::string_view& rest) {
  const std::size_t end = rest.find('\n');
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view line = rest.substr(0, end);
  rest.remove_prefix(end + 1);
  return line;
}

}  // namespace

std::string FormatAddCheckpointRequest(const AddCheckpointRequest& request) {
  JEJAK_CHECK(request.proof.size() <= kWitnessProofLinesMax);
  std::string body = std::string(kOldPrefix) + std::to_string(request.old_size) + "\n";
  for (const crypto::Digest& hash : request.proof) {
    body += crypto::Base64Encode(hash);
    body += '\n';
  }
  body += '\n';
  body += request.checkpoint;
  return body;
}

Result<AddCheckpointRequest> ParseAddCheckpointRequest(std::string_view body) {
  AddCheckpointRequest request;
  std::string_view rest = body;
  std::optional<std::string_view> line = TakeLine(rest);
  if (!line || line->substr(0, kOldPrefix.size()) != kOldPrefix) {
    return Malformed("the first line must be \"old <size>\"");
  }
  const std::optional<std::uint64_t> old_size = ParseTreeSize(line->substr(kOldPrefix.size()));
  if (!old_size) return Malformed("the old size is not a canonical decimal");
  request.old_size = *old_size;
  for (;;) {
    line = TakeLine(rest);
    if (!line) return Malformed("no blank line before the checkpoint");
    if (line->empty()) break;
    if (request.proof.size() == kWitnessProofLinesMax) {
      return Malformed("more than " + std::to_string(kWitnessProofLinesMax) + " consistency proof lines");
    }
    const std::optional<std::vector<std::uint8_t>> hash = crypto::Base64Decode(*line);
    if (!hash || hash->size() != crypto::kDigestBytes) {
      return Malformed("consistency proof line " + std::to_string(request.proof.size() + 1) +
                       " is not base64 of 32 bytes");
    }
    crypto::Digest digest{};
    std::copy(hash->begin(), hash->end(), digest.begin());
    request.proof.push_back(digest);
  }
  if (rest.empty()) return Malformed("no checkpoint after the blank line");
  request.checkpoint = std::string(rest);
  return request;
}

std::string FormatTreeSizeBody(std::uint64_t size) { return std::to_string(size) + "\n"; }

Result<std::uint64_t> ParseTreeSizeBody(std::string_view body) {
  if (body.empty() || body.back() != '\n') {
    return InvalidArgument("a tree size body ends in a newline");
  }
  const std::optional<std::uint64_t> size = ParseTreeSize(body.substr(0, body.size() - 1));
  if (!size) return InvalidArgument("a tree size body is a canonical decimal");
  return *size;
}

namespace {

CheckpointOpening Refuse(int status, std::string reason) {
  return CheckpointOpening{status, std::move(reason), std::nullopt};
}

}  // namespace

CheckpointOpening OpenSubmittedCheckpoint(const std::vector<WitnessedLog>& logs,
                                          std::string_view note) {
  Result<NoteParts> parts = SplitNote(note);
  if (!parts) return Refuse(400, "the checkpoint is not a signed note: " + parts.error().message);
  const std::string_view origin = std::string_view(parts->text).substr(0, parts->text.find('\n'));
  const auto log = std::find_if(logs.begin(), logs.end(),
                                [&](const WitnessedLog& known) { return known.origin == origin; });
  if (log == logs.end()) return Refuse(404, "unknown log origin");
  SubmittedCheckpoint submitted;
  std::string_view rest = parts->signatures;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');  // SplitNote: every line ends in a newline.
    const std::string_view line = rest.substr(0, end + 1);
    rest.remove_prefix(end + 1);
    const std::optional<ParsedSignature> claimed = ParseSignatureLine(line.substr(0, end));
    if (!claimed) return Refuse(400, "unreadable signature line");
    for (const NoteVerifier& key : log->keys) {
      if (claimed->name != key.name || claimed->key_id != key.key_id) continue;
      // OpenNote refuses the note if this line, by a trusted key, does not verify.
      if (!OpenNote(parts->text + "\n" + std::string(line), key)) {
        return Refuse(403, "the signature by " + key.name + " does not verify");
      }
      submitted.log_signatures += line;
      break;
    }
  }
  if (submitted.log_signatures.empty()) {
    return Refuse(403, "no signature by a key trusted for " + std::string(origin));
  }
  Result<CheckpointCore> core = ParseCheckpointCore(parts->text);
  if (!core) return Refuse(400, "not a checkpoint: " + core.error().message);
  submitted.core = std::move(core).value();
  submitted.text = std::move(parts->text);
  return CheckpointOpening{0, "", std::move(submitted)};
}

std::string_view EvidenceReasonName(EvidenceReason reason) {
  switch (reason) {
    case EvidenceReason::kRollback:
      return "rollback";
    case EvidenceReason::kFork:
      return "fork";
    case EvidenceReason::kInconsistent:
      return "inconsistent";
  }
  return "inconsistent";
}

std::optional<EvidenceReason> ParseEvidenceReason(std::string_view name) {
  for (const EvidenceReason reason :
       {EvidenceReason::kRollback, EvidenceReason::kFork, EvidenceReason::kInconsistent}) {
    if (EvidenceReasonName(reason) == name) return reason;
  }
  return std::nullopt;
}

bool EvidenceIsProof(EvidenceReason reason) { return reason == EvidenceReason::kFork; }

std::string_view EvidenceMeaning(EvidenceReason reason) {
  switch (reason) {
    case EvidenceReason::kFork:
      return "the log's key signed two different trees of the same size: proof of misbehaviour "
             "(or of a stolen key) on its own";
    case EvidenceReason::kRollback:
      return "a tree smaller than one cosigned: an old checkpoint replayed (harmless) or a log "
             "that lost entries; compare the checkpoints' times and ask the log";
    case EvidenceReason::kInconsistent:
      return "the consistency proof sent with it did not verify (anyone may send a bad proof), or "
             "a size-0 tree had a non-empty root; ask the log for a proof between the two sizes";
  }
  return "";
}

AddCheckpointDecision DecideAddCheckpoint(const AddCheckpointRequest& request,
                                          const SubmittedCheckpoint& submitted,
                                          const std::optional<CosignedTree>& latest) {
  const CheckpointCore& checkpoint = submitted.core;
  AddCheckpointDecision decision;
  decision.latest_size = latest ? latest->tree_size : 0;
  // Evidence depends on the checkpoint and what was cosigned, not on the request's old size:
  // a smaller tree, or the cosigned size with another root, contradicts a cosigned tree.
  if (latest && checkpoint.tree_size < latest->tree_size) {
    decision.evidence = EvidenceReason::kRollback;
  } else if (latest && checkpoint.tree_size == latest->tree_size &&
             checkpoint.root_hash != latest->root_hash) {
    decision.evidence = EvidenceReason::kFork;
  }
  const auto refuse = [&](int status, std::string reason) {
    decision.status = status;
    decision.reason = std::move(reason);
    return decision;
  };
  if (request.old_size > checkpoint.tree_size) {
    return refuse(400, "old size " + std::to_string(request.old_size) +
                           " is larger than the checkpoint size " +
                           std::to_string(checkpoint.tree_size));
  }
  if (request.old_size != decision.latest_size) {
    return refuse(409, "old size " + std::to_string(request.old_size) +
                           " is not the latest cosigned size " +
                           std::to_string(decision.latest_size));
  }
  if (checkpoint.tree_size == 0 && checkpoint.root_hash != EmptyTreeHash()) {
    if (!decision.evidence) decision.evidence = EvidenceReason::kInconsistent;
    return refuse(422, "a checkpoint of size 0 must have the empty tree's root hash");
  }
  if (request.old_size == 0) {
    if (!request.proof.empty()) return refuse(422, "a consistency proof from size 0 must be empty");
    return decision;
  }
  // old_size == latest size > 0, so `latest` is set.
  if (checkpoint.tree_size == latest->tree_size) {
    if (checkpoint.root_hash != latest->root_hash) {
      return refuse(422, "the checkpoint has the latest cosigned size with another root hash");
    }
    if (!request.proof.empty()) return refuse(422, "a consistency proof between equal trees must be empty");
    return decision;
  }
  if (!VerifyConsistency(latest->tree_size, checkpoint.tree_size, request.proof, latest->root_hash,
                         checkpoint.root_hash)) {
    decision.evidence = EvidenceReason::kInconsistent;
    return refuse(422, "the consistency proof from size " + std::to_string(latest->tree_size) +
                           " does not verify");
  }
  return decision;
}

}  // namespace jejak::ledger
