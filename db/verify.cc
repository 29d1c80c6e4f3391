// Verification over the database: recomputes every hash, derived column, Merkle node and
// realisation aggregate from the stored bytes with ledger::ChainVerifier, and checks the
// stored checkpoints. Entries are streamed in pages, two in memory at a time: a helper
// thread prepares one (PrepareEntry) while this one reads the next and adds the one
// before in seq order. The expected aggregates (db/verify_realisation.h) grow with the
// distinct aggregate rows, not with the entries. Over a whole ledger each expenditure's
// audit_expenditures row is read with it (a join on the table's key) and compared on the
// helper thread with what its bytes give (CompareAuditFacts), so a bad facts row is
// reported at its seq, in seq order with every other per-entry problem: after that
// entry's hashes and columns, before any later entry and before the checks made at the
// end (checkpoints not reached, aggregates, Merkle node count). A row of no expenditure
// is found last, by counting the table against the expenditures verified.
#include "db/store.h"

#include <soci/soci.h>

#include <array>
#include <cstring>
#include <exception>
#include <limits>
#include <string_view>
#include <utility>

#include "base/batch_pool.h"
#include "db/audit_facts.h"
#include "db/bank_statements.h"
#include "db/sql_util.h"
#include "db/store_impl.h"
#include "db/verify_realisation.h"
#include "ledger/money.h"
#include "ledger/verifier.h"

namespace jejak::db {
namespace {

// The join of each page's entries to their audit facts. PostgreSQL may plan the plain
// join as a hash join over the whole facts table (about 0.5 s a page at 100,000 facts
// without statistics); a LATERAL subquery with LIMIT 1 is never flattened, so it stays
// one primary-key lookup per expenditure there, as SQLite does anyway.
std::string FactsJoin(soci::session& sql) {
  if (IsSqlite(sql)) {
    return " FROM entries e LEFT JOIN audit_expenditures f ON e.kind = 'expenditure'"
           " AND f.fiscal_year = e.fiscal_year AND f.seq = e.seq";
  }
  return " FROM entries e LEFT JOIN LATERAL (SELECT * FROM audit_expenditures f1"
         " WHERE e.kind = 'expenditure' AND f1.fiscal_year = e.fiscal_year AND f1.seq = e.seq"
         " LIMIT 1) f ON true";
}

// True iff `hex` is the lowercase hex of `digest` (Hex(digest) == hex, without building it).
bool HexIs(const std::string& hex, const ledger::Digest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  if (hex.size() != digest.size() * 2) return false;
  for (std::size_t i = 0; i < digest.size(); ++i) {
    if (hex[2 * i] != kDigits[digest[i] >> 4] || hex[2 * i + 1] != kDigits[digest[i] & 0xF]) {
      return false;
    }
  }
  return true;
}

// Streams stored rows of one kind (Merkle nodes, checkpoints) in key order, a page at a
// time, so verification compares them with what it recomputes in constant memory.
class CheckpointStream {
 public:
  // Streams the checkpoints of tree sizes above `after_size`.
  CheckpointStream(soci::session& sql, long long after_size) : sql_(sql), after_(after_size) {}

  // The next stored checkpoint (tree size and note), or nullopt after the last.
  std::optional<std::pair<std::uint64_t, std::string>> Next() {
    if (position_ == sizes_.size()) {
      if (done_) return std::nullopt;
      sizes_.assign(kStreamPageRows, 0);
      notes_.assign(kStreamPageRows, std::string());
      sql_ << "SELECT tree_size, note FROM checkpoints WHERE tree_size > :a ORDER BY tree_size LIMIT "
           << kStreamPageRows,
          soci::into(sizes_), soci::into(notes_), soci::use(after_);
      position_ = 0;
      if (sizes_.size() < static_cast<std::size_t>(kStreamPageRows)) done_ = true;
      if (sizes_.empty()) return std::nullopt;
      after_ = sizes_.back();
    }
    const std::size_t i = position_++;
    return std::make_pair(static_cast<std::uint64_t>(sizes_[i]), std::move(notes_[i]));
  }

