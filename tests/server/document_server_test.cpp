// Document processes: created on demand, one per document however many ask at once,
// durable before they answer, reloaded after a crash (without losing what the old
// process had handed to storage), snapshotted, stopped when idle, deleted on request.
#include <gtest/gtest.h>

#include <barrier>
#include <thread>

#include "ot/json_codec.hpp"
#include "server_testing.hpp"

namespace otter::server {
namespace {

using namespace testing;

ot::Operation append(std::size_t length, std::string_view text) {
  ot::Operation op;
  op.retain(length).insert(text);
  return op;
}

class DocumentServerTest : public ::testing::Test {
 protected:
  Documents& documents() { return fixture_.service().documents(); }
  void create(const std::string& doc) { ASSERT_TRUE(fixture_.service().storage().create_document(doc).has_value()); }
  EditResult edit(const std::string& doc, std::string client, std::uint64_t seq, std::uint64_t rev, ot::Operation op) {
    net::Expected<EditResult> result = documents().edit(doc, EditDocument{std::move(client), seq, rev, std::move(op)});
    EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
    return result ? *result : EditResult{};
  }
  storage::LoadedDocument stored(const std::string& doc) {
    return open_sqlite(fixture_.db_path())->load(doc).value();
  }

  ServiceFixture fixture_;
};

TEST_F(DocumentServerTest, EditingAMissingDocumentIsDocNotFound) {
  fixture_.start();
  const net::Expected<EditResult> result = documents().edit("ghost", EditDocument{"c-1", 1, 0, append(0, "x")});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, net::ErrorCode::doc_not_found);
  EXPECT_EQ(documents().read("ghost").error().code, net::ErrorCode::doc_not_found);
  EXPECT_EQ(documents().read("not valid!").error().code, net::ErrorCode::invalid_doc_id);
}

TEST_F(DocumentServerTest, AnEditIsAnsweredWithItsRevisionOnceDurable) {
  fixture_.start();
  create("notes");
  EXPECT_EQ(edit("notes", "c-1", 1, 0, append(0, "Hello")).revision, 1U);
  // Also at revision 0: transformed past revision 1, the newcomer's insert goes first.
  const EditResult second = edit("notes", "c-2", 1, 0, append(0, "Oh "));
  EXPECT_EQ(second.revision, 2U);
  EXPECT_EQ(second.op, (ot::Operation{}.insert("Oh ").retain(5)));  // as applied
  const DocumentView view = documents().read("notes").value();
  EXPECT_EQ(view.revision, 2U);
  EXPECT_EQ(view.text, "Oh Hello");
  // Durable: the store has both, as applied.
  const storage::LoadedDocument loaded = stored("notes");
  ASSERT_EQ(loaded.ops.size(), 2U);
  EXPECT_EQ(loaded.ops[1].op, (ot::Operation{}.insert("Oh ").retain(5)));
  EXPECT_EQ(fixture_.service().metrics().ops_applied.value(), 2U);
}

TEST_F(DocumentServerTest, ADuplicateEditIsAnsweredWithTheOriginalRevisionAndAppliedOnce) {
  fixture_.start();
  create("notes");
  EXPECT_EQ(edit("notes", "c-1", 1, 0, append(0, "a")).revision, 1U);
  const EditResult again = edit("notes", "c-1", 1, 0, append(0, "a"));
  EXPECT_EQ(again.revision, 1U);
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.op, append(0, "a"));
  EXPECT_EQ(documents().read("notes")->text, "a");
  EXPECT_EQ(fixture_.service().metrics().ops_duplicate.value(), 1U);
}

TEST_F(DocumentServerTest, ManyStartsOfOneDocumentAtOnceFindOneProcess) {
  fixture_.start();
  create("race");  // (a missing document's process stops as soon as it has said so)
  constexpr int kThreads = 8;
  std::vector<core::Pid> pids(kThreads);
  std::barrier start_together(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start_together.arrive_and_wait();
      net::Expected<core::Pid> pid = documents().ensure_started("race");
      if (pid) pids[static_cast<std::size_t>(i)] = *pid;
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const core::Pid pid : pids) EXPECT_EQ(pid, pids[0]);
  EXPECT_FALSE(pids[0].is_null());
  EXPECT_EQ(documents().whereis("race"), pids[0]);
}

