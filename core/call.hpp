#pragma once
// The outcome of a call: the callee's reply, or why there is none.
//
//   timeout         no reply within the timeout; a reply arriving later is dropped.
//   noproc          the callee did not exist when the call was sent.
//   callee_exited   the callee exited before answering; reason() says how.
//   bad_reply_type  the callee replied with a value of another type than asked for.
#include <string>
#include <utility>
#include <variant>

#include "core/exit_reason.hpp"
#include "core/message.hpp"

namespace otter::core {

enum class CallError : unsigned char { timeout, noproc, callee_exited, bad_reply_type };

[[nodiscard]] inline const char* to_string(CallError error) noexcept {
  switch (error) {
    case CallError::timeout: return "timeout";
    case CallError::noproc: return "noproc";
    case CallError::callee_exited: return "callee_exited";
    case CallError::bad_reply_type: return "bad_reply_type";
  }
  return "unknown";
}

struct CallFailure {
  CallError error;
  ExitReason reason;  // for callee_exited: the callee's exit reason
  [[nodiscard]] std::string to_string() const {
    std::string text = core::to_string(error);
    if (error == CallError::callee_exited) text += " (" + reason.to_string() + ")";
    return text;
  }
};

template <class T>
class CallOutcome {
 public:
  CallOutcome(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  CallOutcome(CallFailure failure) : state_(std::move(failure)) {}  // NOLINT

  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  [[nodiscard]] explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] T& value() & { return std::get<0>(state_); }
  [[nodiscard]] const T& value() const& { return std::get<0>(state_); }
  [[nodiscard]] T&& value() && { return std::get<0>(std::move(state_)); }
  [[nodiscard]] T& operator*() & { return value(); }
  [[nodiscard]] T* operator->() { return &value(); }
  [[nodiscard]] const CallFailure& failure() const { return std::get<1>(state_); }
  [[nodiscard]] CallError error() const { return failure().error; }

 private:
  std::variant<T, CallFailure> state_;
};

namespace detail {

// Turns a reply payload (or a failure) into the typed outcome the caller asked for.
template <class T>
CallOutcome<T> to_outcome(Message& reply) {
  if (T* value = std::any_cast<T>(&reply)) return CallOutcome<T>(std::move(*value));
  return CallFailure{CallError::bad_reply_type, {}};
}

inline CallFailure to_failure(const ExitReason& reason) {
  if (reason.kind() == ExitReason::Kind::noproc) return {CallError::noproc, reason};
  return {CallError::callee_exited, reason};
}

}  // namespace detail
}  // namespace otter::core
