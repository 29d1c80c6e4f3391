// The witness program: `jejak witness-init` makes a witness's data directory (config,
// Ed25519 cosigning key, TLS certificate) and `jejak witness` serves C2SP tlog-witness
// over HTTPS from it (docs/witness.md). A witness is run by someone other than the
// regency (the Inspektorat, BPK) and cosigns a log's checkpoints only if they extend
// what it cosigned before.
#pragma once

#include "cli/args.h"

namespace jejak::cli {

// --data WDIR --name NAME [--listen HOST:PORT]: creates WDIR (0700), WDIR/witness.conf,
// WDIR/keys/witness.key (0600), WDIR/keys/witness.vkey and a self-signed certificate
// for localhost and 127.0.0.1 in WDIR/tls, and prints the cosigner verifier key as the
// only line on stdout. Refuses an existing WDIR/witness.conf or an invalid NAME (exit 2).
int WitnessInit(const Args& args);

// --data WDIR [--listen HOST:PORT]: serves the witness until SIGTERM or SIGINT; prints
// "listening on https://HOST:PORT" once bound. Exit 2 if the config, key, TLS files or
// database cannot be used, 0 after a graceful stop.
int Witness(const Args& args);

}  // namespace jejak::cli
