#include "server/workpapers.h"

#include <stdlib.h>  // mkdtemp
#include <xlsxwriter.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#include "crypto/encoding.h"
#include "ledger/absorption.h"
#include "ledger/canonical.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/limits.h"
#include "ledger/money.h"

namespace jejak::server {
namespace {

using nlohmann::json;

// The rules in RunAuditRules's order, so that Ringkasan lists every rule, found or not.
constexpr std::array<const char*, 8> kRules = {
    ledger::kRuleOverPagu,          ledger::kRuleSplitPackage,  ledger::kRuleDuplicatePayment,
    ledger::kRuleCashPayment,       ledger::kRuleTaxNotDeposited, ledger::kRuleOutsideFiscalYear,
    ledger::kRuleLateRecording,     ledger::kRuleReversalHeavy};

// Excel holds at most 32,767 characters in a cell; longer text (a finding's seq list) is
// cut in the XLSX at a UTF-8 boundary below this many bytes. The CSV keeps all of it.
constexpr std::size_t kCellTextBytesMax = 32'000;

// A double carries 53 bits; above this an amount in sen is not even an exact integer.
constexpr std::int64_t kDoubleExactSenMax = std::int64_t{1} << 53;

Error DataLoss(std::string message) { return Error{Code::kDataLoss, std::move(message), {}}; }
Error Internal(std::string message) { return Error{Code::kInternal, std::move(message), {}}; }
Error Overflow() { return InvalidArgument("a workpaper total overflows int64 sen"); }

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

// Adds into `total`, remembering an overflow instead of wrapping.
struct Adder {
  bool overflow = false;
  void Add(std::int64_t& total, std::int64_t amount) {
    const std::optional<std::int64_t> sum = ledger::CheckedAdd(total, amount);
    if (!sum) {
      overflow = true;
      return;
    }
    total = *sum;
  }
};

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

std::optional<std::size_t> TaxIndex(std::string_view type) {
  for (std::size_t i = 0; i < kWorkpaperTaxTypes.size(); ++i) {
    if (type == kWorkpaperTaxTypes[i]) return i;
  }
  return std::nullopt;
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
  Adder adder;
  for (const json& tax : entry.value("taxes", json::array())) {
    const std::optional<std::size_t> index = TaxIndex(Text(tax, "type"));
    if (!index) return DataLoss("a stored expenditure has an unknown tax type");
    Result<std::int64_t> amount = Money(tax, "amount");
    if (!amount) return amount.error();
    adder.Add(e.tax_sen[*index], *amount);
  }
  if (adder.overflow) return DataLoss("a stored expenditure's taxes overflow");
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
      Result<json> entry = ledger::ParseStrict(stored.canonical);
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

// Verifies the latest checkpoint and ties it to the stored tree and chain.
Result<WorkpaperCheckpoint> ReadCheckpoint(db::Store& store, const WorkpaperRequest& request,
                                           std::string& region) {
  Result<std::optional<std::string>> note = store.LatestCheckpoint();
  if (!note) return note.error();
  if (!note->has_value()) return Error{Code::kNotFound, "the ledger has no checkpoint yet", {}};
  Result<ledger::Checkpoint> checkpoint = ledger::OpenCheckpoint(**note, request.verifier);
  if (!checkpoint) return DataLoss("the latest checkpoint does not verify with the ledger's key");
  if (checkpoint->tree_size == 0) return Error{Code::kNotFound, "the ledger is empty", {}};

  Result<db::StoredEntry> genesis = store.Entry(0);
  if (!genesis) return genesis.error();
  Result<json> genesis_entry = ledger::ParseStrict(genesis->canonical);
  if (!genesis_entry || !genesis_entry->is_object()) return DataLoss("the genesis entry does not parse");
  try {
    if (Text(*genesis_entry, "origin") != checkpoint->origin) {
      return DataLoss("the checkpoint's origin is not the ledger's");
    }
    if (region.empty()) region = Text(*genesis_entry, "region");
  } catch (const json::exception&) {
    return DataLoss("the genesis entry has a malformed field");
  }

  Result<ledger::Digest> root = store.TreeHash(checkpoint->tree_size);
  if (!root) return root.error();
  if (*root != checkpoint->root_hash) return DataLoss("the checkpoint's root is not the stored tree's");
  Result<db::StoredEntry> last = store.Entry(static_cast<std::int64_t>(checkpoint->tree_size - 1));
  if (!last) return last.error();
  if (last->chain_hash != checkpoint->chain_hash) {
    return DataLoss("the checkpoint's chain hash is not the stored chain's");
  }

  WorkpaperCheckpoint result;
  result.origin = checkpoint->origin;
  result.tree_size = checkpoint->tree_size;
  result.root_hash_hex = Hex(checkpoint->root_hash);
  result.chain_hash_hex = Hex(checkpoint->chain_hash);
  result.time = checkpoint->time;
  result.note = **note;
  return result;
}

// ledger/absorption.cc's rounding: half away from zero.
std::int64_t BasisPoints(std::int64_t numerator, std::int64_t denominator) {
  JEJAK_CHECK(denominator > 0);
  __extension__ typedef __int128 Int128;
  const Int128 scaled = static_cast<Int128>(numerator) * 10000;
  const Int128 half = denominator / 2;
  const Int128 rounded =
      scaled >= 0 ? (scaled + half) / denominator : -((-scaled + half) / denominator);
  return static_cast<std::int64_t>(rounded);
}

void AddUnique(std::vector<std::string>& values, const std::string& value) {
  if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
}

// The Pajak rows; see WorkpaperTax for the allocation.
Result<std::vector<WorkpaperTax>> AllocateTaxes(const WorkpaperData& data,
                                                const std::vector<ledger::TaxDepositFacts>& deposits,
                                                const std::vector<std::string>& billing_codes,
                                                const std::vector<std::string>& holidays) {
  using Key = std::tuple<std::string, std::string, std::string>;  // opd, type, period.
  std::map<Key, WorkpaperTax> rows;
  auto row = [&](const std::string& opd, const std::string& type, const std::string& period) -> WorkpaperTax& {
    auto [it, inserted] = rows.try_emplace(Key{opd, type, period});
    if (inserted) {
      it->second.opd = opd;
      it->second.tax_type = type;
      it->second.period = period;
      it->second.deadline = ledger::TaxDepositDeadline(period + "-01", holidays);
    }
    return it->second;
  };
  Adder adder;
  // Open withheld tax per (expenditure index, tax type index).
  std::map<std::int64_t, std::size_t> index_of_seq;
  std::vector<std::array<std::int64_t, kWorkpaperTaxTypes.size()>> open(data.expenditures.size());
  for (std::size_t i = 0; i < data.expenditures.size(); ++i) {
    const WorkpaperExpenditure& e = data.expenditures[i];
    index_of_seq.emplace(e.seq, i);
    if (e.reversed_by) continue;  // A reversed payment needs no deposit.
    for (std::size_t t = 0; t < kWorkpaperTaxTypes.size(); ++t) {
      if (e.tax_sen[t] <= 0) continue;
      open[i][t] = e.tax_sen[t];
      adder.Add(row(e.opd, kWorkpaperTaxTypes[t], e.value_date.substr(0, 7)).withheld_sen, e.tax_sen[t]);
    }
  }
  std::vector<std::size_t> order(deposits.size());
  for (std::size_t d = 0; d < order.size(); ++d) order[d] = d;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(deposits[a].deposit_date, deposits[a].seq) <
           std::tie(deposits[b].deposit_date, deposits[b].seq);
  });
  for (std::size_t d : order) {
    const ledger::TaxDepositFacts& deposit = deposits[d];
    const std::optional<std::size_t> type = TaxIndex(deposit.tax_type);
    if (!type) return DataLoss("a stored tax deposit has an unknown tax type");
    auto note = [&](WorkpaperTax& target) {
      AddUnique(target.ntpns, deposit.ntpn);
      AddUnique(target.billing_codes, billing_codes[d]);
      if (std::find(target.deposit_seqs.begin(), target.deposit_seqs.end(), deposit.seq) ==
          target.deposit_seqs.end()) {
        target.deposit_seqs.push_back(deposit.seq);
      }
    };
    std::int64_t remaining_sen = deposit.amount_sen;
    std::vector<std::int64_t> covers = deposit.covers;
    std::sort(covers.begin(), covers.end());
    covers.erase(std::unique(covers.begin(), covers.end()), covers.end());
    for (std::int64_t seq : covers) {
      if (remaining_sen <= 0) break;
      const auto found = index_of_seq.find(seq);
      if (found == index_of_seq.end()) continue;
      std::int64_t& open_sen = open[found->second][*type];
      const std::int64_t allocated_sen = std::min(open_sen, remaining_sen);
      if (allocated_sen <= 0) continue;
      open_sen -= allocated_sen;
      remaining_sen -= allocated_sen;
      const WorkpaperExpenditure& e = data.expenditures[found->second];
      WorkpaperTax& target = row(e.opd, deposit.tax_type, e.value_date.substr(0, 7));
      adder.Add(target.deposited_sen, allocated_sen);
      note(target);
    }
    if (remaining_sen > 0) {
      // The period the deposit was meant for: its latest covered expenditure's.
      std::string period = deposit.deposit_date.substr(0, 7);
      std::string latest_date;
      for (std::int64_t seq : covers) {
        const auto found = index_of_seq.find(seq);
        if (found == index_of_seq.end()) continue;
        latest_date = std::max(latest_date, data.expenditures[found->second].value_date);
      }
      if (!latest_date.empty()) period = latest_date.substr(0, 7);
      WorkpaperTax& target = row(deposit.opd, deposit.tax_type, period);
      adder.Add(target.unallocated_sen, remaining_sen);
      note(target);
    }
  }
  if (adder.overflow) return Overflow();
  std::vector<WorkpaperTax> result;
  result.reserve(rows.size());
  for (auto& [key, value] : rows) {
    std::sort(value.deposit_seqs.begin(), value.deposit_seqs.end());
    result.push_back(std::move(value));
  }
  return result;
}

}  // namespace

