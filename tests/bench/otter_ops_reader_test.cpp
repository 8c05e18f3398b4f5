// OtterOpsReader (bench/load/otter_ops_reader.hpp): the load generator's SAX reading of
// Otter `ops` frames must give the events a DOM reading gives, whatever the key order,
// escapes and multi-byte text, and must leave every other frame to the general path.
#include "bench/load/otter_ops_reader.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>

namespace otter::bench {
namespace {

namespace json = boost::json;

constexpr std::string_view kOwn = "run-0";

// The events of an `ops` frame (which the reader must take).
std::vector<WireEvent> read_events(OtterOpsReader& reader, std::string_view frame) {
  Decoded out;
  EXPECT_TRUE(reader.read(frame, kOwn, out)) << frame;
  return out.events;
}

TEST(OtterOpsReaderTest, ReadsAnAckAndAnotherClientsOpWhateverTheKeyOrder) {
  OtterOpsReader reader;
  const std::vector<WireEvent> events = read_events(
      reader,
      R"({"doc":"d","ops":[{"seq":7,"client_id":"run-0","rev":41},)"
      R"({"op":[3,"h\u00e9\ud83d\ude00",-2,5],"rev":42,"client_id":"run-12"}],"type":"ops"})");
  ASSERT_EQ(events.size(), 2U);
  EXPECT_TRUE(events[0].own);
  EXPECT_EQ(events[0].version, 41U);
  EXPECT_EQ(events[0].seq, 7U);
  EXPECT_FALSE(events[1].own);
  EXPECT_EQ(events[1].version, 42U);
  EXPECT_EQ(events[1].sender, 12U);
  EXPECT_EQ(events[1].delta, 3 - 2);  // "hé😀" is three code points, then two deleted
}

TEST(OtterOpsReaderTest, SkipsTheDuplicateAckOfAResend) {
  OtterOpsReader reader;
  const std::vector<WireEvent> events = read_events(
      reader, R"({"type":"ops","doc":"d","ops":[{"rev":3,"client_id":"run-0","seq":2,"duplicate":true}]})");
  EXPECT_TRUE(events.empty());
}

TEST(OtterOpsReaderTest, EscapedClientIdsAreComparedDecoded) {
  OtterOpsReader reader;
  const std::vector<WireEvent> events =
      read_events(reader, R"({"type":"ops","ops":[{"rev":1,"client_id":"run\u002d0","seq":1},)"
                          R"({"rev":2,"client_id":"run\u002d4","op":["x"]}]})");
  ASSERT_EQ(events.size(), 2U);
  EXPECT_TRUE(events[0].own);
  EXPECT_EQ(events[1].sender, 4U);
  EXPECT_EQ(events[1].delta, 1);
}

TEST(OtterOpsReaderTest, LeavesOtherMessagesAndBadJsonToTheGeneralPath) {
  OtterOpsReader reader;
  // `opened` carries entries under "ops" too; they are catch-up, not a batch.
  for (const std::string_view frame :
       {R"({"type":"opened","doc":"d","revision":2,"text":"ab","ops":[{"rev":2,"client_id":"x-1","op":["b"]}]})",
        R"({"type":"error","code":"bad_op","message":"no"})", R"({"type":"ops","ops":[)", R"([{"type":"ops"}])",
        R"({"type":"ops"} trailing)"}) {
    Decoded out;
    EXPECT_FALSE(reader.read(frame, kOwn, out)) << frame;
    EXPECT_TRUE(out.events.empty()) << frame;
  }
}

TEST(OtterOpsReaderTest, AFrameAfterALongerOneHasOnlyItsOwnEntries) {
  OtterOpsReader reader;
  EXPECT_EQ(read_events(reader, R"({"type":"ops","ops":[{"rev":1,"client_id":"a-1","op":["ab"]},)"
                                R"({"rev":2,"client_id":"a-2","op":[2,"c"]}]})")
                .size(),
            2U);
  const std::vector<WireEvent> events =
      read_events(reader, R"({"type":"ops","ops":[{"rev":3,"client_id":"a-3","op":[-1,2]}]})");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].sender, 3U);
  EXPECT_EQ(events[0].delta, -1);
}

// A random frame as Boost.JSON serializes it, with the events a DOM reading of it gives.
struct RandomFrame {
  std::string text;
  std::vector<WireEvent> expected;
};

RandomFrame random_frame(std::mt19937_64& random) {
  static const std::vector<std::string> kPieces = {"a", "é", "😀", "\"", "\\", "\n", "e\u0301", "\x01", "文"};
  json::array entries;
  RandomFrame frame;
  const int count = static_cast<int>(random() % 20);
  for (int i = 0; i < count; ++i) {
    json::object entry;
    const std::uint64_t rev = random() % 100000 + 1;
    entry["rev"] = rev;
    const std::size_t sender = random() % 60;
    entry["client_id"] = "run-" + std::to_string(sender);
    const bool duplicate = random() % 10 == 0;
    const bool has_op = sender != 0 || random() % 2 == 0;
    WireEvent event;
    event.version = rev;
    if (has_op) {
      json::array op;
      std::int64_t delta = 0;
      for (int c = static_cast<int>(random() % 5); c >= 0; --c) {
        switch (random() % 3) {
          case 0:
            op.emplace_back(static_cast<std::int64_t>(random() % 1000 + 1));
            break;
          case 1: {
            const std::int64_t erased = static_cast<std::int64_t>(random() % 50 + 1);
            op.emplace_back(-erased);
            delta -= erased;
            break;
          }
          default: {
            std::string text;
            for (int p = static_cast<int>(random() % 6); p >= 0; --p) text += kPieces[random() % kPieces.size()];
            delta += count_code_points(text);
            op.emplace_back(text);
          }
        }
      }
      entry["op"] = std::move(op);
      event.delta = delta;
      event.sender = sender;
    } else {
      const std::uint64_t seq = random() % 1000 + 1;
      entry["seq"] = seq;
      event.own = true;
      event.seq = seq;
    }
    if (duplicate) entry["duplicate"] = true;
    if (!duplicate) frame.expected.push_back(event);
    entries.emplace_back(std::move(entry));
  }
  json::object message;
  message["type"] = "ops";
  message["doc"] = "doc-" + std::to_string(random() % 7);
  message["ops"] = std::move(entries);
  frame.text = json::serialize(message);
  return frame;
}

TEST(OtterOpsReaderTest, RandomFramesReadAsTheirDomSays) {
  const std::uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 random(seed);
  OtterOpsReader reader;
  for (int round = 0; round < 2000; ++round) {
    const RandomFrame frame = random_frame(random);
    const std::vector<WireEvent> events = read_events(reader, frame.text);
    ASSERT_EQ(events.size(), frame.expected.size()) << frame.text;
    for (std::size_t i = 0; i < events.size(); ++i) {
      SCOPED_TRACE(frame.text);
      EXPECT_EQ(events[i].version, frame.expected[i].version);
      EXPECT_EQ(events[i].own, frame.expected[i].own);
      EXPECT_EQ(events[i].seq, frame.expected[i].seq);
      EXPECT_EQ(events[i].delta, frame.expected[i].delta);
      EXPECT_EQ(events[i].sender, frame.expected[i].sender);
    }
  }
}

}  // namespace
}  // namespace otter::bench
