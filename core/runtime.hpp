#pragma once
// Runtime: one node. Owns the thread pool processes run on, the process table, timers.
//
// Lifecycle:
//   Runtime rt({.threads = 0});   // starts the pool (0 = one thread per core)
//   rt.spawn<MyServer>({}, args…); // processes run until they exit or the runtime stops
//   rt.shutdown();                 // roots get `shutdown` one at a time, in reverse
//                                  // start order, each waited for (killed after the
//                                  // grace period); then any process left over gets
//                                  // `shutdown` (then `kill`); then the pool stops.
//                                  // The destructor does this too.
// After shutdown() nothing may be spawned; sends are dropped.
//
// Every member is safe to call from any thread, inside or outside a process.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "core/exit_reason.hpp"
#include "core/message.hpp"
#include "core/pid.hpp"
#include "core/process.hpp"
#include "core/process_table.hpp"

namespace otter::core {

using Duration = std::chrono::steady_clock::duration;

struct RuntimeOptions {
  unsigned threads = 0;          // 0: std::thread::hardware_concurrency()
  std::uint32_t node = 1;        // this node's number in Pids
  // How long shutdown() waits for processes to exit before killing them.
  std::chrono::milliseconds shutdown_grace{5000};
};

struct SpawnOptions {
  // Link the new process to the calling process (must be called from inside one).
  bool link = false;
};

// What spawn reports. `ok()` with a Pid, or why the process did not start.
class StartResult {
 public:
  [[nodiscard]] static StartResult started(Pid pid) { return StartResult{pid, std::nullopt, false}; }
  [[nodiscard]] static StartResult ignored() { return StartResult{{}, std::nullopt, true}; }
  [[nodiscard]] static StartResult failed(ExitReason reason) {
    return StartResult{{}, std::move(reason), false};
  }
  [[nodiscard]] bool ok() const noexcept { return !error_ && !ignored_; }
  [[nodiscard]] bool was_ignored() const noexcept { return ignored_; }
  [[nodiscard]] Pid pid() const noexcept { return pid_; }
  [[nodiscard]] const std::optional<ExitReason>& error() const noexcept { return error_; }

 private:
  StartResult(Pid pid, std::optional<ExitReason> error, bool ignored)
      : pid_(pid), error_(std::move(error)), ignored_(ignored) {}
  Pid pid_;
  std::optional<ExitReason> error_;
  bool ignored_;
};

namespace detail {
struct TimerState;
class TimerService;
}  // namespace detail

// A cancellable timer made by send_after.
class TimerRef {
 public:
  TimerRef() = default;
  [[nodiscard]] explicit operator bool() const noexcept { return state_ != nullptr; }

 private:
  friend class Runtime;
  explicit TimerRef(std::shared_ptr<detail::TimerState> state) : state_(std::move(state)) {}
  std::shared_ptr<detail::TimerState> state_;
};

class Runtime {
 public:
  explicit Runtime(RuntimeOptions options = {});
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  ~Runtime();

  // Creates a process of type T (a Process subclass) from `args` and starts it: its
  // start() (GenServer: init) runs before this returns.
  template <class T, class... Args>
  StartResult spawn(SpawnOptions options, Args&&... args) {
    return start_process(ProcessPtr{new T(std::forward<Args>(args)...)}, options);
  }

  void send(Pid to, Message message);
  void cast(Pid to, Message message);
  // Answers a call (GenServer's deferred reply) from any thread.
  void reply(const From& from, Message value);
  // Sends an exit signal (Erlang's exit/2) from outside any process.
  void exit(Pid to, ExitReason reason);
  [[nodiscard]] bool is_alive(Pid pid) const;

  // Delivers `message` (as a plain send) to `to` after `delay`, unless cancelled first.
  TimerRef send_after(Pid to, Duration delay, Message message);
  // Returns whether the timer was still pending. After it returns, the message will not
  // be sent (it may already have been); a pending timer's message is destroyed at once.
  static bool cancel_timer(const TimerRef& timer) noexcept;

  [[nodiscard]] std::size_t process_count() const noexcept { return table_.size(); }
  [[nodiscard]] std::uint32_t node() const noexcept { return table_.node(); }
  [[nodiscard]] unsigned threads() const noexcept { return static_cast<unsigned>(threads_.size()); }
  [[nodiscard]] boost::asio::io_context& io_context() noexcept { return io_; }

  // Stops every process (see the lifecycle above) and the thread pool. Idempotent.
  // Must not be called from inside a process.
  void shutdown();

  // Blocks until no process is alive or `timeout` passes. For tests and shutdown.
  bool wait_until_empty(Duration timeout);

 private:
  friend class Process;
  friend class ScopedProcess;
  StartResult start_process(ProcessPtr process, SpawnOptions options);
  void deliver(Pid to, detail::Envelope envelope);
  // A message `to` never handled: tell whoever waits for an answer. `reason` is why
  // (noproc when `to` was already gone, else the reason it exited with).
  void bounce(Pid to, detail::Envelope envelope, const ExitReason& reason);
  [[nodiscard]] ProcessPtr find(Pid pid) const { return table_.find(pid); }
  // `root_order` is the process's place among the roots, 0 if it is not one.
  void process_exited(Pid pid, std::uint64_t root_order);
  // Blocks until `root` has exited or `deadline` passes. Returns whether it exited.
  bool wait_until_gone(Pid root, std::chrono::steady_clock::time_point deadline);

  RuntimeOptions options_;
  boost::asio::io_context io_;
  // After io_: destroyed before it (it owns an asio timer on io_).
  std::shared_ptr<detail::TimerService> timers_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  detail::ProcessTable table_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::mutex roots_mutex_;
  // Processes spawned from outside any process, by start order. A map, not a vector:
  // a program that spawns 100 000 processes from main must not pay O(n) per exit.
  std::map<std::uint64_t, Pid> roots_;
  std::uint64_t last_root_order_ = 0;
  std::mutex exited_mutex_;
  std::condition_variable exited_cv_;  // a root exited, or the last process did
};

}  // namespace otter::core
