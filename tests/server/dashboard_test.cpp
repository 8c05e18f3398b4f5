// The live dashboard's server side (docs/dashboard.md) on a real Service: sessions speaking
// to in-memory connections, the Dashboard process sampling the real tree.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <functional>
#include <string>

#include "server_testing.hpp"

namespace otter::server::testing {
namespace {

namespace json = boost::json;

// A connection that subscribes to the dashboard; reads frames as JSON objects.
class Watcher {
 public:
  explicit Watcher(ServiceFixture& fixture, std::string hello = R"({"type":"hello","version":1})")
      : client_(fixture) {
    client_.send(std::move(hello));
    EXPECT_EQ(next_of("welcome").at("type"), "welcome");
  }

  // The next frame whose type is `type` (others skipped); an empty object after the wait.
  json::object next_of(std::string_view type, std::chrono::milliseconds timeout = kWait) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      std::optional<std::string> frame = client_.connection().next(std::max(left, std::chrono::milliseconds(0)));
      if (!frame) {
        ADD_FAILURE() << "no \"" << type << "\" message came";
        return {};
      }
      json::object object = json::parse(*frame).as_object();
      if (object.at("type").as_string() == type) return object;
    }
  }

  // The first snapshot for which `accept` holds.
  json::object snapshot_where(const std::function<bool(const json::object&)>& accept) {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
      json::object snapshot = next_of("dashboard");
      if (snapshot.empty()) break;
      if (accept(snapshot)) return snapshot;
    }
    ADD_FAILURE() << "no snapshot showed what was expected";
    return {};
  }

  void subscribe(std::uint64_t interval_ms = 100, std::string id = "1") {
    client_.send(R"({"type":"dashboard_subscribe","id":)" + id + R"(,"interval_ms":)" + std::to_string(interval_ms) +
                 "}");
  }

  TestClient& client() noexcept { return client_; }

 private:
  TestClient client_;
};

const json::object* document_in(const json::object& snapshot, std::string_view id) {
  for (const json::value& document : snapshot.at("documents").as_array()) {
    if (document.at("id").as_string() == id) return &document.as_object();
  }
  return nullptr;
}

const json::object* last_event(const json::object& snapshot, std::string_view kind, std::string_view doc) {
  const json::object* found = nullptr;
  for (const json::value& event : snapshot.at("events").as_array()) {
    if (event.at("kind").as_string() == kind && event.as_object().contains("doc") && event.at("doc").as_string() == doc) {
      found = &event.as_object();
    }
  }
  return found;
}

class DashboardTest : public ::testing::Test {
 protected:
  ServiceFixture fixture_;
};

TEST_F(DashboardTest, ASubscribeIsAnsweredWithAFullSnapshotOfTheNode) {
  fixture_.start();
  fixture_.service().set_node_name("otterd@test:1");
  Watcher page(fixture_);
  page.subscribe(250, R"("dash")");
  const json::object snapshot = page.next_of("dashboard");
  ASSERT_FALSE(snapshot.empty());
  EXPECT_EQ(snapshot.at("id"), "dash");
  EXPECT_EQ(snapshot.at("seq"), 1);
  EXPECT_EQ(snapshot.at("admin"), false);
  EXPECT_GT(snapshot.at("time_ms").as_int64(), 0);
  EXPECT_EQ(snapshot.at("node").at("name"), "otterd@test:1");
  EXPECT_EQ(snapshot.at("node").at("runtime_threads"), 4);
  ASSERT_EQ(snapshot.at("nodes").as_array().size(), 1U);
  EXPECT_EQ(snapshot.at("nodes").at(0).at("self"), true);
  EXPECT_EQ(snapshot.at("nodes").at(0).at("status"), "up");
  EXPECT_EQ(snapshot.at("totals").at("documents"), 0);
  EXPECT_EQ(snapshot.at("totals").at("sessions"), 1);  // the page's own
  EXPECT_EQ(snapshot.at("documents_total"), 0);
  const json::object& tree = snapshot.at("tree").as_object();
  EXPECT_EQ(tree.at("name"), "otter.server");
  EXPECT_EQ(tree.at("strategy"), "rest_for_one");
  EXPECT_EQ(tree.at("pid").as_string(), fixture_.service().supervisor().to_string());
  const json::array& children = tree.at("children").as_array();
  ASSERT_EQ(children.size(), 3U);
  EXPECT_EQ(children.at(0).at("name"), "documents");
  EXPECT_EQ(children.at(0).at("kind"), "dynamic_supervisor");
  EXPECT_EQ(children.at(1).at("name"), "sessions");
  EXPECT_EQ(children.at(1).at("child_count"), 1);
  EXPECT_EQ(children.at(2).at("name"), "dashboard");
}

