// tlog-witness.md "add-checkpoint": the request body and the 409 body, both directions.
#include "ledger/witness.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "base/check.h"
#include "crypto/encoding.h"
#include "ledger/checkpoint.h"

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

}  // namespace jejak::ledger
