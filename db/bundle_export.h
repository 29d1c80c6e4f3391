// The offline verification bundle (DESIGN "Offline bundle", ledger/bundle.h), written from
// the store: the header line, every entry's canonical bytes from seq 0 to `to_seq`, and a
// final checkpoint line covering exactly those entries. One exporter serves both
// `jejak export-bundle` and GET /v1/export/bundle; it is pulled a page at a time, so its
// memory does not grow with the ledger.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "db/store.h"
#include "ledger/note.h"

namespace jejak::db {

// Which checkpoint closes the bundle.
enum class BundleCheckpoint {
  // A checkpoint signed now (BundleExportOptions::time) over the stored tree of
  // to_seq + 1 entries, whether or not a commit ended there (`jejak export-bundle`).
  kFreshlySigned,
  // The stored checkpoint of exactly to_seq + 1 entries with its cosignature lines, if a
  // commit ended there; otherwise a freshly signed one as above (the HTTP export).
  kStoredIfPresent,
};

struct BundleExportOptions {
  std::string origin;             // The ledger's origin: header line and fresh checkpoints.
  ledger::NoteVerifier verifier;  // Its key goes in the header; opens stored checkpoints.
  // Signs fresh checkpoints; must outlive BundleExporter::Open (it is not kept).
  const ledger::NoteSigner* signer = nullptr;
  std::int64_t to_seq = 0;  // The last seq exported; the caller checked its range.
  std::string time;         // A fresh checkpoint's time (RFC 3339 UTC, milliseconds).
  BundleCheckpoint checkpoint = BundleCheckpoint::kFreshlySigned;
};

class BundleExporter {
 public:
  // Chooses and, if needed, signs the closing checkpoint (see BundleCheckpoint), reading
  // `store`; nothing of the bundle is produced yet. Errors: kNotFound if entry `to_seq`
  // or its tree is not stored (e.g. to_seq < 0 on an empty ledger); kDataLoss if the
  // stored checkpoint does not verify with `options.verifier` or a stored hash is
  // corrupt; kUnavailable if the database fails. A fresh checkpoint needs
  // `options.signer` (checked). `store` must outlive the exporter, which uses it from one
  // thread at a time, like the Store itself.
  static Result<BundleExporter> Open(Store& store, const BundleExportOptions& options);

  // Appends the next piece of the bundle to `chunk`: on the first call the header line,
  // then on each call up to ledger::kPageEntriesMax entry lines, and with the last page
  // the checkpoint line; every line ends in "\n". Returns true while more follows, false
  // once the checkpoint line was appended (and on any later call, appending nothing).
  // Errors: kDataLoss if an entry is missing or the ledger ends before `to_seq`
  // (naming the seq) or a stored hash is corrupt; kUnavailable if the database fails.
  // After an error the bytes produced so far are not a bundle.
  Result<bool> Next(std::string& chunk);

  // The number of entries exported (to_seq + 1).
  std::uint64_t tree_size() const { return static_cast<std::uint64_t>(to_seq_) + 1; }
  // The note of the closing checkpoint line (with cosignature lines, if stored ones).
  const std::string& checkpoint_note() const { return note_; }

 private:
  BundleExporter(Store& store, std::string header_line, std::string note, std::int64_t to_seq);

  Store* store_;
  std::string header_line_;
  std::string note_;
  std::int64_t to_seq_ = 0;
  std::int64_t next_seq_ = 0;
  bool header_sent_ = false;
  bool done_ = false;
};

}  // namespace jejak::db
