// Shared pieces of the fuzz targets in tests/fuzz/. Each target is one
// LLVMFuzzerTestOneInput in <name>_fuzz.cc, runnable under libFuzzer (JEJAK_LIBFUZZER) or
// under driver.cc, the portable mutation engine that ctest runs as fuzz.<name>. A target
// reports a broken invariant through FUZZ_ASSERT, which aborts like a crash would.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace jejak::fuzz {

// Defined by each target: the inputs it starts from besides tests/fuzz/corpus/<name>/
// (test vectors, demo lines, notes and tokens it makes itself). Called once.
std::vector<std::string> Seeds();

// Inputs that hold several values separate them with this byte, which none of the
// parsed formats allow inside a value.
inline constexpr char kPartSeparator = '\0';

// Splits `input` at kPartSeparator into at most `parts_max` parts (the last one keeps
// any further separators).
std::vector<std::string_view> SplitParts(std::string_view input, std::size_t parts_max);
std::string JoinParts(const std::vector<std::string>& parts);

// Whole files and lines below the source tree, for seeds. Missing files give nothing.
std::string ReadSourceFile(std::string_view relative_path);
std::vector<std::string> ReadSourceLines(std::string_view relative_path);
// Every regular file in a source folder, sorted by name.
std::vector<std::string> ReadSourceFolder(std::string_view relative_path);
// A JSON file below tests/testdata/, or null if missing or malformed.
nlohmann::json ReadTestdataJson(std::string_view relative_path);

std::string Base64UrlEncode(std::string_view bytes);
// Nullopt-free: invalid characters are skipped (seeds only).
std::string Base64UrlDecodeLoose(std::string_view text);
// Lowercase hex, for messages.
std::string Hex(std::string_view bytes);

// True iff `id` is listed in the environment variable JEJAK_FUZZ_SKIP (comma-separated):
// lets a long run go on past a reported, not yet fixed finding. Unset in ctest.
bool Skipped(std::string_view id);

// Prints what broke and the input being run (as hex), then aborts.
[[noreturn]] void Violation(const char* condition, const char* file, int line,
                            std::string_view detail);

}  // namespace jejak::fuzz

// An invariant of the code under test; `detail` (a string) says what was seen.
#define FUZZ_ASSERT(condition, detail)                                        \
  do {                                                                        \
    if (!(condition)) {                                                       \
      ::jejak::fuzz::Violation(#condition, __FILE__, __LINE__, (detail));     \
    }                                                                         \
  } while (false)
