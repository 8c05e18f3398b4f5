#include "storage/error.hpp"

namespace otter::storage {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_document_id: return "invalid_document_id";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::already_exists: return "already_exists";
    case ErrorCode::duplicate_revision: return "duplicate_revision";
    case ErrorCode::revision_gap: return "revision_gap";
    case ErrorCode::length_mismatch: return "length_mismatch";
    case ErrorCode::revision_out_of_range: return "revision_out_of_range";
    case ErrorCode::invalid_snapshot: return "invalid_snapshot";
    case ErrorCode::corrupt_data: return "corrupt_data";
    case ErrorCode::unsupported_schema: return "unsupported_schema";
    case ErrorCode::database_busy: return "database_busy";
    case ErrorCode::database_error: return "database_error";
    case ErrorCode::queue_full: return "queue_full";
    case ErrorCode::writer_stopped: return "writer_stopped";
  }
  return "unknown_error";
}

}  // namespace otter::storage
