// Routes that need no token: health and readiness probes, Prometheus metrics, the OpenAPI
// description and the dashboard's page and assets (compiled into the binary).
#include <chrono>
#include <optional>
#include <string>

#include "server/dashboard.h"
#include "server/handlers/common.h"
#include "server/handlers/handlers.h"
#include "server/openapi.h"

namespace jejak::server {

void GetHealth(ServiceContext& /*context*/, const Call& call) {
  return call.Respond(JsonOk({{"status", "ok"}}));
}

void GetReady(ServiceContext& context, const Call& call) {
  Result<StorePool::Lease> store = context.reads.Acquire();
  if (!store) return call.Fail(Unavailable("database unavailable"));
  Result<std::uint64_t> size = (*store)->TreeSize();
  if (!size) return call.Fail(Unavailable("database unavailable"));
  // A read-only instance is ready when it can read: it never records.
  if (context.config.read_only) {
    return call.Respond(JsonOk({{"status", "ready"}, {"read_only", true}, {"tree_size", *size}}));
  }
  // Ready means ready to record: not while appends are refused.
  if (std::optional<std::string> blocked = context.writer->Blocked()) {
    return call.Fail(Unavailable("not ready: " + *blocked));
  }
  return call.Respond(JsonOk({{"status", "ready"}, {"tree_size", *size}}));
}

void GetMetrics(ServiceContext& context, const Call& call) {
  if (!context.config.metrics_from_any && !call.request.remote_is_loopback) {
    return call.Fail(Error{Code::kPermissionDenied, "metrics are served to loopback only", {}});
  }
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = context.metrics.Render(std::chrono::system_clock::now());
  return call.Respond(std::move(response));
}

void GetOpenApi(ServiceContext& /*context*/, const Call& call) {
  HttpResponse response;
  response.content_type = "application/yaml";
  response.body = std::string(OpenApiYaml());
  return call.Respond(std::move(response));
}

void GetDashboard(ServiceContext& /*context*/, const Call& call) {
  // "/" and "/index.html" serve the page; "/assets/NAME" the file NAME. The route table
  // holds one route per embedded file, so an unknown name never reaches here.
  const std::string_view name =
      call.path.rfind("/assets/", 0) == 0 ? std::string_view(call.path).substr(8) : "index.html";
  const DashboardAsset* found = nullptr;
  for (const DashboardAsset& asset : DashboardAssets()) {
    if (asset.name == name) found = &asset;
  }
  if (found == nullptr) return call.Fail(Error{Code::kNotFound, "no such asset", {}});
  HttpResponse response;
  response.content_type = std::string(found->content_type);
  response.body = std::string(found->body);
  // The page holds no data (it asks the API with the user's token), so it may be cached
  // briefly; it never runs anything from elsewhere.
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.headers.emplace_back(
      "Content-Security-Policy",
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  return call.Respond(std::move(response));
}

}  // namespace jejak::server
