#pragma once
// TaskSupervisor: starts tasks (task.hpp) and owns the blocking thread pool their
// functions run on (Elixir's Task.Supervisor, plus the pool).
//
//   TaskSupervisor tasks(runtime, {.threads = 4});
//   Task<int> a = tasks.async(self(), [] { return 6 * 7; });          // linked to the owner
//   Task<Doc> b = tasks.async_nolink(self(), [id] { return load(id); });  // a crash is only
//                                                                        // an outcome
//   Task<std::vector<CallOutcome<Doc>>> all =
//       tasks.async_stream(self(), ids, [](const DocId& id) { return load(id); },
//                          {.max_concurrency = 8, .timeout = 2s});
//
// The owner is the process the task belongs to, normally the caller's own Pid: `self()`
// in a GenServer, `scoped.self()` for a ScopedProcess. A null owner (plain threads) makes
// a task that belongs to nobody: no link, and it runs until it ends or is shut down.
//
//   async         the task links to its owner: if the function throws, the owner (unless it
//                 traps exits) exits with the same reason, as Elixir's Task.async.
//   async_nolink  no link: a crash reaches the owner only as its await outcome
//                 (callee_exited with the reason), and the owner stays alive.
//   async_stream  maps `fn` over `inputs` with at most `max_concurrency` items in flight;
//                 the task's value holds one outcome per input, in input order: the value,
//                 timeout (the item took longer than `timeout` from its start; it is asked
//                 to stop through its stop_token and its slot goes to the next item), or
//                 callee_exited(error) when it threw. A failed item never fails the others.
//                 Not linked (items can't crash the owner: their exceptions are outcomes).
// In every case the task is shut down when its owner exits.
//
// Why a pool of its own: task functions are where blocking work goes. Running them on
// the runtime's process threads would let a few slow reads stall every process; here they
// wait on `threads` blocking threads while the processes keep running. A function should
// still end in bounded time or watch its stop_token: shutdown waits for running functions.
// `fn` of async_stream is called concurrently from several threads.
//
// Lifecycle: construct after the Runtime; destroy (or shutdown()) before it, outside any
// process. shutdown(): refuses new tasks (they end at once with an error outcome), shuts
// down the running ones as Task::shutdown does (their owners are unlinked first and
// survive), waits up to `grace` for their processes to exit and kills the rest, then waits
// for the functions still running on the blocking threads to return. Idempotent.
#include <any>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <utility>
#include <vector>

#include "core/call.hpp"
#include "core/pid.hpp"
#include "core/runtime.hpp"
#include "core/task.hpp"

namespace otter::core {

inline constexpr unsigned kDefaultBlockingThreads = 4;
inline constexpr std::chrono::seconds kDefaultItemTimeout{5};  // Elixir's async_stream default

struct TaskSupervisorOptions {
  unsigned threads = kDefaultBlockingThreads;  // blocking threads (at least 1)
  std::chrono::milliseconds shutdown_grace{5000};
};

struct StreamOptions {
  std::size_t max_concurrency = 0;    // items in flight at most; 0 = the supervisor's threads
  Duration timeout = kDefaultItemTimeout;  // per item, from the moment it is started
};

namespace detail {
class TaskTracker;
// A task function, type-erased: stores its value in the typed state and reports an
// exception as the exit reason.
using TaskBody = std::function<std::optional<ExitReason>(const std::stop_token&)>;
// One async_stream item: the value (a shared_ptr<Out> in a std::any), or a failure.
struct StreamItemResult {
  std::any value;
  std::optional<ExitReason> failure;
};
using StreamItemBody = std::function<StreamItemResult(std::size_t index, const std::stop_token&)>;
struct StreamItemOutcome {
  std::any value;
  std::optional<CallFailure> failure;
};
// Turns the items' outcomes into the stream task's typed value.
using StreamFinish = std::function<void(std::vector<StreamItemOutcome>&&)>;
}  // namespace detail

class TaskSupervisor {
 public:
  explicit TaskSupervisor(Runtime& runtime, TaskSupervisorOptions options = {});
  TaskSupervisor(const TaskSupervisor&) = delete;
  TaskSupervisor& operator=(const TaskSupervisor&) = delete;
  ~TaskSupervisor();

