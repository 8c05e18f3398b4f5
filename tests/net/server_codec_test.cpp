// encode(ServerMessage): the exact wire text of docs/protocol.md's examples;
// decode_server_message: round trips and rejections.
#include <gtest/gtest.h>

#include "net/protocol.hpp"
#include "ot/json_codec.hpp"

namespace otter::net {
namespace {

ot::Operation op_of(std::string_view json) { return ot::decode(json).value(); }

TEST(ServerCodec, EncodesWelcomeAsInTheProtocolDocument) {
  const Welcome welcome{std::nullopt, 1, "s-12", "c-7f3a", "otterd/0.1.0", 15000,
                        Limits{1048576, 262144, 10485760, 200, 64}};
  EXPECT_EQ(encode(ServerMessage{welcome}),
            R"({"type":"welcome","version":1,"session":"s-12","client_id":"c-7f3a","server":"otterd/0.1.0",)"
            R"("heartbeat_ms":15000,"limits":{"max_frame_bytes":1048576,"max_op_bytes":262144,)"
            R"("max_doc_code_points":10485760,"ops_per_second":200,"max_open_docs":64}})");
}

TEST(ServerCodec, EncodesOpenedWithTextAndPresence) {
  const Opened opened{RequestId(1), "notes", 42, "Hello, world", std::nullopt,
                      {PeerPresence{"s-9", "c-11", "Bo", "#268bd2", ot::Selection{5, 5}}}};
  EXPECT_EQ(encode(ServerMessage{opened}),
            R"({"type":"opened","id":1,"doc":"notes","revision":42,"text":"Hello, world",)"
            R"("presence":[{"session":"s-9","client_id":"c-11","name":"Bo","color":"#268bd2","anchor":5,"head":5}]})");
}

TEST(ServerCodec, EncodesOpsWithOthersOpsAndTheReceiversAck) {
  const Ops ops{"notes",
                {OpsEntry{43, "c-11", op_of(R"([3,"x",9])"), std::nullopt, false},
                 OpsEntry{44, "c-7f3a", std::nullopt, 7, false}}};
  EXPECT_EQ(encode(ServerMessage{ops}),
            R"({"type":"ops","doc":"notes","ops":[{"rev":43,"client_id":"c-11","op":[3,"x",9]},)"
            R"({"rev":44,"client_id":"c-7f3a","seq":7}]})");
  const Ops duplicate{"notes", {OpsEntry{44, "c-7f3a", std::nullopt, 7, true}}};
  EXPECT_EQ(encode(ServerMessage{duplicate}),
            R"({"type":"ops","doc":"notes","ops":[{"rev":44,"client_id":"c-7f3a","seq":7,"duplicate":true}]})");
}

TEST(ServerCodec, EncodesPresenceUpdatesClearedCursorsAndDepartures) {
  const PeerPresence ann{"s-12", "c-7f3a", "Ann", "#d33682", ot::Selection{3, 8}};
  EXPECT_EQ(encode(ServerMessage{PresenceBroadcast{"notes", ann, false}}),
            R"({"type":"presence","doc":"notes","session":"s-12","client_id":"c-7f3a","name":"Ann",)"
            R"("color":"#d33682","anchor":3,"head":8})");
  PeerPresence cleared = ann;
  cleared.selection = std::nullopt;
  cleared.name = std::nullopt;
  cleared.color = std::nullopt;
  EXPECT_EQ(encode(ServerMessage{PresenceBroadcast{"notes", cleared, false}}),
            R"({"type":"presence","doc":"notes","session":"s-12","client_id":"c-7f3a","anchor":null})");
  EXPECT_EQ(encode(ServerMessage{PresenceBroadcast{"notes", ann, true}}),
            R"({"type":"presence","doc":"notes","session":"s-12","left":true})");
}

TEST(ServerCodec, AssemblesOpsFramesFromPreEncodedEntriesByteForByte) {
  const std::vector<OpsEntry> entries = {OpsEntry{43, "c-11", op_of(R"([3,"x\"é",9])"), std::nullopt, false},
                                         OpsEntry{44, "c-7f3a", std::nullopt, 7, false},
                                         OpsEntry{45, "c-9", std::nullopt, 2, true}};
  OpsFrameBuilder frame("notes");
  for (const OpsEntry& entry : entries) frame.add(encode_entry(entry));
  EXPECT_EQ(frame.entry_count(), 3U);
  EXPECT_EQ(std::move(frame).finish(), encode(ServerMessage{Ops{"notes", entries}}));
  EXPECT_EQ(OpsFrameBuilder("d").finish(), encode(ServerMessage{Ops{"d", {}}}));
}

TEST(ServerCodec, EncodesErrorsWithTheirEchoes) {
  ErrorMessage error{ErrorCode::base_length_mismatch,
                     "op base length 7 does not match document length 12 at revision 42", RequestId(1), "notes", 7, {}};
  EXPECT_EQ(encode(ServerMessage{error}),
            R"({"type":"error","id":1,"code":"base_length_mismatch","message":"op base length 7 does not match )"
            R"(document length 12 at revision 42","doc":"notes","seq":7})");
  const ErrorMessage version{ErrorCode::unsupported_version, "protocol version 2 is not supported", std::nullopt,
                             std::nullopt, std::nullopt, {1}};
  EXPECT_EQ(encode(ServerMessage{version}),
            R"({"type":"error","code":"unsupported_version","message":"protocol version 2 is not supported",)"
            R"("supported":[1]})");
}

TEST(ServerCodec, EncodesPongAndClosedEchoingTheId) {
  EXPECT_EQ(encode(ServerMessage{Pong{RequestId("p")}}), R"({"type":"pong","id":"p"})");
  EXPECT_EQ(encode(ServerMessage{Closed{std::nullopt, "notes"}}), R"({"type":"closed","doc":"notes"})");
}

TEST(ServerCodec, EncodesTextWithEscapesAndMultiByteCharacters) {
  const Opened opened{std::nullopt, "d", 1, "\"quoted\"\n\u00e9\U0001F600\x01", std::nullopt, {}};
  EXPECT_EQ(encode(ServerMessage{opened}),
            "{\"type\":\"opened\",\"doc\":\"d\",\"revision\":1,\"text\":\"\\\"quoted\\\"\\n\u00e9\U0001F600\\u0001\","
            "\"presence\":[]}");
}

TEST(ServerCodec, EveryServerMessageRoundTrips) {
  const std::vector<ServerMessage> messages = {
      Welcome{RequestId(0), 1, "s-1", "c-1", "otterd/0.1.0", 15000, Limits{1, 2, 3, 4, 5}},
      Opened{RequestId("o"), "notes", kMaxWireInteger, "h\u00e9llo", std::nullopt,
             {PeerPresence{"s-2", "c-2", std::nullopt, std::nullopt, std::nullopt},
              PeerPresence{"s-3", "c-3", "Cy", "#000", ot::Selection{0, kMaxWireInteger}}}},
      Opened{std::nullopt, "notes", 45, std::nullopt,
             std::vector<OpsEntry>{OpsEntry{44, "c-1", op_of("[1,\"\U0001F600\"]"), std::nullopt, false},
                                   OpsEntry{45, "c-2", std::nullopt, 3, false}},
             {}},
      Closed{RequestId(-1), "notes"},
      Ops{"notes", {OpsEntry{9, "c-1", op_of("[-4]"), std::nullopt, false}, OpsEntry{10, "c-2", std::nullopt, 1, true}}},
      PresenceBroadcast{"notes", PeerPresence{"s-1", "c-1", "Ann", std::nullopt, ot::Selection{2, 1}}, false},
      PresenceBroadcast{"notes", PeerPresence{"s-1", "", std::nullopt, std::nullopt, std::nullopt}, true},
      Pong{std::nullopt},
      ErrorMessage{ErrorCode::rate_limited, "slow down", RequestId(std::uint64_t{1} << 63), "d", 5, {}},
      ErrorMessage{ErrorCode::unsupported_version, "no", std::nullopt, std::nullopt, std::nullopt, {1, 2}},
  };
  for (const ServerMessage& message : messages) {
    const std::string text = encode(message);
    const Expected<ServerMessage> back = decode_server_message(text);
    ASSERT_TRUE(back) << text << ": " << back.error();
    EXPECT_EQ(*back, message) << text;
  }
}

TEST(ServerCodec, AcceptsAnOpenedWithoutPresenceAsInTheResumeExample) {
  const Expected<ServerMessage> message =
      decode_server_message(R"({"type": "opened", "doc": "notes", "revision": 45, "ops": []})");
  ASSERT_TRUE(message) << message.error();
  EXPECT_EQ(std::get<Opened>(*message).ops, std::vector<OpsEntry>{});
}

TEST(ServerCodec, RejectsFramesThatAreNotServerMessages) {
  EXPECT_EQ(decode_server_message("{").error().code, ErrorCode::bad_json);
  EXPECT_EQ(decode_server_message("[]").error().code, ErrorCode::bad_json);
  EXPECT_EQ(decode_server_message(R"({"type":"hello","version":1})").error().code, ErrorCode::unknown_type);
  EXPECT_EQ(decode_server_message(R"({"type":"ops","doc":"d"})").error().message,
            "the \"ops\" message is missing the field \"ops\"");
  EXPECT_EQ(decode_server_message(R"({"type":"ops","doc":"d","ops":[{"rev":1}]})").error().message,
            "the \"ops entry\" message is missing the field \"client_id\"");
  EXPECT_EQ(decode_server_message(R"({"type":"ops","doc":"d","ops":[{"rev":1,"client_id":"c","op":[0]}]})")
                .error()
                .code,
            ErrorCode::invalid_message);
  EXPECT_EQ(decode_server_message(R"({"type":"error","code":"no_such_code","message":"m"})").error().message,
            "\"no_such_code\" is not an error code of protocol v1");
  EXPECT_EQ(decode_server_message(R"({"type":"opened","doc":"d","revision":1,"presence":[]})").error().message,
            "the \"opened\" message has neither \"text\" nor \"ops\"");
  EXPECT_EQ(decode_server_message(R"({"type":"pong","id":[1]})").error().code, ErrorCode::invalid_message);
}

}  // namespace
}  // namespace otter::net
