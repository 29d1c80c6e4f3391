// `jejak import`: rebuilds a ledger from an offline bundle into an empty database (either
// backend) in one write transaction. Every line is checked by the bundle checker and the
// append's ledger rules, written through the append's own row writer, and the bundle's
// signed checkpoint must cover exactly what was rebuilt before anything commits.
#include <soci/soci.h>

#include <nlohmann/json.hpp>

#include <string_view>
#include <utility>
#include <vector>

#include "db/kept_checkpoint.h"
#include "db/sql_util.h"
#include "db/store.h"
#include "db/store_impl.h"
#include "ledger/canonical.h"
#include "ledger/limits.h"
#include "ledger/cosignature.h"
#include "ledger/entry.h"
#include "ledger/seal.h"

namespace jejak::db {
namespace {

// A bundle's checkpoint note split into the note the ledger stores (its text and the
// ledger key's signature) and the other signature lines (cosignatures), by cosigner.
struct SplitCheckpoint {
  std::string note;
  std::vector<std::pair<std::string, std::string>> cosignatures;  // (cosigner, line).
};

// kDataLoss naming the bundle's last line.
Error CheckpointLineError(std::uint64_t line, const std::string& what) {
  return Error{Code::kDataLoss, "bundle line " + std::to_string(line) + " (checkpoint): " + what, {}};
}

// Splits `note` (which the checker verified with `verifier`) at its signature lines;
// every other line must be a cosignature that verifies with the witness key of its name.
Result<SplitCheckpoint> SplitCosignatures(const std::string& note,
                                          const ledger::NoteVerifier& verifier,
                                          const std::vector<ledger::CosignerKey>& witnesses,
                                          std::uint64_t line) {
  Result<ledger::NoteParts> parts = ledger::SplitNote(note);
  if (!parts) return CheckpointLineError(line, parts.error().message);
  SplitCheckpoint split;
  std::string_view signatures = parts->signatures;
  constexpr std::string_view kDash = "\xE2\x80\x94 ";  // "— ", signed-note.md.
  while (!signatures.empty()) {
    const std::size_t end = signatures.find('\n');
    const std::string_view signature =
        signatures.substr(0, end == std::string_view::npos ? signatures.size() : end + 1);
    signatures.remove_prefix(signature.size());
    const std::string candidate = parts->text + "\n" + std::string(signature);
    if (split.note.empty() && ledger::OpenNote(candidate, verifier)) {
      split.note = candidate;
      continue;
    }
    const std::size_t space = signature.find(' ', kDash.size());
    if (signature.rfind(kDash, 0) != 0 || space == std::string_view::npos) {
      return CheckpointLineError(line, "malformed signature line");
    }
    std::string cosigner(signature.substr(kDash.size(), space - kDash.size()));
    for (const auto& [name, unused] : split.cosignatures) {
      if (name == cosigner) return CheckpointLineError(line, "two cosignatures by " + cosigner);
    }
    const ledger::CosignerKey* key = nullptr;
    for (const ledger::CosignerKey& witness : witnesses) {
      if (witness.name == cosigner) key = &witness;
    }
    if (key == nullptr) {
      return CheckpointLineError(line, "cosigner " + cosigner +
                                           " is not a witness key in the data directory's config");
    }
    if (Result<ledger::Cosignature> checked = ledger::VerifyCosignatureLine(parts->text, signature, *key);
        !checked) {
      return CheckpointLineError(line, "the cosignature by " + cosigner + " does not verify: " +
                                           checked.error().message);
    }
    split.cosignatures.emplace_back(std::move(cosigner), std::string(signature));
  }
  JEJAK_CHECK(!split.note.empty());  // The checker verified the note with `verifier`.
  return split;
}

// Names the bundle line an error of the checker or of the sink is about: "bundle line L
// (seq S): what" for an entry's problem (entry S is line S + 2), "bundle line L
// (checkpoint): what" for the checkpoint's, the checker's own "bundle line L: ..." as it is.
Error NameLine(const Error& error) {
  const ledger::Problem problem = ledger::ProblemOf(error);
  if (problem.seq < 0) return error;
  if (problem.what.rfind("checkpoint at tree size ", 0) == 0) {
    // ChainVerifier::CheckCheckpoint names the last entry's seq: the line after it.
    return CheckpointLineError(static_cast<std::uint64_t>(problem.seq) + 3, problem.what);
  }
  return Error{Code::kDataLoss,
               "bundle line " + std::to_string(problem.seq + 2) + " (seq " +
                   std::to_string(problem.seq) + "): " + problem.what,
               error.fields};
}

// Writes each entry the checker accepted, after the append's ledger rules, inside the
// caller's write transaction (the BundleChecker's entry sink).
class ImportSink {
 public:
  ImportSink(StoreImpl& impl, std::string origin, const std::function<void(std::uint64_t)>& progress)
      : impl_(impl),
        writer_(impl.Statements(), impl.View()),
        origin_(std::move(origin)),
        progress_(progress) {}

