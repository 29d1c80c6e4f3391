#include "server/cli.h"

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/certificate.h"
#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "db/kept_checkpoint.h"
#include "db/store.h"
#include "ledger/bundle.h"
#include "ledger/canonical.h"
#include "ledger/entry.h"
#include "ledger/limits.h"
#include "ledger/note.h"
#include "server/audit_client.h"
#include "server/auth.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/demo_generator.h"
#include "server/service.h"

namespace jejak::server {
namespace {

namespace fs = std::filesystem;

// An input file for `jejak append` larger than this is refused rather than read.
constexpr std::uintmax_t kAppendFileBytesMax = 1024ull * 1024 * 1024;
// Entries per group commit for `jejak append`, unless --batch says otherwise.
constexpr std::size_t kAppendBatchDefault = 256;
constexpr std::size_t kAppendBatchMax = 10000;

// A failed command: the exit code and the one-line reason.
struct Failure {
  int exit_code = kExitUsage;
  std::string reason;
};

int Fail(const Failure& failure) {
  std::fprintf(stderr, "jejak: %s\n", failure.reason.c_str());
  return failure.exit_code;
}

int Usage(const std::string& reason) { return Fail({kExitUsage, reason}); }

constexpr const char* kUsage =
    "usage: jejak <command> [options]\n"
    "\n"
    "commands:\n"
    "  init --data DIR --region NAME [--origin O] [--db URL]\n"
    "      create a new ledger: config, database, genesis entry, checkpoint key\n"
    "  append --data DIR --sub NAME [--batch N] FILE|-\n"
    "      append one JSON entry, or NDJSON entries in group commits of N (default 256)\n"
    "  checkpoint --data DIR\n"
    "      print the newest signed checkpoint\n"
    "  verify --data DIR [--key VKEYFILE] [--checkpoint NOTEFILE]\n"
    "      recompute and check the whole ledger; exit 1 naming the first bad seq\n"
    "  export-bundle --data DIR [--to-seq N] [--out FILE]\n"
    "      write the offline verification bundle (NDJSON)\n"
    "  verify-bundle BUNDLE --key VKEYFILE\n"
    "      verify a bundle offline, trusting only the key file\n"
    "  serve --data DIR [--listen HOST:PORT] | --config FILE [--listen HOST:PORT]\n"
    "      serve the HTTPS API until SIGTERM or SIGINT\n"
    "  token --data DIR --role R --sub NAME [--opd CODE] [--ttl 8h]\n"
    "      print a bearer token from the local issuer (roles: officer, auditor,\n"
    "      executive, admin; officers need --opd)\n"
    "  demo [--data DIR] [--port N | --listen HOST:PORT] [--entries N]\n"
    "      record a sample regency's year in DIR (default var/demo) if it is not there,\n"
    "      verify it, print a token per role and serve it (default 127.0.0.1:8443)\n"
    "  audit --server URL --token-file F --key VKEYFILE --state DIR [--full]\n"
    "        [--cosign KEYFILE --cosigner-name NAME] [--ca-cert FILE]\n"
    "      the auditor's check of a server: signature, consistency with the checkpoint\n"
    "      kept in DIR, optionally every entry (--full), then cosign\n"
    "  cosigner-key --name NAME --out KEYFILE\n"
    "      make an auditor's witness key and print its cosigner verifier key\n"
    "\n"
    "exit codes: 0 ok, 1 verification failed, 2 usage or input error\n";

// Parsed command line: --flag value pairs and positional arguments.
struct Args {
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;

  std::optional<std::string> Get(const std::string& name) const {
    auto found = flags.find(name);
    if (found == flags.end()) return std::nullopt;
    return found->second;
  }
};

std::optional<Failure> ParseArgs(int argc, char** argv, const std::set<std::string>& allowed,
                                 Args& args) {
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--", 0) == 0 && arg.size() > 2) {
      std::string name = arg.substr(2);
      std::string value;
      const std::size_t equals = name.find('=');
      if (equals != std::string::npos) {
        value = name.substr(equals + 1);
        name = name.substr(0, equals);
      } else {
        if (i + 1 >= argc) return Failure{kExitUsage, "option --" + name + " needs a value"};
        value = argv[++i];
      }
      if (!allowed.count(name)) return Failure{kExitUsage, "unknown option --" + name};
      if (args.flags.count(name)) return Failure{kExitUsage, "option --" + name + " given twice"};
      args.flags[name] = value;
    } else {
      args.positional.push_back(arg);
    }
  }
  return std::nullopt;
}

std::optional<std::string> ReadFile(const std::string& path, std::uintmax_t bytes_max) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  if (fs::file_size(path, ec) > bytes_max) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

bool WriteFile(const fs::path& path, const std::string& content, fs::perms permissions) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    out << content;
    out.flush();
    if (!out) return false;
  }
  std::error_code ec;
  fs::permissions(path, permissions, ec);
  return !ec;
}

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

