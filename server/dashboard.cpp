#include "server/dashboard.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace otter::server {

namespace {

struct Tick {};  // self: time for the next sample

// A supervisor's `restarts` are those it made of its children; a worker's, its own.
net::DashboardProcess process_of(const SupervisorSlot& slot, std::uint64_t restarts) {
  const core::Pid pid = slot.get();
  return net::DashboardProcess{pid ? pid.to_string() : std::string(), restarts};
}

// Most active first: ops/s, then sessions, then id.
bool more_active(const net::DashboardDocument& a, const net::DashboardDocument& b) {
  if (a.ops_per_second != b.ops_per_second) return a.ops_per_second > b.ops_per_second;
  if (a.sessions.size() != b.sessions.size()) return a.sessions.size() > b.sessions.size();
  return a.id < b.id;
}

}  // namespace

Dashboard::Dashboard(std::shared_ptr<ServiceContext> context, DashboardOptions options)
    : context_(std::move(context)), options_(std::move(options)) {}

std::string Dashboard::describe() const {
  return "dashboard (" + std::to_string(latest_ ? latest_->documents.size() : 0) + " documents shown, " +
         (ticking_ ? "sampling" : "asleep") + ")";
}

core::GenServer::InitResult Dashboard::init() {
  context_->dashboard.set(self());
  return InitResult::ok();
}

core::GenServer::CallResult Dashboard::handle_call(core::Message& request, const core::From& from) {
  if (core::match<CurrentDashboard>(request) != nullptr) {
    sample();
    keep_ticking();
    return CallResult::reply(latest_);
  }
  return GenServer::handle_call(request, from);
}

core::GenServer::Result Dashboard::handle_info(core::Message& message) {
  if (core::match<Tick>(message) != nullptr) {
    ticking_ = false;
    if (context_->pubsub.subscriber_count(kDashboardTopic) == 0) {
      // Nobody watches: sleep, and forget the rate history (it would be stale on waking).
      total_rate_.clear();
      document_rates_.clear();
      return Result::noreply();
    }
    sample();
    keep_ticking();
    return Result::noreply();
  }
  return GenServer::handle_info(message);
}

void Dashboard::keep_ticking() {
  if (ticking_) return;
  ticking_ = true;
  runtime().send_after(self(), options_.sample_period, Tick{});
}

double Dashboard::rate(RateHistory& history, std::chrono::steady_clock::time_point now, std::uint64_t count) {
  history.push_back(RateSample{now, count});
  // Keep the newest sample at or before the window's start as the base (else the oldest).
  const auto window_start = now - kDashboardRateWindow;
  while (history.size() >= 2 && history[1].at <= window_start) history.pop_front();
  const std::uint64_t base = history.front().count;
  const double per_second =
      static_cast<double>(count >= base ? count - base : 0) / static_cast<double>(kDashboardRateWindow.count());
  return std::round(per_second * 10.0) / 10.0;
}

bool Dashboard::sample() {
  const auto now = std::chrono::steady_clock::now();
  const Metrics& metrics = context_->metrics;
  DocumentBoard::Sample board = context_->board.sample();

  auto snapshot = std::make_shared<net::DashboardSnapshot>();
  snapshot->node = net::DashboardNode{context_->node_name(), options_.version, context_->started_ms,
                                      context_->runtime.threads()};
  snapshot->documents.reserve(board.documents.size());
  std::map<std::string, RateHistory, std::less<>> rates;
  for (DocumentBoard::Entry& entry : board.documents) {
    net::DashboardDocument document;
    document.id = entry.doc;
    document.pid = entry.pid.to_string();
    document.revision = entry.gauges->revision();
    document.length = entry.gauges->length();
    document.restarts = entry.restarts;
    document.last_restart_ms = entry.last_restart_ms;
    document.opened_ms = entry.opened_ms;
    document.started_ms = entry.started_ms;
    document.sessions = entry.gauges->sessions();
    RateHistory history;
    if (auto found = document_rates_.find(entry.doc); found != document_rates_.end()) history = std::move(found->second);
    document.ops_per_second = rate(history, now, document.revision);
    rates.emplace(entry.doc, std::move(history));
    snapshot->documents.push_back(std::move(document));
  }
  document_rates_ = std::move(rates);  // closed documents' histories go
  std::sort(snapshot->documents.begin(), snapshot->documents.end(), more_active);

  const std::int64_t sessions = metrics.sessions_open.value();
  const std::uint64_t ops_total = metrics.ops_applied.value();
  const std::uint64_t document_restarts = metrics.document_restarts.value();
  snapshot->totals = net::DashboardTotals{
      .documents = snapshot->documents.size(),
      .sessions = static_cast<std::uint64_t>(std::max<std::int64_t>(sessions, 0)),
      .ops_per_second = rate(total_rate_, now, ops_total),
      .ops_total = ops_total,
      .restarts_total = document_restarts,
  };
  const std::uint64_t root_restarts = context_->documents_supervisor.restarts() +
                                      context_->sessions_supervisor.restarts() + context_->dashboard.restarts();
  snapshot->tree = net::DashboardTree{
      .root = process_of(context_->root_supervisor, root_restarts),
      .documents = process_of(context_->documents_supervisor, document_restarts),
      .sessions = process_of(context_->sessions_supervisor, 0),  // temporary children: never restarted
      .session_count = snapshot->totals.sessions,
      .dashboard = process_of(context_->dashboard, context_->dashboard.restarts()),
  };
  snapshot->events = std::move(board.events);

  if (latest_ && *latest_ == *snapshot) return false;
  latest_ = std::move(snapshot);
  context_->pubsub.broadcast(kDashboardTopic, latest_);
  return true;
}

}  // namespace otter::server
