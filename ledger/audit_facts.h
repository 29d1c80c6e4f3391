// The audit facts of an expenditure that no entry column holds (payee.name, payee.pkp and
// the procurement fields), read from its canonical bytes by a scanner of JSON that builds
// no document. The append transaction, the schema migration that fills them for an
// existing ledger and `jejak verify` all derive them with ExpenditureTextsOf.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace jejak::ledger {

// What the audit rules read from an expenditure beyond its columns (ledger/audit.h's
// ExpenditureFacts of the same names). Absent members are "" (and nullopt for pkp).
struct ExpenditureTexts {
  std::string payee_name;          // payee.name.
  std::optional<bool> payee_pkp;   // payee.pkp.
  std::string procurement_method;  // procurement.method.
  std::string procurement_type;    // procurement.type.
  std::string contract_no;         // procurement.contract_no.

  friend bool operator==(const ExpenditureTexts&, const ExpenditureTexts&) = default;
};

// The texts of the expenditure whose JSON bytes are `json` (a JSON object; stored entries
// are RFC 8785 canonical). A member that is JSON null counts as absent. kDataLoss if the
// bytes are not an object or one of these members has the wrong type (text members must
// be strings, pkp a boolean). Values it skips are matched by their brackets only, not
// validated: callers pass bytes that were validated (the append's own, the verifier's
// after it parsed them). Linear in the size of `json`.
Result<ExpenditureTexts> ExpenditureTextsOf(std::string_view json);

}  // namespace jejak::ledger
