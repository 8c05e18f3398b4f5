#include "core/supervisor_protocol.hpp"

#include "core/scoped_process.hpp"

namespace otter::core {

const char* to_string(ChildState state) noexcept {
  switch (state) {
    case ChildState::running: return "running";
    case ChildState::restarting: return "restarting";
    case ChildState::stopped: return "stopped";
  }
  return "unknown";
}

const char* to_string(SupervisorError error) noexcept {
  switch (error) {
    case SupervisorError::not_found: return "not_found";
    case SupervisorError::running: return "running";
    case SupervisorError::restarting: return "restarting";
    case SupervisorError::already_present: return "already_present";
    case SupervisorError::invalid_spec: return "invalid_spec";
    case SupervisorError::start_failed: return "start_failed";
    case SupervisorError::max_children: return "max_children";
    case SupervisorError::shutting_down: return "shutting_down";
    case SupervisorError::no_answer: return "no_answer";
  }
  return "unknown";
}

CallOutcome<std::vector<ChildInfo>> which_children(Runtime& runtime, Pid supervisor,
                                                   Duration timeout) {
  return call<WhichChildren::Reply>(runtime, supervisor, WhichChildren{}, timeout);
}

CallOutcome<ChildCounts> count_children(Runtime& runtime, Pid supervisor, Duration timeout) {
  return call<CountChildren::Reply>(runtime, supervisor, CountChildren{}, timeout);
}

namespace detail {
namespace {

SupervisorResult no_answer(const CallFailure& failure) {
  return SupervisorResult::refused(SupervisorError::no_answer,
                                   "the supervisor did not answer: " + failure.to_string());
}

}  // namespace

StartResult no_start_answer(const CallFailure& failure) {
  return refused_start(SupervisorError::no_answer,
                       "the supervisor did not answer: " + failure.to_string());
}

StartResult call_for_start(Runtime& runtime, Pid supervisor, Message request, Duration timeout) {
  CallOutcome<StartResult> answer = call<StartResult>(runtime, supervisor, std::move(request), timeout);
  if (!answer.ok()) return no_start_answer(answer.failure());
  return std::move(answer).value();
}

SupervisorResult call_for_result(Runtime& runtime, Pid supervisor, Message request, Duration timeout) {
  CallOutcome<SupervisorResult> answer = call<SupervisorResult>(runtime, supervisor, std::move(request), timeout);
  if (!answer.ok()) return no_answer(answer.failure());
  return std::move(answer).value();
}

StartResult refused_start(SupervisorError error, const std::string& message) {
  return StartResult::failed(ExitReason::error(std::string{to_string(error)} + ": " + message));
}

}  // namespace detail
}  // namespace otter::core
