#include "storage/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "storage/sqlite_schema.hpp"
#include "storage_testing.hpp"

namespace otter::storage {
namespace {

using testing::append_op;
using testing::open_store;
using testing::stored;
using testing::TempDir;

// A plain SQLite connection beside the store, to look at (or tamper with) the file.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("cannot open " + path);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  int exec(const std::string& sql) { return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); }
  [[nodiscard]] int extended_code() const { return sqlite3_extended_errcode(db_); }
  std::string query_text(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    std::string result = "<no row>";
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(statement, 0);
      result = text == nullptr ? "NULL" : reinterpret_cast<const char*>(text);
    }
    sqlite3_finalize(statement);
    return result;
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  // Appends one write and returns its own outcome (the transaction must succeed).
  static Expected<void> append_one(Store& store, DocumentWrite write) {
    const std::vector<DocumentWrite> writes{std::move(write)};
    Expected<WriteResults> results = store.append(writes);
    if (!results) return results.error();
    return (*results).at(0);
  }

  // Appends `texts` one op each, at the end of the document, as revisions 1, 2, ...
  static void append_texts(Store& store, const std::string& id, const std::vector<std::string>& texts) {
    std::size_t length = 0;
    std::uint64_t revision = store.document_info(id)->head_revision;
    length = store.document_info(id)->length;
    DocumentWrite write{id, {}, std::nullopt};
    for (const std::string& text : texts) {
      write.ops.push_back(stored(++revision, append_op(length, text)));
      length = write.ops.back().op.target_length();
    }
    const Expected<void> appended = append_one(store, std::move(write));
    ASSERT_TRUE(appended) << appended.error().message;
  }

  TempDir dir_;
  std::string path_ = dir_.file("otter.db");
};

// --- schema -----------------------------------------------------------------------------

TEST_F(SqliteStoreTest, OpeningANewFileCreatesTheVersionedSchemaInWalMode) {
  { (void)open_store(path_); }
  RawDb raw(path_);
  EXPECT_EQ(raw.query_text("PRAGMA user_version"), std::to_string(sqlite::kSchemaVersion));
  EXPECT_EQ(raw.query_text("PRAGMA application_id"), std::to_string(sqlite::kApplicationId));
  EXPECT_EQ(raw.query_text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.query_text("SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema "
                           "WHERE type = 'table' ORDER BY name)"),
            "client_seqs,documents,ops,snapshots");
}

TEST_F(SqliteStoreTest, ReopeningKeepsEveryDocumentAndOp) {
  {
    auto store = open_store(path_);
    ASSERT_TRUE(store->create_document("kept"));
    append_texts(*store, "kept", {"one ", "two"});
  }
  auto store = open_store(path_);
  const Expected<LoadedDocument> loaded = store->load("kept");
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->head_revision(), 2U);
  EXPECT_EQ(store->text_at("kept", 2).value(), "one two");
}

TEST_F(SqliteStoreTest, RefusesADatabaseWrittenByANewerOtter) {
  { (void)open_store(path_); }
  {
    RawDb raw(path_);
    ASSERT_EQ(raw.exec("PRAGMA user_version = 99"), SQLITE_OK);
  }
  const Expected<std::unique_ptr<SqliteStore>> store = SqliteStore::open(path_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::unsupported_schema);
  EXPECT_EQ(store.error().message, "the database has schema version 99, newer than this Otter's 1; upgrade Otter");
}

TEST_F(SqliteStoreTest, RefusesASqliteFileThatIsNotOtters) {
  {
    RawDb raw(path_);
    ASSERT_EQ(raw.exec("CREATE TABLE accounts (id INTEGER)"), SQLITE_OK);
  }
  const Expected<std::unique_ptr<SqliteStore>> store = SqliteStore::open(path_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::unsupported_schema);
  EXPECT_EQ(store.error().message, "the database file has tables but no Otter schema version");
}

TEST_F(SqliteStoreTest, AFileThatIsNotADatabaseIsADatabaseError) {
  {
    std::FILE* file = std::fopen(path_.c_str(), "wb");
    ASSERT_NE(file, nullptr);
    const std::string junk(4096, 'x');
    std::fwrite(junk.data(), 1, junk.size(), file);
    std::fclose(file);
  }
  const Expected<std::unique_ptr<SqliteStore>> store = SqliteStore::open(path_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::database_error);
  EXPECT_NE(store.error().message.find("not a database"), std::string::npos) << store.error().message;
}

