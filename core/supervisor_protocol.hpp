#pragma once
// The calls every supervisor answers, and the answers' vocabulary.
//
//   WhichChildren  -> std::vector<ChildInfo>   every child, in start order
//   CountChildren  -> ChildCounts
//
// Both Supervisor and DynamicSupervisor answer them; their own requests (start_child,
// terminate_child...) are declared with each of them and answer with StartResult or
// SupervisorResult below.
//
// From outside any process, the helpers below (and the static helpers on Supervisor and
// DynamicSupervisor) block the calling thread until the answer comes. From inside a
// process, call asynchronously with the request's Reply type:
//
//   call<WhichChildren::Reply>(sup, WhichChildren{}, 5s,
//       [this](CallOutcome<std::vector<ChildInfo>> children) { ... });
//
// A supervisor answers these even while it is busy stopping children.
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "core/call.hpp"
#include "core/child_spec.hpp"
#include "core/message.hpp"
#include "core/pid.hpp"
#include "core/runtime.hpp"

namespace otter::core {

enum class ChildState : unsigned char {
  running,     // pid names the live child
  restarting,  // exited, restart pending (or a restart failed and will be retried)
  stopped,     // not running and not to be restarted (terminate_child, transient exit)
};
[[nodiscard]] const char* to_string(ChildState state) noexcept;

struct ChildInfo {
  std::string id;
  Pid pid;  // null unless running
  ChildType type = ChildType::worker;
  ChildState state = ChildState::stopped;
};

// OTP's count_children: specs = every child the supervisor knows, active = running ones.
struct ChildCounts {
  std::size_t specs = 0;
  std::size_t active = 0;
  std::size_t supervisors = 0;
  std::size_t workers = 0;
  friend bool operator==(const ChildCounts&, const ChildCounts&) noexcept = default;
};

struct WhichChildren {
  using Reply = std::vector<ChildInfo>;
};
struct CountChildren {
  using Reply = ChildCounts;
};

// Why a supervisor refused a request (a stable code; the result also carries a sentence).
enum class SupervisorError : unsigned char {
  not_found,        // no child with that id / pid
  running,          // restart_child, delete_child: the child is running
  restarting,       // restart_child, delete_child: the child is waiting to be restarted
  already_present,  // start_child: a child with that id exists
  invalid_spec,     // start_child: the spec does not validate
  start_failed,     // start_child, restart_child: the child's start failed
  max_children,     // DynamicSupervisor::start_child: the limit is reached
  shutting_down,    // the supervisor is stopping all its children and will exit
  no_answer,        // the supervisor did not answer (helpers only: timeout, noproc...)
};
[[nodiscard]] const char* to_string(SupervisorError error) noexcept;

// The answer to terminate_child and delete_child: ok, or why not.
class SupervisorResult {
 public:
  [[nodiscard]] static SupervisorResult done() { return SupervisorResult{}; }
  [[nodiscard]] static SupervisorResult refused(SupervisorError error, std::string message) {
    SupervisorResult result;
    result.failed_ = true;
    result.error_ = error;
    result.message_ = std::move(message);
    return result;
  }
  [[nodiscard]] bool ok() const noexcept { return !failed_; }
  [[nodiscard]] explicit operator bool() const noexcept { return ok(); }
  // Only meaningful when !ok().
  [[nodiscard]] SupervisorError error() const noexcept { return error_; }
  [[nodiscard]] const std::string& message() const noexcept { return message_; }

 private:
  SupervisorResult() = default;
  bool failed_ = false;
  SupervisorError error_ = SupervisorError::not_found;
  std::string message_;
};

// How long the blocking helpers wait by default: longer than any default shutdown, since
// terminate_child waits for the child to stop.
inline constexpr Duration kSupervisorCallTimeout = std::chrono::seconds(30);

// Blocking helpers for callers outside any process (either kind of supervisor).
[[nodiscard]] CallOutcome<std::vector<ChildInfo>> which_children(
    Runtime& runtime, Pid supervisor, Duration timeout = kSupervisorCallTimeout);
[[nodiscard]] CallOutcome<ChildCounts> count_children(Runtime& runtime, Pid supervisor,
                                                      Duration timeout = kSupervisorCallTimeout);

namespace detail {
// A StartResult for a call that got no answer (async_start_child's callback).
[[nodiscard]] StartResult no_start_answer(const CallFailure& failure);
// Blocking calls for the helpers on Supervisor and DynamicSupervisor: the supervisor's
// answer, or a refusal with SupervisorError::no_answer when none came.
[[nodiscard]] StartResult call_for_start(Runtime& runtime, Pid supervisor, Message request, Duration timeout);
[[nodiscard]] SupervisorResult call_for_result(Runtime& runtime, Pid supervisor, Message request,
                                               Duration timeout);
// The reason a start_child/restart_child refusal carries: "<code>: <sentence>".
[[nodiscard]] StartResult refused_start(SupervisorError error, const std::string& message);
}  // namespace detail

}  // namespace otter::core
