// The ledger's checkpoints: the latest or one of a given tree size (with its
// cosignatures), auditors' cosignatures on them, and the integrity summary that pairs the
// latest checkpoint with the latest whole-ledger verification and the witnesses' state.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/encoding.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/note.h"
#include "server/clock.h"
#include "server/handlers/common.h"
#include "server/handlers/handlers.h"
#include "server/integrity.h"

namespace jejak::server {

using nlohmann::json;

void GetCheckpoint(ServiceContext& context, const Call& call) {
  if (Result<void> allowed = call.query.Allow({"tree_size"}); !allowed) return call.Fail(allowed.error());
  Result<std::optional<std::int64_t>> size =
      call.query.Integer("tree_size", 1, std::numeric_limits<std::int64_t>::max());
  if (!size) return call.Fail(size.error());
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(store.error());
  Result<std::optional<std::string>> note =
      size->has_value() ? (*store)->CheckpointAt(static_cast<std::uint64_t>(**size))
                        : (*store)->LatestCheckpoint();
  if (!note) return call.Fail(note.error());
  if (!note->has_value()) {
    return call.Fail(size->has_value()
                         ? NotFound("no checkpoint of tree size " + std::to_string(**size) +
                                    " (one is stored per commit)")
                         : NoCheckpointYet());
  }
  Result<std::string> cosigned = db::WithCosignatures(store->get(), context.verifier, **note);
  if (!cosigned) return call.Fail(cosigned.error());
  HttpResponse response;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(cosigned).value();
  return call.Respond(std::move(response));
}

void PostCosignature(ServiceContext& context, const Call& call) {
  if (context.config.read_only) {
    return call.Fail(Unavailable("this instance is read-only (read_only = true): send "
                                 "cosignatures to the primary"));
  }
  Result<json> body = ParseJsonBody(call.request);
  if (!body) return call.Fail(body.error());
  std::vector<FieldError> errors;
  for (const auto& [name, value] : body->items()) {
    if (name != "tree_size" && name != "cosignature") errors.push_back({name, "unknown field"});
  }
  if (!body->contains("tree_size") || !(*body)["tree_size"].is_number_integer() ||
      (*body)["tree_size"].get<std::int64_t>() < 1) {
    errors.push_back({"tree_size", "required: the size of the checkpoint cosigned"});
  }
  if (!body->contains("cosignature") || !(*body)["cosignature"].is_string()) {
    errors.push_back({"cosignature", "required: one cosignature/v1 signature line"});
  }
  if (!errors.empty()) return call.Fail(InvalidArgument("invalid cosignature", errors));
  const auto tree_size = (*body)["tree_size"].get<std::uint64_t>();
  std::string line = (*body)["cosignature"].get<std::string>();
  if (!line.empty() && line.back() != '\n') line += '\n';
  // "— <name> <base64>": the name picks the configured witness key.
  constexpr std::string_view kDash = "\xe2\x80\x94 ";
  const std::size_t name_end = line.find(' ', kDash.size());
  if (line.rfind(kDash, 0) != 0 || name_end == std::string::npos) {
    return call.Fail(InvalidArgument("invalid cosignature",
                                {{"cosignature", "not a signature line (— name base64)"}}));
  }
  const std::string cosigner = line.substr(kDash.size(), name_end - kDash.size());
  const ledger::CosignerKey* key = nullptr;
  for (const ledger::CosignerKey& witness : context.witnesses) {
    if (witness.name == cosigner) key = &witness;
  }
  if (key == nullptr) {
    return call.Fail(Error{Code::kPermissionDenied,
                      "cosigner " + cosigner + " is not a witness key in the config", {}});
  }
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(store.error());
  Result<std::optional<std::string>> note = (*store)->CheckpointAt(tree_size);
  if (!note) return call.Fail(note.error());
  if (!note->has_value()) {
    return call.Fail(Error{Code::kNotFound, "no checkpoint of tree size " + std::to_string(tree_size), {}});
  }
  Result<std::string> text = ledger::OpenNote(**note, context.verifier);
  if (!text) return call.Fail(Error{Code::kDataLoss, "stored checkpoint does not verify", {}});
  Result<ledger::Cosignature> checked = ledger::VerifyCosignatureLine(*text, line, *key);
  if (!checked) return call.Fail(InvalidArgument(checked.error().message, {{"cosignature", checked.error().message}}));
  Result<void> stored = (*store)->AddCosignature(tree_size, cosigner, line);
  if (!stored) return call.Fail(stored.error());
  Result<std::string> cosigned = db::WithCosignatures(store->get(), context.verifier, **note);
  if (!cosigned) return call.Fail(cosigned.error());
  return call.Respond(JsonCreated({{"tree_size", tree_size},
                            {"cosigner", cosigner},
                            {"timestamp", checked->timestamp},
                            {"checkpoint", *cosigned}}));
}

void GetIntegrity(ServiceContext& context, const Call& call) {
  if (!call.query.Empty()) return call.Fail(NoQueryParameters());
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(store.error());
  Result<std::optional<std::string>> note = (*store)->LatestCheckpoint();
  if (!note) return call.Fail(note.error());
  if (!note->has_value()) return call.Fail(NoCheckpointYet());
  Result<ledger::Checkpoint> checkpoint = ledger::OpenCheckpoint(**note, context.verifier);
  if (!checkpoint) return call.Fail(Error{Code::kDataLoss, "latest checkpoint does not verify", {}});
  const Verification verification = context.LatestVerification();
  json verified = {{"state", verification.state},
                   {"at", verification.at.empty() ? json(nullptr) : json(verification.at)},
                   {"entries", verification.entries},
                   {"tree_size", verification.tree_size},
                   {"problem", verification.problem
                                   ? json{{"seq", verification.problem->seq},
                                          {"what", verification.problem->what}}
                                   : json(nullptr)}};
  // Each configured witness: what the pusher knows, or on an instance that pushes nothing
  // (read-only) what the database says it last cosigned.
  json witnesses = json::array();
  std::vector<WitnessStatus> statuses;
  if (context.pusher) statuses = context.pusher->Statuses();
  for (std::size_t i = 0; !context.pusher && i < context.config.witnesses.size(); ++i) {
    const WitnessConfig& witness = context.config.witnesses[i];
    Result<std::optional<std::uint64_t>> known = (*store)->WitnessSize(witness.key.name);
    if (!known) return call.Fail(known.error());
    statuses.push_back({witness.key.name, witness.url, known->value_or(0), "pending",
                        "this instance does not push to witnesses (read_only)"});
  }
  for (const WitnessStatus& status : statuses) {
    // Negative when the witness has cosigned more than this ledger holds (a rewind).
    const auto lag = static_cast<std::int64_t>(checkpoint->tree_size) -
                     static_cast<std::int64_t>(status.cosigned_size);
    witnesses.push_back({{"name", status.name},
                         {"url", status.url},
                         {"cosigned_size", status.cosigned_size},
                         {"lag", lag},
                         {"state", status.state},
                         {"detail", status.detail}});
  }
  std::optional<WitnessAlert> alert = context.pusher ? context.pusher->Alert() : std::nullopt;
  // The checkpoint verified, so its time line is RFC 3339 as the ledger writes it.
  const std::optional<CheckpointAge> age =
      AgeOf(checkpoint->time, NowRfc3339(), context.config.checkpoint_stale_after.count());
  if (!age) return call.Fail(Error{Code::kDataLoss, "the latest checkpoint's time does not parse", {}});
  Result<std::vector<db::FiscalYearCounts>> years = (*store)->FiscalYears();
  if (!years) return call.Fail(years.error());
  json fiscal_years = json::array();
  for (const db::FiscalYearCounts& year : *years) {
    fiscal_years.push_back({{"fiscal_year", year.fiscal_year},
                            {"budget_lines", year.budget_lines},
                            {"expenditures", year.expenditures}});
  }
  const std::optional<std::int64_t> default_year = DefaultFiscalYear(*years);
  return call.Respond(JsonOk({{"origin", checkpoint->origin},
                            {"tree_size", checkpoint->tree_size},
                            {"root_hash", crypto::ToHex(checkpoint->root_hash)},
                            {"checkpoint_time", checkpoint->time},
                            {"checkpoint_age_seconds", age->seconds},
                            {"checkpoint_stale", age->stale},
                            {"fiscal_years", std::move(fiscal_years)},
                            {"default_fiscal_year", default_year ? json(*default_year) : json(nullptr)},
                            {"verification", std::move(verified)},
                            {"witnesses", std::move(witnesses)},
                            {"alert", alert ? json{{"what", alert->what},
                                                   {"witness", alert->witness},
                                                   {"at", alert->at}}
                                            : json(nullptr)}}));
}

}  // namespace jejak::server