// Reads a verifier key file: one line "<name>+<id>+<key>".
std::optional<ledger::NoteVerifier> ReadVerifierKey(const std::string& path, Failure& failure) {
  std::optional<std::string> text = ReadFile(path, 4096);
  if (!text) {
    failure = {kExitUsage, "cannot read verifier key file " + path};
    return std::nullopt;
  }
  std::optional<ledger::NoteVerifier> verifier = ledger::ParseVerifierKey(Trim(*text));
  if (!verifier) failure = {kExitUsage, path + " is not a valid Ed25519 signed-note verifier key"};
  return verifier;
}

// The ledger under --data: its config, keys and an open store.
struct Ledger {
  Config config;
  ledger::NoteVerifier verifier;
  std::optional<ledger::NoteSigner> signer;
  std::unique_ptr<db::Store> store;
};

std::optional<Ledger> OpenLedger(const Args& args, bool need_signer, Failure& failure) {
  std::optional<std::string> data = args.Get("data");
  if (!data) {
    failure = {kExitUsage, "--data DIR is required"};
    return std::nullopt;
  }
  Result<Config> config = LoadConfig((fs::path(*data) / "jejak.conf").string());
  if (!config) {
    failure = {kExitUsage, config.error().code == Code::kNotFound
                               ? "no ledger in " + *data + " (" + config.error().message + "; run jejak init)"
                               : config.error().ToString()};
    return std::nullopt;
  }
  Ledger ledger;
  ledger.config = std::move(config).value();
  if (need_signer) {
    if (Result<void> modes = CheckDataDirModes(ledger.config); !modes) {
      failure = {kExitUsage, modes.error().message};
      return std::nullopt;
    }
  }
  std::optional<ledger::NoteVerifier> verifier =
      ReadVerifierKey(args.Get("key").value_or(ledger.config.checkpoint_vkey), failure);
  if (!verifier) return std::nullopt;
  ledger.verifier = *verifier;
  if (need_signer) {
    std::optional<std::string> pem = ReadFile(ledger.config.checkpoint_key, 64 * 1024);
    std::optional<crypto::PrivateKey> key = pem ? crypto::ParsePrivateKeyPem(*pem) : std::nullopt;
    if (!key) {
      failure = {kExitUsage, "cannot read the Ed25519 checkpoint key " + ledger.config.checkpoint_key};
      return std::nullopt;
    }
    ledger.signer = ledger::MakeSigner(ledger.config.origin, *key);
    if (ledger.signer->key_id != verifier->key_id) {
      failure = {kExitUsage, "the checkpoint key does not match " + ledger.config.checkpoint_vkey};
      return std::nullopt;
    }
  }
  if (!fs::exists(ledger.config.database.substr(7))) {
    failure = {kExitUsage, "the database " + ledger.config.database + " does not exist"};
    return std::nullopt;
  }
  Result<std::unique_ptr<db::Store>> store = db::Store::Open(db::StoreOptions{
      ledger.config.database, ledger.signer, db::KeptCheckpointPath(ledger.config.data_dir)});
  if (!store) {
    failure = {kExitUsage, store.error().ToString()};
    return std::nullopt;
  }
  ledger.store = std::move(store).value();
  if (need_signer) {
    // Never append onto a rewound ledger: the next entry would reuse an acknowledged seq.
    if (Result<void> kept = ledger.store->CheckKeptCheckpoint(ledger.verifier); !kept) {
      failure = {kept.error().code == Code::kDataLoss ? kExitVerificationFailed : kExitUsage,
                 kept.error().ToString()};
      return std::nullopt;
    }
  }
  return ledger;
}

