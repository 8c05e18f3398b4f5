#include "core/process.hpp"

#include <boost/asio/defer.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <utility>

#include "core/runtime.hpp"

namespace otter::core {
namespace {

thread_local Process* current_process = nullptr;

// Messages a process handles per turn before it yields the thread to others.
constexpr int kMessagesPerTurn = 64;
// ...or messages it sends: one handled message can send thousands (a broadcast), and a
// sender that keeps the thread lets its receivers' mailboxes grow out of the cache.
// Like Erlang's reductions, sending uses up the turn too.
constexpr std::uint32_t kSendsPerTurn = 1024;
thread_local std::uint32_t sends_this_turn = 0;

// A process woken from inside another process's turn on a pool thread (A sends to an
// idle B: the usual case) skips the io_context's queue: it takes this thread's "run
// next" slot and runs as soon as the current turn ends, on the same thread, while the
// message is still in this core's cache (Go's runnext). A second wake in the same turn
// displaces the first into the io_context's queue, where idle threads pick it up. One
// io_context handler runs at most kHandOffsPerRun turns this way, then defers the rest
// of the chain, so timers, I/O and queued processes get the thread too.
constexpr int kHandOffsPerRun = 32;

struct RunChain {
  Runtime* runtime;
  ProcessPtr next;
};
thread_local RunChain* current_chain = nullptr;

class ChainScope {
 public:
  explicit ChainScope(RunChain* chain) noexcept : saved_(std::exchange(current_chain, chain)) {}
  ~ChainScope() { current_chain = saved_; }
  ChainScope(const ChainScope&) = delete;
  ChainScope& operator=(const ChainScope&) = delete;

 private:
  RunChain* saved_;
};

class CurrentScope {
 public:
  explicit CurrentScope(Process* process) noexcept : saved_(current_process) {
    current_process = process;
  }
  ~CurrentScope() { current_process = saved_; }
  CurrentScope(const CurrentScope&) = delete;
  CurrentScope& operator=(const CurrentScope&) = delete;

