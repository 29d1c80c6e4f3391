// Parsing of the request target (RFC 3986 §3.4 query, form-style "+" for spaces).
#include "server/request.h"

#include <charconv>
#include <string_view>

#include "server/limits.h"

namespace jejak::server {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding ("+" is a space in query strings). Nullopt for a bad escape.
std::optional<std::string> Decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = HexValue(text[i + 1]);
      const int low = HexValue(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (text[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace

Result<Target> ParseTarget(const std::string& target) {
  Target parsed;
  const std::size_t question = target.find('?');
  parsed.path = target.substr(0, question);
  if (parsed.path.empty() || parsed.path[0] != '/') return InvalidArgument("bad request target");
  if (question == std::string::npos) return parsed;
  const std::string_view query = std::string_view(target).substr(question + 1);
  if (query.size() > kQueryBytesMax) return InvalidArgument("query string too long");
  std::size_t begin = 0;
  while (begin <= query.size()) {
    std::size_t end = query.find('&', begin);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(begin, end - begin);
    if (!pair.empty()) {
      const std::size_t equals = pair.find('=');
      std::optional<std::string> name = Decode(pair.substr(0, equals));
      std::optional<std::string> value =
          Decode(equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1));
      if (!name || !value) return InvalidArgument("bad percent-encoding in the query string");
      if (parsed.query.count(*name)) {
        return InvalidArgument("query parameter given twice", {{*name, "given twice"}});
      }
      parsed.query[*name] = *value;
    }
    begin = end + 1;
  }
  return parsed;
}

Result<void> Query::Allow(std::initializer_list<const char*> names) const {
  for (const auto& [name, value] : values_) {
    bool known = false;
    for (const char* allowed : names) known = known || name == allowed;
    if (!known) return InvalidArgument("unknown query parameter", {{name, "unknown parameter"}});
  }
  return Ok();
}

std::optional<std::string> Query::Text(const std::string& name) const {
  auto found = values_.find(name);
  if (found == values_.end()) return std::nullopt;
  return found->second;
}

Result<std::optional<std::int64_t>> Query::Integer(const std::string& name, std::int64_t min,
                                                   std::int64_t max) const {
  auto found = values_.find(name);
  if (found == values_.end()) return std::optional<std::int64_t>();
  const std::string& text = found->second;
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const std::from_chars_result parsed = std::from_chars(text.data(), end, value);
  if (text.empty() || parsed.ptr != end || parsed.ec == std::errc::invalid_argument ||
      (text[0] == '-' && text.size() > 1 && text[1] == '0') ||
      (text[0] == '0' && text.size() > 1)) {
    return InvalidArgument("not an integer", {{name, "must be an integer"}});
  }
  if (parsed.ec == std::errc::result_out_of_range || value < min || value > max) {
    return InvalidArgument("out of range", {{name, "must be from " + std::to_string(min) +
                                                       " to " + std::to_string(max)}});
  }
  return std::optional<std::int64_t>(value);
}

}  // namespace jejak::server
