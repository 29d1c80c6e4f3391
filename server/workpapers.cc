// Gathering of the audit workpapers (server/workpapers.h): reads one fiscal year from the
// store over the ledger's first tree_size entries, verifies their checkpoint if one is signed, and builds the expenditures
// and audit facts that ledger/workpapers.cc computes the sheets from.
#include "server/workpapers.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <malloc.h>
#include <map>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#include "crypto/encoding.h"
#include "ledger/canonical.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/limits.h"
#include "ledger/money.h"

namespace jejak::server {
namespace {

using nlohmann::json;

Error DataLoss(std::string message) { return Error{Code::kDataLoss, std::move(message), {}}; }

Error TooLarge() {
  return Error{Code::kTooLarge,
               "the fiscal year has more than " + std::to_string(kWorkpaperExpendituresMax) +
                   " expenditures, more than one workbook sheet holds",
               {}};
}

bool Digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// True iff `text` starts with a real calendar date YYYY-MM-DD and is either just the date
// or the date followed by 'T' (an RFC 3339 time, shown as given).
bool ValidAsOf(std::string_view text) {
  if (text.size() < 10 || text.size() > 64) return false;
  if (text.size() > 10 && text[10] != 'T') return false;
  if (text[4] != '-' || text[7] != '-') return false;
  if (!Digits(text.substr(0, 4)) || !Digits(text.substr(5, 2)) || !Digits(text.substr(8, 2))) {
    return false;
  }
  const int year = std::stoi(std::string(text.substr(0, 4)));
  const unsigned month = static_cast<unsigned>(std::stoi(std::string(text.substr(5, 2))));
  const unsigned day = static_cast<unsigned>(std::stoi(std::string(text.substr(8, 2))));
  return std::chrono::year_month_day{std::chrono::year{year}, std::chrono::month{month},
                                     std::chrono::day{day}}
      .ok();
}

std::string Hex(const crypto::Digest& digest) { return crypto::ToHex(digest); }

// The string member `key` of `object`, or "" when absent. Stored entries passed
// validation, so a present member has the right type; a wrong type throws (kDataLoss).
std::string Text(const json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) return "";
  return found->get<std::string>();
}

Result<std::int64_t> Money(const json& object, const char* key) {
  Result<std::int64_t> sen = ledger::ParseMoneySen(Text(object, key));
  if (!sen) return DataLoss(std::string("a stored entry has an unreadable ") + key);
  return sen;
}

// Every field of a stored expenditure. Throws nlohmann::json errors on a wrong type.
Result<WorkpaperExpenditure> ParseExpenditure(const db::StoredEntry& stored, const json& entry) {
  WorkpaperExpenditure e;
  e.seq = stored.seq;
  e.value_date = Text(entry, "value_date");
  e.opd = Text(entry, "opd");
  e.sub_activity = Text(entry, "sub_activity");
  e.account = Text(entry, "account");
  e.mechanism = Text(entry, "mechanism");
  e.instrument = Text(entry, "instrument");
  const json payee = entry.value("payee", json::object());
  e.payee_name = Text(payee, "name");
  e.payee_npwp = Text(payee, "npwp");
  e.payee_bank = Text(payee, "bank");
  e.payee_account_no = Text(payee, "account_no");
  e.payee_account_name = Text(payee, "account_name");
  Result<std::int64_t> gross = Money(entry, "gross");
  if (!gross) return gross.error();
  e.gross_sen = *gross;
  bool overflow = false;
  for (const json& tax : entry.value("taxes", json::array())) {
    const std::optional<std::size_t> index = ledger::WorkpaperTaxIndex(Text(tax, "type"));
    if (!index) return DataLoss("a stored expenditure has an unknown tax type");
    Result<std::int64_t> amount = Money(tax, "amount");
    if (!amount) return amount.error();
    const std::optional<std::int64_t> sum = ledger::CheckedAdd(e.tax_sen[*index], *amount);
    if (sum) {
      e.tax_sen[*index] = *sum;
    } else {
      overflow = true;
    }
  }
  if (overflow) return DataLoss("a stored expenditure's taxes overflow");
  Result<std::int64_t> net = Money(entry, "net");
  if (!net) return net.error();
  e.net_sen = *net;
  e.bank_ref = Text(entry, "bank_ref");
  const json documents = entry.value("documents", json::object());
  e.spp = Text(documents, "spp");
  e.spm = Text(documents, "spm");
  e.sp2d = Text(documents, "sp2d");
  e.evidence_no = Text(documents, "evidence_no");
  e.evidence_date = Text(documents, "evidence_date");
  const json procurement = entry.value("procurement", json::object());
  e.procurement_method = Text(procurement, "method");
  e.contract_no = Text(procurement, "contract_no");
  if (!Text(procurement, "contract_value").empty()) {
    Result<std::int64_t> value = Money(procurement, "contract_value");
    if (!value) return value.error();
    e.contract_value_sen = *value;
  }
  e.description = Text(entry, "description");
  e.cash_reason = Text(entry, "cash_reason");
  e.recorded_by = Text(entry, "recorded_by");
  e.recorded_at = Text(entry, "recorded_at");
  e.leaf_hash_hex = Hex(stored.leaf_hash);
  return e;
}

// One stored entry, parsed, with its derived columns.
struct Parsed {
  const db::StoredEntry& stored;
  const json& entry;
  const ledger::EntryColumns& columns;
};

// Calls `visit` for every entry matching `filter` with seq < tree_size, page by page.
// Bounded: each page advances after_seq, and paging stops at the tree size.
Result<void> ForEachEntry(db::Store& store, db::EntryFilter filter, std::uint64_t tree_size,
                          const std::function<Result<void>(const Parsed&)>& visit) {
  filter.limit = ledger::kPageEntriesMax;
  const auto end = static_cast<std::int64_t>(tree_size);
  while (filter.after_seq + 1 < end) {
    Result<db::EntryPage> page = store.ListEntries(filter);
    if (!page) return page.error();
    for (const db::StoredEntry& stored : page->entries) {
      if (stored.seq >= end) return Ok();  // After the checkpoint: not exported.
      JEJAK_CHECK(stored.seq > filter.after_seq);  // ListEntries returns seq order.
      Result<json> entry = ledger::ParseStrict(stored.canonical, ledger::kStoredEntryBytesMax);
      if (!entry) return DataLoss("stored entry " + std::to_string(stored.seq) + " does not parse");
      Result<ledger::EntryColumns> columns = ledger::DeriveColumns(*entry);
      if (!columns || columns->seq != stored.seq) {
        return DataLoss("stored entry " + std::to_string(stored.seq) + " is not a valid entry");
      }
      try {
        Result<void> visited = visit(Parsed{stored, *entry, *columns});
        if (!visited) return visited.error();
      } catch (const json::exception&) {
        return DataLoss("stored entry " + std::to_string(stored.seq) + " has a malformed field");
      }
      filter.after_seq = stored.seq;
    }
    if (!page->next_after_seq) return Ok();
    filter.after_seq = *page->next_after_seq;
  }
  return Ok();
}

// The tree of the first `tree_size` entries, tied to the stored tree and chain: its signed
// checkpoint, verified, if a commit ended exactly there; else its stored root and chain
// hash, marked as having no signed checkpoint (signed_checkpoint false).
Result<WorkpaperCheckpoint> ReadCheckpoint(db::Store& store, const WorkpaperRequest& request,
                                           std::uint64_t tree_size) {
  if (tree_size == 0) return Error{Code::kNotFound, "the ledger is empty", {}};
  Result<db::StoredEntry> genesis = store.Entry(0);
  if (!genesis) return genesis.error();
  Result<json> genesis_entry =
      ledger::ParseStrict(genesis->canonical, ledger::kStoredEntryBytesMax);
  if (!genesis_entry || !genesis_entry->is_object()) return DataLoss("the genesis entry does not parse");
  std::string origin;
  try {
    origin = Text(*genesis_entry, "origin");
  } catch (const json::exception&) {
    return DataLoss("the genesis entry has a malformed field");
  }
  Result<ledger::Digest> root = store.TreeHash(tree_size);
  if (!root) return root.error();
  Result<db::StoredEntry> last = store.Entry(static_cast<std::int64_t>(tree_size - 1));
  if (!last) return last.error();

  WorkpaperCheckpoint result;
  result.origin = origin;
  result.tree_size = tree_size;
  result.root_hash_hex = Hex(*root);
  result.chain_hash_hex = Hex(last->chain_hash);
  Result<std::optional<std::string>> note = store.CheckpointAt(tree_size);
  if (!note) return note.error();
  if (!note->has_value()) {
    result.signed_checkpoint = false;
    return result;
  }
  Result<ledger::Checkpoint> checkpoint = ledger::OpenCheckpoint(**note, request.verifier);
  if (!checkpoint) return DataLoss("the checkpoint does not verify with the ledger's key");
  if (checkpoint->tree_size != tree_size) return DataLoss("a stored checkpoint has the wrong tree size");
  if (checkpoint->origin != origin) return DataLoss("the checkpoint's origin is not the ledger's");
  if (*root != checkpoint->root_hash) return DataLoss("the checkpoint's root is not the stored tree's");
  if (last->chain_hash != checkpoint->chain_hash) {
    return DataLoss("the checkpoint's chain hash is not the stored chain's");
  }
  result.time = checkpoint->time;
  result.note = **note;
  return result;
}

// Koreksi's rows: the reversals below tree_size of the year's expenditures and the refunds
// below tree_size dated in the year (of its own payments or of earlier years'), each with
// its original.
Result<void> ReadAdjustments(db::Store& store, std::uint64_t tree_size, WorkpaperData& data) {
  for (const char* kind : {"reversal", "refund"}) {
    db::EntryFilter filter;
    filter.kind = kind;
    Result<void> read = ForEachEntry(store, filter, tree_size, [&](const Parsed& p) -> Result<void> {
      const bool refund = p.columns.kind == "refund";
      const std::int64_t original_seq = refund ? *p.columns.refunds : *p.columns.reverses;
      Result<ledger::EntryColumns> original = store.Columns(original_seq);
      if (!original) return original.error();
      const std::int64_t original_year = original->fiscal_year.value_or(0);
      // A reversal belongs to its original's year. A refund belongs to the year its cash
      // came back: a refund of this year's payment dated next year is next year's
      // pendapatan lain-lain, and leaves this (closed) year alone.
      const bool of_the_year = refund ? p.columns.fiscal_year == data.fiscal_year
                                      : original_year == data.fiscal_year;
      if (!of_the_year) return Ok();
      WorkpaperAdjustment row;
      row.seq = p.stored.seq;
      row.kind = p.columns.kind;
      row.original_seq = original_seq;
      row.opd = original->opd;
      row.sub_activity = original->sub_activity;
      row.account = original->account;
      row.original_fiscal_year = original_year;
      row.original_value_date = original->value_date;
      row.original_gross_sen = original->amount_sen.value_or(0);
      row.date = refund ? p.columns.value_date : p.columns.recorded_at.substr(0, 10);
      row.amount_sen = refund ? p.columns.amount_sen.value_or(0) : row.original_gross_sen;
      row.sts_no = Text(p.entry, "sts_no");
      row.reason = Text(p.entry, "reason");
      row.recorded_by = p.columns.recorded_by;
      row.recorded_at = p.columns.recorded_at;
      row.leaf_hash_hex = Hex(p.stored.leaf_hash);
      data.adjustments.push_back(std::move(row));
      return Ok();
    });
    if (!read) return read;
  }
  std::sort(data.adjustments.begin(), data.adjustments.end(),
            [](const WorkpaperAdjustment& a, const WorkpaperAdjustment& b) { return a.seq < b.seq; });
  return Ok();
}

}  // namespace

