// The session speaks docs/protocol.md: the happy path, acks only after durability,
// duplicates, and every error row a session can produce — each answered with its code,
// a sentence and the echoed id/doc/seq, the session living on unless the row is fatal.
#include <gtest/gtest.h>

#include "ot/json_codec.hpp"
#include "server_testing.hpp"

namespace otter::server {
namespace {

using namespace testing;
using net::ErrorCode;

// The op that appends "x" to a text of `length` code points.
std::string append_x(std::uint64_t length) {
  return length == 0 ? R"(["x"])" : "[" + std::to_string(length) + R"(,"x"])";
}

class SessionTest : public ::testing::Test {
 protected:
  TestClient connect(const std::string& client_id) {
    TestClient client(fixture_);
    client.hello(client_id);
    return client;
  }
  // Ann ("c-1") and Bo ("c-2") both have `doc` open, and Ann has heard Bo join.
  struct TwoEditors {
    TestClient ann;
    TestClient bo;
  };
  TwoEditors two_editors_on(const std::string& doc) {
    TwoEditors editors{connect("c-1"), connect("c-2")};
    editors.ann.open(doc);
    editors.bo.open(doc);
    static_cast<void>(editors.ann.expect<net::PresenceBroadcast>());
    return editors;
  }
  // The session still answers.
  static void expect_alive(TestClient& client) {
    client.send(R"({"type":"ping","id":"alive"})");
    const net::Pong pong = client.expect<net::Pong>();
    EXPECT_EQ(pong.id, net::RequestId("alive"));
  }

