// The WebSocket side of HttpServer over real sockets with the real WsClient: echo, binary
// frames, frame_too_large, many concurrent clients, broadcast, closes from either side,
// the slow-consumer backstop, heartbeats and graceful stop. RawWsClient sends the crafted
// frames a real client would not (unmasked, fragmented, announcing a huge payload).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "net/protocol.hpp"
#include "net/ws_client.hpp"
#include "net/ws_frame.hpp"
#include "raw_ws_client.hpp"
#include "server_fixture.hpp"
#include "ws_client_frames.hpp"

namespace otter::net {
namespace {

using testing::client_frame;
using testing::Events;
using testing::kWait;
using testing::RawWsClient;
using testing::RunningServer;

// What the handlers of one server saw, for the test to await.
struct Observed {
  Events<CloseReason> closes;
  Events<std::shared_ptr<Connection>> connections;
  std::mutex mutex;
  std::vector<std::weak_ptr<Connection>> everyone;  // for broadcasts
};

// "count" and "flood" send until the kernel takes no more (it holds up to a few MiB for a
// client that does not read); this bounds them if it never says so.
constexpr std::size_t kMaxFloodBytes = 64 * 1024 * 1024;
// count's frames: 4 KiB each, each of its own letter.
std::string count_frame(std::size_t index) { return std::string(4096, static_cast<char>('a' + index % 26)); }

// Echoes "echo:<text>", and obeys a few commands.
class EchoHandler : public ConnectionHandler {
 public:
  EchoHandler(std::shared_ptr<Connection> connection, std::shared_ptr<Observed> observed)
      : connection_(std::move(connection)), observed_(std::move(observed)) {}

  void on_text(std::string text) override {
    if (text.starts_with("broadcast:")) {
      // One frame shared by every receiver; copy the list under the lock, send outside it.
      const std::shared_ptr<const std::string> frame = share(text.substr(10));
      std::vector<std::weak_ptr<Connection>> everyone;
      {
        const std::lock_guard lock(observed_->mutex);
        everyone = observed_->everyone;
      }
      for (const std::weak_ptr<Connection>& weak : everyone) {
        if (const std::shared_ptr<Connection> connection = weak.lock()) connection->send(frame);
      }
    } else if (text == "close-me") {
      connection_->send(share("last words"));
      connection_->close(4000, "bye");
    } else if (text == "flood") {
      // Until the socket takes no more, then 20 KiB over the top.
      const std::shared_ptr<const std::string> kilobyte = share(std::string(1024, 'f'));
      for (std::size_t sent = 0; connection_->outbound_bytes() == 0 && sent < kMaxFloodBytes; sent += 1024) {
        connection_->send(kilobyte);
      }
      for (int i = 0; i < 20; ++i) connection_->send(kilobyte);
    } else if (text == "count") {
      // Until the socket takes no more (a client that does not read), then a few more.
      std::size_t frames = 0;
      while (connection_->outbound_bytes() == 0 && frames * 4096 < kMaxFloodBytes) {
        connection_->send(share(count_frame(frames++)));
      }
      for (int i = 0; i < 4; ++i) connection_->send(share(count_frame(frames++)));
      connection_->send(share("queued=" + std::to_string(connection_->outbound_bytes()) +
                              " frames=" + std::to_string(frames)));
    } else {
      connection_->send(share("echo:" + text));
    }
  }

  void on_close(const CloseReason& reason) override { observed_->closes.push(reason); }

 private:
  std::shared_ptr<Connection> connection_;
  std::shared_ptr<Observed> observed_;
};

ConnectionFactory echo_factory(const std::shared_ptr<Observed>& observed) {
  return [observed](std::shared_ptr<Connection> connection) -> std::shared_ptr<ConnectionHandler> {
    {
      const std::lock_guard lock(observed->mutex);
      observed->everyone.push_back(connection);
    }
    observed->connections.push(connection);
    return std::make_shared<EchoHandler>(connection, observed);
  };
}

WsClientOptions options_for(const RunningServer& running) { return WsClientOptions{.port = running.port()}; }

class WebSocketTest : public ::testing::Test {
 protected:
  explicit WebSocketTest(HttpServerConfig config = {})
      : observed_(std::make_shared<Observed>()), running_(std::move(config), {}, echo_factory(observed_)) {}

