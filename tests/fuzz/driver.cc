// A portable fuzzing driver for g++ builds, where libFuzzer is not available: it replays
// tests/fuzz/corpus/<target>/, then runs a deterministic mutation engine (seeded RNG;
// byte flips, insertions, deletions, copies, dictionary tokens and splices of the seeds)
// for a bounded number of iterations or seconds. On a crash, CHECK failure, sanitizer
// report or broken invariant it prints the input as hex and writes it to the artifact
// folder. No coverage feedback: it is a smoke test that runs in ctest, not a substitute
// for long libFuzzer runs (README.md).
//
//   <target>_fuzz [--iterations N] [--seconds S] [--rng SEED] [--corpus DIR]...
//                 [--artifact-dir DIR] [--write-seeds DIR] [--minimize FILE] [FILE...]
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/fuzz.h"

extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));

namespace jejak::fuzz {
namespace {

// Mutated inputs stay below this (an entry is at most 64 KiB; seeds may be longer).
constexpr std::size_t kMutatedBytesMax = 64 * 1024 + 64;
// Mutated inputs kept as further starting points (there is no coverage to choose by).
constexpr std::size_t kExtraPoolMax = 1024;

// The input being run, for the crash handler.
const std::uint8_t* g_current = nullptr;
std::size_t g_current_size = 0;
char g_artifact_prefix[4096] = "./";
bool g_write_artifacts = true;

void WriteAll(int fd, const char* bytes, std::size_t size) {
  while (size > 0) {
    const ssize_t written = write(fd, bytes, size);
    if (written <= 0) return;
    bytes += written;
    size -= static_cast<std::size_t>(written);
  }
}

void WriteString(int fd, const char* text) { WriteAll(fd, text, std::strlen(text)); }

// Async-signal-safe: prints the input as hex and saves it as crash-<fnv64 hex>.
void DumpCurrentInput() {
  static bool dumped = false;
  if (dumped || g_current == nullptr) return;
  dumped = true;
  static constexpr char kDigits[] = "0123456789abcdef";
  WriteString(2, "\n==== fuzz input (");
  char number[32];
  int length = 0;
  std::size_t size = g_current_size;
  do {
    number[length++] = static_cast<char>('0' + size % 10);
    size /= 10;
  } while (size > 0);
  while (length > 0) WriteAll(2, &number[--length], 1);
  WriteString(2, " bytes) as hex:\n");
  std::uint64_t hash = 14695981039346656037ull;
  for (std::size_t i = 0; i < g_current_size; ++i) {
    const char pair[2] = {kDigits[g_current[i] >> 4], kDigits[g_current[i] & 0xF]};
    WriteAll(2, pair, 2);
    hash = (hash ^ g_current[i]) * 1099511628211ull;
  }
  WriteString(2, "\n");
  if (!g_write_artifacts) return;
  char path[4200];
  std::size_t used = 0;
  for (const char* p = g_artifact_prefix; *p != '\0' && used < 4096; ++p) path[used++] = *p;
  for (const char* p = "crash-"; *p != '\0'; ++p) path[used++] = *p;
  for (int shift = 60; shift >= 0; shift -= 4) path[used++] = kDigits[(hash >> shift) & 0xF];
  path[used] = '\0';
  const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  WriteAll(fd, reinterpret_cast<const char*>(g_current), g_current_size);
  close(fd);
  WriteString(2, "==== saved as ");
  WriteString(2, path);
  WriteString(2, "\n");
}

void OnFatalSignal(int signal_number) {
  DumpCurrentInput();
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

void InstallCrashHandlers() {
  for (int signal_number : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) {
    ::signal(signal_number, OnFatalSignal);
  }
  // ASan and UBSan (with halt_on_error) exit without a signal: ask them to call us.
  if (__sanitizer_set_death_callback != nullptr) {
    __sanitizer_set_death_callback(DumpCurrentInput);
  }
}

void RunOne(const std::string& input) {
  // A fresh copy of exactly `size` bytes, so that ASan sees reads past the end.
  std::vector<std::uint8_t> bytes(input.begin(), input.end());
  std::uint8_t* data = bytes.empty() ? nullptr : bytes.data();
  g_current = data;
  g_current_size = bytes.size();
  LLVMFuzzerTestOneInput(data, bytes.size());
  g_current = nullptr;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

std::vector<std::string> ReadFolder(const std::filesystem::path& folder) {
  std::vector<std::filesystem::path> paths;
  std::error_code error;
  for (const auto& item : std::filesystem::directory_iterator(folder, error)) {
    if (item.is_regular_file()) paths.push_back(item.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> files;
  for (const auto& path : paths) files.push_back(ReadFile(path));
  return files;
}

// Tokens worth inserting: JSON, note, token and number edge cases, plus every quoted
// string and word of the seeds (field names, codes, key names).
std::vector<std::string> Dictionary(const std::vector<std::string>& seeds) {
  std::vector<std::string> words = {
      "{", "}", "[", "]", ",", ":", "\"", "\\", "\\\"", "\\u0000", "\\u001f", "\\ud800",
      "\\udc00", "\\ud83d\\ude00", "\\u00e9", "\\/", "true", "false", "null", "0", "-0",
      "-1", "1e5", "1.5", "1E+2", "9223372036854775807", "9223372036854775808",
      "-9223372036854775808", "-9223372036854775809", "18446744073709551615",
      "18446744073709551616", "99999999999999999", "9999999999999999.99", "0.00", "00",
      "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xef\xbb\xbf", "\xe2\x80\x94 ",
      "\xc2\xa0", "\xe3\x80\x80", "\n", "\n\n", "\r\n", "\t", " ", "+", "/", "=", "==",
      "-", "_", ".", "Bearer ", "bearer ", "BEARER  ", "eyJ", "2026-02-29", "2024-02-29",
      "2026-12-31T23:59:60.000Z", "T00:00:00.000Z", "chain ", "time ", "\xe2\x80\x94",
      "AAAA", "////", "++++", "ffffffff", "00000000", "18446744073709551615\n"};
  std::set<std::string> seen(words.begin(), words.end());
  for (const std::string& seed : seeds) {
    std::size_t start = std::string::npos;
    for (std::size_t i = 0; i < seed.size() && seen.size() < 4096; ++i) {
      const char c = seed[i];
      const bool word_char = std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                             c == '.' || c == '-' || c == '+' || c == '/' || c == '=';
      if (word_char && start == std::string::npos) start = i;
      if (!word_char && start != std::string::npos) {
        const std::size_t length = i - start;
        if (length >= 2 && length <= 64) {
          std::string word = seed.substr(start, length);
          if (seen.insert(word).second) words.push_back(word);
        }
        start = std::string::npos;
      }
    }
  }
  return words;
}

class Mutator {
 public:
  Mutator(std::uint64_t rng_seed, const std::vector<std::string>& seeds)
      : rng_(rng_seed), seeds_(seeds), dictionary_(Dictionary(seeds)) {
    if (seeds_.empty()) seeds_.push_back("");
  }

  std::string Next() {
    std::string input = Pick();
    const std::size_t rounds = 1 + Below(8);
    for (std::size_t i = 0; i < rounds; ++i) MutateOnce(input);
    if (input.size() > kMutatedBytesMax) input.resize(kMutatedBytesMax);
    if (Below(64) == 0) {
      if (extra_.size() < kExtraPoolMax) {
        extra_.push_back(input);
      } else {
        extra_[Below(extra_.size())] = input;
      }
    }
    return input;
  }

 private:
  std::size_t Below(std::size_t bound) {
    if (bound == 0) return 0;
    return static_cast<std::size_t>(rng_() % bound);
  }

  const std::string& Pick() {
    if (!extra_.empty() && Below(4) == 0) return extra_[Below(extra_.size())];
    return seeds_[Below(seeds_.size())];
  }

  char RandomByte() {
    static constexpr char kInteresting[] = {
        '\0', '\x01', '\x7f', '\x80', '\xff', '\xc0', '\xe2', '\xf0', '"', '\\', '{', '}', '[',
        ']', ',', ':', '-', '0', '1', '9', '.', 'e', '\n', '\r', ' ', '+', '/', '=', 'A', 'z'};
    if (Below(2) == 0) return kInteresting[Below(sizeof(kInteresting))];
    return static_cast<char>(Below(256));
  }

  void MutateOnce(std::string& input) {
    const std::size_t size = input.size();
    switch (Below(12)) {
      case 0:  // Flip one bit.
        if (size > 0) input[Below(size)] ^= static_cast<char>(1u << Below(8));
        return;
      case 1:  // Overwrite a byte.
        if (size > 0) input[Below(size)] = RandomByte();
        return;
      case 2:  // Insert bytes.
        input.insert(Below(size + 1), 1 + Below(4), RandomByte());
        return;
      case 3: {  // Delete a range.
        if (size == 0) return;
        const std::size_t at = Below(size);
        input.erase(at, 1 + Below(std::min<std::size_t>(size - at, 16)));
        return;
      }
      case 4: {  // Duplicate a range of the input elsewhere.
        if (size == 0) return;
        const std::size_t at = Below(size);
        const std::string piece = input.substr(at, 1 + Below(std::min<std::size_t>(size - at, 64)));
        input.insert(Below(size + 1), piece);
        return;
      }
      case 5:
      case 6: {  // Insert or overwrite with a dictionary token.
        const std::string& word = dictionary_[Below(dictionary_.size())];
        const std::size_t at = Below(size + 1);
        if (Below(2) == 0) {
          input.insert(at, word);
        } else {
          input.replace(at, std::min(word.size(), size - at), word);
        }
        return;
      }
      case 7: {  // Splice: our head with another seed's tail.
        const std::string& other = seeds_[Below(seeds_.size())];
        input = input.substr(0, Below(size + 1)) + other.substr(Below(other.size() + 1));
        return;
      }
      case 8: {  // Insert a piece of another seed.
        const std::string& other = seeds_[Below(seeds_.size())];
        if (other.empty()) return;
        const std::size_t at = Below(other.size());
        input.insert(Below(size + 1),
                     other.substr(at, 1 + Below(std::min<std::size_t>(other.size() - at, 64))));
        return;
      }
      case 9: {  // Change a decimal digit run into an edge value.
        if (size == 0) return;
        const std::size_t at = input.find_first_of("0123456789", Below(size));
        if (at == std::string::npos) return;
        const std::size_t end = input.find_first_not_of("0123456789", at);
        static constexpr const char* kNumbers[] = {
            "0", "1", "2", "7", "31", "32", "63", "64", "255", "256", "4294967295",
            "4294967296", "9223372036854775807", "9223372036854775808",
            "18446744073709551615", "18446744073709551616", "99999999999999999999"};
        input.replace(at, (end == std::string::npos ? size : end) - at,
                      kNumbers[Below(std::size(kNumbers))]);
        return;
      }
      case 10:  // Truncate.
        input.resize(Below(size + 1));
        return;
      default: {  // Swap two bytes.
        if (size < 2) return;
        std::swap(input[Below(size)], input[Below(size)]);
        return;
      }
    }
  }

  std::mt19937_64 rng_;
  std::vector<std::string> seeds_;
  std::vector<std::string> dictionary_;
  std::vector<std::string> extra_;
};

// True iff running `input` in a child process crashes or fails.
bool Crashes(const std::string& input) {
  const pid_t child = fork();
  if (child == 0) {
    const int null_fd = open("/dev/null", O_WRONLY);
    if (null_fd >= 0) dup2(null_fd, 2);
    RunOne(input);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// Delta-debugging by deletion: removes ever smaller chunks while the input still fails.
int Minimize(const std::filesystem::path& path) {
  g_write_artifacts = false;
  std::string input = ReadFile(path);
  if (!Crashes(input)) {
    std::fprintf(stderr, "%s does not crash\n", path.c_str());
    return 1;
  }
  for (std::size_t chunk = std::max<std::size_t>(input.size() / 2, 1); chunk >= 1; chunk /= 2) {
    bool removed = true;
    while (removed) {
      removed = false;
      for (std::size_t at = 0; at < input.size();) {
        std::string candidate = input;
        candidate.erase(at, chunk);
        if (Crashes(candidate)) {
          input = std::move(candidate);
          removed = true;
        } else {
          at += chunk;
        }
      }
    }
    if (chunk == 1) break;
  }
  const std::filesystem::path out = path.string() + ".min";
  std::ofstream(out, std::ios::binary) << input;
  std::printf("minimized to %zu bytes: %s\nhex: %s\n", input.size(), out.c_str(),
              Hex(input).c_str());
  return 0;
}

int Main(int argc, char** argv) {
  std::uint64_t iterations = 20000;
  double seconds = 10;
  std::uint64_t rng_seed = 1;
  std::vector<std::filesystem::path> corpora = {JEJAK_FUZZ_CORPUS_DIR};
  std::vector<std::filesystem::path> files;
  std::string write_seeds;
  std::string minimize;
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument = argv[i];
    const bool has_value = i + 1 < argc;
    if (argument == "--iterations" && has_value) {
      iterations = std::strtoull(argv[++i], nullptr, 10);
    } else if (argument == "--seconds" && has_value) {
      seconds = std::strtod(argv[++i], nullptr);
    } else if (argument == "--rng" && has_value) {
      rng_seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (argument == "--corpus" && has_value) {
      corpora.emplace_back(argv[++i]);
    } else if (argument == "--artifact-dir" && has_value) {
      std::filesystem::create_directories(argv[i + 1]);
      std::snprintf(g_artifact_prefix, sizeof(g_artifact_prefix), "%s/", argv[i + 1]);
      ++i;
    } else if (argument == "--write-seeds" && has_value) {
      write_seeds = argv[++i];
    } else if (argument == "--minimize" && has_value) {
      minimize = argv[++i];
    } else if (!argument.empty() && argument[0] != '-') {
      files.emplace_back(argument);
    } else {
      std::fprintf(stderr,
                   "usage: %s [--iterations N] [--seconds S] [--rng SEED] [--corpus DIR]... "
                   "[--artifact-dir DIR] [--write-seeds DIR] [--minimize FILE] [FILE...]\n",
                   argv[0]);
      return 2;
    }
  }
  InstallCrashHandlers();
  if (!minimize.empty()) return Minimize(minimize);

  if (!files.empty()) {  // Reproduce: run each file once.
    for (const auto& path : files) {
      std::fprintf(stderr, "running %s\n", path.c_str());
      RunOne(ReadFile(path));
    }
    std::printf("%zu inputs ran without a failure\n", files.size());
    return 0;
  }

  std::vector<std::string> seeds = Seeds();
  if (!write_seeds.empty()) {
    std::filesystem::create_directories(write_seeds);
    for (std::size_t i = 0; i < seeds.size(); ++i) {
      char name[32];
      std::snprintf(name, sizeof(name), "seed-%04zu", i);
      std::ofstream(std::filesystem::path(write_seeds) / name, std::ios::binary) << seeds[i];
    }
    std::printf("wrote %zu seeds to %s\n", seeds.size(), write_seeds.c_str());
    return 0;
  }

  const auto start = std::chrono::steady_clock::now();
  std::size_t replayed = 0;
  for (const auto& corpus : corpora) {
    for (const std::string& input : ReadFolder(corpus)) {
      RunOne(input);
      seeds.push_back(input);
      ++replayed;
    }
  }
  for (const std::string& seed : seeds) RunOne(seed);

  Mutator mutator(rng_seed, seeds);
  const auto deadline =
      start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                  std::chrono::duration<double>(seconds));
  std::uint64_t done = 0;
  for (; done < iterations; ++done) {
    if (done % 64 == 0 && std::chrono::steady_clock::now() >= deadline) break;
    RunOne(mutator.Next());
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %zu seeds, %zu corpus inputs replayed, %llu mutated inputs in %.1f s "
              "(rng %llu): no failure\n",
              JEJAK_FUZZ_TARGET, seeds.size() - replayed, replayed,
              static_cast<unsigned long long>(done), elapsed,
              static_cast<unsigned long long>(rng_seed));
  return 0;
}

}  // namespace
}  // namespace jejak::fuzz

int main(int argc, char** argv) { return jejak::fuzz::Main(argc, argv); }
