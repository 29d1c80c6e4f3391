// The bundle exporter (db/bundle_export.h): the choice of the closing checkpoint, moved
// from `jejak export-bundle` and GET /v1/export/bundle, and the paged stream of lines.
#include "db/bundle_export.h"

#include <algorithm>
#include <utility>

#include "base/check.h"
#include "ledger/bundle.h"
#include "ledger/checkpoint.h"
#include "ledger/limits.h"

namespace jejak::db {
namespace {

// A checkpoint signed at `options.time` over the stored tree of to_seq + 1 entries, or at
// the last entry's recorded_at if the clock is behind it: time never runs backwards, and
// verify-bundle would refuse a checkpoint older than the entries it covers.
Result<std::string> FreshCheckpoint(Store& store, const BundleExportOptions& options) {
  JEJAK_CHECK(options.signer != nullptr);  // A fresh checkpoint without a key is a wiring bug.
  Result<StoredEntry> last = store.Entry(options.to_seq);
  if (!last) return last.error();
  Result<ledger::EntryColumns> columns = store.Columns(options.to_seq);
  if (!columns) return columns.error();
  const std::string time = std::max(options.time, columns->recorded_at);
  const auto size = static_cast<std::uint64_t>(options.to_seq) + 1;
  Result<ledger::Digest> root = store.TreeHash(size);
  if (!root) return root.error();
  return ledger::SignCheckpoint(
      ledger::Checkpoint{options.origin, size, *root, last->chain_hash, time},
      *options.signer);
}

}  // namespace

BundleExporter::BundleExporter(Store& store, std::string header_line, std::string note,
                               std::int64_t to_seq)
    : store_(&store), header_line_(std::move(header_line)), note_(std::move(note)), to_seq_(to_seq) {}

Result<BundleExporter> BundleExporter::Open(Store& store, const BundleExportOptions& options) {
  std::string note;
  if (options.checkpoint == BundleCheckpoint::kStoredIfPresent && options.to_seq >= 0) {
    // The stored checkpoint if a commit ended exactly there (with its cosignatures).
    Result<std::optional<std::string>> stored =
        store.CheckpointAt(static_cast<std::uint64_t>(options.to_seq) + 1);
    if (!stored) return stored.error();
    if (stored->has_value()) {
      Result<std::string> cosigned = WithCosignatures(store, options.verifier, **stored);
      if (!cosigned) return cosigned.error();
      note = std::move(cosigned).value();
    }
  }
  if (note.empty()) {
    Result<std::string> fresh = FreshCheckpoint(store, options);
    if (!fresh) return fresh.error();
    note = std::move(fresh).value();
  }
  return BundleExporter(store,
                        ledger::BundleHeaderLine(options.origin,
                                                 ledger::FormatVerifierKey(options.verifier)),
                        std::move(note), options.to_seq);
}

Result<bool> BundleExporter::Next(std::string& chunk) {
  if (done_) return false;
  if (!header_sent_) {
    chunk += header_line_ + "\n";
    header_sent_ = true;
  }
  if (next_seq_ <= to_seq_) {
    EntryFilter filter;
    filter.after_seq = next_seq_ - 1;
    filter.limit = ledger::kPageEntriesMax;
    Result<EntryPage> page = store_->ListEntries(filter);
    if (!page) return page.error();
    for (const StoredEntry& entry : page->entries) {
      if (entry.seq > to_seq_) break;
      if (entry.seq != next_seq_) {
        return Error{Code::kDataLoss, "entry " + std::to_string(next_seq_) + " is missing", {}};
      }
      chunk += entry.canonical;
      chunk += '\n';
      ++next_seq_;
    }
    if (page->entries.empty()) return Error{Code::kDataLoss, "the ledger ends early", {}};
    if (next_seq_ <= to_seq_) return true;
  }
  chunk += ledger::BundleCheckpointLine(note_) + "\n";
  done_ = true;
  return false;
}

}  // namespace jejak::db
