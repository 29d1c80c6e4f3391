// Strict parsing of the entry subset of JSON, through nlohmann's SAX interface so that
// duplicate keys, floats, deep nesting and non-ASCII keys are caught while parsing, and
// RFC 8785 (JCS) serialisation of that subset.
#include "ledger/canonical.h"

#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/check.h"
#include "base/result.h"
#include "ledger/limits.h"

namespace jejak::ledger {
namespace {

using nlohmann::json;

bool IsAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// True iff `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, at
// most U+10FFFF).
bool IsValidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    std::uint32_t minimum = 0;
    if ((byte & 0xE0) == 0xC0) {
      length = 2;
      code_point = byte & 0x1Fu;
      minimum = 0x80;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      code_point = byte & 0x0Fu;
      minimum = 0x800;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
      code_point = byte & 0x07u;
      minimum = 0x10000;
    } else {
      return false;
    }
    if (text.size() - i < length) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3Fu);
    }
    if (code_point < minimum || code_point > 0x10FFFF) return false;
    if (code_point >= 0xD800 && code_point <= 0xDFFF) return false;
    i += length;
  }
  return true;
}

// What kind of syntax error nlohmann found, in words of our own (its message quotes the
// input, which must not be echoed to clients or logs).
std::string SyntaxErrorKind(const nlohmann::detail::exception& exception) {
  const std::string what = exception.what();
  if (what.find("unexpected end of input") != std::string::npos) return "unexpected end of input";
  if (what.find("invalid string") != std::string::npos) return "invalid string";
  if (what.find("invalid literal") != std::string::npos) return "invalid literal";
  if (what.find("invalid number") != std::string::npos) return "invalid number";
  if (what.find("expected end of input") != std::string::npos) return "text after the value";
  return "unexpected token";
}

// Builds the value like nlohmann's own DOM parser, but rejects what the entry subset
// excludes. Returning false stops the parse; `error_` then says why.
class StrictHandler : public nlohmann::json_sax<json> {
 public:
  bool null() override { return AddValue(json(nullptr)); }
  bool boolean(bool value) override { return AddValue(json(value)); }
  bool number_integer(number_integer_t value) override { return AddValue(json(value)); }
  bool number_unsigned(number_unsigned_t value) override {
    if (value > static_cast<number_unsigned_t>(std::numeric_limits<std::int64_t>::max())) {
      return Fail("integer out of range (entries hold int64)");
    }
    return AddValue(json(value));
  }
  bool number_float(number_float_t /*value*/, const string_t& text) override {
    // nlohmann falls back to a float for integers that overflow 64 bits, so an integer
    // token here is out of range rather than a float.
    if (text.find_first_of(".eE") == string_t::npos) {
      return Fail("integer out of range (entries hold int64)");
    }
    return Fail("floats are not allowed (use an integer, or a decimal string for money)");
  }
  bool string(string_t& value) override { return AddValue(json(std::move(value))); }
  bool binary(binary_t& /*value*/) override { return Fail("binary values are not JSON"); }

