// docs/protocol.md's error table, end to end: one test per row (and per case a row lists),
// each against a real otterd over a raw WebSocket. Each checks the code and the echoed
// id / doc / seq, and then that the connection (unless the row is fatal), the server and
// another client on the same document still work.
//
// Most rows share one server with small limits. The rows a client reaches only through the
// server's state get a server of their own: storage_unavailable (max_pending_ops 1 and
// commits held open by batch_wait_us, so the second op of a burst finds the first still
// waiting to be durable), internal_error (the --dev crash hook catching an op that was
// applied but not yet handed to storage), slow_consumer and shutting_down. The first two
// rely on one timing only: a round trip to the server takes less than the second for which
// a commit is held open.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "net/http_client.hpp"
#include "tests/e2e/e2e_testing.hpp"
#include "tests/e2e/slow_reader.hpp"
#include "tests/e2e/tcp_proxy.hpp"
#include "tests/support/otterd_process.hpp"
#include "tests/support/prometheus_text.hpp"

namespace otter::testing {
namespace {

// Small limits, so each row is cheap to reach.
constexpr std::string_view kSmallLimits = R"(
documents:
  max_code_points: 2000
  max_history: 5
sessions:
  max_open_docs: 4
  ops_per_second: 30
  max_op_bytes: 4096
websocket:
  max_frame_bytes: 65536
server:
  admin_token: "errtable-admin"
)";
constexpr std::string_view kAdminToken = "errtable-admin";

net::ErrorMessage expect_error(RawClient& client, net::ErrorCode code) {
  std::optional<net::ErrorMessage> error = client.expect<net::ErrorMessage>();
  if (!error) {
    ADD_FAILURE() << "no error " << code << " came";
    return {};
  }
  EXPECT_EQ(error->code, code) << error->message;
  EXPECT_FALSE(error->message.empty());
  return *error;
}

// Whether `error` names the op it answers: the request's id, the document and the seq.
::testing::AssertionResult answers(const net::ErrorMessage& error, const net::RequestId& id, const std::string& doc,
                                   std::uint64_t seq) {
  if (error.id == std::optional<net::RequestId>(id) && error.doc == std::optional<std::string>(doc) &&
      error.seq == std::optional<std::uint64_t>(seq)) {
    return ::testing::AssertionSuccess();
  }
  ::testing::AssertionResult failure = ::testing::AssertionFailure();
  failure << "expected an answer to id " << id << ", doc '" << doc << "', seq " << seq << "; got id ";
  if (error.id) failure << *error.id; else failure << "(none)";
  failure << ", doc '" << error.doc.value_or("(none)") << "', seq ";
  if (error.seq) failure << *error.seq; else failure << "(none)";
  return failure;
}

// A counter of the server's /metrics (0 if it is not there).
long metric(std::uint16_t port, std::string_view name) {
  net::HttpClient http({.port = port});
  return static_cast<long>(metric_value(http.get("/metrics").body, name).value_or(0));
}

class ErrorTable : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new OtterdProcess(OtterdOptions{.config_yaml = std::string(kSmallLimits)}); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  std::uint16_t port() const { return port_; }

  void SetUp() override { join(server_->port()); }

  // On the server at `port`: a document named after the test, a bystander editing it, and
  // the offender: a raw client that said hello and opened it.
  void join(std::uint16_t port) {
    port_ = port;
    doc_ = std::string("row-") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    bystander_ = connect_editor(port, "c-by-" + std::to_string(++clients_));
    ASSERT_TRUE(bystander_->open(doc_));
    ASSERT_TRUE(bystander_->insert(doc_, 0, "héllo 🦦"));
    ASSERT_TRUE(bystander_->wait_synced(kWait));
    offender_ = std::make_unique<RawClient>(port);
    (void)offender_->hello(offender_id_ = "c-off-" + std::to_string(++clients_));
    const net::Opened opened = offender_->open(doc_);
    revision_ = opened.revision;
    length_ = 7;
  }

