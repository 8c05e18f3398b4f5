// The tests' otterd: launch::OtterdProcess (launch/otterd_process.hpp, which holds the
// contract: directory, readiness, port, stop, kill -9, restart) running the binary CMake
// built, or $OTTERD_BINARY if set.
//
//   otter::testing::OtterdProcess server({.dev = true});   // started and listening, or throws
//   net::HttpClient http({.port = server.port()});
//   server.kill9(); server.restart();                      // same data dir, same port
//   EXPECT_EQ(server.terminate(), 0) << server.output();   // SIGTERM; 0: a graceful stop
//
// What the tests add: the binary, and a destructor that reports on stderr an otterd that
// did not stop cleanly at the end of a test (a crash or a sanitizer report at exit) — a
// test cannot fail from a destructor, but that must not go unnoticed.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "launch/otterd_process.hpp"

namespace otter::testing {

using launch::OtterdExit;
using launch::OtterdOptions;

// The otterd binary the tests run.
[[nodiscard]] std::filesystem::path otterd_binary();

class OtterdProcess : public launch::OtterdProcess {
 public:
  // options.binary, if empty, becomes otterd_binary().
  explicit OtterdProcess(OtterdOptions options = {});
  ~OtterdProcess();
  OtterdProcess(const OtterdProcess&) = delete;
  OtterdProcess& operator=(const OtterdProcess&) = delete;
};

// launch::run_otterd with otterd_binary(): for --help, bad flags and bad configs.
[[nodiscard]] OtterdExit run_otterd(const std::vector<std::string>& args,
                                    const std::optional<std::string>& config_yaml = std::nullopt,
                                    std::chrono::milliseconds timeout = std::chrono::milliseconds{30'000});

}  // namespace otter::testing
