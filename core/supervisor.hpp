#pragma once
// Supervisor: starts child processes, watches them and restarts them, as Erlang/OTP's
// supervisor. Supervisors of supervisors make a supervision tree.
//
//   std::vector<ChildSpec> children{ChildSpec::worker<Store>("store"),
//                                   ChildSpec::worker<Api>("api", port)};
//   StartResult sup = runtime.spawn<Supervisor>(
//       {}, SupervisorFlags{.strategy = Strategy::rest_for_one}, children);
//   // nested: ChildSpec::supervisor<Supervisor>("workers", flags, worker_specs)
//
// Life:
//
//   spawn ─► init: check flags and specs, start the children in order
//     │        └─ a child's start fails ─► the children already started are stopped in
//     │           reverse order; spawn fails with "child 'x' failed to start: <reason>"
//     ▼
//   loop ── a child exits ──────────► restart it, by strategy and restart type (below)
//     │  ── calls ──────────────────► which_children, count_children, start_child,
//     │                                terminate_child, restart_child, delete_child
//     ├─ exit signal from its parent (the process that spawned it) or from the runtime
//     │  (Runtime::exit, Runtime::shutdown) ─► stop the children in reverse start order
//     │                                     ─► exit with the signal's reason
//     └─ more than max_restarts restarts within max_seconds ─► stop the children in
//        reverse order ─► exit(shutdown); its own supervisor decides (escalation)
//
// When child C exits and is to be restarted, the strategy says what else restarts:
//   one_for_one   C alone.
//   one_for_all   every other running child is stopped (reverse order), then all start
//                 again in order.
//   rest_for_one  the children started after C are stopped (reverse order), then C and
//                 they start again in order.
// C's restart type says whether it is restarted: permanent always; transient only after
// an abnormal exit (not normal, not shutdown); temporary never, and it is forgotten. As
// in OTP, a temporary sibling stopped by a one_for_all/rest_for_one restart is forgotten,
// and every other child in the restarted range is started, running before or not.
// Each restart counts once towards the intensity (a one_for_all restart too). A restart
// whose start fails leaves the child `restarting` and is retried, counting again, after
// the supervisor has read its mailbox: a child that can never start ends in escalation.
//
// A supervisor never blocks a pool thread. Stopping a child is exit(child, shutdown) and
// its Down arriving later as a message (kill when its shutdown time passes first; see
// child_shutdown.hpp), so a restart or shutdown that stops children is a sequence of
// messages. While one runs, which_children/count_children are answered at once; other
// requests, and exits of children outside the sequence, wait their turn in arrival
// order. Once the final shutdown has begun, requests are refused with shutting_down.
//
// Exit signals from processes other than its parent, the runtime and its children are
// ignored (OTP logs them as unexpected). To stop a root supervisor from outside, use
// Runtime::exit(sup, ExitReason::shutdown()).
//
// Calls (request -> reply; the static helpers below block, for callers outside any
// process; inside one, use GenServer::call with the request's Reply type):
//   WhichChildren{}         -> std::vector<ChildInfo>   (supervisor_protocol.hpp)
//   CountChildren{}         -> ChildCounts
//   StartChild{spec}        -> StartResult: adds and starts a child (at the end). Refused
//                              with "already_present: ..." / "invalid_spec: ..."; a child
//                              whose start fails is not added and its reason is returned.
//   TerminateChild{id}      -> SupervisorResult: stops it (a temporary child is forgotten,
//                              others are kept, stopped, for restart_child).
//   RestartChild{id}        -> StartResult: starts a stopped child.
//   DeleteChild{id}         -> SupervisorResult: forgets a stopped child.
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/child_shutdown.hpp"
#include "core/child_spec.hpp"
#include "core/gen_server.hpp"
#include "core/restart_intensity.hpp"
#include "core/supervisor_protocol.hpp"

