// The server side of WebSocket framing (RFC 6455 section 5), as pure code: no sockets, no
// Asio, no Beast. WsFrameParser turns the bytes a client sends into messages and control
// frames; encode_frame_header() writes the header of a frame the server sends.
//
//   bytes (any chunking) ──> parser.next(input) ──> text | binary | ping | pong | close | error
//
// Parser contract
// - next(input) consumes bytes from the front of `input` until one event is complete, and
//   returns it (input then starts after that event's last byte); if `input` runs out
//   first, it returns nullopt with `input` empty. Feeding a stream one byte at a time or in
//   one chunk gives the same events.
// - text: a whole message (fragments joined), valid UTF-8. binary: a whole binary message;
//   its payload is skipped, not kept (the protocol has no binary messages; the session only
//   answers them). ping/pong: the payload. close: the code (1005 if the frame had none) and
//   the reason. Control frames may arrive between the fragments of a message (5.4).
// - error: the peer broke the protocol; `code` is the close code to answer with and
//   `payload` says what was wrong. 1002: an unmasked frame, RSV bits set, an unknown
//   opcode, a fragmented or over-125-byte control frame, a continuation with no message
//   started, a new message inside a fragmented one, a 64-bit length with its top bit set,
//   a 1-byte close payload or an invalid close code. 1007: a text message or close reason
//   that is not UTF-8. 1009: a message over max_message_bytes, found from the frame header
//   before any of its payload is read. After an error the parser is failed: next()
//   consumes nothing and returns nullopt.
// - Memory: the payload is unmasked as it arrives, straight into the message being
//   assembled; besides it the parser holds a few bytes of header state. Between messages
//   it owns no heap memory (each event's payload is moved out).
//
// Encoder: server frames are never masked and never fragmented (FIN set); the header is
// 2, 4 or 10 bytes by the payload's size (5.2).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace otter::net {

enum class WsOpcode : std::uint8_t { continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA };

enum class WsEventKind : std::uint8_t { text, binary, ping, pong, close, error };

struct WsEvent {
  WsEventKind kind = WsEventKind::error;
  std::string payload;     // text: the message; ping/pong: the payload; close: the reason; error: what was wrong
  std::uint16_t code = 0;  // close: the peer's code; error: the close code to answer with

  [[nodiscard]] bool operator==(const WsEvent&) const = default;
};

// RFC 6455 5.5: a control frame's payload is at most 125 bytes.
inline constexpr std::size_t kMaxControlPayloadBytes = 125;
// The code a close event carries when the peer's close frame had no payload (7.1.5).
inline constexpr std::uint16_t kNoCloseCodeReceived = 1005;

class WsFrameParser {
 public:
  explicit WsFrameParser(std::size_t max_message_bytes) noexcept : max_message_bytes_(max_message_bytes) {}

  [[nodiscard]] std::optional<WsEvent> next(std::string_view& input);
  [[nodiscard]] bool failed() const noexcept { return stage_ == Stage::failed; }

 private:
  enum class Stage : std::uint8_t { header, payload, failed };
  // The longest client frame header: 2 bytes, a 64-bit length, the 4-byte mask.
  static constexpr std::size_t kMaxHeaderBytes = 14;

  std::optional<WsEvent> take_header_byte(unsigned char byte);
  std::optional<WsEvent> start_frame();
  void take_payload(std::string_view& input);
  std::optional<WsEvent> finish_frame();
  WsEvent fail(std::uint16_t code, std::string what);
  [[nodiscard]] bool is_control() const noexcept { return (opcode_ & 0x8U) != 0; }

  std::size_t max_message_bytes_;
  std::string message_;          // the text message being assembled (unmasked)
  std::string control_;          // the control frame being read (it may interrupt a message)
  std::uint64_t remaining_ = 0;  // payload bytes of the current frame still to come
  std::size_t message_bytes_ = 0;  // of the message being assembled (binary ones are not kept)
  std::array<unsigned char, kMaxHeaderBytes> header_{};
  std::array<unsigned char, 4> mask_{};
  std::uint8_t header_have_ = 0;
  std::uint8_t mask_index_ = 0;  // which mask byte unmasks the next payload byte
  std::uint8_t opcode_ = 0;      // of the current frame
  bool fin_ = false;
  bool in_message_ = false;      // a fragmented message is under way
  bool message_is_text_ = false;
  Stage stage_ = Stage::header;
};

// The header of one unmasked, unfragmented server frame.
struct WsFrameHeader {
  std::array<char, 10> bytes{};
  std::uint8_t size = 0;

  [[nodiscard]] std::string_view view() const noexcept { return {bytes.data(), size}; }
};

[[nodiscard]] WsFrameHeader encode_frame_header(WsOpcode opcode, std::uint64_t payload_size) noexcept;
// A close frame's payload: the code in network order, then the reason as given (the
// caller keeps it within 123 bytes and whole code points).
[[nodiscard]] std::string encode_close_payload(std::uint16_t code, std::string_view reason);
// Codes a close frame may carry on the wire (7.4): 1000-1003, 1007-1014, 3000-4999.
[[nodiscard]] bool is_valid_close_code(std::uint16_t code) noexcept;

}  // namespace otter::net
