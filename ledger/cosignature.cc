// C2SP tlog-cosignature `cosignature/v1` (tests/testdata/c2sp-specs/tlog-cosignature.md):
// Ed25519 witness keys of type 0x04, timestamped signatures over "cosignature/v1\ntime
// <t>\n" followed by the checkpoint text, written as signed-note signature lines; and
// the quorum check of verifiers that demand witnesses.
#include "ledger/cosignature.h"

#include <algorithm>
#include <array>
#include <limits>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "base/check.h"
#include "ledger/note.h"

namespace jejak::ledger {
namespace {

// signed-note.md "Format": em dash (U+2014) and a space open every signature line.
constexpr std::string_view kSignaturePrefix = "\xe2\x80\x94 ";
// tlog-cosignature.md "Format": Ed25519 cosigner keys have signature type 0x04.
constexpr std::uint8_t kTypeCosignatureV1 = 0x04;
constexpr std::size_t kKeyIdBytes = 4;
constexpr std::size_t kKeyIdHexChars = 8;
constexpr std::size_t kTimestampBytes = 8;
// timestamped_signature: key ID (from the note format), u64 timestamp, 64-byte signature.
constexpr std::size_t kCosignatureBytes =
    kKeyIdBytes + kTimestampBytes + std::tuple_size_v<crypto::Signature>;
static_assert(kCosignatureBytes == 76);
// tlog-cosignature.md: the timestamp "MUST NOT exceed 2^63 - 1".
constexpr std::uint64_t kTimestampMax =
    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

void AppendBigEndian(std::uint64_t value, std::size_t bytes, std::vector<std::uint8_t>& out) {
  for (std::size_t i = bytes; i > 0; --i) {
    out.push_back(static_cast<std::uint8_t>(value >> ((i - 1) * 8) & 0xff));
  }
}

std::uint64_t ReadBigEndian(const std::uint8_t* bytes, std::size_t count) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < count; ++i) value = value << 8 | bytes[i];
  return value;
}

std::string KeyIdHex(std::uint32_t key_id) {
  std::vector<std::uint8_t> bytes;
  AppendBigEndian(key_id, kKeyIdBytes, bytes);
  return crypto::ToHex(bytes);
}

// "a, b" or "none".
std::string JoinNames(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

}  // namespace

std::uint32_t CosignerKeyId(std::string_view name, const crypto::PublicKey& public_key) {
  // tlog-cosignature.md "Format": SHA-256(<name> || "\n" || 0x04 || public key)[:4].
  crypto::Sha256Hasher hasher;
  hasher.Update(name);
  hasher.Update(std::string_view("\n\x04", 2));
  hasher.Update(
      std::string_view(reinterpret_cast<const char*>(public_key.data()), public_key.size()));
  const crypto::Digest digest = hasher.Finish();
  return static_cast<std::uint32_t>(ReadBigEndian(digest.data(), kKeyIdBytes));
}

std::string FormatCosignerKey(const CosignerKey& key) {
  std::vector<std::uint8_t> typed = {kTypeCosignatureV1};
  typed.insert(typed.end(), key.public_key.begin(), key.public_key.end());
  return key.name + "+" + KeyIdHex(key.key_id) + "+" + crypto::Base64Encode(typed);
}

