// SimServer: the simulated otterd of the in-process simulator — document processes
// (ot::ServerDocument), their sessions, and a durable store — driven one message at a time
// by the scheduler. No threads, no sockets, no clock.
//
// Model (docs/sim.md, "In-process mode"; DESIGN.md, "Data flow of one edit")
// - A submitted op is transformed and applied in memory at once (ServerDocument::submit)
//   and is *pending* until a commit event makes it durable; only then is it acked and
//   broadcast. Sessions stream durable revisions only, in order, each from the revision
//   its client resumed at.
// - A duplicate resend is answered out of the stream with its original revision, once
//   that revision is durable.
// - crash_document(): the document process's memory is gone. Storage had received a
//   prefix of the pending ops (they become durable); the rest are lost and their senders
//   get internal_error (they resend). The document reloads from the store on next use:
//   replay of every stored op, then the duplicate records (restore_client).
// - kill(): kill -9 and restart. Every document process and connection is gone, every
//   pending op lost.
// - Presence is kept per session at the durable head, moved through every committed op.
// - A refused op (any error from submit) or a broken invariant is reported to the Verdict:
//   a client that follows the protocol never sends an op the server must refuse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ot/server_document.hpp"
#include "sim/network.hpp"
#include "sim/schedule.hpp"
#include "sim/verdict.hpp"

namespace otter::sim {

class SimServer {
 public:
  struct StoredOp {  // one durable revision
    ot::Operation op;
    std::uint32_t author = 0;
    std::uint64_t seq = 0;
  };

  SimServer(Network& network, std::vector<std::string> client_ids, std::size_t docs, SimServerFaults faults,
            Verdict& verdict, Transcript& transcript);

  void receive(std::uint32_t client, const ToServer& message);
  void commit(std::uint32_t doc);
  void crash_document(std::uint32_t doc, std::uint64_t entropy);
  void kill();
  // The client's connection ended: its sessions close, the others hear it left.
  void disconnect(std::uint32_t client);

  [[nodiscard]] std::size_t docs() const noexcept { return docs_.size(); }
  [[nodiscard]] const std::vector<StoredOp>& history(std::uint32_t doc) const { return docs_.at(doc).durable; }
  [[nodiscard]] const std::string& durable_text(std::uint32_t doc) const { return docs_.at(doc).durable_text; }
  // The document process's text, if it is loaded.
  [[nodiscard]] std::optional<std::string> live_text(std::uint32_t doc) const;
  [[nodiscard]] std::size_t pending_ops(std::uint32_t doc) const { return docs_.at(doc).pending.size(); }
  [[nodiscard]] const std::map<std::uint32_t, ot::Selection>& presence(std::uint32_t doc) const {
    return docs_.at(doc).presence;
  }
  [[nodiscard]] std::uint64_t duplicates() const noexcept { return duplicates_; }
  [[nodiscard]] std::uint64_t lost_pending_ops() const noexcept { return lost_pending_ops_; }

 private:
  struct PendingOp {
    std::uint64_t revision;
    std::uint32_t author;
    std::uint64_t seq;
  };
  struct Session {
    bool open = false;
    std::uint64_t streamed_up_to = 0;
  };
  struct Document {
    std::vector<StoredOp> durable;  // durable[r - 1] made revision r
    std::string durable_text;
    std::optional<ot::ServerDocument> live;  // the document process; empty: not running
    std::deque<PendingOp> pending;           // applied in memory, not yet durable
    std::vector<PendingOp> duplicate_acks;   // answers waiting for their revision to be durable
    std::map<std::uint32_t, ot::Selection> presence;  // by client, at the durable head
  };

  [[nodiscard]] std::uint64_t durable_head(const Document& doc) const noexcept { return doc.durable.size(); }
  ot::ServerDocument& load(std::uint32_t doc_index);
  void open(std::uint32_t client, std::uint32_t doc_index, std::uint64_t revision);
  void submit(std::uint32_t client, std::uint32_t doc_index, const ot::Submission& submission);
  [[nodiscard]] ot::Expected<ot::Applied> submit_with_faults(ot::ServerDocument& live, std::uint32_t client,
                                                             const ot::Submission& submission) const;
  void update_presence(std::uint32_t client, std::uint32_t doc_index, std::uint64_t revision,
                       ot::Selection selection);
  void make_durable(std::uint32_t doc_index, std::size_t count);
  void answer_duplicates(std::uint32_t doc_index);
  void flush(std::uint32_t doc_index);
  void send(std::uint32_t client, ToClient message);
  [[nodiscard]] bool in_session(std::uint32_t client, std::uint32_t doc_index) const;

  Network& network_;
  std::vector<std::string> client_ids_;
  SimServerFaults faults_;
  Verdict& verdict_;
  Transcript& transcript_;
  std::vector<Document> docs_;
  std::vector<std::vector<Session>> sessions_;  // [client][doc]
  std::uint64_t duplicates_ = 0;
  std::uint64_t lost_pending_ops_ = 0;
};

}  // namespace otter::sim
