#include "ot/revision_log.hpp"

#include <utility>

#include "ot/transform.hpp"

namespace otter::ot {

RevisionLog::RevisionLog(std::uint64_t head_revision, std::size_t max_history)
    : head_(head_revision), max_history_(max_history) {}

Expected<RevisionLog::OpRange> RevisionLog::ops_since(std::uint64_t base_revision) const {
  if (base_revision > head_) {
    return Error{ErrorCode::revision_in_future, "base revision " + std::to_string(base_revision) +
                                                    " is newer than the document's revision " +
                                                    std::to_string(head_)};
  }
  if (base_revision < oldest_base()) {
    return Error{ErrorCode::resync_required, "base revision " + std::to_string(base_revision) +
                                                 " is older than revision " + std::to_string(oldest_base()) +
                                                 ", the oldest the server keeps history for; reload the document"};
  }
  const auto first = history_.begin() + static_cast<std::ptrdiff_t>(base_revision - oldest_base());
  return OpRange(first, history_.end());
}

Expected<Operation> RevisionLog::transform_to_head(Operation op, std::uint64_t base_revision) const {
  Expected<OpRange> concurrent = ops_since(base_revision);
  if (!concurrent) return std::move(concurrent).error();
  Operation scratch;
  for (const Operation& applied : *concurrent) {
    if (Expected<void> done = transform_against(op, applied, Side::left, scratch); !done) {
      return Error{ErrorCode::base_length_mismatch, "op at base revision " + std::to_string(base_revision) +
                                                        " has base length " + std::to_string(op.base_length()) +
                                                        " but the document had length " +
                                                        std::to_string(applied.base_length()) + " at that revision"};
    }
    std::swap(op, scratch);
  }
  return op;
}

Expected<Selection> RevisionLog::transform_selection_to_head(Selection selection, std::uint64_t base_revision,
                                                             Side side) const {
  Expected<OpRange> since = ops_since(base_revision);
  if (!since) return std::move(since).error();
  for (const Operation& op : *since) selection = transform_selection(selection, op, side);
  return selection;
}

const Operation* RevisionLog::op_at(std::uint64_t revision) const noexcept {
  if (revision <= oldest_base() || revision > head_) return nullptr;
  return &history_[static_cast<std::size_t>(revision - oldest_base() - 1)];
}

RevisionLog::SeqCheck RevisionLog::check_seq(std::string_view client_id, std::uint64_t seq) const {
  const std::optional<ClientRecord> last = last_applied(client_id);
  if (!last) return SeqCheck{SeqStatus::fresh, ClientRecord{0, 0}};
  if (seq == last->seq) return SeqCheck{SeqStatus::duplicate, *last};
  if (seq < last->seq) return SeqCheck{SeqStatus::stale, *last};
  return SeqCheck{seq == last->seq + 1 ? SeqStatus::fresh : SeqStatus::out_of_order, *last};
}

std::optional<RevisionLog::ClientRecord> RevisionLog::last_applied(std::string_view client_id) const {
  if (client_id.empty()) return std::nullopt;
  const auto found = clients_.find(client_id);
  if (found == clients_.end()) return std::nullopt;
  return found->second;
}

std::uint64_t RevisionLog::append(Operation op, std::string_view client_id, std::uint64_t seq) {
  ++head_;
  if (max_history_ > 0) {
    if (history_.size() == max_history_) history_.pop_front();
    history_.push_back(std::move(op));
  } else {
    history_.clear();
  }
  restore_client(client_id, seq, head_);
  return head_;
}

void RevisionLog::restore_client(std::string_view client_id, std::uint64_t seq, std::uint64_t revision) {
  if (client_id.empty()) return;
  const auto found = clients_.find(client_id);
  if (found != clients_.end()) {
    found->second = ClientRecord{seq, revision};
  } else {
    clients_.emplace(std::string(client_id), ClientRecord{seq, revision});
  }
}

}  // namespace otter::ot
