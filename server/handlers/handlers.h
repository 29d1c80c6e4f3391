// The route handlers, one file per resource in server/handlers/. Each runs after the
// router's checks (method, token, role, JSON body; server/router.h), so `call.actor` is set
// for every route that takes a token, and answers through `call` exactly once. They are
// listed with their routes in ServiceRoutes() (server/handlers/routes.cc).
#pragma once

#include <string>

#include "base/result.h"
#include "server/context.h"
#include "server/router.h"

namespace jejak::server {

// static.cc: no token.
void GetHealth(ServiceContext& context, const Call& call);     // GET /healthz
void GetReady(ServiceContext& context, const Call& call);      // GET /readyz
void GetMetrics(ServiceContext& context, const Call& call);    // GET /metrics
void GetOpenApi(ServiceContext& context, const Call& call);    // GET /v1/openapi.yaml
void GetDashboard(ServiceContext& context, const Call& call);  // GET /, /assets/...

// checkpoint.cc.
void GetCheckpoint(ServiceContext& context, const Call& call);    // GET /v1/checkpoint
void PostCosignature(ServiceContext& context, const Call& call);  // POST .../cosignatures
void GetIntegrity(ServiceContext& context, const Call& call);     // GET /v1/integrity

// labels.cc.
void GetLabels(ServiceContext& context, const Call& call);  // GET /v1/labels

// entries.cc.
void ListEntries(ServiceContext& context, const Call& call);   // GET /v1/entries
void PostEntry(ServiceContext& context, const Call& call);     // POST /v1/entries
void PostReversal(ServiceContext& context, const Call& call);  // POST .../{seq}/reversal
void GetEntry(ServiceContext& context, const Call& call);      // GET /v1/entries/{seq}
// What an append's answer says of the witnesses: how many of the configured ones had
// cosigned its checkpoint when it was sent, the quorum, and their cosignature lines.
struct AppendWitnesses {
  std::size_t cosigned = 0;
  std::size_t quorum = 0;
  std::string lines;  // Appended to the checkpoint note.
};
// The 201 body of an append: exactly the bytes JsonCreated writes for {"entry": the
// entry parsed, "leaf_hash", "chain_hash", "tree_size", "checkpoint" (with the witnesses'
// lines), "inclusion_proof", "warnings": [], "witnesses": {"cosigned", "quorum"}}.
// kDataLoss if a replayed entry's stored bytes are not JSON.
Result<std::string> AppendedBody(const AppendResult& result, const AppendWitnesses& witnesses);

// proofs.cc.
void GetInclusionProof(ServiceContext& context, const Call& call);    // GET /v1/proofs/inclusion
void GetConsistencyProof(ServiceContext& context, const Call& call);  // GET .../consistency
void GetVerify(ServiceContext& context, const Call& call);            // GET /v1/verify

// summaries.cc and findings.cc.
void GetAbsorption(ServiceContext& context, const Call& call);  // GET /v1/summary/absorption
// GET /v1/budget-lines: an OPD's budget lines in force on as_of, with pagu, realisation
// and what remains (server/handlers/budget_lines.cc).
void GetBudgetLines(ServiceContext& context, const Call& call);
// GET /v1/tax/open-withholdings: an OPD's withheld taxes not yet fully deposited
// (server/handlers/tax.cc).
void GetOpenWithholdings(ServiceContext& context, const Call& call);
// The OPD a per-OPD read is for: an officer's own (kPermissionDenied if `opd` names
// another), else the required `opd` parameter (kInvalidArgument if absent or malformed).
Result<std::string> ScopedOpd(const Call& call);
void GetFindings(ServiceContext& context, const Call& call);    // GET /v1/audit/findings
void GetFinding(ServiceContext& context, const Call& call);     // GET .../findings/{id}

// imports.cc: officers, their own OPD.
void PostImport(ServiceContext& context, const Call& call);         // POST /v1/imports
void GetImportMappings(ServiceContext& context, const Call& call);  // GET /v1/imports/mappings
void PostImportMapping(ServiceContext& context, const Call& call);  // POST /v1/imports/mappings
void GetImportFields(ServiceContext& context, const Call& call);    // GET /v1/imports/fields

// bank_statements.cc: statements by admin; the reconciliation for every reader (officers:
// their own OPD).
void PostBankStatement(ServiceContext& context, const Call& call);     // POST /v1/bank-statements
void GetStatementMappings(ServiceContext& context, const Call& call);  // GET .../mappings
void PostStatementMapping(ServiceContext& context, const Call& call);  // POST .../mappings
void GetReconciliation(ServiceContext& context, const Call& call);     // GET /v1/reconciliation

// exports.cc.
void GetBundle(ServiceContext& context, const Call& call);      // GET /v1/export/bundle
void GetWorkpapers(ServiceContext& context, const Call& call);  // GET /v1/export/workpapers

}  // namespace jejak::server
