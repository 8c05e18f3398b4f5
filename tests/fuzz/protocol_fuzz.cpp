// libFuzzer target for the protocol codec (net/protocol.hpp): every text frame a client
// sends goes through decode_client_message before anything else reads it. The input is the
// frame. A crash, a sanitizer report or a broken promise (printed, then __builtin_trap) is a
// find: add it as a case to tests/net/server_codec_test.cpp.
//
// Promises checked (net/protocol.hpp's contract):
// - a frame that decodes re-encodes to JSON that decodes to the same message, and that
//   JSON is stable (encoding the second decode gives the same text);
// - a refused frame gets one of the codes decode_client_message documents and a sentence,
//   and that error, sent back, decodes on the client side to the same ErrorMessage;
// - decode_server_message (the client library's reader) keeps the same round trip.
//
// Run (see docs/protocol.md):
//   cmake --preset fuzz && cmake --build build/fuzz --target protocol_fuzz
//   mkdir -p /tmp/protocol_corpus && build/fuzz/tests/fuzz/protocol_fuzz -max_total_time=60 /tmp/protocol_corpus
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "net/protocol.hpp"

namespace {

using otter::net::ErrorCode;

// Small, so the fuzzer reaches the op_too_large branch without megabyte inputs.
constexpr otter::net::DecodeLimits kLimits{.max_op_bytes = 256};

constexpr ErrorCode kDecodeErrors[] = {ErrorCode::invalid_utf8,   ErrorCode::bad_json,     ErrorCode::invalid_message,
                                       ErrorCode::unknown_type,   ErrorCode::invalid_doc_id, ErrorCode::op_too_large,
                                       ErrorCode::invalid_op};

[[noreturn]] void broken(const char* what, std::string_view detail) {
  std::fprintf(stderr, "protocol_fuzz: %s\n%.*s\n", what, static_cast<int>(detail.size()), detail.data());
  __builtin_trap();
}

void check_client_frame(std::string_view frame) {
  const otter::net::Expected<otter::net::ClientMessage> decoded = otter::net::decode_client_message(frame, kLimits);
  if (!decoded) {
    const otter::net::ErrorMessage& error = decoded.error();
    if (std::find(std::begin(kDecodeErrors), std::end(kDecodeErrors), error.code) == std::end(kDecodeErrors)) {
      broken("a refusal with a code decode_client_message does not document", error.message);
    }
    if (error.message.empty()) broken("a refusal without a sentence", frame);
    const std::string sent = otter::net::encode(otter::net::ServerMessage{error});
    const otter::net::Expected<otter::net::ServerMessage> heard = otter::net::decode_server_message(sent);
    if (!heard || *heard != otter::net::ServerMessage{error}) broken("the error sent back reads differently", sent);
    return;
  }
  const std::string encoded = otter::net::encode(*decoded);
  const otter::net::Expected<otter::net::ClientMessage> again = otter::net::decode_client_message(encoded, kLimits);
  if (!again) broken("the re-encoded message is refused", encoded);
  if (*again != *decoded) broken("the re-encoded message decodes to another message", encoded);
  if (otter::net::encode(*again) != encoded) broken("encoding is not stable", encoded);
}

void check_server_frame(std::string_view frame) {
  const otter::net::Expected<otter::net::ServerMessage> decoded = otter::net::decode_server_message(frame);
  if (!decoded) return;
  const std::string encoded = otter::net::encode(*decoded);
  const otter::net::Expected<otter::net::ServerMessage> again = otter::net::decode_server_message(encoded);
  if (!again) broken("the re-encoded server message is refused", encoded);
  if (*again != *decoded) broken("the re-encoded server message decodes to another message", encoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  check_client_frame(frame);
  check_server_frame(frame);
  return 0;
}
