#pragma once
// DynamicSupervisor: a supervisor that starts with no children and starts them on
// request, as Elixir's DynamicSupervisor. One process per open document lives under one.
//
//   Pid docs = runtime.spawn<DynamicSupervisor>({}, DynamicSupervisorOptions{
//                                               .max_children = 10'000}).pid();
//   StartResult doc = DynamicSupervisor::start_child(runtime, docs,
//       ChildSpec::worker<Document>("doc:42", 42).with_restart(Restart::transient));
//   ...
//   DynamicSupervisor::terminate_child(runtime, docs, doc.pid());
//
// From inside a process, the same requests go through GenServer::call, asynchronously:
//   call<DynamicSupervisor::StartChild::Reply>(docs, DynamicSupervisor::StartChild{spec},
//       5s, [this](CallOutcome<StartResult> started) { ... });
//
// Children are told apart by Pid (the spec's id is only reported by which_children) and
// are independent: the strategy is one_for_one. Restart types keep their OTP meaning:
// permanent always restarted, transient only after an abnormal exit, temporary never; a
// child that is not restarted is forgotten. A temporary child's start function is dropped
// once it has started (it is never needed again): its captures are released then, not
// when the child exits. Restarts count towards the intensity
// (max_restarts within max_seconds — Elixir's defaults, 3 in 5 s); past it the
// supervisor stops all its children and exits with shutdown (escalation). A restart whose
// start fails leaves the child `restarting` and is retried after the mailbox is read.
//
// Stopping never blocks (see child_shutdown.hpp) and children are independent, so they
// stop concurrently: terminate_child answers when that child is gone while other requests
// go on being served, and the final shutdown (exit signal from the parent or the runtime,
// or too many restarts) tells every child at once, each with its own shutdown timeout,
// then exits when the last one is gone. Requests that arrive once it has begun are
// refused with shutting_down.
//
// Calls (request -> reply):
//   StartChild{spec}       -> StartResult. Refused with "max_children: ..." at the limit,
//                             "invalid_spec: ..." for a spec without start; a child whose
//                             start fails is not kept and its reason is returned.
//   TerminateChild{pid}    -> SupervisorResult (not_found if pid is not a running child).
//   WhichChildren{}        -> std::vector<ChildInfo>, in start order
//   CountChildren{}        -> ChildCounts
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/child_shutdown.hpp"
#include "core/child_spec.hpp"
#include "core/gen_server.hpp"
#include "core/restart_intensity.hpp"
#include "core/supervisor_protocol.hpp"

namespace otter::core {

struct DynamicSupervisorOptions {
  int max_restarts = 3;                     // >= 0
  std::chrono::seconds max_seconds{5};      // > 0
  std::optional<std::size_t> max_children;  // unset: no limit
};

class DynamicSupervisor final : public GenServer {
 public:
  explicit DynamicSupervisor(DynamicSupervisorOptions options = {});

  struct StartChild {
    ChildSpec spec;
    using Reply = StartResult;
  };
  struct TerminateChild {
    Pid pid;
    using Reply = SupervisorResult;
  };

  // Blocking helpers for callers outside any process.
  static StartResult start_child(Runtime& runtime, Pid supervisor, ChildSpec spec,
                                 Duration timeout = kSupervisorCallTimeout);
  static SupervisorResult terminate_child(Runtime& runtime, Pid supervisor, Pid child,
                                          Duration timeout = kSupervisorCallTimeout);
  // start_child without blocking, for threads that must not wait (net's I/O threads):
  // `on_started` runs later, on a runtime thread, with what start_child would return.
  // It must not block. (core/async_call.hpp has the details.)
  static void async_start_child(Runtime& runtime, Pid supervisor, ChildSpec spec,
                                std::function<void(StartResult)> on_started,
                                Duration timeout = kSupervisorCallTimeout);

  [[nodiscard]] std::string describe() const override;

 protected:
  InitResult init() override;
  CallResult handle_call(Message& request, const From& from) override;
  Result handle_info(Message& message) override;
  void terminate(const ExitReason& reason) override;

 private:
  struct Child {
    ChildSpec spec;
    Pid pid;  // null while restarting
    ChildState state = ChildState::running;
    std::uint64_t incarnation = 0;
  };
  using Key = std::uint64_t;  // start order; kept across restarts

  void on_start_child(const From& from, ChildSpec& spec);
  void on_terminate_child(const From& from, Pid pid);
  void on_exit_signal(const ExitSignal& signal);
  void restart(Key key);
  void relaunch(Key key);
  void forget(Key key);
  void begin_shutdown(ExitReason reason);
  void exit_when_all_stopped();
  [[nodiscard]] detail::StopTarget stop_target(const Child& child) const;

  DynamicSupervisorOptions options_;
  Pid parent_;  // who spawned us; null for a root
  std::map<Key, Child> children_;
  std::unordered_map<Pid, Key> running_;  // live children by Pid
  Key next_key_ = 1;
  detail::RestartIntensity intensity_;
  detail::ChildStopper stopper_{*this};
  std::optional<ExitReason> shutting_down_;
};

}  // namespace otter::core
