#include "server/config.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace jejak::server {
namespace {

std::string Trim(const std::string& text) {
  const std::size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  const std::size_t end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

// A config file larger than this is not a config file.
constexpr std::uintmax_t kConfigBytesMax = 1024 * 1024;

std::string Resolve(const std::string& dir, const std::string& value) {
  std::filesystem::path path(value);
  if (path.is_absolute()) return path.string();
  return (std::filesystem::path(dir) / path).lexically_normal().string();
}

std::string Relative(const std::string& dir, const std::string& value) {
  std::filesystem::path relative = std::filesystem::path(value).lexically_relative(dir);
  if (relative.empty() || relative.string().rfind("..", 0) == 0) return value;
  return relative.string();
}

}  // namespace

Result<Config> LoadConfig(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Error{Code::kNotFound, "no config file at " + path, {}};
  }
  if (std::filesystem::file_size(path, ec) > kConfigBytesMax) {
    return InvalidArgument("config file " + path + " is larger than 1 MiB");
  }
  std::ifstream in(path);
  if (!in) return Error{Code::kNotFound, "cannot read " + path, {}};
  Config config;
  config.path = std::filesystem::absolute(path).lexically_normal().string();
  config.data_dir = std::filesystem::path(config.path).parent_path().string();
  std::map<std::string, std::string*> keys = {
      {"region", &config.region},
      {"origin", &config.origin},
      {"database", &config.database},
      {"checkpoint_key", &config.checkpoint_key},
      {"checkpoint_vkey", &config.checkpoint_vkey},
  };
  std::set<std::string> seen;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string trimmed = Trim(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    const std::size_t equals = trimmed.find('=');
    const std::string where = path + ":" + std::to_string(number) + ": ";
    if (equals == std::string::npos) return InvalidArgument(where + "expected key = value");
    const std::string key = Trim(trimmed.substr(0, equals));
    const std::string value = Trim(trimmed.substr(equals + 1));
    auto found = keys.find(key);
    if (found == keys.end()) return InvalidArgument(where + "unknown key '" + key + "'");
    if (!seen.insert(key).second) return InvalidArgument(where + "'" + key + "' set twice");
    if (value.empty()) return InvalidArgument(where + "'" + key + "' is empty");
    *found->second = value;
  }
  for (const auto& [key, value] : keys) {
    if (value->empty()) return InvalidArgument(path + ": missing required key '" + key + "'");
  }
  if (config.database.rfind("postgresql://", 0) != 0) {
    std::string file = config.database;
    if (file.rfind("sqlite:", 0) == 0) file = file.substr(7);
    config.database = "sqlite:" + Resolve(config.data_dir, file);
  }
  config.checkpoint_key = Resolve(config.data_dir, config.checkpoint_key);
  config.checkpoint_vkey = Resolve(config.data_dir, config.checkpoint_vkey);
  return config;
}

std::string FormatConfig(const Config& config) {
  std::ostringstream out;
  std::string database = config.database;
  if (database.rfind("sqlite:", 0) == 0) {
    database = "sqlite:" + Relative(config.data_dir, database.substr(7));
  }
  out << "# Jejak configuration, written by `jejak init`. See ops/jejak.example.conf.\n"
      << "# Relative paths are relative to this file's directory.\n\n"
      << "# The regional government this ledger belongs to.\n"
      << "region = " << config.region << "\n"
      << "# Origin line of every checkpoint, and the checkpoint key's name.\n"
      << "origin = " << config.origin << "\n"
      << "# sqlite:FILE (embedded, the default).\n"
      << "database = " << database << "\n"
      << "# The ledger's Ed25519 checkpoint key (keep secret) and its verifier key (publish).\n"
      << "checkpoint_key = " << Relative(config.data_dir, config.checkpoint_key) << "\n"
      << "checkpoint_vkey = " << Relative(config.data_dir, config.checkpoint_vkey) << "\n";
  return out.str();
}

}  // namespace jejak::server
