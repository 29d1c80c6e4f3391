// The witness pusher (server/witness_pusher.h): one thread per witness walking the
// committed checkpoints in order, the add-checkpoint exchange and what each answer means,
// and the waiting thread that completes appends waiting for cosignatures.
#include "server/witness_pusher.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>
#include <utility>

#include "crypto/random.h"
#include "crypto/tls/context.h"
#include "db/store.h"
#include "ledger/checkpoint.h"
#include "ledger/witness.h"
#include "server/clock.h"
#include "server/https_client.h"

namespace jejak::server {
namespace {

using nlohmann::json;

// A witness's answer is a few signature lines, or a size, or a short reason.
constexpr std::size_t kAnswerBytesMax = 64 * 1024;
// Cosignatures remembered per witness for Cosigned(): the answers of recent appends.
constexpr std::size_t kRememberedMax = 4096;
// 409s in a row that each taught a new size: past this, the next waits a backoff (a
// witness whose size keeps moving is not a reason to spin).
constexpr int kConflictsInARowMax = 3;

std::string Quote(const std::string& text) {
  return json(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// The start of an answer's body, for a detail: printable ASCII, one line.
std::string Excerpt(const std::string& body) {
  std::string out;
  for (char c : body.substr(0, 200)) out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// The first line of `body` by `key`'s name that verifies as its cosignature over
// `text`; lines by other names are ignored. kInvalidArgument if there is none.
Result<ledger::Cosignature> OwnCosignature(const std::string& text, const std::string& body,
                                           const ledger::CosignerKey& key) {
  const std::string prefix = "\xe2\x80\x94 " + key.name + " ";
  std::string why = "the answer holds no cosignature line by " + key.name;
  std::size_t start = 0;
  while (start < body.size()) {
    std::size_t end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    const std::string line = body.substr(start, end - start);
    start = end + 1;
    if (line.rfind(prefix, 0) != 0) continue;
    Result<ledger::Cosignature> checked = ledger::VerifyCosignatureLine(text, line + "\n", key);
    if (checked) return checked;
    why = "its cosignature does not verify: " + checked.error().message;
  }
  return InvalidArgument(why);
}

}  // namespace

struct WitnessPusher::Witness {
  WitnessConfig config;
  std::unique_ptr<HttpsConnection> connection;
  // Guarded by the pusher's mutex_.
  std::deque<std::uint64_t> queue;      // Committed sizes still to send, ascending.
  std::uint64_t cosigned_size = 0;      // Its latest cosigned size as known.
  std::string state = "pending";
  std::string detail;
  std::map<std::uint64_t, std::string> remembered;  // Size -> its cosignature line.
  // While set, a checkpoint of the size it last cosigned is sent anyway (old size = size,
  // no proof). Until the witness first answers: that is how a database restored to an
  // older copy (whose record of the witness is older too) is caught at start-up rather
  // than after the next append. After a 409 naming a size the log holds, with nothing
  // later queued: so that checkpoint is cosigned, or a fork of that size refused.
  bool probe = true;
  std::thread thread;
};

WitnessPusher::WitnessPusher(std::string database, ledger::NoteVerifier verifier,
                             Metrics& metrics, RefusalHook on_refusal, PusherTiming timing)
    : database_(std::move(database)),
      verifier_(std::move(verifier)),
      metrics_(metrics),
      on_refusal_(std::move(on_refusal)),
      timing_(timing) {}

Result<std::unique_ptr<WitnessPusher>> WitnessPusher::Make(
    const std::vector<WitnessConfig>& witnesses, std::string database,
    ledger::NoteVerifier verifier, Metrics& metrics, RefusalHook on_refusal, PusherTiming timing) {
  std::unique_ptr<WitnessPusher> pusher(new WitnessPusher(
      std::move(database), std::move(verifier), metrics, std::move(on_refusal), timing));
  for (const WitnessConfig& config : witnesses) {
    std::optional<ServerUrl> url = ParseServerUrl(config.url);
    if (!url) return InvalidArgument("witness " + config.key.name + ": bad URL " + config.url);
    std::optional<std::string> ca;
    if (!config.ca_file.empty()) {
      ca = ReadFile(config.ca_file);
      if (!ca) return InvalidArgument("witness " + config.key.name + ": cannot read " + config.ca_file);
    }
    Result<std::shared_ptr<boost::asio::ssl::context>> context =
        crypto::tls::MakeClientContext(ca ? std::optional<std::string_view>(*ca) : std::nullopt);
    if (!context) {
      return InvalidArgument("witness " + config.key.name + ": " + context.error().message);
    }
    auto witness = std::make_unique<Witness>();
    witness->config = config;
    witness->connection = std::make_unique<HttpsConnection>(*url, std::move(context).value(),
                                                            timing.step_timeout, kAnswerBytesMax);
    pusher->witnesses_.push_back(std::move(witness));
  }
  for (const std::unique_ptr<Witness>& witness : pusher->witnesses_) {
    Witness* raw = witness.get();
    WitnessPusher* self = pusher.get();
    witness->thread = std::thread([self, raw]() { self->Run(*raw); });
  }
  WitnessPusher* self = pusher.get();
  pusher->wait_thread_ = std::thread([self]() { self->WaitLoop(); });
  return pusher;
}

WitnessPusher::~WitnessPusher() { Stop(); }

void WitnessPusher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  wait_wake_.notify_all();
  for (const std::unique_ptr<Witness>& witness : witnesses_) witness->connection->Cancel();
  for (const std::unique_ptr<Witness>& witness : witnesses_) {
    if (witness->thread.joinable()) witness->thread.join();
  }
  if (wait_thread_.joinable()) wait_thread_.join();
}

void WitnessPusher::Committed(std::uint64_t tree_size) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    newest_ = std::max(newest_, tree_size);
    for (const std::unique_ptr<Witness>& witness : witnesses_) {
      if (witness->state == "refused") continue;
      witness->queue.push_back(tree_size);
      if (witness->queue.size() > timing_.backlog_max) {
        // Too far behind to cosign every checkpoint: the newest one is what matters.
        std::fprintf(stderr,
                     "{\"event\":\"witness.skip\",\"witness\":%s,\"from\":%llu,\"to\":%llu,"
                     "\"skipped\":%zu}\n",
                     Quote(witness->config.key.name).c_str(),
                     static_cast<unsigned long long>(witness->queue.front()),
                     static_cast<unsigned long long>(tree_size), witness->queue.size() - 1);
        witness->queue.clear();
        witness->queue.push_back(tree_size);
      }
    }
  }
  wake_.notify_all();
  wait_wake_.notify_all();
}

std::size_t WitnessPusher::Cosigned(std::uint64_t tree_size, std::string* lines) const {
  std::map<std::string, std::string> by_name;
  bool look_up = false;  // Whether a witness missing from memory may have a stored line.
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const std::unique_ptr<Witness>& witness : witnesses_) {
      auto found = witness->remembered.find(tree_size);
      if (found != witness->remembered.end()) {
        by_name[witness->config.key.name] = found->second;
      } else if (tree_size < newest_ || tree_size <= witness->cosigned_size) {
        // Not the checkpoint just committed, which nobody has cosigned yet (so the
        // common case costs no query): one this process forgot or never pushed.
        look_up = true;
      }
    }
  }
  if (look_up) StoredCosignatures(tree_size, by_name);
  if (lines != nullptr) {
    lines->clear();
    for (const auto& [name, line] : by_name) *lines += line;
  }
  return by_name.size();
}

