// The server -> client half of the codec: encode(ServerMessage) (the server's output, on
// the fan-out path: one encode per flush, shared by every receiver of a broadcast) and
// decode_server_message (the C++ client library's input).
#include <array>

#include "net/json_fields.hpp"
#include "net/protocol.hpp"
#include "ot/json_codec.hpp"

namespace otter::net {
namespace {

namespace json = boost::json;
using detail::FieldReader;

constexpr std::string_view kServerTypes = "welcome, opened, closed, ops, presence, pong, error";

json::string_view view(const std::string& text) { return json::string_view(text.data(), text.size()); }

json::object start_object(std::string_view type, const std::optional<RequestId>& id) {
  json::object object;
  object["type"] = json::string_view(type.data(), type.size());
  if (id) object["id"] = detail::to_json(*id);
  return object;
}

json::object to_object(const OpsEntry& entry) {
  json::object object;
  object["rev"] = entry.rev;
  object["client_id"] = view(entry.client_id);
  if (entry.op) object["op"] = ot::to_json(*entry.op);
  if (entry.seq) object["seq"] = *entry.seq;
  if (entry.duplicate) object["duplicate"] = true;
  return object;
}

json::array to_array(const std::vector<OpsEntry>& entries) {
  json::array array;
  array.reserve(entries.size());
  for (const OpsEntry& entry : entries) array.emplace_back(to_object(entry));
  return array;
}

void put_selection(json::object& object, const std::optional<ot::Selection>& selection) {
  if (selection) {
    object["anchor"] = selection->anchor;
    object["head"] = selection->head;
  } else {
    object["anchor"] = nullptr;
  }
}

void put_peer(json::object& object, const PeerPresence& peer) {
  object["session"] = view(peer.session);
  object["client_id"] = view(peer.client_id);
  if (peer.name) object["name"] = view(*peer.name);
  if (peer.color) object["color"] = view(*peer.color);
  put_selection(object, peer.selection);
}

json::object to_object(const Welcome& welcome) {
  json::object object = start_object("welcome", welcome.id);
  object["version"] = welcome.version;
  object["session"] = view(welcome.session);
  object["client_id"] = view(welcome.client_id);
  object["server"] = view(welcome.server);
  object["heartbeat_ms"] = welcome.heartbeat_ms;
  json::object limits;
  limits["max_frame_bytes"] = welcome.limits.max_frame_bytes;
  limits["max_op_bytes"] = welcome.limits.max_op_bytes;
  limits["max_doc_code_points"] = welcome.limits.max_doc_code_points;
  limits["ops_per_second"] = welcome.limits.ops_per_second;
  limits["max_open_docs"] = welcome.limits.max_open_docs;
  object["limits"] = std::move(limits);
  return object;
}

json::object to_object(const Opened& opened) {
  json::object object = start_object("opened", opened.id);
  object["doc"] = view(opened.doc);
  object["revision"] = opened.revision;
  if (opened.text) object["text"] = view(*opened.text);
  if (opened.ops) object["ops"] = to_array(*opened.ops);
  json::array presence;
  presence.reserve(opened.presence.size());
  for (const PeerPresence& peer : opened.presence) {
    json::object entry;
    put_peer(entry, peer);
    presence.emplace_back(std::move(entry));
  }
  object["presence"] = std::move(presence);
  return object;
}

json::object to_object(const Closed& closed) {
  json::object object = start_object("closed", closed.id);
  object["doc"] = view(closed.doc);
  return object;
}

json::object to_object(const Ops& ops) {
  json::object object = start_object("ops", std::nullopt);
  object["doc"] = view(ops.doc);
  object["ops"] = to_array(ops.entries);
  return object;
}

json::object to_object(const PresenceBroadcast& presence) {
  json::object object = start_object("presence", std::nullopt);
  object["doc"] = view(presence.doc);
  if (presence.left) {
    object["session"] = view(presence.peer.session);
    object["left"] = true;
  } else {
    put_peer(object, presence.peer);
  }
  return object;
}

json::object to_object(const Pong& pong) { return start_object("pong", pong.id); }

json::object to_object(const ErrorMessage& error) {
  json::object object = start_object("error", error.id);
  object["code"] = to_string(error.code);
  object["message"] = view(error.message);
  if (error.doc) object["doc"] = view(*error.doc);
  if (error.seq) object["seq"] = *error.seq;
  if (!error.supported.empty()) {
    json::array supported;
    for (const std::int64_t version : error.supported) supported.emplace_back(version);
    object["supported"] = std::move(supported);
  }
  return object;
}

// ---------------------------------------------------------------- decoding

const json::array* required_array(FieldReader& fields, std::string_view key) {
  const json::value* value = fields.required(key);
  if (value == nullptr) return nullptr;
  if (!value->is_array()) {
    fields.fail_type(key, "an array", *value);
    return nullptr;
  }
  return &value->get_array();
}

std::optional<ot::Operation> decode_op(FieldReader& fields, const json::value& value) {
  ot::Expected<ot::Operation> op = ot::from_json(value);
  if (!op) {
    fields.fail(ErrorCode::invalid_message, "field \"op\": " + op.error().message);
    return std::nullopt;
  }
  return std::move(op).value();
}

std::vector<OpsEntry> decode_entries(FieldReader& fields, const json::array& items) {
  std::vector<OpsEntry> entries;
  entries.reserve(items.size());
  for (const json::value& item : items) {
    if (fields.failed()) break;
    const json::object* object = item.if_object();
    if (object == nullptr) {
      fields.fail(ErrorCode::invalid_message, "an ops entry must be an object, not " + detail::describe(item));
      break;
    }
    FieldReader entry_fields(*object, "ops entry");
    OpsEntry entry;
    entry.rev = entry_fields.required_count("rev");
    entry.client_id = entry_fields.required_string("client_id");
    if (const json::value* op = entry_fields.optional("op"); op != nullptr && !entry_fields.failed()) {
      entry.op = decode_op(entry_fields, *op);
    }
    entry.seq = entry_fields.optional_count("seq", 1);
    entry.duplicate = entry_fields.optional_bool("duplicate", false);
    if (entry_fields.failed()) {
      fields.fail(ErrorCode::invalid_message, entry_fields.take_error({}).message);
      break;
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::optional<ot::Selection> decode_selection(FieldReader& fields) {
  const json::value* anchor = fields.required("anchor");
  if (anchor == nullptr || anchor->is_null()) return std::nullopt;
  const std::uint64_t anchor_position = fields.required_count("anchor");
  const std::uint64_t head_position = fields.required_count("head");
  return ot::Selection{anchor_position, head_position};
}

PeerPresence decode_peer(FieldReader& fields) {
  PeerPresence peer;
  peer.session = fields.required_string("session");
  peer.client_id = fields.required_string("client_id");
  peer.name = fields.optional_string("name");
  peer.color = fields.optional_string("color");
  peer.selection = decode_selection(fields);
  return peer;
}

Welcome decode_welcome(FieldReader& fields) {
  Welcome welcome;
  welcome.version = fields.required_integer("version");
  welcome.session = fields.required_string("session");
  welcome.client_id = fields.required_string("client_id");
  welcome.server = fields.required_string("server");
  welcome.heartbeat_ms = fields.required_count("heartbeat_ms");
  const json::value* limits = fields.required("limits");
  if (limits == nullptr) return welcome;
  if (!limits->is_object()) {
    fields.fail_type("limits", "an object", *limits);
    return welcome;
  }
  FieldReader limit_fields(limits->get_object(), "limits");
  welcome.limits.max_frame_bytes = limit_fields.required_count("max_frame_bytes");
  welcome.limits.max_op_bytes = limit_fields.required_count("max_op_bytes");
  welcome.limits.max_doc_code_points = limit_fields.required_count("max_doc_code_points");
  welcome.limits.ops_per_second = limit_fields.required_count("ops_per_second");
  welcome.limits.max_open_docs = limit_fields.required_count("max_open_docs");
  if (limit_fields.failed()) fields.fail(ErrorCode::invalid_message, limit_fields.take_error({}).message);
  return welcome;
}

Opened decode_opened(FieldReader& fields) {
  Opened opened;
  opened.doc = fields.doc();
  opened.revision = fields.required_count("revision");
  opened.text = fields.optional_string("text");
  if (fields.optional("ops") != nullptr) {
    if (const json::array* ops = required_array(fields, "ops")) opened.ops = decode_entries(fields, *ops);
  }
  if (!opened.text && !opened.ops && !fields.failed()) {
    fields.fail(ErrorCode::invalid_message, "the \"opened\" message has neither \"text\" nor \"ops\"");
  }
  if (fields.optional("presence") == nullptr) return opened;  // the resume form may leave it out
  const json::array* presence = required_array(fields, "presence");
  if (presence == nullptr) return opened;
  for (const json::value& item : *presence) {
    if (fields.failed()) break;
    const json::object* object = item.if_object();
    if (object == nullptr) {
      fields.fail(ErrorCode::invalid_message, "a presence entry must be an object, not " + detail::describe(item));
      break;
    }
    FieldReader peer_fields(*object, "presence entry");
    PeerPresence peer = decode_peer(peer_fields);
    if (peer_fields.failed()) {
      fields.fail(ErrorCode::invalid_message, peer_fields.take_error({}).message);
      break;
    }
    opened.presence.push_back(std::move(peer));
  }
  return opened;
}

Ops decode_ops(FieldReader& fields) {
  Ops ops;
  ops.doc = fields.doc();
  if (const json::array* entries = required_array(fields, "ops")) ops.entries = decode_entries(fields, *entries);
  return ops;
}

PresenceBroadcast decode_presence(FieldReader& fields) {
  PresenceBroadcast presence;
  presence.doc = fields.doc();
  presence.left = fields.optional_bool("left", false);
  if (presence.left) {
    presence.peer.session = fields.required_string("session");
  } else {
    presence.peer = decode_peer(fields);
  }
  return presence;
}

ErrorMessage decode_error(FieldReader& fields) {
  ErrorMessage error;
  const std::string code = fields.required_string("code");
  if (!fields.failed()) {
    if (const std::optional<ErrorCode> parsed = parse_error_code(code)) {
      error.code = *parsed;
    } else {
      fields.fail(ErrorCode::invalid_message, "\"" + detail::truncated(code) + "\" is not an error code of protocol v1");
    }
  }
  error.message = fields.required_string("message");
  error.doc = fields.optional_string("doc");
  error.seq = fields.optional_count("seq");
  if (const json::value* supported = fields.optional("supported"); supported != nullptr && !fields.failed()) {
    const json::array* versions = supported->if_array();
    if (versions == nullptr) {
      fields.fail_type("supported", "an array of integers", *supported);
      return error;
    }
    for (const json::value& version : *versions) {
      if (!version.is_int64()) {
        fields.fail_type("supported", "an array of integers", *supported);
        break;
      }
      error.supported.push_back(version.get_int64());
    }
  }
  return error;
}

}  // namespace

std::string_view type_name(const ServerMessage& message) noexcept {
  static constexpr std::array<std::string_view, std::variant_size_v<ServerMessage>> kNames = {
      "welcome", "opened", "closed", "ops", "presence", "pong", "error"};
  return kNames[message.index()];
}

std::string encode(const ServerMessage& message) {
  return json::serialize(std::visit([](const auto& m) { return to_object(m); }, message));
}

std::string encode_entry(const OpsEntry& entry) { return json::serialize(to_object(entry)); }

OpsFrameBuilder::OpsFrameBuilder(std::string_view doc) {
  frame_.reserve(64 + doc.size());
  frame_ += R"({"type":"ops","doc":")";
  frame_ += doc;
  frame_ += R"(","ops":[)";
}

void OpsFrameBuilder::add(std::string_view encoded_entry) {
  if (count_++ > 0) frame_ += ',';
  frame_ += encoded_entry;
}

std::string OpsFrameBuilder::finish() && {
  frame_ += "]}";
  return std::move(frame_);
}

Expected<ServerMessage> decode_server_message(std::string_view frame) {
  boost::system::error_code ec;
  const json::value root = json::parse(json::string_view(frame.data(), frame.size()), ec);
  if (ec) return make_error(ErrorCode::bad_json, "the frame is not valid JSON: " + ec.message());
  const json::object* object = root.if_object();
  if (object == nullptr) {
    return make_error(ErrorCode::bad_json, "a message must be a JSON object, not " + detail::describe(root));
  }
  std::optional<RequestId> id;
  if (const json::value* id_value = object->if_contains("id")) {
    Expected<RequestId> read = detail::request_id_from_json(*id_value);
    if (!read) return std::move(read).error();
    id = std::move(*read);
  }
  const json::value* type_value = object->if_contains("type");
  const json::string* type = type_value != nullptr ? type_value->if_string() : nullptr;
  if (type == nullptr) {
    return make_error(ErrorCode::unknown_type,
                        "the message has no string field \"type\"; expected one of " + std::string(kServerTypes));
  }
  const std::string_view type_text(type->data(), type->size());
  FieldReader fields(*object, type_text);
  ServerMessage message;
  if (type_text == "ops") {
    message = decode_ops(fields);
  } else if (type_text == "presence") {
    message = decode_presence(fields);
  } else if (type_text == "error") {
    ErrorMessage error = decode_error(fields);
    error.id = id;
    message = std::move(error);
  } else if (type_text == "opened") {
    Opened opened = decode_opened(fields);
    opened.id = id;
    message = std::move(opened);
  } else if (type_text == "welcome") {
    Welcome welcome = decode_welcome(fields);
    welcome.id = id;
    message = std::move(welcome);
  } else if (type_text == "closed") {
    message = Closed{id, fields.doc()};
  } else if (type_text == "pong") {
    message = Pong{id};
  } else {
    return make_error(ErrorCode::unknown_type, "\"" + detail::truncated(type_text) +
                                                     "\" is not a message type the server sends; expected one of " +
                                                     std::string(kServerTypes));
  }
  if (fields.failed()) {
    ErrorMessage echo;
    echo.id = id;
    return fields.take_error(std::move(echo));
  }
  return message;
}

}  // namespace otter::net