  net::Edit edit(std::uint64_t seq, ot::Operation op, std::optional<net::RequestId> id = std::nullopt) const {
    return net::Edit{std::move(id), doc_, revision_, seq, std::move(op)};
  }

  // The offender's ack of its op `seq` (skipping what comes before it); nullopt if none came.
  std::optional<net::OpsEntry> expect_ack(std::uint64_t seq) {
    while (std::optional<net::Ops> ops = offender_->expect<net::Ops>()) {
      for (net::OpsEntry& entry : ops->entries) {
        if (entry.client_id == offender_id_ && entry.seq == seq) return std::move(entry);
      }
    }
    return std::nullopt;
  }

  // Reads until both the offender's error and the ack of its op `acked_seq` came, in either
  // order (they leave the server on different paths): the error.
  std::optional<net::ErrorMessage> expect_error_and_ack(std::uint64_t acked_seq) {
    std::optional<net::ErrorMessage> error;
    bool acked = false;
    while (!error || !acked) {
      std::optional<net::ServerMessage> message = offender_->receive();
      if (!message) {
        ADD_FAILURE() << (error ? "no ack of op " + std::to_string(acked_seq) + " came" : std::string("no error came"));
        return std::nullopt;
      }
      if (auto* refused = std::get_if<net::ErrorMessage>(&*message)) {
        EXPECT_FALSE(error) << "a second error: " << refused->message;
        error = std::move(*refused);
      } else if (const auto* ops = std::get_if<net::Ops>(&*message)) {
        for (const net::OpsEntry& entry : ops->entries) {
          acked = acked || (entry.client_id == offender_id_ && entry.seq == acked_seq);
        }
      }
    }
    return error;
  }

  // After an error that says its op was not applied (resend it): the resend is acked as a
  // fresh op, not a duplicate, everyone lives on, and its insert `text` is in the document
  // once.
  void expect_resend_applied_once(const net::Edit& resend, std::string_view text) {
    offender_->send(resend);
    const std::optional<net::OpsEntry> ack = expect_ack(resend.seq);
    ASSERT_TRUE(ack) << "the resent op was not acknowledged";
    EXPECT_FALSE(ack->duplicate) << "the op refused with an error had been applied";
    expect_all_still_work();
    EXPECT_EQ(count_occurrences(server_view(port(), doc_).text, text), 1U);
  }

  // The connection answers, and still hears the document; the server takes new
  // connections; the bystander still edits the document.
  void expect_all_still_work(bool offender_alive = true) {
    if (offender_alive) {
      EXPECT_TRUE(offender_->answers_ping("still-there"));
    }
    const std::string marker = "ok" + std::to_string(++clients_);
    // Catch up first: with max_history 5, an edit based behind the offender's ops would be
    // refused (resync_required) and dropped by the bystander's reload.
    ASSERT_TRUE(bystander_->wait_revision(doc_, server_view(port(), doc_).revision, kWait));
    ASSERT_TRUE(bystander_->insert(doc_, 0, marker));
    ASSERT_TRUE(bystander_->wait_synced(kWait)) << "the bystander's edit was not acknowledged";
    if (offender_alive) {
      bool heard = false;
      while (!heard) {
        std::optional<net::Ops> ops = offender_->expect<net::Ops>();
        ASSERT_TRUE(ops) << "the offender no longer hears the document";
        for (const net::OpsEntry& entry : ops->entries) heard = heard || entry.client_id == bystander_->client_id();
      }
    }
    const net::DocumentView fresh = server_view(port(), doc_);
    EXPECT_EQ(fresh.text, bystander_->document(doc_)->text);
    EXPECT_NE(fresh.text.find(marker), std::string::npos);
  }

  static OtterdProcess* server_;
  static int clients_;
  std::unique_ptr<OtterdProcess> own_server_;  // before the clients: it outlives them
  std::uint16_t port_ = 0;
  std::string doc_;
  std::string offender_id_;
  std::unique_ptr<net::OtterClient> bystander_;
  std::unique_ptr<RawClient> offender_;
  std::uint64_t revision_ = 0;
  std::size_t length_ = 0;
};