  bool start_object(std::size_t /*elements*/) override {
    return StartContainer(json::value_t::object);
  }
  bool key(string_t& name) override {
    JEJAK_CHECK(!frames_.empty());
    Frame& frame = frames_.back();
    JEJAK_CHECK(frame.value->is_object());
    frame.key = name;
    if (!IsAscii(name)) return Fail("keys must be ASCII");
    // One search both finds a duplicate and makes the member's place.
    const auto [member, added] =
        frame.value->get_ref<json::object_t&>().emplace(name, nullptr);
    if (!added) return Fail("duplicate key");
    member_ = &member->second;
    return true;
  }
  bool end_object() override { return EndContainer(); }
  bool start_array(std::size_t /*elements*/) override {
    return StartContainer(json::value_t::array);
  }
  bool end_array() override { return EndContainer(); }

  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& exception) override {
    // nlohmann's message quotes the input around the error ("last read: '...'"): a client
    // gets a stable message and the byte offset, never its own bytes echoed back.
    error_ = "syntax error at byte " + std::to_string(position) + " (" +
             SyntaxErrorKind(exception) + ")";
    error_path_.clear();
    return false;
  }

  json TakeRoot() { return std::move(root_); }
  const std::string& error() const { return error_; }
  const std::string& error_path() const { return error_path_; }

 private:
  struct Frame {
    json* value = nullptr;
    std::string key;  // Objects: the key of the member being parsed.
  };

  // The JSON path of the value being parsed, such as "payee.name" or "taxes[1]".
  std::string PathHere() const {
    std::string path;
    for (std::size_t i = 0; i < frames_.size(); ++i) {
      const Frame& frame = frames_[i];
      if (frame.value->is_object()) {
        if (!path.empty()) path += '.';
        path += frame.key;
      } else {
        // An enclosing array already holds the container being parsed; the innermost
        // one does not hold the value being parsed yet.
        std::size_t index = frame.value->size();
        if (i + 1 < frames_.size()) index -= 1;
        path += '[' + std::to_string(index) + ']';
      }
    }
    return path;
  }

  bool Fail(std::string why) {
    error_path_ = PathHere();
    error_ = std::move(why);
    return false;
  }

  // Places `value` where the parse stands and returns where it now lives.
  json* Place(json value) {
    if (frames_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& parent = *frames_.back().value;
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    JEJAK_CHECK(member_ != nullptr);
    *member_ = std::move(value);
    json* placed = member_;
    member_ = nullptr;
    return placed;
  }

  bool AddValue(json value) {
    Place(std::move(value));
    return true;
  }

  bool StartContainer(json::value_t type) {
    if (frames_.size() + 1 > static_cast<std::size_t>(kJsonDepthMax)) {
      return Fail("nesting deeper than " + std::to_string(kJsonDepthMax) + " levels");
    }
    json* placed = Place(json(type));
    frames_.push_back(Frame{placed, {}});
    return true;
  }

  bool EndContainer() {
    JEJAK_CHECK(!frames_.empty());
    frames_.pop_back();
    return true;
  }

  json root_;
  std::vector<Frame> frames_;
  json* member_ = nullptr;
  std::string error_;
  std::string error_path_;
};

// After a successful parse: the byte position of a "-0" number token, if any. JSON
// allows "-0", but it is not an integer's canonical spelling, so the subset excludes it.
std::optional<std::size_t> FindNegativeZero(std::string_view bytes) {
  bool in_string = false;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // The escaped byte cannot end the string.
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '-' && i + 1 < bytes.size() && bytes[i + 1] == '0') {
      return i;
    }
  }
  return std::nullopt;
}

Error ParseError(std::string path, std::string why) {
  // The path is made of the client's keys: a 60 KiB key is not echoed back whole.
  constexpr std::size_t kPathBytesMax = 128;
  if (path.size() > kPathBytesMax) {
    path.resize(kPathBytesMax);
    path.append("...");
  }
  std::string message = "invalid JSON";
  if (!path.empty()) message += " at " + path;
  message += ": " + why;
  return Error{Code::kInvalidArgument, std::move(message),
               {FieldError{std::move(path), std::move(why)}}};
}

void AppendHex(std::string& out, unsigned value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out += kDigits[(value >> 4) & 0xF];
  out += kDigits[value & 0xF];
}

