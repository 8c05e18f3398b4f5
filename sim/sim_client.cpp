#include "sim/sim_client.hpp"

#include <utility>

#include "ot/apply.hpp"
#include "sim/describe.hpp"
#include "sim/edit_generator.hpp"

namespace otter::sim {
SimClient::SimClient(std::uint32_t index, std::string id, std::size_t docs, Connection& connection,
                     Verdict& verdict, Transcript& transcript)
    : index_(index), id_(std::move(id)), connection_(connection), verdict_(verdict), transcript_(transcript),
      docs_(docs) {}

void SimClient::fail(std::string check, const std::string& message) { verdict_.fail(std::move(check), id_ + ": " + message); }

void SimClient::apply_locally(Document& doc, const ot::Operation& op, const char* what) {
  ot::Expected<std::string> text = ot::apply(doc.text, op);
  if (!text) {
    fail("client_state", std::string(what) + " " + wire(op) + " does not fit the local text: " + text.error().message);
    return;
  }
  doc.text = std::move(*text);
  for (auto& [peer, selection] : doc.peers) selection = ot::transform_selection(selection, op, ot::Side::right);
}

void SimClient::send_submission(std::uint32_t doc, const ot::Submission& submission) {
  if (!connection_.up) return;  // it stays in flight inside ot::Client and is resent later
  connection_.uplink.push_back(ToServer{.kind = ToServer::Kind::op, .doc = doc, .submission = submission});
}

void SimClient::edit(std::uint32_t doc_index, std::uint64_t entropy) {
  Document& doc = docs_[doc_index];
  const ot::Operation op = random_edit(entropy, doc.ot.document_length());
  if (transcript_.enabled()) transcript_.add("  " + id_ + " local op " + wire(op));
  apply_locally(doc, op, "its own edit");
  ot::Expected<std::optional<ot::Submission>> to_send = doc.ot.apply_client(op);
  if (!to_send) {
    fail("client_state", "ot::Client refused a local edit: " + to_send.error().message);
    return;
  }
  if (*to_send) {
    doc.last_seq = (*to_send)->seq;
    send_submission(doc_index, **to_send);
  }
}

void SimClient::select(std::uint32_t doc_index, std::uint64_t entropy) {
  Document& doc = docs_[doc_index];
  const ot::Selection selection = random_selection(entropy, doc.ot.document_length());
  if (transcript_.enabled()) {
    transcript_.add("  " + id_ + " cursor (" + std::to_string(selection.anchor) + ", " + std::to_string(selection.head) + ")");
  }
  doc.ot.set_selection(selection);
  doc.has_selection = true;
  doc.presence_due = true;
  publish_presence_if_due(doc_index);
}

void SimClient::publish_presence_if_due(std::uint32_t doc_index) {
  Document& doc = docs_[doc_index];
  if (!doc.presence_due || !connection_.up || doc.ot.state() != ot::Client::State::synchronized) return;
  doc.presence_due = false;
  connection_.uplink.push_back(ToServer{.kind = ToServer::Kind::presence, .doc = doc_index,
                                        .revision = doc.ot.revision(), .selection = doc.ot.selection()});
}

void SimClient::receive(const ToClient& message) {
  Document& doc = docs_[message.doc];
  switch (message.kind) {
    case ToClient::Kind::opened:
      if (message.revision != doc.ot.revision()) {
        fail("protocol", "resumed at revision " + std::to_string(message.revision) + " but holds revision " +
                             std::to_string(doc.ot.revision()));
      }
      doc.open = true;
      doc.peers.clear();  // the server sends the current cursors next
      publish_presence_if_due(message.doc);
      return;
    case ToClient::Kind::entry:
      if (message.author == index_) {
        on_ack(message.doc, message);
      } else {
        on_remote_op(message.doc, message);
      }
      return;
    case ToClient::Kind::duplicate_ack:
      on_ack(message.doc, message);
      return;
    case ToClient::Kind::error:
      if (std::optional<ot::Submission> again = doc.ot.resend(); again && again->seq == message.seq) {
        if (transcript_.enabled()) transcript_.add("  " + id_ + " resends seq " + std::to_string(again->seq));
        send_submission(message.doc, *again);
      }
      return;
    case ToClient::Kind::presence:
      on_presence(message.doc, message);
      return;
    case ToClient::Kind::presence_left:
      doc.peers.erase(message.author);
      return;
  }
}

void SimClient::on_ack(std::uint32_t doc_index, const ToClient& message) {
  Document& doc = docs_[doc_index];
  const bool in_stream = message.kind == ToClient::Kind::entry;
  if (!doc.ot.awaits_ack(message.seq, message.revision)) {
    // A leftover: the out-of-stream answer to a duplicate, or the in-stream entry of an op
    // such an answer already confirmed. Anything else means an op was counted twice.
    if (in_stream && message.revision > doc.ot.revision()) {
      fail("acked_ops", "revision " + std::to_string(message.revision) + " carries its own seq " +
                            std::to_string(message.seq) + " but is not the ack of its op in flight (revision " +
                            std::to_string(doc.ot.revision()) + ")");
    }
    return;
  }
  if (transcript_.enabled()) {
    transcript_.add("  " + id_ + " takes the ack of seq " + std::to_string(message.seq) + " as revision " + std::to_string(message.revision) +
                    (in_stream ? "" : " (duplicate answer)"));
  }
  doc.acks.push_back(Ack{message.seq, message.revision});
  ot::Expected<std::optional<ot::Submission>> next = doc.ot.server_ack();
  if (!next) {
    fail("client_state", "ot::Client refused an ack: " + next.error().message);
    return;
  }
  if (*next) {
    doc.last_seq = (*next)->seq;
    send_submission(doc_index, **next);
  }
  publish_presence_if_due(doc_index);
}

void SimClient::on_remote_op(std::uint32_t doc_index, const ToClient& message) {
  Document& doc = docs_[doc_index];
  if (message.revision != doc.ot.revision() + 1) {
    fail("dense_revisions", "got revision " + std::to_string(message.revision) + " while at revision " +
                                std::to_string(doc.ot.revision()));
    return;
  }
  ot::Expected<ot::Operation> to_apply = doc.ot.apply_server(message.op);
  if (!to_apply) {
    fail("client_state", "revision " + std::to_string(message.revision) + " " + wire(message.op) +
                             " does not fit: " + to_apply.error().message);
    return;
  }
  if (transcript_.enabled()) {
    transcript_.add("  " + id_ + " applies revision " + std::to_string(message.revision) + " as " + wire(*to_apply));
  }
  apply_locally(doc, *to_apply, "remote op");
}

void SimClient::on_presence(std::uint32_t doc_index, const ToClient& message) {
  Document& doc = docs_[doc_index];
  if (message.revision != doc.ot.revision()) {
    fail("presence", "a cursor at revision " + std::to_string(message.revision) + " arrived at revision " +
                         std::to_string(doc.ot.revision()));
    return;
  }
  ot::Selection selection = message.selection;
  if (doc.ot.outstanding()) selection = ot::transform_selection(selection, *doc.ot.outstanding(), ot::Side::right);
  if (doc.ot.buffer()) selection = ot::transform_selection(selection, *doc.ot.buffer(), ot::Side::right);
  doc.peers[message.author] = selection;
}

void SimClient::connection_lost() {
  for (Document& doc : docs_) {
    doc.open = false;
    if (doc.has_selection) doc.presence_due = true;  // the new session knows no cursor
  }
}

void SimClient::reconnect() {
  for (std::uint32_t doc_index = 0; doc_index < docs_.size(); ++doc_index) {
    Document& doc = docs_[doc_index];
    connection_.uplink.push_back(
        ToServer{.kind = ToServer::Kind::open, .doc = doc_index, .revision = doc.ot.revision()});
    if (std::optional<ot::Submission> again = doc.ot.resend()) send_submission(doc_index, *again);
    publish_presence_if_due(doc_index);
  }
}

}  // namespace otter::sim
