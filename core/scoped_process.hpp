#pragma once
// ScopedProcess: a process driven by an ordinary thread (main, a test, a CLI), like
// CAF's scoped_actor. It has a Pid, so it can call, monitor, link and receive; its
// mailbox is read by the owning thread, which blocks in receive()/call() instead of
// running on the pool.
//
//   core::ScopedProcess self(runtime);
//   auto ref = self.monitor(worker);
//   auto down = self.receive<core::Down>(1s);     // waits for the Down, up to 1 s
//   auto n = self.call<int>(counter, Get{}, 1s);  // blocks this thread, not the pool
//
// Never use one inside a process handler: it blocks the thread. Destroy it before the
// runtime shuts down (it exits normally when destroyed).
//
// receive<T>() is a selective receive: it returns the first queued message holding a T
// and keeps the others, in order, for later receives.
#include <chrono>
#include <optional>

#include "core/call.hpp"
#include "core/process.hpp"
#include "core/runtime.hpp"

namespace otter::core {

class ScopedProcess {
 public:
  explicit ScopedProcess(Runtime& runtime);
  ~ScopedProcess();
  ScopedProcess(const ScopedProcess&) = delete;
  ScopedProcess& operator=(const ScopedProcess&) = delete;

  [[nodiscard]] Pid self() const noexcept;
  // The process behind this handle, for APIs that act on "the calling process"
  // (Registry::register_key, PubSub::subscribe). Only the owning thread may use it: that
  // thread is this process's own context.
  [[nodiscard]] Process& process() noexcept;

  void send(Pid to, Message message);
  void cast(Pid to, Message message);
  void exit(Pid to, ExitReason reason);
  void link(Pid other);
  void unlink(Pid other);
  MonitorRef monitor(Pid target);
  void demonitor(MonitorRef ref);
  void trap_exit(bool on);

  // Sends `request` and waits for the answer; replies arriving after `timeout` are dropped.
  template <class Reply>
  CallOutcome<Reply> call(Pid to, Message request, Duration timeout) {
    Answer answer = call_raw(to, std::move(request), timeout);
    if (answer.failure) return *answer.failure;
    return detail::to_outcome<Reply>(answer.reply);
  }

  // The next info message (plain send, Down, ExitSignal), waiting up to `timeout`.
  std::optional<Message> receive(Duration timeout);
  // The first message holding a T, waiting up to `timeout`; others stay queued.
  template <class T>
  std::optional<T> receive(Duration timeout) {
    std::optional<Message> found =
        receive_matching([](const Message& m) { return match<T>(m) != nullptr; }, timeout);
    if (!found) return std::nullopt;
    T* value = match<T>(*found);
    if (value == nullptr) return std::nullopt;  // never (it matched); says so to -O2's analysis
    return std::move(*value);
  }
  // Messages received but not yet taken by receive().
  [[nodiscard]] std::size_t queued() const noexcept;

 private:
  class Core;
  struct Answer {
    Message reply;
    std::optional<CallFailure> failure;
  };
  Answer call_raw(Pid to, Message request, Duration timeout);
  std::optional<Message> receive_matching(bool (*matches)(const Message&), Duration timeout);
  // Waits for and runs envelopes until `done` or the deadline. Returns `done()`.
  template <class Done>
  bool pump_until(Done done, std::chrono::steady_clock::time_point deadline);

  boost::intrusive_ptr<Core> core_;
};

// A blocking call from outside any process (main, tests, tools).
template <class Reply>
CallOutcome<Reply> call(Runtime& runtime, Pid to, Message request, Duration timeout) {
  ScopedProcess caller(runtime);
  return caller.call<Reply>(to, std::move(request), timeout);
}

}  // namespace otter::core
