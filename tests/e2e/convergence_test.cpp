// Concurrent editors on one document, each a real OtterClient on its own thread against a
// real otterd, converge to the server's text — with multi-byte text and emoji, and also
// while the network cuts their connections.
//
// Invariant (DESIGN.md): every client that has received all broadcasts up to revision n
// holds exactly the server's text at n. Seeded: OTTER_SEED=<n> replays the edits (the
// interleaving is the threads').
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_testing.hpp"
#include "tests/e2e/tcp_proxy.hpp"
#include "tests/support/otterd_process.hpp"

namespace otter::testing {
namespace {

constexpr std::uint64_t kDefaultSeed = 20'261'121;
constexpr int kEditors = 4;
constexpr int kEditsPerEditor = 150;

using Editors = std::vector<std::unique_ptr<net::OtterClient>>;

// Pieces of text with 1-, 2-, 3- and 4-byte code points and a combining sequence.
constexpr std::string_view kPieces[] = {"a", "Z", " ", "\n", "é", "ß", "漢字", "🦦", "🎉", "e\u0301", "ok"};

std::string random_text(std::mt19937_64& rng) {
  std::string text;
  const int pieces = std::uniform_int_distribution<int>(1, 4)(rng);
  for (int i = 0; i < pieces; ++i) {
    text += kPieces[std::uniform_int_distribution<std::size_t>(0, std::size(kPieces) - 1)(rng)];
  }
  return text;
}

// One random edit on the client's current local text. The text may change under us (remote
// edits arrive on the client thread): a position that went stale is refused (invalid_op),
// and we pick again.
void random_edit(net::OtterClient& client, const std::string& doc, std::mt19937_64& rng) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::size_t length = client.document(doc)->length;
    const bool erase = length > 0 && std::uniform_int_distribution<int>(0, 2)(rng) == 0;
    net::Expected<net::Done> done = [&] {
      if (erase) {
        const std::size_t position = std::uniform_int_distribution<std::size_t>(0, length - 1)(rng);
        const std::size_t count = std::uniform_int_distribution<std::size_t>(1, std::min<std::size_t>(5, length - position))(rng);
        return client.erase(doc, position, count);
      }
      const std::size_t position = std::uniform_int_distribution<std::size_t>(0, length)(rng);
      return client.insert(doc, position, random_text(rng));
    }();
    if (done) return;
    ASSERT_EQ(done.error().code, net::ErrorCode::invalid_op) << done.error().message;
  }
  FAIL() << "no edit fitted the text in 100 attempts";
}

// Every editor reaches the server's revision and holds exactly its text.
void expect_converged(Editors& editors, std::uint16_t port, const std::string& doc) {
  for (auto& editor : editors) ASSERT_TRUE(editor->wait_synced(kWait)) << editor->client_id() << " is not synced";
  const net::DocumentView server = server_view(port, doc);
  for (auto& editor : editors) {
    ASSERT_TRUE(editor->wait_revision(doc, server.revision, kWait)) << editor->client_id();
    const net::DocumentView local = *editor->document(doc);
    EXPECT_EQ(local.revision, server.revision) << editor->client_id();
    EXPECT_EQ(local.text, server.text) << editor->client_id();
    // Nothing was lost on the way: no edit refused, none dropped by a reload.
    while (std::optional<net::ClientEvent> event = editor->next_event(0ms)) {
      if (const auto* error = std::get_if<net::ErrorEvent>(&*event)) {
        EXPECT_TRUE(error->handled) << editor->client_id() << ": " << error->error;
      }
      if (const auto* opened = std::get_if<net::DocumentOpenedEvent>(&*event)) {
        EXPECT_FALSE(opened->local_edits_dropped) << editor->client_id();
        EXPECT_NE(opened->kind, net::DocumentOpenedEvent::Kind::reloaded) << editor->client_id();
      }
    }
    EXPECT_EQ(editor->dropped_events(), 0U);
  }
}

// kEditors clients connected to `port`, each with `doc` open; client ids "<prefix>-<i>".
Editors open_editors(std::uint16_t port, const std::string& doc, const std::string& prefix) {
  Editors editors;
  for (int i = 0; i < kEditors; ++i) {
    editors.push_back(connect_editor(port, prefix + "-" + std::to_string(i)));
    EXPECT_TRUE(editors.back()->open(doc)) << editors.back()->client_id();
  }
  return editors;
}

