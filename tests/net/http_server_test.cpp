// The HTTP side of HttpServer over real sockets: routing, async handlers, limits, static
// files (every traversal attempt), graceful stop with a request in flight.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "net/http_client.hpp"
#include "server_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace otter::net {
namespace {

using testing::Events;
using testing::kWait;
using testing::RunningServer;

Router api_router() {
  Router router;
  router.add("GET", "/api/docs/{id}", respond_with([](const Request& request) {
               return Response::json(200, R"({"id":")" + request.param("id") + "\"}");
             }));
  router.add("POST", "/api/echo", respond_with([](const Request& request) {
               Response response = Response::text(201, request.method + " " + request.path + " " +
                                                           request.query_param("x").value_or("-") + " " +
                                                           request.header("x-test").value_or("-") + " " + request.body);
               response.headers.push_back(Header{"X-Reply", "yes"});
               return response;
             }));
  router.add("GET", "/api/whoami", respond_with([](const Request& request) {
               return Response::text(200, request.remote_endpoint);
             }));
  router.add("GET", "/api/throws", [](Request, Responder) { throw std::runtime_error("boom"); });
  router.add("GET", "/api/drops", [](Request, Responder) {});
  return router;
}

HttpClient client_for(const RunningServer& running) { return HttpClient(HttpClientOptions{.port = running.port()}); }

TEST(HttpServer, RoutesToAHandlerWithPathParameters) {
  RunningServer running({}, api_router());
  HttpClient http = client_for(running);
  const HttpResponse response = http.get("/api/docs/my%20doc");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"id":"my doc"})");
  EXPECT_EQ(response.header("Content-Type"), "application/json");
  EXPECT_EQ(response.header("Server"), "otterd/0.1.0");
}

TEST(HttpServer, GivesHandlersTheMethodQueryHeadersAndBody) {
  RunningServer running({}, api_router());
  HttpClient http = client_for(running);
  const HttpResponse response =
      http.request("POST", "/api/echo?x=a%20b&y=2", "the body", "text/plain", {Header{"X-Test", "t1"}});
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, "POST /api/echo a b t1 the body");
  EXPECT_EQ(response.header("x-reply"), "yes");
  EXPECT_EQ(response.header("content-type"), "text/plain; charset=utf-8");
}

TEST(HttpServer, AnswersUnknownApiPathsWithAJsonNotFound) {
  RunningServer running({}, api_router());
  HttpClient http = client_for(running);
  const HttpResponse response = http.get("/api/nope");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.header("Content-Type"), "application/json");
  EXPECT_EQ(response.body, R"({"code":"not_found","message":"no route for GET /api/nope"})");
  EXPECT_EQ(http.get("/anything/else").status, 404);  // no static root configured
}

TEST(HttpServer, AnswersAWrongMethodWith405AndTheAllowedMethods) {
  RunningServer running({}, api_router());
  HttpClient http = client_for(running);
  const HttpResponse response = http.del("/api/docs/x");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.header("Allow"), "GET");
  EXPECT_EQ(response.body,
            R"({"code":"method_not_allowed","message":"DELETE is not allowed on /api/docs/x; allowed: GET"})");
}

TEST(HttpServer, AnswersAMalformedParameterEscapeWith400) {
  RunningServer running({}, api_router());
  HttpClient http = client_for(running);
  EXPECT_EQ(http.get("/api/docs/a%zz").status, 400);
}

TEST(HttpServer, WaitsForAnAsynchronousHandlerAnsweredFromAnotherThread) {
  Events<Responder> pending;
  Router router;
  router.add("PUT", "/api/docs/{id}", [&pending](Request, Responder respond) { pending.push(std::move(respond)); });
  RunningServer running({}, std::move(router));
  std::future<HttpResponse> response = std::async(std::launch::async, [&running] {
    HttpClient http = client_for(running);
    return http.put("/api/docs/a", "{}");
  });
  std::optional<Responder> respond = pending.pop();
  ASSERT_TRUE(respond);
  std::thread answerer([respond = *respond] { respond(Response::json(202, R"({"queued":true})")); });
  answerer.join();
  ASSERT_EQ(response.wait_for(kWait), std::future_status::ready);
  const HttpResponse answer = response.get();
  EXPECT_EQ(answer.status, 202);
  EXPECT_EQ(answer.body, R"({"queued":true})");
}

