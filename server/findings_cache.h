// A small cache of computed findings reports (GET /v1/audit/findings and
// GET /v1/audit/findings/{id}): a report over the first tree_size entries as of a date never
// changes, so the dashboard's repeated loads and an auditor's single-finding pages at the
// same tree size reuse one computation instead of running the rules again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ledger/audit.h"

namespace jejak::server {

// Everything a findings report depends on besides the server's fixed audit rules: the
// fiscal year, the resolved as_of date, the tree size and that tree's root (so that a
// ledger restored or replaced at the same size never gets another tree's report), and
// whether the whole year was read or only what is dated up to as_of.
struct FindingsKey {
  std::int64_t fiscal_year = 0;
  std::string as_of;
  std::uint64_t tree_size = 0;
  std::string root_hash;
  bool whole_year = false;

  friend bool operator==(const FindingsKey&, const FindingsKey&) = default;
};

using SharedFindings = std::shared_ptr<const std::vector<ledger::Finding>>;

// At most kFindingsCacheEntries reports holding at most kFindingsCacheBytes together (by
// FindingsBytes); the least recently used goes first, and a report larger than the whole
// budget is not kept. Thread-safe. A report handed out stays valid after its eviction.
class FindingsCache {
 public:
  static constexpr std::size_t kEntriesMax = 4;
  static constexpr std::size_t kBytesMax = std::size_t{16} << 20;

  explicit FindingsCache(std::size_t entries_max = kEntriesMax, std::size_t bytes_max = kBytesMax);

  // The report stored under exactly `key`, or null; a hit becomes the most recent.
  SharedFindings Find(const FindingsKey& key);

  // Keeps `findings` under `key` (replacing a report under the same key), evicting the
  // least recently used until the bounds hold. A report over bytes_max is not kept.
  void Insert(const FindingsKey& key, SharedFindings findings);

  // How many reports and bytes are held now (for the tests).
  std::size_t Size();
  std::size_t Bytes();

 private:
  struct Slot {
    FindingsKey key;
    SharedFindings findings;
    std::size_t bytes = 0;
  };
  const std::size_t entries_max_;
  const std::size_t bytes_max_;
  std::mutex mutex_;
  std::vector<Slot> slots_;  // Most recently used first; a handful.
  std::size_t bytes_ = 0;
};

// An estimate of the heap and inline bytes `findings` holds: the Finding objects, their
// texts' characters and their seqs.
std::size_t FindingsBytes(const std::vector<ledger::Finding>& findings);

}  // namespace jejak::server
