// The service's wiring: builds the ServiceContext and the route table at start-up, runs
// the background verification, gives every request its id, log line and metrics, and
// serves HTTPS until a signal. The routes themselves live in server/handlers/.
#include "server/service.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <sstream>
#include <sys/resource.h>
#include <thread>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "crypto/tls/context.h"
#include "db/kept_checkpoint.h"
#include "db/store.h"
#include "ledger/audit.h"
#include "ledger/cosignature.h"
#include "ledger/note.h"
#include "server/auth.h"
#include "server/clock.h"
#include "server/context.h"
#include "server/https_main.h"
#include "server/problem.h"
#include "server/request.h"
#include "server/router.h"
#include "server/writer.h"

namespace jejak::server {
namespace {

using nlohmann::json;

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// The audit rules' thresholds as the config sets them.
ledger::AuditRules AuditRulesOf(const Config& config) {
  ledger::AuditRules rules;
  rules.procurement_caps = config.audit_procurement_caps;
  rules.split_window_days = static_cast<int>(config.audit_split_window.count());
  rules.duplicate_window_days = static_cast<int>(config.audit_duplicate_window.count());
  rules.cash_cap_sen = config.audit_cash_cap_sen;
  rules.cash_exempt_accounts = config.audit_cash_exempt_accounts;
  rules.reversal_heavy_basis_points = static_cast<int>(config.audit_reversal_heavy_basis_points);
  rules.holidays = config.holidays;  // National only: regional ones never move a deadline.
  rules.tax_deadlines = config.audit_tax_deadlines;
  rules.tax_collection_threshold_sen = config.audit_tax_collection_threshold_sen;
  rules.utc_offset_minutes = config.utc_offset_minutes;
  rules.bank_match_window_days = static_cast<int>(config.bank_match_window.count());
  rules.bank_debit_due_days = static_cast<int>(config.bank_debit_due.count());
  return rules;
}

}  // namespace

struct Service::Impl {
  Impl(Config server_config, Authenticator auth, ledger::NoteVerifier note_verifier)
      : context(std::move(server_config), std::move(auth), std::move(note_verifier)),
        router(ServiceRoutes()) {}

  ServiceContext context;
  Router router;
  std::atomic<bool> stopping{false};
  std::mutex background_mutex;
  std::condition_variable background_wake;
  std::thread background;

  // Verifies the whole ledger now and then every interval, until Stop().
  // The first pass runs at start-up while appends are held (AppendWriter::Hold): they
  // go through only once it passes.
  void BackgroundVerification(std::chrono::minutes interval) {
    for (;;) {
      bool retry_soon = false;
      {
        std::unique_lock<std::timed_mutex> running(context.verify_mutex);
        Result<StorePool::Lease> store = context.reads.Acquire();
        Result<db::VerifyReport> report =
            store ? (*store)->Verify(context.verifier, std::nullopt, &stopping)
                  : Result<db::VerifyReport>(store.error());
        if (report) {
          context.RecordVerification(*report);  // Suspends appends if it failed.
          if (report->ok) context.writer->Open();  // No-op once closed.
        } else if (report.error().code == Code::kDataLoss) {
          // Stored data too broken to read is a failed verification too.
          context.SuspendAppends(ledger::ProblemOf(report.error()));
        } else if (!stopping.load()) {
          // It could not run (storage): nothing was checked, so appends held for the
          // start-up pass stay held, and the pass is tried again soon.
          std::fprintf(stderr, "{\"event\":\"verify.error\",\"error\":%s}\n",
                       json(report.error().message)
                           .dump(-1, ' ', false, json::error_handler_t::replace)
                           .c_str());
          retry_soon = true;
        }
      }
      const auto wait = retry_soon ? std::min<std::chrono::minutes>(interval, std::chrono::minutes(1))
                                   : interval;
      std::unique_lock<std::mutex> lock(background_mutex);
      if (background_wake.wait_for(lock, wait, [this]() { return stopping.load(); })) return;
    }
  }

