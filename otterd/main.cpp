// otterd: parse flags, load the config, start, run until SIGTERM/SIGINT.
// (`otterd --help` says it all; docs/configuration.md lists the config keys.)
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "otterd/app.hpp"
#include "otterd/command_line.hpp"
#include "otterd/config.hpp"

namespace {

using namespace otter::otterd;

constexpr int kExitStartFailed = 1;
constexpr int kExitUsage = 2;

void set_up_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("otterd");
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-8l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
  // Every line reaches the log at once: after a kill -9 the log must say what happened.
  spdlog::flush_on(spdlog::level::trace);
}

// Written to a temporary name and renamed, so a reader never sees a partial number.
void write_port_file(const std::filesystem::path& file, std::uint16_t port) {
  const std::filesystem::path temporary = file.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << "\n";
    if (!out.flush()) throw StartError("cannot write the port file \"" + temporary.string() + "\"");
  }
  std::error_code error;
  std::filesystem::rename(temporary, file, error);
  if (error) throw StartError("cannot write the port file \"" + file.string() + "\": " + error.message());
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  CommandLine command_line;
  Config config;
  try {
    command_line = parse_command_line(args);
    if (command_line.help) {
      std::cout << usage();
      return 0;
    }
    if (command_line.version) {
      std::cout << kVersion << "\n";
      return 0;
    }
    if (command_line.config_file) config = load_config_file(*command_line.config_file);
    apply_overrides(command_line, config);
    validate(config);
  } catch (const UsageError& error) {
    std::cerr << "otterd: " << error.what() << "\nTry 'otterd --help'.\n";
    return kExitUsage;
  } catch (const ConfigError& error) {
    std::cerr << "otterd: config error: " << error.what() << "\n";
    return kExitUsage;
  }
  if (command_line.print_config) {
    std::cout << render_config(config);
    return 0;
  }

  set_up_logging(config.log_level);
  spdlog::info("{} starting (config: {})", kVersion,
               command_line.config_file ? command_line.config_file->string() : std::string("embedded default"));
  try {
    App app(config);
    app.start();
    if (command_line.port_file) write_port_file(*command_line.port_file, app.port());
    spdlog::info("listening on http://{}:{}", config.listen.host.find(':') == std::string::npos
                                                 ? config.listen.host
                                                 : "[" + config.listen.host + "]",
                 app.port());
    return app.run();
  } catch (const StartError& error) {
    spdlog::critical("cannot start: {}", error.what());
    return kExitStartFailed;
  } catch (const std::exception& error) {
    spdlog::critical("cannot start: {}", error.what());
    return kExitStartFailed;
  }
}
