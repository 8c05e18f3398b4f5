// The wire protocol's error codes (docs/protocol.md, "Errors"), one closed enum.
//
// Contract
// - to_string() gives the stable snake_case name that goes on the wire as "code"; the names
//   never change meaning (clients switch on them). parse_error_code() is its inverse.
// - is_fatal() tells which errors end the connection; close_code() gives the WebSocket close
//   status they close with (the close frame's reason text is the code's name).
// - from_ot() maps an ot::ErrorCode (what ot/ returns for a bad op) to the code the client
//   sees, so server/ never invents its own mapping.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string_view>

#include "ot/error.hpp"

namespace otter::net {

enum class ErrorCode : std::uint8_t {
  bad_json,             // the frame is not valid JSON, or not an object
  binary_frame,         // a binary frame was sent
  frame_too_large,      // a frame exceeds max_frame_bytes (fatal, close 1009)
  hello_required,       // a message other than hello came first
  unsupported_version,  // hello.version is not spoken by this server (fatal, close 1002)
  unknown_type,         // "type" is missing or not a client message type
  invalid_message,      // a field is missing, of the wrong type or out of range
  invalid_doc_id,       // "doc" is not 1-128 characters of [A-Za-z0-9._-]
  doc_not_found,        // open with "create": false, the document was deleted, or (crash) not open
  not_open,             // op/presence/close for a document this connection hasn't opened
  too_many_docs,        // more than max_open_docs open on this connection
  invalid_op,           // "op" is malformed
  invalid_utf8,         // text that is not valid UTF-8
  base_length_mismatch, // the op does not span the document at rev
  revision_in_future,   // rev is greater than the server's head
  resync_required,      // rev is older than the history the server keeps
  seq_out_of_order,     // seq skips ahead of the next expected seq
  op_too_large,         // the op's JSON exceeds max_op_bytes
  doc_too_large,        // applying the op would exceed max_doc_code_points
  rate_limited,         // more than ops_per_second ops from this session
  slow_consumer,        // the session fell too far behind (fatal, close 1008)
  storage_unavailable,  // the op could not be made durable; it was not applied
  internal_error,       // a bug; resend
  shutting_down,        // the server is stopping (fatal, close 1001)
  forbidden,            // an admin request (crash) from a connection that is not an admin
};

// Every code, in table order (for tests and docs).
inline constexpr ErrorCode kAllErrorCodes[] = {
    ErrorCode::bad_json,           ErrorCode::binary_frame,        ErrorCode::frame_too_large,
    ErrorCode::hello_required,     ErrorCode::unsupported_version, ErrorCode::unknown_type,
    ErrorCode::invalid_message,    ErrorCode::invalid_doc_id,      ErrorCode::doc_not_found,
    ErrorCode::not_open,           ErrorCode::too_many_docs,       ErrorCode::invalid_op,
    ErrorCode::invalid_utf8,       ErrorCode::base_length_mismatch, ErrorCode::revision_in_future,
    ErrorCode::resync_required,    ErrorCode::seq_out_of_order,    ErrorCode::op_too_large,
    ErrorCode::doc_too_large,      ErrorCode::rate_limited,        ErrorCode::slow_consumer,
    ErrorCode::storage_unavailable, ErrorCode::internal_error,     ErrorCode::shutting_down,
    ErrorCode::forbidden,
};

[[nodiscard]] std::string_view to_string(ErrorCode code) noexcept;
[[nodiscard]] std::optional<ErrorCode> parse_error_code(std::string_view name) noexcept;
std::ostream& operator<<(std::ostream& out, ErrorCode code);

[[nodiscard]] bool is_fatal(ErrorCode code) noexcept;
// The WebSocket close status a fatal error closes with; nullopt for non-fatal codes.
[[nodiscard]] std::optional<std::uint16_t> close_code(ErrorCode code) noexcept;

[[nodiscard]] ErrorCode from_ot(ot::ErrorCode code) noexcept;

}  // namespace otter::net
