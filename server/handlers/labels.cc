// GET /v1/labels: the Indonesian labels of the ledger's codes from the one table in
// ledger/labels.h (the same the workpapers put beside each code), for the browser app.
#include <nlohmann/json.hpp>

#include <string>

#include "ledger/labels.h"
#include "server/handlers/common.h"
#include "server/handlers/handlers.h"

namespace jejak::server {

void GetLabels(ServiceContext&, const Call& call) {
  if (!call.query.Empty()) return call.Fail(NoQueryParameters());
  // {"rules": {"OVER_PAGU": "Realisasi melampaui pagu", ...}, "instruments": {...}, ...}.
  static const nlohmann::json body = [] {
    nlohmann::json groups = nlohmann::json::object();
    for (const ledger::LabelGroup& group : ledger::LabelGroups()) {
      nlohmann::json labels = nlohmann::json::object();
      for (const ledger::CodeLabel& label : group.labels) {
        labels[std::string(label.code)] = std::string(label.label);
      }
      groups[std::string(group.key)] = std::move(labels);
    }
    return groups;
  }();
  return call.Respond(JsonOk(body));
}

}  // namespace jejak::server
