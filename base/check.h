// JEJAK_CHECK: the assertion for programmer errors (broken invariants). It aborts in
// release builds too: for a ledger, stopping beats writing a wrong hash. Never reachable
// from client input; validate first and return an Error instead.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace jejak::base {

[[noreturn]] inline void CheckFailed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "CHECK failed: %s:%d: %s\n", file, line, condition);
  std::fflush(stderr);
  std::abort();
}

}  // namespace jejak::base

#define JEJAK_CHECK(condition)                                          \
  do {                                                                  \
    if (!(condition)) {                                                 \
      ::jejak::base::CheckFailed(#condition, __FILE__, __LINE__);       \
    }                                                                   \
  } while (false)
