#include "net/heartbeat.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/post.hpp>

#include "net/server_state.hpp"

namespace otter::net::detail {

HeartbeatSweep::HeartbeatSweep(boost::asio::io_context& io, std::chrono::milliseconds interval, Members members)
    : strand_(boost::asio::make_strand(io)), timer_(strand_), interval_(interval), members_(std::move(members)) {}

void HeartbeatSweep::start() {
  if (started_.exchange(true)) return;
  boost::asio::post(strand_, [self = shared_from_this()] { self->arm(); });
}

void HeartbeatSweep::stop() {
  if (stopped_.exchange(true)) return;
  boost::asio::post(strand_, [self = shared_from_this()] { self->timer_.cancel(); });
}

void HeartbeatSweep::arm() {
  // Checked on the strand: a stop() that came before this either set the flag already or
  // posted a cancel that runs after us.
  if (stopped_.load()) return;
  timer_.expires_after(interval_);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) { self->on_timer(ec); });
}

void HeartbeatSweep::on_timer(const boost::system::error_code& ec) {
  if (ec || stopped_.load()) return;
  visiting_ = members_();
  visit(0);
}

void HeartbeatSweep::visit(std::size_t from) {
  const std::size_t end = std::min(from + kMembersPerTurn, visiting_.size());
  for (std::size_t i = from; i < end; ++i) {
    if (const std::shared_ptr<Stoppable> member = visiting_[i].lock()) member->on_heartbeat();
  }
  if (end < visiting_.size()) {
    boost::asio::post(strand_, [self = shared_from_this(), end] { self->visit(end); });
    return;
  }
  std::vector<std::weak_ptr<Stoppable>>().swap(visiting_);  // 16 bytes a member: not kept between sweeps
  arm();
}

}  // namespace otter::net::detail
