#include "ot/client.hpp"

#include <gtest/gtest.h>

#include "op_testing.hpp"

namespace otter::ot {
namespace {

using testing::insert_at;

TEST(Client, StartsSynchronized) {
  const Client client(7, 3);
  EXPECT_EQ(client.state(), Client::State::synchronized);
  EXPECT_EQ(client.revision(), 7U);
  EXPECT_EQ(client.document_length(), 3U);
  EXPECT_FALSE(client.resend().has_value());
}

TEST(Client, SendsTheFirstEditAtOnceWithSeqOneAndItsRevision) {
  Client client(7, 3);
  const std::optional<Submission> sent = client.apply_client(insert_at(0, "a", 3)).value();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(*sent, (Submission{1, 7, insert_at(0, "a", 3)}));
  EXPECT_EQ(client.state(), Client::State::awaiting_confirm);
  EXPECT_EQ(client.document_length(), 4U);
}

TEST(Client, BuffersEditsWhileOneIsInFlightAndComposesThem) {
  Client client(0, 0);
  ASSERT_TRUE(client.apply_client(insert_at(0, "a", 0)).value());
  EXPECT_FALSE(client.apply_client(insert_at(1, "b", 1)).value());
  EXPECT_FALSE(client.apply_client(insert_at(2, "c", 2)).value());
  EXPECT_EQ(client.state(), Client::State::awaiting_with_buffer);
  EXPECT_EQ(client.buffer(), insert_at(1, "bc", 1));
}

TEST(Client, AnAckSendsTheBufferWithTheNextSeqAndRevision) {
  Client client(0, 0);
  ASSERT_TRUE(client.apply_client(insert_at(0, "a", 0)).value());
  ASSERT_FALSE(client.apply_client(insert_at(1, "b", 1)).value());
  const std::optional<Submission> next = client.server_ack().value();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, (Submission{2, 1, insert_at(1, "b", 1)}));
  EXPECT_EQ(client.state(), Client::State::awaiting_confirm);
  EXPECT_FALSE(client.server_ack().value().has_value());
  EXPECT_EQ(client.state(), Client::State::synchronized);
  EXPECT_EQ(client.revision(), 2U);
}

TEST(Client, AnAckWithNothingInFlightIsAnError) {
  Client client(4, 0);
  const Expected<std::optional<Submission>> ack = client.server_ack();
  ASSERT_FALSE(ack);
  EXPECT_EQ(ack.error().code, ErrorCode::no_outstanding_op);
  EXPECT_EQ(client.revision(), 4U);
}

TEST(Client, ARemoteOpIsAppliedAsIsWhenSynchronized) {
  Client client(0, 2);
  EXPECT_EQ(client.apply_server(insert_at(1, "x", 2)).value(), insert_at(1, "x", 2));
  EXPECT_EQ(client.revision(), 1U);
  EXPECT_EQ(client.document_length(), 3U);
}

TEST(Client, ARemoteOpIsTransformedPastPendingOpsAndThePendingOpsPastIt) {
  Client client(0, 2);                                              // "xy"
  ASSERT_TRUE(client.apply_client(insert_at(0, "A", 2)).value());   // "Axy", in flight
  ASSERT_FALSE(client.apply_client(insert_at(3, "B", 3)).value());  // "AxyB", buffered
  // Someone else inserted "!" between x and y.
  const Operation local = client.apply_server(insert_at(1, "!", 2)).value();
  EXPECT_EQ(local, insert_at(2, "!", 4));  // "Ax!yB"
  EXPECT_EQ(client.outstanding(), insert_at(0, "A", 3));
  EXPECT_EQ(client.buffer(), insert_at(4, "B", 4));
  EXPECT_EQ(client.revision(), 1U);
  EXPECT_EQ(client.document_length(), 5U);
}

TEST(Client, OwnPendingInsertsStayLeftOfARemoteInsertAtTheSamePlace) {
  Client client(0, 1);
  ASSERT_TRUE(client.apply_client(insert_at(1, "mine", 1)).value());
  EXPECT_EQ(client.apply_server(insert_at(1, "theirs", 1)).value(), insert_at(5, "theirs", 5));
}

TEST(Client, RejectsOpsOfTheWrongLengthAndStaysUnchanged) {
  Client client(0, 3);
  EXPECT_EQ(client.apply_client(Operation::identity(2)).error().code, ErrorCode::base_length_mismatch);
  ASSERT_TRUE(client.apply_client(insert_at(0, "a", 3)).value());
  // The server's text at revision 0 is 3 long, not 4.
  EXPECT_EQ(client.apply_server(Operation::identity(4)).error().code, ErrorCode::base_length_mismatch);
  EXPECT_EQ(client.revision(), 0U);
  EXPECT_EQ(client.outstanding(), insert_at(0, "a", 3));
}

TEST(Client, ResendGivesTheInFlightOpAgainWithTheSameSeqRebasedOnTheCurrentRevision) {
  Client client(0, 2);
  ASSERT_TRUE(client.apply_client(insert_at(0, "A", 2)).value());
  ASSERT_TRUE(client.apply_server(insert_at(2, "z", 2)));
  const std::optional<Submission> again = client.resend();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, (Submission{1, 1, insert_at(0, "A", 3)}));
}

TEST(Client, AwaitsOnlyTheAckOfItsOpInFlightAtTheNextRevision) {
  Client client(4, 0);
  EXPECT_FALSE(client.awaits_ack(1, 5));
  ASSERT_TRUE(client.apply_client(insert_at(0, "a", 0)).value());
  EXPECT_TRUE(client.awaits_ack(1, 5));
  EXPECT_FALSE(client.awaits_ack(1, 6));  // someone else's op comes first
  EXPECT_FALSE(client.awaits_ack(2, 5));
  ASSERT_TRUE(client.server_ack());
  EXPECT_FALSE(client.awaits_ack(1, 5));  // a second ack of the same op is a leftover
}

TEST(Client, ResetDropsPendingOpsButNeverReusesASeq) {
  Client client(0, 0);
  ASSERT_TRUE(client.apply_client(insert_at(0, "a", 0)).value());
  ASSERT_FALSE(client.apply_client(insert_at(1, "b", 1)).value());
  client.set_selection(Selection{2, 2});
  client.reset(30, 1);
  EXPECT_EQ(client.state(), Client::State::synchronized);
  EXPECT_EQ(client.revision(), 30U);
  EXPECT_EQ(client.selection(), (Selection{1, 1}));
  const std::optional<Submission> sent = client.apply_client(insert_at(0, "c", 1)).value();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->seq, 2U);
  EXPECT_EQ(sent->base_revision, 30U);
}

TEST(Client, TheCursorFollowsOwnTypingAndRemoteEdits) {
  Client client(0, 4);
  client.set_selection(Selection{2, 2});
  ASSERT_TRUE(client.apply_client(insert_at(2, "ab", 4)).value());
  EXPECT_EQ(client.selection(), (Selection{4, 4}));  // after what was typed
  ASSERT_TRUE(client.apply_server(insert_at(0, "\U0001F600", 4)));
  EXPECT_EQ(client.selection(), (Selection{5, 5}));
  Operation remote_delete;
  remote_delete.erase(1).retain(4);  // the server text is now 5 long: delete the emoji
  ASSERT_TRUE(client.apply_server(remote_delete));
  EXPECT_EQ(client.selection(), (Selection{4, 4}));
}

}  // namespace
}  // namespace otter::ot
