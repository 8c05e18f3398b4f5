// Test helpers for server/: a temporary directory, a seed, an in-memory connection
// (fake_connection.hpp), a
// store whose commits a test can hold back or fail, a service on a real Runtime and a
// real SQLite file, and a protocol client that talks to a real Session process.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <typeinfo>
#include <utility>
#include <vector>

#include "core/runtime.hpp"
#include "core/scoped_process.hpp"
#include "net/protocol.hpp"
#include "server/service.hpp"
#include "server/session.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/server/fake_connection.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_seed.hpp"

namespace otter::server::testing {

using namespace std::chrono_literals;

inline constexpr std::chrono::seconds kWait{10};

using otter::testing::TempDir;
using otter::testing::test_seed;

// A Store over SQLite whose append() a test can hold at a gate, and make fail.
class GatedStore final : public storage::Store {
 public:
  explicit GatedStore(std::unique_ptr<storage::Store> inner) : inner_(std::move(inner)) {}

  void close_gate() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }
  void open_gate() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  // The appends waiting at the gate fail (database_error) once it opens, and so do later ones.
  void fail_appends(bool fail) {
    std::lock_guard lock(mutex_);
    fail_ = fail;
  }
  // Waits until `count` appends in total have reached the store (blocked or not).
  bool wait_for_appends(std::size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return appends_ >= count; });
  }
  [[nodiscard]] std::size_t appends() const {
    std::lock_guard lock(mutex_);
    return appends_;
  }

  storage::Expected<storage::WriteResults> append(std::span<const storage::DocumentWrite> writes) override {
    {
      std::unique_lock lock(mutex_);
      ++appends_;
      changed_.notify_all();
      changed_.wait(lock, [&] { return open_; });
      if (fail_) return storage::Error{storage::ErrorCode::database_error, "injected failure"};
    }
    return inner_->append(writes);
  }
  storage::Expected<void> create_document(std::string_view id) override { return inner_->create_document(id); }
  storage::Expected<void> delete_document(std::string_view id) override { return inner_->delete_document(id); }
  storage::Expected<std::vector<storage::DocumentInfo>> list_documents() override { return inner_->list_documents(); }
  storage::Expected<bool> document_exists(std::string_view id) override { return inner_->document_exists(id); }
  storage::Expected<storage::DocumentInfo> document_info(std::string_view id) override {
    return inner_->document_info(id);
  }
  storage::Expected<storage::LoadedDocument> load(std::string_view id) override { return inner_->load(id); }
  storage::Expected<void> save_snapshot(std::string_view id, std::uint64_t revision, std::string_view text) override {
    return inner_->save_snapshot(id, revision, text);
  }
  storage::Expected<std::vector<storage::StoredOp>> ops_since(std::string_view id, std::uint64_t revision,
                                                              std::size_t limit) override {
    return inner_->ops_since(id, revision, limit);
  }
  storage::Expected<std::string> text_at(std::string_view id, std::uint64_t revision) override {
    return inner_->text_at(id, revision);
  }

 private:
  std::unique_ptr<storage::Store> inner_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = true;
  bool fail_ = false;
  std::size_t appends_ = 0;
};

inline std::unique_ptr<storage::Store> open_sqlite(const std::string& path) {
  storage::Expected<std::unique_ptr<storage::SqliteStore>> store = storage::SqliteStore::open(path);
  if (!store) throw std::runtime_error("open failed: " + store.error().message);
  return std::move(*store);
}

// A Runtime, a database in a fresh directory and a Service on them; the writer's store is
// a GatedStore. Tests change options before start().
class ServiceFixture {
 public:
  ServiceFixture() : runtime_(core::RuntimeOptions{.threads = 4}) {}
  ~ServiceFixture() {
    if (service_) service_->stop();
    service_.reset();
    runtime_.shutdown();
  }

  ServiceOptions options{};

  Service& start() {
    const std::string path = dir_.file("otter.db");
    auto gated = std::make_unique<GatedStore>(open_sqlite(path));
    gate_ = gated.get();
    StoreFactory readers = [path]() -> storage::Expected<std::unique_ptr<storage::Store>> { return open_sqlite(path); };
    auto storage = std::make_unique<StorageService>(runtime_, std::move(gated), std::move(readers),
                                                    options.storage.writer, options.storage.blocking_threads);
    service_ = Service::start(runtime_, options, std::move(storage));
    return *service_;
  }

