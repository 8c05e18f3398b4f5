// Documents: finds the process that owns a document, starting it on demand.
//
// Every open document is one DocumentServer process, registered in the documents Registry
// under topic_of(doc) (a unique key) and supervised, transient, by the documents
// DynamicSupervisor: restarted after a crash, forgotten after a normal stop (idle, deleted).
//
// Lookup-or-start is race-free without a lock: whereis(); if nobody holds the key, ask the
// supervisor to start a DocumentServer. Its init registers the key; if another start won
// the race, init returns `ignore` (the supervisor forgets that child) and the caller looks
// the winner up. The Registry removes a dead process's key before anyone hears of its
// death, so a key found is a live process, and a crashed one is found again once its
// supervisor has restarted it.
//
// Two ways in:
//   - from inside a process (a session): derive from DocumentsClient and call
//     locate_document(doc, done); `done` runs later in the process, never blocking it;
//   - from outside processes (the REST API, tools, tests): the blocking members of
//     Documents below, each a short conversation with the document's process.
// A call that finds the process gone (idle stop, crash) retries the lookup a few times;
// a read whose process crashed under it is retried too (the restart answers it).
//
// Errors are protocol errors (net::ErrorMessage with a code of docs/protocol.md):
// invalid_doc_id, doc_not_found, storage_unavailable, internal_error, ...
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/child_spec.hpp"
#include "core/gen_server.hpp"
#include "core/pid.hpp"
#include "net/expected.hpp"
#include "server/document_protocol.hpp"
#include "server/service_context.hpp"

namespace otter::server {

inline constexpr std::chrono::milliseconds kDefaultDocumentCallTimeout{10'000};

// invalid_doc_id unless `doc` is a valid document id (the storage rule, which is the
// protocol's plus "starts with a letter or digit").
[[nodiscard]] net::Expected<std::monostate> check_document_id(std::string_view doc);

class Documents {
 public:
  explicit Documents(std::shared_ptr<ServiceContext> context);

  // The document's process now, or the null Pid.
  [[nodiscard]] core::Pid whereis(std::string_view doc) const;
  // How the documents supervisor starts the process of `doc`.
  [[nodiscard]] core::ChildSpec child_spec(std::string doc) const;
  // Document processes alive.
  [[nodiscard]] std::size_t open_count() const;

  // --- blocking, from outside processes ------------------------------------------------
  // The document's process, started if needed (it may still be loading).
  [[nodiscard]] net::Expected<core::Pid> ensure_started(std::string_view doc,
                                                        core::Duration timeout = kDefaultDocumentCallTimeout) const;
  // The durable text and revision. doc_not_found if the document does not exist.
  [[nodiscard]] net::Expected<DocumentView> read(std::string_view doc,
                                                 core::Duration timeout = kDefaultDocumentCallTimeout) const;
  // Applies an op (client id, seq and base revision as on the wire); answers once it is
  // durable. Duplicates answer with their original revision and `duplicate`.
  [[nodiscard]] net::Expected<EditResult> edit(std::string_view doc, EditDocument edit,
                                               core::Duration timeout = kDefaultDocumentCallTimeout) const;
  // Stops the document's process once its writes are durable (sessions that have it open
  // get doc_not_found), then deletes it from storage. doc_not_found if it does not exist.
  [[nodiscard]] net::Expected<std::monostate> remove(std::string_view doc,
                                                     core::Duration timeout = kDefaultDocumentCallTimeout) const;
  // The admin hook (REST's POST /api/admin/docs/{id}/crash, the dashboard's `crash`, tests):
  // makes the document's process throw with `reason`; its supervisor restarts it and it
  // reloads from storage. Never blocks (a lookup and a send), so processes may call it.
  // Answers the Pid that was told to crash; doc_not_found if no process has the document.
  net::Expected<core::Pid> crash(std::string_view doc, std::string reason = {}) const;

  [[nodiscard]] const std::shared_ptr<ServiceContext>& context() const noexcept { return context_; }

 private:
  // `idempotent`: a process that crashed before answering is asked again (its restart);
  // otherwise the caller hears internal_error (it cannot know whether an edit applied).
  template <class Reply, class Request>
  [[nodiscard]] Reply call_document(std::string_view doc, Request request, core::Duration timeout,
                                    bool idempotent) const;

  std::shared_ptr<ServiceContext> context_;
};

// The asynchronous side, for GenServers that use documents (sessions).
class DocumentsClient : public core::GenServer {
 protected:
  explicit DocumentsClient(std::shared_ptr<ServiceContext> context) : context_(std::move(context)) {}

  // Finds (or starts) the process of `doc`; `done` runs in this process later with its
  // Pid or an error. The document may still be loading: requests to it wait their turn.
  void locate_document(std::string doc, std::function<void(net::Expected<core::Pid>)> done);

  [[nodiscard]] ServiceContext& context() const noexcept { return *context_; }
  [[nodiscard]] const std::shared_ptr<ServiceContext>& shared_context() const noexcept { return context_; }

 private:
  void start_document(std::string doc, int attempts_left, std::function<void(net::Expected<core::Pid>)> done);

  std::shared_ptr<ServiceContext> context_;
};

}  // namespace otter::server