// --- documents --------------------------------------------------------------------------

TEST_F(SqliteStoreTest, CreatesListsAndDeletesDocuments) {
  auto store = open_store(path_);
  ASSERT_TRUE(store->create_document("beta"));
  ASSERT_TRUE(store->create_document("alpha"));

  const Expected<void> again = store->create_document("beta");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), (Error{ErrorCode::already_exists, "document \"beta\" already exists"}));

  const std::vector<DocumentInfo> listed = store->list_documents().value();
  ASSERT_EQ(listed.size(), 2U);
  EXPECT_EQ(listed[0].id, "alpha");  // ordered by id
  EXPECT_EQ(listed[1].id, "beta");
  EXPECT_EQ(listed[0].head_revision, 0U);
  EXPECT_EQ(listed[0].length, 0U);
  EXPECT_LE(listed[0].created, listed[0].updated);
  EXPECT_TRUE(store->document_exists("alpha").value());

  ASSERT_TRUE(store->delete_document("alpha"));
  EXPECT_FALSE(store->document_exists("alpha").value());
  ASSERT_EQ(store->list_documents()->size(), 1U);
  const Expected<void> twice = store->delete_document("alpha");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error(), (Error{ErrorCode::not_found, "document \"alpha\" does not exist"}));
}

TEST_F(SqliteStoreTest, DeletingADocumentRemovesItsOpsSnapshotsAndClientsSoItsIdStartsFresh) {
  auto store = open_store(path_);
  ASSERT_TRUE(store->create_document("doc"));
  append_texts(*store, "doc", {"a", "b", "c"});
  ASSERT_TRUE(store->save_snapshot("doc", 2, "ab"));
  ASSERT_TRUE(store->delete_document("doc"));

  RawDb raw(path_);
  EXPECT_EQ(raw.query_text("SELECT count(*) FROM ops"), "0");
  EXPECT_EQ(raw.query_text("SELECT count(*) FROM snapshots"), "0");
  EXPECT_EQ(raw.query_text("SELECT count(*) FROM client_seqs"), "0");

  ASSERT_TRUE(store->create_document("doc"));
  const LoadedDocument loaded = store->load("doc").value();
  EXPECT_EQ(loaded.head_revision(), 0U);
  EXPECT_TRUE(loaded.ops.empty());
  EXPECT_TRUE(loaded.clients.empty());
}

TEST_F(SqliteStoreTest, DocumentInfoFollowsTheHeadAndTheLengthInCodePoints) {
  auto store = open_store(path_);
  ASSERT_TRUE(store->create_document("doc"));
  append_texts(*store, "doc", {"héllo", " 😀"});
  const DocumentInfo info = store->document_info("doc").value();
  EXPECT_EQ(info.head_revision, 2U);
  EXPECT_EQ(info.length, 7U);  // h é l l o ␠ 😀
  EXPECT_LE(info.created, info.updated);
}

TEST_F(SqliteStoreTest, EveryOperationOnAMissingDocumentIsNotFound) {
  auto store = open_store(path_);
  const Error missing{ErrorCode::not_found, "document \"ghost\" does not exist"};
  EXPECT_EQ(store->load("ghost").error(), missing);
  EXPECT_EQ(store->document_info("ghost").error(), missing);
  EXPECT_EQ(store->ops_since("ghost", 0, 10).error(), missing);
  EXPECT_EQ(store->text_at("ghost", 0).error(), missing);
  EXPECT_EQ(store->save_snapshot("ghost", 0, "").error(), missing);
  EXPECT_EQ(append_one(*store, DocumentWrite{"ghost", {stored(1, append_op(0, "x"))}, std::nullopt}).error(),
            missing);
  EXPECT_FALSE(store->document_exists("ghost").value());
}