namespace otter::core {

enum class Strategy : unsigned char { one_for_one, one_for_all, rest_for_one };
[[nodiscard]] const char* to_string(Strategy strategy) noexcept;

struct SupervisorFlags {
  Strategy strategy = Strategy::one_for_one;
  int max_restarts = 1;                  // OTP's intensity (>= 0)
  std::chrono::seconds max_seconds{5};   // OTP's period (> 0)
};

class Supervisor final : public GenServer {
 public:
  Supervisor(SupervisorFlags flags, std::vector<ChildSpec> children);

  struct StartChild {
    ChildSpec spec;
    using Reply = StartResult;
  };
  struct TerminateChild {
    std::string id;
    using Reply = SupervisorResult;
  };
  struct RestartChild {
    std::string id;
    using Reply = StartResult;
  };
  struct DeleteChild {
    std::string id;
    using Reply = SupervisorResult;
  };

  // Blocking helpers for callers outside any process. A supervisor that does not answer
  // gives a refusal with SupervisorError::no_answer.
  static StartResult start_child(Runtime& runtime, Pid supervisor, ChildSpec spec,
                                 Duration timeout = kSupervisorCallTimeout);
  static SupervisorResult terminate_child(Runtime& runtime, Pid supervisor, std::string id,
                                          Duration timeout = kSupervisorCallTimeout);
  static StartResult restart_child(Runtime& runtime, Pid supervisor, std::string id,
                                   Duration timeout = kSupervisorCallTimeout);
  static SupervisorResult delete_child(Runtime& runtime, Pid supervisor, std::string id,
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
    Pid pid;  // null unless running
    ChildState state = ChildState::stopped;
    std::uint64_t incarnation = 0;  // bumped at every start: tells stale news apart
  };

  // Work that waits while a stop sequence runs, done in arrival order.
  struct PendingCall {
    From from;
    Message request;
  };
  struct PendingExit {  // a child exited: decide whether and how to restart it
    std::string id;
    std::uint64_t incarnation;
    ExitReason reason;
  };
  struct PendingRetry {  // a restart failed earlier: try again
    std::string id;
    std::uint64_t incarnation;
  };
  using Job = std::variant<PendingCall, PendingExit, PendingRetry>;

  // Children being stopped one at a time, in order; then `then`.
  struct StopSequence {
    std::deque<detail::StopTarget> queue;
    std::function<void()> then;
    std::optional<From> caller;  // a terminate_child answered by `then`
  };

  // children
  Child* find_by_id(const std::string& id);
  Child* find_by_pid(Pid pid);
  void forget(const Child& child);
  StartResult launch(Child& child);
  [[nodiscard]] detail::StopTarget stop_target(const Child& child) const;
  [[nodiscard]] std::vector<detail::StopTarget> running_in_reverse(std::size_t from_index) const;

  // events
  void on_exit_signal(const ExitSignal& signal);
  void run_jobs();
  void run_call(const From& from, Message& request);
  void on_child_exited(const PendingExit& exit);
  void on_retry(const PendingRetry& retry);
  void restart(Child& child);
  void start_range(std::size_t index, std::size_t end);  // the stopped ones in [index, end)

  // stopping
  void run_sequence(std::vector<detail::StopTarget> targets, std::function<void()> then,
                    std::optional<From> caller = std::nullopt);
  void stop_next();
  void on_child_stopped(Pid pid, const ExitReason& reason);
  void begin_shutdown(ExitReason reason);
  void refuse(const From& from, const Message& request, SupervisorError error,
              const std::string& message);

  SupervisorFlags flags_;
  std::vector<ChildSpec> initial_specs_;
  Pid parent_;  // who spawned us; null for a root (then the runtime is our parent)
  std::vector<Child> children_;  // in start order
  detail::RestartIntensity intensity_;
  detail::ChildStopper stopper_{*this};
  std::optional<StopSequence> sequence_;
  std::deque<Job> jobs_;
  std::optional<ExitReason> shutting_down_;  // set once the final shutdown has begun
};

}  // namespace otter::core
