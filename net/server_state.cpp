#include "net/server_state.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "net/heartbeat.hpp"

namespace otter::net::detail {
namespace {

std::optional<StaticFiles> make_static_files(const HttpServerConfig& config) {
  if (!config.static_root) return std::nullopt;
  return StaticFiles(*config.static_root, config.spa_prefixes);
}

}  // namespace

ServerState::ServerState(boost::asio::io_context& io, HttpServerConfig config, Router router,
                         ConnectionFactory factory)
    : io_(io),
      config_(std::move(config)),
      router_(std::move(router)),
      static_files_(make_static_files(config_)),
      factory_(std::move(factory)) {}

ServerState::~ServerState() {
  if (heartbeat_) heartbeat_->stop();
}

std::optional<std::uint64_t> ServerState::enter(std::weak_ptr<Stoppable> member) {
  const std::lock_guard lock(mutex_);
  if (stopping_.load(std::memory_order_relaxed)) return std::nullopt;
  const std::uint64_t registration = ++next_registration_;
  members_.emplace(registration, std::move(member));
  return registration;
}

void ServerState::leave(std::uint64_t registration) noexcept {
  const std::lock_guard lock(mutex_);
  members_.erase(registration);
  if (members_.empty() && stopping_.load(std::memory_order_relaxed)) post_stopped_callbacks_locked();
}

void ServerState::stop(std::function<void()> on_stopped) {
  std::vector<std::shared_ptr<Stoppable>> to_stop;
  {
    const std::lock_guard lock(mutex_);
    if (on_stopped) on_stopped_.push_back(std::move(on_stopped));
    if (stopping_.exchange(true, std::memory_order_acq_rel)) {
      // Already stopping: if everything is gone, this caller's callback is due now.
      if (members_.empty()) post_stopped_callbacks_locked();
      return;
    }
    for (const auto& [registration, member] : members_) {
      if (std::shared_ptr<Stoppable> alive = member.lock()) to_stop.push_back(std::move(alive));
    }
    if (members_.empty()) post_stopped_callbacks_locked();
  }
  // Outside the lock: stop() posts, and a member may leave() at any moment.
  for (const std::shared_ptr<Stoppable>& member : to_stop) member->stop();
}

void ServerState::start_heartbeat() {
  std::shared_ptr<HeartbeatSweep> sweep;
  {
    const std::lock_guard lock(mutex_);
    if (heartbeat_) return;  // also while stopping: it bounds the closing handshakes
    // Weak: the sweep must not keep the server's state alive.
    heartbeat_ = std::make_shared<HeartbeatSweep>(io_, config_.heartbeat_interval,
                                                  [weak = weak_from_this()]() -> std::vector<std::weak_ptr<Stoppable>> {
                                                    const std::shared_ptr<ServerState> state = weak.lock();
                                                    if (!state) return {};
                                                    return state->members_snapshot();
                                                  });
    sweep = heartbeat_;
  }
  sweep->start();
}

std::vector<std::weak_ptr<Stoppable>> ServerState::members_snapshot() {
  const std::lock_guard lock(mutex_);
  std::vector<std::weak_ptr<Stoppable>> members;
  members.reserve(members_.size());
  for (const auto& [registration, member] : members_) members.push_back(member);
  return members;
}

// Everything is gone: the callbacks are due, and the heartbeat has nobody left to visit
// (stopping it lets the io_context run out of work). HeartbeatSweep::stop() takes no lock.
void ServerState::post_stopped_callbacks_locked() {
  if (heartbeat_) heartbeat_->stop();
  for (std::function<void()>& callback : on_stopped_) boost::asio::post(io_, std::move(callback));
  on_stopped_.clear();
}

}  // namespace otter::net::detail
