// ClientDocument: one document as an OtterClient holds it — the local text, the OT client
// state machine (ot/client.hpp), the other sessions' cursors — and what to send and report
// for each thing the server says. Pure and single-threaded: no I/O, no clock, no lock.
// OtterClient (net/otter_client.hpp) owns one per open document and does the I/O; it is
// public so its rules can be tested message by message.
//
//   closed ──open_message()──▶ opening ──opened──▶ open ──connection_lost()──▶ closed
//                                 │                  │ rejected edit: close + fresh open
//                                 └──open refused──▶ failed (stays; never reopened)
//
// Contract
// - Every input appends what to do to a DocumentEffects: frames to send now, in order;
//   events for the user; and possibly a delay after which resend_due() must be called.
// - Opening: the first open_message() is a fresh open; after connection_lost() it resumes
//   from revision() (docs/protocol.md, "Resume"). The catch-up ops are applied like live
//   ones (own entries become acks), then the op in flight is resent with the same seq.
// - Acks: an own entry (this client id, a seq, no op) is the ack of the op in flight only
//   if ot::Client::awaits_ack() says so; entries at or below revision() (the out-of-stream
//   ack of a duplicate resend) are dropped, as docs/ot.md requires.
// - Local edits are applied to the local text at once and sent when ot::Client allows (one
//   op in flight, the rest composed). While the document is not open on the connection
//   they wait and go out after the (re)open.
// - Errors about the op in flight (the server did not apply it):
//     rate_limited                          resend after resend_after (growing backoff)
//     internal_error, storage_unavailable   resend now (after a backoff when repeated)
//     not_open                              reopen (resume), then resend
//     resync_required                       its base fell out of the server's history; the
//                                           ops since came before the error (per document
//                                           everything is in order): resend it rebased on
//                                           them if revision() moved past that base, else
//                                           reload
//     seq_out_of_order                      see "Seqs"
//     anything else (the edit is wrong)     reload: close, open fresh; local edits dropped
//   resync_required without a seq (the server dropped the document): reopen (resume; the
//   server answers with the text if it can't give ops). An error answering the open
//   itself: failed, with that error.
// - Seqs: the wire seq is ot::Client's seq plus a shift. It starts at `seq_base` (the last
//   seq this client id used on this document before, so a reopen never repeats one) and
//   goes down by one when the server refused the op in flight (that seq was not used up).
//   When a reload drops an op whose fate is unknown, the next seq may skip one; a
//   seq_out_of_order answer then shifts down by one and resends (only that many times).
// - Presence: set_selection() is sent when no edit is in flight (only then does the local
//   text equal the server's at revision()); peers' selections are kept in local
//   coordinates, moved (Side::right, as the server moves them) by every op applied
//   locally.
// - Invariant: after every input, the local text is the server's text at revision() with
//   the outstanding and buffered ops applied.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "net/messages.hpp"
#include "net/otter_client_events.hpp"
#include "ot/client.hpp"
#include "ot/rope.hpp"

namespace otter::net {

struct DocumentEffects {
  std::vector<ClientMessage> send;
  std::vector<ClientEvent> events;
  std::optional<std::chrono::milliseconds> resend_after;
};

class ClientDocument {
 public:
  enum class Phase : unsigned char { closed, opening, open, failed };