TEST(HttpServer, AnswersAHandlerThatTakesTooLongWith503AndIgnoresItsLateAnswer) {
  Events<Responder> pending;
  Router router;
  router.add("GET", "/api/slow", [&pending](Request, Responder respond) { pending.push(std::move(respond)); });
  router.add("GET", "/api/fast", respond_with([](const Request&) { return Response::json(200, "{}"); }));
  HttpServerConfig config;
  config.handler_timeout = std::chrono::milliseconds(50);
  RunningServer running(config, std::move(router));
  HttpClient http = client_for(running);
  const HttpResponse response = http.get("/api/slow");
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.body, R"({"code":"timeout","message":"the request was not answered within 50 ms"})");
  std::optional<Responder> late = pending.pop();
  ASSERT_TRUE(late);
  (*late)(Response::json(200, "late"));
  EXPECT_EQ(http.get("/api/fast").status, 200);  // the connection is fine
}

TEST(HttpServer, AnswersAHandlerThatThrowsOrDropsTheRequestWith500) {
  RunningServer running({}, api_router());
  HttpClient http = client_for(running);
  const HttpResponse thrown = http.get("/api/throws");
  EXPECT_EQ(thrown.status, 500);
  EXPECT_EQ(thrown.body, R"({"code":"internal_error","message":"the request's handler failed"})");
  const HttpResponse dropped = http.get("/api/drops");
  EXPECT_EQ(dropped.status, 500);
  EXPECT_EQ(dropped.body, R"({"code":"internal_error","message":"the request's handler finished without answering"})");
}

TEST(HttpServer, KeepsTheConnectionAliveBetweenRequests) {
  RunningServer running({}, api_router());
  HttpClient http = client_for(running);
  const std::string first = http.get("/api/whoami").body;
  const std::string second = http.get("/api/whoami").body;
  EXPECT_NE(first.find("127.0.0.1:"), std::string::npos);
  EXPECT_EQ(first, second);  // same client port: same connection
}

TEST(HttpServer, RejectsABodyOverTheLimitWith413) {
  HttpServerConfig config;
  config.max_body_bytes = 1024;
  RunningServer running(config, api_router());
  HttpClient http = client_for(running);
  const HttpResponse response = http.post("/api/echo", std::string(2048, 'x'));
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(response.body, R"({"code":"payload_too_large","message":"the request body exceeds 1024 bytes"})");
  EXPECT_EQ(http.post("/api/echo", std::string(1024, 'x')).status, 201);  // a new connection, at the limit
}

TEST(HttpServer, RejectsHeadersOverTheLimitWith431) {
  HttpServerConfig config;
  config.max_header_bytes = 1024;
  RunningServer running(config, api_router());
  HttpClient http = client_for(running);
  const HttpResponse response = http.request("GET", "/api/docs/a", {}, {}, {Header{"X-Big", std::string(2000, 'h')}});
  EXPECT_EQ(response.status, 431);
  EXPECT_EQ(response.header("Content-Type"), "application/json");
}

TEST(HttpServer, AnswersAPlainGetOfTheWebSocketPathWith426) {
  RunningServer running({}, {}, [](std::shared_ptr<Connection>) { return nullptr; });
  HttpClient http = client_for(running);
  const HttpResponse response = http.get("/ws");
  EXPECT_EQ(response.status, 426);
  EXPECT_EQ(response.header("Upgrade"), "websocket");
}

TEST(HttpServer, AnswersTheWebSocketPathWith404WithoutAFactory) {
  RunningServer running({}, api_router());
  HttpClient http = client_for(running);
  EXPECT_EQ(http.get("/ws").status, 404);
}

// ------------------------------------------------------------------ static files

class HttpStaticFiles : public ::testing::Test {
 protected:
  HttpStaticFiles() {
    dir_.write("www/index.html", "<html>app</html>");
    dir_.write("www/app.js", "console.log(1)");
    dir_.write("www/api/hidden.txt", "not served: /api/ is the API's");
    dir_.write("secret.txt", "top secret");
    std::filesystem::create_symlink("../secret.txt", dir_.path() / "www/link_out");
    HttpServerConfig config;
    config.static_root = dir_.path() / "www";
    running_.emplace(config, api_router());
  }

  HttpClient client() { return client_for(*running_); }

  otter::testing::TempDir dir_;
  std::optional<RunningServer> running_;
};

TEST_F(HttpStaticFiles, ServesIndexHtmlTheAppAndTheSpaFallback) {
  HttpClient http = client();
  const HttpResponse index = http.get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<html>app</html>");
  EXPECT_EQ(index.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(http.get("/d/notes").body, "<html>app</html>");
  const HttpResponse script = http.get("/app.js");
  EXPECT_EQ(script.header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(script.body, "console.log(1)");
  EXPECT_EQ(http.get("/missing.css").status, 404);
}

TEST_F(HttpStaticFiles, AnswersHeadWithTheLengthAndNoBody) {
  HttpClient http = client();
  const HttpResponse response = http.head("/app.js");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("Content-Length"), "14");
  EXPECT_EQ(response.body, "");
  EXPECT_EQ(http.get("/app.js").body, "console.log(1)");  // the connection survived the HEAD
}

TEST_F(HttpStaticFiles, RefusesOtherMethodsOnStaticFiles) {
  HttpClient http = client();
  const HttpResponse response = http.post("/app.js", "x");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.header("Allow"), "GET, HEAD");
}

TEST_F(HttpStaticFiles, NeverServesFilesUnderTheApiPrefix) {
  HttpClient http = client();
  const HttpResponse response = http.get("/api/hidden.txt");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.header("Content-Type"), "application/json");
}

TEST_F(HttpStaticFiles, RefusesEveryTraversalAttempt) {
  for (const char* target : {"/../secret.txt", "/../../../../etc/passwd", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
                             "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt", "/.%2e/secret.txt", "/d/../../secret.txt",
                             "/link_out", "/%252e%252e/secret.txt", "/app.js%00.html", "/..%5csecret.txt",
                             "//etc/passwd", "/%2fetc%2fpasswd", "http://127.0.0.1/../secret.txt",
                             "/..\\secret.txt", "/%"}) {
    HttpClient http = client();  // a fresh connection: some answers close it
    const HttpResponse response = http.get(target);
    EXPECT_TRUE(response.status == 400 || response.status == 404) << target << " -> " << response.status;
    EXPECT_EQ(response.body.find("top secret"), std::string::npos) << target;
    EXPECT_EQ(response.body.find("root:"), std::string::npos) << target;
  }
}

TEST_F(HttpStaticFiles, AnswersAnAbsoluteFormTargetWith400) {
  HttpClient http = client();
  const HttpResponse response = http.get("http://127.0.0.1/app.js");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.body,
            R"({"code":"bad_request","message":"the request target must be a path starting with '/'"})");
}

