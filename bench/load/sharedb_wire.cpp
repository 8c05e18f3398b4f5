// ShareDB's JSON protocol (bench/sharedb/; sharedb 7's lib/agent.js): handshake `hs` with
// our client id as `id` (ShareDB then uses it as the `src` of our ops), `s` to subscribe,
// `op` with v (the version the op applies to) and seq. An `op` reply without `op` whose
// src is ours is the ack; ops of others arrive from the subscription, and again in a
// submit's reply when they were concurrent (deduplicated by version in the client).
// Documents use the text-unicode type: [skip, "insert", {"d": count}].
#include <boost/json/value.hpp>

#include "bench/load/json_frame.hpp"
#include "bench/load/wire_protocol.hpp"

namespace otter::bench {
namespace {

namespace json = boost::json;

constexpr std::string_view kCollection = "docs";
constexpr std::string_view kTypeUri = "http://sharejs.org/types/text-unicode";

std::int64_t length_delta(const json::array& op) {
  std::int64_t delta = 0;
  for (const json::value& component : op) {
    if (component.is_string()) {
      delta += count_code_points(component.get_string());
    } else if (component.is_object()) {
      const json::value& erased = component.get_object().at("d");
      delta -= erased.is_string() ? count_code_points(erased.get_string()) : erased.to_number<std::int64_t>();
    }
  }
  return delta;
}

class ShareDbWire final : public ClientWire {
 public:
  explicit ShareDbWire(ClientIdentity identity) : identity_(std::move(identity)) {}

  [[nodiscard]] std::string target() const override { return "/"; }

  [[nodiscard]] std::uint64_t first_seq() const noexcept override { return identity_.creator ? 2 : 1; }

  [[nodiscard]] std::vector<std::string> join() override {
    std::string handshake = R"({"a":"hs","protocol":1,"protocolMinor":2,"id":)";
    append_json_string(handshake, identity_.client_id);
    handshake += "}";
    if (!identity_.creator) return {std::move(handshake), subscribe()};
    std::string create = document_message("op");
    create += R"(,"v":0,"seq":1,"create":{"type":")" + std::string(kTypeUri) + R"(","data":""}})";
    return {std::move(handshake), std::move(create)};
  }

  [[nodiscard]] std::string edit(const Edit& edit) override {
    std::string frame = document_message("op");
    append_op_fields(frame, "v", edit, SpliceStyle::text_unicode);
    return frame;
  }

  void decode(std::string_view frame, Decoded& out) override {
    json::value message;
    if (!parse_json_object(frame, message, out)) return;
    const json::object& object = message.get_object();
    if (object.contains("error")) {
      out.events.push_back(WireEvent::error(std::string(frame)));
      return;
    }
    const json::value* action = object.if_contains("a");
    if (action == nullptr || !action->is_string()) return;
    if (action->get_string() == "s") {
      WireEvent ready = WireEvent::ready(0, 0);
      const json::object& data = object.at("data").get_object();
      ready.version = data.at("v").to_number<std::uint64_t>();
      if (const json::value* text = data.if_contains("data"); text != nullptr && text->is_string()) {
        ready.length = count_code_points(text->get_string());
      }
      out.events.push_back(std::move(ready));
    } else if (action->get_string() == "op") {
      decode_op(object, out);
    }
  }

 private:
  [[nodiscard]] std::string document_message(std::string_view action) const {
    std::string message = R"({"a":")" + std::string(action) + R"(","c":")" + std::string(kCollection) + R"(","d":)";
    append_json_string(message, identity_.doc);
    return message;
  }

  [[nodiscard]] std::string subscribe() const { return document_message("s") + "}"; }

  void decode_op(const json::object& object, Decoded& out) {
    const json::value* source = object.if_contains("src");
    const bool mine = source != nullptr && source->is_string() && source->get_string() == identity_.client_id;
    const std::uint64_t seq = object.at("seq").to_number<std::uint64_t>();
    if (mine && identity_.creator && seq == 1) {
      out.replies.push_back(subscribe());  // the document exists now
      return;
    }
    if (object.contains("create") || object.contains("del")) return;
    WireEvent applied;
    applied.version = object.at("v").to_number<std::uint64_t>() + 1;
    applied.seq = seq;
    const json::value* op = object.if_contains("op");
    if (mine && op == nullptr) {
      applied.own = true;
    } else if (op != nullptr && op->is_array()) {
      applied.delta = length_delta(op->get_array());
      applied.sender = source != nullptr && source->is_string() ? sender_of(source->get_string())
                                                                 : WireEvent::kUnknownSender;
    } else {
      return;
    }
    out.events.push_back(applied);
  }

  ClientIdentity identity_;
};

}  // namespace

std::unique_ptr<ClientWire> make_sharedb_wire(ClientIdentity identity) {
  return std::make_unique<ShareDbWire>(std::move(identity));
}

}  // namespace otter::bench
