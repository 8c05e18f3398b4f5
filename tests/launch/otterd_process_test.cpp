// launch::OtterdProcess against the real otterd: a start that fails says why and does not
// hang, kill -9 + restart comes back on the same port, and a graceful stop is reported.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

#include "launch/otterd_process.hpp"
#include "tests/support/otterd_process.hpp"

namespace otter::launch {
namespace {

using otter::testing::otterd_binary;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(OtterdProcessTest, AnOtterdThatExitsBeforeListeningFailsTheStartWithItsOutput) {
  try {
    const OtterdProcess otterd({.binary = otterd_binary(), .config_yaml = "storage:\n  durablity: full\n"});
    FAIL() << "started on port " << otterd.port();
  } catch (const std::runtime_error& error) {
    EXPECT_TRUE(contains(error.what(), "exited (status 2) before it was listening")) << error.what();
    EXPECT_TRUE(contains(error.what(), "unknown key \"storage.durablity\"")) << error.what();
  }
}

TEST(OtterdProcessTest, AMissingBinaryFailsTheStart) {
  EXPECT_THROW(OtterdProcess({.binary = "/nonexistent/otterd"}), std::system_error);
}

TEST(OtterdProcessTest, KillMinus9AndRestartComeBackOnTheSamePort) {
  OtterdProcess otterd({.binary = otterd_binary()});
  const std::uint16_t port = otterd.port();
  EXPECT_THROW(otterd.restart(), std::logic_error) << "a second otterd on the same data";
  otterd.kill9();
  EXPECT_FALSE(otterd.running());
  otterd.restart();
  EXPECT_TRUE(otterd.running());
  EXPECT_EQ(otterd.port(), port);
  std::ifstream port_file(otterd.directory() / "port");
  unsigned written = 0;
  port_file >> written;
  EXPECT_EQ(written, port);
  const std::string output = otterd.output();
  EXPECT_TRUE(contains(output, "--- otterd restarted ---")) << output;
  EXPECT_TRUE(contains(output.substr(output.find("--- otterd restarted ---")),
                       "listening on http://127.0.0.1:" + std::to_string(port)))
      << output;
}

TEST(OtterdProcessTest, TerminateReportsAGracefulStopAndNeedsARunningOtterd) {
  OtterdProcess otterd({.binary = otterd_binary()});
  EXPECT_EQ(otterd.terminate(), 0) << otterd.output();
  EXPECT_FALSE(otterd.running());
  EXPECT_THROW(static_cast<void>(otterd.terminate()), std::logic_error);
  EXPECT_TRUE(contains(otterd.output_tail(4000), "SIGTERM: stopping gracefully")) << otterd.output();
}

TEST(OtterdProcessTest, TheDirectoryIsRemovedWithTheProcess) {
  std::filesystem::path directory;
  {
    const OtterdProcess otterd({.binary = otterd_binary()});
    directory = otterd.directory();
    ASSERT_TRUE(std::filesystem::exists(directory / "otterd.log"));
  }
  if (std::getenv("OTTER_KEEP_OTTERD_DIRS") == nullptr) {
    EXPECT_FALSE(std::filesystem::exists(directory));
  }
}

}  // namespace
}  // namespace otter::launch