TEST_F(DashboardTest, ADocumentOpenedFromAnotherConnectionIsPushedWithItsSession) {
  fixture_.start();
  Watcher page(fixture_);
  page.subscribe();
  ASSERT_EQ(page.next_of("dashboard").at("documents_total"), 0);
  TestClient ann(fixture_);
  ann.hello("c-ann");
  ann.open("notes");
  ann.edit("notes", 0, 1, R"(["hello"])");
  const json::object snapshot = page.snapshot_where([](const json::object& s) {
    const json::object* notes = document_in(s, "notes");
    return notes != nullptr && notes->at("revision") == 1 && !notes->at("sessions").as_array().empty();
  });
  ASSERT_FALSE(snapshot.empty());
  EXPECT_GE(snapshot.at("seq").as_int64(), 2);
  const json::object& notes = *document_in(snapshot, "notes");
  EXPECT_EQ(notes.at("pid").as_string(), fixture_.service().documents().whereis("notes").to_string());
  EXPECT_EQ(notes.at("length"), 5);
  EXPECT_EQ(notes.at("restarts"), 0);
  EXPECT_EQ(notes.at("sessions").at(0).at("client_id"), "c-ann");
  EXPECT_EQ(notes.at("sessions").at(0).at("name"), "N-c-ann");
  const json::value& workers = snapshot.at("tree").at("children").at(0).at("children");
  ASSERT_EQ(workers.as_array().size(), 1U);
  EXPECT_EQ(workers.at(0).at("doc"), "notes");
  EXPECT_EQ(workers.at(0).at("pid"), notes.at("pid"));
  EXPECT_NE(last_event(snapshot, "opened", "notes"), nullptr);
}

TEST_F(DashboardTest, ACrashFromAnAdminShowsTheNewProcessAndLosesNoEdit) {
  fixture_.options.sessions.admin_all = true;
  fixture_.start();
  TestClient ann(fixture_);
  ann.hello("c-ann");
  ann.open("notes");
  ann.edit("notes", 0, 1, R"(["a"])");
  ASSERT_EQ(ann.expect<net::Ops>().entries.at(0).rev, 1U);
  Watcher page(fixture_);
  page.subscribe();
  const json::object before = page.next_of("dashboard");
  EXPECT_EQ(before.at("admin"), true);
  const json::string old_pid(fixture_.service().documents().whereis("notes").to_string());
  ASSERT_EQ(document_in(before, "notes")->at("pid"), old_pid);

  page.client().send(R"({"type":"crash","id":2,"doc":"notes"})");
  const json::object crashed = page.next_of("crashed");
  EXPECT_EQ(crashed.at("id"), 2);
  EXPECT_EQ(crashed.at("doc"), "notes");
  EXPECT_EQ(crashed.at("pid"), old_pid);
  const json::object after = page.snapshot_where([&](const json::object& s) {
    const json::object* notes = document_in(s, "notes");
    return notes != nullptr && notes->at("pid") != old_pid;
  });
  ASSERT_FALSE(after.empty());
  const json::object& notes = *document_in(after, "notes");
  EXPECT_EQ(notes.at("restarts"), 1);
  EXPECT_TRUE(notes.contains("last_restart_ms"));
  EXPECT_EQ(after.at("totals").at("restarts_total"), 1);
  const json::object* restarted = last_event(after, "restarted", "notes");
  ASSERT_NE(restarted, nullptr);
  EXPECT_EQ(restarted->at("old_pid"), old_pid);
  EXPECT_EQ(restarted->at("new_pid"), notes.at("pid"));
  EXPECT_EQ(restarted->at("reason"), "crashed from the dashboard");
  ASSERT_NE(last_event(after, "crashed", "notes"), nullptr);

  // The editor's session rejoined the new process: its next edit lands after the first.
  ann.edit("notes", 1, 2, R"([1,"b"])");
  std::uint64_t acked = 0;
  while (acked < 2) {
    const net::Ops ops = ann.expect<net::Ops>();
    ASSERT_FALSE(ops.entries.empty());
    acked = ops.entries.back().rev;
  }
  EXPECT_EQ(fixture_.service().documents().read("notes")->text, "ab");
}

TEST_F(DashboardTest, OnlyAdminsMayCrashAndOnlyOpenDocuments) {
  fixture_.options.sessions.admin_token = "s3cret";
  fixture_.start();
  TestClient ann(fixture_);
  ann.hello("c-ann");
  ann.open("notes");

  Watcher visitor(fixture_, R"({"type":"hello","version":1,"token":"guess"})");
  visitor.client().send(R"({"type":"crash","id":"x","doc":"notes"})");
  const json::object refused = visitor.next_of("error");
  EXPECT_EQ(refused.at("code"), "forbidden");
  EXPECT_EQ(refused.at("id"), "x");
  EXPECT_EQ(refused.at("doc"), "notes");

  Watcher admin(fixture_, R"({"type":"hello","version":1,"token":"s3cret"})");
  admin.subscribe();
  EXPECT_EQ(admin.next_of("dashboard").at("admin"), true);
  admin.client().send(R"({"type":"crash","id":3,"doc":"nobody"})");
  const json::object missing = admin.next_of("error");
  EXPECT_EQ(missing.at("code"), "doc_not_found");
  EXPECT_EQ(missing.at("id"), 3);
  EXPECT_EQ(fixture_.service().metrics().document_restarts.value(), 0U);
}

