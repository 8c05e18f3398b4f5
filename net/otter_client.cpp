// OtterClient: the connection, the client thread and the blocking calls. The rules of one
// document live in ClientDocument; this file moves frames between it and the WebSocket.
//
// Locking: one mutex guards everything below. The client thread holds it while it applies
// a frame and sends what the document says, and releases it while it waits for a frame,
// connects, or calls on_event. WsClient::send only queues, so sending under the lock is
// cheap; WsClient's blocking calls (constructor, receive, close) are never made under it.
#include "net/otter_client.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "net/otter_client_document.hpp"
#include "net/protocol.hpp"
#include "net/ws_client.hpp"
#include "ot/utf8.hpp"

namespace otter::net {
namespace {

using Clock = std::chrono::steady_clock;

// The longest the client thread waits for a frame before it looks at its timers again.
constexpr std::chrono::milliseconds kMaxPumpWait{1'000};
// Silence from the server (no frame at all) before we ping it, and before we give up on
// the connection, in heartbeat periods.
constexpr int kSilencePingPeriods = 1;
constexpr int kSilenceDropPeriods = 3;
// Close code of drop_connection() (4000-4999: private use).
constexpr std::uint16_t kDropCloseCode = 4000;

std::string random_client_id() {
  std::random_device entropy;
  std::uniform_int_distribution<unsigned> nibble(0, 15);
  std::string id = "c-";
  for (int i = 0; i < 16; ++i) id.push_back("0123456789abcdef"[nibble(entropy)]);
  return id;
}

ErrorMessage error_for_doc(ErrorCode code, std::string message, std::string_view doc) {
  ErrorMessage error = make_error(code, std::move(message));
  error.doc = std::string(doc);
  return error;
}

}  // namespace

struct OtterClient::Impl {
  enum class Link : unsigned char { idle, hello_sent, connected, reconnecting, stopped };

  explicit Impl(OtterClientOptions opts)
      : options(std::move(opts)),
        client_id(options.client_id.empty() ? random_client_id() : options.client_id),
        backoff(options.reconnect_delay) {}

  // ---- state (guarded by mutex)
  const OtterClientOptions options;
  const std::string client_id;
  mutable std::mutex mutex;
  std::condition_variable changed;  // link, documents or events changed
  Link link = Link::idle;
  bool stopping = false;
  bool ever_welcomed = false;
  std::shared_ptr<WsClient> ws;
  std::optional<Welcome> welcome;
  std::optional<ErrorMessage> hello_error;  // the server refused the hello: never reconnect
  std::map<std::string, ClientDocument, std::less<>> docs;
  std::map<std::string, std::uint64_t, std::less<>> seq_bases;  // last seq sent, per closed doc
  std::uint64_t incarnations = 0;  // ClientDocuments made (their open ids differ)
  std::map<std::string, Clock::time_point, std::less<>> resend_at;
  std::deque<ClientEvent> events;
  std::size_t dropped = 0;
  std::chrono::milliseconds backoff;
  Clock::time_point reconnect_at{};
  Clock::time_point last_heard{};
  bool ping_sent = false;
  std::thread thread;
  std::mutex join_mutex;  // guards joining `thread` (not `mutex`: the thread needs that one)
  std::thread::id thread_id;
  std::vector<ClientEvent> to_deliver;  // for on_event, delivered after the lock is released

  // ---- helpers (called with the lock held)

  void check_not_client_thread(const char* what) const {
    if (std::this_thread::get_id() == thread_id) {
      throw std::logic_error(std::string("OtterClient::") + what +
                             " blocks and must not be called from on_event (the client thread)");
    }
  }

  [[nodiscard]] WsClientOptions ws_options() const {
    WsClientOptions ws_options;
    ws_options.host = options.host;
    ws_options.port = options.port;
    ws_options.target = options.target;
    ws_options.timeout = options.timeout;
    return ws_options;
  }

  void send(const ClientMessage& message) {
    if (ws) ws->send(encode(message));
  }

