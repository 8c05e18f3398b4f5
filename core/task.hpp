#pragma once
// Task: one function run in a process of its own, its result awaited by the process that
// started it (its owner), as Elixir's Task. Tasks are started by a TaskSupervisor
// (task_supervisor.hpp), which owns the threads their functions run on.
//
//   Task<Text> task = tasks.async(self(), [path] { return read_file(path); });  // starts now
//
//   // from outside any process (main, a test, a ScopedProcess's thread): blocks
//   CallOutcome<Text> text = task.await(5s);
//
//   // from inside a GenServer handler: never blocks; the continuation runs in this
//   // process later, like a reply to a call
//   task.await(*this, 5s, [this](CallOutcome<Text> text) { ... });
//
// Tasks are where blocking work goes (disk, DNS, a slow library): the function runs on the
// supervisor's blocking thread pool, never on the runtime's process threads, so a slow
// function can't starve the processes. The task's process only waits for it and answers.
//
// Outcomes are the vocabulary of calls, CallOutcome<T> (call.hpp):
//   ok                      the function returned (void functions give std::monostate)
//   callee_exited(reason)   it ended without a value: the function threw (error(what())),
//                           the task was shut down (shutdown) or killed (killed), or its
//                           owner exited (shutdown, or the owner's reason through the link)
//   timeout                 await only: no outcome in time, and the task has been shut down
// A value is taken once: after an await/yield has returned it, awaiting again is a
// std::logic_error.
//
// Life of a task:
//   async ─► process starts: links to (async) or only watches (async_nolink) its owner
//        ─► function runs on a blocking thread ─► value stored ─► process exits normally
//   If the function throws, the process exits with error(what()): a linked owner that
//   doesn't trap exits goes down with it (Elixir's Task.async); an async_nolink owner just
//   sees the reason in its await. If the owner exits first, the task is shut down.
//
//   await(timeout)    outcome, or timeout after which the task is shut down (Elixir's
//                     await would crash the caller instead; we return the timeout).
//   yield(timeout)    outcome, or nullopt: the task keeps running, yield again later.
//   shutdown()        outcome if there already is one; else unlinks the task from its owner
//                     (so the owner survives), tells it to exit with shutdown and returns
//                     nullopt. It never waits.
//
// Stopping is cooperative: a function that is already running can't be interrupted. A
// function taking a `std::stop_token` gets one that is requested when the task is shut
// down or ends without a value; its result, if it still returns one, is dropped. A
// function whose task was shut down before it started never runs.
//
// Blocking members (await, yield) may not be called inside a process handler (they throw
// std::logic_error there); the GenServer overloads must be called from that server's own
// handlers. The handle is move-only; dropping it leaves the task running.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/call.hpp"
#include "core/exit_reason.hpp"
#include "core/gen_server.hpp"
#include "core/pid.hpp"
#include "core/runtime.hpp"

namespace otter::core {

namespace detail {

// Private messages between a Task handle, its process and the blocking thread.
struct TaskAwait {};     // call: answered with TaskReady once the task has an outcome
struct TaskReady {};
struct TaskShutdown {};  // send: unlink from the owner, exit with shutdown

// Throws std::logic_error when called from inside a process handler.
void require_outside_process(const char* what);

// The outcome of one task, shared by its handle, its process and the job running its
// function. The untyped half: status, exit reason, stop request.
class TaskStateBase {
 public:
  TaskStateBase() = default;
  TaskStateBase(const TaskStateBase&) = delete;
  TaskStateBase& operator=(const TaskStateBase&) = delete;
  virtual ~TaskStateBase() = default;

  // Blocks until the task has an outcome or `deadline` passes; returns whether it has one.
  bool wait_until(std::chrono::steady_clock::time_point deadline);
  [[nodiscard]] bool has_outcome() const;
  [[nodiscard]] bool shutdown_requested() const;
  // The task's process ended with `reason` (its exit hook). Keeps a value that came first.
  void mark_exited(const ExitReason& reason);
  // With no outcome yet: marks the task as being shut down (later values are dropped),
  // requests its stop_token and returns true: the caller then sends it TaskShutdown.
  // With an outcome: returns false.
  bool request_shutdown();
  [[nodiscard]] std::stop_token stop_token() const noexcept { return stop_.get_token(); }

 protected:
  enum class Status : unsigned char { running, has_value, exited, taken };
  // Under mutex_: a value may be stored now (and marks it stored, waking waiters).
  bool accept_value_locked();
  // Under mutex_: the failure outcome for an exited task.
  [[nodiscard]] CallFailure exit_failure_locked() const { return {CallError::callee_exited, reason_}; }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  Status status_ = Status::running;
  bool shutdown_requested_ = false;
  ExitReason reason_;
  std::stop_source stop_;
};

template <class T>
class TaskState final : public TaskStateBase {
 public:
  // From the function's thread. Dropped if the task already ended or is being shut down.
  bool set_value(T&& value) {
    std::lock_guard lock(mutex_);
    if (!accept_value_locked()) return false;
    value_.emplace(std::move(value));
    return true;
  }

  // The outcome, if there is one (nullopt while running). Throws std::logic_error if the
  // value was taken already.
  std::optional<CallOutcome<T>> take() {
    std::lock_guard lock(mutex_);
    switch (status_) {
      case Status::running: return std::nullopt;
      case Status::exited: return CallOutcome<T>(exit_failure_locked());
      case Status::taken: throw std::logic_error("the task's result was taken already");
      case Status::has_value: break;
    }
    status_ = Status::taken;
    CallOutcome<T> outcome(std::move(*value_));
    value_.reset();
    return outcome;
  }

