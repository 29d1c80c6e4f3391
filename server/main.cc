// The jejak binary: every subcommand lives in server/cli.cc.
#include "server/cli.h"

int main(int argc, char** argv) { return jejak::server::RunCli(argc, argv); }
