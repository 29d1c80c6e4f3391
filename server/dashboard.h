// The Bupati's dashboard (server/dashboard/*), compiled into the binary and served at
// GET / and GET /assets/{app.js,style.css}. The page itself holds no data: it asks the
// API with the token the user enters.
#pragma once

#include <string_view>

namespace jejak::server {

std::string_view DashboardHtml();
std::string_view DashboardScript();
std::string_view DashboardStyle();

}  // namespace jejak::server