  void emit(ClientEvent event) {
    if (options.on_event) {
      to_deliver.push_back(std::move(event));
      return;
    }
    if (events.size() >= options.max_queued_events) {
      events.pop_front();
      ++dropped;
    }
    events.push_back(std::move(event));
  }

  void apply(const std::string& doc, DocumentEffects& effects) {
    for (const ClientMessage& message : effects.send) send(message);
    for (ClientEvent& event : effects.events) emit(std::move(event));
    if (effects.resend_after) resend_at[doc] = Clock::now() + *effects.resend_after;
  }

  void start_session(std::shared_ptr<WsClient> fresh) {
    ws = std::move(fresh);
    link = Link::hello_sent;
    last_heard = Clock::now();
    ping_sent = false;
    Hello hello;
    hello.client_id = client_id;
    hello.name = options.name;
    hello.color = options.color;
    hello.token = options.token;
    send(hello);
  }

  // ---- frames (client thread, lock held)

  void on_frame(const std::string& frame) {
    last_heard = Clock::now();
    ping_sent = false;
    Expected<ServerMessage> decoded = decode_server_message(frame);
    if (!decoded) {
      emit(ErrorEvent{std::move(decoded).error(), false});
      return;
    }
    std::visit([this](auto& message) { on_message(message); }, *decoded);
  }

  void on_message(Welcome& greeting) {
    link = Link::connected;
    backoff = options.reconnect_delay;
    const bool reconnect = ever_welcomed;
    ever_welcomed = true;
    welcome = greeting;
    emit(ConnectedEvent{greeting, reconnect});
    for (auto& [name, doc] : docs) {
      doc.set_limits(greeting.limits);
      if (doc.phase() == ClientDocument::Phase::closed) send(doc.open_message());
    }
  }

  void on_message(Opened& opened) {
    const auto it = docs.find(opened.doc);
    if (it == docs.end()) {
      send(Close{std::nullopt, opened.doc});  // closed by the user while it was opening
      return;
    }
    DocumentEffects effects;
    it->second.on_opened(opened, effects);
    apply(opened.doc, effects);
  }

  void on_message(Closed& /*closed*/) {}
  void on_message(Pong& /*pong*/) {}

  void on_message(Ops& ops) {
    const auto it = docs.find(ops.doc);
    if (it == docs.end()) return;
    DocumentEffects effects;
    it->second.on_ops(ops.entries, effects);
    apply(ops.doc, effects);
  }

  void on_message(PresenceBroadcast& presence) {
    const auto it = docs.find(presence.doc);
    if (it == docs.end()) return;
    DocumentEffects effects;
    it->second.on_presence(presence, effects);
    apply(presence.doc, effects);
  }

  void on_message(ErrorMessage& error) {
    if (link == Link::hello_sent && !error.doc) {
      hello_error = error;  // the hello was refused: this client cannot go on (run() closes)
      emit(ErrorEvent{error, false});
      return;
    }
    if (error.doc) {
      const auto it = docs.find(*error.doc);
      if (it != docs.end()) {
        DocumentEffects effects;
        it->second.on_error(error, effects);
        apply(*error.doc, effects);
        return;
      }
    }
    emit(ErrorEvent{error, false});
  }

  void on_connection_lost(const CloseReason& reason) {
    ws.reset();
    for (auto& [name, doc] : docs) doc.connection_lost();
    resend_at.clear();
    const bool again = options.reconnect && !stopping && !hello_error && ever_welcomed;
    link = again ? Link::reconnecting : Link::stopped;
    reconnect_at = Clock::now() + backoff;
    emit(DisconnectedEvent{reason, again});
  }

  void run_timers() {
    const Clock::time_point now = Clock::now();
    for (auto it = resend_at.begin(); it != resend_at.end();) {
      if (it->second > now) {
        ++it;
        continue;
      }
      const std::string name = it->first;
      it = resend_at.erase(it);
      const auto doc = docs.find(name);
      if (doc == docs.end()) continue;
      DocumentEffects effects;
      doc->second.resend_due(effects);
      apply(name, effects);
    }
    if (ws && welcome && welcome->heartbeat_ms > 0) {
      const std::chrono::milliseconds period(welcome->heartbeat_ms);
      if (!ping_sent && now - last_heard >= kSilencePingPeriods * period) {
        send(Ping{});
        ping_sent = true;
      }
    }
  }