// ------------------------------------------------------------------ stop

TEST(HttpServerStop, AnswersTheRequestInFlightBeforeItFinishes) {
  Events<Responder> pending;
  Router router;
  router.add("GET", "/api/slow", [&pending](Request, Responder respond) { pending.push(std::move(respond)); });
  RunningServer running({}, std::move(router));
  std::future<HttpResponse> response = std::async(std::launch::async, [&running] {
    HttpClient http = client_for(running);
    return http.get("/api/slow");
  });
  std::optional<Responder> respond = pending.pop();
  ASSERT_TRUE(respond);
  const std::shared_future<void> stopped = running.begin_stop();
  // The request's session is alive (the Responder holds it): the stop cannot be complete.
  EXPECT_EQ(stopped.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  (*respond)(Response::json(200, R"({"done":true})"));
  respond.reset();
  ASSERT_EQ(response.wait_for(kWait), std::future_status::ready);
  const HttpResponse answer = response.get();
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.header("Connection"), "close");
  EXPECT_EQ(stopped.wait_for(kWait), std::future_status::ready);
}

TEST(HttpServerStop, ClosesIdleKeepAliveConnectionsAndStopsAccepting) {
  RunningServer running({}, api_router());
  HttpClient idle = client_for(running);
  EXPECT_EQ(idle.get("/api/docs/a").status, 200);  // the connection stays open, idle
  ASSERT_TRUE(running.stop());
  HttpClient late = client_for(running);
  EXPECT_THROW((void)late.get("/api/docs/a"), ClientError);
}

TEST(HttpServerStop, FinishesAtOnceWithNothingConnected) {
  RunningServer running({}, api_router());
  EXPECT_TRUE(running.stop());
  EXPECT_TRUE(running.stop());  // idempotent
}

TEST(HttpServerStart, ThrowsWhenThePortIsTaken) {
  RunningServer first({}, api_router());
  IoThread io;
  HttpServerConfig config;
  config.port = first.port();
  HttpServer second(io.context(), config, {}, {});
  EXPECT_THROW(second.start(), std::system_error);
}

}  // namespace
}  // namespace otter::net
