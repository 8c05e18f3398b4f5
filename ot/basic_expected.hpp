// BasicExpected<T, E>: a value or an error, for any layer's error type. C++20 has no
// std::expected; this is the small part of it Otter needs (no exceptions for bad input).
// Each layer names its own one-line alias and keeps its own error vocabulary:
// ot::Expected (ot::Error), storage::Expected (storage::Error), net::Expected (ErrorMessage).
//
// Contract
// - E is a CodedError: it has a `code` that to_string() (found by ADL) renders as a stable
//   name, and a `message` sentence. That is all this header knows about an error.
// - Holds exactly one of: a T, or an E. Built implicitly from either. T may not be E.
// - has_value() / operator bool tell which. value(), operator* and operator-> give the T;
//   called on an error they throw std::logic_error carrying the error's code and message
//   (a bug in the caller, never undefined behaviour). error() on a value throws likewise.
// - BasicExpected<void, E> holds nothing or an E; build the success value with {}.
// (std::get, not *std::get_if, after the index check: GCC 12's -Wnull-dereference cannot
// see through get_if at -O2 and would break -Werror builds.)
#pragma once

#include <concepts>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace otter::ot {

template <class E>
concept CodedError = requires(const E& error) {
  { to_string(error.code) } -> std::convertible_to<std::string_view>;
  { error.message } -> std::convertible_to<std::string_view>;
};

namespace basic_expected_detail {
template <CodedError E>
[[noreturn]] void throw_no_value(const E& error) {
  throw std::logic_error("Expected holds an error, not a value: " + std::string(to_string(error.code)) + ": " +
                         std::string(error.message));
}
[[noreturn]] inline void throw_no_error() { throw std::logic_error("Expected holds a value, not an error"); }
}  // namespace basic_expected_detail

template <class T, CodedError E>
class BasicExpected {
  static_assert(!std::is_same_v<std::remove_cv_t<T>, E>, "an Expected whose value is its error is ambiguous");

 public:
  BasicExpected(const T& value) : state_(std::in_place_index<0>, value) {}        // NOLINT: implicit by design
  BasicExpected(T&& value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  BasicExpected(E error) : state_(std::in_place_index<1>, std::move(error)) {}    // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  [[nodiscard]] T& value() & {
    if (!has_value()) basic_expected_detail::throw_no_value(std::get<1>(state_));
    return std::get<0>(state_);
  }
  [[nodiscard]] const T& value() const& {
    if (!has_value()) basic_expected_detail::throw_no_value(std::get<1>(state_));
    return std::get<0>(state_);
  }
  [[nodiscard]] T&& value() && { return std::move(value()); }

  [[nodiscard]] const E& error() const& {
    if (has_value()) basic_expected_detail::throw_no_error();
    return std::get<1>(state_);
  }
  [[nodiscard]] E&& error() && {
    if (has_value()) basic_expected_detail::throw_no_error();
    return std::get<1>(std::move(state_));
  }

  [[nodiscard]] T& operator*() & { return value(); }
  [[nodiscard]] const T& operator*() const& { return value(); }
  [[nodiscard]] T&& operator*() && { return std::move(value()); }
  [[nodiscard]] T* operator->() { return &value(); }
  [[nodiscard]] const T* operator->() const { return &value(); }

 private:
  std::variant<T, E> state_;
};

template <CodedError E>
class BasicExpected<void, E> {
 public:
  BasicExpected() noexcept = default;
  BasicExpected(E error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  [[nodiscard]] bool has_value() const noexcept { return !error_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }

  void value() const {
    if (!has_value()) basic_expected_detail::throw_no_value(*error_);
  }
  [[nodiscard]] const E& error() const& {
    if (has_value()) basic_expected_detail::throw_no_error();
    return *error_;
  }
  [[nodiscard]] E&& error() && {
    if (has_value()) basic_expected_detail::throw_no_error();
    return *std::move(error_);
  }

 private:
  std::optional<E> error_;  // empty on success: no error of an arbitrary type is made up
};

}  // namespace otter::ot