Result<WorkpaperData> GatherWorkpapers(db::Store& store, const WorkpaperRequest& request) {
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
  Result<WorkpaperCheckpoint> checkpoint = ReadCheckpoint(store, request, data.region);
  if (!checkpoint) return checkpoint.error();
  data.checkpoint = std::move(checkpoint).value();
  const std::uint64_t tree_size = data.checkpoint.tree_size;

  // OPD names (a few dozen entries).
  std::map<std::string, std::string> opd_names;
  db::EntryFilter filter;
  filter.kind = "opd";
  Result<void> read = ForEachEntry(store, filter, tree_size, [&](const Parsed& p) -> Result<void> {
    opd_names[p.columns.opd] = Text(p.entry, "name");
    return Ok();
  });
  if (!read) return read.error();

  // Budget lines in force: the newest budget entry per line recorded by the end of
  // as_of, as db::Store::AuditInputs reads them.
  const std::string until = data.as_of_date + "T23:59:59.999Z";
  using LineKey = std::tuple<std::string, std::string, std::string>;
  std::map<LineKey, ledger::BudgetFacts> budgets;
  filter = db::EntryFilter{};
  filter.kind = "budget";
  filter.fiscal_year = request.fiscal_year;
  read = ForEachEntry(store, filter, tree_size, [&](const Parsed& p) -> Result<void> {
    if (p.columns.recorded_at > until) return Ok();
    budgets[LineKey{p.columns.opd, p.columns.sub_activity, p.columns.account}] =
        ledger::BudgetFacts{p.stored.seq, p.columns.opd, p.columns.sub_activity,
                            p.columns.account, p.columns.amount_sen.value_or(0)};
    return Ok();
  });
  if (!read) return read.error();

  // Expenditures, with the facts the audit rules read.
  ledger::AuditInput audit;
  audit.fiscal_year = request.fiscal_year;
  audit.as_of = data.as_of_date;
  filter = db::EntryFilter{};
  filter.kind = "expenditure";
  filter.fiscal_year = request.fiscal_year;
  read = ForEachEntry(store, filter, tree_size, [&](const Parsed& p) -> Result<void> {
    if (data.expenditures.size() >= kWorkpaperExpendituresMax) {
      return Error{Code::kTooLarge,
                   "the fiscal year has more than " + std::to_string(kWorkpaperExpendituresMax) +
                       " expenditures, more than one workbook sheet holds",
                   {}};
    }
    Result<WorkpaperExpenditure> expenditure = ParseExpenditure(p.stored, p.entry);
    if (!expenditure) return expenditure.error();
    data.expenditures.push_back(std::move(expenditure).value());
    ledger::ExpenditureFacts facts;
    facts.seq = p.stored.seq;
    facts.fiscal_year = request.fiscal_year;
    facts.opd = p.columns.opd;
    facts.sub_activity = p.columns.sub_activity;
    facts.account = p.columns.account;
    facts.instrument = p.columns.instrument;
    facts.value_date = p.columns.value_date;
    facts.recorded_at = p.columns.recorded_at;
    facts.payee_npwp = p.columns.payee_npwp;
    facts.payee_account = p.columns.payee_account;
    facts.evidence_no = p.columns.evidence_no;
    facts.evidence_date = p.columns.evidence_date;
    facts.gross_sen = p.columns.amount_sen.value_or(0);
    // Withheld tax per type, sorted by type, as the store's tax_detail column lists it.
    std::vector<std::pair<std::string, std::int64_t>> taxes;
    const WorkpaperExpenditure& e = data.expenditures.back();
    for (const json& tax : p.entry.value("taxes", json::array())) {
      const std::string type = Text(tax, "type");
      if (std::none_of(taxes.begin(), taxes.end(), [&](const auto& t) { return t.first == type; })) {
        taxes.emplace_back(type, e.tax_sen[*TaxIndex(type)]);
      }
    }
    std::sort(taxes.begin(), taxes.end());
    facts.taxes_sen = std::move(taxes);
    audit.expenditures.push_back(std::move(facts));
    return Ok();
  });
  if (!read) return read.error();

  // Reversals of those expenditures. A reversal always follows its expenditure, so the
  // scan starts at the year's first one.
  if (!data.expenditures.empty()) {
    std::map<std::int64_t, std::size_t> index_of_seq;
    for (std::size_t i = 0; i < data.expenditures.size(); ++i) {
      index_of_seq.emplace(data.expenditures[i].seq, i);
    }
    filter = db::EntryFilter{};
    filter.kind = "reversal";
    filter.after_seq = data.expenditures.front().seq;
    read = ForEachEntry(store, filter, tree_size, [&](const Parsed& p) -> Result<void> {
      if (!p.columns.reverses) return DataLoss("a stored reversal names no seq");
      const auto found = index_of_seq.find(*p.columns.reverses);
      if (found == index_of_seq.end()) return Ok();  // Another year's.
      data.expenditures[found->second].reversed_by = p.stored.seq;
      audit.expenditures[found->second].reversed_by = p.stored.seq;
      return Ok();
    });
    if (!read) return read.error();
  }

  // Tax deposits.
  std::vector<std::string> billing_codes;
  filter = db::EntryFilter{};
  filter.kind = "tax_deposit";
  filter.fiscal_year = request.fiscal_year;
  read = ForEachEntry(store, filter, tree_size, [&](const Parsed& p) -> Result<void> {
    ledger::TaxDepositFacts facts;
    facts.seq = p.stored.seq;
    facts.opd = p.columns.opd;
    facts.tax_type = p.columns.tax_type;
    facts.amount_sen = p.columns.amount_sen.value_or(0);
    facts.deposit_date = p.columns.value_date;
    for (const json& covered : p.entry.at("covers")) facts.covers.push_back(covered.get<std::int64_t>());
    facts.ntpn = Text(p.entry, "ntpn");
    billing_codes.push_back(Text(p.entry, "billing_code"));
    audit.tax_deposits.push_back(std::move(facts));
    return Ok();
  });
  if (!read) return read.error();

  for (const auto& [key, line] : budgets) audit.budgets.push_back(line);
  data.findings = ledger::RunAuditRules(audit, *request.rules);

  // Realisasi: budget lines in force and realised lines, as absorption counts them
  // (unreversed, value date up to as_of).
  Adder adder;
  std::map<LineKey, WorkpaperRealisation> lines;
  auto line_of = [&](const std::string& opd, const std::string& sub, const std::string& account)
      -> WorkpaperRealisation& {
    auto [it, inserted] = lines.try_emplace(LineKey{opd, sub, account});
    if (inserted) {
      it->second.opd = opd;
      const auto name = opd_names.find(opd);
      if (name != opd_names.end()) it->second.opd_name = name->second;
      it->second.sub_activity = sub;
      it->second.account = account;
    }
    return it->second;
  };
  for (const auto& [key, budget] : budgets) {
    WorkpaperRealisation& line = line_of(budget.opd, budget.sub_activity, budget.account);
    line.pagu_sen = budget.pagu_sen;
    line.budgeted = true;
  }
  for (const WorkpaperExpenditure& e : data.expenditures) {
    adder.Add(data.gross_sen, e.gross_sen);
    if (e.reversed_by) {
      adder.Add(data.reversed_gross_sen, e.gross_sen);
      ++data.reversed_entries;
      continue;
    }
    for (std::int64_t tax_sen : e.tax_sen) adder.Add(data.withheld_sen, tax_sen);
    if (e.value_date > data.as_of_date) continue;
    WorkpaperRealisation& line = line_of(e.opd, e.sub_activity, e.account);
    adder.Add(line.realisation_sen, e.gross_sen);
    ++line.entries;
  }
  for (auto& [key, line] : lines) {
    adder.Add(data.pagu_sen, line.pagu_sen);
    adder.Add(data.realisation_sen, line.realisation_sen);
    data.realisation.push_back(std::move(line));
  }
  for (const ledger::TaxDepositFacts& deposit : audit.tax_deposits) {
    adder.Add(data.deposited_sen, deposit.amount_sen);
  }
  if (adder.overflow) return Overflow();

  Result<std::vector<WorkpaperTax>> taxes =
      AllocateTaxes(data, audit.tax_deposits, billing_codes, request.rules->holidays);
  if (!taxes) return taxes.error();
  data.taxes = std::move(taxes).value();
  return data;
}

