// ClientDocument, message by message: what the client library sends and reports for each
// thing the server says (no sockets; the end-to-end tests next door run the real thing).
#include "net/otter_client_document.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

namespace otter::net {
namespace {

constexpr const char* kMe = "c-me";

ot::Operation insert_at(std::size_t position, std::string_view text, std::size_t length) {
  ot::Operation op;
  op.retain(position).insert(text).retain(length - position);
  return op;
}

ot::Operation erase_at(std::size_t position, std::size_t count, std::size_t length) {
  ot::Operation op;
  op.retain(position).erase(count).retain(length - position - count);
  return op;
}

Opened opened_with_text(const std::string& doc, std::uint64_t revision, std::string text) {
  Opened opened;
  opened.doc = doc;
  opened.revision = revision;
  opened.text = std::move(text);
  return opened;
}

OpsEntry remote(std::uint64_t rev, ot::Operation op, std::string client_id = "c-other") {
  OpsEntry entry;
  entry.rev = rev;
  entry.client_id = std::move(client_id);
  entry.op = std::move(op);
  return entry;
}

OpsEntry ack(std::uint64_t rev, std::uint64_t seq, bool duplicate = false) {
  OpsEntry entry;
  entry.rev = rev;
  entry.client_id = kMe;
  entry.seq = seq;
  entry.duplicate = duplicate;
  return entry;
}

ErrorMessage op_error(ErrorCode code, std::uint64_t seq, const std::string& doc = "d") {
  ErrorMessage error = make_error(code, "test");
  error.doc = doc;
  error.seq = seq;
  return error;
}

template <class T>
std::vector<T> all_of(const std::vector<ClientMessage>& messages) {
  std::vector<T> found;
  for (const ClientMessage& message : messages) {
    if (const T* typed = std::get_if<T>(&message)) found.push_back(*typed);
  }
  return found;
}

template <class T>
std::vector<T> all_of(const std::vector<ClientEvent>& events) {
  std::vector<T> found;
  for (const ClientEvent& event : events) {
    if (const T* typed = std::get_if<T>(&event)) found.push_back(*typed);
  }
  return found;
}

// A document opened fresh at `revision` with `text`.
ClientDocument opened_document(std::uint64_t revision, const std::string& text, std::uint64_t seq_base = 0) {
  ClientDocument doc("d", kMe, true, seq_base);
  const Open open = doc.open_message();
  EXPECT_FALSE(open.revision.has_value());
  DocumentEffects effects;
  doc.on_opened(opened_with_text("d", revision, text), effects);
  EXPECT_EQ(doc.phase(), ClientDocument::Phase::open);
  return doc;
}

TEST(ClientDocument, AFreshOpenLoadsTheTextAndReportsIt) {
  ClientDocument doc("d", kMe, true, 0);
  const Open open = doc.open_message();
  EXPECT_EQ(open.doc, "d");
  EXPECT_TRUE(open.create);
  EXPECT_EQ(doc.phase(), ClientDocument::Phase::opening);
  DocumentEffects effects;
  doc.on_opened(opened_with_text("d", 5, "héllo 🦦"), effects);
  EXPECT_EQ(doc.view().text, "héllo 🦦");
  EXPECT_EQ(doc.length(), 7U);
  EXPECT_EQ(doc.revision(), 5U);
  EXPECT_TRUE(doc.synchronized());
  const auto opened = all_of<DocumentOpenedEvent>(effects.events);
  ASSERT_EQ(opened.size(), 1U);
  EXPECT_EQ(opened[0].kind, DocumentOpenedEvent::Kind::opened);
  EXPECT_EQ(opened[0].text, "héllo 🦦");
  EXPECT_TRUE(effects.send.empty());
}

TEST(ClientDocument, ALocalEditIsAppliedAndSentWithSeqOneAtTheRevision) {
  ClientDocument doc = opened_document(5, "abc");
  DocumentEffects effects;
  EXPECT_FALSE(doc.edit(insert_at(3, "🦦", 3), effects));
  EXPECT_EQ(doc.view().text, "abc🦦");
  const auto edits = all_of<Edit>(effects.send);
  ASSERT_EQ(edits.size(), 1U);
  EXPECT_EQ(edits[0].rev, 5U);
  EXPECT_EQ(edits[0].seq, 1U);
  EXPECT_EQ(edits[0].op, insert_at(3, "🦦", 3));
  EXPECT_FALSE(doc.synchronized());
}

TEST(ClientDocument, AnEditThatDoesNotSpanTheTextIsRefusedAndChangesNothing) {
  ClientDocument doc = opened_document(0, "abc");
  DocumentEffects effects;
  const std::optional<ErrorMessage> error = doc.edit(insert_at(0, "x", 2), effects);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, ErrorCode::invalid_op);
  EXPECT_EQ(doc.view().text, "abc");
  EXPECT_TRUE(effects.send.empty());
}

TEST(ClientDocument, EditsWhileOneIsInFlightGoOutComposedAfterItsAck) {
  ClientDocument doc = opened_document(0, "");
  DocumentEffects effects;
  ASSERT_FALSE(doc.edit(insert_at(0, "a", 0), effects));
  ASSERT_FALSE(doc.edit(insert_at(1, "b", 1), effects));
  ASSERT_FALSE(doc.edit(insert_at(2, "c", 2), effects));
  EXPECT_EQ(all_of<Edit>(effects.send).size(), 1U);

  DocumentEffects after_ack;
  doc.on_ops({ack(1, 1)}, after_ack);
  const auto edits = all_of<Edit>(after_ack.send);
  ASSERT_EQ(edits.size(), 1U);
  EXPECT_EQ(edits[0].seq, 2U);
  EXPECT_EQ(edits[0].rev, 1U);
  EXPECT_EQ(edits[0].op, insert_at(1, "bc", 1));
  ASSERT_EQ(all_of<AckEvent>(after_ack.events).size(), 1U);
  EXPECT_EQ(all_of<AckEvent>(after_ack.events)[0].revision, 1U);

  DocumentEffects last;
  doc.on_ops({ack(2, 2)}, last);
  EXPECT_TRUE(doc.synchronized());
  EXPECT_EQ(doc.revision(), 2U);
  EXPECT_EQ(doc.view().text, "abc");
}

TEST(ClientDocument, ARemoteEditIsTransformedPastTheLocalEditInFlight) {
  ClientDocument doc = opened_document(0, "xy");
  DocumentEffects effects;
  ASSERT_FALSE(doc.edit(insert_at(0, "A", 2), effects));  // "Axy", in flight
  DocumentEffects remote_effects;
  doc.on_ops({remote(1, erase_at(1, 1, 2), "c-bo")}, remote_effects);  // Bo deleted "y"
  EXPECT_EQ(doc.view().text, "Ax");
  const auto edits = all_of<RemoteEditEvent>(remote_effects.events);
  ASSERT_EQ(edits.size(), 1U);
  EXPECT_EQ(edits[0].client_id, "c-bo");
  EXPECT_EQ(edits[0].revision, 1U);
  EXPECT_EQ(edits[0].op, erase_at(2, 1, 3));
  EXPECT_EQ(edits[0].erased, std::vector<std::string>{"y"});
  // The ack comes after the remote op in the stream: revision 2.
  DocumentEffects ack_effects;
  doc.on_ops({ack(2, 1)}, ack_effects);
  EXPECT_TRUE(doc.synchronized());
  EXPECT_EQ(doc.revision(), 2U);
}

TEST(ClientDocument, TheOutOfStreamAckOfADuplicateIsDroppedSoTheOpCountsOnce) {
  ClientDocument doc = opened_document(3, "");
  DocumentEffects effects;
  ASSERT_FALSE(doc.edit(insert_at(0, "a", 0), effects));
  DocumentEffects in_stream;
  doc.on_ops({ack(4, 1)}, in_stream);
  ASSERT_TRUE(doc.synchronized());
  DocumentEffects duplicate;
  doc.on_ops({ack(4, 1, true)}, duplicate);
  EXPECT_EQ(doc.revision(), 4U);
  EXPECT_TRUE(duplicate.events.empty());
  EXPECT_TRUE(duplicate.send.empty());
}

TEST(ClientDocument, AResumeWhoseCatchUpHoldsTheAckDoesNotResend) {
  ClientDocument doc = opened_document(0, "");
  DocumentEffects effects;
  ASSERT_FALSE(doc.edit(insert_at(0, "a", 0), effects));   // seq 1 in flight
  ASSERT_FALSE(doc.edit(insert_at(1, "b", 1), effects));   // buffered
  doc.connection_lost();
  EXPECT_EQ(doc.phase(), ClientDocument::Phase::closed);
  const Open open = doc.open_message();
  ASSERT_TRUE(open.revision.has_value());
  EXPECT_EQ(*open.revision, 0U);

  Opened resumed;
  resumed.doc = "d";
  resumed.revision = 2;
  resumed.ops = std::vector<OpsEntry>{remote(1, insert_at(0, "Z", 0)), ack(2, 1)};
  DocumentEffects on_open;
  doc.on_opened(resumed, on_open);
  EXPECT_EQ(doc.view().text, "abZ");  // pending edits go left of a concurrent insert
  const auto edits = all_of<Edit>(on_open.send);
  ASSERT_EQ(edits.size(), 1U);  // the buffered edit only, once
  EXPECT_EQ(edits[0].seq, 2U);
  EXPECT_EQ(edits[0].rev, 2U);
  EXPECT_EQ(edits[0].op, insert_at(1, "b", 2));
  const auto opened = all_of<DocumentOpenedEvent>(on_open.events);
  ASSERT_EQ(opened.size(), 1U);
  EXPECT_EQ(opened[0].kind, DocumentOpenedEvent::Kind::resumed);
}

TEST(ClientDocument, AResumeWithoutTheAckResendsTheOpWithItsSeqRebased) {
  ClientDocument doc = opened_document(0, "xy");
  DocumentEffects effects;
  ASSERT_FALSE(doc.edit(insert_at(2, "!", 2), effects));
  doc.connection_lost();
  (void)doc.open_message();
  Opened resumed;
  resumed.doc = "d";
  resumed.revision = 1;
  resumed.ops = std::vector<OpsEntry>{remote(1, insert_at(0, "W", 2))};
  DocumentEffects on_open;
  doc.on_opened(resumed, on_open);
  const auto edits = all_of<Edit>(on_open.send);
  ASSERT_EQ(edits.size(), 1U);
  EXPECT_EQ(edits[0].seq, 1U);
  EXPECT_EQ(edits[0].rev, 1U);
  EXPECT_EQ(edits[0].op, insert_at(3, "!", 3));
  EXPECT_EQ(doc.view().text, "Wxy!");
}

TEST(ClientDocument, EditsMadeWhileDisconnectedWaitForTheReopen) {
  ClientDocument doc = opened_document(0, "");
  doc.connection_lost();
  DocumentEffects effects;
  ASSERT_FALSE(doc.edit(insert_at(0, "a", 0), effects));
  EXPECT_TRUE(effects.send.empty());
  EXPECT_EQ(doc.view().text, "a");
  (void)doc.open_message();
  Opened resumed;
  resumed.doc = "d";
  resumed.revision = 0;
  resumed.ops = std::vector<OpsEntry>{};
  DocumentEffects on_open;
  doc.on_opened(resumed, on_open);
  const auto edits = all_of<Edit>(on_open.send);
  ASSERT_EQ(edits.size(), 1U);
  EXPECT_EQ(edits[0].seq, 1U);
}

TEST(ClientDocument, RateLimitedAsksForALaterResendOfTheSameSeq) {
  ClientDocument doc = opened_document(0, "");
  DocumentEffects effects;
  ASSERT_FALSE(doc.edit(insert_at(0, "a", 0), effects));
  DocumentEffects on_error;
  doc.on_error(op_error(ErrorCode::rate_limited, 1), on_error);
  ASSERT_TRUE(on_error.resend_after.has_value());
  EXPECT_TRUE(on_error.send.empty());
  const auto errors = all_of<ErrorEvent>(on_error.events);
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_TRUE(errors[0].handled);
  DocumentEffects later;
  doc.resend_due(later);
  const auto edits = all_of<Edit>(later.send);
  ASSERT_EQ(edits.size(), 1U);
  EXPECT_EQ(edits[0].seq, 1U);
}

TEST(ClientDocument, InternalErrorResendsAtOnce) {
  ClientDocument doc = opened_document(0, "");
  DocumentEffects effects;
  ASSERT_FALSE(doc.edit(insert_at(0, "a", 0), effects));
  DocumentEffects on_error;
  doc.on_error(op_error(ErrorCode::internal_error, 1), on_error);
  EXPECT_EQ(all_of<Edit>(on_error.send).size(), 1U);
}

TEST(ClientDocument, ARefusedEditReloadsTheTextAndItsSeqIsUsedAgain) {
  ClientDocument doc = opened_document(0, "abc");
  DocumentEffects effects;
  ASSERT_FALSE(doc.edit(insert_at(0, "x", 3), effects));
  DocumentEffects on_error;
  doc.on_error(op_error(ErrorCode::doc_too_large, 1), on_error);
  ASSERT_EQ(all_of<Close>(on_error.send).size(), 1U);
  const auto opens = all_of<Open>(on_error.send);
  ASSERT_EQ(opens.size(), 1U);
  EXPECT_FALSE(opens[0].revision.has_value());  // fresh: the local text is wrong
  // Edits are refused until the reload is done (they would be dropped by it).
  DocumentEffects meanwhile;
  ASSERT_TRUE(doc.edit(insert_at(0, "y", 4), meanwhile));

  DocumentEffects reloaded;
  doc.on_opened(opened_with_text("d", 0, "abc"), reloaded);
  const auto events = all_of<DocumentOpenedEvent>(reloaded.events);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].kind, DocumentOpenedEvent::Kind::reloaded);
  EXPECT_TRUE(events[0].local_edits_dropped);
  EXPECT_EQ(doc.view().text, "abc");

  DocumentEffects next;
  ASSERT_FALSE(doc.edit(insert_at(0, "z", 3), next));
  const auto edits = all_of<Edit>(next.send);
  ASSERT_EQ(edits.size(), 1U);
  EXPECT_EQ(edits[0].seq, 1U);  // the server never used seq 1
}

