// Internal to net/: one timer per server that drives every WebSocket session's keepalive,
// instead of a timer (and its pending wait) per connection (docs/benchmarks.md, "Idle
// sessions: where the memory goes").
//
// Every `interval`, the sweep takes a snapshot of the server's members (weak pointers) and
// calls on_heartbeat() on each one still alive; a member posts its own work onto its
// strand, so the sweep never waits on one. It visits kMembersPerTurn members per handler
// and posts itself to continue, so 10 000 connections never hold the io_context for long.
//
// Lifecycle: start() (any thread, idempotent) arms the timer; stop() (any thread,
// idempotent) cancels it, and no sweep begins after it. The sweep object lives as long as
// its pending timer or continuation.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace otter::net::detail {

class Stoppable;

class HeartbeatSweep : public std::enable_shared_from_this<HeartbeatSweep> {
 public:
  using Members = std::function<std::vector<std::weak_ptr<Stoppable>>()>;

  HeartbeatSweep(boost::asio::io_context& io, std::chrono::milliseconds interval, Members members);

  void start();
  void stop();

 private:
  static constexpr std::size_t kMembersPerTurn = 512;

  void arm();
  void on_timer(const boost::system::error_code& ec);
  void visit(std::size_t from);

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;
  const std::chrono::milliseconds interval_;
  const Members members_;
  std::vector<std::weak_ptr<Stoppable>> visiting_;  // this sweep's snapshot; only on strand_
  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
};

}  // namespace otter::net::detail
