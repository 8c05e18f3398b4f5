// Frames: the protocol messages on the fan-out path, written straight into a string.
//
// net::encode (net/protocol.hpp) builds a JSON tree per message and encodes every op;
// that is right for the rare messages (welcome, errors, pong) and the session uses it for
// them. The messages sent per op per receiver are written here instead, around op JSON
// that the document process encoded ONCE per op (DurableOp::op_json): `ops`, `opened`
// (which may carry entries) and `presence`. The output is exactly what net::encode would
// write for the same message (the tests decode it with net::decode_server_message).
//
// An entry for the receiving client's own op is its ack: rev, client_id and seq, no op
// (docs/protocol.md, "Edit").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/messages.hpp"
#include "server/document_protocol.hpp"

namespace otter::server {

// Appends `text` as a JSON string (quotes included), escaping what JSON requires.
// `text` is valid UTF-8 (the codec and the stores guarantee it); it is copied as is.
void append_json_string(std::string& out, std::string_view text);

// {"type":"ops","doc":…,"ops":[…]}: open with the doc, add entries, finish.
class OpsFrameWriter {
 public:
  explicit OpsFrameWriter(std::string_view doc);
  // `own`: the entry is the receiver's ack (seq instead of op).
  void add(const DurableOp& op, bool own);
  void add_duplicate_ack(std::string_view client_id, std::uint64_t seq, std::uint64_t revision);
  [[nodiscard]] bool empty() const noexcept { return entries_ == 0; }
  [[nodiscard]] std::size_t entries() const noexcept { return entries_; }
  [[nodiscard]] std::size_t size_bytes() const noexcept { return text_.size(); }
  // The frame; the writer is spent.
  [[nodiscard]] std::string finish();

 private:
  std::string text_;
  std::size_t entries_ = 0;
};

// The size an entry adds to an ops frame (for the slow-consumer estimate before writing).
[[nodiscard]] std::size_t entry_size_estimate(const DurableOp& op) noexcept;

[[nodiscard]] std::string opened_frame(const std::optional<net::RequestId>& id, std::string_view doc,
                                       const OpenedDocument& opened, std::string_view own_client_id);
[[nodiscard]] std::string presence_frame(std::string_view doc, const PresenceState& presence);
[[nodiscard]] std::string presence_left_frame(std::string_view doc, std::string_view session);

}  // namespace otter::server
