// The service's route table: every route, the roles that may call it and its handler, in
// one place (DESIGN "HTTP API" has the role matrix this encodes).
#include <string>
#include <vector>

#include "server/dashboard.h"
#include "server/handlers/handlers.h"
#include "server/router.h"

namespace jejak::server {

std::vector<Route> ServiceRoutes() {
  const std::vector<Role> readers = {Role::kOfficer, Role::kAuditor, Role::kExecutive};
  const std::vector<Role> auditor = {Role::kAuditor};
  std::vector<Route> routes = {
      {"GET", "/healthz", "", {}, false, GetHealth},
      {"GET", "/readyz", "", {}, false, GetReady},
      {"GET", "/metrics", "", {}, false, GetMetrics},
      {"GET", "/v1/openapi.yaml", "", {}, false, GetOpenApi},
      {"GET", "/v1/checkpoint", "", {}, false, GetCheckpoint},
      {"POST", "/v1/checkpoint/cosignatures", "", auditor, true, PostCosignature},
      {"GET", "/v1/export/bundle", "", auditor, false, GetBundle},
      {"GET", "/", "", {}, false, GetDashboard},
      {"GET", "/index.html", "/", {}, false, GetDashboard},
      {"GET", "/v1/integrity", "", readers, false, GetIntegrity},
      {"GET", "/v1/labels", "", {Role::kOfficer, Role::kAuditor, Role::kExecutive, Role::kAdmin}, false,
       GetLabels},
      // GET before POST: the order of the Allow header.
      {"GET", "/v1/entries", "", readers, false, ListEntries},
      {"POST", "/v1/entries", "", {Role::kOfficer, Role::kAdmin}, true, PostEntry},
      {"POST", "/v1/entries/{seq}/reversal", "", {Role::kOfficer}, true, PostReversal},
      {"GET", "/v1/entries/{seq}", "", readers, false, GetEntry},
      {"GET", "/v1/proofs/inclusion", "", auditor, false, GetInclusionProof},
      {"GET", "/v1/proofs/consistency", "", auditor, false, GetConsistencyProof},
      {"GET", "/v1/verify", "", auditor, false, GetVerify},
      {"GET", "/v1/summary/absorption", "", readers, false, GetAbsorption},
      {"GET", "/v1/budget-lines", "", readers, false, GetBudgetLines},
      {"GET", "/v1/tax/open-withholdings", "", {Role::kOfficer, Role::kAuditor}, false,
       GetOpenWithholdings},
      {"GET", "/v1/audit/findings", "", {Role::kAuditor, Role::kExecutive}, false, GetFindings},
      {"GET", "/v1/audit/findings/{id}", "", auditor, false, GetFinding},
      {"GET", "/v1/export/workpapers", "", auditor, false, GetWorkpapers},
      {"POST", "/v1/imports", "", {Role::kOfficer}, false, PostImport},
      {"GET", "/v1/imports/mappings", "", {Role::kOfficer}, false, GetImportMappings},
      {"POST", "/v1/imports/mappings", "", {Role::kOfficer}, true, PostImportMapping},
      {"POST", "/v1/bank-statements", "", {Role::kAdmin}, false, PostBankStatement},
      {"GET", "/v1/bank-statements/mappings", "", {Role::kAdmin}, false, GetStatementMappings},
      {"POST", "/v1/bank-statements/mappings", "", {Role::kAdmin}, true, PostStatementMapping},
      {"GET", "/v1/reconciliation", "", {Role::kOfficer, Role::kAuditor, Role::kExecutive, Role::kAdmin}, false,
       GetReconciliation},
      {"GET", "/v1/imports/fields", "", {Role::kOfficer, Role::kAuditor, Role::kExecutive, Role::kAdmin}, false,
       GetImportFields},
  };
  // One route per embedded web-app file, named "/assets/{name}" in logs and metrics.
  for (const DashboardAsset& asset : DashboardAssets()) {
    if (asset.name == "index.html") continue;
    routes.push_back({"GET", "/assets/" + std::string(asset.name), "/assets/{name}", {}, false,
                      GetDashboard});
  }
  return routes;
}

}  // namespace jejak::server