OtterdProcess* ErrorTable::server_ = nullptr;
int ErrorTable::clients_ = 0;

// Rows that need a server configured for them: each test starts its own, then joins it.
class ErrorTableOwnServer : public ErrorTable {
 protected:
  static void SetUpTestSuite() {}  // no shared server
  void SetUp() override {}
  void start_server(OtterdOptions options) {
    own_server_ = std::make_unique<OtterdProcess>(std::move(options));
    join(own_server_->port());
  }
};

TEST_F(ErrorTable, BadJsonIsAnsweredWithBadJson) {
  offender_->send_text(R"({"type":"ping",)");
  (void)expect_error(*offender_, net::ErrorCode::bad_json);
  offender_->send_text(R"([1, 2])");  // JSON, but not an object
  (void)expect_error(*offender_, net::ErrorCode::bad_json);
  expect_all_still_work();
}

TEST_F(ErrorTable, ABinaryFrameIsAnsweredWithBinaryFrame) {
  offender_->ws().send_binary(std::string("\x01\x02\x03", 3));
  (void)expect_error(*offender_, net::ErrorCode::binary_frame);
  expect_all_still_work();
}

TEST_F(ErrorTable, ATextFrameThatIsNotUtf8ClosesTheConnectionWith1007) {
  // The "—" row: RFC 6455 requires a text frame to be UTF-8, so the WebSocket layer closes
  // the connection before any JSON is read (\xff is never UTF-8).
  offender_->send_text("{\"type\":\"ping\",\"id\":\"\xff\"}");
  const std::optional<net::CloseReason> closed = offender_->ws().wait_closed(kWait);
  ASSERT_TRUE(closed) << "the connection was not closed";
  EXPECT_EQ(closed->code, 1007) << closed->reason;
  expect_all_still_work(false);
}

TEST_F(ErrorTable, AFrameTooLargeClosesTheConnectionWith1009) {
  offender_->send_text(R"({"type":"ping","pad":")" + std::string(70'000, 'x') + R"("})");
  const std::optional<net::CloseReason> closed = offender_->ws().wait_closed(kWait);
  ASSERT_TRUE(closed) << "the connection was not closed";
  EXPECT_EQ(closed->code, 1009);
  EXPECT_EQ(closed->reason, "frame_too_large");
  expect_all_still_work(false);
}

TEST_F(ErrorTable, AMessageBeforeHelloIsAnsweredWithHelloRequired) {
  RawClient early(port());
  net::Open open;
  open.id = net::RequestId(7);
  open.doc = doc_;
  early.send(open);
  const net::ErrorMessage error = expect_error(early, net::ErrorCode::hello_required);
  EXPECT_EQ(error.id, std::optional<net::RequestId>(7));
  EXPECT_EQ(error.doc, std::optional<std::string>(doc_));
  (void)early.hello("c-late-hello");  // the connection goes on
  EXPECT_TRUE(early.answers_ping("after-hello"));
  expect_all_still_work();
}

TEST_F(ErrorTable, AnUnsupportedVersionIsFatal) {
  RawClient future(port());
  future.send_text(R"({"type":"hello","version":2,"id":"h1","client_id":"c-future"})");
  const net::ErrorMessage error = expect_error(future, net::ErrorCode::unsupported_version);
  EXPECT_EQ(error.id, std::optional<net::RequestId>("h1"));
  EXPECT_EQ(error.supported, std::vector<std::int64_t>{1});
  const std::optional<net::CloseReason> closed = future.ws().wait_closed(kWait);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->code, 1002);
  EXPECT_EQ(closed->reason, "unsupported_version");
  expect_all_still_work();
}

