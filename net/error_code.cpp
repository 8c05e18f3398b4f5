#include "net/error_code.hpp"

#include <ostream>

namespace otter::net {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::bad_json: return "bad_json";
    case ErrorCode::binary_frame: return "binary_frame";
    case ErrorCode::frame_too_large: return "frame_too_large";
    case ErrorCode::hello_required: return "hello_required";
    case ErrorCode::unsupported_version: return "unsupported_version";
    case ErrorCode::unknown_type: return "unknown_type";
    case ErrorCode::invalid_message: return "invalid_message";
    case ErrorCode::invalid_doc_id: return "invalid_doc_id";
    case ErrorCode::doc_not_found: return "doc_not_found";
    case ErrorCode::not_open: return "not_open";
    case ErrorCode::too_many_docs: return "too_many_docs";
    case ErrorCode::invalid_op: return "invalid_op";
    case ErrorCode::invalid_utf8: return "invalid_utf8";
    case ErrorCode::base_length_mismatch: return "base_length_mismatch";
    case ErrorCode::revision_in_future: return "revision_in_future";
    case ErrorCode::resync_required: return "resync_required";
    case ErrorCode::seq_out_of_order: return "seq_out_of_order";
    case ErrorCode::op_too_large: return "op_too_large";
    case ErrorCode::doc_too_large: return "doc_too_large";
    case ErrorCode::rate_limited: return "rate_limited";
    case ErrorCode::slow_consumer: return "slow_consumer";
    case ErrorCode::storage_unavailable: return "storage_unavailable";
    case ErrorCode::internal_error: return "internal_error";
    case ErrorCode::shutting_down: return "shutting_down";
    case ErrorCode::forbidden: return "forbidden";
  }
  return "internal_error";
}

std::optional<ErrorCode> parse_error_code(std::string_view name) noexcept {
  for (const ErrorCode code : kAllErrorCodes) {
    if (to_string(code) == name) return code;
  }
  return std::nullopt;
}

std::optional<std::uint16_t> close_code(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::frame_too_large: return 1009;      // message too big
    case ErrorCode::unsupported_version: return 1002;  // protocol error
    case ErrorCode::slow_consumer: return 1008;        // policy violation
    case ErrorCode::shutting_down: return 1001;        // going away
    default: return std::nullopt;
  }
}

std::ostream& operator<<(std::ostream& out, ErrorCode code) { return out << to_string(code); }

bool is_fatal(ErrorCode code) noexcept { return close_code(code).has_value(); }

ErrorCode from_ot(ot::ErrorCode code) noexcept {
  switch (code) {
    case ot::ErrorCode::invalid_json: return ErrorCode::bad_json;
    case ot::ErrorCode::malformed_op: return ErrorCode::invalid_op;
    case ot::ErrorCode::invalid_utf8: return ErrorCode::invalid_utf8;
    // ot's op_too_large is a count beyond 2^53 - 1: a malformed op, not a big frame.
    case ot::ErrorCode::op_too_large: return ErrorCode::invalid_op;
    case ot::ErrorCode::base_length_mismatch: return ErrorCode::base_length_mismatch;
    case ot::ErrorCode::doc_too_large: return ErrorCode::doc_too_large;
    case ot::ErrorCode::revision_in_future: return ErrorCode::revision_in_future;
    case ot::ErrorCode::resync_required: return ErrorCode::resync_required;
    // The protocol has no code for a seq older than the last applied one (that is not the
    // duplicate of it); out of order is the nearest truth.
    case ot::ErrorCode::stale_seq: return ErrorCode::seq_out_of_order;
    case ot::ErrorCode::seq_out_of_order: return ErrorCode::seq_out_of_order;
    case ot::ErrorCode::no_outstanding_op: return ErrorCode::internal_error;
  }
  return ErrorCode::internal_error;
}

}  // namespace otter::net