void WitnessPusher::StoredCosignatures(std::uint64_t tree_size,
                                       std::map<std::string, std::string>& by_name) const {
  std::lock_guard<std::mutex> lock(lookup_mutex_);
  if (!lookup_store_) {
    Result<std::unique_ptr<db::Store>> opened = db::Store::Open({database_, std::nullopt, "", false});
    if (!opened) return;
    lookup_store_ = std::move(opened).value();
  }
  Result<std::vector<std::string>> stored = lookup_store_->Cosignatures(tree_size);
  if (!stored) {
    lookup_store_.reset();  // A new session next time.
    return;
  }
  for (const std::string& line : *stored) {
    std::string_view text = line;
    if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    std::optional<ledger::ParsedSignature> parsed = ledger::ParseSignatureLine(text);
    if (!parsed) continue;
    for (const std::unique_ptr<Witness>& witness : witnesses_) {  // config is immutable.
      const ledger::CosignerKey& key = witness->config.key;
      if (parsed->name == key.name && parsed->key_id == key.key_id && by_name.count(key.name) == 0) {
        by_name[key.name] = line;
      }
    }
  }
}

void WitnessPusher::WhenCosigned(std::uint64_t tree_size, std::size_t count,
                                 std::chrono::steady_clock::time_point deadline, WaitDone done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    waiters_.push_back(Waiter{tree_size, count, deadline, std::move(done)});
  }
  wait_wake_.notify_all();
}

