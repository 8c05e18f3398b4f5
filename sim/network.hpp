// The simulated network: one connection per client, a FIFO each way, as a WebSocket over
// TCP gives (docs/protocol.md: per document, the server's messages arrive in revision
// order). Across clients nothing is ordered: the scheduler picks which queue moves next.
//
// Messages are the protocol's, reduced to what the OT state needs (no JSON): a client
// opens (or resumes) a document, sends ops and cursors; the server answers an open,
// streams revisions (an entry of the receiver's own op is its ack), answers a duplicate
// resend out of the stream, reports errors, and forwards cursors.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "ot/client.hpp"
#include "ot/cursor.hpp"
#include "ot/operation.hpp"

namespace otter::sim {

struct ToServer {
  enum class Kind : std::uint8_t { open, op, presence };
  Kind kind = Kind::op;
  std::uint32_t doc = 0;
  std::uint64_t revision = 0;    // open: resume from here; presence: the selection's revision
  ot::Submission submission{};   // op
  ot::Selection selection{};     // presence
};

struct ToClient {
  enum class Kind : std::uint8_t {
    opened,         // the open (resume) is done: entries after `revision` follow
    entry,          // revision `revision` made by `author` (seq) with `op`
    duplicate_ack,  // out of the stream: (seq) was applied before, at `revision`
    error,          // internal_error: the op `seq` was lost in a crash; resend it
    presence,       // `author`'s selection at `revision`
    presence_left,  // `author` left the document
  };
  Kind kind = Kind::entry;
  std::uint32_t doc = 0;
  std::uint64_t revision = 0;
  std::uint32_t author = 0;  // a client index
  std::uint64_t seq = 0;
  ot::Operation op{};
  ot::Selection selection{};
};

struct Connection {
  bool up = true;
  std::deque<ToServer> uplink;
  std::deque<ToClient> downlink;
};

using Network = std::vector<Connection>;  // indexed by client

}  // namespace otter::sim
