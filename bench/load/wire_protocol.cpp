#include "bench/load/wire_protocol.hpp"

#include <charconv>

namespace otter::bench {

std::unique_ptr<ClientWire> make_otter_wire(ClientIdentity identity);
std::unique_ptr<ClientWire> make_sharedb_wire(ClientIdentity identity);
std::unique_ptr<ClientWire> make_relay_wire(ClientIdentity identity);

std::unique_ptr<ClientWire> make_client_wire(Protocol protocol, ClientIdentity identity) {
  switch (protocol) {
    case Protocol::otter:
      return make_otter_wire(std::move(identity));
    case Protocol::sharedb:
      return make_sharedb_wire(std::move(identity));
    case Protocol::relay:
      return make_relay_wire(std::move(identity));
  }
  return nullptr;
}

std::size_t sender_of(std::string_view client_id) noexcept {
  const std::size_t dash = client_id.rfind('-');
  if (dash == std::string_view::npos) return WireEvent::kUnknownSender;
  std::size_t index = 0;
  const char* first = client_id.data() + dash + 1;
  const char* last = client_id.data() + client_id.size();
  const auto [end, error] = std::from_chars(first, last, index);
  if (error != std::errc() || end != last) return WireEvent::kUnknownSender;
  return index;
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20) {
      out += "\\u00";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

void append_splice(std::string& out, const Edit& edit, SpliceStyle style) {
  out.push_back('[');
  bool first = true;
  const auto component = [&]() -> std::string& {
    if (!first) out.push_back(',');
    first = false;
    return out;
  };
  if (edit.position > 0) component() += std::to_string(edit.position);
  if (!edit.insert.empty()) append_json_string(component(), edit.insert);
  if (edit.erase > 0) {
    if (style == SpliceStyle::ot_js) {
      component() += std::to_string(-edit.erase);
    } else {
      component() += R"({"d":)" + std::to_string(edit.erase) + "}";
    }
  }
  if (const std::int64_t rest = edit.length - edit.position - edit.erase; style == SpliceStyle::ot_js && rest > 0) {
    component() += std::to_string(rest);
  }
  out.push_back(']');
}

void append_op_fields(std::string& out, std::string_view version_key, const Edit& edit, SpliceStyle style) {
  out += ",\"";
  out += version_key;
  out += "\":";
  out += std::to_string(edit.base_version);
  out += ",\"seq\":";
  out += std::to_string(edit.seq);
  out += ",\"op\":";
  append_splice(out, edit, style);
  out.push_back('}');
}

std::int64_t count_code_points(std::string_view text) noexcept {
  std::int64_t count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

}  // namespace otter::bench
