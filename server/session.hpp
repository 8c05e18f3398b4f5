// Session: one process per WebSocket connection, speaking docs/protocol.md to its client.
//
//   glue (net/ or otterd)                       Session process
//   on_text(frame)  ──runtime.send(pid, ClientFrame{frame})──►  decode (net/protocol.hpp),
//   on_close(why)   ──runtime.send(pid, ConnectionClosed{…})─►  hello/open/close/op/presence/ping
//   Connection      ◄──Outbound::send(shared frame)──────────  flush: one `ops` frame per doc
//
// Started by Service::start_session under the sessions DynamicSupervisor (temporary: a
// connection is not restarted). Stops when the connection closes, on a fatal error
// (unsupported_version, slow_consumer) and on shutdown (it tells the client shutting_down,
// close 1001). A crash closes the connection with 1011.
//
// Per open document it keeps: the document's process (monitored), the last revision it
// queued for the client, the client's ops in flight (seq -> request id), and the entries
// waiting for the next flush. It subscribes to the document's topic; each DurableBatch
// becomes entries — the client's own ops as acks (seq only), the others with their op —
// in revision order without gaps.
//
// Batching (DESIGN.md, "Where the time goes"): entries accumulate and go out at a flush,
// which the session schedules as a message to itself behind everything already in its
// mailbox — so a burst of batches becomes one frame. A flush that finds the socket behind
// (Outbound::outbound_bytes() >= flush_hold_bytes) holds everything and looks again after
// flush_retry: while it is behind, entries pile up into the next single frame. (We
// poll rather than ask net/ for a "drained" callback: one timer per busy session, no new
// interface, and the same frames either way.) Other frames of a document (presence,
// errors) first close that document's pending entries into a frame, so per document
// everything leaves in revision order.
//
// Slow consumers: bytes in the socket's queue plus bytes held here over
// max_outbound_bytes close the connection with 1008 slow_consumer (queue discarded).
//
// Limits: ops_per_second (token bucket -> rate_limited), max_open_docs (too_many_docs),
// max_op_bytes (the codec: op_too_large). Every error names the code, a sentence and
// echoes id/doc/seq; only the fatal errors of the protocol's table end the connection.
//
// Dashboard (docs/dashboard.md, server/session_dashboard.cpp): dashboard_subscribe
// subscribes to the Dashboard's PubSub topic and answers with its current snapshot; each
// snapshot published later is forwarded, at most one per interval_ms. Only the newest is
// kept: one that comes while the socket is still writing (or within the interval) replaces
// the one waiting, so a slow page gets fewer snapshots, never a queue. `crash` (admins
// only, else forbidden) goes through Documents::crash, like the REST admin hook.
//
// When a document's process dies (Down), the session reopens it under the new process
// ("rejoin", resuming from its last revision): the missing entries (acks included) are
// queued, and each op still in flight gets internal_error (or storage_unavailable when
// storage was the cause) with its seq, so the client resends it; duplicates are safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/messages.hpp"
#include "server/dashboard.hpp"
#include "server/document_protocol.hpp"
#include "server/documents.hpp"
#include "server/outbound.hpp"
#include "server/token_bucket.hpp"

namespace otter::server {

// A text frame the client sent.
struct ClientFrame {
  std::string text;
};

// The connection ended (the client closed, the network failed, net/ gave up on it).
struct ConnectionClosed {
  std::uint16_t code = 1006;
  std::string reason;
};

class Session final : public DocumentsClient {
 public:
  Session(std::shared_ptr<ServiceContext> context, std::shared_ptr<Outbound> outbound);

  [[nodiscard]] std::string describe() const override;

 protected:
  InitResult init() override;
  Result handle_info(core::Message& message) override;
  Result handle_cast(core::Message& message) override;
  void terminate(const core::ExitReason& reason) override;

 private:
  enum class DocPhase : unsigned char { opening, open, rejoining };

  struct PendingEdit {  // an op that came while the document was being rejoined
    net::Edit edit;
  };

  struct PendingBatch {
    DurableBatchPtr batch;
    std::uint64_t after;
  };

  // What an open or a rejoin needs until the document's process answers it. (Every member
  // has an initializer, so designated initialization may name any subset.)
  struct Joining {
    std::optional<net::RequestId> open_id{};  // the client's open (not a rejoin)
    std::optional<std::uint64_t> resume_from{};
    bool create = true;
    int attempts = 0;                 // failed tries of the current open or rejoin
    core::ExitReason crash_reason{};  // why the last process died (for the errors of a rejoin)
    std::vector<DurableBatchPtr> held{};  // batches that came meanwhile
    std::vector<PendingEdit> deferred{};  // ops that came during a rejoin
  };

