// Router and Responder, without sockets.
#include "net/router.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>

namespace otter::net {
namespace {

Handler named(int* called, int id) {
  return [called, id](Request, Responder respond) {
    *called = id;
    respond(Response::json(200, "{}"));
  };
}

TEST(Router, MatchesLiteralPathsAndMethods) {
  int called = 0;
  Router router;
  router.add("GET", "/api/health", named(&called, 1)).add("POST", "/api/health", named(&called, 2));
  const Router::Route get = router.route("GET", "/api/health");
  ASSERT_EQ(get.outcome, Router::Outcome::found);
  (*get.handler)(Request{}, Responder([](Response) {}));
  EXPECT_EQ(called, 1);
  const Router::Route post = router.route("POST", "/api/health");
  ASSERT_EQ(post.outcome, Router::Outcome::found);
  (*post.handler)(Request{}, Responder([](Response) {}));
  EXPECT_EQ(called, 2);
}

TEST(Router, CapturesAndPercentDecodesPathParameters) {
  int called = 0;
  Router router;
  router.add("GET", "/api/docs/{id}/ops/{rev}", named(&called, 1));
  const Router::Route route = router.route("GET", "/api/docs/my%20doc%2Fx/ops/42");
  ASSERT_EQ(route.outcome, Router::Outcome::found);
  EXPECT_EQ(route.params.at("id"), "my doc/x");  // %2F stays inside the parameter
  EXPECT_EQ(route.params.at("rev"), "42");
}

TEST(Router, NeedsEverySegmentToMatch) {
  int called = 0;
  Router router;
  router.add("GET", "/api/docs/{id}", named(&called, 1));
  EXPECT_EQ(router.route("GET", "/api/docs").outcome, Router::Outcome::no_route);
  EXPECT_EQ(router.route("GET", "/api/docs/").outcome, Router::Outcome::no_route);  // empty parameter
  EXPECT_EQ(router.route("GET", "/api/docs/a/b").outcome, Router::Outcome::no_route);
  EXPECT_EQ(router.route("GET", "/api/doc/a").outcome, Router::Outcome::no_route);
  EXPECT_EQ(router.route("GET", "/API/docs/a").outcome, Router::Outcome::no_route);
}

TEST(Router, ReportsTheAllowedMethodsWhenOnlyTheMethodIsWrong) {
  int called = 0;
  Router router;
  router.add("GET", "/api/docs/{id}", named(&called, 1)).add("PUT", "/api/docs/{id}", named(&called, 2));
  router.add("DELETE", "/api/docs/{id}", named(&called, 3));
  const Router::Route route = router.route("PATCH", "/api/docs/a");
  EXPECT_EQ(route.outcome, Router::Outcome::method_not_allowed);
  EXPECT_EQ(route.allowed, (std::vector<std::string>{"GET", "PUT", "DELETE"}));
}

TEST(Router, ReportsAMalformedEscapeInAParameterAsBadRequest) {
  int called = 0;
  Router router;
  router.add("GET", "/api/docs/{id}", named(&called, 1));
  const Router::Route route = router.route("GET", "/api/docs/a%zz");
  EXPECT_EQ(route.outcome, Router::Outcome::bad_request);
  EXPECT_EQ(route.error, "path parameter \"id\" has a malformed percent-escape");
}

TEST(Router, PrefersTheRouteAddedFirst) {
  int called = 0;
  Router router;
  router.add("GET", "/api/docs/search", named(&called, 1)).add("GET", "/api/docs/{id}", named(&called, 2));
  (*router.route("GET", "/api/docs/search").handler)(Request{}, Responder([](Response) {}));
  EXPECT_EQ(called, 1);
  (*router.route("GET", "/api/docs/other").handler)(Request{}, Responder([](Response) {}));
  EXPECT_EQ(called, 2);
}

TEST(Router, RejectsMalformedAndDuplicatePatterns) {
  int called = 0;
  Router router;
  EXPECT_THROW(router.add("GET", "api/x", named(&called, 1)), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/api/{}", named(&called, 1)), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/api/x{id}", named(&called, 1)), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/api/x", Handler{}), std::invalid_argument);
  router.add("GET", "/api/x", named(&called, 1));
  EXPECT_THROW(router.add("GET", "/api/x", named(&called, 2)), std::invalid_argument);
}

TEST(Responder, DeliversOnlyTheFirstAnswer) {
  std::vector<int> delivered;
  const Responder respond([&](Response response) { delivered.push_back(response.status); });
  const Responder copy = respond;
  EXPECT_FALSE(respond.answered());
  copy(Response::json(201, "{}"));
  respond(Response::json(500, "{}"));
  EXPECT_TRUE(respond.answered());
  EXPECT_EQ(delivered, std::vector<int>{201});
}

TEST(Responder, AnswersInternalErrorWhenDroppedUnanswered) {
  std::optional<Response> delivered;
  { const Responder respond([&](Response response) { delivered = std::move(response); }); }
  ASSERT_TRUE(delivered);
  EXPECT_EQ(delivered->status, 500);
  EXPECT_EQ(delivered->body,
            R"({"code":"internal_error","message":"the request's handler finished without answering"})");
}

TEST(HttpTypes, PercentDecodesAndRejectsMalformedEscapes) {
  EXPECT_EQ(percent_decode("a%20b%2F%2e"), "a b/.");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("%"), std::nullopt);
  EXPECT_EQ(percent_decode("%4"), std::nullopt);
  EXPECT_EQ(percent_decode("%g0"), std::nullopt);
}

TEST(HttpTypes, ParsesQueryStrings) {
  const auto query = parse_query("a=1&b=x%20y&flag&&c=a+b&d=%zz");
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"a", "1"}, {"b", "x y"}, {"flag", ""}, {"c", "a b"}, {"d", "%zz"}};
  EXPECT_EQ(query, expected);
  Request request;
  request.query = query;
  EXPECT_EQ(request.query_param("b"), "x y");
  EXPECT_EQ(request.query_param("zz"), std::nullopt);
}

TEST(HttpTypes, FindsHeadersIgnoringCase) {
  Request request;
  request.headers = {{"Content-Type", "text/plain"}, {"X-Thing", "1"}};
  EXPECT_EQ(request.header("content-type"), "text/plain");
  EXPECT_EQ(request.header("X-THING"), "1");
  EXPECT_EQ(request.header("missing"), std::nullopt);
}

TEST(HttpTypes, JsonErrorEscapesItsMessage) {
  const Response response = json_error(404, "not_found", "no \"doc\"\n");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body, R"({"code":"not_found","message":"no \"doc\"\n"})");
}

TEST(HttpTypes, JsonErrorReplacesBytesThatAreNotUtf8SoTheBodyStaysJson) {
  const Response response = json_error(400, "invalid_message", "not \"\xFF\xFE" "0\", \u00e9");
  EXPECT_EQ(response.body, "{\"code\":\"invalid_message\",\"message\":\"not \\\"\uFFFD\uFFFD" "0\\\", \u00e9\"}");
}

}  // namespace
}  // namespace otter::net
