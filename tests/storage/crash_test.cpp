// Crash test: an acked op survives kill -9 of the process that wrote it.
//
// A child process appends ops through a StorageWriter as fast as it can and writes the
// revision of every acked op into a pipe. The parent reads acks, kills the child with
// SIGKILL in the middle of its stream of commits, reopens the database and checks that
// every acked revision is there, with the op the child wrote, and that the revisions are
// dense from 1 to head (nothing half-written, no hole). Both durability policies must pass:
// kill -9 is a process crash, which `normal` survives as well as `full`.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "storage/sqlite_store.hpp"
#include "storage/storage_writer.hpp"
#include "storage_testing.hpp"

namespace otter::storage {

// For gtest's parameter names and messages ("normal", not "1-byte object <01>").
void PrintTo(Durability durability, std::ostream* out) { *out << to_string(durability); }

namespace {

using testing::append_op;
using testing::TempDir;

constexpr std::string_view kDocument = "crash";
constexpr std::uint64_t kAcksBeforeKill = 400;
constexpr std::uint64_t kChildRevisions = 1'000'000;  // far more than it can reach
constexpr std::uint64_t kFailureMarker = 0;           // an ack of revision 0: the child failed

// The op the child writes at revision r (to a text of r - 1 code points): the checker
// rebuilds it from r alone. Multi-byte on purpose.
ot::Operation op_for(std::uint64_t revision) {
  static constexpr std::string_view kPool[] = {"a", "é", "中", "😀"};
  return append_op(revision - 1, kPool[revision % 4]);
}

bool write_all(int fd, const void* data, std::size_t size) {
  const auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t written = ::write(fd, bytes, size);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    bytes += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

// Reads one 8-byte ack; nullopt at end of stream.
std::optional<std::uint64_t> read_ack(int fd) {
  std::uint64_t value = 0;
  auto* bytes = reinterpret_cast<char*>(&value);
  std::size_t got = 0;
  while (got < sizeof value) {
    const ssize_t n = ::read(fd, bytes + got, sizeof value - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;  // EOF (a torn last ack cannot happen: 8 < PIPE_BUF)
    got += static_cast<std::size_t>(n);
  }
  return value;
}

// The child: never returns. Exit codes tell the parent what went wrong if it was not killed.
[[noreturn]] void run_child(const std::string& path, Durability durability, int ack_fd) {
  SqliteOptions options;
  options.durability = durability;
  Expected<std::unique_ptr<SqliteStore>> store = SqliteStore::open(path, options);
  if (!store) ::_exit(10);
  StorageWriter writer(**store);
  for (std::uint64_t revision = 1; revision <= kChildRevisions; ++revision) {
    for (;;) {
      DocumentWrite write{std::string(kDocument),
                          {StoredOp{revision, "crash-client", revision, op_for(revision), now_timestamp()}},
                          std::nullopt};
      const Expected<void> queued = writer.submit(std::move(write), [ack_fd, revision](const Expected<void>& result) {
        const std::uint64_t ack = result ? revision : kFailureMarker;
        if (!write_all(ack_fd, &ack, sizeof ack)) ::_exit(11);
      });
      if (queued) break;
      if (queued.error().code != ErrorCode::queue_full) ::_exit(12);
      writer.flush();  // back off until the queue has drained, then resubmit
    }
  }
  writer.stop();
  ::_exit(13);  // reaching the end means the parent never killed us
}

class CrashTest : public ::testing::TestWithParam<Durability> {};

TEST_P(CrashTest, EveryAckedOpSurvivesKillMinus9OfTheWritingProcess) {
  TempDir dir;
  const std::string path = dir.file("crash.db");
  {
    auto store = testing::open_store(path);
    ASSERT_TRUE(store->create_document(kDocument));
  }  // closed before fork: a SQLite connection must not cross a fork

  int fds[2];
  ASSERT_EQ(::pipe(fds), 0) << std::strerror(errno);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0) << std::strerror(errno);
  if (child == 0) {
    ::close(fds[0]);
    run_child(path, GetParam(), fds[1]);
  }
  ::close(fds[1]);

  std::vector<std::uint64_t> acked;
  while (acked.size() < kAcksBeforeKill) {
    const std::optional<std::uint64_t> ack = read_ack(fds[0]);
    if (!ack) break;  // the child died on its own: the wait status below says why
    acked.push_back(*ack);
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  // Acks already in the pipe were sent before the kill: they count too.
  while (const std::optional<std::uint64_t> ack = read_ack(fds[0])) acked.push_back(*ack);
  ::close(fds[0]);

  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child was not killed mid-stream; exit status " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  ASSERT_GE(acked.size(), kAcksBeforeKill);
  for (std::size_t i = 0; i < acked.size(); ++i) {
    ASSERT_EQ(acked[i], i + 1) << "acks arrive in revision order, and none reports a failure";
  }

  auto store = testing::open_store(path);
  const Expected<LoadedDocument> loaded = store->load(kDocument);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->snapshot.revision, 0U);
  const std::uint64_t head = loaded->head_revision();
  EXPECT_GE(head, acked.back()) << "an acked op was lost";
  ASSERT_EQ(loaded->ops.size(), head);
  for (std::uint64_t r = 1; r <= head; ++r) {
    const StoredOp& op = loaded->ops[r - 1];
    ASSERT_EQ(op.revision, r) << "revisions must be dense";
    ASSERT_EQ(op.op, op_for(r)) << "revision " << r;
    ASSERT_EQ(op.seq, r);
  }
  EXPECT_EQ(store->document_info(kDocument)->length, head);
  EXPECT_EQ(loaded->clients, (std::vector<ClientSeq>{{"crash-client", head, head}}));
  RecordProperty("acked", static_cast<int>(acked.size()));
  RecordProperty("stored", static_cast<int>(head));
}

INSTANTIATE_TEST_SUITE_P(Durability, CrashTest, ::testing::Values(Durability::normal, Durability::full),
                         [](const ::testing::TestParamInfo<Durability>& param_info) {
                           return std::string(to_string(param_info.param));
                         });

}  // namespace
}  // namespace otter::storage
