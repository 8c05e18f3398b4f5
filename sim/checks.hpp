// The checks of the in-process simulator (docs/sim.md, "The checks"), on the state of a
// SimServer and its SimClients. Each reports the first broken rule to the Verdict.
//
// - check_cursors_inside: no cursor — a client's own, a peer's as a client shows it, or
//   the server's — points outside its document. Cheap: run after every event.
// - check_schedule_end, after the drain: per document, nothing is pending; replaying the
//   stored history from empty gives the stored text and the document process's; no
//   (client, seq) is stored twice; every client holds the server's text at its revision
//   with nothing unacknowledged; every ack a client took names the revision its op is
//   stored at; every op a client sent was acked exactly once.
#pragma once

#include <span>

#include "sim/sim_client.hpp"
#include "sim/sim_server.hpp"
#include "sim/verdict.hpp"

namespace otter::sim {

void check_cursors_inside(const SimServer& server, std::span<const SimClient> clients, Verdict& verdict);
void check_schedule_end(const SimServer& server, std::span<const SimClient> clients, Verdict& verdict);

}  // namespace otter::sim
