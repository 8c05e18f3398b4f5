// otter: the command-line client of otterd (docs/cli.md).
#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

namespace otter::cli {
namespace {

constexpr std::string_view kVersion = "otter 0.1.0";

void print_usage(std::ostream& out) {
  out << "usage: otter [--server URL] [--timeout SECONDS] [--name NAME] COMMAND [ARGS]\n\n"
         "The command-line client of otterd, the collaborative text server.\n\n"
         "Commands:\n";
  for (const Command& command : all_commands()) {
    std::string name(command.name);
    name.resize(8, ' ');
    out << "  " << name << command.summary << "\n";
  }
  out << "\nOptions:\n"
         "  --server URL       otterd's address (default: $OTTER_SERVER, else "
      << kDefaultServerUrl
      << ")\n"
         "  --timeout SECONDS  how long to wait for the server (default 10)\n"
         "  --name NAME        the name other editors see (default: \"otter COMMAND\")\n"
         "  --help             this help; `otter COMMAND --help` for a command's\n"
         "  --version          the version\n\n"
         "Exit codes: 0 ok, 1 refused by the server, 2 usage, 3 server unreachable or too slow,\n"
         "4 document not found, 5 bad input (position past the end, not UTF-8, too large).\n";
}

int run(const std::vector<std::string>& argv) {
  const char* env_server = std::getenv("OTTER_SERVER");
  const CommandLine line =
      parse_command_line(argv, env_server ? std::optional<std::string>(env_server) : std::nullopt);
  if (line.options.version) {
    std::cout << kVersion << "\n";
    return kExitOk;
  }
  if (line.command.empty() || line.command == "help") {
    if (line.command == "help" && !line.args.empty()) {
      for (const Command& command : all_commands()) {
        if (command.name == line.args.front()) {
          std::cout << command.help;
          return kExitOk;
        }
      }
      throw CliError(kExitUsage, "no command \"" + line.args.front() + "\" (see otter --help)");
    }
    print_usage(line.command.empty() && !line.options.help ? std::cerr : std::cout);
    return line.command.empty() && !line.options.help ? kExitUsage : kExitOk;
  }
  for (const Command& command : all_commands()) {
    if (command.name != line.command) continue;
    if (line.options.help) {
      std::cout << command.help;
      return kExitOk;
    }
    CommandArgs args(line.command, line.args);
    return command.run(line.options, args);
  }
  throw CliError(kExitUsage, "no command \"" + line.command + "\" (see otter --help)");
}

}  // namespace

std::span<const Command> all_commands() {
  static const Command commands[] = {
      {"get", "print a document's text", kGetHelp, run_get},
      {"put", "replace a document's text with standard input", kPutHelp, run_put},
      {"edit", "insert or delete text at a position", kEditHelp, run_edit},
      {"watch", "print each change to a document as it happens", kWatchHelp, run_watch},
      {"sim", "run seeded conflict simulations and check convergence", kSimHelp, run_sim},
      {"bench", "generate load against a server and print its figures as JSON", kBenchHelp, run_bench},
  };
  return commands;
}

}  // namespace otter::cli

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed stdout is an error value, not a death
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return otter::cli::run(args);
  } catch (const otter::cli::CliError& error) {
    std::cerr << "otter: " << error.what() << "\n";
    return error.code();
  } catch (const std::exception& error) {
    std::cerr << "otter: " << error.what() << "\n";
    return otter::cli::kExitFailed;
  }
}