  [[nodiscard]] bool silent_too_long() const {
    if (!ws) return false;
    const Clock::duration silence = Clock::now() - last_heard;
    if (link == Link::hello_sent) return silence >= options.timeout;  // no welcome: try again
    if (!welcome || welcome->heartbeat_ms == 0) return false;
    return silence >= kSilenceDropPeriods * std::chrono::milliseconds(welcome->heartbeat_ms);
  }

  [[nodiscard]] std::chrono::milliseconds pump_wait() const {
    Clock::time_point until = Clock::now() + kMaxPumpWait;
    for (const auto& [name, at] : resend_at) until = std::min(until, at);
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    return std::max(wait, std::chrono::milliseconds(0));
  }

  // ---- the client thread

  void deliver(std::unique_lock<std::mutex>& lock) {
    changed.notify_all();
    if (to_deliver.empty()) return;
    std::vector<ClientEvent> batch = std::move(to_deliver);
    to_deliver.clear();
    lock.unlock();
    for (const ClientEvent& event : batch) options.on_event(event);
    lock.lock();
  }

  void run() {
    std::unique_lock lock(mutex);
    thread_id = std::this_thread::get_id();
    while (!stopping) {
      if (!ws) {
        if (link != Link::reconnecting) {
          changed.wait(lock, [this] { return stopping; });
          break;
        }
        changed.wait_until(lock, reconnect_at, [this] { return stopping; });
        if (stopping) break;
        reconnect(lock);
        deliver(lock);
        continue;
      }
      std::shared_ptr<WsClient> connection = ws;
      const std::chrono::milliseconds wait = pump_wait();
      lock.unlock();
      std::optional<std::string> frame = connection->receive(wait);
      std::optional<CloseReason> ended;
      if (!frame && !connection->is_open()) {
        frame = connection->receive(std::chrono::milliseconds(0));  // one that came just before the close
        if (!frame) ended = connection->wait_closed(std::chrono::milliseconds(0));
      }
      lock.lock();
      if (connection != ws) continue;  // disconnect() took it meanwhile
      if (frame) {
        on_frame(*frame);
      } else if (ended) {
        on_connection_lost(*ended);
      }
      if (ws && (hello_error || silent_too_long())) {
        lock.unlock();
        connection->close(kDropCloseCode, hello_error ? "the server refused the hello"
                                                      : "the server has been silent too long");
        lock.lock();
        deliver(lock);
        continue;  // the next receive reports the close
      }
      run_timers();
      deliver(lock);
    }
    link = Link::stopped;
    changed.notify_all();
  }

  void reconnect(std::unique_lock<std::mutex>& lock) {
    lock.unlock();
    std::shared_ptr<WsClient> fresh;
    try {
      fresh = std::make_shared<WsClient>(ws_options(), options.io);
    } catch (const ClientError&) {
      fresh.reset();  // the server is still away: try again later
    }
    lock.lock();
    if (stopping) {
      if (fresh) {
        lock.unlock();
        fresh->close();
        lock.lock();
      }
      return;
    }
    if (!fresh) {
      backoff = std::min(backoff * 2, options.max_reconnect_delay);
      reconnect_at = Clock::now() + backoff;
      return;
    }
    start_session(std::move(fresh));
  }

  // ---- user calls (lock held)

  template <class Predicate>
  bool wait(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds timeout, Predicate predicate) {
    // Also returns when no progress is possible any more (stopped, or not reconnecting).
    return changed.wait_for(lock, timeout, [&] { return predicate() || stopping || link == Link::stopped; }) &&
           predicate();
  }

