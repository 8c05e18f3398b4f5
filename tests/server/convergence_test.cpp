// Convergence through the whole service: several sessions edit one document at once with
// random ops, each client running the real OT client (ot::Client) over the real protocol.
// Invariant: once everything is delivered, every client holds exactly the server's text at
// the server's revision — and, when the document process is crashed mid-edits, every op
// that was acked is in storage at the revision it was acked with (acked = durable).
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "ot/apply.hpp"
#include "ot/client.hpp"
#include "ot/json_codec.hpp"
#include "ot/utf8.hpp"
#include "server_testing.hpp"

namespace otter::server {
namespace {

using namespace testing;

constexpr const char* kDoc = "conv";

// One simulated editor: a connection, the OT client and the local text.
struct Editor {
  std::unique_ptr<TestClient> connection;
  std::string client_id;
  ot::Client ot{0, 0};
  std::string text;
  std::map<std::uint64_t, std::uint64_t> acked;  // seq -> the revision it was acked as
  std::size_t resent = 0;
};

class ConvergenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fixture_.options.sessions.ops_per_second = 0;  // the test types faster than people
    fixture_.start();
  }

  void connect(std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      Editor editor;
      editor.client_id = "c-" + std::to_string(i + 1);
      editor.connection = std::make_unique<TestClient>(fixture_);
      editor.connection->hello(editor.client_id);
      const net::Opened opened = editor.connection->open(kDoc);
      ASSERT_TRUE(opened.text.has_value());
      editor.text = *opened.text;
      editor.ot = ot::Client(opened.revision, ot::count_code_points(editor.text));
      editors_.push_back(std::move(editor));
    }
  }

  void send(Editor& editor, const ot::Submission& submission) {
    editor.connection->edit(kDoc, submission.base_revision, submission.seq, ot::encode(submission.op));
  }

  ot::Operation random_op(std::size_t length) {
    static constexpr std::string_view kPool[] = {"a", "b", "Z", " ", "\n", "é", "中", "😀"};
    const std::size_t position = engine_() % (length + 1);
    const std::size_t erased = engine_() % 3 == 0 ? engine_() % (std::min<std::size_t>(length - position, 4) + 1) : 0;
    std::string inserted;
    const std::size_t count = engine_() % 4 == 0 ? 0 : 1 + engine_() % 3;
    for (std::size_t i = 0; i < count; ++i) inserted += kPool[engine_() % std::size(kPool)];
    ot::Operation op;
    op.retain(position).insert(inserted).erase(erased).retain(length - position - erased);
    if (op.is_identity() && length == 0) op.insert("x");
    return op;
  }

  void type(Editor& editor) {
    ot::Operation op = random_op(editor.ot.document_length());
    editor.text = ot::apply(editor.text, op).value();
    ot::Expected<std::optional<ot::Submission>> submission = editor.ot.apply_client(std::move(op));
    ASSERT_TRUE(submission.has_value()) << submission.error().message;
    if (*submission) send(editor, **submission);
  }

  void handle(Editor& editor, net::ServerMessage& message) {
    if (auto* ops = std::get_if<net::Ops>(&message)) {
      for (net::OpsEntry& entry : ops->entries) {
        if (entry.rev <= editor.ot.revision()) continue;  // a duplicate's in-stream twin
        if (entry.op) {
          ot::Expected<ot::Operation> local = editor.ot.apply_server(*entry.op);
          ASSERT_TRUE(local.has_value()) << local.error().message;
          editor.text = ot::apply(editor.text, *local).value();
        } else {
          ASSERT_TRUE(entry.seq.has_value());
          ASSERT_TRUE(editor.ot.awaits_ack(*entry.seq, entry.rev))
              << editor.client_id << ": unexpected ack of seq " << *entry.seq << " at " << entry.rev;
          editor.acked[*entry.seq] = entry.rev;
          ot::Expected<std::optional<ot::Submission>> next = editor.ot.server_ack();
          ASSERT_TRUE(next.has_value());
          if (*next) send(editor, **next);
        }
      }
    } else if (auto* error = std::get_if<net::ErrorMessage>(&message)) {
      const bool resend = error->code == net::ErrorCode::internal_error ||
                          error->code == net::ErrorCode::storage_unavailable;
      ASSERT_TRUE(resend && error->seq) << editor.client_id << ": " << error->message;
      std::optional<ot::Submission> again = editor.ot.resend();
      ASSERT_TRUE(again && again->seq == *error->seq) << editor.client_id << ": nothing to resend for " << *error->seq;
      ++editor.resent;
      send(editor, *again);
    }
  }

  // One step of the simulation: type (60%), handle what has arrived (30%), or wait for
  // the server to answer an op in flight (10%), so ops keep being acked while others type.
  void act(Editor& editor) {
    const std::uint64_t choice = engine_() % 10;
    if (choice < 6) {
      type(editor);
    } else if (choice < 9 || editor.ot.state() == ot::Client::State::synchronized) {
      drain(editor);
    } else if (std::optional<net::ServerMessage> message = editor.connection->next(std::chrono::milliseconds(200))) {
      handle(editor, *message);
    }
  }

  // Handles every frame already delivered to `editor`.
  void drain(Editor& editor) {
    while (editor.connection->connection().queued() > 0) {
      std::optional<net::ServerMessage> message = editor.connection->next(std::chrono::milliseconds(0));
      if (!message) return;
      handle(editor, *message);
    }
  }

  // Delivers everything until every editor is synchronized at the server's revision.
  void settle() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      for (Editor& editor : editors_) drain(editor);
      if (::testing::Test::HasFatalFailure()) return;
      const std::uint64_t head = fixture_.service().documents().read(kDoc)->revision;
      Editor* behind = nullptr;
      for (Editor& editor : editors_) {
        if (editor.ot.state() != ot::Client::State::synchronized || editor.ot.revision() != head) {
          behind = &editor;
          break;
        }
      }
      if (behind == nullptr) return;
      if (std::optional<net::ServerMessage> message = behind->connection->next(std::chrono::milliseconds(200))) {
        handle(*behind, *message);
      }
    }
    ADD_FAILURE() << "the editors did not settle";
  }

  void expect_converged() {
    const DocumentView view = fixture_.service().documents().read(kDoc).value();
    // Enough happened for the test to mean something: many revisions, each a concurrent op.
    EXPECT_GE(view.revision, 40U);
    for (const Editor& editor : editors_) {
      EXPECT_EQ(editor.text, view.text) << editor.client_id;
      EXPECT_EQ(editor.ot.revision(), view.revision) << editor.client_id;
    }
    EXPECT_EQ(fixture_.service().storage().text_at(kDoc, view.revision).value(), view.text);
  }

  // Every acked op is in storage, at the revision it was acked as, from its client.
  void expect_acked_ops_durable() {
    const std::vector<storage::StoredOp> stored = fixture_.service().storage().ops_since(kDoc, 0, 1'000'000).value();
    std::size_t checked = 0;
    for (const Editor& editor : editors_) {
      for (const auto& [seq, revision] : editor.acked) {
        ASSERT_GE(stored.size(), revision);
        const storage::StoredOp& op = stored[revision - 1];
        EXPECT_EQ(op.revision, revision);
        EXPECT_EQ(op.client_id, editor.client_id);
        EXPECT_EQ(op.seq, seq);
        ++checked;
      }
    }
    EXPECT_EQ(checked, stored.size());  // and nothing else was applied
  }

  ServiceFixture fixture_;
  std::vector<Editor> editors_;
  std::mt19937_64 engine_;
};

