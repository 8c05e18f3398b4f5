// Client: the OT state machine of one editing client (ot.js's Client), used by headless
// clients, the simulator and tests. Pure: it decides what to send and what to apply; the
// caller does the I/O and owns the local text.
//
// States and transitions (at most one op in flight, the rest composed into one buffer):
//
//   Synchronized ──apply_client(op)──▶ AwaitingConfirm(op)          send op
//   AwaitingConfirm(o) ──apply_client(op)──▶ AwaitingWithBuffer(o, op)
//   AwaitingWithBuffer(o, b) ──apply_client(op)──▶ AwaitingWithBuffer(o, compose(b, op))
//   AwaitingConfirm(o) ──server_ack()──▶ Synchronized
//   AwaitingWithBuffer(o, b) ──server_ack()──▶ AwaitingConfirm(b)  send b
//   any ──apply_server(op)──▶ same state, pending ops transformed past op; returns the op to
//                             apply to the local text
//
// Contract
// - revision() is the server revision the client has incorporated (every server op and
//   every ack moves it by one). A Submission carries the base revision and a seq: seqs
//   start at 1 and increase by one per op sent, so the server can drop duplicates.
// - Pending ops are Side::left against server ops (transform.hpp's rule), matching the
//   server, which puts the incoming op left of its history.
// - Lengths are checked: apply_client needs op.base_length() == document_length() (the
//   local text); apply_server needs the op to fit the server's text at revision();
//   errors (base_length_mismatch, no_outstanding_op for an ack with nothing in flight)
//   leave the client unchanged.
// - The local selection is kept in step with the text: own edits move it with
//   Side::right (the cursor ends after text typed at it), remote edits too (ot.js's
//   choice: text inserted at the cursor by someone else lands before the cursor).
// - Acks: docs/protocol.md delivers them inside the revision-ordered ops stream (an entry
//   with this client's id and a seq instead of an op). Call server_ack() only for an entry
//   that awaits_ack(seq, rev) accepts: the op in flight has that seq and rev is the next
//   revision. Any other ack is a leftover (e.g. the out-of-stream ack of a duplicate
//   resend, whose in-stream entry also arrives) and must be dropped, or the client would
//   count one op twice.
// - Reconnect: resend() gives the op in flight again, same seq, rebased on revision();
//   the server answers a duplicate with the original revision. The catch-up stream the
//   client receives after reconnecting turns its own (client id, seq) into
//   server_ack(), not apply_server().
// - reset(revision, length) after a resync (history since revision() is gone): the text
//   is replaced, pending ops are dropped (they cannot be rebased without the missing
//   history); seqs keep increasing so the server never mistakes a new op for an old one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "ot/cursor.hpp"
#include "ot/expected.hpp"
#include "ot/operation.hpp"

namespace otter::ot {

struct Submission {
  std::uint64_t seq;            // per-client sequence number, from 1
  std::uint64_t base_revision;  // the server revision op is written against
  Operation op;

  [[nodiscard]] bool operator==(const Submission&) const = default;
};

class Client {
 public:
  enum class State : unsigned char { synchronized, awaiting_confirm, awaiting_with_buffer };

  // A client holding the server's text at `revision`, `document_length` code points long.
  Client(std::uint64_t revision, std::size_t document_length) noexcept
      : revision_(revision), document_length_(document_length) {}

  // The user edited the local text with `op` (already applied locally). Returns the
  // submission to send now, or nullopt if an op is already in flight (op is buffered).
  [[nodiscard]] Expected<std::optional<Submission>> apply_client(Operation op);
  // An op from the server (someone else's, in revision order). Returns the op to apply to
  // the local text.
  [[nodiscard]] Expected<Operation> apply_server(const Operation& op);
  // The server acknowledged the op in flight. Returns the buffered op to send next, if any.
  [[nodiscard]] Expected<std::optional<Submission>> server_ack();
  // After a reconnect: the op in flight, to send again (same seq), or nullopt.
  [[nodiscard]] std::optional<Submission> resend() const;
  // True iff an ack entry (seq, revision) is the ack of the op in flight, due now.
  [[nodiscard]] bool awaits_ack(std::uint64_t seq, std::uint64_t revision) const noexcept {
    return outstanding_.has_value() && seq == outstanding_seq_ && revision == revision_ + 1;
  }
  // Start over from the server's text at `revision`, dropping pending ops.
  void reset(std::uint64_t revision, std::size_t document_length) noexcept;

  [[nodiscard]] State state() const noexcept;
  [[nodiscard]] std::uint64_t revision() const noexcept { return revision_; }
  [[nodiscard]] std::size_t document_length() const noexcept { return document_length_; }
  [[nodiscard]] const std::optional<Operation>& outstanding() const noexcept { return outstanding_; }
  [[nodiscard]] const std::optional<Operation>& buffer() const noexcept { return buffer_; }

  [[nodiscard]] Selection selection() const noexcept { return selection_; }
  void set_selection(Selection selection) noexcept { selection_ = selection; }

 private:
  [[nodiscard]] Submission outstanding_submission() const;

  std::optional<Operation> outstanding_;  // sent, not yet acknowledged
  std::optional<Operation> buffer_;       // not sent yet; only while outstanding_ is set
  std::uint64_t revision_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t outstanding_seq_ = 0;
  std::size_t document_length_;
  Selection selection_;
};

}  // namespace otter::ot
