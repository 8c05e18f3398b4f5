// Registry: unique and duplicate keys, Via names, cleanup before the Down, concurrency.
#include "core/registry.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <barrier>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "test_servers.hpp"

namespace otter::core {
namespace {
using namespace testing;

// Builds spdlog's default logger before any thread logs: libspdlog isn't instrumented, so
// TSan can't see the guard of its lazy construction when two pool threads log first.
const std::shared_ptr<spdlog::logger> kLoggerReady = spdlog::default_logger();

// A Counter that registers itself under `key` in init, and refuses to start if taken.
class NamedCounter : public Counter {
 public:
  NamedCounter(Registry& registry, std::string key, int start = 0)
      : Counter(start), registry_(registry), key_(std::move(key)) {}

 protected:
  InitResult init() override {
    const RegisterResult result = registry_.register_key(*this, key_, std::string{"counter"});
    if (!result) return InitResult::stop(ExitReason::error("taken by " + result.holder().to_string()));
    return InitResult::ok();
  }

 private:
  Registry& registry_;
  std::string key_;
};

std::uint64_t test_seed() {
  const char* env = std::getenv("OTTER_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 20261121;
}

TEST(Registry, RegisteringATakenUniqueKeyFailsAndNamesTheHolder) {
  Runtime runtime({.threads = 2});
  LocalRegistry names(RegistryKind::unique);
  const StartResult first = runtime.spawn<NamedCounter>({}, names, "doc:1");
  ASSERT_TRUE(first.ok());

  ScopedProcess self(runtime);
  const RegisterResult taken = names.register_key(self.process(), "doc:1");
  EXPECT_FALSE(taken.ok());
  EXPECT_EQ(taken.holder(), first.pid());

  const StartResult second = runtime.spawn<NamedCounter>({}, names, "doc:1");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(*second.error(), ExitReason::error("taken by " + first.pid().to_string()));

  EXPECT_EQ(names.whereis("doc:1"), first.pid());
  EXPECT_EQ(names.count(), 1u);
}

TEST(Registry, AProcessHoldingAUniqueKeyCannotRegisterItTwice) {
  Runtime runtime({.threads = 1});
  LocalRegistry names(RegistryKind::unique);
  ScopedProcess self(runtime);
  ASSERT_TRUE(names.register_key(self.process(), "me").ok());
  const RegisterResult again = names.register_key(self.process(), "me");
  EXPECT_FALSE(again.ok());
  EXPECT_EQ(again.holder(), self.self());
  EXPECT_EQ(names.count("me"), 1u);
}

TEST(Registry, ADuplicateKeyKeepsEveryEntryOldestFirstWithItsValue) {
  Runtime runtime({.threads = 1});
  LocalRegistry topics(RegistryKind::duplicate);
  ScopedProcess a(runtime);
  ScopedProcess b(runtime);
  ScopedProcess c(runtime);
  ASSERT_TRUE(topics.register_key(a.process(), "room", 1).ok());
  ASSERT_TRUE(topics.register_key(b.process(), "room", 2).ok());
  ASSERT_TRUE(topics.register_key(c.process(), "room", 3).ok());
  ASSERT_TRUE(topics.register_key(a.process(), "room", 4).ok());  // a holds it twice

  const RegistryEntries entries = topics.lookup("room");
  ASSERT_EQ(entries.size(), 4u);
  const std::vector<Pid> expected_pids{a.self(), b.self(), c.self(), a.self()};
  for (std::size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].pid, expected_pids[i]) << "entry " << i;
    EXPECT_EQ(std::any_cast<int>(entries[i].value), static_cast<int>(i) + 1) << "entry " << i;
  }
  EXPECT_EQ(topics.whereis("room"), a.self());

  // Unregistering removes both of a's entries and nobody else's.
  EXPECT_EQ(topics.unregister_key(a.process(), "room"), 2u);
  const RegistryEntries after = topics.lookup("room");
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].pid, b.self());
  EXPECT_EQ(after[1].pid, c.self());
  // The snapshot taken before is unchanged.
  EXPECT_EQ(entries.size(), 4u);
  EXPECT_EQ(topics.count(), 2u);
}