namespace {

// One cell of a sheet: rendered as a typed XLSX cell or a CSV field.
struct Cell {
  enum class Type { kEmpty, kText, kMoney, kInteger, kPercent };
  Type type = Type::kEmpty;
  std::string text;
  std::int64_t value = 0;  // Sen, integer or basis points.
};
using Row = std::vector<Cell>;

struct Column {
  const char* header;
  double width;  // In Excel character widths.
};

// A sheet as a header and a row generator, so that a million rows are rendered one at a
// time from WorkpaperData rather than held twice.
struct Sheet {
  const char* name;
  std::vector<Column> columns;
  std::size_t rows = 0;
  std::function<void(std::size_t, Row&)> fill;  // Appends row i's cells to an empty Row.
};

void AddText(Row& row, std::string text) { row.push_back(Cell{Cell::Type::kText, std::move(text), 0}); }
void AddMoney(Row& row, std::int64_t sen) { row.push_back(Cell{Cell::Type::kMoney, {}, sen}); }
void AddInteger(Row& row, std::int64_t value) { row.push_back(Cell{Cell::Type::kInteger, {}, value}); }
void AddEmpty(Row& row) { row.push_back(Cell{}); }
void AddOptionalMoney(Row& row, const std::optional<std::int64_t>& sen) {
  if (sen) {
    AddMoney(row, *sen);
  } else {
    AddEmpty(row);
  }
}
void AddPercent(Row& row, std::int64_t numerator, std::int64_t denominator) {
  if (denominator <= 0) return AddEmpty(row);
  row.push_back(Cell{Cell::Type::kPercent, {}, BasisPoints(numerator, denominator)});
}

template <typename T>
std::string Join(const std::vector<T>& values, const char* separator) {
  std::ostringstream out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out << separator;
    out << values[i];
  }
  return out.str();
}

