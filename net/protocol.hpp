// The wire protocol codec (docs/protocol.md, v1): JSON text <-> net/messages.hpp.
//
//   server side:  decode_client_message(frame) -> ClientMessage | ErrorMessage
//                 encode(ServerMessage)         -> JSON text
//   client side:  encode(ClientMessage)         -> JSON text
//                 decode_server_message(frame)  -> ServerMessage | ErrorMessage
//
// Contract of decode_client_message (what the server answers a bad frame with)
// - Never throws on any input and never crashes; a bad frame gives an ErrorMessage ready to
//   encode and send: a stable code, a sentence naming the field and the bad value, and the
//   request's `id` (and `doc`/`seq` when the frame had them in the right type) echoed.
// - Checks, in order: not UTF-8 -> invalid_utf8; not JSON -> bad_json (a \u escape of a
//   lone surrogate -> invalid_utf8); not an object -> bad_json; "id" not a number/string ->
//   invalid_message; "type" missing or not a client type -> unknown_type; then the fields
//   of that type: missing, mistyped or out of range -> invalid_message naming the field;
//   "doc" not 1-128 of [A-Za-z0-9._-] -> invalid_doc_id; "op" not an array, or its compact
//   JSON longer than limits.max_op_bytes -> op_too_large; a malformed op -> invalid_op
//   (including a count beyond 2^53 - 1); inserted text not UTF-8 -> invalid_utf8.
// - Unknown fields are ignored. Integers (rev, seq, revision, anchor, head) must be JSON
//   integers in [0, 2^53 - 1] (seq in [1, 2^53 - 1]); 2.0 or 1e3 are not integers.
// - Codec-level bounds on free text (beyond the protocol's frame limit): hello.name at most
//   kMaxNameBytes, hello.color at most kMaxColorBytes, hello.token at most kMaxTokenBytes.
//
// encode() writes compact JSON with "type" first; decode(encode(m)) == m for every message
// (ops are canonical: see ot/json_codec.hpp).
// decode_server_message is as strict, for the C++ client library and tests: a frame that
// is not a valid server message yields bad_json / unknown_type / invalid_message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "net/expected.hpp"
#include "net/messages.hpp"

namespace otter::net {

inline constexpr std::size_t kDefaultMaxOpBytes = 256 * 1024;
inline constexpr std::size_t kMaxDocIdLength = 128;
inline constexpr std::size_t kMaxClientIdLength = 64;
inline constexpr std::size_t kMaxNameBytes = 256;
inline constexpr std::size_t kMaxColorBytes = 64;
inline constexpr std::size_t kMaxTokenBytes = 4096;

struct DecodeLimits {
  std::size_t max_op_bytes = kDefaultMaxOpBytes;  // the op's compact JSON, in bytes
};

[[nodiscard]] Expected<ClientMessage> decode_client_message(std::string_view frame,
                                                            const DecodeLimits& limits = {});
[[nodiscard]] std::string encode(const ServerMessage& message);

[[nodiscard]] std::string encode(const ClientMessage& message);
[[nodiscard]] Expected<ServerMessage> decode_server_message(std::string_view frame);

// The fan-out fast path for `ops` frames. Every session of a document gets the same
// entries except its own acks, so a document encodes each entry once (encode_entry, in
// both its op form and its ack form) and each session assembles its frame by
// concatenation:
//   OpsFrameBuilder frame(doc);
//   for (...) frame.add(is_own ? entry.ack_json : entry.op_json);
//   connection->send(share(std::move(frame).finish()));
// The result is byte-identical to encode(Ops{doc, entries}).
[[nodiscard]] std::string encode_entry(const OpsEntry& entry);

class OpsFrameBuilder {
 public:
  // `doc` must be a valid doc id (is_valid_doc_id): it is written without escaping.
  explicit OpsFrameBuilder(std::string_view doc);
  void add(std::string_view encoded_entry);
  [[nodiscard]] std::string finish() &&;
  [[nodiscard]] std::size_t entry_count() const noexcept { return count_; }

 private:
  std::string frame_;
  std::size_t count_ = 0;
};

// 1-128 characters of [A-Za-z0-9._-].
[[nodiscard]] bool is_valid_doc_id(std::string_view doc) noexcept;
// 1-64 characters of [A-Za-z0-9._-].
[[nodiscard]] bool is_valid_client_id(std::string_view client_id) noexcept;

// The "type" of a message, as on the wire ("hello", "op", "presence", ...).
[[nodiscard]] std::string_view type_name(const ClientMessage& message) noexcept;
[[nodiscard]] std::string_view type_name(const ServerMessage& message) noexcept;

}  // namespace otter::net
