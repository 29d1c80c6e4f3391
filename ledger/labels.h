// The Indonesian labels of the ledger's codes (audit rules, payment instruments, mechanisms,
// account groups, tax types, entry kinds and finding severities): one table, used by the
// workpapers beside each code and served as GET /v1/labels to the browser app, so that no
// screen or sheet keeps its own copy.
#pragma once

#include <span>
#include <string_view>

namespace jejak::ledger {

// A code as the ledger stores it and its label for readers.
struct CodeLabel {
  std::string_view code;
  std::string_view label;
};

// One group of codes: its key in GET /v1/labels and its codes in the ledger's order.
struct LabelGroup {
  std::string_view key;
  std::span<const CodeLabel> labels;
};

// Every group, in the order GET /v1/labels lists them: "rules" (kAuditRuleIds), "instruments"
// (kInstruments), "mechanisms" (UP, GU, TU, LS), "account_groups" (kAccountGroups),
// "tax_types" (kWorkpaperTaxTypes), "kinds" (the entry kinds) and "severities" (of findings).
// Each group labels every code the ledger accepts for it (tests/ledger/labels_test.cc).
std::span<const LabelGroup> LabelGroups();

// The label of `code` in the group `key`, or `code` itself when the group or the code is
// unknown (a reader then sees the code rather than nothing).
std::string_view LabelOf(std::string_view key, std::string_view code);

// Shorthands for the groups the workpapers use.
std::string_view RuleLabel(std::string_view rule);
std::string_view InstrumentLabel(std::string_view instrument);
std::string_view MechanismLabel(std::string_view mechanism);
std::string_view AccountGroupLabel(std::string_view group);
std::string_view TaxTypeLabel(std::string_view tax_type);
std::string_view KindLabel(std::string_view kind);
std::string_view SeverityLabel(std::string_view severity);

}  // namespace jejak::ledger