std::string CheckpointLine(const WorkpaperData& data) {
  return "Dihitung pada checkpoint " + data.checkpoint.origin + " ukuran pohon " +
         std::to_string(data.checkpoint.tree_size) + ", root hash " + data.checkpoint.root_hash_hex +
         ", waktu checkpoint " + data.checkpoint.time + "; diekspor " + data.as_of;
}

Sheet Ringkasan(const WorkpaperData& data) {
  Sheet sheet{"Ringkasan", {{"Bagian", 14}, {"Uraian", 40}, {"Nilai", 70}, {"Jumlah (Rp)", 22}}, 0, {}};
  auto rows = std::make_shared<std::vector<Row>>();
  auto add = [&rows](const char* part, const char* label, Cell value, Cell amount) {
    rows->push_back(Row{Cell{Cell::Type::kText, part, 0}, Cell{Cell::Type::kText, label, 0},
                        std::move(value), std::move(amount)});
  };
  auto text = [](std::string value) { return Cell{Cell::Type::kText, std::move(value), 0}; };
  auto integer = [](std::int64_t value) { return Cell{Cell::Type::kInteger, {}, value}; };
  auto money = [](std::int64_t sen) { return Cell{Cell::Type::kMoney, {}, sen}; };
  add("Umum", "Pemerintah Daerah", text(data.region), {});
  add("Umum", "Tahun Anggaran", integer(data.fiscal_year), {});
  add("Umum", "Waktu Ekspor", text(data.as_of), {});
  add("Umum", "Posisi per Tanggal", text(data.as_of_date), {});
  add("Checkpoint", "Origin", text(data.checkpoint.origin), {});
  add("Checkpoint", "Ukuran Pohon (tree size)", integer(static_cast<std::int64_t>(data.checkpoint.tree_size)), {});
  add("Checkpoint", "Root Hash", text(data.checkpoint.root_hash_hex), {});
  add("Checkpoint", "Chain Hash", text(data.checkpoint.chain_hash_hex), {});
  add("Checkpoint", "Waktu Checkpoint", text(data.checkpoint.time), {});
  add("Anggaran", "Pagu", {}, money(data.pagu_sen));
  add("Anggaran", "Realisasi", {}, money(data.realisation_sen));
  Cell percent;
  if (data.pagu_sen > 0) percent = Cell{Cell::Type::kPercent, {}, BasisPoints(data.realisation_sen, data.pagu_sen)};
  add("Anggaran", "Persentase Realisasi (%)", percent, {});
  std::int64_t remaining_sen = 0;
  const std::optional<std::int64_t> remaining = ledger::CheckedSub(data.pagu_sen, data.realisation_sen);
  if (remaining) remaining_sen = *remaining;
  add("Anggaran", "Sisa Pagu", {}, money(remaining_sen));
  add("Transaksi", "Belanja (bruto, termasuk yang dibatalkan)",
      integer(static_cast<std::int64_t>(data.expenditures.size())), money(data.gross_sen));
  add("Transaksi", "Belanja Dibatalkan", integer(data.reversed_entries), money(data.reversed_gross_sen));
  add("Pajak", "Pajak Dipotong (belanja tidak dibatalkan)", {}, money(data.withheld_sen));
  add("Pajak", "Pajak Disetor", {}, money(data.deposited_sen));
  std::int64_t findings_sen = 0;
  for (const char* rule : kRules) {
    std::int64_t count = 0;
    std::int64_t amount_sen = 0;
    for (const ledger::Finding& finding : data.findings) {
      if (finding.rule != rule) continue;
      ++count;
      amount_sen = ledger::CheckedAdd(amount_sen, finding.amount_sen).value_or(amount_sen);
    }
    findings_sen = ledger::CheckedAdd(findings_sen, amount_sen).value_or(findings_sen);
    add("Temuan", rule, integer(count), money(amount_sen));
  }
  add("Temuan", "Jumlah Temuan", integer(static_cast<std::int64_t>(data.findings.size())), money(findings_sen));
  sheet.rows = rows->size();
  sheet.fill = [rows](std::size_t i, Row& row) { row = (*rows)[i]; };
  return sheet;
}

