// Result<T>: a value or an Error, for operating errors (bad input, unknown seq, conflict,
// storage down). Member names follow std::expected so that moving to C++23 is a rename.
// Programmer errors do not use this: they abort through JEJAK_CHECK.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "base/check.h"

namespace jejak {

// After Abseil's canonical codes; server/problem.cc maps them to HTTP status.
enum class Code {
  kInvalidArgument,   // 400: the request is malformed or fails validation.
  kUnauthenticated,   // 401: no valid token.
  kPermissionDenied,  // 403: known caller, not allowed.
  kNotFound,          // 404.
  kConflict,          // 409: e.g. a bank_ref already in the ledger.
  kTooLarge,          // 413.
  kOutOfRange,        // 422: valid alone, but the ledger cannot take it (a total past its range).
  kUnavailable,       // 503: storage unreachable; the caller may retry.
  kDataLoss,          // 500 and an alert: stored entries do not verify.
  kInternal,          // 500: a bug; details go to the log only.
};

// Name of `code` for logs and messages, e.g. "invalid_argument".
const char* CodeName(Code code);

// One rejected field: a JSON path such as "payee.account_no" or "taxes[1].amount".
struct FieldError {
  std::string field;
  std::string message;

  friend bool operator==(const FieldError&, const FieldError&) = default;
};

struct Error {
  Code code = Code::kInternal;
  std::string message;             // Safe to show a client.
  std::vector<FieldError> fields;  // Only for kInvalidArgument and kOutOfRange.

  // "message" or "message: field: why; field: why".
  std::string ToString() const {
    std::string text = message;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      text += i == 0 ? ": " : "; ";
      text += fields[i].field + ": " + fields[i].message;
    }
    return text;
  }
};

inline Error InvalidArgument(std::string message, std::vector<FieldError> fields = {}) {
  return Error{Code::kInvalidArgument, std::move(message), std::move(fields)};
}
inline Error FieldInvalid(std::string field, std::string why) {
  return Error{Code::kInvalidArgument, "invalid entry", {FieldError{std::move(field), std::move(why)}}};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    JEJAK_CHECK(has_value());
    return std::get<0>(state_);
  }
  const T& value() const& {
    JEJAK_CHECK(has_value());
    return std::get<0>(state_);
  }
  T&& value() && {
    JEJAK_CHECK(has_value());
    return std::get<0>(std::move(state_));
  }
  const Error& error() const {
    JEJAK_CHECK(!has_value());
    return std::get<1>(state_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    JEJAK_CHECK(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

inline Result<void> Ok() { return Result<void>(); }

inline const char* CodeName(Code code) {
  switch (code) {
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kUnauthenticated: return "unauthenticated";
    case Code::kPermissionDenied: return "permission_denied";
    case Code::kNotFound: return "not_found";
    case Code::kConflict: return "conflict";
    case Code::kTooLarge: return "too_large";
    case Code::kOutOfRange: return "out_of_range";
    case Code::kUnavailable: return "unavailable";
    case Code::kDataLoss: return "data_loss";
    case Code::kInternal: return "internal";
  }
  return "internal";
}

}  // namespace jejak
