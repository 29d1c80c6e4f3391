// The `jejak` command line (cli/commands.h): the usage text and the dispatch table that
// parses each command's options with cli/args.h and runs it. The commands themselves
// live in cli/ledger_commands.cc, cli/serve_commands.cc, cli/backup_commands.cc,
// cli/audit_client.cc and cli/witness_commands.cc.
#include "cli/commands.h"

#include <cstdio>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cli/args.h"
#include "cli/audit_client.h"
#include "cli/backup_commands.h"
#include "cli/exit_codes.h"
#include "cli/bank_commands.h"
#include "cli/import_commands.h"
#include "cli/ledger_commands.h"
#include "cli/serve_commands.h"
#include "cli/witness_commands.h"

namespace jejak::cli {
namespace {

constexpr const char* kUsage =
    "usage: jejak <command> [options]\n"
    "\n"
    "commands:\n"
    "  init --data DIR --region NAME [--origin O] [--db URL]\n"
    "      create a new ledger: config, database, genesis entry, checkpoint key\n"
    "  append --data DIR --sub NAME [--batch N] FILE|-\n"
    "      append one JSON entry, or NDJSON entries in group commits of N (default 256)\n"
    "  import-csv --data DIR --opd CODE --mapping FILE.json [--commit] [--sub NAME] FILE\n"
    "      import expenditures from a .csv or .xlsx file with a column mapping: a dry run\n"
    "      prints every row's errors (exit 2 if any); --commit appends all or nothing\n"
    "  bank-import --data DIR --account NO [--format mt940|camt053|csv] [--bank B]\n"
    "              [--role rkud|bendahara_pengeluaran] [--opd CODE] [--mapping FILE.json]\n"
    "              [--period-start D] [--period-end D] [--opening-balance M] [--sub NAME] FILE\n"
    "      append a bank statement file (format from the extension if not given) and\n"
    "      refresh the year's reconciliation; every problem by line (exit 2, nothing written)\n"
    "  checkpoint --data DIR\n"
    "      print the newest signed checkpoint\n"
    "  verify --data DIR [--key VKEYFILE]\n"
    "         [--checkpoint NOTEFILE [--witness-key FILE]... [--quorum K]]\n"
    "      recompute and check the whole ledger; exit 1 naming the first bad seq; with\n"
    "      witness keys, also exit 1 unless K of them (default: all given) cosigned NOTEFILE\n"
    "  export-bundle --data DIR [--to-seq N] [--out FILE]\n"
    "      write the offline verification bundle (NDJSON)\n"
    "  verify-bundle BUNDLE --key VKEYFILE [--witness-key FILE]... [--quorum K]\n"
    "      verify a bundle offline, trusting only the key files; with witness keys, exit 1\n"
    "      unless K of them (default: all given) cosigned its checkpoint\n"
    "  import --data DIR [--db URL] BUNDLE\n"
    "      rebuild the ledger from a bundle into an empty database (DIR's, or --db, which\n"
    "      then replaces `database` in DIR/jejak.conf), checked with DIR's key first\n"
    "  backup --data DIR --out FILE\n"
    "      consistent online copy of the database (SQLite backup API, checked; pg_dump\n"
    "      custom format on PostgreSQL); refuses an existing FILE\n"
    "  serve --data DIR [--listen HOST:PORT] [--read-only] | --config FILE [--listen HOST:PORT] [--read-only]\n"
    "      serve the HTTPS API until SIGTERM or SIGINT\n"
    "  token --data DIR --role R --sub NAME [--opd CODE] [--ttl 8h]\n"
    "      print a bearer token from the local issuer (roles: officer, auditor,\n"
    "      executive, admin; officers need --opd)\n"
    "  demo [--data DIR] [--port N | --listen HOST:PORT] [--entries N]\n"
    "      record a sample regency's year in DIR (default var/demo) if it is not there,\n"
    "      verify it, print a token per role and serve it (default 127.0.0.1:8443) with\n"
    "      two witnesses (DIR/witnesses) cosigning every checkpoint\n"
    "  audit --server URL --token-file F --key VKEYFILE --state DIR [--full]\n"
    "        [--cosign KEYFILE --cosigner-name NAME] [--ca-cert FILE]\n"
    "        [--witness-key FILE]... [--quorum K]\n"
    "      the auditor's check of a server: signature, consistency with the checkpoint\n"
    "      kept in DIR, K of the witnesses' cosignatures, optionally every entry (--full),\n"
    "      then cosign\n"
    "  cosigner-key --name NAME --out KEYFILE\n"
    "      make an auditor's witness key and print its cosigner verifier key\n"
    "  witness-init --data WDIR --name NAME [--listen HOST:PORT]\n"
    "      make a witness's directory (config, cosigning key, TLS certificate) and print\n"
    "      its cosigner verifier key\n"
    "  witness --data WDIR [--listen HOST:PORT]\n"
    "      serve the witness (C2SP tlog-witness) over HTTPS until SIGTERM or SIGINT\n"
    "\n"
    "exit codes: 0 ok, 1 verification failed, 2 usage or input error\n";

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
    struct Command {
      ArgSpec spec;
      int (*run)(const Args&);
      // Appended on its own line to an option error (the auditor's synopsis).
      const char* usage = nullptr;
    };
    // Commands other than the auditor's take positional arguments and check them.
    const auto with = [](std::set<std::string> valued) { return ArgSpec{std::move(valued), {}, true}; };
    const std::map<std::string, Command> commands = {
        {"init", {with({"data", "region", "origin", "db"}), Init, nullptr}},
        {"append", {with({"data", "sub", "batch"}), Append, nullptr}},
        {"import-csv", {ArgSpec{{"data", "opd", "mapping", "sub"}, {"commit"}, true}, ImportCsv, nullptr}},
        {"bank-import",
         {with({"data", "account", "format", "bank", "role", "opd", "mapping", "period-start", "period-end",
                "opening-balance", "sub"}),
          BankImport, nullptr}},
        {"checkpoint", {with({"data"}), Checkpoint, nullptr}},
        {"verify", {ArgSpec{{"data", "key", "checkpoint", "witness-key", "quorum"}, {}, true, {"witness-key"}},
                    Verify, nullptr}},
        {"export-bundle", {with({"data", "to-seq", "out"}), ExportBundle, nullptr}},
        {"verify-bundle",
         {ArgSpec{{"key", "witness-key", "quorum"}, {}, true, {"witness-key"}}, VerifyBundle, nullptr}},
        {"import", {with({"data", "db"}), Import, nullptr}},
        {"backup", {with({"data", "out"}), Backup, nullptr}},
        {"serve", {ArgSpec{{"data", "config", "listen"}, {"read-only"}, true}, Serve, nullptr}},
        {"token", {with({"data", "config", "role", "sub", "opd", "ttl"}), Token, nullptr}},
        {"demo", {with({"data", "listen", "port", "entries"}), Demo, nullptr}},
        // The auditor's commands take no positional arguments; `audit` has a bare --full.
        {"audit",
         {ArgSpec{{"server", "token-file", "key", "state", "cosign", "cosigner-name", "ca-cert", "witness-key",
                   "quorum"},
                  {"full"},
                  false,
                  {"witness-key"}},
          RunAudit, kAuditUsage}},
        {"cosigner-key", {ArgSpec{{"name", "out"}, {}, false}, RunCosignerKey, nullptr}},
        {"witness-init", {with({"data", "name", "listen"}), WitnessInit, nullptr}},
        {"witness", {with({"data", "listen"}), Witness, nullptr}},
    };
    auto found = commands.find(command);
    if (found == commands.end()) {
      return Usage("unknown command '" + command + "' (jejak help lists them)");
    }
    const Command& chosen = found->second;
    Args args;
    if (std::optional<Failure> failure =
            ParseArgs(std::vector<std::string>(argv + 2, argv + argc), chosen.spec, args)) {
      std::string reason = command + ": " + failure->reason;
      if (chosen.usage != nullptr) reason += std::string("\n") + chosen.usage;
      return Usage(reason);
    }
    return chosen.run(args);
  } catch (const std::exception& e) {
    return Fail({kExitUsage, std::string("internal error: ") + e.what()});
  }
}

}  // namespace jejak::cli