 private:
  soci::session& sql_;
  std::vector<long long> sizes_;
  std::vector<std::string> notes_;
  std::size_t position_ = 0;
  long long after_;
  bool done_ = false;
};

// The columns stored for one entry, read back for comparison with the recomputed ones.
ledger::EntryColumns StoredColumns(long long seq, const std::vector<std::string>& text,
                                   const std::vector<IntColumn>& numbers) {
  ledger::EntryColumns columns;
  columns.seq = seq;
  columns.kind = text[0];
  columns.recorded_at = text[1];
  columns.recorded_by = text[2];
  columns.opd = text[3];
  columns.sub_activity = text[4];
  columns.account = text[5];
  columns.instrument = text[6];
  columns.mechanism = text[7];
  columns.value_date = text[8];
  columns.bank_ref = text[9];
  columns.payee_account = text[10];
  columns.payee_npwp = text[11];
  columns.tax_type = text[12];
  columns.evidence_no = text[13];
  columns.evidence_date = text[14];
  columns.tax_detail = text[15];
  columns.covers = text[16];
  columns.monthly_plan = text[17];
  columns.fiscal_year = numbers[0].Get();
  columns.amount_sen = numbers[1].Get();
  columns.net_sen = numbers[2].Get();
  columns.tax_sen = numbers[3].Get();
  columns.reverses = numbers[4].Get();
  columns.refunds = numbers[5].Get();
  return columns;
}

// Names the first column where `stored` and `derived` differ.
std::string FirstDifference(const ledger::EntryColumns& stored, const ledger::EntryColumns& derived) {
  auto text = [](const std::optional<std::int64_t>& n) { return n ? std::to_string(*n) : std::string("null"); };
  const std::pair<const char*, std::pair<std::string, std::string>> pairs[] = {
      {"kind", {stored.kind, derived.kind}},
      {"recorded_at", {stored.recorded_at, derived.recorded_at}},
      {"recorded_by", {stored.recorded_by, derived.recorded_by}},
      {"fiscal_year", {text(stored.fiscal_year), text(derived.fiscal_year)}},
      {"opd", {stored.opd, derived.opd}},
      {"sub_activity", {stored.sub_activity, derived.sub_activity}},
      {"account", {stored.account, derived.account}},
      {"instrument", {stored.instrument, derived.instrument}},
      {"mechanism", {stored.mechanism, derived.mechanism}},
      {"value_date", {stored.value_date, derived.value_date}},
      {"bank_ref", {stored.bank_ref, derived.bank_ref}},
      {"payee_account", {stored.payee_account, derived.payee_account}},
      {"payee_npwp", {stored.payee_npwp, derived.payee_npwp}},
      {"tax_type", {stored.tax_type, derived.tax_type}},
      {"amount_sen", {text(stored.amount_sen), text(derived.amount_sen)}},
      {"net_sen", {text(stored.net_sen), text(derived.net_sen)}},
      {"tax_sen", {text(stored.tax_sen), text(derived.tax_sen)}},
      {"reverses", {text(stored.reverses), text(derived.reverses)}},
      {"refunds", {text(stored.refunds), text(derived.refunds)}},
      {"evidence_no", {stored.evidence_no, derived.evidence_no}},
      {"evidence_date", {stored.evidence_date, derived.evidence_date}},
      {"tax_detail", {stored.tax_detail, derived.tax_detail}},
      {"covers", {stored.covers, derived.covers}},
      {"monthly_plan", {stored.monthly_plan, derived.monthly_plan}},
  };
  for (const auto& [name, values] : pairs) {
    if (values.first != values.second) {
      // The column only, never the values: they may be an NPWP or an account number, and
      // this text reaches logs and, through /v1/integrity, auditors' screens.
      return std::string("column ") + name + " does not match the entry's bytes";
    }
  }
  return "columns differ";
}

// One page of stored entries with every derived column, as verification reads them.
struct EntryPageRows {
  static constexpr int kTextColumns = 18;
  static constexpr int kIntColumns = 6;

  std::vector<long long> seqs;
  std::vector<std::string> canonicals, leaf_hashes, chain_hashes;
  std::vector<std::vector<std::string>> text;
  std::vector<std::vector<soci::indicator>> text_null;
  std::vector<std::vector<long long>> ints;
  std::vector<std::vector<soci::indicator>> int_null;
  // With facts: the expenditure's audit_expenditures row (AuditFactsSelectList), all NULL
  // for other kinds and for an expenditure without one.
  std::vector<std::vector<std::string>> facts;
  std::vector<std::vector<soci::indicator>> facts_null;

