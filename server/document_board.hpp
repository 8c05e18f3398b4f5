// DocumentBoard: what the live dashboard shows of the open documents — each document
// process's revision, length and sessions, the restarts, and the last events (opened,
// closed, crashed, restarted) — reported by the document processes themselves.
//
//   // a DocumentServer, in init (after it registered its key):
//   std::shared_ptr<DocumentGauges> gauges = board.started(doc, self());
//   gauges->set_head(revision, length);          // per durable batch: two relaxed stores
//   gauges->set_sessions({...});                 // when a session opens or closes it
//   // its exit hook:
//   board.exited(doc, self(), reason);
//   // the Dashboard process, every sample:
//   DocumentBoard::Sample sample = board.sample();
//
// Cost on the edit path: set_head only — two relaxed atomic stores per batch, no lock. The
// board's mutex is taken when a document process starts or exits, when its sessions
// change, and by the sampler (copying a pointer and a few numbers per document).
//
// Restarts: a process that exits abnormally leaves a `crashed` record (and event); the
// next process of the same document (its supervisor's restart) turns it into a
// `restarted` event with the old and new pid, and counts it. A normal exit (idle stop,
// delete, shutdown) is a `closed` event and forgets the document. If its supervisor gave
// up (restart intensity exceeded) the supervisor itself is restarted: the documents it
// had are forgotten with documents_supervisor_restarted().
//
// Every member is safe from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/exit_reason.hpp"
#include "core/pid.hpp"
#include "net/dashboard_messages.hpp"

namespace otter::server {

inline constexpr std::size_t kDashboardEventsKept = 50;

// Unix time in milliseconds (what the dashboard shows).
[[nodiscard]] std::int64_t unix_time_ms() noexcept;

// One document process's live numbers.
class DocumentGauges {
 public:
  void set_head(std::uint64_t revision, std::uint64_t length) noexcept {
    revision_.store(revision, std::memory_order_relaxed);
    length_.store(length, std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint64_t revision() const noexcept { return revision_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t length() const noexcept { return length_.load(std::memory_order_relaxed); }

  void set_sessions(std::vector<net::DashboardSession> sessions) {
    const std::lock_guard lock(mutex_);
    sessions_ = std::move(sessions);
  }
  [[nodiscard]] std::vector<net::DashboardSession> sessions() const {
    const std::lock_guard lock(mutex_);
    return sessions_;
  }

 private:
  std::atomic<std::uint64_t> revision_{0};
  std::atomic<std::uint64_t> length_{0};
  mutable std::mutex mutex_;
  std::vector<net::DashboardSession> sessions_;  // guarded by mutex_
};

class DocumentBoard {
 public:
  struct Entry {
    std::string doc;
    core::Pid pid;
    std::shared_ptr<const DocumentGauges> gauges;
    std::uint64_t restarts = 0;
    std::optional<std::int64_t> last_restart_ms;
    std::int64_t opened_ms = 0;
    std::int64_t started_ms = 0;
  };
  struct Sample {
    std::vector<Entry> documents;  // running processes, by document id
    std::vector<net::DashboardEvent> events;  // oldest first
  };

  explicit DocumentBoard(std::size_t events_kept = kDashboardEventsKept) : events_kept_(events_kept) {}
  DocumentBoard(const DocumentBoard&) = delete;
  DocumentBoard& operator=(const DocumentBoard&) = delete;

  [[nodiscard]] std::shared_ptr<DocumentGauges> started(std::string_view doc, core::Pid pid);
  void exited(std::string_view doc, core::Pid pid, const core::ExitReason& reason);
  void documents_supervisor_restarted(std::string_view reason);

  [[nodiscard]] Sample sample() const;

 private:
  struct Record {
    core::Pid pid;  // the running process; null while crashed and awaiting its restart
    core::Pid crashed_pid;
    std::string crash_reason;
    std::shared_ptr<DocumentGauges> gauges;
    std::uint64_t restarts = 0;
    std::optional<std::int64_t> last_restart_ms;
    std::int64_t opened_ms = 0;
    std::int64_t started_ms = 0;
  };

  void add_event(net::DashboardEvent event);  // mutex_ held

  const std::size_t events_kept_;
  mutable std::mutex mutex_;
  std::map<std::string, Record, std::less<>> records_;  // guarded by mutex_
  std::deque<net::DashboardEvent> events_;              // guarded by mutex_
};

}  // namespace otter::server
