#include "ot/error.hpp"

namespace otter::ot {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_json:
      return "invalid_json";
    case ErrorCode::malformed_op:
      return "malformed_op";
    case ErrorCode::invalid_utf8:
      return "invalid_utf8";
    case ErrorCode::op_too_large:
      return "op_too_large";
    case ErrorCode::base_length_mismatch:
      return "base_length_mismatch";
    case ErrorCode::doc_too_large:
      return "doc_too_large";
    case ErrorCode::revision_in_future:
      return "revision_in_future";
    case ErrorCode::resync_required:
      return "resync_required";
    case ErrorCode::stale_seq:
      return "stale_seq";
    case ErrorCode::seq_out_of_order:
      return "seq_out_of_order";
    case ErrorCode::no_outstanding_op:
      return "no_outstanding_op";
  }
  return "unknown_error";
}

}  // namespace otter::ot
