// The configuration file (DIR/jejak.conf): "key = value" lines, '#' comments. Relative
// paths are relative to the file's directory. `jejak init` writes a working one;
// ops/jejak.example.conf documents every key.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "ledger/audit.h"
#include "ledger/cosignature.h"
#include "server/limits.h"

namespace jejak::server {

// One trusted token issuer: "issuer = ISS ALG PUBLIC_KEY_PEM_FILE AUDIENCE".
struct IssuerConfig {
  std::string issuer;
  std::string algorithm;        // ES256 or RS256.
  std::string public_key_path;  // Absolute.
  std::string audience;
};

// One witness the log pushes its checkpoints to (issue #14): "witness = VKEY URL [CA_FILE]".
struct WitnessConfig {
  std::string vkey;        // Its cosigner verifier key, as written; its name is the witness's.
  ledger::CosignerKey key;  // The same, parsed.
  std::string url;         // https:// prefix; the pusher POSTs to url + "/add-checkpoint".
  std::string ca_file;     // Absolute path of the CA certificate to trust; "": the system's.
};

struct Config {
  std::string path;           // The file this came from.
  std::string data_dir;       // Its directory.
  std::string region;         // "Pemerintah Kabupaten Rejang Lebong".
  std::string origin;         // The checkpoint origin and key name.
  std::string database;       // "sqlite:/abs/path/ledger.db".
  std::string checkpoint_key;   // Absolute path of the Ed25519 PEM private key.
  std::string checkpoint_vkey;  // Absolute path of the signed-note verifier key.

  // The HTTPS service (optional for the offline commands; `serve` requires them).
  std::string listen = "127.0.0.1:8443";
  std::string tls_certificate;  // Absolute path, PEM chain.
  std::string tls_key;          // Absolute path, PEM private key.
  std::vector<IssuerConfig> issuers;
  std::string token_issuer;      // The local issuer `jejak token` signs as.
  std::string token_issuer_key;  // Absolute path of its ES256 private key.
  std::string token_audience = "jejak";
  // token_lifetime_max_seconds: tokens valid for longer than this (exp - now, or
  // exp - iat) are refused, so a stolen token does not work for years; `jejak token`
  // refuses a longer --ttl.
  std::chrono::seconds token_lifetime_max{24 * 3600};
  std::vector<std::string> witness_keys;  // Auditors' cosignature verifier keys.
  // The witnesses the log pushes every checkpoint to (names unique), how many of them make
  // a quorum (witness_quorum, 1 to their number; default all of them, 0 when there are
  // none), and the longest an append with ?wait_witnesses= waits for them.
  std::vector<WitnessConfig> witnesses;
  std::size_t witness_quorum = 0;
  std::chrono::seconds witness_wait_max{10};
  // checkpoint_stale_after_seconds: GET /v1/integrity reports the newest checkpoint as
  // stale (checkpoint_stale) once it is older than this; the dashboard warns. A ledger
  // that records every working day would have a checkpoint younger than a day.
  std::chrono::seconds checkpoint_stale_after{86400};
  bool metrics_from_any = false;          // metrics_from = loopback (default) | any.
  // read_only = true (or `jejak serve --read-only`): an instance in front of a read
  // replica. It serves every GET, refuses writes with 503, never writes the database or
  // DIR/state, and does not compare the database with DIR/state/latest-checkpoint (a
  // replica may lag behind the primary's).
  bool read_only = false;

  // Limits (server/limits.h says why the defaults are what they are). The file writes
  // durations in the unit their key names: handshake_timeout_seconds, ...
  std::size_t body_bytes_max = kRequestBodyBytesDefault;  // At least ledger::kEntryBytesMax.
  std::size_t header_bytes_max = kRequestHeaderBytesDefault;
  // POST /v1/imports only: its body limit and the data rows one file may hold.
  std::size_t import_body_max_bytes = kImportBodyBytesDefault;
  std::size_t import_rows_max = kImportRowsDefault;
  std::chrono::seconds handshake_timeout = kHandshakeTimeoutDefault;
  std::chrono::seconds request_timeout = kRequestTimeoutDefault;
  std::chrono::seconds idle_timeout = kIdleTimeoutDefault;
  std::size_t connections_max = 1024;
  std::size_t connections_per_client_max = 64;  // 0: no per-client cap.
  std::size_t append_queue_max = 10000;
  std::size_t append_batch_max = 256;
  std::int64_t worker_threads = 0;  // 0: twice the cores.
  // The server re-verifies the whole ledger at start and then this often (0: never).
  std::chrono::minutes verify_interval = kVerifyIntervalDefault;

