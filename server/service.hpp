// Service: the document service, assembled — storage, registry, PubSub, metrics and the
// supervision tree of document and session processes. What otterd builds once and net/
// plugs its WebSocket connections into.
//
//   core::Runtime runtime;
//   auto service = Service::start(runtime, ServiceOptions{.storage = {.path = "otter.db"}});
//   if (!service) fail(service.error().message);
//   // per WebSocket connection (net's ConnectionFactory):
//   (*service)->start_session(outbound, [](core::StartResult session) { ... });
//   //   then forward frames: runtime.send(session.pid(), ClientFrame{text}) and the close:
//   //   runtime.send(session.pid(), ConnectionClosed{code, reason})
//   // REST: (*service)->documents().read("notes"), .edit(...), .remove(...);
//   //       (*service)->storage().list_documents(), .text_at(...)   (blocking)
//   // GET /metrics: (*service)->render_metrics()
//   (*service)->stop();   // graceful: sessions told shutting_down, documents stopped,
//                         // every queued write committed. The destructor does it too.
//
// Supervision tree:
//
//   otter.server  Supervisor, rest_for_one (sessions depend on documents)
//    ├─ documents  DynamicSupervisor: one DocumentServer per open document (transient)
//    ├─ sessions   DynamicSupervisor: one Session per connection (temporary)
//    └─ dashboard  Dashboard: samples all this for the live dashboard (permanent)
//
// Stopping runs the tree's shutdown (sessions first, then documents), then stops storage
// (the writer commits what is queued, the blocking threads finish). Call stop() from a
// plain thread, before the Runtime shuts down; not from inside a process.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/pid.hpp"
#include "core/pubsub.hpp"
#include "core/registry.hpp"
#include "core/runtime.hpp"
#include "server/dashboard.hpp"
#include "server/documents.hpp"
#include "server/metrics.hpp"
#include "server/options.hpp"
#include "server/outbound.hpp"
#include "server/service_context.hpp"
#include "server/storage_service.hpp"

namespace otter::server {

struct ServiceOptions {
  StorageOptions storage{};
  DocumentOptions documents{};
  SessionOptions sessions{};
  std::optional<std::size_t> max_documents{};  // open at once; unset: no limit
  std::optional<std::size_t> max_sessions{};   // connections at once; unset: no limit
  // Restart intensity of the documents supervisor: more document crashes than this within
  // the window (all documents together) stop every document and escalate. Elixir's
  // default, 3 in 5 s, suits a few children, not thousands of independent documents.
  int max_document_restarts = 100;
  std::chrono::seconds document_restart_window{5};
  DashboardOptions dashboard{};
};

class Service {
 public:
  // Opens the SQLite store at options.storage.path and starts the tree. Errors: the
  // store's (database_error, unsupported_schema, ...).
  [[nodiscard]] static storage::Expected<std::unique_ptr<Service>> start(core::Runtime& runtime, ServiceOptions options);
  // With a StorageService the caller built (tests hold commits back this way).
  // Throws std::runtime_error if the tree does not start.
  [[nodiscard]] static std::unique_ptr<Service> start(core::Runtime& runtime, ServiceOptions options,
                                                      std::unique_ptr<StorageService> storage);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Starts a session process for a new connection, writing to `outbound`, without
  // blocking: `on_started` runs later on a runtime thread with the result (at once, on
  // this thread, once stop() began). It must not block. Fails with "shutting_down: ..."
  // once stop() began, "max_children: ..." at max_sessions.
  void start_session(std::shared_ptr<Outbound> outbound, std::function<void(core::StartResult)> on_started);

  [[nodiscard]] Documents& documents() noexcept { return documents_; }
  [[nodiscard]] StorageService& storage() noexcept { return *storage_; }
  [[nodiscard]] Metrics& metrics() noexcept { return metrics_; }
  [[nodiscard]] core::PubSub& pubsub() noexcept { return pubsub_; }
  [[nodiscard]] const ServiceContext& context() const noexcept { return *context_; }
  // The root of the tree (tests, admin).
  [[nodiscard]] core::Pid supervisor() const noexcept { return root_; }
  // How the node calls itself on the dashboard ("otterd@127.0.0.1:8080"); any thread.
  void set_node_name(std::string name);
  // Prometheus text exposition of every metric.
  [[nodiscard]] std::string render_metrics() const;

  // Graceful stop (see above). Idempotent.
  void stop();

 private:
  Service(core::Runtime& runtime, ServiceOptions options, std::unique_ptr<StorageService> storage);
  void start_tree();

  core::Runtime& runtime_;
  ServiceOptions options_;
  Metrics metrics_;
  std::unique_ptr<StorageService> storage_;
  core::LocalRegistry registry_{core::RegistryKind::unique};
  core::PubSub pubsub_;
  std::shared_ptr<ServiceContext> context_;
  Documents documents_;
  core::Pid root_;
  bool stopped_ = false;
};

}  // namespace otter::server
