// The `otter` command line: global options, then a command and its arguments.
//
//   otter [--server URL] [--timeout SECONDS] [--name NAME] COMMAND [ARGS...]
//
// Global options may also follow the command. --server defaults to $OTTER_SERVER, then
// http://127.0.0.1:8080. Each command parses its own arguments (commands.hpp).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "cli/server_url.hpp"

namespace otter::cli {

struct GlobalOptions {
  ServerAddress server;
  std::string server_url;
  std::chrono::milliseconds timeout{10'000};
  std::optional<std::string> name;
  bool help = false;
  bool version = false;
};

struct CommandLine {
  GlobalOptions options;
  std::string command;             // empty: none given
  std::vector<std::string> args;   // the command's own arguments, global options removed
};

// Throws CliError(kExitUsage) for a bad global option. `env_server` is $OTTER_SERVER.
[[nodiscard]] CommandLine parse_command_line(const std::vector<std::string>& argv,
                                             const std::optional<std::string>& env_server);

// Arguments of one command: flags and positionals, with precise usage errors.
class CommandArgs {
 public:
  CommandArgs(std::string command, std::vector<std::string> args);

  // Removes `--flag` if present.
  [[nodiscard]] bool take_flag(const std::string& flag);
  // Removes `--option VALUE`; throws CliError(kExitUsage) if VALUE is missing.
  [[nodiscard]] std::optional<std::string> take_option(const std::string& option);
  // Removes `--option` followed by `count` values.
  [[nodiscard]] std::optional<std::vector<std::string>> take_option_values(const std::string& option,
                                                                           std::size_t count);
  // The remaining arguments, which must be exactly `names.size()` positionals (no leftover
  // `--options`); throws CliError(kExitUsage) naming what is wrong.
  [[nodiscard]] std::vector<std::string> positionals(const std::vector<std::string>& names);

 private:
  std::string command_;
  std::vector<std::string> args_;
};

// A non-negative integer argument, or CliError(kExitUsage) naming `what`.
[[nodiscard]] std::size_t parse_count(const std::string& text, const std::string& what);

}  // namespace otter::cli
