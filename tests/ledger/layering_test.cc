// Guards the layering in STYLE.md: linking cannot stop a stray `#include <boost/...>`,
// because system headers are always visible, so this test reads the sources. `ledger/`
// includes no Boost, SOCI or OpenSSL headers; `crypto/` outside `crypto/tls/` includes
// no Boost or SOCI headers.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace jejak