Sheet Transaksi(const WorkpaperData& data) {
  Sheet sheet{"Transaksi",
              {{"Seq", 9},           {"Tanggal Transaksi", 12}, {"OPD", 24},
               {"Sub Kegiatan", 19}, {"Kode Rekening", 19},     {"Mekanisme", 10},
               {"Instrumen", 13},    {"Penerima", 30},          {"NPWP", 18},
               {"Bank", 16},         {"No. Rekening", 18},      {"Nama Rekening", 26},
               {"Bruto (Rp)", 18},   {"PPN (Rp)", 15},          {"PPh 21 (Rp)", 15},
               {"PPh 22 (Rp)", 15},  {"PPh 23 (Rp)", 15},       {"PPh 4(2) (Rp)", 15},
               {"Neto (Rp)", 18},    {"Ref. Bank", 20},         {"No. SPP", 18},
               {"No. SPM", 18},      {"No. SP2D", 18},          {"No. Bukti", 18},
               {"Tgl Bukti", 12},    {"Metode Pengadaan", 12},  {"No. Kontrak", 20},
               {"Nilai Kontrak (Rp)", 18}, {"Uraian", 48},      {"Alasan Tunai", 30},
               {"Dicatat Oleh", 18}, {"Waktu Catat", 25},       {"Dibatalkan (seq pembatalan)", 14},
               {"Leaf Hash", 66}},
              data.expenditures.size(),
              {}};
  sheet.fill = [&data](std::size_t i, Row& row) {
    const WorkpaperExpenditure& e = data.expenditures[i];
    AddInteger(row, e.seq);
    AddText(row, e.value_date);
    AddText(row, e.opd);
    AddText(row, e.sub_activity);
    AddText(row, e.account);
    AddText(row, e.mechanism);
    AddText(row, e.instrument);
    AddText(row, e.payee_name);
    AddText(row, e.payee_npwp);
    AddText(row, e.payee_bank);
    AddText(row, e.payee_account_no);
    AddText(row, e.payee_account_name);
    AddMoney(row, e.gross_sen);
    for (std::int64_t tax_sen : e.tax_sen) AddMoney(row, tax_sen);
    AddMoney(row, e.net_sen);
    AddText(row, e.bank_ref);
    AddText(row, e.spp);
    AddText(row, e.spm);
    AddText(row, e.sp2d);
    AddText(row, e.evidence_no);
    AddText(row, e.evidence_date);
    AddText(row, e.procurement_method);
    AddText(row, e.contract_no);
    AddOptionalMoney(row, e.contract_value_sen);
    AddText(row, e.description);
    AddText(row, e.cash_reason);
    AddText(row, e.recorded_by);
    AddText(row, e.recorded_at);
    if (e.reversed_by) {
      AddInteger(row, *e.reversed_by);
    } else {
      AddEmpty(row);
    }
    AddText(row, e.leaf_hash_hex);
  };
  return sheet;
}