  template <class F>
  [[nodiscard]] Task<TaskValueOf<F>> async(Pid owner, F fn) {
    return start_function<F>(owner, true, std::move(fn));
  }

  template <class F>
  [[nodiscard]] Task<TaskValueOf<F>> async_nolink(Pid owner, F fn) {
    return start_function<F>(owner, false, std::move(fn));
  }

  template <class In, class F>
  [[nodiscard]] Task<std::vector<CallOutcome<TaskValueOf<const F, const In&>>>> async_stream(
      Pid owner, std::vector<In> inputs, F fn, StreamOptions options = {});

  void shutdown();

  // Tasks whose processes are alive.
  [[nodiscard]] std::size_t task_count() const;
  [[nodiscard]] unsigned threads() const noexcept { return threads_; }

 private:
  template <class F>
  Task<TaskValueOf<F>> start_function(Pid owner, bool link, F fn);

  Pid spawn_function(Pid owner, bool link, std::shared_ptr<detail::TaskStateBase> state,
                     detail::TaskBody body);
  Pid spawn_stream(Pid owner, std::shared_ptr<detail::TaskStateBase> state, std::size_t items,
                   StreamOptions options, detail::StreamItemBody body,
                   detail::StreamFinish finish);

  Runtime& runtime_;
  unsigned threads_;
  std::chrono::milliseconds shutdown_grace_;
  std::shared_ptr<detail::TaskTracker> tracker_;  // shared with the task processes
};

template <class F>
Task<TaskValueOf<F>> TaskSupervisor::start_function(Pid owner, bool link, F fn) {
  using T = TaskValueOf<F>;
  auto state = std::make_shared<detail::TaskState<T>>();
  detail::TaskBody body = [state, fn = std::move(fn)](
                              const std::stop_token& stop) mutable -> std::optional<ExitReason> {
    return detail::run_guarded([&] { state->set_value(detail::invoke_task(fn, stop)); });
  };
  const Pid pid = spawn_function(owner, link, state, std::move(body));
  return Task<T>(runtime_, pid, std::move(state));
}

template <class In, class F>
Task<std::vector<CallOutcome<TaskValueOf<const F, const In&>>>> TaskSupervisor::async_stream(
    Pid owner, std::vector<In> inputs, F fn, StreamOptions options) {
  using Out = TaskValueOf<const F, const In&>;
  using Results = std::vector<CallOutcome<Out>>;
  auto state = std::make_shared<detail::TaskState<Results>>();
  const std::size_t items = inputs.size();
  // Shared, not copied per item: the jobs of all items read the same inputs and function.
  auto shared = std::make_shared<const std::pair<std::vector<In>, F>>(std::move(inputs),
                                                                      std::move(fn));
  detail::StreamItemBody body = [shared](std::size_t index, const std::stop_token& stop) {
    detail::StreamItemResult result;
    result.failure = detail::run_guarded([&] {
      const F& item_fn = shared->second;
      result.value = std::make_shared<Out>(detail::invoke_task(item_fn, stop, shared->first[index]));
    });
    return result;
  };
  detail::StreamFinish finish = [state](std::vector<detail::StreamItemOutcome>&& outcomes) {
    Results results;
    results.reserve(outcomes.size());
    for (detail::StreamItemOutcome& outcome : outcomes) {
      if (outcome.failure) {
        results.emplace_back(std::move(*outcome.failure));
        continue;
      }
      std::shared_ptr<Out>* value = std::any_cast<std::shared_ptr<Out>>(&outcome.value);
      if (value == nullptr || *value == nullptr) {
        throw std::logic_error("async_stream: an item reported neither a value nor a failure");
      }
      results.emplace_back(std::move(**value));
    }
    state->set_value(std::move(results));
  };
  const Pid pid = spawn_stream(owner, state, items, options, std::move(body), std::move(finish));
  return Task<Results>(runtime_, pid, std::move(state));
}

}  // namespace otter::core