// Runs body(i) for every editor i, each on its own thread, and waits for them all.
void on_every_editor_thread(const std::function<void(int)>& body) {
  std::vector<std::thread> threads;
  for (int i = 0; i < kEditors; ++i) threads.emplace_back(body, i);
  for (std::thread& thread : threads) thread.join();
}

// kEditsPerEditor random edits by every editor at once, seeded per editor; after_edit(i, k)
// runs on editor i's thread after its edit k.
void edit_concurrently(Editors& editors, const std::string& doc, std::uint64_t seed,
                       const std::function<void(int, int)>& after_edit = {}) {
  on_every_editor_thread([&](int i) {
    std::mt19937_64 rng(seed + static_cast<std::uint64_t>(i));
    for (int k = 0; k < kEditsPerEditor; ++k) {
      random_edit(*editors[i], doc, rng);
      // Now and then wait for the ack, so ops go out one by one, not all composed.
      if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) {
        ASSERT_TRUE(editors[i]->wait_synced(doc, kWait));
      }
      if (after_edit) after_edit(i, k);
    }
  });
}

void edit_concurrently_and_converge(OtterdProcess& server, const std::string& doc) {
  const std::uint64_t seed = test_seed(kDefaultSeed);
  SCOPED_TRACE("OTTER_SEED=" + std::to_string(seed));
  Editors editors = open_editors(server.port(), doc, "c-conv");
  edit_concurrently(editors, doc, seed);
  expect_converged(editors, server.port(), doc);
  // Enough ops reached the server one by one for their order to interleave.
  EXPECT_GT(server_view(server.port(), doc).revision, static_cast<std::uint64_t>(kEditors * kEditsPerEditor / 8));
}

TEST(Convergence, ConcurrentEditorsOnOneDocumentConvergeToTheServersText) {
  OtterdProcess server;
  edit_concurrently_and_converge(server, "converge");
}

// server.io_threads 2: sockets on threads of otterd's own, not the runtime's (the default).
TEST(Convergence, ConcurrentEditorsConvergeWithIoThreadsOfItsOwn) {
  OtterdProcess server({.config_yaml = "server:\n  io_threads: 2\n"});
  edit_concurrently_and_converge(server, "converge-own-io");
}

TEST(Convergence, ConcurrentEditorsConvergeWhileTheNetworkCutsTheirConnections) {
  const std::uint64_t seed = test_seed(kDefaultSeed + 1);
  SCOPED_TRACE("OTTER_SEED=" + std::to_string(seed));
  OtterdProcess server;
  TcpProxy proxy(server.port());
  const std::string doc = "converge-cut";
  Editors editors = open_editors(proxy.port(), doc, "c-cut");
  edit_concurrently(editors, doc, seed, [&](int i, int k) {
    if (i == 0 && k % 25 == 24) proxy.cut();  // everyone's connection, mid-stream
  });
  expect_converged(editors, proxy.port(), doc);
  EXPECT_GE(proxy.connections(), static_cast<std::size_t>(2 * kEditors)) << "the cuts did not force reconnects";
}

TEST(Convergence, EveryEditSurvivesCutConnectionsExactlyOnce) {
  // Insert-only at the start, so every editor's tokens stay whole: each must appear once.
  OtterdProcess server;
  TcpProxy proxy(server.port());
  const std::string doc = "once";
  Editors editors = open_editors(proxy.port(), doc, "c-once");
  constexpr int kTokens = 40;
  on_every_editor_thread([&](int i) {
    for (int k = 0; k < kTokens; ++k) {
      ASSERT_TRUE(editors[i]->insert(doc, 0, "<🦦" + std::to_string(i) + ":" + std::to_string(k) + ">"));
      if (i == 0 && k % 10 == 9) proxy.cut();
    }
  });
  expect_converged(editors, proxy.port(), doc);
  EXPECT_GE(proxy.connections(), static_cast<std::size_t>(2 * kEditors)) << "the cuts did not force reconnects";
  const std::string text = server_view(server.port(), doc).text;
  for (int i = 0; i < kEditors; ++i) {
    for (int k = 0; k < kTokens; ++k) {
      const std::string token = "<🦦" + std::to_string(i) + ":" + std::to_string(k) + ">";
      EXPECT_EQ(count_occurrences(text, token), 1U) << token;
    }
  }
}

}  // namespace
}  // namespace otter::testing
