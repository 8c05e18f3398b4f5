#include "ot/server_document.hpp"

#include <gtest/gtest.h>

#include "op_testing.hpp"

namespace otter::ot {
namespace {

using testing::insert_at;

TEST(ServerDocument, ANewDocumentIsEmptyAtRevisionZero) {
  const ServerDocument doc;
  EXPECT_EQ(doc.revision(), 0U);
  EXPECT_EQ(doc.length(), 0U);
  EXPECT_EQ(doc.text(), "");
}

TEST(ServerDocument, LoadsASnapshotAtItsRevision) {
  const ServerDocument doc = ServerDocument::load("h\u00e9llo", 17).value();
  EXPECT_EQ(doc.revision(), 17U);
  EXPECT_EQ(doc.length(), 5U);
  EXPECT_EQ(doc.text(), "h\u00e9llo");
}

TEST(ServerDocument, RefusesToLoadInvalidUtf8OrAnOversizedText) {
  EXPECT_EQ(ServerDocument::load("\xFF", 0).error().code, ErrorCode::invalid_utf8);
  ServerDocumentLimits limits;
  limits.max_length = 3;
  EXPECT_EQ(ServerDocument::load("abcd", 0, limits).error().code, ErrorCode::doc_too_large);
}

TEST(ServerDocument, AppliesAnOpAtHeadAndAssignsTheNextRevision) {
  ServerDocument doc = ServerDocument::load("ac", 3).value();
  const Applied applied = doc.submit("alice", 1, 3, insert_at(1, "b", 2)).value();
  EXPECT_EQ(applied.revision, 4U);
  EXPECT_FALSE(applied.duplicate);
  EXPECT_EQ(applied.op_as_applied, insert_at(1, "b", 2));
  EXPECT_EQ(doc.text(), "abc");
  EXPECT_EQ(doc.revision(), 4U);
}

TEST(ServerDocument, TransformsAStaleOpAndReturnsItAsApplied) {
  ServerDocument doc = ServerDocument::load("xy", 0).value();
  ASSERT_TRUE(doc.submit("alice", 1, 0, insert_at(0, "A", 2)));
  const Applied applied = doc.submit("bob", 1, 0, insert_at(2, "B", 2)).value();
  EXPECT_EQ(applied.revision, 2U);
  EXPECT_EQ(applied.op_as_applied, insert_at(3, "B", 3));
  EXPECT_EQ(doc.text(), "AxyB");
}

TEST(ServerDocument, AResentOpIsAppliedOnceAndAnsweredWithItsOriginalRevision) {
  ServerDocument doc;
  const Applied first = doc.submit("alice", 5, 0, insert_at(0, "hi", 0)).value();
  ASSERT_TRUE(doc.submit("bob", 1, 1, insert_at(2, "!", 2)));
  const Applied again = doc.submit("alice", 5, 0, insert_at(0, "hi", 0)).value();
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.revision, first.revision);
  EXPECT_EQ(again.op_as_applied, first.op_as_applied);
  EXPECT_EQ(doc.text(), "hi!");
  EXPECT_EQ(doc.revision(), 2U);
}

TEST(ServerDocument, ADuplicateWhoseOpWasTrimmedStillGetsItsRevision) {
  ServerDocumentLimits limits;
  limits.max_history = 1;
  ServerDocument doc(limits);
  ASSERT_TRUE(doc.submit("alice", 1, 0, insert_at(0, "a", 0)));
  ASSERT_TRUE(doc.submit("bob", 1, 1, insert_at(1, "b", 1)));
  ASSERT_TRUE(doc.submit("bob", 2, 2, insert_at(2, "c", 2)));
  const Applied again = doc.submit("alice", 1, 0, insert_at(0, "a", 0)).value();
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.revision, 1U);
  EXPECT_EQ(again.op_as_applied, Operation{});  // no longer in memory
  EXPECT_EQ(doc.text(), "abc");
}

TEST(ServerDocument, AnOlderSeqThanTheLastAppliedIsStale) {
  ServerDocument doc;
  ASSERT_TRUE(doc.submit("alice", 1, 0, insert_at(0, "a", 0)));
  ASSERT_TRUE(doc.submit("alice", 2, 1, insert_at(1, "b", 1)));
  const Expected<Applied> stale = doc.submit("alice", 1, 0, insert_at(0, "a", 0));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::stale_seq);
  EXPECT_EQ(stale.error().message,
            "seq 1 from client \"alice\" is older than its last applied seq 2; it was applied before and is "
            "not applied again");
  EXPECT_EQ(doc.text(), "ab");
}

