// The web app (server/dashboard/*), compiled into the binary: index.html is served at
// GET / and every other file at GET /assets/NAME. The page itself holds no data: it asks
// the API with the token the user enters.
#pragma once

#include <string_view>
#include <vector>

namespace jejak::server {

struct DashboardAsset {
  std::string_view name;          // The file's name in server/dashboard/, e.g. "core.js".
  std::string_view content_type;  // From its extension.
  std::string_view body;
};

// Every embedded file, in the order server/CMakeLists.txt lists them; never empty.
const std::vector<DashboardAsset>& DashboardAssets();

}  // namespace jejak::server
