// Store: the ledger in a SOCI database, SQLite (embedded) or PostgreSQL. Appends validate, assign seqs, hash, and write entries, Merkle nodes and a
// signed checkpoint in one transaction (a group commit), and acknowledge only after the
// commit. Verification streams the whole ledger in constant memory.
//
// A Store owns one database session and is not thread-safe: use one per thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ledger/absorption.h"
#include "ledger/audit.h"
#include "base/result.h"
#include "ledger/bundle.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/verifier.h"

namespace jejak::db {

struct StoreImpl;  // A Store's state (db/store_impl.h, internal to db/).

// True if `database` (StoreOptions::database) names a PostgreSQL database.
bool IsPostgresUrl(const std::string& database);

struct StoreOptions {
  // "sqlite:PATH" (or a bare path), or a PostgreSQL URI
  // "postgresql://USER[:PASSWORD]@HOST:PORT/DB[?PARAMS]" (libpq's; a password is better
  // kept in ~/.pgpass or PGPASSFILE than in the URL).
  std::string database;
  // Signs the checkpoint of each commit. Required for appends, not for reading.
  std::optional<ledger::NoteSigner> signer;
  // DIR/state/latest-checkpoint (db/kept_checkpoint.h), or empty for none: written after
  // every commit, and compared with the database by CheckKeptCheckpoint() and Verify().
  std::string kept_checkpoint;
  // Opens without migrating (a read replica, `serve --read-only`): the schema must already
  // be this build's, else kUnavailable saying so. Nothing is written by opening.
  bool read_only = false;
};

// One entry to append: a body that passed ledger::ValidateBody (or ValidateGenesis for
// the first entry), and who records it.
struct PendingEntry {
  std::shared_ptr<const nlohmann::json> body;
  std::string recorded_by;
  // Optional: the client's Idempotency-Key, scoped to recorded_by, and a hash of the
  // request it came with. A key seen before with the same hash replays the first entry;
  // with another hash it is a kConflict.
  std::string idempotency_key;
  std::string request_hash;
};

struct AppendReceipt {
  std::int64_t seq = 0;
  std::string canonical;
  ledger::Digest leaf_hash{};
  ledger::Digest chain_hash{};
};

struct BatchReceipt {
  std::vector<AppendReceipt> entries;
  std::string checkpoint;  // The note signed in the same commit, covering every entry.
  std::uint64_t tree_size = 0;
};

// The outcome of one entry of a group commit (AppendGroup).
struct EntryOutcome {
  Result<AppendReceipt> receipt;
  bool replayed = false;        // An Idempotency-Key replay of an earlier entry.
  std::uint64_t tree_size = 0;  // Size of the checkpoint that first covered the entry.
  // Set by AppendGroup for an entry covered by this group's checkpoint (new, or a replay
  // of an entry of this very group): its inclusion proof to that checkpoint's root.
  std::optional<std::vector<ledger::Digest>> inclusion_proof;
};

struct GroupReceipt {
  std::vector<EntryOutcome> outcomes;  // One per pending entry, in order.
  std::string recorded_at;             // The time that stamped the group's entries.
  std::string checkpoint;              // Empty when nothing new was appended.
  std::uint64_t tree_size = 0;
};

// The outcome of Store::AppendStream.
struct StreamReceipt {
  std::int64_t first_seq = 0;
  std::uint64_t appended = 0;  // Entries first_seq .. first_seq + appended - 1.
  std::string checkpoint;      // The note of the last group, covering every entry.
  std::uint64_t tree_size = 0;
};

// Yields the next entries to append, at most `count` of them; none when the input is
// exhausted. An Error stops the append (nothing is written).
// What the ledger holds of one fiscal year (Store::FiscalYears).
struct FiscalYearCounts {
  std::int64_t fiscal_year = 0;
  std::int64_t budget_lines = 0;
  std::int64_t expenditures = 0;
  friend bool operator==(const FiscalYearCounts&, const FiscalYearCounts&) = default;
};

using EntrySource = std::function<Result<std::vector<PendingEntry>>(std::size_t count)>;

struct StoredEntry {
  std::int64_t seq = 0;
  std::string canonical;
  ledger::Digest leaf_hash{};
  ledger::Digest chain_hash{};
};

// Filters of GET /v1/entries. Unset members do not filter. The search filters (bank_ref
// to instrument) match expenditures only: with any of them set, no other kind is listed.
struct EntryFilter {
  std::optional<std::string> opd;  // Includes reversals and refunds of its expenditures.
  std::optional<std::int64_t> fiscal_year;
  std::optional<std::string> kind;
  // An account code or a prefix of one ending at a segment: "5.2" matches "5.2" and every
  // "5.2.…" (not "5.21…"). Digits and dots only (the handler checks).
  std::optional<std::string> account;
  std::optional<std::string> from;  // value_date >= from (YYYY-MM-DD).
  std::optional<std::string> to;    // value_date <= to.
  std::optional<std::string> bank_ref;     // Exact.
  // Exact, on documents.evidence_no, documents.spm, documents.sp2d or documents.spp.
  std::optional<std::string> evidence_no;
  std::optional<std::string> payee_npwp;   // Exact.
  // A prefix of payee.name, compared after ASCII lower-casing both; valid UTF-8, non-empty.
  std::optional<std::string> payee;
  std::optional<std::int64_t> amount_min_sen;  // gross >= it.
  std::optional<std::int64_t> amount_max_sen;  // gross <= it.
  std::optional<std::string> instrument;
  // Newest first: entries with seq < before_seq, in descending seq order. Otherwise entries
  // with seq > after_seq in ascending order.
  bool descending = false;
  std::int64_t after_seq = -1;
  std::int64_t before_seq = std::numeric_limits<std::int64_t>::max();
  std::size_t limit = 100;  // At most ledger::kPageEntriesMax (checked).
};

struct EntryPage {
  std::vector<StoredEntry> entries;
  // Set when more entries match: the last entry's seq (the next page's after_seq, or with
  // `descending` its before_seq).
  std::optional<std::int64_t> next_after_seq;
};

// Which entries an absorption report covers (Store::AbsorptionInputs).
struct AbsorptionScope {
  // The first tree_size entries (a signed checkpoint's size), or every entry if unset.
  std::optional<std::uint64_t> tree_size;
  // Computes realisation from the entries even over the whole ledger (tests compare the
  // two ways).
  bool from_entries = false;
};

// One version of a saved import mapping (POST /v1/imports/mappings): a JSON mapping
// (ledger/import_mapping.h) named per OPD. Versions are never changed; the newest wins.
struct ImportMappingRecord {
  std::string opd;
  std::string name;
  std::string mapping;   // The mapping's JSON text.
  std::string saved_at;  // RFC 3339 UTC.
  std::string saved_by;  // The token's sub.
  std::int64_t version = 0;
};

// What Store::Import trusts and reports to.
struct ImportOptions {
  ledger::NoteVerifier verifier;  // The data directory's checkpoint key; the bundle's is ignored.
  std::string origin;             // The data directory's origin: the genesis entry's must equal it.
  std::vector<ledger::CosignerKey> witnesses;  // The only cosigners whose lines are stored.
  unsigned helpers = 0;  // Threads preparing entries ahead, besides the caller's.
  // Called with the count after every 1,000 entries written, if set.
  std::function<void(std::uint64_t)> progress;
};

// What Store::Import rebuilt.
struct ImportReceipt {
  std::uint64_t entries = 0;      // Entries 0 .. entries - 1.
  ledger::Digest root{};          // The tree's root, equal to the checkpoint's.
  std::string checkpoint;         // The stored note (the ledger key's signature only).
  std::size_t cosignatures = 0;   // Cosignature lines stored beside it.
};

// What a backup wrote (Store::BackupSqlite, db/backup.h DumpPostgres).
struct BackupReceipt {
  std::uint64_t tree_size = 0;  // Entries in the copy (its newest checkpoint's size).
  std::uint64_t bytes = 0;      // Size of the file written.
};

struct VerifyReport {
  bool ok = true;
  std::uint64_t entries = 0;      // Entries checked.
  std::uint64_t checkpoints = 0;  // Stored checkpoints checked.
  ledger::Digest root{};
  std::optional<ledger::Problem> problem;  // The first one found.
};

class Store {
 public:
  // Opens (creating if needed) the database and applies migrations. kUnavailable if it
  // cannot be opened; kInvalidArgument for an unsupported database URL.
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Appends `entries` in one transaction, all or nothing, signing one checkpoint that
  // covers them. `recorded_at` (RFC 3339, milliseconds, UTC) stamps every entry. Entry i
  // gets seq tree_size + i. Errors: kInvalidArgument / kConflict / kNotFound from the
  // ledger checks, with the message prefixed by "entry I: " when the batch has more than
  // one; kUnavailable if the database fails (nothing is written). With `dry_run` the
  // transaction is rolled back after every check and hash: nothing is written.
  Result<BatchReceipt> Append(const std::vector<PendingEntry>& entries,
                              const std::string& recorded_at, bool dry_run = false);
  // The same, stamping every entry with `clock()` read once the transaction holds the
  // ledger's write lock (as AppendGroup's overload does): bulk imports through the
  // service's writer.
  Result<BatchReceipt> Append(const std::vector<PendingEntry>& entries,
                              const std::function<std::string()>& clock, bool dry_run);

