// `jejak audit` and `jejak cosigner-key` (cli/audit_client.h): the checks of an audit,
// the auditor's state directory, and the witness key. The network side is the HTTPS
// client of cli/https_client.h.
#include "cli/audit_client.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/https_client.h"
#include "cli/ledger_commands.h"
#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/tls/context.h"
#include "ledger/bundle.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/merkle.h"
#include "ledger/note.h"

namespace jejak::cli {
namespace {

namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
namespace fs = std::filesystem;

// An RFC 9162 consistency proof for trees below 2^64 has at most 2 * 64 hashes.
constexpr std::size_t kConsistencyHashesMax = 128;
// Local files: keys and tokens are small; a CA bundle may hold a few hundred certificates.
constexpr std::uintmax_t kKeyFileBytesMax = 64 * 1024;
constexpr std::uintmax_t kTokenFileBytesMax = 16 * 1024;
constexpr std::uintmax_t kCaFileBytesMax = 4 * 1024 * 1024;
constexpr std::uintmax_t kStateNoteBytesMax = 64 * 1024;
constexpr std::string_view kStateNote = "checkpoint.note";
constexpr std::string_view kAuditLog = "audit.log";


std::string TrimSpace(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

std::string UtcNow(bool with_time) {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, with_time ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d", &utc);
  return buffer;
}

// Writes `content` to `path` so that readers see the old file or the new one, never a
// part: a temporary file in the same directory, fsync, rename, fsync of the directory.
bool WriteAtomically(const fs::path& path, std::string_view content, mode_t mode) {
  const fs::path temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return false;
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n <= 0) {
      ::close(fd);
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return false;
  if (::rename(temporary.c_str(), path.c_str()) != 0) return false;
  const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return true;
}

bool AppendLine(const fs::path& path, const std::string& line) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  const std::string text = line + "\n";
  const ssize_t n = ::write(fd, text.data(), text.size());
  const bool ok = n == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  return ::close(fd) == 0 && ok;
}

std::string Hex(const ledger::Digest& digest) { return crypto::ToHex(digest); }

// "(size 120, root ab12..., signed 2026-03-01T08:00:00.000Z)" for messages.
std::string Describe(const ledger::Checkpoint& checkpoint) {
  return "(size " + std::to_string(checkpoint.tree_size) + ", root " + Hex(checkpoint.root_hash) +
         ", signed " + checkpoint.time + ")";
}

std::optional<Failure> CheckConsistencyProof(const std::string& body, const ledger::Checkpoint& kept,
                                             const ledger::Checkpoint& latest) {
  const std::string not_consistent = "NOT CONSISTENT: the checkpoint kept " + Describe(kept) +
                                     " is not a prefix of the server's " + Describe(latest);
  std::vector<ledger::Digest> proof;
  try {
    const nlohmann::json reply = nlohmann::json::parse(body);
    if (!reply.is_object() || !reply.contains("hashes") || !reply["hashes"].is_array()) {
      return CheckFailed(not_consistent + ": the server sent no consistency proof");
    }
    for (const char* field : {"first", "second"}) {
      const std::uint64_t want = std::string_view(field) == "first" ? kept.tree_size : latest.tree_size;
      if (!reply.contains(field) || !reply[field].is_number_unsigned() ||
          reply[field].get<std::uint64_t>() != want) {
        return CheckFailed(not_consistent + ": the server's proof is for other tree sizes");
      }
    }
    const nlohmann::json& hashes = reply["hashes"];
    if (hashes.size() > kConsistencyHashesMax) {
      return CheckFailed(not_consistent + ": the server's proof has too many hashes");
    }
    for (const nlohmann::json& hash : hashes) {
      std::optional<ledger::Digest> digest =
          hash.is_string() ? crypto::DigestFromHex(hash.get<std::string>()) : std::nullopt;
      if (!digest) return CheckFailed(not_consistent + ": the server's proof holds a malformed hash");
      proof.push_back(*digest);
    }
  } catch (const nlohmann::json::exception&) {
    return CheckFailed(not_consistent + ": the server's consistency proof is not JSON");
  }
  if (!ledger::VerifyConsistency(kept.tree_size, latest.tree_size, proof, kept.root_hash,
                                 latest.root_hash)) {
    return CheckFailed(not_consistent + ": the consistency proof does not verify, so the ledger was "
                                        "rewritten");
  }
  return std::nullopt;
}

struct AuditSettings {
  ServerUrl url;
  std::string token;
  ledger::NoteVerifier verifier;
  fs::path state_dir;
  bool full = false;
  std::optional<crypto::PrivateKey> cosigner_key;
  std::string cosigner_name;
  std::optional<std::string> ca_pem;
  WitnessDemand witnesses;
};

std::optional<Failure> LoadSettings(const Args& options, AuditSettings& settings) {
  for (const char* required : {"server", "token-file", "key", "state"}) {
    if (!options.Get(required)) return UsageError(std::string("--") + required + " is required");
  }
  std::optional<ServerUrl> url = ParseServerUrl(*options.Get("server"));
  if (!url) return UsageError("--server must be https://HOST[:PORT][/PATH] (no user, query or fragment)");
  settings.url = *url;

  const std::string token_path = *options.Get("token-file");
  std::optional<std::string> token = ReadFile(token_path, kTokenFileBytesMax);
  if (!token) return UsageError("cannot read the token file " + token_path);
  settings.token = TrimSpace(*token);
  if (settings.token.empty()) return UsageError("the token file " + token_path + " is empty");
  for (char c : settings.token) {
    // A JWT is base64url and dots; anything else could split the header.
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return UsageError("the token in " + token_path + " holds spaces or control characters");
    }
  }

