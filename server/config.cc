#include "server/config.h"

#include "db/store.h"
#include "ledger/money.h"
#include "ledger/note.h"
#include "server/https_client.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <type_traits>
#include <fstream>
#include <cstdlib>
#include <regex>
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
  return ResolveConfigPath(dir, value);
}

std::string Relative(const std::string& dir, const std::string& value) {
  std::filesystem::path relative = std::filesystem::path(value).lexically_relative(dir);
  if (relative.empty() || relative.string().rfind("..", 0) == 0) return value;
  return relative.string();
}

// An integer key: its range, and where its value goes.
struct Number {
  std::int64_t min;
  std::int64_t max;
  std::function<void(std::int64_t)> set;
};

// The integer keys and the fields they set. Durations are written in the unit their key
// names and stored as std::chrono durations.
std::map<std::string, Number> NumberKeys(Config& config) {
  const auto to = [](auto* field) {
    return [field](std::int64_t value) {
      *field = std::remove_pointer_t<decltype(field)>(value);
    };
  };
  const auto body_min = static_cast<std::int64_t>(kRequestBodyBytesMin);
  const auto body_max = static_cast<std::int64_t>(kRequestBodyBytesMax);
  return {
      {"body_bytes_max", {body_min, body_max, to(&config.body_bytes_max)}},
      {"header_bytes_max", {1024, 1024 * 1024, to(&config.header_bytes_max)}},
      {"import_body_max_bytes",
       {body_min, static_cast<std::int64_t>(kImportBodyBytesMax), to(&config.import_body_max_bytes)}},
      {"import_rows_max", {1, static_cast<std::int64_t>(kImportRowsMax), to(&config.import_rows_max)}},
      {"handshake_timeout_seconds", {1, 60, to(&config.handshake_timeout)}},
      {"request_timeout_seconds", {1, 3600, to(&config.request_timeout)}},
      {"idle_timeout_seconds", {1, 3600, to(&config.idle_timeout)}},
      {"connections_max", {1, 100000, to(&config.connections_max)}},
      {"connections_per_client_max", {0, 100000, to(&config.connections_per_client_max)}},
      {"append_queue_max", {256, 1000000, to(&config.append_queue_max)}},
      {"append_batch_max", {1, 10000, to(&config.append_batch_max)}},
      {"worker_threads", {0, 256, to(&config.worker_threads)}},
      {"verify_interval_minutes", {0, 10080, to(&config.verify_interval)}},
      {"token_lifetime_max_seconds", {60, 30LL * 24 * 3600, to(&config.token_lifetime_max)}},
      {"audit_split_window_days", {0, 366, to(&config.audit_split_window)}},
      {"audit_duplicate_window_days", {1, 366, to(&config.audit_duplicate_window)}},
      {"witness_quorum", {1, 64, to(&config.witness_quorum)}},
      {"witness_wait_max_seconds", {1, 300, to(&config.witness_wait_max)}},
      {"checkpoint_stale_after_seconds", {1, 366LL * 24 * 3600, to(&config.checkpoint_stale_after)}},
      {"audit_reversal_heavy_basis_points",
       {1, 10000, to(&config.audit_reversal_heavy_basis_points)}},
      {"bank_match_window_days", {0, 31, to(&config.bank_match_window)}},
      {"bank_debit_due_days", {0, 366, to(&config.bank_debit_due)}},
  };
}

// Sets `number` from `line`'s value: an integer in its range, else kInvalidArgument.
Result<void> SetNumber(const Number& number, const ConfigLine& line) {
  char* end = nullptr;
  const long long parsed = std::strtoll(line.value.c_str(), &end, 10);
  if (*end != '\0' || parsed < number.min || parsed > number.max) {
    return InvalidArgument(line.where + "'" + line.key + "' must be an integer from " +
                           std::to_string(number.min) + " to " + std::to_string(number.max));
  }
  number.set(parsed);
  return Ok();
}

bool IsIsoDate(const std::string& text) {
  static const std::regex date(R"(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))");
  return std::regex_match(text, date);
}