  // The next close the connection handler was told of (on_close) is `expected`.
  void expect_handler_heard(const CloseReason& expected) {
    const std::optional<CloseReason> seen = observed_->closes.pop();
    ASSERT_TRUE(seen);
    EXPECT_EQ(*seen, expected);
  }

  std::shared_ptr<Observed> observed_;
  RunningServer running_;
};

TEST_F(WebSocketTest, EchoesTextRoundTrip) {
  WsClient client(options_for(running_));
  client.send("hello");
  EXPECT_EQ(client.receive(kWait), "echo:hello");
  client.send("h\u00e9llo \U0001F600");
  EXPECT_EQ(client.receive(kWait), "echo:h\u00e9llo \U0001F600");
  EXPECT_EQ(running_.server().websocket_count(), 1U);
}

// A message is assembled across reads of the per-thread buffer (websocket_session.cpp);
// a large one spans many, and what it leaves behind must not cost the next.
TEST_F(WebSocketTest, ReceivesLargeAndSmallMessagesInAnyOrderIntact) {
  WsClient client(options_for(running_));
  std::string large(200 * 1024, ' ');
  for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>('a' + i % 26);
  for (const std::string& text : {std::string("x"), large, std::string(300, 'y'), large, std::string("z")}) {
    client.send(text);
    const std::optional<std::string> echoed = client.receive(kWait);
    ASSERT_TRUE(echoed.has_value()) << "no echo of a message of " << text.size() << " bytes";
    EXPECT_EQ(echoed->size(), text.size() + 5);
    EXPECT_TRUE(*echoed == "echo:" + text) << "a message of " << text.size() << " bytes came back changed";
  }
}

TEST_F(WebSocketTest, GivesTheHandlerTheRemoteEndpointAndAnId) {
  WsClient first(options_for(running_));
  WsClient second(options_for(running_));
  const std::optional<std::shared_ptr<Connection>> a = observed_->connections.pop();
  const std::optional<std::shared_ptr<Connection>> b = observed_->connections.pop();
  ASSERT_TRUE(a && b);
  EXPECT_NE((*a)->id(), (*b)->id());
  EXPECT_TRUE((*a)->remote_endpoint().starts_with("127.0.0.1:")) << (*a)->remote_endpoint();
}

TEST_F(WebSocketTest, AnswersBinaryFramesWithAnErrorAndKeepsTheConnection) {
  WsClient client(options_for(running_));
  client.send_binary(std::string("\x00\x01\x02", 3));
  const std::optional<std::string> reply = client.receive(kWait);
  ASSERT_TRUE(reply);
  const Expected<ServerMessage> error = decode_server_message(*reply);
  ASSERT_TRUE(error) << *reply;
  EXPECT_EQ(std::get<ErrorMessage>(*error).code, ErrorCode::binary_frame);
  client.send("still here");
  EXPECT_EQ(client.receive(kWait), "echo:still here");
}

TEST_F(WebSocketTest, ClosesWith1007ATextFrameThatIsNotUtf8) {
  // RFC 6455 requires text frames to be UTF-8; the frame parser enforces it before the
  // codec could answer invalid_utf8.
  WsClient bystander(options_for(running_));
  WsClient client(options_for(running_));
  client.send("{\"type\":\"ping\",\"x\":\"\xff\"}");
  const std::optional<CloseReason> closed = client.wait_closed(kWait);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->code, 1007);
  const std::optional<CloseReason> seen = observed_->closes.pop();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->code, 1007);
  bystander.send("fine");
  EXPECT_EQ(bystander.receive(kWait), "echo:fine");
}

TEST_F(WebSocketTest, SendsFromAnyThread) {
  WsClient client(options_for(running_));
  const std::optional<std::shared_ptr<Connection>> connection = observed_->connections.pop();
  ASSERT_TRUE(connection);
  std::thread pusher([connection = *connection] {
    for (int i = 0; i < 10; ++i) connection->send(share("push " + std::to_string(i)));
  });
  pusher.join();
  for (int i = 0; i < 10; ++i) EXPECT_EQ(client.receive(kWait), "push " + std::to_string(i));
}

