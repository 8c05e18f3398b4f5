#include "core/child_shutdown.hpp"

#include <spdlog/spdlog.h>

#include <deque>
#include <utility>

#include "core/gen_server.hpp"

namespace otter::core::detail {

void ChildStopper::stop(const StopTarget& target, Done done) {
  const auto existing = stopping_.find(target.pid);
  if (existing != stopping_.end()) {
    existing->second.done.push_back(std::move(done));
    return;
  }
  Stopping stopping;
  stopping.target = target;
  stopping.done.push_back(std::move(done));
  // Monitor before the exit signal: the Down then always comes, even if the child is
  // already gone (reason noproc).
  stopping.monitor = owner_.monitor(target.pid);
  switch (target.shutdown.kind()) {
    case Shutdown::Kind::brutal_kill:
      owner_.exit(target.pid, ExitReason::kill());
      break;
    case Shutdown::Kind::timeout:
      stopping.timer = owner_.runtime().send_after(
          owner_.self(), target.shutdown.timeout(),
          ShutdownTimerFired{target.pid, stopping.monitor.id});
      owner_.exit(target.pid, ExitReason::shutdown());
      break;
    case Shutdown::Kind::infinity:
      owner_.exit(target.pid, ExitReason::shutdown());
      break;
  }
  stopping_.emplace(target.pid, std::move(stopping));
}

bool ChildStopper::handle_info(const Message& message) {
  if (const auto* down = match<Down>(message)) {
    const auto it = stopping_.find(down->pid);
    if (it == stopping_.end() || it->second.monitor != down->ref) return false;
    on_down(*down);
    return true;
  }
  if (const auto* fired = match<ShutdownTimerFired>(message)) {
    on_timer(*fired);
    return true;  // ours even when stale: nobody else sends these
  }
  return false;
}

void ChildStopper::on_down(const Down& down) {
  const auto it = stopping_.find(down.pid);
  Stopping finished = std::move(it->second);
  stopping_.erase(it);  // before the callbacks: they may stop other children
  Runtime::cancel_timer(finished.timer);
  for (Done& done : finished.done) done(down.pid, down.reason);
}

void ChildStopper::on_timer(const ShutdownTimerFired& fired) {
  const auto it = stopping_.find(fired.pid);
  if (it == stopping_.end() || it->second.monitor.id != fired.monitor) return;
  spdlog::warn("{}: child '{}' {} did not stop within {}; killing it", owner_.self().to_string(),
               it->second.target.id, fired.pid.to_string(), it->second.target.shutdown.to_string());
  owner_.exit(fired.pid, ExitReason::kill());
}

namespace {

// Takes over children whose supervisor could not stop them itself and stops them in
// order; exits normally when the last one is gone.
class Reaper final : public GenServer {
 public:
  Reaper(std::vector<StopTarget> targets, StopOrder order)
      : pending_(targets.begin(), targets.end()), order_(order) {}

  [[nodiscard]] std::string describe() const override {
    return "child reaper (" + std::to_string(pending_.size() + stopper_.in_progress()) +
           " children left)";
  }

 protected:
  InitResult init() override {
    if (order_ == StopOrder::all_at_once) {
      while (!pending_.empty()) stop_next();
    } else {
      stop_next();
    }
    return InitResult::ok();
  }

  Result handle_info(Message& message) override {
    stopper_.handle_info(message);
    return Result::noreply();
  }

 private:
  void stop_next() {
    if (pending_.empty()) return;
    StopTarget target = std::move(pending_.front());
    pending_.pop_front();
    stopper_.stop(target, [this](Pid, const ExitReason&) {
      if (order_ == StopOrder::one_at_a_time) stop_next();
      if (pending_.empty() && stopper_.in_progress() == 0) stop(ExitReason::normal());
    });
  }

  std::deque<StopTarget> pending_;
  StopOrder order_;
  ChildStopper stopper_{*this};
};

}  // namespace

void hand_over_to_reaper(Process& owner, std::vector<StopTarget> targets, StopOrder order) {
  if (targets.empty()) return;
  // Unlinked first, so the owner's own exit signal doesn't reach them before their turn.
  for (const StopTarget& target : targets) owner.unlink(target.pid);
  const StartResult reaper = owner.runtime().spawn<Reaper>(SpawnOptions{}, targets, order);
  if (reaper.ok()) return;
  spdlog::warn("{}: no reaper ({}); killing {} children", owner.self().to_string(),
               reaper.error() ? reaper.error()->to_string() : "ignored", targets.size());
  for (const StopTarget& target : targets) owner.exit(target.pid, ExitReason::kill());
}

}  // namespace otter::core::detail
