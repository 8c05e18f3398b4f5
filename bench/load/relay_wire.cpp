// The bare relay's protocol (bench/relay/): no handshake, the document is the URL path
// (/ws/DOC), every frame sent is acked with the fixed frame {"ack":1} and copied to every
// other connection on the same path. Our edit frames say who sent them, which seq and how
// the length changes ({"c":3,"s":17,"d":1,"op":[...]}), so receivers need no OT.
#include <charconv>

#include "bench/load/wire_protocol.hpp"

namespace otter::bench {
namespace {

constexpr std::string_view kAck = R"({"ack":1})";

// The integer after `"key":` in a frame we wrote ourselves; 0 if absent.
std::int64_t field(std::string_view frame, std::string_view key) {
  std::string pattern;
  pattern.reserve(key.size() + 3);
  pattern.push_back('"');
  pattern.append(key);
  pattern.append("\":");
  const std::size_t at = frame.find(pattern);
  if (at == std::string_view::npos) return 0;
  std::int64_t value = 0;
  std::from_chars(frame.data() + at + pattern.size(), frame.data() + frame.size(), value);
  return value;
}

class RelayWire final : public ClientWire {
 public:
  explicit RelayWire(ClientIdentity identity) : identity_(std::move(identity)) {}

  [[nodiscard]] bool versioned() const noexcept override { return false; }
  [[nodiscard]] std::string target() const override { return "/ws/" + identity_.doc; }
  [[nodiscard]] std::vector<std::string> join() override { return {}; }

  [[nodiscard]] std::string edit(const Edit& edit) override {
    std::string frame = "{\"c\":";
    frame += std::to_string(identity_.index);
    frame += ",\"s\":";
    frame += std::to_string(edit.seq);
    frame += ",\"d\":";
    frame += std::to_string(edit.insert_code_points - edit.erase);
    frame += ",\"op\":";
    append_splice(frame, edit, SpliceStyle::ot_js);
    frame += "}";
    return frame;
  }

  void decode(std::string_view frame, Decoded& out) override {
    WireEvent applied;
    if (frame == kAck) {
      applied.own = true;
      applied.seq = ++acks_;  // the relay acks a connection's frames in order
    } else {
      applied.sender = static_cast<std::size_t>(field(frame, "c"));
      applied.seq = static_cast<std::uint64_t>(field(frame, "s"));
      applied.delta = field(frame, "d");
    }
    out.events.push_back(applied);
  }

 private:
  ClientIdentity identity_;
  std::uint64_t acks_ = 0;
};

}  // namespace

std::unique_ptr<ClientWire> make_relay_wire(ClientIdentity identity) {
  return std::make_unique<RelayWire>(std::move(identity));
}

}  // namespace otter::bench
