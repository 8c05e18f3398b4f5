// What otterd serves besides the document API: the frontend's files (and never a file
// outside them), the placeholder page when the frontend is not built, /healthz, /metrics.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/otterd/otterd_testing.hpp"
#include "tests/support/temp_dir.hpp"

namespace otter::otterd::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSecret = "the-secret-next-to-the-frontend";

// A frontend build in a temporary directory, with a secret file beside (not inside) it.
class FrontendBuild {
 public:
  FrontendBuild() {
    root_.write("dist/index.html", "<!doctype html><title>Otter editor</title>");
    root_.write("dist/app.js", "console.log('otter');");
    root_.write("dist/assets/style.css", "body { color: black; }");
    root_.write("secret.txt", kSecret);
    root_.write("dist-2/secret.txt", kSecret);  // a sibling sharing the prefix "dist"
    fs::create_symlink(root_.path() / "secret.txt", root_.path() / "dist" / "escape.txt");
  }

  [[nodiscard]] fs::path dist() const { return root_.path() / "dist"; }

 private:
  otter::testing::TempDir root_;
};

TEST(StaticFilesTest, TheFrontendsFilesAreServedWithTheirContentTypes) {
  const FrontendBuild build;
  OtterdProcess server({.config_yaml = "server:\n  static_dir: \"" + build.dist().string() + "\"\n"});
  net::HttpClient http({.port = server.port(), .timeout = kWait});

  const net::HttpResponse index = http.get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_NE(index.body.find("Otter editor"), std::string::npos) << index.body;
  EXPECT_EQ(index.header("Content-Type"), "text/html; charset=utf-8");

  const net::HttpResponse script = http.get("/app.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.body, "console.log('otter');");
  EXPECT_NE(script.header("Content-Type").value_or("").find("javascript"), std::string::npos);

  EXPECT_EQ(http.get("/assets/style.css").status, 200);
  // The web app's own routes load the app.
  const net::HttpResponse route = http.get("/d/some-document");
  EXPECT_EQ(route.status, 200);
  EXPECT_NE(route.body.find("Otter editor"), std::string::npos);

  const net::HttpResponse missing = http.get("/nothing.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(error_code_of(missing), "not_found");
}

TEST(StaticFilesTest, NoPathReachesAFileOutsideTheFrontendDirectory) {
  const FrontendBuild build;
  OtterdProcess server({.config_yaml = "server:\n  static_dir: \"" + build.dist().string() + "\"\n"});
  net::HttpClient http({.port = server.port(), .timeout = kWait});
  for (const std::string target : {
           "/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
           "/.%2e/secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt", "/assets/%2e%2e/%2e%2e/secret.txt",
           "/%252e%252e/secret.txt", "/..%5csecret.txt", "/..\\secret.txt", "/assets/..\\..\\secret.txt",
           "/escape.txt", "/../dist-2/secret.txt", "/%2e%2e/dist-2/secret.txt", "//secret.txt",
           "/secret.txt%00.js", "/%00", "/d/../../secret.txt", "http://localhost/../secret.txt",
       }) {
    const net::HttpResponse response = http.get(target);
    EXPECT_TRUE(response.status == 400 || response.status == 404) << target << " -> " << response.status;
    EXPECT_EQ(response.body.find(kSecret), std::string::npos) << target << " leaked the secret";
  }
}

TEST(StaticFilesTest, WithoutAFrontendBuildTheRootSaysSo) {
  OtterdProcess server;  // its working directory has no frontend/dist
  net::HttpClient http({.port = server.port(), .timeout = kWait});
  const net::HttpResponse root = http.get("/");
  EXPECT_EQ(root.status, 200);
  EXPECT_EQ(root.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(root.body.find("not built"), std::string::npos) << root.body;
  EXPECT_EQ(http.get("/app.js").status, 404);
  EXPECT_EQ(http.get("/../../etc/passwd").status == 200, false);
  EXPECT_NE(server.output().find("the frontend is not built"), std::string::npos) << server.output();
}

TEST(OperationalEndpointsTest, HealthzAnswersOk) {
  OtterdProcess server;
  net::HttpClient http({.port = server.port(), .timeout = kWait});
  const net::HttpResponse health = http.get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(string_field(parse_json(health.body), "status"), "ok");
}

TEST(OperationalEndpointsTest, MetricsNameEveryFamilyAndMoveWithEdits) {
  OtterdProcess server;
  Api api(server);
  net::HttpClient http({.port = server.port(), .timeout = kWait});

  const net::HttpResponse before = http.get("/metrics");
  ASSERT_EQ(before.status, 200);
  EXPECT_EQ(before.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  for (const char* family : {
           "otter_documents_open", "otter_sessions_open", "otter_ops_applied_total",
           "otter_op_durable_seconds_bucket{le=\"+Inf\"}", "otter_op_durable_seconds_count",
           "otter_document_restarts_total", "otter_storage_commit_seconds_bucket", "otter_storage_commit_seconds_sum",
           "otter_storage_last_batch_ops", "otter_storage_max_batch_ops", "otter_storage_batch_ops_bucket{le=\"+Inf\"}",
           "otter_websocket_connections",
           "otter_rest_requests_total",
       }) {
    EXPECT_NE(before.body.find(family), std::string::npos) << family << " missing from /metrics";
  }
  EXPECT_EQ(metric_value(before.body, "otter_ops_applied_total"), 0.0);

  ASSERT_EQ(api.create("measured", "a").status, 201);
  for (std::uint64_t rev = 1; rev <= 4; ++rev) {
    ASSERT_EQ(api.submit("measured", rev, json::array{rev, "b"}).status, 200);
  }
  const std::unique_ptr<net::WsClient> ws = connect_ws(server, "metrics-watcher");
  ASSERT_FALSE(receive_type(*ws, "welcome").is_null());

  const std::string after = http.get("/metrics").body;
  EXPECT_EQ(metric_value(after, "otter_ops_applied_total"), 5.0) << after;
  EXPECT_EQ(metric_value(after, "otter_op_durable_seconds_count"), 5.0) << after;
  EXPECT_GE(metric_value(after, "otter_storage_commits_total").value_or(0), 5.0) << after;
  EXPECT_GE(metric_value(after, "otter_storage_ops_committed_total").value_or(0), 5.0) << after;
  EXPECT_GE(metric_value(after, "otter_storage_max_batch_ops").value_or(0), 1.0) << after;
  // Every transaction is in the batch-size histogram, and its ops in the sum.
  EXPECT_EQ(metric_value(after, "otter_storage_batch_ops_count"), metric_value(after, "otter_storage_commits_total"))
      << after;
  EXPECT_GE(metric_value(after, "otter_storage_batch_ops_sum").value_or(0), 5.0) << after;
  EXPECT_EQ(metric_value(after, "otter_documents_open"), 1.0) << after;
  EXPECT_EQ(metric_value(after, "otter_sessions_open"), 1.0) << after;
  EXPECT_EQ(metric_value(after, "otter_websocket_connections"), 1.0) << after;
}

}  // namespace
}  // namespace otter::otterd::testing
