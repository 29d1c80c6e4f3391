// The configuration file (DIR/jejak.conf): "key = value" lines, '#' comments. Relative
// paths are relative to the file's directory. `jejak init` writes a working one;
// ops/jejak.example.conf documents every key.
#pragma once

#include <map>
#include <string>

#include "ledger/base/result.h"

namespace jejak::server {

struct Config {
  std::string path;           // The file this came from.
  std::string data_dir;       // Its directory.
  std::string region;         // "Pemerintah Kabupaten Rejang Lebong".
  std::string origin;         // The checkpoint origin and key name.
  std::string database;       // "sqlite:/abs/path/ledger.db".
  std::string checkpoint_key;   // Absolute path of the Ed25519 PEM private key.
  std::string checkpoint_vkey;  // Absolute path of the signed-note verifier key.
};

// Reads and checks `path`. kInvalidArgument naming the line for unknown keys, missing
// required keys or malformed lines; kNotFound if the file does not exist.
Result<Config> LoadConfig(const std::string& path);

// The text of a config file for `config` (paths written relative to its data_dir).
std::string FormatConfig(const Config& config);

}  // namespace jejak::server
