// The server's clock, in the form the ledger stamps: RFC 3339 UTC with milliseconds. The
// ledger itself never reads a clock; the CLI and the service pass these times in.
#pragma once

#include <string>

namespace jejak::server {

// Now, e.g. "2026-01-31T08:00:00.123Z".
std::string NowRfc3339();

}  // namespace jejak::server
