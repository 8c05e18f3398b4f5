#include "otterd/app.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <system_error>
#include <utility>

#include "core/runtime.hpp"
#include "net/http_server.hpp"
#include "net/io_thread.hpp"
#include "net/rest_api.hpp"
#include "net/router.hpp"
#include "otterd/websocket_bridge.hpp"
#include "server/service.hpp"

namespace otter::otterd {

namespace {

namespace fs = std::filesystem;

// What / shows when there is no frontend build to serve.
constexpr std::string_view kFrontendMissingPage = R"(<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Otter</title></head>
<body>
<h1>Otter is running</h1>
<p>The web editor is not built, so there is nothing to show here yet. Build the frontend
(its files go to <code>frontend/dist</code>, or wherever <code>server.static_dir</code> points)
and reload.</p>
<p>Meanwhile the server works: WebSocket clients connect to <code>/ws</code>, the REST API is
under <code>/api/docs</code> (docs/api.md), health is at <code>/healthz</code> and metrics at
<code>/metrics</code>.</p>
</body>
</html>
)";

std::string signal_name(int signal) {
  if (signal == SIGTERM) return "SIGTERM";
  if (signal == SIGINT) return "SIGINT";
  return "signal " + std::to_string(signal);
}

}  // namespace

struct App::Impl {
  explicit Impl(Config c) : config(std::move(c)) {}

  Config config;
  // Declaration order is destruction order reversed: the I/O threads (and with them every
  // connection) go before the REST API, the service and the runtime they use.
  std::unique_ptr<core::Runtime> runtime;
  std::unique_ptr<server::Service> service;
  std::shared_ptr<SessionGate> sessions;
  std::unique_ptr<net::RestApi> rest;
  std::unique_ptr<net::IoThread> io;
  std::unique_ptr<net::HttpServer> http;
  // Touched only on its strand: by its own handler (re-arming) and by stop() (closing).
  std::unique_ptr<boost::asio::signal_set> signals;
  std::uint16_t port = 0;

  std::mutex mutex;
  std::condition_variable stop_requested_changed;
  std::optional<std::string> stop_reason;  // guarded by mutex
  bool stopped = false;

  void start();
  void wait_for_signal();
  void request_stop(std::string reason);
  int stop();
  [[nodiscard]] net::HttpServerConfig http_config() const;
};

net::HttpServerConfig App::Impl::http_config() const {
  net::HttpServerConfig http_config = config.http;
  http_config.host = config.listen.host;
  http_config.port = config.listen.port;
  http_config.static_root.reset();
  if (!config.static_dir.empty()) {
    std::error_code error;
    if (fs::is_directory(config.static_dir, error)) {
      http_config.static_root = config.static_dir;
    } else {
      spdlog::warn("the frontend is not built: no directory \"{}\" (server.static_dir); / serves a placeholder page",
                   config.static_dir.string());
    }
  }
  return http_config;
}

void App::Impl::start() {
  std::error_code error;
  fs::create_directories(config.data_dir, error);
  if (error) {
    throw StartError("cannot create the data directory \"" + config.data_dir.string() + "\": " + error.message());
  }

  runtime = std::make_unique<core::Runtime>(config.runtime);

  server::ServiceOptions service_options = config.service;
  service_options.storage.path = config.database_path().string();
  // What the session advertises in `welcome` is what net/ enforces.
  service_options.sessions.max_frame_bytes = config.http.max_frame_bytes;
  service_options.sessions.heartbeat = config.http.heartbeat_interval;
  service_options.sessions.server_name = config.http.server_name;
  // The dashboard's crash button: for every connection in dev mode, else for the admin token.
  service_options.sessions.admin_all = config.admin_enabled;
  storage::Expected<std::unique_ptr<server::Service>> started = server::Service::start(*runtime, service_options);
  if (!started) {
    throw StartError("cannot open storage at \"" + service_options.storage.path +
                     "\": " + std::string(storage::to_string(started.error().code)) + ": " + started.error().message);
  }
  service = std::move(*started);
  spdlog::info("storage: {} (durability {})", service_options.storage.path,
               storage::to_string(service_options.storage.sqlite.durability));

  net::RestOptions rest_options = config.rest;
  rest_options.max_op_bytes = config.service.sessions.max_op_bytes;
  rest_options.admin = config.admin_enabled;
  rest_options.extra_metrics = [this] {
    const std::size_t websockets = http ? http->websocket_count() : 0;
    return "# HELP otter_websocket_connections WebSocket connections open now.\n"
           "# TYPE otter_websocket_connections gauge\n"
           "otter_websocket_connections " +
           std::to_string(websockets) + "\n";
  };
  rest = std::make_unique<net::RestApi>(*service, std::move(rest_options));
  if (config.admin_enabled) {
    spdlog::warn("admin hooks enabled: POST /api/admin/docs/{id}/crash and the dashboard's crash button crash "
                 "documents");
  }

  net::HttpServerConfig server_config = http_config();
  net::Router router;
  rest->add_routes(router);
  if (!server_config.static_root) {
    router.add("GET", "/", net::respond_with([](const net::Request&) {
                 return net::Response{200, "text/html; charset=utf-8", std::string(kFrontendMissingPage), {}};
               }));
  }

  sessions = std::make_shared<SessionGate>(*service, *runtime);
  // server.io_threads 0: sockets are served by the runtime's own threads, so a frame
  // reaches its session's mailbox without waking another thread.
  if (config.io_threads > 0) io = std::make_unique<net::IoThread>(config.io_threads);
  boost::asio::io_context& io_context = io ? io->context() : runtime->io_context();
  http = std::make_unique<net::HttpServer>(io_context, server_config, std::move(router),
                                           make_session_factory(sessions));
  try {
    http->start();
  } catch (const std::system_error& failure) {
    throw StartError("cannot listen on " + to_string(config.listen) + ": " + failure.code().message());
  }
  port = http->port();
  service->set_node_name("otterd@" + to_string(ListenAddress{config.listen.host, port}));

  signals = std::make_unique<boost::asio::signal_set>(boost::asio::make_strand(io_context), SIGINT, SIGTERM);
  wait_for_signal();
}

