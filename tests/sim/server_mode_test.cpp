// Server mode: the simulator against a real otterd over WebSocket, with kill -9 + restart
// and a document crash in every schedule.
#include <gtest/gtest.h>

#include "sim/server_sim.hpp"
#include "sim_testing.hpp"
#include "tests/support/otterd_process.hpp"

namespace otter::sim {
namespace {

using testing::seed_trace;
using testing::test_seed;

TEST(SimServerMode, ASmallRunWithAKillAndADocumentCrashPerScheduleIsClean) {
  const std::uint64_t seed = test_seed(5);
  SCOPED_TRACE(seed_trace(seed));
  const SimOptions options{.seed = seed, .schedules = 2, .clients = 3, .docs = 2, .steps = 60};
  const ServerSimSettings settings{.otterd = otter::testing::otterd_binary(),
                                   .timeout = std::chrono::milliseconds{60'000},
                                   .kills_per_schedule = 1,
                                   .crashes_per_schedule = 1};
  const SimReport report = run_server(options, settings);
  std::string history;
  if (report.failure) {
    for (const std::string& line : report.failure->history) history += "  " + line + "\n";
  }
  ASSERT_FALSE(report.failure) << "seed " << report.failure->seed << ": " << report.failure->failure.check << ": "
                               << report.failure->failure.message << "\n"
                               << history;
  EXPECT_EQ(report.schedules_run, 2U);
  EXPECT_GE(report.stats.server_kills, 2U * settings.kills_per_schedule);
  EXPECT_GE(report.stats.document_crashes, 2U);
  EXPECT_GE(report.stats.reconnects, 2U * options.clients) << "every client reconnects after each kill -9";
  EXPECT_EQ(report.stats.edits, 2U * options.steps);
  EXPECT_GT(report.stats.revisions, 10U) << "edits made while one is in flight are composed into one revision";
}

}  // namespace
}  // namespace otter::sim
