// Tests of FindingsCache (server/findings_cache.h): a report is served only under exactly
// the scope it was stored with, and the cache keeps to its bounds in entries and bytes.
#include "server/findings_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace jejak::server {
namespace {

FindingsKey Key(std::uint64_t tree_size, std::string as_of = "2025-06-30") {
  return FindingsKey{2025, std::move(as_of), tree_size, "root-" + std::to_string(tree_size), false};
}

SharedFindings Report(const std::string& kondisi, std::size_t seqs = 1) {
  ledger::Finding finding;
  finding.rule = ledger::kRuleCashPayment;
  finding.kondisi = kondisi;
  finding.seqs.assign(seqs, 7);
  return std::make_shared<const std::vector<ledger::Finding>>(std::vector<ledger::Finding>{finding});
}

TEST(FindingsCacheTest, ServesOnlyTheExactScope) {
  FindingsCache cache;
  const SharedFindings at_ten = Report("ten");
  cache.Insert(Key(10), at_ten);
  EXPECT_EQ(cache.Find(Key(10)), at_ten);
  // A later append is another tree size: no report until one is computed for it.
  EXPECT_EQ(cache.Find(Key(11)), nullptr);
  // Another as_of, another root at the same size, the whole year, another fiscal year.
  EXPECT_EQ(cache.Find(Key(10, "2025-01-05")), nullptr);
  FindingsKey other_root = Key(10);
  other_root.root_hash = "another-root";
  EXPECT_EQ(cache.Find(other_root), nullptr);
  FindingsKey whole_year = Key(10);
  whole_year.whole_year = true;
  EXPECT_EQ(cache.Find(whole_year), nullptr);
  FindingsKey other_year = Key(10);
  other_year.fiscal_year = 2026;
  EXPECT_EQ(cache.Find(other_year), nullptr);
  // A pinned report gets its own entry beside the newest.
  const SharedFindings early = Report("early");
  cache.Insert(Key(10, "2025-01-05"), early);
  EXPECT_EQ(cache.Find(Key(10, "2025-01-05")), early);
  EXPECT_EQ(cache.Find(Key(10)), at_ten);
  EXPECT_EQ(cache.Size(), 2u);
}

TEST(FindingsCacheTest, EvictsTheLeastRecentlyUsedPastTheEntryBound) {
  FindingsCache cache(/*entries_max=*/2, FindingsCache::kBytesMax);
  cache.Insert(Key(1), Report("one"));
  cache.Insert(Key(2), Report("two"));
  ASSERT_NE(cache.Find(Key(1)), nullptr);  // 1 is now more recent than 2.
  cache.Insert(Key(3), Report("three"));
  EXPECT_EQ(cache.Size(), 2u);
  EXPECT_NE(cache.Find(Key(1)), nullptr);
  EXPECT_EQ(cache.Find(Key(2)), nullptr);
  EXPECT_NE(cache.Find(Key(3)), nullptr);
  // Storing under a key already held replaces it.
  const SharedFindings again = Report("three again");
  cache.Insert(Key(3), again);
  EXPECT_EQ(cache.Size(), 2u);
  EXPECT_EQ(cache.Find(Key(3)), again);
}

TEST(FindingsCacheTest, KeepsToItsByteBudget) {
  const SharedFindings big = Report("big", 1000);
  const std::size_t big_bytes = FindingsBytes(*big);
  EXPECT_GE(big_bytes, 1000 * sizeof(std::int64_t));
  FindingsCache cache(/*entries_max=*/8, /*bytes_max=*/big_bytes + big_bytes / 2);
  cache.Insert(Key(1), big);
  cache.Insert(Key(2), Report("big too", 1000));
  EXPECT_EQ(cache.Size(), 1u);  // Two would exceed the budget: the older went.
  EXPECT_EQ(cache.Find(Key(1)), nullptr);
  EXPECT_LE(cache.Bytes(), big_bytes + big_bytes / 2);
  // A report over the whole budget is not kept, and evicts nothing.
  cache.Insert(Key(3), Report("huge", 10000));
  EXPECT_EQ(cache.Find(Key(3)), nullptr);
  EXPECT_NE(cache.Find(Key(2)), nullptr);
  // A report handed out outlives its eviction.
  const SharedFindings held = cache.Find(Key(2));
  cache.Insert(Key(4), Report("next", 1000));
  EXPECT_EQ(cache.Find(Key(2)), nullptr);
  EXPECT_EQ(held->front().kondisi, "big too");
}

}  // namespace
}  // namespace jejak::server
