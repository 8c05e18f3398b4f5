// Property: for any history of edits, any placement of snapshots and any retention, the
// store reproduces the text of every revision —
//   load(id): snapshot.text + replay(ops)       == the text at head,
//   replay(ops_since(0) page by page) from ""   == the text at head,
//   text_at(id, r)                              == the text at r, for every r.
// The expected texts come from RandomEditor, which edits code points on its own.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ot/apply.hpp"
#include "storage/sqlite_store.hpp"
#include "storage_testing.hpp"

namespace otter::storage {
namespace {

using testing::open_store;
using testing::RandomEditor;
using testing::TempDir;
using testing::test_seed;

std::string replay(std::string text, const std::vector<StoredOp>& ops) {
  for (const StoredOp& op : ops) text = ot::apply(text, op.op).value();
  return text;
}

class SnapshotProperty : public ::testing::TestWithParam<std::size_t> {};

TEST_P(SnapshotProperty, SnapshotsAndOpsReproduceTheTextOfEveryRevision) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + " (rerun with OTTER_SEED=" + std::to_string(seed) + ")");
  constexpr std::size_t kDocuments = 3;
  constexpr std::size_t kRevisions = 250;

  TempDir dir;
  SqliteOptions options;
  options.snapshots_kept = GetParam();
  options.durability = Durability::normal;  // nothing here is about power loss
  auto store = open_store(dir.file("property.db"), options);

  for (std::size_t d = 0; d < kDocuments; ++d) {
    const std::string id = "doc-" + std::to_string(d);
    SCOPED_TRACE(id);
    ASSERT_TRUE(store->create_document(id));
    RandomEditor editor(seed + d);
    std::vector<std::string> text_at{""};  // text_at[r]: the expected text at revision r

    // Append in batches of random size; sometimes a snapshot rides along with a batch,
    // sometimes one is saved on its own at an earlier revision.
    std::uint64_t revision = 0;
    while (revision < kRevisions) {
      DocumentWrite write{id, {}, std::nullopt};
      const std::size_t batch = 1 + editor.below(12);
      for (std::size_t i = 0; i < batch && revision < kRevisions; ++i) {
        write.ops.push_back(
            StoredOp{++revision, "c" + std::to_string(editor.below(3)), revision, editor.edit(), now_timestamp()});
        text_at.push_back(editor.text());
      }
      if (editor.chance(25)) write.snapshot = Snapshot{revision, text_at[revision]};
      const std::vector<DocumentWrite> writes{std::move(write)};
      const WriteResults results = store->append(writes).value();
      ASSERT_TRUE(results.at(0)) << results[0].error().message;
      if (editor.chance(15)) {
        const std::uint64_t earlier = editor.below(revision + 1);
        ASSERT_TRUE(store->save_snapshot(id, earlier, text_at[earlier]));
      }
    }

    const LoadedDocument loaded = store->load(id).value();
    EXPECT_EQ(loaded.head_revision(), kRevisions);
    EXPECT_EQ(replay(loaded.snapshot.text, loaded.ops), text_at.back());
    EXPECT_EQ(loaded.snapshot.text, text_at[loaded.snapshot.revision]);

    std::string from_history;
    std::uint64_t after = 0;
    while (after < kRevisions) {
      const std::vector<StoredOp> page = store->ops_since(id, after, 1 + editor.below(40)).value();
      ASSERT_FALSE(page.empty());
      from_history = replay(std::move(from_history), page);
      after = page.back().revision;
    }
    EXPECT_EQ(from_history, text_at.back());

    for (std::uint64_t r = 0; r <= kRevisions; ++r) {
      ASSERT_EQ(store->text_at(id, r).value(), text_at[r]) << "revision " << r;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Retention, SnapshotProperty, ::testing::Values(0U, 1U, 3U),
                         [](const ::testing::TestParamInfo<std::size_t>& param_info) {
                           return param_info.param == 0 ? std::string("KeepingAllSnapshots")
                                                        : "KeepingTheNewest" + std::to_string(param_info.param);
                         });

}  // namespace
}  // namespace otter::storage
