// Errors of the OT engine, as values.
//
// Contract
// - Every function of ot/ that can fail on input it does not control (a client's op, a
//   wire message, a revision number) returns Expected<T> holding either its value or an
//   Error; it never throws for such input and never has undefined behaviour on it.
// - An Error carries a stable machine code (ErrorCode, rendered by to_string() in
//   snake_case: these names are part of the wire protocol and never change meaning) and a
//   sentence for people that names the offending values ("op base length 7 does not match
//   document length 5").
// - Programmer errors (breaking a documented precondition of a builder) throw
//   std::invalid_argument / std::length_error instead: they are bugs, not input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace otter::ot {

enum class ErrorCode : std::uint8_t {
  invalid_json,          // the text is not JSON
  malformed_op,          // JSON, but not an op: wrong shape, zero/float component ...
  invalid_utf8,          // text that is not valid UTF-8
  op_too_large,          // a count or length beyond kMaxLength (2^53 - 1)
  base_length_mismatch,  // an op's base length differs from the text/op it meets
  doc_too_large,         // applying the op would exceed the document's size limit
  revision_in_future,    // a base revision newer than the server's head
  resync_required,       // a base revision older than the history kept in memory
  stale_seq,             // a client seq older than that client's last applied seq
  seq_out_of_order,      // a client seq that skips ahead of its last applied seq + 1
  no_outstanding_op,     // the client got an ack while it had nothing in flight
};

[[nodiscard]] std::string_view to_string(ErrorCode code) noexcept;

struct Error {
  ErrorCode code;
  std::string message;

  [[nodiscard]] bool operator==(const Error&) const = default;
};

}  // namespace otter::ot