TEST_F(WebSocketTest, CountsQueuedBytesForTheSlowConsumerPolicy) {
  // A client that reads nothing until the server has filled its socket: frames the kernel
  // took at once are not counted; the rest are, until written.
  RawWsClient client(running_.port(), 4096);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send_bytes(client_frame({}, "count")));
  std::size_t received = 0;
  std::optional<RawWsClient::Frame> frame;
  while ((frame = client.read_frame()) && !frame->payload.starts_with("queued=")) {
    // Whole and in order, also the one a direct write began and the strand finished.
    ASSERT_EQ(frame->payload, count_frame(received)) << "frame " << received;
    ++received;
  }
  ASSERT_TRUE(frame) << "no report after " << received << " frames";
  std::size_t queued = 0;
  std::size_t frames = 0;
  ASSERT_EQ(std::sscanf(frame->payload.c_str(), "queued=%zu frames=%zu", &queued, &frames), 2) << frame->payload;
  EXPECT_EQ(received, frames);
  // The last 4 frames at least were still queued when the report was sent.
  EXPECT_GE(queued, 4U * 4096);
  EXPECT_LE(queued, frames * 4096);
}

TEST_F(WebSocketTest, ClosesFromTheServerAfterTheQueuedFrames) {
  WsClient client(options_for(running_));
  client.send("close-me");
  EXPECT_EQ(client.receive(kWait), "last words");
  const std::optional<CloseReason> closed = client.wait_closed(kWait);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->code, 4000);
  EXPECT_EQ(closed->reason, "bye");
  expect_handler_heard(CloseReason{4000, "bye", true});
}

TEST_F(WebSocketTest, TellsTheHandlerWhenTheClientCloses) {
  WsClient client(options_for(running_));
  client.send("x");
  EXPECT_EQ(client.receive(kWait), "echo:x");
  client.close(1000, "done");
  expect_handler_heard(CloseReason{1000, "done", false});
  EXPECT_FALSE(client.is_open());
}

TEST_F(WebSocketTest, IgnoresSendsToAConnectionThatIsGone) {
  std::shared_ptr<Connection> connection;
  {
    WsClient client(options_for(running_));
    connection = observed_->connections.pop().value();
  }
  ASSERT_TRUE(observed_->closes.pop());
  connection->send(share("into the void"));
  connection->close(1000, "");
  EXPECT_EQ(connection->outbound_bytes(), 0U);
}

TEST_F(WebSocketTest, RefusesAConnectionTheFactoryDeclines) {
  RunningServer declining({}, {}, [](std::shared_ptr<Connection>) { return nullptr; });
  WsClient client(options_for(declining));
  const std::optional<CloseReason> closed = client.wait_closed(kWait);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->code, 1013);
  EXPECT_EQ(closed->reason, "try_again_later");
}

TEST_F(WebSocketTest, DeliversWhatTheFactorySendsBeforeReturningItsHandler) {
  const std::shared_ptr<Observed> observed = std::make_shared<Observed>();
  RunningServer greeting({}, {}, [observed](std::shared_ptr<Connection> connection) -> std::shared_ptr<ConnectionHandler> {
    connection->send(share("welcome"));
    return std::make_shared<EchoHandler>(connection, observed);
  });
  WsClient client(options_for(greeting));
  EXPECT_EQ(client.receive(kWait), "welcome");
  client.send("after");
  EXPECT_EQ(client.receive(kWait), "echo:after");
}

TEST_F(WebSocketTest, FailsToConnectToAPathThatIsNotTheWebSocketPath) {
  WsClientOptions options = options_for(running_);
  options.target = "/nope";
  EXPECT_THROW(WsClient client(options), ClientError);
}

class SmallFrames : public WebSocketTest {
 protected:
  static HttpServerConfig config() {
    HttpServerConfig config;
    config.max_frame_bytes = 1024;
    return config;
  }
  SmallFrames() : WebSocketTest(config()) {}
};