  // Appends every entry `next` yields in ONE transaction, all or nothing, in groups of at
  // most `batch_max` entries, each group stamped with `clock()` and signed with its own
  // checkpoint, as if each were an Append; commits once at the end, so a failure anywhere
  // (or a crash) leaves nothing written. Holds one group (and the next, read ahead) in
  // memory at a time. Errors as Append's, with a failed entry named "entry I: " by its
  // place in the whole input when it holds more than one; `next`'s own errors as it
  // returned them; kInvalidArgument if it yields nothing at all.
  Result<StreamReceipt> AppendStream(const EntrySource& next, std::size_t batch_max,
                                     const std::function<std::string()>& clock);

  // Appends what it can of `entries` in one transaction: each entry is checked on its own,
  // a failed one is skipped (its outcome holds the error) and the rest commit together
  // under one signed checkpoint, each new entry's outcome carrying its inclusion proof to
  // it (computed in memory). An Error means the whole group failed (storage).
  Result<GroupReceipt> AppendGroup(const std::vector<PendingEntry>& entries,
                                   const std::string& recorded_at);
  // The same, stamping the group with `clock()` read once the transaction holds the
  // ledger's write lock (the chain head's, on PostgreSQL), so that another process's
  // commit while this one waited for the lock cannot leave this group's time behind the
  // newest entry. GroupReceipt::recorded_at says which time it was.
  Result<GroupReceipt> AppendGroup(const std::vector<PendingEntry>& entries,
                                   const std::function<std::string()>& clock);

