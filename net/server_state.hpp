// Internal to net/: what every connection of one HttpServer shares (config, router,
// static files, WebSocket factory) and the registry that makes stop() graceful.
//
// Registry (a Seastar-style gate): the listener and every session enter() when they start
// and leave() in their destructor. stop() closes the gate (enter() fails from then on) and
// asks everything inside to stop; when the last one leaves, the on_stopped callbacks are
// posted to the io_context. Stoppables are held weakly: the registry never keeps a
// connection alive. Thread-safe; the lock is never held while calling out.
//
// Heartbeat: the registry is also what the server's one heartbeat sweep (net/heartbeat.hpp)
// visits, every heartbeat_interval, calling on_heartbeat() on each member. The first
// WebSocket session starts it (start_heartbeat()); it ends once the server is stopping and
// every member has left, or with the ServerState.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "net/connection.hpp"
#include "net/router.hpp"
#include "net/server_config.hpp"
#include "net/static_files.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace otter::net::detail {

class Stoppable {
 public:
  virtual ~Stoppable() = default;
  // Begin an orderly stop. Called from any thread; posts onto the object's strand.
  virtual void stop() = 0;
  // The heartbeat sweep's visit (from its strand): post any work onto the object's strand.
  // Only WebSocket sessions have work to do.
  virtual void on_heartbeat() {}
};

class HeartbeatSweep;

class ServerState : public std::enable_shared_from_this<ServerState> {
 public:
  ServerState(boost::asio::io_context& io, HttpServerConfig config, Router router, ConnectionFactory factory);
  ~ServerState();
  ServerState(const ServerState&) = delete;
  ServerState& operator=(const ServerState&) = delete;

  [[nodiscard]] const HttpServerConfig& config() const noexcept { return config_; }
  [[nodiscard]] const Router& router() const noexcept { return router_; }
  [[nodiscard]] const StaticFiles* static_files() const noexcept { return static_files_ ? &*static_files_ : nullptr; }
  [[nodiscard]] const ConnectionFactory& factory() const noexcept { return factory_; }

  // A registration id, or nullopt if the server is stopping (the caller then closes).
  [[nodiscard]] std::optional<std::uint64_t> enter(std::weak_ptr<Stoppable> member);
  void leave(std::uint64_t registration) noexcept;
  void stop(std::function<void()> on_stopped);
  [[nodiscard]] bool stopping() const noexcept { return stopping_.load(std::memory_order_acquire); }
  // Idempotent, any thread; the ServerState must be owned by a shared_ptr.
  void start_heartbeat();

  [[nodiscard]] std::uint64_t next_connection_id() noexcept { return next_connection_id_.fetch_add(1) + 1; }
  std::atomic<std::size_t> open_websockets{0};

 private:
  void post_stopped_callbacks_locked();
  [[nodiscard]] std::vector<std::weak_ptr<Stoppable>> members_snapshot();

  boost::asio::io_context& io_;
  const HttpServerConfig config_;
  const Router router_;
  const std::optional<StaticFiles> static_files_;
  const ConnectionFactory factory_;

  std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<Stoppable>> members_;  // guarded by mutex_
  std::vector<std::function<void()>> on_stopped_;                        // guarded by mutex_
  std::uint64_t next_registration_ = 0;                                  // guarded by mutex_
  std::shared_ptr<HeartbeatSweep> heartbeat_;                            // guarded by mutex_
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> next_connection_id_{0};
};

}  // namespace otter::net::detail
