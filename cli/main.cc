// The jejak binary: the subcommands are dispatched by cli/commands.cc.
#include <sys/stat.h>

#include "cli/commands.h"

int main(int argc, char** argv) {
  // Everything jejak creates (the data directory, the database with its WAL and SHM, keys,
  // config, the kept checkpoint, exports) is its owner's alone, whatever the caller's
  // umask: payee accounts and NPWPs must not be readable by other local users.
  ::umask(077);
  return jejak::cli::RunCli(argc, argv);
}