  // Reads the entries after seq `after` up to `last_wanted`, at most kStreamPageEntries,
  // with their audit facts rows if `with_facts` (the same on every call). The statement is
  // prepared on the first read and executed again for the next pages; the vectors keep
  // their strings' buffers from page to page.
  void Read(soci::session& sql, long long after, long long last_wanted, bool with_facts) {
    after_ = after;
    last_wanted_ = last_wanted;
    const auto rows = static_cast<std::size_t>(kStreamPageEntries);
    seqs.resize(rows);
    canonicals.resize(rows);
    leaf_hashes.resize(rows);
    chain_hashes.resize(rows);
    text.resize(kTextColumns);
    text_null.resize(kTextColumns);
    ints.resize(kIntColumns);
    int_null.resize(kIntColumns);
    for (auto& column : text) column.resize(rows);
    for (auto& column : text_null) column.resize(rows);
    for (auto& column : ints) column.resize(rows);
    for (auto& column : int_null) column.resize(rows);
    if (with_facts) {
      facts.resize(kAuditFactsColumns);
      facts_null.resize(kAuditFactsColumns);
      for (auto& column : facts) column.resize(rows);
      for (auto& column : facts_null) column.resize(rows);
    }
    if (!page_) Prepare(sql, with_facts);
    page_->execute(true);
  }
  // True iff the stored derived columns of row `i` are `derived` (Columns(i) == derived,
  // without building them).
  bool Matches(std::size_t i, const ledger::EntryColumns& derived) const {
    const std::string* derived_text[kTextColumns] = {
        &derived.kind,          &derived.recorded_at,   &derived.recorded_by,
        &derived.opd,           &derived.sub_activity,  &derived.account,
        &derived.instrument,    &derived.mechanism,     &derived.value_date,
        &derived.bank_ref,      &derived.payee_account, &derived.payee_npwp,
        &derived.tax_type,      &derived.evidence_no,   &derived.evidence_date,
        &derived.tax_detail,    &derived.covers,        &derived.monthly_plan};
    if (seqs[i] != derived.seq) return false;
    for (std::size_t c = 0; c < static_cast<std::size_t>(kTextColumns); ++c) {
      const bool present = text_null[c][i] == soci::i_ok;
      if ((present ? std::string_view(text[c][i]) : std::string_view()) != *derived_text[c]) {
        return false;
      }
    }
    const std::optional<std::int64_t>* derived_ints[kIntColumns] = {
        &derived.fiscal_year, &derived.amount_sen, &derived.net_sen,
        &derived.tax_sen,     &derived.reverses,   &derived.refunds};
    for (std::size_t c = 0; c < static_cast<std::size_t>(kIntColumns); ++c) {
      const std::optional<std::int64_t> stored =
          int_null[c][i] == soci::i_ok ? std::optional<std::int64_t>(ints[c][i]) : std::nullopt;
      if (stored != *derived_ints[c]) return false;
    }
    return true;
  }

  // The stored audit facts row of row `i` (read with facts), viewing the page's strings.
  StoredAuditFacts Facts(std::size_t i) const {
    StoredAuditFacts stored;
    for (std::size_t c = 0; c < kAuditFactsColumns; ++c) {
      stored.null[c] = facts_null[c][i] != soci::i_ok;
      if (!stored.null[c]) stored.text[c] = facts[c][i];
    }
    return stored;
  }

  // The stored derived columns of row `i`.
  ledger::EntryColumns Columns(std::size_t i) const {
    std::vector<std::string> row_text(kTextColumns);
    for (std::size_t c = 0; c < static_cast<std::size_t>(kTextColumns); ++c) {
      row_text[c] = text_null[c][i] == soci::i_ok ? text[c][i] : std::string();
    }
    std::vector<IntColumn> row_ints(kIntColumns);
    for (std::size_t c = 0; c < static_cast<std::size_t>(kIntColumns); ++c) {
      row_ints[c].value = ints[c][i];
      row_ints[c].indicator = int_null[c][i];
    }
    return StoredColumns(seqs[i], row_text, row_ints);
  }