TEST_F(SmallFrames, AcceptsAMessageExactlyAtTheLimit) {
  WsClient client(options_for(running_));
  client.send(std::string(1024, 'x'));
  EXPECT_EQ(client.receive(kWait), "echo:" + std::string(1024, 'x'));
}

TEST_F(SmallFrames, ClosesAnOversizedFrameWith1009WhileOthersLiveOn) {
  WsClient bystander(options_for(running_));
  WsClient offender(options_for(running_));
  offender.send(std::string(1025, 'x'));
  const std::optional<CloseReason> closed = offender.wait_closed(kWait);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->code, 1009);
  EXPECT_EQ(closed->reason, "frame_too_large");
  expect_handler_heard(CloseReason{1009, "frame_too_large", true});
  bystander.send("fine");
  EXPECT_EQ(bystander.receive(kWait), "echo:fine");
}

TEST_F(SmallFrames, ClosesAHugeFrameWithoutReadingItAll) {
  WsClient offender(options_for(running_));
  offender.send(std::string(8 * 1024 * 1024, 'x'));
  const std::optional<CloseReason> closed = offender.wait_closed(kWait);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->code, 1009);
}

class TinyOutboundQueue : public WebSocketTest {
 protected:
  static HttpServerConfig config() {
    HttpServerConfig config;
    config.max_outbound_bytes = 10 * 1024;
    return config;
  }
  TinyOutboundQueue() : WebSocketTest(config()) {}
};

TEST_F(TinyOutboundQueue, ClosesAConnectionWhoseQueueOverflowsWithSlowConsumer) {
  // A client that does not read yet: once the kernel takes no more, 20 KiB queue, past the
  // 10 KiB backstop. Reading then, the client finds the close frame after what the kernel
  // held, and none of the frames that were queued.
  RawWsClient client(running_.port(), 4096);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send_bytes(client_frame({}, "flood")));
  std::optional<RawWsClient::Frame> frame;
  std::size_t floods = 0;
  while ((frame = client.read_frame()) && frame->opcode != 0x8) ++floods;
  ASSERT_TRUE(frame) << "no close frame after " << floods << " frames";
  EXPECT_EQ(frame->close_code(), 1008);
  EXPECT_EQ(frame->payload.substr(2), "slow_consumer");
  EXPECT_GT(floods, 0U);
}

class FastHeartbeat : public WebSocketTest {
 protected:
  static HttpServerConfig config() {
    HttpServerConfig config;
    config.heartbeat_interval = std::chrono::milliseconds(200);
    return config;
  }
  FastHeartbeat() : WebSocketTest(config()) {}
};

TEST_F(FastHeartbeat, DropsAConnectionThatNeverAnswersPingsAndKeepsOneThatDoes) {
  WsClient lively(options_for(running_));
  ASSERT_TRUE(observed_->connections.pop());
  RawWsClient mute(running_.port());  // never answers a ping
  ASSERT_TRUE(mute.connected());
  ASSERT_TRUE(observed_->connections.pop());  // its handshake completed
  // The mute client's recv() sees the server hang up after about two intervals; reading
  // the pings it receives does not answer them.
  EXPECT_TRUE(mute.wait_for_server_to_hang_up());
  const std::optional<CloseReason> seen = observed_->closes.pop();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->code, 1006);
  EXPECT_EQ(seen->reason, "heartbeat timeout: no answer to a ping within one interval");
  // The lively client has been pinged meanwhile and answered by itself.
  lively.send("still alive");
  EXPECT_EQ(lively.receive(kWait), "echo:still alive");
}