  // Saves `record` as the next version of its (opd, name), under the ledger's write lock
  // (db/import_mappings.cc); `record.version` is ignored and the saved one returned.
  // Append-only: earlier versions stay. kUnavailable if the database fails.
  Result<ImportMappingRecord> SaveImportMapping(ImportMappingRecord record);
  // The newest version of each mapping name of `opd`, sorted by name.
  Result<std::vector<ImportMappingRecord>> ImportMappings(const std::string& opd);

  // Number of entries (the next seq).
  Result<std::uint64_t> TreeSize();
  // The recorded_at of the newest entry ("" for an empty ledger).
  Result<std::string> LastRecordedAt();
  // Ok if this process can write the database (not opened read-only, the write lock can
  // be taken); kUnavailable saying why not otherwise.
  Result<void> CheckWritable();
  // Compares the database with the checkpoint kept outside it (StoreOptions::
  // kept_checkpoint). kDataLoss naming both tree sizes and roots if the database holds
  // fewer entries than the kept checkpoint covers (it was rewound) or its tree at that
  // size has another root (it was replaced or rewritten); kDataLoss too if the kept note
  // does not verify with `verifier`. Ok if no checkpoint is kept yet.
  Result<void> CheckKeptCheckpoint(const ledger::NoteVerifier& verifier);
  // The newest stored checkpoint note, if any.
  Result<std::optional<std::string>> LatestCheckpoint();
  // One entry; kNotFound if seq is not in the ledger.
  Result<StoredEntry> Entry(std::int64_t seq);
  // The derived columns of entry `seq`; kNotFound if absent.
  Result<ledger::EntryColumns> Columns(std::int64_t seq);
  // The OPD an entry belongs to: its own, or for a reversal or a refund its original's. Empty for
  // genesis. kNotFound if absent.
  Result<std::string> OpdOf(std::int64_t seq);
  // A page of entries matching `filter`, in seq order.
  Result<EntryPage> ListEntries(const EntryFilter& filter);
  // What absorption needs for `fiscal_year` as of `as_of` (YYYY-MM-DD) over the first
  // `scope.tree_size` entries (default: all): the budget lines in force, realisation rows,
  // realisation per budget line (for the TEPRA band), the refunds and corrections, and
  // OPD names, all from entries below that size. Over the whole ledger, realisation comes
  // from the aggregates kept in the append transaction; over fewer entries (or with
  // `scope.from_entries`) from one grouped query over the entries: the two agree. `opd`
  // narrows everything. Reads in one snapshot; `tree_size` (if given) receives the size
  // covered. kInvalidArgument naming tree_size if it is past the ledger's size.
  Result<ledger::AbsorptionInput> AbsorptionInputs(std::int64_t fiscal_year,
                                                   const std::string& as_of,
                                                   const std::optional<std::string>& opd,
                                                   const AbsorptionScope& scope = {},
                                                   std::uint64_t* tree_size = nullptr);
  // The facts the audit rules need for `fiscal_year` as of `as_of` (YYYY-MM-DD): the
  // expenditures with value dates up to it (with their reversals, if any), the tax
  // deposits made by then, and the budget lines in force then. With `whole_year`, every
  // expenditure and tax deposit of the year whatever its date (the workpapers list them
  // all); the budget lines are still those in force at as_of. Also the genesis entry's
  // region and the OPD names. With `tree_size`, only the ledger's first tree_size entries
  // count (expenditures, their reversals, tax deposits, budgets, OPD names), so the same
  // tree_size gives the same input however the ledger grows; without it, every entry the
  // read sees. Reads in one snapshot. kDataLoss for an unreadable stored entry.
  // The expenditures come from the audit facts kept in the append transaction (table
  // audit_expenditures: narrow typed rows, no JSON), or with `from_entries` from the
  // entries and their canonical JSON (tests compare the two ways).
  // Also `bank`: every bank statement of the year (whatever as_of) and the payments
  // ReconcileInputs gives, both within tree_size; empty when the year has no statement.
  Result<ledger::AuditInput> AuditInputs(std::int64_t fiscal_year, const std::string& as_of,
                                         std::optional<std::uint64_t> tree_size = std::nullopt,
                                         bool whole_year = false, bool from_entries = false);
  // The bank statements recorded so far of account `account_no` (as written), newest
  // first: what a new statement of the account is checked against and inherits from.
  Result<std::vector<ledger::StatementPeriod>> StatementsOfAccount(const std::string& account_no);
  // The input of the bank reconciliation of `fiscal_year` (ledger/reconcile.h): its bank
  // statements (parsed from their entries) and every expenditure and tax deposit of the
  // year and refund dated in it, in seq order, all of the first `tree_size` entries
  // (every entry without it). One snapshot. kInvalidArgument naming tree_size if it is too
  // large; kDataLoss for an unreadable stored entry.
  Result<ledger::ReconcileInput> ReconcileInputs(std::int64_t fiscal_year,
                                                 std::optional<std::uint64_t> tree_size);
  // The fiscal years the ledger holds budgets or expenditures of, newest first: per year
  // the budget lines ever recorded (distinct opd, sub_activity, account of its budget
  // entries) and the unreversed expenditures (from the realisation aggregates kept in the
  // append transaction, so no scan of the expenditures). Reads in one snapshot.
  Result<std::vector<FiscalYearCounts>> FiscalYears();
  // The stored checkpoint of exactly `tree_size` entries, if a commit ended there.
  Result<std::optional<std::string>> CheckpointAt(std::uint64_t tree_size);
  // Stores an auditor's cosignature line for the checkpoint of `tree_size` (the caller
  // verified it). kNotFound if no checkpoint of that size is stored; kConflict if the
  // cosigner already cosigned it with a different line (the same line again is fine).
  Result<void> AddCosignature(std::uint64_t tree_size, const std::string& cosigner,
                              const std::string& line);
  // The cosignature lines stored for the checkpoint of `tree_size`, by cosigner name.
  Result<std::vector<std::string>> Cosignatures(std::uint64_t tree_size);
  // Records that witness `witness` (its key name) has cosigned, or says it has cosigned, a
  // checkpoint of `tree_size` (table witness_sizes, append-only), learnt at `recorded_at`
  // (RFC 3339). Recording a size already recorded is Ok. kInvalidArgument for a size above
  // 2^63-1 (the column's range); kUnavailable if the database fails.
  Result<void> RecordWitnessSize(const std::string& witness, std::uint64_t tree_size,
                                 const std::string& recorded_at);
  // The greatest size `witness` is known to have cosigned: recorded with
  // RecordWitnessSize (learnt from a 409) or holding its stored cosignature line (so a
  // cosignature needs no second write); nullopt if neither.
  Result<std::optional<std::uint64_t>> WitnessSize(const std::string& witness);
  // Merkle tree hash of the first tree_size entries from stored nodes (O(log n) reads).
  Result<ledger::Digest> TreeHash(std::uint64_t tree_size);
  Result<std::vector<ledger::Digest>> InclusionProof(std::uint64_t seq, std::uint64_t tree_size);
  Result<std::vector<ledger::Digest>> ConsistencyProof(std::uint64_t first, std::uint64_t second);

