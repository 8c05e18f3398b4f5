// net::Expected<T>: a decoded value, or the protocol error to answer it with.
//
// Contract (the same shape as ot::Expected, with the wire's ErrorMessage as the error)
// - Holds exactly one of: a T, or an ErrorMessage. Built implicitly from either.
// - has_value() / operator bool tell which. value(), operator*, operator-> give the T;
//   called on an error they throw std::logic_error naming the error (a caller's bug, never
//   undefined behaviour). error() on a value throws likewise.
#pragma once

#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "net/messages.hpp"

namespace otter::net {

template <class T>
class Expected {
  static_assert(!std::is_same_v<std::remove_cv_t<T>, ErrorMessage>, "Expected<ErrorMessage> is ambiguous");

 public:
  Expected(const T& value) : state_(std::in_place_index<0>, value) {}                  // NOLINT: implicit
  Expected(T&& value) : state_(std::in_place_index<0>, std::move(value)) {}            // NOLINT
  Expected(ErrorMessage error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  [[nodiscard]] T& value() & {
    check_value();
    return *std::get_if<0>(&state_);
  }
  [[nodiscard]] const T& value() const& {
    check_value();
    return *std::get_if<0>(&state_);
  }
  [[nodiscard]] T&& value() && { return std::move(value()); }

  [[nodiscard]] const ErrorMessage& error() const& {
    check_error();
    return *std::get_if<1>(&state_);
  }
  [[nodiscard]] ErrorMessage&& error() && {
    check_error();
    return std::move(*std::get_if<1>(&state_));
  }

  [[nodiscard]] T& operator*() & { return value(); }
  [[nodiscard]] const T& operator*() const& { return value(); }
  [[nodiscard]] T* operator->() { return &value(); }
  [[nodiscard]] const T* operator->() const { return &value(); }

 private:
  void check_value() const {
    if (const ErrorMessage* error = std::get_if<1>(&state_)) {
      throw std::logic_error("Expected holds an error, not a value: " + std::string(to_string(error->code)) +
                             ": " + error->message);
    }
  }
  void check_error() const {
    if (has_value()) throw std::logic_error("Expected holds a value, not an error");
  }

  std::variant<T, ErrorMessage> state_;
};

}  // namespace otter::net
