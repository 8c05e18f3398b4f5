// Runs the shared, hand-written vectors in tests/vectors/ot_vectors.json (the TypeScript
// client runs the same file). Each case names itself in the failure trace.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <optional>
#include <sstream>

#include "ot/apply.hpp"
#include "ot/client.hpp"
#include "ot/compose.hpp"
#include "ot/cursor.hpp"
#include "ot/invert.hpp"
#include "ot/json_codec.hpp"
#include "ot/transform.hpp"
#include "ot/utf8.hpp"

namespace otter::ot {
namespace {

namespace json = boost::json;

const json::object& vectors() {
  static const json::value parsed = [] {
    std::ifstream file(OTTER_SOURCE_DIR "/tests/vectors/ot_vectors.json");
    std::stringstream text;
    text << file.rdbuf();
    return json::parse(text.str());
  }();
  return parsed.as_object();
}

const json::array& section(std::string_view name) {
  const json::array& cases = vectors().at(name).as_array();
  EXPECT_FALSE(cases.empty()) << name;
  return cases;
}

std::string str(const json::value& value) { return std::string(value.as_string()); }

Operation op_of(const json::value& value) {
  Expected<Operation> op = from_json(value);
  if (!op) ADD_FAILURE() << "a vector's op does not decode: " << op.error().message;
  return op ? std::move(*op) : Operation{};
}

Side side_of(const json::value& value) {
  const std::string side = str(value);
  EXPECT_TRUE(side == "left" || side == "right") << side;
  return side == "left" ? Side::left : Side::right;
}

std::string error_of(const json::object& test) { return str(test.at("error")); }

TEST(Vectors, FileHasVersionOne) { EXPECT_EQ(vectors().at("version").as_int64(), 1); }

TEST(Vectors, Apply) {
  for (const json::value& item : section("apply")) {
    const json::object& test = item.as_object();
    SCOPED_TRACE(str(test.at("name")));
    const Expected<std::string> result = ot::apply(str(test.at("doc")), op_of(test.at("op")));
    if (test.contains("error")) {
      ASSERT_FALSE(result);
      EXPECT_EQ(to_string(result.error().code), error_of(test));
    } else {
      ASSERT_TRUE(result) << result.error().message;
      EXPECT_EQ(*result, str(test.at("result")));
    }
  }
}

TEST(Vectors, Compose) {
  for (const json::value& item : section("compose")) {
    const json::object& test = item.as_object();
    SCOPED_TRACE(str(test.at("name")));
    const Operation a = op_of(test.at("a"));
    const Operation b = op_of(test.at("b"));
    const Expected<Operation> composed = compose(a, b);
    if (test.contains("error")) {
      ASSERT_FALSE(composed);
      EXPECT_EQ(to_string(composed.error().code), error_of(test));
      continue;
    }
    ASSERT_TRUE(composed) << composed.error().message;
    EXPECT_EQ(*composed, op_of(test.at("result")));
    // The law, on the vector's document.
    const std::string doc = str(test.at("doc"));
    EXPECT_EQ(ot::apply(doc, *composed).value(), ot::apply(ot::apply(doc, a).value(), b).value());
  }
}

TEST(Vectors, Transform) {
  for (const json::value& item : section("transform")) {
    const json::object& test = item.as_object();
    SCOPED_TRACE(str(test.at("name")));
    const Operation a = op_of(test.at("a"));
    const Operation b = op_of(test.at("b"));
    const Expected<TransformedPair> pair = transform(a, b, side_of(test.at("side")));
    if (test.contains("error")) {
      ASSERT_FALSE(pair);
      EXPECT_EQ(to_string(pair.error().code), error_of(test));
      continue;
    }
    ASSERT_TRUE(pair) << pair.error().message;
    EXPECT_EQ(pair->a_prime, op_of(test.at("a_prime")));
    EXPECT_EQ(pair->b_prime, op_of(test.at("b_prime")));
    const std::string doc = str(test.at("doc"));
    const std::string result = str(test.at("result"));
    EXPECT_EQ(ot::apply(ot::apply(doc, a).value(), pair->b_prime).value(), result);
    EXPECT_EQ(ot::apply(ot::apply(doc, b).value(), pair->a_prime).value(), result);
  }
}

TEST(Vectors, Invert) {
  for (const json::value& item : section("invert")) {
    const json::object& test = item.as_object();
    SCOPED_TRACE(str(test.at("name")));
    const std::string doc = str(test.at("doc"));
    const Operation op = op_of(test.at("op"));
    const Expected<Operation> inverse = invert(op, doc);
    if (test.contains("error")) {
      ASSERT_FALSE(inverse);
      EXPECT_EQ(to_string(inverse.error().code), error_of(test));
      continue;
    }
    ASSERT_TRUE(inverse) << inverse.error().message;
    EXPECT_EQ(*inverse, op_of(test.at("result")));
    EXPECT_EQ(ot::apply(ot::apply(doc, op).value(), *inverse).value(), doc);
  }
}

TEST(Vectors, Cursor) {
  for (const json::value& item : section("cursor")) {
    const json::object& test = item.as_object();
    SCOPED_TRACE(str(test.at("name")));
    const auto position = static_cast<std::size_t>(test.at("position").as_int64());
    EXPECT_EQ(transform_position(position, op_of(test.at("op")), side_of(test.at("side"))),
              static_cast<std::size_t>(test.at("result").as_int64()));
  }
}

TEST(Vectors, Selection) {
  for (const json::value& item : section("selection")) {
    const json::object& test = item.as_object();
    SCOPED_TRACE(str(test.at("name")));
    const auto at = [](const json::object& o, std::string_view key) {
      return static_cast<std::size_t>(o.at(key).as_int64());
    };
    const Selection moved = transform_selection(Selection{at(test, "anchor"), at(test, "head")}, op_of(test.at("op")),
                                                side_of(test.at("side")));
    const json::object& expected = test.at("result").as_object();
    EXPECT_EQ(moved, (Selection{at(expected, "anchor"), at(expected, "head")}));
  }
}

TEST(Vectors, Decode) {
  for (const json::value& item : section("decode")) {
    const json::object& test = item.as_object();
    SCOPED_TRACE(str(test.at("name")));
    const Expected<Operation> decoded = decode(str(test.at("json")));
    if (test.contains("error")) {
      ASSERT_FALSE(decoded);
      EXPECT_EQ(to_string(decoded.error().code), error_of(test));
    } else {
      ASSERT_TRUE(decoded) << decoded.error().message;
      EXPECT_EQ(*decoded, op_of(test.at("op")));
      // Expected ops in the file are canonical: encoding gives back the same JSON value.
      EXPECT_EQ(to_json(*decoded), test.at("op"));
    }
  }
}

// The client state machine: a Client and the local text it edits, driven step by step.
std::string state_name(Client::State state) {
  switch (state) {
    case Client::State::synchronized:
      return "synchronized";
    case Client::State::awaiting_confirm:
      return "awaiting_confirm";
    case Client::State::awaiting_with_buffer:
      return "awaiting_with_buffer";
  }
  return "unknown";
}

std::uint64_t u64(const json::object& o, std::string_view key) {
  return static_cast<std::uint64_t>(o.at(key).as_int64());
}

Selection selection_of(const json::object& o) {
  return Selection{static_cast<std::size_t>(u64(o, "anchor")), static_cast<std::size_t>(u64(o, "head"))};
}

std::optional<Operation> optional_op_of(const json::value& value) {
  if (value.is_null()) return std::nullopt;
  return op_of(value);
}

std::string wire(const std::optional<Operation>& op) { return op ? encode(*op) : "null"; }

// A submission as text, "null" for none, so a failure shows both sides readably.
std::string sent_text(const std::optional<Submission>& sent) {
  if (!sent) return "null";
  return "seq " + std::to_string(sent->seq) + " base_revision " + std::to_string(sent->base_revision) + " op " +
         encode(sent->op);
}

void expect_sent(const std::optional<Submission>& sent, const json::value& expected) {
  std::optional<Submission> want;
  if (!expected.is_null()) {
    const json::object& o = expected.as_object();
    want = Submission{u64(o, "seq"), u64(o, "base_revision"), op_of(o.at("op"))};
  }
  EXPECT_EQ(sent_text(sent), sent_text(want)) << "sent";
}

// Checks a call's result against expect.error: true iff the call succeeded as expected.
template <typename T>
bool expect_result(const Expected<T>& result, const json::object& expect) {
  if (expect.contains("error")) {
    EXPECT_FALSE(result) << "succeeded, expected " << error_of(expect);
    if (!result) {
      EXPECT_EQ(to_string(result.error().code), error_of(expect));
    }
    return false;
  }
  EXPECT_TRUE(result) << result.error().message;
  return result.has_value();
}

void run_step(Client& client, std::string& doc, const json::object& step) {
  const std::string event = str(step.at("event"));
  const json::object& expect = step.at("expect").as_object();
  if (event == "local") {
    const Operation op = op_of(step.at("op"));
    const Expected<std::optional<Submission>> sent = client.apply_client(op);
    if (expect_result(sent, expect)) {
      doc = ot::apply(doc, op).value();
      expect_sent(*sent, expect.at("send"));
    }
  } else if (event == "remote") {
    EXPECT_EQ(u64(step, "revision"), client.revision() + 1) << "the vector skips a revision";
    const Expected<Operation> to_apply = client.apply_server(op_of(step.at("op")));
    if (expect_result(to_apply, expect)) {
      EXPECT_EQ(encode(*to_apply), encode(op_of(expect.at("apply"))));
      doc = ot::apply(doc, *to_apply).value();
    }
  } else if (event == "ack") {
    const bool awaited = client.awaits_ack(u64(step, "seq"), u64(step, "revision"));
    const bool dropped = expect.contains("dropped") && expect.at("dropped").as_bool();
    if (expect.contains("error")) {
      EXPECT_FALSE(awaited);
      (void)expect_result(client.server_ack(), expect);
    } else if (dropped) {
      EXPECT_FALSE(awaited) << "the client awaits this ack";
    } else {
      EXPECT_TRUE(awaited) << "the client does not await this ack";
      const Expected<std::optional<Submission>> sent = client.server_ack();
      if (expect_result(sent, expect)) expect_sent(*sent, expect.at("send"));
    }
  } else if (event == "resend") {
    expect_sent(client.resend(), expect.at("send"));
  } else if (event == "select") {
    client.set_selection(selection_of(step));
  } else {
    ADD_FAILURE() << "unknown event " << event;
  }
  EXPECT_EQ(state_name(client.state()), str(expect.at("state")));
  EXPECT_EQ(client.revision(), u64(expect, "revision"));
  EXPECT_EQ(doc, str(expect.at("doc")));
  EXPECT_EQ(client.document_length(), count_code_points(doc));
  const Selection want = selection_of(expect.at("selection").as_object());
  EXPECT_EQ(client.selection(), want) << "selection " << client.selection().anchor << ".." << client.selection().head
                                      << ", expected " << want.anchor << ".." << want.head;
  if (expect.contains("outstanding")) {
    EXPECT_EQ(wire(client.outstanding()), wire(optional_op_of(expect.at("outstanding")))) << "outstanding";
  }
  if (expect.contains("buffer")) {
    EXPECT_EQ(wire(client.buffer()), wire(optional_op_of(expect.at("buffer")))) << "buffer";
  }
}

TEST(Vectors, Client) {
  for (const json::value& item : section("client")) {
    const json::object& test = item.as_object();
    SCOPED_TRACE(str(test.at("name")));
    std::string doc = str(test.at("doc"));
    Client client(u64(test, "revision"), count_code_points(doc));
    if (test.contains("selection")) client.set_selection(selection_of(test.at("selection").as_object()));
    const json::array& steps = test.at("steps").as_array();
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const json::object& step = steps[i].as_object();
      SCOPED_TRACE("step " + std::to_string(i + 1) + " (" + str(step.at("event")) + ")");
      run_step(client, doc, step);
    }
  }
}

}  // namespace
}  // namespace otter::ot
