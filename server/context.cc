// The state the handlers share: verification bookkeeping and the fail-closed switch.
#include "server/context.h"

#include <nlohmann/json.hpp>

#include <cstdio>

#include "db/kept_checkpoint.h"
#include "ledger/checkpoint.h"
#include "server/clock.h"

namespace jejak::server {

using nlohmann::json;

ServiceContext::ServiceContext(Config server_config, Authenticator auth,
                               ledger::NoteVerifier note_verifier)
    : config(std::move(server_config)),
      authenticator(std::move(auth)),
      verifier(std::move(note_verifier)),
      reads(config.database, config.read_only ? "" : db::KeptCheckpointPath(config.data_dir),
            config.read_only) {}

void ServiceContext::RecordVerification(const db::VerifyReport& report) {
  {
    std::lock_guard<std::mutex> lock(verification_mutex_);
    verification_.state = report.ok ? "ok" : "failed";
    verification_.at = NowRfc3339();
    verification_.entries = report.entries;
    verification_.tree_size = report.entries;  // A whole-ledger pass checks every entry.
    verification_.problem = report.problem;
  }
  if (!report.ok) SuspendAppends(*report.problem);
}

void ServiceContext::SuspendAppends(const ledger::Problem& problem) {
  std::fprintf(stderr,
               "{\"event\":\"verify.failed\",\"alert\":true,\"seq\":%lld,\"what\":%s,"
               "\"appends\":\"suspended\"}\n",
               static_cast<long long>(problem.seq),
               json(problem.what).dump(-1, ' ', false, json::error_handler_t::replace).c_str());
  // The reason reaches every caller of /readyz and every refused append: it names the seq
  // and where to look, and leaves the details to /v1/integrity (auditors) and the log.
  writer->Close("verification found a problem at seq " + std::to_string(problem.seq) +
                "; auditors see it at /v1/integrity");
}

void ServiceContext::WitnessRefused(const WitnessAlert& alert) {
  writer->Close("witness " + alert.witness + " refused a checkpoint this log signed (" +
                alert.what + "); auditors see it at /v1/integrity");
}

Verification ServiceContext::LatestVerification() {
  std::lock_guard<std::mutex> lock(verification_mutex_);
  return verification_;
}

}  // namespace jejak::server
