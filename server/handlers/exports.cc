// Exports for auditors: the verifiable bundle (every entry up to a checkpoint, streamed
// as NDJSON) and the workpapers (a fiscal year's figures as XLSX or CSV, built by
// server/workpapers.h).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "crypto/encoding.h"
#include "db/bundle_export.h"
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
  // The root the bundle's checkpoint names, also in a header (as for the pinned reports).
  Result<ledger::Digest> root = (*store)->TreeHash(static_cast<std::uint64_t>(to_seq) + 1);
  if (!root) return call.Fail(root.error());
  // The bundle (db/bundle_export.h, the same exporter as `jejak export-bundle`): the
  // stored checkpoint with its cosignatures if a commit ended exactly there, else a fresh
  // one over the same stored tree.
  Result<db::BundleExporter> exporter = db::BundleExporter::Open(
      store->get(), {context.config.origin, context.verifier, &context.signer, to_seq, NowRfc3339(),
                     db::BundleCheckpoint::kStoredIfPresent});
  if (!exporter) return call.Fail(exporter.error());
  const std::uint64_t size = exporter->tree_size();
  // The lease first, so that it is released last: the exporter reads through it.
  struct BundleStream {
    StorePool::Lease lease;
    db::BundleExporter exporter;
  };
  auto state = std::make_shared<BundleStream>(
      BundleStream{std::move(store).value(), std::move(exporter).value()});
  HttpResponse response;
  response.content_type = "application/x-ndjson";
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"jejak-bundle-" + std::to_string(size) + ".ndjson\"");
  response.headers.emplace_back("X-Jejak-Tree-Size", std::to_string(size));
  response.headers.emplace_back("X-Jejak-Root-Hash", crypto::ToHex(*root));
  response.stream = [state](std::string& chunk) -> Result<bool> {
    return state->exporter.Next(chunk);
  };
  return call.Respond(std::move(response));
}

void GetWorkpapers(ServiceContext& context, const Call& call) {
  if (Result<void> allowed = call.query.Allow({"fiscal_year", "format", "sheet", "as_of", "tree_size"});
      !allowed) {
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
  // Exports are heavy (every expenditure of a year): one at a time.
  std::unique_lock<std::mutex> running(context.export_mutex, std::try_to_lock);
  if (!running.owns_lock()) {
    return call.Fail(Unavailable("an export is already running; retry shortly"));
  }
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(store.error());
  // The first tree_size entries (default: the newest checkpoint), as of a date (default:
  // the last covered entry's date when pinned, else today): the same URL with tree_size
  // gives the same workpapers forever.
  Result<ReportScope> scope = ResolveReportScope(call.query, store->get());
  if (!scope) return call.Fail(scope.error());
  WorkpaperRequest work;
  work.fiscal_year = *year;
  work.as_of = scope->as_of;
  work.region = context.config.region;
  work.tree_size = scope->tree_size;
  work.rules = &context.audit_rules;
  work.verifier = context.verifier;
  Result<WorkpaperData> data = GatherWorkpapers(store->get(), work);
  if (!data) return call.Fail(data.error());
  Result<std::string> bytes = format == "xlsx" ? RenderXlsx(*data) : RenderCsv(*data, *sheet);
  // Released before answering: a client that sends its next export as soon as this one
  // arrives must not find it still running.
  running.unlock();
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
  // Every export names the tree it was computed over (X-Jejak-Checkpoint-Size is the older
  // name of X-Jejak-Tree-Size, kept for existing clients).
  const std::string size = std::to_string(data->checkpoint.tree_size);
  response.headers.emplace_back("X-Jejak-Tree-Size", size);
  response.headers.emplace_back("X-Jejak-Checkpoint-Size", size);
  response.headers.emplace_back("X-Jejak-Root-Hash", data->checkpoint.root_hash_hex);
  response.headers.emplace_back("X-Jejak-Signed-Checkpoint", data->checkpoint.signed_checkpoint ? "true" : "false");
  response.body = std::move(bytes).value();
  return call.Respond(std::move(response));
}

}  // namespace jejak::server
