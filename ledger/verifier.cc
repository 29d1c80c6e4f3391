#include "ledger/verifier.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <optional>
#include <utility>

#include "crypto/encoding.h"
#include "ledger/canonical.h"
#include "ledger/limits.h"

namespace jejak::ledger {

Error ProblemError(const Problem& problem) {
  return Error{Code::kDataLoss, "seq " + std::to_string(problem.seq) + ": " + problem.what, {}};
}

Problem ProblemOf(const Error& error) {
  const std::string& message = error.message;
  if (message.rfind("seq ", 0) == 0) {
    const std::size_t colon = message.find(": ");
    std::int64_t seq = -1;
    const char* begin = message.data() + 4;
    const char* end = message.data() + (colon == std::string::npos ? message.size() : colon);
    if (std::from_chars(begin, end, seq).ec == std::errc() && colon != std::string::npos) {
      return Problem{seq, message.substr(colon + 2)};
    }
  }
  return Problem{-1, message};
}

ChainVerifier::ChainVerifier(NoteVerifier verifier) : verifier_(std::move(verifier)) {}

void ChainVerifier::Resume(std::string origin, const Digest& chain_hash, MerkleFrontier frontier) {
  JEJAK_CHECK(frontier_.size() == 0);  // Resume only a fresh verifier.
  origin_ = std::move(origin);
  chain_hash_ = chain_hash;
  frontier_ = std::move(frontier);
}

PreparedEntry PrepareEntry(std::string_view canonical_bytes) {
  PreparedEntry prepared;
  prepared.bytes = canonical_bytes.size();
  // Stored entries are canonical: one pass reads them. Anything else takes the strict
  // parser, whose errors name what is wrong.
  std::optional<nlohmann::json> parsed = ParseCanonicalObject(canonical_bytes);
  if (!parsed) {
    Result<nlohmann::json> strict = ParseStrict(canonical_bytes, kStoredEntryBytesMax);
    if (!strict) {
      prepared.problem = "stored bytes are not valid entry JSON: " + strict.error().ToString();
      return prepared;
    }
    if (!strict->is_object()) {
      prepared.problem = "stored entry is not a JSON object";
      return prepared;
    }
    if (Canonicalize(*strict) != canonical_bytes) {
      prepared.problem = "stored bytes are not in canonical form";
      return prepared;
    }
    parsed = std::move(strict).value();
  }
  // The store never writes an entry larger than its kind's limit (the append refuses it),
  // so say it before validating: only an entry that says it is a bank statement may pass
  // kEntryBytesMax, and then it must validate as one.
  const auto kind = parsed->find("kind");
  const std::size_t limit = EntryBytesMaxOfKind(
      kind != parsed->end() && kind->is_string()
          ? std::string_view(kind->get_ref<const std::string&>())
          : std::string_view());
  if (prepared.bytes > limit) {
    prepared.problem = "stored entry of " + std::to_string(prepared.bytes) +
                       " bytes is larger than " + std::to_string(limit) + " bytes";
    return prepared;
  }
  Result<EntryColumns> columns = DeriveColumns(*parsed);
  if (!columns) {
    prepared.problem = "stored entry is invalid: " + columns.error().ToString();
    return prepared;
  }
  prepared.columns = std::move(columns).value();
  if (prepared.columns.kind == "genesis") {
    prepared.checkpoint_key = (*parsed)["checkpoint_key"].get<std::string>();
    prepared.origin = (*parsed)["origin"].get<std::string>();
  }
  // RFC 9162 §2.1.1, as Seal() computes it for the store's append.
  prepared.leaf_hash = LeafHash(canonical_bytes);
  return prepared;
}

Result<RecomputedEntry> ChainVerifier::Add(std::string_view canonical_bytes) {
  return Add(PrepareEntry(canonical_bytes));
}

Result<RecomputedEntry> ChainVerifier::Add(PreparedEntry prepared) {
  const auto seq = static_cast<std::int64_t>(frontier_.size());
  auto problem = [seq](std::string what) { return ProblemError(Problem{seq, std::move(what)}); };

  if (!prepared.problem.empty()) return problem(std::move(prepared.problem));
  EntryColumns* columns = &prepared.columns;
  if (columns->seq != seq) {
    return problem("entry says seq " + std::to_string(columns->seq) + " (entry out of place)");
  }
  const bool is_genesis = columns->kind == "genesis";
  if (is_genesis != (seq == 0)) {
    return problem(seq == 0 ? "the first entry is not a genesis entry"
                            : "a genesis entry after seq 0");
  }
  if (is_genesis) {
    const std::string& vkey = prepared.checkpoint_key;
    if (vkey != FormatVerifierKey(verifier_)) {
      return problem("genesis names checkpoint key " + vkey + ", not the trusted key");
    }
    origin_ = prepared.origin;
  }

  // Time never runs backwards: entries are stamped in seq order by one clock, and a
  // checkpoint is signed after the entries it covers.
  if (columns->recorded_at < last_recorded_at_) {
    return problem("recorded_at " + columns->recorded_at + " is earlier than seq " +
                   std::to_string(seq - 1) + "'s " + last_recorded_at_ +
                   " (the clock ran backwards)");
  }
  if (!last_checkpoint_time_.empty() && columns->recorded_at < last_checkpoint_time_) {
    return problem("recorded_at " + columns->recorded_at +
                   " is earlier than the checkpoint before it, signed at " +
                   last_checkpoint_time_ + " (the clock ran backwards)");
  }
  if (Result<void> added = totals_.Add(*columns); !added) {
    return problem("breaks the year totals rule: " + added.error().message);
  }
  last_recorded_at_ = columns->recorded_at;

  // The hashes as Seal() computes them for the store's append: the leaf hash (prepared)
  // chained to the chain hash before it.
  RecomputedEntry recomputed;
  recomputed.leaf_hash = prepared.leaf_hash;
  recomputed.chain_hash = ChainHash(chain_hash_, recomputed.leaf_hash);
  recomputed.completed_nodes = frontier_.Append(recomputed.leaf_hash);
  recomputed.columns = std::move(prepared.columns);
  chain_hash_ = recomputed.chain_hash;
  return recomputed;
}

namespace {

// Checkpoint times Jejak signs have the recorded_at form ("2026-01-31T08:00:00.123Z"),
// which orders as text; other RFC 3339 forms are not compared.
bool ComparableTime(const std::string& time) {
  return time.size() == 24 && time[10] == 'T' && time[19] == '.' && time[23] == 'Z';
}

}  // namespace

std::optional<Problem> ChainVerifier::CheckCheckpoint(std::string_view note, bool in_ledger) {
  const auto size = static_cast<std::int64_t>(frontier_.size());
  auto problem = [size](std::string what) {
    return Problem{size - 1, "checkpoint at tree size " + std::to_string(size) + ": " + what};
  };
  Result<Checkpoint> checkpoint = OpenCheckpoint(note, verifier_);
  if (!checkpoint) return problem("does not verify with the trusted key: " + checkpoint.error().ToString());
  if (checkpoint->origin != origin_) {
    return problem("origin " + checkpoint->origin + " is not the ledger's " + origin_);
  }
  if (checkpoint->tree_size != frontier_.size()) {
    return problem("says tree size " + std::to_string(checkpoint->tree_size));
  }
  if (checkpoint->root_hash != frontier_.Root()) {
    return problem("root hash differs from the recomputed root " +
                   crypto::ToHex(frontier_.Root()));
  }
  if (checkpoint->chain_hash != chain_hash_) {
    return problem("chain hash differs from the recomputed " + crypto::ToHex(chain_hash_));
  }
  if (in_ledger && ComparableTime(checkpoint->time)) {
    if (checkpoint->time < last_recorded_at_) {
      return problem("time " + checkpoint->time + " is earlier than its last entry's recorded_at " +
                     last_recorded_at_ + " (the clock ran backwards)");
    }
    if (checkpoint->time < last_checkpoint_time_) {
      return problem("time " + checkpoint->time + " is earlier than the previous checkpoint's " +
                     last_checkpoint_time_ + " (the clock ran backwards)");
    }
    last_checkpoint_time_ = checkpoint->time;
  }
  return std::nullopt;
}

}  // namespace jejak::ledger
