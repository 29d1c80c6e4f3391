// server::ParseCamt053 over mutated XML statements: never a crash or CHECK, and no
// entity is ever expanded; a refusal is kInvalidArgument with 1 to 1,000 problems, each
// naming "file" or a line of the input; an accepted statement adds up and its lines are
// numbered in order, with real dates and amounts above zero.
#include <string>

#include "server/camt053_reader.h"
#include "tests/fuzz/bank_fuzz.h"
#include "tests/fuzz/fuzz.h"

namespace jejak::fuzz {

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds = {ReadSourceFile("tests/testdata/bank/sample.camt053.xml")};
  seeds.push_back(
      "<?xml version=\"1.0\"?>\n<!DOCTYPE Document [<!ENTITY a \"aaaaaaaaaa\">]>\n"
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">&a;</Document>\n");
  return seeds;
}

}  // namespace jejak::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  jejak::fuzz::CheckParsedStatement(input, jejak::server::ParseCamt053(input));
  return 0;
}
