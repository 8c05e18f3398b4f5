// The otterd binary's command line and start-up, as a user meets them: --help, bad flags,
// bad configs (exit 2 with a message naming the key), a taken port (exit 1), the port file.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/otterd/otterd_testing.hpp"

namespace otter::otterd::testing {
namespace {

using otter::testing::run_otterd;

TEST(OtterdCommandLineTest, HelpDescribesEveryFlagAndExitsZero) {
  const otter::testing::OtterdExit result = run_otterd({"--help"});
  EXPECT_EQ(result.status, 0) << result.output;
  for (const char* flag : {"--config", "--listen", "--data-dir", "--port-file", "--dev", "--print-config"}) {
    EXPECT_NE(result.output.find(flag), std::string::npos) << flag << " missing from:\n" << result.output;
  }
}

TEST(OtterdCommandLineTest, AnUnknownFlagExitsTwoAndSaysWhichFlag) {
  const otter::testing::OtterdExit result = run_otterd({"--listne", "127.0.0.1:0"});
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("unknown option \"--listne\""), std::string::npos) << result.output;
}

TEST(OtterdCommandLineTest, InvalidYamlExitsTwoWithTheLine) {
  const otter::testing::OtterdExit result =
      run_otterd({"--config", "otter.yaml"}, std::string("server:\n  listen: [oops\n"));
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("otter.yaml:"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("invalid YAML"), std::string::npos) << result.output;
}

TEST(OtterdCommandLineTest, AnUnknownKeyExitsTwoNamingTheKey) {
  const otter::testing::OtterdExit result =
      run_otterd({"--config", "otter.yaml"}, std::string("storage:\n  durablity: full\n"));
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("unknown key \"storage.durablity\""), std::string::npos) << result.output;
}

TEST(OtterdCommandLineTest, AValueOutOfRangeExitsTwoNamingTheKeyAndTheRange) {
  const otter::testing::OtterdExit result =
      run_otterd({"--config", "otter.yaml"}, std::string("websocket:\n  max_frame_bytes: 12\n"));
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("websocket.max_frame_bytes must be an integer from 1024 to"), std::string::npos)
      << result.output;
}

TEST(OtterdCommandLineTest, AMissingConfigFileExitsTwo) {
  const otter::testing::OtterdExit result = run_otterd({"--config", "nowhere.yaml"});
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("nowhere.yaml"), std::string::npos) << result.output;
}

TEST(OtterdCommandLineTest, PrintConfigShowsTheFileAndFlagsApplied) {
  const otter::testing::OtterdExit result = run_otterd(
      {"--config", "otter.yaml", "--listen", "127.0.0.1:0", "--print-config"}, std::string("sessions:\n  ops_per_second: 7\n"));
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("listen: \"127.0.0.1:0\""), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("ops_per_second: 7"), std::string::npos) << result.output;
}

TEST(OtterdCommandLineTest, APortInUseExitsOneSayingSo) {
  OtterdProcess first;
  const otter::testing::OtterdExit second =
      run_otterd({"--listen", "127.0.0.1:" + std::to_string(first.port()), "--data-dir", "other"});
  EXPECT_EQ(second.status, 1) << second.output;
  EXPECT_NE(second.output.find("cannot listen on 127.0.0.1:" + std::to_string(first.port())), std::string::npos)
      << second.output;
}

TEST(OtterdCommandLineTest, PortZeroPicksAFreePortWhichIsLoggedAndWrittenToThePortFile) {
  OtterdProcess server;
  EXPECT_NE(server.port(), 0);
  EXPECT_NE(server.output().find("listening on http://127.0.0.1:" + std::to_string(server.port())),
            std::string::npos)
      << server.output();
  std::ifstream port_file(server.directory() / "port");
  unsigned written = 0;
  port_file >> written;
  EXPECT_EQ(written, server.port());
}

TEST(OtterdCommandLineTest, WithoutAnyConfigTheEmbeddedDefaultKeepsDataUnderTheDataDir) {
  OtterdProcess server;
  Api api(server);
  ASSERT_EQ(api.create("notes", "hi").status, 201);
  EXPECT_TRUE(std::filesystem::exists(server.data_dir() / "otter.db"));
  EXPECT_NE(server.output().find("embedded default"), std::string::npos) << server.output();
}

}  // namespace
}  // namespace otter::otterd::testing
