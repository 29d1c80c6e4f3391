// Small pieces of the transport's JSON log lines: a safe JSON string literal, and a
// counter that logs an event at most once per interval (so that a flood of refused
// connections cannot flood the log).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace jejak::server {

// `text` as a JSON string literal, quotes included. Invalid UTF-8 becomes U+FFFD rather
// than an exception, so any text may be passed.
std::string JsonString(std::string_view text);

// Counts an event and logs it to stderr at most once per `interval`, with the count since
// the previous line. Not thread-safe: each instance is used on one strand only.
class ThrottledLog {
 public:
  ThrottledLog(const char* event, std::chrono::steady_clock::duration interval)
      : event_(event), interval_(interval) {}

  // Counts one occurrence, caused by the client at `remote`.
  void Count(const std::string& remote);

 private:
  const char* event_;
  std::chrono::steady_clock::duration interval_;
  bool logged_ = false;
  std::chrono::steady_clock::time_point last_;
  std::uint64_t count_ = 0;
};

}  // namespace jejak::server