// The repeatable audit keys: holiday, audit_procurement_cap, audit_tax_deadline and
// audit_cash_exempt_account. `where` names the line for errors. `configured` holds the
// "key type" pairs the file has set so far: the first line of a procurement type or tax
// type replaces every built-in line of that type, so that the file states the whole
// schedule of a type it names (a built-in date can move later, not only earlier).
Result<void> ReadAuditListKey(Config& config, const std::string& key, const std::string& value,
                              const std::string& where, std::set<std::string>& configured) {
  std::istringstream words(value);
  if (key == "holiday") {
    // YYYY-MM-DD [national|regional] [name...]; without a mark, national (the old form).
    std::string date;
    std::string scope;
    words >> date >> scope;
    if (!IsIsoDate(date)) return InvalidArgument(where + "holiday must start with YYYY-MM-DD");
    if (scope.empty() || scope == "national") {
      config.holidays.push_back(date);
    } else if (scope == "regional") {
      config.regional_holidays.push_back(date);
    } else {
      return InvalidArgument(where + "holiday needs: YYYY-MM-DD [national|regional] [name]");
    }
    return Ok();
  }
  if (key == "audit_cash_exempt_account") {
    static const std::regex prefix(R"(\d+(\.\d+)*)");
    if (!std::regex_match(value, prefix)) {
      return InvalidArgument(where + "audit_cash_exempt_account must be an account-code prefix "
                                     "like 5.1.02.04");
    }
    config.audit_cash_exempt_accounts.push_back(value);
    return Ok();
  }
  std::string type;
  std::string date;
  std::string amount;
  std::string extra;
  if (!(words >> type >> date >> amount) || (words >> extra) || !IsIsoDate(date)) {
    return InvalidArgument(where + key + " needs: TYPE YYYY-MM-DD " +
                           (key == "audit_tax_deadline" ? "DAY" : "RUPIAH"));
  }
  if (key == "audit_procurement_cap") {
    if (type != ledger::kProcurementTypeGoods && type != ledger::kProcurementTypeOtherServices &&
        type != ledger::kProcurementTypeConsultancy && type != ledger::kProcurementTypeWorks) {
      return InvalidArgument(where + "audit_procurement_cap type must be barang, jasa_lainnya, "
                                     "konsultansi or konstruksi");
    }
    Result<std::int64_t> sen = ledger::ParseMoneySen(amount);
    if (!sen || *sen <= 0) {
      return InvalidArgument(where + "audit_procurement_cap must be rupiah like 200000000");
    }
    std::vector<ledger::ProcurementCap>& caps = config.audit_procurement_caps;
    const bool first_of_type = configured.insert(key + " " + type).second;
    std::erase_if(caps, [&](const ledger::ProcurementCap& cap) {
      return cap.type == type && (first_of_type || cap.effective_from == date);
    });
    caps.push_back(ledger::ProcurementCap{type, date, *sen});
    return Ok();
  }
  if (type != "PPN" && type != "PPh21" && type != "PPh22" && type != "PPh23" && type != "PPh4(2)") {
    return InvalidArgument(where + "audit_tax_deadline type must be PPN, PPh21, PPh22, PPh23 or "
                                   "PPh4(2)");
  }
  char* end = nullptr;
  const long day = std::strtol(amount.c_str(), &end, 10);
  if (*end != '\0' || day < 0 || day > 28) {
    return InvalidArgument(where + "audit_tax_deadline day must be 1 to 28 (of the next month), "
                                   "or 0 for the payment day");
  }
  std::vector<ledger::TaxDeadlineRule>& rules = config.audit_tax_deadlines;
  const bool first_of_type = configured.insert(key + " " + type).second;
  std::erase_if(rules, [&](const ledger::TaxDeadlineRule& rule) {
    return rule.tax_type == type && (first_of_type || rule.effective_from == date);
  });
  rules.push_back(ledger::TaxDeadlineRule{type, date, static_cast<int>(day)});
  return Ok();
}

}  // namespace

std::optional<int> IndonesianUtcOffsetMinutes(const std::string& timezone) {
  // Indonesia keeps fixed offsets and no daylight saving, so the names map exactly.
  static const std::map<std::string, int> kOffsets = {
      {"Asia/Jakarta", 7 * 60},
      {"Asia/Pontianak", 7 * 60},
      {"Asia/Makassar", 8 * 60},
      {"Asia/Jayapura", 9 * 60},
  };
  const auto found = kOffsets.find(timezone);
  if (found == kOffsets.end()) return std::nullopt;
  return found->second;
}

