#include "sim/sim_server.hpp"

#include <utility>

#include "ot/apply.hpp"
#include "sim/describe.hpp"
#include "ot/transform.hpp"
#include "sim/random.hpp"

namespace otter::sim {
namespace {

std::string doc_name(std::uint32_t doc) { return "doc" + std::to_string(doc); }

}  // namespace

SimServer::SimServer(Network& network, std::vector<std::string> client_ids, std::size_t docs,
                     SimServerFaults faults, Verdict& verdict, Transcript& transcript)
    : network_(network),
      client_ids_(std::move(client_ids)),
      faults_(faults),
      verdict_(verdict),
      transcript_(transcript),
      docs_(docs),
      // Every client starts with every (empty) document open at revision 0.
      sessions_(client_ids_.size(), std::vector<Session>(docs, Session{true, 0})) {}

std::optional<std::string> SimServer::live_text(std::uint32_t doc) const {
  const Document& document = docs_.at(doc);
  if (!document.live) return std::nullopt;
  return document.live->text();
}

bool SimServer::in_session(std::uint32_t client, std::uint32_t doc_index) const {
  return network_[client].up && sessions_[client][doc_index].open;
}

void SimServer::send(std::uint32_t client, ToClient message) {
  if (network_[client].up) network_[client].downlink.push_back(std::move(message));
}

// The document process starts: replay every durable op, then the duplicate records.
ot::ServerDocument& SimServer::load(std::uint32_t doc_index) {
  Document& doc = docs_[doc_index];
  if (doc.live) return *doc.live;
  doc.live.emplace();
  std::vector<std::optional<ot::RevisionLog::ClientRecord>> last_by_client(client_ids_.size());
  for (std::size_t i = 0; i < doc.durable.size(); ++i) {
    const StoredOp& stored = doc.durable[i];
    if (ot::Expected<std::uint64_t> replayed = doc.live->replay(stored.op); !replayed) {
      verdict_.fail("reload", doc_name(doc_index) + ": replaying stored revision " + std::to_string(i + 1) +
                                  " failed: " + replayed.error().message);
      return *doc.live;
    }
    last_by_client[stored.author] = ot::RevisionLog::ClientRecord{stored.seq, i + 1};
  }
  if (!faults_.skip_duplicate_detection) {
    for (std::size_t client = 0; client < client_ids_.size(); ++client) {
      if (const auto& last = last_by_client[client]) {
        doc.live->restore_client(client_ids_[client], last->seq, last->revision);
      }
    }
  }
  if (transcript_.enabled()) {
    transcript_.add("  server loads " + doc_name(doc_index) + " from the store at revision " +
                    std::to_string(doc.durable.size()));
  }
  return *doc.live;
}

void SimServer::receive(std::uint32_t client, const ToServer& message) {
  switch (message.kind) {
    case ToServer::Kind::open:
      open(client, message.doc, message.revision);
      return;
    case ToServer::Kind::op:
      submit(client, message.doc, message.submission);
      return;
    case ToServer::Kind::presence:
      update_presence(client, message.doc, message.revision, message.selection);
      return;
  }
}

// Resume: the entries after `revision`, then the others' cursors.
void SimServer::open(std::uint32_t client, std::uint32_t doc_index, std::uint64_t revision) {
  Document& doc = docs_[doc_index];
  static_cast<void>(load(doc_index));
  if (revision > durable_head(doc)) {
    verdict_.fail("protocol", client_ids_[client] + " resumed " + doc_name(doc_index) + " at revision " +
                                  std::to_string(revision) + ", beyond the durable head " +
                                  std::to_string(durable_head(doc)));
    return;
  }
  Session& session = sessions_[client][doc_index];
  session.open = true;
  session.streamed_up_to = revision;
  send(client, ToClient{.kind = ToClient::Kind::opened, .doc = doc_index, .revision = revision});
  flush(doc_index);
  for (const auto& [peer, selection] : doc.presence) {
    if (peer == client) continue;
    send(client, ToClient{.kind = ToClient::Kind::presence, .doc = doc_index, .revision = durable_head(doc),
                          .author = peer, .selection = selection});
  }
}

ot::Expected<ot::Applied> SimServer::submit_with_faults(ot::ServerDocument& live, std::uint32_t client,
                                                        const ot::Submission& submission) const {
  const std::string_view id = faults_.skip_duplicate_detection ? std::string_view{} : client_ids_[client];
  if (!faults_.wrong_tie_break || submission.base_revision >= live.revision()) {
    return live.submit(id, submission.seq, submission.base_revision, submission.op);
  }
  // The deliberate bug: the incoming op goes right of the history instead of left.
  ot::Expected<ot::RevisionLog::OpRange> since = live.log().ops_since(submission.base_revision);
  if (!since) return since.error();
  ot::Operation op = submission.op;
  for (const ot::Operation& applied : *since) {
    ot::Expected<ot::Operation> moved = ot::transform_against(op, applied, ot::Side::right);
    if (!moved) return moved.error();
    op = std::move(*moved);
  }
  return live.submit(id, submission.seq, live.revision(), std::move(op));
}

void SimServer::submit(std::uint32_t client, std::uint32_t doc_index, const ot::Submission& submission) {
  Document& doc = docs_[doc_index];
  if (!sessions_[client][doc_index].open) {
    verdict_.fail("protocol", client_ids_[client] + " sent an op on " + doc_name(doc_index) + " before opening it");
    return;
  }
  ot::ServerDocument& live = load(doc_index);
  ot::Expected<ot::Applied> applied = submit_with_faults(live, client, submission);
  if (!applied) {
    verdict_.fail("refused_op", "the server refused " + client_ids_[client] + "'s op seq " +
                                    std::to_string(submission.seq) + " at revision " +
                                    std::to_string(submission.base_revision) + " on " + doc_name(doc_index) + " (" +
                                    std::string(ot::to_string(applied.error().code)) +
                                    "): " + applied.error().message);
    return;
  }
  const PendingOp record{applied->revision, client, submission.seq};
  if (applied->duplicate) {
    ++duplicates_;
    if (transcript_.enabled()) {
      transcript_.add("  server: " + client_ids_[client] + " seq " + std::to_string(submission.seq) +
                      " is a duplicate of revision " + std::to_string(applied->revision));
    }
    doc.duplicate_acks.push_back(record);
    answer_duplicates(doc_index);
    return;
  }
  if (transcript_.enabled()) {
    transcript_.add("  server applies it as revision " + std::to_string(applied->revision) + " " +
                    wire(applied->op_as_applied) + " (pending until durable)");
  }
  doc.pending.push_back(record);
  if (faults_.ack_before_durable) {  // the deliberate bug: an ack out of the stream, too early
    send(client, ToClient{.kind = ToClient::Kind::duplicate_ack, .doc = doc_index, .revision = applied->revision,
                          .author = client, .seq = submission.seq});
  }
}

// A cursor the client set at `revision` (its text then), moved to the durable head.
void SimServer::update_presence(std::uint32_t client, std::uint32_t doc_index, std::uint64_t revision,
                                ot::Selection selection) {
  Document& doc = docs_[doc_index];
  if (!sessions_[client][doc_index].open) return;  // the real server answers not_open; nothing changes
  if (revision > durable_head(doc)) {
    verdict_.fail("presence", client_ids_[client] + " sent a cursor at revision " + std::to_string(revision) +
                                  ", beyond the durable head " + std::to_string(durable_head(doc)));
    return;
  }
  const std::size_t length_then =
      revision == 0 ? 0 : doc.durable[revision - 1].op.target_length();
  if (selection.anchor > length_then || selection.head > length_then) {
    verdict_.fail("presence", client_ids_[client] + " sent a cursor (" + std::to_string(selection.anchor) + ", " +
                                  std::to_string(selection.head) + ") outside " + doc_name(doc_index) +
                                  " at revision " + std::to_string(revision) + " (" + std::to_string(length_then) +
                                  " code points)");
    return;
  }
  for (std::uint64_t r = revision + 1; r <= durable_head(doc); ++r) {
    selection = ot::transform_selection(selection, doc.durable[r - 1].op, ot::Side::right);
  }
  doc.presence[client] = selection;
  for (std::uint32_t peer = 0; peer < client_ids_.size(); ++peer) {
    if (peer == client || !in_session(peer, doc_index)) continue;
    send(peer, ToClient{.kind = ToClient::Kind::presence, .doc = doc_index, .revision = durable_head(doc),
                        .author = client, .selection = selection});
  }
}

void SimServer::commit(std::uint32_t doc_index) {
  make_durable(doc_index, docs_[doc_index].pending.size());
}

// The first `count` pending ops become durable, in order; then acks and broadcasts go out.
void SimServer::make_durable(std::uint32_t doc_index, std::size_t count) {
  Document& doc = docs_[doc_index];
  for (std::size_t i = 0; i < count && !verdict_.failed(); ++i) {
    const PendingOp pending = doc.pending.front();
    doc.pending.pop_front();
    const ot::Operation* op = doc.live ? doc.live->log().op_at(pending.revision) : nullptr;
    if (op == nullptr || pending.revision != durable_head(doc) + 1) {
      verdict_.fail("dense_revisions", doc_name(doc_index) + ": pending revision " +
                                           std::to_string(pending.revision) + " cannot follow durable head " +
                                           std::to_string(durable_head(doc)));
      return;
    }
    ot::Expected<std::string> text = ot::apply(doc.durable_text, *op);
    if (!text) {
      verdict_.fail("replay", doc_name(doc_index) + ": revision " + std::to_string(pending.revision) +
                                  " does not apply to the stored text: " + text.error().message);
      return;
    }
    doc.durable_text = std::move(*text);
    for (auto& [peer, selection] : doc.presence) selection = ot::transform_selection(selection, *op, ot::Side::right);
    doc.durable.push_back(StoredOp{*op, pending.author, pending.seq});
  }
  if (count > 0 && transcript_.enabled()) {
    transcript_.add("  storage: " + doc_name(doc_index) + " durable up to revision " +
                    std::to_string(durable_head(doc)));
  }
  flush(doc_index);
  answer_duplicates(doc_index);
}

void SimServer::answer_duplicates(std::uint32_t doc_index) {
  Document& doc = docs_[doc_index];
  std::erase_if(doc.duplicate_acks, [&](const PendingOp& ack) {
    if (ack.revision > durable_head(doc)) return false;
    send(ack.author, ToClient{.kind = ToClient::Kind::duplicate_ack, .doc = doc_index, .revision = ack.revision,
                              .author = ack.author, .seq = ack.seq});
    return true;
  });
}

// Every open session gets the durable revisions it has not been sent yet.
void SimServer::flush(std::uint32_t doc_index) {
  const Document& doc = docs_[doc_index];
  for (std::uint32_t client = 0; client < client_ids_.size(); ++client) {
    if (!in_session(client, doc_index)) continue;
    Session& session = sessions_[client][doc_index];
    for (; session.streamed_up_to < durable_head(doc); ++session.streamed_up_to) {
      const StoredOp& stored = doc.durable[session.streamed_up_to];
      send(client, ToClient{.kind = ToClient::Kind::entry, .doc = doc_index, .revision = session.streamed_up_to + 1,
                            .author = stored.author, .seq = stored.seq, .op = stored.op});
    }
  }
}

void SimServer::crash_document(std::uint32_t doc_index, std::uint64_t entropy) {
  Document& doc = docs_[doc_index];
  if (!doc.live) return;
  SimRandom random(entropy);
  const std::size_t stored = random.below(doc.pending.size() + 1);
  if (transcript_.enabled()) {
    transcript_.add("  storage had " + std::to_string(stored) + " of " + std::to_string(doc.pending.size()) +
                    " pending ops; the rest are lost");
  }
  make_durable(doc_index, stored);
  lost_pending_ops_ += doc.pending.size();
  // The senders of lost ops (and of duplicates of them) hear internal_error and resend.
  for (const PendingOp& lost : doc.pending) {
    if (in_session(lost.author, doc_index)) {
      send(lost.author, ToClient{.kind = ToClient::Kind::error, .doc = doc_index, .revision = lost.revision,
                                 .author = lost.author, .seq = lost.seq});
    }
  }
  for (const PendingOp& waiting : doc.duplicate_acks) {
    if (in_session(waiting.author, doc_index)) {
      send(waiting.author, ToClient{.kind = ToClient::Kind::error, .doc = doc_index, .revision = waiting.revision,
                                    .author = waiting.author, .seq = waiting.seq});
    }
  }
  doc.pending.clear();
  doc.duplicate_acks.clear();
  doc.live.reset();
}

void SimServer::kill() {
  for (Document& doc : docs_) {
    lost_pending_ops_ += doc.pending.size();
    doc.pending.clear();
    doc.duplicate_acks.clear();
    doc.presence.clear();
    doc.live.reset();
  }
  for (std::uint32_t client = 0; client < client_ids_.size(); ++client) {
    for (Session& session : sessions_[client]) session = Session{};
  }
}

void SimServer::disconnect(std::uint32_t client) {
  for (std::uint32_t doc_index = 0; doc_index < docs_.size(); ++doc_index) {
    sessions_[client][doc_index] = Session{};
    // Answers owed to the old connection die with it.
    std::erase_if(docs_[doc_index].duplicate_acks, [client](const PendingOp& ack) { return ack.author == client; });
    if (docs_[doc_index].presence.erase(client) == 0) continue;
    for (std::uint32_t peer = 0; peer < client_ids_.size(); ++peer) {
      if (peer == client || !in_session(peer, doc_index)) continue;
      send(peer, ToClient{.kind = ToClient::Kind::presence_left, .doc = doc_index, .author = client});
    }
  }
}

}  // namespace otter::sim
