// Presence: a session's selection reaches the others, follows later edits (so a late
// joiner sees it where it now is), and "left" is published when the session closes the
// document or goes away.
#include <gtest/gtest.h>

#include "server_testing.hpp"

namespace otter::server {
namespace {

using namespace testing;

class PresenceTest : public ::testing::Test {
 protected:
  TestClient connect(const std::string& client_id) {
    TestClient client(fixture_);
    client.hello(client_id);
    return client;
  }
  ServiceFixture fixture_;
};

TEST_F(PresenceTest, ASelectionReachesTheOthersButNotItsSender) {
  fixture_.start();
  TestClient ann = connect("c-1");
  TestClient bo = connect("c-2");
  EXPECT_TRUE(ann.open("doc").presence.empty());
  const net::Opened bo_opened = bo.open("doc");
  ASSERT_EQ(bo_opened.presence.size(), 1U);  // Ann is there, without a cursor yet
  EXPECT_EQ(bo_opened.presence[0].client_id, "c-1");
  EXPECT_EQ(bo_opened.presence[0].name, std::optional<std::string>("N-c-1"));
  EXPECT_FALSE(bo_opened.presence[0].selection.has_value());
  const net::PresenceBroadcast bo_joined = ann.expect<net::PresenceBroadcast>();
  EXPECT_EQ(bo_joined.peer.client_id, "c-2");

  ann.send(R"({"type":"presence","doc":"doc","rev":0,"anchor":0,"head":0})");
  const net::PresenceBroadcast seen = bo.expect<net::PresenceBroadcast>();
  EXPECT_EQ(seen.peer.session, bo_opened.presence[0].session);
  EXPECT_EQ(seen.peer.selection, std::optional<ot::Selection>(ot::Selection{0, 0}));
  EXPECT_TRUE(ann.sync().empty());  // its own presence does not come back
}

TEST_F(PresenceTest, ASelectionFollowsLaterEditsForLateJoiners) {
  fixture_.start();
  TestClient ann = connect("c-1");
  TestClient bo = connect("c-2");
  ann.open("doc");
  ann.edit("doc", 0, 1, R"(["hello"])");
  static_cast<void>(ann.expect<net::Ops>());
  bo.open("doc");
  static_cast<void>(ann.expect<net::PresenceBroadcast>());  // Bo joined

  // Ann selects "ell" (1..4) at revision 1; Bo then types two characters at the start.
  ann.send(R"({"type":"presence","doc":"doc","rev":1,"anchor":1,"head":4})");
  EXPECT_EQ(bo.expect<net::PresenceBroadcast>().peer.selection, std::optional<ot::Selection>(ot::Selection{1, 4}));
  bo.edit("doc", 1, 1, R"(["ab",5])");
  static_cast<void>(bo.expect<net::Ops>());
  static_cast<void>(ann.expect<net::Ops>());

  TestClient cy = connect("c-3");
  const net::Opened opened = cy.open("doc");
  EXPECT_EQ(opened.revision, 2U);
  bool found = false;
  for (const net::PeerPresence& peer : opened.presence) {
    if (peer.client_id != "c-1") continue;
    found = true;
    EXPECT_EQ(peer.selection, std::optional<ot::Selection>(ot::Selection{3, 6}));
  }
  EXPECT_TRUE(found);
}

TEST_F(PresenceTest, ASelectionMadeAtAnOlderRevisionIsBroughtToTheHead) {
  fixture_.start();
  TestClient ann = connect("c-1");
  TestClient bo = connect("c-2");
  ann.open("doc");
  bo.open("doc");
  static_cast<void>(ann.expect<net::PresenceBroadcast>());
  bo.edit("doc", 0, 1, R"(["xyz"])");
  static_cast<void>(bo.expect<net::Ops>());
  static_cast<void>(ann.expect<net::Ops>());
  // Ann's caret at 0 was made at revision 0; "xyz" was inserted there since.
  ann.send(R"({"type":"presence","doc":"doc","rev":0,"anchor":0,"head":0})");
  EXPECT_EQ(bo.expect<net::PresenceBroadcast>().peer.selection, std::optional<ot::Selection>(ot::Selection{3, 3}));
  // A revision the session has not even received is refused.
  ann.send(R"({"type":"presence","id":4,"doc":"doc","rev":7,"anchor":0,"head":0})");
  EXPECT_EQ(ann.expect_error(net::ErrorCode::revision_in_future).id, net::RequestId(4));
}

TEST_F(PresenceTest, ClearingAndLeavingArePublished) {
  fixture_.start();
  TestClient ann = connect("c-1");
  TestClient bo = connect("c-2");
  ann.open("doc");
  bo.open("doc");
  static_cast<void>(ann.expect<net::PresenceBroadcast>());
  ann.send(R"({"type":"presence","doc":"doc","rev":0,"anchor":0,"head":0})");
  static_cast<void>(bo.expect<net::PresenceBroadcast>());
  ann.send(R"({"type":"presence","doc":"doc","anchor":null})");
  EXPECT_FALSE(bo.expect<net::PresenceBroadcast>().peer.selection.has_value());

  ann.disconnect();  // the session process exits: the document sees its Down
  const net::PresenceBroadcast left = bo.expect<net::PresenceBroadcast>();
  EXPECT_TRUE(left.left);
  EXPECT_EQ(left.doc, "doc");

  TestClient cy = connect("c-3");
  const net::Opened opened = cy.open("doc");
  ASSERT_EQ(opened.presence.size(), 1U);  // only Bo
  EXPECT_EQ(opened.presence[0].client_id, "c-2");
}

}  // namespace
}  // namespace otter::server
