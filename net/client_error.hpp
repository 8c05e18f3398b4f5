// ClientError: what the C++ clients (net/ws_client.hpp, net/http_client.hpp) throw when
// they cannot talk to the server at all (connect refused, handshake failed, timeout).
// The message says what was tried and why it failed.
#pragma once

#include <stdexcept>

namespace otter::net {

class ClientError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace otter::net