TEST_F(ConvergenceTest, ConcurrentSessionsConvergeToTheServersText) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (replay with OTTER_SEED)");
  engine_.seed(seed);
  connect(4);
  for (int step = 0; step < 600; ++step) {
    act(editors_[engine_() % editors_.size()]);
    if (HasFatalFailure()) return;
  }
  settle();
  expect_converged();
  expect_acked_ops_durable();
}

TEST_F(ConvergenceTest, CrashingTheDocumentProcessMidEditsLosesNoAckedOp) {
  const std::uint64_t seed = test_seed() + 1;
  SCOPED_TRACE("seed " + std::to_string(seed) + " (replay with OTTER_SEED - 1)");
  engine_.seed(seed);
  connect(3);
  std::size_t crashes = 0;
  for (int step = 0; step < 600; ++step) {
    act(editors_[engine_() % editors_.size()]);
    if (HasFatalFailure()) return;
    if (step % 150 == 75) {
      // (ensure_started: right after a crash the supervisor may not have restarted it yet)
      const net::Expected<core::Pid> running = fixture_.service().documents().ensure_started(kDoc);
      ASSERT_TRUE(running.has_value());
      fixture_.runtime().send(*running, CrashDocument{});
      ++crashes;
      ASSERT_TRUE(fixture_.wait_for_exit(*running));
      // Every other crash waits for the reload, so some crashes hit a process that is
      // serving and some one that is still loading (with sessions rejoining).
      if (crashes % 2 == 0) {
        ASSERT_TRUE(fixture_.service().documents().read(kDoc).has_value());
      }
    }
  }
  settle();
  EXPECT_EQ(crashes, 4U);
  EXPECT_EQ(fixture_.service().metrics().document_restarts.value(), crashes);
  expect_converged();
  expect_acked_ops_durable();
}

}  // namespace
}  // namespace otter::server