TEST(Registry, AnUnregisteredUniqueKeyCanBeTakenByAnotherProcess) {
  Runtime runtime({.threads = 1});
  LocalRegistry names(RegistryKind::unique);
  ScopedProcess a(runtime);
  ScopedProcess b(runtime);
  ASSERT_TRUE(names.register_key(a.process(), "lock").ok());
  EXPECT_EQ(names.unregister_key(b.process(), "lock"), 0u);  // not b's to remove
  EXPECT_EQ(names.whereis("lock"), a.self());
  EXPECT_EQ(names.unregister_key(a.process(), "lock"), 1u);
  EXPECT_TRUE(names.whereis("lock").is_null());
  ASSERT_TRUE(names.register_key(b.process(), "lock").ok());
  EXPECT_EQ(names.whereis("lock"), b.self());
  // Registering again after an unregister cleans up on exit all the same (one hook).
  ASSERT_TRUE(names.register_key(a.process(), "other").ok());
  EXPECT_EQ(names.count(), 2u);
}

// Calls the counter named `key` from inside a GenServer handler through a Via.
struct ViaCaller : GenServer {
  const Registry& names;
  Pid report_to;
  ViaCaller(const Registry& n, Pid r) : names(n), report_to(r) {}
  InitResult init() override {
    cast(Via{names, "counter"}, Add{1});
    call<int>(Via{names, "counter"}, Get{}, kWait,
              [this](CallOutcome<int> value) { send(report_to, value.ok() ? *value : -1); });
    return InitResult::ok();
  }
};

TEST(Registry, AViaNameWorksForCastsAndCallsFromEveryKindOfCaller) {
  Runtime runtime({.threads = 2});
  LocalRegistry names(RegistryKind::unique);
  ASSERT_TRUE(runtime.spawn<NamedCounter>({}, names, "counter", 10).ok());
  ScopedProcess self(runtime);

  runtime.cast(Via{names, "counter"}, Add{5});                      // the runtime
  self.cast(Via{names, "counter"}, Add{100});                        // a scoped process
  CallOutcome<int> value = self.call<int>(Via{names, "counter"}, Get{}, kWait);
  ASSERT_TRUE(value.ok()) << value.failure().to_string();
  EXPECT_EQ(*value, 115);

  ASSERT_TRUE(runtime.spawn<ViaCaller>({}, names, self.self()).ok());  // a GenServer
  EXPECT_EQ(self.receive<int>(kWait), 116);

  CallOutcome<int> outside = core::call<int>(runtime, Via{names, "counter"}, Get{}, kWait);
  ASSERT_TRUE(outside.ok());
  EXPECT_EQ(*outside, 116);
}

TEST(Registry, AViaToAnUnregisteredKeyFailsWithNoproc) {
  Runtime runtime({.threads = 1});
  LocalRegistry names(RegistryKind::unique);
  ScopedProcess self(runtime);
  CallOutcome<int> value = self.call<int>(Via{names, "nobody"}, Get{}, kWait);
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.error(), CallError::noproc);
}

TEST(Registry, AViaCannotNameADuplicateKey) {
  LocalRegistry topics(RegistryKind::duplicate);
  EXPECT_THROW(Via(topics, "room"), std::logic_error);
}

TEST(Registry, ACrashedProcessIsGoneFromTheRegistryBeforeItsDownArrives) {
  Runtime runtime({.threads = 4});
  LocalRegistry names(RegistryKind::unique);
  LocalRegistry tags(RegistryKind::duplicate);
  ScopedProcess self(runtime);
  ASSERT_TRUE(tags.register_key(self.process(), "tag").ok());
  // Many rounds: a cleanup that raced with the Down would show up in some of them.
  for (int round = 0; round < 200; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::string key = "doc:" + std::to_string(round % 3);
    const StartResult started = runtime.spawn<NamedCounter>({}, names, key);
    ASSERT_TRUE(started.ok());
    self.monitor(started.pid());
    self.cast(started.pid(), Crash{"boom"});
    std::optional<Down> down = self.receive<Down>(kWait);
    ASSERT_TRUE(down);
    ASSERT_EQ(down->reason, ExitReason::error("boom"));
    EXPECT_TRUE(names.whereis(key).is_null());
    EXPECT_TRUE(names.lookup(key).empty());
    EXPECT_TRUE(names.keys(started.pid()).empty());
    EXPECT_EQ(names.count(), 0u);
    EXPECT_TRUE(static_cast<Pid>(Via{names, key}).is_null());
  }
  EXPECT_EQ(tags.count(), 1u);  // the survivor's entry in another registry stays
}

