#include "server/document_server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "net/error_code.hpp"
#include "ot/apply.hpp"
#include "ot/cursor.hpp"
#include "ot/json_codec.hpp"
#include "server/frames.hpp"

namespace otter::server {

namespace {

// How long the process of a document that does not exist waits for an open that creates it.
constexpr std::chrono::milliseconds kAbsentLinger{1000};

// Private messages this process sends itself.
struct Load {
  bool create = false;
};
struct SubmitWrites {};  // hand the ops applied in this mailbox burst to storage
struct WriteDone {       // posted by the writer's completion (on the writer thread)
  std::uint64_t last_revision;
  storage::Expected<void> result;
  bool ops_write = true;  // false: the idle snapshot, which does not count as the write in flight
};

net::ErrorCode from_storage(storage::ErrorCode code) {
  switch (code) {
    case storage::ErrorCode::invalid_document_id: return net::ErrorCode::invalid_doc_id;
    case storage::ErrorCode::not_found: return net::ErrorCode::doc_not_found;
    case storage::ErrorCode::database_busy:
    case storage::ErrorCode::database_error:
    case storage::ErrorCode::queue_full:
    case storage::ErrorCode::writer_stopped: return net::ErrorCode::storage_unavailable;
    default: return net::ErrorCode::internal_error;
  }
}

}  // namespace

DocumentServer::DocumentServer(std::shared_ptr<ServiceContext> context, std::string doc)
    : context_(std::move(context)), doc_(std::move(doc)), topic_(topic_of(doc_)) {}

std::string DocumentServer::describe() const {
  return "document '" + doc_ + "' at revision " + std::to_string(published_revision_) + " (" +
         std::to_string(pending_.size()) + " pending, " + std::to_string(members_.size()) + " sessions)";
}

void DocumentServer::report_sessions() {
  std::vector<net::DashboardSession> sessions;
  sessions.reserve(members_.size());
  for (const auto& [pid, member] : members_) {
    const PresenceState& who = member.presence;
    sessions.push_back(net::DashboardSession{who.session, who.client_id, who.name, who.color});
  }
  gauges_->set_sessions(std::move(sessions));
}

net::ErrorMessage DocumentServer::error(net::ErrorCode code, std::string message) const {
  net::ErrorMessage e = net::make_error(code, std::move(message));
  e.doc = doc_;
  return e;
}

// --- start and load ---------------------------------------------------------------------

core::GenServer::InitResult DocumentServer::init() {
  if (!context_->documents.register_key(*this, topic_)) {
    // Another start of this document won the race: let the caller find that one.
    return InitResult::ignore();
  }
  Metrics* metrics = &context_->metrics;
  metrics->documents_open.add();
  gauges_ = context_->board.started(doc_, self());
  on_exit([metrics, board = &context_->board, doc = doc_](core::Pid pid, const core::ExitReason& reason) {
    metrics->documents_open.sub();
    if (reason.is_abnormal()) metrics->document_restarts.add();
    board->exited(doc, pid, reason);
  });
  return InitResult::ok_continue(Load{false});
}

core::GenServer::Result DocumentServer::handle_continue(core::Message& message) {
  if (const auto* load = core::match<Load>(message)) {
    request_load(load->create);
    return Result::noreply();
  }
  return GenServer::handle_continue(message);
}

void DocumentServer::request_load(bool create) {
  phase_ = Phase::loading;
  context_->storage.load(self(), doc_,
                         LoadOptions{.history = std::max(context_->document_options.history_on_load, std::size_t{1}),
                                     .create_if_missing = create});
}

core::GenServer::Result DocumentServer::on_loaded(DocumentLoaded& loaded) {
  if (!loaded.result) {
    const storage::Error& failure = loaded.result.error();
    spdlog::error("document '{}': load failed: {}: {}", doc_, storage::to_string(failure.code), failure.message);
    fail_waiting(error(from_storage(failure.code), "document \"" + doc_ + "\" could not be loaded: " +
                                                       std::string(storage::to_string(failure.code))));
    // A normal stop: a restart would fail the same way. The next open starts it afresh.
    return Result::stop(core::ExitReason::normal());
  }
  if (!loaded.result->has_value()) {
    // No such document. Create it if a waiting open allows it; refuse the others.
    const bool wanted = std::any_of(waiting_.begin(), waiting_.end(), [](const Waiting& waiting) {
      const auto* call = std::get_if<WaitingCall>(&waiting);
      const auto* open = call != nullptr ? core::match<OpenDocument>(call->request) : nullptr;
      return open != nullptr && open->create;
    });
    if (wanted) {
      request_load(true);
      return Result::noreply();
    }
    fail_waiting(error(net::ErrorCode::doc_not_found, "document \"" + doc_ + "\" does not exist"));
    phase_ = Phase::absent;
    set_idle_timeout(std::min<core::Duration>(context_->document_options.idle_timeout, kAbsentLinger));
    return Result::noreply();
  }
  try {
    install(**loaded.result);
  } catch (const std::runtime_error& corrupt) {
    // Not a crash: a restart would load the same rows and fail again, and the restarts
    // would escalate to every other document. Refuse, stop, and let an admin look.
    spdlog::error("document '{}': {}", doc_, corrupt.what());
    document_.reset();
    fail_waiting(error(net::ErrorCode::internal_error, "document \"" + doc_ + "\" could not be loaded: its stored "
                                                                              "history is corrupt"));
    return Result::stop(core::ExitReason::normal());
  }
  context_->metrics.document_loads.add();
  phase_ = Phase::ready;
  serve_waiting();
  update_idle_timer();
  return Result::noreply();
}

void DocumentServer::install(LoadedState& state) {
  const DocumentOptions& options = context_->document_options;
  const ot::ServerDocumentLimits limits{.max_history = options.max_history, .max_length = options.max_code_points};
  ot::Expected<ot::ServerDocument> document = ot::ServerDocument::load(state.base_text, state.base_revision, limits);
  if (!document) throw std::runtime_error("corrupt document '" + doc_ + "': " + document.error().message);
  auto batch = std::make_shared<DurableBatch>();
  batch->doc = doc_;
  batch->ops.reserve(state.ops.size());
  for (storage::StoredOp& stored : state.ops) {
    std::string op_json = ot::encode(stored.op);
    ot::Expected<std::uint64_t> revision = document->replay(std::move(stored.op));
    if (!revision || *revision != stored.revision) {
      throw std::runtime_error("corrupt document '" + doc_ + "': the op of revision " +
                               std::to_string(stored.revision) + " does not replay");
    }
    batch->ops.push_back(DurableOp{stored.revision, std::move(stored.client_id), stored.seq, std::move(op_json)});
  }
  for (const storage::ClientSeq& client : state.clients) {
    document->restore_client(client.client_id, client.seq, client.revision);
  }
  published_text_ = document->rope();
  published_revision_ = durable_revision_ = document->revision();
  gauges_->set_head(published_revision_, published_text_.size());
  ops_since_snapshot_ = published_revision_ - std::min(published_revision_, state.snapshot_revision);
  document_.emplace(std::move(*document));
  history_.clear();
  history_ops_ = 0;
  history_base_ = state.base_revision;
  if (!batch->ops.empty()) remember(batch);
  state.base_text.clear();
}

void DocumentServer::serve_waiting() {
  while (!waiting_.empty() && phase_ != Phase::loading) {
    Waiting waiting = std::move(waiting_.front());
    waiting_.pop_front();
    if (auto* call = std::get_if<WaitingCall>(&waiting)) {
      on_call(call->request, call->from);
    } else {
      on_request(std::get<WaitingInfo>(waiting).message);
    }
  }
}

void DocumentServer::fail_waiting(const net::ErrorMessage& failure) {
  for (Waiting& waiting : waiting_) {
    if (auto* call = std::get_if<WaitingCall>(&waiting)) {
      if (core::match<OpenDocument>(call->request) != nullptr) {
        reply(call->from, OpenDocument::Reply(failure));
      } else if (core::match<EditDocument>(call->request) != nullptr) {
        reply(call->from, EditDocument::Reply(failure));
      } else if (core::match<ReadDocument>(call->request) != nullptr) {
        reply(call->from, ReadDocument::Reply(failure));
      } else if (core::match<RemoveDocument>(call->request) != nullptr) {
        reply(call->from, RemoveDocument::Reply(failure));
      }
    }
  }
  waiting_.clear();
}

// --- dispatch ---------------------------------------------------------------------------

core::GenServer::CallResult DocumentServer::handle_call(core::Message& request, const core::From& from) {
  if (phase_ == Phase::loading) {
    waiting_.push_back(WaitingCall{from, std::move(request)});
  } else {
    on_call(request, from);
  }
  return CallResult::noreply();
}

core::GenServer::Result DocumentServer::handle_cast(core::Message& message) {
  return handle_info(message);
}

core::GenServer::Result DocumentServer::handle_info(core::Message& message) {
  if (auto* loaded = core::match<DocumentLoaded>(message)) return on_loaded(*loaded);
  if (const auto* crash = core::match<CrashDocument>(message)) {
    throw std::runtime_error(crash->reason.empty() ? "crash requested for document '" + doc_ + "'" : crash->reason);
  }
  if (core::match<SubmitWrites>(message) != nullptr) {
    submit_scheduled_ = false;
    if (!write_in_flight_) submit_writes();  // else: on its WriteDone
    return Result::noreply();
  }
  if (auto* done = core::match<WriteDone>(message)) {
    if (done->ops_write) write_in_flight_ = false;
    on_write_done(done->last_revision, done->result);
    // Everything applied while that write was committing goes out as the next one, at
    // once: the writer has nothing else of ours to do meanwhile.
    if (!write_in_flight_) submit_writes();
    if (remove_caller_ && pending_.empty()) finish_remove_if_done();
    if (idle_snapshot_in_flight_ && done->last_revision == published_revision_) {
      idle_snapshot_in_flight_ = false;
      if (members_.empty() && pending_.empty() && unsubmitted_.empty()) {
        context_->metrics.documents_idled.add();
        return Result::stop(core::ExitReason::normal());
      }
    }
    return Result::noreply();
  }
  if (const auto* down = core::match<core::Down>(message)) {
    on_session_down(*down);
    return Result::noreply();
  }
  if (core::match<core::IdleTimeout>(message) != nullptr) return on_idle();
  if (phase_ == Phase::loading) {
    waiting_.push_back(WaitingInfo{std::move(message)});
    return Result::noreply();
  }
  on_request(message);
  return Result::noreply();
}

void DocumentServer::on_absent_call(core::Message& request, const core::From& from) {
  const net::ErrorMessage missing = error(net::ErrorCode::doc_not_found, "document \"" + doc_ + "\" does not exist");
  if (const auto* open = core::match<OpenDocument>(request)) {
    if (open->create) {
      waiting_.push_back(WaitingCall{from, std::move(request)});
      request_load(true);
    } else {
      reply(from, OpenDocument::Reply(missing));
    }
  } else if (core::match<EditDocument>(request) != nullptr) {
    reply(from, EditDocument::Reply(missing));
  } else if (core::match<ReadDocument>(request) != nullptr) {
    reply(from, ReadDocument::Reply(missing));
  } else if (core::match<RemoveDocument>(request) != nullptr) {
    reply(from, RemoveDocument::Reply(missing));
  }
}

void DocumentServer::on_call(core::Message& request, const core::From& from) {
  if (phase_ == Phase::absent) {
    on_absent_call(request, from);
    return;
  }
  if (auto* open = core::match<OpenDocument>(request)) {
    on_open(*open, from);
  } else if (auto* edit = core::match<EditDocument>(request)) {
    on_edit(*edit, from);
  } else if (core::match<ReadDocument>(request) != nullptr) {
    if (phase_ == Phase::removing) {
      reply(from, ReadDocument::Reply(error(net::ErrorCode::doc_not_found, "document \"" + doc_ + "\" was deleted")));
      return;
    }
    reply(from, ReadDocument::Reply(
                    DocumentView{doc_, published_revision_, published_text_.to_string(), members_.size()}));
  } else if (core::match<RemoveDocument>(request) != nullptr) {
    on_remove(from);
  } else {
    spdlog::warn("document '{}': unexpected call {}", doc_, request.type().name());
  }
}

void DocumentServer::on_request(core::Message& message) {
  if (phase_ == Phase::absent) return;  // nobody has a missing document open
  if (auto* submit = core::match<SubmitOp>(message)) {
    on_submit(*submit);
  } else if (auto* presence = core::match<UpdatePresence>(message)) {
    on_presence(*presence);
  } else if (const auto* close = core::match<CloseDocument>(message)) {
    on_close(close->session);
  } else {
    spdlog::debug("document '{}': unhandled message {}", doc_, message.type().name());
  }
}

// --- sessions ---------------------------------------------------------------------------

void DocumentServer::on_open(OpenDocument& open, const core::From& from) {
  if (phase_ == Phase::removing) {
    reply(from, OpenDocument::Reply(error(net::ErrorCode::doc_not_found, "document \"" + doc_ + "\" was deleted")));
    return;
  }
  const core::Pid session = open.who.pid;
  auto [member, inserted] = members_.try_emplace(session);
  if (inserted) member->second.monitor = monitor(session);
  member->second.presence = PresenceState{open.who.session, open.who.client_id, open.who.name, open.who.color,
                                          std::nullopt};

  OpenedDocument opened;
  opened.revision = published_revision_;
  if (open.resume_from && *open.resume_from >= history_base_ && *open.resume_from <= published_revision_) {
    opened.history_after = *open.resume_from;
    for (const DurableBatchPtr& batch : history_) {
      if (batch->last_revision() > *open.resume_from) opened.history.push_back(batch);
    }
  } else {
    opened.text = published_text_.to_string();
  }
  opened.presence.reserve(members_.size() - 1);
  for (const auto& [pid, other] : members_) {
    if (pid != session) opened.presence.push_back(other.presence);
  }
  reply(from, OpenDocument::Reply(std::move(opened)));
  if (inserted) report_sessions();
  publish_presence(session, member->second.presence);
  update_idle_timer();
}

void DocumentServer::on_close(core::Pid session) {
  const auto member = members_.find(session);
  if (member == members_.end()) return;
  demonitor(member->second.monitor);
  const std::string session_id = member->second.presence.session;
  members_.erase(member);
  report_sessions();
  publish_left(session, session_id);
  update_idle_timer();
}

void DocumentServer::on_session_down(const core::Down& down) {
  const auto member = members_.find(down.pid);
  if (member == members_.end() || member->second.monitor != down.ref) return;
  const std::string session_id = member->second.presence.session;
  members_.erase(member);
  report_sessions();
  publish_left(down.pid, session_id);
  update_idle_timer();
}

void DocumentServer::on_presence(UpdatePresence& update) {
  const auto member = members_.find(update.session);
  if (member == members_.end()) return;  // closed meanwhile: nothing to show
  std::optional<ot::Selection> selection = update.selection;
  if (selection) {
    if (update.rev > published_revision_) {
      net::ErrorMessage refused = error(net::ErrorCode::revision_in_future,
                                        "presence revision " + std::to_string(update.rev) +
                                            " is ahead of the document's revision " +
                                            std::to_string(published_revision_));
      refused.id = update.id;
      send(update.session, DocumentRequestFailed{doc_, std::move(refused)});
      return;
    }
    // Bring it to the durable head through the ops the client had not seen.
    for (std::uint64_t revision = update.rev + 1; revision <= published_revision_; ++revision) {
      const ot::Operation* op = document_->log().op_at(revision);
      if (op == nullptr) {
        net::ErrorMessage refused =
            error(net::ErrorCode::resync_required, "presence revision " + std::to_string(update.rev) +
                                                       " is older than the history kept; reopen the document");
        refused.id = update.id;
        send(update.session, DocumentRequestFailed{doc_, std::move(refused)});
        return;
      }
      selection = ot::transform_selection(*selection, *op, ot::Side::right);
    }
    const std::size_t length = published_text_.size();
    selection->anchor = std::min(selection->anchor, length);
    selection->head = std::min(selection->head, length);
  }
  member->second.presence.selection = selection;
  publish_presence(update.session, member->second.presence);
}

void DocumentServer::publish_presence(core::Pid about, const PresenceState& presence) {
  auto event = std::make_shared<PresenceEvent>(
      PresenceEvent{doc_, about, std::make_shared<const std::string>(presence_frame(doc_, presence))});
  context_->pubsub.broadcast_from(about, topic_, PresenceEventPtr(std::move(event)));
}

void DocumentServer::publish_left(core::Pid about, const std::string& session) {
  auto event = std::make_shared<PresenceEvent>(
      PresenceEvent{doc_, about, std::make_shared<const std::string>(presence_left_frame(doc_, session))});
  context_->pubsub.broadcast_from(about, topic_, PresenceEventPtr(std::move(event)));
}

// --- edits ------------------------------------------------------------------------------

std::optional<net::ErrorMessage> DocumentServer::refuse_new_op() const {
  if (phase_ == Phase::removing) {
    return error(net::ErrorCode::doc_not_found, "document \"" + doc_ + "\" was deleted");
  }
  if (pending_.size() + unsubmitted_.size() >= context_->document_options.max_pending_ops) {
    return error(net::ErrorCode::storage_unavailable,
                 "storage is behind: " + std::to_string(pending_.size()) +
                     " ops of this document are waiting to be made durable; resend later");
  }
  return std::nullopt;
}

void DocumentServer::on_submit(SubmitOp& submit) {
  const auto reject = [&](net::ErrorMessage refused) {
    refused.id = submit.id;
    refused.seq = submit.seq;
    context_->metrics.ops_rejected.add();
    send(submit.session, DocumentRequestFailed{doc_, std::move(refused)});
  };
  if (!members_.contains(submit.session)) {
    reject(error(net::ErrorCode::not_open, "document \"" + doc_ + "\" is not open on this connection"));
    return;
  }
  if (auto refused = refuse_new_op()) {
    reject(std::move(*refused));
    return;
  }
  ot::Expected<ot::Applied> applied = document_->submit(submit.client_id, submit.seq, submit.rev, std::move(submit.op));
  if (!applied) {
    reject(error(net::from_ot(applied.error().code), applied.error().message));
    return;
  }
  if (applied->duplicate) {
    context_->metrics.ops_duplicate.add();
    DuplicateWaiter waiter{applied->revision, submit.seq, submit.client_id, submit.session, std::nullopt, {}};
    if (applied->revision <= published_revision_) {
      answer_duplicate(waiter);
    } else {
      duplicate_waiters_.push_back(std::move(waiter));
    }
    return;
  }
  record_applied(std::move(*applied), std::move(submit.client_id), submit.seq, std::nullopt);
}

void DocumentServer::on_edit(EditDocument& edit, const core::From& from) {
  if (auto refused = refuse_new_op()) {
    refused->seq = edit.seq;
    context_->metrics.ops_rejected.add();
    reply(from, EditDocument::Reply(std::move(*refused)));
    return;
  }
  ot::Expected<ot::Applied> applied = document_->submit(edit.client_id, edit.seq, edit.rev, std::move(edit.op));
  if (!applied) {
    net::ErrorMessage refused = error(net::from_ot(applied.error().code), applied.error().message);
    refused.seq = edit.seq;
    context_->metrics.ops_rejected.add();
    reply(from, EditDocument::Reply(std::move(refused)));
    return;
  }
  if (applied->duplicate) {
    context_->metrics.ops_duplicate.add();
    DuplicateWaiter waiter{applied->revision, edit.seq, edit.client_id, core::Pid{}, from,
                           std::move(applied->op_as_applied)};
    if (applied->revision <= published_revision_) {
      answer_duplicate(waiter);
    } else {
      duplicate_waiters_.push_back(std::move(waiter));
    }
    return;
  }
  record_applied(std::move(*applied), std::move(edit.client_id), edit.seq, from);
}

void DocumentServer::answer_duplicate(const DuplicateWaiter& waiter) {
  if (waiter.caller) {
    reply(*waiter.caller, EditDocument::Reply(EditResult{waiter.revision, true, waiter.op}));
  } else {
    send(waiter.session, DuplicateAck{doc_, waiter.client_id, waiter.seq, waiter.revision});
  }
}

void DocumentServer::record_applied(ot::Applied&& applied, std::string client_id, std::uint64_t seq,
                                    std::optional<core::From> caller) {
  unsubmitted_.push_back(
      storage::StoredOp{applied.revision, client_id, seq, applied.op_as_applied, storage::now_timestamp()});
  pending_.push_back(PendingOp{applied.revision, std::move(client_id), seq, std::move(applied.op_as_applied),
                               std::chrono::steady_clock::now(), caller});
  if (!submit_scheduled_) {
    // Behind every message already queued: one write for the whole burst.
    submit_scheduled_ = true;
    send(self(), SubmitWrites{});
  }
}

void DocumentServer::submit_writes() {
  if (unsubmitted_.empty()) return;
  write_in_flight_ = true;
  storage::DocumentWrite write{doc_, std::move(unsubmitted_), std::nullopt};
  unsubmitted_.clear();
  const std::uint64_t last_revision = write.ops.back().revision;
  ops_since_snapshot_ += write.ops.size();
  const std::size_t every = context_->document_options.snapshot_every_ops;
  if (every != 0 && ops_since_snapshot_ >= every) {
    // Every op applied so far is in this write, so the applied text is the text at its
    // last revision.
    write.snapshot = storage::Snapshot{last_revision, document_->text()};
    ops_since_snapshot_ = 0;
  }
  core::Runtime* runtime_ptr = &runtime();
  const core::Pid me = self();
  storage::Expected<void> queued =
      context_->storage.append(std::move(write), [runtime_ptr, me, last_revision](storage::Expected<void> result) {
        runtime_ptr->send(me, WriteDone{last_revision, std::move(result)});
      });
  if (!queued) {
    // The ops are applied in memory but can never be written: crash, so the restarted
    // process reloads what storage has. Their senders hear storage_unavailable and resend.
    throw std::runtime_error("storage_unavailable: " + std::string(storage::to_string(queued.error().code)) + ": " +
                             queued.error().message);
  }
}

void DocumentServer::on_write_done(std::uint64_t last_revision, storage::Expected<void>& result) {
  if (!result) {
    throw std::runtime_error("storage_unavailable: the write up to revision " + std::to_string(last_revision) +
                             " failed: " + std::string(storage::to_string(result.error().code)) + ": " +
                             result.error().message);
  }
  durable_revision_ = std::max(durable_revision_, last_revision);
  publish_durable();
}

void DocumentServer::publish_durable() {
  if (pending_.empty() || pending_.front().revision > durable_revision_) return;
  auto batch = std::make_shared<DurableBatch>();
  batch->doc = doc_;
  const auto now = std::chrono::steady_clock::now();
  while (!pending_.empty() && pending_.front().revision <= durable_revision_) {
    PendingOp& op = pending_.front();
    if (ot::Expected<void> applied = ot::apply(published_text_, op.op); !applied) {
      throw std::logic_error("document '" + doc_ + "': a durable op does not apply to the published text: " +
                             applied.error().message);
    }
    for (auto& [pid, member] : members_) {
      if (member.presence.selection) {
        member.presence.selection = ot::transform_selection(*member.presence.selection, op.op, ot::Side::right);
      }
    }
    batch->ops.push_back(DurableOp{op.revision, std::move(op.client_id), op.seq, ot::encode(op.op)});
    context_->metrics.op_latency.observe(std::chrono::duration_cast<std::chrono::microseconds>(now - op.applied_at));
    if (op.caller) reply(*op.caller, EditDocument::Reply(EditResult{op.revision, false, op.op}));
    pending_.pop_front();
  }
  if (members_.size() > 1) {
    // At 50 clients on one document most sessions have no op in a batch: one encoding
    // here instead of one per session, and one string they all send.
    OpsFrameWriter peer_frame(doc_);
    for (const DurableOp& op : batch->ops) peer_frame.add(op, false);
    batch->peer_frame = std::make_shared<const std::string>(peer_frame.finish());
  }
  published_revision_ = batch->last_revision();
  gauges_->set_head(published_revision_, published_text_.size());
  context_->metrics.ops_applied.add(batch->ops.size());
  context_->metrics.batches_published.add();
  const DurableBatchPtr shared = std::move(batch);
  remember(shared);
  context_->pubsub.broadcast(topic_, shared);

  const auto answered = std::stable_partition(duplicate_waiters_.begin(), duplicate_waiters_.end(),
                                              [this](const DuplicateWaiter& w) { return w.revision > published_revision_; });
  for (auto it = answered; it != duplicate_waiters_.end(); ++it) answer_duplicate(*it);
  duplicate_waiters_.erase(answered, duplicate_waiters_.end());
}

void DocumentServer::remember(const DurableBatchPtr& batch) {
  history_.push_back(batch);
  history_ops_ += batch->ops.size();
  const std::size_t max_history = context_->document_options.max_history;
  while (history_.size() > 1 && history_ops_ - history_.front()->ops.size() >= max_history) {
    history_ops_ -= history_.front()->ops.size();
    history_.pop_front();
    history_base_ = history_.front()->first_revision() - 1;
  }
}

// --- lifetime ---------------------------------------------------------------------------

void DocumentServer::terminate(const core::ExitReason& reason) {
  // Asked to stop (server shutdown): hand the ops applied in this burst to the writer too,
  // so the storage stop that follows commits them. (Not after a crash: that state is
  // suspect, and nobody was acked for those ops anyway.)
  if (reason.is_abnormal() || unsubmitted_.empty()) return;
  try {
    submit_writes();
  } catch (const std::exception& e) {
    spdlog::warn("document '{}': ops applied but not written at stop: {}", doc_, e.what());
  }
}

void DocumentServer::update_idle_timer() {
  if (members_.empty()) {
    set_idle_timeout(context_->document_options.idle_timeout);
  } else {
    set_idle_timeout(std::nullopt);
  }
}

core::GenServer::Result DocumentServer::on_idle() {
  if (phase_ == Phase::absent) return Result::stop(core::ExitReason::normal());
  if (phase_ != Phase::ready || !members_.empty() || !pending_.empty() || !unsubmitted_.empty() ||
      idle_snapshot_in_flight_) {
    return Result::noreply();
  }
  if (ops_since_snapshot_ > 0 && context_->document_options.snapshot_every_ops != 0) {
    // Leave a snapshot at the head, so the next load replays nothing; stop once it is durable.
    storage::DocumentWrite write{doc_, {}, storage::Snapshot{published_revision_, published_text_.to_string()}};
    core::Runtime* runtime_ptr = &runtime();
    const core::Pid me = self();
    const std::uint64_t revision = published_revision_;
    storage::Expected<void> queued =
        context_->storage.append(std::move(write), [runtime_ptr, me, revision](storage::Expected<void> result) {
          runtime_ptr->send(me, WriteDone{revision, std::move(result), false});
        });
    if (queued) {
      ops_since_snapshot_ = 0;
      idle_snapshot_in_flight_ = true;
      return Result::noreply();
    }
  }
  context_->metrics.documents_idled.add();
  return Result::stop(core::ExitReason::normal());
}

void DocumentServer::on_remove(const core::From& from) {
  if (remove_caller_) {
    reply(from, RemoveDocument::Reply(error(net::ErrorCode::doc_not_found, "document \"" + doc_ + "\" was deleted")));
    return;
  }
  phase_ = Phase::removing;
  remove_caller_ = from;
  finish_remove_if_done();
}

void DocumentServer::finish_remove_if_done() {
  if (!remove_caller_ || !pending_.empty() || !unsubmitted_.empty()) return;
  context_->pubsub.broadcast(topic_, DocumentGone{doc_});
  reply(*remove_caller_, RemoveDocument::Reply(published_revision_));
  remove_caller_.reset();
  stop(core::ExitReason::normal());
}

}  // namespace otter::server