TEST(ClientDocument, AfterAReloadOfUnknownFateSeqOutOfOrderReusesTheSeq) {
  ClientDocument doc = opened_document(0, "");
  DocumentEffects effects;
  ASSERT_FALSE(doc.edit(insert_at(0, "a", 0), effects));  // seq 1: applied or not?
  doc.connection_lost();
  (void)doc.open_message();
  DocumentEffects reloaded;
  doc.on_opened(opened_with_text("d", 7, "zz"), reloaded);  // history gone: the text
  ASSERT_TRUE(all_of<DocumentOpenedEvent>(reloaded.events).at(0).local_edits_dropped);

  DocumentEffects next;
  ASSERT_FALSE(doc.edit(insert_at(0, "b", 2), next));
  ASSERT_EQ(all_of<Edit>(next.send).at(0).seq, 2U);
  DocumentEffects on_error;
  doc.on_error(op_error(ErrorCode::seq_out_of_order, 2), on_error);  // seq 1 was not used
  const auto edits = all_of<Edit>(on_error.send);
  ASSERT_EQ(edits.size(), 1U);
  EXPECT_EQ(edits[0].seq, 1U);
  DocumentEffects acked;
  doc.on_ops({ack(8, 1)}, acked);
  EXPECT_TRUE(doc.synchronized());
}