namespace {

// Reads one `witness = VKEY URL [CA_FILE]` line into `config`: a cosignature/v1 key whose
// name no other witness has, an https:// URL, and a CA file relative to the config's
// directory (read when the service starts).
Result<void> ReadWitness(Config& config, const std::string& value, const std::string& where) {
  std::istringstream words(value);
  WitnessConfig witness;
  std::string extra;
  if (!(words >> witness.vkey >> witness.url) || ((words >> witness.ca_file) && (words >> extra))) {
    return InvalidArgument(where + "witness needs: VKEY URL [CA_FILE]");
  }
  std::optional<ledger::CosignerKey> key = ledger::ParseCosignerKey(witness.vkey);
  if (!key) {
    return InvalidArgument(where + "witness key is not a cosignature/v1 verifier key "
                                   "(NAME+HEXID+BASE64): " + witness.vkey.substr(0, 120));
  }
  witness.key = *key;
  if (!ParseServerUrl(witness.url)) {
    return InvalidArgument(where + "witness URL must be https://HOST[:PORT][/PREFIX], not " +
                           witness.url.substr(0, 120));
  }
  for (const WitnessConfig& other : config.witnesses) {
    if (other.key.name == witness.key.name) {
      return InvalidArgument(where + "two witnesses are named " + witness.key.name);
    }
  }
  if (!witness.ca_file.empty()) witness.ca_file = Resolve(config.data_dir, witness.ca_file);
  config.witnesses.push_back(std::move(witness));
  return Ok();
}

// Reads one `issuer = ISS ALG PUBLIC_KEY_FILE AUDIENCE` line into `config`.
Result<void> ReadIssuer(Config& config, const std::string& value, const std::string& where) {
  std::istringstream words(value);
  IssuerConfig issuer;
  std::string extra;
  if (!(words >> issuer.issuer >> issuer.algorithm >> issuer.public_key_path >>
        issuer.audience) ||
      (words >> extra)) {
    return InvalidArgument(where + "issuer needs: ISS ALG PUBLIC_KEY_FILE AUDIENCE");
  }
  if (issuer.algorithm != "ES256" && issuer.algorithm != "RS256") {
    return InvalidArgument(where + "issuer algorithm must be ES256 or RS256");
  }
  issuer.public_key_path = Resolve(config.data_dir, issuer.public_key_path);
  config.issuers.push_back(std::move(issuer));
  return Ok();
}

// Why a key that earlier versions read is refused now, or nullopt if `key` is not one.
std::optional<std::string> RetiredKey(const std::string& key) {
  if (key == "audit_late_recording_days") {
    return "audit_late_recording_days is no longer read: LATE_RECORDING now follows the LPJ "
           "deadline (the 10th of the next month) in the regency's timezone; remove the line "
           "(docs/audit-rules.md)";
  }
  if (key == "audit_direct_procurement_cap") {
    return "audit_direct_procurement_cap is no longer read: write audit_procurement_cap = "
           "TYPE YYYY-MM-DD RUPIAH per procurement type (docs/audit-rules.md)";
  }
  return std::nullopt;
}

}  // namespace

std::string ResolveConfigPath(const std::string& dir, const std::string& value) {
  std::filesystem::path path(value);
  if (path.is_absolute()) return path.string();
  return (std::filesystem::path(dir) / path).lexically_normal().string();
}

Result<std::vector<ConfigLine>> ReadConfigLines(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Error{Code::kNotFound, "no config file at " + path, {}};
  }
  if (std::filesystem::file_size(path, ec) > kConfigBytesMax) {
    return InvalidArgument("config file " + path + " is larger than 1 MiB");
  }
  std::ifstream in(path);
  if (!in) return Error{Code::kNotFound, "cannot read " + path, {}};
  std::vector<ConfigLine> lines;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string trimmed = Trim(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    const std::size_t equals = trimmed.find('=');
    const std::string where = path + ":" + std::to_string(number) + ": ";
    if (equals == std::string::npos) return InvalidArgument(where + "expected key = value");
    ConfigLine read{Trim(trimmed.substr(0, equals)), Trim(trimmed.substr(equals + 1)), where};
    if (read.value.empty()) return InvalidArgument(where + "'" + read.key + "' is empty");
    lines.push_back(std::move(read));
  }
  return lines;
}

