// The exit codes of every `jejak` command (DESIGN "CLI") and the failure that carries one:
// 0 ok, 1 verification failed, 2 usage, input or network error. Every command in cli/
// returns one of these; the service keeps its own (server::Serve returns 0 or 2).
#pragma once

#include <cstdio>
#include <string>
#include <utility>

namespace jejak::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitVerificationFailed = 1;
inline constexpr int kExitUsage = 2;

// A failed command or step: the exit code and a one-line reason an operator or an
// auditor can quote.
struct Failure {
  int exit_code = kExitUsage;
  std::string reason;
};

inline Failure UsageError(std::string reason) { return {kExitUsage, std::move(reason)}; }
inline Failure CheckFailed(std::string reason) { return {kExitVerificationFailed, std::move(reason)}; }

// Writes "jejak: REASON" to stderr and returns the failure's exit code.
inline int Fail(const Failure& failure) {
  std::fprintf(stderr, "jejak: %s\n", failure.reason.c_str());
  return failure.exit_code;
}

// Fail() with kExitUsage.
inline int Usage(const std::string& reason) { return Fail({kExitUsage, reason}); }

}  // namespace jejak::cli
