// The Indonesian catalog of the messages users see: validation messages (entries, money,
// query parameters, imports), problem details and titles. The code speaks English; the
// server translates a problem for a request whose Accept-Language prefers Indonesian, and
// import row errors are always given in Indonesian, both through this one catalog.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace jejak::ledger {

// The Indonesian of `english`, or nullopt if the catalog has no template for it. A
// template's "{}" stands for any non-empty text (a field, a number, a list, an amount),
// carried over unchanged; templates are tried in catalog order, the first that matches
// the whole message wins.
std::optional<std::string> TranslateToIndonesian(std::string_view english);

// TranslateToIndonesian(english) when it has one, else `english` itself.
std::string Indonesian(std::string_view english);

// True iff `header` (an Accept-Language value, RFC 9110 §12.5.4) prefers Indonesian: the
// highest q-value among its ranges goes to "id" or "id-*" (ties: the first listed wins,
// "*" counts for neither). False when empty or malformed.
bool PrefersIndonesian(std::string_view header);

}  // namespace jejak::ledger
