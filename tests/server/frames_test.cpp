// The frames written by hand on the fan-out path decode, with net's own decoder, to
// exactly the messages they stand for.
#include "server/frames.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "net/protocol.hpp"
#include "ot/json_codec.hpp"

namespace otter::server {
namespace {

net::ServerMessage decoded(const std::string& frame) {
  net::Expected<net::ServerMessage> message = net::decode_server_message(frame);
  EXPECT_TRUE(message.has_value()) << frame;
  if (!message) return net::Pong{};
  return std::move(*message);
}

ot::Operation op_of(const std::string& json) { return ot::decode(json).value(); }

DurableOp durable(std::uint64_t revision, std::string client, std::uint64_t seq, const std::string& op_json) {
  return DurableOp{revision, std::move(client), seq, ot::encode(op_of(op_json))};
}

TEST(FramesTest, AnOpsFrameCarriesOpsForOthersAndAcksForTheReceiver) {
  OpsFrameWriter writer("notes");
  writer.add(durable(43, "c-11", 3, R"([3,"x",9])"), false);
  writer.add(durable(44, "c-7f3a", 7, R"([5,"abc"])"), true);
  EXPECT_EQ(writer.entries(), 2U);
  const net::ServerMessage message = decoded(writer.finish());

  net::Ops expected;
  expected.doc = "notes";
  expected.entries.push_back(net::OpsEntry{43, "c-11", op_of(R"([3,"x",9])"), std::nullopt, false});
  expected.entries.push_back(net::OpsEntry{44, "c-7f3a", std::nullopt, 7, false});
  EXPECT_EQ(std::get<net::Ops>(message), expected);
}

TEST(FramesTest, ADuplicateAckSaysDuplicate) {
  OpsFrameWriter writer("d");
  writer.add_duplicate_ack("c-1", 7, 44);
  const net::Ops ops = std::get<net::Ops>(decoded(writer.finish()));
  ASSERT_EQ(ops.entries.size(), 1U);
  EXPECT_EQ(ops.entries[0], (net::OpsEntry{44, "c-1", std::nullopt, 7, true}));
}

TEST(FramesTest, JsonStringsAreEscapedAndUnicodePassesThrough) {
  std::string out;
  append_json_string(out, "a\"b\\c\nd\te\x01 é 😀");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\te\\u0001 é 😀\"");
}

TEST(FramesTest, AFreshOpenedCarriesTextAndPresence) {
  OpenedDocument opened;
  opened.revision = 42;
  opened.text = "Hello, \"world\"\n";
  opened.presence.push_back(PresenceState{"s-9", "c-11", "Bo", "#268bd2", ot::Selection{5, 5}});
  opened.presence.push_back(PresenceState{"s-10", "c-12", std::nullopt, std::nullopt, std::nullopt});
  const net::Opened message = std::get<net::Opened>(decoded(opened_frame(net::RequestId(1), "notes", opened, "c-1")));

  net::Opened expected;
  expected.id = net::RequestId(1);
  expected.doc = "notes";
  expected.revision = 42;
  expected.text = "Hello, \"world\"\n";
  expected.presence.push_back(net::PeerPresence{"s-9", "c-11", "Bo", "#268bd2", ot::Selection{5, 5}});
  expected.presence.push_back(net::PeerPresence{"s-10", "c-12", std::nullopt, std::nullopt, std::nullopt});
  EXPECT_EQ(message, expected);
}

TEST(FramesTest, AResumedOpenedCarriesOnlyTheEntriesAfterTheClientsRevision) {
  auto first = std::make_shared<DurableBatch>();
  first->doc = "notes";
  first->ops = {durable(1, "c-1", 1, R"(["a"])"), durable(2, "c-2", 1, R"([1,"b"])")};
  auto second = std::make_shared<DurableBatch>();
  second->doc = "notes";
  second->ops = {durable(3, "c-1", 2, R"([2,"c"])")};
  OpenedDocument opened;
  opened.revision = 3;
  opened.history = {first, second};
  opened.history_after = 1;
  const net::Opened message =
      std::get<net::Opened>(decoded(opened_frame(net::RequestId("r-1"), "notes", opened, "c-1")));

  ASSERT_TRUE(message.ops.has_value());
  EXPECT_FALSE(message.text.has_value());
  ASSERT_EQ(message.ops->size(), 2U);
  EXPECT_EQ((*message.ops)[0], (net::OpsEntry{2, "c-2", op_of(R"([1,"b"])"), std::nullopt, false}));
  EXPECT_EQ((*message.ops)[1], (net::OpsEntry{3, "c-1", std::nullopt, 2, false}));
  EXPECT_EQ(message.id, net::RequestId("r-1"));
}

TEST(FramesTest, PresenceAndLeftFramesDecode) {
  const PresenceState peer{"s-12", "c-7f3a", "Ann", "#d33682", ot::Selection{3, 8}};
  const auto update = std::get<net::PresenceBroadcast>(decoded(presence_frame("notes", peer)));
  EXPECT_EQ(update, (net::PresenceBroadcast{"notes", net::PeerPresence{"s-12", "c-7f3a", "Ann", "#d33682",
                                                                       ot::Selection{3, 8}},
                                            false}));
  const auto cleared = std::get<net::PresenceBroadcast>(
      decoded(presence_frame("notes", PresenceState{"s-12", "c-7f3a", std::nullopt, std::nullopt, std::nullopt})));
  EXPECT_FALSE(cleared.peer.selection.has_value());
  const auto left = std::get<net::PresenceBroadcast>(decoded(presence_left_frame("notes", "s-12")));
  EXPECT_TRUE(left.left);
  EXPECT_EQ(left.peer.session, "s-12");
}

}  // namespace
}  // namespace otter::server