ReleaseFreedMemory::~ReleaseFreedMemory() { malloc_trim(0); }

Result<WorkpaperData> GatherWorkpapers(db::Store& store, const WorkpaperRequest& request) {
  const ReleaseFreedMemory release;  // Destroyed last: after the year's facts.
  JEJAK_CHECK(request.rules != nullptr);
  if (request.fiscal_year < ledger::kFiscalYearMin || request.fiscal_year > ledger::kFiscalYearMax) {
    return InvalidArgument("invalid query", {{"fiscal_year", "must be a year from 2000 to 2100"}});
  }
  if (!ValidAsOf(request.as_of)) {
    return InvalidArgument("invalid query", {{"as_of", "must be YYYY-MM-DD or an RFC 3339 time"}});
  }
  WorkpaperData data;
  data.region = request.region;
  data.fiscal_year = request.fiscal_year;
  data.as_of = request.as_of;
  data.as_of_date = request.as_of.substr(0, 10);
  // The audit facts of the whole year over the first tree_size entries (with the region
  // and the OPD names), read in one snapshot of the store.
  const std::uint64_t tree_size = request.tree_size;
  Result<std::uint64_t> ledger_size = store.TreeSize();
  if (!ledger_size) return ledger_size.error();
  if (*ledger_size == 0) return Error{Code::kNotFound, "the ledger has no checkpoint yet", {}};
  if (tree_size == 0 || tree_size > *ledger_size) {
    return InvalidArgument("invalid query", {{"tree_size", "must be from 1 to the ledger's size " +
                                                               std::to_string(*ledger_size)}});
  }
  ledger::WorkpaperFacts facts;
  Result<ledger::AuditInput> audit =
      store.AuditInputs(request.fiscal_year, data.as_of_date, tree_size, /*whole_year=*/true);
  if (!audit) return audit.error();
  facts.audit = std::move(audit).value();
  if (facts.audit.expenditures.size() > kWorkpaperExpendituresMax) return TooLarge();
  facts.opd_names = facts.audit.opd_names;
  if (data.region.empty()) data.region = facts.audit.region;
  Result<WorkpaperCheckpoint> checkpoint = ReadCheckpoint(store, request, tree_size);
  if (!checkpoint) return checkpoint.error();
  data.checkpoint = std::move(checkpoint).value();

  // Every field of the expenditures for Transaksi: most are in no store column, so each
  // stored entry is parsed once here. They are the facts' expenditures, in the same order.
  const std::vector<ledger::ExpenditureFacts>& expenditure_facts = facts.audit.expenditures;
  db::EntryFilter filter;
  filter.kind = "expenditure";
  filter.fiscal_year = request.fiscal_year;
  Result<void> read = ForEachEntry(store, filter, tree_size, [&](const Parsed& p) -> Result<void> {
    if (data.expenditures.size() >= kWorkpaperExpendituresMax) return TooLarge();
    const std::size_t i = data.expenditures.size();
    if (i >= expenditure_facts.size() || expenditure_facts[i].seq != p.stored.seq) {
      return DataLoss("stored expenditure " + std::to_string(p.stored.seq) +
                      " does not match the store's columns");
    }
    Result<WorkpaperExpenditure> expenditure = ParseExpenditure(p.stored, p.entry);
    if (!expenditure) return expenditure.error();
    expenditure->reversed_by = expenditure_facts[i].reversed_by;
    data.expenditures.push_back(std::move(expenditure).value());
    return Ok();
  });
  if (!read) return read.error();
  if (data.expenditures.size() != expenditure_facts.size()) {
    return DataLoss("the stored expenditures do not match the store's columns");
  }

  read = ReadAdjustments(store, tree_size, data);
  if (!read) return read.error();

  Result<void> computed = ledger::ComputeWorkpapers(facts, *request.rules, data);
  if (!computed) return computed.error();
  return data;
}

}  // namespace jejak::server