TEST_F(SqliteStoreTest, EveryOperationValidatesTheIdFirst) {
  auto store = open_store(path_);
  const auto is_invalid_id = [](const Error& error) { return error.code == ErrorCode::invalid_document_id; };
  EXPECT_PRED1(is_invalid_id, store->create_document("../etc/passwd").error());
  EXPECT_PRED1(is_invalid_id, store->delete_document("a b").error());
  EXPECT_PRED1(is_invalid_id, store->document_exists("").error());
  EXPECT_PRED1(is_invalid_id, store->document_info(std::string(200, 'x')).error());
  EXPECT_PRED1(is_invalid_id, store->load("ünï").error());
  EXPECT_PRED1(is_invalid_id, store->ops_since("-", 0, 1).error());
  EXPECT_PRED1(is_invalid_id, store->text_at("a/b", 0).error());
  EXPECT_PRED1(is_invalid_id, store->save_snapshot("a;b", 0, "").error());
  EXPECT_PRED1(is_invalid_id, append_one(*store, DocumentWrite{"a'b", {}, std::nullopt}).error());
  EXPECT_TRUE(store->list_documents()->empty());
}

// --- the op log ---------------------------------------------------------------------------

TEST_F(SqliteStoreTest, AppendedOpsLoadBackExactlyWithMultiByteText) {
  auto store = open_store(path_);
  ASSERT_TRUE(store->create_document("doc"));
  const Timestamp t0 = now_timestamp();
  ot::Operation third;
  third.retain(2).insert("ß\n").erase(3).retain(3);  // "Ж€😀𝄞中文 x" -> "Ж€ß\n文 x"
  const std::vector<StoredOp> ops = {
      StoredOp{1, "alice", 1, append_op(0, "Ж€😀𝄞"), t0},
      StoredOp{2, "bob", 7, append_op(4, "中文 x"), t0 + std::chrono::milliseconds(5)},
      StoredOp{3, "alice", 2, third, t0 + std::chrono::milliseconds(9)},
  };
  ASSERT_TRUE(append_one(*store, DocumentWrite{"doc", ops, std::nullopt}));

  const LoadedDocument loaded = store->load("doc").value();
  EXPECT_EQ(loaded.snapshot, (Snapshot{0, ""}));
  EXPECT_EQ(loaded.ops, ops);
  EXPECT_EQ(loaded.clients, (std::vector<ClientSeq>{{"alice", 2, 3}, {"bob", 7, 2}}));
  EXPECT_EQ(store->text_at("doc", 3).value(), "Ж€ß\n文 x");

  RawDb raw(path_);
  EXPECT_EQ(raw.query_text("SELECT op FROM ops WHERE revision = 3"), "[2,\"ß\\n\",-3,3]");
}

TEST_F(SqliteStoreTest, ServerMadeOpsWithNoClientIdLeaveNoClientRecord) {
  auto store = open_store(path_);
  ASSERT_TRUE(store->create_document("doc"));
  ASSERT_TRUE(append_one(*store, DocumentWrite{"doc", {stored(1, append_op(0, "x"), "")}, std::nullopt}));
  EXPECT_TRUE(store->load("doc")->clients.empty());
}

TEST_F(SqliteStoreTest, ARevisionAlreadyStoredIsADuplicate) {
  auto store = open_store(path_);
  ASSERT_TRUE(store->create_document("doc"));
  append_texts(*store, "doc", {"a", "b"});
  const Expected<void> result =
      append_one(*store, DocumentWrite{"doc", {stored(2, append_op(1, "z"))}, std::nullopt});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(),
            (Error{ErrorCode::duplicate_revision, "revision 2 of document \"doc\" is already stored"}));
}

TEST_F(SqliteStoreTest, ASecondWriterCannotPersistARevisionTheFirstAlreadyStored) {
  // Two owners of one document (two connections, as two nodes would be), each sure it is
  // the owner, each writing its own revision 1: only the first is persisted.
  auto first = open_store(path_);
  auto second = open_store(path_);
  ASSERT_TRUE(first->create_document("contested"));
  ASSERT_TRUE(append_one(*first, DocumentWrite{"contested", {stored(1, append_op(0, "mine"), "n1")}, std::nullopt}));

  const Expected<void> theirs =
      append_one(*second, DocumentWrite{"contested", {stored(1, append_op(0, "theirs"), "n2")}, std::nullopt});
  ASSERT_FALSE(theirs);
  EXPECT_EQ(theirs.error().code, ErrorCode::duplicate_revision);
  EXPECT_EQ(second->text_at("contested", 1).value(), "mine");
  EXPECT_EQ(second->load("contested")->clients, (std::vector<ClientSeq>{{"n1", 1, 1}}));
}

