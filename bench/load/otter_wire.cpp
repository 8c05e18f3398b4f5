// Otter's protocol (docs/protocol.md): hello + open; `op` with rev/seq; `ops` batches in
// which the entry for this client's own op (client_id and seq, no op) is its ack.
#include <boost/json/value.hpp>

#include "bench/load/json_frame.hpp"
#include "bench/load/wire_protocol.hpp"

namespace otter::bench {
namespace {

namespace json = boost::json;

// How an op in the ot.js encoding changes a document's length.
std::int64_t length_delta(const json::array& op) {
  std::int64_t delta = 0;
  for (const json::value& component : op) {
    if (component.is_string()) {
      delta += count_code_points(component.get_string());
    } else if (component.is_int64() && component.get_int64() < 0) {
      delta += component.get_int64();
    }
  }
  return delta;
}

class OtterWire final : public ClientWire {
 public:
  explicit OtterWire(ClientIdentity identity) : identity_(std::move(identity)) {}

  [[nodiscard]] std::string target() const override { return "/ws"; }

  [[nodiscard]] std::vector<std::string> join() override {
    std::string hello = R"({"type":"hello","version":1,"client_id":)";
    append_json_string(hello, identity_.client_id);
    hello += R"(,"name":"otter bench"})";
    std::string open = R"({"type":"open","id":1,"doc":)";
    append_json_string(open, identity_.doc);
    open += "}";
    return {std::move(hello), std::move(open)};
  }

  [[nodiscard]] std::string edit(const Edit& edit) override {
    std::string frame = R"({"type":"op","doc":)";
    append_json_string(frame, identity_.doc);
    append_op_fields(frame, "rev", edit, SpliceStyle::ot_js);
    return frame;
  }

  void decode(std::string_view frame, Decoded& out) override {
    json::value message;
    if (!parse_json_object(frame, message, out)) return;
    const json::object& object = message.get_object();
    const json::value* type = object.if_contains("type");
    if (type == nullptr || !type->is_string()) return;
    const json::string& name = type->get_string();
    if (name == "ops") {
      decode_ops(object, out);
    } else if (name == "opened") {
      WireEvent ready = WireEvent::ready(0, 0);
      ready.version = object.at("revision").to_number<std::uint64_t>();
      if (const json::value* text = object.if_contains("text"); text != nullptr && text->is_string()) {
        ready.length = count_code_points(text->get_string());
      }
      out.events.push_back(std::move(ready));
    } else if (name == "error") {
      out.events.push_back(WireEvent::error(std::string(frame)));
    }
  }

 private:
  void decode_ops(const json::object& object, Decoded& out) const {
    const json::value* ops = object.if_contains("ops");
    if (ops == nullptr || !ops->is_array()) return;
    for (const json::value& entry_value : ops->get_array()) {
      const json::object& entry = entry_value.get_object();
      if (const json::value* duplicate = entry.if_contains("duplicate"); duplicate && duplicate->is_bool() &&
                                                                          duplicate->get_bool()) {
        continue;  // an ack out of the revision stream for a resend; the benchmark never resends
      }
      WireEvent applied;
      applied.version = entry.at("rev").to_number<std::uint64_t>();
      const json::string& client_id = entry.at("client_id").get_string();
      const json::value* op = entry.if_contains("op");
      if (op == nullptr && client_id == identity_.client_id) {
        applied.own = true;
        applied.seq = entry.at("seq").to_number<std::uint64_t>();
      } else if (op != nullptr && op->is_array()) {
        applied.delta = length_delta(op->get_array());
        applied.sender = sender_of(client_id);
      }
      out.events.push_back(applied);
    }
  }

  ClientIdentity identity_;
};

}  // namespace

std::unique_ptr<ClientWire> make_otter_wire(ClientIdentity identity) {
  return std::make_unique<OtterWire>(std::move(identity));
}

}  // namespace otter::bench
