// libFuzzer target for the WebSocket frame parser (net/ws_frame.hpp), the first code that
// reads a client's bytes. The input is the byte stream; it is parsed whole, then again in
// pieces whose size comes from the first byte, and the two must give the same events.
// Every event must keep the parser's promises (text is UTF-8 and within the limit, a
// control payload is at most 125 bytes, a close code is valid). A crash, a sanitizer
// report or a broken promise (printed, then __builtin_trap) is a find: add it as a case to
// tests/net/ws_frame_test.cpp.
//
// Run (see docs/protocol.md):
//   cmake --preset fuzz && cmake --build build/fuzz --target ws_frame_fuzz
//   mkdir -p /tmp/ws_corpus && build/fuzz/tests/fuzz/ws_frame_fuzz -max_total_time=60 /tmp/ws_corpus
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <vector>

#include "net/ws_frame.hpp"
#include "ot/utf8.hpp"

namespace {

using otter::net::WsEvent;
using otter::net::WsEventKind;
using otter::net::WsFrameParser;

constexpr std::size_t kMaxMessageBytes = 4096;

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "ws_frame_fuzz: %s\n", what);
  __builtin_trap();
}

std::vector<WsEvent> parse_in_pieces(std::string_view bytes, std::size_t piece) {
  WsFrameParser parser(kMaxMessageBytes);
  std::vector<WsEvent> events;
  while (!bytes.empty() && !parser.failed()) {
    std::string_view chunk = bytes.substr(0, piece);
    bytes.remove_prefix(chunk.size());
    while (std::optional<WsEvent> event = parser.next(chunk)) events.push_back(std::move(*event));
    if (!chunk.empty() && !parser.failed()) broken("next() returned nullopt with input left");
  }
  return events;
}

void check(const WsEvent& event) {
  switch (event.kind) {
    case WsEventKind::text:
      if (event.payload.size() > kMaxMessageBytes) broken("text message over the limit");
      if (!otter::ot::is_valid_utf8(event.payload)) broken("text message is not UTF-8");
      break;
    case WsEventKind::ping:
    case WsEventKind::pong:
      if (event.payload.size() > otter::net::kMaxControlPayloadBytes) broken("control payload over 125 bytes");
      break;
    case WsEventKind::close:
      if (event.code != otter::net::kNoCloseCodeReceived && !otter::net::is_valid_close_code(event.code)) {
        broken("close event with an invalid code");
      }
      if (!otter::ot::is_valid_utf8(event.payload)) broken("close reason is not UTF-8");
      break;
    case WsEventKind::binary:
      if (!event.payload.empty()) broken("binary payload kept");
      break;
    case WsEventKind::error:
      if (event.code != 1002 && event.code != 1007 && event.code != 1009) broken("error with an unexpected code");
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = data[0] % 16 + 1;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::vector<WsEvent> whole = parse_in_pieces(bytes, bytes.size() + 1);
  for (const WsEvent& event : whole) check(event);
  if (parse_in_pieces(bytes, piece) != whole) broken("chunking changed the events");
  return 0;
}
