// The HTTPS service's named limits: the defaults the config starts from and the bounds the
// service holds to whatever the config says. Each says why it has its value; relations with
// the ledger's own limits (ledger/limits.h) are checked at compile time. The config file
// (server/config.h) may change the defaults within the ranges LoadConfig enforces.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "ledger/limits.h"

namespace jejak::server {

// A request body carries one entry; 64 KiB is the largest canonical entry the ledger takes,
// so the default body limit never refuses an entry the ledger would accept.
inline constexpr std::size_t kRequestBodyBytesDefault = 64 * 1024;
static_assert(kRequestBodyBytesDefault >= ledger::kEntryBytesMax);
// The configured body limit may not go below an entry's size (every valid entry must fit)
// nor above this: a single request is never worth more memory than 16 MiB.
inline constexpr std::size_t kRequestBodyBytesMin = ledger::kEntryBytesMax;
inline constexpr std::size_t kRequestBodyBytesMax = 16 * 1024 * 1024;
static_assert(kRequestBodyBytesMin <= kRequestBodyBytesDefault);
static_assert(kRequestBodyBytesDefault <= kRequestBodyBytesMax);

// POST /v1/imports takes a whole CSV or XLSX file: tens of thousands of rows are a few
// megabytes. Its own limit (import_body_max_bytes) applies to that route only; it may be
// raised to 64 MiB, never more (the file, its table and its entries are all in memory).
inline constexpr std::size_t kImportBodyBytesDefault = 16 * 1024 * 1024;
inline constexpr std::size_t kImportBodyBytesMax = 64 * 1024 * 1024;
static_assert(kRequestBodyBytesMin <= kImportBodyBytesDefault);
static_assert(kImportBodyBytesDefault <= kImportBodyBytesMax);
// POST /v1/bank-statements takes a statement file: a month of an RKUD statement runs to
// megabytes. Its own limit (bank_statement_body_max_bytes) applies to that route only; the
// file, its parsed lines and the entry's JSON are all in memory, so at most 128 MiB.
inline constexpr std::size_t kBankStatementBodyBytesDefault = 50 * 1024 * 1024;
inline constexpr std::size_t kBankStatementBodyBytesMax = 128 * 1024 * 1024;
static_assert(kRequestBodyBytesMin <= kBankStatementBodyBytesDefault);
static_assert(kBankStatementBodyBytesDefault <= kBankStatementBodyBytesMax);
// Data rows of one import (import_rows_max): a year of an OPD's payments fits with room.
inline constexpr std::size_t kImportRowsDefault = 100000;
inline constexpr std::size_t kImportRowsMax = 1000000;

// A bearer token (at most 8 KiB, server/auth.h) plus the usual headers fit with room.
inline constexpr std::size_t kRequestHeaderBytesDefault = 16 * 1024;

// A TLS handshake finishes in a few round trips; a client that takes longer holds a socket
// for nothing.
inline constexpr std::chrono::seconds kHandshakeTimeoutDefault{5};
// Reading one whole request and writing its answer, trickled bytes included.
inline constexpr std::chrono::seconds kRequestTimeoutDefault{10};
// A kept-alive connection waiting for its next request.
inline constexpr std::chrono::seconds kIdleTimeoutDefault{30};
// The whole ledger is verified at start-up and then this often: an edit behind the
// server's back is found within the hour.
inline constexpr std::chrono::minutes kVerifyIntervalDefault{60};
// A request waits this long for a running whole-ledger verification before it is told to
// retry (503).
inline constexpr std::chrono::seconds kVerifyWaitMax{30};

// An Idempotency-Key longer than this is not a key.
inline constexpr std::size_t kIdempotencyKeyBytesMax = 128;
// Query strings longer than this are refused before parsing.
inline constexpr std::size_t kQueryBytesMax = 4096;
// GET /v1/entries without `limit`: a page a dashboard shows at once.
inline constexpr std::size_t kPageEntriesDefault = 100;
static_assert(kPageEntriesDefault <= ledger::kPageEntriesMax);
// A findings count lists at most this many of the seqs behind it.
inline constexpr std::size_t kDrillDownSeqsMax = 500;
// A finding in GET /v1/audit/findings lists its first this many seqs (with seq_count, the
// total): a bulk-loaded year's finding may stand on 10^5 seqs, which
// GET /v1/audit/findings/{id} pages through.
inline constexpr std::size_t kFindingSeqsListed = 100;
// Pages of GET /v1/audit/findings/{id}: the default and the largest `limit`.
inline constexpr std::int64_t kFindingSeqPageDefault = 100;
inline constexpr std::int64_t kFindingSeqPageMax = 1000;

}  // namespace jejak::server