TEST_F(DashboardTest, AnIntervalOutOfRangeIsInvalidMessageNamingTheField) {
  fixture_.start();
  Watcher page(fixture_);
  for (const char* interval : {"99", "5001", "\"fast\""}) {
    page.client().send(std::string(R"({"type":"dashboard_subscribe","id":9,"interval_ms":)") + interval + "}");
    const json::object error = page.next_of("error");
    EXPECT_EQ(error.at("code"), "invalid_message") << interval;
    EXPECT_EQ(error.at("id"), 9);
    EXPECT_NE(error.at("message").as_string().find("interval_ms"), json::string::npos) << error.at("message");
  }
  page.client().send(R"({"type":"dashboard_subscribe","max_documents":10001})");
  EXPECT_EQ(page.next_of("error").at("code"), "invalid_message");
}

TEST_F(DashboardTest, ASlowPageGetsOnlyTheNewestSnapshotOnceItsSocketDrains) {
  fixture_.start();
  Watcher slow(fixture_);
  slow.subscribe();
  ASSERT_EQ(slow.next_of("dashboard").at("seq"), 1);
  Watcher fast(fixture_);
  fast.subscribe();
  ASSERT_FALSE(fast.next_of("dashboard").empty());

  slow.client().connection().set_outbound_bytes(1);  // its socket is "still writing"
  TestClient ann(fixture_);
  ann.hello("c-ann");
  for (const char* doc : {"a", "b", "c"}) ann.open(doc);
  ASSERT_FALSE(fast.snapshot_where([](const json::object& s) { return s.at("documents_total") == 3; }).empty());
  EXPECT_EQ(slow.client().connection().queued(), 0U) << "a snapshot went to a socket still writing";

  slow.client().connection().set_outbound_bytes(0);
  const json::object caught_up = slow.next_of("dashboard");
  EXPECT_EQ(caught_up.at("seq"), 2) << "stale snapshots were queued, not dropped";
  EXPECT_EQ(caught_up.at("documents_total"), 3);
}

TEST_F(DashboardTest, MaxDocumentsKeepsTheMostActiveAndCountsTheRest) {
  fixture_.start();
  TestClient ann(fixture_);
  ann.hello("c-ann");
  for (const char* doc : {"a", "b", "c"}) ann.open(doc);
  Watcher page(fixture_);
  page.client().send(R"({"type":"dashboard_subscribe","id":1,"interval_ms":100,"max_documents":1})");
  ASSERT_EQ(page.next_of("dashboard").at("documents").at(0).at("id"), "a");  // all idle: by id
  ann.edit("b", 0, 1, R"(["x"])");
  ASSERT_EQ(ann.expect<net::Ops>().doc, "b");
  const json::object snapshot = page.snapshot_where([](const json::object& s) {
    return s.at("documents").as_array().size() == 1 && s.at("documents").at(0).at("ops_per_second").as_double() > 0;
  });
  ASSERT_FALSE(snapshot.empty());
  EXPECT_EQ(snapshot.at("documents").at(0).at("id"), "b");
  EXPECT_EQ(snapshot.at("documents_total"), 3);
  EXPECT_EQ(snapshot.at("tree").at("children").at(0).at("child_count"), 3);
  EXPECT_EQ(snapshot.at("tree").at("children").at(0).at("children").as_array().size(), 1U);
}

TEST_F(DashboardTest, WhenNothingChangedTheDashboardKeepsItsSnapshotAndPublishesNothing) {
  fixture_.start();
  const core::Pid dashboard = fixture_.service().context().dashboard.get();
  ASSERT_TRUE(dashboard);
  const auto current = [&] {
    core::CallOutcome<DashboardSnapshotPtr> outcome =
        core::call<CurrentDashboard::Reply>(fixture_.runtime(), dashboard, CurrentDashboard{}, kWait);
    EXPECT_TRUE(outcome.ok());
    return outcome ? *outcome : DashboardSnapshotPtr{};
  };
  const DashboardSnapshotPtr first = current();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(current(), first) << "an unchanged server produced a new snapshot";
  TestClient ann(fixture_);
  ann.hello("c-ann");
  ann.open("notes");
  const DashboardSnapshotPtr changed = current();
  EXPECT_NE(changed, first);
  ASSERT_EQ(changed->documents.size(), 1U);
  EXPECT_EQ(changed->documents[0].id, "notes");
}

TEST_F(DashboardTest, AfterUnsubscribeNothingMoreIsPushed) {
  fixture_.start();
  Watcher page(fixture_);
  page.subscribe();
  ASSERT_FALSE(page.next_of("dashboard").empty());
  page.client().send(R"({"type":"dashboard_unsubscribe"})");
  Watcher other(fixture_);
  other.subscribe();
  ASSERT_FALSE(other.next_of("dashboard").empty());
  TestClient ann(fixture_);
  ann.hello("c-ann");
  ann.open("notes");
  ASSERT_FALSE(other.snapshot_where([](const json::object& s) { return document_in(s, "notes") != nullptr; }).empty());
  EXPECT_TRUE(page.client().sync().empty());
}

}  // namespace
}  // namespace otter::server::testing
