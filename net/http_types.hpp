// Plain HTTP request/response values for REST handlers: what net/router.hpp hands a handler
// and what the handler answers. No Beast here; http_session.cpp converts.
//
// - Request::path is the target's path, still percent-encoded (as routed); path_params and
//   query are decoded. Header names compare case-insensitively.
// - Response defaults to 200 application/json. json_error() builds the error body every
//   REST handler should use: {"code": "...", "message": "..."}, the same stable codes and
//   sentences as the WebSocket protocol where they apply (net/error_code.hpp).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace otter::net {

struct Header {
  std::string name;
  std::string value;
  [[nodiscard]] bool operator==(const Header&) const = default;
};

// The value of the first header called `name` (case-insensitive), or nullopt.
[[nodiscard]] std::optional<std::string> find_header(const std::vector<Header>& headers, std::string_view name);

struct Request {
  std::string method;  // as sent: "GET", "PUT", ...
  std::string target;  // the raw request-target: "/api/docs/a%20b?x=1"
  std::string path;    // the target before '?', percent-encoded: "/api/docs/a%20b"
  std::map<std::string, std::string, std::less<>> path_params;      // {"id": "a b"}
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order; "+" is a space
  std::vector<Header> headers;
  std::string body;
  std::string remote_endpoint;  // "127.0.0.1:53211"

  [[nodiscard]] std::optional<std::string> header(std::string_view name) const { return find_header(headers, name); }
  // The first query parameter called `name`, or nullopt.
  [[nodiscard]] std::optional<std::string> query_param(std::string_view name) const;
  // path_params.at(name); throws std::out_of_range for a name not in the route's pattern.
  [[nodiscard]] const std::string& param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<Header> headers;  // extra headers (Content-Type/Length are set from the fields)

  [[nodiscard]] static Response json(int status, std::string body) {
    return Response{status, "application/json", std::move(body), {}};
  }
  [[nodiscard]] static Response text(int status, std::string body) {
    return Response{status, "text/plain; charset=utf-8", std::move(body), {}};
  }
};

// {"code": code, "message": message} with `status`; JSON-escaped, and any bytes of `message`
// that are not UTF-8 replaced by U+FFFD, so the body is always valid JSON.
[[nodiscard]] Response json_error(int status, std::string_view code, std::string_view message);

// Percent-decoding (RFC 3986): "%41" -> "A". nullopt for a malformed escape ("%4", "%zz").
// With plus_is_space (query strings), "+" decodes to " ".
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);
// Splits "a=1&b=x%20y" into decoded pairs; malformed escapes are kept verbatim.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

}  // namespace otter::net
