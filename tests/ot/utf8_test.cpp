#include "ot/utf8.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace otter::ot {
namespace {

using namespace std::string_literals;

TEST(Utf8, AcceptsTextOfOneToFourByteCharactersAndNul) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii that is longer than eight bytes"));
  EXPECT_TRUE(is_valid_utf8("caf\u00e9 \u4e2d\u6587 \U0001F600"));
  EXPECT_TRUE(is_valid_utf8("e\u0301"));  // e + combining acute: two code points
  EXPECT_TRUE(is_valid_utf8("a\0b"s));
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  EXPECT_TRUE(is_valid_utf8("\xEF\xBF\xBF"));      // U+FFFF
}

TEST(Utf8, RejectsOverlongFormsSurrogatesAndOutOfRangeCodePoints) {
  EXPECT_FALSE(is_valid_utf8("\xC0\x80"));          // overlong NUL
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));          // overlong 2-byte
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\x80"));      // overlong 3-byte
  EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\x80"));  // overlong 4-byte
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // U+D800, a surrogate
  EXPECT_FALSE(is_valid_utf8("\xED\xBF\xBF"));      // U+DFFF
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

TEST(Utf8, RejectsTruncatedSequencesAndStrayContinuationBytes) {
  EXPECT_FALSE(is_valid_utf8("\xC3"));
  EXPECT_FALSE(is_valid_utf8("abc\xE4\xB8"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x9F\x98"));
  EXPECT_FALSE(is_valid_utf8("\x80"));
  EXPECT_FALSE(is_valid_utf8("a\xC3(b"));
  // An invalid byte right after an 8-byte ASCII run (the fast path's boundary).
  EXPECT_FALSE(is_valid_utf8("abcdefgh\x80"));
  EXPECT_FALSE(is_valid_utf8("abcdefghijklmno\xE4"));
}

TEST(Utf8, CountsCodePointsNotBytes) {
  EXPECT_EQ(count_code_points(""), 0U);
  EXPECT_EQ(count_code_points("abcdefghijklmnopq"), 17U);
  EXPECT_EQ(count_code_points("\u00e9"), 1U);
  EXPECT_EQ(count_code_points("\U0001F600"), 1U);
  EXPECT_EQ(count_code_points("e\u0301"), 2U);
  EXPECT_EQ(count_code_points("abcdefgh\u4e2dabcdefgh\U0001F600"), 18U);
  EXPECT_EQ(validated_code_points("x\U0001F600y"), 3U);
  EXPECT_EQ(validated_code_points("x\xFFy"), std::nullopt);
}

TEST(Utf8, ReplaceInvalidUtf8KeepsValidTextAndReplacesEachBadByte) {
  const std::string valid = "a\u00e9\u4e2d\U0001F600\0z"s;
  EXPECT_EQ(replace_invalid_utf8(valid), valid);
  EXPECT_EQ(replace_invalid_utf8("a\xFF" "b"), "a\uFFFD" "b");
  EXPECT_EQ(replace_invalid_utf8("\xE4\xB8"), "\uFFFD\uFFFD");            // a cut 3-byte character
  EXPECT_EQ(replace_invalid_utf8("\xED\xA0\x80"), "\uFFFD\uFFFD\uFFFD");  // a surrogate
  EXPECT_EQ(replace_invalid_utf8("\xC0\xAFx\xE4\xB8\xAD"), "\uFFFD\uFFFDx\u4e2d");  // overlong '/'
}

TEST(Utf8, ReplaceInvalidUtf8AlwaysGivesValidText) {
  std::uint64_t state = 20261122;  // xorshift: any bytes, seeded
  for (int round = 0; round < 2000; ++round) {
    std::string bytes(round % 23, '\0');
    for (char& byte : bytes) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      byte = static_cast<char>(state);
    }
    const std::string replaced = replace_invalid_utf8(bytes);
    ASSERT_TRUE(is_valid_utf8(replaced)) << "round " << round;
    if (is_valid_utf8(bytes)) {
      EXPECT_EQ(replaced, bytes);
    }
  }
}

TEST(Utf8, ByteOffsetOfACodePointSkipsWholeCharacters) {
  const std::string text = "a\u00e9\u4e2d\U0001F600b";  // bytes: 1 + 2 + 3 + 4 + 1
  EXPECT_EQ(byte_offset_of(text, 0), 0U);
  EXPECT_EQ(byte_offset_of(text, 1), 1U);
  EXPECT_EQ(byte_offset_of(text, 2), 3U);
  EXPECT_EQ(byte_offset_of(text, 3), 6U);
  EXPECT_EQ(byte_offset_of(text, 4), 10U);
  EXPECT_EQ(byte_offset_of(text, 5), 11U);
  EXPECT_EQ(byte_offset_of(text, 99), 11U);  // past the end: the end
}

TEST(Utf8, ByteOffsetOfCrossesTheAsciiFastPathCorrectly) {
  const std::string text = "0123456789abcdef\u00e9xyz0123456789";
  EXPECT_EQ(byte_offset_of(text, 8), 8U);
  EXPECT_EQ(byte_offset_of(text, 16), 16U);
  EXPECT_EQ(byte_offset_of(text, 17), 18U);
  EXPECT_EQ(byte_offset_of(text, 30), 31U);
}

}  // namespace
}  // namespace otter::ot
