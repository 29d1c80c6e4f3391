// The demo's two witnesses: `jejak demo` makes (once) and runs two `jejak witness`
// children on free loopback ports, the Inspektorat and BPK Perwakilan, each trusting the
// demo ledger's key, and lists them in the served config so that a newcomer sees every
// checkpoint cosigned. The children die with the demo.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

#include "cli/exit_codes.h"
#include "server/config.h"

namespace jejak::cli {

class DemoWitnesses {
 public:
  DemoWitnesses() = default;
  ~DemoWitnesses();  // Stops the children (SIGTERM, then waits).
  DemoWitnesses(const DemoWitnesses&) = delete;
  DemoWitnesses& operator=(const DemoWitnesses&) = delete;

  // Makes DIR/witnesses/<name> for each witness if it is not there (witness-init, then a
  // `log =` line for `config`'s origin and key), starts each as a child on a free loopback
  // port, and adds it to `config.witnesses` with quorum 2. A Failure if a witness cannot
  // be made or started; then no child is left running.
  std::optional<Failure> Start(server::Config& config);

 private:
  std::vector<pid_t> children_;
};

}  // namespace jejak::cli