  // Recomputes every leaf, chain hash, Merkle node and root from the stored bytes, checks
  // every derived column and every stored checkpoint (signature by `verifier`, root and
  // chain hash), that seqs have no gaps, and that the latest checkpoint covers the whole
  // ledger. With `trusted`, also checks that the ledger extends that checkpoint (one an
  // auditor kept from before), and always that it extends the kept checkpoint
  // (CheckKeptCheckpoint), if any. Streams in pages: constant memory. The report names the
  // first problem; an Error means verification could not run (e.g. database down).
  // `cancel`, if given, is polled between pages: when it turns true, verification stops
  // with kUnavailable ("cancelled").
  Result<VerifyReport> Verify(const ledger::NoteVerifier& verifier,
                              const std::optional<std::string>& trusted_checkpoint,
                              const std::atomic<bool>* cancel = nullptr);
  // Verifies entries from_seq..to_seq only: starts from the stored chain hash of
  // from_seq - 1 and the stored Merkle frontier at from_seq (trusted as stored), and
  // checks the stored checkpoints inside the range. kInvalidArgument unless
  // 0 <= from_seq <= to_seq < tree size.
  Result<VerifyReport> VerifyRange(const ledger::NoteVerifier& verifier, std::int64_t from_seq,
                                   std::int64_t to_seq);

