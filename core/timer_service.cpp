#include "core/timer_service.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

#include <vector>

#include "core/runtime.hpp"

namespace otter::core::detail {

TimerService::TimerService(boost::asio::io_context& io, Runtime& runtime)
    : runtime_(runtime), strand_(boost::asio::make_strand(io)), timer_(strand_) {}

std::shared_ptr<TimerState> TimerService::start(Pid to, std::chrono::steady_clock::duration delay,
                                                Message message) {
  auto timer = std::make_shared<TimerState>();
  timer->to = to;
  timer->message = std::move(message);
  timer->service = weak_from_this();
  bool rearm = false;
  {
    std::lock_guard lock(mutex_);
    timer->key = TimerKey{std::chrono::steady_clock::now() + delay, ++last_sequence_};
    pending_.emplace(timer->key, timer);
    if (timer->key.deadline < armed_for_) {
      armed_for_ = timer->key.deadline;
      rearm = true;
    }
  }
  // Only a new earliest deadline touches the asio timer (on its strand); later ones are
  // found by the expiry handler when their turn comes.
  if (rearm) boost::asio::post(strand_, [this] { arm(); });
  return timer;
}

bool TimerService::cancel(TimerState& timer) noexcept {
  if (timer.done.exchange(true, std::memory_order_acq_rel)) return false;  // fired already
  if (std::shared_ptr<TimerService> service = timer.service.lock()) service->erase(timer.key);
  timer.message.reset();  // ours now: the expiry handler saw `done` and won't touch it
  return true;
}

std::size_t TimerService::pending() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

void TimerService::erase(const TimerKey& key) noexcept {
  std::shared_ptr<TimerState> erased;  // released outside the lock
  std::lock_guard lock(mutex_);
  const auto it = pending_.find(key);
  if (it == pending_.end()) return;  // already taken by the expiry handler
  erased = std::move(it->second);
  pending_.erase(it);
}

void TimerService::arm() {
  std::chrono::steady_clock::time_point earliest = std::chrono::steady_clock::time_point::max();
  {
    std::lock_guard lock(mutex_);
    if (!pending_.empty()) earliest = pending_.begin()->first.deadline;
    armed_for_ = earliest;
  }
  if (earliest == std::chrono::steady_clock::time_point::max()) {
    timer_.cancel();  // nothing pending; a wait still outstanding completes as aborted
    return;
  }
  // expires_at cancels the wait armed before (its handler sees operation_aborted), so at
  // most one wait is ever live.
  timer_.expires_at(earliest);
  timer_.async_wait([this](const boost::system::error_code& error) { on_expiry(error); });
}

void TimerService::on_expiry(const boost::system::error_code& error) {
  if (error == boost::asio::error::operation_aborted) return;  // re-armed or cancelled
  std::vector<std::shared_ptr<TimerState>> due;
  {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    while (!pending_.empty() && pending_.begin()->first.deadline <= now) {
      due.push_back(std::move(pending_.begin()->second));
      pending_.erase(pending_.begin());
    }
  }
  for (const std::shared_ptr<TimerState>& timer : due) {
    if (timer->done.exchange(true, std::memory_order_acq_rel)) continue;  // cancelled
    runtime_.send(timer->to, std::move(timer->message));
  }
  arm();
}

}  // namespace otter::core::detail
