// Presence end to end: a cursor reaches the other editors of a document (with the author's
// name and color), follows everyone's edits the same way on every client and on the server
// (a late joiner sees it where it is now), and goes away when its session leaves.
#include <gtest/gtest.h>

#include "tests/e2e/e2e_testing.hpp"
#include "tests/support/otterd_process.hpp"

namespace otter::testing {
namespace {

class Presence : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new OtterdProcess(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static std::uint16_t port() { return server_->port(); }

  // Ann's cursor as `client` sees it: the PresenceEvent carrying `selection`.
  static bool sees_cursor(net::OtterClient& client, const std::string& doc, const std::string& session,
                          ot::Selection selection) {
    return next_event_of<net::PresenceEvent>(client, [&](const net::PresenceEvent& event) {
             return event.doc == doc && !event.left && event.peer.session == session &&
                    event.peer.selection == selection;
           }).has_value();
  }

  static std::optional<ot::Selection> cursor_of(const net::OtterClient& client, const std::string& doc,
                                                const std::string& session) {
    const net::DocumentView view = *client.document(doc);  // a copy: the loop must not outlive it
    for (const net::PeerPresence& peer : view.peers) {
      if (peer.session == session) return peer.selection;
    }
    return std::nullopt;
  }

  static OtterdProcess* server_;
};

OtterdProcess* Presence::server_ = nullptr;

TEST_F(Presence, ACursorReachesTheOtherEditorsWithItsNameAndColor) {
  const std::string doc = "presence-reach";
  auto ann = connect_editor(port(), "c-ann-1", "Ann", "#d33682");
  auto bo = connect_editor(port(), "c-bo-1", "Bo");
  auto cy = connect_editor(port(), "c-cy-1", "Cy");
  ASSERT_TRUE(ann->open(doc));
  ASSERT_TRUE(ann->replace(doc, "héllo wörld 🦦"));
  ASSERT_TRUE(ann->wait_synced(kWait));
  ASSERT_TRUE(bo->open(doc));
  ASSERT_TRUE(cy->open(doc));

  ASSERT_TRUE(ann->set_selection(doc, ot::Selection{1, 5}));
  const std::string ann_session = ann->welcome()->session;
  for (net::OtterClient* other : {bo.get(), cy.get()}) {
    // (Ann's presence without a cursor came first, with the open.)
    const std::optional<net::PresenceEvent> seen = next_event_of<net::PresenceEvent>(*other, [&](const auto& event) {
      return event.peer.session == ann_session && !event.left && event.peer.selection;
    });
    ASSERT_TRUE(seen) << other->client_id() << " never saw Ann's cursor";
    EXPECT_EQ(seen->doc, doc);
    EXPECT_EQ(seen->peer.client_id, "c-ann-1");
    EXPECT_EQ(seen->peer.name, std::optional<std::string>("Ann"));
    EXPECT_EQ(seen->peer.color, std::optional<std::string>("#d33682"));
    EXPECT_EQ(seen->peer.selection, (ot::Selection{1, 5}));
    EXPECT_EQ(cursor_of(*other, doc, ann_session), (ot::Selection{1, 5}));
  }
}

TEST_F(Presence, ACursorFollowsTheOtherEditorsEditsOnEveryClientAndOnTheServer) {
  const std::string doc = "presence-follow";
  auto ann = connect_editor(port(), "c-ann-2", "Ann");
  auto bo = connect_editor(port(), "c-bo-2", "Bo");
  auto cy = connect_editor(port(), "c-cy-2", "Cy");
  ASSERT_TRUE(ann->open(doc));
  ASSERT_TRUE(ann->replace(doc, "hello world"));
  ASSERT_TRUE(ann->wait_synced(kWait));
  ASSERT_TRUE(bo->open(doc));
  ASSERT_TRUE(cy->open(doc));
  const std::string ann_session = ann->welcome()->session;

  ASSERT_TRUE(ann->set_selection(doc, ot::Selection{6, 6}));  // before "world"
  ASSERT_TRUE(sees_cursor(*bo, doc, ann_session, {6, 6}));
  ASSERT_TRUE(sees_cursor(*cy, doc, ann_session, {6, 6}));

  // Bo types before the cursor: it moves right by the code points typed (🦦 is one).
  ASSERT_TRUE(bo->insert(doc, 0, "🦦 "));
  EXPECT_EQ(cursor_of(*bo, doc, ann_session), (ot::Selection{8, 8}));  // at once, locally
  ASSERT_TRUE(bo->wait_synced(kWait));
  const std::uint64_t after_bo = bo->document(doc)->revision;
  ASSERT_TRUE(cy->wait_revision(doc, after_bo, kWait));
  EXPECT_EQ(cursor_of(*cy, doc, ann_session), (ot::Selection{8, 8}));
  ASSERT_TRUE(ann->wait_revision(doc, after_bo, kWait));
  EXPECT_EQ(ann->document(doc)->selection, (ot::Selection{8, 8}));

  // Cy types exactly at the cursor: everyone (and the server) puts the cursor after it.
  ASSERT_TRUE(cy->insert(doc, 8, "big "));
  ASSERT_TRUE(cy->wait_synced(kWait));
  const std::uint64_t after_cy = cy->document(doc)->revision;
  EXPECT_EQ(cursor_of(*cy, doc, ann_session), (ot::Selection{12, 12}));
  ASSERT_TRUE(bo->wait_revision(doc, after_cy, kWait));
  EXPECT_EQ(cursor_of(*bo, doc, ann_session), (ot::Selection{12, 12}));
  ASSERT_TRUE(ann->wait_revision(doc, after_cy, kWait));
  EXPECT_EQ(ann->document(doc)->selection, (ot::Selection{12, 12}));

  // Bo deletes around it: it moves to where the deleted range was.
  ASSERT_TRUE(bo->erase(doc, 10, 5));
  ASSERT_TRUE(bo->wait_synced(kWait));
  EXPECT_EQ(cursor_of(*bo, doc, ann_session), (ot::Selection{10, 10}));
  const std::uint64_t after_erase = bo->document(doc)->revision;

  // A late joiner gets the cursor where the server moved it.
  auto dee = connect_editor(port(), "c-dee-2", "Dee");
  ASSERT_TRUE(dee->open(doc));
  EXPECT_GE(dee->document(doc)->revision, after_erase);
  EXPECT_EQ(cursor_of(*dee, doc, ann_session), (ot::Selection{10, 10}));
  EXPECT_EQ(dee->document(doc)->text, "🦦 hello bild");
}

TEST_F(Presence, ASelectionMovesWithEditsBeforeAndInsideIt) {
  const std::string doc = "presence-range";
  auto ann = connect_editor(port(), "c-ann-3", "Ann");
  auto bo = connect_editor(port(), "c-bo-3", "Bo");
  ASSERT_TRUE(ann->open(doc));
  ASSERT_TRUE(ann->replace(doc, "0123456789"));
  ASSERT_TRUE(ann->wait_synced(kWait));
  ASSERT_TRUE(bo->open(doc));
  const std::string ann_session = ann->welcome()->session;
  ASSERT_TRUE(ann->set_selection(doc, ot::Selection{7, 3}));  // backwards: anchor after head
  ASSERT_TRUE(sees_cursor(*bo, doc, ann_session, {7, 3}));
  ASSERT_TRUE(bo->insert(doc, 5, "ééé"));  // inside the selection: it grows
  EXPECT_EQ(cursor_of(*bo, doc, ann_session), (ot::Selection{10, 3}));
  ASSERT_TRUE(bo->wait_synced(kWait));
  ASSERT_TRUE(ann->wait_revision(doc, bo->document(doc)->revision, kWait));
  EXPECT_EQ(ann->document(doc)->selection, (ot::Selection{10, 3}));
}

TEST_F(Presence, ACursorGoesAwayWhenItsEditorLeaves) {
  const std::string doc = "presence-leave";
  auto ann = connect_editor(port(), "c-ann-4", "Ann");
  auto bo = connect_editor(port(), "c-bo-4", "Bo");
  ASSERT_TRUE(ann->open(doc));
  ASSERT_TRUE(bo->open(doc));
  const std::string ann_session = ann->welcome()->session;
  ASSERT_TRUE(ann->set_selection(doc, ot::Selection{0, 0}));
  ASSERT_TRUE(sees_cursor(*bo, doc, ann_session, {0, 0}));

  ASSERT_TRUE(ann->set_selection(doc, std::nullopt));  // cleared, still present
  ASSERT_TRUE(next_event_of<net::PresenceEvent>(*bo, [&](const net::PresenceEvent& event) {
    return event.peer.session == ann_session && !event.left && !event.peer.selection;
  }));
  ann->disconnect();
  ASSERT_TRUE(next_event_of<net::PresenceEvent>(
      *bo, [&](const net::PresenceEvent& event) { return event.peer.session == ann_session && event.left; }));
  const net::DocumentView view = *bo->document(doc);
  for (const net::PeerPresence& peer : view.peers) EXPECT_NE(peer.session, ann_session);
}

}  // namespace
}  // namespace otter::testing
