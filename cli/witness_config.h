// The witness program's configuration file, WDIR/witness.conf ("key = value", '#'
// comments, paths relative to the file's directory): its name and key, its database,
// where it listens, its TLS files, the logs it witnesses (`log = ORIGIN VKEY`, repeatable)
// and the same transport limit keys as jejak.conf. `jejak witness-init` writes one.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/result.h"
#include "db/witness_store.h"
#include "ledger/witness.h"
#include "server/config.h"

namespace jejak::cli {

inline constexpr const char* kWitnessListenDefault = "127.0.0.1:8444";

struct WitnessConfig {
  std::string path;      // The file, absolute.
  std::string data_dir;  // Its directory.
  std::string name;      // The witness's key name (a valid note key name).
  std::string key;       // Absolute path of its Ed25519 PKCS#8 PEM private key.
  std::string database;  // Absolute path of its SQLite file (default witness.db).
  std::string listen = kWitnessListenDefault;
  std::string tls_certificate;  // Absolute paths, PEM.
  std::string tls_key;
  // The logs it cosigns for, one entry per origin with every key given for it.
  std::vector<ledger::WitnessedLog> logs;
  std::size_t evidence_max = db::kWitnessEvidenceMaxDefault;
  // The transport limits (server::ReadTransportLimit); only those fields are read.
  server::Config transport;
};

// Reads and checks `path`. kNotFound if there is no such file; kInvalidArgument naming the
// line for an unknown key, a key set twice, a malformed `log` line (ORIGIN, then a signed-
// note Ed25519 verifier key), a name that is not a key name, or a missing name or key.
Result<WitnessConfig> LoadWitnessConfig(const std::string& path);

// The text of a witness.conf for `config` (paths relative to its data_dir), with comments.
std::string FormatWitnessConfig(const WitnessConfig& config);

// The same config as a server::Config for server::CheckDataDirModes (data directory,
// keys/, tls/, the config, the database and the private keys).
server::Config ModesCheckConfig(const WitnessConfig& config);

}  // namespace jejak::cli
