// otterd's command line: flags, their parsing, and how they override the config file.
//
//   otterd [--config FILE] [--listen HOST:PORT] [--data-dir DIR] [--port-file FILE]
//          [--dev] [--log-level LEVEL] [--print-config] [--help] [--version]
//
// Contract
// - parse_command_line() takes the arguments after the program name. Both "--flag VALUE"
//   and "--flag=VALUE" work. An unknown flag, a missing value, a value given to a flag
//   that takes none, a stray positional argument or a bad --listen/--log-level value
//   throws UsageError with a sentence naming the flag.
// - apply_overrides(): flags win over the file; each flag sets exactly the config key its
//   help names (--listen: server.listen, --data-dir: storage.data_dir, --dev:
//   server.admin_api, --log-level: server.log_level).
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "otterd/config.hpp"

namespace otter::otterd {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CommandLine {
  std::optional<std::filesystem::path> config_file;
  std::optional<ListenAddress> listen;
  std::optional<std::filesystem::path> data_dir;
  std::optional<std::filesystem::path> port_file;
  std::optional<std::string> log_level;
  bool dev = false;
  bool print_config = false;
  bool help = false;
  bool version = false;
};

[[nodiscard]] CommandLine parse_command_line(std::span<const std::string_view> args);
void apply_overrides(const CommandLine& command_line, Config& config);
// The --help text.
[[nodiscard]] std::string usage();

inline constexpr std::string_view kVersion = "otterd 0.1.0";

}  // namespace otter::otterd
