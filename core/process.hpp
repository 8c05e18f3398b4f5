#pragma once
// Process: the lightweight, isolated unit of execution everything in Otter runs in.
//
// A process has a Pid, a mailbox and state that only its own handlers touch. Handlers
// run one at a time (never two at once for one process), scheduled over the runtime's
// thread pool; when the mailbox is empty the process costs no thread, only its memory.
// Tens of thousands of processes are cheap.
//
// Life:
//   Runtime::spawn ─► start() runs inline in the spawner (init; messages sent meanwhile
//                     wait in the mailbox) ─► scheduled ─► handle() once per message …
//                 ─► exit: terminate(reason) ─► exit hooks (e.g. registry cleanup)
//                     ─► monitors it holds withdrawn ─► Pid erased from the table
//                     ─► mailbox closed ─► requests still queued are answered with
//                        the exit reason (calls fail, links get exit signals,
//                        monitors get Down) ─► links get exit signals, monitors Down.
//   The order matters: the Pid is gone before anyone hears of the death, so a process
//   reacting to a Down never finds the dead process registered or reachable.
//
// Links and monitors follow OTP. A link is two-way: when either end exits abnormally
// the other gets an exit signal and, unless it traps exits, exits with the same reason
// (`normal` and `shutdown`... see ExitReason; an explicit exit(pid, shutdown) does stop
// a non-trapping process). With trap_exit(true), exit signals arrive as ExitSignal
// messages instead. A monitor is one-way and delivers a single Down.
//
// Subclasses (GenServer, ScopedProcess) implement start() and handle(); everyone else
// uses those. The members below marked "own context" may only be called from the
// process's own handlers (or its start()).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/exit_reason.hpp"
#include "core/mailbox.hpp"
#include "core/message.hpp"
#include "core/pid.hpp"
#include "core/process_ptr.hpp"

namespace otter::core {

class Runtime;

namespace detail {
// The `ref` of an exit_signal envelope that a link delivers because its other end has
// exited (or never existed): the receiver drops the link. An exit signal sent with
// exit(pid, reason) carries ref 0 and leaves a link between sender and receiver alone.
inline constexpr std::uint64_t kLinkExitRef = 1;
}  // namespace detail

class Process {
 public:
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  virtual ~Process();

  [[nodiscard]] Pid self() const noexcept { return pid_; }
  [[nodiscard]] Runtime& runtime() const noexcept { return *runtime_; }

  // The process whose handler is running on this thread, or nullptr outside processes.
  [[nodiscard]] static Process* current() noexcept;
  // Its pid, or a null Pid outside processes (a supervisor's constructor, which runs in
  // its spawner, names its parent with it).
  [[nodiscard]] static Pid current_pid() noexcept;

  // --- messaging (own context) -------------------------------------------------------
  void send(Pid to, Message message);
  void cast(Pid to, Message message);
  // Sends an exit signal from this process (Erlang's exit/2).
  void exit(Pid to, ExitReason reason);

  // --- links and monitors (own context) ----------------------------------------------
  void link(Pid other);
  void unlink(Pid other);
  MonitorRef monitor(Pid target);
  // After demonitor returns, no Down for `ref` will be handled.
  void demonitor(MonitorRef ref);
  void trap_exit(bool on) noexcept { trap_exit_ = on; }
  [[nodiscard]] bool traps_exit() const noexcept { return trap_exit_; }
  [[nodiscard]] const std::vector<Pid>& links() const noexcept { return links_; }
  // How many monitors on this process are live (introspection and tests).
  [[nodiscard]] std::size_t monitored_by() const noexcept { return watchers_.size(); }

  // Ends this process with `reason` once the current handler returns.
  void stop(ExitReason reason);

  // Runs when the process exits, before the Pid is erased and links/monitors hear of
  // it, in reverse order of registration. For cleanup that must precede the Down
  // (registry entries, subscriptions). Must not throw.
  void on_exit(std::function<void(Pid, const ExitReason&)> hook);

