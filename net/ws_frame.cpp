#include "net/ws_frame.hpp"

#include <algorithm>
#include <utility>

#include "ot/utf8.hpp"

namespace otter::net {
namespace {

constexpr unsigned char kFinBit = 0x80U;
constexpr unsigned char kRsvBits = 0x70U;
constexpr unsigned char kOpcodeBits = 0x0FU;
constexpr unsigned char kMaskBit = 0x80U;
constexpr unsigned char kLengthBits = 0x7FU;
constexpr unsigned char kLength16 = 126;  // the 7-bit length saying "a 16-bit length follows"
constexpr unsigned char kLength64 = 127;  // ... "a 64-bit length follows"

bool is_known_opcode(unsigned opcode) {
  switch (static_cast<WsOpcode>(opcode)) {
    case WsOpcode::continuation:
    case WsOpcode::text:
    case WsOpcode::binary:
    case WsOpcode::close:
    case WsOpcode::ping:
    case WsOpcode::pong:
      return true;
  }
  return false;
}

// Bytes of extended length after the first two header bytes.
std::size_t extended_length_bytes(unsigned char length7) {
  if (length7 == kLength16) return 2;
  if (length7 == kLength64) return 8;
  return 0;
}

}  // namespace

bool is_valid_close_code(std::uint16_t code) noexcept {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

std::optional<WsEvent> WsFrameParser::next(std::string_view& input) {
  while (!input.empty() && stage_ != Stage::failed) {
    if (stage_ == Stage::header) {
      const auto byte = static_cast<unsigned char>(input.front());
      input.remove_prefix(1);
      if (std::optional<WsEvent> event = take_header_byte(byte)) return event;
    } else {
      take_payload(input);
      if (remaining_ == 0) {
        if (std::optional<WsEvent> event = finish_frame()) return event;
      }
    }
  }
  return std::nullopt;
}

std::optional<WsEvent> WsFrameParser::take_header_byte(unsigned char byte) {
  header_[header_have_++] = byte;
  if (header_have_ == 1) {
    // Checked at once, so a bad frame fails without waiting for the rest of its header.
    if ((byte & kRsvBits) != 0) return fail(1002, "RSV bits set without a negotiated extension");
    if (!is_known_opcode(byte & kOpcodeBits)) return fail(1002, "unknown opcode");
    fin_ = (byte & kFinBit) != 0;
    opcode_ = byte & kOpcodeBits;
    if (is_control() && !fin_) return fail(1002, "fragmented control frame");
    return std::nullopt;
  }
  const unsigned char length7 = header_[1] & kLengthBits;
  if (header_have_ == 2) {
    if ((byte & kMaskBit) == 0) return fail(1002, "client frame not masked");
    if (is_control() && length7 > kMaxControlPayloadBytes) return fail(1002, "control frame over 125 bytes");
  }
  const std::size_t extended = extended_length_bytes(length7);
  if (header_have_ < 2 + extended + mask_.size()) return std::nullopt;
  std::uint64_t length = length7;
  if (extended > 0) {
    length = 0;
    for (std::size_t i = 0; i < extended; ++i) length = (length << 8U) | header_[2 + i];
    if (extended == 8 && (length >> 63U) != 0) return fail(1002, "64-bit length with its top bit set");
  }
  std::copy_n(header_.begin() + static_cast<std::ptrdiff_t>(2 + extended), mask_.size(), mask_.begin());
  remaining_ = length;
  return start_frame();
}

std::optional<WsEvent> WsFrameParser::start_frame() {
  header_have_ = 0;
  mask_index_ = 0;
  stage_ = Stage::payload;
  const auto opcode = static_cast<WsOpcode>(opcode_);
  if (!is_control()) {
    if (opcode == WsOpcode::continuation && !in_message_) return fail(1002, "continuation frame with no message started");
    if (opcode != WsOpcode::continuation && in_message_) return fail(1002, "new message inside a fragmented one");
    // Before reading any of the payload: a huge frame is refused from its header.
    if (remaining_ > max_message_bytes_ - std::min(message_bytes_, max_message_bytes_)) {
      return fail(1009, "frame_too_large");
    }
    if (opcode != WsOpcode::continuation) {
      in_message_ = true;
      message_is_text_ = opcode == WsOpcode::text;
    }
    if (message_is_text_) message_.reserve(message_.size() + static_cast<std::size_t>(remaining_));
  }
  if (remaining_ == 0) return finish_frame();
  return std::nullopt;
}

void WsFrameParser::take_payload(std::string_view& input) {
  const auto count = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size()));
  remaining_ -= count;
  std::string* target = is_control() ? &control_ : message_is_text_ ? &message_ : nullptr;
  if (target == nullptr) {  // binary: counted, not kept
    message_bytes_ += count;
    input.remove_prefix(count);
    return;
  }
  const std::size_t start = target->size();
  target->resize(start + count);
  char* out = target->data() + start;
  for (std::size_t i = 0; i < count; ++i) {
    out[i] = static_cast<char>(static_cast<unsigned char>(input[i]) ^ mask_[mask_index_]);
    mask_index_ = static_cast<std::uint8_t>((mask_index_ + 1) & 3U);
  }
  if (!is_control()) message_bytes_ += count;
  input.remove_prefix(count);
}

