// The checkpoint age and the default fiscal year of GET /v1/integrity (server/integrity.h).
#include "server/integrity.h"

#include <chrono>

namespace jejak::server {
namespace {

// The number of `length` digits at `from`, or -1 if one is not a digit.
int Digits(std::string_view text, std::size_t from, std::size_t length) {
  int value = 0;
  for (std::size_t i = from; i < from + length; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::optional<std::int64_t> UnixSeconds(std::string_view text) {
  // "YYYY-MM-DDTHH:MM:SS" then an optional ".f..." then "Z".
  if (text.size() < 20 || text.back() != 'Z') return std::nullopt;
  if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  const std::string_view rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest.size() < 2 || rest[0] != '.' || Digits(rest, 1, rest.size() - 1) < 0) return std::nullopt;
  }
  const int year = Digits(text, 0, 4), month = Digits(text, 5, 2), day = Digits(text, 8, 2);
  const int hour = Digits(text, 11, 2), minute = Digits(text, 14, 2), second = Digits(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
      second < 0 || second > 59) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  const auto days = std::chrono::sys_days{date}.time_since_epoch().count();
  return static_cast<std::int64_t>(days) * 86400 + hour * 3600 + minute * 60 + second;
}

std::optional<CheckpointAge> AgeOf(std::string_view checkpoint_time, std::string_view now,
                                   std::int64_t stale_after_seconds) {
  const std::optional<std::int64_t> then = UnixSeconds(checkpoint_time);
  const std::optional<std::int64_t> at = UnixSeconds(now);
  if (!then || !at) return std::nullopt;
  CheckpointAge age;
  age.seconds = *at > *then ? *at - *then : 0;
  age.stale = age.seconds > stale_after_seconds;
  return age;
}

std::optional<std::int64_t> DefaultFiscalYear(const std::vector<db::FiscalYearCounts>& years) {
  std::optional<std::int64_t> budgeted;
  const db::FiscalYearCounts* busiest = nullptr;
  for (const db::FiscalYearCounts& year : years) {
    if (year.budget_lines > 0 && (!budgeted || year.fiscal_year > *budgeted)) budgeted = year.fiscal_year;
    if (busiest == nullptr || year.expenditures > busiest->expenditures ||
        (year.expenditures == busiest->expenditures && year.fiscal_year > busiest->fiscal_year)) {
      busiest = &year;
    }
  }
  if (budgeted) return budgeted;
  if (busiest != nullptr) return busiest->fiscal_year;
  return std::nullopt;
}

}  // namespace jejak::server
