#include "server/documents.hpp"

#include "core/dynamic_supervisor.hpp"
#include "core/scoped_process.hpp"
#include "server/document_server.hpp"
#include "storage/document_id.hpp"

namespace otter::server {

namespace {

// Lookups that find the process gone (it stopped between lookup and request) try again.
constexpr int kLookupAttempts = 4;

net::ErrorMessage doc_error(net::ErrorCode code, std::string message, std::string_view doc) {
  net::ErrorMessage error = net::make_error(code, std::move(message));
  error.doc = std::string(doc);
  return error;
}

// Why a start was refused, as a protocol error.
net::ErrorMessage start_failure(const core::StartResult& started, std::string_view doc) {
  const std::string reason = started.error() ? std::string(started.error()->detail()) : "no reason given";
  if (reason.starts_with("shutting_down")) {
    return doc_error(net::ErrorCode::shutting_down, "the server is stopping", doc);
  }
  if (reason.starts_with("max_children")) {
    return doc_error(net::ErrorCode::internal_error,
                     "the server has as many documents open as it allows; try again later", doc);
  }
  return doc_error(net::ErrorCode::internal_error,
                   "the process of document \"" + std::string(doc) + "\" could not start: " + reason, doc);
}

}  // namespace

net::Expected<std::monostate> check_document_id(std::string_view doc) {
  if (storage::Expected<void> valid = storage::validate_document_id(doc); !valid) {
    return net::make_error(net::ErrorCode::invalid_doc_id, valid.error().message);
  }
  return std::monostate{};
}

Documents::Documents(std::shared_ptr<ServiceContext> context) : context_(std::move(context)) {}

core::Pid Documents::whereis(std::string_view doc) const { return context_->documents.whereis(topic_of(doc)); }

core::ChildSpec Documents::child_spec(std::string doc) const {
  std::string id = topic_of(doc);
  return core::ChildSpec::worker<DocumentServer>(std::move(id), context_, std::move(doc))
      .with_restart(core::Restart::transient);
}

std::size_t Documents::open_count() const { return context_->documents.count(); }

net::Expected<core::Pid> Documents::ensure_started(std::string_view doc, core::Duration timeout) const {
  if (auto valid = check_document_id(doc); !valid) return std::move(valid).error();
  for (int attempt = 0; attempt < kLookupAttempts; ++attempt) {
    if (const core::Pid pid = whereis(doc)) return pid;
    const core::Pid supervisor = context_->documents_supervisor.get();
    if (!supervisor) return doc_error(net::ErrorCode::shutting_down, "the server is stopping", doc);
    const core::StartResult started =
        core::DynamicSupervisor::start_child(context_->runtime, supervisor, child_spec(std::string(doc)), timeout);
    if (started.ok()) return started.pid();
    if (!started.was_ignored()) return start_failure(started, doc);
    // Ignored: another start registered the document first. Look it up again.
  }
  return doc_error(net::ErrorCode::internal_error,
                   "the process of document \"" + std::string(doc) + "\" kept stopping while being looked up", doc);
}

template <class Reply, class Request>
Reply Documents::call_document(std::string_view doc, Request request, core::Duration timeout, bool idempotent) const {
  for (int attempt = 0; attempt < kLookupAttempts; ++attempt) {
    net::Expected<core::Pid> pid = ensure_started(doc, timeout);
    if (!pid) return std::move(pid).error();
    core::CallOutcome<Reply> outcome = core::call<Reply>(context_->runtime, *pid, request, timeout);
    if (outcome) return std::move(outcome).value();
    const core::CallFailure& failure = outcome.failure();
    const bool gone_before_answering =
        failure.error == core::CallError::noproc ||
        (failure.error == core::CallError::callee_exited && (idempotent || !failure.reason.is_abnormal()));
    if (gone_before_answering) continue;  // stopped (idle) before it saw the request
    if (failure.error == core::CallError::timeout) {
      return doc_error(net::ErrorCode::internal_error,
                       "document \"" + std::string(doc) + "\" did not answer in time", doc);
    }
    return doc_error(net::ErrorCode::internal_error,
                     "the process of document \"" + std::string(doc) + "\" failed (" + failure.to_string() +
                         ") and was restarted; retry",
                     doc);
  }
  return doc_error(net::ErrorCode::internal_error,
                   "the process of document \"" + std::string(doc) + "\" kept stopping while being called", doc);
}

net::Expected<DocumentView> Documents::read(std::string_view doc, core::Duration timeout) const {
  return call_document<ReadDocument::Reply>(doc, ReadDocument{}, timeout, /*idempotent=*/true);
}

net::Expected<EditResult> Documents::edit(std::string_view doc, EditDocument edit, core::Duration timeout) const {
  return call_document<EditDocument::Reply>(doc, std::move(edit), timeout, /*idempotent=*/false);
}

net::Expected<std::monostate> Documents::remove(std::string_view doc, core::Duration timeout) const {
  if (auto valid = check_document_id(doc); !valid) return std::move(valid).error();
  if (const core::Pid pid = whereis(doc)) {
    core::CallOutcome<RemoveDocument::Reply> stopped =
        core::call<RemoveDocument::Reply>(context_->runtime, pid, RemoveDocument{}, timeout);
    if (stopped && !stopped->has_value()) return std::move(*stopped).error();
    // A process that is gone (or fails now) has nothing left to write: delete anyway.
  }
  storage::Expected<void> deleted = context_->storage.delete_document(doc);
  if (!deleted) {
    const storage::Error& failure = deleted.error();
    if (failure.code == storage::ErrorCode::not_found) {
      return doc_error(net::ErrorCode::doc_not_found, "document \"" + std::string(doc) + "\" does not exist", doc);
    }
    return doc_error(net::ErrorCode::storage_unavailable, std::string(storage::to_string(failure.code)) + ": " +
                                                              failure.message,
                     doc);
  }
  return std::monostate{};
}

net::Expected<core::Pid> Documents::crash(std::string_view doc, std::string reason) const {
  if (auto valid = check_document_id(doc); !valid) return std::move(valid).error();
  const core::Pid pid = whereis(doc);
  if (!pid) {
    return doc_error(net::ErrorCode::doc_not_found, "document \"" + std::string(doc) + "\" is not open on this node",
                     doc);
  }
  context_->runtime.send(pid, CrashDocument{std::move(reason)});
  return pid;
}

// --- DocumentsClient --------------------------------------------------------------------

void DocumentsClient::locate_document(std::string doc, std::function<void(net::Expected<core::Pid>)> done) {
  if (const core::Pid pid = context_->documents.whereis(topic_of(doc))) {
    done(pid);
    return;
  }
  start_document(std::move(doc), kLookupAttempts, std::move(done));
}

void DocumentsClient::start_document(std::string doc, int attempts_left,
                                     std::function<void(net::Expected<core::Pid>)> done) {
  const core::Pid supervisor = context_->documents_supervisor.get();
  if (!supervisor || attempts_left <= 0) {
    done(supervisor ? doc_error(net::ErrorCode::internal_error,
                                "the process of document \"" + doc + "\" kept stopping while being looked up", doc)
                    : doc_error(net::ErrorCode::shutting_down, "the server is stopping", doc));
    return;
  }
  core::ChildSpec spec = Documents(context_).child_spec(doc);
  call<core::StartResult>(
      supervisor, core::DynamicSupervisor::StartChild{std::move(spec)}, context_->session_options.open_timeout,
      [this, doc = std::move(doc), attempts_left, done = std::move(done)](core::CallOutcome<core::StartResult> started) {
        if (started && started->ok()) {
          done(started->pid());
          return;
        }
        if (started && started->was_ignored()) {
          if (const core::Pid pid = context_->documents.whereis(topic_of(doc))) {
            done(pid);
          } else {
            start_document(doc, attempts_left - 1, done);
          }
          return;
        }
        if (started) {
          done(start_failure(*started, doc));
        } else {
          done(doc_error(net::ErrorCode::internal_error,
                         "the documents supervisor did not answer (" + started.failure().to_string() + ")", doc));
        }
      });
}

}  // namespace otter::server
