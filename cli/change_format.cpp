#include "cli/change_format.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "ot/json_codec.hpp"

namespace otter::cli {

std::string quoted(std::string_view text) { return boost::json::serialize(boost::json::string(text)); }

std::string describe_change(const net::RemoteEditEvent& change, const std::optional<std::string>& author_name) {
  std::string line = "r" + std::to_string(change.revision) + " " + change.client_id;
  if (author_name) line += " (" + *author_name + ")";
  line += ":";
  std::size_t position = 0;
  std::size_t erase_index = 0;
  bool first = true;
  for (const ot::Component& component : change.op.components()) {
    if (component.is_retain()) {
      position += component.length();
      continue;
    }
    line += first ? " " : ", ";
    first = false;
    if (component.is_insert()) {
      line += "insert " + quoted(component.text()) + " at " + std::to_string(position);
      position += component.length();
    } else {
      line += "delete " + std::to_string(component.length()) + " at " + std::to_string(position);
      if (erase_index < change.erased.size()) line += " (" + quoted(change.erased[erase_index]) + ")";
      ++erase_index;
    }
  }
  if (first) line += " no change";
  return line;
}

std::string change_json(const net::RemoteEditEvent& change, const std::optional<std::string>& author_name) {
  boost::json::object object;
  object["type"] = "change";
  object["rev"] = change.revision;
  object["client_id"] = change.client_id;
  if (author_name) object["name"] = *author_name;
  object["op"] = ot::to_json(change.op);
  boost::json::array deleted;
  for (const std::string& text : change.erased) deleted.emplace_back(text);
  object["deleted"] = std::move(deleted);
  return boost::json::serialize(object);
}

}  // namespace otter::cli
