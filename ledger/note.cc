// C2SP signed notes (tests/testdata/c2sp-specs/signed-note.md) with Ed25519 keys
// (signature type 0x01). Behaviour follows the spec and Go's golang.org/x/mod/sumdb/note,
// except that every signature line by the trusted key must verify, not only the first.
#include "ledger/note.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "base/check.h"

namespace jejak::ledger {
namespace {

// signed-note.md "Format": em dash (U+2014) and a space open every signature line.
constexpr std::string_view kSignaturePrefix = "\xe2\x80\x94 ";
// signed-note.md "Signature types": 0x01 is Ed25519.
constexpr std::uint8_t kTypeEd25519 = 0x01;
constexpr std::string_view kSignerKeyPrefix = "PRIVATE+KEY+";
constexpr std::size_t kKeyIdBytes = 4;
constexpr std::size_t kKeyIdHexChars = 8;

// Decodes the UTF-8 sequence at text[i] (RFC 3629 §4: no overlong forms, no surrogates,
// nothing above U+10FFFF). Returns its length, or 0 if it is not valid UTF-8.
std::size_t DecodeUtf8(std::string_view text, std::size_t i, std::uint32_t& code_point) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[i + k]); };
  const std::uint8_t lead = byte(0);
  std::size_t length = 0;
  std::uint32_t min = 0;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  } else if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    min = 0x80;
    code_point = lead & 0x1fu;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    min = 0x800;
    code_point = lead & 0x0fu;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    min = 0x10000;
    code_point = lead & 0x07u;
  } else {
    return 0;
  }
  if (text.size() - i < length) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(k) & 0xc0) != 0x80) return 0;
    code_point = code_point << 6 | (byte(k) & 0x3fu);
  }
  if (code_point < min || code_point > 0x10ffff) return 0;
  if (code_point >= 0xd800 && code_point <= 0xdfff) return 0;
  return length;
}

// Go's unicode.IsSpace: the ASCII spaces, U+0085, U+00A0 and category Zs/Zl/Zp.
bool IsUnicodeSpace(std::uint32_t c) {
  switch (c) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200a;
  }
}

void AppendBigEndian32(std::uint32_t value, std::vector<std::uint8_t>& out) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(value >> shift & 0xff));
  }
}

std::uint32_t ReadBigEndian32(const std::vector<std::uint8_t>& bytes) {
  JEJAK_CHECK(bytes.size() >= kKeyIdBytes);
  return static_cast<std::uint32_t>(bytes[0]) << 24 | static_cast<std::uint32_t>(bytes[1]) << 16 |
         static_cast<std::uint32_t>(bytes[2]) << 8 | static_cast<std::uint32_t>(bytes[3]);
}

// The key ID in a vkey or skey: exactly 8 lowercase hex digits (signed-note.md
// "Conventions": fixed-length lowercase base 16).
std::optional<std::uint32_t> ParseKeyIdHex(std::string_view hex) {
  if (hex.size() != kKeyIdHexChars) return std::nullopt;
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  const std::optional<std::vector<std::uint8_t>> bytes = crypto::FromHex(hex);
  if (!bytes) return std::nullopt;
  return ReadBigEndian32(*bytes);
}

std::string KeyIdHex(std::uint32_t key_id) {
  std::vector<std::uint8_t> bytes;
  AppendBigEndian32(key_id, bytes);
  return crypto::ToHex(bytes);
}

// Splits at the first occurrence of `separator`; nullopt if there is none.
std::optional<std::pair<std::string_view, std::string_view>> Chop(std::string_view text,
                                                                  char separator) {
  const std::size_t at = text.find(separator);
  if (at == std::string_view::npos) return std::nullopt;
  return std::pair(text.substr(0, at), text.substr(at + 1));
}

// base64(0x01 || 32 bytes) as in a vkey or skey: the 32 key bytes.
std::optional<std::array<std::uint8_t, 32>> ParseTypedKey(std::string_view base64) {
  const std::optional<std::vector<std::uint8_t>> bytes = crypto::Base64Decode(base64);
  if (!bytes || bytes->size() != 33 || (*bytes)[0] != kTypeEd25519) return std::nullopt;
  std::array<std::uint8_t, 32> key{};
  std::copy(bytes->begin() + 1, bytes->end(), key.begin());
  return key;
}

