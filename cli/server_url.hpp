// The --server URL of the `otter` CLI: http://HOST[:PORT][/] or ws://HOST[:PORT][/]
// (default port 80); HOST may be a name, an IPv4 address or a bracketed IPv6 address.
// https:// and wss:// are refused (otterd speaks plain HTTP; put TLS in front of it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace otter::cli {

inline constexpr std::string_view kDefaultServerUrl = "http://127.0.0.1:8080";

struct ServerAddress {
  std::string host;
  std::uint16_t port = 80;
  [[nodiscard]] bool operator==(const ServerAddress&) const = default;
};

// The address, or a sentence saying what is wrong with the URL.
[[nodiscard]] std::variant<ServerAddress, std::string> parse_server_url(std::string_view url);

}  // namespace otter::cli
