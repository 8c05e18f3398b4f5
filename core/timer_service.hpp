#pragma once
// TimerService: the runtime's send_after timers (Runtime::send_after / cancel_timer).
//
// Pending timers live in one ordered map under a mutex; a single asio steady_timer, only
// ever touched on a strand, is armed for the earliest deadline. So:
//   - cancelling is cheap and immediate: the entry leaves the map and its message is
//     destroyed at once. Most timers are cancelled (a call's timeout, once the reply is
//     in), and they must not pile up until their deadline;
//   - arming costs a map insert, and a post to the strand only when the new deadline is
//     the earliest;
//   - cancel_timer may run on any thread, concurrently with the timer firing: an atomic
//     `done` flag decides which of the two owns the message.
//
// Lifetime: owned by the Runtime (declared after its io_context, destroyed before it).
// A TimerRef keeps only its TimerState alive and reaches the service through a
// weak_ptr, so cancelling after the runtime is gone is harmless (but not concurrently
// with the runtime's destruction).
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "core/message.hpp"
#include "core/pid.hpp"

namespace otter::core {
class Runtime;
}

namespace otter::core::detail {

class TimerService;

struct TimerKey {
  std::chrono::steady_clock::time_point deadline;
  std::uint64_t sequence = 0;  // ties broken by arming order
  friend bool operator<(const TimerKey& a, const TimerKey& b) noexcept {
    return a.deadline != b.deadline ? a.deadline < b.deadline : a.sequence < b.sequence;
  }
};

// One timer, shared by the service's map (while pending) and the caller's TimerRef.
struct TimerState {
  std::atomic<bool> done{false};  // fired or cancelled: whoever sets it owns `message`
  Pid to;
  Message message;
  TimerKey key;
  std::weak_ptr<TimerService> service;
};

class TimerService : public std::enable_shared_from_this<TimerService> {
 public:
  TimerService(boost::asio::io_context& io, Runtime& runtime);
  TimerService(const TimerService&) = delete;
  TimerService& operator=(const TimerService&) = delete;

  // Any thread. Sends `message` to `to` (a plain send) after `delay` unless cancelled.
  [[nodiscard]] std::shared_ptr<TimerState> start(Pid to, std::chrono::steady_clock::duration delay,
                                                  Message message);
  // Any thread. True if the timer was still pending: its message will never be sent.
  static bool cancel(TimerState& timer) noexcept;

  [[nodiscard]] std::size_t pending() const;

 private:
  void erase(const TimerKey& key) noexcept;
  void arm();                                     // on the strand
  void on_expiry(const boost::system::error_code& error);  // on the strand

  Runtime& runtime_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;  // strand only

  mutable std::mutex mutex_;
  std::map<TimerKey, std::shared_ptr<TimerState>> pending_;
  std::uint64_t last_sequence_ = 0;
  // The deadline the asio timer is armed (or about to be armed) for; max when idle.
  std::chrono::steady_clock::time_point armed_for_ = std::chrono::steady_clock::time_point::max();
};

}  // namespace otter::core::detail
