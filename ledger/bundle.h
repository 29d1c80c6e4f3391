// The offline verification bundle (DESIGN "Offline bundle", application/x-ndjson): a
// header line, every entry's canonical bytes from seq 0, and a final checkpoint line that
// covers exactly those entries. BundleChecker verifies one line at a time in constant
// memory, trusting only the verifier key it is given, never the key named in the header.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "ledger/limits.h"
#include "ledger/verifier.h"

namespace jejak::ledger {

inline constexpr std::string_view kBundleFormat = "jejak-bundle/1";
// A bundle line holds one entry's canonical bytes, as stored (a bank statement may take
// kStoredEntryBytesMax), or the header or the checkpoint note with its cosignatures (at
// most kEntryBytesMax: they are parsed as request JSON is). Readers hold one line at a time.
inline constexpr std::size_t kBundleLineBytesMax = kStoredEntryBytesMax;

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
  // The same for a line that IsEntryLine says holds an entry, with `prepared` =
  // PrepareEntry(line) computed ahead (on any thread): the same checks and errors.
  Result<void> AddLine(std::string_view line, PreparedEntry prepared);

  // True iff line number `number` (from 1) with bytes `line` is read as an entry (not the
  // header, not the checkpoint line), so that it may be prepared ahead.
  static bool IsEntryLine(std::uint64_t number, std::string_view line);
  // After the last line: the checkpoint line was seen and covered every entry, and no
  // line failed (once one has, every later call fails too).
  Result<BundleSummary> Finish() const;

  // Receives each entry line once it verified, in seq order: its seq, its bytes and what
  // was recomputed of it (`jejak import` writes the entry from them). An Error it returns
  // fails the line as a failed check would (the checker returns it unchanged).
  using EntrySink =
      std::function<Result<void>(std::int64_t seq, std::string_view line, const RecomputedEntry& entry)>;
  void SetEntrySink(EntrySink sink) { sink_ = std::move(sink); }
  // The checkpoint line's note, as the line holds it (with any cosignature lines); empty
  // until the checkpoint line verified.
  const std::string& checkpoint_note() const { return checkpoint_note_; }

 private:
  Result<void> Check(std::string_view line, std::optional<PreparedEntry> prepared);

  ChainVerifier chain_;
  std::uint64_t lines_ = 0;
  std::string header_origin_;
  bool checkpoint_seen_ = false;
  bool failed_ = false;
  EntrySink sink_;
  std::string checkpoint_note_;
};

// What a line source gives: a line (without its "\n"), the end of the input, or a line
// longer than kBundleLineBytesMax (not read whole).
enum class LineRead { kLine, kEnd, kTooLong };
using LineSource = std::function<LineRead(std::string& line)>;

// Checks a whole bundle: every line `next_line` gives goes to `checker` in order, then
// Finish(). The result is exactly that of feeding each line to AddLine and then calling
// Finish() (the first error wins); a line too long is, after the lines before it, the
// kDataLoss error "a line is longer than 67108864 bytes" (kBundleLineBytesMax). Faster:
// entry lines are read ahead in batches (at most two in memory, each of kBundleBatchLines
// lines or kBundleBatchBytes and at most one line more) and prepared on `helpers` threads
// besides the caller's.
inline constexpr std::size_t kBundleBatchLines = 1024;
inline constexpr std::size_t kBundleBatchBytes = 8 * 1024 * 1024;
Result<BundleSummary> CheckBundle(BundleChecker& checker, const LineSource& next_line,
                                  unsigned helpers);

}  // namespace jejak::ledger
