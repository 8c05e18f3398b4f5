// ServerDocument: what a document process holds — the text (a Rope) and its RevisionLog —
// and the one way to change it: submit().
//
// Contract
// - submit(client_id, seq, base_revision, op), in this order:
//   1. duplicate check (see revision_log.hpp): a (client_id, seq) already applied returns
//      Applied{its original revision, the op as applied then if still in memory (else the
//      empty op), duplicate = true} and changes nothing; an older seq is stale_seq, one
//      that skips ahead is seq_out_of_order;
//   2. base_revision is brought to head: revision_in_future / resync_required if it can't;
//   3. op is transformed through every op after base_revision (base_length_mismatch if it
//      does not fit the text at base_revision);
//   4. the result must keep the document within max_length code points
//      (doc_too_large);
//   5. it is applied to the rope and appended as revision head + 1.
//   Any error leaves text, revision and duplicate records unchanged.
// - Every fresh op gets a revision, even one that changes nothing: revisions stay dense
//   and each submission gets exactly one ack.
// - Texts are valid UTF-8 throughout: load() validates; ops carry valid text by
//   construction (ot/json_codec validates the wire).
// - Single-threaded, like everything in ot/: the owning process serialises calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ot/expected.hpp"
#include "ot/operation.hpp"
#include "ot/revision_log.hpp"
#include "ot/rope.hpp"

namespace otter::ot {

struct ServerDocumentLimits {
  static constexpr std::size_t kDefaultMaxLength = 64 * 1024 * 1024;  // code points

  std::size_t max_history = RevisionLog::kDefaultMaxHistory;  // ops kept for late bases
  std::size_t max_length = kDefaultMaxLength;                 // document size limit
};

struct Applied {
  std::uint64_t revision;   // the revision the op became (or became earlier, if duplicate)
  Operation op_as_applied;  // the op after transformation: what others must apply
  bool duplicate;           // true: already applied before; nothing changed now
};

class ServerDocument {
 public:
  // An empty document at revision 0.
  explicit ServerDocument(ServerDocumentLimits limits = {});
  // A document loaded from a snapshot: `text` at `revision`. Errors: invalid_utf8,
  // doc_too_large.
  [[nodiscard]] static Expected<ServerDocument> load(std::string_view text, std::uint64_t revision,
                                                     ServerDocumentLimits limits = {});

  [[nodiscard]] Expected<Applied> submit(std::string_view client_id, std::uint64_t seq, std::uint64_t base_revision,
                                         Operation op);

  [[nodiscard]] std::uint64_t revision() const noexcept { return log_.head(); }
  [[nodiscard]] std::size_t length() const noexcept { return text_.size(); }  // code points
  [[nodiscard]] std::string text() const { return text_.to_string(); }
  [[nodiscard]] const Rope& rope() const noexcept { return text_; }
  [[nodiscard]] const RevisionLog& log() const noexcept { return log_; }
  [[nodiscard]] const ServerDocumentLimits& limits() const noexcept { return limits_; }

  // Reload support, in this order: load(snapshot), replay() every logged op after it
  // (oldest first), then restore_client() every stored (client id, seq, revision).
  // replay applies an op at head as the next revision, with no duplicate check and no
  // client record (the records come from storage). Errors: base_length_mismatch,
  // doc_too_large. Returns the new revision.
  [[nodiscard]] Expected<std::uint64_t> replay(Operation op);
  // Re-installs the last (seq, revision) of a client, from storage.
  void restore_client(std::string_view client_id, std::uint64_t seq, std::uint64_t revision) {
    log_.restore_client(client_id, seq, revision);
  }

 private:
  ServerDocument(Rope text, std::uint64_t revision, ServerDocumentLimits limits);
  [[nodiscard]] Expected<void> check_fits(const Operation& op) const;
  std::uint64_t apply_at_head(Operation op, std::string_view client_id, std::uint64_t seq);

  Rope text_;
  RevisionLog log_;
  ServerDocumentLimits limits_;
};

}  // namespace otter::ot