// RFC 8785 §3.2.2.2: the escapes of ECMAScript's JSON.stringify; everything else is
// written as its UTF-8 bytes.
void AppendString(std::string& out, std::string_view text) {
  JEJAK_CHECK(IsValidUtf8(text));
  out += '"';
  std::size_t run = 0;  // Start of the bytes written as they are, not yet appended.
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte != '"' && byte != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (text[i]) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        AppendHex(out, byte);
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

struct OpenContainer {
  const json* value;
  json::const_iterator next;
  bool first;
};

// Writes a scalar, or the opening bracket of a container and pushes it.
void BeginValue(std::string& out, std::vector<OpenContainer>& stack, const json& value) {
  switch (value.type()) {
    case json::value_t::null: out += "null"; return;
    case json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return;
    case json::value_t::number_integer:
      out += std::to_string(value.get<std::int64_t>());
      return;
    case json::value_t::number_unsigned:
      out += std::to_string(value.get<std::uint64_t>());
      return;
    case json::value_t::string: AppendString(out, value.get_ref<const std::string&>()); return;
    case json::value_t::object:
      out += '{';
      stack.push_back(OpenContainer{&value, value.cbegin(), true});
      return;
    case json::value_t::array:
      out += '[';
      stack.push_back(OpenContainer{&value, value.cbegin(), true});
      return;
    case json::value_t::number_float:
    case json::value_t::binary:
    case json::value_t::discarded:
      break;
  }
  // ParseStrict rejects floats and binary values; the entry code never builds them.
  JEJAK_CHECK(!value.is_number_float() && !value.is_binary() && !value.is_discarded());
}

// Reads the canonical form of the entry subset (see ParseCanonicalObject): no whitespace,
// keys ASCII and strictly ascending, integers in int64 without leading zeros or "-0",
// strings in valid UTF-8 with exactly RFC 8785's escapes. Any other byte sequence fails,
// including valid JSON that is not canonical: the caller then takes the strict path.
class CanonicalReader {
 public:
  explicit CanonicalReader(std::string_view bytes)
      : at_(bytes.data()), end_(bytes.data() + bytes.size()) {}

  bool ReadObjectToEnd(json& out) {
    return at_ != end_ && *at_ == '{' && ReadValue(out, 0) && at_ == end_;
  }

 private:
  bool Next(char c) {
    if (at_ == end_ || *at_ != c) return false;
    ++at_;
    return true;
  }

  bool Literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - at_) < word.size() ||
        std::string_view(at_, word.size()) != word) {
      return false;
    }
    at_ += word.size();
    return true;
  }

  // `open` containers enclose the value; ParseStrict allows kJsonDepthMax of them.
  bool ReadValue(json& out, int open) {
    if (at_ == end_) return false;
    switch (*at_) {
      case '{': return ReadObject(out, open + 1);
      case '[': return ReadArray(out, open + 1);
      case '"': {
        std::string text;
        if (!ReadString(text)) return false;
        out = std::move(text);
        return true;
      }
      case 't': out = true; return Literal("true");
      case 'f': out = false; return Literal("false");
      case 'n': out = nullptr; return Literal("null");
      default: return ReadInteger(out);
    }
  }

  bool ReadObject(json& out, int depth) {
    if (depth > kJsonDepthMax) return false;
    ++at_;
    out = json::object();
    auto& members = out.get_ref<json::object_t&>();
    if (Next('}')) return true;
    do {
      std::string key;
      if (!ReadString(key) || !IsAscii(key) || !Next(':')) return false;
      // Canonical members are in ascending key order, so each goes last; a key not above
      // the one before is out of order or a duplicate.
      if (!members.empty() && !(members.rbegin()->first < key)) return false;
      auto member = members.emplace_hint(members.end(), std::move(key), nullptr);
      if (!ReadValue(member->second, depth)) return false;
    } while (Next(','));
    return Next('}');
  }

  bool ReadArray(json& out, int depth) {
    if (depth > kJsonDepthMax) return false;
    ++at_;
    out = json::array();
    auto& elements = out.get_ref<json::array_t&>();
    if (Next(']')) return true;
    do {
      elements.emplace_back();
      if (!ReadValue(elements.back(), depth)) return false;
    } while (Next(','));
    return Next(']');
  }

  // An int64 as nlohmann reads it: unsigned when not negative.
  bool ReadInteger(json& out) {
    const bool negative = Next('-');
    if (at_ == end_ || *at_ < '0' || *at_ > '9') return false;
    // "0" alone; no leading zeros, no "-0".
    if (*at_ == '0') {
      ++at_;
      if (negative || (at_ != end_ && *at_ >= '0' && *at_ <= '9')) return false;
      out = json::number_unsigned_t{0};
      return true;
    }
    constexpr std::uint64_t kMagnitudeMax = std::uint64_t{1} << 63;  // -INT64_MIN.
    std::uint64_t magnitude = 0;
    while (at_ != end_ && *at_ >= '0' && *at_ <= '9') {
      const auto digit = static_cast<std::uint64_t>(*at_ - '0');
      if (magnitude > (kMagnitudeMax - digit) / 10) return false;
      magnitude = magnitude * 10 + digit;
      ++at_;
    }
    if (negative) {
      out = magnitude == kMagnitudeMax ? std::numeric_limits<std::int64_t>::min()
                                       : -static_cast<std::int64_t>(magnitude);
      return true;
    }
    if (magnitude == kMagnitudeMax) return false;  // Above INT64_MAX.
    out = json::number_unsigned_t{magnitude};
    return true;
  }

  static int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;  // Canonical hex is lowercase.
  }

  // A string with exactly the escapes AppendString writes, in valid UTF-8.
  bool ReadString(std::string& out) {
    if (!Next('"')) return false;
    for (;;) {
      const char* run = at_;
      while (at_ != end_) {
        const auto byte = static_cast<unsigned char>(*at_);
        if (byte < 0x20 || byte == '"' || byte == '\\' || byte >= 0x80) break;
        ++at_;
      }
      out.append(run, at_);
      if (at_ == end_) return false;
      const auto byte = static_cast<unsigned char>(*at_);
      if (byte == '"') {
        ++at_;
        return true;
      }
      if (byte < 0x20) return false;  // Raw control characters are not JSON.
      if (byte >= 0x80) {
        if (!ReadUtf8(out)) return false;
        continue;
      }
      if (!ReadEscape(out)) return false;
    }
  }

  bool ReadEscape(std::string& out) {
    ++at_;  // The backslash.
    if (at_ == end_) return false;
    const char c = *at_++;
    switch (c) {
      case '"': out += '"'; return true;
      case '\\': out += '\\'; return true;
      case 'b': out += '\b'; return true;
      case 'f': out += '\f'; return true;
      case 'n': out += '\n'; return true;
      case 'r': out += '\r'; return true;
      case 't': out += '\t'; return true;
      case 'u': break;
      default: return false;
    }
    // Only the control characters without a short escape are written as \u00xx.
    if (end_ - at_ < 4 || at_[0] != '0' || at_[1] != '0') return false;
    const int high = HexValue(at_[2]);
    const int low = HexValue(at_[3]);
    if (high < 0 || low < 0) return false;
    const char value = static_cast<char>(high * 16 + low);
    if (high > 1 || value == '\b' || value == '\f' || value == '\n' || value == '\r' ||
        value == '\t') {
      return false;
    }
    at_ += 4;
    out += value;
    return true;
  }

  // One multi-byte UTF-8 sequence, checked as IsValidUtf8 checks it.
  bool ReadUtf8(std::string& out) {
    const auto length = static_cast<std::size_t>(end_ - at_);
    std::size_t bytes = 0;
    const auto lead = static_cast<unsigned char>(*at_);
    if ((lead & 0xE0) == 0xC0) {
      bytes = 2;
    } else if ((lead & 0xF0) == 0xE0) {
      bytes = 3;
    } else if ((lead & 0xF8) == 0xF0) {
      bytes = 4;
    } else {
      return false;
    }
    if (length < bytes || !IsValidUtf8(std::string_view(at_, bytes))) return false;
    out.append(at_, bytes);
    at_ += bytes;
    return true;
  }

  const char* at_;
  const char* end_;
};

}  // namespace

