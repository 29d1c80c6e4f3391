// ledger::ParseCosignerKey and VerifyCosignatureLine. A plain input is tried as a
// cosigner key and as a cosignature line over a fixed checkpoint by a fixed cosigner;
// an input of three parts (kPartSeparator) is "checkpoint text, line, cosigner key".
// Invariants: a parsed key formats back to the same key; an accepted line by the fixed
// cosigner is byte for byte the line CosignatureLine writes (Ed25519 is deterministic,
// so anything else would be a malleable signature).
#include <nlohmann/json.hpp>

#include "ledger/cosignature.h"
#include "ledger/note.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/signing.h"

namespace jejak::fuzz {
namespace {

const ledger::CosignerKey& Cosigner() {
  static const ledger::CosignerKey key{
      kCosignerName, ledger::CosignerKeyId(kCosignerName, CosignerPrivateKey().public_key),
      CosignerPrivateKey().public_key};
  return key;
}

const std::string& CheckpointText() {
  static const std::string text = ledger::FormatCheckpointText(SampleCheckpoint(7));
  return text;
}

}  // namespace

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  const std::string vkey = ledger::FormatCosignerKey(Cosigner());
  seeds.push_back(vkey);
  for (std::uint64_t timestamp : {0ull, 1795341600ull, 4294967295ull}) {
    const std::string line = ledger::CosignatureLine(CheckpointText(), kCosignerName,
                                                     CosignerPrivateKey(), timestamp);
    seeds.push_back(line);
    seeds.push_back(line.substr(0, line.size() - 1));
    seeds.push_back(JoinParts({CheckpointText(), line, vkey}));
  }
  const nlohmann::json vectors = ReadTestdataJson("signed-note/cosignature-v1.json");
  if (vectors.is_array()) {
    for (const auto& item : vectors) {
      if (!item.contains("cosigner_vkey") || !item.contains("cosignature_line") ||
          !item.contains("checkpoint_note")) {
        continue;
      }
      const std::string note = item["checkpoint_note"].get<std::string>();
      const std::string text = note.substr(0, note.rfind("\n\n") + 1);
      seeds.push_back(item["cosigner_vkey"].get<std::string>());
      seeds.push_back(JoinParts({text, item["cosignature_line"].get<std::string>(),
                                 item["cosigner_vkey"].get<std::string>()}));
    }
  }
  return seeds;
}

}  // namespace jejak::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace ledger = jejak::ledger;
  using jejak::fuzz::Hex;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string_view> parts = jejak::fuzz::SplitParts(input, 3);

  if (parts.size() == 3) {
    if (std::optional<ledger::CosignerKey> key = ledger::ParseCosignerKey(parts[2])) {
      jejak::Result<ledger::Cosignature> cosignature =
          ledger::VerifyCosignatureLine(parts[0], parts[1], *key);
      if (!cosignature) {
        FUZZ_ASSERT(cosignature.error().code == jejak::Code::kInvalidArgument,
                    cosignature.error().ToString());
      }
    }
    return 0;
  }

  if (std::optional<ledger::CosignerKey> key = ledger::ParseCosignerKey(input)) {
    FUZZ_ASSERT(ledger::ValidKeyName(key->name), "cosigner key with an invalid name");
    FUZZ_ASSERT(key->key_id == ledger::CosignerKeyId(key->name, key->public_key), "key ID");
    const std::string formatted = ledger::FormatCosignerKey(*key);
    std::optional<ledger::CosignerKey> again = ledger::ParseCosignerKey(formatted);
    FUZZ_ASSERT(again.has_value() && again->name == key->name && again->key_id == key->key_id &&
                    again->public_key == key->public_key,
                "formatted cosigner key does not parse back: " + formatted);
    FUZZ_ASSERT(formatted == input, "cosigner key accepted in a non-canonical spelling: " + Hex(input));
  }

  const std::string& text = jejak::fuzz::CheckpointText();
  jejak::Result<ledger::Cosignature> cosignature =
      ledger::VerifyCosignatureLine(text, input, jejak::fuzz::Cosigner());
  if (!cosignature) {
    FUZZ_ASSERT(cosignature.error().code == jejak::Code::kInvalidArgument,
                cosignature.error().ToString());
    return 0;
  }
  std::string line(input);
  if (line.empty() || line.back() != '\n') line += '\n';
  FUZZ_ASSERT(cosignature->line == line, "returned line differs from the input line");
  FUZZ_ASSERT(cosignature->timestamp <= 0x7FFFFFFFFFFFFFFFull, "timestamp beyond what CosignatureLine allows");
  const std::string expected = ledger::CosignatureLine(text, jejak::fuzz::kCosignerName,
                                                       jejak::fuzz::CosignerPrivateKey(),
                                                       cosignature->timestamp);
  FUZZ_ASSERT(expected == line, "accepted a cosignature line that is not the signer's: " + Hex(input));
  return 0;
}