  // Calls `visit` for entries 0..last_seq in order, in pages (constant memory).
  // Stops early and returns the visitor's error if it fails.
  Result<void> ForEachEntry(std::int64_t last_seq,
                            const std::function<Result<void>(const StoredEntry&)>& visit);

  // --- Import and backup (db/import.cc, db/backup.cc) ---

  // Rebuilds the ledger from an offline bundle (DESIGN "Offline bundle", ledger/bundle.h)
  // whose lines `next_line` yields, into this database, which must hold no entry and no
  // checkpoint (kConflict otherwise). ONE write transaction: each line goes through
  // ledger::BundleChecker trusting only `options.verifier` (canonical bytes, seqs from 0 without
  // gap, derived columns, leaf and chain hashes, Merkle nodes, times and year totals), then
  // the append's ledger rules (CheckAgainstLedger against the entries before it), and is
  // written through the append's own row writer (LedgerRowWriter); the bundle's checkpoint
  // must verify and have exactly the rebuilt root and chain hash, each of its cosignature
  // lines must verify with the witness key of its name (as POST
  // /v1/checkpoint/cosignatures requires), the genesis entry must carry `options.origin`,
  // and the rebuilt ledger must extend the kept checkpoint (StoreOptions::
  // kept_checkpoint), if any. Only then is the checkpoint stored (its cosignature lines
  // beside it), the transaction committed and the checkpoint kept. Anything wrong:
  // kDataLoss naming the first bad line ("bundle line L (seq S): ..." or "bundle line L
  // (checkpoint): ..."), and nothing written. Constant memory.
  Result<ImportReceipt> Import(const ImportOptions& options, const ledger::LineSource& next_line);

  // A consistent online copy of this SQLite database at `path`, which must not exist
  // (kConflict), made with SQLite's online backup API in steps (appends by other
  // connections go on between them) into `path`.tmp, fsynced, then checked (it opens,
  // PRAGMA integrity_check, its newest checkpoint verifies with `verifier` and its tree at
  // that size has the checkpoint's root) and renamed to `path` (its directory fsynced).
  // kInvalidArgument on PostgreSQL (pg_dump copies those); kDataLoss if the copy fails
  // its check; kUnavailable if a step fails. The temporary file is removed on failure.
  Result<BackupReceipt> BackupSqlite(const std::string& path, const ledger::NoteVerifier& verifier);

 private:
  Result<GroupReceipt> AppendGroupImpl(const std::vector<PendingEntry>& entries,
                                       const std::function<std::string()>& clock, bool dry_run,
                                       bool all_or_nothing);
  Result<VerifyReport> VerifyImpl(const ledger::NoteVerifier& verifier,
                                  const std::optional<std::string>& trusted_checkpoint,
                                  std::int64_t from_seq, std::optional<std::int64_t> to_seq,
                                  const std::atomic<bool>* cancel);
  explicit Store(std::unique_ptr<StoreImpl> impl);
  std::unique_ptr<StoreImpl> impl_;  // db/store_impl.h.
};

// `note` (a stored checkpoint, opened with `verifier`) with the cosignature lines stored
// for its tree size appended, as GET /v1/checkpoint and the bundle's last line show it.
// kDataLoss if the note does not verify; kUnavailable if the database fails.
Result<std::string> WithCosignatures(Store& store, const ledger::NoteVerifier& verifier,
                                     const std::string& note);

}  // namespace jejak::db
