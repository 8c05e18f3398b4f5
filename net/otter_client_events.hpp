// What an OtterClient (net/otter_client.hpp) tells its user: one event per thing that
// happened on the connection or on an open document, and the read-only view of a document.
//
// Contract
// - Events of one client come in the order things happened: per document, in revision
//   order (the server's order).
// - Positions (ops, selections) are code points of the client's *local* text: a remote op
//   or a peer's selection has already been transformed past the local edits the server has
//   not acknowledged yet, so it applies to the text document() shows at that moment.
// - ErrorEvent carries every error the server sent, including those the client handled by
//   itself (`handled`: an op resent after rate_limited or internal_error, a document reopened
//   after resync_required or a rejected edit).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "net/connection.hpp"
#include "net/messages.hpp"
#include "ot/cursor.hpp"
#include "ot/operation.hpp"

namespace otter::net {

// The server greeted the client: the first connect, or a reconnect (then every open
// document is being resumed).
struct ConnectedEvent {
  Welcome welcome;
  bool reconnect = false;
};

// The connection ended. `reconnecting`: the client is trying again by itself.
struct DisconnectedEvent {
  CloseReason reason;
  bool reconnecting = false;
};

// A document was opened, resumed after a reconnect, or reloaded from the server's text.
struct DocumentOpenedEvent {
  enum class Kind : unsigned char {
    opened,    // first open: `text` is the document
    resumed,   // reopened after a reconnect from the ops missed (already delivered as events)
    reloaded,  // reopened from the server's whole text (history gone, or a rejected edit)
  };
  std::string doc;
  std::uint64_t revision = 0;
  Kind kind = Kind::opened;
  std::optional<std::string> text;  // the local text now; nullopt for `resumed`
  // Reloaded while local edits were not yet acknowledged: they are gone (the server may or
  // may not have applied the one in flight; `text` says).
  bool local_edits_dropped = false;
};

// Someone else's edit, already applied to the local text.
struct RemoteEditEvent {
  std::string doc;
  std::uint64_t revision = 0;  // the server revision it made
  std::string client_id;       // its author
  ot::Operation op;            // as applied to the local text
  std::vector<std::string> erased;  // the text each erase component removed, in order
};

// The server acknowledged one of this client's ops: it is durable at `revision`.
struct AckEvent {
  std::string doc;
  std::uint64_t revision = 0;
  std::uint64_t seq = 0;  // the wire seq
};

// Another session's cursor moved, appeared, or (`left`) went away.
struct PresenceEvent {
  std::string doc;
  PeerPresence peer;  // selection in local coordinates; only `session` is set when `left`
  bool left = false;
};

struct ErrorEvent {
  ErrorMessage error;
  bool handled = false;  // the client recovered by itself (resent, reopened)
};

using ClientEvent =
    std::variant<ConnectedEvent, DisconnectedEvent, DocumentOpenedEvent, RemoteEditEvent, AckEvent, PresenceEvent,
                 ErrorEvent>;

// A copy of one open document's state (OtterClient::document()).
struct DocumentView {
  std::string doc;
  bool open = false;            // open on the current connection (false while reconnecting)
  std::uint64_t revision = 0;   // the server revision the local text is based on
  std::string text;             // the local text: the server's at `revision` plus pending edits
  std::size_t length = 0;       // code points
  bool synchronized = false;    // no local edit waits for its ack
  std::optional<ot::Selection> selection;  // this client's own, if set
  std::vector<PeerPresence> peers;         // other sessions on the document, by session id
};

}  // namespace otter::net
