// ExpenditureTextsOf (ledger/audit_facts.h): a forward scanner over JSON bytes that decodes
// only the strings it keeps and skips every other value by its brackets, so that checking
// the facts of a million expenditures costs a pass over their bytes, not a parse of each.
#include "ledger/audit_facts.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace jejak::ledger {
namespace {

// Nesting deeper than this is refused (stored entries nest three levels).
constexpr int kDepthMax = 64;

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  bool Consume(char c) {
    SkipSpace();
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  void SkipSpace() {
    while (!AtEnd() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
                        text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  // Reads a string (the scanner at its opening quote), decoded into `out` when given.
  bool String(std::string* out) {
    SkipSpace();
    if (Peek() != '"') return false;
    ++pos_;
    for (;;) {
      const std::size_t start = pos_;
      while (!AtEnd() && text_[pos_] != '"' && text_[pos_] != '\\') ++pos_;
      if (AtEnd()) return false;
      if (out) out->append(text_.substr(start, pos_ - start));
      if (text_[pos_] == '"') {
        ++pos_;
        return true;
      }
      ++pos_;  // The backslash.
      if (AtEnd()) return false;
      const char escape = text_[pos_++];
      char plain = '\0';
      switch (escape) {
        case '"': plain = '"'; break;
        case '\\': plain = '\\'; break;
        case '/': plain = '/'; break;
        case 'b': plain = '\b'; break;
        case 'f': plain = '\f'; break;
        case 'n': plain = '\n'; break;
        case 'r': plain = '\r'; break;
        case 't': plain = '\t'; break;
        case 'u': {
          std::uint32_t code = 0;
          if (!Hex4(code)) return false;
          if (code >= 0xD800 && code <= 0xDBFF) {  // A high surrogate: its low one follows.
            std::uint32_t low = 0;
            if (pos_ + 2 > text_.size() || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') return false;
            pos_ += 2;
            if (!Hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          } else if (code >= 0xDC00 && code <= 0xDFFF) {
            return false;
          }
          if (out) AppendUtf8(*out, code);
          continue;
        }
        default: return false;
      }
      if (out) out->push_back(plain);
    }
  }

  // Skips one value of any type.
  bool SkipValue() {
    SkipSpace();
    const char first = Peek();
    if (first == '"') return String(nullptr);
    if (first == '{' || first == '[') {
      int depth = 0;
      while (!AtEnd()) {
        const char c = text_[pos_];
        if (c == '"') {
          if (!String(nullptr)) return false;
          continue;
        }
        ++pos_;
        if (c == '{' || c == '[') {
          if (++depth > kDepthMax) return false;
        } else if (c == '}' || c == ']') {
          if (--depth == 0) return true;
        }
      }
      return false;
    }
    // A number or a literal: up to the next delimiter.
    const std::size_t start = pos_;
    while (!AtEnd() && text_[pos_] != ',' && text_[pos_] != '}' && text_[pos_] != ']' &&
           text_[pos_] != ' ' && text_[pos_] != '\n' && text_[pos_] != '\r' && text_[pos_] != '\t') {
      ++pos_;
    }
    return pos_ > start;
  }

  // true, false or null (nullopt); anything else fails.
  bool Literal(std::string_view literal) {
    SkipSpace();
    if (text_.substr(pos_, literal.size()) != literal) return false;
    pos_ += literal.size();
    return true;
  }

  // Calls `member(key)` for each member of the object at the scanner; `member` consumes
  // the value and returns false to stop with a failure.
  template <typename Member>
  bool Object(Member&& member) {
    if (!Consume('{')) return false;
    if (Consume('}')) return true;
    std::string key;
    for (;;) {
      key.clear();
      if (!String(&key) || !Consume(':')) return false;
      if (!member(key)) return false;
      if (Consume(',')) continue;
      return Consume('}');
    }
  }

 private:
  bool Hex4(std::uint32_t& code) {
    if (pos_ + 4 > text_.size()) return false;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      code <<= 4;
      if (c >= '0' && c <= '9') {
        code |= static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        code |= static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        code |= static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    return true;
  }

  static void AppendUtf8(std::string& out, std::uint32_t code) {
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (code >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// A text member: a string into `out`, or null (left ""); false for any other type.
bool Text(Scanner& scanner, std::string& out) {
  out.clear();
  scanner.SkipSpace();
  if (scanner.Peek() == 'n') return scanner.Literal("null");
  return scanner.String(&out);
}

// A member that the facts do not keep, or an object member (payee, procurement) whose
// wanted members `member` reads: JSON null and objects only.
template <typename Member>
bool ObjectOrNull(Scanner& scanner, Member&& member) {
  scanner.SkipSpace();
  if (scanner.Peek() == 'n') return scanner.Literal("null");
  return scanner.Object(member);
}

}  // namespace

Result<ExpenditureTexts> ExpenditureTextsOf(std::string_view json) {
  ExpenditureTexts texts;
  Scanner scanner(json);
  const bool ok = scanner.Object([&](const std::string& key) {
    if (key == "payee") {
      return ObjectOrNull(scanner, [&](const std::string& member) {
        if (member == "name") return Text(scanner, texts.payee_name);
        if (member == "pkp") {
          scanner.SkipSpace();
          if (scanner.Peek() == 't') {
            texts.payee_pkp = true;
            return scanner.Literal("true");
          }
          if (scanner.Peek() == 'f') {
            texts.payee_pkp = false;
            return scanner.Literal("false");
          }
          texts.payee_pkp.reset();
          return scanner.Literal("null");
        }
        return scanner.SkipValue();
      });
    }
    if (key == "procurement") {
      return ObjectOrNull(scanner, [&](const std::string& member) {
        if (member == "method") return Text(scanner, texts.procurement_method);
        if (member == "type") return Text(scanner, texts.procurement_type);
        if (member == "contract_no") return Text(scanner, texts.contract_no);
        return scanner.SkipValue();
      });
    }
    return scanner.SkipValue();
  });
  scanner.SkipSpace();
  if (!ok || !scanner.AtEnd()) {
    return Error{Code::kDataLoss, "an expenditure's payee or procurement is unreadable", {}};
  }
  return texts;
}

}  // namespace jejak::ledger
