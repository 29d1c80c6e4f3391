// Local-file helpers (cli/files.h).
#include "cli/files.h"

#include <cstring>
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

ledger::LineRead BundleFileLines::Next(std::string& line) {
  line.clear();
  bool got_any = false;
  for (;;) {
    if (position_ == length_) {
      in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
      length_ = static_cast<std::size_t>(in_.gcount());
      position_ = 0;
      if (length_ == 0) return got_any ? ledger::LineRead::kLine : ledger::LineRead::kEnd;
    }
    got_any = true;
    const char* start = buffer_.data() + position_;
    const auto* newline = static_cast<const char*>(std::memchr(start, '\n', length_ - position_));
    const std::size_t take =
        newline != nullptr ? static_cast<std::size_t>(newline - start) : length_ - position_;
    if (line.size() + take > ledger::kBundleLineBytesMax) return ledger::LineRead::kTooLong;
    line.append(start, take);
    position_ += take;
    if (newline != nullptr) {
      ++position_;
      return ledger::LineRead::kLine;
    }
  }
}

}  // namespace jejak::cli
