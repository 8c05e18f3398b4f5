#include "core/runtime.hpp"

#include <spdlog/spdlog.h>

#include "core/timer_service.hpp"

namespace otter::core {

Runtime::Runtime(RuntimeOptions options)
    : options_(options),
      timers_(std::make_shared<detail::TimerService>(io_, *this)),
      work_(boost::asio::make_work_guard(io_)),
      table_(options.node) {
  unsigned n = options_.threads != 0 ? options_.threads : std::thread::hardware_concurrency();
  if (n == 0) n = 1;
  threads_.reserve(n);
  for (unsigned i = 0; i < n; ++i) threads_.emplace_back([this] { io_.run(); });
}

Runtime::~Runtime() { shutdown(); }

StartResult Runtime::start_process(ProcessPtr process, SpawnOptions options) {
  if (stopping_.load()) return StartResult::failed(ExitReason::error("runtime is shutting down"));
  Process* parent = Process::current();
  if (options.link && parent == nullptr) {
    return StartResult::failed(ExitReason::error("spawn with link outside any process"));
  }
  process->runtime_ = this;
  const Pid pid = table_.insert(process);
  process->pid_ = pid;
  if (options.link) {
    // Both ends set up before the child runs anything: no window where one is unlinked.
    process->links_.push_back(parent->self());
    parent->links_.push_back(pid);
  }

  const Process::StartOutcome outcome = process->run_start();
  if (outcome.failure || outcome.ignore) {
    // A failed start is reported to the spawner by the return value, not by an exit
    // signal: drop the link first so finish() doesn't also signal the parent.
    if (options.link) {
      process->remove_link(parent->self());
      parent->remove_link(pid);
    }
    const ExitReason reason = outcome.failure ? *outcome.failure : ExitReason::normal();
    process->finish(reason);
    if (outcome.failure) return StartResult::failed(reason);
    return StartResult::ignored();
  }
  if (parent == nullptr) {
    std::lock_guard lock(roots_mutex_);
    process->root_order_ = ++last_root_order_;
    roots_.emplace(process->root_order_, pid);
  }
  if (process->pending_stop()) {
    // init asked to stop after starting (e.g. stop inside init's continue): run the exit.
    process->finish(*process->pending_stop());
    return StartResult::started(pid);
  }
  process->schedule();  // handles whatever arrived while start() ran
  return StartResult::started(pid);
}

void Runtime::deliver(Pid to, detail::Envelope envelope) {
  auto* node = new detail::MailboxNode{nullptr, std::move(envelope)};
  // Pushed under the table's lock: no reference counting per message. Only a wake-up
  // takes a reference, to schedule the process once the lock is released.
  auto pushed = detail::Mailbox::PushResult::closed;
  ProcessPtr woken;
  table_.with_live(to, [&](const ProcessPtr& target) {
    pushed = target->mailbox_.push(node);
    if (pushed == detail::Mailbox::PushResult::wake) woken = target;
  });
  if (woken) {
    woken->schedule();
    return;
  }
  if (pushed == detail::Mailbox::PushResult::queued) return;
  // No such process, or its mailbox closed (it is exiting): the node is still ours.
  std::unique_ptr<detail::MailboxNode> refused(node);
  bounce(to, std::move(refused->envelope), ExitReason::noproc());
}

void Runtime::bounce(Pid to, detail::Envelope envelope, const ExitReason& reason) {
  using K = detail::EnvelopeKind;
  if (envelope.from.is_null()) return;  // nobody to tell
  switch (envelope.kind) {
    case K::call:
      deliver(envelope.from, {K::call_failed, to, envelope.ref, reason});
      return;
    case K::link:
      // Linking to a dead process: the linker gets the exit signal at once (noproc). A
      // link still queued when the process ended (a kill overtakes the backlog) hears
      // the real reason, as if the link had been made just before.
      deliver(envelope.from, {K::exit_signal, to, detail::kLinkExitRef, reason});
      return;
    case K::monitor:
      deliver(envelope.from,
              {K::down, to, envelope.ref, Down{MonitorRef{envelope.ref}, to, reason}});
      return;
    default:
      return;  // plain messages to dead processes vanish, as in Erlang
  }
}

void Runtime::send(Pid to, Message message) {
  deliver(to, {detail::EnvelopeKind::send, {}, 0, std::move(message)});
}

void Runtime::cast(Pid to, Message message) {
  deliver(to, {detail::EnvelopeKind::cast, {}, 0, std::move(message)});
}

void Runtime::reply(const From& from, Message value) {
  deliver(from.caller, {detail::EnvelopeKind::reply, {}, from.ref, std::move(value)});
}

void Runtime::exit(Pid to, ExitReason reason) {
  if (reason.kind() == ExitReason::Kind::kill) {
    if (ProcessPtr target = table_.find(to)) target->kill_requested_.store(true);
  }
  deliver(to, {detail::EnvelopeKind::exit_signal, {}, 0, std::move(reason)});
}

bool Runtime::is_alive(Pid pid) const { return static_cast<bool>(table_.find(pid)); }

TimerRef Runtime::send_after(Pid to, Duration delay, Message message) {
  return TimerRef{timers_->start(to, delay, std::move(message))};
}

bool Runtime::cancel_timer(const TimerRef& timer) noexcept {
  if (!timer.state_) return false;
  return detail::TimerService::cancel(*timer.state_);
}

void Runtime::process_exited(Pid pid, std::uint64_t root_order) {
  table_.erase(pid);
  const bool was_root = root_order != 0;
  if (was_root) {
    std::lock_guard lock(roots_mutex_);
    roots_.erase(root_order);
  }
  // shutdown() waits for roots one by one, wait_until_empty() for the last process.
  if (was_root || table_.size() == 0) {
    std::lock_guard lock(exited_mutex_);
    exited_cv_.notify_all();
  }
}

bool Runtime::wait_until_empty(Duration timeout) {
  std::unique_lock lock(exited_mutex_);
  return exited_cv_.wait_for(lock, timeout, [this] { return table_.size() == 0; });
}

bool Runtime::wait_until_gone(Pid root, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(exited_mutex_);
  return exited_cv_.wait_until(lock, deadline, [&] { return !is_alive(root); });
}

void Runtime::shutdown() {
  if (stopping_.exchange(true)) return;
  // Roots stop one at a time in reverse start order, like a supervisor's children: each
  // gets `shutdown` and the grace period to exit (a supervisor stops its own subtree in
  // order meanwhile), then `kill`.
  std::vector<Pid> roots;
  {
    std::lock_guard lock(roots_mutex_);
    roots.reserve(roots_.size());
    for (const auto& [order, pid] : roots_) roots.push_back(pid);
  }
  for (auto it = roots.rbegin(); it != roots.rend(); ++it) {
    exit(*it, ExitReason::shutdown());
    if (wait_until_gone(*it, std::chrono::steady_clock::now() + options_.shutdown_grace)) continue;
    spdlog::warn("runtime: root {} still alive after {} ms; killing it", it->to_string(),
                 options_.shutdown_grace.count());
    exit(*it, ExitReason::kill());
    (void)wait_until_gone(*it, std::chrono::steady_clock::now() + options_.shutdown_grace);
  }
  // Whatever is left was spawned unlinked from inside a process: no root stops it.
  if (table_.size() != 0) {
    for (const Pid pid : table_.pids()) exit(pid, ExitReason::shutdown());
    if (!wait_until_empty(options_.shutdown_grace)) {
      spdlog::warn("runtime: {} processes still alive after {} ms; killing them",
                   table_.size(), options_.shutdown_grace.count());
      for (const Pid pid : table_.pids()) exit(pid, ExitReason::kill());
      (void)wait_until_empty(options_.shutdown_grace);
    }
  }
  work_.reset();
  io_.stop();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

}  // namespace otter::core