 private:
  void Prepare(soci::session& sql, bool with_facts) {
    page_.emplace(sql);
    soci::statement& page = *page_;
    page.exchange(soci::into(seqs));
    page.exchange(soci::into(canonicals));
    page.exchange(soci::into(leaf_hashes));
    page.exchange(soci::into(chain_hashes));
    for (std::size_t c = 0; c < static_cast<std::size_t>(kTextColumns); ++c) {
      page.exchange(soci::into(text[c], text_null[c]));
    }
    for (std::size_t c = 0; c < static_cast<std::size_t>(kIntColumns); ++c) {
      page.exchange(soci::into(ints[c], int_null[c]));
    }
    if (with_facts) {
      for (std::size_t c = 0; c < kAuditFactsColumns; ++c) {
        page.exchange(soci::into(facts[c], facts_null[c]));
      }
    }
    page.exchange(soci::use(after_));
    page.exchange(soci::use(last_wanted_));
    page.alloc();
    // An expenditure's facts row by its key (fiscal_year, seq): one B-tree search each.
    page.prepare(std::string("SELECT e.seq, e.canonical, e.leaf_hash, e.chain_hash, e.kind,"
                             " e.recorded_at, e.recorded_by, e.opd, e.sub_activity, e.account,"
                             " e.instrument, e.mechanism, e.value_date, e.bank_ref,"
                             " e.payee_account, e.payee_npwp, e.tax_type, e.evidence_no,"
                             " e.evidence_date, e.tax_detail, e.covers, e.monthly_plan,"
                             " e.fiscal_year, e.amount_sen, e.net_sen, e.tax_sen, e.reverses,"
                             " e.refunds") +
                 (with_facts ? AuditFactsSelectList("f") + FactsJoin(sql)
                             : std::string(" FROM entries e")) +
                 " WHERE e.seq > :a AND e.seq <= :b ORDER BY e.seq LIMIT " +
                 std::to_string(kStreamPageEntries));
    page.define_and_bind();
  }

  // Bound by address: the vectors above (their elements are not moved, the vectors
  // themselves stay in place) and these two.
  long long after_ = 0;
  long long last_wanted_ = 0;
  std::optional<soci::statement> page_;
};

// The Merkle nodes completed by one page's leaves, in the order they complete, streamed
// in fetches of kStreamPageRows.
class PageNodeStream {
 public:
  PageNodeStream(soci::session& sql, long long first_seq, long long last_seq)
      : first_seq_(first_seq),
        last_seq_(last_seq),
        levels_(kStreamPageRows),
        indices_(kStreamPageRows),
        completed_(kStreamPageRows),
        hashes_(kStreamPageRows),
        nodes_((sql.prepare << "SELECT level, node_index, completed_seq, hash FROM merkle_nodes"
                               " WHERE completed_seq >= :a AND completed_seq <= :b"
                               " ORDER BY completed_seq, level",
                soci::into(levels_), soci::into(indices_), soci::into(completed_),
                soci::into(hashes_), soci::use(first_seq_), soci::use(last_seq_))) {
    nodes_.execute(false);
    left_ = nodes_.fetch();
    if (!left_) levels_.clear();
  }

  // Checks that the next stored node is `node`, completed by `seq`. A Problem otherwise.
  std::optional<ledger::Problem> Check(const ledger::MerkleFrontier::CompletedNode& node,
                                       long long seq) {
    if (position_ == levels_.size() && left_) {
      levels_.resize(kStreamPageRows);
      indices_.resize(kStreamPageRows);
      completed_.resize(kStreamPageRows);
      hashes_.resize(kStreamPageRows);
      left_ = nodes_.fetch();
      if (!left_) levels_.clear();
      position_ = 0;
    }
    auto where = [&node] {
      return "Merkle node (" + std::to_string(node.id.level) + ", " +
             std::to_string(node.id.index) + ")";
    };
    if (position_ == levels_.size()) {
      return ledger::Problem{seq, where() + " is missing"};
    }
    const std::size_t n = position_++;
    if (levels_[n] != static_cast<int>(node.id.level) ||
        indices_[n] != static_cast<long long>(node.id.index) || completed_[n] != seq) {
      return ledger::Problem{seq, where() + " is missing or out of place"};
    }
    if (!HexIs(hashes_[n], node.hash)) {
      return ledger::Problem{seq, where() + " differs from the recomputed " + Hex(node.hash)};
    }
    return std::nullopt;
  }

