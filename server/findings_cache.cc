// FindingsCache (server/findings_cache.h): a least-recently-used list of a few reports under
// one mutex; a handful of entries makes a linear search the cheapest lookup.
#include "server/findings_cache.h"

#include <algorithm>
#include <utility>

namespace jejak::server {

FindingsCache::FindingsCache(std::size_t entries_max, std::size_t bytes_max)
    : entries_max_(entries_max), bytes_max_(bytes_max) {}

SharedFindings FindingsCache::Find(const FindingsKey& key) {
  const std::lock_guard<std::mutex> lock(mutex_);
  const auto found = std::find_if(slots_.begin(), slots_.end(),
                                  [&](const Slot& slot) { return slot.key == key; });
  if (found == slots_.end()) return nullptr;
  std::rotate(slots_.begin(), found, found + 1);  // Now the most recent.
  return slots_.front().findings;
}

void FindingsCache::Insert(const FindingsKey& key, SharedFindings findings) {
  if (!findings || entries_max_ == 0) return;
  const std::size_t bytes = FindingsBytes(*findings);
  if (bytes > bytes_max_) return;
  const std::lock_guard<std::mutex> lock(mutex_);
  const auto same = std::find_if(slots_.begin(), slots_.end(),
                                 [&](const Slot& slot) { return slot.key == key; });
  if (same != slots_.end()) {
    bytes_ -= same->bytes;
    slots_.erase(same);
  }
  while (!slots_.empty() && (slots_.size() >= entries_max_ || bytes_ + bytes > bytes_max_)) {
    bytes_ -= slots_.back().bytes;
    slots_.pop_back();
  }
  slots_.insert(slots_.begin(), Slot{key, std::move(findings), bytes});
  bytes_ += bytes;
}

std::size_t FindingsCache::Size() {
  const std::lock_guard<std::mutex> lock(mutex_);
  return slots_.size();
}

std::size_t FindingsCache::Bytes() {
  const std::lock_guard<std::mutex> lock(mutex_);
  return bytes_;
}

std::size_t FindingsBytes(const std::vector<ledger::Finding>& findings) {
  std::size_t bytes = sizeof(findings) + findings.capacity() * sizeof(ledger::Finding);
  for (const ledger::Finding& finding : findings) {
    for (const std::string* text :
         {&finding.id, &finding.rule, &finding.severity, &finding.opd, &finding.opd_name,
          &finding.kondisi, &finding.kriteria, &finding.sebab, &finding.akibat,
          &finding.rekomendasi}) {
      bytes += text->capacity();
    }
    bytes += finding.seqs.capacity() * sizeof(std::int64_t);
  }
  return bytes;
}

}  // namespace jejak::server