Sheet Realisasi(const WorkpaperData& data) {
  Sheet sheet{"Realisasi",
              {{"OPD", 24},
               {"Nama OPD", 36},
               {"Sub Kegiatan", 19},
               {"Kode Rekening", 19},
               {"Kelompok Belanja", 14},
               {"Pagu (Rp)", 20},
               {"Realisasi (Rp)", 20},
               {"Sisa Pagu (Rp)", 20},
               {"Realisasi (%)", 12},
               {"Jumlah Transaksi", 10}},
              data.realisation.size(),
              {}};
  sheet.fill = [&data](std::size_t i, Row& row) {
    const WorkpaperRealisation& line = data.realisation[i];
    AddText(row, line.opd);
    AddText(row, line.opd_name);
    AddText(row, line.sub_activity);
    AddText(row, line.account);
    AddText(row, ledger::AccountGroup(line.account));
    AddMoney(row, line.pagu_sen);
    AddMoney(row, line.realisation_sen);
    // Both are at most the year's totals, which GatherWorkpapers checked for overflow.
    AddMoney(row, line.pagu_sen - line.realisation_sen);
    AddPercent(row, line.realisation_sen, line.pagu_sen);
    AddInteger(row, line.entries);
  };
  return sheet;
}

Sheet Pajak(const WorkpaperData& data) {
  Sheet sheet{"Pajak",
              {{"OPD", 24},
               {"Jenis Pajak", 10},
               {"Masa Pajak", 10},
               {"Batas Setor", 12},
               {"Dipotong (Rp)", 18},
               {"Disetor (Rp)", 18},
               {"Selisih (Rp)", 18},
               {"Setoran Tidak Teralokasi (Rp)", 18},
               {"NTPN", 40},
               {"Kode Billing", 40},
               {"Seq Setoran", 20}},
              data.taxes.size(),
              {}};
  sheet.fill = [&data](std::size_t i, Row& row) {
    const WorkpaperTax& tax = data.taxes[i];
    AddText(row, tax.opd);
    AddText(row, tax.tax_type);
    AddText(row, tax.period);
    AddText(row, tax.deadline);
    AddMoney(row, tax.withheld_sen);
    AddMoney(row, tax.deposited_sen);
    AddMoney(row, tax.withheld_sen - tax.deposited_sen);  // Deposited <= withheld.
    AddMoney(row, tax.unallocated_sen);
    AddText(row, Join(tax.ntpns, "; "));
    AddText(row, Join(tax.billing_codes, "; "));
    AddText(row, Join(tax.deposit_seqs, ", "));
  };
  return sheet;
}

Sheet Temuan(const WorkpaperData& data) {
  Sheet sheet{"Temuan",
              {{"No.", 6},
               {"Kode Aturan", 22},
               {"Tingkat", 9},
               {"OPD", 24},
               {"Nilai (Rp)", 20},
               {"Kondisi", 70},
               {"Kriteria", 50},
               {"Rekomendasi", 50},
               {"Jumlah Seq", 10},
               {"Seq", 30}},
              data.findings.size(),
              {}};
  sheet.fill = [&data](std::size_t i, Row& row) {
    const ledger::Finding& finding = data.findings[i];
    AddInteger(row, static_cast<std::int64_t>(i + 1));
    AddText(row, finding.rule);
    AddText(row, finding.severity);
    AddText(row, finding.opd);
    AddMoney(row, finding.amount_sen);
    AddText(row, finding.kondisi);
    AddText(row, finding.kriteria);
    AddText(row, finding.rekomendasi);
    AddInteger(row, static_cast<std::int64_t>(finding.seqs.size()));
    AddText(row, Join(finding.seqs, ", "));
  };
  return sheet;
}

