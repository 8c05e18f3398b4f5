// The live dashboard end to end (docs/dashboard.md): a real otterd, a dashboard connection
// speaking raw frames over a real WebSocket, and editors on OtterClient.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "net/http_client.hpp"
#include "tests/e2e/e2e_testing.hpp"
#include "tests/support/otterd_process.hpp"

namespace otter::testing {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// A dashboard page's connection: hello, then frames read as JSON objects.
class DashboardConnection {
 public:
  explicit DashboardConnection(std::uint16_t port, const std::string& token = "")
      : ws_(net::WsClientOptions{.port = port}) {
    ws_.send(token.empty() ? std::string(R"({"type":"hello","version":1})")
                           : R"({"type":"hello","version":1,"token":")" + token + R"("})");
    EXPECT_FALSE(next_of("welcome").empty());
  }

  void send(std::string frame) { ws_.send(std::move(frame)); }

  // The next frame of `type`, skipping others; empty if none came in time.
  json::object next_of(std::string_view type, std::chrono::milliseconds timeout = kWait) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= 0ms) return {};
      std::optional<std::string> frame = ws_.receive(left);
      if (!frame) return {};
      json::object object = json::parse(*frame).as_object();
      if (object.at("type").as_string() == type) return object;
    }
  }

  json::object snapshot_where(const std::function<bool(const json::object&)>& accept) {
    const auto deadline = Clock::now() + kWait;
    while (Clock::now() < deadline) {
      json::object snapshot = next_of("dashboard", std::chrono::duration_cast<std::chrono::milliseconds>(
                                                       deadline - Clock::now()));
      if (snapshot.empty()) break;
      if (accept(snapshot)) return snapshot;
    }
    ADD_FAILURE() << "no snapshot showed what was expected";
    return {};
  }

 private:
  net::WsClient ws_;
};

const json::object* document_in(const json::object& snapshot, std::string_view id) {
  for (const json::value& document : snapshot.at("documents").as_array()) {
    if (document.at("id").as_string() == id) return &document.as_object();
  }
  return nullptr;
}

bool has_event(const json::object& snapshot, std::string_view kind, std::string_view doc) {
  for (const json::value& event : snapshot.at("events").as_array()) {
    const json::object& object = event.as_object();
    if (object.at("kind").as_string() == kind && object.contains("doc") && object.at("doc").as_string() == doc) {
      return true;
    }
  }
  return false;
}

TEST(Dashboard, ADocumentOpenedElsewhereShowsWithinOneSecond) {
  OtterdProcess server;
  DashboardConnection page(server.port());
  page.send(R"({"type":"dashboard_subscribe","id":1})");  // the default interval, 250 ms
  const json::object first = page.next_of("dashboard");
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first.at("id"), 1);
  EXPECT_EQ(first.at("seq"), 1);
  EXPECT_EQ(first.at("admin"), false);
  EXPECT_EQ(first.at("node").at("name").as_string(), "otterd@127.0.0.1:" + std::to_string(server.port()));

  auto ann = connect_editor(server.port(), "c-ann", "Ann", "#c2185b");
  ASSERT_TRUE(ann->open("fresh"));
  const auto opened_at = Clock::now();
  const json::object shown = page.snapshot_where([](const json::object& s) { return document_in(s, "fresh"); });
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - opened_at);
  ASSERT_FALSE(shown.empty());
  RecordProperty("opened_to_shown_ms", static_cast<int>(took.count()));
  EXPECT_LT(took, 1000ms) << "the dashboard showed the new document after " << took.count() << " ms";
  EXPECT_GT(shown.at("seq").as_int64(), 1);
  EXPECT_TRUE(has_event(shown, "opened", "fresh"));
}

