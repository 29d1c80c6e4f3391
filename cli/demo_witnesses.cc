// `jejak demo`'s two witnesses (cli/demo_witnesses.h): made once under DIR/witnesses with
// `jejak witness-init`, run as `jejak witness` children on free loopback ports, and
// pushed to by the served ledger like any configured witness.
#include "cli/demo_witnesses.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/files.h"
#include "cli/witness_commands.h"
#include "ledger/cosignature.h"

namespace jejak::cli {
namespace {

namespace fs = std::filesystem;

struct DemoWitness {
  const char* directory;  // Under DIR/witnesses.
  const char* name;       // Its key name.
  const char* label;      // For the console.
};

constexpr DemoWitness kDemoWitnesses[] = {
    {"inspektorat", "inspektorat.contoh-lestari.go.id/saksi", "Inspektorat Daerah"},
    {"bpk", "bpk-perwakilan.go.id/saksi", "BPK Perwakilan"},
};

constexpr std::size_t kVkeyBytesMax = 4096;
constexpr std::size_t kConfigBytesMax = 1 << 20;

// A loopback port free now (the witness binds it a moment later; the pusher retries if
// another process took it meanwhile).
std::optional<std::uint16_t> FreeLoopbackPort() {
  const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  if (probe < 0) return std::nullopt;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  std::optional<std::uint16_t> port;
  if (::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(probe);
  return port;
}

// Makes the witness's directory once (witness-init), and trusts the demo ledger's key in
// it unless it does already (a demo stopped between the two steps finishes the second).
std::optional<Failure> MakeWitness(const fs::path& dir, const DemoWitness& witness,
                                   const server::Config& config, const std::string& log_vkey) {
  const fs::path conf_path = dir / "witness.conf";
  if (!fs::exists(conf_path)) {
    std::error_code ec;
    fs::create_directories(dir.parent_path(), ec);
    if (ec) return Failure{kExitUsage, "cannot create " + dir.parent_path().string() + ": " + ec.message()};
    std::printf("witness %s: ", witness.label);
    std::fflush(stdout);
    Args init;
    init.flags = {{"data", dir.string()}, {"name", witness.name}};
    if (int code = WitnessInit(init); code != kExitOk) {
      return Failure{code, std::string("cannot make the witness ") + witness.label};
    }
  }
  const std::string log_line = "log = " + config.origin + " " + log_vkey + "\n";
  const std::optional<std::string> text = ReadFile(conf_path.string(), kConfigBytesMax);
  if (!text) return Failure{kExitUsage, "cannot read " + conf_path.string()};
  if (text->find(log_line) != std::string::npos) return std::nullopt;
  std::ofstream conf(conf_path, std::ios::app);
  conf << "# The demo ledger this witness holds to its history.\n"
       << log_line;
  conf.close();
  if (!conf) return Failure{kExitUsage, "cannot write " + conf_path.string()};
  return std::nullopt;
}

}  // namespace

DemoWitnesses::~DemoWitnesses() {
  for (pid_t child : children_) ::kill(child, SIGTERM);
  for (pid_t child : children_) {
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

std::optional<Failure> DemoWitnesses::Start(server::Config& config) {
  const std::optional<std::string> log_vkey = ReadFile(config.checkpoint_vkey, kVkeyBytesMax);
  if (!log_vkey) return Failure{kExitUsage, "cannot read " + config.checkpoint_vkey};
  std::string trimmed = *log_vkey;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.pop_back();
  for (const DemoWitness& witness : kDemoWitnesses) {
    const fs::path dir = fs::path(config.data_dir) / "witnesses" / witness.directory;
    if (std::optional<Failure> failed = MakeWitness(dir, witness, config, trimmed)) return failed;
    const std::optional<std::string> vkey = ReadFile((dir / "keys" / "witness.vkey").string(), kVkeyBytesMax);
    std::string line = vkey.value_or("");
    while (!line.empty() && line.back() == '\n') line.pop_back();
    const std::optional<ledger::CosignerKey> key = ledger::ParseCosignerKey(line);
    if (!key) return Failure{kExitUsage, "no cosigner key in " + (dir / "keys" / "witness.vkey").string()};
    const std::optional<std::uint16_t> port = FreeLoopbackPort();
    if (!port) return Failure{kExitUsage, "no free loopback port for the witness " + std::string(witness.label)};
    const std::string listen = "127.0.0.1:" + std::to_string(*port);
    const std::string data = dir.string();
    const std::string log = (dir / "witness.log").string();
    // Everything the child needs is built before fork: after it, only exec and system calls.
    const char* argv[] = {"jejak", "witness", "--data", data.c_str(), "--listen", listen.c_str(), nullptr};
    const pid_t parent = ::getpid();
    const pid_t child = ::fork();
    if (child < 0) return Failure{kExitUsage, "cannot start the witness " + std::string(witness.label)};
    if (child == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // Dies with the demo, however the demo ends.
      if (::getppid() != parent) ::_exit(1);
      const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (out >= 0) {
        ::dup2(out, STDOUT_FILENO);
        ::dup2(out, STDERR_FILENO);
      }
      ::execv("/proc/self/exe", const_cast<char* const*>(argv));
      ::_exit(127);
    }
    children_.push_back(child);
    server::WitnessConfig pushed;
    pushed.vkey = line;
    pushed.key = *key;
    pushed.url = "https://" + listen;
    pushed.ca_file = (dir / "tls" / "cert.pem").string();
    config.witnesses.push_back(std::move(pushed));
    std::printf("witness %s: https://%s (log %s)\n", witness.label, listen.c_str(), log.c_str());
  }
  config.witness_quorum = config.witnesses.size();
  return std::nullopt;
}

}  // namespace jejak::cli
