// Tests of the witness pusher (server/witness_pusher.h) against fake witnesses: real
// HttpServers over TLS in this process that keep a latest cosigned size and root, check
// the old size (409 with the size otherwise) and the consistency proof (422), and answer
// with a real cosignature/v1 line, or that are told to fail, stall or refuse. Each test
// builds a real SQLite ledger and tells the pusher its commits as the writer would.
#include "server/witness_pusher.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "crypto/certificate.h"
#include "crypto/tls/context.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/witness.h"
#include "server/http.h"

namespace jejak::server {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kOrigin = "jejak.test/pusher";
constexpr const char* kOpd = "1.02.0.00.0.00.01.0000";

ledger::NoteSigner LogSigner() {
  std::array<std::uint8_t, 32> seed{};
  seed[2] = 7;
  return ledger::MakeSigner(kOrigin, crypto::KeyFromSeed(seed));
}

std::shared_ptr<const nlohmann::json> Valid(const nlohmann::json& body) {
  Result<nlohmann::json> valid = body.value("kind", "") == "genesis" ? ledger::ValidateGenesis(body)
                                                                     : ledger::ValidateBody(body);
  EXPECT_TRUE(valid.has_value()) << (valid ? "" : valid.error().ToString());
  return std::make_shared<const nlohmann::json>(valid ? *valid : body);
}

nlohmann::json Expenditure(int n) {
  return {{"kind", "expenditure"},
          {"fiscal_year", 2026},
          {"opd", kOpd},
          {"sub_activity", "1.02.02.2.01.0014"},
          {"account", "5.1.02.01.01.0024"},
          {"mechanism", "GU"},
          {"instrument", "qris"},
          {"value_date", "2026-03-01"},
          {"gross", "150000"},
          {"taxes", nlohmann::json::array()},
          {"net", "150000"},
          {"payee", {{"name", "Toko"}, {"bank", "BSI"}, {"account_no", "7123"}, {"account_name", "TOKO"}}},
          {"bank_ref", "QR-" + std::to_string(n)},
          {"documents", nlohmann::json::object()},
          {"description", "Konsumsi rapat"}};
}

// One fake witness: a C2SP tlog-witness add-checkpoint endpoint over TLS.
class FakeWitness {
 public:
  // What it answers besides the protocol's own checks.
  enum class Mode { kHonest, kAlways422, kAlways404, kStall, kWrongSignature };

  FakeWitness(std::string name, std::uint8_t seed_byte) : name_(std::move(name)) {
    std::array<std::uint8_t, 32> seed{};
    seed[0] = seed_byte;
    key_ = crypto::KeyFromSeed(seed);
    vkey_ = ledger::FormatCosignerKey({name_, ledger::CosignerKeyId(name_, key_.public_key), key_.public_key});
    certificate_ = crypto::MakeSelfSignedCertificate("localhost", {"localhost"}, {"127.0.0.1"}, 24h);
    auto context = crypto::tls::MakeServerContext(certificate_.certificate_pem, certificate_.private_key_pem);
    EXPECT_TRUE(context.has_value());
    ServerLimits limits;
    limits.io_threads = 1;
    limits.worker_threads = 2;
    limits.shutdown_grace = 1s;
    server_ = std::make_unique<HttpServer>(limits, *context, [this](HttpRequest request, Responder respond) {
      respond(Handle(request));
    });
    EXPECT_TRUE(server_->Listen("127.0.0.1", 0).has_value());
    thread_ = std::thread([this]() { server_->Run(); });
  }
  ~FakeWitness() {
    stall_released_ = true;
    server_->Stop();
    thread_.join();
  }

  // The config line's parts, trusting this witness's certificate (written under `dir`).
  WitnessConfig Config(const fs::path& dir) const {
    const fs::path ca = dir / (name_ + "-ca.pem");
    std::ofstream(ca) << certificate_.certificate_pem;
    WitnessConfig config;
    config.vkey = vkey_;
    config.key = *ledger::ParseCosignerKey(vkey_);
    config.url = "https://127.0.0.1:" + std::to_string(server_->port()) + "/saksi";
    config.ca_file = ca.string();
    return config;
  }

