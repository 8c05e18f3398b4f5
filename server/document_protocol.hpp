// The messages between a document process (server/document_server.hpp) and the processes
// that use it: sessions, and the Documents facade for callers outside processes.
//
// Published on the document's topic (topic_of(doc)), in revision order, by the document
// process alone:
//   DurableBatchPtr    ops that just became durable: one broadcast per commit, the op JSON
//                      encoded once and shared by every receiver.
//   PresenceEventPtr   a session's presence changed or it left; `frame` is the encoded
//                      protocol message, identical for every receiver (the session it is
//                      about is excluded with broadcast_from).
//   DocumentGone       the document was deleted; sessions answer doc_not_found and drop it.
//
// Requests to a document process:
//   OpenDocument     call  -> OpenDocument::Reply   (the session is monitored from then on)
//   CloseDocument    send                           (presence removed, "left" published)
//   SubmitOp         send  -> nothing on success: the ack is the op's entry in a later
//                             DurableBatch; DuplicateAck or DocumentRequestFailed otherwise
//   UpdatePresence   send  -> DocumentRequestFailed on a bad revision
//   EditDocument     call  -> answered when the op is durable (the blocking REST path)
//   ReadDocument     call  -> the durable text and revision
//   RemoveDocument   call  -> answered once every write is durable; the process then stops
//   CrashDocument    send  -> the process throws (a hook for tests and admins: REST's
//                             POST /api/admin/docs/{id}/crash, the dashboard's crash)
// Requests that arrive while the document is still loading wait, in order, and are
// handled once it is loaded.
//
// Revisions seen by others are always DURABLE revisions: the text in an OpenDocument
// reply, every presence position and every batch are at or below the durable head, never
// at an applied-but-not-yet-committed revision, so no client ever holds text that a crash
// could take back.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/pid.hpp"
#include "net/expected.hpp"
#include "net/messages.hpp"
#include "ot/cursor.hpp"
#include "ot/operation.hpp"

namespace otter::server {

// The PubSub topic (and the unique Registry key) of a document.
[[nodiscard]] inline std::string topic_of(std::string_view doc) { return "doc:" + std::string(doc); }

// ---------------------------------------------------------------- published

struct DurableOp {
  std::uint64_t revision = 0;
  std::string client_id;
  std::uint64_t seq = 0;
  std::string op_json;  // ot::encode of the op as applied: [5,"abc",-2]
};

struct DurableBatch {
  std::string doc;
  std::vector<DurableOp> ops;  // dense revisions, ascending, at least one
  // The "ops" frame of all of `ops` as another client sees them (no acks), built once by the
  // document when several sessions will hear the batch: a session with none of its own ops
  // in it and nothing else pending for the document sends this very string. Null when not
  // built (history loaded from storage, a document with one session).
  std::shared_ptr<const std::string> peer_frame;
  [[nodiscard]] std::uint64_t first_revision() const noexcept { return ops.front().revision; }
  [[nodiscard]] std::uint64_t last_revision() const noexcept { return ops.back().revision; }
};
using DurableBatchPtr = std::shared_ptr<const DurableBatch>;

struct PresenceState {
  std::string session;  // the session's id ("s-12")
  std::string client_id;
  std::optional<std::string> name;
  std::optional<std::string> color;
  std::optional<ot::Selection> selection;  // at the document's durable head; nullopt: no cursor
};

struct PresenceEvent {
  std::string doc;
  core::Pid session_pid;  // whom it is about
  std::shared_ptr<const std::string> frame;
};
using PresenceEventPtr = std::shared_ptr<const PresenceEvent>;

struct DocumentGone {
  std::string doc;
};

// ---------------------------------------------------------------- requests

struct SessionIdentity {
  core::Pid pid;
  std::string session;
  std::string client_id;
  std::optional<std::string> name;
  std::optional<std::string> color;
};

struct OpenedDocument {
  std::uint64_t revision = 0;        // the durable head the client is now at
  std::optional<std::string> text;   // fresh open, or resume without enough history
  // Resume: the client's missing entries are those with revision > history_after in these
  // batches (oldest first). Empty with `text` set.
  std::vector<DurableBatchPtr> history;
  std::uint64_t history_after = 0;
  std::vector<PresenceState> presence;  // the other sessions on the document
};

struct OpenDocument {
  SessionIdentity who;
  std::optional<std::uint64_t> resume_from;  // the revision the client holds
  bool create = true;
  using Reply = net::Expected<OpenedDocument>;
};

struct CloseDocument {
  core::Pid session;
};

struct SubmitOp {
  core::Pid session;
  std::string client_id;
  std::uint64_t seq = 0;
  std::uint64_t rev = 0;
  ot::Operation op;
  std::optional<net::RequestId> id;  // echoed in an error
};

struct UpdatePresence {
  core::Pid session;
  std::uint64_t rev = 0;
  std::optional<ot::Selection> selection;
  std::optional<net::RequestId> id;
};

// To the session that submitted: its op was applied before; here is the revision.
struct DuplicateAck {
  std::string doc;
  std::string client_id;
  std::uint64_t seq = 0;
  std::uint64_t revision = 0;
};

// To the session that asked: the request was refused (ready to send, id/doc/seq echoed).
struct DocumentRequestFailed {
  std::string doc;
  net::ErrorMessage error;
};

struct EditResult {
  std::uint64_t revision = 0;
  bool duplicate = false;
  // The op as applied (transformed to the head it landed on). For a duplicate: as applied
  // the first time if still in memory, else the empty op.
  ot::Operation op;
};

struct EditDocument {
  std::string client_id;
  std::uint64_t seq = 0;
  std::uint64_t rev = 0;
  ot::Operation op;
  using Reply = net::Expected<EditResult>;
};

struct DocumentView {
  std::string doc;
  std::uint64_t revision = 0;  // durable head
  std::string text;
  std::size_t sessions = 0;    // sessions that have it open
};

struct ReadDocument {
  using Reply = net::Expected<DocumentView>;
};

struct RemoveDocument {
  using Reply = net::Expected<std::uint64_t>;  // the durable head it stopped at
};

// Throws at once (also while loading) with `reason`, or "crash requested for document 'x'".
struct CrashDocument {
  std::string reason;
};

}  // namespace otter::server
