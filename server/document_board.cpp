#include "server/document_board.hpp"

namespace otter::server {

namespace {

std::string why(const core::ExitReason& reason) {
  const std::string_view detail = reason.detail();
  return detail.empty() ? reason.to_string() : std::string(detail);
}

}  // namespace

std::int64_t unix_time_ms() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::shared_ptr<DocumentGauges> DocumentBoard::started(std::string_view doc, core::Pid pid) {
  const std::int64_t now = unix_time_ms();
  auto gauges = std::make_shared<DocumentGauges>();
  const std::lock_guard lock(mutex_);
  auto found = records_.find(doc);
  if (found != records_.end() && !found->second.pid) {
    // The restart of a crashed process.
    Record& record = found->second;
    record.pid = pid;
    record.gauges = gauges;
    record.started_ms = now;
    record.last_restart_ms = now;
    ++record.restarts;
    add_event(net::DashboardEvent{.time_ms = now,
                                  .kind = "restarted",
                                  .doc = std::string(doc),
                                  .old_pid = record.crashed_pid.to_string(),
                                  .new_pid = pid.to_string(),
                                  .reason = record.crash_reason});
    return gauges;
  }
  // A fresh opening (a record still running means its exit was not reported yet: replace).
  Record record;
  record.pid = pid;
  record.gauges = gauges;
  record.opened_ms = record.started_ms = now;
  records_.insert_or_assign(std::string(doc), std::move(record));
  add_event(net::DashboardEvent{.time_ms = now, .kind = "opened", .doc = std::string(doc), .pid = pid.to_string()});
  return gauges;
}

void DocumentBoard::exited(std::string_view doc, core::Pid pid, const core::ExitReason& reason) {
  const std::int64_t now = unix_time_ms();
  const std::lock_guard lock(mutex_);
  auto found = records_.find(doc);
  if (found == records_.end() || found->second.pid != pid) return;  // replaced already
  if (reason.is_abnormal()) {
    Record& record = found->second;
    record.crashed_pid = pid;
    record.crash_reason = why(reason);
    record.pid = {};
    record.gauges.reset();
    add_event(net::DashboardEvent{
        .time_ms = now, .kind = "crashed", .doc = std::string(doc), .pid = pid.to_string(), .reason = why(reason)});
    return;
  }
  records_.erase(found);
  add_event(net::DashboardEvent{.time_ms = now, .kind = "closed", .doc = std::string(doc), .pid = pid.to_string()});
}

void DocumentBoard::documents_supervisor_restarted(std::string_view reason) {
  const std::int64_t now = unix_time_ms();
  const std::lock_guard lock(mutex_);
  // Its children are gone, restarted or not: whoever opens a document again starts afresh.
  records_.clear();
  add_event(net::DashboardEvent{.time_ms = now, .kind = "restart_intensity_exceeded", .reason = std::string(reason)});
}

DocumentBoard::Sample DocumentBoard::sample() const {
  Sample sample;
  const std::lock_guard lock(mutex_);
  sample.documents.reserve(records_.size());
  for (const auto& [doc, record] : records_) {
    if (!record.pid) continue;  // crashed, its restart pending
    sample.documents.push_back(Entry{doc, record.pid, record.gauges, record.restarts, record.last_restart_ms,
                                     record.opened_ms, record.started_ms});
  }
  sample.events.assign(events_.begin(), events_.end());
  return sample;
}

void DocumentBoard::add_event(net::DashboardEvent event) {
  events_.push_back(std::move(event));
  while (events_.size() > events_kept_) events_.pop_front();
}

}  // namespace otter::server