  void SetMode(Mode mode) { mode_ = mode; }
  // As if it had cosigned a checkpoint of `size` with `root` before.
  void SetLatest(std::uint64_t size, const ledger::Digest& root) {
    std::lock_guard<std::mutex> lock(mutex_);
    size_ = size;
    root_ = root;
  }
  // Answers `count` more requests with HTTP `status` before behaving again.
  void FailNext(int count, int status) {
    fail_count_ = count;
    fail_status_ = status;
  }
  std::uint64_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return size_;
  }
  // The (old size, checkpoint size) of every request that got a cosignature, in order.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> Cosigned() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return cosigned_;
  }
  int requests() const { return requests_.load(); }

 private:
  HttpResponse Text(int status, std::string body, std::string type = "text/plain; charset=utf-8") {
    HttpResponse response;
    response.status = status;
    response.content_type = std::move(type);
    response.body = std::move(body);
    return response;
  }

  HttpResponse Handle(const HttpRequest& request) {
    ++requests_;
    if (request.method != "POST" || request.target != "/saksi/add-checkpoint") return Text(404, "no such path\n");
    if (mode_ == Mode::kStall) {
      for (int i = 0; i < 50 && !stall_released_.load(); ++i) std::this_thread::sleep_for(100ms);
      return Text(503, "stalled\n");
    }
    if (mode_ == Mode::kAlways404) return Text(404, "unknown origin\n");
    if (mode_ == Mode::kAlways422) return Text(422, "bad consistency proof\n");
    if (fail_count_.load() > 0) {
      --fail_count_;
      return Text(fail_status_, "try later\n");
    }
    Result<ledger::AddCheckpointRequest> parsed = ledger::ParseAddCheckpointRequest(request.body);
    if (!parsed) return Text(400, parsed.error().message + "\n");
    Result<ledger::Checkpoint> checkpoint =
        ledger::OpenCheckpoint(parsed->checkpoint, ledger::VerifierOf(LogSigner()));
    if (!checkpoint) return Text(403, "no trusted signature\n");
    Result<std::string> text = ledger::OpenNote(parsed->checkpoint, ledger::VerifierOf(LogSigner()));
    std::lock_guard<std::mutex> lock(mutex_);
    if (parsed->old_size > checkpoint->tree_size) return Text(400, "old size > size\n");
    if (parsed->old_size != size_) {
      return Text(409, ledger::FormatTreeSizeBody(size_), std::string(ledger::kTreeSizeMediaType));
    }
    if (size_ == checkpoint->tree_size && root_ != checkpoint->root_hash) return Text(422, "fork\n");
    if (size_ > 0 && size_ < checkpoint->tree_size &&
        !ledger::VerifyConsistency(size_, checkpoint->tree_size, parsed->proof, root_, checkpoint->root_hash)) {
      return Text(422, "bad consistency proof\n");
    }
    if (size_ == 0 && !parsed->proof.empty()) return Text(422, "proof from zero\n");
    cosigned_.emplace_back(size_, checkpoint->tree_size);
    size_ = checkpoint->tree_size;
    root_ = checkpoint->root_hash;
    std::string lines = "\xe2\x80\x94 someone.else/w9 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n";  // Ignored.
    if (mode_ == Mode::kWrongSignature) {
      std::array<std::uint8_t, 32> other{};
      other[0] = 0xee;
      lines += ledger::CosignatureLine(*text, name_, crypto::KeyFromSeed(other), 1764460800);
    } else {
      lines += ledger::CosignatureLine(*text, name_, key_, 1764460800 + size_);
    }
    return Text(200, lines);
  }

  std::string name_;
  crypto::PrivateKey key_;
  std::string vkey_;
  crypto::SelfSignedCertificate certificate_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::atomic<Mode> mode_{Mode::kHonest};
  std::atomic<bool> stall_released_{false};
  std::atomic<int> fail_count_{0};
  std::atomic<int> fail_status_{0};
  std::atomic<int> requests_{0};
  mutable std::mutex mutex_;
  std::uint64_t size_ = 0;
  ledger::Digest root_ = ledger::EmptyTreeHash();
  std::vector<std::pair<std::uint64_t, std::uint64_t>> cosigned_;
};

class WitnessPusherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("jejak-pusher-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    database_ = "sqlite:" + (dir_ / "ledger.db").string();
    Result<std::unique_ptr<db::Store>> store = db::Store::Open({database_, LogSigner(), ""});
    ASSERT_TRUE(store.has_value());
    store_ = std::move(store).value();
    const nlohmann::json genesis = {{"kind", "genesis"},
                                    {"ledger_id", "pusher-test"},
                                    {"origin", kOrigin},
                                    {"region", "Kabupaten Uji"},
                                    {"checkpoint_key", ledger::FormatVerifierKey(ledger::VerifierOf(LogSigner()))}};
    ASSERT_TRUE(store_->Append({{Valid(genesis), "init", "", ""}}, "2026-03-01T00:00:00.000Z").has_value());
    ASSERT_TRUE(store_->Append({{Valid({{"kind", "opd"}, {"code", kOpd}, {"name", "Dinas Kesehatan"}}), "admin", "", ""}},
                               "2026-03-01T00:00:00.000Z")
                    .has_value());
  }
  void TearDown() override {
    pusher_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  // Starts the pusher on `witnesses`, with short timeouts.
  void Start(const std::vector<WitnessConfig>& witnesses, std::size_t backlog_max = 256,
             std::chrono::seconds step_timeout = 1s) {
    PusherTiming timing;
    timing.step_timeout = step_timeout;
    timing.backoff_min = 20ms;
    timing.backoff_max = 200ms;
    timing.backlog_max = backlog_max;
    Result<std::unique_ptr<WitnessPusher>> pusher = WitnessPusher::Make(
        witnesses, database_, ledger::VerifierOf(LogSigner()), metrics_,
        [this](const WitnessAlert& alert) {
          std::lock_guard<std::mutex> lock(mutex_);
          refusals_.push_back(alert);
        },
        timing);
    ASSERT_TRUE(pusher.has_value()) << pusher.error().ToString();
    pusher_ = std::move(pusher).value();
  }

  // Commits `count` expenditures one group at a time, telling the pusher each size.
  std::vector<std::uint64_t> Commit(int count) {
    std::vector<std::uint64_t> sizes;
    for (int i = 0; i < count; ++i) {
      Result<db::BatchReceipt> receipt = store_->Append(
          {{Valid(Expenditure(next_++)), "bendahara", "", ""}}, "2026-03-02T00:00:00.000Z");
      EXPECT_TRUE(receipt.has_value()) << (receipt ? "" : receipt.error().ToString());
      if (!receipt) break;
      sizes.push_back(receipt->tree_size);
      if (pusher_) pusher_->Committed(receipt->tree_size);
    }
    return sizes;
  }

  // Waits up to `limit` for `done`.
  static bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (done()) return true;
      std::this_thread::sleep_for(5ms);
    }
    return done();
  }

  WitnessStatus StatusOf(const std::string& name) const {
    for (const WitnessStatus& status : pusher_->Statuses()) {
      if (status.name == name) return status;
    }
    ADD_FAILURE() << "no status for " << name;
    return {};
  }

  fs::path dir_;
  std::string database_;
  std::unique_ptr<db::Store> store_;
  Metrics metrics_;
  std::unique_ptr<WitnessPusher> pusher_;
  std::mutex mutex_;
  std::vector<WitnessAlert> refusals_;
  int next_ = 1;
};

