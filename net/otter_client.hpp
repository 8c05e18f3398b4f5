// OtterClient: the C++ client library for headless clients of otterd (the `otter` CLI, the
// simulator, benchmarks, tests). It speaks docs/protocol.md over one WebSocket, keeps each
// open document's text in step with the server through ot::Client (docs/ot.md), and
// reconnects and resumes by itself. No Beast in this header.
//
//   OtterClient client({.port = 8080, .name = "bot"});
//   client.connect();                                    // throws ClientError if unreachable
//   Expected<DocumentView> notes = client.open("notes"); // an ErrorMessage if refused
//   client.insert("notes", 0, "Hello, ");                // applied locally now, sent when allowed
//   client.wait_synced(5s);                              // every local edit acknowledged
//   while (auto event = client.next_event(1s)) { ... }   // remote edits, presence, errors
//
// Lifecycle
//   constructed ──connect()──▶ connected ⇄ reconnecting ──disconnect() / destructor──▶ stopped
// - connect() opens the WebSocket, says hello (client_id, name, color, token) and waits for
//   the welcome. It throws ClientError when the server can't be reached or doesn't answer in
//   time, ServerError (a ClientError) when it answers the hello with an error. Once.
// - After the connection ends (network, server restart, slow_consumer, shutting_down) the
//   client reconnects with a growing delay (reconnect_delay doubling up to
//   max_reconnect_delay), says hello with the same client_id, reopens every document from
//   its last revision (the server sends the ops missed, or the whole text if it no longer
//   has them), and resends the op that was in flight with its seq: the server applies it
//   at most once (docs/protocol.md, "Duplicates"). Never after unsupported_version.
// - Silence: the client sends a protocol ping after heartbeat_ms without a frame from the
//   server and drops the connection (then reconnects) after 3 × heartbeat_ms.
// - disconnect() (also the destructor) closes the connection for good; edits not yet
//   acknowledged are abandoned (call wait_synced() first).
//
// Documents (ClientDocument, net/otter_client_document.hpp, holds the rules)
// - open() blocks until the document is open and returns its view, or the server's error
//   (doc_not_found with create = false, invalid_doc_id, too_many_docs, ...). It throws
//   ClientError if not connected yet or not answered within the timeout.
// - edit()/insert()/erase()/replace() apply the edit to the local text at once and send it
//   when ot::Client allows (one op in flight, later edits composed behind it). They return
//   an error (nothing changed) for a position past the end (invalid_op), text that is not
//   UTF-8 (invalid_utf8) or a document not open (not_open). Positions count code points.
// - Remote ops are transformed past the local edits in flight and applied; acks are
//   matched by seq; the server's errors about an op are handled as ClientDocument says
//   (resend, reopen, or reload dropping the refused edit) and reported as ErrorEvents.
// - set_selection() publishes this client's cursor (presence); other sessions' cursors are
//   in document().peers, moved through every edit, and reported as PresenceEvents.
//
// Threading
// - Every public member function is thread-safe. The client runs one thread of its own
//   (the "client thread"): it reads frames, applies them, reconnects and runs the resend
//   timers. WebSocket I/O runs on an IoThread (its own, or options.io shared by many).
// - Events go to options.on_event if set — called on the client thread, in order, without
//   any lock held, so it may call any non-blocking member function — and otherwise queue
//   for next_event() (at most max_queued_events; beyond that the oldest are dropped and
//   counted in dropped_events()).
// - Blocking calls (connect, open, wait_*, next_event, drop_connection, disconnect) must not
//   be made from on_event: they would wait for the thread they block. They throw
//   std::logic_error there instead.
//
// client_id: the server drops an op whose (client_id, seq) it has applied before. Two
// clients — or two runs of a program — must never share a client_id; the default is a
// fresh random one per OtterClient. Seqs continue across close/open of a document within
// one OtterClient.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "net/client_error.hpp"
#include "net/expected.hpp"
#include "net/io_thread.hpp"
#include "net/messages.hpp"
#include "net/otter_client_events.hpp"
#include "ot/cursor.hpp"
#include "ot/operation.hpp"

