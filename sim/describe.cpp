#include "sim/describe.hpp"

#include <cstdio>
#include <sstream>

namespace otter::sim {

std::string wire(const ot::Operation& op) {
  std::ostringstream out;
  out << op;
  return out.str();
}

std::string quoted_text(std::string_view text, std::size_t max_bytes) {
  std::string out = "\"";
  std::size_t end = text.size();
  if (end > max_bytes) {
    end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;  // not inside a code point
  }
  for (std::size_t i = 0; i < end; ++i) {
    const char c = text[i];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  out += '"';
  if (end < text.size()) out += "…";
  return out;
}

std::string misplaced_ack(const std::string& who, std::uint64_t seq, std::uint64_t acked_revision,
                          std::optional<std::uint64_t> stored_revision) {
  return who + ": seq " + std::to_string(seq) + " was acked as revision " + std::to_string(acked_revision) + " but " +
         (stored_revision ? "is stored as revision " + std::to_string(*stored_revision)
                          : std::string("is not in the stored history"));
}

}  // namespace otter::sim