 private:
  // Bound values first: the statement is prepared with their addresses.
  long long first_seq_;
  long long last_seq_;
  std::vector<int> levels_;
  std::vector<long long> indices_, completed_;
  std::vector<std::string> hashes_;
  soci::statement nodes_;
  std::size_t position_ = 0;
  bool left_ = false;
};

// One verification pass over entries from_seq..to_seq (or to the end), inside the
// caller's read snapshot. `sql`, `trusted_note` and `cancel` must outlive it.
class VerifyPass {
 public:
  VerifyPass(soci::session& sql, const ledger::NoteVerifier& verifier,
             const std::optional<std::string>& trusted_note,
             std::optional<ledger::Checkpoint> trusted, std::int64_t from_seq,
             std::optional<std::int64_t> to_seq, const std::atomic<bool>* cancel)
      : sql_(sql),
        chain_(verifier),
        trusted_note_(trusted_note),
        trusted_(std::move(trusted)),
        from_seq_(from_seq),
        to_seq_(to_seq),
        whole_(from_seq == 0 && !to_seq),
        cancel_(cancel),
        lookup_(sql),
        checkpoints_(sql, from_seq) {}

  // Continues from `from_seq` (> 0): trusts the stored chain hash of the entry before it
  // and the stored Merkle frontier at it.
  void Resume(std::string origin, const ledger::Digest& chain_hash, ledger::MerkleFrontier frontier) {
    chain_.Resume(std::move(origin), chain_hash, std::move(frontier));
  }

  // Runs the pass. An Error means it could not run (database error, cancelled); else the
  // report, naming the first problem found.
  Result<VerifyReport> Run() {
    next_checkpoint_ = checkpoints_.Next();
    const long long last_wanted = to_seq_ ? *to_seq_ : std::numeric_limits<long long>::max();
    // Two pages in flight: while the pool prepares one (parse, validate, derive, leaf
    // hash, compare columns), this thread reads the next and then chains the first in seq
    // order. The pool is declared last, so it stops before the pages go.
    std::array<EntryPage, 2> pages;
    BatchPool pool(BatchPool::HelpersForThisMachine(kVerifyHelpersMax));
    std::size_t current = 0;
    if (!ReadAndStart(pages[current], from_seq_ - 1, last_wanted, pool)) {
      return Finish();
    }
    for (;;) {
      if (cancel_ != nullptr && cancel_->load()) {
        return Error{Code::kUnavailable, "verification cancelled", {}};
      }
      EntryPage& page = pages[current];
      EntryPage& next = pages[1 - current];
      const bool more = ReadAndStart(next, page.rows.seqs.back(), last_wanted, pool);
      pool.Finish(page.batch);
      if (std::optional<ledger::Problem> problem = CheckPage(page)) return Fail(std::move(*problem));
      if (!more) break;
      current = 1 - current;
    }
    return Finish();
  }

 private:
  // At most this many helper threads prepare entries; beyond them the sequential pass
  // (reading, chaining, comparing Merkle nodes) is the bottleneck.
  static constexpr unsigned kVerifyHelpersMax = 3;

  // One page of stored rows and what the pool recomputed for each of them.
  struct EntryPage {
    EntryPageRows rows;
    std::vector<ledger::PreparedEntry> prepared;
    std::vector<char> columns_match;  // rows.Matches(i, prepared[i].columns), if prepared.
    // What is wrong with an expenditure's audit facts row (CompareAuditFacts), if its
    // columns match and the facts are checked; "" if nothing.
    std::vector<std::string> facts_problem;
    // What preparing entry i threw, if anything: thrown on this thread when the entry is
    // reached, as if it had been prepared here.
    std::vector<std::exception_ptr> thrown;
    Batch batch;
  };