  [[nodiscard]] core::Runtime& runtime() noexcept { return runtime_; }
  [[nodiscard]] std::string db_path() const { return dir_.file("otter.db"); }
  [[nodiscard]] Service& service() { return *service_; }
  [[nodiscard]] GatedStore& gate() { return *gate_; }

  // Blocks until the process `pid` has exited (true) or `timeout` passed.
  bool wait_for_exit(core::Pid pid, std::chrono::milliseconds timeout = kWait) {
    core::ScopedProcess self(runtime_);
    self.monitor(pid);
    return self.receive<core::Down>(timeout).has_value();
  }

 private:
  core::Runtime runtime_;
  TempDir dir_;
  GatedStore* gate_ = nullptr;
  std::unique_ptr<Service> service_;
};

// One client connection: a Session process writing to a FakeConnection.
class TestClient {
 public:
  explicit TestClient(ServiceFixture& fixture) : fixture_(&fixture), connection_(std::make_shared<FakeConnection>()) {
    core::ScopedProcess waiter(fixture.runtime());
    fixture.service().start_session(connection_, [&runtime = fixture.runtime(), me = waiter.self()](
                                                     core::StartResult result) { runtime.send(me, result); });
    std::optional<core::StartResult> started = waiter.receive<core::StartResult>(kWait);
    if (!started || !started->ok()) throw std::runtime_error("session did not start");
    pid_ = started->pid();
  }

  void send(std::string json) { fixture_->runtime().send(pid_, ClientFrame{std::move(json)}); }
  void disconnect() { fixture_->runtime().send(pid_, ConnectionClosed{1000, "bye"}); }

  // The next message, decoded (fails the test if none comes or it does not decode).
  std::optional<net::ServerMessage> next(std::chrono::milliseconds timeout = kWait) {
    std::optional<std::string> frame = connection_->next(timeout);
    if (!frame) return std::nullopt;
    net::Expected<net::ServerMessage> message = net::decode_server_message(*frame);
    if (!message) {
      ADD_FAILURE() << "undecodable frame " << *frame << ": " << message.error();
      return std::nullopt;
    }
    last_frame_ = *frame;
    return std::move(*message);
  }

  // The next message, which must be a T.
  template <class T>
  T expect(std::chrono::milliseconds timeout = kWait) {
    std::optional<net::ServerMessage> message = next(timeout);
    if (!message) {
      ADD_FAILURE() << "no message came (expected " << typeid(T).name() << ")";
      return T{};
    }
    if (T* value = std::get_if<T>(&*message)) return std::move(*value);
    ADD_FAILURE() << "expected " << typeid(T).name() << ", got " << net::type_name(*message) << ": " << last_frame_;
    return T{};
  }

  // The next error, which must carry `code`.
  net::ErrorMessage expect_error(net::ErrorCode code) {
    net::ErrorMessage error = expect<net::ErrorMessage>();
    EXPECT_EQ(error.code, code) << error.message << " (" << last_frame_ << ")";
    return error;
  }

  net::Welcome hello(std::string client_id) {
    send(R"({"type":"hello","version":1,"client_id":")" + client_id + R"(","name":"N-)" + client_id + R"("})");
    return expect<net::Welcome>();
  }
  net::Opened open(const std::string& doc) {
    send(R"({"type":"open","doc":")" + doc + R"("})");
    return expect<net::Opened>();
  }
  void edit(const std::string& doc, std::uint64_t rev, std::uint64_t seq, const std::string& op_json) {
    send(R"({"type":"op","doc":")" + doc + R"(","rev":)" + std::to_string(rev) + R"(,"seq":)" +
         std::to_string(seq) + R"(,"op":)" + op_json + "}");
  }
  // Sends a ping and returns what came before its pong: everything sent before the ping
  // has been handled by then.
  std::vector<net::ServerMessage> sync() {
    send(R"({"type":"ping","id":"sync"})");
    std::vector<net::ServerMessage> before;
    for (;;) {
      std::optional<net::ServerMessage> message = next();
      if (!message) {
        ADD_FAILURE() << "no pong";
        return before;
      }
      if (std::holds_alternative<net::Pong>(*message)) return before;
      before.push_back(std::move(*message));
    }
  }

  [[nodiscard]] core::Pid pid() const noexcept { return pid_; }
  [[nodiscard]] FakeConnection& connection() noexcept { return *connection_; }
  [[nodiscard]] const std::string& last_frame() const noexcept { return last_frame_; }

 private:
  ServiceFixture* fixture_;
  std::shared_ptr<FakeConnection> connection_;
  core::Pid pid_;
  std::string last_frame_;
};

}  // namespace otter::server::testing