TEST(Registry, AProcessEndingNormallyOrKilledIsRemovedToo) {
  Runtime runtime({.threads = 2});
  LocalRegistry names(RegistryKind::unique);
  ScopedProcess self(runtime);
  const Pid stopped = runtime.spawn<NamedCounter>({}, names, "a").pid();
  const Pid killed = runtime.spawn<NamedCounter>({}, names, "b").pid();
  self.monitor(stopped);
  self.monitor(killed);
  runtime.exit(stopped, ExitReason::shutdown());
  runtime.exit(killed, ExitReason::kill());
  ASSERT_TRUE(self.receive<Down>(kWait));
  ASSERT_TRUE(self.receive<Down>(kWait));
  EXPECT_EQ(names.count(), 0u);
  {
    ScopedProcess scoped(runtime);
    ASSERT_TRUE(names.register_key(scoped.process(), "c").ok());
    EXPECT_EQ(names.count(), 1u);
  }  // a scoped process exits when destroyed
  EXPECT_EQ(names.count(), 0u);
}

TEST(Registry, SelectAndKeysListTheEntries) {
  Runtime runtime({.threads = 1});
  LocalRegistry names(RegistryKind::unique);
  ScopedProcess a(runtime);
  ScopedProcess b(runtime);
  for (const char* key : {"doc:1", "doc:2", "session:1"}) {
    ASSERT_TRUE(names.register_key(a.process(), key, std::string{key}).ok());
  }
  ASSERT_TRUE(names.register_key(b.process(), "doc:3").ok());

  std::vector<std::string> a_keys = names.keys(a.self());
  std::sort(a_keys.begin(), a_keys.end());
  EXPECT_EQ(a_keys, (std::vector<std::string>{"doc:1", "doc:2", "session:1"}));

  std::vector<RegistryMatch> docs = names.select([](std::string_view key, const RegistryEntry&) {
    return key.starts_with("doc:");
  });
  std::sort(docs.begin(), docs.end(),
            [](const RegistryMatch& x, const RegistryMatch& y) { return x.key < y.key; });
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].key, "doc:1");
  EXPECT_EQ(docs[0].pid, a.self());
  EXPECT_EQ(std::any_cast<std::string>(docs[0].value), "doc:1");
  EXPECT_EQ(docs[2].pid, b.self());

  // The predicate runs outside the locks: it may read the registry itself.
  const std::vector<RegistryMatch> held_by_b = names.select(
      [&](std::string_view key, const RegistryEntry&) { return names.whereis(key) == b.self(); });
  ASSERT_EQ(held_by_b.size(), 1u);
  EXPECT_EQ(held_by_b[0].key, "doc:3");
  EXPECT_EQ(names.count(), 4u);
  EXPECT_EQ(names.count("doc:1"), 1u);
  EXPECT_EQ(names.count("nothing"), 0u);
}

TEST(Registry, AProcessThatHasExitedCannotRegister) {
  Runtime runtime({.threads = 1});
  LocalRegistry names(RegistryKind::unique);
  ScopedProcess self(runtime);
  runtime.exit(self.self(), ExitReason::error("gone"));
  (void)self.receive(kWait);  // handles the exit signal: self's process ends, receive returns
  EXPECT_THROW((void)names.register_key(self.process(), "late"), std::logic_error);
  EXPECT_EQ(names.count(), 0u);
}

TEST(Registry, ARegistryDestroyedBeforeItsProcessesLeavesNothingBehind) {
  Runtime runtime({.threads = 1});
  ScopedProcess self(runtime);
  auto names = std::make_unique<LocalRegistry>(RegistryKind::unique);
  ASSERT_TRUE(names->register_key(self.process(), "x").ok());
  names.reset();
  // self exits at the end of the test: its exit hook must find the registry gone and do
  // nothing (ASan would report a use after free).
}

