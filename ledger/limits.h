// Named limits of the ledger domain, each with its reason. The server's limits build on
// these (a request body must be able to hold a maximal entry).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

namespace jejak::ledger {

// A real expenditure is under 2 KiB canonical; 64 KiB leaves room for long descriptions.
// Every kind but bank_statement, and every request body's JSON (ParseStrict's default).
inline constexpr std::size_t kEntryBytesMax = 64 * 1024;
// A bank statement (kind bank_statement) holds up to kStatementLinesMax lines; a line of a
// real statement (reference, counter account and name, a description, running balance) is
// about 360 bytes canonical, so a 100,000-line statement is about 36 MB (35,776,195 bytes
// for tests/db/bank_statement_size_test.cc's). 64 MiB holds it with room for longer texts;
// a statement past it (lines of very long texts) is refused as any entry past its limit.
inline constexpr std::size_t kStatementEntryBytesMax = 64 * 1024 * 1024;
// The largest stored entry of any kind: what readers of stored entries (the store, the
// verifier, bundles, import) accept before they know the kind. The kind's own limit
// (EntryBytesMaxOfKind) is enforced where the kind is known: the append, the verifier.
inline constexpr std::size_t kStoredEntryBytesMax = kStatementEntryBytesMax;
static_assert(kStoredEntryBytesMax >= kEntryBytesMax);
// The limit of a stored entry of kind `kind` (a KindName): kStatementEntryBytesMax for
// "bank_statement", kEntryBytesMax for every other kind.
constexpr std::size_t EntryBytesMaxOfKind(std::string_view kind) {
  return kind == "bank_statement" ? kStatementEntryBytesMax : kEntryBytesMax;
}
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
