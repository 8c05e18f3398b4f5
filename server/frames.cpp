#include "server/frames.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <type_traits>
#include <variant>

namespace otter::server {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void append_number(std::string& out, std::uint64_t value) { out.append(std::to_string(value)); }

void append_request_id(std::string& out, const net::RequestId& id) {
  std::visit(
      [&out](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>) {
          append_json_string(out, value);
        } else if constexpr (std::is_same_v<T, double>) {
          out.append(boost::json::serialize(boost::json::value(value)));
        } else {
          out.append(std::to_string(value));
        }
      },
      id.value());
}

void append_entry(std::string& out, const DurableOp& op, bool own) {
  out.append("{\"rev\":");
  append_number(out, op.revision);
  out.append(",\"client_id\":");
  append_json_string(out, op.client_id);
  if (own) {
    out.append(",\"seq\":");
    append_number(out, op.seq);
  } else {
    out.append(",\"op\":");
    out.append(op.op_json);
  }
  out.push_back('}');
}

void append_selection(std::string& out, const std::optional<ot::Selection>& selection) {
  if (!selection) {
    out.append(",\"anchor\":null");
    return;
  }
  out.append(",\"anchor\":");
  append_number(out, selection->anchor);
  out.append(",\"head\":");
  append_number(out, selection->head);
}

void append_peer_fields(std::string& out, const PresenceState& presence) {
  out.append("\"session\":");
  append_json_string(out, presence.session);
  out.append(",\"client_id\":");
  append_json_string(out, presence.client_id);
  if (presence.name) {
    out.append(",\"name\":");
    append_json_string(out, *presence.name);
  }
  if (presence.color) {
    out.append(",\"color\":");
    append_json_string(out, *presence.color);
  }
  append_selection(out, presence.selection);
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  std::size_t clean_from = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.substr(clean_from, i - clean_from));
    clean_from = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default:
        out.append("\\u00");
        out.push_back(kHexDigits[c >> 4]);
        out.push_back(kHexDigits[c & 0xF]);
    }
  }
  out.append(text.substr(clean_from));
  out.push_back('"');
}

OpsFrameWriter::OpsFrameWriter(std::string_view doc) {
  text_.reserve(64 + doc.size());
  text_.append("{\"type\":\"ops\",\"doc\":");
  append_json_string(text_, doc);
  text_.append(",\"ops\":[");
}

void OpsFrameWriter::add(const DurableOp& op, bool own) {
  if (entries_++ > 0) text_.push_back(',');
  append_entry(text_, op, own);
}

void OpsFrameWriter::add_duplicate_ack(std::string_view client_id, std::uint64_t seq, std::uint64_t revision) {
  if (entries_++ > 0) text_.push_back(',');
  text_.append("{\"rev\":");
  append_number(text_, revision);
  text_.append(",\"client_id\":");
  append_json_string(text_, client_id);
  text_.append(",\"seq\":");
  append_number(text_, seq);
  text_.append(",\"duplicate\":true}");
}

std::string OpsFrameWriter::finish() {
  text_.append("]}");
  return std::move(text_);
}

std::size_t entry_size_estimate(const DurableOp& op) noexcept {
  return 48 + op.client_id.size() + op.op_json.size();
}

std::string opened_frame(const std::optional<net::RequestId>& id, std::string_view doc, const OpenedDocument& opened,
                         std::string_view own_client_id) {
  std::string out;
  out.reserve(128 + (opened.text ? opened.text->size() : 0));
  out.append("{\"type\":\"opened\"");
  if (id) {
    out.append(",\"id\":");
    append_request_id(out, *id);
  }
  out.append(",\"doc\":");
  append_json_string(out, doc);
  out.append(",\"revision\":");
  append_number(out, opened.revision);
  if (opened.text) {
    out.append(",\"text\":");
    append_json_string(out, *opened.text);
  } else {
    out.append(",\"ops\":[");
    bool first = true;
    for (const DurableBatchPtr& batch : opened.history) {
      for (const DurableOp& op : batch->ops) {
        if (op.revision <= opened.history_after) continue;
        if (!first) out.push_back(',');
        first = false;
        append_entry(out, op, op.client_id == own_client_id);
      }
    }
    out.push_back(']');
  }
  out.append(",\"presence\":[");
  for (std::size_t i = 0; i < opened.presence.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('{');
    append_peer_fields(out, opened.presence[i]);
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

std::string presence_frame(std::string_view doc, const PresenceState& presence) {
  std::string out;
  out.reserve(128);
  out.append("{\"type\":\"presence\",\"doc\":");
  append_json_string(out, doc);
  out.push_back(',');
  append_peer_fields(out, presence);
  out.push_back('}');
  return out;
}

std::string presence_left_frame(std::string_view doc, std::string_view session) {
  std::string out;
  out.reserve(64);
  out.append("{\"type\":\"presence\",\"doc\":");
  append_json_string(out, doc);
  out.append(",\"session\":");
  append_json_string(out, session);
  out.append(",\"left\":true}");
  return out;
}

}  // namespace otter::server
