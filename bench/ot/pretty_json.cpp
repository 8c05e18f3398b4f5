#include "pretty_json.hpp"

#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <string>

namespace otter::bench {

void print_pretty(std::ostream& out, const boost::json::value& value, int indent) {
  const std::string inner(static_cast<std::size_t>(indent + 2), ' ');
  const std::string outer(static_cast<std::size_t>(indent), ' ');
  if (value.is_object() && !value.get_object().empty()) {
    out << "{\n";
    bool first = true;
    for (const auto& [key, member] : value.get_object()) {
      out << (first ? "" : ",\n") << inner << boost::json::serialize(boost::json::string(key)) << ": ";
      print_pretty(out, member, indent + 2);
      first = false;
    }
    out << '\n' << outer << '}';
  } else if (value.is_array() && !value.get_array().empty()) {
    out << "[\n";
    bool first = true;
    for (const boost::json::value& element : value.get_array()) {
      out << (first ? "" : ",\n") << inner;
      print_pretty(out, element, indent + 2);
      first = false;
    }
    out << '\n' << outer << ']';
  } else if (value.is_double()) {
    // Six significant digits: enough for timings, and no "9.5155554E1" for a reader.
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value.get_double(),
                                      std::chars_format::general, 6);
    out.write(buffer.data(), result.ptr - buffer.data());
  } else {
    out << boost::json::serialize(value);
  }
}

}  // namespace otter::bench