TEST_F(DocumentServerTest, ACrashedProcessIsRestartedAndReloadsEveryAckedEdit) {
  fixture_.start();
  create("notes");
  std::string expected;
  for (std::uint64_t seq = 1; seq <= 20; ++seq) {
    edit("notes", "c-1", seq, seq - 1, append(expected.size(), "x"));
    expected += "x";
  }
  const core::Pid before = documents().whereis("notes");
  ASSERT_TRUE(documents().crash("notes"));
  ASSERT_TRUE(fixture_.wait_for_exit(before));
  const DocumentView view = documents().read("notes").value();
  EXPECT_EQ(view.revision, 20U);
  EXPECT_EQ(view.text, expected);
  EXPECT_NE(documents().whereis("notes"), before);
  EXPECT_EQ(fixture_.service().metrics().document_restarts.value(), 1U);
  // Duplicate detection survived the reload.
  EXPECT_TRUE(edit("notes", "c-1", 20, 19, append(19, "x")).duplicate);
}

TEST_F(DocumentServerTest, AReloadSeesWhatTheDeadProcessHadHandedToTheWriter) {
  // The ordering hazard of StorageService::load: the old process's write is queued (held at
  // the gate) when it dies; its successor's load must wait for it, or it would reload
  // revision 0 and its own revision 1 would collide with the old one.
  fixture_.start();
  TestClient ann(fixture_);
  ann.hello("c-1");
  ann.open("notes");
  fixture_.gate().close_gate();
  const std::size_t appends = fixture_.gate().appends();
  ann.edit("notes", 0, 1, R"(["a"])");
  ASSERT_TRUE(fixture_.gate().wait_for_appends(appends + 1, kWait));
  const core::Pid before = documents().whereis("notes");
  ASSERT_TRUE(documents().crash("notes"));
  ASSERT_TRUE(fixture_.wait_for_exit(before));
  fixture_.gate().open_gate();  // the old write commits; the reload sees it
  // The session rejoins the new process and catches up: the ack of seq 1 arrives in the
  // stream (it is durable), no error.
  const net::Ops caught_up = ann.expect<net::Ops>();
  ASSERT_EQ(caught_up.entries.size(), 1U);
  EXPECT_EQ(caught_up.entries[0], (net::OpsEntry{1, "c-1", std::nullopt, 1, false}));
  ann.edit("notes", 1, 2, R"([1,"b"])");
  EXPECT_EQ(ann.expect<net::Ops>().entries.at(0).rev, 2U);
  EXPECT_EQ(documents().read("notes")->text, "ab");
}

TEST_F(DocumentServerTest, ASnapshotRidesAlongEveryNOps) {
  fixture_.options.documents.snapshot_every_ops = 3;
  fixture_.start();
  create("notes");
  for (std::uint64_t seq = 1; seq <= 7; ++seq) edit("notes", "c-1", seq, seq - 1, append(seq - 1, "x"));
  const storage::LoadedDocument loaded = stored("notes");
  EXPECT_EQ(loaded.snapshot.revision, 6U);
  EXPECT_EQ(loaded.snapshot.text, "xxxxxx");
  EXPECT_EQ(loaded.ops.size(), 1U);
}