 private:
  Process* saved_;
};

const char* kind_name(detail::EnvelopeKind kind) {
  using K = detail::EnvelopeKind;
  switch (kind) {
    case K::send: return "send";
    case K::cast: return "cast";
    case K::call: return "call";
    case K::reply: return "reply";
    case K::call_failed: return "call_failed";
    case K::exit_signal: return "exit_signal";
    case K::link: return "link";
    case K::unlink: return "unlink";
    case K::monitor: return "monitor";
    case K::demonitor: return "demonitor";
    case K::down: return "down";
  }
  return "?";
}

}  // namespace

void intrusive_ptr_add_ref(Process* process) noexcept {
  process->refs_.fetch_add(1, std::memory_order_relaxed);
}

void intrusive_ptr_release(Process* process) noexcept {
  if (process->refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete process;
}

Process::~Process() = default;

Process* Process::current() noexcept { return current_process; }

Pid Process::current_pid() noexcept { return current_process != nullptr ? current_process->self() : Pid{}; }

std::string Process::describe() const { return "process " + pid_.to_string(); }

void Process::deliver(Pid to, detail::Envelope envelope) {
  ++sends_this_turn;
  envelope.from = pid_;
  runtime_->deliver(to, std::move(envelope));
}

void Process::send(Pid to, Message message) {
  deliver(to, {detail::EnvelopeKind::send, {}, 0, std::move(message)});
}

void Process::cast(Pid to, Message message) {
  deliver(to, {detail::EnvelopeKind::cast, {}, 0, std::move(message)});
}

void Process::exit(Pid to, ExitReason reason) {
  if (to == pid_) {
    // A process sending itself an exit signal behaves like receiving one.
    on_exit_signal(pid_, reason, false);
    return;
  }
  if (reason.kind() == ExitReason::Kind::kill) {
    if (ProcessPtr target = runtime_->find(to)) target->kill_requested_.store(true);
  }
  deliver(to, {detail::EnvelopeKind::exit_signal, {}, 0, std::move(reason)});
}

void Process::link(Pid other) {
  if (other == pid_ || std::find(links_.begin(), links_.end(), other) != links_.end()) return;
  links_.push_back(other);
  deliver(other, {detail::EnvelopeKind::link, {}, 0, {}});
}

void Process::unlink(Pid other) {
  remove_link(other);
  deliver(other, {detail::EnvelopeKind::unlink, {}, 0, {}});
}

MonitorRef Process::monitor(Pid target) {
  const std::uint64_t ref = make_ref();
  monitors_.push_back({ref, target});
  deliver(target, {detail::EnvelopeKind::monitor, {}, ref, {}});
  return MonitorRef{ref};
}

void Process::demonitor(MonitorRef ref) {
  const auto it = std::find_if(monitors_.begin(), monitors_.end(),
                               [&](const HeldMonitor& m) { return m.ref == ref.id; });
  if (it == monitors_.end()) return;
  const Pid target = it->target;
  monitors_.erase(it);
  // A Down may already be on its way: dispatch() drops Downs for refs no longer held.
  deliver(target, {detail::EnvelopeKind::demonitor, {}, ref.id, {}});
}

void Process::stop(ExitReason reason) {
  if (!stop_) stop_ = std::move(reason);
}

void Process::on_exit(std::function<void(Pid, const ExitReason&)> hook) {
  exit_hooks_.push_back(std::move(hook));
}

void Process::schedule() {
  if (current_chain != nullptr && current_chain->runtime == runtime_) {
    ProcessPtr displaced = std::exchange(current_chain->next, ProcessPtr{this});
    if (displaced) post_run(std::move(displaced));
    return;
  }
  post_run(ProcessPtr{this});
}

void Process::post_run(ProcessPtr process) {
  boost::asio::io_context& io = process->runtime_->io_context();
  boost::asio::defer(io,
                     [process = std::move(process)]() mutable { run_chain(std::move(process)); });
}

void Process::run_chain(ProcessPtr process) {
  RunChain chain{process->runtime_, {}};
  const ChainScope scope(&chain);
  for (int turns = 1;; ++turns) {
    process->resume();
    process = std::move(chain.next);
    if (!process) return;
    if (turns == kHandOffsPerRun) {
      post_run(std::move(process));
      return;
    }
  }
}

Process::StartOutcome Process::run_start() {
  CurrentScope scope(this);
  try {
    return start();
  } catch (const std::exception& e) {
    return {ExitReason::error(e.what()), false};
  } catch (...) {
    return {ExitReason::error("unknown exception"), false};
  }
}

void Process::resume() {
  CurrentScope scope(this);
  if (!had_first_turn_) {
    had_first_turn_ = true;
    if (!exited_) run_first_turn();
  }
  sends_this_turn = 0;
  for (int budget = kMessagesPerTurn; budget > 0 && sends_this_turn < kSendsPerTurn; --budget) {
    if (exited_) return;
    if (kill_requested_.load(std::memory_order_relaxed)) {
      finish(ExitReason::killed());
      return;
    }
    if (!run_one()) {
      if (mailbox_.try_block()) return;
    }
  }
  if (exited_) return;  // the last message handled stopped us
  // Budget used: to the back of the io_context's queue (not the run-next slot), so the
  // other processes get the thread before we come back.
  post_run(ProcessPtr{this});
}

void Process::run_first_turn() {
  try {
    first_turn();
  } catch (const std::exception& e) {
    spdlog::error("crash: {} ({}) exited in its first turn: {}", pid_.to_string(), describe(),
                  e.what());
    stop_ = ExitReason::error(e.what());
  }
  if (stop_) finish(*stop_);
}

bool Process::run_one() {
  detail::MailboxNode* node = mailbox_.pop();
  if (node == nullptr) return false;
  std::unique_ptr<detail::MailboxNode> owned(node);
  dispatch_guarded(owned->envelope);
  if (stop_ && !exited_) finish(*stop_);
  return true;
}

void Process::dispatch_guarded(detail::Envelope& envelope) {
  try {
    dispatch(envelope);
  } catch (const std::exception& e) {
    const ExitReason reason = ExitReason::error(e.what());
    spdlog::error("crash: {} ({}) exited while handling a {} from {}: {}", pid_.to_string(),
                  describe(), kind_name(envelope.kind), envelope.from.to_string(), e.what());
    stop_ = reason;
  } catch (...) {
    spdlog::error("crash: {} ({}) threw a non-exception while handling a {}", pid_.to_string(),
                  describe(), kind_name(envelope.kind));
    stop_ = ExitReason::error("unknown exception");
  }
}

void Process::dispatch(detail::Envelope& envelope) {
  using K = detail::EnvelopeKind;
  switch (envelope.kind) {
    case K::link:
      if (std::find(links_.begin(), links_.end(), envelope.from) == links_.end()) {
        links_.push_back(envelope.from);
      }
      return;
    case K::unlink:
      remove_link(envelope.from);
      return;
    case K::monitor:
      watchers_.push_back({envelope.from, envelope.ref});
      return;
    case K::demonitor:
      std::erase_if(watchers_, [&](const Watcher& w) {
        return w.pid == envelope.from && w.ref == envelope.ref;
      });
      return;
    case K::exit_signal:
      on_exit_signal(envelope.from, *match<ExitReason>(envelope.payload),
                     envelope.ref == detail::kLinkExitRef);
      return;
    case K::down: {
      const auto it = std::find_if(monitors_.begin(), monitors_.end(),
                                   [&](const HeldMonitor& m) { return m.ref == envelope.ref; });
      if (it == monitors_.end()) return;  // demonitored meanwhile
      monitors_.erase(it);
      handle(envelope);
      return;
    }
    default:
      handle(envelope);
      return;
  }
}

void Process::on_exit_signal(Pid from, const ExitReason& reason, bool link_broken) {
  if (reason.kind() == ExitReason::Kind::kill) {
    stop(ExitReason::killed());
    return;
  }
  // The other end of a link has exited: forget the link. If we unlinked meanwhile, the
  // signal crossed our unlink and must have no effect (Erlang's unlink guarantee). A
  // linked process that merely sent exit(pid, reason) is alive and stays linked, so it
  // hears how we end.
  if (link_broken) {
    if (std::find(links_.begin(), links_.end(), from) == links_.end()) return;
    remove_link(from);
  }
  if (trap_exit_) {
    detail::Envelope as_message{detail::EnvelopeKind::send, from, 0, ExitSignal{from, reason}};
    handle(as_message);
    return;
  }
  // A normal exit of a linked process doesn't affect us; an explicit exit(pid, normal)
  // from another process doesn't either (OTP), but exit(self(), normal) does.
  if (reason.is_normal() && from != pid_) return;
  stop(reason);
}

void Process::remove_link(Pid other) noexcept {
  const auto it = std::find(links_.begin(), links_.end(), other);
  if (it != links_.end()) links_.erase(it);
}

void Process::finish(ExitReason reason) {
  if (exited_) return;
  exited_ = true;
  stop_ = reason;
  if (reason.kind() != ExitReason::Kind::killed) {
    try {
      terminate(reason);
    } catch (const std::exception& e) {
      spdlog::error("{} ({}): terminate threw: {}", pid_.to_string(), describe(), e.what());
    }
  }
  if (reason.is_abnormal()) {
    spdlog::warn("{} ({}) exited: {}", pid_.to_string(), describe(), reason.to_string());
  }
  for (auto it = exit_hooks_.rbegin(); it != exit_hooks_.rend(); ++it) (*it)(pid_, reason);
  exit_hooks_.clear();

  // Withdraw the monitors we hold, as Erlang does for a dead process: otherwise each
  // short-lived watcher (a session monitoring its document) leaves an entry in a
  // long-lived target's watcher list until the target itself exits. Before anyone can
  // learn of our death (a bounce from the closed mailbox, a Down), so nobody's later
  // message to a target overtakes the withdrawal.
  for (const HeldMonitor& held : monitors_) {
    deliver(held.target, {detail::EnvelopeKind::demonitor, {}, held.ref, {}});
  }
  monitors_.clear();

  // Erase first (later lookups miss: noproc), close second (senders that found us just
  // before are refused: noproc too), answer what was queued third: whoever hears of the
  // death, from a bounce or from the Downs and exit signals below, finds the Pid gone.
  runtime_->process_exited(pid_, root_order_);
  detail::MailboxNode* undelivered = mailbox_.close();
  answer_undelivered(undelivered, reason);

  for (const Pid linked : links_) {
    deliver(linked, {detail::EnvelopeKind::exit_signal, {}, detail::kLinkExitRef, reason});
  }
  links_.clear();
  for (const Watcher& watcher : watchers_) {
    deliver(watcher.pid, {detail::EnvelopeKind::down, {}, watcher.ref,
                          Down{MonitorRef{watcher.ref}, pid_, reason}});
  }
  watchers_.clear();
}

void Process::answer_undelivered(detail::MailboxNode* queued, const ExitReason& reason) {
  // Queued requests that expected an answer get one, as if sent after our death.
  while (queued != nullptr) {
    std::unique_ptr<detail::MailboxNode> node(queued);
    queued = queued->next;
    runtime_->bounce(pid_, std::move(node->envelope), reason);
  }
}

}  // namespace otter::core
