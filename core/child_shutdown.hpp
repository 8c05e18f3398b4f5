#pragma once
// Stopping children without blocking the supervisor (internal to the supervisors).
//
// In OTP a supervisor stops a child by sending exit(child, shutdown) and then waiting,
// inside its own process, for the child's 'DOWN' (killing it if the shutdown time passes).
// Our supervisors run on the shared pool and must never wait, so stopping a child is a
// conversation driven by messages:
//
//   ChildStopper::stop(target, done)
//     ├─ brutal_kill ─► monitor, exit(child, kill)
//     └─ otherwise ───► monitor, exit(child, shutdown), and for a timeout a
//                       ShutdownTimerFired message to ourselves after that time
//   ... the monitor's Down arrives ─────────────────────────► done(pid, reason)
//   ... or the timer fires first ─► exit(child, kill) ─► ... Down ─► done(pid, killed)
//
// The owner forwards its info messages to handle_info(), which takes the Downs and timer
// messages that belong to a stop in progress. A monitor, not the link, says when the
// child is gone (as in OTP: a child that unlinked itself cannot hang its supervisor).
// The owner, linked to the child, also gets the child's ExitSignal, normally just before
// the Down: is_stopping(pid) tells it that this exit is one it asked for, not a crash.
// (If the child was already dead when stopped, the Down (noproc) can come first and the
// ExitSignal after done(): by then the owner has forgotten the Pid and ignores it.)
//
// hand_over_to_reaper() is for the cases where the owner cannot wait for the answers: its
// start failed halfway, or it is exiting for a reason it did not plan. A short-lived
// process takes the children over and stops them in the same way.
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/child_spec.hpp"
#include "core/message.hpp"
#include "core/process.hpp"
#include "core/runtime.hpp"

namespace otter::core::detail {

struct StopTarget {
  Pid pid;
  Shutdown shutdown = Shutdown::infinity();
  std::string id;  // for log lines only
};

// The timer message a stop with a timeout sends to its owner.
struct ShutdownTimerFired {
  Pid pid;
  std::uint64_t monitor = 0;  // identifies the stop, so a stale timer is ignored
};

class ChildStopper {
 public:
  using Done = std::function<void(Pid pid, const ExitReason& reason)>;

  explicit ChildStopper(Process& owner) noexcept : owner_(owner) {}
  ChildStopper(const ChildStopper&) = delete;
  ChildStopper& operator=(const ChildStopper&) = delete;

  // Starts stopping target.pid; `done` runs (in the owner) once it is gone. Stopping a
  // child that is already being stopped adds `done` to that stop. Own context of owner.
  void stop(const StopTarget& target, Done done);

  // Takes a Down or ShutdownTimerFired that belongs to a stop in progress. Returns
  // whether it did; other messages are the owner's.
  bool handle_info(const Message& message);

  [[nodiscard]] bool is_stopping(Pid pid) const { return stopping_.contains(pid); }
  [[nodiscard]] std::size_t in_progress() const noexcept { return stopping_.size(); }

 private:
  struct Stopping {
    MonitorRef monitor;
    TimerRef timer;
    StopTarget target;
    std::vector<Done> done;
  };
  void on_down(const Down& down);
  void on_timer(const ShutdownTimerFired& fired);

  Process& owner_;
  std::unordered_map<Pid, Stopping> stopping_;
};

enum class StopOrder : unsigned char {
  one_at_a_time,  // in the given order, each after the previous one is gone (Supervisor)
  all_at_once,    // every child told at once (DynamicSupervisor)
};

// Unlinks `targets` from `owner` and spawns a process that stops them. Own context of
// `owner`. If the runtime is shutting down (no spawn possible), kills them instead.
void hand_over_to_reaper(Process& owner, std::vector<StopTarget> targets, StopOrder order);

}  // namespace otter::core::detail