Result<bool> ReadTransportLimit(Config& config, const ConfigLine& line) {
  static const char* const kTransportKeys[] = {
      "body_bytes_max", "header_bytes_max", "handshake_timeout_seconds",
      "request_timeout_seconds", "idle_timeout_seconds", "connections_max",
      "connections_per_client_max", "worker_threads"};
  if (std::find(std::begin(kTransportKeys), std::end(kTransportKeys), line.key) ==
      std::end(kTransportKeys)) {
    return false;
  }
  const std::map<std::string, Number> numbers = NumberKeys(config);
  if (Result<void> set = SetNumber(numbers.at(line.key), line); !set) return set.error();
  return true;
}

Result<std::vector<ledger::CosignerKey>> Cosigners(const Config& config) {
  std::vector<ledger::CosignerKey> cosigners;
  for (const std::string& vkey : config.witness_keys) {
    std::optional<ledger::CosignerKey> key = ledger::ParseCosignerKey(vkey);
    if (!key) return InvalidArgument("witness_key is not a cosignature/v1 key: " + vkey.substr(0, 120));
    cosigners.push_back(*key);
  }
  for (const WitnessConfig& witness : config.witnesses) cosigners.push_back(witness.key);
  for (std::size_t i = 0; i < cosigners.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (cosigners[i].name == cosigners[j].name) {
        return InvalidArgument("two cosigner keys (witness_key, witness) are named " + cosigners[i].name);
      }
      if (cosigners[i].public_key == cosigners[j].public_key) {
        return InvalidArgument("cosigners " + cosigners[j].name + " and " + cosigners[i].name +
                               " have one public key: one witness would count twice");
      }
    }
  }
  return cosigners;
}

