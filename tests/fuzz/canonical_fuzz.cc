// ledger::ParseStrict and ledger::Canonicalize: every input ParseStrict accepts must
// canonicalise to bytes that parse again to an equal value and are a fixed point, and a
// rejection is always kInvalidArgument or kTooLarge, never a crash or a CHECK. And
// ledger::ParseCanonicalObject accepts exactly the inputs that are the canonical form of
// an object ParseStrict accepts at the stored-entry limit, with the same value and the
// same number types.
#include <nlohmann/json.hpp>

#include "ledger/canonical.h"
#include "ledger/limits.h"
#include "tests/fuzz/fuzz.h"

namespace jejak::fuzz {

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds = ReadSourceFolder("tests/testdata/rfc8785/input");
  for (const char* file : {"ops/demo/expenditures.ndjson", "ops/demo/registry.ndjson",
                           "ops/demo/corrections.ndjson"}) {
    for (std::string& line : ReadSourceLines(file)) seeds.push_back(std::move(line));
  }
  seeds.push_back(ReadSourceFile("ops/demo/example-expenditure.json"));
  for (const char* text :
       {"{}", "[]", "0", "-1", "\"\\u0000\\ud83d\\ude00\\u00e9\\/\"", "[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]",
        "{\"a\":{\"b\":[1,2,{\"c\":null}]},\"\":true}", "9223372036854775807",
        "-9223372036854775808", "\"\xe2\x82\xac\x7f\"", "{\"\\u0041\":1}",
        "{\"a\":\"\\u001f\\b\\t\\n\\f\\r\\\"\\\\\\u0000\",\"b\":[-9223372036854775808,0,9223372036854775807]}"}) {
    seeds.emplace_back(text);
  }
  // The canonical forms too, so that mutations explore the neighbourhood of canonical
  // bytes, where ParseCanonicalObject must agree with ParseStrict and Canonicalize.
  const std::size_t count = seeds.size();
  for (std::size_t i = 0; i < count; ++i) {
    jejak::Result<nlohmann::json> parsed = jejak::ledger::ParseStrict(seeds[i]);
    if (parsed) seeds.push_back(jejak::ledger::Canonicalize(*parsed));
  }
  return seeds;
}

namespace {

// Equal values whose numbers also have the same type (unsigned or signed).
bool SameTypedValue(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.type() != b.type() || a.size() != b.size()) return false;
  if (a.is_object()) {
    for (auto x = a.begin(), y = b.begin(); x != a.end(); ++x, ++y) {
      if (x.key() != y.key() || !SameTypedValue(*x, *y)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!SameTypedValue(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace

}  // namespace jejak::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using jejak::fuzz::Hex;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // At the stored-entry limit, ParseCanonicalObject's: inputs may pass kEntryBytesMax.
  jejak::Result<nlohmann::json> parsed =
      jejak::ledger::ParseStrict(input, jejak::ledger::kStoredEntryBytesMax);
  const std::optional<nlohmann::json> fast = jejak::ledger::ParseCanonicalObject(input);
  const bool canonical_object =
      parsed && parsed->is_object() && jejak::ledger::Canonicalize(*parsed) == input;
  FUZZ_ASSERT(fast.has_value() == canonical_object,
              std::string("ParseCanonicalObject ") + (fast ? "accepts" : "rejects") +
                  " input hex " + Hex(input));
  if (fast) {
    FUZZ_ASSERT(jejak::fuzz::SameTypedValue(*fast, *parsed),
                "ParseCanonicalObject reads another value from " + Hex(input));
  }
  if (!parsed) {
    FUZZ_ASSERT(parsed.error().code == jejak::Code::kInvalidArgument ||
                    parsed.error().code == jejak::Code::kTooLarge,
                parsed.error().ToString());
    return 0;
  }
  const std::string canonical = jejak::ledger::Canonicalize(*parsed);
  FUZZ_ASSERT(canonical.size() <= input.size(), "canonical form is longer than the input: " +
                                                    Hex(canonical));
  jejak::Result<nlohmann::json> again =
      jejak::ledger::ParseStrict(canonical, jejak::ledger::kStoredEntryBytesMax);
  FUZZ_ASSERT(again.has_value(),
              "canonical form rejected: " + again.error().ToString() + " canonical hex " +
                  Hex(canonical));
  FUZZ_ASSERT(*again == *parsed, "canonical form parses to another value: " + Hex(canonical));
  FUZZ_ASSERT(jejak::ledger::Canonicalize(*again) == canonical,
              "canonical form is not a fixed point: " + Hex(canonical));
  return 0;
}
