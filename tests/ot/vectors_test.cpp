// Runs the shared, hand-written vectors in tests/vectors/ot_vectors.json (the TypeScript
// client runs the same file). Each case names itself in the failure trace.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "ot/apply.hpp"
#include "ot/compose.hpp"
#include "ot/cursor.hpp"
#include "ot/invert.hpp"
#include "ot/json_codec.hpp"
#include "ot/transform.hpp"

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

}  // namespace
}  // namespace otter::ot