std::optional<WsEvent> WsFrameParser::finish_frame() {
  stage_ = Stage::header;
  switch (static_cast<WsOpcode>(opcode_)) {
    case WsOpcode::ping:
      return WsEvent{WsEventKind::ping, std::exchange(control_, {}), 0};
    case WsOpcode::pong:
      return WsEvent{WsEventKind::pong, std::exchange(control_, {}), 0};
    case WsOpcode::close: {
      std::string payload = std::exchange(control_, {});
      if (payload.empty()) return WsEvent{WsEventKind::close, {}, kNoCloseCodeReceived};
      if (payload.size() == 1) return fail(1002, "close frame with a 1-byte payload");
      const auto code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8U) |
                                                   static_cast<unsigned char>(payload[1]));
      if (!is_valid_close_code(code)) return fail(1002, "invalid close code " + std::to_string(code));
      payload.erase(0, 2);
      if (!ot::is_valid_utf8(payload)) return fail(1007, "close reason is not valid UTF-8");
      return WsEvent{WsEventKind::close, std::move(payload), code};
    }
    case WsOpcode::continuation:
    case WsOpcode::text:
    case WsOpcode::binary:
      break;
  }
  if (!fin_) return std::nullopt;  // more fragments to come
  in_message_ = false;
  message_bytes_ = 0;
  if (!message_is_text_) return WsEvent{WsEventKind::binary, {}, 0};
  std::string text = std::exchange(message_, {});
  if (!ot::is_valid_utf8(text)) return fail(1007, "text message is not valid UTF-8");
  return WsEvent{WsEventKind::text, std::move(text), 0};
}

WsEvent WsFrameParser::fail(std::uint16_t code, std::string what) {
  stage_ = Stage::failed;
  message_ = std::string();
  control_ = std::string();
  return WsEvent{WsEventKind::error, std::move(what), code};
}

WsFrameHeader encode_frame_header(WsOpcode opcode, std::uint64_t payload_size) noexcept {
  WsFrameHeader header;
  header.bytes[0] = static_cast<char>(kFinBit | static_cast<unsigned char>(opcode));
  std::size_t extended = 0;
  if (payload_size < kLength16) {
    header.bytes[1] = static_cast<char>(payload_size);
  } else if (payload_size <= 0xFFFFU) {
    header.bytes[1] = static_cast<char>(kLength16);
    extended = 2;
  } else {
    header.bytes[1] = static_cast<char>(kLength64);
    extended = 8;
  }
  for (std::size_t i = 0; i < extended; ++i) {
    header.bytes[2 + i] = static_cast<char>((payload_size >> (8 * (extended - 1 - i))) & 0xFFU);
  }
  header.size = static_cast<std::uint8_t>(2 + extended);
  return header;
}

std::string encode_close_payload(std::uint16_t code, std::string_view reason) {
  std::string payload;
  payload.reserve(2 + reason.size());
  payload.push_back(static_cast<char>(code >> 8U));
  payload.push_back(static_cast<char>(code & 0xFFU));
  payload.append(reason);
  return payload;
}

}  // namespace otter::net
