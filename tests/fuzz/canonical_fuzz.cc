// ledger::ParseStrict and ledger::Canonicalize: every input ParseStrict accepts must
// canonicalise to bytes that parse again to an equal value and are a fixed point, and a
// rejection is always kInvalidArgument or kTooLarge, never a crash or a CHECK.
#include <nlohmann/json.hpp>

#include "ledger/canonical.h"
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
        "-9223372036854775808", "\"\xe2\x82\xac\x7f\"", "{\"\\u0041\":1}"}) {
    seeds.emplace_back(text);
  }
  return seeds;
}

}  // namespace jejak::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using jejak::fuzz::Hex;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  jejak::Result<nlohmann::json> parsed = jejak::ledger::ParseStrict(input);
  if (!parsed) {
    FUZZ_ASSERT(parsed.error().code == jejak::Code::kInvalidArgument ||
                    parsed.error().code == jejak::Code::kTooLarge,
                parsed.error().ToString());
    return 0;
  }
  const std::string canonical = jejak::ledger::Canonicalize(*parsed);
  FUZZ_ASSERT(canonical.size() <= input.size(), "canonical form is longer than the input: " +
                                                    Hex(canonical));
  jejak::Result<nlohmann::json> again = jejak::ledger::ParseStrict(canonical);
  FUZZ_ASSERT(again.has_value(),
              "canonical form rejected: " + again.error().ToString() + " canonical hex " +
                  Hex(canonical));
  FUZZ_ASSERT(*again == *parsed, "canonical form parses to another value: " + Hex(canonical));
  FUZZ_ASSERT(jejak::ledger::Canonicalize(*again) == canonical,
              "canonical form is not a fixed point: " + Hex(canonical));
  return 0;
}
