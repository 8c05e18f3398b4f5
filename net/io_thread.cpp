#include "net/io_thread.hpp"

#include <algorithm>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace otter::net {

struct IoThread::Impl {
  explicit Impl(unsigned thread_count) : io(static_cast<int>(thread_count)) {
    threads.reserve(thread_count);
    for (unsigned i = 0; i < thread_count; ++i) threads.emplace_back([this] { io.run(); });
  }

  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work = boost::asio::make_work_guard(io);
  std::vector<std::thread> threads;
};

IoThread::IoThread(unsigned threads) : impl_(std::make_unique<Impl>(std::max(threads, 1U))) {}

IoThread::~IoThread() {
  impl_->work.reset();
  impl_->io.stop();
  for (std::thread& thread : impl_->threads) thread.join();
}

boost::asio::io_context& IoThread::context() noexcept { return impl_->io; }

}  // namespace otter::net