  struct OpenDoc {
    DocPhase phase = DocPhase::opening;
    std::uint64_t epoch = 0;  // tells this open apart from an earlier one of the same doc
    core::Pid pid;
    core::MonitorRef monitor;
    std::uint64_t revision = 0;  // the last revision queued for the client
    std::uint64_t attempt = 0;  // names the open call in flight; older answers are stale
    // Set while opening or rejoining, freed once open: a document stays open for most of
    // a session's life, and every open document would carry these bytes.
    std::unique_ptr<Joining> joining;
    std::map<std::uint64_t, std::optional<net::RequestId>> in_flight;  // seq -> request id
    // Entries for the next flush: the ops of each batch with revision > `after`.
    std::vector<PendingBatch> pending;
  };

  // input
  Result on_frame(std::string& text);
  Result on_hello(net::Hello& hello);
  void on_open(net::Open& open);
  void on_close(net::Close& close);
  void on_edit(net::Edit& edit);
  void on_presence(net::PresenceUpdate& presence);

  // dashboard (session_dashboard.cpp)
  struct DashboardWatch {
    std::optional<net::RequestId> id;
    std::chrono::milliseconds interval{0};
    std::uint64_t max_documents = 0;
    std::uint64_t epoch = 0;  // tells this subscription apart from one it replaced
    std::uint64_t seq = 0;    // of the last snapshot sent; 0: the answer has not gone out
    DashboardSnapshotPtr waiting;  // the newest snapshot not sent yet
    DashboardSnapshotPtr sent;     // the last one sent
    std::chrono::steady_clock::time_point sent_at;
    bool timer_armed = false;
  };
  void on_dashboard_subscribe(net::DashboardSubscribe& subscribe);
  void on_dashboard_unsubscribe();
  void on_crash(net::Crash& crash);
  bool on_dashboard_message(core::Message& message);  // true if it was one of the dashboard's
  void push_dashboard();

  // documents
  void request_open(const std::string& doc);
  void on_open_reply(const std::string& doc, std::uint64_t epoch, std::uint64_t attempt, core::Pid pid,
                     core::CallOutcome<OpenDocument::Reply>& outcome);
  void retry_open(const std::string& doc, OpenDoc& open, const std::string& why);
  void open_failed(const std::string& doc, net::ErrorMessage error);
  void on_batch(const DurableBatchPtr& batch);
  void add_batch(const std::string& doc, OpenDoc& open, const DurableBatchPtr& batch);
  void on_presence_event(const PresenceEventPtr& event);
  void on_document_down(const core::Down& down);
  void rejoin(const std::string& doc, OpenDoc& open, core::ExitReason reason);
  void on_request_failed(DocumentRequestFailed& failed);
  void on_duplicate_ack(const DuplicateAck& ack);
  void on_document_gone(const DocumentGone& gone);
  void send_edit(OpenDoc& open, net::Edit&& edit);
  void drop_document(const std::string& doc);
  [[nodiscard]] SessionIdentity identity() const;

  // output
  void emit(std::string frame, const std::string* doc = nullptr);
  void emit_shared(std::shared_ptr<const std::string> frame, const std::string* doc = nullptr);
  void emit_error(net::ErrorMessage error);
  void close_pending_entries(const std::string& doc, OpenDoc& open);
  // The one pending batch's shared peer_frame, when it is exactly what this session would
  // write (none of its ops are ours, all of them are news). Returns whether it did.
  bool send_shared_peer_frame(OpenDoc& open);
  void schedule_flush();
  Result flush();
  void send_everything_now();
  Result close_fatally(net::ErrorCode code, std::string message, std::optional<net::RequestId> id = std::nullopt);

  std::shared_ptr<Outbound> outbound_;
  std::string session_id_;
  std::string client_id_;
  std::optional<std::string> name_;
  std::optional<std::string> color_;
  bool hello_done_ = false;
  bool closing_ = false;
  TokenBucket rate_;
  std::map<std::string, OpenDoc, std::less<>> docs_;
  std::uint64_t next_epoch_ = 0;
  bool admin_ = false;
  // On the heap: few sessions are dashboards, and every idle session would carry its bytes.
  std::unique_ptr<DashboardWatch> dashboard_;
  std::uint64_t next_dashboard_epoch_ = 0;

  std::vector<std::shared_ptr<const std::string>> out_queue_;  // frames for the next flush
  std::size_t out_queue_bytes_ = 0;
  std::size_t pending_entry_bytes_ = 0;  // estimate for entries not yet in a frame
  bool flush_scheduled_ = false;
  bool retry_armed_ = false;
};

}  // namespace otter::server
