#include "core/dynamic_supervisor.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <vector>

#include "core/async_call.hpp"
#include "core/scoped_process.hpp"

namespace otter::core {
namespace {

struct RetryRestart {  // see supervisor.cpp: a failed restart is retried after the mailbox
  std::uint64_t key;
  std::uint64_t incarnation;
};

}  // namespace

DynamicSupervisor::DynamicSupervisor(DynamicSupervisorOptions options)
    : options_(options),
      parent_(Process::current_pid()),  // the constructor runs in the spawner
      intensity_(options.max_restarts, options.max_seconds) {}

std::string DynamicSupervisor::describe() const {
  return "dynamic supervisor (" + std::to_string(children_.size()) + " children)";
}

GenServer::InitResult DynamicSupervisor::init() {
  trap_exit(true);
  if (auto error = detail::RestartIntensity::invalid_limits(options_.max_restarts, options_.max_seconds,
                                                            "dynamic supervisor options")) {
    return InitResult::stop(ExitReason::error(*error));
  }
  return InitResult::ok();
}

detail::StopTarget DynamicSupervisor::stop_target(const Child& child) const {
  return detail::StopTarget{child.pid, child.spec.effective_shutdown(), child.spec.id};
}

// --- calls ------------------------------------------------------------------------------

GenServer::CallResult DynamicSupervisor::handle_call(Message& request, const From& from) {
  if (match<WhichChildren>(request)) {
    std::vector<ChildInfo> infos;
    infos.reserve(children_.size());
    for (const auto& [key, child] : children_) {
      infos.push_back(ChildInfo{child.spec.id, child.pid, child.spec.type, child.state});
    }
    return CallResult::reply(std::move(infos));
  }
  if (match<CountChildren>(request)) {
    ChildCounts counts;
    for (const auto& [key, child] : children_) {
      ++counts.specs;
      if (child.state == ChildState::running) ++counts.active;
      if (child.spec.type == ChildType::supervisor) {
        ++counts.supervisors;
      } else {
        ++counts.workers;
      }
    }
    return CallResult::reply(counts);
  }
  if (auto* start = match<StartChild>(request)) {
    on_start_child(from, start->spec);
    return CallResult::noreply();
  }
  if (const auto* terminate = match<TerminateChild>(request)) {
    on_terminate_child(from, terminate->pid);
    return CallResult::noreply();
  }
  spdlog::error("{}: unexpected call {} from {}", self().to_string(), request.type().name(),
                from.caller.to_string());
  return CallResult::noreply();
}

void DynamicSupervisor::on_start_child(const From& from, ChildSpec& spec) {
  if (shutting_down_) {
    reply(from, detail::refused_start(SupervisorError::shutting_down,
                                      "the supervisor is shutting down"));
    return;
  }
  if (auto error = validate(spec, /*require_id=*/false)) {
    reply(from, detail::refused_start(SupervisorError::invalid_spec, error->message));
    return;
  }
  if (options_.max_children && children_.size() >= *options_.max_children) {
    reply(from, detail::refused_start(
                    SupervisorError::max_children,
                    "max_children reached (" + std::to_string(*options_.max_children) + ")"));
    return;
  }
  const StartResult started = run_start_function(spec, runtime());
  if (started.ok()) {
    link(started.pid());  // a safety net; a no-op when the start function linked
    const Key key = next_key_++;
    // A temporary child is never started again, so its start function (and whatever that
    // captured, e.g. a session's connection) is not kept for the child's whole life.
    if (spec.restart == Restart::temporary) spec.start = nullptr;
    children_.emplace(key, Child{std::move(spec), started.pid(), ChildState::running, 1});
    running_.emplace(started.pid(), key);
    spdlog::debug("{}: started child '{}' as {}", self().to_string(), children_.at(key).spec.id,
                  started.pid().to_string());
  } else if (!started.was_ignored()) {
    spdlog::error("{}: child '{}' failed to start: {}", self().to_string(), spec.id,
                  started.error()->to_string());
  }
  reply(from, started);
}

void DynamicSupervisor::on_terminate_child(const From& from, Pid pid) {
  if (shutting_down_) {
    reply(from, SupervisorResult::refused(SupervisorError::shutting_down,
                                          "the supervisor is shutting down"));
    return;
  }
  const auto it = running_.find(pid);
  if (it == running_.end()) {
    reply(from, SupervisorResult::refused(SupervisorError::not_found,
                                          pid.to_string() + " is not a running child"));
    return;
  }
  const Key key = it->second;
  stopper_.stop(stop_target(children_.at(key)), [this, from, key](Pid, const ExitReason&) {
    forget(key);
    reply(from, SupervisorResult::done());
  });
}

// --- exits and restarts -----------------------------------------------------------------

GenServer::Result DynamicSupervisor::handle_info(Message& message) {
  if (stopper_.handle_info(message)) {
    exit_when_all_stopped();
    return Result::noreply();
  }
  if (const auto* signal = match<ExitSignal>(message)) {
    on_exit_signal(*signal);
  } else if (const auto* retry = match<RetryRestart>(message)) {
    const auto it = children_.find(retry->key);
    if (!shutting_down_ && it != children_.end() && it->second.state == ChildState::restarting &&
        it->second.incarnation == retry->incarnation) {
      spdlog::info("{}: retrying the restart of child '{}'", self().to_string(),
                   it->second.spec.id);
      restart(retry->key);
    }
  } else {
    return GenServer::handle_info(message);
  }
  return Result::noreply();
}

void DynamicSupervisor::on_exit_signal(const ExitSignal& signal) {
  if (signal.from == parent_ || signal.from.is_null()) {
    begin_shutdown(signal.reason);
    return;
  }
  if (stopper_.is_stopping(signal.from)) return;  // we asked for it; its Down follows
  const auto it = running_.find(signal.from);
  if (it == running_.end()) {
    spdlog::debug("{}: ignoring an exit signal ({}) from {}, not a child", self().to_string(),
                  signal.reason.to_string(), signal.from.to_string());
    return;
  }
  const Key key = it->second;
  Child& child = children_.at(key);
  if (shutting_down_) {
    forget(key);
    exit_when_all_stopped();
    return;
  }
  const bool restart_it =
      child.spec.restart == Restart::permanent ||
      (child.spec.restart == Restart::transient && signal.reason.is_abnormal());
  if (!restart_it) {
    if (signal.reason.is_abnormal()) {
      spdlog::info("{}: {} child '{}' exited ({}); not restarted", self().to_string(),
                   to_string(child.spec.restart), child.spec.id, signal.reason.to_string());
    }
    forget(key);
    return;
  }
  spdlog::info("{}: child '{}' {} exited ({}); restarting", self().to_string(), child.spec.id,
               signal.from.to_string(), signal.reason.to_string());
  running_.erase(it);
  child.pid = {};
  child.state = ChildState::restarting;
  restart(key);
}

void DynamicSupervisor::restart(Key key) {
  if (!intensity_.allow_restart(detail::RestartIntensity::Clock::now())) {
    spdlog::error("{}: reached max restart intensity ({} restarts in {} s) with child '{}'; "
                  "shutting down",
                  self().to_string(), options_.max_restarts, options_.max_seconds.count(),
                  children_.at(key).spec.id);
    begin_shutdown(ExitReason::shutdown());
    return;
  }
  relaunch(key);
}

void DynamicSupervisor::relaunch(Key key) {
  Child& child = children_.at(key);
  ++child.incarnation;
  const StartResult started = run_start_function(child.spec, runtime());
  if (started.ok()) {
    link(started.pid());
    child.pid = started.pid();
    child.state = ChildState::running;
    running_.emplace(started.pid(), key);
    return;
  }
  if (started.was_ignored()) {
    forget(key);
    return;
  }
  spdlog::error("{}: child '{}' failed to restart: {}", self().to_string(), child.spec.id,
                started.error()->to_string());
  send(self(), RetryRestart{key, child.incarnation});
}

void DynamicSupervisor::forget(Key key) {
  const auto it = children_.find(key);
  if (it == children_.end()) return;
  if (!it->second.pid.is_null()) running_.erase(it->second.pid);
  children_.erase(it);
}

// --- shutdown ---------------------------------------------------------------------------

void DynamicSupervisor::begin_shutdown(ExitReason reason) {
  if (shutting_down_) return;
  shutting_down_ = std::move(reason);
  std::vector<Key> waiting_for_restart;
  for (const auto& [key, child] : children_) {
    if (child.state != ChildState::running) {
      waiting_for_restart.push_back(key);
    } else if (!stopper_.is_stopping(child.pid)) {
      // All at once: the children are independent of each other.
      stopper_.stop(stop_target(child), [this, key = key](Pid, const ExitReason&) { forget(key); });
    }
  }
  for (const Key key : waiting_for_restart) forget(key);
  exit_when_all_stopped();
}

void DynamicSupervisor::exit_when_all_stopped() {
  if (shutting_down_ && stopper_.in_progress() == 0 && running_.empty()) stop(*shutting_down_);
}

void DynamicSupervisor::terminate(const ExitReason& reason) {
  std::vector<detail::StopTarget> leftovers;
  for (const auto& [key, child] : children_) {
    if (child.state == ChildState::running) leftovers.push_back(stop_target(child));
  }
  if (leftovers.empty()) return;
  spdlog::error("{}: exiting ({}) with {} children still running; handing them to a reaper",
                self().to_string(), reason.to_string(), leftovers.size());
  detail::hand_over_to_reaper(*this, std::move(leftovers), detail::StopOrder::all_at_once);
}

// --- blocking helpers -------------------------------------------------------------------

StartResult DynamicSupervisor::start_child(Runtime& runtime, Pid supervisor, ChildSpec spec,
                                           Duration timeout) {
  return detail::call_for_start(runtime, supervisor, StartChild{std::move(spec)}, timeout);
}

void DynamicSupervisor::async_start_child(Runtime& runtime, Pid supervisor, ChildSpec spec,
                                          std::function<void(StartResult)> on_started, Duration timeout) {
  async_call<StartResult>(runtime, supervisor, StartChild{std::move(spec)}, timeout,
                          [on_started = std::move(on_started)](CallOutcome<StartResult> answer) {
                            if (!answer.ok()) return on_started(detail::no_start_answer(answer.failure()));
                            on_started(std::move(answer).value());
                          });
}

SupervisorResult DynamicSupervisor::terminate_child(Runtime& runtime, Pid supervisor, Pid child,
                                                    Duration timeout) {
  return detail::call_for_result(runtime, supervisor, TerminateChild{child}, timeout);
}

}  // namespace otter::core
