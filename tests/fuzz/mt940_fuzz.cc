// ledger::ParseMt940 over mutated statements: never a crash or CHECK; a refusal is
// kInvalidArgument with 1 to 1,000 problems, each naming "file" or a line of the input;
// an accepted statement adds up (opening + credits - debits = closing) and its lines
// are numbered in order, with real dates and amounts above zero.
#include <string>

#include "ledger/bank_parse.h"
#include "tests/fuzz/bank_fuzz.h"
#include "tests/fuzz/fuzz.h"

namespace jejak::fuzz {

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds = {ReadSourceFile("tests/testdata/bank/sample.mt940")};
  seeds.push_back(
      ":20:A\n:25:123\n:28C:7/1\n:60F:C250301IDR100,00\n:61:2503030303D40,00NTRFNONREF//R1\n"
      ":86:?20X?31123?32Y\n:62M:C250303IDR60,00\n-}\n{1:F01X}{4:\n:20:A\n:25:123\n:60M:C250303IDR60,00\n"
      ":61:2512310101RC5,50FCHGREF//R2\n:86:/ACC/1/NAME/N/REMI/R\n:62F:C250331IDR54,50\n-}\n");
  return seeds;
}

}  // namespace jejak::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  jejak::fuzz::CheckParsedStatement(input, jejak::ledger::ParseMt940(input));
  return 0;
}
