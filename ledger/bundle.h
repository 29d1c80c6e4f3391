// The offline verification bundle (DESIGN "Offline bundle", application/x-ndjson): a
// header line, every entry's canonical bytes from seq 0, and a final checkpoint line that
// covers exactly those entries. BundleChecker verifies one line at a time in constant
// memory, trusting only the verifier key it is given, never the key named in the header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/verifier.h"

namespace jejak::ledger {

inline constexpr std::string_view kBundleFormat = "jejak-bundle/1";
// A bundle line holds one entry or the checkpoint note with its cosignatures.
inline constexpr std::size_t kBundleLineBytesMax = 256 * 1024;

// Line 1: {"format":"jejak-bundle/1","key":<vkey>,"origin":<origin>} (canonical JSON).
std::string BundleHeaderLine(std::string_view origin, std::string_view vkey);
// Last line: {"checkpoint":<note>}.
std::string BundleCheckpointLine(std::string_view note);

struct BundleSummary {
  std::uint64_t entries = 0;
  Digest root{};
  std::string origin;
};

class BundleChecker {
 public:
  explicit BundleChecker(NoteVerifier verifier);

  // Feeds the next line, without its "\n". A Problem (as a kDataLoss Error, see
  // ProblemOf) names the seq at fault; malformed lines name the line number.
  Result<void> AddLine(std::string_view line);
  // After the last line: the checkpoint line was seen and covered every entry, and no
  // line failed (once one has, every later call fails too).
  Result<BundleSummary> Finish() const;

 private:
  Result<void> Check(std::string_view line);

  ChainVerifier chain_;
  std::uint64_t lines_ = 0;
  std::string header_origin_;
  bool checkpoint_seen_ = false;
  bool failed_ = false;
};

}  // namespace jejak::ledger
