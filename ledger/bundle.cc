#include "ledger/bundle.h"

#include <nlohmann/json.hpp>

#include <utility>

#include "ledger/canonical.h"

namespace jejak::ledger {
namespace {

Error LineError(std::uint64_t line, const std::string& what) {
  return Error{Code::kDataLoss, "bundle line " + std::to_string(line) + ": " + what, {}};
}

}  // namespace

std::string BundleHeaderLine(std::string_view origin, std::string_view vkey) {
  nlohmann::json header = {{"format", std::string(kBundleFormat)},
                           {"origin", std::string(origin)},
                           {"key", std::string(vkey)}};
  return Canonicalize(header);
}

std::string BundleCheckpointLine(std::string_view note) {
  return Canonicalize(nlohmann::json{{"checkpoint", std::string(note)}});
}

BundleChecker::BundleChecker(NoteVerifier verifier) : chain_(std::move(verifier)) {}

Result<void> BundleChecker::AddLine(std::string_view line) {
  if (failed_) return LineError(lines_, "the bundle was already rejected");
  Result<void> added = Check(line);
  if (!added) failed_ = true;  // Finish() must not pass a bundle a line failed.
  return added;
}

Result<void> BundleChecker::Check(std::string_view line) {
  ++lines_;
  if (line.size() > kBundleLineBytesMax) return LineError(lines_, "line too long");
  if (checkpoint_seen_) return LineError(lines_, "data after the checkpoint line");
  if (lines_ == 1) {
    Result<nlohmann::json> header = ParseStrict(line);
    if (!header || !header->is_object() || header->size() != 3 ||
        header->value("format", "") != kBundleFormat || !(*header)["origin"].is_string() ||
        !(*header)["key"].is_string()) {
      return LineError(1, "not a jejak-bundle/1 header");
    }
    header_origin_ = (*header)["origin"].get<std::string>();
    return Ok();
  }
  // An entry always has "kind"; the checkpoint line is the only object without it.
  if (line.rfind("{\"checkpoint\":", 0) == 0) {
    Result<nlohmann::json> parsed = ParseStrict(line);
    if (!parsed || !parsed->is_object() || parsed->size() != 1 ||
        !(*parsed)["checkpoint"].is_string()) {
      return LineError(lines_, "malformed checkpoint line");
    }
    if (chain_.size() == 0) return LineError(lines_, "the bundle holds no entries");
    if (std::optional<Problem> problem =
            chain_.CheckCheckpoint((*parsed)["checkpoint"].get<std::string>())) {
      return ProblemError(*problem);
    }
    checkpoint_seen_ = true;  // Only a checkpoint that covered every entry counts.
    return Ok();
  }
  Result<RecomputedEntry> added = chain_.Add(line);
  if (!added) return added.error();
  if (chain_.size() == 1 && chain_.origin() != header_origin_) {
    return LineError(1, "header origin " + header_origin_ + " differs from the genesis origin " +
                            chain_.origin());
  }
  return Ok();
}

Result<BundleSummary> BundleChecker::Finish() const {
  if (failed_) return LineError(lines_, "a line of the bundle failed verification");
  if (lines_ == 0) return LineError(0, "empty bundle");
  if (!checkpoint_seen_) {
    return LineError(lines_, "the bundle ends without a checkpoint line (truncated?)");
  }
  return BundleSummary{chain_.size(), chain_.root(), chain_.origin()};
}

}  // namespace jejak::ledger
