//===- Error.h - Status and Expected without exceptions ---------*- C++ -*-===//
//
// The target contract is linked into the MLIR compiler (built with
// -fno-exceptions) as well as the simulator and runtime, so its API reports
// failure through values. Messages are complete sentences for a user: they
// say which file or object, what is wrong, and where.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace strata {

/// A failure with a user-facing message.
class Error {
public:
  explicit Error(std::string message) : message_(std::move(message)) {}
  const std::string &message() const { return message_; }

  /// Returns a copy with "context: " prepended, e.g. the file name.
  Error withContext(const std::string &context) const {
    return Error(context + ": " + message_);
  }

private:
  std::string message_;
};

/// Success, or an Error.
class [[nodiscard]] Status {
public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}
  static Status ok() { return Status(); }

  bool isOk() const { return !error_.has_value(); }
  explicit operator bool() const { return isOk(); }
  const Error &error() const {
    assert(error_ && "no error in an ok Status");
    return *error_;
  }
  const std::string &message() const { return error().message(); }

private:
  std::optional<Error> error_;
};

/// A value of type T, or an Error.
template <typename T> class [[nodiscard]] Expected {
public:
  Expected(T value) : value_(std::move(value)) {}
  Expected(Error error) : error_(std::move(error)) {}
  Expected(Status status) : error_(status.error()) {
    assert(!status.isOk() && "Expected built from an ok Status");
  }

  bool isOk() const { return value_.has_value(); }
  explicit operator bool() const { return isOk(); }

  T &operator*() { return *value_; }
  const T &operator*() const { return *value_; }
  T *operator->() { return &*value_; }
  const T *operator->() const { return &*value_; }
  T &value() { return *value_; }
  const T &value() const { return *value_; }
  T takeValue() { return std::move(*value_); }

  const Error &error() const {
    assert(error_ && "no error in an Expected that holds a value");
    return *error_;
  }
  const std::string &message() const { return error().message(); }
  Status status() const { return isOk() ? Status() : Status(*error_); }

private:
  std::optional<T> value_;
  std::optional<Error> error_;
};

} // namespace strata