  // Audit rule thresholds (GET /v1/audit/findings); docs/audit-rules.md explains each.
  // SPLIT_PACKAGE: direct-procurement caps per type and effective date (repeatable key
  // audit_procurement_cap = TYPE YYYY-MM-DD RUPIAH), and the window (0: the fiscal year).
  std::vector<ledger::ProcurementCap> audit_procurement_caps = ledger::DefaultProcurementCaps();
  std::chrono::days audit_split_window{0};
  // DUPLICATE_PAYMENT: same amount, payee account and account this close together.
  std::chrono::days audit_duplicate_window{7};
  // CASH_PAYMENT: the Perbup's cap, and the account-code prefixes it allows in cash.
  std::int64_t audit_cash_cap_sen = 2'000'000LL * 100;
  std::vector<std::string> audit_cash_exempt_accounts;
  std::int64_t audit_reversal_heavy_basis_points = 500;
  // TAX_NOT_DEPOSITED: deadlines per tax type and period (audit_tax_deadline = TYPE
  // YYYY-MM-DD DAY); TAX_NOT_COLLECTED: the collection threshold.
  std::vector<ledger::TaxDeadlineRule> audit_tax_deadlines = ledger::DefaultTaxDeadlines();
  std::int64_t audit_tax_collection_threshold_sen = 2'000'000LL * 100;
  // Bank reconciliation: a payment matches a statement line by amount only within this
  // many days of its value date; ENTRY_WITHOUT_BANK_DEBIT waits this long for the debit.
  std::chrono::days bank_match_window{3};
  std::chrono::days bank_debit_due{7};
  // holiday = YYYY-MM-DD [national|regional] [name]. National ones (and the old form
  // without a mark) move tax deadlines; regional ones are kept for reference only.
  std::vector<std::string> holidays;
  std::vector<std::string> regional_holidays;
  // The regency's time zone (an Indonesian IANA name) and its fixed UTC offset.
  std::string timezone = "Asia/Jakarta";
  int utc_offset_minutes = 7 * 60;
};

// The fixed UTC offset of an Indonesian IANA time zone (Asia/Jakarta and Asia/Pontianak
// WIB +07, Asia/Makassar WITA +08, Asia/Jayapura WIT +09); nullopt for any other name.
std::optional<int> IndonesianUtcOffsetMinutes(const std::string& timezone);

// One "key = value" line of a config file; `where` ("PATH:LINE: ") opens messages about it.
struct ConfigLine {
  std::string key;
  std::string value;
  std::string where;
};

// The "key = value" lines of the config file `path` (jejak.conf, witness.conf), in order:
// blank lines and '#' comments skipped, keys and values trimmed. kNotFound if there is no
// such file; kInvalidArgument if it is larger than 1 MiB, or naming the line that has no
// '=' or an empty value.
Result<std::vector<ConfigLine>> ReadConfigLines(const std::string& path);

// `value` as a path: itself if absolute, else relative to `dir`, normalized.
std::string ResolveConfigPath(const std::string& dir, const std::string& value);

// Reads `line` into `config` if it is one of the HTTPS transport's limit keys
// (body_bytes_max, header_bytes_max, handshake_timeout_seconds, request_timeout_seconds,
// idle_timeout_seconds, connections_max, connections_per_client_max, worker_threads),
// with the ranges LoadConfig applies to them. False if it is not one; kInvalidArgument
// naming the line if its value is not an integer in range.
Result<bool> ReadTransportLimit(Config& config, const ConfigLine& line);

// Every cosigner whose lines the ledger stores, serves and imports: the auditors' keys
// (witness_key) and the pushed witnesses' keys (witness), in that order.
// kInvalidArgument if a witness_key is not a cosignature/v1 key, or two cosigners share a
// name or a public key (one witness would then count twice). LoadConfig checks this.
Result<std::vector<ledger::CosignerKey>> Cosigners(const Config& config);

// Reads and checks `path`. kInvalidArgument naming the line for unknown keys, missing
// required keys or malformed lines; kNotFound if the file does not exist.
Result<Config> LoadConfig(const std::string& path);

// Refuses a data directory others could tamper with: kPermissionDenied naming the path,
// its mode and the fix if the data directory, its keys/, tls/ or state/ folder, the
// config file, the database or a private key (checkpoint, token issuer, TLS) is group- or
// world-writable. A missing optional path is skipped. Start-up and every writing command
// call this before trusting anything in the directory.
Result<void> CheckDataDirModes(const Config& config);

// The text of a config file for `config` (paths written relative to its data_dir).
std::string FormatConfig(const Config& config);

}  // namespace jejak::server
