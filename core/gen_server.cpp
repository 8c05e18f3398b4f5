#include "core/gen_server.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <typeinfo>

namespace otter::core {
namespace detail {
// Private info messages GenServer sends itself; never reach handle_info.
struct CallTimedOut {
  std::uint64_t ref;
};
struct IdleCheck {
  std::uint64_t generation;
};
}  // namespace detail

GenServer::CallResult GenServer::handle_call(Message& request, const From& /*from*/) {
  throw std::logic_error(std::string{"unexpected call: "} + request.type().name());
}

GenServer::Result GenServer::handle_cast(Message& message) {
  throw std::logic_error(std::string{"unexpected cast: "} + message.type().name());
}

GenServer::Result GenServer::handle_info(Message& message) {
  // OTP's default: log and carry on. Notices a server didn't ask to handle are common
  // (a Down from a monitor it no longer cares about).
  spdlog::debug("{} ({}): unhandled info message {}", self().to_string(), describe(),
                message.type().name());
  return Result::noreply();
}

GenServer::Result GenServer::handle_continue(Message& message) {
  throw std::logic_error(std::string{"unexpected continue: "} + message.type().name());
}

void GenServer::reply(const From& from, Message value) {
  deliver(from.caller, {detail::EnvelopeKind::reply, {}, from.ref, std::move(value)});
}

void GenServer::fail_call(const From& from, const ExitReason& reason) {
  deliver(from.caller, {detail::EnvelopeKind::call_failed, {}, from.ref, reason});
}

GenServer::CallResult GenServer::call_handle_call(Message& request, const From& from) {
  // A handle_call that throws crashes us (Process::dispatch_guarded); its caller hears
  // callee_exited with the same reason at once instead of waiting out its timeout.
  // (A caller that was answered already drops this as a late answer.)
  try {
    return handle_call(request, from);
  } catch (const std::exception& e) {
    fail_call(from, ExitReason::error(e.what()));
    throw;
  } catch (...) {
    fail_call(from, ExitReason::error("unknown exception"));
    throw;
  }
}

Process::StartOutcome GenServer::start() {
  InitResult result = init();
  if (result.stop_) return {std::move(result.stop_), false};
  if (result.ignore_) return {std::nullopt, true};
  init_continue_ = std::move(result.continue_);
  return {};
}

void GenServer::first_turn() {
  if (init_continue_) {
    std::optional<Message> next = std::move(init_continue_);
    init_continue_.reset();
    run_continues(std::move(next));
  }
}

void GenServer::run_continues(std::optional<Message> next) {
  while (next && !pending_stop()) {
    Message message = std::move(*next);
    Result result = handle_continue(message);
    next = std::move(result.continue_);
    if (result.stop_) stop(std::move(*result.stop_));
  }
}

void GenServer::apply(Result result) {
  if (result.stop_) {
    stop(std::move(*result.stop_));
    return;
  }
  run_continues(std::move(result.continue_));
}

void GenServer::handle(detail::Envelope& envelope) {
  using K = detail::EnvelopeKind;
  if (idle_ && envelope.kind != K::send) {
    idle_->last_activity = std::chrono::steady_clock::now();
    if (!idle_->armed) arm_idle_timer(idle_->period);
  }
  switch (envelope.kind) {
    case K::call: {
      const From from{envelope.from, envelope.ref};
      CallResult result = call_handle_call(envelope.payload, from);
      if (result.reply_) reply(from, std::move(*result.reply_));
      if (result.stop_) {
        // Stopping without a reply: the caller learns why now, not at its timeout.
        if (!result.reply_) fail_call(from, *result.stop_);
        stop(std::move(*result.stop_));
        return;
      }
      run_continues(std::move(result.continue_));
      return;
    }
    case K::cast:
      apply(handle_cast(envelope.payload));
      return;
    case K::reply:
      answer(envelope.ref, &envelope.payload, nullptr);
      return;
    case K::call_failed: {
      const CallFailure failure = detail::to_failure(*match<ExitReason>(envelope.payload));
      answer(envelope.ref, nullptr, &failure);
      return;
    }
    default:
      break;
  }
  // Info: plain sends, Down, ExitSignal, timers — and GenServer's own private ticks.
  if (const auto* timed_out = match<detail::CallTimedOut>(envelope.payload)) {
    const CallFailure failure{CallError::timeout, {}};
    answer(timed_out->ref, nullptr, &failure);
    return;
  }
  if (const auto* check = match<detail::IdleCheck>(envelope.payload)) {
    if (!idle_ || check->generation != idle_->generation) return;
    idle_->armed = false;
    const auto idle_for = std::chrono::steady_clock::now() - idle_->last_activity;
    if (idle_for < idle_->period) {
      arm_idle_timer(idle_->period - idle_for);
      return;
    }
    Message timeout = IdleTimeout{};
    apply(handle_info(timeout));
    return;
  }
  if (idle_) {
    idle_->last_activity = std::chrono::steady_clock::now();
    if (!idle_->armed) arm_idle_timer(idle_->period);
  }
  apply(handle_info(envelope.payload));
}

void GenServer::send_call(Pid to, Message request, Duration timeout, AnswerHandler on_answer) {
  if (!pending_calls_) pending_calls_ = std::make_unique<std::unordered_map<std::uint64_t, PendingCall>>();
  const std::uint64_t ref = make_ref();
  TimerRef timer = runtime().send_after(self(), timeout, detail::CallTimedOut{ref});
  pending_calls_->emplace(ref, PendingCall{std::move(on_answer), std::move(timer)});
  deliver(to, {detail::EnvelopeKind::call, {}, ref, std::move(request)});
}

void GenServer::answer(std::uint64_t ref, Message* reply, const CallFailure* failure) {
  if (!pending_calls_) return;
  const auto it = pending_calls_->find(ref);
  if (it == pending_calls_->end()) return;  // answered already, or timed out: a late reply
  PendingCall pending = std::move(it->second);
  pending_calls_->erase(it);
  // Gone with the last answer: an emptied map keeps its bucket array, and most callers
  // (a session opening its document) call once and then never again.
  if (pending_calls_->empty()) pending_calls_.reset();
  Runtime::cancel_timer(pending.timer);
  pending.on_answer(reply, failure);
}

void GenServer::set_idle_timeout(std::optional<Duration> period) {
  if (!period) {
    idle_.reset();
    return;
  }
  if (!idle_) idle_ = std::make_unique<IdleState>();
  idle_->period = *period;
  idle_->last_activity = std::chrono::steady_clock::now();
  ++idle_->generation;  // a timer armed for an older period is ignored when it fires
  arm_idle_timer(*period);
}

void GenServer::arm_idle_timer(Duration after) {
  idle_->armed = true;
  runtime().send_after(self(), after, detail::IdleCheck{idle_->generation});
}

}  // namespace otter::core