TEST_F(WebSocketTest, StopsGracefullyClosingEveryWebSocketWithShuttingDown) {
  WsClient a(options_for(running_));
  WsClient b(options_for(running_));
  // The client's handshake can finish before the server's side of it: wait until the
  // factory ran for both (a stop during the handshake closes without asking it).
  ASSERT_TRUE(observed_->connections.pop());
  ASSERT_TRUE(observed_->connections.pop());
  a.send("ping");
  EXPECT_EQ(a.receive(kWait), "echo:ping");
  EXPECT_EQ(running_.server().websocket_count(), 2U);
  const std::shared_future<void> stopped = running_.begin_stop();
  for (WsClient* client : {&a, &b}) {
    const std::optional<CloseReason> closed = client->wait_closed(kWait);
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->code, 1001);
    EXPECT_EQ(closed->reason, "shutting_down");
  }
  for (int i = 0; i < 2; ++i) {
    expect_handler_heard(CloseReason{1001, "shutting_down", true});
  }
  EXPECT_EQ(stopped.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(running_.server().websocket_count(), 0U);
  EXPECT_THROW(WsClient late(options_for(running_)), ClientError);
}

// ------------------------------------------------------------------ crafted frames

constexpr std::uint8_t kContinuation = 0x0;
constexpr std::uint8_t kText = 0x1;
constexpr std::uint8_t kClose = 0x8;
constexpr std::uint8_t kPing = 0x9;
constexpr std::uint8_t kPong = 0xA;

TEST_F(WebSocketTest, ClosesWith1002AFrameThatIsNotMasked) {
  RawWsClient client(running_.port());
  ASSERT_TRUE(client.connected());
  const std::optional<RawWsClient::Frame> frame = client.answer_to(client_frame({.masked = false}, "hi"));
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->opcode, kClose);
  EXPECT_EQ(frame->close_code(), 1002);
  EXPECT_TRUE(client.wait_for_server_to_hang_up());
  const std::optional<CloseReason> seen = observed_->closes.pop();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->code, 1002);
  EXPECT_TRUE(seen->initiated_locally);
}

TEST_F(WebSocketTest, AnswersAPingWithAPongOfTheSamePayload) {
  RawWsClient client(running_.port());
  ASSERT_TRUE(client.connected());
  const std::optional<RawWsClient::Frame> frame = client.answer_to(client_frame({.opcode = kPing}, "are you there?"));
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->opcode, kPong);
  EXPECT_EQ(frame->payload, "are you there?");
}

TEST_F(WebSocketTest, DeliversAFragmentedMessageOnceReassembled) {
  RawWsClient client(running_.port());
  ASSERT_TRUE(client.connected());
  // Sent in two writes, split inside the second fragment's header.
  const std::string bytes = client_frame({.opcode = kText, .fin = false}, "Hel") +
                            client_frame({.opcode = kContinuation, .fin = false}, "l") +
                            client_frame({.opcode = kContinuation}, "o") + client_frame({}, "next");
  const std::size_t split = client_frame({.opcode = kText, .fin = false}, "Hel").size() + 1;
  ASSERT_TRUE(client.send_bytes(std::string_view(bytes).substr(0, split)));
  ASSERT_TRUE(client.send_bytes(std::string_view(bytes).substr(split)));
  for (const char* expected : {"echo:Hello", "echo:next"}) {
    const std::optional<RawWsClient::Frame> frame = client.read_frame();
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->opcode, kText);
    EXPECT_EQ(frame->payload, expected);
  }
}

TEST_F(WebSocketTest, EchoesThePeersCloseAndHangsUpFirst) {
  RawWsClient client(running_.port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(observed_->connections.pop());
  const std::optional<RawWsClient::Frame> frame =
      client.answer_to(client_frame({.opcode = kClose}, encode_close_payload(4001, "see you")));
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->opcode, kClose);
  EXPECT_EQ(frame->close_code(), 4001);
  EXPECT_TRUE(client.wait_for_server_to_hang_up());
  expect_handler_heard(CloseReason{4001, "see you", false});
}

TEST_F(SmallFrames, Closes1009FromTheHeaderBeforeThePayloadIsSent) {
  RawWsClient client(running_.port());
  ASSERT_TRUE(client.connected());
  // Only the header of a 1 MiB frame: the answer cannot wait for the payload.
  const std::optional<RawWsClient::Frame> frame = client.answer_to(client_frame({}, "", 1024 * 1024));
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->opcode, kClose);
  EXPECT_EQ(frame->close_code(), 1009);
  EXPECT_EQ(frame->payload.substr(2), "frame_too_large");
  expect_handler_heard(CloseReason{1009, "frame_too_large", true});
}

