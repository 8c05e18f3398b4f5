// PubSub: fan-out in order, broadcast_from, cleanup before the Down, the cluster seam.
#include "core/pubsub.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <barrier>
#include <cstdlib>
#include <memory>
#include <mutex>
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

struct Tick {
  int seq;
};
struct Marker {};
// A collector's verdict once it has seen `expected` ticks.
struct Report {
  Pid collector;
  int received;
  bool in_order;
};

// Subscribes itself in init; checks that ticks arrive in order; reports after `expected`.
class Collector : public GenServer {
 public:
  Collector(PubSub& pubsub, std::string topic, int expected, Pid report_to)
      : pubsub_(pubsub), topic_(std::move(topic)), expected_(expected), report_to_(report_to) {}

 protected:
  InitResult init() override {
    pubsub_.subscribe(*this, topic_);
    return InitResult::ok();
  }
  Result handle_info(Message& message) override {
    if (const Tick* tick = match<Tick>(message)) {
      if (tick->seq != received_) in_order_ = false;
      if (++received_ == expected_) send(report_to_, Report{self(), received_, in_order_});
    }
    return Result::noreply();
  }
  Result handle_cast(Message& message) override {
    if (const Crash* crash = match<Crash>(message)) throw std::runtime_error(crash->why);
    return Result::noreply();
  }

 private:
  PubSub& pubsub_;
  std::string topic_;
  int expected_;
  Pid report_to_;
  int received_ = 0;
  bool in_order_ = true;
};

