// ledger::ParseCheckpointText, ParseCheckpointCore and OpenCheckpoint on untrusted text.
// Invariants: an accepted checkpoint text is exactly what FormatCheckpointText writes for
// it (the format is strict), its first three lines parse as a C2SP core too, and a signed
// checkpoint opens to the same value as its text parses to.
#include <nlohmann/json.hpp>

#include "ledger/checkpoint.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/signing.h"

namespace jejak::fuzz {

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  for (std::uint64_t size : {1ull, 7ull, 1000ull, 18446744073709551615ull}) {
    const ledger::Checkpoint checkpoint = SampleCheckpoint(size);
    seeds.push_back(ledger::FormatCheckpointText(checkpoint));
    seeds.push_back(ledger::SignCheckpoint(checkpoint, LogSigner()));
  }
  seeds.emplace_back("example.com/log\n42\nmMl/C6MXXNCLAx3QhLncTmSbZNGijm6mlGRlAxc6tYc=\n");
  seeds.emplace_back(
      "example.com/log\n42\nmMl/C6MXXNCLAx3QhLncTmSbZNGijm6mlGRlAxc6tYc=\nextension line\n");
  const nlohmann::json cosigned = ReadTestdataJson("signed-note/cosignature-v1.json");
  if (cosigned.is_array()) {
    for (const auto& item : cosigned) {
      if (item.contains("checkpoint_note")) seeds.push_back(item["checkpoint_note"].get<std::string>());
    }
  }
  return seeds;
}

}  // namespace jejak::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace ledger = jejak::ledger;
  using jejak::fuzz::Hex;
  static const ledger::NoteVerifier verifier = ledger::VerifierOf(jejak::fuzz::LogSigner());
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  jejak::Result<ledger::Checkpoint> checkpoint = ledger::ParseCheckpointText(input);
  if (checkpoint) {
    const std::string formatted = ledger::FormatCheckpointText(*checkpoint);
    FUZZ_ASSERT(formatted == input, "accepted checkpoint text is not canonical: " + Hex(input));
    jejak::Result<ledger::CheckpointCore> core = ledger::ParseCheckpointCore(input);
    FUZZ_ASSERT(core.has_value(), "checkpoint text is not a C2SP checkpoint");
    FUZZ_ASSERT(core->origin == checkpoint->origin && core->tree_size == checkpoint->tree_size &&
                    core->root_hash == checkpoint->root_hash,
                "core and checkpoint disagree");
  } else {
    FUZZ_ASSERT(checkpoint.error().code == jejak::Code::kInvalidArgument,
                checkpoint.error().ToString());
  }
  jejak::Result<ledger::CheckpointCore> core = ledger::ParseCheckpointCore(input);
  if (core) {
    FUZZ_ASSERT(!core->origin.empty(), "empty origin accepted");
  }

  jejak::Result<ledger::Checkpoint> opened = ledger::OpenCheckpoint(input, verifier);
  if (opened) {
    jejak::Result<ledger::NoteParts> parts = ledger::SplitNote(input);
    FUZZ_ASSERT(parts.has_value(), "opened a note SplitNote rejects");
    jejak::Result<ledger::Checkpoint> parsed = ledger::ParseCheckpointText(parts->text);
    FUZZ_ASSERT(parsed.has_value() && parsed->tree_size == opened->tree_size &&
                    parsed->root_hash == opened->root_hash && parsed->origin == opened->origin,
                "OpenCheckpoint and ParseCheckpointText disagree");
  }
  return 0;
}
