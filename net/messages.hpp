// The wire protocol's messages (docs/protocol.md, v1) as plain C++ values.
//
// One struct per message "type"; a ClientMessage is what a client sends, a ServerMessage
// what the server sends. The codec (net/protocol.hpp) turns them into JSON text and back.
//
// Conventions
// - Revisions, seqs, positions and limits are unsigned integers at most kMaxWireInteger
//   (2^53 - 1, what JavaScript represents exactly); the decoder rejects anything else.
// - `id` is the request id a client may attach to any message; a reply or error answering
//   that message carries the same id. nullopt = the message had none.
// - Optional fields are std::optional (absent on the wire when nullopt), except where the
//   protocol gives a default (Open::create = true).
// - Positions are code points (ot/cursor.hpp's Selection: anchor, head).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "net/error_code.hpp"
#include "ot/cursor.hpp"
#include "ot/operation.hpp"

namespace otter::net {

inline constexpr std::int64_t kProtocolVersion = 1;
inline constexpr std::uint64_t kMaxWireInteger = (std::uint64_t{1} << 53) - 1;

// A request id's longest string form, in bytes.
inline constexpr std::size_t kMaxRequestIdBytes = 128;

// A request id: an integer (64-bit, signed or not) or a string of at most
// kMaxRequestIdBytes that the client chooses, echoed verbatim. Integers that fit
// std::int64_t are held as int64 whatever type built them, so ids compare by value.
// Numbers with a fraction or an exponent are not ids: Boost.JSON 1.81 does not always parse
// them to the nearest double, so one could not be echoed exactly (tests/fuzz/protocol_fuzz).
class RequestId {
 public:
  using Value = std::variant<std::int64_t, std::uint64_t, std::string>;

  RequestId(std::int64_t number) : value_(number) {}  // NOLINT: implicit by design
  RequestId(int number) : value_(std::int64_t{number}) {}  // NOLINT
  RequestId(std::uint64_t number);                     // NOLINT
  RequestId(std::string text) : value_(std::move(text)) {}  // NOLINT
  RequestId(const char* text) : value_(std::string(text)) {}  // NOLINT

  [[nodiscard]] const Value& value() const noexcept { return value_; }
  [[nodiscard]] bool operator==(const RequestId&) const = default;

