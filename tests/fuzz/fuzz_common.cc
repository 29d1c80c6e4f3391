// Helpers shared by the fuzz targets: seed files, part splitting, encodings for seeds.
#include "tests/fuzz/fuzz.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>

namespace jejak::fuzz {

std::vector<std::string_view> SplitParts(std::string_view input, std::size_t parts_max) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < parts_max) {
    const std::size_t separator = input.find(kPartSeparator);
    if (separator == std::string_view::npos) break;
    parts.push_back(input.substr(0, separator));
    input.remove_prefix(separator + 1);
  }
  parts.push_back(input);
  return parts;
}

std::string JoinParts(const std::vector<std::string>& parts) {
  std::string joined;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) joined += kPartSeparator;
    joined += parts[i];
  }
  return joined;
}

std::string ReadSourceFile(std::string_view relative_path) {
  std::ifstream file(std::string(JEJAK_SOURCE_DIR) + "/" + std::string(relative_path),
                     std::ios::binary);
  if (!file) return {};
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

std::vector<std::string> ReadSourceLines(std::string_view relative_path) {
  std::vector<std::string> lines;
  std::istringstream stream(ReadSourceFile(relative_path));
  for (std::string line; std::getline(stream, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> ReadSourceFolder(std::string_view relative_path) {
  const std::filesystem::path folder =
      std::filesystem::path(JEJAK_SOURCE_DIR) / std::string(relative_path);
  std::vector<std::filesystem::path> paths;
  std::error_code error;
  for (const auto& item : std::filesystem::directory_iterator(folder, error)) {
    if (item.is_regular_file()) paths.push_back(item.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::ifstream file(path, std::ios::binary);
    files.emplace_back(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  return files;
}

nlohmann::json ReadTestdataJson(std::string_view relative_path) {
  const std::string text = ReadSourceFile("tests/testdata/" + std::string(relative_path));
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return nullptr;
  return value;
}

std::string Base64UrlEncode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 63u];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 63u];
  return out;
}

std::string Base64UrlDecodeLoose(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value = -1;
    if (c >= 'A' && c <= 'Z') value = c - 'A';
    if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
    if (c >= '0' && c <= '9') value = c - '0' + 52;
    if (c == '-' || c == '+') value = 62;
    if (c == '_' || c == '/') value = 63;
    if (value < 0) continue;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFFu);
    }
  }
  return out;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0xF];
  }
  return out;
}

bool Skipped(std::string_view id) {
  static const std::string skipped = [] {
    const char* value = std::getenv("JEJAK_FUZZ_SKIP");
    return "," + std::string(value == nullptr ? "" : value) + ",";
  }();
  return skipped.find("," + std::string(id) + ",") != std::string::npos;
}

void Violation(const char* condition, const char* file, int line, std::string_view detail) {
  std::fprintf(stderr, "FUZZ INVARIANT VIOLATED: %s:%d: %s\n  detail: %.*s\n", file, line,
               condition, static_cast<int>(std::min<std::size_t>(detail.size(), 4096)),
               detail.data());
  std::fflush(stderr);
  std::abort();
}

}  // namespace jejak::fuzz
