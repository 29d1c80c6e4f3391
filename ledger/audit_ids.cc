// Identity of audit findings within one report: each finding gets an id derived from its
// rule, OPD and full seq list, so that a reader can name one finding of a report (for
// GET /v1/audit/findings/{id} and the workpapers' Temuan sheet) however many seqs it has.
#include <cstddef>
#include <string>
#include <vector>

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "ledger/audit.h"

namespace jejak::ledger {

std::string FindingId(const Finding& finding, std::size_t ordinal) {
  // Canonical encoding: a domain tag, then each part on its own line; seqs in decimal,
  // ascending, comma-separated. Rule ids and OPD codes hold no newline.
  std::string encoding = "jejak-finding-id/v1\n";
  encoding += finding.rule;
  encoding += '\n';
  encoding += finding.opd;
  encoding += '\n';
  for (std::size_t i = 0; i < finding.seqs.size(); ++i) {
    if (i > 0) encoding += ',';
    encoding += std::to_string(finding.seqs[i]);
  }
  encoding += '\n';
  encoding += std::to_string(ordinal);
  const crypto::Digest digest = crypto::Sha256(encoding);
  return crypto::ToHex(digest).substr(0, 2 * kFindingIdBytes);
}

void AssignFindingIds(const AuditInput& input, std::vector<Finding>& findings) {
  // RunAuditRules orders findings by rule, OPD and seqs, so findings that share all three
  // (two tax types of one payment) are adjacent: they are told apart by their ordinal.
  std::size_t ordinal = 0;
  for (std::size_t i = 0; i < findings.size(); ++i) {
    Finding& finding = findings[i];
    const bool same_as_previous = i > 0 && findings[i - 1].rule == finding.rule &&
                                  findings[i - 1].opd == finding.opd &&
                                  findings[i - 1].seqs == finding.seqs;
    ordinal = same_as_previous ? ordinal + 1 : 0;
    finding.id = FindingId(finding, ordinal);
    if (finding.opd_name.empty()) {
      const auto name = input.opd_names.find(finding.opd);
      if (name != input.opd_names.end()) finding.opd_name = name->second;
    }
  }
}

}  // namespace jejak::ledger