TEST_F(DocumentServerTest, AReloadedProcessStillServesRecentHistoryToResumingClients) {
  fixture_.options.documents.snapshot_every_ops = 2;
  fixture_.start();
  create("notes");
  for (std::uint64_t seq = 1; seq <= 5; ++seq) edit("notes", "c-1", seq, seq - 1, append(seq - 1, "x"));
  const core::Pid before = documents().whereis("notes");
  documents().crash("notes");
  ASSERT_TRUE(fixture_.wait_for_exit(before));
  // The latest snapshot is at 4, yet a client at revision 1 gets ops, not the text.
  TestClient bo(fixture_);
  bo.hello("c-2");
  bo.send(R"({"type":"open","doc":"notes","revision":1})");
  const net::Opened resumed = bo.expect<net::Opened>();
  ASSERT_TRUE(resumed.ops.has_value());
  EXPECT_EQ(resumed.ops->size(), 4U);
  EXPECT_EQ(resumed.ops->front().rev, 2U);
  EXPECT_EQ(resumed.revision, 5U);
}

TEST_F(DocumentServerTest, AnIdleDocumentStopsWithASnapshotAndReloadsOnTheNextOpen) {
  fixture_.options.documents.idle_timeout = std::chrono::milliseconds(50);
  fixture_.start();
  core::Pid first;
  {
    TestClient ann(fixture_);
    ann.hello("c-1");
    ann.open("notes");
    first = documents().whereis("notes");
    ann.edit("notes", 0, 1, R"(["idle"])");
    static_cast<void>(ann.expect<net::Ops>());
    ann.send(R"({"type":"close","doc":"notes"})");
    static_cast<void>(ann.expect<net::Closed>());
  }
  ASSERT_TRUE(fixture_.wait_for_exit(first));
  EXPECT_EQ(fixture_.service().metrics().documents_idled.value(), 1U);
  EXPECT_TRUE(documents().whereis("notes").is_null());
  const storage::LoadedDocument loaded = stored("notes");
  EXPECT_EQ(loaded.snapshot.revision, 1U);  // the final snapshot: nothing to replay
  EXPECT_TRUE(loaded.ops.empty());

  TestClient bo(fixture_);
  bo.hello("c-2");
  const net::Opened reopened = bo.open("notes");
  EXPECT_EQ(reopened.revision, 1U);
  EXPECT_EQ(reopened.text, std::optional<std::string>("idle"));
  EXPECT_NE(documents().whereis("notes"), first);
}

TEST_F(DocumentServerTest, RemovingADocumentTellsItsSessionsAndDeletesIt) {
  fixture_.start();
  TestClient ann(fixture_);
  ann.hello("c-1");
  ann.open("notes");
  ann.edit("notes", 0, 1, R"(["bye"])");
  static_cast<void>(ann.expect<net::Ops>());
  ASSERT_TRUE(documents().remove("notes").has_value());
  const net::ErrorMessage gone = ann.expect_error(net::ErrorCode::doc_not_found);
  EXPECT_EQ(gone.doc, std::optional<std::string>("notes"));
  EXPECT_EQ(documents().read("notes").error().code, net::ErrorCode::doc_not_found);
  EXPECT_TRUE(fixture_.service().storage().list_documents()->empty());
  EXPECT_EQ(documents().remove("notes").error().code, net::ErrorCode::doc_not_found);
}

// Calls a blocking StorageService member from its init (which runs as the process).
class CallsStorageInside final : public core::GenServer {
 public:
  CallsStorageInside(StorageService* storage, bool* refused) : storage_(storage), refused_(refused) {}

 protected:
  InitResult init() override {
    try {
      static_cast<void>(storage_->list_documents());
    } catch (const std::logic_error&) {
      *refused_ = true;
    }
    return InitResult::ignore();
  }

 private:
  StorageService* storage_;
  bool* refused_;
};

TEST_F(DocumentServerTest, TheBlockingStorageApiRefusesToRunInsideAProcess) {
  fixture_.start();
  EXPECT_TRUE(fixture_.service().storage().list_documents().has_value());  // a plain thread: fine
  bool refused = false;
  static_cast<void>(fixture_.runtime().spawn<CallsStorageInside>({}, &fixture_.service().storage(), &refused));
  EXPECT_TRUE(refused);
}

}  // namespace
}  // namespace otter::server
