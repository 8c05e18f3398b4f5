// Test helpers for net/: a real HttpServer on 127.0.0.1, port 0, run by two threads; a
// thread-safe event queue to await what handlers saw (no sleeps).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>

#include "net/http_server.hpp"
#include "net/io_thread.hpp"

namespace otter::net::testing {

using namespace std::chrono_literals;

// Generous: only a broken build waits this long.
inline constexpr std::chrono::milliseconds kWait{10'000};

template <class T>
class Events {
 public:
  void push(T event) {
    {
      const std::lock_guard lock(mutex_);
      events_.push_back(std::move(event));
    }
    changed_.notify_all();
  }
  // The oldest event, waiting up to `timeout`.
  std::optional<T> pop(std::chrono::milliseconds timeout = kWait) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, timeout, [this] { return !events_.empty(); })) return std::nullopt;
    T event = std::move(events_.front());
    events_.pop_front();
    return event;
  }
  [[nodiscard]] std::size_t size() const {
    const std::lock_guard lock(mutex_);
    return events_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<T> events_;
};

class RunningServer {
 public:
  explicit RunningServer(HttpServerConfig config, Router router = {}, ConnectionFactory factory = {})
      : io_(std::make_unique<IoThread>(2)),
        server_(std::make_unique<HttpServer>(io_->context(), with_test_address(std::move(config)), std::move(router),
                                             std::move(factory))) {
    server_->start();
  }
  ~RunningServer() {
    if (!stopped_) (void)stop();
    server_.reset();
    io_.reset();
  }
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;

  [[nodiscard]] HttpServer& server() { return *server_; }
  [[nodiscard]] std::uint16_t port() const { return server_->port(); }

  // Starts a graceful stop; the future is ready when the server says it stopped.
  std::shared_future<void> begin_stop() {
    stopped_ = true;
    auto done = std::make_shared<std::promise<void>>();
    std::shared_future<void> future = done->get_future().share();
    server_->stop([done] { done->set_value(); });
    return future;
  }
  // Stops gracefully; true if it finished within `timeout`.
  [[nodiscard]] bool stop(std::chrono::milliseconds timeout = kWait) {
    return begin_stop().wait_for(timeout) == std::future_status::ready;
  }

 private:
  static HttpServerConfig with_test_address(HttpServerConfig config) {
    config.host = "127.0.0.1";
    config.port = 0;
    return config;
  }

  std::unique_ptr<IoThread> io_;
  std::unique_ptr<HttpServer> server_;
  bool stopped_ = false;
};

}  // namespace otter::net::testing
