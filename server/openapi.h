// The OpenAPI 3.1 description of the HTTP API (server/openapi.yaml), compiled into the
// binary and served at GET /v1/openapi.yaml.
#pragma once

#include <string_view>

namespace jejak::server {

std::string_view OpenApiYaml();

}  // namespace jejak::server
