// OtterOpsReader: reads an Otter `ops` frame (docs/protocol.md) straight into the load
// generator's WireEvents, with Boost.JSON's SAX parser, building no DOM.
//
// Why: at 50 clients on one document every client reads every batch, so the generator parses
// ~8 frames of ~1 KB per op. A DOM parse (a boost::json::value per entry, per key, per op
// component) cost ~10 µs a frame: 0.7 of a core at 8 000 ops/s, taken from the server it
// shares the machine with. The reader keeps only what an event needs.
//
// Contract
// - read() returns true when the frame is a well-formed JSON object whose "type" is "ops",
//   having appended one event per entry, in order, as the DOM decode did: an entry with
//   "duplicate": true is skipped; an entry without "op" whose client_id is `own_client_id`
//   is the ack (own, seq); an entry with an "op" array is another client's op (delta,
//   sender). Key order within objects does not matter.
// - It returns false, appending nothing, for anything else (another message type, bad JSON):
//   the caller reads those, rare, frames the general way.
// - One reader per client; not thread-safe; it keeps its parser's buffers between frames.
#pragma once

#include <memory>
#include <string_view>

#include "bench/load/wire_protocol.hpp"

namespace otter::bench {

class OtterOpsReader {
 public:
  OtterOpsReader();
  ~OtterOpsReader();
  OtterOpsReader(const OtterOpsReader&) = delete;
  OtterOpsReader& operator=(const OtterOpsReader&) = delete;

  [[nodiscard]] bool read(std::string_view frame, std::string_view own_client_id, Decoded& out);

 private:
  struct Parser;
  std::unique_ptr<Parser> parser_;
};

}  // namespace otter::bench