TEST(ClientDocument, AnOpBasedBeyondTheKeptHistoryIsResentRebasedOnTheOpsThatCameSince) {
  ClientDocument doc = opened_document(0, "ab");
  DocumentEffects effects;
  ASSERT_FALSE(doc.edit(insert_at(2, "!", 2), effects));  // sent at rev 0
  DocumentEffects remote_effects;
  doc.on_ops({remote(1, insert_at(0, "x", 2)), remote(2, insert_at(0, "y", 3))}, remote_effects);
  DocumentEffects on_error;
  doc.on_error(op_error(ErrorCode::resync_required, 1), on_error);
  const auto edits = all_of<Edit>(on_error.send);
  ASSERT_EQ(edits.size(), 1U);
  EXPECT_EQ(edits[0].seq, 1U);
  EXPECT_EQ(edits[0].rev, 2U);
  EXPECT_EQ(edits[0].op, insert_at(4, "!", 4));
  EXPECT_TRUE(all_of<Open>(on_error.send).empty());
  EXPECT_EQ(doc.view().text, "yxab!");
}

TEST(ClientDocument, AnOpBasedBeyondTheKeptHistoryWithNothingNewerReloads) {
  ClientDocument doc = opened_document(0, "ab");
  DocumentEffects effects;
  ASSERT_FALSE(doc.edit(insert_at(2, "!", 2), effects));
  DocumentEffects on_error;
  doc.on_error(op_error(ErrorCode::resync_required, 1), on_error);
  EXPECT_EQ(all_of<Open>(on_error.send).size(), 1U);
  EXPECT_TRUE(all_of<Edit>(on_error.send).empty());
}

