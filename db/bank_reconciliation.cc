// The stored bank reconciliation of each fiscal year (table bank_reconciliations, migration
// 9): computed with ledger::Reconcile from the store's ReconcileInputs after every bank
// statement append, and recomputed byte for byte by `jejak verify` at each row's own tree
// size, so that an edited result, or an edited statement line or payment, is found.
#include <soci/soci.h>

#include <algorithm>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/sha256.h"
#include "db/sql_util.h"
#include "db/store.h"
#include "db/store_impl.h"
#include "ledger/canonical.h"

namespace jejak::db {
namespace {

using nlohmann::json;

// Reconciles `fiscal_year` over the first `tree_size` entries into `computed`.
Result<void> Compute(Store& store, std::int64_t fiscal_year, std::uint64_t tree_size,
                     const ledger::ReconcileParams& params, ReconciledYear& computed) {
  Result<ledger::ReconcileInput> input = store.ReconcileInputs(fiscal_year, tree_size);
  if (!input) return input.error();
  computed.input = std::move(input).value();
  computed.reconciliation = ledger::Reconcile(computed.input, params);
  return Ok();
}

// The canonical stored form of `reconciliation`.
std::string ResultOf(const ledger::Reconciliation& reconciliation) {
  return ledger::Canonicalize(ledger::ReconciliationJson(reconciliation));
}

std::string Sha256Hex(const std::string& bytes) { return Hex(crypto::Sha256(bytes)); }

// The path of the first member (in canonical order: keys sorted, arrays by index) where
// `stored` and `computed` differ, e.g. "matches[3].entry_seq"; "" for the whole document.
// Iterative: the stored side comes from the database, not from us.
std::string FirstDifference(const json& stored, const json& computed) {
  // A null pair marks a member only one side has: the answer once everything before it
  // agreed.
  struct Pending {
    std::string path;
    const json* stored;
    const json* computed;
  };
  const auto member = [](const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  };
  std::vector<Pending> stack = {{"", &stored, &computed}};
  while (!stack.empty()) {
    Pending next = std::move(stack.back());
    stack.pop_back();
    if (next.stored == nullptr) return next.path;
    const json& a = *next.stored;
    const json& b = *next.computed;
    if (a.type() != b.type()) return next.path;
    std::vector<Pending> children;
    if (a.is_object()) {
      // Keys in sorted order on both sides (nlohmann's object is a sorted map).
      auto ai = a.begin();
      auto bi = b.begin();
      while (ai != a.end() || bi != b.end()) {
        if (ai != a.end() && bi != b.end() && ai.key() == bi.key()) {
          children.push_back({member(next.path, ai.key()), &*ai, &*bi});
          ++ai;
          ++bi;
          continue;
        }
        const bool stored_first = bi == b.end() || (ai != a.end() && ai.key() < bi.key());
        children.push_back({member(next.path, stored_first ? ai.key() : bi.key()), nullptr, nullptr});
        break;
      }
    } else if (a.is_array()) {
      const std::size_t common = std::min(a.size(), b.size());
      for (std::size_t i = 0; i < common; ++i) {
        children.push_back({next.path + "[" + std::to_string(i) + "]", &a[i], &b[i]});
      }
      if (a.size() != b.size()) {
        children.push_back({next.path + "[" + std::to_string(common) + "]", nullptr, nullptr});
      }
    } else if (a != b) {
      return next.path;
    }
    for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back(std::move(*it));
  }
  return "";
}

}  // namespace

Result<StoredReconciliation> Store::RefreshReconciliation(std::int64_t fiscal_year,
                                                          const ledger::ReconcileParams& params,
                                                          ReconciledYear* computed) {
  Result<std::uint64_t> size = TreeSize();
  if (!size) return size.error();
  ReconciledYear local;
  ReconciledYear& year_computed = computed != nullptr ? *computed : local;
  if (Result<void> done = Compute(*this, fiscal_year, *size, params, year_computed); !done) {
    return done.error();
  }
  StoredReconciliation row;
  row.fiscal_year = fiscal_year;
  row.tree_size = *size;
  row.window_days = params.window_days;
  row.result = ResultOf(year_computed.reconciliation);
  row.result_sha256 = Sha256Hex(row.result);
  try {
    soci::session& sql = impl_->sql;
    WriteTransaction transaction(sql);
    long long year = fiscal_year;
    long long tree_size = static_cast<long long>(row.tree_size);
    int window_days = row.window_days;
    // A refresh that computed at a larger tree size meanwhile keeps its row.
    sql << "INSERT INTO bank_reconciliations (fiscal_year, tree_size, window_days, result_sha256, result)"
           " VALUES (:y, :t, :w, :h, :r) ON CONFLICT (fiscal_year) DO UPDATE SET"
           " tree_size = excluded.tree_size, window_days = excluded.window_days,"
           " result_sha256 = excluded.result_sha256, result = excluded.result"
           " WHERE bank_reconciliations.tree_size <= excluded.tree_size",
        soci::use(year), soci::use(tree_size), soci::use(window_days), soci::use(row.result_sha256),
        soci::use(row.result);
    transaction.Commit();
    return row;
  } catch (const std::exception& e) {
    return StorageError("db.refresh_reconciliation", e);
  }
}

Result<std::vector<StoredReconciliation>> Store::StoredReconciliations() {
  try {
    soci::session& sql = impl_->sql;
    std::vector<long long> years;
    soci::rowset<long long> listed = (sql.prepare << "SELECT fiscal_year FROM bank_reconciliations ORDER BY fiscal_year");
    for (long long year : listed) years.push_back(year);
    std::vector<StoredReconciliation> rows;
    for (long long year : years) {
      StoredReconciliation row;
      long long tree_size = 0;
      sql << "SELECT tree_size, window_days, result_sha256, result FROM bank_reconciliations"
             " WHERE fiscal_year = :y",
          soci::into(tree_size), soci::into(row.window_days), soci::into(row.result_sha256),
          soci::into(row.result), soci::use(year);
      if (tree_size < 0) return Error{Code::kDataLoss, "a stored bank reconciliation has a negative tree size", {}};
      row.fiscal_year = year;
      row.tree_size = static_cast<std::uint64_t>(tree_size);
      rows.push_back(std::move(row));
    }
    return rows;
  } catch (const std::exception& e) {
    return StorageError("db.stored_reconciliations", e);
  }
}

Result<std::optional<ledger::Problem>> Store::CheckReconciliations() {
  Result<std::vector<StoredReconciliation>> rows = StoredReconciliations();
  if (!rows) return rows.error();
  Result<std::uint64_t> size = TreeSize();
  if (!size) return size.error();
  for (const StoredReconciliation& row : *rows) {
    const std::string name = "the stored bank reconciliation of fiscal year " +
                             std::to_string(row.fiscal_year) + " (tree size " +
                             std::to_string(row.tree_size) + ")";
    const auto at = [&](std::uint64_t tree_size) {
      return static_cast<std::int64_t>(tree_size == 0 ? 0 : tree_size - 1);
    };
    if (row.tree_size == 0 || row.tree_size > *size) {
      return std::optional<ledger::Problem>(
          ledger::Problem{at(*size), name + " is past the ledger's size " + std::to_string(*size)});
    }
    if (row.window_days < 0) {
      return std::optional<ledger::Problem>(ledger::Problem{at(row.tree_size), name + " has a negative window"});
    }
    ledger::ReconcileParams params;
    params.window_days = row.window_days;
    ReconciledYear year;
    if (Result<void> done = Compute(*this, row.fiscal_year, row.tree_size, params, year); !done) {
      if (done.error().code != Code::kDataLoss) return done.error();
      return std::optional<ledger::Problem>(
          ledger::Problem{at(row.tree_size), name + " cannot be recomputed: " + done.error().message});
    }
    const std::string computed = ResultOf(year.reconciliation);
    if (Sha256Hex(row.result) != row.result_sha256) {
      return std::optional<ledger::Problem>(
          ledger::Problem{at(row.tree_size), name + ": result_sha256 is not the hash of the stored result"});
    }
    if (computed == row.result) continue;
    const json stored = json::parse(row.result, nullptr, /*allow_exceptions=*/false);
    if (stored.is_discarded()) {
      return std::optional<ledger::Problem>(ledger::Problem{at(row.tree_size), name + " is not JSON"});
    }
    const std::string member = FirstDifference(stored, json::parse(computed));
    return std::optional<ledger::Problem>(ledger::Problem{
        at(row.tree_size), name + " differs from the recomputed one at " +
                               (member.empty() ? std::string("its encoding") : member)});
  }
  return std::optional<ledger::Problem>();
}

}  // namespace jejak::db
