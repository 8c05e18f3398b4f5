// WsFrameParser and the server frame encoder (net/ws_frame.hpp): every protocol error with
// its close code, fragmentation, control frames inside a message, the three length
// encodings, masking, and a seeded property test: any chunking gives the same events.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "net/ws_frame.hpp"
#include "ws_client_frames.hpp"

namespace otter::net {
namespace {

using testing::client_frame;
using testing::ClientFrame;

constexpr std::size_t kMax = 64 * 1024;

constexpr std::uint8_t kContinuation = 0x0;
constexpr std::uint8_t kText = 0x1;
constexpr std::uint8_t kBinary = 0x2;
constexpr std::uint8_t kClose = 0x8;
constexpr std::uint8_t kPing = 0x9;
constexpr std::uint8_t kPong = 0xA;

// Every event the bytes give, fed in pieces of `chunk` bytes (0: all at once).
std::vector<WsEvent> parse(std::string_view bytes, std::size_t chunk = 0, std::size_t max = kMax) {
  WsFrameParser parser(max);
  std::vector<WsEvent> events;
  while (!bytes.empty()) {
    const std::size_t size = chunk == 0 ? bytes.size() : std::min(chunk, bytes.size());
    std::string_view piece = bytes.substr(0, size);
    bytes.remove_prefix(size);
    while (std::optional<WsEvent> event = parser.next(piece)) events.push_back(std::move(*event));
    if (parser.failed()) break;
  }
  return events;
}

WsEvent text(std::string payload) { return WsEvent{WsEventKind::text, std::move(payload), 0}; }

// The single error the bytes give (its text is for people; the code is the contract).
std::uint16_t error_code_of(std::string_view bytes, std::size_t max = kMax) {
  const std::vector<WsEvent> events = parse(bytes, 0, max);
  if (events.empty() || events.back().kind != WsEventKind::error) return 0;
  return events.back().code;
}

TEST(WsFrame, ParsesAMaskedTextFrame) {
  EXPECT_EQ(parse(client_frame({}, "Hello")), std::vector<WsEvent>{text("Hello")});
}

TEST(WsFrame, UnmasksWithTheFrameMaskKey) {
  // RFC 6455 5.7: a masked "Hello" with key 37 fa 21 3d.
  const std::string wire("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
  EXPECT_EQ(parse(wire), std::vector<WsEvent>{text("Hello")});
  ClientFrame other;
  other.mask = {0x00, 0xFF, 0x80, 0x01};
  EXPECT_EQ(parse(client_frame(other, "masking works")), std::vector<WsEvent>{text("masking works")});
}

TEST(WsFrame, ReadsAllThreeLengthEncodings) {
  for (const std::size_t size : {std::size_t{0}, std::size_t{125}, std::size_t{126}, std::size_t{65535},
                                 std::size_t{65536}}) {
    const std::string payload(size, 'q');
    const std::vector<WsEvent> events = parse(client_frame({}, payload), 0, 1 << 20);
    ASSERT_EQ(events.size(), 1U) << size;
    EXPECT_EQ(events[0], text(payload)) << size;
  }
}

TEST(WsFrame, JoinsAFragmentedMessageAndDeliversItOnce) {
  const std::string bytes = client_frame({.opcode = kText, .fin = false}, "Hel") +
                            client_frame({.opcode = kContinuation, .fin = false}, "") +
                            client_frame({.opcode = kContinuation, .fin = true}, "lo");
  EXPECT_EQ(parse(bytes), std::vector<WsEvent>{text("Hello")});
}

TEST(WsFrame, DeliversAPingThatArrivesBetweenFragmentsBeforeTheMessage) {
  const std::string bytes = client_frame({.opcode = kText, .fin = false}, "Hel") + client_frame({.opcode = kPing}, "p1") +
                            client_frame({.opcode = kContinuation}, "lo") + client_frame({.opcode = kPong}, "p2");
  EXPECT_EQ(parse(bytes), (std::vector<WsEvent>{WsEvent{WsEventKind::ping, "p1", 0}, text("Hello"),
                                                WsEvent{WsEventKind::pong, "p2", 0}}));
}

TEST(WsFrame, ReportsABinaryMessageWithoutItsPayload) {
  const std::string bytes = client_frame({.opcode = kBinary, .fin = false}, std::string("\x00\x01", 2)) +
                            client_frame({.opcode = kContinuation}, "\xff") + client_frame({}, "after");
  EXPECT_EQ(parse(bytes), (std::vector<WsEvent>{WsEvent{WsEventKind::binary, "", 0}, text("after")}));
}

TEST(WsFrame, ParsesCloseFramesWithAndWithoutACode) {
  EXPECT_EQ(parse(client_frame({.opcode = kClose}, encode_close_payload(1000, "done"))),
            std::vector<WsEvent>{(WsEvent{WsEventKind::close, "done", 1000})});
  EXPECT_EQ(parse(client_frame({.opcode = kClose}, "")),
            std::vector<WsEvent>{(WsEvent{WsEventKind::close, "", kNoCloseCodeReceived})});
  EXPECT_EQ(parse(client_frame({.opcode = kClose}, encode_close_payload(4999, ""))),
            std::vector<WsEvent>{(WsEvent{WsEventKind::close, "", 4999})});
}

TEST(WsFrame, AnswersProtocolViolationsWith1002) {
  EXPECT_EQ(error_code_of(client_frame({.masked = false}, "hi")), 1002) << "unmasked";
  for (std::uint8_t rsv = 1; rsv < 8; ++rsv) EXPECT_EQ(error_code_of(client_frame({.rsv = rsv}, "hi")), 1002) << "rsv";
  for (const std::uint8_t opcode : {0x3, 0x7, 0xB, 0xF}) {
    EXPECT_EQ(error_code_of(client_frame({.opcode = opcode}, "hi")), 1002) << "opcode " << int{opcode};
  }
  EXPECT_EQ(error_code_of(client_frame({.opcode = kPing, .fin = false}, "hi")), 1002) << "fragmented control";
  EXPECT_EQ(error_code_of(client_frame({.opcode = kPing}, std::string(126, 'p'))), 1002) << "long control";
  EXPECT_EQ(error_code_of(client_frame({.opcode = kContinuation}, "hi")), 1002) << "continuation first";
  EXPECT_EQ(error_code_of(client_frame({.opcode = kText, .fin = false}, "a") + client_frame({}, "b")), 1002)
      << "new message inside a fragmented one";
  EXPECT_EQ(error_code_of(client_frame({}, "", std::uint64_t{1} << 63U), UINT64_MAX), 1002) << "64-bit top bit";
}

TEST(WsFrame, AnswersBadCloseFramesWith1002) {
  EXPECT_EQ(error_code_of(client_frame({.opcode = kClose}, "x")), 1002) << "1-byte payload";
  for (const std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535}) {
    EXPECT_EQ(error_code_of(client_frame({.opcode = kClose}, encode_close_payload(code, ""))), 1002) << code;
  }
}

TEST(WsFrame, AnswersTextOrCloseReasonThatIsNotUtf8With1007) {
  EXPECT_EQ(error_code_of(client_frame({}, "bad \xff")), 1007);
  // A code point split across fragments is fine; the whole message counts.
  EXPECT_EQ(parse(client_frame({.fin = false}, "\xc3") + client_frame({.opcode = kContinuation}, "\xa9")),
            std::vector<WsEvent>{text("\u00e9")});
  EXPECT_EQ(error_code_of(client_frame({.opcode = kClose}, encode_close_payload(1000, "\xc3"))), 1007);
}

TEST(WsFrame, RefusesAnOversizedMessageFromItsHeaderAlone) {
  // Only the header is fed: the error must not wait for the payload.
  const std::string header = client_frame({}, "", 1025);
  EXPECT_EQ(error_code_of(header, 1024), 1009);
  EXPECT_EQ(parse(client_frame({}, std::string(1024, 'x')), 0, 1024).size(), 1U) << "exactly at the limit";
  // Fragments count together.
  const std::string fragments = client_frame({.fin = false}, std::string(600, 'x')) +
                                client_frame({.opcode = kContinuation}, "", 500);
  EXPECT_EQ(error_code_of(fragments, 1024), 1009);
}

TEST(WsFrame, StaysFailedAfterAnError) {
  WsFrameParser parser(kMax);
  const std::string bytes = client_frame({.masked = false}, "x") + client_frame({}, "ok");
  std::string_view input = bytes;
  const std::optional<WsEvent> first = parser.next(input);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->kind, WsEventKind::error);
  EXPECT_TRUE(parser.failed());
  const std::size_t left = input.size();
  EXPECT_FALSE(parser.next(input));
  EXPECT_EQ(input.size(), left);
}

TEST(WsFrame, StopsRightAfterEachEvent) {
  WsFrameParser parser(kMax);
  const std::string bytes = client_frame({}, "one") + client_frame({}, "two");
  std::string_view input = bytes;
  EXPECT_EQ(parser.next(input), text("one"));
  EXPECT_EQ(input.size(), client_frame({}, "two").size());
  EXPECT_EQ(parser.next(input), text("two"));
  EXPECT_TRUE(input.empty());
}

TEST(WsFrame, EncodesServerHeadersInTwoFourOrTenBytes) {
  const WsFrameHeader small = encode_frame_header(WsOpcode::text, 125);
  EXPECT_EQ(small.view(), std::string_view("\x81\x7d", 2));
  const WsFrameHeader medium = encode_frame_header(WsOpcode::ping, 65535);
  EXPECT_EQ(medium.view(), std::string_view("\x89\x7e\xff\xff", 4));
  const WsFrameHeader large = encode_frame_header(WsOpcode::close, 65536);
  EXPECT_EQ(large.view(), std::string_view("\x88\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
  EXPECT_EQ(encode_frame_header(WsOpcode::pong, 0).view(), std::string_view("\x8a\x00", 2));
}

// The encoder's output, masked as a client would send it, reads back as the same message.
TEST(WsFrame, ReadsBackWhatTheEncoderWrote) {
  for (const std::size_t size : {std::size_t{3}, std::size_t{300}, std::size_t{70'000}}) {
    const std::string payload(size, 'e');
    const WsFrameHeader header = encode_frame_header(WsOpcode::text, size);
    std::string wire(header.view());
    wire[1] = static_cast<char>(static_cast<unsigned char>(wire[1]) | 0x80U);  // set MASK
    // Insert a zero mask key after the length: masking with zeros leaves the payload as is.
    wire += std::string(4, '\0') + payload;
    EXPECT_EQ(parse(wire, 0, 1 << 20), std::vector<WsEvent>{text(payload)}) << size;
  }
}

// Property: for any stream of valid frames, feeding it in random pieces (down to one byte)
// gives exactly the events of feeding it whole. Seeded; the seed is printed on failure.
TEST(WsFrame, AnyChunkingGivesTheSameEventsAsOneChunk) {
  constexpr std::uint32_t kSeed = 20261121;
  std::mt19937 random(kSeed);
  const auto pick = [&](std::size_t low, std::size_t high) {
    return std::uniform_int_distribution<std::size_t>(low, high)(random);
  };
  for (int round = 0; round < 200; ++round) {
    std::string stream;
    const std::size_t messages = pick(1, 6);
    for (std::size_t m = 0; m < messages; ++m) {
      const std::size_t size = pick(0, 5) == 0 ? pick(126, 70'000) : pick(0, 130);
      std::string payload(size, ' ');
      for (char& c : payload) c = static_cast<char>('a' + pick(0, 25));
      const std::size_t fragments = pick(1, 3);
      std::size_t at = 0;
      for (std::size_t f = 0; f < fragments; ++f) {
        const std::size_t end = f + 1 == fragments ? size : pick(at, size);
        ClientFrame frame{.opcode = f == 0 ? kText : kContinuation, .fin = f + 1 == fragments};
        for (auto& byte : frame.mask) byte = static_cast<std::uint8_t>(pick(0, 255));
        stream += client_frame(frame, std::string_view(payload).substr(at, end - at));
        if (pick(0, 2) == 0) stream += client_frame({.opcode = kPing}, std::string(pick(0, 125), 'p'));
        at = end;
      }
    }
    const std::vector<WsEvent> whole = parse(stream, 0, 1 << 20);
    ASSERT_FALSE(whole.empty());
    ASSERT_NE(whole.back().kind, WsEventKind::error) << "seed " << kSeed << " round " << round;
    EXPECT_EQ(parse(stream, 1, 1 << 20), whole) << "byte by byte; seed " << kSeed << " round " << round;
    WsFrameParser parser(1 << 20);
    std::vector<WsEvent> pieces;
    for (std::string_view rest = stream; !rest.empty();) {
      std::string_view piece = rest.substr(0, pick(1, 5000));
      rest.remove_prefix(piece.size());
      while (std::optional<WsEvent> event = parser.next(piece)) pieces.push_back(std::move(*event));
    }
    EXPECT_EQ(pieces, whole) << "random pieces; seed " << kSeed << " round " << round;
  }
}

}  // namespace
}  // namespace otter::net
