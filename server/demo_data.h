// The sample regency that `jejak demo` records (ops/demo/*.ndjson, compiled in): OPDs and
// budgets, a month of payments on every instrument, and corrections (a reversal and tax
// deposits). NDJSON, one client body per line.
#pragma once

#include <string_view>

namespace jejak::server {

std::string_view DemoRegistry();      // Recorded by the admin.
std::string_view DemoExpenditures();  // Recorded by the health office's officer.
std::string_view DemoCorrections();   // Likewise.

}  // namespace jejak::server
