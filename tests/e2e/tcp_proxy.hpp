// TcpProxy: a TCP forwarder between the clients under test and otterd, so an end-to-end test
// can fail the network the way networks fail: cut every connection (no WebSocket close
// frame: both ends see the TCP stream end), hold the bytes of one direction (the server's
// ack never arrives, or the client's op never leaves), and follow a server that restarted
// on another port.
//
//   TcpProxy proxy(server.port());      // listening on 127.0.0.1, port()
//   OtterClient client({.port = proxy.port()});
//   proxy.hold_downstream(true);        // server -> client bytes are read and kept back
//   proxy.cut();                        // every current connection ends; held bytes dropped
//   proxy.set_target(restarted.port()); // new connections go there
//
// Contract
// - Each accepted connection gets its own connection to the target and two threads, one per
//   direction. Holding applies to current and later connections alike until released.
// - cut() shuts both sockets of every current connection down; later connections are
//   forwarded normally. connections() counts the connections accepted so far, and
//   wait_for_connections(n) waits (no sleeping) until n were.
// - The destructor stops accepting, cuts everything and joins its threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace otter::testing {

class TcpProxy {
 public:
  explicit TcpProxy(std::uint16_t target_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  void set_target(std::uint16_t target_port);
  void hold_upstream(bool hold);    // client -> server
  void hold_downstream(bool hold);  // server -> client
  void cut();
  [[nodiscard]] std::size_t connections() const;
  [[nodiscard]] bool wait_for_connections(std::size_t count, std::chrono::milliseconds timeout);

 private:
  struct Link;
  void accept_loop();
  void pump(const std::shared_ptr<Link>& link, bool upstream);

  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread acceptor_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::uint16_t target_port_;               // guarded by mutex_
  bool hold_upstream_ = false;              // guarded by mutex_
  bool hold_downstream_ = false;            // guarded by mutex_
  bool stopping_ = false;                   // guarded by mutex_
  std::size_t accepted_ = 0;                // guarded by mutex_
  std::vector<std::shared_ptr<Link>> links_;  // guarded by mutex_
  std::vector<std::thread> pumps_;          // guarded by mutex_
};

}  // namespace otter::testing