  [[nodiscard]] bool taken() const {
    std::lock_guard lock(mutex_);
    return status_ == Status::taken;
  }

 private:
  std::optional<T> value_;
};

// Task::await from a GenServer handler: a call to the task process made on the server's
// behalf, answered (TaskReady) once the task has an outcome or has ended. `on_answer`
// runs in the server, with false when `timeout` passed first.
class TaskAwaiter {
 public:
  static void await(GenServer& server, Pid task, Duration timeout,
                    std::function<void(bool answered)> on_answer);
};

// Runs `fn`, turning an exception into the exit reason of a crash.
template <class F>
std::optional<ExitReason> run_guarded(F&& fn) noexcept {
  try {
    std::forward<F>(fn)();
    return std::nullopt;
  } catch (const std::exception& e) {
    return ExitReason::error(e.what());
  } catch (...) {
    return ExitReason::error("unknown exception");
  }
}

// Calls a task function with the stop token if it takes one; void becomes monostate.
template <class F, class... Args>
auto invoke_task(F& fn, const std::stop_token& stop, Args&&... args) {
  if constexpr (std::is_invocable_v<F&, Args..., std::stop_token>) {
    using R = std::invoke_result_t<F&, Args..., std::stop_token>;
    if constexpr (std::is_void_v<R>) {
      std::invoke(fn, std::forward<Args>(args)..., stop);
      return std::monostate{};
    } else {
      return std::invoke(fn, std::forward<Args>(args)..., stop);
    }
  } else {
    using R = std::invoke_result_t<F&, Args...>;
    if constexpr (std::is_void_v<R>) {
      std::invoke(fn, std::forward<Args>(args)...);
      return std::monostate{};
    } else {
      return std::invoke(fn, std::forward<Args>(args)...);
    }
  }
}

}  // namespace detail

// The value type of a task running `F` (with arguments `Args`, for async_stream items).
template <class F, class... Args>
using TaskValueOf = decltype(detail::invoke_task(std::declval<F&>(),
                                                 std::declval<const std::stop_token&>(),
                                                 std::declval<Args>()...));

template <class T>
class Task {
 public:
  using Value = T;

  Task(Runtime& runtime, Pid pid, std::shared_ptr<detail::TaskState<T>> state) noexcept
      : runtime_(&runtime), pid_(pid), state_(std::move(state)) {}
  Task(Task&&) noexcept = default;
  Task& operator=(Task&&) noexcept = default;
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() = default;

  // The task's process (null if it never started: its outcome says why).
  [[nodiscard]] Pid pid() const noexcept { return pid_; }

  // --- blocking, from outside any process --------------------------------------------
  [[nodiscard]] CallOutcome<T> await(Duration timeout) {
    detail::require_outside_process("Task::await");
    state_->wait_until(std::chrono::steady_clock::now() + timeout);
    return outcome_or_shutdown(*runtime_, pid_, *state_);
  }

  [[nodiscard]] std::optional<CallOutcome<T>> yield(Duration timeout) {
    detail::require_outside_process("Task::yield");
    state_->wait_until(std::chrono::steady_clock::now() + timeout);
    return state_->take();
  }

  // --- anywhere, never blocks --------------------------------------------------------
  // The outcome if there is one; else the task is told to stop and nullopt is returned.
  // Also nullopt when the value was taken already.
  std::optional<CallOutcome<T>> shutdown() { return shutdown(*runtime_, pid_, *state_); }

  // --- from inside `self`'s own handlers: continuations ------------------------------
  void await(GenServer& self, Duration timeout, std::function<void(CallOutcome<T>)> on_outcome) {
    detail::TaskAwaiter::await(self, pid_, timeout,
                               [runtime = runtime_, pid = pid_, state = state_,
                                on_outcome = std::move(on_outcome)](bool) {
                                 on_outcome(outcome_or_shutdown(*runtime, pid, *state));
                               });
  }

  void yield(GenServer& self, Duration timeout,
             std::function<void(std::optional<CallOutcome<T>>)> on_outcome) {
    detail::TaskAwaiter::await(self, pid_, timeout,
                               [state = state_, on_outcome = std::move(on_outcome)](bool) {
                                 on_outcome(state->take());
                               });
  }

 private:
  // What await reports once its wait is over: the outcome, or (none yet) shut the task
  // down and report the timeout — unless it finished in the meantime.
  static CallOutcome<T> outcome_or_shutdown(Runtime& runtime, Pid pid,
                                            detail::TaskState<T>& state) {
    if (std::optional<CallOutcome<T>> outcome = state.take()) return std::move(*outcome);
    if (std::optional<CallOutcome<T>> outcome = shutdown(runtime, pid, state)) {
      return std::move(*outcome);
    }
    return CallFailure{CallError::timeout, {}};
  }

  static std::optional<CallOutcome<T>> shutdown(Runtime& runtime, Pid pid,
                                                detail::TaskState<T>& state) {
    if (state.request_shutdown()) {
      runtime.send(pid, detail::TaskShutdown{});
      return std::nullopt;
    }
    if (state.taken()) return std::nullopt;
    return state.take();
  }

  Runtime* runtime_;
  Pid pid_;
  std::shared_ptr<detail::TaskState<T>> state_;
};

}  // namespace otter::core
