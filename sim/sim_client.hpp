// SimClient: one simulated editing client of the in-process simulator — per document an
// ot::Client (the real OT state machine), the local text, its cursor and the cursors of
// the others — speaking the simulated protocol over one Connection.
//
// Rules (those of docs/protocol.md and docs/ot.md, as net/'s ClientDocument follows them)
// - A local edit is applied to the local text at once; ot::Client decides whether it goes
//   out now (nothing in flight) or waits composed in the buffer. Offline, the op in flight
//   waits to be resent.
// - An entry of the client's own op is its ack only if ot::Client::awaits_ack() accepts
//   it; an entry at or below revision() is a leftover (its duplicate ack came first) and
//   is dropped; anything else is a failure. Other entries must come in revision order.
// - internal_error for the op in flight: resend it (same seq).
// - reconnect(): every document is resumed from revision(), then the op in flight is
//   resent with its seq.
// - The cursor is published only while nothing is in flight (only then is the local text
//   the server's text at revision()); other clients' cursors are kept in local
//   coordinates, moved by every op applied locally (Side::right, as the server moves them).
// - Every broken expectation is reported to the Verdict.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ot/client.hpp"
#include "sim/network.hpp"
#include "sim/verdict.hpp"

namespace otter::sim {

class SimClient {
 public:
  struct Ack {
    std::uint64_t seq;
    std::uint64_t revision;
  };
  struct Document {
    ot::Client ot{0, 0};
    std::string text;
    bool open = true;           // opened on the current connection
    bool presence_due = false;  // the cursor moved and is not published yet
    bool has_selection = false;
    std::map<std::uint32_t, ot::Selection> peers;  // others' cursors, local coordinates
    std::vector<Ack> acks;
    std::uint64_t last_seq = 0;  // the highest seq ot::Client handed out
  };

  SimClient(std::uint32_t index, std::string id, std::size_t docs, Connection& connection, Verdict& verdict,
            Transcript& transcript);

  void edit(std::uint32_t doc, std::uint64_t entropy);
  void select(std::uint32_t doc, std::uint64_t entropy);
  void receive(const ToClient& message);
  // The connection dropped (the caller took care of the queues).
  void connection_lost();
  // The connection is up again: resume every document and resend.
  void reconnect();

  [[nodiscard]] const std::string& id() const noexcept { return id_; }
  [[nodiscard]] const std::vector<Document>& documents() const noexcept { return docs_; }

 private:
  void send_submission(std::uint32_t doc, const ot::Submission& submission);
  void publish_presence_if_due(std::uint32_t doc);
  void on_ack(std::uint32_t doc, const ToClient& message);
  void on_remote_op(std::uint32_t doc, const ToClient& message);
  void on_presence(std::uint32_t doc, const ToClient& message);
  void apply_locally(Document& doc, const ot::Operation& op, const char* what);
  void fail(std::string check, const std::string& message);

  std::uint32_t index_;
  std::string id_;
  Connection& connection_;
  Verdict& verdict_;
  Transcript& transcript_;
  std::vector<Document> docs_;
};

}  // namespace otter::sim
