#include "core/task.hpp"

#include <string>

#include "core/process.hpp"

namespace otter::core::detail {

void require_outside_process(const char* what) {
  if (Process::current() != nullptr) {
    throw std::logic_error(std::string{what} +
                           " blocks: not from inside a process (use the GenServer overload)");
  }
}

bool TaskStateBase::wait_until(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return changed_.wait_until(lock, deadline, [this] { return status_ != Status::running; });
}

bool TaskStateBase::has_outcome() const {
  std::lock_guard lock(mutex_);
  return status_ != Status::running;
}

bool TaskStateBase::shutdown_requested() const {
  std::lock_guard lock(mutex_);
  return shutdown_requested_;
}

void TaskStateBase::mark_exited(const ExitReason& reason) {
  {
    std::lock_guard lock(mutex_);
    if (status_ == Status::running) {
      status_ = Status::exited;
      reason_ = reason;
    }
  }
  // Whatever the function still computes can no longer be used.
  stop_.request_stop();
  changed_.notify_all();
}

bool TaskStateBase::request_shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (status_ != Status::running) return false;
    shutdown_requested_ = true;
  }
  stop_.request_stop();
  return true;
}

bool TaskStateBase::accept_value_locked() {
  if (status_ != Status::running || shutdown_requested_) return false;
  status_ = Status::has_value;
  // The caller stores the value before releasing the lock: a woken waiter finds it.
  changed_.notify_all();
  return true;
}

void TaskAwaiter::await(GenServer& server, Pid task, Duration timeout,
                        std::function<void(bool answered)> on_answer) {
  if (Process::current() != &server) {
    throw std::logic_error("Task::await/yield with a GenServer: only from that server's handlers");
  }
  // Every answer means "look at the state now": TaskReady, or noproc/callee_exited when
  // the task process is already gone (its exit hook stored the outcome before that).
  server.call<TaskReady>(task, TaskAwait{}, timeout,
                         [on_answer = std::move(on_answer)](CallOutcome<TaskReady> answer) {
                           on_answer(answer.ok() || answer.error() != CallError::timeout);
                         });
}

}  // namespace otter::core::detail
