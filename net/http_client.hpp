// HttpClient: a small blocking HTTP/1.1 client for the CLI, integration tests and the
// simulator. No Beast in this header.
//
//   HttpClient http({.port = server.port()});
//   HttpResponse response = http.put("/api/docs/notes", R"({"text": "hi"})");
//   response.status, response.body, response.header("Content-Type")
//
// Contract
// - One keep-alive connection, opened on first use and reopened when the server closed it
//   (a request on a reused connection that fails before any response is retried once).
// - The target is sent exactly as given (no normalization): tests use it to send hostile
//   paths.
// - Every request (connect, write, read) must finish within the timeout option; a failure
//   to talk to the server throws ClientError. An HTTP error status is not an exception.
// - Not thread-safe: one request at a time per HttpClient.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/client_error.hpp"
#include "net/http_types.hpp"

namespace otter::net {

struct HttpClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::chrono::milliseconds timeout{10'000};
  std::size_t max_body_bytes = 64 * 1024 * 1024;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::vector<Header> headers;

  [[nodiscard]] std::optional<std::string> header(std::string_view name) const { return find_header(headers, name); }
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `method` is any token ("GET", "PUT", "PATCH", ...).
  HttpResponse request(std::string_view method, std::string_view target, std::string body = {},
                       std::string_view content_type = "application/json", const std::vector<Header>& headers = {});

  HttpResponse get(std::string_view target) { return request("GET", target); }
  HttpResponse head(std::string_view target) { return request("HEAD", target); }
  HttpResponse put(std::string_view target, std::string body) { return request("PUT", target, std::move(body)); }
  HttpResponse post(std::string_view target, std::string body) { return request("POST", target, std::move(body)); }
  HttpResponse del(std::string_view target) { return request("DELETE", target); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace otter::net
