// SPDX-License-Identifier: Apache-2.0
// Status and Result<T>: expected failures as values (a small stand-in for std::expected).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace inferbench {

// Codes are grouped by kind so the CLI can map them to exit codes (see cli/exit_codes.h).
enum class StatusCode {
  Ok = 0,
  Usage,        // a flag or value the user gave is wrong
  Input,        // a file the user named is missing or malformed
  Unavailable,  // a backend, SDK or device is not there
  Backend,      // the framework reported an error
  Io,           // reading or writing a file failed
  Internal,     // our bug
};

const char* status_code_name(StatusCode code);

// A code, a one-line message (what is wrong, with the offending value) and an optional hint
// (what to do). Cheap to copy; an ok status carries no strings.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::string hint = {})
      : code_(code), message_(std::move(message)), hint_(std::move(hint)) {}

  static Status ok() { return {}; }

  bool is_ok() const { return code_ == StatusCode::Ok; }
  explicit operator bool() const { return is_ok(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& hint() const { return hint_; }

  // "message; hint" — the single line printed to the user.
  std::string to_string() const;

 private:
  StatusCode code_ = StatusCode::Ok;
  std::string message_;
  std::string hint_;
};

// Either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : state_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool is_ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return is_ok(); }

  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The error; only valid when !is_ok().
  const Status& status() const { return std::get<Status>(state_); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace inferbench

// Returns the status from the enclosing function when it is not ok.
#define IB_RETURN_IF_ERROR(expr)                   \
  do {                                             \
    ::inferbench::Status ib_status_ = (expr);      \
    if (!ib_status_.is_ok()) return ib_status_;    \
  } while (false)
