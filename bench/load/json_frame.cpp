#include "bench/load/json_frame.hpp"

#include <boost/json/parse.hpp>

namespace otter::bench {

bool parse_json_object(std::string_view frame, boost::json::value& message, Decoded& out) {
  boost::json::error_code ec;
  message = boost::json::parse(frame, ec);
  if (!ec && message.is_object()) return true;
  out.events.push_back(WireEvent::error("not a JSON object: " + std::string(frame)));
  return false;
}

}  // namespace otter::bench