bool WitnessPusher::Ready(const Waiter& w) const {
  if (stopping_ || std::chrono::steady_clock::now() >= w.deadline) return true;
  std::size_t cosigned = 0;
  std::size_t hopeful = 0;  // Not yet past it and not refused: may still cosign it.
  for (const std::unique_ptr<Witness>& witness : witnesses_) {
    if (witness->remembered.count(w.tree_size) > 0) {
      ++cosigned;
    } else if (witness->state != "refused" &&
               (witness->cosigned_size < w.tree_size ||
                (witness->probe && witness->cosigned_size == w.tree_size))) {
      ++hopeful;
    }
  }
  return cosigned >= w.count || cosigned + hopeful < w.count;
}

void WitnessPusher::WaitLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    std::vector<Waiter> ready;
    auto next_deadline = std::chrono::steady_clock::time_point::max();
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (Ready(*it)) {
        ready.push_back(std::move(*it));
        it = waiters_.erase(it);
      } else {
        next_deadline = std::min(next_deadline, it->deadline);
        ++it;
      }
    }
    if (!ready.empty()) {
      lock.unlock();
      for (Waiter& waiter : ready) {
        // An exception here must not end the thread (std::terminate would end the log).
        try {
          std::string lines;
          const std::size_t cosigned = Cosigned(waiter.tree_size, &lines);
          waiter.done(cosigned, std::move(lines));
        } catch (const std::exception& e) {
          std::fprintf(stderr, "{\"event\":\"witness.wait_failed\",\"detail\":%s}\n",
                       Quote(e.what()).c_str());
        }
      }
      lock.lock();
      continue;  // Waiters may have come meanwhile.
    }
    if (stopping_) return;
    if (next_deadline == std::chrono::steady_clock::time_point::max()) {
      wait_wake_.wait(lock);
    } else {
      wait_wake_.wait_until(lock, next_deadline);
    }
  }
}

std::vector<WitnessStatus> WitnessPusher::Statuses() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<WitnessStatus> statuses;
  for (const std::unique_ptr<Witness>& witness : witnesses_) {
    WitnessStatus status;
    status.name = witness->config.key.name;
    status.url = witness->config.url;
    status.cosigned_size = witness->cosigned_size;
    status.state = witness->state;
    status.detail = witness->detail;
    if (status.state == "ok" && witness->cosigned_size < newest_) status.state = "pending";
    statuses.push_back(std::move(status));
  }
  return statuses;
}

std::optional<WitnessAlert> WitnessPusher::Alert() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return alert_;
}

}  // namespace jejak::server