void App::Impl::wait_for_signal() {
  signals->async_wait([this](const boost::system::error_code& error, int signal) {
    if (error) return;  // cancelled: we are stopping
    // Re-armed first: once request_stop() wakes the stopping thread, which destroys the
    // signal set, this handler must not touch it. A second signal is only logged.
    wait_for_signal();
    request_stop(signal_name(signal));
  });
}

void App::Impl::request_stop(std::string reason) {
  {
    const std::lock_guard lock(mutex);
    if (stop_reason) {
      spdlog::info("{}: already stopping ({})", reason, *stop_reason);
      return;
    }
    stop_reason = std::move(reason);
  }
  stop_requested_changed.notify_all();
}

int App::Impl::stop() {
  const auto began = std::chrono::steady_clock::now();
  {
    const std::lock_guard lock(mutex);
    if (stopped) return 0;
    stopped = true;
  }
  if (http) {
    // Bounded: a request still running ends by the handler timeout, a peer that never
    // answers a close by the handshake timeout.
    const auto bound = config.http.handler_timeout + config.http.websocket_handshake_timeout;
    auto done = std::make_shared<std::promise<void>>();
    std::future<void> stopped_future = done->get_future();
    http->stop([done] { done->set_value(); });
    if (stopped_future.wait_for(bound) != std::future_status::ready) {
      spdlog::warn("connections still open after {} ms; stopping anyway", bound.count());
    }
  }
  if (rest) rest->stop();
  if (sessions) sessions->close();
  if (service) {
    spdlog::info("stopping sessions and documents, flushing storage");
    service->stop();
  }
  if (signals) {
    // On the signal set's strand, so a handler re-arming it never runs at the same time;
    // and before its io_context goes, since the set uses a service the context owns.
    auto closed = std::make_shared<std::promise<void>>();
    std::future<void> closed_future = closed->get_future();
    boost::asio::dispatch(signals->get_executor(), [this, closed] {
      boost::system::error_code ignored;
      signals->cancel(ignored);
      signals.reset();
      closed->set_value();
    });
    closed_future.wait();
  }
  http.reset();
  io.reset();  // joins the I/O threads (if otterd has its own); connections left over are destroyed
  rest.reset();
  service.reset();
  if (runtime) runtime->shutdown();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
  spdlog::info("stopped in {} ms", took.count());
  return 0;
}

App::App(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}

App::~App() {
  // A start that failed halfway (or a run() never called) still stops what did start.
  static_cast<void>(impl_->stop());
}

void App::start() { impl_->start(); }

std::uint16_t App::port() const noexcept { return impl_->port; }

const Config& App::config() const noexcept { return impl_->config; }

int App::run() {
  std::string reason;
  {
    std::unique_lock lock(impl_->mutex);
    impl_->stop_requested_changed.wait(lock, [this] { return impl_->stop_reason.has_value(); });
    reason = *impl_->stop_reason;
  }
  spdlog::info("{}: stopping gracefully", reason);
  return impl_->stop();
}

void App::request_stop(std::string reason) { impl_->request_stop(std::move(reason)); }

}  // namespace otter::otterd