std::uint64_t test_seed() {
  const char* env = std::getenv("OTTER_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 20261121;
}

TEST(PubSub, EverySubscriberReceivesEveryBroadcastInOrder) {
  constexpr int kSubscribers = 40;
  constexpr int kTicks = 300;
  Runtime runtime({.threads = 4});
  PubSub pubsub(runtime);
  ScopedProcess self(runtime);
  for (int i = 0; i < kSubscribers; ++i) {
    ASSERT_TRUE(runtime.spawn<Collector>({}, pubsub, "doc:1", kTicks, self.self()).ok());
  }
  ASSERT_EQ(pubsub.subscriber_count("doc:1"), static_cast<std::size_t>(kSubscribers));
  for (int seq = 0; seq < kTicks; ++seq) {
    ASSERT_EQ(pubsub.broadcast("doc:1", Tick{seq}), static_cast<std::size_t>(kSubscribers));
  }
  for (int i = 0; i < kSubscribers; ++i) {
    std::optional<Report> report = self.receive<Report>(kWait);
    ASSERT_TRUE(report) << "only " << i << " subscribers reported";
    EXPECT_EQ(report->received, kTicks);
    EXPECT_TRUE(report->in_order) << report->collector;
  }
}

TEST(PubSub, BroadcastFromSkipsTheSender) {
  Runtime runtime({.threads = 2});
  PubSub pubsub(runtime);
  ScopedProcess a(runtime);
  ScopedProcess b(runtime);
  ScopedProcess c(runtime);
  for (ScopedProcess* s : {&a, &b, &c}) ASSERT_TRUE(pubsub.subscribe(s->process(), "room"));

  EXPECT_EQ(pubsub.broadcast_from(a.self(), "room", std::string{"from a"}), 2u);
  EXPECT_EQ(pubsub.broadcast_from(c.self(), "room", std::string{"from c"}), 2u);  // last entry
  EXPECT_EQ(pubsub.broadcast("room", Marker{}), 3u);

  EXPECT_EQ(b.receive<std::string>(kWait), "from a");
  EXPECT_EQ(b.receive<std::string>(kWait), "from c");
  EXPECT_EQ(a.receive<std::string>(kWait), "from c");
  EXPECT_EQ(c.receive<std::string>(kWait), "from a");
  // Everyone's next message is the marker: nobody got its own message.
  for (ScopedProcess* s : {&a, &b, &c}) {
    std::optional<Message> next = s->receive(kWait);
    ASSERT_TRUE(next);
    EXPECT_TRUE(match<Marker>(*next)) << "unexpected " << next->type().name();
  }
}

TEST(PubSub, SubscribingTwiceDeliversOnceAndUnsubscribeStopsDelivery) {
  Runtime runtime({.threads = 2});
  PubSub pubsub(runtime);
  ScopedProcess self(runtime);
  ScopedProcess other(runtime);
  EXPECT_TRUE(pubsub.subscribe(self.process(), "t"));
  EXPECT_FALSE(pubsub.subscribe(self.process(), "t"));
  EXPECT_TRUE(pubsub.subscribe(other.process(), "t"));
  EXPECT_EQ(pubsub.broadcast("t", 1), 2u);

  EXPECT_TRUE(pubsub.unsubscribe(self.process(), "t"));
  EXPECT_FALSE(pubsub.unsubscribe(self.process(), "t"));
  EXPECT_TRUE(pubsub.subscriptions(self.self()).empty());
  EXPECT_EQ(pubsub.broadcast("t", 2), 1u);
  ASSERT_TRUE(pubsub.subscribe(self.process(), "t"));
  EXPECT_EQ(pubsub.broadcast("t", 3), 2u);

  EXPECT_EQ(self.receive<int>(kWait), 1);
  EXPECT_EQ(self.receive<int>(kWait), 3);  // 2 was sent while unsubscribed
  EXPECT_EQ(other.receive<int>(kWait), 1);
  EXPECT_EQ(other.receive<int>(kWait), 2);
  EXPECT_EQ(other.receive<int>(kWait), 3);
}

TEST(PubSub, ACrashedSubscriberIsUnsubscribedBeforeItsDownArrives) {
  Runtime runtime({.threads = 4});
  PubSub pubsub(runtime);
  ScopedProcess self(runtime);
  ASSERT_TRUE(pubsub.subscribe(self.process(), "doc:9"));
  for (int round = 0; round < 200; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const StartResult started = runtime.spawn<Collector>({}, pubsub, "doc:9", 1000, self.self());
    ASSERT_TRUE(started.ok());
    self.monitor(started.pid());
    self.cast(started.pid(), Crash{"boom"});
    std::optional<Down> down = self.receive<Down>(kWait);
    ASSERT_TRUE(down);
    EXPECT_EQ(pubsub.subscriber_count("doc:9"), 1u);
    EXPECT_TRUE(pubsub.subscriptions(started.pid()).empty());
    EXPECT_EQ(pubsub.broadcast("doc:9", round), 1u);  // only self counts
    EXPECT_EQ(self.receive<int>(kWait), round);
  }
}

TEST(PubSub, ASharedPointerPayloadIsSharedNotCopiedPerSubscriber) {
  Runtime runtime({.threads = 2});
  PubSub pubsub(runtime);
  std::vector<std::unique_ptr<ScopedProcess>> subscribers;
  for (int i = 0; i < 10; ++i) {
    subscribers.push_back(std::make_unique<ScopedProcess>(runtime));
    ASSERT_TRUE(pubsub.subscribe(subscribers.back()->process(), "big"));
  }
  auto payload = std::make_shared<const std::string>(1 << 20, 'x');
  EXPECT_EQ(pubsub.broadcast("big", payload), 10u);
  for (auto& subscriber : subscribers) {
    auto received = subscriber->receive<std::shared_ptr<const std::string>>(kWait);
    ASSERT_TRUE(received);
    EXPECT_EQ(received->get(), payload.get());  // the very same string
  }
}

// Records what a cluster adapter would forward.
class RecordingAdapter final : public PubSubAdapter {
 public:
  struct Forwarded {
    std::string topic;
    int value;
    Pid excluded;
  };
  void forward(std::string_view topic, const Message& message, Pid excluded) override {
    std::lock_guard lock(mutex_);
    forwarded_.push_back({std::string{topic}, *match<int>(message), excluded});
  }
  std::vector<Forwarded> forwarded() {
    std::lock_guard lock(mutex_);
    return forwarded_;
  }

 private:
  std::mutex mutex_;
  std::vector<Forwarded> forwarded_;
};

TEST(PubSub, TheAdapterSeesBroadcastsButNotLocalBroadcasts) {
  Runtime runtime({.threads = 2});
  auto adapter = std::make_shared<RecordingAdapter>();
  PubSub pubsub(runtime, adapter);
  ScopedProcess self(runtime);
  ASSERT_TRUE(pubsub.subscribe(self.process(), "t"));

  EXPECT_EQ(pubsub.broadcast("t", 1), 1u);
  EXPECT_EQ(pubsub.broadcast_from(self.self(), "t", 2), 0u);
  EXPECT_EQ(pubsub.broadcast("nobody-here", 3), 0u);  // remote nodes may have subscribers
  EXPECT_EQ(pubsub.local_broadcast("t", 4), 1u);       // what arrives from other nodes
  EXPECT_EQ(pubsub.local_broadcast_from(self.self(), "t", 5), 0u);

  const std::vector<RecordingAdapter::Forwarded> forwarded = adapter->forwarded();
  ASSERT_EQ(forwarded.size(), 3u);
  EXPECT_EQ(forwarded[0].topic, "t");
  EXPECT_EQ(forwarded[0].value, 1);
  EXPECT_TRUE(forwarded[0].excluded.is_null());
  EXPECT_EQ(forwarded[1].value, 2);
  EXPECT_EQ(forwarded[1].excluded, self.self());
  EXPECT_EQ(forwarded[2].topic, "nobody-here");
  EXPECT_EQ(self.receive<int>(kWait), 1);
  EXPECT_EQ(self.receive<int>(kWait), 4);
}

// Threads subscribe, broadcast and leave at once; each sees every other's broadcasts in
// the order they were made.
TEST(PubSubConcurrency, ManyThreadsSubscribeAndBroadcastAtOnceAndKeepPerSenderOrder) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("OTTER_SEED=" + std::to_string(seed));
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  Runtime runtime({.threads = 2});
  PubSub pubsub(runtime);
  struct Hello {
    int from;
    int seq;
  };
  std::barrier subscribed(kThreads);
  std::barrier done(kThreads);
  std::vector<std::string> failures(kThreads);

  auto worker = [&](int t) {
    ScopedProcess self(runtime);
    pubsub.subscribe(self.process(), "all");
    // Churn on a side topic, interleaved with the main traffic.
    const std::string side = "side:" + std::to_string(seed % 3 + static_cast<std::uint64_t>(t) % 2);
    subscribed.arrive_and_wait();
    for (int seq = 0; seq < kPerThread; ++seq) {
      pubsub.broadcast_from(self.self(), "all", Hello{t, seq});
      if (seq % 10 == 0) {
        pubsub.subscribe(self.process(), side);
        pubsub.broadcast(side, seq);
        pubsub.unsubscribe(self.process(), side);
      }
    }
    std::vector<int> next(kThreads, 0);
    for (int n = 0; n < (kThreads - 1) * kPerThread; ++n) {
      std::optional<Hello> hello = self.receive<Hello>(kWait);
      if (!hello) {
        failures[t] = "missing messages after " + std::to_string(n);
        break;
      }
      if (hello->from == t) {
        failures[t] = "received its own broadcast";
        break;
      }
      if (hello->seq != next[hello->from]) {
        failures[t] = "from " + std::to_string(hello->from) + ": got " + std::to_string(hello->seq) +
                      ", expected " + std::to_string(next[hello->from]);
        break;
      }
      ++next[hello->from];
    }
    done.arrive_and_wait();  // nobody leaves while others may still broadcast to it
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], "") << "thread " << t;
  EXPECT_EQ(pubsub.subscriber_count("all"), 0u);
}

}  // namespace
}  // namespace otter::core
