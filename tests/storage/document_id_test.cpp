#include "storage/document_id.hpp"

#include <gtest/gtest.h>

#include <string>

namespace otter::storage {
namespace {

void expect_rejected(std::string_view id, std::string_view message) {
  const Expected<void> result = validate_document_id(id);
  ASSERT_FALSE(result) << "accepted \"" << id << "\"";
  EXPECT_EQ(result.error().code, ErrorCode::invalid_document_id);
  EXPECT_EQ(result.error().message, message);
}

TEST(DocumentId, AcceptsLettersDigitsDotsUnderscoresAndDashes) {
  for (const std::string_view id : {"a", "Z", "7", "notes", "Meeting-Notes_2024.v2", "a..b", "x-", "0.0"}) {
    EXPECT_TRUE(validate_document_id(id)) << id;
  }
}

TEST(DocumentId, AcceptsExactlyTheLengthLimit) {
  EXPECT_TRUE(validate_document_id(std::string(kMaxDocumentIdLength, 'a')));
  expect_rejected(std::string(kMaxDocumentIdLength + 1, 'a'), "document id is 129 bytes long; the limit is 128");
}

TEST(DocumentId, RejectsTheEmptyId) { expect_rejected("", "document id is empty"); }

TEST(DocumentId, MustStartWithALetterOrDigitSoDotDotAndOptionsAreImpossible) {
  expect_rejected(".", "document id must start with a letter or digit, not '.'");
  expect_rejected("..", "document id must start with a letter or digit, not '.'");
  expect_rejected("-rf", "document id must start with a letter or digit, not '-'");
  expect_rejected("_x", "document id must start with a letter or digit, not '_'");
}

TEST(DocumentId, NamesTheFirstForbiddenCharacterAndWhereItIs) {
  expect_rejected("a/b", "document id contains '/' at offset 1; allowed are A-Z a-z 0-9 . _ -");
  expect_rejected("a b", "document id contains ' ' at offset 1; allowed are A-Z a-z 0-9 . _ -");
  expect_rejected("ab'; DROP TABLE ops", "document id contains ''' at offset 2; allowed are A-Z a-z 0-9 . _ -");
}

TEST(DocumentId, RejectsNonAsciiAndControlBytesShowingTheirHexValue) {
  expect_rejected("caf\xC3\xA9", "document id contains byte 0xC3 at offset 3; allowed are A-Z a-z 0-9 . _ -");
  expect_rejected(std::string_view("a\0b", 3),
                  "document id contains byte 0x00 at offset 1; allowed are A-Z a-z 0-9 . _ -");
  expect_rejected("\x7F", "document id must start with a letter or digit, not byte 0x7F");
}

}  // namespace
}  // namespace otter::storage
