// Helpers of the end-to-end tests: a raw protocol client (WsClient + the codec) for the
// error table, connected OtterClients, seeds. Everything waits on events with a timeout;
// nothing sleeps.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "net/otter_client.hpp"
#include "net/protocol.hpp"
#include "net/ws_client.hpp"
#include "tests/support/test_seed.hpp"

namespace otter::testing {

using namespace std::chrono_literals;

// Generous: only a broken build (or a sanitizer on a busy machine) waits this long.
inline constexpr std::chrono::milliseconds kWait{30'000};

inline std::size_t count_occurrences(std::string_view text, std::string_view needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

// A connected OtterClient (events queued for next_event()).
inline std::unique_ptr<net::OtterClient> connect_editor(std::uint16_t port, const std::string& client_id,
                                                        std::optional<std::string> name = std::nullopt,
                                                        std::optional<std::string> color = std::nullopt) {
  net::OtterClientOptions options;
  options.port = port;
  options.client_id = client_id;
  options.name = std::move(name);
  options.color = std::move(color);
  options.reconnect_delay = 20ms;
  options.max_reconnect_delay = 500ms;
  auto client = std::make_unique<net::OtterClient>(std::move(options));
  (void)client->connect();
  return client;
}

// The next event of type T for which `accept` is true, skipping the others; nullopt after
// `timeout`.
template <class T, class Accept>
std::optional<T> next_event_of(net::OtterClient& client, Accept accept, std::chrono::milliseconds timeout = kWait) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return std::nullopt;
    std::optional<net::ClientEvent> event = client.next_event(left);
    if (!event) return std::nullopt;
    if (T* typed = std::get_if<T>(&*event); typed && accept(*typed)) return std::move(*typed);
  }
}

// The server's text of `doc` now, through a fresh connection.
inline net::DocumentView server_view(std::uint16_t port, const std::string& doc) {
  static std::atomic<int> readers{0};
  std::unique_ptr<net::OtterClient> reader = connect_editor(port, "c-reader-" + std::to_string(++readers));
  net::Expected<net::DocumentView> view = reader->open(doc);
  if (!view) throw std::runtime_error("cannot open " + doc + ": " + view.error().message);
  return std::move(view).value();
}

// A client that speaks the protocol by hand, frame by frame.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) : ws_(net::WsClientOptions{.port = port}) {}

  void send(const net::ClientMessage& message) { ws_.send(net::encode(message)); }
  void send_text(std::string text) { ws_.send(std::move(text)); }
  net::WsClient& ws() noexcept { return ws_; }

  // The next message, decoded; nullopt on timeout or close.
  std::optional<net::ServerMessage> receive(std::chrono::milliseconds timeout = kWait) {
    std::optional<std::string> frame = ws_.receive(timeout);
    if (!frame) return std::nullopt;
    net::Expected<net::ServerMessage> message = net::decode_server_message(*frame);
    if (!message) {
      ADD_FAILURE() << "the server sent a frame the codec refuses: " << *frame;
      return std::nullopt;
    }
    return std::move(message).value();
  }

  // The next message of type T, skipping others (presence, another document's ops, ...).
  template <class T>
  std::optional<T> expect(std::chrono::milliseconds timeout = kWait) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return std::nullopt;
      std::optional<net::ServerMessage> message = receive(left);
      if (!message) return std::nullopt;
      if (T* typed = std::get_if<T>(&*message)) return std::move(*typed);
    }
  }

  net::Welcome hello(const std::string& client_id) {
    net::Hello hello;
    hello.client_id = client_id;
    hello.name = client_id;
    send(hello);
    std::optional<net::Welcome> welcome = expect<net::Welcome>();
    if (!welcome) throw std::runtime_error("no welcome for " + client_id);
    return *welcome;
  }

  net::Opened open(const std::string& doc, std::optional<std::uint64_t> revision = std::nullopt) {
    net::Open open;
    open.doc = doc;
    open.revision = revision;
    send(open);
    std::optional<net::Opened> opened = expect<net::Opened>();
    if (!opened) throw std::runtime_error("no opened for " + doc);
    return *opened;
  }

  // A ping answered with a pong carrying `id`: the connection still works.
  [[nodiscard]] bool answers_ping(const std::string& id) {
    send(net::Ping{id});
    std::optional<net::Pong> pong = expect<net::Pong>();
    return pong && pong->id == net::RequestId(id);
  }

 private:
  net::WsClient ws_;
};

}  // namespace otter::testing