  Result<void> Add(std::int64_t seq, std::string_view line, const ledger::RecomputedEntry& entry) {
    const ledger::EntryColumns& columns = entry.columns;
    if (seq == 0) {
      Result<nlohmann::json> genesis = ledger::ParseStrict(line, ledger::kStoredEntryBytesMax);
      JEJAK_CHECK(genesis.has_value());  // The checker parsed it.
      const std::string origin = genesis->value("origin", "");
      if (origin != origin_) {
        return ledger::ProblemError({seq, "the bundle's origin " + origin +
                                              " is not this data directory's " + origin_});
      }
    } else {
      // The rules the append checks against the entries before it (all written already).
      Result<nlohmann::json> stored = ledger::ParseStrict(line, ledger::kStoredEntryBytesMax);
      JEJAK_CHECK(stored.has_value());  // The checker parsed it.
      if (Result<void> checked = ledger::CheckAgainstLedger(*stored, impl_.View()); !checked) {
        return ledger::ProblemError({seq, checked.error().ToString()});
      }
    }
    Result<std::optional<ledger::EntryColumns>> reversed = writer_.ReversedOriginal(columns);
    if (!reversed) return ledger::ProblemError({seq, reversed.error().message});
    const ledger::SealedEntry sealed{seq, std::string(line), entry.leaf_hash, entry.chain_hash};
    writer_.Write(columns, sealed, *reversed, entry.completed_nodes);
    chain_hash_ = entry.chain_hash;
    ++written_;
    if (progress_ && written_ % kStreamPageEntries == 0) progress_(written_);
    return Ok();
  }

  std::uint64_t written() const { return written_; }
  const ledger::Digest& chain_hash() const { return chain_hash_; }

 private:
  StoreImpl& impl_;
  LedgerRowWriter writer_;
  std::string origin_;
  const std::function<void(std::uint64_t)>& progress_;
  std::uint64_t written_ = 0;
  ledger::Digest chain_hash_{};
};

// Stores the bundle's checkpoint (the ledger's note, then its cosignature lines) for a
// ledger of `tree_size` entries, inside the caller's transaction.
void StoreCheckpoint(StoreImpl& impl, std::uint64_t tree_size, const SplitCheckpoint& split) {
  long long size = static_cast<long long>(tree_size);
  {
    NativeStatement& insert = impl.Statements().insert_checkpoint;
    NativeStatement::RunScope run(insert);
    insert.Bind(1, size);
    insert.Bind(2, std::string_view(split.note));
    insert.Execute();
  }
  for (const auto& [cosigner, line] : split.cosignatures) {
    impl.sql << "INSERT INTO cosignatures (tree_size, cosigner, line) VALUES (:s, :c, :l)",
        soci::use(size), soci::use(cosigner), soci::use(line);
  }
}

}  // namespace

Result<ImportReceipt> Store::Import(const ImportOptions& options,
                                    const ledger::LineSource& next_line) {
  const ledger::NoteVerifier& verifier = options.verifier;
  try {
    WriteTransaction transaction(impl_->sql);
    DeferredWrites pipeline(impl_->sql);  // One round trip per query on PostgreSQL, not per row.
    impl_->DropCaches();  // Nothing remembered of another ledger applies.
    struct Forget {
      StoreImpl& impl;
      ~Forget() { impl.DropCaches(); }  // Whatever happens, the caches are of no use after.
    } forget{*impl_};
    const std::uint64_t size = impl_->Size();
    long long checkpoints = 0;
    impl_->sql << "SELECT COUNT(*) FROM checkpoints", soci::into(checkpoints);
    if (size != 0 || checkpoints != 0) {
      return Error{Code::kConflict,
                   "the database is not empty: it holds " + std::to_string(size) + " entries and " +
                       std::to_string(checkpoints) + " checkpoints (import needs an empty one)",
                   {}};
    }
    ledger::BundleChecker checker(verifier);
    ImportSink sink(*impl_, options.origin, options.progress);
    checker.SetEntrySink([&sink](std::int64_t seq, std::string_view line,
                                 const ledger::RecomputedEntry& entry) {
      return sink.Add(seq, line, entry);
    });
    Result<ledger::BundleSummary> summary = ledger::CheckBundle(checker, next_line, options.helpers);
    if (!summary) return NameLine(summary.error());
    JEJAK_CHECK(summary->entries == sink.written());  // Every verified entry was written.
    const std::uint64_t checkpoint_line = summary->entries + 2;
    Result<SplitCheckpoint> split =
        SplitCosignatures(checker.checkpoint_note(), verifier, options.witnesses, checkpoint_line);
    if (!split) return split.error();
    // What was written, read back from the database: the tree it holds has the root the
    // checkpoint signed (the checker compared the checkpoint with what it recomputed).
    Result<ledger::Digest> root = ledger::TreeHash(summary->entries, impl_->Reader());
    if (!root) return root.error();
    if (*root != summary->root || impl_->Size() != summary->entries) {
      return CheckpointLineError(checkpoint_line, "the stored tree does not have the checkpoint's root");
    }
    StoreCheckpoint(*impl_, summary->entries, *split);
    // A data directory's kept checkpoint names the ledger it served: the import must extend it.
    if (Result<void> kept = CheckKeptCheckpoint(verifier); !kept) {
      return Error{kept.error().code, "the bundle does not extend this data directory's ledger: " +
                                          kept.error().message, {}};
    }
    transaction.Commit();
    if (!IsSqlite(impl_->sql)) {
      // Statistics for the planner after a bulk load (autovacuum would take its time).
      // Best effort: a role that may not ANALYZE leaves it to autovacuum.
      try {
        impl_->sql << "ANALYZE";
      } catch (const std::exception& e) {
        LogError("db.import.analyze", LoggableWhat(e));
      }
    }
    if (!impl_->kept_checkpoint.empty()) {
      if (Result<void> keep = KeepCheckpoint(impl_->kept_checkpoint, summary->entries, split->note);
          !keep) {
        return Error{Code::kUnavailable,
                     "the ledger was imported, but its checkpoint could not be kept: " +
                         keep.error().message,
                     {}};
      }
    }
    return ImportReceipt{summary->entries, summary->root, split->note, split->cosignatures.size()};
  } catch (const std::exception& e) {
    return StorageError("db.import", e);
  }
}

}  // namespace jejak::db
