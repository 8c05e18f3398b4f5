#include "otterd/command_line.hpp"

#include <algorithm>
#include <array>
#include <variant>

namespace otter::otterd {

namespace {

constexpr std::array<std::string_view, 7> kLogLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};

}  // namespace

CommandLine parse_command_line(std::span<const std::string_view> args) {
  CommandLine result;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::optional<std::string_view> inline_value;
    if (const std::size_t equals = arg.find('='); arg.starts_with("--") && equals != std::string_view::npos) {
      inline_value = arg.substr(equals + 1);
      arg = arg.substr(0, equals);
    }
    // The value of a flag that takes one: "--flag=VALUE" or the next argument.
    const auto value = [&]() -> std::string {
      if (inline_value) {
        if (inline_value->empty()) throw UsageError(std::string(arg) + " needs a value");
        return std::string(*inline_value);
      }
      if (i + 1 >= args.size()) throw UsageError(std::string(arg) + " needs a value");
      return std::string(args[++i]);
    };
    const auto no_value = [&] {
      if (inline_value) throw UsageError(std::string(arg) + " takes no value");
    };

    if (arg == "--config" || arg == "-c") {
      result.config_file = value();
    } else if (arg == "--listen") {
      const std::string text = value();
      auto parsed = parse_listen_address(text);
      if (auto* error = std::get_if<std::string>(&parsed)) {
        throw UsageError("--listen must be HOST:PORT with a port from 0 to 65535, not \"" + text + "\" (" + *error +
                         ")");
      }
      result.listen = std::get<ListenAddress>(parsed);
    } else if (arg == "--data-dir") {
      result.data_dir = value();
    } else if (arg == "--port-file") {
      result.port_file = value();
    } else if (arg == "--log-level") {
      std::string level = value();
      if (std::find(kLogLevels.begin(), kLogLevels.end(), level) == kLogLevels.end()) {
        throw UsageError("--log-level must be one of trace, debug, info, warn, error, critical, off; not \"" + level +
                         "\"");
      }
      result.log_level = std::move(level);
    } else if (arg == "--dev") {
      no_value();
      result.dev = true;
    } else if (arg == "--print-config") {
      no_value();
      result.print_config = true;
    } else if (arg == "--help" || arg == "-h") {
      no_value();
      result.help = true;
    } else if (arg == "--version") {
      no_value();
      result.version = true;
    } else if (arg.starts_with("-")) {
      throw UsageError("unknown option \"" + std::string(arg) + "\"");
    } else {
      throw UsageError("unexpected argument \"" + std::string(arg) + "\" (the config file goes after --config)");
    }
  }
  return result;
}

void apply_overrides(const CommandLine& command_line, Config& config) {
  if (command_line.listen) config.listen = *command_line.listen;
  if (command_line.data_dir) config.data_dir = *command_line.data_dir;
  if (command_line.log_level) config.log_level = *command_line.log_level;
  if (command_line.dev) config.admin_enabled = true;
}

std::string usage() {
  return R"(otterd: the Otter collaborative editing server (HTTP, WebSocket and REST API).

Usage: otterd [options]

Without --config, otterd runs on its embedded default: SQLite under ./data, HTTP and
WebSocket on 127.0.0.1:8080, the frontend from ./frontend/dist.

Options:
  -c, --config FILE     read the YAML config FILE (every key: docs/configuration.md)
      --listen HOST:PORT
                        listen there (overrides server.listen); port 0 picks a free
                        port, which is logged (and written to --port-file)
      --data-dir DIR    keep the database in DIR (overrides storage.data_dir)
      --port-file FILE  once listening, write the bound port to FILE
      --dev             enable the admin/test hooks under /api/admin/ (overrides
                        server.admin_api); never in production
      --log-level LEVEL trace, debug, info, warn, error, critical or off
                        (overrides server.log_level)
      --print-config    print the effective config (file + flags) as YAML and exit
  -h, --help            print this help and exit
      --version         print the version and exit

Signals: SIGTERM or SIGINT stop gracefully (no new connections, requests answered,
storage flushed, WebSocket clients closed with 1001 shutting_down), then exit 0.

Exit status: 0 after a graceful stop; 1 if the server cannot start (address in use,
storage error); 2 for a bad command line or config.
)";
}

}  // namespace otter::otterd
