// App: otterd assembled — the core Runtime, the document service (storage, supervision
// tree), the REST API and the HTTP + WebSocket server, and an orderly stop on a signal.
//
//   App app(config);
//   app.start();               // throws StartError: storage won't open, address in use, ...
//   app.port();                // the bound port (server.listen's port 0: the one picked)
//   return app.run();          // blocks until SIGTERM/SIGINT (or request_stop), stops, 0
//
// Threads: the Runtime's pool runs processes; `server.io_threads` threads of otterd's own
// run HTTP and WebSocket I/O and signal handling (0: the Runtime's threads do that too);
// `rest.threads` run REST requests that wait on documents and storage; storage has its
// writer and reader threads.
//
// Stopping, in this order (each step waits for the one before):
//   1. the HTTP server stops accepting; requests in progress are answered; every
//      WebSocket is closed with 1001 "shutting_down" (after the frames already queued);
//   2. the REST pool drains; new WebSocket sessions are refused from now on;
//   3. the service stops: sessions, then documents (every applied op is handed to the
//      writer), then storage commits everything queued and closes;
//   4. the I/O threads (if any of otterd's own) and the Runtime stop.
// An op acknowledged to anyone was durable before it was acknowledged, so a stop — or a
// kill -9 at any point — loses none.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "otterd/config.hpp"

namespace otter::otterd {

class StartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class App {
 public:
  explicit App(Config config);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  void start();
  [[nodiscard]] std::uint16_t port() const noexcept;
  [[nodiscard]] const Config& config() const noexcept;

  // Blocks until a stop is requested, then stops as above. Returns the exit status.
  int run();
  // From any thread (a signal handler runs it on an I/O thread). Idempotent.
  void request_stop(std::string reason);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace otter::otterd
