// The glue between net/'s WebSocket connections and server/'s session processes
// (server/outbound.hpp describes the contract from the session's side).
//
//   connection opens  -> factory: Service::start_session(outbound over the connection),
//                        which answers later; frames that come first wait in the handler
//   text frame        -> runtime.send(session, server::ClientFrame{text})
//   connection closes -> runtime.send(session, server::ConnectionClosed{code, reason})
//   session sends     -> Outbound::send -> net::Connection::send (any thread)
//
// Frames are handled in the session's own process, never on the socket's strand: the
// handler only forwards. Nothing here waits for a process, so the factory may run on any
// thread, the runtime's included. A session that cannot start (stopping, max_sessions)
// closes the connection with 1013 try_again_later.
//
// SessionGate: the factory holds the service through it; close() (before the service
// stops) makes later connections be refused (1013) instead of touching a stopped service.
#pragma once

#include <memory>
#include <shared_mutex>

#include "core/runtime.hpp"
#include "net/connection.hpp"
#include "server/service.hpp"

namespace otter::otterd {

class SessionGate {
 public:
  SessionGate(server::Service& service, core::Runtime& runtime) : service_(&service), runtime_(runtime) {}

  // The handler for `connection`, its session starting; nullptr once closed (refused).
  [[nodiscard]] std::shared_ptr<net::ConnectionHandler> open(const std::shared_ptr<net::Connection>& connection);
  // After this, open() refuses. Waits for an open() in progress to finish.
  void close();

 private:
  // Shared by open()s running on several I/O threads at once; close() takes it alone.
  std::shared_mutex mutex_;
  server::Service* service_;  // guarded by mutex_; nullptr once closed
  core::Runtime& runtime_;
};

[[nodiscard]] net::ConnectionFactory make_session_factory(std::shared_ptr<SessionGate> gate);

}  // namespace otter::otterd
