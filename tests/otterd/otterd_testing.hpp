// Helpers for the otterd integration tests: JSON bodies, a REST client bound to one
// OtterdProcess, and WebSocket protocol steps. Everything waits with a bound, never sleeps.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "net/http_client.hpp"
#include "net/ws_client.hpp"
#include "tests/support/otterd_process.hpp"
#include "tests/support/prometheus_text.hpp"
#include "tests/support/test_seed.hpp"

namespace otter::otterd::testing {

namespace json = boost::json;
using namespace std::chrono_literals;
using otter::testing::OtterdOptions;
using otter::testing::OtterdProcess;
using otter::testing::metric_value;
using otter::testing::test_seed;

inline constexpr std::chrono::milliseconds kWait{15'000};

inline json::value parse_json(std::string_view text) {
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  if (error) throw std::runtime_error("not JSON (" + error.message() + "): " + std::string(text));
  return value;
}

inline std::string string_field(const json::value& value, std::string_view key) {
  return std::string(value.as_object().at(key).as_string());
}

inline std::uint64_t count_field(const json::value& value, std::string_view key) {
  return value.as_object().at(key).to_number<std::uint64_t>();
}

// The "code" of a JSON error body ("" if the body is not one).
inline std::string error_code_of(const net::HttpResponse& response) {
  boost::system::error_code error;
  const json::value body = json::parse(response.body, error);
  if (error || !body.is_object() || !body.as_object().contains("code")) return "";
  return std::string(body.as_object().at("code").as_string());
}

// A REST client of one running otterd.
class Api {
 public:
  explicit Api(const OtterdProcess& server) : http_({.port = server.port(), .timeout = kWait}) {}
  explicit Api(std::uint16_t port) : http_({.port = port, .timeout = kWait}) {}

  net::HttpResponse create(std::string_view id, std::string_view text = "") {
    json::object body{{"id", id}};
    if (!text.empty()) body["text"] = text;
    return http_.post("/api/docs", json::serialize(body));
  }
  net::HttpResponse get(std::string_view target) { return http_.get(target); }
  net::HttpResponse submit(std::string_view id, std::uint64_t rev, const json::value& op) {
    return http_.post("/api/docs/" + std::string(id) + "/ops", json::serialize(json::object{{"rev", rev}, {"op", op}}));
  }
  net::HttpResponse submit_as(std::string_view id, std::string_view client_id, std::uint64_t seq, std::uint64_t rev,
                              const json::value& op) {
    return http_.post("/api/docs/" + std::string(id) + "/ops",
                      json::serialize(json::object{{"rev", rev}, {"op", op}, {"client_id", client_id}, {"seq", seq}}));
  }
  // The document's durable text (fails the test if it cannot be read).
  std::string text(std::string_view id) {
    const net::HttpResponse response = http_.get("/api/docs/" + std::string(id));
    if (response.status != 200) {
      ADD_FAILURE() << "GET /api/docs/" << id << ": " << response.status << " " << response.body;
      return "";
    }
    return string_field(parse_json(response.body), "text");
  }
  net::HttpClient& http() { return http_; }

 private:
  net::HttpClient http_;
};

// A WebSocket client that said hello; its next messages are the server's answers.
inline std::unique_ptr<net::WsClient> connect_ws(const OtterdProcess& server, std::string_view client_id) {
  auto client = std::make_unique<net::WsClient>(net::WsClientOptions{.port = server.port(), .timeout = kWait});
  client->send(json::serialize(json::object{{"type", "hello"}, {"version", 1}, {"client_id", client_id}}));
  return client;
}

// The next message of `type` (others are skipped), or a test failure and null.
inline json::value receive_type(net::WsClient& client, std::string_view type,
                                std::chrono::milliseconds timeout = kWait) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    std::optional<std::string> text = client.receive(left);
    if (!text) break;
    json::value message = parse_json(*text);
    if (message.as_object().at("type").as_string() == type) return message;
  }
  ADD_FAILURE() << "no \"" << type << "\" message within " << timeout.count() << " ms";
  return nullptr;
}

// A WebSocket client that was welcomed and opened `doc` (request id 1): its next messages
// follow the `opened`. Null, after a test failure, if either answer did not come.
inline std::unique_ptr<net::WsClient> connect_and_open(const OtterdProcess& server, std::string_view client_id,
                                                      std::string_view doc) {
  std::unique_ptr<net::WsClient> client = connect_ws(server, client_id);
  if (receive_type(*client, "welcome").is_null()) return nullptr;
  client->send(json::serialize(json::object{{"type", "open"}, {"id", 1}, {"doc", doc}}));
  if (receive_type(*client, "opened").is_null()) return nullptr;
  return client;
}

}  // namespace otter::otterd::testing
