#include "tests/e2e/slow_reader.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace otter::testing {
namespace {

[[noreturn]] void throw_errno(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t written = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) throw_errno("send");
    data.remove_prefix(static_cast<std::size_t>(written));
  }
}

}  // namespace

SlowReader::SlowReader(std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw_errno("socket");
  const int small = 4096;  // before connect, so the window stays small
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) throw_errno("connect");
  write_all(fd_,
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (buffer_.find("\r\n\r\n") == std::string::npos) {
    if (!fill(buffer_.size() + 1, deadline)) throw std::runtime_error("no WebSocket handshake answer");
  }
  const std::size_t end = buffer_.find("\r\n\r\n") + 4;
  if (buffer_.rfind("HTTP/1.1 101", 0) != 0) throw std::runtime_error("upgrade refused: " + buffer_.substr(0, end));
  buffer_.erase(0, end);
}

SlowReader::~SlowReader() {
  if (fd_ >= 0) ::close(fd_);
}

void SlowReader::send_text(std::string_view text) {
  // A client frame: FIN + text, masked (the mask is all zero: allowed, and the payload
  // goes out unchanged).
  std::string frame;
  frame.push_back(static_cast<char>(0x81));
  if (text.size() < 126) {
    frame.push_back(static_cast<char>(0x80 | text.size()));
  } else if (text.size() <= 0xFFFF) {
    frame.push_back(static_cast<char>(0x80 | 126));
    frame.push_back(static_cast<char>(text.size() >> 8));
    frame.push_back(static_cast<char>(text.size() & 0xFF));
  } else {
    frame.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) frame.push_back(static_cast<char>((text.size() >> shift) & 0xFF));
  }
  frame.append(4, '\0');
  frame.append(text);
  write_all(fd_, frame);
}

bool SlowReader::fill(std::size_t bytes, std::chrono::steady_clock::time_point deadline) {
  char chunk[64 * 1024];
  while (buffer_.size() < bytes) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return false;
    pollfd readable{fd_, POLLIN, 0};
    const int ready = ::poll(&readable, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    const ssize_t received = ::recv(fd_, chunk, sizeof chunk, 0);
    if (received < 0 && errno == EINTR) continue;
    if (received <= 0) return false;  // the stream ended
    buffer_.append(chunk, static_cast<std::size_t>(received));
  }
  return true;
}

std::optional<SlowReader::Frame> SlowReader::read_frame(std::chrono::steady_clock::time_point deadline) {
  if (!fill(2, deadline)) return std::nullopt;
  const auto byte = [this](std::size_t i) { return static_cast<unsigned char>(buffer_[i]); };
  Frame frame;
  frame.opcode = byte(0) & 0x0F;
  std::size_t length = byte(1) & 0x7F;
  std::size_t header = 2;
  if (length == 126) {
    if (!fill(4, deadline)) return std::nullopt;
    length = (std::size_t{byte(2)} << 8) | byte(3);
    header = 4;
  } else if (length == 127) {
    if (!fill(10, deadline)) return std::nullopt;
    length = 0;
    for (std::size_t i = 2; i < 10; ++i) length = (length << 8) | byte(i);
    header = 10;
  }
  if (!fill(header + length, deadline)) return std::nullopt;
  frame.payload = buffer_.substr(header, length);
  buffer_.erase(0, header + length);
  return frame;
}

std::optional<std::string> SlowReader::read_text(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::optional<Frame> frame = read_frame(deadline)) {
    if (frame->opcode == 0x1) return std::move(frame->payload);
    if (frame->opcode == 0x8) return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::uint16_t> SlowReader::read_until_close(std::chrono::milliseconds timeout, std::string* reason) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::optional<Frame> frame = read_frame(deadline)) {
    if (frame->opcode != 0x8) continue;
    if (frame->payload.size() < 2) return std::uint16_t{1005};  // no status code
    if (reason != nullptr) *reason = frame->payload.substr(2);
    return static_cast<std::uint16_t>((static_cast<unsigned char>(frame->payload[0]) << 8) |
                                      static_cast<unsigned char>(frame->payload[1]));
  }
  return std::nullopt;
}

}  // namespace otter::testing