TEST_F(FastHeartbeat, PingsASilentConnectionAndKeepsItWhileItAnswers) {
  RawWsClient client(running_.port());
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 3; ++i) {
    const std::optional<RawWsClient::Frame> ping = client.read_frame();
    ASSERT_TRUE(ping) << "ping " << i;
    ASSERT_EQ(ping->opcode, kPing) << "ping " << i;
    ASSERT_TRUE(client.send_bytes(client_frame({.opcode = kPong}, ping->payload)));
  }
  const std::optional<RawWsClient::Frame> echo = client.answer_to(client_frame({}, "still here"));
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->payload, "echo:still here");
}

// ------------------------------------------------------------------ concurrency

TEST_F(WebSocketTest, ServesManyConcurrentClientsEachInOrder) {
  constexpr int kClients = 32;
  constexpr int kMessages = 50;
  constexpr int kDrivers = 8;
  const auto io = std::make_shared<IoThread>(2);  // the clients' side, shared
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(std::make_unique<WsClient>(options_for(running_), io));
  std::atomic<int> mismatches{0};
  std::vector<std::thread> drivers;
  for (int d = 0; d < kDrivers; ++d) {
    drivers.emplace_back([&, d] {
      for (int c = d; c < kClients; c += kDrivers) {
        for (int m = 0; m < kMessages; ++m) clients[c]->send(std::to_string(c) + "-" + std::to_string(m));
      }
      for (int c = d; c < kClients; c += kDrivers) {
        for (int m = 0; m < kMessages; ++m) {
          const std::string expected = "echo:" + std::to_string(c) + "-" + std::to_string(m);
          if (clients[c]->receive(kWait) != expected) mismatches.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& driver : drivers) driver.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(running_.server().websocket_count(), static_cast<std::size_t>(kClients));
}

TEST_F(WebSocketTest, BroadcastsOneSharedFrameToEveryConnection) {
  constexpr int kClients = 12;
  const auto io = std::make_shared<IoThread>(2);
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<WsClient>(options_for(running_), io));
    ASSERT_TRUE(observed_->connections.pop());  // registered before the broadcast
  }
  std::vector<std::thread> senders;
  for (int s = 0; s < 3; ++s) {
    senders.emplace_back([&, s] { clients[static_cast<std::size_t>(s)]->send("broadcast:news " + std::to_string(s)); });
  }
  for (std::thread& sender : senders) sender.join();
  for (const std::unique_ptr<WsClient>& client : clients) {
    std::multiset<std::string> got;
    for (int s = 0; s < 3; ++s) got.insert(client->receive(kWait).value_or("(nothing)"));
    EXPECT_EQ(got, (std::multiset<std::string>{"news 0", "news 1", "news 2"}));
  }
}

TEST_F(WebSocketTest, StopsWhileClientsAreSending) {
  constexpr int kClients = 8;
  const auto io = std::make_shared<IoThread>(2);
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<WsClient>(options_for(running_), io));
    ASSERT_TRUE(observed_->connections.pop());
  }
  std::atomic<bool> sending{true};
  std::vector<std::thread> senders;
  for (int i = 0; i < kClients; ++i) {
    senders.emplace_back([&, i] {
      for (int m = 0; sending.load() && clients[static_cast<std::size_t>(i)]->is_open(); ++m) {
        clients[static_cast<std::size_t>(i)]->send("m" + std::to_string(m));
        (void)clients[static_cast<std::size_t>(i)]->receive(std::chrono::milliseconds(100));
      }
    });
  }
  EXPECT_TRUE(running_.stop());
  for (const std::unique_ptr<WsClient>& client : clients) {
    const std::optional<CloseReason> closed = client->wait_closed(kWait);
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->code, 1001);
  }
  sending.store(false);
  for (std::thread& sender : senders) sender.join();
  EXPECT_EQ(observed_->closes.size(), static_cast<std::size_t>(kClients));
}

}  // namespace
}  // namespace otter::net
