// `jejak witness-init` and `jejak witness` (cli/witness_commands.h): the witness's data
// directory, and serving it with the service's HTTPS frame (server/https_main.h: the same
// limits, request log lines and graceful SIGTERM as `jejak serve`) around its own small
// handler (cli/witness_service.h).
#include "cli/witness_commands.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/witness_config.h"
#include "cli/witness_service.h"
#include "crypto/certificate.h"
#include "crypto/ed25519.h"
#include "db/witness_store.h"
#include "ledger/cosignature.h"
#include "ledger/note.h"
#include "server/https_main.h"

namespace jejak::cli {
namespace {

namespace fs = std::filesystem;

// A witness private key file larger than this is not one.
constexpr std::uintmax_t kKeyFileBytesMax = 64 * 1024;

std::string WitnessConfigPath(const std::string& data) { return (fs::path(data) / "witness.conf").string(); }

}  // namespace

int WitnessInit(const Args& args) {
  if (!args.positional.empty()) return Usage("witness-init: unexpected argument " + args.positional[0]);
  const std::optional<std::string> data = args.Get("data");
  const std::optional<std::string> name = args.Get("name");
  if (!data || !name) return Usage("witness-init: --data WDIR and --name NAME are required");
  if (!ledger::ValidKeyName(*name)) {
    return Usage("witness-init: --name must be a key name such as inspektorat.example.go.id/saksi-1 "
                 "(no spaces, no '+')");
  }
  const std::string listen = args.Get("listen").value_or(kWitnessListenDefault);
  if (Result<server::ListenAddress> address = server::ParseListenAddress(listen); !address) {
    return Usage("witness-init: " + address.error().message);
  }
  const fs::path dir = fs::absolute(*data).lexically_normal();
  const fs::path config_path = dir / "witness.conf";
  const fs::path keys = dir / "keys";
  const fs::path tls = dir / "tls";
  const fs::path key_path = keys / "witness.key";
  const fs::path vkey_path = keys / "witness.vkey";
  const fs::path cert_path = tls / "cert.pem";
  const fs::path tls_key_path = tls / "key.pem";
  std::error_code ec;
  for (const fs::path& existing : {config_path, key_path, vkey_path, cert_path, tls_key_path}) {
    if (fs::exists(existing, ec)) {
      return Usage("witness-init: " + existing.string() + " already exists; refusing to touch an existing witness");
    }
  }
  const bool dir_existed = fs::exists(dir, ec);
  fs::create_directories(keys, ec);
  if (!ec) fs::create_directories(tls, ec);
  if (ec) return Usage("witness-init: cannot create " + dir.string() + ": " + ec.message());
  // The owner only, whatever the umask; a directory that existed is the caller's, and
  // `jejak witness` refuses it if others can write it.
  if (!dir_existed) fs::permissions(dir, fs::perms::owner_all, ec);
  if (!ec) fs::permissions(keys, fs::perms::owner_all, ec);
  if (!ec) fs::permissions(tls, fs::perms::owner_all, ec);
  if (ec) return Usage("witness-init: cannot restrict " + dir.string() + " to its owner: " + ec.message());

  const crypto::PrivateKey key = crypto::GenerateKey();
  const ledger::CosignerKey cosigner{*name, ledger::CosignerKeyId(*name, key.public_key), key.public_key};
  const std::string vkey = ledger::FormatCosignerKey(cosigner);
  const crypto::SelfSignedCertificate certificate = crypto::MakeSelfSignedCertificate(
      "localhost", {"localhost"}, {"127.0.0.1", "::1"}, std::chrono::hours(24 * 825));
  WitnessConfig config;
  config.path = config_path.string();
  config.data_dir = dir.string();
  config.name = *name;
  config.key = key_path.string();
  config.database = (dir / "witness.db").string();
  config.listen = listen;
  config.tls_certificate = cert_path.string();
  config.tls_key = tls_key_path.string();
  const fs::perms secret = fs::perms::owner_read | fs::perms::owner_write;
  if (!WriteFile(key_path, crypto::PrivateKeyToPem(key), secret) ||
      !WriteFile(vkey_path, vkey + "\n", secret) ||
      !WriteFile(cert_path, certificate.certificate_pem, secret) ||
      !WriteFile(tls_key_path, certificate.private_key_pem, secret) ||
      !WriteFile(config_path, FormatWitnessConfig(config), secret)) {
    for (const fs::path& path : {key_path, vkey_path, cert_path, tls_key_path, config_path}) fs::remove(path, ec);
    return Usage("witness-init: cannot write the witness's files under " + dir.string());
  }
  std::printf("%s\n", vkey.c_str());
  std::fprintf(stderr,
               "created witness %s in %s; add `log = ORIGIN VKEY` lines to %s for the logs it "
               "witnesses, and give each log this line for its jejak.conf:\n"
               "witness = %s https://HOST:PORT %s\n",
               name->c_str(), dir.c_str(), config_path.c_str(), vkey.c_str(), cert_path.c_str());
  return kExitOk;
}

int Witness(const Args& args) {
  if (!args.positional.empty()) return Usage("witness: unexpected argument " + args.positional[0]);
  // Before any thread starts: only ServeUntilSignal's thread takes SIGTERM and SIGINT.
  const sigset_t signals = server::BlockShutdownSignals();
  const std::optional<std::string> data = args.Get("data");
  if (!data) return Usage("witness: --data WDIR is required");
  Result<WitnessConfig> config = LoadWitnessConfig(WitnessConfigPath(*data));
  if (!config) {
    return Usage("witness: " + config.error().message +
                 (config.error().code == Code::kNotFound ? " (run jejak witness-init)" : ""));
  }
  if (Result<void> modes = server::CheckDataDirModes(ModesCheckConfig(*config)); !modes) {
    return Usage("witness: " + modes.error().message);
  }
  Result<server::ListenAddress> address = server::ParseListenAddress(args.Get("listen").value_or(config->listen));
  if (!address) return Usage("witness: " + address.error().message);
  const std::optional<std::string> pem = ReadFile(config->key, kKeyFileBytesMax);
  const std::optional<crypto::PrivateKey> key = pem ? crypto::ParsePrivateKeyPem(*pem) : std::nullopt;
  if (!key) return Usage("witness: cannot read the Ed25519 key " + config->key);
  Result<std::shared_ptr<boost::asio::ssl::context>> context =
      server::LoadServerTls(config->tls_certificate, config->tls_key);
  if (!context) return Usage("witness: " + context.error().ToString());
  Result<std::unique_ptr<db::WitnessStore>> store = db::WitnessStore::Open(config->database, config->evidence_max);
  if (!store) return Usage("witness: cannot open " + config->database + ": " + store.error().ToString());
  if (config->logs.empty()) {
    std::fprintf(stderr, "jejak: witness: warning: %s names no log (log = ORIGIN VKEY); every "
                         "submission will be 404\n", config->path.c_str());
  }
  const server::ServerLimits limits = server::TransportLimits(config->transport, "witness");
  auto service = std::make_shared<WitnessService>(*config, std::move(store).value(), *key);
  const int served = server::ServeUntilSignal(
      "witness", limits, *context, *address,
      [service](server::HttpRequest request, server::Responder respond) { service->Handle(request, respond); },
      nullptr, signals);
  if (served == 0) std::fprintf(stderr, "{\"event\":\"shutdown.done\"}\n");
  return served;
}

}  // namespace jejak::cli