Result<Config> LoadConfig(const std::string& path) {
  Result<std::vector<ConfigLine>> lines = ReadConfigLines(path);
  if (!lines) return lines.error();
  Config config;
  config.path = std::filesystem::absolute(path).lexically_normal().string();
  config.data_dir = std::filesystem::path(config.path).parent_path().string();
  std::map<std::string, std::string*> required = {
      {"region", &config.region},
      {"origin", &config.origin},
      {"database", &config.database},
      {"checkpoint_key", &config.checkpoint_key},
      {"checkpoint_vkey", &config.checkpoint_vkey},
  };
  std::map<std::string, std::string*> optional_text = {
      {"listen", &config.listen},
      {"tls_certificate", &config.tls_certificate},
      {"tls_key", &config.tls_key},
      {"token_issuer", &config.token_issuer},
      {"token_issuer_key", &config.token_issuer_key},
      {"token_audience", &config.token_audience},
  };
  std::map<std::string, Number> numbers = NumberKeys(config);
  // Money thresholds, written as DESIGN's money strings (rupiah).
  std::map<std::string, std::int64_t*> money = {
      {"audit_cash_cap", &config.audit_cash_cap_sen},
      {"audit_tax_collection_threshold", &config.audit_tax_collection_threshold_sen},
  };
  std::set<std::string> seen;
  std::set<std::string> audit_types;  // "key type" of the audit schedules the file sets.
  for (const ConfigLine& line : *lines) {
    const std::string& key = line.key;
    const std::string& value = line.value;
    const std::string& where = line.where;
    // Repeatable keys.
    if (key == "issuer") {
      if (Result<void> read = ReadIssuer(config, value, where); !read) return read.error();
      continue;
    }
    if (key == "witness_key") {
      config.witness_keys.push_back(value);
      continue;
    }
    if (key == "witness") {
      if (Result<void> read = ReadWitness(config, value, where); !read) return read.error();
      continue;
    }
    if (key == "holiday" || key == "audit_procurement_cap" || key == "audit_tax_deadline" ||
        key == "audit_cash_exempt_account") {
      if (Result<void> read = ReadAuditListKey(config, key, value, where, audit_types); !read) {
        return read.error();
      }
      continue;
    }
    if (std::optional<std::string> retired = RetiredKey(key)) {
      return InvalidArgument(where + *retired);
    }
    if (key == "timezone") {
      if (!seen.insert(key).second) return InvalidArgument(where + "'" + key + "' set twice");
      const std::optional<int> offset = IndonesianUtcOffsetMinutes(value);
      if (!offset) {
        return InvalidArgument(where +
                               "timezone must be Asia/Jakarta or Asia/Pontianak (WIB), "
                               "Asia/Makassar (WITA) or Asia/Jayapura (WIT)");
      }
      config.timezone = value;
      config.utc_offset_minutes = *offset;
      continue;
    }
    if (!seen.insert(key).second) return InvalidArgument(where + "'" + key + "' set twice");
    if (auto found = required.find(key); found != required.end()) {
      *found->second = value;
    } else if (auto text = optional_text.find(key); text != optional_text.end()) {
      *text->second = value;
    } else if (auto limit = numbers.find(key); limit != numbers.end()) {
      if (Result<void> set = SetNumber(limit->second, line); !set) return set.error();
    } else if (auto amount = money.find(key); amount != money.end()) {
      Result<std::int64_t> sen = ledger::ParseMoneySen(value);
      if (!sen) return InvalidArgument(where + "'" + key + "' must be rupiah like 200000000");
      *amount->second = *sen;
    } else if (key == "metrics_from") {
      if (value != "loopback" && value != "any") {
        return InvalidArgument(where + "metrics_from must be loopback or any");
      }
      config.metrics_from_any = value == "any";
    } else if (key == "read_only") {
      if (value != "true" && value != "false") {
        return InvalidArgument(where + "read_only must be true or false");
      }
      config.read_only = value == "true";
    } else {
      return InvalidArgument(where + "unknown key '" + key + "'");
    }
  }
  for (const auto& [key, value] : required) {
    if (value->empty()) return InvalidArgument(path + ": missing required key '" + key + "'");
  }
  // The origin names the checkpoint key: signing with a malformed name would stop at a
  // CHECK deep in the note code, so it is refused here, where the file is read.
  if (!ledger::ValidKeyName(config.origin)) {
    return InvalidArgument(path + ": origin must be a key name (no spaces, no '+'), not '" +
                           config.origin.substr(0, 64) + "'");
  }
  if (Result<std::vector<ledger::CosignerKey>> cosigners = Cosigners(config); !cosigners) {
    return InvalidArgument(path + ": " + cosigners.error().message);
  }
  if (config.witness_quorum == 0) {
    config.witness_quorum = config.witnesses.size();
  } else if (config.witness_quorum > config.witnesses.size()) {
    return InvalidArgument(path + ": witness_quorum is " + std::to_string(config.witness_quorum) +
                           " but only " + std::to_string(config.witnesses.size()) +
                           " witnesses are configured");
  }
  if (config.append_queue_max < config.append_batch_max) {
    return InvalidArgument(path + ": append_queue_max must be at least append_batch_max");
  }
  // A PostgreSQL URL stays as written (Store::Open reports one libpq cannot read).
  if (config.database.rfind("postgresql://", 0) != 0 && config.database.rfind("postgres://", 0) != 0) {
    std::string file = config.database;
    if (file.rfind("sqlite:", 0) == 0) file = file.substr(7);
    config.database = "sqlite:" + Resolve(config.data_dir, file);
  }
  config.checkpoint_key = Resolve(config.data_dir, config.checkpoint_key);
  config.checkpoint_vkey = Resolve(config.data_dir, config.checkpoint_vkey);
  for (std::string* file : {&config.tls_certificate, &config.tls_key, &config.token_issuer_key}) {
    if (!file->empty()) *file = Resolve(config.data_dir, *file);
  }
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
      << "checkpoint_vkey = " << Relative(config.data_dir, config.checkpoint_vkey) << "\n"
      << "\n# The HTTPS service (jejak serve).\n"
      << "listen = " << config.listen << "\n"
      << "tls_certificate = " << Relative(config.data_dir, config.tls_certificate) << "\n"
      << "tls_key = " << Relative(config.data_dir, config.tls_key) << "\n"
      << "\n# Trusted token issuers, one line each: ISS ALG PUBLIC_KEY_FILE AUDIENCE.\n";
  for (const IssuerConfig& issuer : config.issuers) {
    out << "issuer = " << issuer.issuer << " " << issuer.algorithm << " "
        << Relative(config.data_dir, issuer.public_key_path) << " " << issuer.audience << "\n";
  }
  out << "# The local issuer that `jejak token` signs as.\n"
      << "token_issuer = " << config.token_issuer << "\n"
      << "token_issuer_key = " << Relative(config.data_dir, config.token_issuer_key) << "\n"
      << "token_audience = " << config.token_audience << "\n"
      << "# Tokens valid for longer than this are refused (seconds; 86400 = 24 h).\n"
      << "token_lifetime_max_seconds = " << config.token_lifetime_max.count() << "\n"
      << "# GET /v1/integrity calls the newest checkpoint stale once it is older than this\n"
      << "# (seconds; 86400 = 24 h).\n"
      << "checkpoint_stale_after_seconds = " << config.checkpoint_stale_after.count() << "\n"
      << "\n# Limits (see ops/jejak.example.conf).\n"
      << "body_bytes_max = " << config.body_bytes_max << "\n"
      << "header_bytes_max = " << config.header_bytes_max << "\n"
      << "# POST /v1/imports only: its body limit (bytes) and the rows of one file.\n"
      << "import_body_max_bytes = " << config.import_body_max_bytes << "\n"
      << "import_rows_max = " << config.import_rows_max << "\n"
      << "handshake_timeout_seconds = " << config.handshake_timeout.count() << "\n"
      << "request_timeout_seconds = " << config.request_timeout.count() << "\n"
      << "idle_timeout_seconds = " << config.idle_timeout.count() << "\n"
      << "connections_max = " << config.connections_max << "\n"
      << "# 0: off. Behind a reverse proxy every client has the proxy's address.\n"
      << "connections_per_client_max = " << config.connections_per_client_max << "\n"
      << "append_queue_max = " << config.append_queue_max << "\n"
      << "append_batch_max = " << config.append_batch_max << "\n"
      << "metrics_from = " << (config.metrics_from_any ? "any" : "loopback") << "\n"
      << (config.read_only ? "read_only = true\n" : "");
  if (!config.witnesses.empty()) {
    out << "\n# Witnesses: VKEY URL [CA_FILE] (ops/jejak.example.conf).\n";
    for (const WitnessConfig& witness : config.witnesses) {
      out << "witness = " << witness.vkey << " " << witness.url;
      if (!witness.ca_file.empty()) out << " " << Relative(config.data_dir, witness.ca_file);
      out << "\n";
    }
    out << "witness_quorum = " << config.witness_quorum << "\n"
        << "witness_wait_max_seconds = " << config.witness_wait_max.count() << "\n";
  }
  out
      << "\n# Audit rules (docs/audit-rules.md; every key in ops/jejak.example.conf).\n"
      << "# The regency's time zone: Asia/Jakarta or Asia/Pontianak (WIB), Asia/Makassar (WITA),\n"
      << "# Asia/Jayapura (WIT). LATE_RECORDING judges recording days in it.\n"
      << "timezone = " << config.timezone << "\n"
      << "# National holidays and cuti bersama move tax deposit deadlines; regional ones never\n"
      << "# do. List the year's, one a line, for example:\n"
      << "# holiday = 2026-08-17 national Hari Kemerdekaan\n";
  return out.str();
}

