// The `jejak` command line: one binary, one subcommand per task (DESIGN "CLI"). Exit codes
// are those of cli/exit_codes.h: 0 ok, 1 verification failed, 2 usage or input error
// (one-line reason on stderr).
#pragma once

namespace jejak::cli {

// Runs the subcommand named by argv[1] with the options after it. Never throws.
int RunCli(int argc, char** argv);

}  // namespace jejak::cli
