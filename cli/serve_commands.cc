// The service commands of `jejak` (cli/serve_commands.h): serve, token and demo. They
// load a ledger's config and hand it to server::Serve, mint tokens from the local issuer,
// and record, verify and serve the sample regency of cli/demo_generator.h.
#include "cli/serve_commands.h"

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

#include "cli/args.h"
#include "cli/demo_bank.h"
#include "cli/demo_generator.h"
#include "cli/demo_statements.h"
#include "cli/demo_witnesses.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/ledger_commands.h"
#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "db/store.h"
#include "ledger/entry.h"
#include "server/auth.h"
#include "server/config.h"
#include "server/service.h"

namespace jejak::cli {

namespace fs = std::filesystem;
using server::Actor;
using server::Config;
using server::LoadConfig;
using server::MintToken;
using server::ParseRole;
using server::Role;

namespace {

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


}  // namespace

int Serve(const Args& args) {
  if (!args.positional.empty()) return Usage("serve: unexpected argument " + args.positional[0]);
  Failure failure;
  std::optional<Config> config = LoadServeConfig(args, failure);
  if (!config) return Fail({kExitUsage, "serve: " + failure.reason});
  if (args.Has("read-only")) config->read_only = true;
  return server::Serve(*config, args.Get("listen").value_or(""));
}


namespace {

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


}  // namespace

int Token(const Args& args) {
  if (!args.positional.empty()) return Usage("token: unexpected argument " + args.positional[0]);
  std::optional<std::string> role_name = args.Get("role");
  std::optional<std::string> sub = args.Get("sub");
  if (!role_name) return Usage("token: --role is required (officer, auditor, executive, admin)");
  std::optional<Role> role = ParseRole(*role_name);
  if (!role) return Usage("token: unknown role '" + *role_name + "' (officer, auditor, executive, admin)");
  if (!sub || sub->empty() || sub->size() > server::kSubjectBytesMax) {
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
  if (*ttl > config->token_lifetime_max) {
    return Usage("token: --ttl is longer than the server accepts (token_lifetime_max_seconds = " +
                 std::to_string(config->token_lifetime_max.count()) + ")");
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


namespace {

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
  for (const std::string& line : plan.refunds) std::printf("  refund: %s\n", line.c_str());

  // The year's bank statements, as the bank sends them, beside the ledger.
  const auto start = std::chrono::steady_clock::now();
  const DemoBank bank = GenerateDemoStatements(plan, /*first_seq=*/1);
  const std::string dir = (fs::path(data) / "bank-statements").string();
  Result<std::vector<std::string>> files = WriteDemoStatements(bank, dir);
  if (!files) return Failure{kExitUsage, "bank statements: " + files.error().ToString()};
  std::printf("bank statements of %lld: %zu files (%zu lines; the RKUD in camt.053, the treasurers in MT940 and "
              "CSV, read with %s.json) written to %s in %.1f s\n",
              static_cast<long long>(kDemoFiscalYear), files->size(), bank.lines, bank.csv_mapping.name.c_str(),
              dir.c_str(), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  // BPKAD uploads them the day after the year's last entry.
  const std::string& last = plan.batches.back().recorded_at;
  const std::chrono::year_month_day last_day{
      std::chrono::year{std::stoi(last.substr(0, 4))},
      std::chrono::month{static_cast<unsigned>(std::stoi(last.substr(5, 2)))},
      std::chrono::day{static_cast<unsigned>(std::stoi(last.substr(8, 2)))}};
  const std::chrono::year_month_day next_day{std::chrono::sys_days{last_day} + std::chrono::days{1}};
  char recorded_on[16];
  std::snprintf(recorded_on, sizeof recorded_on, "%04d-%02u-%02u", static_cast<int>(next_day.year()),
                static_cast<unsigned>(next_day.month()), static_cast<unsigned>(next_day.day()));
  Result<DemoStatementsReport> imported =
      ImportDemoStatements(*ledger->store, bank, *files, kDemoFiscalYear, recorded_on, ledger::ReconcileParams{});
  if (!imported) return Failure{kExitUsage, "bank statements: " + imported.error().ToString()};
  std::printf("bank statements imported as seqs %lld..%lld in %.1f s; reconciliation stored in %.1f s: "
              "%s%% of the debits matched\n",
              static_cast<long long>(imported->first_seq), static_cast<long long>(imported->last_seq),
              imported->import_seconds, imported->reconcile_seconds, imported->matched_percent.c_str());
  return std::nullopt;
}


}  // namespace

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
      {"executive (Bupati)", Args{{{"data", data}, {"role", "executive"}, {"sub", "kantor.bupati"}}, {}, {}}},
      {"auditor (BPK)", Args{{{"data", data}, {"role", "auditor"}, {"sub", "bpk.auditor"}}, {}, {}}},
      {"officer (Dinas Kesehatan)",
       Args{{{"data", data}, {"role", "officer"}, {"sub", "bendahara.dinkes"}, {"opd", "1.02.0.00.0.00.01.0000"}}, {}, {}}},
      {"admin (BPKAD)", Args{{{"data", data}, {"role", "admin"}, {"sub", "admin.bpkad"}}, {}, {}}},
  };
  for (const auto& [label, token_args] : roles) {
    std::printf("  %s:\n  ", label);
    std::fflush(stdout);
    if (int code = Token(token_args); code != kExitOk) return code;
  }
  Args serve;
  serve.flags["data"] = data;
  Failure failure;
  std::optional<Config> config = LoadServeConfig(serve, failure);
  if (!config) return Fail({kExitUsage, "demo: " + failure.reason});
  // Two witnesses cosign every checkpoint, unless the config already names its own.
  std::printf("\n");
  DemoWitnesses witnesses;
  if (config->witnesses.empty()) {
    if (std::optional<Failure> failed = witnesses.Start(*config)) {
      return Fail({failed->exit_code, "demo: " + failed->reason});
    }
  }
  std::printf("\ndashboard: https://%s/ (certificate: %s/tls/cert.pem)\n", listen.c_str(), data.c_str());
  std::fflush(stdout);
  return server::Serve(*config, listen);
}

}  // namespace jejak::cli