TEST_F(ErrorTable, AnUnknownTypeIsAnsweredWithUnknownType) {
  offender_->send_text(R"({"type":"dance","id":3})");
  const net::ErrorMessage error = expect_error(*offender_, net::ErrorCode::unknown_type);
  EXPECT_EQ(error.id, std::optional<net::RequestId>(3));
  offender_->send_text(R"({"id":"no-type"})");
  EXPECT_EQ(expect_error(*offender_, net::ErrorCode::unknown_type).id, std::optional<net::RequestId>("no-type"));
  expect_all_still_work();
}

TEST_F(ErrorTable, AMistypedFieldIsAnsweredWithInvalidMessageNamingIt) {
  offender_->send_text(R"({"type":"op","id":4,"doc":")" + doc_ + R"(","rev":"zero","seq":1,"op":[7]})");
  const net::ErrorMessage error = expect_error(*offender_, net::ErrorCode::invalid_message);
  EXPECT_EQ(error.id, std::optional<net::RequestId>(4));
  EXPECT_EQ(error.doc, std::optional<std::string>(doc_));
  EXPECT_NE(error.message.find("rev"), std::string::npos) << error.message;
  expect_all_still_work();
}

TEST_F(ErrorTable, ABadDocumentIdIsAnsweredWithInvalidDocId) {
  net::Open open;
  open.id = net::RequestId(5);
  open.doc = "no/slashes";
  offender_->send(open);
  const net::ErrorMessage error = expect_error(*offender_, net::ErrorCode::invalid_doc_id);
  EXPECT_EQ(error.id, std::optional<net::RequestId>(5));
  EXPECT_EQ(error.doc, std::optional<std::string>("no/slashes"));
  expect_all_still_work();
}

TEST_F(ErrorTable, OpeningAMissingDocumentWithoutCreateIsDocNotFound) {
  net::Open open;
  open.id = net::RequestId(6);
  open.doc = doc_ + "-missing";
  open.create = false;
  offender_->send(open);
  const net::ErrorMessage error = expect_error(*offender_, net::ErrorCode::doc_not_found);
  EXPECT_EQ(error.id, std::optional<net::RequestId>(6));
  EXPECT_EQ(error.doc, std::optional<std::string>(doc_ + "-missing"));
  expect_all_still_work();
}

TEST_F(ErrorTable, ADocumentDeletedWhileOpenIsDocNotFound) {
  const std::string doomed = doc_ + "-doomed";
  (void)offender_->open(doomed);
  net::HttpClient http({.port = port()});
  ASSERT_EQ(http.del("/api/docs/" + doomed).status, 204);
  const net::ErrorMessage error = expect_error(*offender_, net::ErrorCode::doc_not_found);
  EXPECT_EQ(error.doc, std::optional<std::string>(doomed));
  EXPECT_EQ(error.id, std::nullopt);  // pushed: it answers no request
  // The document is no longer open on this connection; the other one still is.
  offender_->send(net::Close{net::RequestId("gone"), doomed});
  EXPECT_EQ(expect_error(*offender_, net::ErrorCode::not_open).id, std::optional<net::RequestId>("gone"));
  expect_all_still_work();
}

TEST_F(ErrorTable, CrashingADocumentNotOpenOnThisNodeIsDocNotFound) {
  RawClient admin(port());  // an admin's connection (hello.token), or it would be forbidden
  net::Hello hello;
  hello.client_id = "c-admin-" + std::to_string(++clients_);
  hello.token = std::string(kAdminToken);
  admin.send(hello);
  ASSERT_TRUE(admin.expect<net::Welcome>());
  admin.send(net::Crash{net::RequestId(16), doc_ + "-nowhere"});
  const net::ErrorMessage error = expect_error(admin, net::ErrorCode::doc_not_found);
  EXPECT_EQ(error.id, std::optional<net::RequestId>(16));
  EXPECT_EQ(error.doc, std::optional<std::string>(doc_ + "-nowhere"));
  EXPECT_TRUE(admin.answers_ping("admin-still-there"));
  expect_all_still_work();
}