TEST(Dashboard, ACrashFromTheDashboardRestartsTheProcessWhileAnEditorKeepsEveryEdit) {
  OtterdProcess server(OtterdOptions{.dev = true});
  const std::string doc = "crashy";
  auto ann = connect_editor(server.port(), "c-ann-dash", "Ann");
  ASSERT_TRUE(ann->open(doc));
  constexpr int kBefore = 10;
  constexpr int kAfter = 10;
  const auto token = [](int i) { return "<" + std::to_string(i) + "🦦>"; };
  for (int i = 0; i < kBefore; ++i) ASSERT_TRUE(ann->insert(doc, 0, token(i)));
  ASSERT_TRUE(ann->wait_synced(kWait));

  DashboardConnection page(server.port());
  page.send(R"({"type":"dashboard_subscribe","id":1,"interval_ms":100})");
  const json::object before = page.snapshot_where([&](const json::object& s) { return document_in(s, doc); });
  ASSERT_FALSE(before.empty());
  EXPECT_EQ(before.at("admin"), true);
  const json::string old_pid = document_in(before, doc)->at("pid").as_string();
  EXPECT_EQ(document_in(before, doc)->at("restarts"), 0);

  page.send(R"({"type":"crash","id":2,"doc":")" + doc + R"("})");
  // The editor keeps typing while the supervisor restarts the process.
  for (int i = kBefore; i < kBefore + kAfter; ++i) ASSERT_TRUE(ann->insert(doc, 0, token(i)));
  const json::object crashed = page.next_of("crashed");
  ASSERT_FALSE(crashed.empty());
  EXPECT_EQ(crashed.at("id"), 2);
  EXPECT_EQ(crashed.at("pid"), old_pid);

  const json::object after = page.snapshot_where([&](const json::object& s) {
    const json::object* shown = document_in(s, doc);
    return shown != nullptr && shown->at("pid") != old_pid;
  });
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(document_in(after, doc)->at("restarts"), 1);
  EXPECT_TRUE(has_event(after, "restarted", doc));
  EXPECT_EQ(after.at("totals").at("restarts_total"), 1);

  ASSERT_TRUE(ann->wait_synced(kWait));
  const net::DocumentView server_text = server_view(server.port(), doc);
  for (int i = 0; i < kBefore + kAfter; ++i) EXPECT_EQ(count_occurrences(server_text.text, token(i)), 1U) << token(i);
  EXPECT_EQ(ann->document(doc)->text, server_text.text);
}

TEST(Dashboard, TheRestCrashHookAnswers202EvenRightAfterAnotherCrash) {
  // Each request's read used to meet the process the previous crash was taking down, and
  // answered 500 with its exit reason.
  OtterdProcess server(OtterdOptions{.dev = true});
  auto ann = connect_editor(server.port(), "c-ann-rest");
  ASSERT_TRUE(ann->open("hammered"));
  net::HttpClient http({.port = server.port()});
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(ann->insert("hammered", 0, std::to_string(i)));
    const net::HttpResponse crashed = http.post("/api/admin/docs/hammered/crash", "");
    EXPECT_EQ(crashed.status, 202) << "crash " << i << ": " << crashed.body;
  }
  ASSERT_TRUE(ann->wait_synced(kWait));
  EXPECT_EQ(ann->document("hammered")->text, server_view(server.port(), "hammered").text);
}

TEST(Dashboard, CrashIsForbiddenWithoutAdminAndAllowedWithTheAdminToken) {
  OtterdProcess server(OtterdOptions{.config_yaml = std::string("server:\n  admin_token: \"t0ken\"\n")});
  auto ann = connect_editor(server.port(), "c-ann-token");
  ASSERT_TRUE(ann->open("guarded"));

  DashboardConnection visitor(server.port());
  visitor.send(R"({"type":"crash","id":1,"doc":"guarded"})");
  const json::object refused = visitor.next_of("error");
  ASSERT_FALSE(refused.empty());
  EXPECT_EQ(refused.at("code"), "forbidden");
  EXPECT_EQ(refused.at("id"), 1);

  DashboardConnection admin(server.port(), "t0ken");
  admin.send(R"({"type":"crash","id":2,"doc":"guarded"})");
  EXPECT_EQ(admin.next_of("crashed").at("doc"), "guarded");
}

TEST(Dashboard, ABadIntervalIsAnInvalidMessage) {
  OtterdProcess server;
  DashboardConnection page(server.port());
  page.send(R"({"type":"dashboard_subscribe","id":7,"interval_ms":20})");
  const json::object error = page.next_of("error");
  ASSERT_FALSE(error.empty());
  EXPECT_EQ(error.at("code"), "invalid_message");
  EXPECT_EQ(error.at("id"), 7);
  EXPECT_NE(error.at("message").as_string().find("interval_ms"), json::string::npos);
}

TEST(Dashboard, TheDashboardPageIsServedAtSlashDashboard) {
  const std::filesystem::path site = std::filesystem::temp_directory_path() / ("otter-dash-site-" + std::to_string(::getpid()));
  std::filesystem::create_directories(site);
  std::ofstream(site / "index.html") << "<!doctype html><title>Otter app</title>";
  {
    OtterdProcess server(OtterdOptions{.config_yaml = "server:\n  static_dir: \"" + site.string() + "\"\n"});
    net::HttpClient http({.port = server.port()});
    for (const char* path : {"/dashboard", "/dashboard/", "/d/notes"}) {
      const net::HttpResponse page = http.get(path);
      EXPECT_EQ(page.status, 200) << path;
      EXPECT_NE(page.body.find("Otter app"), std::string::npos) << path;
    }
    EXPECT_EQ(http.get("/dashboards").status, 404);
  }
  std::filesystem::remove_all(site);
}

}  // namespace
}  // namespace otter::testing