  const std::string key_path = *options.Get("key");
  std::optional<std::string> vkey = ReadFile(key_path, kKeyFileBytesMax);
  std::optional<ledger::NoteVerifier> verifier =
      vkey ? ledger::ParseVerifierKey(TrimSpace(*vkey)) : std::nullopt;
  if (!verifier) return UsageError(key_path + " is not a readable Ed25519 signed-note verifier key");
  settings.verifier = *verifier;

  settings.state_dir = *options.Get("state");
  settings.full = options.Has("full");

  std::optional<std::string> cosign = options.Get("cosign");
  std::optional<std::string> name = options.Get("cosigner-name");
  if (cosign.has_value() != name.has_value()) {
    return UsageError("--cosign KEYFILE and --cosigner-name NAME go together");
  }
  if (cosign) {
    std::optional<std::string> pem = ReadFile(*cosign, kKeyFileBytesMax);
    settings.cosigner_key = pem ? crypto::ParsePrivateKeyPem(*pem) : std::nullopt;
    if (!settings.cosigner_key) return UsageError(*cosign + " is not a readable Ed25519 private key (PEM)");
    if (!ledger::ValidKeyName(*name)) {
      return UsageError("--cosigner-name must be a key name such as bpk.go.id/auditor-1 (no spaces, no '+')");
    }
    settings.cosigner_name = *name;
  }
  if (std::optional<std::string> ca = options.Get("ca-cert")) {
    settings.ca_pem = ReadFile(*ca, kCaFileBytesMax);
    if (!settings.ca_pem) return UsageError("cannot read the CA certificate file " + *ca);
  }
  return ReadWitnessDemand(options, settings.witnesses);
}

// The kept checkpoint, if this auditor accepted one before.
std::optional<Failure> LoadKept(const AuditSettings& settings, std::optional<ledger::Checkpoint>& kept) {
  const fs::path path = settings.state_dir / kStateNote;
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  std::optional<std::string> note = ReadFile(path.string(), kStateNoteBytesMax);
  if (!note) return UsageError("cannot read the kept checkpoint " + path.string());
  Result<ledger::Checkpoint> checkpoint = ledger::OpenCheckpoint(*note, settings.verifier);
  if (!checkpoint) {
    return UsageError("the kept checkpoint " + path.string() + " does not verify under the pinned key " +
                      settings.verifier.name + ": " + checkpoint.error().message);
  }
  if (checkpoint->origin != settings.verifier.name) {
    return UsageError("the kept checkpoint " + path.string() + " is for origin " + checkpoint->origin);
  }
  kept = std::move(checkpoint).value();
  return std::nullopt;
}

std::optional<Failure> Audit(const AuditSettings& settings) {
  Result<std::shared_ptr<ssl::context>> context = crypto::tls::MakeClientContext(
      settings.ca_pem ? std::optional<std::string_view>(*settings.ca_pem) : std::nullopt);
  if (!context) return UsageError("--ca-cert: " + context.error().message);
  std::optional<ledger::Checkpoint> kept;
  if (std::optional<Failure> failed = LoadKept(settings, kept)) return failed;
  HttpsClient client(settings.url, *context, settings.token);
  const std::string origin = settings.verifier.name;
  std::vector<std::string> checked;

  // (a) The latest checkpoint, trusting only the pinned key.
  Reply reply;
  if (std::optional<Failure> failed = client.Request(http::verb::get, "/v1/checkpoint", "", reply)) {
    return failed;
  }
  const std::string note = reply.body;
  Result<std::string> text = ledger::OpenNote(note, settings.verifier);
  if (!text) {
    return CheckFailed("the server's checkpoint does not verify under the pinned key " +
                       ledger::FormatVerifierKey(settings.verifier) + ": " + text.error().message);
  }
  Result<ledger::Checkpoint> latest = ledger::ParseCheckpointText(*text);
  if (!latest) return CheckFailed("the server's signed checkpoint is malformed: " + latest.error().message);
  if (latest->origin != origin) {
    return CheckFailed("the server's checkpoint is for origin '" + latest->origin + "', not the pinned " +
                       origin);
  }
  checked.push_back("signature by " + origin);

  // (b) Append-only since the checkpoint kept last time.
  if (kept) {
    if (latest->tree_size < kept->tree_size) {
      return CheckFailed("NOT CONSISTENT: the server's checkpoint " + Describe(*latest) +
                         " is smaller than the checkpoint kept " + Describe(*kept) +
                         ": entries were removed (the ledger was truncated or rolled back)");
    }
    if (latest->tree_size == kept->tree_size) {
      if (latest->root_hash != kept->root_hash) {
        return CheckFailed("NOT CONSISTENT: the server's checkpoint " + Describe(*latest) +
                           " has the size of the checkpoint kept " + Describe(*kept) +
                           " but another root: the ledger was rewritten");
      }
    } else {
      const std::string target = "/v1/proofs/consistency?first=" + std::to_string(kept->tree_size) +
                                 "&second=" + std::to_string(latest->tree_size);
      if (std::optional<Failure> failed = client.Request(http::verb::get, target, "", reply)) return failed;
      if (std::optional<Failure> failed = CheckConsistencyProof(reply.body, *kept, *latest)) return failed;
    }
    checked.push_back("consistent with kept size " + std::to_string(kept->tree_size));
  } else {
    checked.push_back("first audit, nothing kept to compare");
  }

  // (b') The witnesses this auditor demands cosigned that very checkpoint (after (b), so
  // that a rollback this auditor can prove is reported as such, not as a missing quorum).
  std::string witnessed;
  if (std::optional<Failure> failed = CheckWitnessDemand(
          "the server's checkpoint " + Describe(*latest), note, settings.verifier, settings.witnesses, witnessed)) {
    return failed;
  }
  if (!witnessed.empty()) checked.push_back(witnessed.substr(2));

  // (c) Every entry, recomputed from its canonical bytes.
  if (settings.full) {
    ledger::BundleChecker checker(settings.verifier);
    const std::string target = "/v1/export/bundle?to_seq=" + std::to_string(latest->tree_size - 1);
    std::optional<Failure> failed = client.StreamLines(
        target, ledger::kBundleLineBytesMax, latest->tree_size + 2,
        [&checker](std::string_view line) -> std::optional<Failure> {
          Result<void> added = checker.AddLine(line);
          if (!added) return CheckFailed("bundle verification FAILED: " + added.error().message);
          return std::nullopt;
        });
    if (failed) return failed;
    Result<ledger::BundleSummary> summary = checker.Finish();
    if (!summary) return CheckFailed("bundle verification FAILED: " + summary.error().message);
    if (summary->entries != latest->tree_size || summary->root != latest->root_hash ||
        summary->origin != origin) {
      return CheckFailed("bundle verification FAILED: the bundle covers " + std::to_string(summary->entries) +
                         " entries with root " + Hex(summary->root) + ", not the checkpoint " +
                         Describe(*latest));
    }
    checked.push_back("bundle of " + std::to_string(summary->entries) + " entries recomputed");
  }

  // (d) Everything passed: keep this checkpoint for next time.
  std::error_code ec;
  fs::create_directories(settings.state_dir, ec);
  if (ec) return UsageError("cannot create the state directory " + settings.state_dir.string());
  if (!WriteAtomically(settings.state_dir / kStateNote, note, 0644)) {
    return UsageError("cannot write " + (settings.state_dir / kStateNote).string());
  }
  std::string what;
  for (const std::string& item : checked) what += (what.empty() ? "" : "; ") + item;
  if (!AppendLine(settings.state_dir / kAuditLog,
                  UtcNow(true) + " " + origin + " size " + std::to_string(latest->tree_size) + " root " +
                      Hex(latest->root_hash) + " checked: " + what)) {
    return UsageError("cannot append to " + (settings.state_dir / kAuditLog).string());
  }

  // (e) Cosign only what was just proved consistent with what this auditor kept.
  std::string cosigned;
  if (settings.cosigner_key) {
    const auto now = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    const std::string line =
        ledger::CosignatureLine(*text, settings.cosigner_name, *settings.cosigner_key, now);
    const ledger::CosignerKey key{settings.cosigner_name,
                                  ledger::CosignerKeyId(settings.cosigner_name, settings.cosigner_key->public_key),
                                  settings.cosigner_key->public_key};
    const std::string vkey = ledger::FormatCosignerKey(key);
    const nlohmann::json body = {{"tree_size", latest->tree_size}, {"cosignature", line}};
    if (std::optional<Failure> failed =
            client.Request(http::verb::post, "/v1/checkpoint/cosignatures", body.dump(), reply)) {
      failed->reason = "the checks passed and were recorded in " + settings.state_dir.string() +
                       ", but cosigning failed: " + failed->reason +
                       " (the regency's jejak.conf must list: witness_key = " + vkey + ")";
      return failed;
    }
    std::printf("witness_key = %s\n", vkey.c_str());
    cosigned = "; cosigned as " + settings.cosigner_name;
    if (!AppendLine(settings.state_dir / kAuditLog, UtcNow(true) + " " + origin + " size " +
                                                        std::to_string(latest->tree_size) + " cosigned as " +
                                                        settings.cosigner_name)) {
      return UsageError("cannot append to " + (settings.state_dir / kAuditLog).string());
    }
  }
  std::printf("ok: %s size %llu root %s: %s%s\n", origin.c_str(),
              static_cast<unsigned long long>(latest->tree_size), Hex(latest->root_hash).c_str(),
              what.c_str(), cosigned.c_str());
  return std::nullopt;
}

}  // namespace