TEST(ClientDocument, ARefusedOpenFailsTheDocument) {
  ClientDocument doc("missing", kMe, false, 0);
  const Open open = doc.open_message();
  EXPECT_FALSE(open.create);
  ErrorMessage error = make_error(ErrorCode::doc_not_found, "no such document");
  error.id = open.id;
  error.doc = "missing";
  DocumentEffects effects;
  doc.on_error(error, effects);
  EXPECT_EQ(doc.phase(), ClientDocument::Phase::failed);
  ASSERT_TRUE(doc.failure());
  EXPECT_EQ(doc.failure()->code, ErrorCode::doc_not_found);
}

TEST(ClientDocument, SeqsContinueFromTheBaseAfterAReopen) {
  ClientDocument doc = opened_document(0, "", 41);
  DocumentEffects effects;
  ASSERT_FALSE(doc.edit(insert_at(0, "a", 0), effects));
  EXPECT_EQ(all_of<Edit>(effects.send).at(0).seq, 42U);
  EXPECT_EQ(doc.last_seq_sent(), 42U);
}

TEST(ClientDocument, ARevisionGapReloadsTheDocument) {
  ClientDocument doc = opened_document(0, "");
  DocumentEffects effects;
  doc.on_ops({remote(2, insert_at(0, "x", 0))}, effects);
  EXPECT_EQ(doc.phase(), ClientDocument::Phase::opening);
  EXPECT_EQ(all_of<Open>(effects.send).size(), 1U);
}

