// The config loader and the command line, without a process: defaults, every key's
// range, precise errors, and the documentation listing every key.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "otterd/command_line.hpp"
#include "otterd/config.hpp"

namespace otter::otterd {
namespace {

using namespace std::chrono_literals;

// The message of the ConfigError `load` throws ("" if it does not throw).
std::string config_error(std::string_view yaml) {
  try {
    static_cast<void>(load_config(yaml, "test.yaml"));
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

std::string usage_error(std::vector<std::string_view> args) {
  try {
    static_cast<void>(parse_command_line(args));
  } catch (const UsageError& error) {
    return error.what();
  }
  return "";
}

TEST(ConfigTest, TheDefaultConfigListensOnLocalhost8080WithSqliteUnderData) {
  const Config config;
  EXPECT_EQ(config.listen, (ListenAddress{"127.0.0.1", 8080}));
  EXPECT_EQ(config.database_path(), std::filesystem::path("data") / "otter.db");
  EXPECT_EQ(config.static_dir, std::filesystem::path("frontend/dist"));
  EXPECT_FALSE(config.admin_enabled);
  EXPECT_EQ(config.service.sessions.ops_per_second, 200U);
  EXPECT_EQ(config.http.max_frame_bytes, 1024U * 1024U);
  EXPECT_NO_THROW(validate(config));
}

TEST(ConfigTest, AnEmptyFileOrOnlyCommentsIsTheDefaultConfig) {
  EXPECT_EQ(load_config("").listen, Config{}.listen);
  EXPECT_EQ(load_config("# nothing here\n").listen, Config{}.listen);
  EXPECT_EQ(load_config("server:\n").listen, Config{}.listen);
}

TEST(ConfigTest, KeysInTheFileOverrideTheirDefaultsAndNothingElse) {
  const Config config = load_config(R"(
server:
  listen: "0.0.0.0:9000"
  admin_api: true
storage:
  data_dir: /var/lib/otter
  durability: normal
sessions:
  ops_per_second: 50
  max_op_bytes: 4096
  max_sessions: 0
documents:
  max_open: 100
  idle_timeout_ms: 2500
websocket:
  max_frame_bytes: 65536
  heartbeat_ms: 1000
)");
  EXPECT_EQ(config.listen, (ListenAddress{"0.0.0.0", 9000}));
  EXPECT_TRUE(config.admin_enabled);
  EXPECT_EQ(config.data_dir, std::filesystem::path("/var/lib/otter"));
  EXPECT_EQ(config.service.storage.sqlite.durability, storage::Durability::normal);
  EXPECT_EQ(config.service.sessions.ops_per_second, 50U);
  EXPECT_EQ(config.service.sessions.max_op_bytes, 4096U);
  EXPECT_FALSE(config.service.max_sessions.has_value());
  EXPECT_EQ(config.service.max_documents, std::optional<std::size_t>(100));
  EXPECT_EQ(config.service.documents.idle_timeout, 2500ms);
  EXPECT_EQ(config.http.max_frame_bytes, 65536U);
  EXPECT_EQ(config.http.heartbeat_interval, 1000ms);
  // Untouched keys keep their defaults.
  EXPECT_EQ(config.io_threads, kDefaultIoThreads);
  EXPECT_EQ(config.rest.threads, net::kDefaultRestThreads);
}

TEST(ConfigTest, InvalidYamlSaysWhereTheParserStopped) {
  const std::string error = config_error("server:\n  listen: [1, 2\n");
  EXPECT_NE(error.find("test.yaml:"), std::string::npos) << error;
  EXPECT_NE(error.find("invalid YAML"), std::string::npos) << error;
}

TEST(ConfigTest, AnUnknownKeyIsNamedWithTheKeysOfItsSection) {
  const std::string error = config_error("http:\n  max_bodybytes: 10\n");
  EXPECT_NE(error.find("test.yaml:2"), std::string::npos) << error;
  EXPECT_NE(error.find("unknown key \"http.max_bodybytes\""), std::string::npos) << error;
  EXPECT_NE(error.find("max_body_bytes"), std::string::npos) << error;
}

TEST(ConfigTest, AnUnknownSectionIsNamedWithTheKnownSections) {
  const std::string error = config_error("sesions:\n  ops_per_second: 10\n");
  EXPECT_NE(error.find("unknown section \"sesions\""), std::string::npos) << error;
  EXPECT_NE(error.find("sessions"), std::string::npos) << error;
}

TEST(ConfigTest, AValueOutOfRangeNamesTheKeyTheRangeAndTheValue) {
  const std::string error = config_error("sessions:\n  ops_per_second: 2000000\n");
  EXPECT_NE(error.find("test.yaml:2: sessions.ops_per_second must be an integer from 0 to 1000000"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("\"2000000\""), std::string::npos) << error;
}

TEST(ConfigTest, ValuesOfTheWrongTypeAreRefusedWithTheKeysName) {
  for (const auto& [yaml, key] : std::vector<std::pair<std::string, std::string>>{
           {"sessions:\n  ops_per_second: fast\n", "sessions.ops_per_second"},
           {"sessions:\n  ops_per_second: -1\n", "sessions.ops_per_second"},
           {"sessions:\n  ops_per_second: 1.5\n", "sessions.ops_per_second"},
           {"sessions:\n  ops_per_second: [1]\n", "sessions.ops_per_second"},
           {"server:\n  admin_api: yes please\n", "server.admin_api"},
           {"server:\n  listen: localhost\n", "server.listen"},
           {"server:\n  listen: \"127.0.0.1:70000\"\n", "server.listen"},
           {"server:\n  log_level: loud\n", "server.log_level"},
           {"storage:\n  durability: sometimes\n", "storage.durability"},
           {"storage:\n  data_dir: \"\"\n", "storage.data_dir"},
           {"server:\n  io_threads: 65\n", "server.io_threads"},
       }) {
    const std::string error = config_error(yaml);
    EXPECT_NE(error.find(key), std::string::npos) << yaml << " -> " << error;
  }
}

TEST(ConfigTest, ASectionThatIsNotAMapIsRefused) {
  const std::string error = config_error("server: 8080\n");
  EXPECT_NE(error.find("section \"server\" must be a map"), std::string::npos) << error;
  EXPECT_NE(config_error("- a\n- b\n").find("map of sections"), std::string::npos);
}

TEST(ConfigTest, KeysThatContradictEachOtherAreRefusedNamingBoth) {
  const std::string error = config_error("websocket:\n  max_frame_bytes: 4096\nsessions:\n  max_op_bytes: 8192\n");
  EXPECT_NE(error.find("sessions.max_op_bytes"), std::string::npos) << error;
  EXPECT_NE(error.find("websocket.max_frame_bytes"), std::string::npos) << error;
  const std::string timeouts = config_error("rest:\n  call_timeout_ms: 40000\n");
  EXPECT_NE(timeouts.find("http.handler_timeout_ms"), std::string::npos) << timeouts;
}

TEST(ConfigTest, TheRenderedConfigLoadsBackToTheSameValues) {
  Config config;
  config.listen = {"::1", 0};
  config.service.sessions.ops_per_second = 7;
  config.service.max_documents = 12;
  config.static_dir = "";
  const Config loaded = load_config(render_config(config));
  EXPECT_EQ(render_config(loaded), render_config(config));
  EXPECT_EQ(loaded.listen, (ListenAddress{"::1", 0}));
  EXPECT_EQ(loaded.service.max_documents, std::optional<std::size_t>(12));
  EXPECT_TRUE(loaded.static_dir.empty());
}

TEST(ConfigTest, EveryKeyIsDocumentedInConfigurationMdWithItsDefault) {
  std::ifstream in(std::filesystem::path(OTTER_SOURCE_DIR) / "docs" / "configuration.md");
  ASSERT_TRUE(in) << "docs/configuration.md is missing";
  std::stringstream text;
  text << in.rdbuf();
  const std::string docs = text.str();
  const Config defaults;
  for (const ConfigKey& key : config_keys()) {
    const std::string row = "| `" + key.name + "` | `" + key.show(defaults) + "` |";
    EXPECT_NE(docs.find(row), std::string::npos) << "docs/configuration.md has no row starting " << row;
  }
}

TEST(ListenAddressTest, HostAndPortAreSplitAtTheLastColon) {
  EXPECT_EQ(std::get<ListenAddress>(parse_listen_address("127.0.0.1:0")), (ListenAddress{"127.0.0.1", 0}));
  EXPECT_EQ(std::get<ListenAddress>(parse_listen_address("[::1]:8080")), (ListenAddress{"::1", 8080}));
  EXPECT_EQ(to_string(ListenAddress{"::1", 8080}), "[::1]:8080");
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_listen_address("8080")));
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_listen_address(":8080")));
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_listen_address("host:")));
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_listen_address("host:65536")));
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_listen_address("host:80x")));
}

