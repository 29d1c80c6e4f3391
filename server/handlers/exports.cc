// Exports for auditors: the verifiable bundle (every entry up to a checkpoint, streamed
// as NDJSON) and the workpapers (a fiscal year's figures as XLSX or CSV, built by
// server/workpapers.h).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "ledger/bundle.h"
#include "ledger/checkpoint.h"
#include "ledger/limits.h"
#include "ledger/note.h"
#include "server/clock.h"
#include "server/handlers/common.h"
#include "server/handlers/handlers.h"
#include "server/workpapers.h"

namespace jejak::server {

void GetBundle(ServiceContext& context, const Call& call) {
  if (Result<void> allowed = call.query.Allow({"to_seq"}); !allowed) return call.Fail(allowed.error());
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(store.error());
  Result<std::optional<std::string>> latest = (*store)->LatestCheckpoint();
  if (!latest) return call.Fail(latest.error());
  if (!latest->has_value()) return call.Fail(NoCheckpointYet());
  Result<ledger::Checkpoint> latest_checkpoint = ledger::OpenCheckpoint(**latest, context.verifier);
  if (!latest_checkpoint) return call.Fail(Error{Code::kDataLoss, "latest checkpoint does not verify", {}});
  // Up to the latest checkpoint: entries committed later are not acknowledged by it yet.
  const auto max = static_cast<std::int64_t>(latest_checkpoint->tree_size) - 1;
  Result<std::optional<std::int64_t>> to = call.query.Integer("to_seq", 0, max);
  if (!to) return call.Fail(to.error());
  const std::int64_t to_seq = to->value_or(max);
  const auto size = static_cast<std::uint64_t>(to_seq) + 1;
  // The checkpoint line: the stored one if a commit ended exactly there (with its
  // cosignatures), else a fresh one over the same stored tree.
  Result<std::optional<std::string>> stored = (*store)->CheckpointAt(size);
  if (!stored) return call.Fail(stored.error());
  std::string note;
  if (stored->has_value()) {
    Result<std::string> cosigned = context.WithCosignatures(store->get(), **stored);
    if (!cosigned) return call.Fail(cosigned.error());
    note = std::move(cosigned).value();
  } else {
    Result<db::StoredEntry> last = (*store)->Entry(to_seq);
    if (!last) return call.Fail(last.error());
    Result<ledger::Digest> root = (*store)->TreeHash(size);
    if (!root) return call.Fail(root.error());
    note = ledger::SignCheckpoint(
        ledger::Checkpoint{context.config.origin, size, *root, last->chain_hash, NowRfc3339()}, context.signer);
  }
  struct BundleStream {
    StorePool::Lease lease;
    std::string header;
    std::string checkpoint_line;
    std::int64_t next = 0;
    std::int64_t to_seq = 0;
    bool header_sent = false;
  };
  auto state = std::make_shared<BundleStream>(BundleStream{
      std::move(store).value(),
      ledger::BundleHeaderLine(context.config.origin, ledger::FormatVerifierKey(context.verifier)),
      ledger::BundleCheckpointLine(note), 0, to_seq, false});
  HttpResponse response;
  response.content_type = "application/x-ndjson";
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"jejak-bundle-" + std::to_string(size) + ".ndjson\"");
  response.headers.emplace_back("X-Jejak-Tree-Size", std::to_string(size));
  response.stream = [state](std::string& chunk) -> Result<bool> {
    if (!state->header_sent) {
      chunk += state->header + "\n";
      state->header_sent = true;
    }
    if (state->next <= state->to_seq) {
      db::EntryFilter filter;
      filter.after_seq = state->next - 1;
      filter.limit = ledger::kPageEntriesMax;
      Result<db::EntryPage> page = state->lease->ListEntries(filter);
      if (!page) return page.error();
      for (const db::StoredEntry& entry : page->entries) {
        if (entry.seq > state->to_seq) break;
        if (entry.seq != state->next) {
          return Error{Code::kDataLoss, "entry " + std::to_string(state->next) + " is missing", {}};
        }
        chunk += entry.canonical;
        chunk += '\n';
        ++state->next;
      }
      if (page->entries.empty()) return Error{Code::kDataLoss, "the ledger ends early", {}};
      if (state->next <= state->to_seq) return true;
    }
    chunk += state->checkpoint_line + "\n";
    return false;
  };
  return call.Respond(std::move(response));
}

void GetWorkpapers(ServiceContext& context, const Call& call) {
  if (Result<void> allowed = call.query.Allow({"fiscal_year", "format", "sheet", "as_of"}); !allowed) {
    return call.Fail(allowed.error());
  }
  Result<std::int64_t> year = RequiredFiscalYear(call.query);
  if (!year) return call.Fail(year.error());
  const std::string format = call.query.Text("format").value_or("xlsx");
  if (format != "xlsx" && format != "csv") {
    return call.Fail(InvalidArgument("bad format", {{"format", "must be xlsx or csv"}}));
  }
  std::optional<std::string> sheet = call.query.Text("sheet");
  if (format == "csv" && !sheet) {
    return call.Fail(InvalidArgument("csv needs a sheet", {{"sheet", "required with format=csv"}}));
  }
  if (format == "xlsx" && sheet) {
    return call.Fail(InvalidArgument("xlsx holds every sheet", {{"sheet", "only with format=csv"}}));
  }
  const std::optional<std::string> as_of_date = call.query.Text("as_of");
  if (as_of_date && !IsRealDate(*as_of_date)) {
    return call.Fail(InvalidArgument("bad as_of", {{"as_of", "must be a date YYYY-MM-DD"}}));
  }
  // Exports are heavy (every expenditure of a year): one at a time.
  std::unique_lock<std::mutex> running(context.export_mutex, std::try_to_lock);
  if (!running.owns_lock()) {
    return call.Fail(Unavailable("an export is already running; retry shortly"));
  }
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(store.error());
  WorkpaperRequest work;
  work.fiscal_year = *year;
  work.as_of = as_of_date.value_or(NowRfc3339());
  work.region = context.config.region;
  work.rules = &context.audit_rules;
  work.verifier = context.verifier;
  Result<WorkpaperData> data = GatherWorkpapers(store->get(), work);
  if (!data) return call.Fail(data.error());
  Result<std::string> bytes = format == "xlsx" ? RenderXlsx(*data) : RenderCsv(*data, *sheet);
  if (!bytes) return call.Fail(bytes.error());
  HttpResponse response;
  const std::string base = "kertas-kerja-" + std::to_string(*year) + "-" +
                           std::to_string(data->checkpoint.tree_size);
  if (format == "xlsx") {
    response.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + base + ".xlsx\"");
  } else {
    response.content_type = "text/csv; charset=utf-8; header=present";
    response.headers.emplace_back("Content-Disposition",
                                  "attachment; filename=\"" + base + "-" + *sheet + ".csv\"");
  }
  // Every export names the checkpoint it was computed at.
  response.headers.emplace_back("X-Jejak-Checkpoint-Size", std::to_string(data->checkpoint.tree_size));
  response.headers.emplace_back("X-Jejak-Root-Hash", data->checkpoint.root_hash_hex);
  response.body = std::move(bytes).value();
  return call.Respond(std::move(response));
}

}  // namespace jejak::server
