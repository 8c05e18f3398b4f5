#include "core/supervisor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "core/scoped_process.hpp"

namespace otter::core {
namespace {

// Sent to ourselves when a restart failed, so the retry comes after what is already in
// the mailbox (a shutdown, a terminate_child) rather than in a tight loop.
struct RetryRestart {
  std::string id;
  std::uint64_t incarnation;
};

}  // namespace

const char* to_string(Strategy strategy) noexcept {
  switch (strategy) {
    case Strategy::one_for_one: return "one_for_one";
    case Strategy::one_for_all: return "one_for_all";
    case Strategy::rest_for_one: return "rest_for_one";
  }
  return "unknown";
}

Supervisor::Supervisor(SupervisorFlags flags, std::vector<ChildSpec> children)
    : flags_(flags),
      initial_specs_(std::move(children)),
      parent_(Process::current_pid()),  // the constructor runs in the spawner
      intensity_(flags.max_restarts, flags.max_seconds) {}

std::string Supervisor::describe() const {
  return std::string{"supervisor ("} + to_string(flags_.strategy) + ", " +
         std::to_string(children_.size()) + " children)";
}

// --- start ------------------------------------------------------------------------------

GenServer::InitResult Supervisor::init() {
  trap_exit(true);
  if (auto error = detail::RestartIntensity::invalid_limits(flags_.max_restarts, flags_.max_seconds, "supervisor flags")) return InitResult::stop(ExitReason::error(*error));
  if (auto error = validate(initial_specs_)) return InitResult::stop(ExitReason::error(error->message));

  std::vector<ChildSpec> specs = std::move(initial_specs_);
  initial_specs_.clear();
  children_.reserve(specs.size());
  for (ChildSpec& spec : specs) {
    children_.push_back(Child{std::move(spec), {}, ChildState::stopped, 0});
    const StartResult started = launch(children_.back());
    if (started.ok()) continue;
    if (started.was_ignored()) {
      if (children_.back().spec.restart == Restart::temporary) children_.pop_back();
      continue;
    }
    // OTP: the start fails; the children already running are stopped, last first. We
    // cannot wait for them here, so a reaper process does it.
    const std::string reason = "child '" + children_.back().spec.id +
                               "' failed to start: " + started.error()->to_string();
    detail::hand_over_to_reaper(*this, running_in_reverse(0), detail::StopOrder::one_at_a_time);
    children_.clear();
    return InitResult::stop(ExitReason::error(reason));
  }
  return InitResult::ok();
}

StartResult Supervisor::launch(Child& child) {
  ++child.incarnation;
  StartResult started = run_start_function(child.spec, runtime());
  if (started.ok()) {
    // A no-op when the start function spawned with link, as it should; a safety net
    // when it did not, so the child's exit still reaches us.
    link(started.pid());
    child.pid = started.pid();
    child.state = ChildState::running;
    spdlog::debug("{}: started child '{}' as {}", self().to_string(), child.spec.id,
                  started.pid().to_string());
  } else {
    child.pid = {};
    child.state = ChildState::stopped;
    if (!started.was_ignored()) {
      spdlog::error("{}: child '{}' failed to start: {}", self().to_string(), child.spec.id,
                    started.error()->to_string());
    }
  }
  return started;
}

// --- lookups ----------------------------------------------------------------------------

Supervisor::Child* Supervisor::find_by_id(const std::string& id) {
  const auto it = std::find_if(children_.begin(), children_.end(),
                               [&](const Child& c) { return c.spec.id == id; });
  return it == children_.end() ? nullptr : &*it;
}

Supervisor::Child* Supervisor::find_by_pid(Pid pid) {
  if (pid.is_null()) return nullptr;
  const auto it = std::find_if(children_.begin(), children_.end(),
                               [&](const Child& c) { return c.pid == pid; });
  return it == children_.end() ? nullptr : &*it;
}

void Supervisor::forget(const Child& child) {
  std::erase_if(children_, [&](const Child& c) { return &c == &child; });
}

detail::StopTarget Supervisor::stop_target(const Child& child) const {
  return detail::StopTarget{child.pid, child.spec.effective_shutdown(), child.spec.id};
}

std::vector<detail::StopTarget> Supervisor::running_in_reverse(std::size_t from_index) const {
  std::vector<detail::StopTarget> targets;
  for (std::size_t i = children_.size(); i > from_index; --i) {
    const Child& child = children_[i - 1];
    if (child.state == ChildState::running) targets.push_back(stop_target(child));
  }
  return targets;
}

// --- messages ---------------------------------------------------------------------------

GenServer::CallResult Supervisor::handle_call(Message& request, const From& from) {
  if (match<WhichChildren>(request)) {
    std::vector<ChildInfo> infos;
    infos.reserve(children_.size());
    for (const Child& child : children_) {
      infos.push_back(ChildInfo{child.spec.id, child.pid, child.spec.type, child.state});
    }
    return CallResult::reply(std::move(infos));
  }
  if (match<CountChildren>(request)) {
    ChildCounts counts;
    for (const Child& child : children_) {
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
  const bool known = match<StartChild>(request) || match<TerminateChild>(request) ||
                     match<RestartChild>(request) || match<DeleteChild>(request);
  if (!known) {
    // A supervisor is the last thing that should crash: log and leave the caller to its
    // timeout.
    spdlog::error("{}: unexpected call {} from {}", self().to_string(), request.type().name(),
                  from.caller.to_string());
    return CallResult::noreply();
  }
  if (shutting_down_) {
    refuse(from, request, SupervisorError::shutting_down, "the supervisor is shutting down");
  } else if (sequence_ || !jobs_.empty()) {
    jobs_.push_back(PendingCall{from, std::move(request)});
  } else {
    run_call(from, request);
  }
  return CallResult::noreply();  // answered by reply(), now or later
}

GenServer::Result Supervisor::handle_info(Message& message) {
  if (stopper_.handle_info(message)) return Result::noreply();
  if (const auto* signal = match<ExitSignal>(message)) {
    on_exit_signal(*signal);
  } else if (auto* retry = match<RetryRestart>(message)) {
    jobs_.push_back(PendingRetry{std::move(retry->id), retry->incarnation});
    run_jobs();
  } else {
    return GenServer::handle_info(message);
  }
  return Result::noreply();
}

void Supervisor::on_exit_signal(const ExitSignal& signal) {
  if (signal.from == parent_ || signal.from.is_null()) {
    begin_shutdown(signal.reason);
    return;
  }
  if (stopper_.is_stopping(signal.from)) return;  // we asked for it; its Down follows
  Child* child = find_by_pid(signal.from);
  if (child == nullptr) {
    spdlog::debug("{}: ignoring an exit signal ({}) from {}, not a child", self().to_string(),
                  signal.reason.to_string(), signal.from.to_string());
    return;
  }
  child->pid = {};
  if (shutting_down_) {
    if (child->spec.restart == Restart::temporary) {
      forget(*child);
    } else {
      child->state = ChildState::stopped;
    }
    return;
  }
  child->state = ChildState::restarting;  // until on_child_exited decides
  jobs_.push_back(PendingExit{child->spec.id, child->incarnation, signal.reason});
  run_jobs();
}

void Supervisor::run_jobs() {
  while (!sequence_ && !shutting_down_ && !jobs_.empty()) {
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    if (auto* call = std::get_if<PendingCall>(&job)) {
      run_call(call->from, call->request);
    } else if (const auto* exit = std::get_if<PendingExit>(&job)) {
      on_child_exited(*exit);
    } else {
      on_retry(std::get<PendingRetry>(job));
    }
  }
}

void Supervisor::on_child_exited(const PendingExit& exit) {
  Child* child = find_by_id(exit.id);
  // Superseded: restarted by a sibling's restart, terminated, deleted meanwhile.
  if (child == nullptr || child->incarnation != exit.incarnation ||
      child->state != ChildState::restarting) {
    return;
  }
  const Restart type = child->spec.restart;
  if (type == Restart::temporary) {
    spdlog::info("{}: temporary child '{}' exited ({}); not restarted", self().to_string(),
                 exit.id, exit.reason.to_string());
    forget(*child);
    return;
  }
  if (type == Restart::transient && !exit.reason.is_abnormal()) {
    child->state = ChildState::stopped;
    return;
  }
  spdlog::info("{}: child '{}' exited ({}); restarting ({})", self().to_string(), exit.id,
               exit.reason.to_string(), to_string(flags_.strategy));
  restart(*child);
}

void Supervisor::on_retry(const PendingRetry& retry) {
  Child* child = find_by_id(retry.id);
  if (child == nullptr || child->incarnation != retry.incarnation ||
      child->state != ChildState::restarting) {
    return;
  }
  spdlog::info("{}: retrying the restart of child '{}'", self().to_string(), retry.id);
  restart(*child);
}

void Supervisor::restart(Child& child) {
  if (!intensity_.allow_restart(detail::RestartIntensity::Clock::now())) {
    spdlog::error("{}: reached max restart intensity ({} restarts in {} s) with child '{}'; "
                  "shutting down",
                  self().to_string(), flags_.max_restarts, flags_.max_seconds.count(),
                  child.spec.id);
    begin_shutdown(ExitReason::shutdown());
    return;
  }
  const auto index = static_cast<std::size_t>(&child - children_.data());
  switch (flags_.strategy) {
    case Strategy::one_for_one:
      start_range(index, index + 1);
      return;
    case Strategy::one_for_all:
      run_sequence(running_in_reverse(0), [this] { start_range(0, children_.size()); });
      return;
    case Strategy::rest_for_one:
      run_sequence(running_in_reverse(index + 1), [this, id = child.spec.id] {
        // Found again by id: stopping may have forgotten temporary children before it.
        if (Child* first = find_by_id(id)) {
          start_range(static_cast<std::size_t>(first - children_.data()), children_.size());
        }
      });
      return;
  }
}

void Supervisor::start_range(std::size_t index, std::size_t end) {
  while (index < end && index < children_.size()) {
    Child& child = children_[index];
    if (child.state == ChildState::running) {
      ++index;
      continue;
    }
    const StartResult started = launch(child);
    if (started.ok()) {
      ++index;
      continue;
    }
    if (started.was_ignored()) {
      if (child.spec.restart == Restart::temporary) {
        forget(child);
        --end;
      } else {
        ++index;
      }
      continue;
    }
    // The rest of the range waits for the retry, which restarts by the same strategy.
    child.state = ChildState::restarting;
    send(self(), RetryRestart{child.spec.id, child.incarnation});
    return;
  }
}

// --- calls ------------------------------------------------------------------------------

void Supervisor::run_call(const From& from, Message& request) {
  if (auto* start = match<StartChild>(request)) {
    if (auto error = validate(start->spec)) {
      reply(from, detail::refused_start(SupervisorError::invalid_spec, error->message));
      return;
    }
    if (const Child* existing = find_by_id(start->spec.id)) {
      std::string message = "a child with id '" + start->spec.id + "' is already present";
      if (existing->state == ChildState::running) message += " (running as " + existing->pid.to_string() + ")";
      reply(from, detail::refused_start(SupervisorError::already_present, message));
      return;
    }
    children_.push_back(Child{std::move(start->spec), {}, ChildState::stopped, 0});
    const StartResult started = launch(children_.back());
    const bool keep = started.ok() ||
                      (started.was_ignored() && children_.back().spec.restart != Restart::temporary);
    if (!keep) children_.pop_back();  // OTP: a child that failed to start is not added
    reply(from, started);
    return;
  }
  if (const auto* terminate = match<TerminateChild>(request)) {
    Child* child = find_by_id(terminate->id);
    if (child == nullptr) {
      reply(from, SupervisorResult::refused(SupervisorError::not_found,
                                            "no child with id '" + terminate->id + "'"));
      return;
    }
    if (child->state == ChildState::running) {
      run_sequence({stop_target(*child)},
                   [this, from] { reply(from, SupervisorResult::done()); }, from);
      return;
    }
    child->state = ChildState::stopped;  // also cancels a pending restart
    reply(from, SupervisorResult::done());
    return;
  }
  if (const auto* restart_request = match<RestartChild>(request)) {
    Child* child = find_by_id(restart_request->id);
    if (child == nullptr) {
      reply(from, detail::refused_start(SupervisorError::not_found,
                                        "no child with id '" + restart_request->id + "'"));
    } else if (child->state == ChildState::running) {
      reply(from, detail::refused_start(SupervisorError::running,
                                        "child '" + child->spec.id + "' is running as " +
                                            child->pid.to_string()));
    } else if (child->state == ChildState::restarting) {
      reply(from, detail::refused_start(SupervisorError::restarting,
                                        "child '" + child->spec.id + "' is being restarted"));
    } else {
      reply(from, launch(*child));
    }
    return;
  }
  if (const auto* remove = match<DeleteChild>(request)) {
    Child* child = find_by_id(remove->id);
    if (child == nullptr) {
      reply(from, SupervisorResult::refused(SupervisorError::not_found,
                                            "no child with id '" + remove->id + "'"));
    } else if (child->state == ChildState::running) {
      reply(from, SupervisorResult::refused(SupervisorError::running,
                                            "child '" + child->spec.id + "' is running; "
                                            "terminate it first"));
    } else if (child->state == ChildState::restarting) {
      reply(from, SupervisorResult::refused(SupervisorError::restarting,
                                            "child '" + child->spec.id + "' is being restarted"));
    } else {
      forget(*child);
      reply(from, SupervisorResult::done());
    }
    return;
  }
}

void Supervisor::refuse(const From& from, const Message& request, SupervisorError error,
                        const std::string& message) {
  if (match<StartChild>(request) || match<RestartChild>(request)) {
    reply(from, detail::refused_start(error, message));
  } else {
    reply(from, SupervisorResult::refused(error, message));
  }
}

// --- stopping ---------------------------------------------------------------------------

void Supervisor::run_sequence(std::vector<detail::StopTarget> targets,
                              std::function<void()> then, std::optional<From> caller) {
  sequence_ = StopSequence{{targets.begin(), targets.end()}, std::move(then), caller};
  stop_next();
}

void Supervisor::stop_next() {
  while (!sequence_->queue.empty()) {
    detail::StopTarget target = std::move(sequence_->queue.front());
    sequence_->queue.pop_front();
    if (find_by_pid(target.pid) == nullptr) continue;  // exited on its own meanwhile
    stopper_.stop(target, [this](Pid pid, const ExitReason& reason) {
      on_child_stopped(pid, reason);
      stop_next();
    });
    return;
  }
  StopSequence finished = std::move(*sequence_);
  sequence_.reset();
  finished.then();
  run_jobs();
}

void Supervisor::on_child_stopped(Pid pid, const ExitReason& reason) {
  Child* child = find_by_pid(pid);
  if (child == nullptr) return;
  const bool expected = reason.kind() == ExitReason::Kind::shutdown ||
                        (reason.kind() == ExitReason::Kind::killed &&
                         child->spec.effective_shutdown().kind() == Shutdown::Kind::brutal_kill);
  if (!expected) {
    // OTP's shutdown_error: it ended, but not the way it was asked to.
    spdlog::warn("{}: child '{}' {} stopped with reason {}", self().to_string(), child->spec.id,
                 pid.to_string(), reason.to_string());
  }
  if (child->spec.restart == Restart::temporary) {
    forget(*child);
    return;
  }
  child->pid = {};
  child->state = ChildState::stopped;
}

void Supervisor::begin_shutdown(ExitReason reason) {
  if (shutting_down_) return;
  shutting_down_ = reason;
  for (Job& job : jobs_) {
    if (const auto* call = std::get_if<PendingCall>(&job)) {
      refuse(call->from, call->request, SupervisorError::shutting_down,
             "the supervisor is shutting down");
    }
  }
  jobs_.clear();
  for (Child& child : children_) {
    if (child.state == ChildState::restarting) child.state = ChildState::stopped;
  }
  // Every running child, last started first; a child being stopped right now finishes
  // first, whichever sequence it belongs to.
  std::vector<detail::StopTarget> targets;
  for (detail::StopTarget& target : running_in_reverse(0)) {
    if (!stopper_.is_stopping(target.pid)) targets.push_back(std::move(target));
  }
  auto exit_now = [this] { stop(*shutting_down_); };
  if (sequence_) {
    if (sequence_->caller) {
      reply(*sequence_->caller, SupervisorResult::refused(SupervisorError::shutting_down,
                                                          "the supervisor is shutting down"));
    }
    sequence_ = StopSequence{{targets.begin(), targets.end()}, exit_now, std::nullopt};
    return;  // the stop in flight continues the sequence when its Down arrives
  }
  run_sequence(std::move(targets), exit_now);
}

void Supervisor::terminate(const ExitReason& reason) {
  // After an orderly shutdown nothing is left running. Something is only if we are
  // exiting for a reason we did not plan (a bug in a handler): let a reaper stop the
  // children, in reverse order, since we cannot wait any more.
  std::vector<detail::StopTarget> leftovers = running_in_reverse(0);
  if (leftovers.empty()) return;
  spdlog::error("{}: exiting ({}) with {} children still running; handing them to a reaper",
                self().to_string(), reason.to_string(), leftovers.size());
  detail::hand_over_to_reaper(*this, std::move(leftovers), detail::StopOrder::one_at_a_time);
}

// --- blocking helpers -------------------------------------------------------------------

StartResult Supervisor::start_child(Runtime& runtime, Pid supervisor, ChildSpec spec,
                                    Duration timeout) {
  return detail::call_for_start(runtime, supervisor, StartChild{std::move(spec)}, timeout);
}

SupervisorResult Supervisor::terminate_child(Runtime& runtime, Pid supervisor, std::string id,
                                             Duration timeout) {
  return detail::call_for_result(runtime, supervisor, TerminateChild{std::move(id)}, timeout);
}

StartResult Supervisor::restart_child(Runtime& runtime, Pid supervisor, std::string id,
                                      Duration timeout) {
  return detail::call_for_start(runtime, supervisor, RestartChild{std::move(id)}, timeout);
}

SupervisorResult Supervisor::delete_child(Runtime& runtime, Pid supervisor, std::string id,
                                          Duration timeout) {
  return detail::call_for_result(runtime, supervisor, DeleteChild{std::move(id)}, timeout);
}

}  // namespace otter::core
