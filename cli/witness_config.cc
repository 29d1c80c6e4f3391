// WDIR/witness.conf (cli/witness_config.h), read with the service's config line reader
// and limit keys (server/config.h), so both files follow one syntax.
#include "cli/witness_config.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "ledger/note.h"

namespace jejak::cli {
namespace {

namespace fs = std::filesystem;

std::string Relative(const std::string& dir, const std::string& value) {
  const fs::path relative = fs::path(value).lexically_relative(dir);
  if (relative.empty() || relative.string().rfind("..", 0) == 0) return value;
  return relative.string();
}

// `log = ORIGIN VKEY`: the origin is everything before the last space (an origin line may
// hold spaces; a verifier key never does).
Result<void> ReadLog(WitnessConfig& config, const server::ConfigLine& line) {
  const std::size_t space = line.value.find_last_of(" \t");
  if (space == std::string::npos) return InvalidArgument(line.where + "log needs: ORIGIN VKEY");
  std::string origin = line.value.substr(0, space);
  origin.erase(origin.find_last_not_of(" \t") + 1);
  const std::string vkey = line.value.substr(space + 1);
  if (origin.empty() || !ledger::ValidNoteText(origin + "\n")) {
    return InvalidArgument(line.where + "log origin must be one line of text");
  }
  const std::optional<ledger::NoteVerifier> key = ledger::ParseVerifierKey(vkey);
  if (!key) {
    return InvalidArgument(line.where + "log key must be a signed-note Ed25519 verifier key "
                                        "NAME+HEXID+BASE64 (the log's keys/checkpoint.vkey)");
  }
  auto known = std::find_if(config.logs.begin(), config.logs.end(),
                            [&](const ledger::WitnessedLog& log) { return log.origin == origin; });
  if (known == config.logs.end()) {
    config.logs.push_back(ledger::WitnessedLog{origin, {}});
    known = config.logs.end() - 1;
  }
  known->keys.push_back(*key);
  return Ok();
}

}  // namespace

Result<WitnessConfig> LoadWitnessConfig(const std::string& path) {
  Result<std::vector<server::ConfigLine>> lines = server::ReadConfigLines(path);
  if (!lines) return lines.error();
  WitnessConfig config;
  config.path = fs::absolute(path).lexically_normal().string();
  config.data_dir = fs::path(config.path).parent_path().string();
  config.database = "witness.db";
  std::map<std::string, std::string*> text = {
      {"name", &config.name},       {"key", &config.key},
      {"database", &config.database}, {"listen", &config.listen},
      {"tls_certificate", &config.tls_certificate}, {"tls_key", &config.tls_key},
  };
  std::set<std::string> seen;
  for (const server::ConfigLine& line : *lines) {
    if (line.key == "log") {
      if (Result<void> read = ReadLog(config, line); !read) return read.error();
      continue;
    }
    if (!seen.insert(line.key).second) return InvalidArgument(line.where + "'" + line.key + "' set twice");
    if (auto found = text.find(line.key); found != text.end()) {
      *found->second = line.value;
      continue;
    }
    if (line.key == "evidence_max") {
      char* end = nullptr;
      const long long value = std::strtoll(line.value.c_str(), &end, 10);
      if (*end != '\0' || value < 1 || value > 1000000) {
        return InvalidArgument(line.where + "'evidence_max' must be an integer from 1 to 1000000");
      }
      config.evidence_max = static_cast<std::size_t>(value);
      continue;
    }
    Result<bool> limit = server::ReadTransportLimit(config.transport, line);
    if (!limit) return limit.error();
    if (!*limit) return InvalidArgument(line.where + "unknown key '" + line.key + "'");
  }
  if (config.name.empty()) return InvalidArgument(path + ": missing required key 'name'");
  if (config.key.empty()) return InvalidArgument(path + ": missing required key 'key'");
  if (!ledger::ValidKeyName(config.name)) {
    return InvalidArgument(path + ": name must be a key name (no spaces, no '+')");
  }
  for (std::string* file : {&config.key, &config.database, &config.tls_certificate, &config.tls_key}) {
    if (!file->empty()) *file = server::ResolveConfigPath(config.data_dir, *file);
  }
  return config;
}

std::string FormatWitnessConfig(const WitnessConfig& config) {
  std::ostringstream out;
  out << "# Jejak witness configuration, written by `jejak witness-init`. See docs/witness.md.\n"
      << "# Relative paths are relative to this file's directory.\n\n"
      << "# The witness's name (its cosignatures carry it) and its Ed25519 key (keep secret).\n"
      << "name = " << config.name << "\n"
      << "key = " << Relative(config.data_dir, config.key) << "\n"
      << "# Its own SQLite file: the latest checkpoint cosigned per log, and evidence.\n"
      << "database = " << Relative(config.data_dir, config.database) << "\n"
      << "\n# HTTPS.\n"
      << "listen = " << config.listen << "\n"
      << "tls_certificate = " << Relative(config.data_dir, config.tls_certificate) << "\n"
      << "tls_key = " << Relative(config.data_dir, config.tls_key) << "\n"
      << "\n# The logs this witness cosigns for, one line each: the log's checkpoint origin,\n"
      << "# then its verifier key exactly as in the log's DIR/keys/checkpoint.vkey:\n"
      << "# log = jejak.example/kabupaten-contoh jejak.example/kabupaten-contoh+1a2b3c4d+AQ...\n";
  for (const ledger::WitnessedLog& log : config.logs) {
    for (const ledger::NoteVerifier& key : log.keys) {
      out << "log = " << log.origin << " " << ledger::FormatVerifierKey(key) << "\n";
    }
  }
  out << "\n# Limits (the same keys as jejak.conf; see ops/jejak.example.conf).\n"
      << "body_bytes_max = " << config.transport.body_bytes_max << "\n"
      << "request_timeout_seconds = " << config.transport.request_timeout.count() << "\n"
      << "idle_timeout_seconds = " << config.transport.idle_timeout.count() << "\n"
      << "connections_max = " << config.transport.connections_max << "\n"
      << "# Evidence rows kept at most per log, forks not counted (forks are always kept;\n"
      << "# a checkpoint is kept once per reason).\n"
      << "evidence_max = " << config.evidence_max << "\n";
  return out.str();
}

server::Config ModesCheckConfig(const WitnessConfig& config) {
  server::Config check;
  check.path = config.path;
  check.data_dir = config.data_dir;
  check.database = "sqlite:" + config.database;
  check.checkpoint_key = config.key;
  check.tls_key = config.tls_key;
  return check;
}

}  // namespace jejak::cli
