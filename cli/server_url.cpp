#include "cli/server_url.hpp"

#include <charconv>

namespace otter::cli {

std::variant<ServerAddress, std::string> parse_server_url(std::string_view url) {
  const auto bad = [url](const std::string& why) { return "--server \"" + std::string(url) + "\": " + why; };
  std::string_view rest = url;
  if (rest.starts_with("https://") || rest.starts_with("wss://")) {
    return bad("TLS is not supported; use http:// (put a TLS proxy in front of otterd)");
  }
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("ws://")) {
    rest.remove_prefix(5);
  } else {
    return bad("expected http://HOST[:PORT]");
  }
  if (const std::size_t slash = rest.find('/'); slash != std::string_view::npos) {
    if (rest.substr(slash) != "/") return bad("a path is not allowed (the WebSocket is always /ws)");
    rest = rest.substr(0, slash);
  }
  ServerAddress address;
  std::string_view port;
  if (rest.starts_with("[")) {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("an IPv6 address needs its closing ']'");
    address.host = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(":")) return bad("expected ':PORT' after the IPv6 address");
      port = rest.substr(1);
    }
  } else {
    const std::size_t colon = rest.rfind(':');
    address.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (address.host.empty()) return bad("the host is missing");
  if (port.data() != nullptr) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || error != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return bad("the port must be a number from 1 to 65535");
    }
    address.port = static_cast<std::uint16_t>(value);
  }
  return address;
}

}  // namespace otter::cli
