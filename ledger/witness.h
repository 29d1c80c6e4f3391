// The wire format of C2SP tlog-witness (shared/testdata/c2sp-specs/tlog-witness.md): the
// body of `POST /add-checkpoint` (old size line, consistency proof lines, blank line,
// checkpoint note) and the `text/x.tlog.size` body of its 409 answer. Both ends use it:
// the witness program parses requests, the log's witness pusher formats them. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "crypto/sha256.h"

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

}  // namespace jejak::ledger