Result<json> ParseStrict(std::string_view bytes, std::size_t bytes_max) {
  if (bytes.size() > bytes_max) {
    return Error{Code::kTooLarge,
                 "entry of " + std::to_string(bytes.size()) + " bytes exceeds the limit of " +
                     std::to_string(bytes_max) + " bytes",
                 {}};
  }
  // nlohmann skips a byte order mark; RFC 8259 §8.1 forbids sending one.
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    return ParseError("", "a byte order mark is not allowed");
  }
  StrictHandler handler;
  bool parsed = false;
  try {
    parsed = json::sax_parse(bytes.begin(), bytes.end(), &handler, json::input_format_t::json,
                             /*strict=*/true, /*ignore_comments=*/false);
  } catch (const std::exception& e) {
    return ParseError("", "malformed JSON");  // Its message may quote the input.
  }
  if (!parsed) {
    JEJAK_CHECK(!handler.error().empty());
    return ParseError(handler.error_path(), handler.error());
  }
  if (const std::optional<std::size_t> position = FindNegativeZero(bytes)) {
    return ParseError("", "negative zero at byte " + std::to_string(*position) +
                              " is not allowed (write 0)");
  }
  return handler.TakeRoot();
}

std::optional<json> ParseCanonicalObject(std::string_view bytes) {
  if (bytes.size() > kStoredEntryBytesMax) return std::nullopt;
  json value;
  CanonicalReader reader(bytes);
  if (!reader.ReadObjectToEnd(value)) return std::nullopt;
  return value;
}

std::string Canonicalize(const json& value) {
  std::string out;
  std::vector<OpenContainer> stack;
  BeginValue(out, stack, value);
  while (!stack.empty()) {
    OpenContainer& top = stack.back();
    const bool is_object = top.value->is_object();
    if (top.next == top.value->cend()) {
      out += is_object ? '}' : ']';
      stack.pop_back();
      continue;
    }
    if (!top.first) out += ',';
    top.first = false;
    // nlohmann::json keeps object members in a std::map<std::string, ...>, which orders
    // keys by unsigned byte; for ASCII keys that is RFC 8785's UTF-16 code unit order.
    const json& child = *top.next;
    if (is_object) {
      const std::string& key = top.next.key();
      JEJAK_CHECK(IsAscii(key));
      AppendString(out, key);
      out += ':';
    }
    ++top.next;  // Before BeginValue, which may grow the stack and move `top`.
    BeginValue(out, stack, child);
  }
  return out;
}

}  // namespace jejak::ledger
