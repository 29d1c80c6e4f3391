// The transport's log-line helpers (server/log_line.h).
#include "server/log_line.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace jejak::server {

std::string JsonString(std::string_view text) {
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void ThrottledLog::Count(const std::string& remote) {
  ++count_;
  const auto now = std::chrono::steady_clock::now();
  if (logged_ && now - last_ < interval_) return;
  std::fprintf(stderr, "{\"event\":\"%s\",\"remote\":%s,\"count\":%llu}\n", event_,
               JsonString(remote).c_str(), static_cast<unsigned long long>(count_));
  logged_ = true;
  last_ = now;
  count_ = 0;
}

}  // namespace jejak::server
