#include "ledger/bundle.h"

#include <nlohmann/json.hpp>

#include <array>
#include <exception>
#include <optional>
#include <utility>
#include <vector>

#include "base/batch_pool.h"
#include "base/check.h"
#include "ledger/canonical.h"

namespace jejak::ledger {
namespace {

// An entry always has "kind"; the checkpoint line is the only object without it.
constexpr std::string_view kCheckpointLineStart = "{\"checkpoint\":";

Error LineError(std::uint64_t line, const std::string& what) {
  return Error{Code::kDataLoss, "bundle line " + std::to_string(line) + ": " + what, {}};
}

}  // namespace

std::string BundleHeaderLine(std::string_view origin, std::string_view vkey) {
  nlohmann::json header = {{"format", std::string(kBundleFormat)},
                           {"origin", std::string(origin)},
                           {"key", std::string(vkey)}};
  return Canonicalize(header);
}

std::string BundleCheckpointLine(std::string_view note) {
  return Canonicalize(nlohmann::json{{"checkpoint", std::string(note)}});
}

BundleChecker::BundleChecker(NoteVerifier verifier) : chain_(std::move(verifier)) {}

Result<void> BundleChecker::AddLine(std::string_view line) {
  if (failed_) return LineError(lines_, "the bundle was already rejected");
  Result<void> added = Check(line, std::nullopt);
  if (!added) failed_ = true;  // Finish() must not pass a bundle a line failed.
  return added;
}

Result<void> BundleChecker::AddLine(std::string_view line, PreparedEntry prepared) {
  if (failed_) return LineError(lines_, "the bundle was already rejected");
  JEJAK_CHECK(IsEntryLine(lines_ + 1, line));  // Prepared as an entry by the caller.
  Result<void> added = Check(line, std::move(prepared));
  if (!added) failed_ = true;
  return added;
}

bool BundleChecker::IsEntryLine(std::uint64_t number, std::string_view line) {
  return number > 1 && line.rfind(kCheckpointLineStart, 0) != 0;
}

Result<void> BundleChecker::Check(std::string_view line, std::optional<PreparedEntry> prepared) {
  ++lines_;
  if (line.size() > kBundleLineBytesMax) return LineError(lines_, "line too long");
  if (checkpoint_seen_) return LineError(lines_, "data after the checkpoint line");
  if (lines_ == 1) {
    Result<nlohmann::json> header = ParseStrict(line);
    if (!header || !header->is_object() || header->size() != 3 ||
        header->value("format", "") != kBundleFormat || !(*header)["origin"].is_string() ||
        !(*header)["key"].is_string()) {
      return LineError(1, "not a jejak-bundle/1 header");
    }
    header_origin_ = (*header)["origin"].get<std::string>();
    return Ok();
  }
  if (line.rfind(kCheckpointLineStart, 0) == 0) {
    Result<nlohmann::json> parsed = ParseStrict(line);
    if (!parsed || !parsed->is_object() || parsed->size() != 1 ||
        !(*parsed)["checkpoint"].is_string()) {
      return LineError(lines_, "malformed checkpoint line");
    }
    if (chain_.size() == 0) return LineError(lines_, "the bundle holds no entries");
    if (std::optional<Problem> problem =
            chain_.CheckCheckpoint((*parsed)["checkpoint"].get<std::string>())) {
      return ProblemError(*problem);
    }
    checkpoint_seen_ = true;  // Only a checkpoint that covered every entry counts.
    checkpoint_note_ = (*parsed)["checkpoint"].get<std::string>();
    return Ok();
  }
  Result<RecomputedEntry> added =
      prepared ? chain_.Add(std::move(*prepared)) : chain_.Add(line);
  if (!added) return added.error();
  if (chain_.size() == 1 && chain_.origin() != header_origin_) {
    return LineError(1, "header origin " + header_origin_ + " differs from the genesis origin " +
                            chain_.origin());
  }
  if (sink_) return sink_(static_cast<std::int64_t>(chain_.size()) - 1, line, *added);
  return Ok();
}

Result<BundleSummary> BundleChecker::Finish() const {
  if (failed_) return LineError(lines_, "a line of the bundle failed verification");
  if (lines_ == 0) return LineError(0, "empty bundle");
  if (!checkpoint_seen_) {
    return LineError(lines_, "the bundle ends without a checkpoint line (truncated?)");
  }
  return BundleSummary{chain_.size(), chain_.root(), chain_.origin()};
}

namespace {

// Lines read ahead and what the pool prepared of their entries.
struct LineBatch {
  std::vector<std::string> lines;  // The first `count` are this batch's; the rest keep buffers.
  std::size_t count = 0;
  std::vector<char> is_entry;
  std::vector<PreparedEntry> prepared;
  bool too_long = false;  // After the `count` lines comes a line too long.
  bool ended = false;     // The input ends after them.
  // What preparing line i threw, if anything: thrown on the caller's thread when the line
  // is reached, as if it had been prepared there.
  std::vector<std::exception_ptr> thrown;
  Batch batch;
};

// Reads the next lines into `batch` (line numbers from `number` + 1) and starts preparing
// its entries.
void ReadBatch(const LineSource& next_line, std::uint64_t& number, LineBatch& batch,
               BatchPool& pool) {
  batch.count = 0;
  batch.too_long = false;
  batch.ended = false;
  std::size_t bytes = 0;
  while (batch.count < kBundleBatchLines && bytes < kBundleBatchBytes) {
    if (batch.lines.size() == batch.count) batch.lines.emplace_back();
    std::string& line = batch.lines[batch.count];
    const LineRead read = next_line(line);
    if (read == LineRead::kEnd) {
      batch.ended = true;
      break;
    }
    if (read == LineRead::kTooLong) {
      batch.too_long = true;
      break;
    }
    ++batch.count;
    bytes += line.size();
  }
  batch.is_entry.assign(batch.count, 0);
  for (std::size_t i = 0; i < batch.count; ++i) {
    batch.is_entry[i] = BundleChecker::IsEntryLine(number + 1 + i, batch.lines[i]) ? 1 : 0;
  }
  number += batch.count;
  batch.prepared.assign(batch.count, PreparedEntry());
  batch.batch.size = batch.count;
  batch.thrown.assign(batch.count, nullptr);
  batch.batch.work = [&batch](std::size_t i) {
    if (batch.is_entry[i] == 0) return;
    try {
      batch.prepared[i] = PrepareEntry(batch.lines[i]);
    } catch (...) {
      batch.thrown[i] = std::current_exception();  // Thrown on when line i is added.
    }
  };
  pool.Start(batch.batch);
}

}  // namespace

Result<BundleSummary> CheckBundle(BundleChecker& checker, const LineSource& next_line,
                                  unsigned helpers) {
  std::array<LineBatch, 2> batches;
  BatchPool pool(helpers);  // Declared after the batches: stops before they go.
  std::uint64_t number = 0;
  std::size_t current = 0;
  ReadBatch(next_line, number, batches[current], pool);
  for (;;) {
    LineBatch& batch = batches[current];
    const bool last = batch.ended || batch.too_long;
    if (!last) ReadBatch(next_line, number, batches[1 - current], pool);
    pool.Finish(batch.batch);
    for (std::size_t i = 0; i < batch.count; ++i) {
      const std::string& line = batch.lines[i];
      if (batch.thrown[i]) std::rethrow_exception(batch.thrown[i]);
      Result<void> added = batch.is_entry[i] != 0
                               ? checker.AddLine(line, std::move(batch.prepared[i]))
                               : checker.AddLine(line);
      if (!added) return added.error();
    }
    if (batch.too_long) {
      return Error{Code::kDataLoss,
                   "a line is longer than " + std::to_string(kBundleLineBytesMax) + " bytes", {}};
    }
    if (last) break;
    current = 1 - current;
  }
  return checker.Finish();
}

}  // namespace jejak::ledger