  ServiceFixture fixture_;
};

TEST_F(SessionTest, AClientSaysHelloOpensADocumentEditsItAndHearsItsAck) {
  fixture_.options.sessions.ops_per_second = 50;
  fixture_.options.sessions.max_open_docs = 7;
  fixture_.start();
  TestClient ann(fixture_);
  ann.send(R"({"type":"hello","version":1,"client_id":"c-1","name":"Ann","id":"h"})");
  const net::Welcome welcome = ann.expect<net::Welcome>();
  EXPECT_EQ(welcome.id, net::RequestId("h"));
  EXPECT_EQ(welcome.client_id, "c-1");
  EXPECT_TRUE(welcome.session.starts_with("s-"));
  EXPECT_EQ(welcome.limits.ops_per_second, 50U);
  EXPECT_EQ(welcome.limits.max_open_docs, 7U);
  EXPECT_EQ(welcome.limits.max_doc_code_points, kDefaultMaxDocCodePoints);

  ann.send(R"({"type":"open","id":1,"doc":"demo"})");
  const net::Opened opened = ann.expect<net::Opened>();
  EXPECT_EQ(opened.id, net::RequestId(1));
  EXPECT_EQ(opened.revision, 0U);
  EXPECT_EQ(opened.text, std::optional<std::string>(""));
  EXPECT_TRUE(opened.presence.empty());

  ann.edit("demo", 0, 1, R"(["Hi"])");
  const net::Ops ack = ann.expect<net::Ops>();
  ASSERT_EQ(ack.entries.size(), 1U);
  EXPECT_EQ(ack.entries[0], (net::OpsEntry{1, "c-1", std::nullopt, 1, false}));

  TestClient bo = connect("c-2");
  const net::Opened bo_opened = bo.open("demo");
  EXPECT_EQ(bo_opened.revision, 1U);
  EXPECT_EQ(bo_opened.text, std::optional<std::string>("Hi"));
}

TEST_F(SessionTest, OthersReceiveTheOpAsTransformedByTheServer) {
  fixture_.start();
  auto [ann, bo] = two_editors_on("demo");

  ann.edit("demo", 0, 1, R"(["Hi"])");
  EXPECT_EQ(ann.expect<net::Ops>().entries.at(0).seq, std::optional<std::uint64_t>(1));
  const net::Ops seen = bo.expect<net::Ops>();
  ASSERT_EQ(seen.entries.size(), 1U);
  EXPECT_EQ(seen.entries[0].client_id, "c-1");
  EXPECT_EQ(seen.entries[0].op, ot::decode(R"(["Hi"])").value());

  // Bo, still at revision 1, appends "!"; Ann, also at revision 1, prepends "Oh, " at
  // revision 1 after Bo's op is in: the server transforms hers past Bo's.
  bo.edit("demo", 1, 1, R"([2,"!"])");
  static_cast<void>(bo.expect<net::Ops>());
  static_cast<void>(ann.expect<net::Ops>());
  ann.edit("demo", 1, 2, R"(["Oh, ",2])");
  static_cast<void>(ann.expect<net::Ops>());
  const net::Ops transformed = bo.expect<net::Ops>();
  EXPECT_EQ(transformed.entries.at(0).rev, 3U);
  EXPECT_EQ(transformed.entries.at(0).op, ot::decode(R"(["Oh, ",3])").value());
  EXPECT_EQ(fixture_.service().documents().read("demo")->text, "Oh, Hi!");
}

TEST_F(SessionTest, ListenersSendTheOneFrameTheDocumentEncodedForThem) {
  fixture_.start();
  auto [ann, bo] = two_editors_on("demo");
  TestClient cy = connect("c-3");
  cy.open("demo");
  static_cast<void>(ann.sync());  // Cy's presence
  static_cast<void>(bo.sync());

  ann.edit("demo", 0, 1, R"(["Hi"])");
  EXPECT_EQ(ann.expect<net::Ops>().entries.at(0).seq, std::optional<std::uint64_t>(1));
  const std::shared_ptr<const std::string> to_bo = bo.connection().next_shared(kWait);
  const std::shared_ptr<const std::string> to_cy = cy.connection().next_shared(kWait);
  ASSERT_TRUE(to_bo && to_cy);
  // One string for both listeners, not two equal ones: the fan-out encodes a batch once.
  EXPECT_EQ(to_bo.get(), to_cy.get());
  const net::Expected<net::ServerMessage> seen = net::decode_server_message(*to_bo);
  ASSERT_TRUE(seen && std::holds_alternative<net::Ops>(*seen));
  const net::Ops& ops = std::get<net::Ops>(*seen);
  ASSERT_EQ(ops.entries.size(), 1U);
  EXPECT_EQ(ops.entries[0], (net::OpsEntry{1, "c-1", ot::decode(R"(["Hi"])").value(), std::nullopt, false}));
}

TEST_F(SessionTest, AnAckComesOnlyOnceTheOpIsDurable) {
  fixture_.start();
  auto [ann, bo] = two_editors_on("demo");

  fixture_.gate().close_gate();
  const std::size_t appends = fixture_.gate().appends();
  ann.edit("demo", 0, 1, R"(["x"])");
  ASSERT_TRUE(fixture_.gate().wait_for_appends(appends + 1, kWait));
  // The op is applied and its write is inside the store, held at the gate: nobody may
  // have heard of it, its sender included.
  const auto before = ann.sync();
  EXPECT_TRUE(before.empty()) << ann.last_frame();
  EXPECT_EQ(fixture_.service().documents().read("demo")->revision, 0U);
  EXPECT_TRUE(bo.sync().empty());

  fixture_.gate().open_gate();
  EXPECT_EQ(ann.expect<net::Ops>().entries.at(0), (net::OpsEntry{1, "c-1", std::nullopt, 1, false}));
  EXPECT_EQ(bo.expect<net::Ops>().entries.at(0).rev, 1U);
}

TEST_F(SessionTest, AResentOpIsAppliedOnceAndAckedWithItsOriginalRevision) {
  fixture_.start();
  TestClient ann = connect("c-1");
  ann.open("demo");
  ann.edit("demo", 0, 1, R"(["Hi"])");
  EXPECT_EQ(ann.expect<net::Ops>().entries.at(0).rev, 1U);

  ann.edit("demo", 0, 1, R"(["Hi"])");
  const net::Ops duplicate = ann.expect<net::Ops>();
  ASSERT_EQ(duplicate.entries.size(), 1U);
  EXPECT_EQ(duplicate.entries[0], (net::OpsEntry{1, "c-1", std::nullopt, 1, true}));
  const auto view = fixture_.service().documents().read("demo");
  EXPECT_EQ(view->revision, 1U);
  EXPECT_EQ(view->text, "Hi");
}

TEST_F(SessionTest, AResumingClientGetsTheOpsItMissedWithItsOwnAsAcks) {
  fixture_.start();
  {
    TestClient ann = connect("c-1");
    ann.open("demo");
    ann.edit("demo", 0, 1, R"(["a"])");
    static_cast<void>(ann.expect<net::Ops>());
  }
  TestClient bo = connect("c-2");
  bo.open("demo");
  bo.edit("demo", 1, 1, R"([1,"b"])");
  static_cast<void>(bo.expect<net::Ops>());

  TestClient ann_again = connect("c-1");
  ann_again.send(R"({"type":"open","doc":"demo","revision":0})");
  const net::Opened resumed = ann_again.expect<net::Opened>();
  EXPECT_FALSE(resumed.text.has_value());
  ASSERT_TRUE(resumed.ops.has_value());
  ASSERT_EQ(resumed.ops->size(), 2U);
  EXPECT_EQ((*resumed.ops)[0], (net::OpsEntry{1, "c-1", std::nullopt, 1, false}));
  EXPECT_EQ((*resumed.ops)[1].op, ot::decode(R"([1,"b"])").value());
  EXPECT_EQ(resumed.revision, 2U);
}

TEST_F(SessionTest, ClosingADocumentAnswersClosedAndStopsItsTraffic) {
  fixture_.start();
  auto [ann, bo] = two_editors_on("demo");
  ann.send(R"({"type":"close","id":3,"doc":"demo"})");
  EXPECT_EQ(ann.expect<net::Closed>(), (net::Closed{net::RequestId(3), "demo"}));
  EXPECT_TRUE(bo.expect<net::PresenceBroadcast>().left);
  bo.edit("demo", 0, 1, R"(["x"])");
  static_cast<void>(bo.expect<net::Ops>());
  EXPECT_TRUE(ann.sync().empty());
}

// --- the error table ----------------------------------------------------------------------

TEST_F(SessionTest, BadJsonIsAnsweredAndTheSessionLivesOn) {
  fixture_.start();
  TestClient ann = connect("c-1");
  ann.send("{");
  ann.expect_error(ErrorCode::bad_json);
  ann.send("[1,2]");
  ann.expect_error(ErrorCode::bad_json);
  expect_alive(ann);
}

TEST_F(SessionTest, AnythingBeforeHelloIsHelloRequired) {
  fixture_.start();
  TestClient ann(fixture_);
  ann.send(R"({"type":"open","id":5,"doc":"demo"})");
  const net::ErrorMessage error = ann.expect_error(ErrorCode::hello_required);
  EXPECT_EQ(error.id, net::RequestId(5));
  EXPECT_EQ(error.doc, std::optional<std::string>("demo"));
  ann.hello("c-1");
  expect_alive(ann);
}

TEST_F(SessionTest, AnUnsupportedVersionIsFatal) {
  fixture_.start();
  TestClient ann(fixture_);
  ann.send(R"({"type":"hello","version":2,"id":1})");
  const net::ErrorMessage error = ann.expect_error(ErrorCode::unsupported_version);
  EXPECT_EQ(error.supported, (std::vector<std::int64_t>{1}));
  EXPECT_EQ(error.id, net::RequestId(1));
  const auto closed = ann.connection().wait_closed(kWait);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->first, 1002);
  EXPECT_EQ(closed->second, "unsupported_version");
  EXPECT_TRUE(fixture_.wait_for_exit(ann.pid()));
}

TEST_F(SessionTest, UnknownTypesAndMissingFieldsAreNamed) {
  fixture_.start();
  TestClient ann = connect("c-1");
  ann.send(R"({"type":"dance","id":1})");
  EXPECT_EQ(ann.expect_error(ErrorCode::unknown_type).id, net::RequestId(1));
  ann.send(R"({"type":"open","id":2})");
  const net::ErrorMessage missing = ann.expect_error(ErrorCode::invalid_message);
  EXPECT_NE(missing.message.find("doc"), std::string::npos) << missing.message;
  EXPECT_EQ(missing.id, net::RequestId(2));
  ann.send(R"({"type":"hello","version":1})");
  ann.expect_error(ErrorCode::invalid_message);
  expect_alive(ann);
}

TEST_F(SessionTest, InvalidDocumentIdsAreRefused) {
  fixture_.start();
  TestClient ann = connect("c-1");
  ann.send(R"({"type":"open","id":1,"doc":"no spaces"})");
  ann.expect_error(ErrorCode::invalid_doc_id);
  // The codec's rule allows a leading dot; storage's (and so the server's) does not.
  ann.send(R"({"type":"open","id":2,"doc":".hidden"})");
  const net::ErrorMessage error = ann.expect_error(ErrorCode::invalid_doc_id);
  EXPECT_EQ(error.id, net::RequestId(2));
  EXPECT_EQ(error.doc, std::optional<std::string>(".hidden"));
  expect_alive(ann);
}

TEST_F(SessionTest, OpeningAMissingDocumentWithoutCreateIsDocNotFound) {
  fixture_.start();
  TestClient ann = connect("c-1");
  ann.send(R"({"type":"open","id":1,"doc":"nope","create":false})");
  const net::ErrorMessage error = ann.expect_error(ErrorCode::doc_not_found);
  EXPECT_EQ(error.id, net::RequestId(1));
  EXPECT_EQ(error.doc, std::optional<std::string>("nope"));
  EXPECT_FALSE(fixture_.service().documents().read("nope").has_value());
  // It can still be opened, and created, afterwards.
  EXPECT_EQ(ann.open("nope").revision, 0U);
}

TEST_F(SessionTest, RequestsForADocumentNotOpenAreNotOpen) {
  fixture_.start();
  TestClient ann = connect("c-1");
  ann.edit("other", 0, 4, R"(["x"])");
  const net::ErrorMessage op_error = ann.expect_error(ErrorCode::not_open);
  EXPECT_EQ(op_error.doc, std::optional<std::string>("other"));
  EXPECT_EQ(op_error.seq, std::optional<std::uint64_t>(4));
  ann.send(R"({"type":"presence","doc":"other","rev":0,"anchor":0,"head":0})");
  ann.expect_error(ErrorCode::not_open);
  ann.send(R"({"type":"close","id":9,"doc":"other"})");
  EXPECT_EQ(ann.expect_error(ErrorCode::not_open).id, net::RequestId(9));
  expect_alive(ann);
}

TEST_F(SessionTest, OpeningMoreThanMaxOpenDocsIsTooManyDocs) {
  fixture_.options.sessions.max_open_docs = 1;
  fixture_.start();
  TestClient ann = connect("c-1");
  ann.open("a");
  ann.send(R"({"type":"open","id":2,"doc":"b"})");
  EXPECT_EQ(ann.expect_error(ErrorCode::too_many_docs).id, net::RequestId(2));
  ann.send(R"({"type":"close","doc":"a"})");
  static_cast<void>(ann.expect<net::Closed>());
  EXPECT_EQ(ann.open("b").revision, 0U);
}

TEST_F(SessionTest, MalformedOpsAndTextAreRefusedWithTheirSeq) {
  fixture_.start();
  TestClient ann = connect("c-1");
  ann.open("demo");
  ann.edit("demo", 0, 1, "[0]");
  EXPECT_EQ(ann.expect_error(ErrorCode::invalid_op).seq, std::optional<std::uint64_t>(1));
  ann.edit("demo", 0, 1, "[\"\xff\"]");
  ann.expect_error(ErrorCode::invalid_utf8);
  ann.edit("demo", 0, 1, R"(["ok"])");
  EXPECT_EQ(ann.expect<net::Ops>().entries.at(0).rev, 1U);
}

TEST_F(SessionTest, OpsThatDoNotFitAreRefusedAndNothingIsApplied) {
  fixture_.options.documents.max_history = 2;
  fixture_.start();
  TestClient ann = connect("c-1");
  ann.open("demo");
  ann.edit("demo", 0, 1, "[5]");
  const net::ErrorMessage mismatch = ann.expect_error(ErrorCode::base_length_mismatch);
  EXPECT_EQ(mismatch.doc, std::optional<std::string>("demo"));
  EXPECT_EQ(mismatch.seq, std::optional<std::uint64_t>(1));
  ann.edit("demo", 9, 1, R"(["x"])");
  ann.expect_error(ErrorCode::revision_in_future);

  for (std::uint64_t seq = 1; seq <= 3; ++seq) {
    ann.edit("demo", seq - 1, seq, append_x(seq - 1));
    EXPECT_EQ(ann.expect<net::Ops>().entries.at(0).rev, seq);
  }
  // Two ops of history are kept: revision 0 can no longer be brought to head.
  const std::uint64_t head = 3;
  ann.edit("demo", 0, 4, R"(["y"])");
  const net::ErrorMessage resync = ann.expect_error(ErrorCode::resync_required);
  EXPECT_EQ(resync.seq, std::optional<std::uint64_t>(4));
  EXPECT_EQ(fixture_.service().documents().read("demo")->revision, head);
}

TEST_F(SessionTest, ASeqThatSkipsAheadIsOutOfOrder) {
  fixture_.start();
  TestClient ann = connect("c-1");
  ann.open("demo");
  ann.edit("demo", 0, 1, R"(["a"])");
  static_cast<void>(ann.expect<net::Ops>());
  ann.edit("demo", 1, 3, R"([1,"b"])");
  EXPECT_EQ(ann.expect_error(ErrorCode::seq_out_of_order).seq, std::optional<std::uint64_t>(3));
  ann.edit("demo", 1, 2, R"([1,"b"])");
  EXPECT_EQ(ann.expect<net::Ops>().entries.at(0).rev, 2U);
}

TEST_F(SessionTest, SizeLimitsGiveOpTooLargeAndDocTooLarge) {
  fixture_.options.sessions.max_op_bytes = 32;
  fixture_.options.documents.max_code_points = 4;
  fixture_.start();
  TestClient ann = connect("c-1");
  ann.open("demo");
  ann.edit("demo", 0, 1, "[\"" + std::string(40, 'x') + "\"]");
  EXPECT_EQ(ann.expect_error(ErrorCode::op_too_large).seq, std::optional<std::uint64_t>(1));
  ann.edit("demo", 0, 1, R"(["hello"])");
  EXPECT_EQ(ann.expect_error(ErrorCode::doc_too_large).seq, std::optional<std::uint64_t>(1));
  ann.edit("demo", 0, 1, R"(["hell"])");
  EXPECT_EQ(ann.expect<net::Ops>().entries.at(0).rev, 1U);
}

TEST_F(SessionTest, MoreOpsPerSecondThanAllowedAreRateLimited) {
  fixture_.options.sessions.ops_per_second = 1;
  fixture_.start();
  TestClient ann = connect("c-1");
  ann.open("demo");
  // Five ops in (much) less than four seconds: at most four tokens can exist.
  constexpr std::size_t kOps = 5;
  for (std::uint64_t seq = 1; seq <= kOps; ++seq) ann.edit("demo", 0, seq, R"(["x"])");
  // Each op is answered once: rate_limited at once, or an ack once it is durable (which
  // may come after a pong sent meanwhile, so count answers rather than ping past them).
  std::size_t limited = 0;
  std::size_t acked = 0;
  while (limited + acked < kOps) {
    std::optional<net::ServerMessage> message = ann.next();
    ASSERT_TRUE(message.has_value()) << limited << " limited and " << acked << " acked of " << kOps;
    if (const auto* error = std::get_if<net::ErrorMessage>(&*message); error && error->code == ErrorCode::rate_limited) {
      ++limited;
      EXPECT_TRUE(error->seq.has_value());
    } else if (const auto* ops = std::get_if<net::Ops>(&*message)) {
      for (const net::OpsEntry& entry : ops->entries) acked += entry.seq.has_value() ? 1 : 0;
    }
  }
  EXPECT_GE(limited, 1U);
  EXPECT_EQ(limited + acked, kOps);
  expect_alive(ann);
}

TEST_F(SessionTest, ASlowConsumerIsClosedWith1008) {
  fixture_.options.sessions.max_outbound_bytes = 1'000;
  fixture_.start();
  TestClient ann = connect("c-1");
  ann.open("demo");
  ann.connection().set_outbound_bytes(5'000);  // the socket is not draining
  ann.send(R"({"type":"ping"})");
  const auto closed = ann.connection().wait_closed(kWait);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->first, 1008);
  EXPECT_EQ(closed->second, "slow_consumer");
  EXPECT_TRUE(fixture_.wait_for_exit(ann.pid()));
  EXPECT_EQ(fixture_.service().metrics().slow_consumers.value(), 1U);
}

TEST_F(SessionTest, FramesWaitWhileTheSocketIsBusyAndLeaveTogether) {
  fixture_.start();
  auto [ann, bo] = two_editors_on("demo");
  ann.connection().set_outbound_bytes(kDefaultFlushHoldBytes);  // behind: hold everything
  for (std::uint64_t seq = 1; seq <= 3; ++seq) {
    bo.edit("demo", seq - 1, seq, append_x(seq - 1));
    static_cast<void>(bo.expect<net::Ops>());
  }
  EXPECT_EQ(ann.connection().queued(), 0U);
  ann.connection().set_outbound_bytes(0);  // drained
  const net::Ops together = ann.expect<net::Ops>();
  ASSERT_EQ(together.entries.size(), 3U);
  EXPECT_EQ(together.entries[0].rev, 1U);
  EXPECT_EQ(together.entries[2].rev, 3U);
}

TEST_F(SessionTest, AFrameStillBeingWrittenBelowTheHoldThresholdDoesNotDelayTheNext) {
  fixture_.start();
  auto [ann, bo] = two_editors_on("demo");
  ann.connection().set_outbound_bytes(kDefaultFlushHoldBytes - 1);  // writing, not behind
  for (std::uint64_t seq = 1; seq <= 3; ++seq) {
    bo.edit("demo", seq - 1, seq, append_x(seq - 1));
    static_cast<void>(bo.expect<net::Ops>());
    // Each op reaches ann on its own although the socket never reports drained.
    const net::Ops ops = ann.expect<net::Ops>();
    ASSERT_EQ(ops.entries.size(), 1U);
    EXPECT_EQ(ops.entries[0].rev, seq);
  }
}

TEST_F(SessionTest, OpsBeyondThePendingLimitAreStorageUnavailableAndNotApplied) {
  fixture_.options.documents.max_pending_ops = 1;
  fixture_.start();
  TestClient ann = connect("c-1");
  ann.open("demo");
  fixture_.gate().close_gate();
  const std::size_t appends = fixture_.gate().appends();
  ann.edit("demo", 0, 1, R"(["a"])");
  ASSERT_TRUE(fixture_.gate().wait_for_appends(appends + 1, kWait));
  ann.edit("demo", 0, 2, R"(["b"])");
  const net::ErrorMessage error = ann.expect_error(ErrorCode::storage_unavailable);
  EXPECT_EQ(error.seq, std::optional<std::uint64_t>(2));
  fixture_.gate().open_gate();
  EXPECT_EQ(ann.expect<net::Ops>().entries.at(0), (net::OpsEntry{1, "c-1", std::nullopt, 1, false}));
  EXPECT_EQ(fixture_.service().documents().read("demo")->text, "a");
}

TEST_F(SessionTest, AFailedWriteIsStorageUnavailableForTheOpInFlightWhichCanBeResent) {
  fixture_.start();
  TestClient ann = connect("c-1");
  ann.open("demo");
  fixture_.gate().close_gate();
  fixture_.gate().fail_appends(true);
  const std::size_t appends = fixture_.gate().appends();
  ann.edit("demo", 0, 1, R"(["a"])");
  ASSERT_TRUE(fixture_.gate().wait_for_appends(appends + 1, kWait));
  fixture_.gate().open_gate();  // the write fails: the document process crashes and reloads
  const net::ErrorMessage error = ann.expect_error(ErrorCode::storage_unavailable);
  EXPECT_EQ(error.seq, std::optional<std::uint64_t>(1));
  EXPECT_EQ(error.doc, std::optional<std::string>("demo"));

  fixture_.gate().fail_appends(false);
  ann.edit("demo", 0, 1, R"(["a"])");
  EXPECT_EQ(ann.expect<net::Ops>().entries.at(0), (net::OpsEntry{1, "c-1", std::nullopt, 1, false}));
  EXPECT_EQ(fixture_.service().documents().read("demo")->text, "a");
}

TEST_F(SessionTest, AnOpLostWithACrashedDocumentProcessIsInternalErrorAndCanBeResent) {
  fixture_.start();
  TestClient ann = connect("c-1");
  ann.open("demo");
  fixture_.gate().close_gate();
  const std::size_t appends = fixture_.gate().appends();
  ann.edit("demo", 0, 1, R"(["a"])");
  ASSERT_TRUE(fixture_.gate().wait_for_appends(appends + 1, kWait));
  const core::Pid before = fixture_.service().documents().whereis("demo");
  ASSERT_TRUE(fixture_.service().documents().crash("demo"));
  ASSERT_TRUE(fixture_.wait_for_exit(before));
  // The write the dead process handed over never commits; the reload waits for it.
  fixture_.gate().fail_appends(true);
  fixture_.gate().open_gate();
  const net::ErrorMessage error = ann.expect_error(ErrorCode::internal_error);
  EXPECT_EQ(error.seq, std::optional<std::uint64_t>(1));

  fixture_.gate().fail_appends(false);
  ann.edit("demo", 0, 1, R"(["a"])");
  EXPECT_EQ(ann.expect<net::Ops>().entries.at(0).rev, 1U);
  EXPECT_NE(fixture_.service().documents().whereis("demo"), before);
}

TEST_F(SessionTest, StoppingTheServiceTellsClientsShuttingDown) {
  fixture_.start();
  TestClient ann = connect("c-1");
  ann.open("demo");
  fixture_.service().stop();
  ann.expect_error(ErrorCode::shutting_down);
  const auto closed = ann.connection().wait_closed(kWait);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->first, 1001);
}

}  // namespace
}  // namespace otter::server
