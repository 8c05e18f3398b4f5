#pragma once
// GenServer: a process that owns state and answers requests, as Erlang's gen_server.
//
// Callbacks (all optional; each runs inside the process, one at a time):
//
//   init()                        -> InitResult::ok() | ok_continue(msg) | ignore() | stop(reason)
//   handle_call(request, from)    -> CallResult::reply(value) | noreply() | stop(reason)
//                                    | stop_and_reply(reason, value)
//   handle_cast(message)          -> Result::noreply() | stop(reason)
//   handle_info(message)          -> Result::noreply() | stop(reason)
//   handle_continue(message)      -> Result::noreply() | stop(reason)
//   terminate(reason)             -> void (not called when the process is killed)
//
// Any result may carry `.then_continue(msg)`: handle_continue(msg) runs next, before any
// other message (OTP's {continue, Msg}).
//
// Flow:
//
//   spawn ─► init ──ok──► [handle_continue] ─► loop: handle_call | handle_cast |
//              │                                      handle_info | handle_continue
//              ├─ignore─► spawn reports ignored            │
//              └─stop───► spawn reports the reason         └─stop(reason)─► terminate
//
// init runs inside Runtime::spawn, so spawn returns only when init has finished: a
// supervisor starts children in order and knows at once whether each started. Keep init
// short; put slow start-up work (loading from storage) in handle_continue.
//
// A callback that throws crashes the process: the exception's message becomes its exit
// reason (ExitReason::error), a crash report is logged, links and monitors are told.
//
// Replies: a handle_call that returns noreply() answers later with reply(from, value)
// (GenServer.reply) — from this process or any other that was handed `from`. A
// handle_call that throws, or stops without a reply, fails its caller at once with
// callee_exited. A deferred call still open when the server exits is not tracked (that
// would cost every deferred call): answer it in terminate(), or the caller times out.
//
// Info messages: plain sends, Down (monitors), ExitSignal (when trapping exits),
// IdleTimeout (set_idle_timeout), and anything a timer sends.
//
// Calling others from inside a handler never blocks: call<R>(to, request, timeout,
// on_reply) sends the request and runs on_reply in this process when the answer (or a
// timeout, or the callee's death) arrives. A reply that arrives after the timeout is
// dropped. From outside any process, use core::call() (scoped_process.hpp), which blocks.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

#include "core/call.hpp"
#include "core/process.hpp"
#include "core/runtime.hpp"

namespace otter::core {

namespace detail {
class TaskAwaiter;  // Task::await from a GenServer handler: a call made on the server's behalf
}  // namespace detail

// Delivered to handle_info when set_idle_timeout's period passes with no message.
struct IdleTimeout {};

class GenServer : public Process {
 public:
  class InitResult {
   public:
    [[nodiscard]] static InitResult ok() { return InitResult{}; }
    [[nodiscard]] static InitResult ok_continue(Message message) {
      InitResult r;
      r.continue_ = std::move(message);
      return r;
    }
    [[nodiscard]] static InitResult ignore() {
      InitResult r;
      r.ignore_ = true;
      return r;
    }
    [[nodiscard]] static InitResult stop(ExitReason reason) {
      InitResult r;
      r.stop_ = std::move(reason);
      return r;
    }

   private:
    friend class GenServer;
    std::optional<Message> continue_;
    std::optional<ExitReason> stop_;
    bool ignore_ = false;
  };

  class Result {
   public:
    [[nodiscard]] static Result noreply() { return Result{}; }
    [[nodiscard]] static Result stop(ExitReason reason) {
      Result r;
      r.stop_ = std::move(reason);
      return r;
    }
    [[nodiscard]] Result then_continue(Message message) && {
      continue_ = std::move(message);
      return std::move(*this);
    }

   private:
    friend class GenServer;
    std::optional<ExitReason> stop_;
    std::optional<Message> continue_;
  };

  class CallResult {
   public:
    [[nodiscard]] static CallResult reply(Message value) {
      CallResult r;
      r.reply_ = std::move(value);
      return r;
    }
    [[nodiscard]] static CallResult noreply() { return CallResult{}; }
    [[nodiscard]] static CallResult stop(ExitReason reason) {
      CallResult r;
      r.stop_ = std::move(reason);
      return r;
    }
    [[nodiscard]] static CallResult stop_and_reply(ExitReason reason, Message value) {
      CallResult r;
      r.stop_ = std::move(reason);
      r.reply_ = std::move(value);
      return r;
    }
    [[nodiscard]] CallResult then_continue(Message message) && {
      continue_ = std::move(message);
      return std::move(*this);
    }

   private:
    friend class GenServer;
    std::optional<Message> reply_;
    std::optional<ExitReason> stop_;
    std::optional<Message> continue_;
  };

 protected:
  GenServer() = default;

  virtual InitResult init() { return InitResult::ok(); }
  virtual CallResult handle_call(Message& request, const From& from);
  virtual Result handle_cast(Message& message);
  virtual Result handle_info(Message& message);
  virtual Result handle_continue(Message& message);

  // Answers a call whose handle_call returned noreply(). (From another process or
  // thread: Runtime::reply.)
  void reply(const From& from, Message value);

  // Asynchronous call from inside this process; `on_reply` runs here later.
  template <class Reply>
  void call(Pid to, Message request, Duration timeout,
            std::function<void(CallOutcome<Reply>)> on_reply) {
    send_call(to, std::move(request), timeout,
              [on_reply = std::move(on_reply)](Message* reply, const CallFailure* failure) {
                if (failure != nullptr) {
                  on_reply(CallOutcome<Reply>(*failure));
                } else {
                  on_reply(detail::to_outcome<Reply>(*reply));
                }
              });
  }

  // After `period` with no message handled, handle_info gets IdleTimeout{} (once per
  // idle stretch). nullopt turns it off. Costs one clock read per message while on.
  void set_idle_timeout(std::optional<Duration> period);

 private:
  friend class detail::TaskAwaiter;
  using AnswerHandler = std::function<void(Message* reply, const CallFailure* failure)>;
  void send_call(Pid to, Message request, Duration timeout, AnswerHandler on_answer);
  void answer(std::uint64_t ref, Message* reply, const CallFailure* failure);
  CallResult call_handle_call(Message& request, const From& from);
  void fail_call(const From& from, const ExitReason& reason);
  void arm_idle_timer(Duration after);

  StartOutcome start() final;
  void first_turn() final;
  void handle(detail::Envelope& envelope) final;
  void apply(Result result);
  void run_continues(std::optional<Message> next);

  struct PendingCall {
    AnswerHandler on_answer;
    TimerRef timer;
  };
  // Allocated by a call and freed with its last answer: most processes never call anyone,
  // many call once.
  std::unique_ptr<std::unordered_map<std::uint64_t, PendingCall>> pending_calls_;
  std::optional<Message> init_continue_;

  struct IdleState {
    Duration period;
    std::chrono::steady_clock::time_point last_activity;
    std::uint64_t generation = 0;
    bool armed = false;
  };
  std::unique_ptr<IdleState> idle_;
};

}  // namespace otter::core