TEST_F(WitnessPusherTest, EveryCheckpointIsCosignedInOrderWithAProofFromTheLastOne) {
  FakeWitness witness("inspektorat.test", 1);
  const WitnessConfig config = witness.Config(dir_);
  Start({config});
  const std::vector<std::uint64_t> sizes = Commit(12);
  ASSERT_TRUE(Eventually([&]() { return witness.size() == sizes.back(); }));
  // Each checkpoint once, in order, each old size the one cosigned before it.
  const auto cosigned = witness.Cosigned();
  ASSERT_EQ(cosigned.size(), sizes.size());
  std::uint64_t previous = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    EXPECT_EQ(cosigned[i].first, previous);
    EXPECT_EQ(cosigned[i].second, sizes[i]);
    previous = sizes[i];
  }
  // Stored with each checkpoint, and each verifies with the witness's key.
  // The pusher stores the answer just after the witness moved on.
  ASSERT_TRUE(Eventually([&]() { return StatusOf("inspektorat.test").cosigned_size == sizes.back(); }));
  for (std::uint64_t size : sizes) {
    std::vector<std::string> lines = store_->Cosignatures(size).value();
    ASSERT_EQ(lines.size(), 1u) << size;  // The other name's line was ignored.
    const std::string text = ledger::OpenNote(*store_->CheckpointAt(size).value(),
                                              ledger::VerifierOf(LogSigner()))
                                 .value();
    EXPECT_TRUE(ledger::VerifyCosignatureLine(text, lines[0], config.key).has_value()) << size;
    EXPECT_EQ(pusher_->Cosigned(size), 1u);
  }
  EXPECT_EQ(store_->WitnessSize("inspektorat.test").value(), std::optional<std::uint64_t>(sizes.back()));
  const WitnessStatus status = StatusOf("inspektorat.test");
  EXPECT_EQ(status.cosigned_size, sizes.back());
  EXPECT_EQ(status.url, config.url);
  const std::string metrics = metrics_.Render(std::chrono::system_clock::now());
  EXPECT_NE(metrics.find("jejak_witness_cosignatures_total{witness=\"inspektorat.test\"} 12"),
            std::string::npos)
      << metrics;
  EXPECT_FALSE(pusher_->Alert().has_value());
}

TEST_F(WitnessPusherTest, A409TeachesTheWitnessSizeWhichIsKeptAndProvedFrom) {
  FakeWitness witness("bpk.test", 2);
  const std::vector<std::uint64_t> earlier = Commit(3);  // No pusher yet.
  // The witness cosigned size earlier[1] before (say, through another log process).
  witness.SetLatest(earlier[1], store_->TreeHash(earlier[1]).value());
  Start({witness.Config(dir_)});
  const std::vector<std::uint64_t> sizes = Commit(2);
  ASSERT_TRUE(Eventually([&]() { return witness.size() == sizes.back(); }));
  const auto cosigned = witness.Cosigned();
  ASSERT_FALSE(cosigned.empty());
  EXPECT_EQ(cosigned.front().first, earlier[1]);  // Proved from the size the 409 named.
  // Kept in the database once the pusher has stored the answer (just after the witness
  // moved on).
  EXPECT_TRUE(Eventually([&]() {
    return store_->WitnessSize("bpk.test").value() == std::optional<std::uint64_t>(sizes.back());
  }));
  EXPECT_TRUE(refusals_.empty());
}

TEST_F(WitnessPusherTest, AWitnessAheadOfTheLogIsARefusalThatRaisesTheAlarm) {
  FakeWitness witness("inspektorat.test", 1);
  const std::vector<std::uint64_t> sizes = Commit(2);
  // The witness has cosigned more than this database holds: it was rewound.
  witness.SetLatest(sizes.back() + 5, ledger::EmptyTreeHash());
  Start({witness.Config(dir_)});
  pusher_->Committed(sizes.back());
  ASSERT_TRUE(Eventually([&]() {
    std::lock_guard<std::mutex> lock(mutex_);
    return !refusals_.empty();
  }));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ASSERT_EQ(refusals_.size(), 1u);
    EXPECT_EQ(refusals_[0].witness, "inspektorat.test");
    EXPECT_NE(refusals_[0].what.find("rewound"), std::string::npos) << refusals_[0].what;
  }
  const WitnessStatus status = StatusOf("inspektorat.test");
  EXPECT_EQ(status.state, "refused");
  ASSERT_TRUE(pusher_->Alert().has_value());
  EXPECT_EQ(pusher_->Alert()->witness, "inspektorat.test");
  // Refused for good: later commits are not pushed to it.
  const int requests = witness.requests();
  Commit(2);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(witness.requests(), requests);
  EXPECT_NE(metrics_.Render(std::chrono::system_clock::now())
                .find("jejak_witness_refusals_total{witness=\"inspektorat.test\"} 1"),
            std::string::npos);
}