  // Backoff for resends: doubles from the first to the last value.
  static constexpr std::chrono::milliseconds kFirstRetryDelay{50};
  static constexpr std::chrono::milliseconds kMaxRetryDelay{2'000};
  // Immediate resends after internal_error/storage_unavailable before backing off.
  static constexpr int kImmediateRetries = 3;

  // `open_id_prefix` starts the request id of each open ("<prefix><n>"): an OtterClient gives
  // each ClientDocument of the same name its own, so a late answer to an open of an
  // earlier incarnation (closed meanwhile) is never taken for this one's.
  ClientDocument(std::string name, std::string client_id, bool create, std::uint64_t seq_base,
                 std::string open_id_prefix = "open-");

  // The `open` to send on the current connection; moves to `opening`.
  [[nodiscard]] Open open_message();
  // The connection ended: the document must be opened again on the next one.
  void connection_lost() noexcept;

  void on_opened(const Opened& opened, DocumentEffects& out);
  void on_ops(const std::vector<OpsEntry>& entries, DocumentEffects& out);
  void on_presence(const PresenceBroadcast& presence, DocumentEffects& out);
  // An error naming this document (error.doc). Adds an ErrorEvent.
  void on_error(const ErrorMessage& error, DocumentEffects& out);
  // The delay asked for by an earlier resend_after has passed.
  void resend_due(DocumentEffects& out);

  // The server's limits (from its welcome): edits beyond them are refused locally.
  void set_limits(const Limits& limits) noexcept;

  // A local edit: `op` must span the local text. Errors (nothing changed): not_open if the
  // document is not open (or failed, or reloading), invalid_op if op does not fit,
  // doc_too_large / op_too_large beyond the server's limits — including an op that, composed
  // with the edits waiting behind the one in flight, would be too large to send.
  [[nodiscard]] std::optional<ErrorMessage> edit(ot::Operation op, DocumentEffects& out);
  // This client's selection (nullopt clears it), in local coordinates; clamped to the text.
  [[nodiscard]] std::optional<ErrorMessage> set_selection(std::optional<ot::Selection> selection,
                                                          DocumentEffects& out);

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] Phase phase() const noexcept { return phase_; }
  [[nodiscard]] bool ever_opened() const noexcept { return client_.has_value(); }
  // Open on the connection and nothing waiting for an ack (false while reconnecting).
  [[nodiscard]] bool synchronized() const noexcept;
  [[nodiscard]] std::uint64_t revision() const noexcept { return client_ ? client_->revision() : 0; }
  [[nodiscard]] std::size_t length() const noexcept { return text_.size(); }
  // The error that made the document `failed`.
  [[nodiscard]] const std::optional<ErrorMessage>& failure() const noexcept { return failure_; }
  // The highest wire seq sent so far on this document (the next client's seq_base).
  [[nodiscard]] std::uint64_t last_seq_sent() const noexcept { return last_seq_sent_; }
  [[nodiscard]] DocumentView view() const;

 private:
  [[nodiscard]] std::uint64_t wire_seq(std::uint64_t client_seq) const noexcept;
  [[nodiscard]] std::uint64_t client_seq(std::uint64_t wire) const noexcept;
  [[nodiscard]] std::optional<std::uint64_t> outstanding_wire_seq() const;
  void send_submission(const ot::Submission& submission, DocumentEffects& out);
  void resend_now(DocumentEffects& out);
  void schedule_resend(DocumentEffects& out);
  void send_presence_if_due(DocumentEffects& out);
  void apply_entry(const OpsEntry& entry, DocumentEffects& out);
  [[nodiscard]] bool apply_remote(const OpsEntry& entry, DocumentEffects& out);
  [[nodiscard]] bool apply_ack(const OpsEntry& entry, DocumentEffects& out);
  void load_text(const Opened& opened, DocumentEffects& out);
  void set_peers(const std::vector<PeerPresence>& peers, DocumentEffects& out);
  [[nodiscard]] std::optional<ot::Selection> to_local(std::optional<ot::Selection> selection) const;
  void move_peers(const ot::Operation& op);
  // Start over from the server's text: close (if open) and open fresh. `refused`: the
  // server refused the op in flight (not applied); `why` (if any) becomes an ErrorEvent.
  void reload(std::string why, bool refused, DocumentEffects& out);
  // Reopen on this connection, resuming from revision().
  void reopen(DocumentEffects& out);
  void fail(ErrorMessage error);

  std::string name_;
  std::string client_id_;
  bool create_;
  Phase phase_ = Phase::closed;
  bool reloading_ = false;   // the open in progress must be fresh (ignore the old stream)
  bool replaying_ = false;   // applying a resume's catch-up: hold sends until it is done
  bool local_edits_dropped_ = false;  // a refused op took the pending edits with it
  std::optional<ot::Client> client_;  // set by the first `opened`
  ot::Rope text_;
  std::int64_t seq_shift_;              // wire seq = client seq + seq_shift_
  std::uint64_t uncertain_seqs_ = 0;    // dropped ops whose seq the server may not have used
  std::uint64_t last_seq_sent_ = 0;
  std::uint64_t in_flight_base_ = 0;    // the rev the op in flight was last sent with
  std::string open_id_prefix_;
  std::uint64_t opens_sent_ = 0;
  std::optional<RequestId> open_id_;
  int retries_ = 0;                     // consecutive resends of the op in flight
  bool selection_set_ = false;
  bool presence_due_ = false;
  std::map<std::string, PeerPresence, std::less<>> peers_;  // by session id
  std::optional<ErrorMessage> failure_;
  std::size_t max_op_bytes_ = 0;    // 0: unknown
  std::size_t max_code_points_ = 0;  // 0: unknown
};

}  // namespace otter::net