TEST_F(ErrorTable, AnOpOnADocumentNotOpenIsNotOpen) {
  net::Edit op{net::RequestId(8), doc_ + "-elsewhere", 0, 1, ot::Operation().insert("x")};
  offender_->send(op);
  const net::ErrorMessage error = expect_error(*offender_, net::ErrorCode::not_open);
  EXPECT_TRUE(answers(error, 8, doc_ + "-elsewhere", 1));
  expect_all_still_work();
}

TEST_F(ErrorTable, PresenceOrCloseOnADocumentNotOpenIsNotOpen) {
  offender_->send(net::PresenceUpdate{net::RequestId(17), doc_ + "-elsewhere", 0, ot::Selection{0, 0}});
  const net::ErrorMessage presence = expect_error(*offender_, net::ErrorCode::not_open);
  EXPECT_EQ(presence.id, std::optional<net::RequestId>(17));
  EXPECT_EQ(presence.doc, std::optional<std::string>(doc_ + "-elsewhere"));
  offender_->send(net::Close{net::RequestId(18), doc_ + "-elsewhere"});
  const net::ErrorMessage close = expect_error(*offender_, net::ErrorCode::not_open);
  EXPECT_EQ(close.id, std::optional<net::RequestId>(18));
  EXPECT_EQ(close.doc, std::optional<std::string>(doc_ + "-elsewhere"));
  expect_all_still_work();
}

TEST_F(ErrorTable, OpeningMoreThanMaxOpenDocsIsTooManyDocs) {
  for (int i = 1; i < 4; ++i) (void)offender_->open(doc_ + "-" + std::to_string(i));  // 4 open: the limit
  net::Open fifth;
  fifth.id = net::RequestId("fifth");
  fifth.doc = doc_ + "-5";
  offender_->send(fifth);
  const net::ErrorMessage error = expect_error(*offender_, net::ErrorCode::too_many_docs);
  EXPECT_EQ(error.id, std::optional<net::RequestId>("fifth"));
  EXPECT_EQ(error.doc, std::optional<std::string>(doc_ + "-5"));
  offender_->send(net::Close{std::nullopt, doc_ + "-1"});
  ASSERT_TRUE(offender_->expect<net::Closed>());
  EXPECT_EQ(offender_->open(doc_ + "-5").doc, doc_ + "-5");  // room again
  expect_all_still_work();
}

TEST_F(ErrorTable, AMalformedOpIsInvalidOp) {
  offender_->send_text(R"({"type":"op","id":9,"doc":")" + doc_ + R"(","rev":)" + std::to_string(revision_) +
                       R"(,"seq":1,"op":[0,"x"]})");
  const net::ErrorMessage error = expect_error(*offender_, net::ErrorCode::invalid_op);
  EXPECT_TRUE(answers(error, 9, doc_, 1));
  expect_all_still_work();
}

TEST_F(ErrorTable, TextThatIsNotUtf8IsInvalidUtf8) {
  // A WebSocket text frame must be UTF-8 (the transport enforces it); what a client can
  // still send is a JSON escape of half a surrogate pair.
  offender_->send_text(R"({"type":"op","doc":")" + doc_ + R"(","rev":)" + std::to_string(revision_) +
                       R"(,"seq":1,"op":["\ud800",7]})");
  (void)expect_error(*offender_, net::ErrorCode::invalid_utf8);
  expect_all_still_work();
}

TEST_F(ErrorTable, AnOpThatDoesNotSpanTheDocumentIsBaseLengthMismatch) {
  offender_->send(edit(1, ot::Operation().retain(length_ + 5).insert("x"), net::RequestId(10)));
  const net::ErrorMessage error = expect_error(*offender_, net::ErrorCode::base_length_mismatch);
  EXPECT_TRUE(answers(error, 10, doc_, 1));
  expect_all_still_work();
}

TEST_F(ErrorTable, ARevisionAheadOfTheServerIsRevisionInFuture) {
  net::Edit op = edit(1, ot::Operation().insert("x").retain(length_), net::RequestId(11));
  op.rev = revision_ + 1000;
  offender_->send(op);
  const net::ErrorMessage error = expect_error(*offender_, net::ErrorCode::revision_in_future);
  EXPECT_TRUE(answers(error, 11, doc_, 1));
  expect_all_still_work();
}

