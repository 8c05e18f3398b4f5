// Session's dashboard messages (docs/dashboard.md): dashboard_subscribe, dashboard_unsubscribe
// and crash, and the forwarding of the Dashboard's snapshots (the rules are in session.hpp).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "net/dashboard_messages.hpp"
#include "net/error_code.hpp"
#include "server/session.hpp"

namespace otter::server {

namespace {

// A socket still writing when a snapshot is due: look again this much later.
constexpr std::chrono::milliseconds kDashboardBusyRetry{20};

struct DashboardPush {  // timer: a snapshot held back by the interval or a busy socket
  std::uint64_t epoch;
};

net::ErrorMessage answer_error(const std::optional<net::RequestId>& id, net::ErrorCode code, std::string text) {
  net::ErrorMessage error = net::make_error(code, std::move(text));
  error.id = id;
  return error;
}

}  // namespace

void Session::on_dashboard_subscribe(net::DashboardSubscribe& subscribe) {
  const core::Pid dashboard = context().dashboard.get();
  if (!dashboard) {
    emit_error(answer_error(subscribe.id, net::ErrorCode::internal_error,
                            "the dashboard is not running (it is being restarted); subscribe again"));
    return;
  }
  if (!dashboard_) context().pubsub.subscribe(*this, std::string(kDashboardTopic));
  DashboardWatch watch;  // a second subscribe replaces the first
  watch.id = std::move(subscribe.id);
  watch.interval = std::chrono::milliseconds(subscribe.interval_ms);
  watch.max_documents = subscribe.max_documents;
  watch.epoch = ++next_dashboard_epoch_;
  dashboard_ = std::make_unique<DashboardWatch>(std::move(watch));
  const std::uint64_t epoch = dashboard_->epoch;
  // The answer: the Dashboard's snapshot sampled now. Whatever it published before this
  // reply arrives is older (both come from the Dashboard, in order).
  call<CurrentDashboard::Reply>(
      dashboard, CurrentDashboard{}, context().session_options.open_timeout,
      [this, epoch](core::CallOutcome<DashboardSnapshotPtr> current) {
        if (!dashboard_ || dashboard_->epoch != epoch) return;  // unsubscribed or replaced meanwhile
        if (!current || !*current) {
          emit_error(answer_error(dashboard_->id, net::ErrorCode::internal_error,
                                  "the dashboard did not answer (" +
                                      (current ? std::string("no snapshot") : current.failure().to_string()) +
                                      "); subscribe again"));
          on_dashboard_unsubscribe();
          return;
        }
        dashboard_->waiting = *current;
        push_dashboard();
      });
}

void Session::on_dashboard_unsubscribe() {
  if (!dashboard_) return;
  context().pubsub.unsubscribe(*this, kDashboardTopic);
  dashboard_.reset();
}

bool Session::on_dashboard_message(core::Message& message) {
  if (const auto* snapshot = core::match<DashboardSnapshotPtr>(message)) {
    if (!dashboard_) return true;  // a broadcast sent before we unsubscribed
    dashboard_->waiting = *snapshot;  // only the newest matters: snapshots are complete
    if (dashboard_->seq > 0) push_dashboard();  // else the answer is still on its way
    return true;
  }
  if (const auto* push = core::match<DashboardPush>(message)) {
    if (dashboard_ && dashboard_->epoch == push->epoch) {
      dashboard_->timer_armed = false;
      push_dashboard();
    }
    return true;
  }
  return false;
}

void Session::push_dashboard() {
  DashboardWatch& watch = *dashboard_;
  if (!watch.waiting || watch.waiting == watch.sent) return;
  const auto now = std::chrono::steady_clock::now();
  const auto arm = [this, &watch](std::chrono::steady_clock::duration delay) {
    if (watch.timer_armed) return;
    watch.timer_armed = true;
    runtime().send_after(self(), std::chrono::duration_cast<core::Duration>(delay), DashboardPush{watch.epoch});
  };
  if (watch.seq > 0) {  // the answer goes at once; pushes keep to the interval ...
    if (now < watch.sent_at + watch.interval) {
      arm(watch.sent_at + watch.interval - now);
      return;
    }
    if (outbound_->outbound_bytes() > 0 || !out_queue_.empty()) {  // ... and wait for a drained socket
      arm(kDashboardBusyRetry);
      return;
    }
  }
  const net::DashboardFrame frame{
      .id = watch.id, .seq = ++watch.seq, .time_ms = unix_time_ms(), .admin = admin_, .max_documents = watch.max_documents};
  emit(net::encode_dashboard(*watch.waiting, frame));
  watch.sent = std::move(watch.waiting);
  watch.waiting.reset();
  watch.sent_at = now;
}

void Session::on_crash(net::Crash& crash) {
  if (!admin_) {
    net::ErrorMessage error = answer_error(
        crash.id, net::ErrorCode::forbidden,
        "crashing a document needs an admin connection (otterd --dev or server.admin_api, or a hello whose token is "
        "server.admin_token)");
    error.doc = crash.doc;
    emit_error(std::move(error));
    return;
  }
  net::Expected<core::Pid> crashed = Documents(shared_context()).crash(crash.doc, "crashed from the dashboard");
  if (!crashed) {
    net::ErrorMessage error = std::move(crashed).error();
    error.id = crash.id;
    emit_error(std::move(error));
    return;
  }
  spdlog::warn("session {}: crashed the process {} of document '{}' (dashboard)", session_id_, crashed->to_string(),
               crash.doc);
  emit(net::encode(net::Crashed{crash.id, crash.doc, crashed->to_string()}));
}

}  // namespace otter::server