  // A short, human-readable summary for crash reports. Override to add state.
  [[nodiscard]] virtual std::string describe() const;

 protected:
  Process() = default;

  // Runs inline in the spawner before the process is scheduled. A returned reason means
  // the start failed: the process exits with it and spawn reports it. `ignore` is a
  // normal exit without an error (a supervisor then records the child as not running).
  struct StartOutcome {
    std::optional<ExitReason> failure;
    bool ignore = false;
  };
  virtual StartOutcome start() { return {}; }

  // One envelope of a user kind (send, cast, call, reply, call_failed, down with a live
  // monitor, exit signals turned into ExitSignal by trap_exit). Exceptions crash the
  // process with the exception's message as reason.
  virtual void handle(detail::Envelope& envelope) = 0;

  // Runs once, at the start of the process's first turn on the pool, before any message
  // (GenServer runs init's continue here). Exceptions crash the process.
  virtual void first_turn() {}

  // Called once when the process exits (not when killed). Must not throw.
  virtual void terminate(const ExitReason& /*reason*/) {}

  // Makes the process run its mailbox. The default posts a run onto the runtime's pool;
  // ScopedProcess overrides it to wake the thread that owns it.
  virtual void schedule();

  // The next per-process reference (calls, monitors): unique within this process.
  [[nodiscard]] std::uint64_t make_ref() noexcept { return ++last_ref_; }

  // Sends an envelope from this process.
  void deliver(Pid to, detail::Envelope envelope);

  // For ScopedProcess: take the next envelope and run it through the system dispatch.
  // Returns false when the mailbox is empty right now.
  bool run_one();
  [[nodiscard]] detail::Mailbox& mailbox() noexcept { return mailbox_; }
  [[nodiscard]] bool has_exited() const noexcept { return exited_; }
  [[nodiscard]] const std::optional<ExitReason>& pending_stop() const noexcept { return stop_; }
  // Runs the exit sequence now (the pending stop reason, or `reason`).
  void finish(ExitReason reason);

 private:
  friend class Runtime;
  friend void intrusive_ptr_add_ref(Process* process) noexcept;
  friend void intrusive_ptr_release(Process* process) noexcept;

  StartOutcome run_start();                        // start() guarded, in this process's scope
  void resume();                                   // run up to a budget of messages
  static void post_run(ProcessPtr process);        // queue a turn on the io_context
  static void run_chain(ProcessPtr process);       // a turn, then hand-offs (process.cpp)
  void run_first_turn();
  void dispatch(detail::Envelope& envelope);       // system kinds here, the rest to handle()
  void dispatch_guarded(detail::Envelope& envelope);
  void on_exit_signal(Pid from, const ExitReason& reason, bool link_broken);
  void remove_link(Pid other) noexcept;
  void answer_undelivered(detail::MailboxNode* queued, const ExitReason& reason);

  std::atomic<std::uint32_t> refs_{0};
  std::atomic<bool> kill_requested_{false};  // set by exit(pid, kill): die before the backlog
  bool trap_exit_ = false;
  bool exited_ = false;
  bool had_first_turn_ = false;
  Runtime* runtime_ = nullptr;
  Pid pid_;
  std::uint64_t last_ref_ = 0;
  std::uint64_t root_order_ = 0;  // set by Runtime when spawned from outside processes
  detail::Mailbox mailbox_;
  std::optional<ExitReason> stop_;
  std::vector<Pid> links_;
  struct Watcher {
    Pid pid;
    std::uint64_t ref;
  };
  std::vector<Watcher> watchers_;         // who monitors this process
  struct HeldMonitor {
    std::uint64_t ref;
    Pid target;
  };
  std::vector<HeldMonitor> monitors_;     // live monitors this process holds
  std::vector<std::function<void(Pid, const ExitReason&)>> exit_hooks_;
};

}  // namespace otter::core
