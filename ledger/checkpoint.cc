// Checkpoints: C2SP tlog-checkpoint (tests/testdata/c2sp-specs/tlog-checkpoint.md) note
// texts with the ledger's two extension lines, signed as C2SP signed notes.
#include "ledger/checkpoint.h"

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "crypto/encoding.h"
#include "base/check.h"

namespace jejak::ledger {
namespace {

constexpr std::string_view kChainPrefix = "chain ";
constexpr std::string_view kTimePrefix = "time ";
// "YYYY-MM-DDTHH:MM:SS.mmmZ".
constexpr std::size_t kTimeChars = 24;

Error Malformed(std::string why) { return InvalidArgument("malformed checkpoint: " + why); }

// Splits newline-terminated `text` into its lines (without newlines). Nullopt if `text`
// is empty or does not end in a newline.
std::optional<std::vector<std::string_view>> SplitLines(std::string_view text) {
  if (text.empty() || text.back() != '\n') return std::nullopt;
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');  // Found: `text` ends in a newline.
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  return lines;
}

}  // namespace

std::optional<std::uint64_t> ParseTreeSize(std::string_view line) {
  if (line.empty() || line.size() > 20) return std::nullopt;
  if (line.size() > 1 && line[0] == '0') return std::nullopt;
  std::uint64_t value = 0;
  for (char c : line) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

namespace {

// tlog-checkpoint.md "Note text" item 3: the base64 of a 32-byte SHA-256 root.
std::optional<crypto::Digest> ParseRootHash(std::string_view line) {
  const std::optional<std::vector<std::uint8_t>> bytes = crypto::Base64Decode(line);
  if (!bytes || bytes->size() != crypto::kDigestBytes) return std::nullopt;
  crypto::Digest digest{};
  std::copy(bytes->begin(), bytes->end(), digest.begin());
  return digest;
}

bool Digits(std::string_view text, std::size_t at, std::size_t count, int& value) {
  value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

bool LeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// RFC 3339 §5.6 date-time restricted to what the server writes: UTC ("Z"), exactly
// three fraction digits, and §5.7's ranges (leap seconds are never written).
bool ValidTime(std::string_view time) {
  if (time.size() != kTimeChars) return false;
  if (time[4] != '-' || time[7] != '-' || time[10] != 'T' || time[13] != ':' || time[16] != ':' ||
      time[19] != '.' || time[23] != 'Z') {
    return false;
  }
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  if (!Digits(time, 0, 4, year) || !Digits(time, 5, 2, month) || !Digits(time, 8, 2, day) ||
      !Digits(time, 11, 2, hour) || !Digits(time, 14, 2, minute) || !Digits(time, 17, 2, second) ||
      !Digits(time, 20, 3, millis)) {
    return false;
  }
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return false;
  const int days = kDaysInMonth[month - 1] + (month == 2 && LeapYear(year) ? 1 : 0);
  return day >= 1 && day <= days && hour <= 23 && minute <= 59 && second <= 59;
}

// The three mandatory lines of tlog-checkpoint.md "Note text".
Result<CheckpointCore> ParseCore(const std::vector<std::string_view>& lines) {
  if (lines.size() < 3) return Malformed("fewer than three lines");
  CheckpointCore core;
  if (lines[0].empty()) return Malformed("empty origin");
  core.origin = std::string(lines[0]);
  const std::optional<std::uint64_t> tree_size = ParseTreeSize(lines[1]);
  if (!tree_size) return Malformed("tree size is not a canonical decimal");
  core.tree_size = *tree_size;
  const std::optional<crypto::Digest> root_hash = ParseRootHash(lines[2]);
  if (!root_hash) return Malformed("root hash is not base64 of 32 bytes");
  core.root_hash = *root_hash;
  return core;
}

Result<std::vector<std::string_view>> CheckedLines(std::string_view text) {
  if (!ValidNoteText(text)) return Malformed("not UTF-8 text without control characters");
  std::optional<std::vector<std::string_view>> lines = SplitLines(text);
  if (!lines) return Malformed("text does not end in a newline");
  return std::move(*lines);
}

}  // namespace

std::string FormatCheckpointText(const Checkpoint& checkpoint) {
  JEJAK_CHECK(!checkpoint.origin.empty());
  JEJAK_CHECK(checkpoint.origin.find('\n') == std::string::npos);
  JEJAK_CHECK(ValidNoteText(checkpoint.origin));
  JEJAK_CHECK(ValidTime(checkpoint.time));
  std::string text = checkpoint.origin;
  text += '\n';
  text += std::to_string(checkpoint.tree_size);
  text += '\n';
  text += crypto::Base64Encode(checkpoint.root_hash);
  text += '\n';
  text += kChainPrefix;
  text += crypto::ToHex(checkpoint.chain_hash);
  text += '\n';
  text += kTimePrefix;
  text += checkpoint.time;
  text += '\n';
  return text;
}

Result<Checkpoint> ParseCheckpointText(std::string_view text) {
  Result<std::vector<std::string_view>> lines = CheckedLines(text);
  if (!lines) return lines.error();
  Result<CheckpointCore> core = ParseCore(*lines);
  if (!core) return core.error();
  if (lines->size() < 5) return Malformed("missing chain or time line");
  if (lines->size() > 5) return Malformed("unknown extension line");
  Checkpoint checkpoint;
  checkpoint.origin = std::move(core->origin);
  checkpoint.tree_size = core->tree_size;
  checkpoint.root_hash = core->root_hash;
  const std::string_view chain_line = (*lines)[3];
  if (!chain_line.starts_with(kChainPrefix)) return Malformed("fourth line is not chain");
  const std::optional<crypto::Digest> chain_hash =
      crypto::DigestFromHex(chain_line.substr(kChainPrefix.size()));
  if (!chain_hash) return Malformed("chain hash is not 64 lowercase hex digits");
  checkpoint.chain_hash = *chain_hash;
  const std::string_view time_line = (*lines)[4];
  if (!time_line.starts_with(kTimePrefix)) return Malformed("fifth line is not time");
  const std::string_view time = time_line.substr(kTimePrefix.size());
  if (!ValidTime(time)) return Malformed("time is not RFC 3339 UTC with milliseconds");
  checkpoint.time = std::string(time);
  return checkpoint;
}

Result<CheckpointCore> ParseCheckpointCore(std::string_view text) {
  Result<std::vector<std::string_view>> lines = CheckedLines(text);
  if (!lines) return lines.error();
  // tlog-checkpoint.md "Note text" item 4: extension lines, if any, are non-empty.
  for (std::size_t i = 3; i < lines->size(); ++i) {
    if ((*lines)[i].empty()) return Malformed("empty extension line");
  }
  return ParseCore(*lines);
}

std::string SignCheckpoint(const Checkpoint& checkpoint, const NoteSigner& signer) {
  return SignNote(FormatCheckpointText(checkpoint), signer);
}

Result<Checkpoint> OpenCheckpoint(std::string_view note, const NoteVerifier& verifier) {
  Result<std::string> text = OpenNote(note, verifier);
  if (!text) return text.error();
  return ParseCheckpointText(*text);
}

}  // namespace jejak::ledger
