// The auditor's tools (DESIGN "CLI"): `jejak audit` fetches the server's latest checkpoint
// over HTTPS (cli/https_client.h), verifies it with only the pinned verifier key, proves it
// consistent with the last checkpoint this auditor accepted (kept in a state directory),
// optionally demands that a quorum of pinned witnesses cosigned it, verifies the whole
// offline bundle and cosigns; `jejak cosigner-key` makes an auditor's witness key.
#pragma once

#include "cli/args.h"

namespace jejak::cli {

// The synopsis `jejak audit` prints under an option error.
inline constexpr const char* kAuditUsage =
    "usage: jejak audit --server https://HOST[:PORT] --token-file FILE --key VKEYFILE --state DIR\n"
    "                   [--full] [--cosign KEYFILE --cosigner-name NAME] [--ca-cert FILE]\n"
    "                   [--witness-key FILE]... [--quorum K]";

// `jejak audit --server URL --token-file F --key VKEYFILE --state DIR [--full]
// [--cosign KEYFILE --cosigner-name NAME] [--ca-cert FILE] [--witness-key FILE]...
// [--quorum K]`, with `args` parsed by cli/args.h. Prints one summary line on success and
// returns kExitOk; a failed check (among them: fewer than K of the --witness-key
// witnesses cosigned the server's checkpoint) returns kExitVerificationFailed with a
// message for the audit report on stderr; usage, local input and network errors return
// kExitUsage. DIR/checkpoint.note and DIR/audit.log change only after every check passed.
// Never throws.
int RunAudit(const Args& args);

// `jejak cosigner-key --name NAME --out KEYFILE`: writes a fresh Ed25519 witness key
// (PKCS#8 PEM, mode 0600, never overwriting) and prints its cosignature/v1 verifier key.
// Returns kExitOk or kExitUsage. Never throws.
int RunCosignerKey(const Args& args);

}  // namespace jejak::cli
