// Test helper: a WebSocket client on a bare POSIX socket (no Beast), for the tests that
// must send what a well-behaved client never would, or never answer a ping. It completes
// the opening handshake, then sends raw bytes (see ws_client_frames.hpp) and reads the
// server's frames as they are on the wire. Every recv is bounded by a 10 s timeout.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace otter::net::testing {

class RawWsClient {
 public:
  struct Frame {
    std::uint8_t opcode = 0;
    std::string payload;
    // A close frame's code, or 0.
    [[nodiscard]] std::uint16_t close_code() const {
      if (opcode != 0x8 || payload.size() < 2) return 0;
      return static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8U) |
                                        static_cast<unsigned char>(payload[1]));
    }
  };

  // receive_buffer_bytes > 0 shrinks the socket's receive buffer (before connecting, so the
  // window is small from the start): a client that is slow to read fills up quickly.
  explicit RawWsClient(std::uint16_t port, int receive_buffer_bytes = 0) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (receive_buffer_bytes > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof receive_buffer_bytes);
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) return;
    connected_ = send_bytes(
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    // The 101 response; bytes after it are the first frames.
    while (connected_ && received_.find("\r\n\r\n") == std::string::npos) connected_ = receive_more();
    if (!connected_) return;
    connected_ = received_.starts_with("HTTP/1.1 101");
    received_.erase(0, received_.find("\r\n\r\n") + 4);
  }
  ~RawWsClient() { ::close(fd_); }
  RawWsClient(const RawWsClient&) = delete;
  RawWsClient& operator=(const RawWsClient&) = delete;

  // True once the handshake succeeded.
  [[nodiscard]] bool connected() const { return connected_; }

  bool send_bytes(std::string_view bytes) const {
    while (!bytes.empty()) {
      const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
  }

  // Sends the bytes, then reads the server's next frame.
  std::optional<Frame> answer_to(std::string_view bytes) {
    if (!send_bytes(bytes)) return std::nullopt;
    return read_frame();
  }

  // The server's next frame (servers never mask), or nullopt on EOF, error or timeout.
  std::optional<Frame> read_frame() {
    if (!fill(2)) return std::nullopt;
    const auto first = static_cast<unsigned char>(received_[0]);
    const auto length7 = static_cast<unsigned char>(received_[1]) & 0x7FU;
    const std::size_t extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
    if (!fill(2 + extended)) return std::nullopt;
    std::uint64_t length = length7;
    if (extended > 0) {
      length = 0;
      for (std::size_t i = 0; i < extended; ++i) length = (length << 8U) | static_cast<unsigned char>(received_[2 + i]);
    }
    const std::size_t header = 2 + extended;
    if (!fill(header + length)) return std::nullopt;
    Frame frame{static_cast<std::uint8_t>(first & 0x0FU), received_.substr(header, length)};
    received_.erase(0, header + length);
    return frame;
  }

  // Reads (and ignores) everything until the server closes: true on EOF or reset.
  [[nodiscard]] bool wait_for_server_to_hang_up() const {
    char buffer[4096];
    while (true) {
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }

 private:
  bool receive_more() {
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    received_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }
  bool fill(std::size_t bytes) {
    while (received_.size() < bytes) {
      if (!receive_more()) return false;
    }
    return true;
  }

  int fd_;
  bool connected_ = false;
  std::string received_;
};

}  // namespace otter::net::testing