namespace jejak::server {

void WitnessPusher::Run(Witness& witness) {
  std::unique_ptr<db::Store> store;
  std::chrono::milliseconds backoff = timing_.backoff_min;
  int conflicts = 0;
  for (;;) {
    std::uint64_t next = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this, &witness]() {
        return stopping_ || (!witness.queue.empty() && witness.state != "refused");
      });
      if (stopping_) return;
      next = witness.queue.front();
    }
    Step step = Step::kLater;
    try {
      step = Exchange(witness, store, next);
    } catch (const std::exception& e) {
      // An exception (out of memory, a socket that cannot be made) is a failed attempt,
      // retried: never std::terminate, which would end the log.
      store.reset();
      step = Unreachable(witness, std::string("the exchange failed: ") + e.what());
    }
    if (step == Step::kRefused) continue;  // Waits for Stop().
    if (step == Step::kNext) {
      backoff = timing_.backoff_min;
      conflicts = 0;
      continue;
    }
    if (step == Step::kAgain && ++conflicts <= kConflictsInARowMax) continue;
    // Exponential backoff with jitter (half to all of it), so that a witness back from an
    // outage is not met by every log at once.
    std::array<std::uint8_t, 2> random{};
    crypto::RandomBytes(random);
    const auto jitter = (random[0] << 8 | random[1]) / 65535.0;
    const auto pause = std::chrono::milliseconds(
        static_cast<std::int64_t>(static_cast<double>(backoff.count()) * (0.5 + 0.5 * jitter)));
    backoff = std::min(backoff * 2, timing_.backoff_max);
    conflicts = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    if (wake_.wait_for(lock, pause, [this]() { return stopping_; })) return;
  }
}

WitnessPusher::Step WitnessPusher::Unreachable(Witness& witness, std::string detail) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return Step::kLater;  // Cancelled by Stop(): not the witness's doing.
    witness.state = "unreachable";
    witness.detail = detail;
  }
  std::fprintf(stderr, "{\"event\":\"witness.unreachable\",\"witness\":%s,\"detail\":%s}\n",
               Quote(witness.config.key.name).c_str(), Quote(detail).c_str());
  return Step::kLater;
}

WitnessPusher::Step WitnessPusher::Refused(Witness& witness, std::string what) {
  WitnessAlert alert{what, witness.config.key.name, NowRfc3339()};
  {
    std::lock_guard<std::mutex> lock(mutex_);
    witness.state = "refused";
    witness.detail = what;
    witness.queue.clear();
    if (!alert_) alert_ = alert;
  }
  metrics_.CountWitnessRefusal(witness.config.key.name);
  std::fprintf(stderr,
               "{\"event\":\"witness.refused\",\"alert\":true,\"witness\":%s,\"what\":%s,"
               "\"appends\":\"suspended\"}\n",
               Quote(alert.witness).c_str(), Quote(what).c_str());
  wait_wake_.notify_all();
  if (on_refusal_) on_refusal_(alert);
  return Step::kRefused;
}

