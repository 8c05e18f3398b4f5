// DocumentServer: the process that owns one open document (DESIGN.md, "Data flow of one
// edit"). Started by Documents under the documents DynamicSupervisor (transient), found
// through the Registry under topic_of(doc). Its messages are in document_protocol.hpp.
//
// Life:
//   init: register topic_of(doc) (taken: ignore — another start won) ─► continue: ask
//   StorageService to load (on a blocking thread; answered by a DocumentLoaded message;
//   requests arriving meanwhile wait in order) ─► loaded: rebuild the ot::ServerDocument
//   (snapshot, ops replayed, client records restored), serve the waiting requests ─► ...
//   ─► stop: idle timeout with nobody on it and every write durable (a final snapshot
//   first), or RemoveDocument, or a crash (CrashDocument, a storage error: the supervisor
//   restarts it and it reloads).
//   A document that does not exist is created by the first open that allows it; other
//   requests are answered doc_not_found, and the process stops after a short linger (so
//   a burst of requests for a missing id does not start a process each).
//
// One edit (SubmitOp from a session, EditDocument from the REST API):
//   1. ot::ServerDocument::submit: a duplicate (client_id, seq) is answered with its
//      original revision (once that is durable); seq rules, base revision, length and
//      size limits give protocol errors (net::from_ot), nothing applied;
//   2. the applied op joins the ops to write; one self-message per mailbox burst hands them
//      all to the StorageWriter as ONE request (a snapshot rides along every
//      snapshot_every_ops ops). At most one such request is in flight: ops applied while
//      it commits wait and leave together when its WriteDone comes (batches grow with load);
//   3. the writer's completion (on the writer thread) only posts WriteDone to this
//      process; here the ops become durable: applied to the published text, presences
//      transformed through them, and ONE DurableBatch (op JSON encoded once) broadcast on
//      the topic. A session's ack is its own entry in that batch, so nothing is acked
//      before it is durable. A failed write crashes the process (it reloads from storage).
//
// Two texts: the ServerDocument holds the APPLIED head (what the next op transforms
// against); published_text_ holds the DURABLE head (what opens, reads and presence
// positions use). They differ by the ops in flight to storage, and a crash can only lose
// those — which nobody has seen.
//
// Presence: one record per session that has the document open {session, client_id, name,
// color, selection}; the selection is kept at the durable head and moved through every
// batch (ot::transform_selection, Side::right: text typed at a caret lands before it, as
// the OT client does). The session is monitored: when it closes the document or exits,
// its record goes and "left" is published.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/gen_server.hpp"
#include "ot/rope.hpp"
#include "ot/server_document.hpp"
#include "server/document_protocol.hpp"
#include "server/service_context.hpp"
#include "storage/records.hpp"

namespace otter::server {

class DocumentServer final : public core::GenServer {
 public:
  DocumentServer(std::shared_ptr<ServiceContext> context, std::string doc);

  [[nodiscard]] std::string describe() const override;

 protected:
  InitResult init() override;
  CallResult handle_call(core::Message& request, const core::From& from) override;
  Result handle_cast(core::Message& message) override;
  Result handle_info(core::Message& message) override;
  Result handle_continue(core::Message& message) override;
  void terminate(const core::ExitReason& reason) override;

 private:
  // absent: storage has no such document; requests get doc_not_found until an open that
  // may create it comes (or the process stops after a short linger).
  enum class Phase : unsigned char { loading, absent, ready, removing };

  struct PendingOp {  // applied, handed (or about to be handed) to storage, not yet durable
    std::uint64_t revision;
    std::string client_id;
    std::uint64_t seq;
    ot::Operation op;
    std::chrono::steady_clock::time_point applied_at;
    std::optional<core::From> caller;  // an EditDocument waiting for durability
  };
  struct DuplicateWaiter {  // a resend whose original is not durable yet
    std::uint64_t revision;
    std::uint64_t seq;
    std::string client_id;
    core::Pid session;                 // a session's SubmitOp ...
    std::optional<core::From> caller;  // ... or an EditDocument
    ot::Operation op;                  // as applied the first time (for an EditDocument)
  };
  struct Member {
    PresenceState presence;
    core::MonitorRef monitor;
  };
  struct WaitingCall {
    core::From from;
    core::Message request;
  };
  struct WaitingInfo {
    core::Message message;
  };
  using Waiting = std::variant<WaitingCall, WaitingInfo>;

  // loading
  void request_load(bool create);
  Result on_loaded(DocumentLoaded& loaded);
  void install(LoadedState& state);
  void serve_waiting();
  void fail_waiting(const net::ErrorMessage& error);

  // requests (all answer through reply()/send(), so waiting ones can be replayed)
  void on_call(core::Message& request, const core::From& from);
  void on_absent_call(core::Message& request, const core::From& from);
  void on_request(core::Message& message);
  void on_open(OpenDocument& open, const core::From& from);
  void on_close(core::Pid session);
  void on_submit(SubmitOp& submit);
  void on_edit(EditDocument& edit, const core::From& from);
  void on_presence(UpdatePresence& update);
  void on_remove(const core::From& from);
  void on_session_down(const core::Down& down);

  // the edit path
  [[nodiscard]] std::optional<net::ErrorMessage> refuse_new_op() const;
  void record_applied(ot::Applied&& applied, std::string client_id, std::uint64_t seq,
                      std::optional<core::From> caller);
  void submit_writes();
  void on_write_done(std::uint64_t last_revision, storage::Expected<void>& result);
  void publish_durable();
  void answer_duplicate(const DuplicateWaiter& waiter);
  void remember(const DurableBatchPtr& batch);

  // presence and lifetime
  void publish_presence(core::Pid about, const PresenceState& presence);
  void publish_left(core::Pid about, const std::string& session);
  void update_idle_timer();
  Result on_idle();
  void finish_remove_if_done();
  [[nodiscard]] net::ErrorMessage error(net::ErrorCode code, std::string message) const;
  void report_sessions();  // to the dashboard's board: who has it open now

  std::shared_ptr<ServiceContext> context_;
  std::string doc_;
  std::string topic_;
  Phase phase_ = Phase::loading;
  std::deque<Waiting> waiting_;  // requests that came while loading

  std::optional<ot::ServerDocument> document_;  // the applied head
  ot::Rope published_text_;                     // the durable head
  std::uint64_t published_revision_ = 0;
  std::uint64_t durable_revision_ = 0;  // the writer confirmed up to here
  std::deque<PendingOp> pending_;
  std::vector<storage::StoredOp> unsubmitted_;
  bool submit_scheduled_ = false;
  // One write of ops at a time: what is applied while it commits waits and goes as the next
  // write, so under load a write (and the DurableBatch after it) carries every op of that
  // interval instead of one request and one batch per mailbox burst.
  bool write_in_flight_ = false;
  std::uint64_t ops_since_snapshot_ = 0;
  std::vector<DuplicateWaiter> duplicate_waiters_;

  // Published history for resuming clients: batches covering (history_base_, published].
  std::deque<DurableBatchPtr> history_;
  std::size_t history_ops_ = 0;
  std::uint64_t history_base_ = 0;

  std::map<core::Pid, Member> members_;
  std::shared_ptr<DocumentGauges> gauges_;  // what the dashboard reads (server/document_board.hpp)
  std::optional<core::From> remove_caller_;
  bool idle_snapshot_in_flight_ = false;
};

}  // namespace otter::server
