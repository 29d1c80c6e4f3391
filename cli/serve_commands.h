// The service commands of `jejak` (DESIGN "CLI"): serve, token and demo. `serve` hands a
// ledger's config to server::Serve; `token` mints a bearer token from the local issuer;
// `demo` records the sample regency of cli/demo_generator.h, verifies it and serves it.
// Each returns an exit code of cli/exit_codes.h with a one-line reason on stderr.
#pragma once

#include "cli/args.h"

namespace jejak::cli {

// `jejak serve --data DIR | --config FILE [--listen HOST:PORT]`: serves until SIGTERM or
// SIGINT and returns server::Serve's exit code.
int Serve(const Args& args);
// `jejak token --data DIR | --config FILE --role R --sub NAME [--opd CODE] [--ttl 8h]`:
// prints one token; officers need --opd, the others must not give it.
int Token(const Args& args);
// `jejak demo [--data DIR] [--port N | --listen HOST:PORT] [--entries N]`: records the
// sample regency in DIR unless it already holds a ledger, prints a token per role, serves.
int Demo(const Args& args);

}  // namespace jejak::cli
