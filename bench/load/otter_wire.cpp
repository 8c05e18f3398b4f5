// Otter's protocol (docs/protocol.md): hello + open; `op` with rev/seq; `ops` batches in
// which the entry for this client's own op (client_id and seq, no op) is its ack. `ops`
// frames, nearly all of what a client reads, go through OtterOpsReader; the rest through
// a DOM parse.
#include <boost/json/value.hpp>

#include "bench/load/json_frame.hpp"
#include "bench/load/otter_ops_reader.hpp"
#include "bench/load/wire_protocol.hpp"

namespace otter::bench {
namespace {

namespace json = boost::json;

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
    if (ops_reader_.read(frame, identity_.client_id, out)) return;
    json::value message;
    if (!parse_json_object(frame, message, out)) return;
    const json::object& object = message.get_object();
    const json::value* type = object.if_contains("type");
    if (type == nullptr || !type->is_string()) return;
    const json::string& name = type->get_string();
    if (name == "opened") {
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
  ClientIdentity identity_;
  OtterOpsReader ops_reader_;
};

}  // namespace

std::unique_ptr<ClientWire> make_otter_wire(ClientIdentity identity) {
  return std::make_unique<OtterWire>(std::move(identity));
}

}  // namespace otter::bench
