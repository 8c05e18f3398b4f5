// Expected<T>: a value or an Error. C++20 has no std::expected; this is the small part of
// it the OT engine needs on its hot path (no exceptions for bad input).
//
// Contract
// - Holds exactly one of: a T, or an Error. Built implicitly from either.
// - has_value() / operator bool tell which. value(), operator* and operator-> give the T;
//   called on an error they throw std::logic_error carrying the error's message (a bug in
//   the caller, never undefined behaviour). error() on a value throws likewise.
// - Expected<void> holds nothing or an Error; build the success value with Expected<void>{}.
#pragma once

#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "ot/error.hpp"

namespace otter::ot {

namespace expected_detail {
[[noreturn]] inline void throw_no_value(const Error& error) {
  throw std::logic_error("Expected holds an error, not a value: " + std::string(to_string(error.code)) + ": " +
                         error.message);
}
[[noreturn]] inline void throw_no_error() { throw std::logic_error("Expected holds a value, not an error"); }
}  // namespace expected_detail

template <class T>
class Expected {
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Error>, "Expected<Error> is ambiguous");

 public:
  Expected(const T& value) : state_(std::in_place_index<0>, value) {}          // NOLINT: implicit by design
  Expected(T&& value) : state_(std::in_place_index<0>, std::move(value)) {}    // NOLINT
  Expected(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  [[nodiscard]] T& value() & {
    if (!has_value()) expected_detail::throw_no_value(std::get<1>(state_));
    return std::get<0>(state_);
  }
  [[nodiscard]] const T& value() const& {
    if (!has_value()) expected_detail::throw_no_value(std::get<1>(state_));
    return std::get<0>(state_);
  }
  [[nodiscard]] T&& value() && { return std::move(value()); }

  [[nodiscard]] const Error& error() const& {
    if (has_value()) expected_detail::throw_no_error();
    return std::get<1>(state_);
  }
  [[nodiscard]] Error&& error() && {
    if (has_value()) expected_detail::throw_no_error();
    return std::get<1>(std::move(state_));
  }

  [[nodiscard]] T& operator*() & { return value(); }
  [[nodiscard]] const T& operator*() const& { return value(); }
  [[nodiscard]] T&& operator*() && { return std::move(value()); }
  [[nodiscard]] T* operator->() { return &value(); }
  [[nodiscard]] const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> state_;
};

template <>
class Expected<void> {
 public:
  Expected() noexcept = default;
  Expected(Error error) : error_(std::move(error)), has_error_(true) {}  // NOLINT: implicit by design

  [[nodiscard]] bool has_value() const noexcept { return !has_error_; }
  explicit operator bool() const noexcept { return has_value(); }

  void value() const {
    if (has_error_) expected_detail::throw_no_value(error_);
  }
  [[nodiscard]] const Error& error() const& {
    if (!has_error_) expected_detail::throw_no_error();
    return error_;
  }
  [[nodiscard]] Error&& error() && {
    if (!has_error_) expected_detail::throw_no_error();
    return std::move(error_);
  }

 private:
  Error error_{ErrorCode::malformed_op, {}};  // meaningful only when has_error_
  bool has_error_ = false;
};

}  // namespace otter::ot
