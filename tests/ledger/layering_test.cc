// Guards the layering in STYLE.md and DESIGN ("Architecture"): linking cannot stop a stray
// `#include <boost/...>` or an include of a layer above, because every header is visible,
// so this test reads the sources. The arrows point one way, base <- crypto <- ledger <- db
// <- server <- cli: no folder includes one to its right. `ledger/` includes no Boost, SOCI
// or OpenSSL headers and does no file or clock I/O; `crypto/` outside `crypto/tls/`
// includes no Boost or SOCI headers.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace jejak {
namespace {

namespace fs = std::filesystem;

const fs::path kSourceDir = fs::path(JEJAK_SOURCE_DIR);

bool IsSourceFile(const fs::path& path) {
  const std::string extension = path.extension().string();
  return extension == ".h" || extension == ".hpp" || extension == ".cc" ||
         extension == ".cpp" || extension == ".inc" || extension == ".ipp";
}

// True iff `line` is an #include of a header under one of `prefixes` (e.g. "boost").
bool IncludesAny(const std::string& line, const std::vector<std::string>& prefixes) {
  static const std::regex kInclude(R"(^\s*#\s*include\s*[<"]\s*([^/>"]+)[/>"])");
  std::smatch match;
  if (!std::regex_search(line, match, kInclude)) return false;
  const std::string top = match[1].str();
  for (const std::string& prefix : prefixes) {
    if (top == prefix || top == prefix + ".h" || top == prefix + ".hpp") return true;
  }
  return false;
}

// "path:line: text" for every forbidden include under `dir`, skipping `excluded`.
std::vector<std::string> ForbiddenIncludes(const fs::path& dir,
                                           const std::vector<std::string>& prefixes,
                                           const fs::path& excluded, int& files_scanned) {
  std::vector<std::string> offences;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || !IsSourceFile(entry.path())) continue;
    if (!excluded.empty()) {
      const fs::path relative = entry.path().lexically_relative(excluded);
      if (!relative.empty() && *relative.begin() != "..") continue;
    }
    ++files_scanned;
    std::ifstream in(entry.path());
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (IncludesAny(line, prefixes)) {
        offences.push_back(entry.path().string() + ":" + std::to_string(number) + ": " + line);
      }
    }
  }
  return offences;
}

TEST(LayeringTest, IncludeMatcherRecognisesForbiddenHeaders) {
  EXPECT_TRUE(IncludesAny("#include <boost/asio.hpp>", {"boost"}));
  EXPECT_TRUE(IncludesAny("  #  include \"soci/soci.h\"", {"soci"}));
  EXPECT_TRUE(IncludesAny("#include <openssl/evp.h>", {"openssl"}));
  EXPECT_TRUE(IncludesAny("#include <soci.h>", {"soci"}));
  EXPECT_FALSE(IncludesAny("#include <string>", {"boost", "soci", "openssl"}));
  EXPECT_FALSE(IncludesAny("#include \"crypto/sha256.h\"", {"boost", "soci", "openssl"}));
  EXPECT_FALSE(IncludesAny("// Not like boost/asio.hpp.", {"boost"}));
}

TEST(LayeringTest, LedgerIncludesNoBoostSociOrOpenSsl) {
  int files_scanned = 0;
  const std::vector<std::string> offences = ForbiddenIncludes(
      kSourceDir / "ledger", {"boost", "soci", "openssl"}, fs::path(), files_scanned);
  EXPECT_GT(files_scanned, 0);
  for (const std::string& offence : offences) ADD_FAILURE() << offence;
}

TEST(LayeringTest, CryptoOutsideTlsIncludesNoBoostOrSoci) {
  int files_scanned = 0;
  const std::vector<std::string> offences =
      ForbiddenIncludes(kSourceDir / "crypto", {"boost", "soci"},
                        kSourceDir / "crypto" / "tls", files_scanned);
  EXPECT_GT(files_scanned, 0);
  for (const std::string& offence : offences) ADD_FAILURE() << offence;
}

// The layers, lowest first: each may include only those before it.
const std::vector<std::string> kLayers = {"base", "crypto", "ledger", "db", "server", "cli"};

TEST(LayeringTest, ArrowsPointOneWay) {
  for (std::size_t layer = 0; layer < kLayers.size(); ++layer) {
    const fs::path dir = kSourceDir / kLayers[layer];
    if (!fs::exists(dir)) continue;  // cli/ may be folded into server/ in older trees.
    std::vector<std::string> above(kLayers.begin() + static_cast<std::ptrdiff_t>(layer) + 1,
                                   kLayers.end());
    if (above.empty()) continue;
    int files_scanned = 0;
    const std::vector<std::string> offences = ForbiddenIncludes(dir, above, fs::path(), files_scanned);
    EXPECT_GT(files_scanned, 0) << kLayers[layer];
    for (const std::string& offence : offences) ADD_FAILURE() << "upward include: " << offence;
  }
}

TEST(LayeringTest, BaseIncludesOnlyTheStandardLibrary) {
  int files_scanned = 0;
  const std::vector<std::string> offences = ForbiddenIncludes(
      kSourceDir / "base", {"boost", "soci", "openssl", "nlohmann", "crypto", "ledger"},
      fs::path(), files_scanned);
  EXPECT_GT(files_scanned, 0);
  for (const std::string& offence : offences) ADD_FAILURE() << offence;
}

// "path:line: text" for every line under `dir` matching `pattern`.
std::vector<std::string> Matches(const fs::path& dir, const std::regex& pattern) {
  std::vector<std::string> found;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || !IsSourceFile(entry.path())) continue;
    std::ifstream in(entry.path());
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (std::regex_search(line, pattern)) {
        found.push_back(entry.path().string() + ":" + std::to_string(number) + ": " + line);
      }
    }
  }
  return found;
}

// File and clock use that the pure domain must not have: the caller passes the time in
// and reads the files (STYLE.md "Layout").
const std::regex& LedgerIoPattern() {
  static const std::regex pattern(
      R"((#\s*include\s*<(fstream|filesystem|cstdio|stdio\.h|unistd\.h|fcntl\.h)>)|)"
      R"((system_clock|steady_clock|high_resolution_clock)::now|\bstd::time\s*\(|\bfopen\s*\(|)"
      R"(\bgetenv\s*\(|\bifstream\b|\bofstream\b)");
  return pattern;
}

TEST(LayeringTest, LedgerDoesNoFileOrClockIo) {
  for (const std::string& offence : Matches(kSourceDir / "ledger", LedgerIoPattern())) {
    ADD_FAILURE() << "I/O in the pure domain: " << offence;
  }
}

TEST(LayeringTest, IoPatternRecognisesFileAndClockUse) {
  const fs::path dir = fs::temp_directory_path() / ("jejak-layering-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "clock.cc") << "auto now = std::chrono::system_clock::now();\n";
  std::ofstream(dir / "file.cc") << "#include <fstream>\n";
  std::ofstream(dir / "calendar.cc") << "std::chrono::sys_days day{};  // Dates are fine.\n";
  EXPECT_EQ(Matches(dir, LedgerIoPattern()).size(), 2u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace jejak
