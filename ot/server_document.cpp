#include "ot/server_document.hpp"

#include <utility>

#include "ot/apply.hpp"
#include "ot/utf8.hpp"

namespace otter::ot {
namespace {

Error too_large(std::size_t length, std::size_t max_length) {
  return Error{ErrorCode::doc_too_large, "the document would be " + std::to_string(length) +
                                             " code points long, more than its limit of " +
                                             std::to_string(max_length)};
}

}  // namespace

ServerDocument::ServerDocument(ServerDocumentLimits limits) : log_(0, limits.max_history), limits_(limits) {}

ServerDocument::ServerDocument(Rope text, std::uint64_t revision, ServerDocumentLimits limits)
    : text_(std::move(text)), log_(revision, limits.max_history), limits_(limits) {}

Expected<ServerDocument> ServerDocument::load(std::string_view text, std::uint64_t revision,
                                              ServerDocumentLimits limits) {
  const std::optional<std::size_t> length = validated_code_points(text);
  if (!length) return Error{ErrorCode::invalid_utf8, "the document text is not valid UTF-8"};
  if (*length > limits.max_length) return too_large(*length, limits.max_length);
  return ServerDocument(Rope(text), revision, limits);
}

Expected<Applied> ServerDocument::submit(std::string_view client_id, std::uint64_t seq, std::uint64_t base_revision,
                                         Operation op) {
  const RevisionLog::SeqCheck seen = log_.check_seq(client_id, seq);
  if (seen.status == RevisionLog::SeqStatus::duplicate) {
    const Operation* original = log_.op_at(seen.last.revision);
    return Applied{seen.last.revision, original != nullptr ? *original : Operation{}, true};
  }
  if (seen.status == RevisionLog::SeqStatus::stale) {
    return Error{ErrorCode::stale_seq, "seq " + std::to_string(seq) + " from client \"" + std::string(client_id) +
                                           "\" is older than its last applied seq " + std::to_string(seen.last.seq) +
                                           "; it was applied before and is not applied again"};
  }
  if (seen.status == RevisionLog::SeqStatus::out_of_order) {
    return Error{ErrorCode::seq_out_of_order,
                 "seq " + std::to_string(seq) + " from client \"" + std::string(client_id) +
                     "\" skips ahead: its last applied seq is " + std::to_string(seen.last.seq) +
                     ", so the next must be " + std::to_string(seen.last.seq + 1)};
  }

  if (base_revision != log_.head()) {
    Expected<Operation> transformed = log_.transform_to_head(std::move(op), base_revision);
    if (!transformed) return std::move(transformed).error();
    op = std::move(*transformed);
  }
  if (Expected<void> fits = check_fits(op); !fits) return std::move(fits).error();
  Operation as_applied = op;
  const std::uint64_t revision = apply_at_head(std::move(op), client_id, seq);
  return Applied{revision, std::move(as_applied), false};
}

Expected<std::uint64_t> ServerDocument::replay(Operation op) {
  if (Expected<void> fits = check_fits(op); !fits) return std::move(fits).error();
  return apply_at_head(std::move(op), {}, 0);
}

Expected<void> ServerDocument::check_fits(const Operation& op) const {
  if (op.base_length() != text_.size()) {
    return Error{ErrorCode::base_length_mismatch, "op base length " + std::to_string(op.base_length()) +
                                                      " does not match document length " +
                                                      std::to_string(text_.size())};
  }
  if (op.target_length() > limits_.max_length) return too_large(op.target_length(), limits_.max_length);
  return {};
}

std::uint64_t ServerDocument::apply_at_head(Operation op, std::string_view client_id, std::uint64_t seq) {
  // Cannot fail: check_fits() held. (A Rope allocation failure throws and the document
  // process restarts from storage.)
  ot::apply(text_, op).value();
  return log_.append(std::move(op), client_id, seq);
}

}  // namespace otter::ot