// A database restored from an older copy remembers the witness at the copy's size, the
// size it holds: the first push after start sends that checkpoint anyway, and the witness,
// which has cosigned more since, answers with its larger size.
TEST_F(WitnessPusherTest, AtStartTheCheckpointTheWitnessLastCosignedIsSentAgain) {
  FakeWitness witness("inspektorat.test", 1);
  const std::vector<std::uint64_t> sizes = Commit(2);
  ASSERT_TRUE(store_->RecordWitnessSize("inspektorat.test", sizes.back(), "2026-03-02T00:00:00.000Z").has_value());
  witness.SetLatest(sizes.back() + 3, ledger::EmptyTreeHash());
  Start({witness.Config(dir_)});
  pusher_->Committed(sizes.back());
  ASSERT_TRUE(Eventually([&]() { return StatusOf("inspektorat.test").state == "refused"; }));
  EXPECT_NE(pusher_->Alert()->what.find("rewound"), std::string::npos);
}

// When the witness is where the database says, that probe is cosigned again, and nothing
// is stored twice.
TEST_F(WitnessPusherTest, AProbeOfTheSameCheckpointIsCosignedAgain) {
  FakeWitness witness("inspektorat.test", 1);
  Start({witness.Config(dir_)});
  const std::vector<std::uint64_t> sizes = Commit(1);
  ASSERT_TRUE(Eventually([&]() { return StatusOf("inspektorat.test").state == "ok"; }));
  pusher_.reset();  // A restart.
  Start({witness.Config(dir_)});
  pusher_->Committed(sizes.back());
  ASSERT_TRUE(Eventually([&]() { return witness.Cosigned().size() == 2; }));
  EXPECT_EQ(witness.Cosigned().back(), std::make_pair(sizes.back(), sizes.back()));
  ASSERT_TRUE(Eventually([&]() { return StatusOf("inspektorat.test").state == "ok"; }));
  EXPECT_EQ(store_->Cosignatures(sizes.back()).value().size(), 1u);
  EXPECT_FALSE(pusher_->Alert().has_value());
}

// A 409 naming the log's newest size: that checkpoint is then sent with old size S and no
// proof, so the witness's cosignature of it is stored (and shown, and counted).
TEST_F(WitnessPusherTest, A409NamingTheNewestSizeStillGetsItsCosignature) {
  FakeWitness witness("inspektorat.test", 1);
  const std::vector<std::uint64_t> sizes = Commit(2);
  // It cosigned the newest checkpoint through another path; this database does not know.
  witness.SetLatest(sizes.back(), store_->TreeHash(sizes.back()).value());
  Start({witness.Config(dir_)});
  pusher_->Committed(sizes.back());
  ASSERT_TRUE(Eventually([&]() { return store_->Cosignatures(sizes.back()).value().size() == 1; }));
  EXPECT_EQ(witness.Cosigned().back(), std::make_pair(sizes.back(), sizes.back()));
  EXPECT_EQ(pusher_->Cosigned(sizes.back()), 1u);
  ASSERT_TRUE(Eventually([&]() { return StatusOf("inspektorat.test").state == "ok"; }));
  EXPECT_FALSE(pusher_->Alert().has_value());
}