  // Reads the page after seq `after` into `page` and starts preparing it. False if there
  // are no more entries.
  bool ReadAndStart(EntryPage& page, long long after, long long last_wanted, BatchPool& pool) {
    page.rows.Read(sql_, after, last_wanted, whole_);
    if (page.rows.seqs.empty()) return false;
    const std::size_t size = page.rows.seqs.size();
    page.prepared.assign(size, ledger::PreparedEntry());
    page.columns_match.assign(size, 0);
    page.facts_problem.resize(size);
    for (std::string& problem : page.facts_problem) problem.clear();
    page.batch.size = size;
    page.thrown.assign(size, nullptr);
    page.batch.work = [&page, facts = whole_](std::size_t i) {
      try {
        ledger::PreparedEntry& prepared = page.prepared[i];
        prepared = ledger::PrepareEntry(page.rows.canonicals[i]);
        if (prepared.problem.empty()) {
          page.columns_match[i] = page.rows.Matches(i, prepared.columns) ? 1 : 0;
          if (facts && page.columns_match[i] != 0 && prepared.columns.kind == "expenditure") {
            std::optional<std::string> problem = CompareAuditFacts(
                prepared.columns, page.rows.canonicals[i], page.rows.Facts(i));
            if (problem) page.facts_problem[i] = std::move(*problem);
          }
        }
      } catch (...) {
        page.thrown[i] = std::current_exception();  // Thrown on when entry i is added.
      }
    };
    pool.Start(page.batch);
    return true;
  }

  // After the last page: the checkpoints and the end of the ledger.
  Result<VerifyReport> Finish() {
    if (auto problem = CheckCheckpoints()) return Fail(std::move(*problem));
    if (std::optional<ledger::Problem> problem = CheckEnd()) return Fail(std::move(*problem));
    report_.root = chain_.root();
    return report_;
  }

  VerifyReport Fail(ledger::Problem problem) {
    report_.ok = false;
    report_.problem = std::move(problem);
    return report_;
  }

  // Checks every stored checkpoint whose tree size the recomputation has reached.
  std::optional<ledger::Problem> CheckCheckpoints() {
    while (next_checkpoint_ && next_checkpoint_->first <= chain_.size()) {
      if (next_checkpoint_->first < chain_.size() || chain_.size() == 0) {
        return ledger::Problem{static_cast<std::int64_t>(next_checkpoint_->first) - 1,
                               "stored checkpoint for tree size " +
                                   std::to_string(next_checkpoint_->first) + " was not reached"};
      }
      if (auto problem = chain_.CheckCheckpoint(next_checkpoint_->second)) return problem;
      ++report_.checkpoints;
      latest_checkpoint_size_ = next_checkpoint_->first;
      next_checkpoint_ = checkpoints_.Next();
    }
    if (trusted_ && trusted_->tree_size == chain_.size() && chain_.size() > 0) {
      if (auto problem = chain_.CheckCheckpoint(*trusted_note_, /*in_ledger=*/false)) {
        problem->what = "the ledger does not match the trusted checkpoint (tree size " +
                        std::to_string(trusted_->tree_size) +
                        "): it was rewritten at or before this seq; " + problem->what;
        return problem;
      }
    }
    return std::nullopt;
  }

  // Adds one prepared page of entries in seq order and compares hashes, columns and
  // Merkle nodes.
  std::optional<ledger::Problem> CheckPage(EntryPage& page) {
    const EntryPageRows& rows = page.rows;
    PageNodeStream nodes(sql_, rows.seqs.front(), rows.seqs.back());
    for (std::size_t i = 0; i < rows.seqs.size(); ++i) {
      const long long seq = rows.seqs[i];
      const auto expected = static_cast<long long>(chain_.size());
      if (seq != expected) {
        return ledger::Problem{expected, "entry is missing (the next stored seq is " +
                                             std::to_string(seq) + ")"};
      }
      if (auto problem = CheckCheckpoints()) return problem;
      if (page.thrown[i]) std::rethrow_exception(page.thrown[i]);
      Result<ledger::RecomputedEntry> recomputed = chain_.Add(std::move(page.prepared[i]));
      if (!recomputed) return ledger::ProblemOf(recomputed.error());
      if (!HexIs(rows.leaf_hashes[i], recomputed->leaf_hash)) {
        return ledger::Problem{seq, "stored leaf hash " + rows.leaf_hashes[i] +
                                        " differs from the recomputed " + Hex(recomputed->leaf_hash)};
      }
      if (!HexIs(rows.chain_hashes[i], recomputed->chain_hash)) {
        return ledger::Problem{seq, "stored chain hash " + rows.chain_hashes[i] +
                                        " differs from the recomputed " + Hex(recomputed->chain_hash)};
      }
      if (page.columns_match[i] == 0) {
        return ledger::Problem{seq, FirstDifference(rows.Columns(i), recomputed->columns)};
      }
      if (!page.facts_problem[i].empty()) return ledger::Problem{seq, page.facts_problem[i]};
      const std::string& kind = recomputed->columns.kind;
      if (whole_ && kind == "expenditure") ++expenditures_;
      if (whole_ && (kind == "expenditure" || kind == "reversal")) {
        if (auto problem = AddRealisation(seq, recomputed->columns)) return problem;
      }
      for (const ledger::MerkleFrontier::CompletedNode& node : recomputed->completed_nodes) {
        if (auto problem = nodes.Check(node, seq)) return problem;
      }
      ++report_.entries;
    }
    return std::nullopt;
  }