std::string Slug(const std::string& text) {
  std::string slug;
  for (char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      slug += c;
    } else if (c >= 'A' && c <= 'Z') {
      slug += static_cast<char>(c - 'A' + 'a');
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

// `genesis_recorded_at` empty means now.
int CreateLedger(const Args& args, const std::string& genesis_recorded_at) {
  std::optional<std::string> data = args.Get("data");
  std::optional<std::string> region = args.Get("region");
  if (!data) return Usage("init: --data DIR is required");
  if (!region || region->empty()) return Usage("init: --region NAME is required");
  if (!args.positional.empty()) return Usage("init: unexpected argument " + args.positional[0]);
  const std::string origin = args.Get("origin").value_or("jejak.local/" + Slug(*region));
  if (!ledger::ValidKeyName(origin)) {
    return Usage("init: origin '" + origin + "' must be a key name: no spaces and no '+'");
  }
  std::string database = args.Get("db").value_or("sqlite:ledger.db");
  if (database.rfind("postgresql://", 0) == 0) {
    return Usage("init: PostgreSQL is not supported by this build yet; use the SQLite default");
  }
  if (database.rfind("sqlite:", 0) != 0) return Usage("init: --db must be sqlite:FILE");

  const fs::path dir = fs::absolute(*data).lexically_normal();
  const fs::path config_path = dir / "jejak.conf";
  const fs::path keys = dir / "keys";
  const fs::path key_path = keys / "checkpoint.key";
  const fs::path vkey_path = keys / "checkpoint.vkey";
  const fs::path issuer_key_path = keys / "token-issuer.pem";
  const fs::path issuer_public_path = keys / "token-issuer.pub.pem";
  const fs::path tls_dir = dir / "tls";
  const fs::path cert_path = tls_dir / "cert.pem";
  const fs::path tls_key_path = tls_dir / "key.pem";
  fs::path db_path = fs::path(database.substr(7));
  if (db_path.is_relative()) db_path = dir / db_path;
  std::error_code ec;
  for (const fs::path& existing : {config_path, key_path, vkey_path, issuer_key_path,
                                   issuer_public_path, cert_path, tls_key_path, db_path}) {
    if (fs::exists(existing, ec)) {
      return Usage("init: " + existing.string() + " already exists; refusing to touch an existing ledger");
    }
  }

  // Validate the genesis entry before creating anything.
  const crypto::PrivateKey key = crypto::GenerateKey();
  const ledger::NoteSigner signer = ledger::MakeSigner(origin, key);
  const std::string vkey = ledger::FormatVerifierKey(ledger::VerifierOf(signer));
  std::array<std::uint8_t, 16> id{};
  crypto::RandomBytes(id);
  nlohmann::json genesis_body = {{"kind", "genesis"},
                                 {"ledger_id", crypto::ToHex(id)},
                                 {"origin", origin},
                                 {"region", *region},
                                 {"checkpoint_key", vkey}};
  Result<nlohmann::json> genesis = ledger::ValidateGenesis(genesis_body);
  if (!genesis) return Usage("init: " + genesis.error().ToString());

  const bool dir_existed = fs::exists(dir, ec);
  fs::create_directories(keys, ec);
  if (ec) return Usage("init: cannot create " + keys.string() + ": " + ec.message());
  // Payee accounts and NPWPs live here: the owner only, whatever the umask.
  fs::permissions(dir, fs::perms::owner_all, ec);
  if (!ec) fs::permissions(keys, fs::perms::owner_all, ec);
  if (ec) return Usage("init: cannot restrict " + dir.string() + " to its owner: " + ec.message());
  auto undo = [&]() {
    std::error_code ignored;
    for (const fs::path& path :
         {key_path, vkey_path, issuer_key_path, issuer_public_path, cert_path, tls_key_path,
          db_path, fs::path(db_path.string() + "-wal"), fs::path(db_path.string() + "-shm"),
          config_path}) {
      fs::remove(path, ignored);
    }
    fs::remove(keys, ignored);
    fs::remove(tls_dir, ignored);
    const fs::path state = fs::path(db::KeptCheckpointPath(dir.string()));
    for (const fs::path& path : {state, fs::path(state.string() + ".lock"),
                                 fs::path(state.string() + ".tmp"), state.parent_path()}) {
      fs::remove(path, ignored);
    }
    if (!dir_existed) fs::remove(dir, ignored);
  };
  // Every file in the data directory is the owner's alone (0600), public ones too: the
  // owner hands out the verifier key, the certificate and the issuer's public key.
  const fs::perms secret = fs::perms::owner_read | fs::perms::owner_write;
  if (!WriteFile(key_path, crypto::PrivateKeyToPem(key), secret) ||
      !WriteFile(vkey_path, vkey + "\n", secret)) {
    undo();
    return Usage("init: cannot write the keys under " + keys.string());
  }
  // The local token issuer (ES256) and a self-signed TLS certificate for this host.
  const crypto::PemKeyPair issuer_keys = crypto::GenerateP256KeyPair();
  const crypto::SelfSignedCertificate certificate = crypto::MakeSelfSignedCertificate(
      "localhost", {"localhost"}, {"127.0.0.1", "::1"}, std::chrono::hours(24 * 825));
  fs::create_directories(tls_dir, ec);
  fs::permissions(tls_dir, fs::perms::owner_all, ec);
  if (ec || !WriteFile(issuer_key_path, issuer_keys.private_pem, secret) ||
      !WriteFile(issuer_public_path, issuer_keys.public_pem, secret) ||
      !WriteFile(cert_path, certificate.certificate_pem, secret) ||
      !WriteFile(tls_key_path, certificate.private_key_pem, secret)) {
    undo();
    return Usage("init: cannot write the token issuer keys or the TLS certificate");
  }
  Result<std::unique_ptr<db::Store>> store =
      db::Store::Open(db::StoreOptions{"sqlite:" + db_path.string(), signer,
                                       db::KeptCheckpointPath(dir.string())});
  if (!store) {
    undo();
    return Usage("init: " + store.error().ToString());
  }
  auto body = std::make_shared<const nlohmann::json>(std::move(genesis).value());
  Result<db::BatchReceipt> receipt = (*store)->Append(
      {db::PendingEntry{body, "jejak-init", "", ""}},
      genesis_recorded_at.empty() ? NowRfc3339() : genesis_recorded_at);
  store->reset();
  if (!receipt) {
    undo();
    return Usage("init: " + receipt.error().ToString());
  }
  Config config;
  config.data_dir = dir.string();
  config.region = *region;
  config.origin = origin;
  config.database = "sqlite:" + db_path.string();
  config.checkpoint_key = key_path.string();
  config.checkpoint_vkey = vkey_path.string();
  config.tls_certificate = cert_path.string();
  config.tls_key = tls_key_path.string();
  config.token_issuer = origin;
  config.token_issuer_key = issuer_key_path.string();
  config.token_audience = "jejak";
  config.issuers.push_back({origin, "ES256", issuer_public_path.string(), "jejak"});
  if (!WriteFile(config_path, FormatConfig(config), secret)) {
    undo();
    return Usage("init: cannot write " + config_path.string());
  }
  std::printf("created ledger %s in %s\norigin: %s\nverifier key (pin this): %s\n",
              (*body)["ledger_id"].get<std::string>().c_str(), dir.c_str(), origin.c_str(),
              vkey.c_str());
  return kExitOk;
}

int Init(const Args& args) { return CreateLedger(args, ""); }

// Splits an append input into entry bodies: one JSON object, or NDJSON (blank lines
// skipped). Reports the first bad line.
std::optional<std::vector<std::shared_ptr<const nlohmann::json>>> ParseAppendInput(
    const std::string& input, Failure& failure) {
  std::vector<std::shared_ptr<const nlohmann::json>> bodies;
  Result<nlohmann::json> whole = ledger::ParseStrict(input);
  if (whole && whole->is_object()) {
    Result<nlohmann::json> valid = ledger::ValidateBody(*whole);
    if (!valid) {
      failure = {kExitUsage, valid.error().ToString()};
      return std::nullopt;
    }
    bodies.push_back(std::make_shared<const nlohmann::json>(std::move(valid).value()));
    return bodies;
  }
  std::istringstream lines(input);
  std::string line;
  std::size_t number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Result<nlohmann::json> parsed = ledger::ParseStrict(line);
    if (!parsed) {
      failure = {kExitUsage, "line " + std::to_string(number) + ": " + parsed.error().ToString()};
      return std::nullopt;
    }
    if (!parsed->is_object()) {
      failure = {kExitUsage, "line " + std::to_string(number) + ": an entry must be a JSON object"};
      return std::nullopt;
    }
    Result<nlohmann::json> valid = ledger::ValidateBody(*parsed);
    if (!valid) {
      failure = {kExitUsage, "line " + std::to_string(number) + ": " + valid.error().ToString()};
      return std::nullopt;
    }
    bodies.push_back(std::make_shared<const nlohmann::json>(std::move(valid).value()));
  }
  if (bodies.empty()) failure = {kExitUsage, "no entries in the input"};
  if (bodies.empty()) return std::nullopt;
  return bodies;
}

int Append(const Args& args) {
  std::optional<std::string> sub = args.Get("sub");
  if (!sub || sub->empty()) return Usage("append: --sub NAME is required");
  if (sub->size() > ledger::kIdentifierBytesMax) return Usage("append: --sub is longer than 64 bytes");
  if (args.positional.size() != 1) return Usage("append: exactly one FILE (or - for stdin) is required");
  std::size_t batch = kAppendBatchDefault;
  if (std::optional<std::string> text = args.Get("batch")) {
    char* end = nullptr;
    const unsigned long long value = std::strtoull(text->c_str(), &end, 10);
    if (text->empty() || *end != '\0' || value == 0 || value > kAppendBatchMax) {
      return Usage("append: --batch must be an integer from 1 to " + std::to_string(kAppendBatchMax));
    }
    batch = static_cast<std::size_t>(value);
  }
  std::string input;
  const std::string& file = args.positional[0];
  if (file == "-") {
    std::ostringstream content;
    content << std::cin.rdbuf();
    input = content.str();
    if (input.size() > kAppendFileBytesMax) return Usage("append: input larger than 1 GiB");
  } else {
    std::optional<std::string> content = ReadFile(file, kAppendFileBytesMax);
    if (!content) return Usage("append: cannot read " + file + " (missing, not a file, or over 1 GiB)");
    input = std::move(*content);
  }
  Failure failure;
  std::optional<std::vector<std::shared_ptr<const nlohmann::json>>> bodies = ParseAppendInput(input, failure);
  if (!bodies) return Fail({kExitUsage, "append: " + failure.reason});
  std::optional<Ledger> ledger = OpenLedger(args, /*need_signer=*/true, failure);
  if (!ledger) return Fail(failure);

  std::vector<db::PendingEntry> pending;
  pending.reserve(bodies->size());
  for (auto& body : *bodies) pending.push_back(db::PendingEntry{body, *sub, "", ""});
  // All or nothing: check every entry against the ledger in one rolled-back transaction
  // first, so a bad line in the middle of a file changes nothing.
  if (pending.size() > batch) {
    Result<db::BatchReceipt> dry = ledger->store->Append(pending, NowRfc3339(), /*dry_run=*/true);
    if (!dry) return Usage("append: nothing written: " + dry.error().ToString());
  }
  std::uint64_t appended = 0;
  std::int64_t first_seq = -1;
  std::string checkpoint;
  for (std::size_t begin = 0; begin < pending.size(); begin += batch) {
    const std::size_t end = std::min(pending.size(), begin + batch);
    std::vector<db::PendingEntry> group(pending.begin() + static_cast<std::ptrdiff_t>(begin),
                                        pending.begin() + static_cast<std::ptrdiff_t>(end));
    Result<db::BatchReceipt> receipt = ledger->store->Append(group, NowRfc3339());
    if (!receipt) {
      return Usage("append: " + std::string(appended == 0 ? "nothing written: " : "stopped after " +
                   std::to_string(appended) + " entries: ") + receipt.error().ToString());
    }
    if (first_seq < 0) first_seq = receipt->entries.front().seq;
    appended += receipt->entries.size();
    checkpoint = receipt->checkpoint;
  }
  if (appended == 1) {
    std::printf("appended seq %lld\n", static_cast<long long>(first_seq));
  } else {
    std::printf("appended %llu entries, seq %lld to %lld\n", static_cast<unsigned long long>(appended),
                static_cast<long long>(first_seq), static_cast<long long>(first_seq) + static_cast<long long>(appended) - 1);
  }
  std::printf("%s", checkpoint.c_str());
  return kExitOk;
}

int Checkpoint(const Args& args) {
  if (!args.positional.empty()) return Usage("checkpoint: unexpected argument " + args.positional[0]);
  Failure failure;
  std::optional<Ledger> ledger = OpenLedger(args, false, failure);
  if (!ledger) return Fail(failure);
  Result<std::optional<std::string>> note = ledger->store->LatestCheckpoint();
  if (!note) return Usage("checkpoint: " + note.error().ToString());
  if (!note->has_value()) return Usage("checkpoint: the ledger has no checkpoint");
  std::printf("%s", note->value().c_str());
  return kExitOk;
}

int Verify(const Args& args) {
  if (!args.positional.empty()) return Usage("verify: unexpected argument " + args.positional[0]);
  std::optional<std::string> trusted;
  if (std::optional<std::string> path = args.Get("checkpoint")) {
    trusted = ReadFile(*path, 1024 * 1024);
    if (!trusted) return Usage("verify: cannot read checkpoint file " + *path);
  }
  Failure failure;
  std::optional<Ledger> ledger = OpenLedger(args, false, failure);
  if (!ledger) return Fail(failure);
  Result<db::VerifyReport> report = ledger->store->Verify(ledger->verifier, trusted);
  if (!report) return Usage("verify: " + report.error().ToString());
  if (!report->ok) {
    return Fail({kExitVerificationFailed,
                 "verification FAILED at seq " + std::to_string(report->problem->seq) + ": " +
                     report->problem->what});
  }
  std::printf("ok: %llu entries, %llu checkpoints, root %s\n",
              static_cast<unsigned long long>(report->entries),
              static_cast<unsigned long long>(report->checkpoints), crypto::ToHex(report->root).c_str());
  return kExitOk;
}

int ExportBundle(const Args& args) {
  if (!args.positional.empty()) return Usage("export-bundle: unexpected argument " + args.positional[0]);
  Failure failure;
  std::optional<Ledger> ledger = OpenLedger(args, true, failure);
  if (!ledger) return Fail(failure);
  Result<std::uint64_t> size = ledger->store->TreeSize();
  if (!size) return Usage("export-bundle: " + size.error().ToString());
  std::int64_t to_seq = static_cast<std::int64_t>(*size) - 1;
  if (std::optional<std::string> text = args.Get("to-seq")) {
    char* end = nullptr;
    const long long value = std::strtoll(text->c_str(), &end, 10);
    if (text->empty() || *end != '\0' || value < 0 || value > to_seq) {
      return Usage("export-bundle: --to-seq must be a seq from 0 to " + std::to_string(to_seq));
    }
    to_seq = value;
  }
  // The checkpoint for exactly the exported entries: the stored one if a commit ended
  // there, else a fresh one signed now over the same stored tree.
  Result<db::StoredEntry> last = ledger->store->Entry(to_seq);
  if (!last) return Usage("export-bundle: " + last.error().ToString());
  Result<ledger::Digest> root = ledger->store->TreeHash(static_cast<std::uint64_t>(to_seq) + 1);
  if (!root) return Usage("export-bundle: " + root.error().ToString());
  const std::string note = ledger::SignCheckpoint(
      ledger::Checkpoint{ledger->config.origin, static_cast<std::uint64_t>(to_seq) + 1, *root,
                         last->chain_hash, NowRfc3339()},
      *ledger->signer);

  std::ofstream file;
  std::optional<std::string> out_path = args.Get("out");
  if (out_path) {
    if (fs::exists(*out_path)) return Usage("export-bundle: " + *out_path + " already exists");
    file.open(*out_path, std::ios::binary);
    if (!file) return Usage("export-bundle: cannot write " + *out_path);
  }
  std::ostream& out = out_path ? static_cast<std::ostream&>(file) : std::cout;
  out << ledger::BundleHeaderLine(ledger->config.origin, ledger::FormatVerifierKey(ledger->verifier)) << "\n";
  Result<void> written = ledger->store->ForEachEntry(to_seq, [&out](const db::StoredEntry& entry) -> Result<void> {
    out << entry.canonical << "\n";
    if (!out) return Error{Code::kUnavailable, "write failed", {}};
    return Ok();
  });
  if (!written) return Usage("export-bundle: " + written.error().ToString());
  out << ledger::BundleCheckpointLine(note) << "\n";
  out.flush();
  if (!out) return Usage("export-bundle: write failed");
  if (out_path) {
    std::fprintf(stderr, "exported %lld entries to %s\n", static_cast<long long>(to_seq) + 1, out_path->c_str());
  }
  return kExitOk;
}

int VerifyBundle(const Args& args) {
  if (args.positional.size() != 1) return Usage("verify-bundle: exactly one BUNDLE file is required");
  std::optional<std::string> key_path = args.Get("key");
  if (!key_path) return Usage("verify-bundle: --key VKEYFILE is required (the bundle's own key is never trusted)");
  Failure failure;
  std::optional<ledger::NoteVerifier> verifier = ReadVerifierKey(*key_path, failure);
  if (!verifier) return Fail(failure);
  const std::string& path = args.positional[0];
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (!in || !fs::is_regular_file(path, ec)) return Usage("verify-bundle: cannot read " + path);
  ledger::BundleChecker checker(*verifier);
  std::string line;
  // Lines are bounded: a longer one is a broken bundle, not something to buffer.
  for (;;) {
    line.clear();
    char c;
    bool got_any = false;
    bool too_long = false;
    while (in.get(c)) {
      got_any = true;
      if (c == '\n') break;
      if (line.size() >= ledger::kBundleLineBytesMax) {
        too_long = true;
        break;
      }
      line.push_back(c);
    }
    if (!got_any) break;
    if (too_long) return Fail({kExitVerificationFailed, "bundle verification FAILED: a line is longer than 256 KiB"});
    Result<void> added = checker.AddLine(line);
    if (!added) return Fail({kExitVerificationFailed, "bundle verification FAILED: " + added.error().message});
  }
  Result<ledger::BundleSummary> summary = checker.Finish();
  if (!summary) return Fail({kExitVerificationFailed, "bundle verification FAILED: " + summary.error().message});
  std::printf("ok: %llu entries of %s, root %s\n", static_cast<unsigned long long>(summary->entries),
              summary->origin.c_str(), crypto::ToHex(summary->root).c_str());
  return kExitOk;
}


// --data DIR or --config FILE: the config of the ledger to serve.
std::optional<Config> LoadServeConfig(const Args& args, Failure& failure) {
  std::optional<std::string> data = args.Get("data");
  std::optional<std::string> config_path = args.Get("config");
  if (data.has_value() == config_path.has_value()) {
    failure = {kExitUsage, "give exactly one of --data DIR or --config FILE"};
    return std::nullopt;
  }
  const std::string path = config_path ? *config_path : (fs::path(*data) / "jejak.conf").string();
  Result<Config> config = LoadConfig(path);
  if (!config) {
    failure = {kExitUsage, config.error().code == Code::kNotFound
                               ? config.error().message + " (run jejak init)"
                               : config.error().ToString()};
    return std::nullopt;
  }
  return std::move(config).value();
}

int Serve(const Args& args) {
  if (!args.positional.empty()) return Usage("serve: unexpected argument " + args.positional[0]);
  Failure failure;
  std::optional<Config> config = LoadServeConfig(args, failure);
  if (!config) return Fail({kExitUsage, "serve: " + failure.reason});
  return server::Serve(*config, args.Get("listen").value_or(""));
}

// "8h", "30m", "3600s", "2d", or bare seconds. At most 30 days.
std::optional<std::chrono::seconds> ParseTtl(const std::string& text) {
  if (text.empty() || text.size() > 12) return std::nullopt;
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return std::nullopt;
  const long long value = std::stoll(text.substr(0, digits));
  const std::string unit = text.substr(digits);
  long long scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  if (unit == "m") scale = 60;
  if (unit == "h") scale = 3600;
  if (unit == "d") scale = 86400;
  if (scale == 0) return std::nullopt;
  const long long seconds = value * scale;
  if (seconds < 1 || seconds > 30LL * 86400) return std::nullopt;
  return std::chrono::seconds(seconds);
}

int Token(const Args& args) {
  if (!args.positional.empty()) return Usage("token: unexpected argument " + args.positional[0]);
  std::optional<std::string> role_name = args.Get("role");
  std::optional<std::string> sub = args.Get("sub");
  if (!role_name) return Usage("token: --role is required (officer, auditor, executive, admin)");
  std::optional<Role> role = ParseRole(*role_name);
  if (!role) return Usage("token: unknown role '" + *role_name + "' (officer, auditor, executive, admin)");
  if (!sub || sub->empty() || sub->size() > kSubjectBytesMax) {
    return Usage("token: --sub NAME (1 to 64 bytes) is required");
  }
  std::optional<std::string> opd = args.Get("opd");
  if (*role == Role::kOfficer && !opd) return Usage("token: an officer token needs --opd CODE");
  if (*role != Role::kOfficer && opd) return Usage("token: only officer tokens carry --opd");
  std::optional<std::chrono::seconds> ttl = ParseTtl(args.Get("ttl").value_or("8h"));
  if (!ttl) return Usage("token: --ttl must be like 30m, 8h or 2d, at most 30 days");
  Failure failure;
  std::optional<Config> config = LoadServeConfig(args, failure);
  if (!config) return Fail({kExitUsage, "token: " + failure.reason});
  if (config->token_issuer_key.empty() || config->token_issuer.empty()) {
    return Usage("token: the config names no local token issuer");
  }
  if (ttl->count() > config->token_lifetime_max_seconds) {
    return Usage("token: --ttl is longer than the server accepts (token_lifetime_max_seconds = " +
                 std::to_string(config->token_lifetime_max_seconds) + ")");
  }
  std::optional<std::string> key = ReadFile(config->token_issuer_key, 64 * 1024);
  if (!key) return Usage("token: cannot read " + config->token_issuer_key);
  Actor actor{*sub, *role, opd.value_or(""), config->token_issuer};
  Result<std::string> token = MintToken(*key, config->token_issuer, config->token_audience, actor,
                                        *ttl, std::chrono::system_clock::now());
  if (!token) return Usage("token: " + token.error().ToString());
  std::printf("%s\n", token->c_str());
  return kExitOk;
}

// The demo's fiscal year: a complete year, so the dashboard shows a whole cycle with its
// December peak, and every tax deadline has passed.
constexpr std::int64_t kDemoFiscalYear = 2025;
// Entries of the demo plan are held in memory while it is recorded: keep it modest.
constexpr std::size_t kDemoEntriesCliMax = 200'000;

// Records the generated sample regency in the new ledger at `data`, one group commit per
// simulated recording batch, then verifies it.
std::optional<Failure> RecordDemo(const std::string& data, std::size_t expenditures) {
  const DemoPlan plan = GenerateDemo(kDemoFiscalYear, expenditures, /*first_seq=*/1);
  Failure failure;
  Args args;
  args.flags["data"] = data;
  std::optional<Ledger> ledger = OpenLedger(args, true, failure);
  if (!ledger) return failure;
  std::size_t recorded = 0;
  for (const DemoBatch& batch : plan.batches) {
    std::vector<db::PendingEntry> pending;
    pending.reserve(batch.entries.size());
    for (const auto& [sub, body] : batch.entries) {
      Result<nlohmann::json> valid = ledger::ValidateBody(body);
      if (!valid) return Failure{kExitUsage, "generated entry invalid: " + valid.error().ToString()};
      pending.push_back(db::PendingEntry{std::make_shared<const nlohmann::json>(std::move(valid).value()),
                                         sub, "", ""});
    }
    Result<db::BatchReceipt> receipt = ledger->store->Append(pending, batch.recorded_at);
    if (!receipt) return Failure{kExitUsage, receipt.error().ToString()};
    recorded += pending.size();
  }
  Result<db::VerifyReport> report = ledger->store->Verify(ledger->verifier, std::nullopt);
  if (!report) return Failure{kExitUsage, report.error().ToString()};
  if (!report->ok) {
    return Failure{kExitVerificationFailed,
                   "the demo ledger does not verify at seq " + std::to_string(report->problem->seq) +
                       ": " + report->problem->what};
  }
  std::printf("recorded the sample regency (fiscal year %lld): %zu entries; verified: %llu entries, root %s\n",
              static_cast<long long>(kDemoFiscalYear), recorded + 1,
              static_cast<unsigned long long>(report->entries), crypto::ToHex(report->root).c_str());
  for (const std::string& line : plan.planted) std::printf("  planted: %s\n", line.c_str());
  return std::nullopt;
}

int Demo(const Args& args) {
  if (!args.positional.empty()) return Usage("demo: unexpected argument " + args.positional[0]);
  const std::string data = args.Get("data").value_or("var/demo");
  std::size_t expenditures = kDemoExpendituresDefault;
  if (std::optional<std::string> text = args.Get("entries")) {
    char* end = nullptr;
    const unsigned long long value = std::strtoull(text->c_str(), &end, 10);
    if (text->empty() || *end != '\0' || value < kDemoExpendituresMin || value > kDemoEntriesCliMax) {
      return Usage("demo: --entries must be from " + std::to_string(kDemoExpendituresMin) + " to " +
                   std::to_string(kDemoEntriesCliMax));
    }
    expenditures = static_cast<std::size_t>(value);
  }
  std::string listen = args.Get("listen").value_or("127.0.0.1:8443");
  if (std::optional<std::string> port = args.Get("port")) {
    if (args.Get("listen")) return Usage("demo: give --port or --listen, not both");
    char* end = nullptr;
    const unsigned long value = std::strtoul(port->c_str(), &end, 10);
    if (port->empty() || *end != '\0' || value > 65535) return Usage("demo: --port must be 0 to 65535");
    listen = "127.0.0.1:" + *port;
  }
  if (!fs::exists(fs::path(data) / "jejak.conf")) {
    Args init;
    init.flags = {{"data", data},
                  {"region", "Pemerintah Kabupaten Contoh Lestari"},
                  {"origin", "jejak.demo/contoh-lestari"}};
    // The genesis entry opens the simulated year, before its first recorded entry.
    if (int code = CreateLedger(init, std::to_string(kDemoFiscalYear) + "-01-01T00:00:00.000Z");
        code != kExitOk) {
      return code;
    }
    if (std::optional<Failure> failed = RecordDemo(data, expenditures)) {
      return Fail({failed->exit_code, "demo: " + failed->reason});
    }
  } else {
    std::printf("demo: %s already holds a ledger (rm -rf %s to start over)\n", data.c_str(), data.c_str());
  }
  // One token per role, for trying the API and the dashboard.
  std::printf("\ntokens (8 hours):\n");
  const std::pair<const char*, Args> roles[] = {
      {"executive (Bupati)", Args{{{"data", data}, {"role", "executive"}, {"sub", "kantor.bupati"}}, {}}},
      {"auditor (BPK)", Args{{{"data", data}, {"role", "auditor"}, {"sub", "bpk.auditor"}}, {}}},
      {"officer (Dinas Kesehatan)",
       Args{{{"data", data}, {"role", "officer"}, {"sub", "bendahara.dinkes"}, {"opd", "1.02.0.00.0.00.01.0000"}}, {}}},
      {"admin (BPKAD)", Args{{{"data", data}, {"role", "admin"}, {"sub", "admin.bpkad"}}, {}}},
  };
  for (const auto& [label, token_args] : roles) {
    std::printf("  %s:\n  ", label);
    std::fflush(stdout);
    if (int code = Token(token_args); code != kExitOk) return code;
  }
  std::printf("\ndashboard: https://%s/ (certificate: %s/tls/cert.pem)\n", listen.c_str(), data.c_str());
  std::fflush(stdout);
  Args serve;
  serve.flags["data"] = data;
  serve.flags["listen"] = listen;
  return Serve(serve);
}

}  // namespace