// A witness holding another tree of the log's newest size is caught without a further
// append: after its 409 the same-size comparison gets its 422.
TEST_F(WitnessPusherTest, A409NamingTheNewestSizeOfAForkIsARefusalAtOnce) {
  FakeWitness witness("inspektorat.test", 1);
  const std::vector<std::uint64_t> sizes = Commit(1);
  ledger::Digest other{};
  other.fill(0x42);
  witness.SetLatest(sizes.back(), other);
  Start({witness.Config(dir_)});
  pusher_->Committed(sizes.back());  // No later commit.
  ASSERT_TRUE(Eventually([&]() { return StatusOf("inspektorat.test").state == "refused"; }));
  ASSERT_TRUE(pusher_->Alert().has_value());
  EXPECT_NE(pusher_->Alert()->what.find("422"), std::string::npos) << pusher_->Alert()->what;
}

// A waiter on the newest size a 409 named is not given up on: the resend cosigns it.
TEST_F(WitnessPusherTest, WaitingOnASizeA409NamedGetsTheCosignature) {
  FakeWitness witness("inspektorat.test", 1);
  const std::vector<std::uint64_t> sizes = Commit(1);
  witness.SetLatest(sizes.back(), store_->TreeHash(sizes.back()).value());
  witness.FailNext(2, 503);  // Slow to start, so the wait begins before the 409.
  Start({witness.Config(dir_)});
  std::promise<std::size_t> done;
  pusher_->WhenCosigned(sizes.back(), 1, std::chrono::steady_clock::now() + 5s,
                        [&done](std::size_t count, std::string) { done.set_value(count); });
  pusher_->Committed(sizes.back());
  auto counted = done.get_future();
  ASSERT_EQ(counted.wait_for(8s), std::future_status::ready);
  EXPECT_EQ(counted.get(), 1u);
}

// Sizes this process does not remember (here: cosigned before a restart) are counted from
// the stored lines of configured witnesses.
TEST_F(WitnessPusherTest, CosignedFallsBackToTheStoredLinesAfterARestart) {
  FakeWitness witness("inspektorat.test", 1);
  Start({witness.Config(dir_)});
  const std::vector<std::uint64_t> sizes = Commit(3);
  ASSERT_TRUE(Eventually([&]() { return store_->Cosignatures(sizes.back()).value().size() == 1; }));
  std::string before;
  ASSERT_EQ(pusher_->Cosigned(sizes[0], &before), 1u);
  pusher_.reset();  // A restart; the witness is down now.
  witness.FailNext(1000000, 503);
  Start({witness.Config(dir_)});
  pusher_->Committed(sizes.back());
  std::string lines;
  EXPECT_EQ(pusher_->Cosigned(sizes[0], &lines), 1u);
  EXPECT_EQ(lines, before);
  // (The newest size once the witness's thread has read what the database knows of it.)
  EXPECT_TRUE(Eventually([&]() { return pusher_->Cosigned(sizes.back()) == 1u; }));
  // Only configured witnesses count: a stored line by another name does not.
  ASSERT_TRUE(store_->AddCosignature(sizes[1], "dprd.test", "\xe2\x80\x94 dprd.test AAAAAAAA\n").has_value());
  EXPECT_EQ(pusher_->Cosigned(sizes[1]), 1u);
}

// Stop() cancels an exchange in flight: a witness that accepts and never answers does not
// hold it for the step timeout.
TEST_F(WitnessPusherTest, StopIsPromptWhileAWitnessNeverAnswers) {
  FakeWitness witness("lambat.test", 3);
  witness.SetMode(FakeWitness::Mode::kStall);  // Answers after 5 s at the earliest.
  Start({witness.Config(dir_)}, 256, 10s);
  Commit(1);
  ASSERT_TRUE(Eventually([&]() { return witness.requests() > 0; }));
  std::this_thread::sleep_for(100ms);  // In the read now.
  const auto started = std::chrono::steady_clock::now();
  pusher_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_NE(StatusOf("lambat.test").state, "unreachable");  // A stop is not the witness's doing.
}

