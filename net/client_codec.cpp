// The client -> server half of the codec: decode_client_message (the server's input, where
// every bad frame must get a precise error) and encode(ClientMessage) (the client library's
// output).
#include <array>

#include "net/json_fields.hpp"
#include "net/protocol.hpp"
#include "ot/json_codec.hpp"
#include "ot/utf8.hpp"

namespace otter::net {
namespace {

using detail::FieldReader;
namespace json = boost::json;

constexpr std::string_view kClientTypes =
    "hello, open, close, op, presence, ping, dashboard_subscribe, dashboard_unsubscribe, crash";

bool is_id_character(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

bool is_short_id(std::string_view text, std::size_t max_length) noexcept {
  if (text.empty() || text.size() > max_length) return false;
  for (const char c : text) {
    if (!is_id_character(c)) return false;
  }
  return true;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of a \uXXXX escape starting at text[at] (the backslash), or -1.
long escaped_code_unit(std::string_view text, std::size_t at) noexcept {
  if (at + 6 > text.size() || text[at] != '\\' || text[at + 1] != 'u') return -1;
  long unit = 0;
  for (std::size_t i = at + 2; i < at + 6; ++i) {
    const int digit = hex_value(text[i]);
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

// True if the JSON text escapes a UTF-16 surrogate that is not half of a pair. Boost.JSON
// reports some of these as plain syntax errors; the client deserves invalid_utf8.
bool has_lone_surrogate_escape(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') continue;
    const long unit = escaped_code_unit(text, i);
    if (unit < 0) {
      ++i;  // skip the escaped character (it may be a backslash)
      continue;
    }
    if (unit >= 0xDC00 && unit <= 0xDFFF) return true;  // a trailing half first
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      const long next = escaped_code_unit(text, i + 6);
      if (next < 0xDC00 || next > 0xDFFF) return true;
      i += 6;  // the pair's second half
    }
    i += 5;
  }
  return false;
}

// The answer to a frame Boost.JSON could not parse. `consumed` = bytes parsed before the error.
ErrorMessage parse_error(std::string_view frame, const boost::system::error_code& ec, std::size_t consumed) {
  if (!ot::is_valid_utf8(frame)) return make_error(ErrorCode::invalid_utf8, "the frame is not valid UTF-8");
  if (ec == json::error::illegal_leading_surrogate || ec == json::error::illegal_trailing_surrogate ||
      has_lone_surrogate_escape(frame)) {
    return make_error(ErrorCode::invalid_utf8,
                        "a string escapes a lone UTF-16 surrogate (\\ud800 to \\udfff), which is not text");
  }
  return make_error(ErrorCode::bad_json,
                      "the frame is not valid JSON: " + ec.message() + " at byte " + std::to_string(consumed));
}

Hello decode_hello(FieldReader& fields) {
  Hello hello;
  hello.version = fields.required_integer("version");
  hello.client_id = fields.optional_string("client_id");
  if (!fields.failed() && hello.client_id && !is_valid_client_id(*hello.client_id)) {
    fields.fail(ErrorCode::invalid_message, "the \"hello\" message's field \"client_id\" must be 1 to " +
                                                std::to_string(kMaxClientIdLength) +
                                                " characters of [A-Za-z0-9._-], not \"" +
                                                detail::truncated(*hello.client_id) + "\"");
  }
  hello.name = fields.optional_string("name", kMaxNameBytes);
  hello.color = fields.optional_string("color", kMaxColorBytes);
  hello.token = fields.optional_string("token", kMaxTokenBytes);
  return hello;
}

Open decode_open(FieldReader& fields) {
  Open open;
  open.doc = fields.doc();
  open.revision = fields.optional_count("revision");
  open.create = fields.optional_bool("create", true);
  return open;
}

Close decode_close(FieldReader& fields) { return Close{std::nullopt, fields.doc()}; }

ot::Operation decode_op_field(FieldReader& fields, const DecodeLimits& limits) {
  const json::value* value = fields.required("op");
  if (value == nullptr) return {};
  if (!value->is_array()) {
    fields.fail(ErrorCode::invalid_op,
                "field \"op\" must be an array of components (n: retain, \"text\": insert, -n: delete), not " +
                    detail::describe(*value));
    return {};
  }
  if (const std::size_t size = detail::compact_json_size(*value); size > limits.max_op_bytes) {
    fields.fail(ErrorCode::op_too_large, "the op is " + std::to_string(size) + " bytes of JSON; the limit is " +
                                             std::to_string(limits.max_op_bytes) + " (max_op_bytes)");
    return {};
  }
  ot::Expected<ot::Operation> op = ot::from_json(*value);
  if (!op) {
    fields.fail(from_ot(op.error().code), "field \"op\": " + op.error().message);
    return {};
  }
  return std::move(op).value();
}

Edit decode_edit(FieldReader& fields, const DecodeLimits& limits) {
  Edit edit;
  edit.doc = fields.doc();
  edit.rev = fields.required_count("rev");
  edit.seq = fields.required_count("seq", 1);
  if (!fields.failed()) edit.op = decode_op_field(fields, limits);
  return edit;
}

PresenceUpdate decode_presence(FieldReader& fields) {
  PresenceUpdate presence;
  presence.doc = fields.doc();
  const json::value* anchor = fields.required("anchor");
  if (anchor == nullptr || anchor->is_null()) {
    presence.rev = fields.optional_count("rev").value_or(0);
    return presence;
  }
  presence.rev = fields.required_count("rev");
  const std::uint64_t anchor_position = fields.required_count("anchor");
  const std::uint64_t head_position = fields.required_count("head");
  presence.selection = ot::Selection{anchor_position, head_position};
  return presence;
}

// An optional count that must lie in [minimum, maximum] (the sentence names the range and its unit).
std::uint64_t bounded_count(FieldReader& fields, std::string_view key, std::uint64_t fallback, std::uint64_t minimum,
                            std::uint64_t maximum, std::string_view unit) {
  const std::optional<std::uint64_t> value = fields.optional_count(key);
  if (!value) return fallback;
  if (*value < minimum || *value > maximum) {
    fields.fail(ErrorCode::invalid_message, "the \"" + std::string(fields.type()) + "\" message's field \"" +
                                                std::string(key) + "\" must be from " + std::to_string(minimum) +
                                                " to " + std::to_string(maximum) + " " + std::string(unit) +
                                                ", not " + std::to_string(*value));
    return fallback;
  }
  return *value;
}

DashboardSubscribe decode_dashboard_subscribe(FieldReader& fields) {
  DashboardSubscribe subscribe;
  subscribe.interval_ms = bounded_count(fields, "interval_ms", kDefaultDashboardIntervalMs, kMinDashboardIntervalMs,
                                        kMaxDashboardIntervalMs, "(milliseconds)");
  subscribe.max_documents = bounded_count(fields, "max_documents", kDefaultDashboardMaxDocuments, 0,
                                          kMaxDashboardMaxDocuments, "(documents)");
  return subscribe;
}

Crash decode_crash(FieldReader& fields) { return Crash{std::nullopt, fields.doc()}; }

json::object start_object(std::string_view type, const std::optional<RequestId>& id) {
  json::object object;
  object["type"] = json::string_view(type.data(), type.size());
  if (id) object["id"] = detail::to_json(*id);
  return object;
}

json::string_view view(const std::string& text) { return json::string_view(text.data(), text.size()); }

json::object to_object(const Hello& hello) {
  json::object object = start_object("hello", hello.id);
  object["version"] = hello.version;
  if (hello.client_id) object["client_id"] = view(*hello.client_id);
  if (hello.name) object["name"] = view(*hello.name);
  if (hello.color) object["color"] = view(*hello.color);
  if (hello.token) object["token"] = view(*hello.token);
  return object;
}

json::object to_object(const Open& open) {
  json::object object = start_object("open", open.id);
  object["doc"] = view(open.doc);
  if (open.revision) object["revision"] = *open.revision;
  if (!open.create) object["create"] = false;
  return object;
}

json::object to_object(const Close& close) {
  json::object object = start_object("close", close.id);
  object["doc"] = view(close.doc);
  return object;
}

json::object to_object(const Edit& edit) {
  json::object object = start_object("op", edit.id);
  object["doc"] = view(edit.doc);
  object["rev"] = edit.rev;
  object["seq"] = edit.seq;
  object["op"] = ot::to_json(edit.op);
  return object;
}

json::object to_object(const PresenceUpdate& presence) {
  json::object object = start_object("presence", presence.id);
  object["doc"] = view(presence.doc);
  object["rev"] = presence.rev;
  if (presence.selection) {
    object["anchor"] = presence.selection->anchor;
    object["head"] = presence.selection->head;
  } else {
    object["anchor"] = nullptr;
  }
  return object;
}

json::object to_object(const Ping& ping) { return start_object("ping", ping.id); }

json::object to_object(const DashboardSubscribe& subscribe) {
  json::object object = start_object("dashboard_subscribe", subscribe.id);
  object["interval_ms"] = subscribe.interval_ms;
  object["max_documents"] = subscribe.max_documents;
  return object;
}

json::object to_object(const DashboardUnsubscribe& unsubscribe) {
  return start_object("dashboard_unsubscribe", unsubscribe.id);
}

json::object to_object(const Crash& crash) {
  json::object object = start_object("crash", crash.id);
  object["doc"] = view(crash.doc);
  return object;
}

}  // namespace

bool is_valid_doc_id(std::string_view doc) noexcept { return is_short_id(doc, kMaxDocIdLength); }

bool is_valid_client_id(std::string_view client_id) noexcept { return is_short_id(client_id, kMaxClientIdLength); }

std::string_view type_name(const ClientMessage& message) noexcept {
  static constexpr std::array<std::string_view, std::variant_size_v<ClientMessage>> kNames = {
      "hello", "open", "close", "op", "presence", "ping", "dashboard_subscribe", "dashboard_unsubscribe", "crash"};
  return kNames[message.index()];
}

Expected<ClientMessage> decode_client_message(std::string_view frame, const DecodeLimits& limits) {
  // Most frames (keystrokes, cursors) parse without touching the heap.
  std::array<unsigned char, 4096> value_buffer;
  std::array<unsigned char, 1024> parser_buffer;
  json::monotonic_resource resource(value_buffer.data(), value_buffer.size());
  json::stream_parser parser({}, {}, parser_buffer.data(), parser_buffer.size());
  parser.reset(&resource);
  boost::system::error_code ec;
  const std::size_t consumed = parser.write(frame.data(), frame.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) return parse_error(frame, ec, consumed);
  const json::value root = parser.release();

  const json::object* object = root.if_object();
  if (object == nullptr) {
    return make_error(ErrorCode::bad_json, "a message must be a JSON object, not " + detail::describe(root));
  }

  // What an error echoes: the id, and doc/seq when the frame had them in the right type.
  ErrorMessage echo;
  if (const json::value* id = object->if_contains("id")) {
    Expected<RequestId> read = detail::request_id_from_json(*id);
    if (!read) return std::move(read).error();
    echo.id = std::move(*read);
  }
  if (const json::value* doc = object->if_contains("doc"); doc != nullptr && doc->is_string()) {
    echo.doc = std::string(doc->get_string());
  }
  if (const json::value* seq = object->if_contains("seq"); seq != nullptr && seq->is_int64() &&
                                                           seq->get_int64() >= 0 &&
                                                           static_cast<std::uint64_t>(seq->get_int64()) <= kMaxWireInteger) {
    echo.seq = static_cast<std::uint64_t>(seq->get_int64());
  }

  const json::value* type_value = object->if_contains("type");
  if (type_value == nullptr) {
    echo.code = ErrorCode::unknown_type;
    echo.message = "the message has no field \"type\"; expected one of " + std::string(kClientTypes);
    return echo;
  }
  const json::string* type = type_value->if_string();
  if (type == nullptr) {
    echo.code = ErrorCode::unknown_type;
    echo.message = "field \"type\" must be a string, one of " + std::string(kClientTypes) + "; not " +
                   detail::describe(*type_value);
    return echo;
  }
  const std::string_view type_text(type->data(), type->size());
  FieldReader fields(*object, type_text);
  ClientMessage message;
  if (type_text == "op") {
    message = decode_edit(fields, limits);
  } else if (type_text == "presence") {
    message = decode_presence(fields);
  } else if (type_text == "ping") {
    message = Ping{};
  } else if (type_text == "open") {
    message = decode_open(fields);
  } else if (type_text == "close") {
    message = decode_close(fields);
  } else if (type_text == "hello") {
    message = decode_hello(fields);
  } else if (type_text == "dashboard_subscribe") {
    message = decode_dashboard_subscribe(fields);
  } else if (type_text == "dashboard_unsubscribe") {
    message = DashboardUnsubscribe{};
  } else if (type_text == "crash") {
    message = decode_crash(fields);
  } else {
    echo.code = ErrorCode::unknown_type;
    echo.message = "\"" + detail::truncated(type_text) + "\" is not a message type a client sends; expected one of " +
                   std::string(kClientTypes);
    return echo;
  }
  if (fields.failed()) return fields.take_error(std::move(echo));
  std::visit([&](auto& m) { m.id = std::move(echo.id); }, message);
  return message;
}

std::string encode(const ClientMessage& message) {
  return json::serialize(std::visit([](const auto& m) { return to_object(m); }, message));
}

}  // namespace otter::net
