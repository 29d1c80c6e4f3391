// ServiceContext: everything a route handler may use — the configuration, the token
// authenticator, the checkpoint verifier and signer, the witnesses' keys, the audit rules,
// the metrics, the read-store pool, the append writer, the witness pusher, the latest verification and the
// cache of findings reports. The
// service builds one at start-up (server/service.cc) and hands it to every handler, so no
// handler reaches back into the service.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "db/store.h"
#include "ledger/audit.h"
#include "ledger/cosignature.h"
#include "ledger/note.h"
#include "server/auth.h"
#include "server/config.h"
#include "server/findings_cache.h"
#include "server/metrics.h"
#include "server/store_pool.h"
#include "server/witness_pusher.h"
#include "server/writer.h"

namespace jejak::server {

// The latest whole-ledger verification (background or an auditor's), for
// GET /v1/integrity.
struct Verification {
  std::string state = "pending";  // pending, ok, failed.
  std::string at;
  std::uint64_t entries = 0;
  std::uint64_t tree_size = 0;  // Of the ledger verified.
  std::optional<ledger::Problem> problem;
};

struct ServiceContext {
  // Keeps `server_config`; the read pool opens the configured database on demand.
  ServiceContext(Config server_config, Authenticator auth, ledger::NoteVerifier note_verifier);

  // Records a whole-ledger pass; a failed one suspends appends. Thread-safe.
  void RecordVerification(const db::VerifyReport& report);

  // Fail closed: a ledger found broken takes no more entries (they would chain onto the
  // damage). Reads and /v1/integrity keep working so that auditors can look; /readyz says
  // not ready; an alert is logged. Only a restart (which verifies again) lifts it.
  void SuspendAppends(const ledger::Problem& problem);

  // Fail closed on a witness's refusal of a checkpoint the log signed (a rollback or a
  // fork): appends are refused (503) with the reason until a restart, and /readyz says
  // not ready. The pusher has logged the alert line and keeps the alert for
  // /v1/integrity. Thread-safe.
  void WitnessRefused(const WitnessAlert& alert);

  // A copy of the latest verification. Thread-safe.
  Verification LatestVerification();

  const Config config;
  const Authenticator authenticator;
  const ledger::NoteVerifier verifier;
  ledger::NoteSigner signer;                   // For checkpoints of exported bundles.
  // Keys allowed to cosign: auditors' (witness_key) and the pushed-to witnesses' (witness).
  std::vector<ledger::CosignerKey> witnesses;
  ledger::AuditRules audit_rules;
  Metrics metrics;
  StorePool reads;
  std::unique_ptr<AppendWriter> writer;  // Set once by Service::Make, before serving.
  // Set by Service::Make when witnesses are configured and the instance writes.
  std::unique_ptr<WitnessPusher> pusher;
  // One whole verification at a time; a request waits kVerifyWaitMax for a running one.
  std::timed_mutex verify_mutex;
  std::mutex export_mutex;  // One workpaper export at a time.
  // Findings reports computed at a tree size, reused by later calls with the same scope.
  FindingsCache findings_cache;

 private:
  std::mutex verification_mutex_;
  Verification verification_;
};

}  // namespace jejak::server