TEST_F(WitnessPusherTest, A422IsARefusal) {
  FakeWitness witness("inspektorat.test", 1);
  witness.SetMode(FakeWitness::Mode::kAlways422);
  Start({witness.Config(dir_)});
  Commit(1);
  ASSERT_TRUE(Eventually([&]() { return StatusOf("inspektorat.test").state == "refused"; }));
  std::lock_guard<std::mutex> lock(mutex_);
  ASSERT_EQ(refusals_.size(), 1u);
  EXPECT_NE(refusals_[0].what.find("422"), std::string::npos) << refusals_[0].what;
}

TEST_F(WitnessPusherTest, AForkOfTheSameSizeIsARefusal) {
  FakeWitness witness("inspektorat.test", 1);
  const std::vector<std::uint64_t> sizes = Commit(1);
  ledger::Digest other{};
  other.fill(0x42);
  witness.SetLatest(sizes.back(), other);  // It cosigned another tree of this size.
  Start({witness.Config(dir_)});
  pusher_->Committed(sizes.back());
  Commit(1);
  ASSERT_TRUE(Eventually([&]() { return StatusOf("inspektorat.test").state == "refused"; }));
  EXPECT_TRUE(pusher_->Alert().has_value());
}

TEST_F(WitnessPusherTest, ErrorsAreUnreachableAndRetriedNotAlarms) {
  FakeWitness witness("inspektorat.test", 1);
  witness.FailNext(3, 503);
  Start({witness.Config(dir_)});
  const std::vector<std::uint64_t> sizes = Commit(1);
  ASSERT_TRUE(Eventually([&]() { return StatusOf("inspektorat.test").state == "unreachable"; }));
  EXPECT_NE(StatusOf("inspektorat.test").detail.find("HTTP 503"), std::string::npos)
      << StatusOf("inspektorat.test").detail;
  ASSERT_TRUE(Eventually([&]() { return witness.size() == sizes.back(); }));
  ASSERT_TRUE(Eventually([&]() { return StatusOf("inspektorat.test").state == "ok"; }));
  EXPECT_GE(witness.requests(), 4);
  EXPECT_FALSE(pusher_->Alert().has_value());
  // 404 (an origin it does not know) and a bad cosignature are not alarms either.
  witness.SetMode(FakeWitness::Mode::kAlways404);
  Commit(1);
  ASSERT_TRUE(Eventually([&]() { return StatusOf("inspektorat.test").detail.find("HTTP 404") != std::string::npos; }));
  EXPECT_EQ(StatusOf("inspektorat.test").state, "unreachable");
  witness.SetMode(FakeWitness::Mode::kWrongSignature);
  ASSERT_TRUE(Eventually([&]() {
    return StatusOf("inspektorat.test").detail.find("does not verify") != std::string::npos;
  }));
  EXPECT_FALSE(pusher_->Alert().has_value());
  std::lock_guard<std::mutex> lock(mutex_);
  EXPECT_TRUE(refusals_.empty());
}

TEST_F(WitnessPusherTest, ANetworkErrorIsUnreachableWithADetail) {
  WitnessConfig nowhere = FakeWitness("inspektorat.test", 1).Config(dir_);  // Stopped: port closed.
  Start({nowhere});
  Commit(1);
  ASSERT_TRUE(Eventually([&]() { return StatusOf("inspektorat.test").state == "unreachable"; }));
  EXPECT_NE(StatusOf("inspektorat.test").detail.find("network error"), std::string::npos)
      << StatusOf("inspektorat.test").detail;
}