TEST_F(SqliteStoreTest, TheDatabaseKeyItselfRejectsADuplicateRevision) {
  // The store checks the head first; the UNIQUE key below it holds even for a writer that
  // skips the check (another program, a raced PostgreSQL owner).
  {
    auto store = open_store(path_);
    ASSERT_TRUE(store->create_document("doc"));
    append_texts(*store, "doc", {"a"});
  }
  RawDb raw(path_);
  EXPECT_EQ(raw.exec("INSERT INTO ops (document_id, revision, client_id, seq, op, time_ms) "
                     "VALUES ('doc', 1, 'rogue', 1, '[\"b\"]', 0)"),
            SQLITE_CONSTRAINT);
  EXPECT_EQ(raw.extended_code(), SQLITE_CONSTRAINT_UNIQUE);
}

TEST_F(SqliteStoreTest, ARevisionPastHeadPlusOneIsAGap) {
  auto store = open_store(path_);
  ASSERT_TRUE(store->create_document("doc"));
  append_texts(*store, "doc", {"a"});
  const Expected<void> result =
      append_one(*store, DocumentWrite{"doc", {stored(3, append_op(1, "c"))}, std::nullopt});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(),
            (Error{ErrorCode::revision_gap, "document \"doc\" is at revision 1; revision 3 would leave a gap"}));
}

TEST_F(SqliteStoreTest, AnOpThatDoesNotFitTheDocumentsLengthIsRejected) {
  auto store = open_store(path_);
  ASSERT_TRUE(store->create_document("doc"));
  append_texts(*store, "doc", {"abc"});
  const Expected<void> result =
      append_one(*store, DocumentWrite{"doc", {stored(2, append_op(5, "!"))}, std::nullopt});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), (Error{ErrorCode::length_mismatch,
                                   "op 2 of document \"doc\" has base length 5 but the document's length is 3"}));
}

TEST_F(SqliteStoreTest, ABatchCommitsItsGoodWritesAndLeavesNoTraceOfAFailedOne) {
  auto store = open_store(path_);
  for (const char* id : {"one", "two", "three"}) ASSERT_TRUE(store->create_document(id));
  const std::vector<DocumentWrite> writes = {
      DocumentWrite{"one", {stored(1, append_op(0, "1"))}, std::nullopt},
      // Revision 1 is fine, revision 3 is a gap: the whole write must vanish, rev 1 too.
      DocumentWrite{"two", {stored(1, append_op(0, "2")), stored(3, append_op(1, "2"))}, std::nullopt},
      DocumentWrite{"missing", {stored(1, append_op(0, "?"))}, std::nullopt},
      DocumentWrite{"three", {stored(1, append_op(0, "3"))}, Snapshot{1, "3"}},
  };
  const WriteResults results = store->append(writes).value();
  ASSERT_EQ(results.size(), 4U);
  EXPECT_TRUE(results[0]);
  ASSERT_FALSE(results[1]);
  EXPECT_EQ(results[1].error().code, ErrorCode::revision_gap);
  ASSERT_FALSE(results[2]);
  EXPECT_EQ(results[2].error().code, ErrorCode::not_found);
  EXPECT_TRUE(results[3]);

  EXPECT_EQ(store->document_info("one")->head_revision, 1U);
  EXPECT_EQ(store->document_info("two")->head_revision, 0U);
  EXPECT_TRUE(store->load("two")->ops.empty());
  EXPECT_TRUE(store->load("two")->clients.empty());
  EXPECT_EQ(store->load("three")->snapshot, (Snapshot{1, "3"}));
}