  ClientDocument* find(std::string_view doc) {
    const auto it = docs.find(doc);
    return it == docs.end() ? nullptr : &it->second;
  }

  void forget(std::string_view name) {
    const auto it = docs.find(name);
    if (it == docs.end()) return;
    seq_bases[it->first] = it->second.last_seq_sent();
    resend_at.erase(it->first);
    docs.erase(it);
  }

  Expected<Done> edit(std::string_view name, ot::Operation op) {
    ClientDocument* doc = find(name);
    if (doc == nullptr) return error_for_doc(ErrorCode::not_open, "document \"" + std::string(name) + "\" is not open", name);
    DocumentEffects effects;
    if (std::optional<ErrorMessage> error = doc->edit(std::move(op), effects)) return std::move(*error);
    apply(doc->name(), effects);
    return Done{};
  }
};

OtterClient::OtterClient(OtterClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  if (!is_valid_client_id(impl_->client_id)) {
    throw std::invalid_argument("client_id must be 1 to 64 characters of [A-Za-z0-9._-], not \"" + impl_->client_id +
                                "\"");
  }
}

OtterClient::~OtterClient() { disconnect(); }

Welcome OtterClient::connect() {
  Impl& impl = *impl_;
  {
    const std::lock_guard lock(impl.mutex);
    impl.check_not_client_thread("connect()");
    if (impl.link != Impl::Link::idle || impl.stopping) throw std::logic_error("OtterClient::connect() is called once");
  }
  auto connection = std::make_shared<WsClient>(impl.ws_options(), impl.options.io);  // throws ClientError
  std::unique_lock lock(impl.mutex);
  impl.start_session(std::move(connection));
  impl.thread = std::thread([&impl] { impl.run(); });
  const bool answered = impl.changed.wait_for(lock, impl.options.timeout, [&impl] {
    return impl.link == Impl::Link::connected || impl.hello_error || impl.link == Impl::Link::stopped;
  });
  if (impl.link == Impl::Link::connected && impl.welcome) return *impl.welcome;
  const std::optional<ErrorMessage> refused = impl.hello_error;
  lock.unlock();
  disconnect();
  if (refused) throw ServerError(*refused);
  throw ClientError(answered ? "the server at " + impl.options.host + ":" + std::to_string(impl.options.port) +
                                   " closed the connection before its welcome"
                             : "no welcome from " + impl.options.host + ":" + std::to_string(impl.options.port) +
                                   " within " + std::to_string(impl.options.timeout.count()) + " ms");
}

void OtterClient::disconnect() {
  Impl& impl = *impl_;
  std::shared_ptr<WsClient> connection;
  {
    const std::lock_guard lock(impl.mutex);
    impl.check_not_client_thread("disconnect()");
    impl.stopping = true;
    connection = std::move(impl.ws);
    impl.ws.reset();
    impl.link = Impl::Link::stopped;
  }
  impl.changed.notify_all();
  if (connection) connection->close();  // wakes the client thread's receive
  const std::lock_guard joining(impl.join_mutex);  // two disconnect()s must not join at once
  if (impl.thread.joinable()) impl.thread.join();
}

void OtterClient::drop_connection() {
  Impl& impl = *impl_;
  std::shared_ptr<WsClient> connection;
  {
    const std::lock_guard lock(impl.mutex);
    impl.check_not_client_thread("drop_connection()");
    connection = impl.ws;
  }
  if (connection) connection->close(kDropCloseCode, "dropped by the client");
}

Expected<DocumentView> OtterClient::open(const std::string& name, const OpenOptions& options) {
  Impl& impl = *impl_;
  std::unique_lock lock(impl.mutex);
  impl.check_not_client_thread("open()");
  if (!impl.ever_welcomed || impl.stopping) throw ClientError("OtterClient::open(\"" + name + "\"): not connected");
  if (!is_valid_doc_id(name)) {
    return error_for_doc(ErrorCode::invalid_doc_id,
                         "document ids are 1 to 128 characters of [A-Za-z0-9._-], not \"" + name + "\"", name);
  }
  ClientDocument* doc = impl.find(name);
  if (doc != nullptr && doc->phase() == ClientDocument::Phase::failed) {
    impl.forget(name);
    doc = nullptr;
  }
  if (doc == nullptr) {
    const auto base = impl.seq_bases.find(name);
    const std::uint64_t seq_base = base == impl.seq_bases.end() ? 0 : base->second;
    const std::string open_id_prefix = "open-" + std::to_string(++impl.incarnations) + "-";
    doc = &impl.docs.try_emplace(name, name, impl.client_id, options.create, seq_base, open_id_prefix).first->second;
    if (impl.welcome) doc->set_limits(impl.welcome->limits);
    if (impl.link == Impl::Link::connected) impl.send(doc->open_message());
  }
  const std::chrono::milliseconds timeout = options.timeout.value_or(impl.options.timeout);
  const bool settled = impl.wait(lock, timeout, [&impl, &name] {
    const ClientDocument* current = impl.find(name);
    return current == nullptr || current->phase() == ClientDocument::Phase::open ||
           current->phase() == ClientDocument::Phase::failed;
  });
  ClientDocument* current = impl.find(name);
  if (current == nullptr) {
    return error_for_doc(ErrorCode::not_open, "document \"" + name + "\" was closed while it was opening", name);
  }
  if (current->phase() == ClientDocument::Phase::failed) {
    ErrorMessage error = *current->failure();
    impl.forget(name);
    return error;
  }
  if (!settled) {
    const bool gone = impl.link == Impl::Link::stopped;
    if (impl.link == Impl::Link::connected) impl.send(Close{std::nullopt, name});
    impl.forget(name);
    throw ClientError(gone ? "document \"" + name + "\" was not opened: the connection to the server is gone"
                           : "document \"" + name + "\" was not opened within " + std::to_string(timeout.count()) +
                                 " ms");
  }
  return current->view();
}

void OtterClient::close(std::string_view name) {
  Impl& impl = *impl_;
  const std::lock_guard lock(impl.mutex);
  const ClientDocument* doc = impl.find(name);
  if (doc == nullptr) return;
  const bool on_server =
      doc->phase() == ClientDocument::Phase::open || doc->phase() == ClientDocument::Phase::opening;
  if (impl.link == Impl::Link::connected && on_server) impl.send(Close{std::nullopt, std::string(name)});
  impl.forget(name);
}

Expected<Done> OtterClient::edit(std::string_view doc, ot::Operation op) {
  const std::lock_guard lock(impl_->mutex);
  return impl_->edit(doc, std::move(op));
}

Expected<Done> OtterClient::insert(std::string_view doc, std::size_t position, std::string_view text) {
  const std::lock_guard lock(impl_->mutex);
  const ClientDocument* current = impl_->find(doc);
  if (current == nullptr) return impl_->edit(doc, {});  // not_open
  if (!ot::is_valid_utf8(text)) {
    return error_for_doc(ErrorCode::invalid_utf8, "the text to insert is not valid UTF-8", doc);
  }
  const std::size_t length = current->length();
  if (position > length) {
    return error_for_doc(ErrorCode::invalid_op,
                         "position " + std::to_string(position) + " is past the end of document \"" +
                             std::string(doc) + "\" (" + std::to_string(length) + " code points)",
                         doc);
  }
  ot::Operation op;
  op.retain(position).insert(text).retain(length - position);
  return impl_->edit(doc, std::move(op));
}

Expected<Done> OtterClient::erase(std::string_view doc, std::size_t position, std::size_t count) {
  const std::lock_guard lock(impl_->mutex);
  const ClientDocument* current = impl_->find(doc);
  if (current == nullptr) return impl_->edit(doc, {});  // not_open
  const std::size_t length = current->length();
  if (position > length || count > length - position) {
    return error_for_doc(ErrorCode::invalid_op,
                         "deleting " + std::to_string(count) + " code points at position " + std::to_string(position) +
                             " runs past the end of document \"" + std::string(doc) + "\" (" +
                             std::to_string(length) + " code points)",
                         doc);
  }
  ot::Operation op;
  op.retain(position).erase(count).retain(length - position - count);
  return impl_->edit(doc, std::move(op));
}

Expected<Done> OtterClient::replace(std::string_view doc, std::string_view text) {
  const std::lock_guard lock(impl_->mutex);
  const ClientDocument* current = impl_->find(doc);
  if (current == nullptr) return impl_->edit(doc, {});  // not_open
  if (!ot::is_valid_utf8(text)) return error_for_doc(ErrorCode::invalid_utf8, "the new text is not valid UTF-8", doc);
  if (current->view().text == text) return Done{};
  ot::Operation op;
  op.erase(current->length()).insert(text);
  return impl_->edit(doc, std::move(op));
}

Expected<Done> OtterClient::set_selection(std::string_view doc, std::optional<ot::Selection> selection) {
  Impl& impl = *impl_;
  const std::lock_guard lock(impl.mutex);
  ClientDocument* current = impl.find(doc);
  if (current == nullptr) return impl.edit(doc, {});  // not_open
  DocumentEffects effects;
  if (std::optional<ErrorMessage> error = current->set_selection(selection, effects)) return std::move(*error);
  impl.apply(current->name(), effects);
  return Done{};
}

bool OtterClient::wait_synced(std::chrono::milliseconds timeout) {
  Impl& impl = *impl_;
  std::unique_lock lock(impl.mutex);
  impl.check_not_client_thread("wait_synced()");
  return impl.wait(lock, timeout, [&impl] {
    return std::all_of(impl.docs.begin(), impl.docs.end(), [](const auto& entry) {
      return entry.second.synchronized() || entry.second.phase() == ClientDocument::Phase::failed;
    });
  });
}

bool OtterClient::wait_synced(std::string_view doc, std::chrono::milliseconds timeout) {
  Impl& impl = *impl_;
  std::unique_lock lock(impl.mutex);
  impl.check_not_client_thread("wait_synced()");
  return impl.wait(lock, timeout, [&impl, doc] {
    const ClientDocument* current = impl.find(doc);
    return current != nullptr && current->synchronized();
  });
}

bool OtterClient::wait_revision(std::string_view doc, std::uint64_t revision, std::chrono::milliseconds timeout) {
  Impl& impl = *impl_;
  std::unique_lock lock(impl.mutex);
  impl.check_not_client_thread("wait_revision()");
  return impl.wait(lock, timeout, [&impl, doc, revision] {
    const ClientDocument* current = impl.find(doc);
    return current != nullptr && current->phase() == ClientDocument::Phase::open && current->revision() >= revision;
  });
}

bool OtterClient::wait_connected(std::chrono::milliseconds timeout) {
  Impl& impl = *impl_;
  std::unique_lock lock(impl.mutex);
  impl.check_not_client_thread("wait_connected()");
  return impl.wait(lock, timeout, [&impl] { return impl.link == Impl::Link::connected; });
}

std::optional<DocumentView> OtterClient::document(std::string_view doc) const {
  const std::lock_guard lock(impl_->mutex);
  const ClientDocument* current = impl_->find(doc);
  if (current == nullptr) return std::nullopt;
  return current->view();
}

std::optional<ClientEvent> OtterClient::next_event(std::chrono::milliseconds timeout) {
  Impl& impl = *impl_;
  std::unique_lock lock(impl.mutex);
  impl.check_not_client_thread("next_event()");
  if (!impl.changed.wait_for(lock, timeout, [&impl] { return !impl.events.empty(); })) return std::nullopt;
  ClientEvent event = std::move(impl.events.front());
  impl.events.pop_front();
  return event;
}

std::size_t OtterClient::dropped_events() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->dropped;
}

bool OtterClient::connected() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->link == Impl::Link::connected;
}

const std::string& OtterClient::client_id() const noexcept { return impl_->client_id; }

std::optional<Welcome> OtterClient::welcome() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->welcome;
}

}  // namespace otter::net
