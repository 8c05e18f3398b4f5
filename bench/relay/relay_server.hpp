// RelayServer: the bare WebSocket relay the load benchmark compares otterd with — the
// naive ceiling of "just forward the bytes". No parsing, no OT, no storage: for each text
// frame a connection sends, the sender gets the fixed ack frame {"ack":1} and every other
// connection on the same URL path (the "document") gets the same frame, one WebSocket frame
// per op per receiver (no batching).
//
// Lifecycle: construct (binds and listens; throws std::system_error if it can't), run()
// on as many threads as wanted (returns when stop() is called), stop() from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace otter::bench {

struct RelayOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (port() tells which)
};

class RelayServer {
 public:
  explicit RelayServer(const RelayOptions& options);
  ~RelayServer();
  RelayServer(const RelayServer&) = delete;
  RelayServer& operator=(const RelayServer&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept;
  // Runs the server's I/O on the calling thread until stop().
  void run();
  void stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace otter::bench