TEST_F(ErrorTable, ARevisionOlderThanTheKeptHistoryIsResyncRequired) {
  for (int i = 0; i < 7; ++i) {  // max_history is 5
    ASSERT_TRUE(bystander_->insert(doc_, 0, "."));
    ASSERT_TRUE(bystander_->wait_synced(kWait));
  }
  offender_->send(edit(1, ot::Operation().insert("x").retain(length_), net::RequestId(12)));  // at the old rev
  const net::ErrorMessage error = expect_error(*offender_, net::ErrorCode::resync_required);
  EXPECT_TRUE(answers(error, 12, doc_, 1));
  expect_all_still_work();
}

TEST_F(ErrorTable, ASeqThatSkipsAheadIsSeqOutOfOrder) {
  offender_->send(edit(1, ot::Operation().insert("a").retain(length_)));
  ASSERT_TRUE(offender_->expect<net::Ops>());  // its ack
  net::Edit skipping = edit(3, ot::Operation().insert("b").retain(length_ + 1), net::RequestId(13));
  skipping.rev = revision_ + 1;
  offender_->send(skipping);
  const net::ErrorMessage error = expect_error(*offender_, net::ErrorCode::seq_out_of_order);
  EXPECT_TRUE(answers(error, 13, doc_, 3));
  expect_all_still_work();
}

TEST_F(ErrorTable, ASeqThatGoesBackPastTheLastAppliedIsSeqOutOfOrder) {
  offender_->send(edit(1, ot::Operation().insert("a").retain(length_)));
  ASSERT_TRUE(expect_ack(1));
  net::Edit second = edit(2, ot::Operation().insert("b").retain(length_ + 1));
  second.rev = revision_ + 1;
  offender_->send(second);
  ASSERT_TRUE(expect_ack(2));
  net::Edit stale = edit(1, ot::Operation().insert("c").retain(length_ + 2), net::RequestId(19));
  stale.rev = revision_ + 2;
  offender_->send(stale);
  const net::ErrorMessage error = expect_error(*offender_, net::ErrorCode::seq_out_of_order);
  EXPECT_TRUE(answers(error, 19, doc_, 1));
  expect_all_still_work();
  EXPECT_EQ(count_occurrences(server_view(port(), doc_).text, "c"), 0U) << "the stale op was applied";
}

