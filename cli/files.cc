// Local-file helpers (cli/files.h).
#include "cli/files.h"

#include <fstream>
#include <sstream>
#include <system_error>

namespace jejak::cli {

namespace fs = std::filesystem;

std::optional<std::string> ReadFile(const std::string& path, std::uintmax_t bytes_max) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec || size > bytes_max) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  if (!in && !in.eof()) return std::nullopt;
  return content.str();
}

bool WriteFile(const fs::path& path, const std::string& content, fs::perms permissions) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    out << content;
    out.flush();
    if (!out) return false;
  }
  std::error_code ec;
  fs::permissions(path, permissions, ec);
  return !ec;
}

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

}  // namespace jejak::cli
