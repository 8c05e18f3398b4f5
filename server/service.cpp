#include "server/service.hpp"

#include <chrono>
#include <functional>
#include <stdexcept>
#include <vector>

#include "core/dynamic_supervisor.hpp"
#include "core/scoped_process.hpp"
#include "core/supervisor.hpp"
#include "server/dashboard.hpp"
#include "server/session.hpp"

namespace otter::server {

namespace {

// A DynamicSupervisor child that records the Pid of every incarnation in `slot`, so the
// service always asks the current one. `on_restart` runs when an incarnation is not the first.
core::ChildSpec recorded_supervisor(std::string id, core::DynamicSupervisorOptions options, SupervisorSlot* slot,
                                    std::function<void()> on_restart = {}) {
  core::ChildSpec spec;
  spec.id = std::move(id);
  spec.type = core::ChildType::supervisor;
  spec.start = [options, slot, on_restart = std::move(on_restart)](core::Runtime& runtime) {
    core::StartResult started = runtime.spawn<core::DynamicSupervisor>(core::SpawnOptions{.link = true}, options);
    if (started.ok() && slot->set(started.pid()) && on_restart) on_restart();
    return started;
  };
  return spec;
}

}  // namespace

storage::Expected<std::unique_ptr<Service>> Service::start(core::Runtime& runtime, ServiceOptions options) {
  storage::Expected<std::unique_ptr<StorageService>> storage = StorageService::open_sqlite(runtime, options.storage);
  if (!storage) return std::move(storage).error();
  return start(runtime, std::move(options), std::move(*storage));
}

std::unique_ptr<Service> Service::start(core::Runtime& runtime, ServiceOptions options,
                                        std::unique_ptr<StorageService> storage) {
  std::unique_ptr<Service> service(new Service(runtime, std::move(options), std::move(storage)));
  service->start_tree();
  return service;
}

Service::Service(core::Runtime& runtime, ServiceOptions options, std::unique_ptr<StorageService> storage)
    : runtime_(runtime),
      options_(std::move(options)),
      storage_(std::move(storage)),
      pubsub_(runtime),
      context_(std::make_shared<ServiceContext>(runtime, *storage_, pubsub_, registry_, metrics_, options_.documents,
                                                options_.sessions)),
      documents_(context_) {}

void Service::start_tree() {
  std::vector<core::ChildSpec> children{
      recorded_supervisor("documents",
                          core::DynamicSupervisorOptions{.max_restarts = options_.max_document_restarts,
                                                         .max_seconds = options_.document_restart_window,
                                                         .max_children = options_.max_documents},
                          &context_->documents_supervisor,
                          [board = &context_->board] {
                            board->documents_supervisor_restarted(
                                "more document crashes than the documents supervisor allows; it was restarted");
                          }),
      recorded_supervisor("sessions", core::DynamicSupervisorOptions{.max_children = options_.max_sessions},
                          &context_->sessions_supervisor),
      // Last: under rest_for_one its crash restarts only itself.
      core::ChildSpec::worker<Dashboard>("dashboard", context_, options_.dashboard),
  };
  const core::StartResult root = runtime_.spawn<core::Supervisor>(
      core::SpawnOptions{}, core::SupervisorFlags{.strategy = core::Strategy::rest_for_one}, std::move(children));
  if (!root.ok()) {
    throw std::runtime_error("the document service's supervision tree did not start: " +
                             (root.error() ? root.error()->to_string() : std::string("ignored")));
  }
  root_ = root.pid();
  context_->root_supervisor.set(root_);
}

void Service::set_node_name(std::string name) { context_->set_node_name(std::move(name)); }

Service::~Service() { stop(); }

void Service::start_session(std::shared_ptr<Outbound> outbound, std::function<void(core::StartResult)> on_started) {
  const core::Pid sessions = context_->sessions_supervisor.get();
  if (stopped_ || !sessions) {
    return on_started(core::StartResult::failed(core::ExitReason::error("shutting_down: the server is stopping")));
  }
  core::DynamicSupervisor::async_start_child(
      runtime_, sessions,
      core::ChildSpec::worker<Session>("session", context_, std::move(outbound)).with_restart(core::Restart::temporary),
      std::move(on_started));
}

std::string Service::render_metrics() const { return render_prometheus(metrics_, storage_->writer_metrics()); }

void Service::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (root_) {
    // Sessions first (they tell their clients shutting_down), then documents; each
    // document's writes are already with the writer, which storage_->stop() drains.
    core::ScopedProcess self(runtime_);
    self.monitor(root_);
    runtime_.exit(root_, core::ExitReason::shutdown());
    static_cast<void>(self.receive<core::Down>(std::chrono::minutes(1)));
  }
  context_->documents_supervisor.set({});
  context_->sessions_supervisor.set({});
  context_->dashboard.set({});
  context_->root_supervisor.set({});
  storage_->stop();
}

}  // namespace otter::server