std::optional<CosignerKey> ParseCosignerKey(std::string_view vkey) {
  // signed-note.md "Verifier keys": only the first two '+' separate the parts; the base64
  // key may itself contain '+'.
  const std::size_t first = vkey.find('+');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = vkey.find('+', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const std::string_view name = vkey.substr(0, first);
  const std::string_view id_hex = vkey.substr(first + 1, second - first - 1);
  const std::string_view key_base64 = vkey.substr(second + 1);
  if (!ValidKeyName(name)) return std::nullopt;
  // signed-note.md "Conventions": the key ID is fixed-length lowercase hex.
  if (id_hex.size() != kKeyIdHexChars) return std::nullopt;
  for (char c : id_hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  const std::optional<std::vector<std::uint8_t>> id_bytes = crypto::FromHex(id_hex);
  const std::optional<std::vector<std::uint8_t>> typed = crypto::Base64Decode(key_base64);
  if (!id_bytes || id_bytes->size() != kKeyIdBytes) return std::nullopt;
  if (!typed || typed->size() != 33 || (*typed)[0] != kTypeCosignatureV1) return std::nullopt;
  CosignerKey key;
  key.name = std::string(name);
  std::copy(typed->begin() + 1, typed->end(), key.public_key.begin());
  key.key_id = static_cast<std::uint32_t>(ReadBigEndian(id_bytes->data(), kKeyIdBytes));
  if (key.key_id != CosignerKeyId(key.name, key.public_key)) return std::nullopt;
  return key;
}

std::string CosignedMessage(std::string_view checkpoint_text, std::uint64_t timestamp) {
  // tlog-cosignature.md "Ed25519 signed message": header line, timestamp line in decimal
  // without leading zeroes, then the note body including its final newline.
  std::string message = "cosignature/v1\ntime ";
  message += std::to_string(timestamp);
  message += '\n';
  message += checkpoint_text;
  return message;
}

std::string CosignatureLine(std::string_view checkpoint_text, std::string_view name,
                            const crypto::PrivateKey& key, std::uint64_t timestamp) {
  JEJAK_CHECK(!checkpoint_text.empty());
  JEJAK_CHECK(checkpoint_text.back() == '\n');
  JEJAK_CHECK(ValidNoteText(checkpoint_text));
  JEJAK_CHECK(ValidKeyName(name));
  JEJAK_CHECK(timestamp <= kTimestampMax);
  const crypto::Signature signature =
      crypto::Sign(key, CosignedMessage(checkpoint_text, timestamp));
  std::vector<std::uint8_t> bytes;
  bytes.reserve(kCosignatureBytes);
  AppendBigEndian(CosignerKeyId(name, key.public_key), kKeyIdBytes, bytes);
  AppendBigEndian(timestamp, kTimestampBytes, bytes);
  bytes.insert(bytes.end(), signature.begin(), signature.end());
  JEJAK_CHECK(bytes.size() == kCosignatureBytes);
  std::string line(kSignaturePrefix);
  line += name;
  line += ' ';
  line += crypto::Base64Encode(bytes);
  line += '\n';
  return line;
}

Result<Cosignature> VerifyCosignatureLine(std::string_view checkpoint_text,
                                          std::string_view line, const CosignerKey& key) {
  const std::string who = "cosignature by " + key.name;
  std::string_view body = line;
  if (!body.empty() && body.back() == '\n') body.remove_suffix(1);
  if (body.find('\n') != std::string_view::npos) {
    return InvalidArgument(who + ": more than one line");
  }
  if (!body.starts_with(kSignaturePrefix)) {
    return InvalidArgument(who + ": not a signature line (no em dash and space)");
  }
  body.remove_prefix(kSignaturePrefix.size());
  const std::size_t space = body.find(' ');
  if (space == std::string_view::npos) {
    return InvalidArgument(who + ": no space between name and signature");
  }
  const std::string_view name = body.substr(0, space);
  if (name != key.name) {
    return InvalidArgument(who + ": the line is signed by '" + std::string(name) +
                           "', not by the expected cosigner");
  }
  const std::optional<std::vector<std::uint8_t>> bytes =
      crypto::Base64Decode(body.substr(space + 1));
  if (!bytes) return InvalidArgument(who + ": signature is not canonical base64");
  if (bytes->size() < kKeyIdBytes) return InvalidArgument(who + ": signature too short");
  const auto key_id = static_cast<std::uint32_t>(ReadBigEndian(bytes->data(), kKeyIdBytes));
  if (key_id != key.key_id) {
    return InvalidArgument(who + ": key ID " + KeyIdHex(key_id) + " is not " +
                           KeyIdHex(key.key_id));
  }
  if (bytes->size() != kCosignatureBytes) {
    return InvalidArgument(who + ": signature is " + std::to_string(bytes->size()) +
                           " bytes, not " + std::to_string(kCosignatureBytes));
  }
  const std::uint64_t timestamp = ReadBigEndian(bytes->data() + kKeyIdBytes, kTimestampBytes);
  if (timestamp > kTimestampMax) return InvalidArgument(who + ": timestamp exceeds 2^63 - 1");
  if (checkpoint_text.empty() || checkpoint_text.back() != '\n' ||
      !ValidNoteText(checkpoint_text)) {
    return InvalidArgument(who + ": the checkpoint text is not note text ending in a newline");
  }
  crypto::Signature signature{};
  std::copy(bytes->begin() + kKeyIdBytes + kTimestampBytes, bytes->end(), signature.begin());
  if (!crypto::Verify(key.public_key, CosignedMessage(checkpoint_text, timestamp), signature)) {
    return InvalidArgument(who + ": signature does not verify");
  }
  Cosignature cosignature;
  cosignature.line = std::string(line);
  if (cosignature.line.back() != '\n') cosignature.line += '\n';
  cosignature.timestamp = timestamp;
  return cosignature;
}

Result<void> CheckWitnessSet(const std::vector<CosignerKey>& witnesses, std::size_t quorum) {
  if (witnesses.empty()) return InvalidArgument("no witness keys given");
  for (std::size_t i = 0; i < witnesses.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (witnesses[i].name == witnesses[j].name) {
        return InvalidArgument("two witness keys are named " + witnesses[i].name +
                               "; give one key per witness");
      }
      if (witnesses[i].public_key == witnesses[j].public_key) {
        return InvalidArgument("the witness keys " + witnesses[j].name + " and " +
                               witnesses[i].name + " are one public key, so one witness");
      }
    }
  }
  if (quorum == 0 || quorum > witnesses.size()) {
    return InvalidArgument("the quorum must be from 1 to " + std::to_string(witnesses.size()) +
                           " (the number of witness keys given), not " + std::to_string(quorum));
  }
  return {};
}

Result<WitnessQuorum> CheckWitnessQuorum(std::string_view note, const NoteVerifier& log,
                                         const std::vector<CosignerKey>& witnesses,
                                         std::size_t quorum) {
  if (Result<void> demand = CheckWitnessSet(witnesses, quorum); !demand) return demand.error();
  Result<NoteParts> parts = SplitNote(note);
  if (!parts) return parts.error();
  // Cosignatures count only on a checkpoint the log itself signed.
  if (Result<std::string> opened = OpenNote(note, log); !opened) return opened.error();
  std::vector<bool> verified(witnesses.size(), false);
  std::string_view rest = parts->signatures;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');  // Found: SplitNote checked every line.
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end + 1);
    const std::optional<ParsedSignature> parsed = ParseSignatureLine(line);
    JEJAK_CHECK(parsed.has_value());
    for (std::size_t i = 0; i < witnesses.size(); ++i) {
      if (parsed->name != witnesses[i].name || parsed->key_id != witnesses[i].key_id) continue;
      // A known key's line must verify; one that does not refuses the whole note.
      Result<Cosignature> cosignature = VerifyCosignatureLine(parts->text, line, witnesses[i]);
      if (!cosignature) {
        return InvalidArgument("the note is refused: " + cosignature.error().message);
      }
      verified[i] = true;
    }
  }
  WitnessQuorum result;
  for (std::size_t i = 0; i < witnesses.size(); ++i) {
    (verified[i] ? result.cosigned : result.missing).push_back(witnesses[i].name);
  }
  if (result.cosigned.size() < quorum) {
    return InvalidArgument("witness quorum not met: " + std::to_string(result.cosigned.size()) +
                           " of the " + std::to_string(quorum) +
                           " required witnesses cosigned (cosigned: " + JoinNames(result.cosigned) +
                           "; not cosigned: " + JoinNames(result.missing) + ")");
  }
  return result;
}

}  // namespace jejak::ledger
