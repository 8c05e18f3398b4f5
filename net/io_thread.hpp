// IoThread: an io_context run by background threads (one by default), for the client side
// (the CLI, tests, the simulator) and for tests that need a server's io_context. Many
// clients may share one: WsClient takes a shared_ptr<IoThread>.
//
// - The constructor starts the threads; the destructor stops the io_context and joins them
//   (pending operations are abandoned, their handlers destroyed).
// - With more than one thread, handlers run concurrently unless they share a strand (every
//   client and server connection has its own).
// - Never block inside its handlers (a WsClient's blocking calls from its own IoThread
//   would deadlock).
#pragma once

#include <memory>

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace otter::net {

class IoThread {
 public:
  explicit IoThread(unsigned threads = 1);
  ~IoThread();
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  [[nodiscard]] boost::asio::io_context& context() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace otter::net
