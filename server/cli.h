// The `jejak` command line: one binary, one subcommand per task (DESIGN "CLI"). Exit codes:
// 0 ok, 1 verification failed, 2 usage or input error (one-line reason on stderr).
#pragma once

namespace jejak::server {

inline constexpr int kExitOk = 0;
inline constexpr int kExitVerificationFailed = 1;
inline constexpr int kExitUsage = 2;

// Runs the subcommand named by argv[1]. Never throws.
int RunCli(int argc, char** argv);

}  // namespace jejak::server
