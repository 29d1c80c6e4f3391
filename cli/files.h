// Small local-file helpers of the `jejak` commands: bounded reads of keys, tokens, configs
// and inputs, whole-file writes with a given mode, and a bundle file read line by line.
// Used by cli/ledger_commands.cc, cli/serve_commands.cc, cli/audit_client.cc and
// cli/backup_commands.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "ledger/bundle.h"

namespace jejak::cli {

// The content of the regular file `path`, or nullopt if it is missing, not a regular
// file, larger than `bytes_max` or unreadable.
std::optional<std::string> ReadFile(const std::string& path, std::uintmax_t bytes_max);

// Writes `content` to `path` (truncating) and sets `permissions`. False on any failure.
bool WriteFile(const std::filesystem::path& path, const std::string& content,
               std::filesystem::perms permissions);

// `text` without trailing newlines, carriage returns and spaces.
std::string Trim(std::string text);

// At most this many threads prepare bundle entries besides the one reading and chaining
// (`jejak verify-bundle`, `jejak import`).
inline constexpr unsigned kBundleHelpersMax = 3;

// The lines of a bundle file, read in large chunks: a ledger::LineSource. A line is
// everything up to a "\n" or the end of the file; one longer than
// ledger::kBundleLineBytesMax is not read whole (kTooLong).
class BundleFileLines {
 public:
  explicit BundleFileLines(std::istream& in) : in_(in), buffer_(kChunkBytes) {}

  // The next line into `line` (without its "\n"), or the end of the input.
  ledger::LineRead Next(std::string& line);

 private:
  static constexpr std::size_t kChunkBytes = 1 << 20;
  std::istream& in_;
  std::vector<char> buffer_;
  std::size_t position_ = 0;
  std::size_t length_ = 0;
};

}  // namespace jejak::cli