TEST_F(SqliteStoreTest, TwoWritesOfOneDocumentInOneBatchChainInOrder) {
  auto store = open_store(path_);
  ASSERT_TRUE(store->create_document("doc"));
  const std::vector<DocumentWrite> writes = {
      DocumentWrite{"doc", {stored(1, append_op(0, "a")), stored(2, append_op(1, "b"))}, std::nullopt},
      DocumentWrite{"doc", {stored(3, append_op(2, "c"))}, Snapshot{3, "abc"}},
  };
  const WriteResults results = store->append(writes).value();
  EXPECT_TRUE(results[0]);
  EXPECT_TRUE(results[1]);
  EXPECT_EQ(store->text_at("doc", 3).value(), "abc");
}

TEST_F(SqliteStoreTest, ClientRecordsKeepTheNewestSeqOfEachClient) {
  auto store = open_store(path_);
  ASSERT_TRUE(store->create_document("doc"));
  ASSERT_TRUE(
      append_one(*store, DocumentWrite{"doc",
                                       {stored(1, append_op(0, "a"), "c1", 10), stored(2, append_op(1, "b"), "c2", 4),
                                        stored(3, append_op(2, "c"), "c1", 11)},
                                       std::nullopt}));
  ASSERT_TRUE(append_one(*store, DocumentWrite{"doc", {stored(4, append_op(3, "d"), "c2", 5)}, std::nullopt}));
  ASSERT_TRUE(store->save_snapshot("doc", 4, "abcd"));  // records outlive the ops a load replays
  EXPECT_EQ(store->load("doc")->clients, (std::vector<ClientSeq>{{"c1", 11, 3}, {"c2", 5, 4}}));
}

TEST_F(SqliteStoreTest, AStoredOpThatCannotBeDecodedIsReportedAsCorrupt) {
  auto store = open_store(path_);
  ASSERT_TRUE(store->create_document("doc"));
  append_texts(*store, "doc", {"a", "b"});
  {
    RawDb raw(path_);
    ASSERT_EQ(raw.exec("UPDATE ops SET op = '[1, 2.5]' WHERE revision = 2"), SQLITE_OK);
  }
  const Expected<LoadedDocument> loaded = store->load("doc");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ErrorCode::corrupt_data);
  EXPECT_EQ(loaded.error().message.rfind("stored op 2 of document \"doc\" is unusable: malformed_op", 0), 0U)
      << loaded.error().message;
}

// --- reading history ------------------------------------------------------------------------

TEST_F(SqliteStoreTest, OpsSinceReturnsPagesOfOpsAfterARevision) {
  auto store = open_store(path_);
  ASSERT_TRUE(store->create_document("doc"));
  append_texts(*store, "doc", {"a", "b", "c", "d", "e"});

  const std::vector<StoredOp> page = store->ops_since("doc", 1, 2).value();
  ASSERT_EQ(page.size(), 2U);
  EXPECT_EQ(page[0].revision, 2U);
  EXPECT_EQ(page[1].revision, 3U);
  EXPECT_EQ(page[1].op, append_op(2, "c"));
  EXPECT_EQ(store->ops_since("doc", 3, 100)->size(), 2U);
  EXPECT_TRUE(store->ops_since("doc", 5, 100)->empty());
  EXPECT_TRUE(store->ops_since("doc", 0, 0)->empty());

  const Expected<std::vector<StoredOp>> future = store->ops_since("doc", 6, 1);
  ASSERT_FALSE(future);
  EXPECT_EQ(future.error(),
            (Error{ErrorCode::revision_out_of_range, "revision 6 is beyond document \"doc\"'s head revision 5"}));
}

TEST_F(SqliteStoreTest, TextAtGivesTheTextOfEveryRevision) {
  auto store = open_store(path_);
  ASSERT_TRUE(store->create_document("doc"));
  append_texts(*store, "doc", {"Ж", "€", "😀", "x"});
  ASSERT_TRUE(store->save_snapshot("doc", 2, "Ж€"));
  EXPECT_EQ(store->text_at("doc", 0).value(), "");
  EXPECT_EQ(store->text_at("doc", 1).value(), "Ж");    // below the snapshot: replay from 0
  EXPECT_EQ(store->text_at("doc", 2).value(), "Ж€");   // the snapshot itself
  EXPECT_EQ(store->text_at("doc", 3).value(), "Ж€😀");  // snapshot + 1 op
  EXPECT_EQ(store->text_at("doc", 4).value(), "Ж€😀x");
  EXPECT_EQ(store->text_at("doc", 5).error().code, ErrorCode::revision_out_of_range);
}

