// Small local-file helpers of the `jejak` commands: bounded reads of keys, tokens, configs
// and inputs, and whole-file writes with a given mode. Used by cli/ledger_commands.cc,
// cli/serve_commands.cc and cli/audit_client.cc.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace jejak::cli {

// The content of the regular file `path`, or nullopt if it is missing, not a regular
// file, larger than `bytes_max` or unreadable.
std::optional<std::string> ReadFile(const std::string& path, std::uintmax_t bytes_max);

// Writes `content` to `path` (truncating) and sets `permissions`. False on any failure.
bool WriteFile(const std::filesystem::path& path, const std::string& content,
               std::filesystem::perms permissions);

// `text` without trailing newlines, carriage returns and spaces.
std::string Trim(std::string text);

}  // namespace jejak::cli
