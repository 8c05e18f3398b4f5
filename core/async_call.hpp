#pragma once
// async_call: a call from outside any process that does not block the calling thread.
//
//   core::async_call<StartResult>(runtime, supervisor, StartChild{spec}, timeout,
//                                 [](CallOutcome<StartResult> outcome) { ... });
//
// Contract
// - `on_reply` runs exactly once, with the callee's reply or the failure (timeout, noproc,
//   callee_exited, bad_reply_type), as core::call() would return it.
// - It runs later, on a runtime thread, inside a short-lived caller process: it must not
//   block (no core::call() in it). Only when the runtime is shutting down and no caller
//   can be spawned does it run at once, on the calling thread, with noproc.
// - Order: two async_calls from one thread to one callee are two callers; their requests
//   may reach the callee in either order. Use it for independent requests.
//
// Why it exists: a thread that serves sockets (net's I/O threads) must never wait for a
// process. core::call() parks the caller until the answer comes; here the answer comes to
// a process instead, which is what the rest of the runtime already knows how to do.
#include <functional>
#include <utility>

#include "core/call.hpp"
#include "core/gen_server.hpp"
#include "core/runtime.hpp"

namespace otter::core {

namespace detail {

// The caller process: sends the request from init, hands the outcome over, and exits.
template <class Reply>
class AsyncCaller final : public GenServer {
 public:
  AsyncCaller(Pid to, Message request, Duration timeout, std::function<void(CallOutcome<Reply>)> on_reply)
      : to_(to), request_(std::move(request)), timeout_(timeout), on_reply_(std::move(on_reply)) {}

 private:
  struct Answered {};

  InitResult init() override {
    call<Reply>(to_, std::move(request_), timeout_, [this](CallOutcome<Reply> outcome) {
      send(self(), Answered{});  // first: should on_reply throw, the process still ends
      on_reply_(std::move(outcome));
    });
    return InitResult::ok();
  }

  Result handle_info(Message& message) override {
    if (std::any_cast<Answered>(&message) != nullptr) return Result::stop(ExitReason::normal());
    return Result::noreply();
  }

  Pid to_;
  Message request_;
  Duration timeout_;
  std::function<void(CallOutcome<Reply>)> on_reply_;
};

}  // namespace detail

template <class Reply>
void async_call(Runtime& runtime, Pid to, Message request, Duration timeout,
                std::function<void(CallOutcome<Reply>)> on_reply) {
  // spawn() moves its arguments into the process only when it creates one, so on_reply is
  // still ours when the runtime refuses.
  auto shared_reply = std::make_shared<std::function<void(CallOutcome<Reply>)>>(std::move(on_reply));
  const StartResult started = runtime.spawn<detail::AsyncCaller<Reply>>(
      {}, to, std::move(request), timeout,
      [shared_reply](CallOutcome<Reply> outcome) { (*shared_reply)(std::move(outcome)); });
  if (!started.ok()) {
    (*shared_reply)(CallFailure{CallError::noproc, started.error().value_or(ExitReason::noproc())});
  }
}

}  // namespace otter::core