TEST_F(WitnessPusherTest, AStalledWitnessNeverDelaysAnother) {
  FakeWitness slow("lambat.test", 3);
  FakeWitness quick("cepat.test", 4);
  slow.SetMode(FakeWitness::Mode::kStall);
  Start({slow.Config(dir_), quick.Config(dir_)});
  const auto started = std::chrono::steady_clock::now();
  const std::vector<std::uint64_t> sizes = Commit(5);
  ASSERT_TRUE(Eventually([&]() { return quick.size() == sizes.back(); }, 3s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 900ms);  // Under the stall's timeout.
  EXPECT_EQ(quick.Cosigned().size(), sizes.size());
  EXPECT_EQ(slow.size(), 0u);
}

TEST_F(WitnessPusherTest, WaitingEndsAtTheQuorumOrTheDeadline) {
  FakeWitness one("satu.test", 5);
  FakeWitness stalled("dua.test", 6);
  stalled.SetMode(FakeWitness::Mode::kStall);
  Start({one.Config(dir_), stalled.Config(dir_)});
  const std::vector<std::uint64_t> sizes = Commit(1);
  std::promise<std::pair<std::size_t, std::string>> first;
  pusher_->WhenCosigned(sizes.back(), 1, std::chrono::steady_clock::now() + 5s,
                        [&first](std::size_t cosigned, std::string lines) {
                          first.set_value({cosigned, std::move(lines)});
                        });
  auto got = first.get_future();
  ASSERT_EQ(got.wait_for(3s), std::future_status::ready);
  const auto [cosigned, lines] = got.get();
  EXPECT_EQ(cosigned, 1u);
  EXPECT_EQ(lines.rfind("\xe2\x80\x94 satu.test ", 0), 0u) << lines;
  // Two cannot be reached while one stalls: the deadline ends the wait.
  std::promise<std::size_t> second;
  const auto asked = std::chrono::steady_clock::now();
  pusher_->WhenCosigned(sizes.back(), 2, asked + 300ms,
                        [&second](std::size_t count, std::string) { second.set_value(count); });
  auto counted = second.get_future();
  ASSERT_EQ(counted.wait_for(3s), std::future_status::ready);
  EXPECT_EQ(counted.get(), 1u);
  EXPECT_GE(std::chrono::steady_clock::now() - asked, 290ms);
}

TEST_F(WitnessPusherTest, AWitnessFarBehindSkipsToTheNewest) {
  FakeWitness witness("inspektorat.test", 1);
  witness.FailNext(1000000, 503);  // Down for now.
  Start({witness.Config(dir_)}, 4);
  const std::vector<std::uint64_t> sizes = Commit(10);
  ASSERT_TRUE(Eventually([&]() { return witness.requests() > 0; }));
  witness.FailNext(0, 503);  // Back.
  ASSERT_TRUE(Eventually([&]() { return witness.size() == sizes.back(); }));
  // It did not walk through all ten: the backlog was cut to the newest.
  EXPECT_LT(witness.Cosigned().size(), sizes.size());
}

// How many checkpoints per second one witness round trip sustains (keep-alive TLS, a
// consistency proof, a verified and stored cosignature each): printed, and at least a
// modest floor so that a regression to one connection per checkpoint shows.
TEST_F(WitnessPusherTest, ThroughputOfOneWitness) {
  FakeWitness witness("inspektorat.test", 1);
  Start({witness.Config(dir_)});
  Commit(1);
  ASSERT_TRUE(Eventually([&]() { return witness.size() > 0; }));
  // Commit first, without the pusher knowing, then time only the pushes.
  std::unique_ptr<WitnessPusher> paused = std::move(pusher_);
  const std::vector<std::uint64_t> sizes = Commit(200);
  pusher_ = std::move(paused);
  const auto started = std::chrono::steady_clock::now();
  for (std::uint64_t size : sizes) pusher_->Committed(size);
  ASSERT_TRUE(Eventually([&]() { return witness.size() == sizes.back(); }, 60s));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double rate = static_cast<double>(sizes.size()) / seconds;
  std::printf("witness pusher: %zu checkpoints in %.3f s, %.0f checkpoints/s\n", sizes.size(), seconds, rate);
  EXPECT_EQ(witness.Cosigned().size(), sizes.size() + 1);
  EXPECT_GT(rate, 20.0);
}

}  // namespace
}  // namespace jejak::server
