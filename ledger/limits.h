// Named limits of the ledger domain, each with its reason. The server's limits build on
// these (a request body must be able to hold a maximal entry).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

namespace jejak::ledger {

// A real expenditure is under 2 KiB canonical; 64 KiB leaves room for long descriptions.
inline constexpr std::size_t kEntryBytesMax = 64 * 1024;
// Nesting deeper than this is an attack, not an expenditure.
inline constexpr int kJsonDepthMax = 16;
// DESIGN allows 16 integer digits of rupiah, so below 10^18 sen. One amount always fits
// int64 (about 9.2 * 10^18); ten maximal ones do not, so totals use CheckedAdd().
inline constexpr std::int64_t kMoneySenMax = 999'999'999'999'999'999;
static_assert(kMoneySenMax <= std::numeric_limits<std::int64_t>::max() / 9);
// A rule of the format (ledger/totals.h): for each fiscal year, the gross of every
// expenditure recorded (reversed or not), the pagu of every budget entry, the RAK of every
// budget entry and the amount of every tax deposit each add up to at most this. It is the
// largest single amount, Rp 9.999.999.999.999.999,99: about twice what Indonesia's state
// and all regional budgets spend in a year together, so no real ledger comes near it. Every
// aggregate, total and summary of a fiscal year is a sum of these (or of their negations,
// for reversals), so with nine times headroom in int64 no sum of a year can overflow.
inline constexpr std::int64_t kYearTotalSenMax = kMoneySenMax;
static_assert(kYearTotalSenMax <= std::numeric_limits<std::int64_t>::max() / 9);
// Free-text fields (names, descriptions, reasons).
inline constexpr std::size_t kTextBytesMax = 1024;
// Short identifiers (bank refs, document numbers, account numbers).
inline constexpr std::size_t kIdentifierBytesMax = 64;
// An expenditure carries at most a handful of taxes; a deposit covers at most this many.
inline constexpr std::size_t kTaxesMax = 16;
inline constexpr std::size_t kCoversMax = 1000;
// A page of entries.
inline constexpr std::size_t kPageEntriesMax = 1000;
// Fiscal years a regency can plausibly record.
inline constexpr std::int64_t kFiscalYearMin = 2000;
inline constexpr std::int64_t kFiscalYearMax = 2100;

}  // namespace jejak::ledger
