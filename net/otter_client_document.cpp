#include "net/otter_client_document.hpp"

#include <algorithm>
#include <utility>

#include "ot/apply.hpp"
#include "ot/compose.hpp"
#include "ot/json_codec.hpp"
#include "ot/utf8.hpp"

namespace otter::net {
namespace {

ErrorMessage error_about_doc(ErrorCode code, std::string message, const std::string& doc) {
  ErrorMessage error = make_error(code, std::move(message));
  error.doc = doc;
  return error;
}

// An upper bound of the op's compact JSON size is at most this cheap estimate's multiple
// (an inserted byte is at most 6 bytes escaped; a component's number and separators less
// than 24): below the limit by it, no need to encode.
std::size_t json_size_bound(const ot::Operation& op) noexcept {
  std::size_t bound = 2;
  for (const ot::Component& component : op.components()) bound += 24 + 6 * component.text().size();
  return bound;
}

ot::Selection clamped(ot::Selection selection, std::size_t length) noexcept {
  return ot::Selection{std::min(selection.anchor, length), std::min(selection.head, length)};
}

}  // namespace

ClientDocument::ClientDocument(std::string name, std::string client_id, bool create, std::uint64_t seq_base,
                               std::string open_id_prefix)
    : name_(std::move(name)),
      client_id_(std::move(client_id)),
      create_(create),
      seq_shift_(static_cast<std::int64_t>(seq_base)),
      last_seq_sent_(seq_base),
      open_id_prefix_(std::move(open_id_prefix)) {}

// ---------------------------------------------------------------- seqs

std::uint64_t ClientDocument::wire_seq(std::uint64_t client_seq) const noexcept {
  return static_cast<std::uint64_t>(static_cast<std::int64_t>(client_seq) + seq_shift_);
}

std::uint64_t ClientDocument::client_seq(std::uint64_t wire) const noexcept {
  const std::int64_t seq = static_cast<std::int64_t>(wire) - seq_shift_;
  return seq > 0 ? static_cast<std::uint64_t>(seq) : 0;  // 0 is never a client seq
}

std::optional<std::uint64_t> ClientDocument::outstanding_wire_seq() const {
  if (!client_) return std::nullopt;
  const std::optional<ot::Submission> in_flight = client_->resend();
  if (!in_flight) return std::nullopt;
  return wire_seq(in_flight->seq);
}

// ---------------------------------------------------------------- opening

Open ClientDocument::open_message() {
  Open open;
  open.id = RequestId(open_id_prefix_ + std::to_string(++opens_sent_));
  open.doc = name_;
  open.create = create_;
  if (client_ && !reloading_) open.revision = client_->revision();
  open_id_ = open.id;
  phase_ = Phase::opening;
  return open;
}

void ClientDocument::connection_lost() noexcept {
  if (phase_ != Phase::failed) phase_ = Phase::closed;
}

void ClientDocument::on_opened(const Opened& opened, DocumentEffects& out) {
  if (phase_ != Phase::opening) return;  // an answer to an open we gave up on
  if (opened.id && open_id_ && *opened.id != *open_id_) return;  // to an earlier open
  if (opened.text) {
    load_text(opened, out);
    if (phase_ != Phase::open) return;
  } else if (opened.ops && client_ && !reloading_) {
    phase_ = Phase::open;
    replaying_ = true;
    for (const OpsEntry& entry : *opened.ops) {
      apply_entry(entry, out);
      if (phase_ != Phase::open) break;  // the catch-up did not fit: reloading
    }
    replaying_ = false;
    if (phase_ != Phase::open) return;
    DocumentOpenedEvent event;
    event.doc = name_;
    event.revision = client_->revision();
    event.kind = DocumentOpenedEvent::Kind::resumed;
    out.events.emplace_back(std::move(event));
  } else {
    // A resume answer to a fresh open (or neither text nor ops): start over from the text.
    phase_ = Phase::open;
    reload("the server answered the open of document \"" + name_ + "\" with ops this client cannot resume from",
           false, out);
    return;
  }
  set_peers(opened.presence, out);
  if (selection_set_) presence_due_ = true;
  retries_ = 0;
  resend_now(out);
  send_presence_if_due(out);
}

void ClientDocument::load_text(const Opened& opened, DocumentEffects& out) {
  const std::string& text = *opened.text;
  const std::optional<std::size_t> length = ot::validated_code_points(text);
  if (!length) {
    ErrorMessage error =
        error_about_doc(ErrorCode::invalid_utf8, "the server sent text that is not UTF-8 for document \"" + name_ + "\"",
                        name_);
    fail(error);
    out.events.emplace_back(ErrorEvent{std::move(error), false});
    return;
  }
  const bool first = !client_;
  bool dropped = local_edits_dropped_;
  if (client_ && client_->outstanding()) {
    // Whether the server applied it, only the text knows; its seq may or may not be used.
    ++uncertain_seqs_;
    dropped = true;
  }
  if (client_) {
    client_->reset(opened.revision, *length);
  } else {
    client_.emplace(opened.revision, *length);
  }
  text_ = ot::Rope(text);
  phase_ = Phase::open;
  reloading_ = false;
  local_edits_dropped_ = false;

  DocumentOpenedEvent event;
  event.doc = name_;
  event.revision = opened.revision;
  event.kind = first ? DocumentOpenedEvent::Kind::opened : DocumentOpenedEvent::Kind::reloaded;
  event.text = text;
  event.local_edits_dropped = dropped;
  out.events.emplace_back(std::move(event));
}

void ClientDocument::reload(std::string why, bool refused, DocumentEffects& out) {
  if (refused && client_) {
    // The server did not apply the op in flight: its seq is free again, and the local
    // text (which has it) must be replaced. reset() drops it and the buffer behind it.
    --seq_shift_;
    local_edits_dropped_ = true;
    client_->reset(client_->revision(), text_.size());
  }
  if (!why.empty()) {
    out.events.emplace_back(ErrorEvent{error_about_doc(ErrorCode::internal_error, std::move(why), name_), true});
  }
  if (phase_ == Phase::open) out.send.emplace_back(Close{std::nullopt, name_});
  reloading_ = true;
  out.send.emplace_back(open_message());
}

void ClientDocument::reopen(DocumentEffects& out) {
  phase_ = Phase::closed;
  out.send.emplace_back(open_message());
}

void ClientDocument::fail(ErrorMessage error) {
  phase_ = Phase::failed;
  failure_ = std::move(error);
}

// ---------------------------------------------------------------- the server's stream

void ClientDocument::on_ops(const std::vector<OpsEntry>& entries, DocumentEffects& out) {
  if (phase_ != Phase::open) return;  // before a reload's `opened`: the old stream
  for (const OpsEntry& entry : entries) {
    apply_entry(entry, out);
    if (phase_ != Phase::open) return;
  }
}

void ClientDocument::apply_entry(const OpsEntry& entry, DocumentEffects& out) {
  const std::uint64_t revision = client_->revision();
  const bool own = !entry.op && entry.seq && entry.client_id == client_id_;
  if (entry.duplicate) {
    // Out of the revision stream: the ack of a resend whose original is (or will be) in it.
    if (own && client_->awaits_ack(client_seq(*entry.seq), entry.rev)) (void)apply_ack(entry, out);
    return;
  }
  if (entry.rev <= revision) return;  // already incorporated
  if (entry.rev != revision + 1) {
    reload("document \"" + name_ + "\" jumped from revision " + std::to_string(revision) + " to " +
               std::to_string(entry.rev) + "; reloading it",
           false, out);
    return;
  }
  if (entry.op) {
    if (!apply_remote(entry, out)) {
      reload("revision " + std::to_string(entry.rev) + " of document \"" + name_ +
                 "\" does not fit the local text; reloading it",
             false, out);
    }
    return;
  }
  if (!own || !apply_ack(entry, out)) {
    reload("revision " + std::to_string(entry.rev) + " of document \"" + name_ +
               "\" acknowledges an op this client has not in flight; reloading it",
           false, out);
  }
}

bool ClientDocument::apply_remote(const OpsEntry& entry, DocumentEffects& out) {
  ot::Expected<ot::Operation> to_apply = client_->apply_server(*entry.op);
  if (!to_apply) return false;
  RemoteEditEvent event;
  std::size_t position = 0;
  for (const ot::Component& component : to_apply->components()) {
    if (component.is_retain()) {
      position += component.length();
    } else if (component.is_erase()) {
      event.erased.push_back(text_.slice(position, component.length()));
      position += component.length();
    }
  }
  if (!ot::apply(text_, *to_apply)) return false;  // unreachable: the client checked the length
  move_peers(*to_apply);
  event.doc = name_;
  event.revision = entry.rev;
  event.client_id = entry.client_id;
  event.op = std::move(*to_apply);
  out.events.emplace_back(std::move(event));
  return true;
}

bool ClientDocument::apply_ack(const OpsEntry& entry, DocumentEffects& out) {
  if (!client_->awaits_ack(client_seq(*entry.seq), entry.rev)) return false;
  ot::Expected<std::optional<ot::Submission>> next = client_->server_ack();
  if (!next) return false;  // unreachable: awaits_ack said an op is in flight
  retries_ = 0;
  out.events.emplace_back(AckEvent{name_, entry.rev, *entry.seq});
  if (*next && !replaying_) send_submission(**next, out);
  send_presence_if_due(out);
  return true;
}

void ClientDocument::on_presence(const PresenceBroadcast& presence, DocumentEffects& out) {
  if (phase_ != Phase::open) return;
  if (presence.left) {
    peers_.erase(presence.peer.session);
    out.events.emplace_back(PresenceEvent{name_, presence.peer, true});
    return;
  }
  PeerPresence peer = presence.peer;
  peer.selection = to_local(peer.selection);
  peers_[peer.session] = peer;
  out.events.emplace_back(PresenceEvent{name_, std::move(peer), false});
}

void ClientDocument::set_peers(const std::vector<PeerPresence>& peers, DocumentEffects& out) {
  std::map<std::string, PeerPresence, std::less<>> now;
  for (const PeerPresence& peer : peers) {
    PeerPresence local = peer;
    local.selection = to_local(local.selection);
    now[local.session] = local;
  }
  for (const auto& [session, peer] : peers_) {
    if (!now.contains(session)) {
      PeerPresence gone;
      gone.session = session;
      out.events.emplace_back(PresenceEvent{name_, std::move(gone), true});
    }
  }
  for (const auto& [session, peer] : now) out.events.emplace_back(PresenceEvent{name_, peer, false});
  peers_ = std::move(now);
}

std::optional<ot::Selection> ClientDocument::to_local(std::optional<ot::Selection> selection) const {
  // A peer's selection is at the server's revision(); the local text also has the pending
  // ops, which the server will move it past (as Side::right) when it applies them.
  if (!selection || !client_) return selection;
  if (client_->outstanding()) selection = ot::transform_selection(*selection, *client_->outstanding(), ot::Side::right);
  if (client_->buffer()) selection = ot::transform_selection(*selection, *client_->buffer(), ot::Side::right);
  return clamped(*selection, text_.size());
}

void ClientDocument::move_peers(const ot::Operation& op) {
  for (auto& [session, peer] : peers_) {
    if (peer.selection) peer.selection = ot::transform_selection(*peer.selection, op, ot::Side::right);
  }
}

// ---------------------------------------------------------------- errors and resends

void ClientDocument::on_error(const ErrorMessage& error, DocumentEffects& out) {
  ErrorEvent event{error, false};
  const std::optional<std::uint64_t> in_flight = outstanding_wire_seq();
  if (phase_ == Phase::opening && error.id && open_id_ && *error.id == *open_id_) {
    fail(error);
  } else if (phase_ == Phase::open && error.seq && in_flight && *error.seq == *in_flight) {
    // The server did not apply the op in flight.
    event.handled = true;
    out.events.emplace_back(std::move(event));
    switch (error.code) {
      case ErrorCode::rate_limited:
        schedule_resend(out);
        return;
      case ErrorCode::internal_error:
      case ErrorCode::storage_unavailable:
        if (++retries_ <= kImmediateRetries) {
          resend_now(out);
        } else {
          schedule_resend(out);
        }
        return;
      case ErrorCode::not_open:
        reopen(out);
        return;
      case ErrorCode::resync_required:
        if (client_->revision() > in_flight_base_) {
          resend_now(out);  // rebased on the ops that came since: inside the history again
        } else {
          reload({}, true, out);
        }
        return;
      case ErrorCode::seq_out_of_order:
        if (uncertain_seqs_ > 0) {
          // A dropped op's seq was not used after all: use it now.
          --uncertain_seqs_;
          --seq_shift_;
          resend_now(out);
          return;
        }
        std::get<ErrorEvent>(out.events.back()).handled = false;
        reload({}, true, out);
        return;
      default:
        reload({}, true, out);  // the edit itself was refused: back to the server's text
        return;
    }
  } else if (phase_ == Phase::open && error.code == ErrorCode::resync_required && !error.seq) {
    event.handled = true;  // the server dropped the document: open it again
    out.events.emplace_back(std::move(event));
    reopen(out);
    return;
  }
  out.events.emplace_back(std::move(event));
}

void ClientDocument::resend_now(DocumentEffects& out) {
  if (phase_ != Phase::open || !client_) return;
  if (const std::optional<ot::Submission> in_flight = client_->resend()) send_submission(*in_flight, out);
}

void ClientDocument::schedule_resend(DocumentEffects& out) {
  const int doublings = std::min(retries_, 10);
  ++retries_;
  out.resend_after = std::min(kMaxRetryDelay, kFirstRetryDelay * (1 << doublings));
}

void ClientDocument::resend_due(DocumentEffects& out) { resend_now(out); }

void ClientDocument::send_submission(const ot::Submission& submission, DocumentEffects& out) {
  Edit edit;
  edit.doc = name_;
  edit.rev = submission.base_revision;
  edit.seq = wire_seq(submission.seq);
  edit.op = submission.op;
  last_seq_sent_ = std::max(last_seq_sent_, edit.seq);
  in_flight_base_ = edit.rev;
  out.send.emplace_back(std::move(edit));
}

// ---------------------------------------------------------------- local edits and presence

std::optional<ErrorMessage> ClientDocument::edit(ot::Operation op, DocumentEffects& out) {
  if (!client_ || phase_ == Phase::failed || reloading_) {
    return error_about_doc(ErrorCode::not_open,
                           reloading_ ? "document \"" + name_ + "\" is being reloaded from the server; edit it again "
                                                                "once it is open"
                                      : "document \"" + name_ + "\" is not open",
                           name_);
  }
  if (op.base_length() != text_.size()) {
    return error_about_doc(ErrorCode::invalid_op,
                           "the edit spans " + std::to_string(op.base_length()) +
                               " code points but document \"" + name_ + "\" has " + std::to_string(text_.size()),
                           name_);
  }
  if (op.is_identity()) return std::nullopt;
  if (max_code_points_ > 0 && op.target_length() > max_code_points_ && op.target_length() > op.base_length()) {
    return error_about_doc(ErrorCode::doc_too_large,
                           "the edit would make document \"" + name_ + "\" " + std::to_string(op.target_length()) +
                               " code points long; the server allows " + std::to_string(max_code_points_),
                           name_);
  }
  if (max_op_bytes_ > 0) {
    // What goes out: the op itself, or the buffer it joins behind the op in flight.
    const std::optional<ot::Operation>& buffer = client_->buffer();
    const std::size_t bound = json_size_bound(op) + (buffer ? json_size_bound(*buffer) : 0);
    if (bound > max_op_bytes_) {
      ot::Expected<ot::Operation> composed = buffer ? ot::compose(*buffer, op) : ot::Expected<ot::Operation>(op);
      const std::size_t size = composed ? ot::encode(*composed).size() : 0;
      if (size > max_op_bytes_) {
        return error_about_doc(ErrorCode::op_too_large,
                               "the edit" + std::string(buffer ? ", with the edits waiting to be sent," : "") +
                                   " is " + std::to_string(size) + " bytes of JSON; the server allows " +
                                   std::to_string(max_op_bytes_) + " per op" +
                                   (buffer ? " (wait for the edits in flight first)" : ""),
                               name_);
      }
    }
  }
  if (!ot::apply(text_, op)) {
    return error_about_doc(ErrorCode::invalid_op, "the edit does not fit document \"" + name_ + "\"", name_);
  }
  ot::Expected<std::optional<ot::Submission>> submission = client_->apply_client(op);
  move_peers(op);
  if (submission && *submission && phase_ == Phase::open) send_submission(**submission, out);
  return std::nullopt;
}

void ClientDocument::set_limits(const Limits& limits) noexcept {
  max_op_bytes_ = static_cast<std::size_t>(limits.max_op_bytes);
  max_code_points_ = static_cast<std::size_t>(limits.max_doc_code_points);
}

std::optional<ErrorMessage> ClientDocument::set_selection(std::optional<ot::Selection> selection,
                                                          DocumentEffects& out) {
  if (!client_ || phase_ == Phase::failed) {
    return error_about_doc(ErrorCode::not_open, "document \"" + name_ + "\" is not open", name_);
  }
  selection_set_ = selection.has_value();
  if (selection) client_->set_selection(clamped(*selection, text_.size()));
  presence_due_ = true;
  send_presence_if_due(out);
  return std::nullopt;
}

void ClientDocument::send_presence_if_due(DocumentEffects& out) {
  if (!presence_due_ || phase_ != Phase::open || replaying_ || !client_ ||
      client_->state() != ot::Client::State::synchronized) {
    return;  // with edits in flight the local text is not the server's at revision()
  }
  PresenceUpdate presence;
  presence.doc = name_;
  presence.rev = client_->revision();
  if (selection_set_) presence.selection = client_->selection();
  presence_due_ = false;
  out.send.emplace_back(std::move(presence));
}

// ---------------------------------------------------------------- queries

bool ClientDocument::synchronized() const noexcept {
  return phase_ == Phase::open && client_ && client_->state() == ot::Client::State::synchronized;
}

DocumentView ClientDocument::view() const {
  DocumentView view;
  view.doc = name_;
  view.open = phase_ == Phase::open;
  view.revision = revision();
  view.text = text_.to_string();
  view.length = text_.size();
  view.synchronized = synchronized();
  if (client_ && selection_set_) view.selection = client_->selection();
  view.peers.reserve(peers_.size());
  for (const auto& [session, peer] : peers_) view.peers.push_back(peer);
  return view;
}

}  // namespace otter::net
