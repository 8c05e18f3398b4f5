// Test helper: WebSocket frames as a client would send them (masked, RFC 6455 5.2), built
// byte by byte so a test can also build the frames a client must not send.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace otter::net::testing {

struct ClientFrame {
  std::uint8_t opcode = 0x1;  // raw, so a test can send an unknown one
  bool fin = true;
  bool masked = true;
  std::uint8_t rsv = 0;  // the three RSV bits, 0..7
  std::array<std::uint8_t, 4> mask{0x37, 0xFA, 0x21, 0x3D};
};

// The frame's bytes. length_override announces a payload size other than payload.size()
// (to announce a huge frame without sending it).
inline std::string client_frame(const ClientFrame& frame, std::string_view payload,
                                std::uint64_t length_override = UINT64_MAX) {
  const std::uint64_t length = length_override == UINT64_MAX ? payload.size() : length_override;
  std::string bytes;
  bytes.push_back(static_cast<char>((frame.fin ? 0x80U : 0U) | (static_cast<unsigned>(frame.rsv) << 4U) |
                                    frame.opcode));
  const unsigned mask_bit = frame.masked ? 0x80U : 0U;
  if (length < 126) {
    bytes.push_back(static_cast<char>(mask_bit | length));
  } else if (length <= 0xFFFF) {
    bytes.push_back(static_cast<char>(mask_bit | 126U));
    for (int shift = 8; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>((length >> shift) & 0xFFU));
  } else {
    bytes.push_back(static_cast<char>(mask_bit | 127U));
    for (int shift = 56; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>((length >> shift) & 0xFFU));
  }
  if (frame.masked) {
    for (const std::uint8_t byte : frame.mask) bytes.push_back(static_cast<char>(byte));
  }
  for (std::size_t i = 0; i < payload.size(); ++i) {
    const unsigned key = frame.masked ? frame.mask[i % 4] : 0U;
    bytes.push_back(static_cast<char>(static_cast<unsigned char>(payload[i]) ^ key));
  }
  return bytes;
}

}  // namespace otter::net::testing
