// SlowReader: a WebSocket client that can stop reading — what the slow_consumer row of the
// error table needs, and what WsClient (which always reads) cannot be. Plain POSIX
// sockets, the RFC 6455 framing by hand, a tiny receive buffer so the kernel holds little.
//
//   SlowReader reader(port);                  // connected and upgraded, or throws
//   reader.send_text(R"({"type":"hello","version":1})");
//   ... it reads nothing until asked ...
//   std::optional<std::uint16_t> code = reader.read_until_close(30s);   // the close frame's code
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace otter::testing {

class SlowReader {
 public:
  explicit SlowReader(std::uint16_t port);
  ~SlowReader();
  SlowReader(const SlowReader&) = delete;
  SlowReader& operator=(const SlowReader&) = delete;

  void send_text(std::string_view text);
  // The next text frame's payload (skipping pings); nullopt on timeout, close or error.
  [[nodiscard]] std::optional<std::string> read_text(std::chrono::milliseconds timeout);
  // Reads (and discards) frames until the server's close frame; its status code, or nullopt
  // if the stream ended without one or the timeout passed. `reason` gets its text.
  [[nodiscard]] std::optional<std::uint16_t> read_until_close(std::chrono::milliseconds timeout,
                                                              std::string* reason = nullptr);

 private:
  struct Frame {
    int opcode = 0;
    std::string payload;
  };
  [[nodiscard]] bool fill(std::size_t bytes, std::chrono::steady_clock::time_point deadline);
  [[nodiscard]] std::optional<Frame> read_frame(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string buffer_;  // received, not yet parsed
};

}  // namespace otter::testing
