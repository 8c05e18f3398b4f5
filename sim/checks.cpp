#include "sim/checks.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ot/apply.hpp"
#include "ot/utf8.hpp"
#include "sim/describe.hpp"

namespace otter::sim {
namespace {

// Where two texts part, with a little context before: "from byte 12, ... vs ...".
std::string text_difference(std::string_view mine, std::string_view theirs) {
  const auto [at, unused] = std::mismatch(mine.begin(), mine.end(), theirs.begin(), theirs.end());
  std::size_t from = static_cast<std::size_t>(at - mine.begin());
  from -= std::min<std::size_t>(from, 24);
  while (from > 0 && (static_cast<unsigned char>(mine[from]) & 0xC0U) == 0x80U) --from;  // a code point's start
  return "from byte " + std::to_string(from) + ", " + quoted_text(mine.substr(from), 80) + " (" +
         std::to_string(mine.size()) + " bytes) vs " + quoted_text(theirs.substr(from), 80) + " (" +
         std::to_string(theirs.size()) + " bytes)";
}

bool inside(ot::Selection selection, std::size_t length) noexcept {
  return selection.anchor <= length && selection.head <= length;
}

std::string selection_text(ot::Selection selection) {
  return "(" + std::to_string(selection.anchor) + ", " + std::to_string(selection.head) + ")";
}

void check_document(const SimServer& server, std::span<const SimClient> clients, Verdict& verdict, std::uint32_t d) {
  const std::string doc = "doc" + std::to_string(d);
  const std::vector<SimServer::StoredOp>& history = server.history(d);
  const std::string& stored_text = server.durable_text(d);
  if (server.pending_ops(d) != 0) {
    return verdict.fail("quiescence", doc + " still has " + std::to_string(server.pending_ops(d)) +
                                           " ops that are not durable");
  }
  // Replaying the stored history from empty gives the stored text, and the process's.
  std::string replayed;
  for (std::size_t r = 1; r <= history.size(); ++r) {
    ot::Expected<std::string> next = ot::apply(replayed, history[r - 1].op);
    if (!next) {
      return verdict.fail("replay", doc + ": stored revision " + std::to_string(r) +
                                         " does not apply to the replayed text: " + next.error().message);
    }
    replayed = std::move(*next);
  }
  if (replayed != stored_text) {
    return verdict.fail("replay", doc + ": replaying " + std::to_string(history.size()) +
                                       " stored ops gives a different text than the store holds");
  }
  if (const std::optional<std::string> live = server.live_text(d); live && *live != stored_text) {
    return verdict.fail("replay", doc + ": the document process holds a different text than the store");
  }
  // No (client, seq) stored twice.
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint64_t> stored_at;
  for (std::size_t r = 1; r <= history.size(); ++r) {
    const auto [it, fresh] = stored_at.emplace(std::pair{history[r - 1].author, history[r - 1].seq}, r);
    if (!fresh) {
      return verdict.fail("acked_ops", doc + ": c" + std::to_string(history[r - 1].author) + " seq " +
                                            std::to_string(history[r - 1].seq) + " is stored twice, as revisions " +
                                            std::to_string(it->second) + " and " + std::to_string(r));
    }
  }
  for (const SimClient& client : clients) {
    const SimClient::Document& mine = client.documents()[d];
    const std::string who = client.id() + " on " + doc;
    // Convergence.
    if (mine.text != stored_text) {
      return verdict.fail("convergence", who + " holds a different text than the server: " +
                                              text_difference(mine.text, stored_text));
    }
    if (mine.ot.revision() != history.size() || mine.ot.state() != ot::Client::State::synchronized) {
      return verdict.fail("convergence", who + " is at revision " + std::to_string(mine.ot.revision()) +
                                              (mine.ot.state() == ot::Client::State::synchronized
                                                   ? ""
                                                   : " with edits not acknowledged") +
                                              ", the server at " + std::to_string(history.size()));
    }
    // Every acked op is in the history exactly once, where its ack said; every op sent
    // was acked exactly once.
    const auto client_index = static_cast<std::uint32_t>(&client - clients.data());
    std::vector<bool> acked(mine.last_seq + 1, false);
    for (const SimClient::Ack& ack : mine.acks) {
      const auto found = stored_at.find({client_index, ack.seq});
      if (found == stored_at.end() || found->second != ack.revision) {
        return verdict.fail("acked_ops", misplaced_ack(who, ack.seq, ack.revision,
                                                            found == stored_at.end()
                                                                ? std::nullopt
                                                                : std::optional<std::uint64_t>(found->second)));
      }
      if (ack.seq > mine.last_seq || acked[ack.seq]) {
        return verdict.fail("acked_ops", who + ": seq " + std::to_string(ack.seq) + " was acked twice");
      }
      acked[ack.seq] = true;
    }
    for (std::uint64_t seq = 1; seq <= mine.last_seq; ++seq) {
      if (!acked[seq]) {
        return verdict.fail("acked_ops", who + ": seq " + std::to_string(seq) + " was sent but never acked");
      }
    }
  }
}

}  // namespace

void check_cursors_inside(const SimServer& server, std::span<const SimClient> clients, Verdict& verdict) {
  if (verdict.failed()) return;
  for (const SimClient& client : clients) {
    for (std::uint32_t d = 0; d < server.docs(); ++d) {
      const SimClient::Document& doc = client.documents()[d];
      const std::size_t length = doc.ot.document_length();
      if (doc.has_selection && !inside(doc.ot.selection(), length)) {
        verdict.fail("presence", client.id() + "'s own cursor " + selection_text(doc.ot.selection()) +
                                      " is outside doc" + std::to_string(d) + " (" + std::to_string(length) +
                                      " code points)");
        return;
      }
      for (const auto& [peer, selection] : doc.peers) {
        if (inside(selection, length)) continue;
        verdict.fail("presence", client.id() + " shows c" + std::to_string(peer) + "'s cursor " +
                                      selection_text(selection) + " outside doc" + std::to_string(d) + " (" +
                                      std::to_string(length) + " code points)");
        return;
      }
    }
  }
  for (std::uint32_t d = 0; d < server.docs(); ++d) {
    const std::size_t length = ot::count_code_points(server.durable_text(d));
    for (const auto& [peer, selection] : server.presence(d)) {
      if (inside(selection, length)) continue;
      verdict.fail("presence", "the server holds c" + std::to_string(peer) + "'s cursor " +
                                    selection_text(selection) + " outside doc" + std::to_string(d) + " (" +
                                    std::to_string(length) + " code points)");
      return;
    }
  }
}

void check_schedule_end(const SimServer& server, std::span<const SimClient> clients, Verdict& verdict) {
  for (std::uint32_t d = 0; d < server.docs() && !verdict.failed(); ++d) check_document(server, clients, verdict, d);
}

}  // namespace otter::sim
