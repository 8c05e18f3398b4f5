#include "ot/client.hpp"

#include <algorithm>
#include <utility>

#include "ot/compose.hpp"
#include "ot/transform.hpp"

namespace otter::ot {

Client::State Client::state() const noexcept {
  if (!outstanding_) return State::synchronized;
  return buffer_ ? State::awaiting_with_buffer : State::awaiting_confirm;
}

Submission Client::outstanding_submission() const { return Submission{outstanding_seq_, revision_, *outstanding_}; }

Expected<std::optional<Submission>> Client::apply_client(Operation op) {
  if (op.base_length() != document_length_) {
    return Error{ErrorCode::base_length_mismatch, "local op base length " + std::to_string(op.base_length()) +
                                                      " does not match the local document length " +
                                                      std::to_string(document_length_)};
  }
  const Selection moved = transform_selection(selection_, op, Side::right);
  const std::size_t new_length = op.target_length();
  std::optional<Submission> to_send;
  if (!outstanding_) {
    outstanding_ = std::move(op);
    outstanding_seq_ = next_seq_++;
    to_send = outstanding_submission();
  } else if (!buffer_) {
    buffer_ = std::move(op);
  } else {
    Expected<Operation> composed = compose(*buffer_, op);
    if (!composed) return std::move(composed).error();  // unreachable: lengths checked above
    buffer_ = std::move(*composed);
  }
  selection_ = moved;
  document_length_ = new_length;
  return to_send;
}

Expected<Operation> Client::apply_server(const Operation& op) {
  // The server's text at revision_ is the local text minus the pending ops.
  const std::size_t server_length = outstanding_ ? outstanding_->base_length() : document_length_;
  if (op.base_length() != server_length) {
    return Error{ErrorCode::base_length_mismatch, "server op base length " + std::to_string(op.base_length()) +
                                                      " does not match the server document length " +
                                                      std::to_string(server_length) + " at revision " +
                                                      std::to_string(revision_)};
  }
  Operation to_apply = op;
  std::optional<Operation> outstanding;
  std::optional<Operation> buffer;
  if (outstanding_) {
    Expected<TransformedPair> past_outstanding = transform(*outstanding_, to_apply, Side::left);
    if (!past_outstanding) return std::move(past_outstanding).error();
    outstanding = std::move(past_outstanding->a_prime);
    to_apply = std::move(past_outstanding->b_prime);
    if (buffer_) {
      Expected<TransformedPair> past_buffer = transform(*buffer_, to_apply, Side::left);
      if (!past_buffer) return std::move(past_buffer).error();
      buffer = std::move(past_buffer->a_prime);
      to_apply = std::move(past_buffer->b_prime);
    }
  }
  outstanding_ = std::move(outstanding);
  buffer_ = std::move(buffer);
  selection_ = transform_selection(selection_, to_apply, Side::right);
  document_length_ = to_apply.target_length();
  ++revision_;
  return to_apply;
}

Expected<std::optional<Submission>> Client::server_ack() {
  if (!outstanding_) {
    return Error{ErrorCode::no_outstanding_op, "the server acknowledged an op at revision " +
                                                   std::to_string(revision_ + 1) +
                                                   " but this client has no op in flight"};
  }
  ++revision_;
  outstanding_ = std::move(buffer_);
  buffer_.reset();
  if (!outstanding_) return std::optional<Submission>{};
  outstanding_seq_ = next_seq_++;
  return std::optional<Submission>(outstanding_submission());
}

void Client::reset(std::uint64_t revision, std::size_t document_length) noexcept {
  outstanding_.reset();
  buffer_.reset();
  revision_ = revision;
  document_length_ = document_length;
  selection_ = Selection{std::min(selection_.anchor, document_length), std::min(selection_.head, document_length)};
}

std::optional<Submission> Client::resend() const {
  if (!outstanding_) return std::nullopt;
  return outstanding_submission();
}

}  // namespace otter::ot