WitnessPusher::Step WitnessPusher::Exchange(Witness& witness, std::unique_ptr<db::Store>& store,
                                            std::uint64_t next) {
  const std::string& name = witness.config.key.name;
  const auto database_error = [&](const Error& error) {
    store.reset();  // A new session next time.
    return Unreachable(witness, "the log's database: " + error.message);
  };
  if (!store) {
    Result<std::unique_ptr<db::Store>> opened = db::Store::Open({database_, std::nullopt, "", false});
    if (!opened) return Unreachable(witness, "the log's database: " + opened.error().message);
    store = std::move(opened).value();
    // What this log learnt of the witness before (another process may have too).
    Result<std::optional<std::uint64_t>> known = store->WitnessSize(name);
    if (!known) return database_error(known.error());
    std::lock_guard<std::mutex> lock(mutex_);
    witness.cosigned_size = std::max(witness.cosigned_size, known->value_or(0));
  }
  std::uint64_t old_size = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    while (!witness.queue.empty() &&
           (witness.queue.front() < witness.cosigned_size ||
            (witness.queue.front() == witness.cosigned_size && !witness.probe))) {
      witness.queue.pop_front();  // Cosigned already (or the witness is past it).
    }
    if (witness.queue.empty() || witness.queue.front() != next) return Step::kNext;
    old_size = witness.cosigned_size;
  }
  Result<std::optional<std::string>> note = store->CheckpointAt(next);
  if (!note) return database_error(note.error());
  ledger::AddCheckpointRequest request;
  request.old_size = old_size;
  if (note->has_value()) request.checkpoint = **note;
  if (note->has_value() && old_size > 0 && old_size < next) {
    Result<std::vector<ledger::Digest>> proof = store->ConsistencyProof(old_size, next);
    if (!proof) return database_error(proof.error());
    request.proof = std::move(proof).value();
  }
  if (!note->has_value() || request.proof.size() > ledger::kWitnessProofLinesMax) {
    // Not a commit's size (cannot happen for sizes the writer told): nothing to send.
    std::lock_guard<std::mutex> lock(mutex_);
    if (!witness.queue.empty() && witness.queue.front() == next) witness.queue.pop_front();
    return Step::kNext;
  }
  metrics_.CountWitnessPush(name);
  Result<HttpsReply> reply = witness.connection->Post(
      "/add-checkpoint", "text/plain; charset=utf-8", ledger::FormatAddCheckpointRequest(request));
  if (!reply) return Unreachable(witness, reply.error().message);
  const std::string sizes = "checkpoint " + std::to_string(next) + " (old size " +
                            std::to_string(old_size) + ")";
  if (reply->status == 200 || reply->status == 409) {
    std::lock_guard<std::mutex> lock(mutex_);
    witness.probe = false;
  }
  if (reply->status == 200) {
    Result<std::string> text = ledger::OpenNote(**note, verifier_);
    if (!text) return database_error(Error{Code::kDataLoss, "stored checkpoint does not verify", {}});
    Result<ledger::Cosignature> cosignature = OwnCosignature(*text, reply->body, witness.config.key);
    if (!cosignature) {
      return Unreachable(witness, "answered 200 to " + sizes + " but " + cosignature.error().message);
    }
    Result<void> stored = store->AddCosignature(next, name, cosignature->line);
    // The stored line is also the record of the witness's size (Store::WitnessSize).
    if (!stored && stored.error().code != Code::kConflict) return database_error(stored.error());
    metrics_.CountWitnessCosignature(name);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      witness.cosigned_size = std::max(witness.cosigned_size, next);
      witness.state = "ok";
      witness.detail.clear();
      witness.remembered[next] = cosignature->line;
      while (witness.remembered.size() > kRememberedMax) witness.remembered.erase(witness.remembered.begin());
    }
    wait_wake_.notify_all();
    return Step::kNext;
  }
  if (reply->status == 409) {
    Result<std::uint64_t> size = ledger::ParseTreeSizeBody(reply->body);
    if (!size) return Unreachable(witness, "answered 409 to " + sizes + " without a size line");
    // The log's own size, read now from the database: another process sharing it may
    // have committed more than this one told.
    Result<std::uint64_t> log_size = store->TreeSize();
    if (!log_size) return database_error(log_size.error());
    if (*size > *log_size) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        witness.cosigned_size = *size;  // Its word: /v1/integrity shows a negative lag.
      }
      return Refused(witness, "witness " + name + " has cosigned tree size " + std::to_string(*size) +
                                  ", larger than this log's " + std::to_string(*log_size) +
                                  ": the log was rewound (409 to " + sizes + ")");
    }
    if (*size == old_size) {
      return Unreachable(witness, "answered 409 to " + sizes + " naming the old size sent");
    }
    if (Result<void> kept = store->RecordWitnessSize(name, *size, NowRfc3339()); !kept) {
      return database_error(kept.error());
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      witness.cosigned_size = *size;
      // Unless a later checkpoint is queued (its proof from S settles S too), checkpoint S
      // itself goes next with old size S and no proof: the same-size comparison, which
      // gives its cosignature (200) or shows the witness holds another tree of size S
      // (422). Otherwise a newest size S would never be cosigned, nor a fork at S caught
      // before the next append.
      while (!witness.queue.empty() && witness.queue.front() <= *size) witness.queue.pop_front();
      if (witness.queue.empty()) {
        witness.queue.push_back(*size);
        witness.probe = true;
      }
    }
    wait_wake_.notify_all();
    return Step::kAgain;
  }
  if (reply->status == 422) {
    return Refused(witness, "witness " + name + " refused " + sizes +
                                " as inconsistent with what it cosigned (422): " + Excerpt(reply->body));
  }
  return Unreachable(witness, "answered HTTP " + std::to_string(reply->status) + " to " + sizes +
                                  (reply->body.empty() ? "" : ": " + Excerpt(reply->body)));
}

}  // namespace jejak::server
