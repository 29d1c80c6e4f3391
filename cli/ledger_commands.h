// The ledger commands of `jejak` (DESIGN "CLI"): init, append, checkpoint, verify,
// export-bundle and verify-bundle, run on a ledger's data directory without the HTTPS
// service; and the helpers `jejak demo` (cli/serve_commands.cc) shares with them.
// Each command takes the options parsed by cli/args.h, prints its result on stdout, and
// returns an exit code of cli/exit_codes.h with a one-line reason on stderr. None throws
// an exception of its own.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/args.h"
#include "cli/exit_codes.h"
#include "db/store.h"
#include "ledger/cosignature.h"
#include "ledger/note.h"
#include "server/config.h"

namespace jejak::cli {

// The ledger under --data: its config, keys and an open store.
struct Ledger {
  server::Config config;
  ledger::NoteVerifier verifier;
  std::optional<ledger::NoteSigner> signer;
  std::unique_ptr<db::Store> store;
};

// Reads a verifier key file: one line "<name>+<id>+<key>". On failure sets `failure`
// (exit 2) and returns nullopt.
std::optional<ledger::NoteVerifier> ReadVerifierKey(const std::string& path, Failure& failure);

// The witnesses a verifier demands (`audit`, `verify-bundle`, `verify --checkpoint`):
// the cosigner keys of the repeatable --witness-key FILE and --quorum K of them.
struct WitnessDemand {
  std::vector<ledger::CosignerKey> keys;  // Empty: no witnesses demanded.
  std::size_t quorum = 0;
};

// The ArgSpec options of a command that demands witnesses (--witness-key is repeatable).
inline constexpr const char* kWitnessKeyOption = "witness-key";
inline constexpr const char* kQuorumOption = "quorum";

// Reads args' --witness-key files (each one cosigner verifier key line
// "NAME+<hex id>+<base64(0x04||pk)>", as `jejak cosigner-key` and `jejak witness-init`
// print) and --quorum K (default: the number of keys). A usage failure (exit 2) if a file
// is unreadable or holds no such key, --quorum is not a decimal, is given without keys, or
// ledger::CheckWitnessSet refuses the keys and K.
std::optional<Failure> ReadWitnessDemand(const Args& args, WitnessDemand& demand);

// With witnesses demanded, ledger::CheckWitnessQuorum on `note` under `log`: on success
// `summary` is "; witnesses A, B cosigned (quorum K of N)", to end an ok line; otherwise a
// verification failure (exit 1) "<what> ...: <why>" naming the witnesses that did and did
// not cosign. Without witnesses demanded, nullopt and an empty summary.
std::optional<Failure> CheckWitnessDemand(std::string_view what, std::string_view note,
                                          const ledger::NoteVerifier& log,
                                          const WitnessDemand& demand, std::string& summary);

// Opens the ledger under args' --data (verifier key from --key if given, else the
// config's). With `need_signer`, also checks the data directory's modes, loads the
// checkpoint key and refuses a ledger rewound behind its kept checkpoint (exit 1).
// On failure sets `failure` and returns nullopt.
std::optional<Ledger> OpenLedger(const Args& args, bool need_signer, Failure& failure);

// `jejak init`: creates the ledger under --data (config, keys, TLS certificate, database
// and genesis entry). `genesis_recorded_at` is the genesis entry's recorded_at, empty for
// now (`jejak demo` backdates it to its simulated year).
int CreateLedger(const Args& args, const std::string& genesis_recorded_at);

// `jejak init --data DIR --region NAME [--origin O] [--db URL]`.
int Init(const Args& args);
// `jejak append --data DIR --sub NAME [--batch N] FILE|-`: all or nothing when the input
// spans several group commits.
int Append(const Args& args);
// `jejak checkpoint --data DIR`: prints the newest signed checkpoint.
int Checkpoint(const Args& args);
// `jejak verify --data DIR [--key VKEYFILE] [--checkpoint NOTEFILE [--witness-key FILE]...
// [--quorum K]]`: exit 1 naming the first bad seq, or (witnesses demanded) unless K of
// them cosigned NOTEFILE.
int Verify(const Args& args);
// `jejak export-bundle --data DIR [--to-seq N] [--out FILE]`: the offline bundle, to
// stdout unless --out names a file that does not exist yet.
int ExportBundle(const Args& args);
// `jejak verify-bundle BUNDLE --key VKEYFILE [--witness-key FILE]... [--quorum K]`:
// trusts only the key files; exit 1 on any failed check, or (witnesses demanded) unless K
// of them cosigned the bundle's closing checkpoint.
int VerifyBundle(const Args& args);

}  // namespace jejak::cli