TEST(ClientDocument, PeersSelectionsAreInLocalCoordinatesAndFollowEdits) {
  ClientDocument doc = opened_document(0, "abcdef");
  DocumentEffects effects;
  ASSERT_FALSE(doc.edit(insert_at(0, "12", 6), effects));  // local "12abcdef", in flight
  PresenceBroadcast presence;
  presence.doc = "d";
  presence.peer.session = "s-bo";
  presence.peer.client_id = "c-bo";
  presence.peer.name = "Bo";
  presence.peer.selection = ot::Selection{3, 3};  // after "abc" in the server's text
  DocumentEffects on_presence;
  doc.on_presence(presence, on_presence);
  const auto events = all_of<PresenceEvent>(on_presence.events);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].peer.selection, (ot::Selection{5, 5}));
  // Someone deletes "a": Bo's cursor moves left.
  DocumentEffects on_remote;
  doc.on_ops({remote(1, erase_at(0, 1, 6))}, on_remote);
  ASSERT_EQ(doc.view().peers.size(), 1U);
  EXPECT_EQ(doc.view().peers[0].selection, (ot::Selection{4, 4}));
  // Bo leaves.
  PresenceBroadcast left;
  left.doc = "d";
  left.peer.session = "s-bo";
  left.left = true;
  DocumentEffects on_left;
  doc.on_presence(left, on_left);
  EXPECT_TRUE(doc.view().peers.empty());
}

TEST(ClientDocument, OwnPresenceWaitsUntilNoEditIsInFlight) {
  ClientDocument doc = opened_document(0, "abc");
  DocumentEffects effects;
  ASSERT_FALSE(doc.edit(insert_at(0, "x", 3), effects));
  DocumentEffects selection;
  ASSERT_FALSE(doc.set_selection(ot::Selection{2, 2}, selection));
  EXPECT_TRUE(all_of<PresenceUpdate>(selection.send).empty());
  DocumentEffects acked;
  doc.on_ops({ack(1, 1)}, acked);
  const auto presence = all_of<PresenceUpdate>(acked.send);
  ASSERT_EQ(presence.size(), 1U);
  EXPECT_EQ(presence[0].rev, 1U);
  EXPECT_EQ(presence[0].selection, (ot::Selection{2, 2}));
}

TEST(ClientDocument, ResyncRequiredWithoutASeqReopensFromTheRevision) {
  ClientDocument doc = opened_document(4, "abc");
  ErrorMessage error = make_error(ErrorCode::resync_required, "reloaded");
  error.doc = "d";
  DocumentEffects effects;
  doc.on_error(error, effects);
  const auto opens = all_of<Open>(effects.send);
  ASSERT_EQ(opens.size(), 1U);
  EXPECT_EQ(opens[0].revision, std::optional<std::uint64_t>(4));
  EXPECT_TRUE(all_of<Close>(effects.send).empty());
}

}  // namespace
}  // namespace otter::net
