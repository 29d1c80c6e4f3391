// Audit workpapers (kertas kerja pemeriksaan) for BPK: one fiscal year of the ledger as an
// XLSX workbook (libxlsxwriter) with the sheets Ringkasan, Transaksi, Realisasi, Pajak and
// Temuan, or one of those sheets as RFC 4180 CSV. Serves GET /v1/export/workpapers.
// Every export is computed over the ledger's first tree_size entries and names that tree
// (and its signed checkpoint, if a commit ended there), so that an auditor can reproduce it
// and tie each number to the inclusion and consistency proofs of that tree size. This file
// gathers from the store; ledger/workpapers.h computes the sheets and
// server/workpapers_render.h (included here, so one include serves the handler) writes them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "db/store.h"
#include "ledger/audit.h"
#include "ledger/note.h"
#include "ledger/workpapers.h"
#include "server/workpapers_render.h"

namespace jejak::server {

// An XLSX sheet holds 1,048,576 rows; Transaksi spends two on its checkpoint line and its
// header. A regency records ~10^5 expenditures a year, so this refuses only a roll-up of
// many regions, which should be exported per region. Gathering holds about 1 KiB per
// expenditure, so an export at the limit needs about 1 GiB: run one export at a time.
inline constexpr std::size_t kWorkpaperExpendituresMax = 1'048'000;
static_assert(kWorkpaperExpendituresMax + 2 <= 1'048'576);

// The domain types live in ledger/workpapers.h; these names keep the handler's and the
// tests' spelling.
using ledger::kWorkpaperTaxTypes;
using WorkpaperCheckpoint = ledger::WorkpaperCheckpoint;
using WorkpaperExpenditure = ledger::WorkpaperExpenditure;
using WorkpaperRealisation = ledger::WorkpaperRealisation;
using WorkpaperTax = ledger::WorkpaperTax;
using WorkpaperAdjustment = ledger::WorkpaperAdjustment;
using WorkpaperData = ledger::WorkpaperData;

struct WorkpaperRequest {
  std::int64_t fiscal_year = 0;
  // The position date ("2026-12-31", as the handler resolves it with ResolveReportScope),
  // or an RFC 3339 UTC time ("2026-12-31T08:00:00.000Z"), shown as given. Its date is the
  // as_of of the budgets in force, of realisation (value dates up to it) and of the tax
  // deadlines, as in GET /v1/summary/absorption and GET /v1/audit/findings.
  std::string as_of;
  // The region's name for Ringkasan; empty takes the genesis entry's `region`.
  std::string region;
  // The export covers the ledger's first tree_size entries (1 to the ledger's size; the
  // handler resolves it with ResolveReportScope): the same tree_size and as_of give the
  // same workpapers however the ledger grows.
  std::uint64_t tree_size = 0;
  // The configured audit thresholds. Must be non-null and outlive the call.
  const ledger::AuditRules* rules = nullptr;
  // The pinned checkpoint key: the checkpoint the export is computed at must verify.
  ledger::NoteVerifier verifier;
};

// Reads what one export needs over the first request.tree_size entries: the audit facts
// of the whole year from db::Store::AuditInputs bounded by that size (so a later reversal,
// budget or OPD entry changes nothing), and the Transaksi fields no store column holds from
// the entries with seq < tree_size. If a commit ended at exactly tree_size, verifies its
// stored checkpoint with `request.verifier`, its origin against the genesis entry, its
// root against the stored Merkle nodes and its chain hash against the last covered entry;
// otherwise names the stored tree's root and chain hash and marks the export as having no
// signed checkpoint of that size. Then computes the sheets with ledger::ComputeWorkpapers.
// Errors: kInvalidArgument for a bad fiscal year, as_of or tree_size; kNotFound for an
// empty ledger; kTooLarge for more than kWorkpaperExpendituresMax expenditures;
// kDataLoss if the checkpoint or a stored entry does not verify or parse, or an
// expenditure's entry does not match the store's columns; kUnavailable
// from the store. `store` is used only during the call (not thread-safe: the caller's).
Result<WorkpaperData> GatherWorkpapers(db::Store& store, const WorkpaperRequest& request);

// On destruction, gives the heap memory freed so far back to the system (glibc's
// malloc_trim over every arena). A year's audit facts are the largest thing the server
// holds, and each pool thread's arena would otherwise keep its high mark: reports that run
// one after another on different threads then add up in the server's resident memory.
struct ReleaseFreedMemory {
  ReleaseFreedMemory() = default;
  ReleaseFreedMemory(const ReleaseFreedMemory&) = delete;
  ReleaseFreedMemory& operator=(const ReleaseFreedMemory&) = delete;
  ~ReleaseFreedMemory();
};

}  // namespace jejak::server
