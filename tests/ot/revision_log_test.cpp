#include "ot/revision_log.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "op_testing.hpp"

namespace otter::ot {
namespace {

using testing::insert_at;

TEST(RevisionLog, StartsAtTheGivenRevisionWithNoHistory) {
  const RevisionLog log(42, 10);
  EXPECT_EQ(log.head(), 42U);
  EXPECT_EQ(log.oldest_base(), 42U);
  EXPECT_EQ(log.ops_in_memory(), 0U);
  EXPECT_TRUE(log.ops_since(42)->empty());
  EXPECT_EQ(log.op_at(42), nullptr);
}

TEST(RevisionLog, AppendMakesDenseRevisions) {
  RevisionLog log(0, 10);
  EXPECT_EQ(log.append(insert_at(0, "a", 0), "c1", 1), 1U);
  EXPECT_EQ(log.append(insert_at(1, "b", 1), "c1", 2), 2U);
  EXPECT_EQ(log.head(), 2U);
  ASSERT_NE(log.op_at(2), nullptr);
  EXPECT_EQ(*log.op_at(2), insert_at(1, "b", 1));
  const RevisionLog::OpRange since_one = log.ops_since(1).value();
  ASSERT_EQ(since_one.size(), 1U);
  EXPECT_EQ(since_one.front(), insert_at(1, "b", 1));
}

TEST(RevisionLog, TransformsAnOldOpThroughEverythingAfterItsBase) {
  RevisionLog log(0, 10);
  // Text "xy" at revision 0; someone inserts "A" at 0, then "B" at 3.
  (void)log.append(insert_at(0, "A", 2), "other", 1);
  (void)log.append(insert_at(3, "B", 3), "other", 2);
  // Written at revision 0: insert "!" between x and y.
  const Operation moved = log.transform_to_head(insert_at(1, "!", 2), 0).value();
  EXPECT_EQ(moved, insert_at(2, "!", 4));  // "AxyB" -> "Ax!yB"
}

TEST(RevisionLog, TheIncomingOpWinsATieAsTheLeftSide) {
  RevisionLog log(0, 10);
  (void)log.append(insert_at(1, "S", 2), "server-side", 1);
  EXPECT_EQ(log.transform_to_head(insert_at(1, "C", 2), 0).value(), insert_at(1, "C", 3));
}

TEST(RevisionLog, ABaseRevisionAfterHeadIsInTheFuture) {
  const RevisionLog log(5, 10);
  const Expected<Operation> op = log.transform_to_head(Operation{}, 6);
  ASSERT_FALSE(op);
  EXPECT_EQ(op.error().code, ErrorCode::revision_in_future);
  EXPECT_EQ(op.error().message, "base revision 6 is newer than the document's revision 5");
}

TEST(RevisionLog, ABaseOlderThanTheKeptHistoryNeedsAResync) {
  RevisionLog log(0, 2);
  for (std::size_t i = 0; i < 5; ++i) (void)log.append(insert_at(i, "x", i), "c", i + 1);
  EXPECT_EQ(log.head(), 5U);
  EXPECT_EQ(log.ops_in_memory(), 2U);
  EXPECT_EQ(log.oldest_base(), 3U);
  EXPECT_EQ(log.op_at(3), nullptr);
  EXPECT_NE(log.op_at(4), nullptr);
  EXPECT_TRUE(log.transform_to_head(insert_at(0, "y", 3), 3));
  const Expected<Operation> too_old = log.transform_to_head(insert_at(0, "y", 2), 2);
  ASSERT_FALSE(too_old);
  EXPECT_EQ(too_old.error().code, ErrorCode::resync_required);
}

TEST(RevisionLog, AnOpThatDoesNotFitTheTextAtItsBaseIsALengthMismatch) {
  RevisionLog log(0, 10);
  (void)log.append(insert_at(0, "a", 0), "c", 1);
  const Expected<Operation> op = log.transform_to_head(Operation::identity(3), 0);
  ASSERT_FALSE(op);
  EXPECT_EQ(op.error().code, ErrorCode::base_length_mismatch);
  EXPECT_EQ(op.error().message,
            "op at base revision 0 has base length 3 but the document had length 0 at that revision");
}

TEST(RevisionLog, TheFirstSeqSeenFromAClientIsFreshWhateverItsValue) {
  const RevisionLog log(0, 10);
  EXPECT_EQ(log.check_seq("new", 1).status, RevisionLog::SeqStatus::fresh);
  EXPECT_EQ(log.check_seq("new", 57).status, RevisionLog::SeqStatus::fresh);
}

TEST(RevisionLog, ClassifiesSeqsAsFreshDuplicateStaleOrOutOfOrder) {
  RevisionLog log(0, 10);
  EXPECT_EQ(log.check_seq("c", 1).status, RevisionLog::SeqStatus::fresh);
  (void)log.append(insert_at(0, "a", 0), "c", 3);
  EXPECT_EQ(log.check_seq("c", 4).status, RevisionLog::SeqStatus::fresh);
  EXPECT_EQ(log.check_seq("c", 9).status, RevisionLog::SeqStatus::out_of_order);
  const RevisionLog::SeqCheck dup = log.check_seq("c", 3);
  EXPECT_EQ(dup.status, RevisionLog::SeqStatus::duplicate);
  EXPECT_EQ(dup.last, (RevisionLog::ClientRecord{3, 1}));
  EXPECT_EQ(log.check_seq("c", 2).status, RevisionLog::SeqStatus::stale);
  EXPECT_EQ(log.check_seq("someone else", 3).status, RevisionLog::SeqStatus::fresh);
}

TEST(RevisionLog, DuplicateDetectionOutlivesTheTrimmedHistory) {
  RevisionLog log(0, 1);
  (void)log.append(insert_at(0, "a", 0), "early", 7);
  for (std::size_t i = 1; i < 50; ++i) (void)log.append(insert_at(0, "b", i), "busy", i);
  EXPECT_EQ(log.op_at(1), nullptr);
  const RevisionLog::SeqCheck dup = log.check_seq("early", 7);
  EXPECT_EQ(dup.status, RevisionLog::SeqStatus::duplicate);
  EXPECT_EQ(dup.last.revision, 1U);
}

TEST(RevisionLog, AnEmptyClientIdIsNeverADuplicate) {
  RevisionLog log(0, 10);
  (void)log.append(insert_at(0, "a", 0), "", 1);
  EXPECT_EQ(log.check_seq("", 1).status, RevisionLog::SeqStatus::fresh);
  EXPECT_FALSE(log.last_applied("").has_value());
}

TEST(RevisionLog, RestoredClientRecordsAnswerDuplicatesAfterAReload) {
  RevisionLog log(100, 10);
  log.restore_client("c", 12, 97);
  EXPECT_EQ(log.check_seq("c", 12).status, RevisionLog::SeqStatus::duplicate);
  EXPECT_EQ(log.check_seq("c", 12).last.revision, 97U);
}

TEST(RevisionLog, MovesASelectionFromItsBaseRevisionToHead) {
  RevisionLog log(0, 10);
  (void)log.append(insert_at(0, "ab", 3), "c", 1);
  (void)log.append(insert_at(5, "!", 5), "c", 2);
  EXPECT_EQ(log.transform_selection_to_head(Selection{1, 3}, 0, Side::right).value(), (Selection{3, 6}));
  EXPECT_EQ(log.transform_selection_to_head(Selection{1, 3}, 0, Side::left).value(), (Selection{3, 5}));
  EXPECT_EQ(log.transform_selection_to_head(Selection{}, 3, Side::left).error().code, ErrorCode::revision_in_future);
}

TEST(RevisionLog, AZeroHistoryBoundAcceptsOnlyOpsAtHead) {
  RevisionLog log(0, 0);
  (void)log.append(insert_at(0, "a", 0), "c", 1);
  EXPECT_EQ(log.ops_in_memory(), 0U);
  EXPECT_TRUE(log.transform_to_head(Operation::identity(1), 1));
  EXPECT_EQ(log.transform_to_head(Operation::identity(0), 0).error().code, ErrorCode::resync_required);
}

}  // namespace
}  // namespace otter::ot
