#include "tests/e2e/tcp_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace otter::testing {
namespace {

[[noreturn]] void throw_errno(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// Writes all of [data, data + size); false if the socket failed.
bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t written = ::send(fd, data, size, MSG_NOSIGNAL);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

}  // namespace

struct TcpProxy::Link {
  int client_fd = -1;
  int server_fd = -1;
  bool cut = false;  // guarded by the proxy's mutex_

  ~Link() {
    if (client_fd >= 0) ::close(client_fd);
    if (server_fd >= 0) ::close(server_fd);
  }
  void shut_down() const noexcept {
    ::shutdown(client_fd, SHUT_RDWR);
    ::shutdown(server_fd, SHUT_RDWR);
  }
};

TcpProxy::TcpProxy(std::uint16_t target_port) : target_port_(target_port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw_errno("socket");
  sockaddr_in address = loopback(0);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) throw_errno("bind");
  if (::listen(listen_fd_, 64) != 0) throw_errno("listen");
  socklen_t length = sizeof address;
  if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) throw_errno("getsockname");
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

TcpProxy::~TcpProxy() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
  acceptor_.join();
  ::close(listen_fd_);
  cut();
  std::vector<std::thread> pumps;
  {
    const std::lock_guard lock(mutex_);
    pumps = std::move(pumps_);
  }
  for (std::thread& pump : pumps) pump.join();
}

void TcpProxy::set_target(std::uint16_t target_port) {
  const std::lock_guard lock(mutex_);
  target_port_ = target_port;
}

void TcpProxy::hold_upstream(bool hold) {
  {
    const std::lock_guard lock(mutex_);
    hold_upstream_ = hold;
  }
  changed_.notify_all();
}

void TcpProxy::hold_downstream(bool hold) {
  {
    const std::lock_guard lock(mutex_);
    hold_downstream_ = hold;
  }
  changed_.notify_all();
}

void TcpProxy::cut() {
  {
    const std::lock_guard lock(mutex_);
    for (const std::shared_ptr<Link>& link : links_) {
      link->cut = true;
      link->shut_down();
    }
    links_.clear();
  }
  changed_.notify_all();
}

std::size_t TcpProxy::connections() const {
  const std::lock_guard lock(mutex_);
  return accepted_;
}

bool TcpProxy::wait_for_connections(std::size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [this, count] { return accepted_ >= count; });
}

void TcpProxy::accept_loop() {
  while (true) {
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // shut down
    }
    auto link = std::make_shared<Link>();
    link->client_fd = client;
    std::uint16_t target = 0;
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) return;
      target = target_port_;
    }
    link->server_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_in address = loopback(target);
    if (link->server_fd < 0 ||
        ::connect(link->server_fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      continue;  // the server is away: the client sees its connection end (Link closes both)
    }
    const int one = 1;
    ::setsockopt(link->client_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(link->server_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    {
      const std::lock_guard lock(mutex_);
      ++accepted_;
      links_.push_back(link);
      pumps_.emplace_back([this, link] { pump(link, true); });
      pumps_.emplace_back([this, link] { pump(link, false); });
    }
    changed_.notify_all();
  }
}

void TcpProxy::pump(const std::shared_ptr<Link>& link, bool upstream) {
  const int from = upstream ? link->client_fd : link->server_fd;
  const int to = upstream ? link->server_fd : link->client_fd;
  char buffer[64 * 1024];
  while (true) {
    const ssize_t received = ::recv(from, buffer, sizeof buffer, 0);
    if (received < 0 && errno == EINTR) continue;
    if (received <= 0) break;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return link->cut || !(upstream ? hold_upstream_ : hold_downstream_); });
      if (link->cut) return;
    }
    if (!write_all(to, buffer, static_cast<std::size_t>(received))) break;
  }
  // One side ended: end the other too, as a real connection would.
  link->shut_down();
}

}  // namespace otter::testing
