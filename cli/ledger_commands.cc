// The ledger commands of `jejak` (cli/ledger_commands.h): init, append, checkpoint,
// verify, export-bundle and verify-bundle, each on the data directory of one ledger,
// and the helpers that open that ledger. They run without the HTTPS service.
#include "cli/ledger_commands.h"

#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/batch_pool.h"
#include "cli/args.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "crypto/certificate.h"
#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "db/bundle_export.h"
#include "db/kept_checkpoint.h"
#include "db/store.h"
#include "ledger/bundle.h"
#include "ledger/canonical.h"
#include "ledger/entry.h"
#include "ledger/limits.h"
#include "ledger/note.h"
#include "server/clock.h"
#include "server/config.h"

namespace jejak::cli {

namespace fs = std::filesystem;
using server::CheckDataDirModes;
using server::Config;
using server::FormatConfig;
using server::LoadConfig;
using server::NowRfc3339;

namespace {

// An input file for `jejak append` larger than this is refused rather than read.
constexpr std::uintmax_t kAppendFileBytesMax = 1024ull * 1024 * 1024;
// Entries per group commit for `jejak append`, unless --batch says otherwise.
constexpr std::size_t kAppendBatchDefault = 256;
constexpr std::size_t kAppendBatchMax = 10000;

}  // namespace

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

std::optional<Failure> ReadWitnessDemand(const Args& args, WitnessDemand& demand) {
  demand = {};
  for (const std::string& path : args.GetAll(kWitnessKeyOption)) {
    std::optional<std::string> text = ReadFile(path, 4096);
    if (!text) return UsageError("cannot read the witness key file " + path);
    std::optional<ledger::CosignerKey> key = ledger::ParseCosignerKey(Trim(*text));
    if (!key) {
      return UsageError(path + " is not a cosigner verifier key NAME+<hex id>+<base64> "
                               "(as jejak cosigner-key and jejak witness-init print)");
    }
    demand.keys.push_back(*key);
  }
  std::optional<std::string> quorum = args.Get(kQuorumOption);
  if (quorum && demand.keys.empty()) return UsageError("--quorum needs --witness-key FILE");
  if (demand.keys.empty()) return std::nullopt;
  demand.quorum = demand.keys.size();
  if (quorum) {
    std::size_t value = 0;
    const char* end = quorum->data() + quorum->size();
    const auto [stop, error] = std::from_chars(quorum->data(), end, value);
    if (quorum->empty() || error != std::errc() || stop != end) {
      return UsageError("--quorum must be a number of witnesses, not '" + *quorum + "'");
    }
    demand.quorum = value;
  }
  if (Result<void> valid = ledger::CheckWitnessSet(demand.keys, demand.quorum); !valid) {
    return UsageError("--witness-key/--quorum: " + valid.error().message);
  }
  return std::nullopt;
}

std::optional<Failure> CheckWitnessDemand(std::string_view what, std::string_view note,
                                          const ledger::NoteVerifier& log,
                                          const WitnessDemand& demand, std::string& summary) {
  summary.clear();
  if (demand.keys.empty()) return std::nullopt;
  Result<ledger::WitnessQuorum> quorum =
      ledger::CheckWitnessQuorum(note, log, demand.keys, demand.quorum);
  if (!quorum) return CheckFailed(std::string(what) + ": " + quorum.error().message);
  std::string names;
  for (const std::string& name : quorum->cosigned) names += (names.empty() ? "" : ", ") + name;
  summary = "; witnesses " + names + " cosigned (quorum " + std::to_string(demand.quorum) +
            " of " + std::to_string(demand.keys.size()) + ")";
  return std::nullopt;
}

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
  if (!db::IsPostgresUrl(ledger.config.database) && !fs::exists(ledger.config.database.substr(7))) {
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

namespace {

// The store of a new ledger, open and empty: a PostgreSQL database that already holds
// entries is refused (another ledger's entries are never joined).
Result<std::unique_ptr<db::Store>> OpenEmptyStore(const db::StoreOptions& options) {
  Result<std::unique_ptr<db::Store>> store = db::Store::Open(options);
  if (!store) return store.error();
  Result<std::uint64_t> size = (*store)->TreeSize();
  if (!size) return size.error();
  if (*size != 0) {
    return Error{Code::kConflict,
                 "the database already holds a ledger (" + std::to_string(*size) +
                     " entries); refusing to touch an existing ledger",
                 {}};
  }
  return store;
}

}  // namespace

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
  const std::string database = args.Get("db").value_or("sqlite:ledger.db");
  const bool postgres = db::IsPostgresUrl(database);
  if (!postgres && database.rfind("sqlite:", 0) != 0) {
    return Usage("init: --db must be sqlite:FILE or postgresql://USER@HOST:PORT/DB");
  }

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
  // The SQLite file (none for PostgreSQL, whose database lives on its server).
  fs::path db_path;
  if (!postgres) {
    db_path = fs::path(database.substr(7));
    if (db_path.is_relative()) db_path = dir / db_path;
  }
  const std::string store_url = postgres ? database : "sqlite:" + db_path.string();
  std::error_code ec;
  for (const fs::path& existing : {config_path, key_path, vkey_path, issuer_key_path,
                                   issuer_public_path, cert_path, tls_key_path, db_path}) {
    if (!existing.empty() && fs::exists(existing, ec)) {
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
  // Payee accounts and NPWPs live here: the owner only, whatever the umask. A directory
  // that existed before is the caller's (it may be a home directory): left as it is, and
  // refused by serve if others can write it.
  if (!dir_existed) fs::permissions(dir, fs::perms::owner_all, ec);
  if (!ec) fs::permissions(keys, fs::perms::owner_all, ec);
  if (ec) return Usage("init: cannot restrict " + dir.string() + " to its owner: " + ec.message());
  auto undo = [&]() {
    std::error_code ignored;
    for (const fs::path& path :
         {key_path, vkey_path, issuer_key_path, issuer_public_path, cert_path, tls_key_path,
          config_path}) {
      fs::remove(path, ignored);
    }
    if (!postgres) {
      for (const fs::path& path : {db_path, fs::path(db_path.string() + "-wal"),
                                   fs::path(db_path.string() + "-shm")}) {
        fs::remove(path, ignored);
      }
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
      OpenEmptyStore(db::StoreOptions{store_url, signer, db::KeptCheckpointPath(dir.string())});
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
  config.database = store_url;
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

namespace {

// The entries of an append input, read a group at a time: one JSON object (which may
// span lines), or NDJSON (blank lines skipped). Each body is validated as it is read; the
// first bad line stops the append, named by its number. At most kAppendFileBytesMax
// bytes are read.
class AppendInput {
 public:
  AppendInput(std::istream& in, std::string sub) : in_(in), sub_(std::move(sub)) {}

  // The next at most `count` entries; none when the input is exhausted. On a bad input,
  // `failure()` says why and an Error (kInvalidArgument) is returned.
  Result<std::vector<db::PendingEntry>> Next(std::size_t count) {
    std::vector<db::PendingEntry> entries;
    if (failure_) return Error{Code::kInvalidArgument, failure_->reason, {}};
    if (!started_ && !Start()) return Error{Code::kInvalidArgument, failure_->reason, {}};
    if (single_) {
      entries.push_back(std::move(*single_));
      single_.reset();
      return entries;
    }
    std::string line;
    while (entries.size() < count) {
      if (!pending_line_.empty()) {
        line = std::move(pending_line_);
        pending_line_.clear();
      } else if (!ReadLine(line)) {
        break;
      }
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      std::optional<db::PendingEntry> entry = Entry(line, "line " + std::to_string(number_) + ": ");
      if (!entry) return Error{Code::kInvalidArgument, failure_->reason, {}};
      entries.push_back(std::move(*entry));
    }
    if (failure_) return Error{Code::kInvalidArgument, failure_->reason, {}};
    if (entries.empty() && !seen_any_) {
      failure_ = Failure{kExitUsage, "no entries in the input"};
      return Error{Code::kInvalidArgument, failure_->reason, {}};
    }
    return entries;
  }

  // Set once the input was found bad (not a ledger check).
  const std::optional<Failure>& failure() const { return failure_; }

 private:
  // Reads one line into `line`; false at the end of the input (or past its size limit,
  // which sets the failure).
  bool ReadLine(std::string& line) {
    if (!std::getline(in_, line)) return false;
    ++number_;
    bytes_ += line.size() + 1;
    if (bytes_ > kAppendFileBytesMax + 1) {
      failure_ = Failure{kExitUsage, "input larger than 1 GiB"};
      return false;
    }
    return true;
  }

  // The first non-blank line decides the form: a JSON object on one line starts NDJSON;
  // otherwise the whole input must be one JSON object.
  bool Start() {
    started_ = true;
    std::string line;
    while (ReadLine(line)) {
      if (line.find_first_not_of(" \t\r") != std::string::npos) break;
      line.clear();
    }
    if (failure_) return false;
    Result<nlohmann::json> first = ledger::ParseStrict(line);
    if (line.empty() || (first && first->is_object())) {
      pending_line_ = std::move(line);  // NDJSON (or an empty input).
      return true;
    }
    const std::size_t first_number = number_;
    std::string whole = line;
    std::string more;
    while (ReadLine(more)) whole += "\n" + more;
    if (failure_) return false;
    Result<nlohmann::json> object = ledger::ParseStrict(whole);
    if (object && object->is_object()) {
      single_ = Entry(whole, "");
      return single_.has_value();
    }
    // Not one object either: the first line is what is wrong, as NDJSON.
    number_ = first_number;
    failure_ = Failure{kExitUsage, "line " + std::to_string(number_) + ": " +
                                       (first ? std::string("an entry must be a JSON object")
                                              : first.error().ToString())};
    return false;
  }

  // The validated entry `text` holds, or nullopt with the failure set (`where` prefixed).
  std::optional<db::PendingEntry> Entry(const std::string& text, const std::string& where) {
    Result<nlohmann::json> parsed = ledger::ParseStrict(text);
    if (!parsed) {
      failure_ = Failure{kExitUsage, where + parsed.error().ToString()};
      return std::nullopt;
    }
    if (!parsed->is_object()) {
      failure_ = Failure{kExitUsage, where + "an entry must be a JSON object"};
      return std::nullopt;
    }
    Result<nlohmann::json> valid = ledger::ValidateBody(*parsed);
    if (!valid) {
      failure_ = Failure{kExitUsage, where + valid.error().ToString()};
      return std::nullopt;
    }
    seen_any_ = true;
    return db::PendingEntry{std::make_shared<const nlohmann::json>(std::move(valid).value()),
                            sub_, "", ""};
  }

  std::istream& in_;
  const std::string sub_;
  bool started_ = false;
  bool seen_any_ = false;
  std::optional<db::PendingEntry> single_;  // The input was one (multi-line) object.
  std::string pending_line_;                // The first NDJSON line, read by Start().
  std::size_t number_ = 0;                  // Of the last line read.
  std::uintmax_t bytes_ = 0;
  std::optional<Failure> failure_;
};

// An EntrySource that reads the group after the one it returns on a second thread, so
// that parsing and validating the input overlaps the store's writing. The source it wraps
// is only ever called by one thread at a time.
class PrefetchingSource {
 public:
  explicit PrefetchingSource(db::EntrySource source) : source_(std::move(source)) {}
  ~PrefetchingSource() {
    if (next_.valid()) next_.wait();
  }
  PrefetchingSource(const PrefetchingSource&) = delete;
  PrefetchingSource& operator=(const PrefetchingSource&) = delete;

  Result<std::vector<db::PendingEntry>> Next(std::size_t count) {
    Result<std::vector<db::PendingEntry>> entries =
        next_.valid() ? next_.get() : source_(count);
    // Only while there is more: an error or the end is final.
    if (entries && !entries->empty()) {
      next_ = std::async(std::launch::async, [this, count]() { return source_(count); });
    }
    return entries;
  }

 private:
  db::EntrySource source_;
  std::future<Result<std::vector<db::PendingEntry>>> next_;
};

// Reads standard input to its end into an unnamed temporary file and opens `spooled` on
// it. The append's write transaction then reads a file, which cannot stall: a pipe whose
// writer pauses would otherwise hold the ledger's write lock (and every append of a
// server on the same ledger) for as long as it liked. Over kAppendFileBytesMax: refused.
Result<void> SpoolStandardInput(std::ifstream& spooled) {
  std::string path = (fs::temp_directory_path() / "jejak-append-XXXXXX").string();
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return Error{Code::kUnavailable, "cannot create a temporary file for stdin", {}};
  ::close(fd);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    std::vector<char> buffer(1 << 20);
    std::uintmax_t total = 0;
    while (out && std::cin) {
      std::cin.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      const std::streamsize got = std::cin.gcount();
      if (got <= 0) break;
      total += static_cast<std::uintmax_t>(got);
      if (total > kAppendFileBytesMax) {
        out.close();
        fs::remove(path);
        return InvalidArgument("stdin is over 1 GiB");
      }
      out.write(buffer.data(), got);
    }
    if (!out.flush()) {
      fs::remove(path);
      return Error{Code::kUnavailable, "cannot write the temporary copy of stdin", {}};
    }
  }
  spooled.open(path, std::ios::binary);
  std::error_code ec;
  fs::remove(path, ec);  // The open stream keeps the file until it closes.
  if (!spooled) return Error{Code::kUnavailable, "cannot read the temporary copy of stdin", {}};
  return Ok();
}

}  // namespace

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
  const std::string& file = args.positional[0];
  std::ifstream file_stream;
  if (file != "-") {
    std::error_code ec;
    const bool regular = fs::is_regular_file(file, ec);
    const std::uintmax_t size = regular ? fs::file_size(file, ec) : 0;
    if (regular && !ec && size <= kAppendFileBytesMax) file_stream.open(file, std::ios::binary);
    if (!file_stream) {
      return Usage("append: cannot read " + file + " (missing, not a file, or over 1 GiB)");
    }
  }
  if (file == "-") {
    if (Result<void> spooled = SpoolStandardInput(file_stream); !spooled) {
      return Usage("append: " + spooled.error().message);
    }
  }
  AppendInput input(file_stream, *sub);
  Failure failure;
  std::optional<Ledger> ledger = OpenLedger(args, /*need_signer=*/true, failure);
  if (!ledger) return Fail(failure);

  // One transaction, all or nothing: the input is read and checked a group at a time,
  // each group signed with its own checkpoint, and nothing is committed unless every
  // entry passed. Memory holds at most three groups (written, read ahead, being read),
  // whatever the input's size.
  bool input_failed = false;  // The append stopped at a bad input, not a ledger check.
  Result<db::StreamReceipt> receipt = Error{Code::kInternal, "not appended", {}};
  {
    PrefetchingSource prefetching([&input](std::size_t count) { return input.Next(count); });
    receipt = ledger->store->AppendStream(
        [&](std::size_t count) {
          Result<std::vector<db::PendingEntry>> entries = prefetching.Next(count);
          if (!entries) input_failed = true;
          return entries;
        },
        batch, NowRfc3339);
  }  // Waits for a group still being read ahead.
  if (input_failed) return Fail({kExitUsage, "append: " + input.failure()->reason});
  if (!receipt) return Usage("append: nothing written: " + receipt.error().ToString());
  const std::uint64_t appended = receipt->appended;
  const std::int64_t first_seq = receipt->first_seq;
  const std::string& checkpoint = receipt->checkpoint;
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
  WitnessDemand witnesses;
  if (std::optional<Failure> failed = ReadWitnessDemand(args, witnesses)) {
    return Usage("verify: " + failed->reason);
  }
  std::optional<std::string> trusted;
  const std::optional<std::string> path = args.Get("checkpoint");
  if (path) {
    trusted = ReadFile(*path, 1024 * 1024);
    if (!trusted) return Usage("verify: cannot read checkpoint file " + *path);
  } else if (!witnesses.keys.empty()) {
    return Usage("verify: --witness-key needs --checkpoint NOTEFILE, the note whose witnesses are demanded");
  }
  Failure failure;
  std::optional<Ledger> ledger = OpenLedger(args, false, failure);
  if (!ledger) return Fail(failure);
  // A trusted checkpoint counts only once the demanded witnesses cosigned it.
  std::string witnessed;
  if (std::optional<Failure> failed = CheckWitnessDemand("the checkpoint " + path.value_or(""),
                                                         trusted.value_or(""), ledger->verifier,
                                                         witnesses, witnessed)) {
    return Fail({failed->exit_code, "verification FAILED: " + failed->reason});
  }
  Result<db::VerifyReport> report = ledger->store->Verify(ledger->verifier, trusted);
  if (!report) return Usage("verify: " + report.error().ToString());
  if (!report->ok) {
    return Fail({kExitVerificationFailed,
                 "verification FAILED at seq " + std::to_string(report->problem->seq) + ": " +
                     report->problem->what});
  }
  std::printf("ok: %llu entries, %llu checkpoints, root %s%s\n",
              static_cast<unsigned long long>(report->entries),
              static_cast<unsigned long long>(report->checkpoints), crypto::ToHex(report->root).c_str(),
              witnessed.c_str());
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
  // The bundle (db/bundle_export.h, the same exporter as GET /v1/export/bundle), closed
  // by the stored checkpoint of exactly the exported entries with its cosignatures, as
  // the HTTP export is (so that `jejak import` keeps them), or, when no commit ended
  // there, by one signed now.
  Result<db::BundleExporter> exporter = db::BundleExporter::Open(
      *ledger->store, {ledger->config.origin, ledger->verifier, &*ledger->signer, to_seq,
                       NowRfc3339(), db::BundleCheckpoint::kStoredIfPresent});
  if (!exporter) return Usage("export-bundle: " + exporter.error().ToString());

  std::ofstream file;
  std::optional<std::string> out_path = args.Get("out");
  if (out_path) {
    if (fs::exists(*out_path)) return Usage("export-bundle: " + *out_path + " already exists");
    file.open(*out_path, std::ios::binary);
    if (!file) return Usage("export-bundle: cannot write " + *out_path);
  }
  std::ostream& out = out_path ? static_cast<std::ostream&>(file) : std::cout;
  for (;;) {
    std::string chunk;
    Result<bool> more = exporter->Next(chunk);
    if (!more) return Usage("export-bundle: " + more.error().ToString());
    out << chunk;
    if (!out) return Usage("export-bundle: write failed");
    if (!*more) break;
  }
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
  WitnessDemand witnesses;
  if (std::optional<Failure> failed = ReadWitnessDemand(args, witnesses)) {
    return Usage("verify-bundle: " + failed->reason);
  }
  const std::string& path = args.positional[0];
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (!in || !fs::is_regular_file(path, ec)) return Usage("verify-bundle: cannot read " + path);
  ledger::BundleChecker checker(*verifier);
  BundleFileLines lines(in);
  Result<ledger::BundleSummary> summary = ledger::CheckBundle(
      checker, [&lines](std::string& line) { return lines.Next(line); },
      BatchPool::HelpersForThisMachine(kBundleHelpersMax));
  if (!summary) return Fail({kExitVerificationFailed, "bundle verification FAILED: " + summary.error().message});
  std::string witnessed;
  if (std::optional<Failure> failed = CheckWitnessDemand("the bundle's checkpoint", checker.checkpoint_note(),
                                                         *verifier, witnesses, witnessed)) {
    return Fail({failed->exit_code, "bundle verification FAILED: " + failed->reason});
  }
  std::printf("ok: %llu entries of %s, root %s%s\n", static_cast<unsigned long long>(summary->entries),
              summary->origin.c_str(), crypto::ToHex(summary->root).c_str(), witnessed.c_str());
  return kExitOk;
}

}  // namespace jejak::cli
