// RevisionLog: the server's history of one document, and what it needs to accept ops
// written against an older revision.
//
// Contract
// - Revisions are dense: the log starts at `head` (0 for a new document, or the revision
//   of the snapshot it was loaded from) and append() makes head + 1. The op at revision r
//   turns the text at r - 1 into the text at r; a client op "at base r" was written
//   against the text at r.
// - Memory is bounded: at most `max_history` ops are kept (the newest). A base revision b
//   can be brought to head iff head - max_kept <= b <= head, where max_kept is the number
//   of ops in memory (fewer after a reload). Older: ErrorCode::resync_required (the client
//   must reload a snapshot). Newer than head: ErrorCode::revision_in_future.
// - transform_to_head(op, b) transforms op through every op after b, op on Side::left
//   (see transform.hpp: the op not yet ordered by the server goes left).
// - Duplicate detection by (client id, seq): per client id the log keeps the last seq it
//   applied and that op's revision, forever (one small record per client id, not per op),
//   so it answers correctly even after the op itself was trimmed from memory. A client
//   numbers its ops 1, 2, 3 ... (docs/protocol.md). For a submission (c, s) with last
//   record (s0, r0):
//     no record                fresh, whatever s is (the first op seen from c, or a
//                              record lost with an old snapshot: accepting is safe);
//     s == s0 + 1              fresh: apply it;
//     s == s0                  duplicate: already applied at revision r0, do not apply;
//     s <  s0                  stale: a resend of an op older than one already applied.
//                              It was applied before (seqs increase), but its revision is
//                              no longer known: ErrorCode::stale_seq. A client that follows
//                              the protocol (one op in flight, resend only the unacked
//                              one) never sees this;
//     s >  s0 + 1              out_of_order: an op in between is missing
//                              (ErrorCode::seq_out_of_order).
//   An empty client id opts out: never a duplicate, never recorded (server-made ops).
// - restore_client() re-installs a record when the document is reloaded from storage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ot/cursor.hpp"
#include "ot/expected.hpp"
#include "ot/operation.hpp"

namespace otter::ot {

class RevisionLog {
 public:
  // About 250 bytes per keystroke op, so about 2.6 MB per busy document (measured:
  // docs/benchmarks.md, "OT engine (issue 3)"). A client further behind resumes from the
  // full text instead of the ops (docs/protocol.md).
  static constexpr std::size_t kDefaultMaxHistory = 10'000;

  // A view of consecutive ops in the log, oldest first; valid until the next append().
  // (Not std::ranges::subrange: clang 14, used for fuzzing, cannot compile it against
  // libstdc++ 12.)
  class OpRange {
   public:
    using iterator = std::deque<Operation>::const_iterator;
    OpRange(iterator first, iterator last) noexcept : first_(first), last_(last) {}
    [[nodiscard]] iterator begin() const noexcept { return first_; }
    [[nodiscard]] iterator end() const noexcept { return last_; }
    [[nodiscard]] std::size_t size() const noexcept { return static_cast<std::size_t>(last_ - first_); }
    [[nodiscard]] bool empty() const noexcept { return first_ == last_; }
    [[nodiscard]] const Operation& front() const noexcept { return *first_; }

   private:
    iterator first_;
    iterator last_;
  };

  struct ClientRecord {
    std::uint64_t seq;       // the last seq applied for this client
    std::uint64_t revision;  // the revision it was applied as
    [[nodiscard]] bool operator==(const ClientRecord&) const = default;
  };

  enum class SeqStatus : unsigned char { fresh, duplicate, stale, out_of_order };
  struct SeqCheck {
    SeqStatus status;
    ClientRecord last;  // meaningful unless status is fresh with no earlier record
  };

  explicit RevisionLog(std::uint64_t head_revision = 0, std::size_t max_history = kDefaultMaxHistory);

  [[nodiscard]] std::uint64_t head() const noexcept { return head_; }
  // The oldest base revision that can still be transformed to head.
  [[nodiscard]] std::uint64_t oldest_base() const noexcept { return head_ - history_.size(); }
  [[nodiscard]] std::size_t max_history() const noexcept { return max_history_; }
  [[nodiscard]] std::size_t ops_in_memory() const noexcept { return history_.size(); }

  // Ops at revisions base + 1 ..= head, oldest first. Errors: revision_in_future,
  // resync_required.
  [[nodiscard]] Expected<OpRange> ops_since(std::uint64_t base_revision) const;
  // `op`, written at `base_revision`, rewritten to apply at head. Errors: those of
  // ops_since, and base_length_mismatch if op does not fit the text at base_revision.
  [[nodiscard]] Expected<Operation> transform_to_head(Operation op, std::uint64_t base_revision) const;
  // A selection made at `base_revision`, moved through every op since (each end with
  // `side`, see cursor.hpp). Errors: those of ops_since.
  [[nodiscard]] Expected<Selection> transform_selection_to_head(Selection selection, std::uint64_t base_revision,
                                                                Side side) const;
  // The op that made `revision`, or nullptr if it is not in memory.
  [[nodiscard]] const Operation* op_at(std::uint64_t revision) const noexcept;

  [[nodiscard]] SeqCheck check_seq(std::string_view client_id, std::uint64_t seq) const;
  [[nodiscard]] std::optional<ClientRecord> last_applied(std::string_view client_id) const;

  // Records `op` as revision head + 1 and returns that revision; trims the oldest op past
  // max_history. Precondition: op applies to the text at head, and (client_id, seq) was
  // checked fresh.
  std::uint64_t append(Operation op, std::string_view client_id, std::uint64_t seq);
  void restore_client(std::string_view client_id, std::uint64_t seq, std::uint64_t revision);

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  std::deque<Operation> history_;  // revisions oldest_base() + 1 ..= head_
  std::uint64_t head_;
  std::size_t max_history_;
  std::unordered_map<std::string, ClientRecord, StringHash, std::equal_to<>> clients_;
};

}  // namespace otter::ot
