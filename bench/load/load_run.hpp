// run_load: the load benchmark behind `otter bench` (docs/benchmarks.md, "Load
// benchmark"). Drives a running server — otterd, the ShareDB reference or the bare relay —
// with one of four workloads from many WebSocket connections on one thread, and returns
// the figures as JSON.
//
// Workloads
// - hot:   `clients` clients on one document, each typing one character at a random
//          place, one edit in flight (the next when the last is acked), or at `rate`.
// - docs:  `docs` documents × `clients` clients each, typing as in hot.
// - trace: each trace in `traces` (bench/traces/) replayed by one client on a document of
//          its own, `window` edits in flight (pipelined: a lone client knows the revision
//          each of its edits will get).
// - idle:  `clients` sessions spread over `docs` documents, joined and silent; the figure
//          is the server's RSS growth per session.
//
// Figures: edits submitted and acked, acked edits per second (wall), submit→ack and
// submit→seen-by-others latency percentiles, and with `server_pid` the server's CPU
// seconds, acked edits per server-CPU-second and RSS (from /proc).
//
// Contract
// - Every client joins before anyone edits; editing runs `seconds` (a trace may finish
//   sooner); then edits in flight get up to `drain_timeout` to be acked.
// - Throws std::runtime_error if the server cannot be resolved, if fewer than all clients
//   join within `setup_timeout`, or a trace cannot be loaded. A failure during editing is
//   reported in the JSON ("errors", "first_error"), not thrown.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "bench/load/wire_protocol.hpp"

namespace otter::bench {

enum class Workload { hot, docs, trace, idle };

struct LoadOptions {
  Workload workload = Workload::hot;
  Protocol protocol = Protocol::otter;
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::size_t clients = 10;
  std::size_t docs = 4;
  double seconds = 10;
  double rate = 0;          // edits per client per second; 0: as fast as acks allow
  std::size_t window = 0;   // edits in flight per client; 0: 1, or 64 for traces (ShareDB: 1)
  std::optional<pid_t> server_pid;
  std::string traces_dir;   // empty: the source tree's bench/traces
  std::vector<std::string> traces = {"automerge-paper", "seph-blog1"};
  std::uint64_t seed = 42;
  std::size_t max_connecting = 256;  // connections being opened at once
  std::chrono::seconds setup_timeout{120};
  std::chrono::seconds drain_timeout{10};
};

[[nodiscard]] std::optional<Workload> parse_workload(std::string_view name);
[[nodiscard]] std::optional<Protocol> parse_protocol(std::string_view name);
[[nodiscard]] std::string_view to_string(Workload workload);
[[nodiscard]] std::string_view to_string(Protocol protocol);

[[nodiscard]] boost::json::object run_load(const LoadOptions& options);

}  // namespace otter::bench
