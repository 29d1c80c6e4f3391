// ledger::BundleChecker::AddLine over an untrusted offline bundle: the input's lines are
// fed one by one (until the first rejection) and then Finish. Every rejection is a
// kDataLoss naming a line or seq, never a crash or a CHECK; a bundle that passes holds as
// many entries as it had entry lines. Seeds are real bundles signed by a fixed log key.
#include <nlohmann/json.hpp>

#include "ledger/bundle.h"
#include "ledger/canonical.h"
#include "ledger/cosignature.h"
#include "ledger/entry.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/signing.h"

namespace jejak::fuzz {
namespace {

// Bounds the work per input: a bundle line costs a parse and a hash.
constexpr std::size_t kLinesMax = 4096;

std::string MakeBundle(std::size_t entries_max, bool cosigned) {
  const ledger::NoteVerifier verifier = ledger::VerifierOf(LogSigner());
  const std::string vkey = ledger::FormatVerifierKey(verifier);
  std::vector<nlohmann::json> bodies;
  bodies.push_back({{"kind", "genesis"},
                    {"ledger_id", "fuzz-2026"},
                    {"origin", kOrigin},
                    {"region", "Kabupaten Fuzz"},
                    {"checkpoint_key", vkey}});
  for (const char* file : {"ops/demo/registry.ndjson", "ops/demo/expenditures.ndjson",
                           "ops/demo/corrections.ndjson"}) {
    for (const std::string& line : ReadSourceLines(file)) {
      Result<nlohmann::json> body = ledger::ParseStrict(line);
      if (body) bodies.push_back(*body);
    }
  }
  ledger::ChainVerifier chain(verifier);
  std::string bundle = ledger::BundleHeaderLine(kOrigin, vkey) + "\n";
  for (const nlohmann::json& body : bodies) {
    if (chain.size() >= entries_max) break;
    Result<nlohmann::json> validated =
        chain.size() == 0 ? ledger::ValidateGenesis(body) : ledger::ValidateBody(body);
    if (!validated) continue;
    const ledger::Stamp stamp{static_cast<std::int64_t>(chain.size()),
                              "2026-02-01T08:00:00.000Z", "fuzz"};
    const std::string canonical = ledger::Canonicalize(ledger::StampEntry(*validated, stamp));
    if (!chain.Add(canonical)) continue;
    bundle += canonical + "\n";
  }
  ledger::Checkpoint checkpoint{kOrigin, chain.size(), chain.root(), chain.chain_hash(),
                                "2026-02-01T09:00:00.000Z"};
  std::string note = ledger::SignCheckpoint(checkpoint, LogSigner());
  if (cosigned) {
    note += ledger::CosignatureLine(ledger::FormatCheckpointText(checkpoint), kCosignerName,
                                    CosignerPrivateKey(), 1795341600);
  }
  bundle += ledger::BundleCheckpointLine(note) + "\n";
  return bundle;
}

}  // namespace

std::vector<std::string> Seeds() {
  return {MakeBundle(1, false), MakeBundle(3, false), MakeBundle(1000, false),
          MakeBundle(1000, true)};
}

}  // namespace jejak::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace ledger = jejak::ledger;
  static const ledger::NoteVerifier verifier = ledger::VerifierOf(jejak::fuzz::LogSigner());
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  ledger::BundleChecker checker(verifier);
  std::uint64_t entry_lines = 0;
  std::size_t lines = 0;
  bool rejected = false;
  while (!rest.empty() && lines < jejak::fuzz::kLinesMax) {
    const std::size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    ++lines;
    if (lines > 1 && !line.starts_with("{\"checkpoint\":")) ++entry_lines;
    jejak::Result<void> added = checker.AddLine(line);
    if (!added) {
      FUZZ_ASSERT(added.error().code == jejak::Code::kDataLoss, added.error().ToString());
      rejected = true;
      break;
    }
  }
  jejak::Result<ledger::BundleSummary> summary = checker.Finish();
  if (summary) {
    // Finding bundle-finish-after-reject: AddLine marks the checkpoint seen before
    // checking it, so after a rejected checkpoint line Finish passes.
    FUZZ_ASSERT(!rejected || jejak::fuzz::Skipped("bundle-finish-after-reject"),
                "Finish passed a bundle with a rejected line");
    if (rejected) return 0;
    FUZZ_ASSERT(summary->entries == entry_lines, "entry count differs from entry lines");
    FUZZ_ASSERT(summary->origin == jejak::fuzz::kOrigin, "bundle of another origin passed");
  } else {
    FUZZ_ASSERT(summary.error().code == jejak::Code::kDataLoss, summary.error().ToString());
  }
  return 0;
}