// --- snapshots ------------------------------------------------------------------------------

TEST_F(SqliteStoreTest, ALoadStartsFromTheLatestSnapshotAndReplaysOnlyTheOpsAfterIt) {
  auto store = open_store(path_);
  ASSERT_TRUE(store->create_document("doc"));
  append_texts(*store, "doc", {"a", "b", "c"});
  ASSERT_TRUE(store->save_snapshot("doc", 2, "ab"));
  append_texts(*store, "doc", {"d"});
  const LoadedDocument loaded = store->load("doc").value();
  EXPECT_EQ(loaded.snapshot, (Snapshot{2, "ab"}));
  ASSERT_EQ(loaded.ops.size(), 2U);
  EXPECT_EQ(loaded.ops[0].revision, 3U);
  EXPECT_EQ(loaded.ops[1].revision, 4U);
  EXPECT_EQ(loaded.head_revision(), 4U);
}

TEST_F(SqliteStoreTest, ASnapshotMustMatchTheDocumentAtItsRevision) {
  auto store = open_store(path_);
  ASSERT_TRUE(store->create_document("doc"));
  append_texts(*store, "doc", {"ab", "c"});
  EXPECT_EQ(store->save_snapshot("doc", 1, "abc").error(),
            (Error{ErrorCode::invalid_snapshot,
                   "snapshot of document \"doc\" at revision 1 has 3 code points; the document has 2 there"}));
  EXPECT_EQ(store->save_snapshot("doc", 2, "ab\xFF").error(),
            (Error{ErrorCode::invalid_snapshot, "snapshot text of document \"doc\" is not valid UTF-8"}));
  EXPECT_EQ(store->save_snapshot("doc", 3, "abcd").error(),
            (Error{ErrorCode::revision_out_of_range, "revision 3 is beyond document \"doc\"'s head revision 2"}));
  EXPECT_TRUE(store->save_snapshot("doc", 0, ""));  // the implicit empty text
  EXPECT_TRUE(store->save_snapshot("doc", 1, "ab"));
  EXPECT_TRUE(store->save_snapshot("doc", 1, "ab"));  // again: replaces, no duplicate error
}

TEST_F(SqliteStoreTest, KeepsOnlyTheNewestSnapshotsButEveryRevisionStaysReachable) {
  SqliteOptions options;
  options.snapshots_kept = 2;
  auto store = open_store(path_, options);
  ASSERT_TRUE(store->create_document("doc"));
  append_texts(*store, "doc", {"a", "b", "c", "d", "e", "f"});
  ASSERT_TRUE(store->save_snapshot("doc", 2, "ab"));
  ASSERT_TRUE(store->save_snapshot("doc", 4, "abcd"));
  ASSERT_TRUE(store->save_snapshot("doc", 6, "abcdef"));

  RawDb raw(path_);
  EXPECT_EQ(
      raw.query_text("SELECT group_concat(revision, ',') FROM (SELECT revision FROM snapshots ORDER BY revision)"),
      "4,6");
  EXPECT_EQ(raw.query_text("SELECT count(*) FROM ops"), "6");  // ops stay for history
  EXPECT_EQ(store->text_at("doc", 3).value(), "abc");
  EXPECT_EQ(store->text_at("doc", 5).value(), "abcde");
}

TEST_F(SqliteStoreTest, SnapshotsKeptZeroKeepsThemAll) {
  SqliteOptions options;
  options.snapshots_kept = 0;
  auto store = open_store(path_, options);
  ASSERT_TRUE(store->create_document("doc"));
  append_texts(*store, "doc", {"a", "b", "c", "d", "e"});
  for (std::uint64_t revision = 1; revision <= 5; ++revision) {
    ASSERT_TRUE(store->save_snapshot("doc", revision, store->text_at("doc", revision).value()));
  }
  RawDb raw(path_);
  EXPECT_EQ(raw.query_text("SELECT count(*) FROM snapshots"), "5");
}

}  // namespace
}  // namespace otter::storage