std::vector<Sheet> Sheets(const WorkpaperData& data) {
  std::vector<Sheet> sheets;
  sheets.push_back(Ringkasan(data));
  sheets.push_back(Transaksi(data));
  sheets.push_back(Realisasi(data));
  sheets.push_back(Pajak(data));
  sheets.push_back(Temuan(data));
  JEJAK_CHECK(sheets.size() == kWorkpaperSheets.size());
  for (std::size_t i = 0; i < sheets.size(); ++i) {
    JEJAK_CHECK(std::string_view(sheets[i].name) == kWorkpaperSheets[i]);
  }
  return sheets;
}

// ---- CSV (RFC 4180) ----

void AppendCsvField(std::string& out, std::string_view field) {
  // RFC 4180 §2.6-2.7: quote a field holding a comma, quote, CR or LF; double its quotes.
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string CsvText(const Cell& cell) {
  switch (cell.type) {
    case Cell::Type::kEmpty: return "";
    case Cell::Type::kText: return cell.text;
    case Cell::Type::kMoney: return ledger::FormatMoney(cell.value);
    case Cell::Type::kInteger: return std::to_string(cell.value);
    case Cell::Type::kPercent: return ledger::FormatBasisPoints(cell.value);
  }
  return "";
}

// ---- XLSX ----

// A private directory (mode 0700 from mkdtemp) removed with everything in it.
class TempDir {
 public:
  static std::optional<TempDir> Make() {
    std::error_code error;
    const std::filesystem::path base = std::filesystem::temp_directory_path(error);
    if (error) return std::nullopt;
    std::string pattern = (base / "jejak-workpapers-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return std::nullopt;
    return TempDir(pattern);
  }
  TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// Cuts `text` to at most `bytes_max` bytes at a UTF-8 character boundary, marking the cut.
std::string CutText(const std::string& text, std::size_t bytes_max) {
  if (text.size() <= bytes_max) return text;
  std::size_t end = bytes_max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + " … (terpotong; lengkap di CSV)";
}

// The number libxlsxwriter writes for `sen`, if a reader gets the sen back exactly:
// libxlsxwriter prints doubles with "%.16G", so the check prints the same way and parses
// the text back. sen / 100.0 is the double nearest the decimal amount (both operands are
// exact and IEEE division rounds correctly) while |sen| < 2^53.
std::optional<double> ExactRupiah(std::int64_t sen) {
  if (sen <= -kDoubleExactSenMax || sen >= kDoubleExactSenMax) return std::nullopt;
  const double rupiah = static_cast<double>(sen) / 100.0;
  char text[64];
  std::snprintf(text, sizeof text, "%.16G", rupiah);
  if (std::strtod(text, nullptr) != rupiah) return std::nullopt;
  return rupiah;
}

class XlsxWriter {
 public:
  explicit XlsxWriter(lxw_workbook* workbook) : workbook_(workbook) {
    title_ = workbook_add_format(workbook_);
    format_set_bold(title_);
    header_ = workbook_add_format(workbook_);
    format_set_bold(header_);
    format_set_bottom(header_, LXW_BORDER_THIN);
    format_set_text_wrap(header_);
    format_set_align(header_, LXW_ALIGN_VERTICAL_TOP);
    money_ = workbook_add_format(workbook_);
    format_set_num_format(money_, "#,##0.00");
    percent_ = workbook_add_format(workbook_);
    format_set_num_format(percent_, "0.00");
    integer_ = workbook_add_format(workbook_);
    format_set_num_format(integer_, "0");
  }

  void Write(const WorkpaperData& data, const Sheet& sheet) {
    lxw_worksheet* worksheet = workbook_add_worksheet(workbook_, sheet.name);
    if (worksheet == nullptr) {
      Fail(LXW_ERROR_MEMORY_MALLOC_FAILED);
      return;
    }
    const auto columns = static_cast<lxw_col_t>(sheet.columns.size());
    for (lxw_col_t c = 0; c < columns; ++c) {
      Check(worksheet_set_column(worksheet, c, c, sheet.columns[c].width, nullptr));
    }
    // constant_memory mode: rows are written in order, each row once.
    Check(worksheet_write_string(worksheet, 0, 0, CheckpointLine(data).c_str(), title_));
    for (lxw_col_t c = 0; c < columns; ++c) {
      Check(worksheet_write_string(worksheet, 1, c, sheet.columns[c].header, header_));
    }
    Row row;
    for (std::size_t i = 0; i < sheet.rows; ++i) {
      row.clear();
      sheet.fill(i, row);
      JEJAK_CHECK(row.size() == sheet.columns.size());
      const auto r = static_cast<lxw_row_t>(i + 2);
      for (lxw_col_t c = 0; c < columns; ++c) WriteCell(worksheet, r, c, row[c]);
    }
    worksheet_freeze_panes(worksheet, 2, 0);
    Check(worksheet_autofilter(worksheet, 1, 0, static_cast<lxw_row_t>(sheet.rows + 1),
                               static_cast<lxw_col_t>(columns - 1)));
  }

  lxw_error error() const { return error_; }

 private:
  void WriteCell(lxw_worksheet* worksheet, lxw_row_t r, lxw_col_t c, const Cell& cell) {
    switch (cell.type) {
      case Cell::Type::kEmpty: return;
      case Cell::Type::kText:
        if (cell.text.empty()) return;
        Check(worksheet_write_string(worksheet, r, c, CutText(cell.text, kCellTextBytesMax).c_str(), nullptr));
        return;
      case Cell::Type::kMoney: {
        const std::optional<double> rupiah = ExactRupiah(cell.value);
        if (rupiah) {
          Check(worksheet_write_number(worksheet, r, c, *rupiah, money_));
        } else {
          Check(worksheet_write_string(worksheet, r, c, ledger::FormatMoney(cell.value).c_str(), nullptr));
        }
        return;
      }
      case Cell::Type::kInteger:
        // Seqs and counts are far below 2^53.
        Check(worksheet_write_number(worksheet, r, c, static_cast<double>(cell.value), integer_));
        return;
      case Cell::Type::kPercent:
        Check(worksheet_write_number(worksheet, r, c, static_cast<double>(cell.value) / 100.0, percent_));
        return;
    }
  }
  void Check(lxw_error error) {
    if (error != LXW_NO_ERROR) Fail(error);
  }
  void Fail(lxw_error error) {
    if (error_ == LXW_NO_ERROR) error_ = error;
  }

  lxw_workbook* workbook_;
  lxw_format* title_;
  lxw_format* header_;
  lxw_format* money_;
  lxw_format* percent_;
  lxw_format* integer_;
  lxw_error error_ = LXW_NO_ERROR;
};

}  // namespace

Result<std::string> RenderXlsx(const WorkpaperData& data) {
  std::optional<TempDir> dir = TempDir::Make();
  if (!dir) return Internal("cannot create a temporary directory for the workbook");
  const std::string path = (dir->path() / "workpapers.xlsx").string();
  const std::string tmpdir = dir->path().string();
  lxw_workbook_options options{};
  // Rows go to temporary files as they are written, so memory stays flat for a
  // million-row Transaksi sheet; the temporary files stay in our private directory.
  options.constant_memory = LXW_TRUE;
  options.tmpdir = const_cast<char*>(tmpdir.c_str());
  lxw_workbook* workbook = workbook_new_opt(path.c_str(), &options);
  if (workbook == nullptr) return Internal("cannot create the workbook");
  lxw_doc_properties properties{};
  const std::string title = "Kertas Kerja " + data.region + " TA " + std::to_string(data.fiscal_year);
  const std::string comments = CheckpointLine(data);
  properties.title = const_cast<char*>(title.c_str());
  properties.comments = const_cast<char*>(comments.c_str());
  const lxw_error properties_set = workbook_set_properties(workbook, &properties);
  XlsxWriter writer(workbook);
  for (const Sheet& sheet : Sheets(data)) writer.Write(data, sheet);
  const lxw_error closed = workbook_close(workbook);  // Frees the workbook in every case.
  if (properties_set != LXW_NO_ERROR) {
    return Internal(std::string("setting the workbook properties failed: ") + lxw_strerror(properties_set));
  }
  if (writer.error() != LXW_NO_ERROR) {
    return Internal(std::string("writing the workbook failed: ") + lxw_strerror(writer.error()));
  }
  if (closed != LXW_NO_ERROR) {
    return Internal(std::string("closing the workbook failed: ") + lxw_strerror(closed));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return Internal("cannot read the workbook back");
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (file.bad() || bytes.empty()) return Internal("cannot read the workbook back");
  return bytes;
}

Result<std::string> RenderCsv(const WorkpaperData& data, std::string_view sheet_name) {
  const auto known = std::find_if(kWorkpaperSheets.begin(), kWorkpaperSheets.end(),
                                  [&](const char* name) { return sheet_name == name; });
  if (known == kWorkpaperSheets.end()) {
    return InvalidArgument(
        "invalid query",
        {{"sheet", "must be one of Ringkasan, Transaksi, Realisasi, Pajak, Temuan"}});
  }
  const std::vector<Sheet> sheets = Sheets(data);
  const Sheet& sheet = sheets[static_cast<std::size_t>(known - kWorkpaperSheets.begin())];
  std::string out;
  for (std::size_t c = 0; c < sheet.columns.size(); ++c) {
    if (c > 0) out += ',';
    AppendCsvField(out, sheet.columns[c].header);
  }
  out += "\r\n";
  Row row;
  for (std::size_t i = 0; i < sheet.rows; ++i) {
    row.clear();
    sheet.fill(i, row);
    JEJAK_CHECK(row.size() == sheet.columns.size());
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out += ',';
      AppendCsvField(out, CsvText(row[c]));
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace jejak::server
