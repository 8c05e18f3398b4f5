// WireProtocol: what the load generator says to one kind of server, and what it reads in
// what the server says. One adapter per server: Otter's protocol (docs/protocol.md),
// ShareDB's JSON protocol (bench/sharedb/), and the bare relay's (bench/relay/), so the
// same workloads drive all three. Each client has its own ClientWire: some protocols keep
// a little state per connection (ShareDB's document creation, the relay's ack count).
//
// Contract
// - join() gives the frames a freshly connected client sends to join its document; the
//   client is ready when decode() reports WireEvent::Kind::ready (the relay: at once).
// - A creator joins first and makes the document (ShareDB needs a create op; Otter's open
//   creates, the relay has nothing to create); the others join after every creator is ready.
// - edit() encodes one edit; decode() turns one received frame into events (an Otter `ops`
//   frame may carry many) and into frames to send back (ShareDB's subscribe after create).
// - Versions: "applied" events carry the document version after the op, so a client can
//   apply them in order whatever order they arrive in (ShareDB may send an op twice: from
//   its subscription and in a submit's reply). The relay has no versions (versioned() false).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace otter::bench {

enum class Protocol { otter, sharedb, relay };

struct ClientIdentity {
  std::size_t index = 0;   // among the run's clients; other clients name this one by it
  std::string client_id;   // "<run>-<index>": unique per run (Otter's duplicate key)
  std::string doc;
  bool creator = false;
};

struct WireEvent {
  enum class Kind { ready, applied, error };
  Kind kind = Kind::applied;
  std::uint64_t version = 0;  // ready: the document's version; applied: the version after the op
  std::int64_t length = 0;    // ready: the document's length in code points
  std::int64_t delta = 0;     // applied: how the op changed the length
  bool own = false;           // applied: this client's op (the ack)
  std::uint64_t seq = 0;      // applied: the op's seq, if the protocol says (0: it doesn't)
  std::size_t sender = kUnknownSender;  // applied, not own: the client that made it, if known
  std::string message;        // error
  static constexpr std::size_t kUnknownSender = static_cast<std::size_t>(-1);

  [[nodiscard]] static WireEvent ready(std::uint64_t version, std::int64_t length) {
    WireEvent event;
    event.kind = Kind::ready;
    event.version = version;
    event.length = length;
    return event;
  }
  [[nodiscard]] static WireEvent error(std::string message) {
    WireEvent event;
    event.kind = Kind::error;
    event.message = std::move(message);
    return event;
  }
};

// One edit: at `position` erase `erase` code points, then insert `insert`; the document
// had `length` code points at `base_version`.
struct Edit {
  std::uint64_t base_version = 0;
  std::uint64_t seq = 0;
  std::int64_t length = 0;
  std::int64_t position = 0;
  std::int64_t erase = 0;
  std::string_view insert;
  std::int64_t insert_code_points = 0;
};

struct Decoded {
  std::vector<WireEvent> events;
  std::vector<std::string> replies;  // frames to send back
  void clear() {
    events.clear();
    replies.clear();
  }
};

class ClientWire {
 public:
  virtual ~ClientWire() = default;
  [[nodiscard]] virtual bool versioned() const noexcept { return true; }
  // The HTTP target of the WebSocket upgrade.
  [[nodiscard]] virtual std::string target() const = 0;
  [[nodiscard]] virtual std::vector<std::string> join() = 0;
  // The seq of this client's first edit.
  [[nodiscard]] virtual std::uint64_t first_seq() const noexcept { return 1; }
  [[nodiscard]] virtual std::string edit(const Edit& edit) = 0;
  virtual void decode(std::string_view frame, Decoded& out) = 0;
};

[[nodiscard]] std::unique_ptr<ClientWire> make_client_wire(Protocol protocol, ClientIdentity identity);

// The client index at the end of a client id ("<run>-<index>"), or kUnknownSender.
[[nodiscard]] std::size_t sender_of(std::string_view client_id) noexcept;

// How a protocol writes a splice as an op's JSON components.
enum class SpliceStyle {
  ot_js,         // Otter: [retain, "insert", -erase, retain to the end], spanning the document
  text_unicode,  // ShareDB's text-unicode: [skip, "insert", {"d": erase}], no trailing skip
};

// Appends the edit's op as a JSON array, leaving out empty components.
void append_splice(std::string& out, const Edit& edit, SpliceStyle style);

// Appends `,"<version_key>":V,"seq":S,"op":[...]}`, the end of an op message.
void append_op_fields(std::string& out, std::string_view version_key, const Edit& edit, SpliceStyle style);

// Appends `text` as a JSON string literal (quotes and escapes included).
void append_json_string(std::string& out, std::string_view text);

// Code points in UTF-8 text.
[[nodiscard]] std::int64_t count_code_points(std::string_view text) noexcept;

}  // namespace otter::bench
