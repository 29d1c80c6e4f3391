// The request target split into a path and query parameters, and the strict reading of
// those parameters that every route shares. The router parses the target once; handlers
// read the parameters through Query.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>

#include "base/result.h"

namespace jejak::server {

struct Target {
  std::string path;
  std::map<std::string, std::string> query;  // Percent-decoded names and values.
};

// Splits `target` ("/path?a=1&b=2") and percent-decodes the query ("+" is a space).
// kInvalidArgument if the path does not start with '/', the query is longer than
// kQueryBytesMax, an escape is malformed or a parameter is given twice.
Result<Target> ParseTarget(const std::string& target);

// Query parameters of one route: rejects unknown ones, parses integers strictly. Holds a
// reference to `values`, which must outlive it.
class Query {
 public:
  Query(const std::map<std::string, std::string>& values) : values_(values) {}  // NOLINT

  // kInvalidArgument naming the first parameter not in `names`.
  Result<void> Allow(std::initializer_list<const char*> names) const;
  // The value of `name`, nullopt if absent.
  std::optional<std::string> Text(const std::string& name) const;
  // Nullopt value if absent; an Error if present but not an integer in [min, max].
  Result<std::optional<std::int64_t>> Integer(const std::string& name, std::int64_t min,
                                              std::int64_t max) const;
  // True iff the request has no query parameters at all.
  bool Empty() const { return values_.empty(); }

 private:
  const std::map<std::string, std::string>& values_;
};

}  // namespace jejak::server