  void Handle(HttpRequest request, Responder respond);
};

void Service::Impl::Handle(HttpRequest request, Responder respond) {
  // Shared with the asynchronous answer: the router fills in the route and the caller before
  // it hands the request on, and `done` reads them when the answer comes.
  auto log = std::make_shared<RequestLog>();
  std::array<std::uint8_t, 8> id{};
  crypto::RandomBytes(id);
  log->request_id = crypto::ToHex(id);
  Result<Target> target = ParseTarget(request.target);
  log->path = target ? target->path : "-";
  auto answered = std::make_shared<std::atomic<bool>>(false);
  Responder done = [this, respond, log, answered, method = request.method,
                    received_at = request.received_at](HttpResponse response) {
    JEJAK_CHECK(!answered->exchange(true));  // Exactly one answer per request.
    response.headers.emplace_back("X-Request-Id", log->request_id);
    const double millis = std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - received_at)
                              .count();
    context.metrics.CountRequest(method, log->route, response.status);
    // One line per request. Never the token, the body or the query string.
    const json line = {{"time", NowRfc3339()},
                       {"request_id", log->request_id},
                       {"method", method},
                       {"path", log->path},
                       {"route", log->route},
                       {"status", response.status},
                       {"duration_ms", std::round(millis * 1000) / 1000},
                       {"sub", log->sub},
                       {"role", log->role}};
    std::fprintf(stdout, "%s\n", line.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
    std::fflush(stdout);
    respond(std::move(response));
  };
  if (!target) return done(ProblemOf(target.error()));
  // One catch-all per request: anything that escapes is a bug, answered with a 500.
  try {
    router.Dispatch(context, request, *target, *log, done);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "{\"event\":\"handler.exception\",\"request_id\":\"%s\",\"error\":%s}\n",
                 log->request_id.c_str(),
                 json(e.what()).dump(-1, ' ', false, json::error_handler_t::replace).c_str());
    if (!answered->load()) done(InternalError());
  }
}

