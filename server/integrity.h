// What GET /v1/integrity adds to the checkpoint and verification state for the dashboard:
// how old the newest checkpoint is (and whether it is older than the configured
// checkpoint_stale_after_seconds), and which fiscal years the ledger holds with the year a
// screen should open on. Pure; the handler reads the store and the clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "db/store.h"

namespace jejak::server {

// Seconds since 1970-01-01T00:00:00Z of an RFC 3339 UTC time as the ledger writes them
// ("YYYY-MM-DDTHH:MM:SS.mmmZ", the fraction optional; a fraction is dropped), or nullopt
// for any other text or an impossible date or time.
std::optional<std::int64_t> UnixSeconds(std::string_view rfc3339);

struct CheckpointAge {
  std::int64_t seconds = 0;  // now - the checkpoint's time, floored; 0 if the time is ahead.
  bool stale = false;        // seconds > stale_after_seconds.
};

// The age of a checkpoint stamped `checkpoint_time` at `now` (both RFC 3339 UTC, as
// UnixSeconds reads them). A checkpoint time ahead of `now` (a clock set back) counts as
// age 0. nullopt if either time does not parse.
std::optional<CheckpointAge> AgeOf(std::string_view checkpoint_time, std::string_view now,
                                   std::int64_t stale_after_seconds);

// The fiscal year a screen opens on: the newest year with budget lines; without any, the
// year with the most expenditures (the newer on a tie); nullopt when `years` is empty.
// `years` as db::Store::FiscalYears gives them (any order).
std::optional<std::int64_t> DefaultFiscalYear(const std::vector<db::FiscalYearCounts>& years);

}  // namespace jejak::server
