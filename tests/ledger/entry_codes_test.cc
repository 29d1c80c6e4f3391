// The code checks of entry validation (OPD, sub-activity and account codes) accept exactly
// the strings their DESIGN patterns match. The patterns are kept here as std::regex, the
// reference the hand-written checks replaced, and both are run over the valid examples and
// every one-character substitution, deletion and insertion of them.
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ledger/entry.h"

namespace jejak::ledger {
namespace {

using nlohmann::json;

struct CodeField {
  const char* field;
  std::regex pattern;
  std::vector<std::string> seeds;
};

std::vector<CodeField> CodeFields() {
  return {
      {"opd",
       std::regex(R"(\d\.\d{2}\.\d\.\d{2}\.\d\.\d{2}\.\d{2}\.\d{4})"),
       {"1.02.0.00.0.00.01.0000", "9.99.9.99.9.99.99.9999"}},
      {"sub_activity",
       std::regex(R"([0-9X]\.(\d{2}|XX)\.\d{2}\.\d\.\d{2}\.\d{4})"),
       {"1.02.01.2.02.0001", "X.XX.01.2.02.0001", "X.02.01.2.02.0001", "1.XX.01.2.02.0001"}},
      {"account",
       std::regex(R"(5\.\d\.\d{2}\.\d{2}\.\d{2}\.\d{4})"),
       {"5.1.02.01.01.0024", "5.9.99.99.99.9999"}},
  };
}

// Every string one edit away from `seed`, over characters a code may be confused with.
std::set<std::string> Neighbours(const std::string& seed) {
  const std::vector<std::string> alphabet = {"0", "5", "9", "X", "x", ".", "a", " ", "-",
                                             std::string(1, '\0'), "\xd9\xa3", "\xef\xbc\x91",
                                             "\x80", "XX", "00"};
  std::set<std::string> out = {seed, "", seed + seed};
  for (std::size_t i = 0; i <= seed.size(); ++i) {
    for (const std::string& c : alphabet) {
      out.insert(seed.substr(0, i) + c + seed.substr(i));  // Insertion.
      if (i < seed.size()) out.insert(seed.substr(0, i) + c + seed.substr(i + 1));  // Substitution.
    }
    if (i < seed.size()) out.insert(seed.substr(0, i) + seed.substr(i + 1));  // Deletion.
  }
  return out;
}

json Budget() {
  return {{"kind", "budget"},
          {"fiscal_year", 2026},
          {"opd", "1.02.0.00.0.00.01.0000"},
          {"sub_activity", "1.02.01.2.02.0001"},
          {"account", "5.1.02.01.01.0024"},
          {"pagu", "100"},
          {"stage", "murni"}};
}

// True iff validation names `field` among the errors of `body`.
bool Rejects(const json& body, const std::string& field) {
  Result<json> validated = ValidateBody(body);
  if (validated) return false;
  for (const FieldError& error : validated.error().fields) {
    if (error.field == field) return true;
  }
  return false;
}

TEST(EntryCodesTest, ValidationAcceptsExactlyWhatThePatternsMatch) {
  std::size_t accepted = 0;
  std::size_t rejected = 0;
  for (const CodeField& code : CodeFields()) {
    std::set<std::string> candidates;
    for (const std::string& seed : code.seeds) candidates.merge(Neighbours(seed));
    for (const std::string& candidate : candidates) {
      json body = Budget();
      body[code.field] = candidate;
      const bool want = std::regex_match(candidate, code.pattern);
      EXPECT_EQ(!Rejects(body, code.field), want) << code.field << " \"" << candidate << "\"";
      (want ? accepted : rejected) += 1;
    }
  }
  // Both sides of each pattern were exercised, not just rejections.
  EXPECT_GT(accepted, 100u);
  EXPECT_GT(rejected, 1000u);
}

TEST(EntryCodesTest, OpdCodesOfOpdAndTaxDepositEntriesUseTheSameCheck) {
  const json opd = {{"kind", "opd"}, {"code", "1.02.0.00.0.00.01.000X"}, {"name", "Dinas"}};
  EXPECT_TRUE(Rejects(opd, "code"));
  json good = opd;
  good["code"] = "1.02.0.00.0.00.01.0001";
  EXPECT_TRUE(ValidateBody(good).has_value());
}

}  // namespace
}  // namespace jejak::ledger