Service::Service(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Service::~Service() { Stop(); }

void Service::Handle(HttpRequest request, Responder respond) {
  impl_->Handle(std::move(request), std::move(respond));
}

void Service::CountTransportError(int status) {
  impl_->context.metrics.CountRequest("-", "transport", status);
}

void Service::Stop() {
  {
    std::lock_guard<std::mutex> lock(impl_->background_mutex);
    impl_->stopping = true;
  }
  impl_->background_wake.notify_all();
  if (impl_->background.joinable()) impl_->background.join();
  if (impl_->context.writer) impl_->context.writer->Stop();
  if (impl_->context.pusher) impl_->context.pusher->Stop();
}

Result<std::unique_ptr<Service>> Service::Make(const Config& config) {
  std::vector<TrustedIssuer> issuers;
  for (const IssuerConfig& issuer : config.issuers) {
    std::optional<std::string> pem = ReadFile(issuer.public_key_path);
    if (!pem) return InvalidArgument("cannot read issuer key " + issuer.public_key_path);
    issuers.push_back({issuer.issuer, issuer.algorithm, *pem, issuer.audience});
  }
  if (issuers.empty()) return InvalidArgument("the config names no trusted token issuer");
  Result<Authenticator> authenticator = Authenticator::Make(
      std::move(issuers), config.token_lifetime_max);
  if (!authenticator) return authenticator.error();

  std::optional<std::string> vkey = ReadFile(config.checkpoint_vkey);
  std::optional<ledger::NoteVerifier> verifier;
  if (vkey) {
    while (!vkey->empty() && (vkey->back() == '\n' || vkey->back() == '\r')) vkey->pop_back();
    verifier = ledger::ParseVerifierKey(*vkey);
  }
  if (!verifier) return InvalidArgument("cannot read the verifier key " + config.checkpoint_vkey);
  std::optional<std::string> key_pem = ReadFile(config.checkpoint_key);
  std::optional<crypto::PrivateKey> key = key_pem ? crypto::ParsePrivateKeyPem(*key_pem) : std::nullopt;
  if (!key) return InvalidArgument("cannot read the checkpoint key " + config.checkpoint_key);
  const ledger::NoteSigner signer = ledger::MakeSigner(config.origin, *key);
  if (signer.key_id != verifier->key_id) {
    return InvalidArgument("the checkpoint key does not match " + config.checkpoint_vkey);
  }

  auto impl = std::make_unique<Impl>(config, std::move(authenticator).value(), *verifier);
  impl->context.signer = signer;
  // The auditors' keys and the pushed witnesses': the cosignatures stored and served.
  Result<std::vector<ledger::CosignerKey>> cosigners = Cosigners(config);
  if (!cosigners) return cosigners.error();
  impl->context.witnesses = std::move(cosigners).value();
  impl->context.audit_rules = AuditRulesOf(config);
  // A read-only instance neither keeps nor checks DIR/state/latest-checkpoint (ServiceContext
  // reads the same way).
  const std::string kept_path = config.read_only ? "" : db::KeptCheckpointPath(config.data_dir);
  Result<std::unique_ptr<db::Store>> write_store =
      db::Store::Open({config.database, signer, kept_path, config.read_only});
  if (!write_store) return write_store.error();
  Result<std::uint64_t> size = (*write_store)->TreeSize();
  if (!size) return size.error();
  if (*size == 0) return InvalidArgument("the ledger has no genesis entry (run jejak init)");
  // A database rewound or swapped behind the server's back is refused outright: serving
  // it would hand out proofs the kept checkpoint contradicts, and appending to it would
  // reuse acknowledged seqs.
  if (Result<void> kept = (*write_store)->CheckKeptCheckpoint(*verifier); !kept) {
    return kept.error();
  }
  if (!config.read_only) {
    Result<std::optional<std::string>> kept_note = db::ReadKeptCheckpoint(kept_path);
    if (kept_note && !kept_note->has_value()) {
      // A ledger from before the kept checkpoint existed: start keeping it now.
      Result<std::optional<std::string>> latest = (*write_store)->LatestCheckpoint();
      if (latest && latest->has_value()) {
        if (Result<void> kept = db::KeepCheckpoint(kept_path, *size, **latest); !kept) {
          return kept.error();
        }
      }
    }
  }
  Result<void> writable = config.read_only
                              ? Result<void>(Error{Code::kUnavailable,
                                                   "this instance is read-only (read_only = "
                                                   "true): send writes to the primary",
                                                   {}})
                              : (*write_store)->CheckWritable();
  impl->context.metrics.SetLedgerSize(*size);
  impl->context.writer = std::make_unique<AppendWriter>(
      std::move(write_store).value(), config.append_queue_max, config.append_batch_max,
      impl->context.metrics, NowRfc3339);
  if (config.read_only) {
    std::fprintf(stderr, "{\"event\":\"storage.read_only\",\"alert\":false,\"why\":\"read_only\"}\n");
    impl->context.writer->Close(writable.error().message);
  } else if (!writable) {
    std::fprintf(stderr, "{\"event\":\"storage.read_only\",\"alert\":true,\"error\":%s}\n",
                 json(writable.error().message)
                     .dump(-1, ' ', false, json::error_handler_t::replace)
                     .c_str());
    impl->context.writer->Close(writable.error().message);
  }
  if (!config.read_only && !config.witnesses.empty()) {
    ServiceContext* context = &impl->context;
    Result<std::unique_ptr<WitnessPusher>> pusher = WitnessPusher::Make(
        config.witnesses, config.database, *verifier, impl->context.metrics,
        [context](const WitnessAlert& alert) { context->WitnessRefused(alert); });
    if (!pusher) return pusher.error();
    impl->context.pusher = std::move(pusher).value();
    WitnessPusher* raw = impl->context.pusher.get();
    impl->context.writer->OnCommit([raw](std::uint64_t tree_size) { raw->Committed(tree_size); });
    // The newest checkpoint goes out at once: a witness that cosigned more than this
    // database holds (a restored backup) raises the alarm before the first append.
    raw->Committed(*size);
  }
  if (config.verify_interval > std::chrono::minutes::zero()) {
    impl->context.writer->Hold();  // Until the start-up verification passes.
    Impl* raw = impl.get();
    const std::chrono::minutes interval = config.verify_interval;
    impl->background = std::thread([raw, interval]() { raw->BackgroundVerification(interval); });
  }
  return std::unique_ptr<Service>(new Service(std::move(impl)));
}

int Serve(const Config& config, const std::string& listen_override) {
  // Before any thread starts (server/https_main.h): only the signal thread takes SIGTERM.
  const sigset_t shutdown_signals = BlockShutdownSignals();
  Result<ListenAddress> address =
      ParseListenAddress(listen_override.empty() ? config.listen : listen_override);
  if (!address) {
    std::fprintf(stderr, "jejak: serve: %s\n", address.error().message.c_str());
    return 2;
  }
  if (Result<void> modes = CheckDataDirModes(config); !modes) {
    std::fprintf(stderr, "jejak: serve: %s\n", modes.error().message.c_str());
    return 2;
  }
  if (config.tls_certificate.empty() || !ReadFile(config.tls_certificate) || !ReadFile(config.tls_key)) {
    std::fprintf(stderr, "jejak: serve: cannot read the TLS certificate and key named in %s\n",
                 config.path.c_str());
    return 2;
  }
  Result<std::shared_ptr<boost::asio::ssl::context>> context =
      LoadServerTls(config.tls_certificate, config.tls_key);
  if (!context) {
    std::fprintf(stderr, "jejak: serve: %s\n", context.error().ToString().c_str());
    return 2;
  }
  Result<std::unique_ptr<Service>> service = Service::Make(config);
  if (!service) {
    std::fprintf(stderr, "jejak: serve: %s\n", service.error().ToString().c_str());
    return 2;
  }
  Service* handler = service->get();
  ServerLimits limits = TransportLimits(config, "serve");
  limits.route_body_limits.push_back(RouteBodyLimit{"POST", "/v1/imports", config.import_body_max_bytes});
  const int served = ServeUntilSignal(
      "serve", std::move(limits), *context, *address,
      [handler](HttpRequest request, Responder respond) {
        handler->Handle(std::move(request), std::move(respond));
      },
      [handler](int status) { handler->CountTransportError(status); }, shutdown_signals);
  if (served != 0) return served;
  (*service)->Stop();
  service->reset();
  std::fprintf(stderr, "{\"event\":\"shutdown.done\"}\n");
  return 0;
}

}  // namespace jejak::server