TEST_F(ErrorTable, AnOpLargerThanMaxOpBytesIsOpTooLarge) {
  offender_->send(edit(1, ot::Operation().insert(std::string(5'000, 'x')).retain(length_), net::RequestId(14)));
  const net::ErrorMessage error = expect_error(*offender_, net::ErrorCode::op_too_large);
  EXPECT_TRUE(answers(error, 14, doc_, 1));
  expect_all_still_work();
}

TEST_F(ErrorTable, AnOpMakingTheDocumentTooLargeIsDocTooLarge) {
  offender_->send(edit(1, ot::Operation().insert(std::string(2'000, 'x')).retain(length_), net::RequestId(15)));
  const net::ErrorMessage error = expect_error(*offender_, net::ErrorCode::doc_too_large);
  EXPECT_TRUE(answers(error, 15, doc_, 1));
  expect_all_still_work();
}

TEST_F(ErrorTable, MoreOpsPerSecondThanAllowedAreRateLimited) {
  // ops_per_second is 30: a burst of 100 ops, all written against the same revision. So
  // many that the bucket, which refills while the burst is sent and read, runs dry even
  // if the machine stalls the burst for two seconds (40 once passed on a loaded machine).
  for (std::uint64_t seq = 1; seq <= 100; ++seq) offender_->send(edit(seq, ot::Operation().insert("r").retain(length_)));
  std::optional<net::ErrorMessage> limited;
  while (!limited) {
    std::optional<net::ErrorMessage> error = offender_->expect<net::ErrorMessage>();
    ASSERT_TRUE(error) << "no rate_limited error";
    if (error->code == net::ErrorCode::rate_limited) limited = error;
  }
  EXPECT_EQ(limited->doc, std::optional<std::string>(doc_));
  ASSERT_TRUE(limited->seq.has_value());
  EXPECT_GT(*limited->seq, 20U);
  expect_all_still_work();
}

TEST_F(ErrorTable, AClientThatStopsReadingIsClosedAsASlowConsumer) {
  OtterdProcess roomy(OtterdOptions{.config_yaml = std::string("sessions:\n  max_outbound_bytes: 65536\n")});
  const std::string doc = "flooded";
  auto flooder = connect_editor(roomy.port(), "c-flooder");
  auto bystander = connect_editor(roomy.port(), "c-by-flood");
  ASSERT_TRUE(flooder->open(doc));
  ASSERT_TRUE(bystander->open(doc));
  SlowReader slow(roomy.port());
  slow.send_text(R"({"type":"hello","version":1,"client_id":"c-slow"})");
  ASSERT_TRUE(slow.read_text(kWait));  // welcome
  slow.send_text(R"({"type":"open","doc":")" + doc + R"("})");
  ASSERT_TRUE(slow.read_text(kWait));  // opened; from here on it reads nothing
  // Each insert sends ~20 KB to every session (under the 64 KiB limit for those that
  // read); the slow one's queue grows past the limit once the kernel's buffers are full.
  // The server counts the closes in its metrics: flood until it counted one.
  const std::string chunk(20'000, 'f');
  for (int round = 0; metric(roomy.port(), "otter_slow_consumers_total") == 0; ++round) {
    ASSERT_LT(round, 2'000) << "the slow client was never closed";
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(flooder->insert(doc, 0, chunk));
      ASSERT_TRUE(flooder->wait_synced(kWait));
      ASSERT_TRUE(flooder->erase(doc, 0, chunk.size()));
      ASSERT_TRUE(flooder->wait_synced(kWait));
    }
  }
  std::string reason;
  const std::optional<std::uint16_t> code = slow.read_until_close(kWait, &reason);
  ASSERT_TRUE(code) << "the slow client's connection was not closed with a close frame";
  EXPECT_EQ(*code, 1008);
  EXPECT_EQ(reason, "slow_consumer");
  // The document and the others never waited for it.
  ASSERT_TRUE(bystander->insert(doc, 0, "still here"));
  ASSERT_TRUE(bystander->wait_synced(kWait));
  ASSERT_TRUE(flooder->wait_revision(doc, bystander->document(doc)->revision, kWait));
  EXPECT_EQ(flooder->document(doc)->text, "still here");
}

TEST_F(ErrorTableOwnServer, AnOpWhileStorageIsBehindIsStorageUnavailable) {
  // One op at most may wait to be made durable, and every commit is held open for a
  // second: the second op of a burst reaches the document while the first still waits.
  ASSERT_NO_FATAL_FAILURE(start_server(OtterdOptions{
      .config_yaml = std::string("documents:\n  max_pending_ops: 1\nstorage:\n  batch_wait_us: 1000000\n")}));
  offender_->send(edit(1, ot::Operation().insert("a").retain(length_)));
  offender_->send(edit(2, ot::Operation().insert("b").retain(length_), net::RequestId(20)));
  const std::optional<net::ErrorMessage> error = expect_error_and_ack(1);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, net::ErrorCode::storage_unavailable) << error->message;
  EXPECT_TRUE(answers(*error, 20, doc_, 2));
  net::Edit resend = edit(2, ot::Operation().insert("b").retain(length_ + 1));
  resend.rev = revision_ + 1;
  expect_resend_applied_once(resend, "b");
}

TEST_F(ErrorTableOwnServer, AnOpLostWithItsDocumentsProcessIsInternalError) {
  // Commits are held open for a second. Op 1's write is handed to storage; op 2 is applied
  // in memory and waits for that write to finish; the --dev crash hook then takes the
  // process down with op 2, which storage never saw. Its restart reloads op 1 (a reload
  // waits for the writer), not op 2: op 2's sender hears internal_error.
  ASSERT_NO_FATAL_FAILURE(
      start_server(OtterdOptions{.config_yaml = std::string("storage:\n  batch_wait_us: 1000000\n"), .dev = true}));
  // An op from the future, refused (revision_in_future) by the document's process after it
  // handled everything this connection sent before, and never applied: what the process has
  // done so far is then known.
  const auto probe = [this](std::uint64_t seq) {
    net::Edit future = edit(seq, ot::Operation().insert("?").retain(length_));
    future.rev = revision_ + 1'000;
    offender_->send(future);
    (void)expect_error(*offender_, net::ErrorCode::revision_in_future);
  };
  offender_->send(edit(1, ot::Operation().insert("a").retain(length_)));
  probe(2);  // op 1 is applied, and its write is scheduled ahead of whatever comes next
  offender_->send(edit(2, ot::Operation().insert("b").retain(length_), net::RequestId("lost")));
  probe(3);  // op 2 is applied, waiting for op 1's write
  net::HttpClient http({.port = port()});
  const net::HttpResponse crashed = http.post("/api/admin/docs/" + doc_ + "/crash", "");
  ASSERT_EQ(crashed.status, 202) << crashed.body;
  const std::optional<net::ErrorMessage> error = expect_error_and_ack(1);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, net::ErrorCode::internal_error) << error->message;
  EXPECT_TRUE(answers(*error, "lost", doc_, 2));
  expect_resend_applied_once(edit(2, ot::Operation().insert("b").retain(length_)), "b");
}

TEST_F(ErrorTable, AServerStoppingSaysShuttingDownAndClientsReconnectAfterItsRestart) {
  OtterdProcess stopping;
  TcpProxy proxy(stopping.port());
  auto bystander = connect_editor(proxy.port(), "c-by-stop");
  ASSERT_TRUE(bystander->open("stopping"));
  ASSERT_TRUE(bystander->insert("stopping", 0, "before"));
  ASSERT_TRUE(bystander->wait_synced(kWait));
  RawClient offender(stopping.port());
  (void)offender.hello("c-off-stop");
  (void)offender.open("stopping");

  EXPECT_EQ(stopping.terminate(), 0);
  // The close frame names the code; an error frame before it, if any, must too.
  while (std::optional<net::ServerMessage> message = offender.receive()) {
    if (const auto* error = std::get_if<net::ErrorMessage>(&*message)) {
      EXPECT_EQ(error->code, net::ErrorCode::shutting_down);
    }
  }
  const std::optional<net::CloseReason> closed = offender.ws().wait_closed(kWait);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->code, 1001);
  EXPECT_EQ(closed->reason, "shutting_down");

  stopping.restart();
  proxy.set_target(stopping.port());
  ASSERT_TRUE(bystander->wait_connected(kWait));
  ASSERT_TRUE(bystander->insert("stopping", 6, " and after"));
  ASSERT_TRUE(bystander->wait_synced(kWait));
  EXPECT_EQ(server_view(stopping.port(), "stopping").text, "before and after");
}

TEST_F(ErrorTable, ACrashFromAConnectionThatIsNotAnAdminsIsForbidden) {
  const long restarts = metric(port(), "otter_document_restarts_total");
  offender_->send(net::Crash{net::RequestId(21), doc_});
  const net::ErrorMessage error = expect_error(*offender_, net::ErrorCode::forbidden);
  EXPECT_EQ(error.id, std::optional<net::RequestId>(21));
  EXPECT_EQ(error.doc, std::optional<std::string>(doc_));
  expect_all_still_work();
  EXPECT_EQ(metric(port(), "otter_document_restarts_total"), restarts) << "the document's process was crashed";
}

}  // namespace
}  // namespace otter::testing
