// Server mode of `otter sim`: the same kinds of faults as in process, against a real
// otterd over WebSocket (net::OtterClient: reconnect, resume and resend are the client
// library's own), with the sim owning that otterd so it can kill -9 and restart it.
//
//   SimReport report = run_server({.seed = 7, .schedules = 3, .clients = 3},
//                                 {.otterd = "build/release/otterd/otterd"});
//
// Contract
// - One otterd (launch::OtterdProcess: --dev, a temporary data directory) serves every schedule;
//   schedule i uses its own client ids and documents (sim-<seed>-c<n>, sim-<seed>-d<n>).
// - A schedule: N OtterClients open D documents; seeded actions until `steps` edits were
//   made: random edits (the same generator as in process), cursor moves, dropped
//   connections, short pauses, document crashes (POST /api/admin/docs/{id}/crash) and
//   kill -9 + restart on the same data directory and port — at least
//   `kills_per_schedule` and `crashes_per_schedule` of the last two, at seeded moments.
// - Seeded, not replayable: the seed fixes the actions, but the threads and sockets decide
//   how they interleave with the server's messages. A failure reports the seed and the
//   actions taken.
// - Then the checks: every client is acknowledged and at the server's head (within
//   `timeout`), holding the server's text (GET /api/docs/{id}); every op a client saw
//   acked is in the stored history (GET /api/docs/{id}/ops) exactly once, at its acked
//   revision; no (client id, seq) is stored twice; revisions are dense; replaying the
//   history from empty gives the text; no cursor a client holds points outside its text.
// - Throws std::runtime_error when otterd cannot be started (or restarted).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>

#include "sim/run.hpp"

namespace otter::sim {

struct ServerSimSettings {
  std::filesystem::path otterd{};                   // the binary
  std::chrono::milliseconds timeout{30'000};         // to connect, and to settle at the end
  std::size_t kills_per_schedule = 1;
  std::size_t crashes_per_schedule = 1;
};

[[nodiscard]] SimReport run_server(const SimOptions& options, const ServerSimSettings& settings);

}  // namespace otter::sim