  // Adds what an expenditure or reversal (its columns, which match the stored ones)
  // implies to the expected realisation aggregates, compared with the stored tables at
  // the end of a whole-ledger verification.
  std::optional<ledger::Problem> AddRealisation(long long seq, const ledger::EntryColumns& columns) {
    if (columns.kind == "expenditure") {
      delta_.Set(columns, 1);
    } else {
      // The original was verified earlier in this pass.
      Result<std::optional<ledger::EntryColumns>> original = lookup_.Columns(*columns.reverses);
      if (!original || !original->has_value() || (*original)->kind != "expenditure") {
        return ledger::Problem{seq, "reverses seq " + std::to_string(*columns.reverses) +
                                        ", which is not an expenditure"};
      }
      delta_.Set(**original, -1);
    }
    expected_.Add(delta_);
    return std::nullopt;
  }

  // After the last entry: the range ended where asked, or for the whole ledger, every
  // stored checkpoint was reached, the latest covers every entry, the trusted one too,
  // the aggregates agree, audit_expenditures holds no row of no expenditure,
  // bank_statements holds exactly the rows the bank statements give, and the number of
  // Merkle nodes agrees.
  std::optional<ledger::Problem> CheckEnd() {
    const auto size = static_cast<std::int64_t>(chain_.size());
    if (to_seq_) {
      if (size != *to_seq_ + 1) return ledger::Problem{size, "entry is missing"};
      return std::nullopt;
    }
    if (size == 0) return ledger::Problem{0, "the ledger is empty (no genesis entry)"};
    if (next_checkpoint_) {
      return ledger::Problem{size, "entry is missing: a stored checkpoint covers tree size " +
                                       std::to_string(next_checkpoint_->first) +
                                       " but the ledger has " + std::to_string(size) +
                                       " entries (entries removed)"};
    }
    if (latest_checkpoint_size_ != chain_.size()) {
      return ledger::Problem{static_cast<std::int64_t>(latest_checkpoint_size_),
                             "entries after the latest checkpoint (tree size " +
                                 std::to_string(latest_checkpoint_size_) +
                                 ") were never acknowledged"};
    }
    if (trusted_ && trusted_->tree_size > chain_.size()) {
      return ledger::Problem{size, "entry is missing: the trusted checkpoint covers " +
                                       std::to_string(trusted_->tree_size) +
                                       " entries but the ledger has only " + std::to_string(size) +
                                       " (entries removed)"};
    }
    if (whole_) {
      if (std::optional<std::string> problem = expected_.Compare(sql_)) {
        return ledger::Problem{size - 1, *problem};
      }
      if (auto problem = CheckNoStrayAuditFacts(sql_, expenditures_)) return problem;
      if (auto problem = CheckBankStatementRows(sql_)) return problem;
    }
    long long stored_nodes = 0;
    sql_ << "SELECT COUNT(*) FROM merkle_nodes", soci::into(stored_nodes);
    long long expected_nodes = 0;
    for (std::uint64_t width = 1; width <= chain_.size(); width *= 2) {
      expected_nodes += static_cast<long long>(chain_.size() / width);
    }
    if (stored_nodes != expected_nodes) {
      return ledger::Problem{size - 1, "the database holds " + std::to_string(stored_nodes) +
                                           " Merkle nodes; the ledger needs " +
                                           std::to_string(expected_nodes)};
    }
    return std::nullopt;
  }