TEST(ServerDocument, ASeqThatSkipsAheadIsOutOfOrder) {
  ServerDocument doc;
  ASSERT_TRUE(doc.submit("alice", 1, 0, insert_at(0, "a", 0)));
  const Expected<Applied> skipped = doc.submit("alice", 3, 1, insert_at(1, "c", 1));
  ASSERT_FALSE(skipped);
  EXPECT_EQ(skipped.error().code, ErrorCode::seq_out_of_order);
  EXPECT_EQ(skipped.error().message,
            "seq 3 from client \"alice\" skips ahead: its last applied seq is 1, so the next must be 2");
  EXPECT_TRUE(doc.submit("alice", 2, 1, insert_at(1, "b", 1)));
}

TEST(ServerDocument, RejectsAnOpOfTheWrongLengthWithoutChangingAnything) {
  ServerDocument doc = ServerDocument::load("abc", 0).value();
  const Expected<Applied> wrong = doc.submit("alice", 1, 0, Operation::identity(5));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::base_length_mismatch);
  EXPECT_EQ(wrong.error().message, "op base length 5 does not match document length 3");
  EXPECT_EQ(doc.revision(), 0U);
  // The failed seq was not recorded: the client may use it again.
  EXPECT_TRUE(doc.submit("alice", 1, 0, Operation::identity(3)));
}

TEST(ServerDocument, RejectsBaseRevisionsItCannotTransformFrom) {
  ServerDocumentLimits limits;
  limits.max_history = 2;
  ServerDocument doc(limits);
  for (std::uint64_t i = 0; i < 4; ++i) ASSERT_TRUE(doc.submit("a", i + 1, i, insert_at(i, "x", i)));
  EXPECT_EQ(doc.submit("b", 1, 5, Operation::identity(4)).error().code, ErrorCode::revision_in_future);
  EXPECT_EQ(doc.submit("b", 1, 1, Operation::identity(1)).error().code, ErrorCode::resync_required);
  EXPECT_TRUE(doc.submit("b", 1, 2, Operation::identity(2)));
}

TEST(ServerDocument, EnforcesTheDocumentSizeLimit) {
  ServerDocumentLimits limits;
  limits.max_length = 4;
  ServerDocument doc(limits);
  ASSERT_TRUE(doc.submit("a", 1, 0, insert_at(0, "\U0001F600\U0001F600\U0001F600\U0001F600", 0)));
  const Expected<Applied> too_big = doc.submit("a", 2, 1, insert_at(4, "x", 4));
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code, ErrorCode::doc_too_large);
  EXPECT_EQ(too_big.error().message, "the document would be 5 code points long, more than its limit of 4");
  EXPECT_EQ(doc.length(), 4U);
}

TEST(ServerDocument, AReloadReplaysTheLogThenRestoresTheClientRecords) {
  // Snapshot "ab" at revision 10; the log holds revisions 11 and 12 by alice (seqs 4, 5).
  ServerDocument doc = ServerDocument::load("ab", 10).value();
  EXPECT_EQ(doc.replay(insert_at(2, "c", 2)).value(), 11U);
  EXPECT_EQ(doc.replay(insert_at(0, "\u00e9", 3)).value(), 12U);
  doc.restore_client("alice", 5, 12);
  EXPECT_EQ(doc.text(), "\u00e9abc");
  // alice's resend of seq 5 is answered from the restored record, with the replayed op.
  const Applied again = doc.submit("alice", 5, 11, insert_at(0, "\u00e9", 3)).value();
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.revision, 12U);
  EXPECT_EQ(again.op_as_applied, insert_at(0, "\u00e9", 3));
  // A late op written at revision 11 is transformed through the replayed history.
  EXPECT_EQ(doc.submit("bob", 1, 11, insert_at(3, "!", 3)).value().op_as_applied, insert_at(4, "!", 4));
}

TEST(ServerDocument, ReplayChecksTheOpFitsLikeSubmit) {
  ServerDocumentLimits limits;
  limits.max_length = 2;
  ServerDocument doc = ServerDocument::load("ab", 0, limits).value();
  EXPECT_EQ(doc.replay(Operation::identity(3)).error().code, ErrorCode::base_length_mismatch);
  EXPECT_EQ(doc.replay(insert_at(0, "x", 2)).error().code, ErrorCode::doc_too_large);
  EXPECT_EQ(doc.revision(), 0U);
}

TEST(ServerDocument, AnIdentityOpStillGetsARevision) {
  ServerDocument doc = ServerDocument::load("abc", 0).value();
  EXPECT_EQ(doc.submit("a", 1, 0, Operation::identity(3)).value().revision, 1U);
}

}  // namespace
}  // namespace otter::ot
