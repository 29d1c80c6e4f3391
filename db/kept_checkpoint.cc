// Keeping the newest checkpoint in a file beside the database (see kept_checkpoint.h).
#include "db/kept_checkpoint.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <string_view>

namespace jejak::db {
namespace {

namespace fs = std::filesystem;

// A checkpoint note is a few hundred bytes, with cosignatures a few KiB.
constexpr std::size_t kNoteBytesMax = 64 * 1024;

Error Failed(const std::string& what, const std::string& path) {
  return Error{Code::kUnavailable, what + " " + path + ": " + std::strerror(errno), {}};
}

// Closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// The tree size on the second line of a checkpoint note; 0 if it has none.
std::uint64_t TreeSizeOf(std::string_view note) {
  const std::size_t first = note.find('\n');
  if (first == std::string_view::npos) return 0;
  const std::size_t second = note.find('\n', first + 1);
  if (second == std::string_view::npos) return 0;
  const std::string_view line = note.substr(first + 1, second - first - 1);
  std::uint64_t size = 0;
  const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), size);
  if (error != std::errc() || end != line.data() + line.size()) return 0;
  return size;
}

Result<std::string> ReadAll(int fd, const std::string& path) {
  std::string content;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      return Failed("cannot read", path);
    }
    if (got == 0) break;
    content.append(buffer, static_cast<std::size_t>(got));
    if (content.size() > kNoteBytesMax) {
      return Error{Code::kDataLoss, path + " is larger than any checkpoint", {}};
    }
  }
  return content;
}

}  // namespace

std::string KeptCheckpointPath(const std::string& data_dir) {
  return (fs::path(data_dir) / "state" / "latest-checkpoint").string();
}

Result<void> KeepCheckpoint(const std::string& path, std::uint64_t tree_size,
                            const std::string& note) {
  const fs::path file(path);
  const fs::path dir = file.parent_path();
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Failed("cannot create", dir);
  const std::string lock_path = path + ".lock";
  Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (lock.get() < 0) return Failed("cannot open", lock_path);
  while (::flock(lock.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return Failed("cannot lock", lock_path);
  }
  // Another process (a CLI append beside the server) may already have kept a newer one.
  Fd existing(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (existing.get() >= 0) {
    Result<std::string> kept = ReadAll(existing.get(), path);
    if (kept && TreeSizeOf(*kept) >= tree_size) return Ok();
  }
  const std::string temporary = path + ".tmp";
  {
    Fd out(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (out.get() < 0) return Failed("cannot create", temporary);
    std::size_t written = 0;
    while (written < note.size()) {
      const ssize_t put = ::write(out.get(), note.data() + written, note.size() - written);
      if (put < 0) {
        if (errno == EINTR) continue;
        return Failed("cannot write", temporary);
      }
      written += static_cast<std::size_t>(put);
    }
    if (::fsync(out.get()) != 0) return Failed("cannot fsync", temporary);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) return Failed("cannot rename", temporary);
  // The rename is durable only once the directory is.
  Fd directory(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (directory.get() < 0 || ::fsync(directory.get()) != 0) return Failed("cannot fsync", dir);
  return Ok();
}

Result<std::optional<std::string>> ReadKeptCheckpoint(const std::string& path) {
  Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Failed("cannot open", path);
  }
  Result<std::string> note = ReadAll(in.get(), path);
  if (!note) return note.error();
  return std::optional<std::string>(std::move(note).value());
}

}  // namespace jejak::db
