// Reading a JSON frame in the adapters of servers that speak JSON (Otter, ShareDB).
#pragma once

#include <string_view>

#include <boost/json/value.hpp>

#include "bench/load/wire_protocol.hpp"

namespace otter::bench {

// Parses `frame` into `message`; false, with an error event added to `out`, if it is not a
// JSON object.
[[nodiscard]] bool parse_json_object(std::string_view frame, boost::json::value& message, Decoded& out);

}  // namespace otter::bench
