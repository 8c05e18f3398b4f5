#include "server/session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <type_traits>
#include <utility>
#include <variant>

#include "net/error_code.hpp"
#include "net/protocol.hpp"
#include "server/frames.hpp"

namespace otter::server {

namespace {

// An open (or rejoin) whose document process keeps vanishing gives up after this many.
constexpr int kOpenAttempts = 8;

struct Flush {};       // self: flush behind what is already in the mailbox
struct FlushRetry {};  // timer: the socket was busy at the last flush

// An error answering client message `m`: id, and doc/seq when it has them, echoed.
template <class M>
net::ErrorMessage error_about(const M& m, net::ErrorCode code, std::string text) {
  net::ErrorMessage error = net::make_error(code, std::move(text));
  error.id = m.id;
  if constexpr (requires { m.doc; }) error.doc = m.doc;
  if constexpr (std::is_same_v<M, net::Edit>) error.seq = m.seq;
  return error;
}

// Compares in time independent of where the texts differ (a token is a secret).
bool same_secret(std::string_view given, std::string_view expected) {
  if (expected.empty()) return false;
  unsigned char differ = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i) {
    differ |= static_cast<unsigned char>(given[i] ^ expected[i % expected.size()]);
  }
  return differ == 0;
}

std::shared_ptr<const std::string> share(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

}  // namespace

Session::Session(std::shared_ptr<ServiceContext> context, std::shared_ptr<Outbound> outbound)
    : DocumentsClient(std::move(context)),
      outbound_(std::move(outbound)),
      rate_(static_cast<double>(this->context().session_options.ops_per_second),
            static_cast<double>(this->context().session_options.ops_per_second)) {}

std::string Session::describe() const {
  return "session " + session_id_ + " (client " + (client_id_.empty() ? "?" : client_id_) + ", " +
         std::to_string(docs_.size()) + " documents)";
}

core::GenServer::InitResult Session::init() {
  session_id_ = context().next_session_id();
  Metrics* metrics = &context().metrics;
  metrics->sessions_open.add();
  on_exit([metrics](core::Pid, const core::ExitReason& reason) {
    metrics->sessions_open.sub();
    if (reason.is_abnormal()) metrics->session_crashes.add();
  });
  return InitResult::ok();
}

core::GenServer::Result Session::handle_cast(core::Message& message) { return handle_info(message); }

core::GenServer::Result Session::handle_info(core::Message& message) {
  if (closing_) return Result::noreply();
  if (auto* frame = core::match<ClientFrame>(message)) return on_frame(frame->text);
  if (const auto* batch = core::match<DurableBatchPtr>(message)) {
    on_batch(*batch);
  } else if (const auto* event = core::match<PresenceEventPtr>(message)) {
    on_presence_event(*event);
  } else if (core::match<Flush>(message) != nullptr) {
    flush_scheduled_ = false;
    return flush();
  } else if (core::match<FlushRetry>(message) != nullptr) {
    retry_armed_ = false;
    return flush();
  } else if (auto* failed = core::match<DocumentRequestFailed>(message)) {
    on_request_failed(*failed);
  } else if (const auto* ack = core::match<DuplicateAck>(message)) {
    on_duplicate_ack(*ack);
  } else if (const auto* down = core::match<core::Down>(message)) {
    on_document_down(*down);
  } else if (const auto* gone = core::match<DocumentGone>(message)) {
    on_document_gone(*gone);
  } else if (core::match<ConnectionClosed>(message) != nullptr) {
    return Result::stop(core::ExitReason::normal());
  } else if (on_dashboard_message(message)) {
    return Result::noreply();
  } else {
    return DocumentsClient::handle_info(message);
  }
  return Result::noreply();
}

void Session::terminate(const core::ExitReason& reason) {
  if (closing_) return;
  closing_ = true;
  if (reason.kind() == core::ExitReason::Kind::shutdown) {
    emit_error(net::make_error(net::ErrorCode::shutting_down, "the server is stopping; reconnect later"));
    send_everything_now();
    outbound_->close(*net::close_code(net::ErrorCode::shutting_down),
                     std::string(net::to_string(net::ErrorCode::shutting_down)));
  } else if (reason.is_abnormal()) {
    // A bug in this session: say so and end the connection (the client reconnects).
    outbound_->send(share(net::encode(
        net::make_error(net::ErrorCode::internal_error, "the session failed; reconnect and resend"))));
    outbound_->close(1011, std::string(net::to_string(net::ErrorCode::internal_error)));
  }
}

// --- input ------------------------------------------------------------------------------

core::GenServer::Result Session::on_frame(std::string& text) {
  const net::DecodeLimits limits{.max_op_bytes = context().session_options.max_op_bytes};
  net::Expected<net::ClientMessage> decoded = net::decode_client_message(text, limits);
  if (!decoded) {
    emit_error(std::move(decoded).error());
    return Result::noreply();
  }
  net::ClientMessage& message = *decoded;
  if (auto* hello = std::get_if<net::Hello>(&message)) return on_hello(*hello);
  if (!hello_done_) {
    std::visit(
        [this](const auto& m) {
          emit_error(error_about(m, net::ErrorCode::hello_required,
                                 "the first message on a connection must be \"hello\", not \"" +
                                     std::string(net::type_name(net::ClientMessage(m))) + "\""));
        },
        message);
    return Result::noreply();
  }
  if (auto* open = std::get_if<net::Open>(&message)) {
    on_open(*open);
  } else if (auto* close = std::get_if<net::Close>(&message)) {
    on_close(*close);
  } else if (auto* edit = std::get_if<net::Edit>(&message)) {
    on_edit(*edit);
  } else if (auto* presence = std::get_if<net::PresenceUpdate>(&message)) {
    on_presence(*presence);
  } else if (const auto* ping = std::get_if<net::Ping>(&message)) {
    emit(net::encode(net::Pong{ping->id}));
  } else if (auto* subscribe = std::get_if<net::DashboardSubscribe>(&message)) {
    on_dashboard_subscribe(*subscribe);
  } else if (std::get_if<net::DashboardUnsubscribe>(&message) != nullptr) {
    on_dashboard_unsubscribe();
  } else if (auto* crash = std::get_if<net::Crash>(&message)) {
    on_crash(*crash);
  }
  return Result::noreply();
}

core::GenServer::Result Session::on_hello(net::Hello& hello) {
  if (hello_done_) {
    emit_error(error_about(hello, net::ErrorCode::invalid_message, "\"hello\" was already received on this connection"));
    return Result::noreply();
  }
  if (hello.version != net::kProtocolVersion) {
    return close_fatally(net::ErrorCode::unsupported_version,
                         "protocol version " + std::to_string(hello.version) + " is not supported; this server speaks " +
                             std::to_string(net::kProtocolVersion),
                         hello.id);
  }
  hello_done_ = true;
  client_id_ = hello.client_id ? std::move(*hello.client_id) : context().new_client_id();
  name_ = std::move(hello.name);
  color_ = std::move(hello.color);
  const SessionOptions& options = context().session_options;
  admin_ = options.admin_all || (!options.admin_token.empty() && hello.token &&
                                 same_secret(*hello.token, options.admin_token));
  net::Welcome welcome;
  welcome.id = hello.id;
  welcome.session = session_id_;
  welcome.client_id = client_id_;
  welcome.server = options.server_name;
  welcome.heartbeat_ms = static_cast<std::uint64_t>(options.heartbeat.count());
  welcome.limits = net::Limits{
      .max_frame_bytes = options.max_frame_bytes,
      .max_op_bytes = options.max_op_bytes,
      .max_doc_code_points = context().document_options.max_code_points,
      .ops_per_second = options.ops_per_second,
      .max_open_docs = options.max_open_docs,
  };
  emit(net::encode(welcome));
  return Result::noreply();
}

void Session::on_open(net::Open& open) {
  if (auto valid = check_document_id(open.doc); !valid) {
    emit_error(error_about(open, net::ErrorCode::invalid_doc_id, valid.error().message));
    return;
  }
  if (docs_.contains(open.doc)) {
    emit_error(error_about(open, net::ErrorCode::invalid_message,
                           "document \"" + open.doc + "\" is already open on this connection; close it first"));
    return;
  }
  const std::size_t max_docs = context().session_options.max_open_docs;
  if (docs_.size() >= max_docs) {
    emit_error(error_about(open, net::ErrorCode::too_many_docs,
                           "this connection has " + std::to_string(docs_.size()) +
                               " documents open, the most it may; close one first"));
    return;
  }
  OpenDoc& doc = docs_[open.doc];
  doc.epoch = ++next_epoch_;
  doc.joining = std::make_unique<Joining>(Joining{.open_id = open.id, .resume_from = open.revision, .create = open.create});
  // Subscribe before asking: every batch after the revision the answer carries reaches us.
  context().pubsub.subscribe(*this, topic_of(open.doc));
  request_open(open.doc);
}

void Session::on_close(net::Close& close) {
  const auto it = docs_.find(close.doc);
  if (it == docs_.end()) {
    emit_error(error_about(close, net::ErrorCode::not_open, "document \"" + close.doc + "\" is not open"));
    return;
  }
  drop_document(close.doc);
  emit(net::encode(net::Closed{close.id, close.doc}));
}

void Session::on_edit(net::Edit& edit) {
  const auto it = docs_.find(edit.doc);
  if (it == docs_.end() || it->second.phase == DocPhase::opening) {
    emit_error(error_about(edit, net::ErrorCode::not_open, "document \"" + edit.doc + "\" is not open"));
    return;
  }
  if (!rate_.try_take()) {
    context().metrics.rate_limited.add();
    emit_error(error_about(edit, net::ErrorCode::rate_limited,
                           "more than " + std::to_string(context().session_options.ops_per_second) +
                               " ops per second from this connection; resend later"));
    return;
  }
  OpenDoc& doc = it->second;
  if (doc.phase == DocPhase::rejoining) {
    doc.joining->deferred.push_back(PendingEdit{std::move(edit)});
    return;
  }
  send_edit(doc, std::move(edit));
}

void Session::send_edit(OpenDoc& doc, net::Edit&& edit) {
  doc.in_flight[edit.seq] = edit.id;
  send(doc.pid, SubmitOp{self(), client_id_, edit.seq, edit.rev, std::move(edit.op), std::move(edit.id)});
}

void Session::on_presence(net::PresenceUpdate& presence) {
  const auto it = docs_.find(presence.doc);
  if (it == docs_.end() || it->second.phase == DocPhase::opening) {
    emit_error(error_about(presence, net::ErrorCode::not_open, "document \"" + presence.doc + "\" is not open"));
    return;
  }
  if (presence.selection && presence.rev > it->second.revision) {
    emit_error(error_about(presence, net::ErrorCode::revision_in_future,
                           "presence revision " + std::to_string(presence.rev) + " is ahead of revision " +
                               std::to_string(it->second.revision) + ", the last this connection received"));
    return;
  }
  if (it->second.phase == DocPhase::rejoining) return;  // a cursor is not worth queueing
  send(it->second.pid, UpdatePresence{self(), presence.rev, presence.selection, std::move(presence.id)});
}

// --- documents --------------------------------------------------------------------------

SessionIdentity Session::identity() const { return SessionIdentity{self(), session_id_, client_id_, name_, color_}; }

void Session::request_open(const std::string& doc) {
  const std::uint64_t epoch = docs_.at(doc).epoch;
  locate_document(doc, [this, doc, epoch](net::Expected<core::Pid> located) {
    const auto it = docs_.find(doc);
    if (it == docs_.end() || it->second.epoch != epoch) return;  // closed meanwhile
    if (!located) {
      open_failed(doc, std::move(located).error());
      return;
    }
    OpenDoc& open = it->second;
    const bool rejoining = open.phase == DocPhase::rejoining;
    OpenDocument request{identity(), rejoining ? std::optional<std::uint64_t>(open.revision) : open.joining->resume_from,
                         rejoining ? false : open.joining->create};
    const core::Pid pid = *located;
    // Monitored from the call on: a document process that accepted the open and then
    // crashed (while loading) never answers it, and a call alone would only time out.
    if (open.monitor) demonitor(open.monitor);
    open.monitor = monitor(pid);
    open.pid = pid;
    const std::uint64_t attempt = ++open.attempt;
    call<OpenDocument::Reply>(pid, std::move(request), context().session_options.open_timeout,
                              [this, doc, epoch, attempt, pid](core::CallOutcome<OpenDocument::Reply> outcome) {
                                on_open_reply(doc, epoch, attempt, pid, outcome);
                              });
  });
}

void Session::retry_open(const std::string& doc, OpenDoc& open, const std::string& why) {
  if (open.monitor) demonitor(open.monitor);
  open.monitor = {};
  open.pid = {};
  ++open.attempt;  // whatever the call in flight answers now is stale
  if (++open.joining->attempts < kOpenAttempts) {
    request_open(doc);  // it stopped (idle) or crashed before answering: find its successor
    return;
  }
  open_failed(doc, net::make_error(net::ErrorCode::internal_error,
                                   "document \"" + doc + "\" could not be opened (" + why + "); open it again"));
}

void Session::on_open_reply(const std::string& doc, std::uint64_t epoch, std::uint64_t attempt, core::Pid pid,
                            core::CallOutcome<OpenDocument::Reply>& outcome) {
  const auto it = docs_.find(doc);
  if (it == docs_.end() || it->second.epoch != epoch) {
    // Closed while the open was on its way: the document counts us as present; undo that.
    if (outcome && outcome->has_value()) send(pid, CloseDocument{self()});
    return;
  }
  OpenDoc& open = it->second;
  if (attempt != open.attempt) return;  // its process died (Down) and we asked its successor
  if (!outcome) {
    const core::CallFailure& failure = outcome.failure();
    const bool gone = failure.error == core::CallError::noproc || failure.error == core::CallError::callee_exited;
    if (gone) {
      retry_open(doc, open, failure.to_string());
      return;
    }
    if (open.monitor) demonitor(open.monitor);
    open.monitor = {};
    open_failed(doc, net::make_error(net::ErrorCode::internal_error,
                                     "document \"" + doc + "\" could not be opened (" + failure.to_string() + ")"));
    return;
  }
  if (!outcome->has_value()) {
    open_failed(doc, std::move(*outcome).error());
    return;
  }
  OpenedDocument& opened = **outcome;
  if (open.phase == DocPhase::opening) {
    emit(opened_frame(open.joining->open_id, doc, opened, client_id_), &doc);
    open.revision = opened.revision;
  } else {
    if (opened.text) {
      // The new process cannot give the ops we missed: the client must reopen.
      net::ErrorMessage error = net::make_error(
          net::ErrorCode::resync_required,
          "document \"" + doc + "\" was reloaded and no longer has the history since revision " +
              std::to_string(open.revision) + "; reopen it");
      error.doc = doc;
      drop_document(doc);
      emit_error(std::move(error));
      return;
    }
    for (const DurableBatchPtr& batch : opened.history) add_batch(doc, open, batch);
    for (const PresenceState& peer : opened.presence) emit(presence_frame(doc, peer), &doc);
    // What is still in flight was lost with the old process: the client must resend it.
    const bool storage_failed = open.joining->crash_reason.detail().starts_with("storage_unavailable");
    for (const auto& [seq, id] : open.in_flight) {
      net::ErrorMessage error = net::make_error(
          storage_failed ? net::ErrorCode::storage_unavailable : net::ErrorCode::internal_error,
          "the process of document \"" + doc + "\" restarted before op " + std::to_string(seq) +
              " was durable; it was not applied; resend it");
      error.id = id;
      error.doc = doc;
      error.seq = seq;
      emit_error(std::move(error));
    }
    open.in_flight.clear();
  }
  // Taken before the held batches are added: one of them may start a rejoin of its own.
  const std::unique_ptr<Joining> joined = std::move(open.joining);
  open.phase = DocPhase::open;
  for (const DurableBatchPtr& batch : joined->held) add_batch(doc, open, batch);
  for (PendingEdit& edit : joined->deferred) send_edit(open, std::move(edit.edit));
  schedule_flush();
}

void Session::open_failed(const std::string& doc, net::ErrorMessage error) {
  const auto it = docs_.find(doc);
  if (it == docs_.end()) return;
  const bool first_open = it->second.phase == DocPhase::opening;
  error.doc = doc;
  if (first_open) error.id = it->second.joining->open_id;
  drop_document(doc);
  emit_error(std::move(error));
}

void Session::drop_document(const std::string& doc) {
  const auto it = docs_.find(doc);
  if (it == docs_.end()) return;
  OpenDoc& open = it->second;
  if (open.monitor) demonitor(open.monitor);
  if (open.phase != DocPhase::opening && open.pid) send(open.pid, CloseDocument{self()});
  context().pubsub.unsubscribe(*this, topic_of(doc));
  for (const PendingBatch& pending : open.pending) {
    for (const DurableOp& op : pending.batch->ops) {
      if (op.revision > pending.after) pending_entry_bytes_ -= std::min(pending_entry_bytes_, entry_size_estimate(op));
    }
  }
  docs_.erase(it);
}

void Session::on_batch(const DurableBatchPtr& batch) {
  const auto it = docs_.find(batch->doc);
  if (it == docs_.end()) return;
  OpenDoc& open = it->second;
  if (open.phase != DocPhase::open) {
    open.joining->held.push_back(batch);
    return;
  }
  add_batch(batch->doc, open, batch);
  schedule_flush();
}

void Session::add_batch(const std::string& doc, OpenDoc& open, const DurableBatchPtr& batch) {
  if (batch->last_revision() <= open.revision) return;  // already queued (or in `opened`)
  if (batch->first_revision() > open.revision + 1) {
    // A gap: revisions were made durable by a process whose batches never reached us
    // (it died first). Catch up from its successor.
    spdlog::warn("session {}: document '{}' jumped from revision {} to {}; rejoining", session_id_, doc,
                 open.revision, batch->first_revision());
    if (open.monitor) demonitor(open.monitor);
    open.monitor = {};
    rejoin(doc, open, core::ExitReason::error("revision gap"));
    open.joining->held.push_back(batch);  // after rejoin: it starts the Joining when open
    return;
  }
  const std::uint64_t after = open.revision;
  for (const DurableOp& op : batch->ops) {
    if (op.revision <= after) continue;
    if (op.client_id == client_id_) open.in_flight.erase(op.seq);
    pending_entry_bytes_ += entry_size_estimate(op);
    open.revision = op.revision;
  }
  open.pending.push_back(PendingBatch{batch, after});
}

void Session::on_presence_event(const PresenceEventPtr& event) {
  const auto it = docs_.find(event->doc);
  if (it == docs_.end() || it->second.phase != DocPhase::open) return;  // `opened` carries presence
  emit_shared(event->frame, &it->first);
  schedule_flush();
}

void Session::on_document_down(const core::Down& down) {
  for (auto& [doc, open] : docs_) {
    if (open.monitor != down.ref) continue;
    open.monitor = {};
    if (open.phase == DocPhase::open) {
      rejoin(doc, open, down.reason);
    } else {
      if (open.phase == DocPhase::rejoining) open.joining->crash_reason = down.reason;
      retry_open(doc, open, "its process exited: " + down.reason.to_string());
    }
    return;
  }
}

void Session::rejoin(const std::string& doc, OpenDoc& open, core::ExitReason reason) {
  if (open.phase == DocPhase::rejoining) return;
  open.phase = DocPhase::rejoining;
  open.joining = std::make_unique<Joining>(Joining{.create = false, .crash_reason = std::move(reason)});
  open.pid = {};
  request_open(doc);
}

void Session::on_request_failed(DocumentRequestFailed& failed) {
  const auto it = docs_.find(failed.doc);
  if (it == docs_.end()) return;
  if (failed.error.seq) it->second.in_flight.erase(*failed.error.seq);
  emit_error(std::move(failed.error));
}

void Session::on_duplicate_ack(const DuplicateAck& ack) {
  const auto it = docs_.find(ack.doc);
  if (it == docs_.end()) return;
  it->second.in_flight.erase(ack.seq);
  OpsFrameWriter frame(ack.doc);
  frame.add_duplicate_ack(ack.client_id, ack.seq, ack.revision);
  emit(frame.finish(), &it->first);
  schedule_flush();
}

void Session::on_document_gone(const DocumentGone& gone) {
  if (!docs_.contains(gone.doc)) return;
  net::ErrorMessage error = net::make_error(net::ErrorCode::doc_not_found, "document \"" + gone.doc + "\" was deleted");
  error.doc = gone.doc;
  drop_document(gone.doc);
  emit_error(std::move(error));
}

// --- output -----------------------------------------------------------------------------

void Session::emit(std::string frame, const std::string* doc) { emit_shared(share(std::move(frame)), doc); }

void Session::emit_shared(std::shared_ptr<const std::string> frame, const std::string* doc) {
  if (doc != nullptr) {
    // Per document, everything leaves in revision order: the entries queued so far first.
    if (const auto it = docs_.find(*doc); it != docs_.end()) close_pending_entries(it->first, it->second);
  }
  out_queue_bytes_ += frame->size();
  out_queue_.push_back(std::move(frame));
  schedule_flush();
}

void Session::emit_error(net::ErrorMessage error) {
  context().metrics.protocol_errors.add();
  std::string frame = net::encode(error);
  if (error.doc) {
    if (const auto it = docs_.find(*error.doc); it != docs_.end()) {
      emit(std::move(frame), &it->first);
      return;
    }
  }
  emit(std::move(frame));
}

void Session::close_pending_entries(const std::string& doc, OpenDoc& open) {
  if (open.pending.empty()) return;
  if (send_shared_peer_frame(open)) return;
  OpsFrameWriter frame(doc);
  for (const PendingBatch& pending : open.pending) {
    for (const DurableOp& op : pending.batch->ops) {
      if (op.revision <= pending.after) continue;
      pending_entry_bytes_ -= std::min(pending_entry_bytes_, entry_size_estimate(op));
      frame.add(op, op.client_id == client_id_);
    }
  }
  open.pending.clear();
  if (frame.empty()) return;
  std::string text = frame.finish();
  out_queue_bytes_ += text.size();
  out_queue_.push_back(share(std::move(text)));
}

bool Session::send_shared_peer_frame(OpenDoc& open) {
  if (open.pending.size() != 1) return false;
  const PendingBatch& only = open.pending.front();
  const DurableBatch& batch = *only.batch;
  if (!batch.peer_frame || only.after >= batch.first_revision()) return false;  // not all of it is news
  const bool has_own = std::any_of(batch.ops.begin(), batch.ops.end(),
                                   [this](const DurableOp& op) { return op.client_id == client_id_; });
  if (has_own) return false;  // its entries are acks here
  for (const DurableOp& op : batch.ops) {
    pending_entry_bytes_ -= std::min(pending_entry_bytes_, entry_size_estimate(op));
  }
  out_queue_bytes_ += batch.peer_frame->size();
  out_queue_.push_back(batch.peer_frame);
  open.pending.clear();
  return true;
}

void Session::schedule_flush() {
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  send(self(), Flush{});
}

core::GenServer::Result Session::flush() {
  const std::size_t in_socket = outbound_->outbound_bytes();
  const SessionOptions& options = context().session_options;
  if (in_socket + out_queue_bytes_ + pending_entry_bytes_ > options.max_outbound_bytes) {
    context().metrics.slow_consumers.add();
    spdlog::info("session {}: closing a slow consumer ({} bytes in the socket, {} held)", session_id_, in_socket,
                 out_queue_bytes_ + pending_entry_bytes_);
    closing_ = true;
    outbound_->close_now(*net::close_code(net::ErrorCode::slow_consumer),
                         std::string(net::to_string(net::ErrorCode::slow_consumer)));
    return Result::stop(core::ExitReason::normal());
  }
  if (in_socket > 0 && in_socket >= options.flush_hold_bytes) {
    // Behind: hold everything, it will leave as one frame per document once drained.
    if (!retry_armed_) {
      retry_armed_ = true;
      runtime().send_after(self(), options.flush_retry, FlushRetry{});
    }
    return Result::noreply();
  }
  send_everything_now();
  return Result::noreply();
}

void Session::send_everything_now() {
  for (auto& [doc, open] : docs_) close_pending_entries(doc, open);
  if (out_queue_.empty()) return;
  context().metrics.frames_sent.add(out_queue_.size());
  context().metrics.bytes_sent.add(out_queue_bytes_);
  for (std::shared_ptr<const std::string>& frame : out_queue_) outbound_->send(std::move(frame));
  out_queue_.clear();
  out_queue_bytes_ = 0;
}

core::GenServer::Result Session::close_fatally(net::ErrorCode code, std::string message, std::optional<net::RequestId> id) {
  net::ErrorMessage error = net::make_error(code, std::move(message));
  error.id = std::move(id);
  if (code == net::ErrorCode::unsupported_version) error.supported = {net::kProtocolVersion};
  emit_error(std::move(error));
  send_everything_now();
  closing_ = true;
  outbound_->close(*net::close_code(code), std::string(net::to_string(code)));
  return Result::stop(core::ExitReason::normal());
}

}  // namespace otter::server
