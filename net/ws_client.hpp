// WsClient: a small blocking WebSocket client for the CLI, integration tests and the
// simulator. No Beast in this header.
//
//   WsClient client({.port = server.port()});        // connects, or throws ClientError
//   client.send(R"({"type":"hello","version":1})");
//   std::optional<std::string> reply = client.receive(1s);   // nullopt: timeout or closed
//   client.close();                                   // 1000, waits for the server's answer
//
// Contract
// - I/O runs on an IoThread (net/io_thread.hpp): a private one by default, or one shared
//   by many clients. Blocking calls must not be made from that thread.
// - The client reads continuously in the background (so it answers the server's pings);
//   text and binary messages queue in an inbox that receive() pops in arrival order. The
//   inbox is unbounded: a test that never calls receive() holds everything the server sent.
// - send()/send_binary() queue and return; frames go out one at a time in call order.
//   After the connection closed they do nothing. Thread-safe.
// - close() flushes queued frames, sends the close frame and waits (up to the timeout
//   option) for the server's; then the connection is down whatever the server did.
// - When the server closes, wait_closed() returns its code and reason (initiated_locally
//   false); receive() still returns what arrived before.
// - The destructor closes (1000) if still open.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "net/client_error.hpp"
#include "net/connection.hpp"
#include "net/io_thread.hpp"

namespace otter::net {

struct WsClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string target = "/ws";
  std::chrono::milliseconds timeout{10'000};  // connect + handshake; close handshake
  std::size_t max_message_bytes = 64 * 1024 * 1024;
};

namespace detail {
class WsClientSession;
}  // namespace detail

class WsClient {
 public:
  explicit WsClient(const WsClientOptions& options, std::shared_ptr<IoThread> io = nullptr);
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  void send(std::string text);
  void send_binary(std::string bytes);
  // The next message, waiting up to `timeout`; nullopt if none came (or the connection
  // closed and the inbox is empty).
  [[nodiscard]] std::optional<std::string> receive(std::chrono::milliseconds timeout);
  // Waits up to `timeout` for the connection to close; nullopt if it is still open.
  [[nodiscard]] std::optional<CloseReason> wait_closed(std::chrono::milliseconds timeout);
  void close(std::uint16_t code = 1000, std::string reason = {});
  [[nodiscard]] bool is_open() const;

 private:
  std::shared_ptr<IoThread> io_;  // declared first: destroyed last
  std::shared_ptr<detail::WsClientSession> session_;
  std::chrono::milliseconds timeout_;
};

}  // namespace otter::net
