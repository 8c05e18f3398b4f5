// A schedule of the in-process simulator: its configuration, its events, and what running
// it found. docs/sim.md describes the model.
//
// Contract
// - A schedule is a list of Events, each carrying every random choice it makes (its
//   `entropy`): running the same events on the same configuration gives the same result,
//   byte for byte. Events stay meaningful when others are removed (an edit is drawn from
//   the text it meets; delivering from an empty queue does nothing), which is what lets
//   the shrinker delete events from a failing schedule.
// - SimServerFaults break the simulated server on purpose, so tests can show the checks
//   catch real mistakes. They exist only in the simulator (sim_server.hpp): ot/ and
//   server/ have no such hooks. The `otter sim` command never sets them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace otter::sim {

enum class EventKind : std::uint8_t {
  edit,               // a client edits a document locally
  select,             // a client moves its cursor (presence)
  deliver_to_server,  // the next message on a client's connection reaches the server
  deliver_to_client,  // the next message from the server reaches a client
  commit,             // storage makes a document's pending ops durable (group commit)
  disconnect,         // a client's connection drops (some messages in flight are lost)
  reconnect,          // a disconnected client reconnects, resumes and resends
  crash_document,     // a document process crashes; it reloads from the durable store
  kill_server,        // kill -9: every process and connection gone, un-durable ops lost
};

[[nodiscard]] std::string_view to_string(EventKind kind) noexcept;

struct Event {
  EventKind kind = EventKind::edit;
  std::uint32_t client = 0;   // edit, select, deliver_*, disconnect, reconnect
  std::uint32_t doc = 0;      // edit, select, commit, crash_document
  std::uint64_t entropy = 0;  // the event's own random choices
  [[nodiscard]] bool operator==(const Event&) const = default;
};

// Deliberate bugs in the simulated server, for tests of the simulator itself.
struct SimServerFaults {
  // Submit every op without its client id, so a resend is applied a second time.
  bool skip_duplicate_detection = false;
  // Transform an incoming op past history with the wrong tie-break (Side::right), so two
  // inserts at one position are ordered differently by the server and by the clients.
  bool wrong_tie_break = false;
  // Ack an op as soon as it is applied in memory, before it is durable, so a crash can
  // lose an op its author saw acknowledged.
  bool ack_before_durable = false;
  [[nodiscard]] bool any() const noexcept { return skip_duplicate_detection || wrong_tie_break || ack_before_durable; }
};

struct ScheduleConfig {
  std::uint64_t seed = 1;
  std::size_t clients = 3;
  std::size_t docs = 1;
  std::size_t steps = 100;  // local edits per schedule
  SimServerFaults faults{};
};

struct Failure {
  std::string check;    // which check failed: "convergence", "acked_ops", ...
  std::string message;  // a sentence naming the values
};

struct ScheduleStats {
  std::uint64_t events = 0;
  std::uint64_t edits = 0;
  std::uint64_t revisions = 0;        // durable revisions over all documents at the end
  std::uint64_t duplicates = 0;       // resends the server answered as duplicates
  std::uint64_t reconnects = 0;
  std::uint64_t document_crashes = 0;
  std::uint64_t server_kills = 0;
  std::uint64_t lost_pending_ops = 0;  // applied in memory, lost before they were durable

  ScheduleStats& operator+=(const ScheduleStats& other) noexcept;
};

struct ScheduleOutcome {
  std::optional<Failure> failure;
  std::vector<Event> events;             // the schedule as run
  std::uint64_t fingerprint = 0;         // same events, same fingerprint
  ScheduleStats stats;
  std::vector<std::string> transcript;   // one line per event, when asked for
};

}  // namespace otter::sim
