// Proofs for auditors: inclusion of an entry in a tree (RFC 9162 §2.1.3), consistency
// between two tree sizes (§2.1.4), and a verification run over a range of seqs or the whole
// ledger, which also feeds GET /v1/integrity and the fail-closed switch.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "crypto/encoding.h"
#include "server/handlers/common.h"
#include "server/handlers/handlers.h"
#include "server/limits.h"

namespace jejak::server {
namespace {

using nlohmann::json;

// A read store and the tree size it holds now: the bound of every proof parameter.
struct ProofLedger {
  StorePool::Lease store;
  std::int64_t tree_size;
};

Result<ProofLedger> OpenProofLedger(ServiceContext& context) {
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return store.error();
  Result<std::uint64_t> size = (*store)->TreeSize();
  if (!size) return size.error();
  return ProofLedger{std::move(store).value(), static_cast<std::int64_t>(*size)};
}

}  // namespace

void GetInclusionProof(ServiceContext& context, const Call& call) {
  Result<ProofLedger> opened = OpenProofLedger(context);
  if (!opened) return call.Fail(opened.error());
  StorePool::Lease& store = opened->store;
  const std::int64_t max = opened->tree_size;
  if (Result<void> allowed = call.query.Allow({"seq", "tree_size"}); !allowed) return call.Fail(allowed.error());
  Result<std::optional<std::int64_t>> seq = call.query.Integer("seq", 0, std::max<std::int64_t>(max - 1, 0));
  if (!seq) return call.Fail(seq.error());
  if (!seq->has_value()) return call.Fail(InvalidArgument("missing parameter", {{"seq", "required"}}));
  Result<std::optional<std::int64_t>> tree_size = call.query.Integer("tree_size", 1, max);
  if (!tree_size) return call.Fail(tree_size.error());
  const std::int64_t size_value = tree_size->value_or(max);
  if (**seq >= size_value) {
    return call.Fail(InvalidArgument("seq outside the tree", {{"seq", "must be below tree_size"}}));
  }
  Result<db::StoredEntry> entry = store->Entry(**seq);
  if (!entry) return call.Fail(entry.error());
  Result<std::vector<ledger::Digest>> proof = store->InclusionProof(
      static_cast<std::uint64_t>(**seq), static_cast<std::uint64_t>(size_value));
  if (!proof) return call.Fail(proof.error());
  return call.Respond(JsonOk({{"seq", **seq},
                            {"tree_size", size_value},
                            {"leaf_hash", crypto::ToHex(entry->leaf_hash)},
                            {"hashes", HexList(*proof)}}));
}

void GetConsistencyProof(ServiceContext& context, const Call& call) {
  Result<ProofLedger> opened = OpenProofLedger(context);
  if (!opened) return call.Fail(opened.error());
  StorePool::Lease& store = opened->store;
  const std::int64_t max = opened->tree_size;
  if (Result<void> allowed = call.query.Allow({"first", "second"}); !allowed) return call.Fail(allowed.error());
  Result<std::optional<std::int64_t>> first = call.query.Integer("first", 1, max);
  if (!first) return call.Fail(first.error());
  Result<std::optional<std::int64_t>> second = call.query.Integer("second", 1, max);
  if (!second) return call.Fail(second.error());
  if (!first->has_value()) return call.Fail(InvalidArgument("missing parameter", {{"first", "required"}}));
  const std::int64_t second_value = second->value_or(max);
  if (**first > second_value) {
    return call.Fail(InvalidArgument("first after second", {{"first", "must be at most second"}}));
  }
  Result<std::vector<ledger::Digest>> proof = store->ConsistencyProof(
      static_cast<std::uint64_t>(**first), static_cast<std::uint64_t>(second_value));
  if (!proof) return call.Fail(proof.error());
  return call.Respond(JsonOk({{"first", **first},
                            {"second", second_value},
                            {"tree_size", second_value},
                            {"hashes", HexList(*proof)}}));
}

void GetVerify(ServiceContext& context, const Call& call) {
  Result<ProofLedger> opened = OpenProofLedger(context);
  if (!opened) return call.Fail(opened.error());
  StorePool::Lease& store = opened->store;
  const std::int64_t max = opened->tree_size;
  if (Result<void> allowed = call.query.Allow({"from_seq", "to_seq"}); !allowed) return call.Fail(allowed.error());
  Result<std::optional<std::int64_t>> from = call.query.Integer("from_seq", 0, std::max<std::int64_t>(max - 1, 0));
  if (!from) return call.Fail(from.error());
  Result<std::optional<std::int64_t>> to = call.query.Integer("to_seq", 0, std::max<std::int64_t>(max - 1, 0));
  if (!to) return call.Fail(to.error());
  const std::int64_t from_seq = from->value_or(0);
  const std::int64_t to_seq = to->value_or(max - 1);
  if (from_seq > to_seq) {
    return call.Fail(InvalidArgument("empty range", {{"from_seq", "must be at most to_seq"}}));
  }
  std::unique_lock<std::timed_mutex> running(context.verify_mutex, std::defer_lock);
  if (!running.try_lock_for(kVerifyWaitMax)) {
    return call.Fail(Unavailable("a verification is already running; retry later"));
  }
  const bool whole = from_seq == 0 && to_seq == max - 1;
  Result<db::VerifyReport> report = whole ? store->Verify(context.verifier, std::nullopt)
                                          : store->VerifyRange(context.verifier, from_seq, to_seq);
  if (!report) return call.Fail(report.error());
  if (whole) {
    context.RecordVerification(*report);
  } else if (!report->ok) {
    context.SuspendAppends(*report->problem);
  }
  json body = {{"ok", report->ok},
               {"from_seq", from_seq},
               {"to_seq", to_seq},
               {"whole_ledger", whole},
               {"entries_checked", report->entries},
               {"checkpoints_checked", report->checkpoints}};
  if (report->ok) {
    body["root_hash"] = crypto::ToHex(report->root);
  } else {
    body["problem"] = {{"seq", report->problem->seq}, {"what", report->problem->what}};
  }
  return call.Respond(JsonOk(body));
}

}  // namespace jejak::server