 private:
  Value value_;
};

std::ostream& operator<<(std::ostream& out, const RequestId& id);

// ---------------------------------------------------------------- client → server

struct Hello {
  std::optional<RequestId> id;
  std::int64_t version = kProtocolVersion;
  std::optional<std::string> client_id;  // 1-64 of [A-Za-z0-9._-]; nullopt: server assigns
  std::optional<std::string> name;
  std::optional<std::string> color;
  std::optional<std::string> token;
  [[nodiscard]] bool operator==(const Hello&) const = default;
};

struct Open {
  std::optional<RequestId> id;
  std::string doc;
  std::optional<std::uint64_t> revision;  // resume from this revision
  bool create = true;
  [[nodiscard]] bool operator==(const Open&) const = default;
};

struct Close {
  std::optional<RequestId> id;
  std::string doc;
  [[nodiscard]] bool operator==(const Close&) const = default;
};

// {"type": "op"}: an edit made against revision `rev`.
struct Edit {
  std::optional<RequestId> id;
  std::string doc;
  std::uint64_t rev = 0;
  std::uint64_t seq = 1;  // >= 1
  ot::Operation op;
  [[nodiscard]] bool operator==(const Edit&) const = default;
};

// {"type": "presence"} from a client: its selection at `rev`, or nullopt to clear it
// ("anchor": null; then `rev` is optional and ignored).
struct PresenceUpdate {
  std::optional<RequestId> id;
  std::string doc;
  std::uint64_t rev = 0;
  std::optional<ot::Selection> selection;
  [[nodiscard]] bool operator==(const PresenceUpdate&) const = default;
};

struct Ping {
  std::optional<RequestId> id;
  [[nodiscard]] bool operator==(const Ping&) const = default;
};

// The live dashboard (docs/dashboard.md). The server answers a subscribe with a full
// `dashboard` snapshot and pushes a new one whenever something shown changed, at most one
// per interval_ms. What the server sends is in net/dashboard_messages.hpp.
inline constexpr std::uint64_t kDefaultDashboardIntervalMs = 250;
inline constexpr std::uint64_t kMinDashboardIntervalMs = 100;
inline constexpr std::uint64_t kMaxDashboardIntervalMs = 5'000;
inline constexpr std::uint64_t kDefaultDashboardMaxDocuments = 200;
inline constexpr std::uint64_t kMaxDashboardMaxDocuments = 10'000;

struct DashboardSubscribe {
  std::optional<RequestId> id;
  std::uint64_t interval_ms = kDefaultDashboardIntervalMs;      // kMin.. kMaxDashboardIntervalMs
  std::uint64_t max_documents = kDefaultDashboardMaxDocuments;  // 0 .. kMaxDashboardMaxDocuments
  [[nodiscard]] bool operator==(const DashboardSubscribe&) const = default;
};

struct DashboardUnsubscribe {
  std::optional<RequestId> id;
  [[nodiscard]] bool operator==(const DashboardUnsubscribe&) const = default;
};

// Admin only: make the document's process throw (its supervisor restarts it).
struct Crash {
  std::optional<RequestId> id;
  std::string doc;
  [[nodiscard]] bool operator==(const Crash&) const = default;
};

using ClientMessage =
    std::variant<Hello, Open, Close, Edit, PresenceUpdate, Ping, DashboardSubscribe, DashboardUnsubscribe, Crash>;

// ---------------------------------------------------------------- server → client

struct Limits {
  std::uint64_t max_frame_bytes = 0;
  std::uint64_t max_op_bytes = 0;
  std::uint64_t max_doc_code_points = 0;
  std::uint64_t ops_per_second = 0;
  std::uint64_t max_open_docs = 0;
  [[nodiscard]] bool operator==(const Limits&) const = default;
};

struct Welcome {
  std::optional<RequestId> id;
  std::int64_t version = kProtocolVersion;
  std::string session;
  std::string client_id;
  std::string server;
  std::uint64_t heartbeat_ms = 0;
  Limits limits;
  [[nodiscard]] bool operator==(const Welcome&) const = default;
};

// One revision in an `ops` message (or in `opened.ops` on resume). Another client's op
// carries `op`; the receiver's own op carries only `seq` (its ack); a duplicate's ack also
// sets `duplicate`.
struct OpsEntry {
  std::uint64_t rev = 0;
  std::string client_id;
  std::optional<ot::Operation> op;
  std::optional<std::uint64_t> seq;
  bool duplicate = false;
  [[nodiscard]] bool operator==(const OpsEntry&) const = default;
};

// Another session's presence on a document: in `opened.presence` and in presence broadcasts.
// selection nullopt = no cursor ("anchor": null).
struct PeerPresence {
  std::string session;
  std::string client_id;
  std::optional<std::string> name;
  std::optional<std::string> color;
  std::optional<ot::Selection> selection;
  [[nodiscard]] bool operator==(const PeerPresence&) const = default;
};

// Exactly one of `text` (fresh open, or resume without history) and `ops` (resume) is set.
struct Opened {
  std::optional<RequestId> id;
  std::string doc;
  std::uint64_t revision = 0;
  std::optional<std::string> text;
  std::optional<std::vector<OpsEntry>> ops;
  std::vector<PeerPresence> presence;
  [[nodiscard]] bool operator==(const Opened&) const = default;
};

struct Closed {
  std::optional<RequestId> id;
  std::string doc;
  [[nodiscard]] bool operator==(const Closed&) const = default;
};

struct Ops {
  std::string doc;
  std::vector<OpsEntry> entries;  // "ops" on the wire
  [[nodiscard]] bool operator==(const Ops&) const = default;
};

// {"type": "presence"} from the server. `left`: the session closed the document or
// disconnected; then only peer.session is sent.
struct PresenceBroadcast {
  std::string doc;
  PeerPresence peer;
  bool left = false;
  [[nodiscard]] bool operator==(const PresenceBroadcast&) const = default;
};

struct Pong {
  std::optional<RequestId> id;
  [[nodiscard]] bool operator==(const Pong&) const = default;
};

// {"type": "error"}. Also what decode_client_message() returns for a bad frame, ready to
// send back. `supported` is sent with unsupported_version only.
struct ErrorMessage {
  ErrorCode code = ErrorCode::internal_error;
  std::string message;
  std::optional<RequestId> id;
  std::optional<std::string> doc;
  std::optional<std::uint64_t> seq;
  std::vector<std::int64_t> supported;
  [[nodiscard]] bool operator==(const ErrorMessage&) const = default;
};

// An error with only its code and sentence (no echoes yet).
[[nodiscard]] inline ErrorMessage make_error(ErrorCode code, std::string message) {
  ErrorMessage error;
  error.code = code;
  error.message = std::move(message);
  return error;
}

std::ostream& operator<<(std::ostream& out, const ErrorMessage& error);

using ServerMessage = std::variant<Welcome, Opened, Closed, Ops, PresenceBroadcast, Pong, ErrorMessage>;

}  // namespace otter::net
