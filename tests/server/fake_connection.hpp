// FakeConnection: the client's side of a WebSocket, in memory, for tests that run a real
// Session process without a socket. No GoogleTest here: the session fuzzer uses it too.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/outbound.hpp"

namespace otter::server::testing {

// The client's side of a WebSocket, in memory: frames the session sent, in order.
class FakeConnection final : public Outbound {
 public:
  void send(std::shared_ptr<const std::string> frame) override {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    frames_.push_back(std::move(frame));
    changed_.notify_all();
  }
  void close(std::uint16_t code, std::string reason) override { close_with(code, std::move(reason)); }
  void close_now(std::uint16_t code, std::string reason) override { close_with(code, std::move(reason)); }
  [[nodiscard]] std::size_t outbound_bytes() const noexcept override {
    return in_flight_.load(std::memory_order_relaxed);
  }

  // Pretend this many bytes are still waiting to be written.
  void set_outbound_bytes(std::size_t bytes) { in_flight_.store(bytes, std::memory_order_relaxed); }

  // The next frame, waiting up to `timeout`.
  std::optional<std::string> next(std::chrono::milliseconds timeout) {
    std::shared_ptr<const std::string> frame = next_shared(timeout);
    if (!frame) return std::nullopt;
    return *frame;
  }
  // The next frame as the session handed it over (null if none came): a frame shared by
  // several connections is one string, the same pointer in each.
  std::shared_ptr<const std::string> next_shared(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, timeout, [&] { return !frames_.empty(); })) return nullptr;
    std::shared_ptr<const std::string> frame = std::move(frames_.front());
    frames_.pop_front();
    return frame;
  }
  // Frames received and not taken yet.
  [[nodiscard]] std::size_t queued() const {
    std::lock_guard lock(mutex_);
    return frames_.size();
  }
  [[nodiscard]] std::vector<std::string> peek_all() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> all;
    for (const auto& frame : frames_) all.push_back(*frame);
    return all;
  }
  // Waits up to `timeout` until `done(frames not taken yet, close)` holds: for a test that
  // waits on a frame while others may come after it. False on timeout.
  template <class Done>
  bool wait_until(std::chrono::milliseconds timeout, Done done) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return done(std::as_const(frames_), std::as_const(closed_)); });
  }
  // The close (code, reason), waiting up to `timeout`.
  std::optional<std::pair<std::uint16_t, std::string>> wait_closed(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, timeout, [&] { return closed_.has_value(); })) return std::nullopt;
    return closed_;
  }

 private:
  void close_with(std::uint16_t code, std::string reason) {
    std::lock_guard lock(mutex_);
    if (!closed_) closed_ = std::make_pair(code, std::move(reason));
    changed_.notify_all();
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::shared_ptr<const std::string>> frames_;
  std::optional<std::pair<std::uint16_t, std::string>> closed_;
  std::atomic<std::size_t> in_flight_{0};
};

}  // namespace otter::server::testing
