// The limits of a WebSocket session, configured and enforced by a real otterd: the welcome
// message advertises what the config says, and each limit answers with its protocol code;
// and the keepalive, which drops a connection that stops answering.
#include <gtest/gtest.h>

#include "tests/net/raw_ws_client.hpp"
#include "tests/otterd/otterd_testing.hpp"

namespace otter::otterd::testing {
namespace {

constexpr std::string_view kSmallLimits = R"(
websocket:
  max_frame_bytes: 4096
sessions:
  max_op_bytes: 1024
  ops_per_second: 5
  max_open_docs: 2
)";

class WebSocketLimitsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure()) std::cerr << "otterd output:\n" << server_.output();
  }
  OtterdProcess server_{{.config_yaml = std::string(kSmallLimits)}};
};

TEST_F(WebSocketLimitsTest, WelcomeAdvertisesTheConfiguredLimits) {
  const std::unique_ptr<net::WsClient> ws = connect_ws(server_, "limits-1");
  const json::value welcome = receive_type(*ws, "welcome");
  ASSERT_FALSE(welcome.is_null());
  const json::value& limits = welcome.as_object().at("limits");
  EXPECT_EQ(count_field(limits, "max_frame_bytes"), 4096U);
  EXPECT_EQ(count_field(limits, "max_op_bytes"), 1024U);
  EXPECT_EQ(count_field(limits, "ops_per_second"), 5U);
  EXPECT_EQ(count_field(limits, "max_open_docs"), 2U);
}

TEST_F(WebSocketLimitsTest, AFrameOverMaxFrameBytesClosesTheConnectionWith1009) {
  const std::unique_ptr<net::WsClient> ws = connect_ws(server_, "limits-2");
  ASSERT_FALSE(receive_type(*ws, "welcome").is_null());
  ws->send(R"({"type": "ping", "padding": ")" + std::string(5000, 'x') + R"("})");
  const std::optional<net::CloseReason> closed = ws->wait_closed(kWait);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 1009);
  EXPECT_EQ(closed->reason, "frame_too_large");
}

TEST_F(WebSocketLimitsTest, AnOpOverMaxOpBytesIsRefusedAndTheConnectionStays) {
  const std::unique_ptr<net::WsClient> ws = connect_and_open(server_, "limits-3", "limits");
  ASSERT_TRUE(ws);
  ws->send(R"({"type": "op", "doc": "limits", "rev": 0, "seq": 1, "op": [")" + std::string(2000, 'y') + R"("]})");
  const json::value error = receive_type(*ws, "error");
  ASSERT_FALSE(error.is_null());
  EXPECT_EQ(string_field(error, "code"), "op_too_large");
  ws->send(R"({"type": "ping"})");
  EXPECT_FALSE(receive_type(*ws, "pong").is_null());
}

TEST_F(WebSocketLimitsTest, OpsBeyondOpsPerSecondAreRateLimited) {
  const std::unique_ptr<net::WsClient> ws = connect_and_open(server_, "limits-4", "rate");
  ASSERT_TRUE(ws);
  // A burst well over 5 ops per second: each op inserts one character at the start, based
  // on the revision before the burst (the server transforms them).
  for (int seq = 1; seq <= 30; ++seq) {
    ws->send(R"({"type": "op", "doc": "rate", "rev": 0, "seq": )" + std::to_string(seq) + R"(, "op": ["x"]})");
  }
  const json::value error = receive_type(*ws, "error");
  ASSERT_FALSE(error.is_null());
  EXPECT_EQ(string_field(error, "code"), "rate_limited");
  ws->send(R"({"type": "ping"})");
  EXPECT_FALSE(receive_type(*ws, "pong").is_null()) << "rate_limited is not fatal";
}

TEST_F(WebSocketLimitsTest, OpeningMoreThanMaxOpenDocsIsRefused) {
  const std::unique_ptr<net::WsClient> ws = connect_and_open(server_, "limits-5", "one");
  ASSERT_TRUE(ws);
  ws->send(R"({"type": "open", "id": 2, "doc": "two"})");
  ASSERT_FALSE(receive_type(*ws, "opened").is_null());
  ws->send(R"({"type": "open", "id": 3, "doc": "three"})");
  const json::value error = receive_type(*ws, "error");
  ASSERT_FALSE(error.is_null());
  EXPECT_EQ(string_field(error, "code"), "too_many_docs");
}

// The session starts after the handshake, while the client's hello is already on its way:
// beyond sessions.max_sessions the connection is closed with 1013, and the session that
// did start carries on.
TEST(WebSocketSessionLimitTest, AConnectionBeyondMaxSessionsIsClosedWith1013AndTheOthersCarryOn) {
  OtterdProcess server({.config_yaml = "sessions:\n  max_sessions: 1\n"});
  const std::unique_ptr<net::WsClient> first = connect_ws(server, "only-1");
  ASSERT_FALSE(receive_type(*first, "welcome").is_null());

  const std::unique_ptr<net::WsClient> second = connect_ws(server, "only-2");
  const std::optional<net::CloseReason> closed = second->wait_closed(kWait);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 1013);
  EXPECT_EQ(closed->reason, "try_again_later");

  first->send(R"({"type": "ping"})");
  EXPECT_FALSE(receive_type(*first, "pong").is_null());
}

TEST(WebSocketKeepaliveTest, AConnectionThatNeverAnswersAPingIsDroppedAndOneThatAnswersStays) {
  OtterdProcess server({.config_yaml = "websocket:\n  heartbeat_ms: 500\n"});
  // Connected first, so each sweep that could drop the silent one has already checked it.
  // Its library answers every ping; after its hello it sends nothing of its own.
  const std::unique_ptr<net::WsClient> answering = connect_ws(server, "keepalive");
  ASSERT_FALSE(receive_type(*answering, "welcome").is_null());
  net::testing::RawWsClient silent(server.port());  // the handshake, then not a byte
  ASSERT_TRUE(silent.connected());

  const std::optional<net::testing::RawWsClient::Frame> ping = silent.read_frame();
  ASSERT_TRUE(ping.has_value()) << "no ping came";
  EXPECT_EQ(ping->opcode, 0x9);
  // Dropped at the next sweep: the socket closes, with no close frame before it.
  while (const std::optional<net::testing::RawWsClient::Frame> more = silent.read_frame()) {
    EXPECT_EQ(more->opcode, 0x9) << "only pings may come before the drop";
  }
  EXPECT_TRUE(silent.wait_for_server_to_hang_up()) << "the silent connection was not dropped";

  answering->send(R"({"type": "ping"})");
  EXPECT_FALSE(receive_type(*answering, "pong").is_null()) << "the connection that answered was dropped too";
}

}  // namespace
}  // namespace otter::otterd::testing
