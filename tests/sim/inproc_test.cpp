// The in-process simulator: clean on the real OT engine, deterministic, and able to fail.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "sim/run.hpp"
#include "sim/shrinker.hpp"
#include "sim/simulation.hpp"
#include "sim_testing.hpp"

namespace otter::sim {
namespace {

using testing::seed_trace;
using testing::test_seed;

std::string describe(const SimReport& report) {
  if (!report.failure) return "no failure";
  std::string text = "seed " + std::to_string(report.failure->seed) + ": " + report.failure->failure.check + ": " +
                     report.failure->failure.message + "\n";
  for (const std::string& line : report.failure->history) text += "  " + line + "\n";
  return text;
}

TEST(SimInProcess, ThreeHundredSchedulesWithCrashesKillsAndReconnectsRunClean) {
  const std::uint64_t seed = test_seed(20261121);
  SCOPED_TRACE(seed_trace(seed));
  const SimReport report = run_inproc({.seed = seed, .schedules = 300, .clients = 3, .docs = 2, .steps = 60});
  ASSERT_FALSE(report.failure) << describe(report);
  EXPECT_EQ(report.schedules_run, 300U);
  // The runs exercised what they claim to.
  EXPECT_EQ(report.stats.edits, 300U * 60U);
  EXPECT_GT(report.stats.revisions, 3000U);
  EXPECT_GT(report.stats.duplicates, 50U);
  EXPECT_GT(report.stats.reconnects, 300U);
  EXPECT_GT(report.stats.document_crashes, 100U);
  EXPECT_GT(report.stats.server_kills, 30U);
  EXPECT_GT(report.stats.lost_pending_ops, 30U);
}

TEST(SimInProcess, OneClientAloneAndManyClientsOnManyDocumentsRunClean) {
  const std::uint64_t seed = test_seed(7);
  SCOPED_TRACE(seed_trace(seed));
  const SimReport alone = run_inproc({.seed = seed, .schedules = 30, .clients = 1, .docs = 1, .steps = 80});
  EXPECT_FALSE(alone.failure) << describe(alone);
  const SimReport crowd = run_inproc({.seed = seed, .schedules = 10, .clients = 8, .docs = 4, .steps = 200});
  EXPECT_FALSE(crowd.failure) << describe(crowd);
}

TEST(SimInProcess, TheSameSeedReplaysTheSameScheduleByteForByte) {
  const std::uint64_t seed = test_seed(99);
  SCOPED_TRACE(seed_trace(seed));
  const ScheduleConfig config{.seed = seed, .clients = 4, .docs = 2, .steps = 120};
  const ScheduleOutcome first = run_schedule(config, /*keep_transcript=*/true);
  const ScheduleOutcome second = run_schedule(config, /*keep_transcript=*/true);
  ASSERT_FALSE(first.failure) << first.failure->message;
  EXPECT_EQ(first.events, second.events);
  EXPECT_EQ(first.fingerprint, second.fingerprint);
  EXPECT_EQ(first.transcript, second.transcript);
  EXPECT_GT(first.transcript.size(), first.events.size());

  // The recorded events replay to the same run; another seed is another run.
  const ScheduleOutcome replayed = replay_schedule(config, first.events, /*keep_transcript=*/true);
  EXPECT_EQ(replayed.fingerprint, first.fingerprint);
  EXPECT_EQ(replayed.transcript, first.transcript);
  ScheduleConfig other = config;
  other.seed = seed + 1;
  EXPECT_NE(run_schedule(other).fingerprint, first.fingerprint);
}

// The fault-injected server fails; the reported seed alone reproduces the failure.
// `checks`: the checks that may catch it first (empty: any).
void expect_caught(const SimServerFaults& faults, const std::set<std::string>& checks) {
  const std::uint64_t seed = test_seed(1);
  SCOPED_TRACE(seed_trace(seed));
  const SimOptions options{.seed = seed, .schedules = 200, .clients = 3, .docs = 1, .steps = 60, .faults = faults};
  const SimReport report = run_inproc(options);
  ASSERT_TRUE(report.failure) << "200 schedules against a broken server all passed";
  const std::string& check = report.failure->failure.check;
  EXPECT_TRUE(checks.empty() || checks.contains(check)) << describe(report);
  EXPECT_EQ(report.failure->seed, seed + report.schedules_run - 1);

  const ScheduleOutcome again = run_schedule({.seed = report.failure->seed,
                                              .clients = options.clients,
                                              .docs = options.docs,
                                              .steps = options.steps,
                                              .faults = faults});
  ASSERT_TRUE(again.failure) << "the reported seed " << report.failure->seed << " passed when run again";
  EXPECT_EQ(again.failure->check, report.failure->failure.check);
  EXPECT_EQ(again.failure->message, report.failure->failure.message);

  // The shortest history is short, and is the story of a failure.
  EXPECT_LT(report.failure->shrunk_events, report.failure->events);
  EXPECT_LE(report.failure->shrunk_events, 12U) << describe(report);
  ASSERT_FALSE(report.failure->history.empty());
  EXPECT_EQ(report.failure->history.back().rfind("FAILED " + check, 0), 0U) << report.failure->history.back();

  // The same seeds pass against the server without the fault.
  SimOptions healthy = options;
  healthy.faults = {};
  healthy.schedules = report.schedules_run;
  EXPECT_FALSE(run_inproc(healthy).failure);
}

TEST(SimInProcess, AServerThatSkipsDuplicateDetectionIsCaughtWithASeedThatReproducesIt) {
  expect_caught({.skip_duplicate_detection = true}, {"acked_ops"});
}

TEST(SimInProcess, AServerTransformWithTheWrongTieBreakIsCaughtWithASeedThatReproducesIt) {
  expect_caught({.wrong_tie_break = true}, {"convergence"});
}

TEST(SimInProcess, AServerThatAcksBeforeTheOpIsDurableIsCaughtWithASeedThatReproducesIt) {
  // The early ack moves its author past the durable stream: a crash loses an acked op
  // (acked_ops), or the client and the stream disagree on where it is — a cursor at the
  // durable head, the next entry, a resume, its next op's base: several checks can be first.
  expect_caught({.ack_before_durable = true}, {});
}

TEST(SimInProcess, TheShrunkScheduleStillFailsWhenReplayed) {
  const std::uint64_t seed = test_seed(3);
  SCOPED_TRACE(seed_trace(seed));
  const ScheduleConfig config{.seed = seed, .clients = 4, .docs = 2, .steps = 80,
                              .faults = {.wrong_tie_break = true}};
  ScheduleOutcome failing = run_schedule(config);
  for (std::uint64_t next = seed + 1; !failing.failure && next < seed + 100; ++next) {
    ScheduleConfig retry = config;
    retry.seed = next;
    failing = run_schedule(retry);
  }
  ASSERT_TRUE(failing.failure);
  const std::size_t original = failing.events.size();
  const ShrinkResult shrunk = shrink(config, std::move(failing.events));
  ASSERT_TRUE(shrunk.outcome.failure);
  EXPECT_LT(shrunk.events.size(), original);
  EXPECT_LE(shrunk.config.clients, 2U) << "two clients suffice to order two inserts differently";
  const ScheduleOutcome replayed = replay_schedule(shrunk.config, shrunk.events);
  ASSERT_TRUE(replayed.failure);
  EXPECT_EQ(replayed.failure->check, shrunk.outcome.failure->check);
}

}  // namespace
}  // namespace otter::sim