int RunAudit(const Args& options) {
  try {
    AuditSettings settings;
    if (std::optional<Failure> failed = LoadSettings(options, settings)) {
      return Fail(UsageError("audit: " + failed->reason + "\n" + kAuditUsage));
    }
    if (std::optional<Failure> failed = Audit(settings)) {
      return Fail({failed->exit_code, "audit: " + failed->reason});
    }
    return kExitOk;
  } catch (const std::exception& e) {
    return Fail(UsageError(std::string("audit: internal error: ") + e.what()));
  }
}

int RunCosignerKey(const Args& options) {
  try {
    std::optional<std::string> name = options.Get("name");
    std::optional<std::string> out = options.Get("out");
    if (!name || !out) return Fail(UsageError("cosigner-key: --name NAME and --out KEYFILE are required"));
    if (!ledger::ValidKeyName(*name)) {
      return Fail(UsageError("cosigner-key: --name must be a key name such as bpk.go.id/auditor-1 "
                               "(no spaces, no '+')"));
    }
    const crypto::PrivateKey key = crypto::GenerateKey();
    const std::string pem = crypto::PrivateKeyToPem(key);
    // O_EXCL: an existing key is never replaced; 0600: the witness key is a secret.
    const int fd = ::open(out->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Fail(UsageError("cosigner-key: cannot create " + *out + " (it must not exist yet)"));
    const bool written = ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size()) &&
                         ::fsync(fd) == 0;
    if (::close(fd) != 0 || !written) {
      ::unlink(out->c_str());
      return Fail(UsageError("cosigner-key: cannot write " + *out));
    }
    const ledger::CosignerKey cosigner{*name, ledger::CosignerKeyId(*name, key.public_key), key.public_key};
    std::printf("%s\n", ledger::FormatCosignerKey(cosigner).c_str());
    std::fprintf(stderr, "wrote %s; the regency lists this key in its jejak.conf as: witness_key = %s\n",
                 out->c_str(), ledger::FormatCosignerKey(cosigner).c_str());
    return kExitOk;
  } catch (const std::exception& e) {
    return Fail(UsageError(std::string("cosigner-key: internal error: ") + e.what()));
  }
}

}  // namespace jejak::cli