std::string TypedKeyBase64(const std::array<std::uint8_t, 32>& key) {
  std::vector<std::uint8_t> bytes = {kTypeEd25519};
  bytes.insert(bytes.end(), key.begin(), key.end());
  return crypto::Base64Encode(bytes);
}

Error Malformed(std::string why) { return InvalidArgument("malformed note: " + why); }

}  // namespace

bool ValidNoteText(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    std::uint32_t code_point = 0;
    const std::size_t length = DecodeUtf8(text, i, code_point);
    if (length == 0) return false;
    if (code_point < 0x20 && code_point != '\n') return false;
    i += length;
  }
  return true;
}

std::uint32_t NoteKeyId(std::string_view name, const crypto::PublicKey& public_key) {
  // signed-note.md "Ed25519 signatures": SHA-256(name || 0x0A || 0x01 || key)[:4].
  crypto::Sha256Hasher hasher;
  hasher.Update(name);
  hasher.Update(std::string_view("\n\x01", 2));
  hasher.Update(
      std::string_view(reinterpret_cast<const char*>(public_key.data()), public_key.size()));
  const crypto::Digest digest = hasher.Finish();
  return ReadBigEndian32(std::vector<std::uint8_t>(digest.begin(), digest.begin() + 4));
}

bool ValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size();) {
    std::uint32_t code_point = 0;
    const std::size_t length = DecodeUtf8(name, i, code_point);
    if (length == 0) return false;
    if (code_point < 0x20 || code_point == '+' || IsUnicodeSpace(code_point)) return false;
    i += length;
  }
  return true;
}

std::optional<ParsedSignature> ParseSignatureLine(std::string_view line) {
  if (!line.starts_with(kSignaturePrefix)) return std::nullopt;
  line.remove_prefix(kSignaturePrefix.size());
  const auto parts = Chop(line, ' ');
  if (!parts || !ValidKeyName(parts->first)) return std::nullopt;
  // A second space would reach the base64 decoder, which rejects it.
  std::optional<std::vector<std::uint8_t>> bytes = crypto::Base64Decode(parts->second);
  // signed-note.md: the signature is 4 + n bytes; Go requires n >= 1 for every key.
  if (!bytes || bytes->size() <= kKeyIdBytes) return std::nullopt;
  ParsedSignature parsed;
  parsed.name = parts->first;
  parsed.key_id = ReadBigEndian32(*bytes);
  parsed.signature.assign(bytes->begin() + kKeyIdBytes, bytes->end());
  return parsed;
}

NoteSigner MakeSigner(std::string_view name, const crypto::PrivateKey& key) {
  JEJAK_CHECK(ValidKeyName(name));
  NoteSigner signer;
  signer.name = std::string(name);
  signer.key_id = NoteKeyId(name, key.public_key);
  signer.private_key = key;
  return signer;
}

NoteVerifier VerifierOf(const NoteSigner& signer) {
  NoteVerifier verifier;
  verifier.name = signer.name;
  verifier.key_id = signer.key_id;
  verifier.public_key = signer.private_key.public_key;
  return verifier;
}

std::string FormatVerifierKey(const NoteVerifier& verifier) {
  return verifier.name + "+" + KeyIdHex(verifier.key_id) + "+" +
         TypedKeyBase64(verifier.public_key);
}

std::optional<NoteVerifier> ParseVerifierKey(std::string_view vkey) {
  // signed-note.md "Verifier keys": three parts. Only the first two '+' separate them,
  // because the base64 part may itself contain '+'.
  const auto name_rest = Chop(vkey, '+');
  if (!name_rest) return std::nullopt;
  const auto id_key = Chop(name_rest->second, '+');
  if (!id_key) return std::nullopt;
  if (!ValidKeyName(name_rest->first)) return std::nullopt;
  const std::optional<std::uint32_t> key_id = ParseKeyIdHex(id_key->first);
  const std::optional<crypto::PublicKey> public_key = ParseTypedKey(id_key->second);
  if (!key_id || !public_key) return std::nullopt;
  if (*key_id != NoteKeyId(name_rest->first, *public_key)) return std::nullopt;
  NoteVerifier verifier;
  verifier.name = std::string(name_rest->first);
  verifier.key_id = *key_id;
  verifier.public_key = *public_key;
  return verifier;
}

