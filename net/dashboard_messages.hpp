// What the server sends a live dashboard (docs/dashboard.md): the `dashboard` snapshot and
// the `crashed` answer to an admin's `crash`. The client's side (dashboard_subscribe,
// dashboard_unsubscribe, crash) is in net/messages.hpp with the other client messages.
//
// These two are not alternatives of ServerMessage: only a dashboard page asks for them,
// and they are written, never read, by C++ (the page is TypeScript; tests read the JSON).
//
// One DashboardSnapshot is sampled by the server's Dashboard process and shared by every
// subscribed session; each session writes it with its own DashboardFrame (the request id,
// its seq, the time, whether it may crash documents, and how many documents it wants):
//
//   std::string text = encode_dashboard(*snapshot, DashboardFrame{.id = 1, .seq = 1, ...});
//
// Document workers appear in the tree under the documents supervisor, the same
// `max_documents` most active documents as in "documents" (their order).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/messages.hpp"

namespace otter::net {

struct DashboardNode {
  std::string name{};  // "otterd@127.0.0.1:8080"
  std::string version{};
  std::int64_t started_ms = 0;  // Unix time
  std::uint64_t runtime_threads = 0;
  [[nodiscard]] bool operator==(const DashboardNode&) const = default;
};

struct DashboardTotals {
  std::uint64_t documents = 0;
  std::uint64_t sessions = 0;
  double ops_per_second = 0;
  std::uint64_t ops_total = 0;
  std::uint64_t restarts_total = 0;
  [[nodiscard]] bool operator==(const DashboardTotals&) const = default;
};

struct DashboardSession {
  std::string session{};
  std::string client_id{};
  std::optional<std::string> name{};
  std::optional<std::string> color{};
  [[nodiscard]] bool operator==(const DashboardSession&) const = default;
};

struct DashboardDocument {
  std::string id{};
  std::string pid{};               // changes when the process is restarted
  std::uint64_t revision = 0;    // durable head
  std::uint64_t length = 0;      // code points
  double ops_per_second = 0;     // ops made durable over the last 5 s / 5
  std::uint64_t restarts = 0;    // since the document was opened on this node
  std::optional<std::int64_t> last_restart_ms{};
  std::int64_t opened_ms = 0;    // first process of this opening
  std::int64_t started_ms = 0;   // this process
  std::vector<DashboardSession> sessions{};
  [[nodiscard]] bool operator==(const DashboardDocument&) const = default;
};

// A process of the supervision tree that is not a document.
struct DashboardProcess {
  std::string pid{};
  std::uint64_t restarts = 0;
  [[nodiscard]] bool operator==(const DashboardProcess&) const = default;
};

struct DashboardTree {
  DashboardProcess root{};       // otter.server, rest_for_one
  DashboardProcess documents{};  // dynamic_supervisor of the document workers
  DashboardProcess sessions{};   // dynamic_supervisor; drawn with child_count only
  std::uint64_t session_count = 0;
  DashboardProcess dashboard{};  // the worker that samples all this
  [[nodiscard]] bool operator==(const DashboardTree&) const = default;
};

struct DashboardEvent {
  std::int64_t time_ms = 0;
  std::string kind{};  // opened, closed, crashed, restarted, restart_intensity_exceeded
  std::string doc{};   // empty for restart_intensity_exceeded
  std::optional<std::string> pid{};      // opened, closed, crashed
  std::optional<std::string> old_pid{};  // restarted
  std::optional<std::string> new_pid{};  // restarted
  std::optional<std::string> reason{};   // crashed, restarted, restart_intensity_exceeded
  [[nodiscard]] bool operator==(const DashboardEvent&) const = default;
};

// Everything a snapshot shows; `documents` holds every open document, most active first
// (ops/s, then sessions, then id).
struct DashboardSnapshot {
  DashboardNode node{};
  std::string node_status = "up";
  DashboardTotals totals{};
  std::vector<DashboardDocument> documents{};
  DashboardTree tree{};
  std::vector<DashboardEvent> events{};  // oldest first
  [[nodiscard]] bool operator==(const DashboardSnapshot&) const = default;
};

// Per subscriber, per frame.
struct DashboardFrame {
  std::optional<RequestId> id{};  // the subscribe's
  std::uint64_t seq = 1;        // 1 for the answer, then +1 per push
  std::int64_t time_ms = 0;
  bool admin = false;
  std::uint64_t max_documents = kDefaultDashboardMaxDocuments;
};

[[nodiscard]] std::string encode_dashboard(const DashboardSnapshot& snapshot, const DashboardFrame& frame);

// {"type":"crashed","id":…,"doc":…,"pid":…}: the process that was made to throw.
struct Crashed {
  std::optional<RequestId> id{};
  std::string doc{};
  std::string pid{};
  [[nodiscard]] bool operator==(const Crashed&) const = default;
};

[[nodiscard]] std::string encode(const Crashed& crashed);

}  // namespace otter::net