  soci::session& sql_;
  ledger::ChainVerifier chain_;
  const std::optional<std::string>& trusted_note_;
  std::optional<ledger::Checkpoint> trusted_;
  std::int64_t from_seq_;
  std::optional<std::int64_t> to_seq_;
  bool whole_;
  const std::atomic<bool>* cancel_;
  VerifyReport report_;
  SqlLedgerView lookup_;
  RealisationDelta delta_;  // Reused: its strings keep their buffers.
  ExpectedRealisation expected_;
  long long expenditures_ = 0;  // Verified with their audit facts row (whole ledger only).
  CheckpointStream checkpoints_;
  std::optional<std::pair<std::uint64_t, std::string>> next_checkpoint_;
  std::uint64_t latest_checkpoint_size_ = 0;
};

}  // namespace

Result<VerifyReport> Store::Verify(const ledger::NoteVerifier& verifier,
                                   const std::optional<std::string>& trusted_checkpoint,
                                   const std::atomic<bool>* cancel) {
  // First what the hashes alone cannot show: a database rewound to an earlier, perfectly
  // consistent state, or replaced by another one signed with the same key.
  if (Result<void> kept = CheckKeptCheckpoint(verifier); !kept) {
    if (kept.error().code != Code::kDataLoss) return kept.error();
    Result<std::uint64_t> size = TreeSize();
    if (!size) return size.error();
    VerifyReport report;
    report.ok = false;
    report.problem = ledger::Problem{static_cast<std::int64_t>(*size), kept.error().message};
    return report;
  }
  return VerifyImpl(verifier, trusted_checkpoint, 0, std::nullopt, cancel);
}

Result<VerifyReport> Store::VerifyRange(const ledger::NoteVerifier& verifier,
                                        std::int64_t from_seq, std::int64_t to_seq) {
  Result<std::uint64_t> size = TreeSize();
  if (!size) return size.error();
  if (from_seq < 0 || to_seq < from_seq || static_cast<std::uint64_t>(to_seq) >= *size) {
    return InvalidArgument("need 0 <= from_seq <= to_seq < tree size (" + std::to_string(*size) +
                           ")");
  }
  return VerifyImpl(verifier, std::nullopt, from_seq, to_seq, nullptr);
}

Result<VerifyReport> Store::VerifyImpl(const ledger::NoteVerifier& verifier,
                                       const std::optional<std::string>& trusted_checkpoint,
                                       std::int64_t from_seq, std::optional<std::int64_t> to_seq,
                                       const std::atomic<bool>* cancel) {
  std::optional<ledger::Checkpoint> trusted;
  if (trusted_checkpoint) {
    Result<ledger::Checkpoint> opened = ledger::OpenCheckpoint(*trusted_checkpoint, verifier);
    if (!opened) {
      return InvalidArgument("the trusted checkpoint does not verify with the key: " +
                             opened.error().ToString());
    }
    trusted = std::move(opened).value();
  }
  soci::session& sql = impl_->sql;
  try {
    // One snapshot for the whole pass: appends committed meanwhile are not half-seen.
    ReadSnapshot snapshot(sql);
    VerifyPass pass(sql, verifier, trusted_checkpoint, std::move(trusted), from_seq, to_seq,
                    cancel);
    if (from_seq > 0) {
      Result<std::string> origin = impl_->LoadOrigin();
      if (!origin) return origin.error();
      Result<StoredEntry> previous = Entry(from_seq - 1);
      if (!previous) return previous.error();
      Result<ledger::MerkleFrontier> frontier =
          ledger::MerkleFrontier::Load(static_cast<std::uint64_t>(from_seq), impl_->Reader());
      if (!frontier) return frontier.error();
      pass.Resume(*origin, previous->chain_hash, std::move(frontier).value());
    }
    return pass.Run();
  } catch (const std::exception& e) {
    return StorageError("db.verify", e);
  }
}

}  // namespace jejak::db