// Many threads, each with its own process, register, look up and unregister at once.
TEST(RegistryConcurrency, ManyThreadsRegisterLookUpAndExitConsistently) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("OTTER_SEED=" + std::to_string(seed));
  constexpr int kThreads = 8;
  constexpr int kOwnKeys = 100;
  constexpr int kContested = 50;
  Runtime runtime({.threads = 2});
  LocalRegistry names(RegistryKind::unique);
  LocalRegistry groups(RegistryKind::duplicate);

  std::vector<Pid> pids(kThreads);
  std::atomic<int> contested_wins{0};
  std::array<std::atomic<bool>, kContested> contested_tried{};
  std::atomic<int> wrong_holders{0};
  std::atomic<int> wrong_lookups{0};
  std::barrier registered(kThreads);
  std::barrier checked(kThreads);

  auto worker = [&](int t) {
    ScopedProcess self(runtime);
    pids[t] = self.self();
    registered.arrive_and_wait();  // every pid published

    std::mt19937_64 random(seed + static_cast<std::uint64_t>(t));
    for (int i = 0; i < kOwnKeys; ++i) {
      if (!names.register_key(self.process(), "own:" + std::to_string(t) + ":" + std::to_string(i))) {
        wrong_holders.fetch_add(1);
      }
      (void)groups.register_key(self.process(), "group:" + std::to_string(i % 4), t);
      const int k = static_cast<int>(random() % kContested);
      contested_tried[static_cast<std::size_t>(k)].store(true);
      const RegisterResult r = names.register_key(self.process(), "contested:" + std::to_string(k));
      if (r.ok()) {
        contested_wins.fetch_add(1);
      } else if (std::find(pids.begin(), pids.end(), r.holder()) == pids.end()) {
        wrong_holders.fetch_add(1);
      }
      // Someone else's own key is either absent or held by that someone.
      const int other = static_cast<int>(random() % kThreads);
      const Pid found = names.whereis("own:" + std::to_string(other) + ":" + std::to_string(i));
      if (!found.is_null() && found != pids[other]) wrong_lookups.fetch_add(1);
      (void)groups.lookup("group:" + std::to_string(i % 4)).size();
    }
    registered.arrive_and_wait();
    for (int i = 0; i < kOwnKeys; ++i) {
      if (names.whereis("own:" + std::to_string(t) + ":" + std::to_string(i)) != self.self()) {
        wrong_lookups.fetch_add(1);
      }
    }
    checked.arrive_and_wait();
    // Half the threads unregister explicitly; the rest rely on the exit hook.
    if (t % 2 == 0) {
      for (int i = 0; i < kOwnKeys; ++i) {
        names.unregister_key(self.process(), "own:" + std::to_string(t) + ":" + std::to_string(i));
      }
    }
  };

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
  // Meanwhile, servers register and crash on the pool.
  ScopedProcess main_self(runtime);
  for (int i = 0; i < 50; ++i) {
    const StartResult server = runtime.spawn<NamedCounter>({}, names, "server:" + std::to_string(i));
    ASSERT_TRUE(server.ok());
    main_self.monitor(server.pid());
    main_self.cast(server.pid(), Crash{"chaos"});
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(main_self.receive<Down>(kWait));

  EXPECT_EQ(wrong_holders.load(), 0);
  EXPECT_EQ(wrong_lookups.load(), 0);
  // Nobody gives a contested key up before exiting: each one tried was won exactly once.
  const auto tried = std::count_if(contested_tried.begin(), contested_tried.end(),
                                   [](const std::atomic<bool>& t) { return t.load(); });
  EXPECT_EQ(contested_wins.load(), tried);
  EXPECT_EQ(names.count(), 0u);
  EXPECT_EQ(groups.count(), 0u);
  EXPECT_TRUE(names.select([](std::string_view, const RegistryEntry&) { return true; }).empty());
}

}  // namespace
}  // namespace otter::core