Result<void> CheckDataDirModes(const Config& config) {
  namespace fs = std::filesystem;
  const fs::path dir(config.data_dir);
  std::vector<fs::path> paths = {dir, dir / "keys", dir / "tls", dir / "state", config.path,
                                 config.checkpoint_key, config.checkpoint_vkey};
  if (config.database.rfind("sqlite:", 0) == 0) paths.emplace_back(config.database.substr(7));
  for (const std::string& key : {config.token_issuer_key, config.tls_key}) {
    if (!key.empty()) paths.emplace_back(key);
  }
  for (const fs::path& path : paths) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) continue;  // Missing: whoever needs it says so.
    if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
      const bool is_dir = S_ISDIR(info.st_mode);
      return Error{Code::kPermissionDenied,
                   path.string() + " is group- or world-writable (mode " + mode +
                       "): anyone could alter the ledger's keys or data; run chmod " +
                       (is_dir ? "700 " : "600 ") + path.string(),
                   {}};
    }
  }
  // A private key others can read is a key others may already have.
  for (const std::string& key : {config.checkpoint_key, config.token_issuer_key, config.tls_key}) {
    struct stat info {};
    if (key.empty() || ::stat(key.c_str(), &info) != 0) continue;
    if ((info.st_mode & (S_IRGRP | S_IROTH)) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
      return Error{Code::kPermissionDenied,
                   key + " is a private key readable by others (mode " + mode +
                       "); run chmod 600 " + key + ", and replace the key if others may have read it",
                   {}};
    }
  }
  return Ok();
}

}  // namespace jejak::server