TEST(CommandLineTest, FlagsOverrideTheirConfigKeys) {
  const std::vector<std::string_view> args{"--config", "a.yaml", "--listen=127.0.0.1:0", "--data-dir", "/tmp/d",
                                           "--dev", "--port-file", "p", "--log-level", "debug"};
  const CommandLine command_line = parse_command_line(args);
  EXPECT_EQ(command_line.config_file, std::filesystem::path("a.yaml"));
  EXPECT_EQ(command_line.port_file, std::filesystem::path("p"));
  Config config;
  apply_overrides(command_line, config);
  EXPECT_EQ(config.listen, (ListenAddress{"127.0.0.1", 0}));
  EXPECT_EQ(config.data_dir, std::filesystem::path("/tmp/d"));
  EXPECT_TRUE(config.admin_enabled);
  EXPECT_EQ(config.log_level, "debug");
}

TEST(CommandLineTest, MistakesAreNamedPrecisely) {
  EXPECT_NE(usage_error({"--listne", "x"}).find("unknown option \"--listne\""), std::string::npos);
  EXPECT_NE(usage_error({"--listen"}).find("--listen needs a value"), std::string::npos);
  EXPECT_NE(usage_error({"--listen", "nowhere"}).find("--listen must be HOST:PORT"), std::string::npos);
  EXPECT_NE(usage_error({"--dev=yes"}).find("--dev takes no value"), std::string::npos);
  EXPECT_NE(usage_error({"otter.yaml"}).find("unexpected argument \"otter.yaml\""), std::string::npos);
  EXPECT_NE(usage_error({"--log-level", "loud"}).find("--log-level"), std::string::npos);
}

TEST(CommandLineTest, HelpNamesEveryFlag) {
  const std::string help = usage();
  for (const char* flag : {"--config", "--listen", "--data-dir", "--port-file", "--dev", "--log-level",
                           "--print-config", "--help", "--version", "SIGTERM"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace otter::otterd
