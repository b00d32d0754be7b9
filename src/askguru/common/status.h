// Status and Result<T>: expected failures are values, not exceptions.
//
// A Status carries a code and a message that a person (or an LLM repair prompt)
// can act on. Result<T> holds either a T or a non-OK Status. Both are cheap to
// move and are not thread-safe to mutate concurrently (plain values).
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace askguru {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,  // bad input from the caller: flags, files, config
  kNotFound,         // a file, table, column, endpoint that does not exist
  kIoError,          // reading or writing a file failed
  kParseError,       // malformed SQL, JSON, YAML, reply
  kSqlError,         // the database rejected or failed a statement
  kTimeout,          // a time limit passed (query, request, question)
  kRefused,          // a policy refused the request (guardrail, read-only)
  kUnavailable,      // an endpoint or server cannot be reached (retryable)
  kCancelled,        // the work was cancelled on purpose
  kInternal,         // a bug: an invariant did not hold
};

std::string_view error_code_name(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Lets AG_RETURN_IF_ERROR take a Status or a Result alike.
  const Status& status() const { return *this; }
  // "timeout: query exceeded 30000 ms" (or "ok").
  std::string to_string() const;

  // Returns a copy whose message is prefixed with context: "loading x.json: <message>".
  Status with_context(std::string_view context) const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

inline Status make_error(ErrorCode code, std::string message) { return Status(code, std::move(message)); }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok() && "Result constructed from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return ok(); }

  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  const std::string& error() const { return status().message(); }

  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T value_or(T fallback) const& { return ok() ? std::get<T>(data_) : std::move(fallback); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace askguru

#define AG_CONCAT_INNER(a, b) a##b
#define AG_CONCAT(a, b) AG_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function if it is not OK.
#define AG_RETURN_IF_ERROR(expr)                        \
  do {                                                  \
    auto ag_status_ = (expr);                           \
    if (!ag_status_.ok()) return ::askguru::Status(ag_status_.status()); \
  } while (0)

// `AG_ASSIGN_OR_RETURN(auto x, make_x());` binds the value or returns the error.
#define AG_ASSIGN_OR_RETURN(lhs, expr) AG_ASSIGN_OR_RETURN_IMPL(AG_CONCAT(ag_result_, __LINE__), lhs, expr)
#define AG_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