std::optional<NoteSigner> ParseSignerKey(std::string_view skey) {
  if (!skey.starts_with(kSignerKeyPrefix)) return std::nullopt;
  skey.remove_prefix(kSignerKeyPrefix.size());
  const auto name_rest = Chop(skey, '+');
  if (!name_rest) return std::nullopt;
  const auto id_key = Chop(name_rest->second, '+');
  if (!id_key) return std::nullopt;
  if (!ValidKeyName(name_rest->first)) return std::nullopt;
  const std::optional<std::uint32_t> key_id = ParseKeyIdHex(id_key->first);
  const std::optional<std::array<std::uint8_t, 32>> seed = ParseTypedKey(id_key->second);
  if (!key_id || !seed) return std::nullopt;
  const crypto::PrivateKey private_key = crypto::KeyFromSeed(*seed);
  if (*key_id != NoteKeyId(name_rest->first, private_key.public_key)) return std::nullopt;
  return MakeSigner(name_rest->first, private_key);
}

std::string SignatureLine(std::string_view text, const NoteSigner& signer) {
  JEJAK_CHECK(!text.empty());
  JEJAK_CHECK(text.back() == '\n');
  JEJAK_CHECK(ValidNoteText(text));
  JEJAK_CHECK(ValidKeyName(signer.name));
  const crypto::Signature signature = crypto::Sign(signer.private_key, text);
  std::vector<std::uint8_t> bytes;
  bytes.reserve(kKeyIdBytes + signature.size());
  AppendBigEndian32(signer.key_id, bytes);
  bytes.insert(bytes.end(), signature.begin(), signature.end());
  std::string line(kSignaturePrefix);
  line += signer.name;
  line += ' ';
  line += crypto::Base64Encode(bytes);
  line += '\n';
  return line;
}

std::string SignNote(std::string_view text, const NoteSigner& signer) {
  std::string note(text);
  note += '\n';
  note += SignatureLine(text, signer);
  return note;
}

Result<NoteParts> SplitNote(std::string_view note) {
  // signed-note.md "Format": valid UTF-8, no control characters but newline.
  if (!ValidNoteText(note)) return Malformed("not UTF-8 text without control characters");
  // The text ends in a newline and is separated from the signatures by the last blank line.
  const std::size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) return Malformed("no blank line before signatures");
  const std::string_view text = note.substr(0, split + 1);
  const std::string_view signatures = note.substr(split + 2);
  if (signatures.empty()) return Malformed("no signature lines");
  if (signatures.back() != '\n') return Malformed("last line does not end in a newline");
  std::size_t count = 0;
  for (std::string_view rest = signatures; !rest.empty();) {
    const std::size_t end = rest.find('\n');  // Found: `signatures` ends in a newline.
    if (!ParseSignatureLine(rest.substr(0, end))) {
      return Malformed("line " + std::to_string(count + 1) +
                       " after the blank line is not a signature");
    }
    if (++count > kNoteSignaturesMax) return Malformed("too many signatures");
    rest.remove_prefix(end + 1);
  }
  return NoteParts{std::string(text), std::string(signatures)};
}

Result<std::string> OpenNote(std::string_view note, const NoteVerifier& verifier) {
  Result<NoteParts> parts = SplitNote(note);
  if (!parts) return parts.error();
  bool verified = false;
  std::string_view rest = parts->signatures;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    const std::optional<ParsedSignature> parsed = ParseSignatureLine(rest.substr(0, end));
    JEJAK_CHECK(parsed.has_value());  // SplitNote checked every line.
    rest.remove_prefix(end + 1);
    // signed-note.md "Signatures": a key is the pair (name, key ID); others are ignored.
    if (parsed->name != verifier.name || parsed->key_id != verifier.key_id) continue;
    // A known key's signature must verify; if it does not, reject the whole note.
    crypto::Signature signature{};
    if (parsed->signature.size() != signature.size()) {
      return InvalidArgument("note signature by " + verifier.name + " does not verify");
    }
    std::copy(parsed->signature.begin(), parsed->signature.end(), signature.begin());
    if (!crypto::Verify(verifier.public_key, parts->text, signature)) {
      return InvalidArgument("note signature by " + verifier.name + " does not verify");
    }
    verified = true;
  }
  if (!verified) return InvalidArgument("note has no signature by " + verifier.name);
  return std::move(parts->text);
}

}  // namespace jejak::ledger