int RunCli(int argc, char** argv) {
  try {
    if (argc < 2) {
      std::fprintf(stderr, "%s", kUsage);
      return kExitUsage;
    }
    const std::string command = argv[1];
    if (command == "help" || command == "--help" || command == "-h") {
      std::printf("%s", kUsage);
      return kExitOk;
    }
    // The auditor's commands parse their own options: `audit` has a bare --full switch.
    if (command == "audit" || command == "cosigner-key") {
      const std::vector<std::string> rest(argv + 2, argv + argc);
      return command == "audit" ? RunAudit(rest) : RunCosignerKey(rest);
    }
    struct Command {
      std::set<std::string> flags;
      int (*run)(const Args&);
    };
    const std::map<std::string, Command> commands = {
        {"init", {{"data", "region", "origin", "db"}, Init}},
        {"append", {{"data", "sub", "batch"}, Append}},
        {"checkpoint", {{"data"}, Checkpoint}},
        {"verify", {{"data", "key", "checkpoint"}, Verify}},
        {"export-bundle", {{"data", "to-seq", "out"}, ExportBundle}},
        {"verify-bundle", {{"key"}, VerifyBundle}},
        {"serve", {{"data", "config", "listen"}, Serve}},
        {"token", {{"data", "config", "role", "sub", "opd", "ttl"}, Token}},
        {"demo", {{"data", "listen", "port", "entries"}, Demo}},
    };
    auto found = commands.find(command);
    if (found == commands.end()) {
      return Usage("unknown command '" + command + "' (jejak help lists them)");
    }
    Args args;
    if (std::optional<Failure> failure = ParseArgs(argc, argv, found->second.flags, args)) {
      return Fail({kExitUsage, command + ": " + failure->reason});
    }
    return found->second.run(args);
  } catch (const std::exception& e) {
    return Fail({kExitUsage, std::string("internal error: ") + e.what()});
  }
}

}  // namespace jejak::server