namespace otter::net {

// The server answered the hello with an error (unsupported_version, ...).
class ServerError : public ClientError {
 public:
  explicit ServerError(ErrorMessage error)
      : ClientError(std::string(to_string(error.code)) + ": " + error.message), error_(std::move(error)) {}
  [[nodiscard]] const ErrorMessage& error() const noexcept { return error_; }

 private:
  ErrorMessage error_;
};

// The value of a call that succeeded with nothing to say (Expected<Done>).
struct Done {
  [[nodiscard]] bool operator==(const Done&) const = default;
};

struct OtterClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string target = "/ws";
  std::string client_id;  // 1-64 of [A-Za-z0-9._-]; empty: a fresh random "c-" + 16 hex digits
  std::optional<std::string> name;
  std::optional<std::string> color;
  std::optional<std::string> token;
  // Connect + handshake + welcome; the default wait of open().
  std::chrono::milliseconds timeout{10'000};
  bool reconnect = true;
  std::chrono::milliseconds reconnect_delay{100};
  std::chrono::milliseconds max_reconnect_delay{5'000};
  std::function<void(const ClientEvent&)> on_event;  // runs on the client thread
  std::size_t max_queued_events = 100'000;
  std::shared_ptr<IoThread> io;  // null: the client's own
};

struct OpenOptions {
  bool create = true;  // false: doc_not_found if it does not exist
  std::optional<std::chrono::milliseconds> timeout;  // default: options.timeout
};

class OtterClient {
 public:
  explicit OtterClient(OtterClientOptions options = {});
  ~OtterClient();
  OtterClient(const OtterClient&) = delete;
  OtterClient& operator=(const OtterClient&) = delete;

  Welcome connect();
  void disconnect();
  // Ends the current connection now (close 4000) as a network failure would: the client
  // reconnects and resumes (for tests and tools that exercise that path).
  void drop_connection();

  [[nodiscard]] Expected<DocumentView> open(const std::string& doc, const OpenOptions& options = {});
  // Stops following `doc` (edits not yet acknowledged are abandoned).
  void close(std::string_view doc);

  [[nodiscard]] Expected<Done> edit(std::string_view doc, ot::Operation op);
  [[nodiscard]] Expected<Done> insert(std::string_view doc, std::size_t position, std::string_view text);
  [[nodiscard]] Expected<Done> erase(std::string_view doc, std::size_t position, std::size_t count);
  // One op: delete everything, insert `text` (nothing if the text is already that).
  [[nodiscard]] Expected<Done> replace(std::string_view doc, std::string_view text);
  // nullopt clears the cursor.
  [[nodiscard]] Expected<Done> set_selection(std::string_view doc, std::optional<ot::Selection> selection);

  // True once every open document is open on the connection with no edit waiting for its
  // ack; false if the timeout passed first.
  [[nodiscard]] bool wait_synced(std::chrono::milliseconds timeout);
  [[nodiscard]] bool wait_synced(std::string_view doc, std::chrono::milliseconds timeout);
  // True once `doc` is open at `revision` or later.
  [[nodiscard]] bool wait_revision(std::string_view doc, std::uint64_t revision, std::chrono::milliseconds timeout);
  // True once connected (welcomed) — e.g. after a reconnect.
  [[nodiscard]] bool wait_connected(std::chrono::milliseconds timeout);

  [[nodiscard]] std::optional<DocumentView> document(std::string_view doc) const;
  [[nodiscard]] std::optional<ClientEvent> next_event(std::chrono::milliseconds timeout);
  [[nodiscard]] std::size_t dropped_events() const;

  [[nodiscard]] bool connected() const;
  [[nodiscard]] const std::string& client_id() const noexcept;
  // The latest welcome (session id, limits), if ever connected.
  [[nodiscard]] std::optional<Welcome> welcome() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace otter::net
