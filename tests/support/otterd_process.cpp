#include "tests/support/otterd_process.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <utility>

#ifndef OTTERD_BINARY
#error "OTTERD_BINARY must name the otterd binary (tests/support/CMakeLists.txt sets it)"
#endif

namespace otter::testing {
namespace {

constexpr std::chrono::milliseconds kStopTimeout{10'000};

OtterdOptions with_binary(OtterdOptions options) {
  if (options.binary.empty()) options.binary = otterd_binary();
  return options;
}

}  // namespace

std::filesystem::path otterd_binary() {
  if (const char* path = std::getenv("OTTERD_BINARY"); path != nullptr && *path != '\0') return path;
  return OTTERD_BINARY;
}

OtterdProcess::OtterdProcess(OtterdOptions options) : launch::OtterdProcess(with_binary(std::move(options))) {}

OtterdProcess::~OtterdProcess() {
  if (!running()) return;
  try {
    if (const int status = terminate(kStopTimeout); status != 0) {
      std::fprintf(stderr, "otterd exited with status %d after SIGTERM at the end of the test; its output:\n%s\n",
                   status, output().c_str());
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "stopping otterd at the end of the test: %s\n", error.what());
  }
}

OtterdExit run_otterd(const std::vector<std::string>& args, const std::optional<std::string>& config_yaml,
                      std::chrono::milliseconds timeout) {
  return launch::run_otterd(otterd_binary(), args, config_yaml, timeout);
}

}  // namespace otter::testing
