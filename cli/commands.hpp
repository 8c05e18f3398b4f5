// The `otter` commands: one file each (get_command.cpp, ...), listed here with their help.
// A command returns its exit code or throws CliError (exit_codes.hpp).
#pragma once

#include <span>
#include <string_view>

#include "cli/command_line.hpp"

namespace otter::cli {

struct Command {
  std::string_view name;
  std::string_view summary;  // one line for `otter --help`
  std::string_view help;     // the whole text of `otter COMMAND --help`
  int (*run)(const GlobalOptions& options, CommandArgs& args);
};

int run_get(const GlobalOptions& options, CommandArgs& args);
int run_put(const GlobalOptions& options, CommandArgs& args);
int run_edit(const GlobalOptions& options, CommandArgs& args);
int run_watch(const GlobalOptions& options, CommandArgs& args);
int run_sim(const GlobalOptions& options, CommandArgs& args);
int run_bench(const GlobalOptions& options, CommandArgs& args);

extern const std::string_view kGetHelp;
extern const std::string_view kPutHelp;
extern const std::string_view kEditHelp;
extern const std::string_view kWatchHelp;
extern const std::string_view kSimHelp;
extern const std::string_view kBenchHelp;

// Every command, in the order `otter --help` lists them.
[[nodiscard]] std::span<const Command> all_commands();

}  // namespace otter::cli
